//! A [`ClusterSpec`] checked against its registry: every value valid, every
//! name within Kubernetes' limits, every override applied.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::LazyLock;

use ipnet::IpNet;
use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, Toleration};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use regex::Regex;

use super::crd::{EgressEndpoint, PullPolicy, RoleSpec, TrafficPolicy};
use super::{did_you_mean, ClusterSpec, ServiceType, SpecError, DEFAULT_METASTORE_URI};
use crate::names::{
    is_label_value, is_qualified_name, is_rfc1123_subdomain, FlagName, NamespaceName, PortName, PortNumber,
    ReleaseName, RoleName,
};
use crate::registry::{Access, Audience, ConfigStyle, CpuMemory, Drain, Port, Registry, Role};

fn fail<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError::new(field, message))
}

/// " (did you mean 'x'?)" when a candidate is close to `value`, else "".
fn hint<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(value, candidates).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default()
}

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
}

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

/// The NetworkPolicies to render.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNetworkPolicy {
    /// Who may reach client ports; everyone when `None`.
    pub client_sources: Option<Vec<NetworkPolicyPeer>>,
    /// Who may reach web UIs; everyone when `None`.
    pub web_ui_sources: Option<Vec<NetworkPolicyPeer>>,
    /// The egress lockdown: the metastore and storage destinations, when enabled.
    pub egress: Option<(Vec<EgressRule>, Vec<EgressRule>)>,
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
}

/// The largest replica count Kubernetes accepts (an `int32`).
pub const MAX_REPLICAS: u32 = i32::MAX as u32;

/// The longest StatefulSet name: its pods carry a `controller-revision-hash`
/// label of the name plus 11 characters, and a label value has at most 63.
pub const MAX_STATEFULSET_NAME: usize = 52;

/// The node port range of a default cluster.
const NODE_PORTS: std::ops::RangeInclusive<i64> = 30000..=32767;

static REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    // The distribution reference grammar: an optional registry host, then path components.
    Regex::new(r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
        .expect("valid regex")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").expect("valid regex"));
static DIGEST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^sha256:[0-9a-f]{64}$").expect("valid regex"));

/// Checks a CIDR; Kubernetes wants the network address (`10.0.0.0/8`, not `10.0.0.1/8`).
fn check_cidr(field: &str, cidr: &str) -> Result<(), SpecError> {
    match IpNet::from_str(cidr) {
        Ok(net) if net.trunc() == net => Ok(()),
        Ok(net) => fail(field, format!("'{cidr}' is not a network address; did you mean '{}'?", net.trunc())),
        Err(_) => fail(
            field,
            format!("'{cidr}' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8"),
        ),
    }
}

fn check_labels(field: &str, labels: &BTreeMap<String, String>, values_are_labels: bool) -> Result<(), SpecError> {
    for (key, value) in labels {
        if !is_qualified_name(key) {
            return fail(format!("{field}.{key}"), format!("'{key}' is not a valid key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"));
        }
        if values_are_labels && !is_label_value(value) {
            return fail(format!("{field}.{key}"), format!("'{value}' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"));
        }
    }
    Ok(())
}

fn check_metastore_uri(uris: &str) -> Result<Vec<PortNumber>, SpecError> {
    let mut ports = Vec::new();
    for uri in uris.split(',') {
        let port = url::Url::parse(uri.trim()).ok().filter(|u| {
            u.scheme() == "thrift"
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.path().trim_matches('/').is_empty()
        });
        match port.and_then(|u| u.port()).and_then(|p| PortNumber::try_from(i64::from(p)).ok()) {
            Some(port) => ports.push(port),
            None => {
                return fail(
                    "spec.metastoreUri",
                    format!(
                        "'{uri}' is not a Hive Metastore URI: expected thrift://HOST:PORT, several separated by commas"
                    ),
                )
            }
        }
    }
    Ok(ports)
}

/// A registry's default requests and limits as Kubernetes resource requirements.
pub fn default_resources(defaults: &crate::registry::Resources) -> ResourceRequirements {
    let map = |r: &CpuMemory| {
        BTreeMap::from([("cpu".to_owned(), Quantity(r.cpu.clone())), ("memory".to_owned(), Quantity(r.memory.clone()))])
    };
    ResourceRequirements {
        requests: Some(map(&defaults.requests)),
        limits: Some(map(&defaults.limits)),
        ..Default::default()
    }
}

fn check_peers(field: &str, peers: &Option<Vec<NetworkPolicyPeer>>) -> Result<(), SpecError> {
    let Some(peers) = peers else { return Ok(()) };
    if peers.is_empty() {
        return fail(field, "an empty list would admit no one; omit the field to admit everyone, or list the sources");
    }
    for (i, peer) in peers.iter().enumerate() {
        if peer.ip_block.is_none() && peer.namespace_selector.is_none() && peer.pod_selector.is_none() {
            return fail(format!("{field}[{i}]"), "a source needs ipBlock, namespaceSelector or podSelector");
        }
        if let Some(block) = &peer.ip_block {
            check_cidr(&format!("{field}[{i}].ipBlock.cidr"), &block.cidr)?;
            for (j, except) in block.except.iter().flatten().enumerate() {
                check_cidr(&format!("{field}[{i}].ipBlock.except[{j}]"), except)?;
            }
        }
    }
    Ok(())
}

fn egress_rules(
    field: &str,
    endpoints: &[EgressEndpoint],
    default_ports: &[PortNumber],
) -> Result<Vec<EgressRule>, SpecError> {
    let mut rules = Vec::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        check_cidr(&format!("{field}[{i}].cidr"), &endpoint.cidr)?;
        let mut ports = Vec::new();
        for (j, &port) in endpoint.ports.iter().enumerate() {
            ports
                .push(PortNumber::try_from(port).or_else(|e| fail(format!("{field}[{i}].ports[{j}]"), e.to_string()))?);
        }
        if ports.is_empty() {
            ports = default_ports.to_vec();
        }
        ports.sort();
        ports.dedup();
        rules.push(EgressRule { cidr: endpoint.cidr.clone(), ports });
    }
    Ok(rules)
}

