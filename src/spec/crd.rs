//! The `ImpalaCluster` custom resource: every knob of the generator in one
//! typed, documented, validated specification.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvFromSource, EnvVar, PodSecurityContext, ResourceRequirements, SecurityContext, Toleration,
    Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::auth::AuthSpec;
pub use super::storage::{
    AbfsStorage, GcsStorage, HdfsStorage, OzoneStorage, S3Storage, SharedVolumeStorage, StorageCredentials,
    StorageSpec, WorkloadIdentity,
};
pub use super::tls::TlsSpec;
use crate::registry::{Access, Profile, Registry};

/// The API group of the ImpalaCluster resource.
pub const GROUP: &str = "impala-k8s.dev";
/// The API version of the ImpalaCluster resource.
pub const VERSION: &str = "v1alpha1";
/// `apiVersion` of an ImpalaCluster document.
pub const API_VERSION: &str = "impala-k8s.dev/v1alpha1";
/// `kind` of an ImpalaCluster document.
pub const KIND: &str = "ImpalaCluster";

/// The desired state of an Apache Impala cluster: `metadata.name` is the
/// release (the prefix of every object name), `metadata.namespace` the namespace.
#[derive(CustomResource, Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "impala-k8s.dev",
    version = "v1alpha1",
    kind = "ImpalaCluster",
    plural = "impalaclusters",
    shortname = "impala",
    namespaced,
    doc = "An Apache Impala cluster, rendered into Kubernetes objects by impala-k8s."
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImpalaClusterSpec {
    /// The built-in port registry (`impala4`, the default, or `cdh5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// A custom port registry for another Impala build; replaces the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Registry>,
    /// Emit the Namespace object with the restricted Pod Security Standard enforced (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// The images of the roles.
    #[serde(default, skip_serializing_if = "ImageSpec::is_empty")]
    pub image: ImageSpec,
    /// The type of every role's external Service, unless the role sets its own (default ClusterIP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<crate::spec::ServiceType>,
    /// The CDH 5 release the cdh5 profile renders, `5.0` to `5.16` (default
    /// `5.16`): Llama runs up to 5.10 (Impala 2.7), KRPC on 27000 from 5.15 (Impala 2.12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdh_release: Option<String>,
    /// The host of the YARN ResourceManager the Llama ApplicationMaster
    /// registers with (CDH 5.10 and older), for `yarn.resourcemanager.hostname` in llama-site.xml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yarn_resource_manager: Option<String>,
    /// The Hive Metastore URI(s), `thrift://HOST:PORT[,...]` (default thrift://hive-metastore:9083).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metastore_uri: Option<String>,
    /// Extra hive-site.xml properties.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hive_site: BTreeMap<String, String>,
    /// Extra core-site.xml properties (file systems, object store endpoints and credentials providers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub core_site: BTreeMap<String, String>,
    /// Settings by role name (`coordinator`, `executor`, `catalogd`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleSpec>,
    /// NetworkPolicies: who may reach the client ports and the web UIs, and the egress lockdown.
    #[serde(default, skip_serializing_if = "NetworkPolicySpec::is_empty")]
    pub network_policy: NetworkPolicySpec,
    /// The release's ServiceAccount: created (default) or an existing one,
    /// with annotations for workload identity.
    #[serde(default, skip_serializing_if = "ServiceAccountSpec::is_empty")]
    pub service_account: ServiceAccountSpec,
    /// Where the daemons log: stderr (the default, for `kubectl logs` and log
    /// shippers) or rotated files in each pod's log directory.
    #[serde(default, skip_serializing_if = "LoggingSpec::is_empty")]
    pub logging: LoggingSpec,
    /// Where tables live (S3, ABFS, GCS, HDFS, Ozone, or a shared volume),
    /// with fs.defaultFS, the warehouse and the credentials set from it.
    #[serde(default, skip_serializing_if = "StorageSpec::is_empty")]
    pub storage: StorageSpec,
    /// TLS on the client ports, between daemons and on the web UIs, with the
    /// certificate from a Secret or from cert-manager.
    #[serde(default, skip_serializing_if = "TlsSpec::is_empty")]
    pub tls: TlsSpec,
    /// Authentication of clients: LDAP, with the bind password from a Secret.
    #[serde(default, skip_serializing_if = "AuthSpec::is_empty")]
    pub auth: AuthSpec,
    /// Admission control: pools with their limits, default query options
    /// and submitters, which the daemons reload without a restart.
    #[serde(default, skip_serializing_if = "super::admission::AdmissionSpec::is_empty")]
    pub admission: super::admission::AdmissionSpec,
    /// Executor groups, each its own StatefulSet of executors with its own
    /// size and placement, used by the pool its name starts with
    /// (`<pool>-...`), or `default` for every pool without a group; replaces
    /// the one executor StatefulSet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executor_groups: Vec<ExecutorGroupSpec>,
    /// Prometheus: the metrics port on every daemon, a PodMonitor or
    /// ServiceMonitor, who may reach the port, and a Grafana dashboard.
    #[serde(default, skip_serializing_if = "super::metrics::MetricsSpec::is_empty")]
    pub metrics: super::metrics::MetricsSpec,
    /// HiveServer2 over HTTP and the web UIs through an Ingress or Gateway
    /// API HTTPRoutes, admitting the controller to exactly the routed ports.
    #[serde(default, skip_serializing_if = "super::http::HttpSpec::is_empty")]
    pub http: super::http::HttpSpec,
}

