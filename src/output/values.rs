//! `impala-k8s values`: values.yaml for `charts/impala`, from the registry and
//! a spec, with a comment on every key; and its values.schema.json.
//!
//! The registry itself travels in the values, so the chart's templates iterate
//! over it instead of hard-coding ports.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, Toleration};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::commented::{changes_to_commented_yaml, to_commented_yaml};
use crate::names::PortNumber;
use crate::registry::{Access, Registry};
use crate::spec::admission::AdmissionSpec;
use crate::spec::crd::LogDestination;
use crate::spec::crd::{AuthSpec, EgressEndpoint, PersistenceSpec, PullPolicy, StorageSpec, TlsSpec};
use crate::spec::{Cluster, ClusterSpec, ServiceType, SpecError};
use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, PodSecurityContext, SecurityContext, Volume, VolumeMount,
};

/// Values of `charts/impala`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Values of charts/impala")]
pub struct Values {
    /// Emit the Namespace object with the restricted Pod Security Standard enforced (helm install --create-namespace does not enforce it).
    pub create_namespace: bool,
    /// The images of the roles: `<repository>:<tag>-<role image>`, or `<repository>@<digest>` where a role pins one.
    pub image: ImageValues,
    /// The default type of the roles' external Services: ClusterIP, NodePort or LoadBalancer.
    pub service_type: ServiceType,
    /// The Hive Metastore URI(s), thrift://HOST:PORT[,...], written to hive-site.xml; left at its default when the built-in metastore runs.
    pub metastore_uri: String,
    /// Extra hive-site.xml properties.
    pub hive_site: BTreeMap<String, String>,
    /// Extra core-site.xml properties.
    pub core_site: BTreeMap<String, String>,
    /// NetworkPolicies: a default deny, then each port open to its peers and its audience.
    pub network_policy: NetworkPolicyValues,
    /// Where the daemons log.
    pub logging: LoggingValues,
    /// TLS: clients, internal, webUi, the certificate from secretName or certManager (issuerRef, dnsNames, duration, renewBefore), ca, minimumVersion, cipherList, ciphersuites; empty for none.
    pub tls: TlsSpec,
    /// Authentication of clients: ldap (uri, startTls, caCertificate, baseDn, domain or bindPattern, or searchBind with userSearchBaseDn and groupSearchBaseDn, bindDn, bindPasswordSecret, userFilter, groupFilter, allowClearTextPasswords); empty for none.
    pub auth: AuthSpec,
    /// The host of the YARN ResourceManager the Llama ApplicationMaster registers with (yarn.resourcemanager.hostname); empty without Llama.
    pub yarn_resource_manager: String,
    /// Where tables live: exactly one of s3, abfs, gcs, hdfs, ozone or sharedVolume, with warehouseDir and credentials (secretName or workloadIdentity); empty for none.
    pub storage: StorageSpec,
    /// Admission control pools: limits, default query options and submitters, which the daemons reload without a restart.
    #[serde(default)]
    pub admission: AdmissionSpec,
    /// Executor groups: name (`<pool>-<suffix>` or `default`), replicas, minSize, resources, nodeSelector, tolerations, affinity; each its own StatefulSet in place of the one executor StatefulSet; empty for that one.
    #[serde(default)]
    pub executor_groups: Vec<crate::spec::crd::ExecutorGroupSpec>,
    /// Prometheus: enabled turns the metrics port on every daemon on; monitor (PodMonitor, ServiceMonitor or None), labels, interval (30s), scrapeTimeout (10s), sources (who reaches the port; the prometheus pods of the namespace monitoring by default), dashboard (enabled, labels: grafana_dashboard "1" by default, annotations).
    #[serde(default)]
    pub metrics: crate::spec::metrics::MetricsSpec,
    /// HTTP endpoints through an Ingress or Gateway API HTTPRoutes: enabled, kind (Ingress or HTTPRoute), ingressClassName, tlsSecretName, parentRefs, annotations, affinity (Cookie or None), sources (the controller's pods; required), endpoints (role, port, host, path; HiveServer2 over HTTP by default).
    #[serde(default)]
    pub http: crate::spec::http::HttpSpec,
    /// `helm test`: a hook Pod that runs a query through the coordinators' primary client port with impala-shell (connects only, where clients must authenticate).
    #[serde(default)]
    pub tests: TestValues,
    /// The ServiceAccount the pods run as.
    pub service_account: ServiceAccountValues,
    /// Settings by role; a key must be a role of the registry (null drops a role of the chart's default registry).
    pub roles: BTreeMap<String, Option<RoleValues>>,
    /// Values Helm passes to every chart of an umbrella chart; this chart reads none of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub global: BTreeMap<String, serde_json::Value>,
    /// The port registry (from impala-k8s): roles, their ports, the flags that set them and who connects to whom. Edit it only to describe another Impala build.
    pub registry: Registry,
}

