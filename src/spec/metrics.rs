//! Prometheus scraping (`spec.metrics`): the metrics port on every daemon, a
//! Prometheus Operator PodMonitor or ServiceMonitor that scrapes it, who may
//! reach it, and a Grafana dashboard of the metrics that matter.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{check_labels, check_peers, fail};
use super::{FieldPath, SpecError};
use crate::registry::{MetricsFlags, Registry};

/// How often Prometheus scrapes, unless the spec says.
pub const DEFAULT_INTERVAL: &str = "30s";
/// How long a scrape may take, unless the spec says.
pub const DEFAULT_SCRAPE_TIMEOUT: &str = "10s";
/// The label Grafana's dashboard sidecar watches by default (the grafana
/// chart's `sidecar.dashboards.label`), and its value.
pub const DASHBOARD_LABEL: (&str, &str) = ("grafana_dashboard", "1");
/// The namespace the default sources name: kube-prometheus-stack's usual one.
pub const DEFAULT_NAMESPACE: &str = "monitoring";
/// The label the Prometheus Operator puts on every Prometheus pod, and its value.
pub const PROMETHEUS_POD_LABEL: (&str, &str) = ("app.kubernetes.io/name", "prometheus");

/// Prometheus scraping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsSpec {
    /// Turn the metrics port on and scrape it (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The Prometheus Operator object that scrapes the daemons: PodMonitor
    /// (default), ServiceMonitor, or None (the port and its NetworkPolicy
    /// rule only, for a Prometheus configured otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<MonitorKind>,
    /// Labels of the PodMonitor or ServiceMonitor, for the Prometheus that
    /// selects them (kube-prometheus-stack: `release: <its release>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// How often Prometheus scrapes each daemon (default 30s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// How long a scrape may take, at most the interval (default 10s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrape_timeout: Option<String>,
    /// Who may reach the metrics port (NetworkPolicy peers); by default the
    /// Prometheus pods (`app.kubernetes.io/name: prometheus`) of the
    /// namespace `monitoring`. Nothing else reaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<NetworkPolicyPeer>>,
    /// The Grafana dashboard.
    #[serde(default, skip_serializing_if = "DashboardSpec::is_empty")]
    pub dashboard: DashboardSpec,
}

/// The Prometheus Operator object that scrapes the daemons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MonitorKind {
    /// A `monitoring.coreos.com/v1` PodMonitor that selects the pods.
    PodMonitor,
    /// A `monitoring.coreos.com/v1` ServiceMonitor that selects the
    /// cluster-local Services, which carry the metrics port.
    ServiceMonitor,
    /// No monitor object.
    None,
}

/// The Grafana dashboard, a ConfigMap that Grafana's sidecar loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardSpec {
    /// Render the dashboard's ConfigMap (default true with metrics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Labels of the ConfigMap (default `grafana_dashboard: "1"`, the label
    /// Grafana's sidecar watches by default).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations of the ConfigMap, such as the sidecar's folder annotation.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl DashboardSpec {
    fn is_empty(&self) -> bool {
        self == &DashboardSpec::default()
    }
}

impl MetricsSpec {
    /// True when the section says nothing.
    pub fn is_empty(&self) -> bool {
        self == &MetricsSpec::default()
    }
}

/// Scraping, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterMetrics<'r> {
    /// The port and path the registry names.
    pub flags: &'r MetricsFlags,
    /// The monitor object, if any.
    pub monitor: Option<MonitorKind>,
    /// The monitor's labels.
    pub labels: BTreeMap<String, String>,
    /// The scrape interval.
    pub interval: String,
    /// The scrape timeout.
    pub scrape_timeout: String,
    /// Who may reach the metrics port.
    pub sources: Vec<NetworkPolicyPeer>,
    /// The dashboard ConfigMap's labels and annotations, when it is rendered.
    pub dashboard: Option<(BTreeMap<String, String>, BTreeMap<String, String>)>,
}

/// The sources that reach the metrics port unless the spec names others.
pub fn default_sources() -> Vec<NetworkPolicyPeer> {
    let labels = |(k, v): (&str, &str)| LabelSelector {
        match_labels: Some(BTreeMap::from([(k.to_owned(), v.to_owned())])),
        ..Default::default()
    };
    vec![NetworkPolicyPeer {
        namespace_selector: Some(labels(("kubernetes.io/metadata.name", DEFAULT_NAMESPACE))),
        pod_selector: Some(labels(PROMETHEUS_POD_LABEL)),
        ..Default::default()
    }]
}

