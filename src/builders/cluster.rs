//! Every object of a release, from a checked cluster.
//!
//! Each port is read from the cluster's roles once and feeds the daemon flag,
//! the containerPort, the Service port and the NetworkPolicy rule.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};

use super::config::{hadoop_xml, ConfigMapBuilder};
use super::container::{ContainerError, ProbeTiming};
use super::meta::{ObjectMetaBuilder, RecommendedLabels};
use super::monitoring;
use super::network_policy::{cidr, pods, NetworkPolicyBuilder};
use super::service::ServiceBuilder;
use super::storage;
use super::Object;
use crate::registry::{Access, Audience, ConfigStyle, Destination, Protocol};
use crate::spec::http::HttpKind;
use crate::spec::metrics::MonitorKind;
use crate::spec::{Cluster, ClusterNetworkPolicy, ClusterRole, Egress, ServiceType};

const APP_NAME: &str = "impala";
use super::meta::MANAGED_BY;
/// The pod annotation whose value changes with the configuration, so the pods roll.
pub const CHECKSUM_ANNOTATION: &str = "checksum/config";

pub(super) const READINESS: ProbeTiming = ProbeTiming { period: 10, timeout: 5, failure_threshold: 3 };
pub(super) const LIVENESS: ProbeTiming = ProbeTiming { period: 10, timeout: 5, failure_threshold: 6 };
/// Fifteen minutes for a daemon's first start: an impalad is ready only once
/// catalogd has loaded and sent the catalog. Liveness checks begin after it.
pub(super) const STARTUP: ProbeTiming = ProbeTiming { period: 10, timeout: 5, failure_threshold: 90 };