/// The chart's `helm test` hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestValues {
    /// Render the test Pod (and the NetworkPolicies that let it reach the coordinators alone).
    pub enabled: bool,
    /// An image with impala-shell; empty for `<image.repository>:<image.tag>-<registry.image.client>` (no test where the registry names no client image).
    pub image: String,
}

impl Default for TestValues {
    fn default() -> Self {
        TestValues { enabled: true, image: String::new() }
    }
}

/// The ServiceAccount the pods run as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccountValues {
    /// Create it; false runs the pods as an existing one.
    pub create: bool,
    /// Its name; empty for the release's name (created) or default (existing).
    pub name: String,
    /// Annotations of a created one, such as eks.amazonaws.com/role-arn for workload identity.
    pub annotations: BTreeMap<String, String>,
}

/// Where the daemons log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoggingValues {
    /// stderr (for kubectl logs and log shippers) or files (rotated, in each pod's log directory).
    pub destination: LogDestination,
    /// With files: how many files each severity keeps, 2 to 100; each file takes its share of half the log directory.
    #[schemars(range(min = 2, max = 100))]
    pub max_files: u32,
}

/// The images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageValues {
    /// The image repository.
    pub repository: String,
    /// The tag prefix; each role appends `-<its image>`. Also the app.kubernetes.io/version label.
    pub tag: String,
    /// Always, IfNotPresent or Never.
    pub pull_policy: PullPolicy,
    /// Names of Secrets with registry credentials.
    pub pull_secrets: Vec<String>,
}

/// NetworkPolicy settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicyValues {
    /// Render NetworkPolicies.
    pub enabled: bool,
    /// Who may reach the client ports (NetworkPolicy peers); everyone when empty.
    pub client_sources: Vec<NetworkPolicyPeer>,
    /// Who may reach the web UIs (NetworkPolicy peers); everyone when empty.
    pub web_ui_sources: Vec<NetworkPolicyPeer>,
    /// The egress lockdown: DNS, the Impala peers, the metastore and storage, nothing else.
    pub egress: EgressValues,
}

/// The egress lockdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EgressValues {
    /// Lock egress down.
    pub enabled: bool,
    /// The metastore's CIDRs and ports (required with the lockdown).
    pub metastore: Vec<EgressEndpoint>,
    /// Table storage CIDRs and ports (every port when a list is empty).
    pub storage: Vec<EgressEndpoint>,
    /// The YARN ResourceManager's and NodeManagers' CIDRs and ports, for the Llama ApplicationMaster (cdh5 up to CDH 5.10).
    pub yarn: Vec<EgressEndpoint>,
}