/// One executor group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutorGroupSpec {
    /// `<pool>-<suffix>` for a pool of `spec.admission.pools` (Impala's group
    /// `root.<name>`, used by queries of `root.<pool>`), or `default`:
    /// lowercase letters, digits and '-'.
    pub name: String,
    /// The pod count (default 1); an autoscaled group's starting size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Executors the group needs before Impala admits queries to it
    /// (default 1, Impala's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<u32>,
    /// Resource requests and limits, each over roles.executor's of the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Node labels the pods must run on (default: roles.executor's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Taints the pods tolerate (default: roles.executor's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    /// Node and pod affinity (default: roles.executor's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Grow and shrink the group with demand: a HorizontalPodAutoscaler on
    /// CPU or memory, or a KEDA ScaledObject on Impala's own metrics; the
    /// StatefulSet then has no `replicas` for GitOps to fight over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<super::autoscaling::AutoscalingSpec>,
}

/// The ServiceAccount the pods run as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccountSpec {
    /// Create it (default true); false uses an existing one, `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Its name (default: the release's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Annotations of a created ServiceAccount, such as
    /// `eks.amazonaws.com/role-arn` or `iam.gke.io/gcp-service-account`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl ServiceAccountSpec {
    fn is_empty(&self) -> bool {
        self == &ServiceAccountSpec::default()
    }
}

/// Where the daemons log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoggingSpec {
    /// `stderr` (default) or `files`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<LogDestination>,
    /// With `files`: how many files each severity keeps (2 to 100, default 5);
    /// each file's size is set so that the files take at most half of the
    /// log directory's size limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,
}

impl LoggingSpec {
    fn is_empty(&self) -> bool {
        self == &LoggingSpec::default()
    }
}

/// Where the daemons' log lines go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogDestination {
    /// stderr: `kubectl logs` and log shippers see every line.
    #[default]
    Stderr,
    /// Rotated files in the log directory (an emptyDir).
    Files,
}

impl LogDestination {
    /// The destination as the spec spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogDestination::Stderr => "stderr",
            LogDestination::Files => "files",
        }
    }
}

/// When the kubelet pulls an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    /// Pull on every start.
    Always,
    /// Pull when the node lacks the image.
    IfNotPresent,
    /// Never pull.
    Never,
}