impl ClusterSpec {
    /// Checks the request against its registry.
    pub fn resolve(&self) -> Result<Cluster<'_>, SpecError> {
        let spec = &self.spec;
        if let Some(registry) = &spec.registry {
            if spec.profile.is_some() {
                return fail("spec.profile", "a spec with its own registry names no profile: remove spec.profile (or --profile), or the registry");
            }
            registry.validate().or_else(|(path, message)| fail(format!("spec.registry.{path}"), message))?;
        }
        let registry = self.registry();
        let release = ReleaseName::try_from(self.release.as_str()).or_else(|e| fail("metadata.name", e.to_string()))?;
        let namespace =
            NamespaceName::try_from(self.namespace.as_str()).or_else(|e| fail("metadata.namespace", e.to_string()))?;

        // Images.
        let repository = spec.image.repository.as_deref().unwrap_or(&registry.image.repository);
        if !REPOSITORY.is_match(repository) {
            return fail("spec.image.repository", format!("'{repository}' is not an image repository: expected [HOST[:PORT]/]PATH with lowercase path components, for example apache/impala"));
        }
        let tag = spec.image.tag.as_deref().unwrap_or(&registry.image.tag);
        if !TAG.is_match(tag) || !is_label_value(tag) {
            return fail("spec.image.tag", format!("'{tag}' is not a usable tag: it needs 1 to 63 letters, digits, '_', '.' and '-', starting and ending with a letter or digit (it is also the app.kubernetes.io/version label)"));
        }
        for (i, secret) in spec.image.pull_secrets.iter().enumerate() {
            if !is_rfc1123_subdomain(secret) {
                return fail(
                    format!("spec.image.pullSecrets[{i}]"),
                    format!("'{secret}' is not a Secret name: lowercase letters, digits, '-' and '.'"),
                );
            }
        }
        for (role, digest) in &spec.image.digests {
            if registry.role(role).is_none() {
                return fail(
                    format!("spec.image.digests.{role}"),
                    format!(
                        "'{role}' is not a role of {}{}; the roles are: {}",
                        registry.profile,
                        hint(role, registry.roles.iter().map(|r| r.name.as_str())),
                        registry.role_names()
                    ),
                );
            }
            if !DIGEST.is_match(digest) {
                return fail(
                    format!("spec.image.digests.{role}"),
                    format!("'{digest}' is not an image digest: expected sha256: and 64 lowercase hex digits"),
                );
            }
        }

        // Hadoop and Hive configuration.
        let metastore_uri = spec.metastore_uri.clone().unwrap_or_else(|| DEFAULT_METASTORE_URI.to_owned());
        let metastore_ports = check_metastore_uri(&metastore_uri)?;
        for (file, props) in [("hiveSite", &spec.hive_site), ("coreSite", &spec.core_site)] {
            for key in props.keys() {
                if key.trim().is_empty() || key.chars().any(char::is_whitespace) {
                    return fail(format!("spec.{file}"), format!("'{key}' is not a property name"));
                }
                if key == "hive.metastore.uris" {
                    return fail(
                        format!("spec.{file}.{key}"),
                        "hive.metastore.uris is set from spec.metastoreUri (--metastore-uri); set it there",
                    );
                }
            }
        }