/// One role's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleValues {
    /// Run the role (only optional roles may be off).
    pub enabled: bool,
    /// The pod count (singletons: exactly 1).
    pub replica_count: u32,
    /// A pinned image digest (sha256:...); empty for the tag.
    pub digest: String,
    /// Resource requests and limits.
    pub resources: ResourceRequirements,
    /// Node labels the pods must run on.
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod affinity.
    pub affinity: Affinity,
    /// Annotations of the pods.
    pub pod_annotations: BTreeMap<String, String>,
    /// Extra labels of the pods.
    pub pod_labels: BTreeMap<String, String>,
    /// Extra daemon flags (name: value); flags the registry manages are refused.
    pub extra_flags: BTreeMap<String, String>,
    /// Port numbers by port name: each moves its flag, containerPort, Service port, probe and NetworkPolicy rule.
    pub container_ports: BTreeMap<String, PortNumber>,
    /// Access overrides by port name: internal keeps a port off the external Service; external exposes a peer port, or a web UI on a NodePort or LoadBalancer Service (which otherwise keeps web UIs cluster-local).
    pub access: BTreeMap<String, Access>,
    /// The role's external Service.
    pub service: ServiceValues,
    /// Graceful shutdown, for roles that drain (impalads); absent for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain: Option<DrainValues>,
    /// The verbosity of the daemon's debug logging (-v), 0 to 3.
    #[serde(default)]
    #[schemars(range(max = 3))]
    pub log_verbosity: u32,
    /// The JVM heap of a daemon that starts one: a size like 6g or 512m, or a percentage of the memory limit like 50%; empty for the registry's percentage.
    #[serde(default)]
    pub jvm_heap: String,
    /// Environment variables of the daemon's container; credentials from Secrets (valueFrom.secretKeyRef).
    #[serde(default)]
    pub env: Vec<EnvVar>,
    /// Environment variables from whole ConfigMaps or Secrets.
    #[serde(default)]
    pub env_from: Vec<EnvFromSource>,
    /// Volumes of the pod, of the kinds the restricted Pod Security Standard allows.
    #[serde(default)]
    pub extra_volumes: Vec<Volume>,
    /// Where the daemon's container mounts volumes.
    #[serde(default)]
    pub extra_volume_mounts: Vec<VolumeMount>,
    /// Containers that run before the daemon, with its restricted security context.
    #[serde(default)]
    pub init_containers: Vec<Container>,
    /// Containers beside the daemon, with its restricted security context.
    #[serde(default)]
    pub sidecars: Vec<Container>,
    /// The PriorityClass of the role's pods; empty for none.
    #[serde(default)]
    pub priority_class_name: String,
    /// Overrides of the pods' security context: runAsUser (not 0), runAsGroup, fsGroup, fsGroupChangePolicy, supplementalGroups.
    #[serde(default)]
    pub pod_security_context: PodSecurityContext,
    /// Overrides of the daemon container's security context: runAsUser (not 0), runAsGroup.
    #[serde(default)]
    pub security_context: SecurityContext,
    /// The claims of a role that keeps data (the built-in metastore): size and storageClassName; empty for the registry's size and the default class.
    #[serde(default, skip_serializing_if = "PersistenceSpec::is_empty")]
    pub persistence: PersistenceSpec,
    /// An active and a standby pod, for the roles the registry pairs (statestored, catalogd).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<HaValues>,
}

/// An active and a standby pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HaValues {
    /// Run the pair (2 pods; replicaCount is then 2).
    pub enabled: bool,
    /// Milliseconds to wait for the peer at start-up before one takes the active role.
    pub preemption_wait_period_ms: u64,
    /// statestored only: seconds the peer may be silent before it counts as lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_timeout_seconds: Option<u32>,
}

