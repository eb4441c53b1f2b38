//! The resolved model: a [`Cluster`] and its roles, ports and Services as the
//! builders read them, with the names of the objects they become.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvFromSource, EnvVar, ResourceRequirements, Toleration, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::crd::{PullPolicy, TrafficPolicy};
use super::ServiceType;
use crate::names::{NamespaceName, PortName, PortNumber, ReleaseName, RoleName};
use crate::registry::{Access, Audience, CpuMemory, Drain, Logging, Port, Registry, Role};

/// A port of a running role, as it will be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterPort<'r> {
    /// The registry entry.
    pub entry: &'r Port,
    /// The port number, after overrides.
    pub number: PortNumber,
    /// Which Service carries it: the cluster-local one, or the external one.
    pub access: Access,
    /// Who else may reach it besides its peers: clients or administrators
    /// (from the configured sources), or nobody for a peer port.
    pub audience: Option<Audience>,
    /// The running roles that connect to it.
    pub peers: Vec<&'r RoleName>,
    /// A pinned node port.
    pub node_port: Option<i32>,
}

impl ClusterPort<'_> {
    /// The port's Kubernetes name.
    pub fn name(&self) -> &PortName {
        &self.entry.name
    }
}

/// A role's external Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterService {
    /// Its type.
    pub type_: ServiceType,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
    /// Its extra labels.
    pub labels: BTreeMap<String, String>,
    /// `loadBalancerSourceRanges`.
    pub load_balancer_source_ranges: Vec<String>,
    /// `loadBalancerClass`.
    pub load_balancer_class: Option<String>,
    /// `externalTrafficPolicy`.
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// Seconds of `sessionAffinity: ClientIP`, when the Service keeps clients on one pod.
    pub client_ip_affinity_seconds: Option<i32>,
}

/// Kubernetes' default (and the spec's) client IP affinity: three hours.
pub const DEFAULT_AFFINITY_SECONDS: u32 = 10_800;

/// The longest client IP affinity Kubernetes accepts: a day.
pub const MAX_AFFINITY_SECONDS: u32 = 86_400;

/// A role that runs, with its settled replica count, image, pod settings and ports.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRole<'r> {
    /// The registry entry.
    pub role: &'r Role,
    /// The pod count, as the Kubernetes API types it.
    pub replicas: i32,
    /// The full image reference.
    pub image: String,
    /// The pull policy.
    pub pull_policy: PullPolicy,
    /// Resource requests and limits.
    pub resources: ResourceRequirements,
    /// Node labels the pods must run on.
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod affinity.
    pub affinity: Option<Affinity>,
    /// Pod annotations.
    pub pod_annotations: BTreeMap<String, String>,
    /// Extra pod labels.
    pub pod_labels: BTreeMap<String, String>,
    /// Extra daemon flags (or llama-site properties).
    pub extra_flags: BTreeMap<String, String>,
    /// The external Service.
    pub service: ClusterService,
    /// Its ports, in registry order.
    pub ports: Vec<ClusterPort<'r>>,
    /// Its graceful shutdown, when the daemon drains.
    pub drain: Option<ClusterDrain<'r>>,
    /// How its daemon logs, when the registry says how (gflag daemons).
    pub logging: Option<RoleLogging<'r>>,
    /// The JVM heap in MiB, for a daemon that starts a JVM.
    pub jvm_heap_mib: Option<u64>,
    /// What the user wires into the pod: env, volumes, extra containers.
    pub wiring: RoleWiring,
    /// The user and groups the pods run as.
    pub run_as: RunAs,
    /// The claims of its data directories, one set per pod.
    pub data_claims: Vec<DataClaim>,
    /// Its executor groups, each its own StatefulSet; none for one StatefulSet.
    pub groups: Vec<super::groups::ClusterGroup>,
}

/// A data directory's PersistentVolumeClaim template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataClaim {
    /// The volume (and claim template) name.
    pub volume: String,
    /// Where the daemon mounts it.
    pub path: String,
    /// The size each pod's claim requests.
    pub size: String,
    /// The StorageClass, or the cluster's default.
    pub storage_class_name: Option<String>,
}

/// The user and groups a role's pods run as: the image's unless the spec
/// overrides them (never root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    /// The daemon container's user.
    pub user: i64,
    /// The daemon container's group.
    pub group: i64,
    /// The pod's user (for containers that set none).
    pub pod_user: i64,
    /// The pod's group.
    pub pod_group: i64,
    /// The group that owns the pod's volumes.
    pub fs_group: i64,
    /// When the kubelet changes volume ownership.
    pub fs_group_change_policy: Option<String>,
    /// Further groups of every container.
    pub supplemental_groups: Vec<i64>,
}