        // Which roles run.
        let role_names = || registry.roles.iter().map(|r| r.name.as_str());
        for (name, role_spec) in &spec.roles {
            let Some(role) = registry.role(name) else {
                return fail(
                    format!("spec.roles.{name}"),
                    format!(
                        "'{name}' is not a role of {}{}; the roles are: {}",
                        registry.profile,
                        hint(name, role_names()),
                        registry.role_names()
                    ),
                );
            };
            if role_spec.enabled == Some(true) && !role.optional {
                let optional: Vec<&str> =
                    registry.roles.iter().filter(|r| r.optional).map(|r| r.name.as_str()).collect();
                let optional = if optional.is_empty() { "none".to_owned() } else { optional.join(", ") };
                return fail(
                    format!("spec.roles.{name}.enabled"),
                    format!(
                        "role '{name}' always runs; only optional roles are enabled (optional roles of {}: {optional})",
                        registry.profile
                    ),
                );
            }
            if role_spec.enabled == Some(false) && !role.optional {
                return fail(
                    format!("spec.roles.{name}.enabled"),
                    format!("role '{name}' is required and cannot be disabled"),
                );
            }
        }
        let enabled = |role: &Role| {
            let enabled = spec.roles.get(role.name.as_str()).and_then(|r| r.enabled);
            !role.optional || enabled == Some(true)
        };
        let running: BTreeSet<&RoleName> = registry.roles.iter().filter(|r| enabled(r)).map(|r| &r.name).collect();
        for (name, role_spec) in &spec.roles {
            if !running.iter().any(|r| r.as_str() == name)
                && role_spec != &(RoleSpec { enabled: role_spec.enabled, ..Default::default() })
            {
                return fail(format!("spec.roles.{name}"), format!("role '{name}' is optional and not enabled, so its settings would be ignored; set spec.roles.{name}.enabled: true (--enable {name})"));
            }
        }
        for role in spec.image.digests.keys() {
            if !running.iter().any(|r| r.as_str() == role) {
                return fail(
                    format!("spec.image.digests.{role}"),
                    format!("role '{role}' does not run, so its digest would be ignored"),
                );
            }
        }

        let mut roles = Vec::new();
        let mut node_ports: BTreeMap<i32, String> = BTreeMap::new();
        let default_type = spec.service_type.unwrap_or_default();
        for role in registry.roles.iter().filter(|r| running.contains(&r.name)) {
            let empty = RoleSpec::default();
            let rs = spec.roles.get(role.name.as_str()).unwrap_or(&empty);
            let field = format!("spec.roles.{}", role.name);
            roles.push(self.resolve_role(
                registry,
                role,
                rs,
                &field,
                &running,
                repository,
                tag,
                default_type,
                &mut node_ports,
            )?);
        }

        // NetworkPolicies.
        let np = &spec.network_policy;
        let network_policy = if np.enabled.unwrap_or(true) {
            check_peers("spec.networkPolicy.clientSources", &np.client_sources)?;
            check_peers("spec.networkPolicy.webUiSources", &np.web_ui_sources)?;
            let egress = if np.egress.enabled.unwrap_or(false) {
                if np.egress.metastore.is_empty() {
                    return fail("spec.networkPolicy.egress.metastore", "the egress lockdown needs the metastore's address: list its CIDR (and ports, default the metastore URI's)");
                }
                let metastore =
                    egress_rules("spec.networkPolicy.egress.metastore", &np.egress.metastore, &metastore_ports)?;
                let storage = egress_rules("spec.networkPolicy.egress.storage", &np.egress.storage, &[])?;
                Some((metastore, storage))
            } else {
                if !np.egress.metastore.is_empty() || !np.egress.storage.is_empty() {
                    return fail("spec.networkPolicy.egress.enabled", "egress endpoints are listed but the lockdown is off, so they would be ignored; set enabled: true");
                }
                None
            };
            Some(ClusterNetworkPolicy {
                client_sources: np.client_sources.clone(),
                web_ui_sources: np.web_ui_sources.clone(),
                egress,
            })
        } else {
            if np != &(super::crd::NetworkPolicySpec { enabled: np.enabled, ..Default::default() }) {
                return fail(
                    "spec.networkPolicy.enabled",
                    "NetworkPolicy settings are given but NetworkPolicies are off, so they would be ignored",
                );
            }
            None
        };