/// The pair settings of a role the registry pairs: the cluster's, or off with Impala's defaults.
fn ha_values(cluster: &Cluster<'_>, role: &str) -> Option<HaValues> {
    use crate::spec::ha::{DEFAULT_PEER_TIMEOUT_SECONDS, DEFAULT_PREEMPTION_WAIT_MS};
    let registry = cluster.registry;
    if registry.statestored_ha.as_ref().is_some_and(|h| h.role.as_str() == role) {
        let pair = cluster.ha.statestored.as_ref();
        return Some(HaValues {
            enabled: pair.is_some(),
            preemption_wait_period_ms: pair.map_or(DEFAULT_PREEMPTION_WAIT_MS, |p| p.preemption_wait_ms),
            peer_timeout_seconds: Some(pair.map_or(DEFAULT_PEER_TIMEOUT_SECONDS, |p| p.peer_timeout_seconds)),
        });
    }
    registry.catalogd_ha.as_ref().filter(|h| h.role.as_str() == role)?;
    let pair = cluster.ha.catalogd.as_ref();
    Some(HaValues {
        enabled: pair.is_some(),
        preemption_wait_period_ms: pair.map_or(DEFAULT_PREEMPTION_WAIT_MS, |p| p.preemption_wait_ms),
        peer_timeout_seconds: None,
    })
}

/// How long a draining daemon may take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DrainValues {
    /// Seconds the daemon keeps running after the drain starts, so that coordinators stop scheduling work on it.
    pub grace_period_seconds: u32,
    /// Seconds after which the daemon exits whatever still runs; the pod's terminationGracePeriodSeconds is this plus 30.
    pub deadline_seconds: u32,
}

/// The type of a role's external Service; empty for the top-level serviceType.
/// (Helm drops `null` values when it merges, so "unset" is the empty string.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum RoleServiceType {
    /// The top-level serviceType.
    #[default]
    #[serde(rename = "")]
    Default,
    /// ClusterIP.
    ClusterIP,
    /// NodePort.
    NodePort,
    /// LoadBalancer.
    LoadBalancer,
}

impl From<Option<ServiceType>> for RoleServiceType {
    fn from(value: Option<ServiceType>) -> Self {
        match value {
            None => RoleServiceType::Default,
            Some(ServiceType::ClusterIP) => RoleServiceType::ClusterIP,
            Some(ServiceType::NodePort) => RoleServiceType::NodePort,
            Some(ServiceType::LoadBalancer) => RoleServiceType::LoadBalancer,
        }
    }
}

/// A role's external Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceValues {
    /// ClusterIP, NodePort or LoadBalancer; empty for the top-level serviceType.
    #[serde(rename = "type")]
    pub type_: RoleServiceType,
    /// Annotations of the Service.
    pub annotations: BTreeMap<String, String>,
    /// Extra labels of the Service.
    pub labels: BTreeMap<String, String>,
    /// Client CIDRs a LoadBalancer admits.
    pub load_balancer_source_ranges: Vec<String>,
    /// The load balancer implementation (LoadBalancer only); empty for the cluster's default.
    pub load_balancer_class: String,
    /// Cluster or Local (NodePort and LoadBalancer only); empty for the default.
    pub external_traffic_policy: String,
    /// Pinned node ports by port name (30000-32767).
    pub node_ports: BTreeMap<String, i32>,
    /// Seconds a client address stays bound to one pod, for a scalable role whose Service carries a port whose sessions span connections (HiveServer2 over HTTP): 1 to 86400; 0 turns the affinity off; unset for 10800.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_timeout_seconds: Option<u32>,
}