impl PullPolicy {
    /// The policy as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

/// The images of the roles: `<repository>:<tag>-<role image>`, or
/// `<repository>@<digest>` where a digest is pinned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageSpec {
    /// The repository (default `apache/impala`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The tag prefix; each role appends `-<its image>` (default `4.5.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The pull policy (default IfNotPresent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
    /// Secrets with registry credentials, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_secrets: Vec<String>,
    /// A pinned digest (`sha256:<64 hex digits>`) by role name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<String, String>,
}

impl ImageSpec {
    fn is_empty(&self) -> bool {
        self == &ImageSpec::default()
    }
}

/// The settings of one role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleSpec {
    /// Run an optional role (`admissiond`); a role the registry requires cannot be disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The pod count; singletons run exactly 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Resource requests and limits; replace the registry's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Node labels the pods must run on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Node and pod affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Annotations of the pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_annotations: BTreeMap<String, String>,
    /// Extra labels of the pods (the app.kubernetes.io labels are the generator's).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<String, String>,
    /// Extra daemon flags (`name: value`, without the leading '-'); flags the
    /// registry manages (ports, peer addresses) are refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_flags: BTreeMap<String, String>,
    /// Port numbers by port name (`hs2: 31050`): moves the flag, containerPort,
    /// Service port, probe and NetworkPolicy rule together.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ports: BTreeMap<String, i64>,
    /// Access overrides by port name: `internal` keeps a port off the external
    /// Service; `external` exposes a peer port (explicitly, never by accident).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub access: BTreeMap<String, Access>,
    /// The role's external Service.
    #[serde(default, skip_serializing_if = "ExternalServiceSpec::is_empty")]
    pub service: ExternalServiceSpec,
    /// Graceful shutdown, for roles that drain (impalads): the pod gets a
    /// preStop hook that starts the drain and a termination grace period that
    /// outlasts the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain: Option<DrainSpec>,
    /// The verbosity of the daemon's debug logging (`-v`), 0 (default) to 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_verbosity: Option<u32>,
    /// The JVM heap of a daemon that starts one: `6g`, `512m` (as `-Xmx`
    /// takes it) or a percentage of the memory limit, `50%` (default: the
    /// registry's, 75% for catalogd, 25% for coordinators, 12% for executors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jvm_heap: Option<String>,
    /// Environment variables of the daemon's container; a credential comes
    /// from a Secret (`valueFrom.secretKeyRef`), never as a `value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Environment variables from whole ConfigMaps or Secrets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    /// Volumes of the pod (Secrets, ConfigMaps, PersistentVolumeClaims, ...:
    /// the kinds the restricted Pod Security Standard allows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_volumes: Vec<Volume>,
    /// Where the daemon's container mounts volumes (its own or `extraVolumes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_volume_mounts: Vec<VolumeMount>,
    /// Containers that run to completion before the daemon starts; they run
    /// with the daemon's restricted security context.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// Containers beside the daemon (log shippers, proxies); they run with
    /// the daemon's restricted security context.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<Container>,
    /// The PriorityClass of the role's pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Overrides of the pods' security context within the restricted Pod
    /// Security Standard: `runAsUser` (not 0), `runAsGroup`, `fsGroup`,
    /// `fsGroupChangePolicy` and `supplementalGroups`; the rest is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_security_context: Option<PodSecurityContext>,
    /// Overrides of the daemon container's security context within the
    /// restricted Pod Security Standard: `runAsUser` (not 0) and `runAsGroup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// The claims of a role that keeps data across restarts (the built-in
    /// metastore's database): size and StorageClass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<PersistenceSpec>,
    /// Runs the role as an active and a standby pod (statestored, Impala 4.4+;
    /// catalogd, 4.3+): see [`HaSpec`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<HaSpec>,
}