        let cluster = Cluster {
            registry,
            release,
            namespace,
            create_namespace: spec.create_namespace.unwrap_or(true),
            metastore_uri,
            hive_site: spec.hive_site.clone(),
            core_site: spec.core_site.clone(),
            pull_secrets: spec.image.pull_secrets.clone(),
            version: tag.to_owned(),
            placeholder_image: registry.image.placeholder && repository == registry.image.repository,
            network_policy,
            roles,
        };
        cluster.check_names()?;
        Ok(cluster)
    }

    #[allow(clippy::too_many_arguments)]
    fn resolve_role<'r>(
        &self,
        registry: &'r Registry,
        role: &'r Role,
        rs: &RoleSpec,
        field: &str,
        running: &BTreeSet<&'r RoleName>,
        repository: &str,
        tag: &str,
        default_type: ServiceType,
        node_ports: &mut BTreeMap<i32, String>,
    ) -> Result<ClusterRole<'r>, SpecError> {
        let name = role.name.as_str();
        // Replicas.
        let count = rs.replicas.unwrap_or(role.replicas.default);
        if role.is_singleton() && count != 1 {
            return fail(
                format!("{field}.replicas"),
                format!("role '{name}' is a singleton and runs exactly 1 pod, not {count}"),
            );
        }
        let max = role.replicas.max.unwrap_or(MAX_REPLICAS).min(MAX_REPLICAS);
        if count < role.replicas.min || count > max {
            return fail(
                format!("{field}.replicas"),
                format!("role '{name}' runs at least {} and at most {max} pod(s), not {count}", role.replicas.min),
            );
        }
        let replicas = i32::try_from(count).expect("at most MAX_REPLICAS");

        // Ports: number and access overrides, then collisions.
        let port_names: Vec<&str> = registry.ports_of(&role.name).map(|p| p.name.as_str()).collect();
        let unknown_port = |key: &str, what: &str| {
            fail(
                format!("{field}.{what}.{key}"),
                format!(
                    "role '{name}' has no port '{key}'{}; its ports are: {}",
                    hint(key, port_names.iter().copied()),
                    port_names.join(", ")
                ),
            )
        };
        for key in rs.ports.keys().chain(rs.access.keys()).chain(rs.service.node_ports.keys()) {
            if !port_names.contains(&key.as_str()) {
                let what = if rs.ports.contains_key(key) {
                    "ports"
                } else if rs.access.contains_key(key) {
                    "access"
                } else {
                    "service.nodePorts"
                };
                return unknown_port(key, what);
            }
        }
        let service_type = rs.service.type_.unwrap_or(default_type);
        let mut ports: Vec<ClusterPort<'r>> = Vec::new();
        for entry in registry.ports_of(&role.name) {
            let key = entry.name.as_str();
            let number = match rs.ports.get(key) {
                Some(&n) => PortNumber::try_from(n).or_else(|e| fail(format!("{field}.ports.{key}"), e.to_string()))?,
                None => entry.number,
            };
            if let Some(other) = ports.iter().find(|p| p.number == number) {
                return fail(format!("{field}.ports.{key}"), format!("port {number} of '{key}' is already used by port '{}' of role '{name}'; every port of a pod needs its own number", other.name()));
            }
            let access = rs.access.get(key).copied().unwrap_or(entry.access);
            let audience = match (entry.access, access) {
                (Access::External, _) => Some(entry.audience.unwrap_or_default()),
                (Access::Internal, Access::External) => Some(Audience::Clients),
                (Access::Internal, Access::Internal) => None,
            };
            let node_port = match rs.service.node_ports.get(key) {
                None => None,
                Some(&n) => {
                    let at = format!("{field}.service.nodePorts.{key}");
                    if access == Access::Internal {
                        return fail(at, format!("port '{key}' of role '{name}' is internal and never gets a node port; expose it explicitly with {field}.access.{key}: external"));
                    }
                    if service_type == ServiceType::ClusterIP {
                        return fail(at, format!("the external Service of role '{name}' is ClusterIP and has no node ports; set {field}.service.type to NodePort or LoadBalancer"));
                    }
                    if !NODE_PORTS.contains(&n) {
                        return fail(at, format!("node port {n} is outside the node port range 30000-32767"));
                    }
                    let n = i32::try_from(n).expect("in the node port range");
                    if let Some(other) = node_ports.insert(n, format!("{field}.service.nodePorts.{key}")) {
                        return fail(at, format!("node port {n} is already pinned by {other}; node ports are shared by the whole cluster"));
                    }
                    Some(n)
                }
            };
            ports.push(ClusterPort {
                entry,
                number,
                access,
                audience,
                peers: entry.peers.iter().filter(|p| running.contains(p)).collect(),
                node_port,
            });
        }

        // The external Service.
        let svc = &rs.service;
        let has_external = ports.iter().any(|p| p.access == Access::External);
        if !has_external && (svc.type_.is_some() || svc != &Default::default()) {
            return fail(
                format!("{field}.service"),
                format!("role '{name}' has no external port, so it has no external Service to configure"),
            );
        }
        if service_type != ServiceType::LoadBalancer {
            if !svc.load_balancer_source_ranges.is_empty() {
                return fail(format!("{field}.service.loadBalancerSourceRanges"), format!("the external Service of role '{name}' is {service_type}, which ignores loadBalancerSourceRanges; set {field}.service.type: LoadBalancer"));
            }
            if svc.load_balancer_class.is_some() {
                return fail(format!("{field}.service.loadBalancerClass"), format!("the external Service of role '{name}' is {service_type}, which ignores loadBalancerClass; set {field}.service.type: LoadBalancer"));
            }
        }
        if service_type == ServiceType::ClusterIP && svc.external_traffic_policy.is_some() {
            return fail(format!("{field}.service.externalTrafficPolicy"), format!("the external Service of role '{name}' is ClusterIP, which has no external traffic; set {field}.service.type to NodePort or LoadBalancer"));
        }
        for (i, range) in svc.load_balancer_source_ranges.iter().enumerate() {
            check_cidr(&format!("{field}.service.loadBalancerSourceRanges[{i}]"), range)?;
        }
        if let Some(class) = &svc.load_balancer_class {
            if !is_qualified_name(class) || !class.contains('/') {
                return fail(format!("{field}.service.loadBalancerClass"), format!("'{class}' is not a load balancer class: expected a label-style name with a prefix, like example.com/internal-vip"));
            }
        }
        check_labels(&format!("{field}.service.annotations"), &svc.annotations, false)?;
        check_labels(&format!("{field}.service.labels"), &svc.labels, true)?;

        // Pod settings.
        check_labels(&format!("{field}.nodeSelector"), &rs.node_selector, true)?;
        check_labels(&format!("{field}.podAnnotations"), &rs.pod_annotations, false)?;
        check_labels(&format!("{field}.podLabels"), &rs.pod_labels, true)?;
        for key in rs.pod_labels.keys().chain(svc.labels.keys()) {
            if key.starts_with(crate::builders::meta::LABEL_PREFIX) {
                let at = if rs.pod_labels.contains_key(key) {
                    format!("{field}.podLabels.{key}")
                } else {
                    format!("{field}.service.labels.{key}")
                };
                return fail(at, format!("'{key}' is set by impala-k8s (selectors depend on it); choose another key"));
            }
        }

        // Extra flags: never one the registry manages.
        let managed: BTreeMap<&str, String> = registry
            .ports
            .iter()
            .flat_map(|p| {
                let own = (
                    p.flag.as_str(),
                    format!(
                        "it sets port '{}' of role '{}'; set spec.roles.{}.ports.{} instead",
                        p.name, p.role, p.role, p.name
                    ),
                );
                let client = p.client_flags.iter().flat_map(move |c| {
                    [c.host.as_str(), c.port.as_str()].map(|f| {
                        (
                            f,
                            format!(
                                "it tells peers where port '{}' of role '{}' is; the registry sets it from the Service",
                                p.name, p.role
                            ),
                        )
                    })
                });
                std::iter::once(own).chain(client)
            })
            .chain(
                role.flags.keys().map(|f| (f.as_str(), format!("role '{name}' always sets it to '{}'", role.flags[f]))),
            )
            .chain(role.drain.iter().flat_map(|d| {
                [
                    (d.grace_period_flag.as_str(), format!("set spec.roles.{name}.drain.gracePeriodSeconds instead")),
                    (d.deadline_flag.as_str(), format!("set spec.roles.{name}.drain.deadlineSeconds instead")),
                ]
            }))
            .collect();
        for flag in rs.extra_flags.keys() {
            let at = format!("{field}.extraFlags.{flag}");
            let parsed = FlagName::try_from(flag.trim_start_matches('-')).or_else(|e| fail(&at, e.to_string()))?;
            if flag.starts_with('-') {
                return fail(at, format!("write the flag without its leading '-': '{parsed}'"));
            }
            if parsed.is_gflag() != (role.config == ConfigStyle::Gflags) {
                return fail(
                    at,
                    format!(
                        "'{flag}' is not a setting of role '{name}', which takes {}",
                        if role.config == ConfigStyle::Gflags { "gflags" } else { "llama-site.xml properties" }
                    ),
                );
            }
            if let Some(why) = managed.get(flag.as_str()) {
                return fail(at, format!("flag '{flag}' is managed by the registry: {why}"));
            }
        }

        let drain = match (&role.drain, &rs.drain) {
            (None, None) => None,
            (None, Some(_)) => {
                return fail(
                    format!("{field}.drain"),
                    format!("role '{name}' has no graceful shutdown: its daemon stops at once on SIGTERM"),
                );
            }
            (Some(drain), given) => {
                let given = given.clone().unwrap_or_default();
                let grace_period_seconds = given.grace_period_seconds.unwrap_or(drain.grace_period_seconds);
                let deadline_seconds = given.deadline_seconds.unwrap_or(drain.deadline_seconds);
                if grace_period_seconds > deadline_seconds {
                    let at =
                        if given.grace_period_seconds.is_some() { "gracePeriodSeconds" } else { "deadlineSeconds" };
                    return fail(
                        format!("{field}.drain.{at}"),
                        format!("the grace period ({grace_period_seconds} s) must not outlast the deadline ({deadline_seconds} s)"),
                    );
                }
                Some(ClusterDrain { drain, grace_period_seconds, deadline_seconds })
            }
        };
        let image = match self.spec.image.digests.get(name) {
            Some(digest) => format!("{repository}@{digest}"),
            None if role.image.is_empty() => format!("{repository}:{tag}"),
            None => format!("{repository}:{tag}-{}", role.image),
        };
        if !image.contains('@') && image.len() - repository.len() - 1 > 128 {
            return fail(
                "spec.image.tag",
                format!("tag '{tag}-{}' is longer than the 128 characters a tag may have", role.image),
            );
        }
        Ok(ClusterRole {
            role,
            replicas,
            image,
            pull_policy: self.spec.image.pull_policy.unwrap_or(PullPolicy::IfNotPresent),
            resources: rs.resources.clone().unwrap_or_else(|| default_resources(&role.resources)),
            node_selector: rs.node_selector.clone(),
            tolerations: rs.tolerations.clone(),
            affinity: rs.affinity.clone(),
            pod_annotations: rs.pod_annotations.clone(),
            pod_labels: rs.pod_labels.clone(),
            extra_flags: rs.extra_flags.clone(),
            service: ClusterService {
                type_: service_type,
                annotations: svc.annotations.clone(),
                labels: svc.labels.clone(),
                load_balancer_source_ranges: svc.load_balancer_source_ranges.clone(),
                load_balancer_class: svc.load_balancer_class.clone(),
                external_traffic_policy: svc.external_traffic_policy,
            },
            ports,
            drain,
        })
    }
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

    /// The name of a role's external Service, `<release>-<role>`: what clients use.
    pub fn external_service_name(&self, role: &RoleName) -> String {
        format!("{}-{role}", self.release)
    }

    /// The name of a role's cluster-local Service, `<release>-<role>-internal`:
    /// what peers use (ClusterIP for singletons, headless for scalable roles).
    pub fn internal_service_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-internal", self.release)
    }

    /// The name of a role's ingress NetworkPolicy: `<release>-<role>-ingress`.
    pub fn policy_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-ingress", self.release)
    }

    /// The name of a role's egress NetworkPolicy: `<release>-<role>-egress`.
    pub fn egress_policy_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-egress", self.release)
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

    /// The name of a role's own configuration ConfigMap (llama-site.xml).
    pub fn role_config_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-config", self.release)
    }

    /// The name of the release's ServiceAccount.
    pub fn service_account_name(&self) -> String {
        self.release.to_string()
    }

    fn check_names(&self) -> Result<(), SpecError> {
        for role in &self.roles {
            let name = role.name();
            let sts = self.workload_name(name);
            if sts.len() > MAX_STATEFULSET_NAME {
                return fail("metadata.name", format!("release name '{}' makes StatefulSet name '{sts}' {} characters long; at most {MAX_STATEFULSET_NAME} are allowed (its pods' controller-revision-hash label adds 11)", self.release, sts.len()));
            }
            for service in [self.internal_service_name(name), self.external_service_name(name)] {
                if service.len() > 63 {
                    return fail("metadata.name", format!("release name '{}' makes Service name '{service}' {} characters long; Kubernetes allows at most 63", self.release, service.len()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;
    use crate::spec::crd::{EgressSpec, ExternalServiceSpec, ImpalaClusterSpec, NetworkPolicySpec};

    fn spec(edit: impl FnOnce(&mut ClusterSpec)) -> ClusterSpec {
        let mut spec = ClusterSpec::default();
        edit(&mut spec);
        spec
    }

    fn error(edit: impl FnOnce(&mut ClusterSpec)) -> SpecError {
        spec(edit).resolve().unwrap_err()
    }

    fn role<'a>(s: &'a mut ClusterSpec, name: &str) -> &'a mut RoleSpec {
        s.spec.roles.entry(name.to_owned()).or_default()
    }

    #[test]
    fn defaults_resolve() {
        let s = ClusterSpec::default();
        let c = s.resolve().unwrap();
        let names: Vec<_> = c.roles.iter().map(|r| r.name().as_str()).collect();
        assert_eq!(names, ["statestored", "catalogd", "coordinator", "executor"]);
        assert_eq!(c.role("coordinator").unwrap().image, "apache/impala:4.5.0-impalad_coordinator");
        assert_eq!(c.role("executor").unwrap().replicas, 2);
        // admissiond is not running, so it is no peer of the statestore.
        let statestore = &c.role("statestored").unwrap().ports[0];
        assert_eq!(
            statestore.peers.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["coordinator", "executor", "catalogd"]
        );
        assert!(c.network_policy.as_ref().unwrap().egress.is_none());
    }

    #[test]
    fn enable_admissiond() {
        let s = spec(|s| role(s, "admissiond").enabled = Some(true));
        assert!(s.resolve().unwrap().role("admissiond").is_some());
        let e = error(|s| role(s, "catalogd").enabled = Some(false));
        assert_eq!(e.to_string(), "spec.roles.catalogd.enabled: role 'catalogd' is required and cannot be disabled");
        let e = error(|s| role(s, "admissiond").replicas = Some(1));
        assert!(e.message.contains("enabled: true"), "{e}");
    }

    #[test]
    fn replica_counts() {
        let e = error(|s| role(s, "catalogd").replicas = Some(2));
        assert_eq!(
            e.to_string(),
            "spec.roles.catalogd.replicas: role 'catalogd' is a singleton and runs exactly 1 pod, not 2"
        );
        let e = error(|s| role(s, "coordinator").replicas = Some(0));
        assert_eq!(
            e.to_string(),
            "spec.roles.coordinator.replicas: role 'coordinator' runs at least 1 and at most 2147483647 pod(s), not 0"
        );
        let e = error(|s| role(s, "coordinater").replicas = Some(3));
        assert!(e.to_string().contains("'coordinater' is not a role of impala4 (did you mean 'coordinator'?)"), "{e}");
    }

    #[test]
    fn names_and_images() {
        let e = error(|s| s.release = "Impala".into());
        assert!(e.to_string().starts_with("metadata.name: release name 'Impala' is invalid"), "{e}");
        let e = error(|s| s.release = "a".repeat(45));
        assert!(e.message.contains("StatefulSet name"), "{e}");
        assert_eq!(error(|s| s.namespace = "kube_system".into()).field, "metadata.namespace");
        assert_eq!(error(|s| s.spec.image.repository = Some("Apache/Impala".into())).field, "spec.image.repository");
        assert!(spec(|s| s.spec.image.repository = Some("registry.example.com:5000/team/impala".into()))
            .resolve()
            .is_ok());
        assert_eq!(error(|s| s.spec.image.tag = Some("4.5.0+1".into())).field, "spec.image.tag");
        let digest = format!("sha256:{}", "a".repeat(64));
        let s = spec(|s| {
            s.spec.image.digests.insert("catalogd".into(), digest.clone());
        });
        assert_eq!(s.resolve().unwrap().role("catalogd").unwrap().image, format!("apache/impala@{digest}"));
        let e = error(|s| {
            s.spec.image.digests.insert("catalogd".into(), "sha256:abc".into());
        });
        assert!(e.message.contains("'sha256:abc' is not an image digest"), "{e}");
    }

    #[test]
    fn metastore_uris() {
        assert!(spec(|s| s.spec.metastore_uri = Some("thrift://a:9083,thrift://b.example.com:9083".into()))
            .resolve()
            .is_ok());
        for bad in ["hive-metastore:9083", "thrift://hms", "http://hms:9083", ""] {
            assert_eq!(error(|s| s.spec.metastore_uri = Some(bad.into())).field, "spec.metastoreUri", "{bad}");
        }
        let e = error(|s| {
            s.spec.hive_site.insert("hive.metastore.uris".into(), "x".into());
        });
        assert!(e.message.contains("spec.metastoreUri"), "{e}");
    }

    #[test]
    fn port_overrides_and_collisions() {
        let s = spec(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 31050);
        });
        let c = s.resolve().unwrap();
        assert_eq!(
            c.role("coordinator").unwrap().port(&PortName::try_from("hs2").unwrap()).unwrap().number.get(),
            31050
        );
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 21000);
        });
        assert_eq!(e.to_string(), "spec.roles.coordinator.ports.hs2: port 21000 of 'hs2' is already used by port 'beeswax' of role 'coordinator'; every port of a pod needs its own number");
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 70000);
        });
        assert_eq!(
            e.to_string(),
            "spec.roles.coordinator.ports.hs2: port 70000 is out of range: a port is a number from 1 to 65535"
        );
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs3".into(), 1);
        });
        assert!(e.message.contains("no port 'hs3' (did you mean 'hs2'?)"), "{e}");
    }

    #[test]
    fn node_ports() {
        let with = |port: &str, n: i64, type_: ServiceType| {
            spec(|s| {
                let r = role(s, "coordinator");
                r.service.type_ = Some(type_);
                r.service.node_ports.insert(port.into(), n);
            })
        };
        assert!(with("hs2", 30050, ServiceType::NodePort).resolve().is_ok());
        let e = with("hs2", 80, ServiceType::NodePort).resolve().unwrap_err();
        assert!(e.message.contains("outside the node port range 30000-32767"), "{e}");
        let e = with("krpc", 30050, ServiceType::NodePort).resolve().unwrap_err();
        assert!(e.message.contains("internal and never gets a node port"), "{e}");
        let e = with("hs2", 30050, ServiceType::ClusterIP).resolve().unwrap_err();
        assert!(e.message.contains("has no node ports"), "{e}");
        let e = error(|s| {
            for r in ["coordinator", "executor"] {
                let r = role(s, r);
                r.service.type_ = Some(ServiceType::NodePort);
                r.service.node_ports.insert("webui".into(), 30025);
            }
        });
        assert!(
            e.message.contains("node port 30025 is already pinned by spec.roles.coordinator.service.nodePorts.webui"),
            "{e}"
        );
        // An explicit access override is the only way to expose a peer port.
        let s = spec(|s| {
            let r = role(s, "coordinator");
            r.access.insert("krpc".into(), Access::External);
            r.service.type_ = Some(ServiceType::NodePort);
            r.service.node_ports.insert("krpc".into(), 30027);
        });
        assert_eq!(s.resolve().unwrap().role("coordinator").unwrap().ports[3].node_port, Some(30027));
    }

    #[test]
    fn services_never_ignore_a_value() {
        let e = error(|s| role(s, "coordinator").service.load_balancer_source_ranges = vec!["10.0.0.0/8".into()]);
        assert!(e.message.contains("ignores loadBalancerSourceRanges"), "{e}");
        let e = error(|s| {
            let r = role(s, "coordinator");
            r.service = ExternalServiceSpec {
                type_: Some(ServiceType::LoadBalancer),
                load_balancer_source_ranges: vec!["10.0.0.1/8".into()],
                ..Default::default()
            };
        });
        assert!(e.message.contains("did you mean '10.0.0.0/8'?"), "{e}");
        let e = error(|s| role(s, "coordinator").service.external_traffic_policy = Some(TrafficPolicy::Local));
        assert_eq!(e.field, "spec.roles.coordinator.service.externalTrafficPolicy");
    }

    #[test]
    fn extra_flags_never_fight_the_registry() {
        let e = error(|s| {
            role(s, "coordinator").extra_flags.insert("hs2_port".into(), "1".into());
        });
        assert!(e.message.contains("flag 'hs2_port' is managed by the registry: it sets port 'hs2' of role 'coordinator'; set spec.roles.coordinator.ports.hs2 instead"), "{e}");
        let e = error(|s| {
            role(s, "executor").extra_flags.insert("state_store_host".into(), "x".into());
        });
        assert!(e.message.contains("managed by the registry"), "{e}");
        let e = error(|s| {
            role(s, "executor").extra_flags.insert("-mem_limit".into(), "1g".into());
        });
        assert!(e.message.contains("without its leading '-'"), "{e}");
        assert!(spec(|s| {
            role(s, "executor").extra_flags.insert("mem_limit".into(), "3g".into());
        })
        .resolve()
        .is_ok());
    }

    #[test]
    fn network_policy_settings() {
        let e = error(|s| s.spec.network_policy.client_sources = Some(vec![]));
        assert!(e.message.contains("would admit no one"), "{e}");
        let e = error(|s| s.spec.network_policy.egress = EgressSpec { enabled: Some(true), ..Default::default() });
        assert_eq!(e.field, "spec.networkPolicy.egress.metastore");
        let s = spec(|s| {
            s.spec.network_policy.egress = EgressSpec {
                enabled: Some(true),
                metastore: vec![EgressEndpoint { cidr: "10.1.0.0/16".into(), ports: vec![] }],
                storage: vec![EgressEndpoint { cidr: "10.2.0.0/16".into(), ports: vec![443] }],
            }
        });
        let (metastore, storage) = s.resolve().unwrap().network_policy.unwrap().egress.unwrap();
        assert_eq!(metastore[0].ports, [PortNumber::try_from(9083).unwrap()], "the metastore URI's port");
        assert_eq!(storage[0].ports, [PortNumber::try_from(443).unwrap()]);
        let e = error(|s| {
            s.spec.network_policy = NetworkPolicySpec {
                enabled: Some(false),
                client_sources: Some(vec![Default::default()]),
                ..Default::default()
            }
        });
        assert!(e.message.contains("would be ignored"), "{e}");
    }

    #[test]
    fn cdh5_placeholder_and_custom_registry() {
        let s = spec(|s| s.spec.profile = Some(Profile::Cdh5));
        let c = s.resolve().unwrap();
        assert!(c.placeholder_image);
        assert_eq!(c.role("llama").unwrap().image, "impala-k8s.invalid/cdh5-placeholder:cdh5-llama");
        let mut registry = Profile::Impala4.registry().clone();
        registry.ports[3].peers.push(RoleName::try_from("ghost").unwrap());
        let s = ClusterSpec {
            spec: ImpalaClusterSpec { registry: Some(registry), ..Default::default() },
            ..Default::default()
        };
        let e = s.resolve().unwrap_err();
        assert_eq!(e.field, "spec.registry.ports[3].peers[2]");
        assert!(e.message.contains("peer 'ghost'"), "{e}");
    }
}