/// The values that render the same objects as `gen` does for `spec`.
pub fn values(spec: &ClusterSpec) -> Result<Values, SpecError> {
    let cluster: Cluster<'_> = spec.resolve()?;
    let registry = cluster.registry;
    let s = &spec.spec;
    let mut roles: BTreeMap<String, Option<RoleValues>> = registry
        .roles
        .iter()
        .map(|role| {
            let values = match cluster.role(role.name.as_str()) {
                Some(running) => running_role_values(spec, running),
                None => idle_role_values(registry, role),
            };
            let values = RoleValues { ha: ha_values(&cluster, role.name.as_str()), ..values };
            (role.name.to_string(), Some(values))
        })
        .collect();
    // Helm merges these values over the chart's defaults (the default profile):
    // a null drops each default role this registry does not have.
    for role in &crate::registry::Profile::default().registry().roles {
        roles.entry(role.name.to_string()).or_insert(None);
    }
    let built_in_metastore =
        cluster.roles.iter().any(|r| r.role.provides == Some(crate::registry::Destination::Metastore));
    Ok(Values {
        global: BTreeMap::new(),
        // Helm creates the namespace (helm install --create-namespace): a Namespace
        // object of the chart's own would collide with it.
        create_namespace: false,
        image: ImageValues {
            repository: s.image.repository.clone().unwrap_or_else(|| registry.image.repository.clone()),
            tag: cluster.version.clone(),
            pull_policy: s.image.pull_policy.unwrap_or(PullPolicy::IfNotPresent),
            pull_secrets: cluster.pull_secrets.clone(),
        },
        service_type: s.service_type.unwrap_or_default(),
        metastore_uri: if built_in_metastore {
            crate::spec::DEFAULT_METASTORE_URI.to_owned()
        } else {
            cluster.metastore_uri.clone()
        },
        storage: s.storage.clone(),
        admission: s.admission.clone(),
        executor_groups: s.executor_groups.clone(),
        metrics: s.metrics.clone(),
        http: s.http.clone(),
        tests: TestValues::default(),
        tls: s.tls.clone(),
        auth: s.auth.clone(),
        yarn_resource_manager: cluster.yarn_resource_manager.clone().unwrap_or_default(),
        hive_site: cluster.hive_site.clone(),
        core_site: cluster.core_site.clone(),
        network_policy: network_policy_values(cluster.network_policy.as_ref()),
        service_account: ServiceAccountValues {
            create: cluster.service_account.create,
            name: s.service_account.name.clone().unwrap_or_default(),
            annotations: cluster.service_account.annotations.clone(),
        },
        logging: LoggingValues {
            destination: s.logging.destination.unwrap_or_default(),
            max_files: s.logging.max_files.unwrap_or(crate::spec::DEFAULT_LOG_FILES),
        },
        roles,
        registry: registry.clone(),
    })
}

/// The values as JSON, with `null` (or `[]`) for each registry setting of
/// the chart's default registry that this registry lacks (`tls`,
/// `fileFlags`, `image.client`, ...), so that Helm's merge drops it rather
/// than keep the default's.
pub fn to_json(values: &Values) -> Value {
    let mut value = serde_json::to_value(values).expect("values serialize");
    let default = serde_json::to_value(crate::registry::Profile::default().registry()).expect("a registry serializes");
    if let Some(registry) = value.get_mut("registry") {
        null_what_default_adds(registry, default);
    }
    value
}

/// What `value` changes in `default`, as Helm merges values over a chart's
/// own: maps key by key (a key the default lacks, or whose value differs),
/// anything else whole; `None` when nothing differs.
pub fn changes(value: &Value, default: &Value) -> Option<Value> {
    match (value, default) {
        (Value::Object(map), Value::Object(default)) => {
            let changed: serde_json::Map<String, Value> = map
                .iter()
                .filter_map(|(k, v)| match default.get(k) {
                    Some(d) => changes(v, d).map(|c| (k.clone(), c)),
                    None => Some((k.clone(), v.clone())),
                })
                .collect();
            (!changed.is_empty()).then_some(Value::Object(changed))
        }
        _ => (value != default).then(|| value.clone()),
    }
}

/// Helm merges maps key by key, replaces lists whole and drops a key set to
/// null: each key of `default` that `value` lacks becomes null (a list `[]`),
/// in nested maps too.
fn null_what_default_adds(value: &mut Value, default: Value) {
    let (Value::Object(map), Value::Object(default)) = (value, default) else { return };
    for (key, default) in default {
        match map.get_mut(&key) {
            Some(own) => null_what_default_adds(own, default),
            None => drop(map.insert(key, if default.is_array() { Value::Array(Vec::new()) } else { Value::Null })),
        }
    }
}