/// A pair of pods, one active and one standby, for the roles the registry
/// declares a pair of (statestored, catalogd).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HaSpec {
    /// Run the pair (2 pods; `replicas` may only say 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Milliseconds to wait for the peer at start-up before one takes the
    /// active role (Impala's default: 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemption_wait_period_ms: Option<u64>,
    /// statestored only: seconds the peer may be silent before it counts as
    /// lost (Impala's default: 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_timeout_seconds: Option<u32>,
}

/// The PersistentVolumeClaims of a role's data directories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersistenceSpec {
    /// The size of each claim (default: the registry's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The StorageClass (default: the cluster's default class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

impl PersistenceSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &PersistenceSpec::default()
    }
}

/// How long a draining daemon may take (defaults: the registry's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DrainSpec {
    /// Seconds the daemon keeps running after the drain starts, so that
    /// coordinators stop scheduling work on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u32>,
    /// Seconds after which the daemon exits whatever still runs; the pod's
    /// termination grace period is this plus 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_seconds: Option<u32>,
}

/// How external traffic reaches the pods behind a NodePort or LoadBalancer Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TrafficPolicy {
    /// Spread over every node (the client address is lost).
    Cluster,
    /// Only to pods on the receiving node (the client address is kept).
    Local,
}

impl TrafficPolicy {
    /// The policy as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

/// A role's external Service: where its external ports are exposed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalServiceSpec {
    /// The Service type (default: spec.serviceType).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<crate::spec::ServiceType>,
    /// Annotations of the Service (load balancer settings, for example).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Extra labels of the Service.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Client CIDRs a LoadBalancer admits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_source_ranges: Vec<String>,
    /// The load balancer implementation (LoadBalancer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_class: Option<String>,
    /// `Cluster` or `Local` (NodePort and LoadBalancer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// Pinned node ports by port name (30000-32767; NodePort and LoadBalancer only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_ports: BTreeMap<String, i64>,
    /// Seconds a client address stays bound to one pod (`sessionAffinity:
    /// ClientIP`), for a scalable role whose Service carries a port whose
    /// sessions span connections (HiveServer2 over HTTP): 1 to 86400, default
    /// 10800; 0 turns the affinity off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_timeout_seconds: Option<u32>,
}

impl ExternalServiceSpec {
    fn is_empty(&self) -> bool {
        self == &ExternalServiceSpec::default()
    }
}

/// NetworkPolicy settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicySpec {
    /// Render NetworkPolicies (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Who may reach the client ports (Beeswax, HiveServer2); everyone when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_sources: Option<Vec<NetworkPolicyPeer>>,
    /// Who may reach the web UIs; everyone when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_ui_sources: Option<Vec<NetworkPolicyPeer>>,
    /// The opt-in egress lockdown.
    #[serde(default, skip_serializing_if = "EgressSpec::is_empty")]
    pub egress: EgressSpec,
}

impl NetworkPolicySpec {
    fn is_empty(&self) -> bool {
        self == &NetworkPolicySpec::default()
    }
}

/// The egress lockdown: when enabled, pods may reach DNS, their Impala peers,
/// the metastore (catalogd) and the storage endpoints (impalads and catalogd), and nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EgressSpec {
    /// Lock egress down (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Where the Hive Metastore is; required with the lockdown. Ports default to the metastore URI's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metastore: Vec<EgressEndpoint>,
    /// Table storage (HDFS, S3, ...) the daemons read and write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<EgressEndpoint>,
    /// The YARN ResourceManager and NodeManagers the Llama ApplicationMaster
    /// talks to (cdh5, up to CDH 5.10); required with the lockdown when Llama runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yarn: Vec<EgressEndpoint>,
}

impl EgressSpec {
    fn is_empty(&self) -> bool {
        self == &EgressSpec::default()
    }
}

/// An address range and the TCP ports allowed to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EgressEndpoint {
    /// A CIDR such as `10.20.0.0/16`.
    pub cidr: String,
    /// TCP ports; every port when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<i64>,
}