/// What the user wires into a role's pod, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleWiring {
    /// Environment variables of the daemon's container.
    pub env: Vec<EnvVar>,
    /// Environment variables from ConfigMaps and Secrets.
    pub env_from: Vec<EnvFromSource>,
    /// The pod's extra volumes.
    pub volumes: Vec<Volume>,
    /// The daemon container's extra mounts.
    pub volume_mounts: Vec<VolumeMount>,
    /// Init containers, in order.
    pub init_containers: Vec<Container>,
    /// Containers beside the daemon.
    pub sidecars: Vec<Container>,
    /// The pods' PriorityClass.
    pub priority_class_name: Option<String>,
}

/// The ServiceAccount the release's pods run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterServiceAccount {
    /// True when the release creates it.
    pub create: bool,
    /// Its name.
    pub name: String,
    /// Annotations of a created one.
    pub annotations: BTreeMap<String, String>,
}

/// How one role's daemon logs, with its settled file bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleLogging<'r> {
    /// The registry's logging flags.
    pub logging: &'r Logging,
    /// True for rotated files, false for stderr.
    pub to_files: bool,
    /// Files kept per severity (with files).
    pub max_files: u32,
    /// One file's size in MiB (with files): half the log directory over every file.
    pub max_size_mib: u64,
    /// The verbosity of debug logging (`-v`); 0 sets no flag.
    pub verbosity: u32,
}

/// A role's graceful shutdown, with its settled times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDrain<'r> {
    /// The registry entry (signal and flags).
    pub drain: &'r Drain,
    /// The grace period in seconds.
    pub grace_period_seconds: u32,
    /// The deadline in seconds.
    pub deadline_seconds: u32,
}

/// What the kubelet waits beyond the drain deadline before it kills a pod.
pub const DRAIN_MARGIN_SECONDS: u32 = 30;

impl ClusterDrain<'_> {
    /// The pod's `terminationGracePeriodSeconds`: the deadline and a margin.
    pub fn termination_grace_period_seconds(&self) -> i64 {
        i64::from(self.deadline_seconds) + i64::from(DRAIN_MARGIN_SECONDS)
    }
}

impl<'r> ClusterRole<'r> {
    /// The role's name.
    pub fn name(&self) -> &'r RoleName {
        &self.role.name
    }

    /// True when the role runs one pod behind a ClusterIP Service: a
    /// singleton of the registry that does not run as a pair.
    pub fn is_singleton(&self) -> bool {
        self.role.is_singleton() && self.replicas == 1
    }

    /// The ports with the given access.
    pub fn ports_with(&self, access: Access) -> impl Iterator<Item = &ClusterPort<'r>> {
        self.ports.iter().filter(move |p| p.access == access)
    }

    /// The port with the given name.
    pub fn port(&self, name: &PortName) -> Option<&ClusterPort<'r>> {
        self.ports.iter().find(|p| p.name() == name)
    }
}

/// An egress destination of the lockdown: a CIDR and its TCP ports (all when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressRule {
    /// The address range.
    pub cidr: String,
    /// The ports.
    pub ports: Vec<PortNumber>,
}

/// The egress lockdown: the destinations outside the release that roles may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Egress {
    /// The Hive Metastore (catalogd, and coordinators).
    pub metastore: Vec<EgressRule>,
    /// Table storage (roles that read and write tables).
    pub storage: Vec<EgressRule>,
    /// The YARN ResourceManager and NodeManagers (the Llama ApplicationMaster).
    pub yarn: Vec<EgressRule>,
}

impl Egress {
    /// The rules to a destination.
    pub fn rules(&self, destination: crate::registry::Destination) -> &[EgressRule] {
        use crate::registry::Destination;
        match destination {
            Destination::Metastore => &self.metastore,
            Destination::Storage => &self.storage,
            Destination::Yarn => &self.yarn,
        }
    }
}

/// The NetworkPolicies to render.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNetworkPolicy {
    /// Who may reach client ports; everyone when `None`.
    pub client_sources: Option<Vec<NetworkPolicyPeer>>,
    /// Who may reach web UIs; everyone when `None`.
    pub web_ui_sources: Option<Vec<NetworkPolicyPeer>>,
    /// The egress lockdown: the metastore and storage destinations, when enabled.
    pub egress: Option<Egress>,
}