/// A running role's values: its resolved settings.
fn running_role_values(spec: &ClusterSpec, r: &crate::spec::ClusterRole<'_>) -> RoleValues {
    let name = r.name().as_str();
    let service_type = spec.spec.roles.get(name).and_then(|rs| rs.service.type_);
    RoleValues {
        enabled: true,
        replica_count: u32::try_from(r.replicas).unwrap_or_default(),
        digest: spec.spec.image.digests.get(name).cloned().unwrap_or_default(),
        resources: r.resources.clone(),
        node_selector: r.node_selector.clone(),
        tolerations: r.tolerations.clone(),
        affinity: r.affinity.clone().unwrap_or_default(),
        pod_annotations: r.pod_annotations.clone(),
        pod_labels: r.pod_labels.clone(),
        extra_flags: r.extra_flags.clone(),
        // A port that exists only on a condition (the metrics webserver, the
        // HA port) is written only where the spec moves it: the chart takes
        // the registry's number otherwise, so no stale number is pinned.
        container_ports: r
            .ports
            .iter()
            .filter(|p| p.entry.when.is_none() || p.number != p.entry.number)
            .map(|p| (p.name().to_string(), p.number))
            .collect(),
        access: spec.spec.roles.get(name).map(|rs| rs.access.clone()).unwrap_or_default(),
        service: ServiceValues {
            type_: service_type.into(),
            annotations: r.service.annotations.clone(),
            labels: r.service.labels.clone(),
            load_balancer_source_ranges: r.service.load_balancer_source_ranges.clone(),
            load_balancer_class: r.service.load_balancer_class.clone().unwrap_or_default(),
            external_traffic_policy: r
                .service
                .external_traffic_policy
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            node_ports: r.ports.iter().filter_map(|p| Some((p.name().to_string(), p.node_port?))).collect(),
            session_affinity_timeout_seconds: spec
                .spec
                .roles
                .get(name)
                .and_then(|rs| rs.service.session_affinity_timeout_seconds),
        },
        drain: r.drain.as_ref().map(|d| DrainValues {
            grace_period_seconds: d.grace_period_seconds,
            deadline_seconds: d.deadline_seconds,
        }),
        log_verbosity: r.logging.as_ref().map_or(0, |l| l.verbosity),
        jvm_heap: spec.spec.roles.get(name).and_then(|rs| rs.jvm_heap.clone()).unwrap_or_default(),
        env: r.wiring.env.clone(),
        env_from: r.wiring.env_from.clone(),
        extra_volumes: r.wiring.volumes.clone(),
        extra_volume_mounts: r.wiring.volume_mounts.clone(),
        init_containers: r.wiring.init_containers.clone(),
        sidecars: r.wiring.sidecars.clone(),
        priority_class_name: r.wiring.priority_class_name.clone().unwrap_or_default(),
        pod_security_context: spec
            .spec
            .roles
            .get(name)
            .and_then(|rs| rs.pod_security_context.clone())
            .unwrap_or_default(),
        security_context: spec.spec.roles.get(name).and_then(|rs| rs.security_context.clone()).unwrap_or_default(),
        persistence: spec.spec.roles.get(name).and_then(|rs| rs.persistence.clone()).unwrap_or_default(),
        ha: None,
    }
}