/// Every setting a role's daemon gets, by flag (or llama-site property) name:
/// its port flags, its fixed flags, the address and port of every port it
/// connects to that declares client flags, and the user's extra flags.
pub fn daemon_settings(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> BTreeMap<String, String> {
    let mut settings = BTreeMap::new();
    for port in &role.ports {
        let value = match role.role.config {
            ConfigStyle::Gflags | ConfigStyle::HiveSite => port.number.to_string(),
            ConfigStyle::LlamaSite => format!("0.0.0.0:{}", port.number),
        };
        settings.insert(port.entry.flag.to_string(), value);
    }
    for (flag, value) in role
        .role
        .flags
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain(role.extra_flags.iter().map(|(k, v)| (k.as_str(), v)))
    {
        settings.insert(flag.to_owned(), value.clone());
    }
    if let Some(log) = &role.logging {
        let flags = if log.to_files { &log.logging.to_files } else { &log.logging.to_stderr };
        settings.extend(flags.iter().map(|(k, v)| (k.to_string(), v.clone())));
        if log.to_files {
            settings.insert(log.logging.max_files_flag.to_string(), log.max_files.to_string());
            settings.insert(log.logging.max_size_flag.to_string(), log.max_size_mib.to_string());
        }
        if log.verbosity > 0 {
            settings.insert(log.logging.verbosity_flag.to_string(), log.verbosity.to_string());
        }
    }
    if let Some(flag) = cluster.registry.hostname_flag.as_ref().filter(|_| role.role.config == ConfigStyle::Gflags) {
        settings.insert(flag.to_string(), cluster.advertised_name(role));
    }
    for (destination, flag) in &role.role.destination_flags {
        if let (Destination::Yarn, Some(host)) = (destination, &cluster.yarn_resource_manager) {
            settings.insert(flag.to_string(), host.clone());
        }
    }
    if let Some(tls) = super::tls::role_tls(cluster, role) {
        settings.extend(tls.flags);
    }
    if let Some(ldap) = super::auth::role_ldap(cluster, role) {
        settings.extend(ldap.flags.iter().cloned());
    }
    if let Some(web) = super::auth::role_web_ui_auth(cluster, role) {
        settings.extend(web.flags.iter().cloned());
    }
    if let Some(d) = &role.drain {
        settings.insert(d.drain.grace_period_flag.to_string(), d.grace_period_seconds.to_string());
        settings.insert(d.drain.deadline_flag.to_string(), d.deadline_seconds.to_string());
    }
    let kerberos = cluster.kerberos.as_ref().filter(|_| role.role.config == ConfigStyle::Gflags);
    if let Some(k) = kerberos {
        // _HOST is the advertised name: a stable DNS name, not the pod IP.
        settings.extend(k.settings.iter().cloned());
        settings.insert(k.flags.hostname.to_string(), super::auth::kerberos_name(cluster, k, role));
    }
    if let Some(admission) = cluster.admission_of(role.name()) {
        settings.extend(super::admission::settings(admission));
    }
    settings.extend(super::ha::settings(cluster, role));
    settings.extend(super::members::planner_settings(cluster, role));
    for target in &cluster.roles {
        for port in target.ports.iter().filter(|p| p.peers.contains(&role.name())) {
            if let Some(pair) = super::ha::pair_clients(cluster, target, port) {
                settings.extend(pair);
            } else if let Some(client) = &port.entry.client_flags {
                let service = cluster.internal_service_name(target.name());
                // With Kerberos, peers ask for a ticket to the name they connect to.
                let host = kerberos.map_or(service.clone(), |k| k.service_fqdn(&service, cluster.namespace.as_str()));
                settings.insert(client.host.to_string(), host);
                settings.insert(client.port.to_string(), port.number.to_string());
            }
        }
    }
    settings
}

/// Every object of the release, unsorted; fails where a custom registry
/// would make a container an API server refuses.
pub fn build(cluster: &Cluster<'_>) -> Result<Vec<Object>, ContainerError> {
    let release = Release::new(cluster);
    let mut objects = Vec::new();
    if cluster.create_namespace {
        objects.push(release.namespace());
    }
    objects.extend(release.service_account());
    objects.extend(release.warehouse_claim());
    objects.extend(release.certificate());
    objects.extend(release.admission_config());
    let hadoop = release.hadoop_config();
    if let Some(np) = &cluster.network_policy {
        objects.extend(release.default_deny(np.egress.is_some()));
    }
    for role in &cluster.roles {
        let settings = daemon_settings(cluster, role);
        // The shared Hadoop/Hive files, and llama-site.xml for Llama.
        let role_config = release.role_config(role, &settings);
        // A metastore's own files replace the release's; Llama adds its own.
        let mut config_maps = if role.role.config == ConfigStyle::HiveSite { vec![] } else { vec![&hadoop] };
        config_maps.extend(&role_config);
        objects.extend(role_config.clone().map(Object::ConfigMap));
        objects.extend(release.services(role));
        if let Some(np) = &cluster.network_policy {
            objects.push(release.ingress_policy(role, np));
            if let Some(egress) = &np.egress {
                objects.push(release.egress_policy(role, egress));
            }
        }
        objects.extend(release.workload(role, &settings, &config_maps)?);
    }
    objects.push(Object::ConfigMap(hadoop));
    objects.extend(release.monitoring());
    objects.extend(release.http());
    Ok(objects)
}

/// A release's cluster and labels: what every object of it is built from.
pub(super) struct Release<'a, 'r> {
    pub(super) cluster: &'a Cluster<'r>,
    pub(super) labels: RecommendedLabels<'a>,
}

impl<'a, 'r> Release<'a, 'r> {
    fn new(cluster: &'a Cluster<'r>) -> Self {
        let labels = RecommendedLabels {
            name: APP_NAME,
            instance: cluster.release.as_str(),
            version: &cluster.version,
            part_of: APP_NAME,
            managed_by: MANAGED_BY,
        };
        Release { cluster, labels }
    }

    /// The metadata of a namespaced object, with the recommended labels.
    pub(super) fn meta(&self, name: String, component: Option<&str>) -> ObjectMetaBuilder {
        ObjectMetaBuilder::new(name)
            .namespace(self.cluster.namespace.as_str())
            .with_labels(self.labels.labels(component))
    }

    /// The namespace, enforcing the restricted Pod Security Standard.
    fn namespace(&self) -> Object {
        let meta = ObjectMetaBuilder::new(self.cluster.namespace.as_str())
            .with_labels(self.labels.labels(None))
            .with_labels([
                ("pod-security.kubernetes.io/enforce".to_owned(), "restricted".to_owned()),
                ("pod-security.kubernetes.io/enforce-version".to_owned(), "latest".to_owned()),
            ]);
        Object::Namespace(Namespace { metadata: meta.build(), ..Default::default() })
    }

    /// The release's ServiceAccount, its token not mounted, unless the pods
    /// run as an existing one.
    fn service_account(&self) -> Option<Object> {
        let sa = &self.cluster.service_account;
        let mut meta = self.meta(sa.name.clone(), None);
        for (key, value) in &sa.annotations {
            meta = meta.with_annotation(key, value);
        }
        sa.create.then(|| {
            Object::ServiceAccount(ServiceAccount {
                metadata: meta.build(),
                automount_service_account_token: Some(false),
                ..Default::default()
            })
        })
    }

    /// core-site.xml and hive-site.xml (with the metastore URI), and
    /// hdfs-site.xml for HDFS storage.
    fn hadoop_config(&self) -> ConfigMap {
        let cluster = self.cluster;
        let mut config = ConfigMapBuilder::new(self.meta(cluster.hadoop_config_name(), None).build());
        for (file, content) in storage::hadoop_files(cluster, None) {
            config = config.add_file(file, content);
        }
        config.build()
    }

    /// The cert-manager Certificate, when TLS takes its certificate from cert-manager.
    fn certificate(&self) -> Option<Object> {
        let name = crate::spec::tls::certificate_name(self.cluster.release.as_str());
        super::tls::certificate(self.cluster, self.meta(name, None).build()).map(Object::Certificate)
    }

    /// The admission pools' files, when the spec lists pools.
    fn admission_config(&self) -> Option<Object> {
        let admission = self.cluster.admission.as_ref()?;
        let meta = self.meta(self.cluster.admission_config_name(), None).build();
        Some(Object::ConfigMap(super::admission::config_map(meta, admission)))
    }

    /// The PodMonitor or ServiceMonitor and the Grafana dashboard, when the spec turns metrics on.
    fn monitoring(&self) -> Vec<Object> {
        let cluster = self.cluster;
        let Some(metrics) = &cluster.metrics else { return vec![] };
        let mut objects = Vec::new();
        let meta = self.meta(cluster.monitor_name(), None).with_labels(metrics.labels.clone()).build();
        if let Some(monitor) = monitoring::monitor(cluster, metrics, meta, self.labels.selector(None)) {
            objects.push(match metrics.monitor {
                Some(MonitorKind::ServiceMonitor) => Object::ServiceMonitor(monitor),
                _ => Object::PodMonitor(monitor),
            });
        }
        if let Some((labels, annotations)) = &metrics.dashboard {
            let mut meta = self.meta(cluster.dashboard_name(), None).with_labels(labels.clone());
            for (key, value) in annotations {
                meta = meta.with_annotation(key, value);
            }
            objects.push(Object::ConfigMap(monitoring::dashboard(meta.build())));
        }
        objects
    }

    /// The Ingress or HTTPRoutes, when the spec routes HTTP endpoints.
    fn http(&self) -> Vec<Object> {
        let Some(http) = &self.cluster.http else { return vec![] };
        let release = self.cluster.release.as_str();
        match http.kind {
            HttpKind::Ingress => {
                vec![Object::Ingress(super::http::ingress(http, self.meta(release.to_owned(), None).build()))]
            }
            HttpKind::HttpRoute => super::http::http_routes(http, release, |name| self.meta(name, None).build())
                .into_iter()
                .map(Object::HttpRoute)
                .collect(),
        }
    }

    /// The shared warehouse claim, when the release creates it.
    fn warehouse_claim(&self) -> Option<Object> {
        let claim = self.cluster.storage.as_ref()?.created_claim.as_ref()?;
        let meta = self.meta(self.cluster.warehouse_claim_name(), None).build();
        Some(Object::PersistentVolumeClaim(storage::warehouse_claim(meta, claim)))
    }

    /// Default-deny ingress, and egress under the lockdown.
    fn default_deny(&self, egress: bool) -> Vec<Object> {
        let cluster = self.cluster;
        let mut objects = vec![Object::NetworkPolicy(
            NetworkPolicyBuilder::ingress(
                self.meta(cluster.default_deny_name(), None).build(),
                self.labels.selector(None),
            )
            .build(),
        )];
        if egress {
            let meta = self.meta(cluster.default_deny_egress_name(), None).build();
            objects.push(Object::NetworkPolicy(NetworkPolicyBuilder::egress(meta, self.labels.selector(None)).build()));
        }
        objects
    }

    /// A role's own configuration: llama-site.xml for Llama; for the
    /// metastore the release's files with its settings in hive-site.xml.
    fn role_config(&self, role: &ClusterRole<'_>, settings: &BTreeMap<String, String>) -> Option<ConfigMap> {
        let name = role.name();
        let config = ConfigMapBuilder::new(self.meta(self.cluster.role_config_name(name), Some(name.as_str())).build());
        match role.role.config {
            ConfigStyle::Gflags => None,
            ConfigStyle::LlamaSite => Some(config.add_file("llama-site.xml", hadoop_xml(settings)).build()),
            ConfigStyle::HiveSite => Some(
                storage::hadoop_files(self.cluster, Some(settings))
                    .into_iter()
                    .fold(config, |config, (file, content)| config.add_file(file, content))
                    .build(),
            ),
        }
    }

    /// Internal ports on a cluster-local Service (headless for scalable
    /// roles), external ones on a Service of the chosen type.
    fn services(&self, role: &ClusterRole<'_>) -> Vec<Object> {
        let (cluster, name) = (self.cluster, role.name());
        let component = Some(name.as_str());
        let selector = self.labels.selector(component);
        let mut objects = Vec::new();
        let internal: Vec<_> = role.ports_with(Access::Internal).collect();
        if !role.is_singleton() || !internal.is_empty() {
            let meta = self.meta(cluster.internal_service_name(name), component).build();
            let mut service = ServiceBuilder::new(meta, ServiceType::ClusterIP, selector.clone());
            if !role.is_singleton() {
                service = service.headless();
            }
            for port in &internal {
                service = service.add_port(port.name(), port.number, port.entry.protocol, None);
            }
            objects.push(Object::Service(service.build()));
        }
        let external: Vec<_> = role.ports_with(Access::External).collect();
        if !external.is_empty() {
            let s = &role.service;
            let mut meta = self.meta(cluster.external_service_name(name), component).with_labels(s.labels.clone());
            for (key, value) in &s.annotations {
                meta = meta.with_annotation(key, value);
            }
            let mut service = ServiceBuilder::new(meta.build(), s.type_, selector)
                .load_balancer_source_ranges(&s.load_balancer_source_ranges)
                .load_balancer_class(s.load_balancer_class.as_deref())
                .external_traffic_policy(s.external_traffic_policy)
                .client_ip_affinity(s.client_ip_affinity_seconds);
            for port in &external {
                service = service.add_port(port.name(), port.number, port.entry.protocol, port.node_port);
            }
            objects.push(Object::Service(service.build()));
        }
        objects
    }

    /// Ingress: each port from its peers' pods, and from its audience's sources.
    fn ingress_policy(&self, role: &ClusterRole<'_>, np: &ClusterNetworkPolicy) -> Object {
        let name = role.name();
        let meta = self.meta(self.cluster.policy_name(name), Some(name.as_str())).build();
        let mut policy = NetworkPolicyBuilder::ingress(meta, self.labels.selector(Some(name.as_str())));
        for port in &role.ports {
            if !port.peers.is_empty() {
                let peers = port.peers.iter().map(|peer| pods(self.labels.selector(Some(peer.as_str())))).collect();
                policy = policy.allow_from(port.number, port.entry.protocol, Some(peers));
            }
            if let Some(metrics) = self.cluster.metrics.as_ref().filter(|m| m.flags.port == port.entry.name) {
                policy = policy.allow_from(port.number, port.entry.protocol, Some(metrics.sources.clone()));
            }
            if let Some(http) = self.cluster.http.as_ref().filter(|h| h.routes_to(name, port.name())) {
                policy = policy.allow_from(port.number, port.entry.protocol, Some(http.sources.clone()));
            }
            let sources = match port.audience {
                None => continue,
                Some(Audience::Clients) => &np.client_sources,
                Some(Audience::Administrators) => &np.web_ui_sources,
            };
            policy = policy.allow_from(port.number, port.entry.protocol, sources.clone());
        }
        Object::NetworkPolicy(policy.build())
    }

    /// Egress lockdown: DNS, the ports of the peers it connects to, the
    /// metastore and storage where the role reaches them.
    fn egress_policy(&self, role: &ClusterRole<'_>, lockdown: &Egress) -> Object {
        let name = role.name();
        let meta = self.meta(self.cluster.egress_policy_name(name), Some(name.as_str())).build();
        let mut egress = NetworkPolicyBuilder::egress(meta, self.labels.selector(Some(name.as_str()))).allow_dns();
        for target in &self.cluster.roles {
            let ports: Vec<_> =
                target.ports.iter().filter(|p| p.peers.contains(&name)).map(|p| (p.number, p.entry.protocol)).collect();
            if !ports.is_empty() {
                egress = egress.allow_to(Some(vec![pods(self.labels.selector(Some(target.name().as_str())))]), &ports);
            }
        }
        for &destination in &role.role.reaches {
            for rule in lockdown.rules(destination) {
                let ports: Vec<_> = rule.ports.iter().map(|&p| (p, Protocol::Tcp)).collect();
                egress = egress.allow_to(Some(vec![cidr(&rule.cidr)]), &ports);
            }
        }
        Object::NetworkPolicy(egress.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;
    use crate::spec::crd::ImpalaClusterSpec;
    use crate::spec::ClusterSpec;

    fn with(spec: ImpalaClusterSpec) -> ClusterSpec {
        ClusterSpec { spec, ..Default::default() }
    }

    fn admissiond() -> ClusterSpec {
        let mut s = ClusterSpec::default();
        s.spec.roles.entry("admissiond".into()).or_default().enabled = Some(true);
        s
    }

    #[test]
    fn coordinator_settings() {
        let spec = admissiond();
        let cluster = spec.resolve().unwrap();
        let s = daemon_settings(&cluster, cluster.role("coordinator").unwrap());
        assert_eq!(s["hs2_port"], "21050");
        assert_eq!(s["state_store_host"], "impala-statestored-internal");
        assert_eq!(s["state_store_port"], "24000");
        assert_eq!(s["catalog_service_host"], "impala-catalogd-internal");
        assert_eq!(s["admission_service_host"], "impala-admissiond-internal");
        assert_eq!(s["admission_service_port"], "29500");
        // Executors connect to neither catalogd nor admissiond.
        let s = daemon_settings(&cluster, cluster.role("executor").unwrap());
        assert!(!s.contains_key("catalog_service_host") && !s.contains_key("admission_service_host"));
    }

    #[test]
    fn overridden_ports_reach_the_peers() {
        let mut spec = ClusterSpec::default();
        spec.spec.roles.entry("statestored".into()).or_default().ports.insert("statestore".into(), 24555);
        let cluster = spec.resolve().unwrap();
        assert_eq!(daemon_settings(&cluster, cluster.role("statestored").unwrap())["state_store_port"], "24555");
        assert_eq!(daemon_settings(&cluster, cluster.role("catalogd").unwrap())["state_store_port"], "24555");
    }

    #[test]
    fn llama_reads_llama_site() {
        let spec = with(ImpalaClusterSpec {
            profile: Some(Profile::Cdh5),
            cdh_release: Some("5.4".into()),
            yarn_resource_manager: Some("rm.hadoop".into()),
            ..Default::default()
        });
        let cluster = spec.resolve().unwrap();
        let s = daemon_settings(&cluster, cluster.role("llama").unwrap());
        assert_eq!(s["yarn.resourcemanager.hostname"], "rm.hadoop");
        assert_eq!(s["llama.am.server.thrift.address"], "0.0.0.0:15000");
        assert_eq!(s["llama.am.server.thrift.admin.address"], "0.0.0.0:15002");
        let objects = build(&cluster).unwrap();
        let Some(Object::ConfigMap(cm)) = objects.iter().find(|o| o.name() == "impala-llama-config") else {
            panic!("no llama-site ConfigMap")
        };
        assert!(cm.data.as_ref().unwrap()["llama-site.xml"].contains("<value>0.0.0.0:15001</value>"));
        let impalad = daemon_settings(&cluster, cluster.role("impalad").unwrap());
        assert_eq!(impalad["llama_host"], "impala-llama-internal");
        assert_eq!(impalad["llama_port"], "15000");
        assert_eq!(impalad["enable_rm"], "true", "up to CDH 5.10");
        assert!(!impalad.contains_key("krpc_port"), "KRPC from CDH 5.15");
    }

    #[test]
    fn checksum_follows_configuration() {
        let annotation = |spec: ClusterSpec| {
            build(&spec.resolve().unwrap()).unwrap().iter().find_map(|o| match o {
                Object::StatefulSet(s) => {
                    s.spec.as_ref()?.template.metadata.as_ref()?.annotations.as_ref()?.get(CHECKSUM_ANNOTATION).cloned()
                }
                _ => None,
            })
        };
        let other = with(ImpalaClusterSpec { metastore_uri: Some("thrift://other:9083".into()), ..Default::default() });
        assert_ne!(annotation(ClusterSpec::default()), annotation(other));
    }

    #[test]
    fn a_pool_change_rolls_no_pod() {
        let statefulsets = |running: i64| {
            let mut spec = admissiond();
            spec.spec.admission.pools = vec![crate::spec::admission::PoolSpec {
                name: "etl".into(),
                max_running_queries: Some(running),
                ..Default::default()
            }];
            let objects = build(&spec.resolve().unwrap()).unwrap();
            let files: Vec<_> = objects.iter().filter(|o| o.name() == "impala-admission").cloned().collect();
            let sts: Vec<_> = objects.into_iter().filter(|o| o.kind() == "StatefulSet").collect();
            (sts, files)
        };
        let (before, old_files) = statefulsets(4);
        let (after, new_files) = statefulsets(8);
        assert_ne!(old_files, new_files, "the files change");
        assert_eq!(before, after, "no pod template changes, so no pod restarts");
    }

    #[test]
    fn no_network_policies_when_off() {
        let mut spec = ClusterSpec::default();
        spec.spec.network_policy.enabled = Some(false);
        assert!(!build(&spec.resolve().unwrap()).unwrap().iter().any(|o| o.kind() == "NetworkPolicy"));
    }
}