/// A checked request.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster<'r> {
    /// The registry the cluster is built from.
    pub registry: &'r Registry,
    /// The release name.
    pub release: ReleaseName,
    /// The namespace.
    pub namespace: NamespaceName,
    /// Whether the Namespace object is emitted.
    pub create_namespace: bool,
    /// The Hive Metastore URI(s).
    pub metastore_uri: String,
    /// Extra hive-site.xml properties.
    pub hive_site: BTreeMap<String, String>,
    /// Extra core-site.xml properties.
    pub core_site: BTreeMap<String, String>,
    /// Image pull secrets.
    pub pull_secrets: Vec<String>,
    /// The image tag prefix, also the `app.kubernetes.io/version` label.
    pub version: String,
    /// True when the images are the registry's placeholder.
    pub placeholder_image: bool,
    /// The NetworkPolicies, or `None` when they are off.
    pub network_policy: Option<ClusterNetworkPolicy>,
    /// The running roles, in registry order.
    pub roles: Vec<ClusterRole<'r>>,
    /// The ServiceAccount of the pods.
    pub service_account: ClusterServiceAccount,
    /// Table storage, when the spec names it.
    pub storage: Option<super::storage::ClusterStorage>,
    /// The YARN ResourceManager's host, for a role that registers with it (Llama).
    pub yarn_resource_manager: Option<String>,
    /// TLS, when the spec turns it on.
    pub tls: Option<super::tls::ClusterTls<'r>>,
    /// LDAP authentication of clients, when the spec turns it on.
    pub ldap: Option<super::auth::ClusterLdap>,
    /// The web UIs' login, when the spec asks for one.
    pub web_ui_auth: Option<super::auth::ClusterWebUiAuth>,
    /// Kerberos, when the spec turns it on.
    pub kerberos: Option<super::kerberos::ClusterKerberos<'r>>,
    /// The roles that run as an active and a standby pod.
    pub ha: super::ha::ClusterHa<'r>,
    /// The admission pools, when the spec lists any.
    pub admission: Option<super::admission::ClusterAdmission<'r>>,
    /// Prometheus scraping, when the spec turns it on.
    pub metrics: Option<super::metrics::ClusterMetrics<'r>>,
    /// The Ingress or HTTPRoutes, when the spec turns them on.
    pub http: Option<super::http::ClusterHttp>,
}

/// The largest replica count Kubernetes accepts (an `int32`).
pub const MAX_REPLICAS: u32 = i32::MAX as u32;

/// The longest StatefulSet name: its pods carry a `controller-revision-hash`
/// label of the name plus 11 characters, and a label value has at most 63.
pub const MAX_STATEFULSET_NAME: usize = 52;

/// The variable that holds a pod's name (from the downward API), for the
/// name a daemon advertises.
pub const POD_NAME: &str = "POD_NAME";

/// The resource name of local disk, which emptyDirs take.
pub const EPHEMERAL_STORAGE: &str = "ephemeral-storage";

/// A role's default requests and limits as Kubernetes resource requirements:
/// the registry's CPU and memory, and `ephemeral-storage` that covers the
/// size limits of its writable directories (emptyDirs), so that the
/// scheduler places the pod where they fit.
pub fn default_resources(role: &Role) -> ResourceRequirements {
    let disk = writable_dirs_mib(role)
        .filter(|&mib| mib > 0)
        .map(|mib| Quantity(if mib % 1024 == 0 { format!("{}Gi", mib / 1024) } else { format!("{mib}Mi") }));
    let map = |r: &CpuMemory| {
        let mut map = BTreeMap::from([
            ("cpu".to_owned(), Quantity(r.cpu.clone())),
            ("memory".to_owned(), Quantity(r.memory.clone())),
        ]);
        map.extend(disk.clone().map(|d| (EPHEMERAL_STORAGE.to_owned(), d)));
        map
    };
    ResourceRequirements {
        requests: Some(map(&role.resources.requests)),
        limits: Some(map(&role.resources.limits)),
        ..Default::default()
    }
}

/// The size limits of a role's writable directories together, in MiB; `None`
/// when one is not a whole quantity of bytes.
pub fn writable_dirs_mib(role: &Role) -> Option<u64> {
    role.writable_dirs.values().map(|d| super::checks::mebibytes(&d.size_limit)).sum()
}

/// The name of a role's cluster-local Service, `<release>-<role>-internal`.
pub(super) fn internal_service_name(release: &ReleaseName, role: &RoleName) -> String {
    format!("{release}-{role}-internal")
}