/// The values of a role that does not run: the registry's defaults.
fn idle_role_values(registry: &Registry, role: &crate::registry::Role) -> RoleValues {
    // The ports that always exist: one with a condition gets its number from the registry then.
    let ports: Vec<_> = registry.ports_of(&role.name).filter(|p| p.when.is_none()).collect();
    RoleValues {
        enabled: false,
        replica_count: role.replicas.default,
        digest: String::new(),
        resources: crate::spec::default_resources(role),
        node_selector: BTreeMap::new(),
        tolerations: Vec::new(),
        affinity: Affinity::default(),
        pod_annotations: BTreeMap::new(),
        pod_labels: BTreeMap::new(),
        extra_flags: BTreeMap::new(),
        container_ports: ports.iter().map(|p| (p.name.to_string(), p.number)).collect(),
        access: BTreeMap::new(),
        service: ServiceValues {
            type_: RoleServiceType::Default,
            annotations: BTreeMap::new(),
            labels: BTreeMap::new(),
            load_balancer_source_ranges: Vec::new(),
            load_balancer_class: String::new(),
            external_traffic_policy: String::new(),
            node_ports: BTreeMap::new(),
            session_affinity_timeout_seconds: None,
        },
        drain: role.drain.as_ref().map(|d| DrainValues {
            grace_period_seconds: d.grace_period_seconds,
            deadline_seconds: d.deadline_seconds,
        }),
        log_verbosity: 0,
        jvm_heap: String::new(),
        env: Vec::new(),
        env_from: Vec::new(),
        extra_volumes: Vec::new(),
        extra_volume_mounts: Vec::new(),
        init_containers: Vec::new(),
        sidecars: Vec::new(),
        priority_class_name: String::new(),
        pod_security_context: PodSecurityContext::default(),
        security_context: SecurityContext::default(),
        persistence: PersistenceSpec::default(),
        ha: None,
    }
}

/// The NetworkPolicy values; the egress endpoints as resolved (ports sorted,
/// the metastore's defaulting to the URI's).
fn network_policy_values(np: Option<&crate::spec::ClusterNetworkPolicy>) -> NetworkPolicyValues {
    let endpoints = |rules: &[crate::spec::EgressRule]| {
        rules
            .iter()
            .map(|r| EgressEndpoint {
                cidr: r.cidr.clone(),
                ports: r.ports.iter().map(|p| i64::from(p.get())).collect(),
            })
            .collect()
    };
    let egress = match np.and_then(|n| n.egress.as_ref()) {
        Some(crate::spec::Egress { metastore, storage, yarn }) => EgressValues {
            enabled: true,
            metastore: endpoints(metastore),
            storage: endpoints(storage),
            yarn: endpoints(yarn),
        },
        None => EgressValues { enabled: false, metastore: Vec::new(), storage: Vec::new(), yarn: Vec::new() },
    };
    NetworkPolicyValues {
        enabled: np.is_some(),
        client_sources: np.and_then(|n| n.client_sources.clone()).unwrap_or_default(),
        web_ui_sources: np.and_then(|n| n.web_ui_sources.clone()).unwrap_or_default(),
        egress,
    }
}

/// values.schema.json: strict about unknown keys.
pub fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Values)).expect("a JSON Schema serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    #[test]
    fn commented_yaml_reads_back_as_the_values() {
        for profile in Profile::ALL {
            let mut spec = ClusterSpec::default();
            spec.spec.profile = Some(profile);
            let values = values(&spec).unwrap();
            let yaml = to_commented_yaml(&values);
            let back: Values = serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{profile}: {e}\n{yaml}"));
            assert_eq!(back, values, "{profile}");
            assert!(yaml.contains("# The pod count (singletons: exactly 1).\n    replicaCount: 1"), "{yaml}");
        }
    }

    #[test]
    fn every_key_has_a_comment() {
        let yaml = to_commented_yaml(&values(&ClusterSpec::default()).unwrap());
        let lines: Vec<&str> = yaml.lines().collect();
        for (i, line) in lines.iter().enumerate().skip(1) {
            let t = line.trim_start();
            // A map key outside a list (list items after the first share the first's comments).
            if t.starts_with('#') || t.starts_with("- ") || !t.contains(':') {
                continue;
            }
            let indent = line.len() - t.len();
            let prev = lines[i - 1];
            let commented = prev.trim_start().starts_with('#') && prev.len() - prev.trim_start().len() == indent;
            // A key inside a list is commented where it first appears in that list.
            let mut in_list = false;
            let mut level = indent;
            for l in lines[..i].iter().rev().filter(|l| !l.trim_start().starts_with('#')) {
                let l_indent = l.len() - l.trim_start().len();
                if l_indent < level {
                    in_list |= l.trim_start().starts_with("- ");
                    level = l_indent;
                }
            }
            assert!(commented || in_list, "line {}: {line}", i + 1);
        }
    }
}