/// Checks `spec.metrics`; `None` when metrics are off.
pub fn resolve<'r>(spec: &MetricsSpec, registry: &'r Registry) -> Result<Option<ClusterMetrics<'r>>, SpecError> {
    if spec.enabled != Some(true) {
        return Ok(None);
    }
    let field = FieldPath::from("spec.metrics");
    let Some(flags) = &registry.metrics else {
        return fail(
            field.key("enabled"),
            format!(
                "registry {} declares no metrics endpoint; Prometheus metrics are for Impala 3 and later",
                registry.profile
            ),
        );
    };
    check_labels(&field.key("labels"), &spec.labels, true)?;
    let interval = spec.interval.clone().unwrap_or_else(|| DEFAULT_INTERVAL.to_owned());
    let timeout = spec.scrape_timeout.clone().unwrap_or_else(|| DEFAULT_SCRAPE_TIMEOUT.to_owned());
    let interval_ms = duration_ms(&field.key("interval"), &interval)?;
    let timeout_ms = duration_ms(&field.key("scrapeTimeout"), &timeout)?;
    if timeout_ms > interval_ms {
        return fail(
            field.key("scrapeTimeout"),
            format!(
                "{timeout} is longer than the interval {interval}; Prometheus refuses a timeout above the interval"
            ),
        );
    }
    if spec.sources.as_ref().is_some_and(Vec::is_empty) {
        return fail(
            field.key("sources"),
            format!("an empty list would admit no one; omit it for the Prometheus pods of the namespace {DEFAULT_NAMESPACE}, or list the sources"),
        );
    }
    check_peers(&field.key("sources"), &spec.sources)?;
    let dashboard = &spec.dashboard;
    check_labels(&field.key("dashboard").key("labels"), &dashboard.labels, true)?;
    check_labels(&field.key("dashboard").key("annotations"), &dashboard.annotations, false)?;
    let dashboard = (dashboard.enabled != Some(false)).then(|| {
        let mut labels = dashboard.labels.clone();
        if labels.is_empty() {
            labels.insert(DASHBOARD_LABEL.0.to_owned(), DASHBOARD_LABEL.1.to_owned());
        }
        (labels, dashboard.annotations.clone())
    });
    Ok(Some(ClusterMetrics {
        flags,
        monitor: Some(spec.monitor.unwrap_or(MonitorKind::PodMonitor)).filter(|&m| m != MonitorKind::None),
        labels: spec.labels.clone(),
        interval,
        scrape_timeout: timeout,
        sources: spec.sources.clone().unwrap_or_else(default_sources),
        dashboard,
    }))
}

/// A Prometheus duration (`30s`, `1m30s`, `500ms`: units y, w, d, h, m, s,
/// ms in that order, each at most once), in milliseconds; zero is refused.
fn duration_ms(field: &FieldPath, value: &str) -> Result<u64, SpecError> {
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];
    let bad = || {
        fail(
            field,
            format!("'{value}' is not a Prometheus duration: a number and a unit (y, w, d, h, m, s, ms), largest first, like 30s or 1m30s"),
        )
    };
    if value.is_empty() {
        return bad();
    }
    let (mut rest, mut total, mut next_unit) = (value, 0u64, 0);
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return bad();
        }
        let Ok(number) = rest[..digits].parse::<u64>() else { return bad() };
        rest = &rest[digits..];
        // "ms" before "m", so the longest unit that matches wins.
        let found = UNITS
            .iter()
            .enumerate()
            .skip(next_unit)
            .filter(|(_, (u, _))| rest.starts_with(u))
            .max_by_key(|(_, (u, _))| u.len());
        let Some((i, (unit, ms))) = found else { return bad() };
        rest = &rest[unit.len()..];
        next_unit = i + 1;
        total = total.saturating_add(number.saturating_mul(*ms));
    }
    if total == 0 {
        return fail(field, format!("'{value}' is not a scrape period: it must be longer than zero"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: &str) -> Result<u64, String> {
        duration_ms(&FieldPath::from("f"), value).map_err(|e| e.to_string())
    }

    #[test]
    fn durations() {
        assert_eq!(ms("30s"), Ok(30_000));
        assert_eq!(ms("1m30s"), Ok(90_000));
        assert_eq!(ms("500ms"), Ok(500));
        assert_eq!(ms("1h"), Ok(3_600_000));
        for bad in ["", "30", "s", "1.5s", "30S", "1s1m", "1m1m", " 30s", "-1s"] {
            assert!(ms(bad).unwrap_err().contains("is not a Prometheus duration"), "{bad:?}");
        }
        assert!(ms("0s").unwrap_err().contains("longer than zero"));
    }

    fn resolved(yaml: &str) -> Result<Option<ClusterMetrics<'static>>, String> {
        let registry = crate::registry::Profile::Impala4.registry();
        resolve(&serde_yaml::from_str(yaml).unwrap(), registry).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_refusals() {
        assert_eq!(resolved("{monitor: ServiceMonitor}"), Ok(None), "off unless enabled");
        let on = resolved("{enabled: true}").unwrap().unwrap();
        assert_eq!((on.interval.as_str(), on.scrape_timeout.as_str()), ("30s", "10s"));
        assert_eq!(on.monitor, Some(MonitorKind::PodMonitor));
        assert_eq!(on.sources, default_sources());
        assert_eq!(on.dashboard.unwrap().0["grafana_dashboard"], "1");
        let none = resolved("{enabled: true, monitor: None, dashboard: {enabled: false}}").unwrap().unwrap();
        assert_eq!((none.monitor, none.dashboard), (None, None));
        let e = resolved("{enabled: true, interval: 10s, scrapeTimeout: 15s}").unwrap_err();
        assert!(e.contains("spec.metrics.scrapeTimeout: 15s is longer than the interval 10s"), "{e}");
        let e = resolved("{enabled: true, sources: []}").unwrap_err();
        assert!(e.contains("spec.metrics.sources: an empty list"), "{e}");
        let e = resolved("{enabled: true, labels: {release: 'a b'}}").unwrap_err();
        assert!(e.contains("spec.metrics.labels.release"), "{e}");
    }
}
