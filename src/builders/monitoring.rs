//! What metrics add to a release: the Prometheus Operator PodMonitor or
//! ServiceMonitor that scrapes every daemon's metrics port, and the Grafana
//! dashboard's ConfigMap. The metrics port itself is a registry port (its
//! flag, containerPort, Service port and NetworkPolicy rule follow from it).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

use super::config::ConfigMapBuilder;
use super::members::WORKLOAD_LABEL;
use crate::spec::metrics::{ClusterMetrics, MonitorKind};
use crate::spec::tls::CaSource;
use crate::spec::Cluster;

/// The Grafana dashboard, the same file the chart ships.
pub const DASHBOARD: &str = include_str!("../../charts/impala/dashboards/impala-k8s.json");
/// The dashboard's key in its ConfigMap: the file name Grafana's sidecar writes.
pub const DASHBOARD_FILE: &str = "impala-k8s.json";

/// A `monitoring.coreos.com/v1` PodMonitor or ServiceMonitor, with the fields impala-k8s sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Monitor {
    /// `monitoring.coreos.com/v1`.
    pub api_version: String,
    /// `PodMonitor` or `ServiceMonitor`.
    pub kind: String,
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// What it scrapes.
    pub spec: MonitorSpec,
}

/// A monitor's spec: the release's pods (or Services) and their metrics port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorSpec {
    /// The release's pods (PodMonitor) or Services (ServiceMonitor).
    pub selector: LabelSelector,
    /// Pod labels copied onto every series: role, release and executor group.
    pub pod_target_labels: Vec<String>,
    /// A PodMonitor's endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metrics_endpoints: Option<Vec<Endpoint>>,
    /// A ServiceMonitor's endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<Endpoint>>,
}

/// One scraped port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The port's name.
    pub port: String,
    /// The Prometheus text's path.
    pub path: String,
    /// `http`, or `https` when the web UIs speak HTTPS.
    pub scheme: String,
    /// How often.
    pub interval: String,
    /// How long a scrape may take.
    pub scrape_timeout: String,
    /// The CA that signed the daemons' certificate, and a name it carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
}

/// How Prometheus checks a daemon's certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    /// The CA bundle, from a Secret or ConfigMap of the monitor's namespace.
    pub ca: KeySource,
    /// A name in the certificate (the pods are scraped by address).
    pub server_name: String,
}

/// A key of a Secret or of a ConfigMap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySource {
    /// From a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<KeyRef>,
    /// From a ConfigMap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<KeyRef>,
}

/// An object's name and one of its keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRef {
    /// The object.
    pub name: String,
    /// The key.
    pub key: String,
}

/// The labels every series gets from its pod.
pub const POD_TARGET_LABELS: [&str; 3] = ["app.kubernetes.io/component", "app.kubernetes.io/instance", WORKLOAD_LABEL];

/// The monitor that scrapes every daemon's metrics port, if the spec asks for one.
pub fn monitor(
    cluster: &Cluster<'_>,
    metrics: &ClusterMetrics<'_>,
    meta: ObjectMeta,
    selector: BTreeMap<String, String>,
) -> Option<Monitor> {
    let kind = metrics.monitor?;
    let web_tls = cluster.tls.as_ref().filter(|t| t.web_ui);
    let tls_config = web_tls.map(|tls| {
        let key = |name: &str, key: &str| Some(KeyRef { name: name.to_owned(), key: key.to_owned() });
        let ca = match &tls.ca {
            CaSource::Own(k) => KeySource { secret: key(&tls.secret_name, k), config_map: None },
            CaSource::Secret(name, k) => KeySource { secret: key(name, k), config_map: None },
            CaSource::ConfigMap(name, k) => KeySource { secret: None, config_map: key(name, k) },
        };
        let first = cluster.roles.first().map(|r| cluster.internal_service_name(r.name())).unwrap_or_default();
        TlsConfig { ca, server_name: format!("{first}.{}.svc", cluster.namespace) }
    });
    let endpoint = Endpoint {
        port: metrics.flags.port.to_string(),
        path: metrics.flags.path.clone(),
        scheme: if web_tls.is_some() { "https" } else { "http" }.to_owned(),
        interval: metrics.interval.clone(),
        scrape_timeout: metrics.scrape_timeout.clone(),
        tls_config,
    };
    let pods = kind == MonitorKind::PodMonitor;
    Some(Monitor {
        api_version: "monitoring.coreos.com/v1".to_owned(),
        kind: if pods { "PodMonitor" } else { "ServiceMonitor" }.to_owned(),
        metadata: meta,
        spec: MonitorSpec {
            selector: LabelSelector { match_labels: Some(selector), ..Default::default() },
            pod_target_labels: POD_TARGET_LABELS.map(str::to_owned).to_vec(),
            pod_metrics_endpoints: pods.then(|| vec![endpoint.clone()]),
            endpoints: (!pods).then(|| vec![endpoint]),
        },
    })
}

/// The dashboard's ConfigMap, with the labels Grafana's sidecar watches.
pub fn dashboard(meta: ObjectMeta) -> k8s_openapi::api::core::v1::ConfigMap {
    ConfigMapBuilder::new(meta).add_file(DASHBOARD_FILE, DASHBOARD).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ClusterSpec;

    fn cluster_spec(yaml: &str) -> ClusterSpec {
        ClusterSpec { spec: serde_yaml::from_str(yaml).unwrap(), ..Default::default() }
    }

    #[test]
    fn scrapes_the_metrics_port_over_https_with_the_ca() {
        let spec = cluster_spec(
            "{metrics: {enabled: true, monitor: ServiceMonitor}, tls: {webUi: true, clients: true, internal: true, secretName: certs, ca: {secretName: ca, key: root.pem}}}",
        );
        let cluster = spec.resolve().unwrap();
        let m = monitor(&cluster, cluster.metrics.as_ref().unwrap(), ObjectMeta::default(), BTreeMap::new()).unwrap();
        assert_eq!(m.kind, "ServiceMonitor");
        assert!(m.spec.pod_metrics_endpoints.is_none());
        let e = &m.spec.endpoints.unwrap()[0];
        assert_eq!((e.port.as_str(), e.path.as_str(), e.scheme.as_str()), ("metrics", "/metrics_prometheus", "https"));
        let tls = e.tls_config.as_ref().unwrap();
        assert_eq!(tls.ca.secret, Some(KeyRef { name: "ca".into(), key: "root.pem".into() }));
        assert_eq!(tls.server_name, "impala-statestored-internal.impala.svc");
    }

    #[test]
    fn the_dashboard_is_json() {
        let json: serde_json::Value = serde_json::from_str(DASHBOARD).unwrap();
        assert_eq!(json["uid"], "impala-k8s");
    }
}