/// The name of a role's external Service: `<release>-<role>`.
pub(super) fn external_service_name(release: &ReleaseName, role: &RoleName) -> String {
    format!("{release}-{role}")
}

impl<'r> Cluster<'r> {
    /// The running role with this name.
    pub fn role(&self, name: &str) -> Option<&ClusterRole<'r>> {
        self.roles.iter().find(|r| r.name().as_str() == name)
    }

    /// The name of a role's StatefulSet: `<release>-<role>`.
    pub fn workload_name(&self, role: &RoleName) -> String {
        format!("{}-{role}", self.release)
    }

    /// The names of a role's StatefulSets: its one, `-1` and `-2` for the
    /// statestored pair, whose two pods need different flags, or one per
    /// executor group (`-<group>`).
    pub fn workload_names(&self, role: &RoleName) -> Vec<String> {
        let name = self.workload_name(role);
        let groups = self.role(role.as_str()).map(|r| r.groups.as_slice()).unwrap_or_default();
        if self.ha.statestored.as_ref().is_some_and(|p| &p.flags.role == role) {
            vec![format!("{name}-1"), format!("{name}-2")]
        } else if !groups.is_empty() {
            groups.iter().map(|g| format!("{name}-{}", g.name)).collect()
        } else {
            vec![name]
        }
    }

    /// The name of a role's external Service, `<release>-<role>`: what clients use.
    pub fn external_service_name(&self, role: &RoleName) -> String {
        external_service_name(&self.release, role)
    }

    /// The name of a role's cluster-local Service, `<release>-<role>-internal`:
    /// what peers use (ClusterIP for singletons, headless for scalable roles).
    pub fn internal_service_name(&self, role: &RoleName) -> String {
        internal_service_name(&self.release, role)
    }

    /// The name of a role's ingress NetworkPolicy: `<release>-<role>-ingress`.
    pub fn policy_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-ingress", self.release)
    }

    /// The name of a role's egress NetworkPolicy: `<release>-<role>-egress`.
    pub fn egress_policy_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-egress", self.release)
    }

    /// The name a role's daemon advertises to its peers: the pod's DNS name
    /// under its headless Service (the pod name from `$(POD_NAME)`), or the
    /// Service's own name for a singleton behind a ClusterIP Service.
    pub fn advertised_name(&self, role: &ClusterRole<'_>) -> String {
        let service = format!("{}.{}.svc", self.internal_service_name(role.name()), self.namespace);
        if role.is_singleton() {
            service
        } else {
            format!("$({POD_NAME}).{service}")
        }
    }

    /// The name of the release's default-deny NetworkPolicy.
    pub fn default_deny_name(&self) -> String {
        format!("{}-default-deny-ingress", self.release)
    }

    /// The name of the release's default-deny egress NetworkPolicy (lockdown).
    pub fn default_deny_egress_name(&self) -> String {
        format!("{}-default-deny-egress", self.release)
    }

    /// The name of the Hadoop/Hive client configuration ConfigMap.
    pub fn hadoop_config_name(&self) -> String {
        format!("{}-hadoop-config", self.release)
    }

    /// The name of the admission pools' ConfigMap.
    pub fn admission_config_name(&self) -> String {
        format!("{}-admission", self.release)
    }

    /// The name of the PodMonitor or ServiceMonitor.
    pub fn monitor_name(&self) -> String {
        format!("{}-metrics", self.release)
    }

    /// The name of the Grafana dashboard's ConfigMap.
    pub fn dashboard_name(&self) -> String {
        format!("{}-dashboard", self.release)
    }

    /// The admission pools, for a role that reads them.
    pub fn admission_of(&self, role: &RoleName) -> Option<&super::admission::ClusterAdmission<'r>> {
        self.admission.as_ref().filter(|a| a.flags.roles.contains(role))
    }

    /// The name of a role's own configuration ConfigMap (llama-site.xml).
    pub fn role_config_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-config", self.release)
    }

    /// The name of the shared warehouse claim the release creates.
    pub fn warehouse_claim_name(&self) -> String {
        super::storage::warehouse_claim_name(self.release.as_str())
    }

    /// The storage settings a role gets: those of the release's storage, for
    /// a role that reads and writes tables.
    pub fn storage_of(&self, role: &Role) -> Option<&super::storage::ClusterStorage> {
        self.storage.as_ref().filter(|_| role.reaches.contains(&crate::registry::Destination::Storage))
    }

    /// The name of the ServiceAccount the pods run as.
    pub fn service_account_name(&self) -> String {
        self.service_account.name.clone()
    }
}
