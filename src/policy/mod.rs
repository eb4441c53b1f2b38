//! Reachability: who can reach which port of one or more releases, computed from the
//! generated objects themselves (StatefulSets and their container ports,
//! Services, Namespaces and NetworkPolicies) with Kubernetes NetworkPolicy
//! semantics. Nothing here reads the registry: the analysis checks the
//! builders' output, it does not restate their input.
//!
//! The world is modelled by representative endpoints: each role of each
//! release; another pod of each namespace; a pod of another namespace; pods
//! that a policy peer names (a namespace or pod selector no other endpoint
//! satisfies); each CIDR that a policy names; and any other address outside
//! the cluster. Like the Kubernetes documentation, the analysis treats
//! `ipBlock` peers as addresses outside the cluster, never as pods.

pub mod selectors;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use ipnet::IpNet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::builders::Object;
use selectors::Labels;

/// The label that names a pod's role.
const COMPONENT: &str = "app.kubernetes.io/component";
/// The label that names a pod's release.
const INSTANCE: &str = "app.kubernetes.io/instance";
/// The label Kubernetes puts on every namespace, holding its name.
const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";
/// A namespace name no selector can name (it is not a valid label value).
const SOME_OTHER_NAMESPACE: &str = "(another namespace)";

/// What an endpoint stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// The pods of one role of a release.
    Role,
    /// Any other pod of a namespace that holds a release.
    OtherPods,
    /// Any pod of another namespace.
    OtherNamespaces,
    /// The pods a NetworkPolicy peer selects, which no endpoint above stands for.
    Selected,
    /// The addresses of a CIDR a NetworkPolicy names (except those of smaller
    /// CIDRs named too, which are endpoints of their own).
    Cidr,
    /// Any other address outside the cluster.
    Anywhere,
}

/// Where an endpoint is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A pod of a namespace.
    Pod { namespace: String, namespace_labels: Labels, labels: Labels },
    /// Addresses outside the cluster: a CIDR, or any other address (`None`).
    Address(Option<IpNet>),
}

/// A source or destination of traffic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Endpoint {
    /// A stable identifier: the role name (`namespace/release/role` for
    /// several releases), `other-pods` (`other-pods:NAMESPACE` for several
    /// namespaces), `other-namespaces`, `namespace:NAME`, `pods:SELECTOR`, a
    /// CIDR, or `anywhere`.
    pub id: String,
    /// What a person reads.
    pub label: String,
    /// What it stands for.
    pub kind: EndpointKind,
    #[serde(skip)]
    place: Place,
}

impl Endpoint {
    /// True for the pods of the roles and other pods in the cluster.
    pub fn is_pod(&self) -> bool {
        matches!(self.place, Place::Pod { .. })
    }

    /// The namespace of a pod endpoint.
    pub fn namespace(&self) -> Option<&str> {
        match &self.place {
            Place::Pod { namespace, .. } => Some(namespace),
            Place::Address(_) => None,
        }
    }
}

/// A port a role's container declares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListeningPort {
    /// The containerPort's name.
    pub name: String,
    /// Its number.
    pub number: u16,
    /// Its protocol (`TCP`).
    pub protocol: String,
}

/// One or more ports of one protocol, as a NetworkPolicy names them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PortRef {
    /// A port number or a range of them.
    Numbers {
        /// The first port.
        from: u16,
        /// The last port (equal to `from` for one port).
        to: u16,
        /// The protocol.
        protocol: String,
    },
    /// A named container port.
    Named {
        /// The name.
        name: String,
        /// The protocol.
        protocol: String,
    },
    /// Every port of a protocol.
    Every {
        /// The protocol.
        protocol: String,
    },
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Numbers { from, to, protocol } if from == to => write!(f, "{from}/{protocol}"),
            PortRef::Numbers { from, to, protocol } => write!(f, "{from}-{to}/{protocol}"),
            PortRef::Named { name, protocol } => write!(f, "{name}/{protocol}"),
            PortRef::Every { protocol } => write!(f, "every {protocol} port"),
        }
    }
}

impl serde::Serialize for PortRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The ports a rule admits: every port, or some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    /// Every port of every protocol.
    All,
    /// These ports.
    Only(BTreeSet<PortRef>),
}

impl Ports {
    fn none() -> Self {
        Ports::Only(BTreeSet::new())
    }

    /// True when no port is admitted.
    pub fn is_empty(&self) -> bool {
        matches!(self, Ports::Only(p) if p.is_empty())
    }

    fn union(&mut self, other: Ports) {
        match (&mut *self, other) {
            (Ports::All, _) => {}
            (_, Ports::All) => *self = Ports::All,
            (Ports::Only(a), Ports::Only(b)) => a.extend(b),
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::All => f.write_str("every port"),
            Ports::Only(ports) => {
                let list: Vec<String> = ports.iter().map(ToString::to_string).collect();
                f.write_str(&list.join(", "))
            }
        }
    }
}

impl serde::Serialize for Ports {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Ports::All => serializer.serialize_str("all"),
            Ports::Only(ports) => serializer.collect_seq(ports),
        }
    }
}

/// A Service that carries a role's port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// The Service's name.
    pub service: String,
    /// Its type (`ClusterIP`, `NodePort`, `LoadBalancer`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The Service port.
    pub port: i32,
    /// The node port, when one is fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
    /// `loadBalancerSourceRanges`: the only client addresses a load balancer admits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_ranges: Vec<String>,
}

impl Exposure {
    /// True when the Service opens the port outside the cluster.
    pub fn is_external(&self) -> bool {
        self.type_ == "NodePort" || self.type_ == "LoadBalancer"
    }

    /// True when clients at these addresses get through the load balancer's
    /// source ranges (always true without ranges).
    fn admits(&self, address: Option<&IpNet>) -> bool {
        self.source_ranges.is_empty()
            || self.source_ranges.iter().filter_map(|r| IpNet::from_str(r).ok()).any(|range| match address {
                Some(net) => range.contains(net),
                None => range.prefix_len() == 0,
            })
    }
}

/// Who reaches one port of one role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortReach {
    /// The role.
    pub role: String,
    /// The port.
    #[serde(flatten)]
    pub port: ListeningPort,
    /// Every endpoint the NetworkPolicies let through (their ids), pods and
    /// addresses alike, whatever the Services.
    pub from: Vec<String>,
    /// The Services that carry the port.
    pub exposed_by: Vec<Exposure>,
    /// The addresses outside the cluster that actually reach the port: through
    /// a NodePort or LoadBalancer Service and admitted by the NetworkPolicies
    /// and the load balancer's source ranges.
    pub from_outside: Vec<String>,
}

/// Where one role's pods may open connections.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressReach {
    /// The role.
    pub role: String,
    /// True when an egress NetworkPolicy selects the role's pods.
    pub restricted: bool,
    /// Per endpoint (by id), the ports the role's pods may connect to;
    /// endpoints they cannot reach at all are left out.
    pub to: Vec<EgressTarget>,
}

/// The ports a role may connect to at one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EgressTarget {
    /// The endpoint's id.
    pub endpoint: String,
    /// The ports.
    pub ports: Ports,
}

/// A role's workload as the analysis sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Workload {
    /// Its endpoint id: the role, or `namespace/release/role` when the
    /// objects hold several releases.
    pub id: String,
    /// The role (its `app.kubernetes.io/component` label).
    pub role: String,
    /// The release (its `app.kubernetes.io/instance` label).
    pub release: String,
    /// The StatefulSet's namespace.
    pub namespace: String,
    /// The StatefulSet's name.
    pub name: String,
    /// Its pod count.
    pub replicas: i32,
    /// Its containers' ports.
    pub ports: Vec<ListeningPort>,
    #[serde(skip)]
    labels: Labels,
}

/// The reachability of one or more releases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// The namespaces of the workloads, sorted.
    pub namespaces: Vec<String>,
    /// How many NetworkPolicies the objects hold.
    pub network_policies: usize,
    /// The roles, by namespace and StatefulSet name.
    pub workloads: Vec<Workload>,
    /// Every endpoint: the roles first, then the others.
    pub endpoints: Vec<Endpoint>,
    /// Per role and port, who reaches it.
    pub ingress: Vec<PortReach>,
    /// Per role, where it may connect.
    pub egress: Vec<EgressReach>,
}

impl Analysis {
    /// The endpoint with this id.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == id)
    }
}

/// The objects the analysis reads.
struct World<'a> {
    /// The labels of each namespace that holds a workload or a Namespace object.
    namespaces: BTreeMap<String, Labels>,
    policies: Vec<&'a NetworkPolicy>,
    services: Vec<&'a Service>,
}

impl World<'_> {
    /// A namespace's labels, with the name label Kubernetes sets on every namespace.
    fn labels_of(&self, namespace: &str) -> Labels {
        let mut labels = self.namespaces.get(namespace).cloned().unwrap_or_default();
        labels.insert(NAMESPACE_NAME.to_owned(), namespace.to_owned());
        labels
    }

    /// Where the pods of a workload are.
    fn place_of(&self, w: &Workload) -> Place {
        Place::Pod {
            namespace: w.namespace.clone(),
            namespace_labels: self.labels_of(&w.namespace),
            labels: w.labels.clone(),
        }
    }
}

/// Computes who reaches which port of the releases the objects make up.
pub fn analyze(objects: &[Object]) -> Analysis {
    let mut world = World { namespaces: BTreeMap::new(), policies: vec![], services: vec![] };
    let mut workloads = Vec::new();
    for object in objects {
        match object {
            Object::NetworkPolicy(p) => world.policies.push(p),
            Object::Service(s) => world.services.push(s),
            Object::StatefulSet(sts) => workloads.push(workload(sts)),
            Object::Namespace(ns) => {
                let name = ns.metadata.name.clone().unwrap_or_default();
                world.namespaces.insert(name, ns.metadata.labels.clone().unwrap_or_default());
            }
            _ => {}
        }
    }
    workloads.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let releases: BTreeSet<(&str, &str)> =
        workloads.iter().map(|w| (w.namespace.as_str(), w.release.as_str())).collect();
    if releases.len() > 1 {
        for w in &mut workloads {
            w.id = format!("{}/{}/{}", w.namespace, w.release, w.role);
        }
    }
    let namespaces: Vec<String> =
        workloads.iter().map(|w| w.namespace.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    for ns in &namespaces {
        world.namespaces.entry(ns.clone()).or_default();
    }
    let endpoints = endpoints(&world, &workloads, &namespaces);

    let mut ingress = Vec::new();
    for dst in &workloads {
        let dst_place = world.place_of(dst);
        for port in &dst.ports {
            let from: Vec<&Endpoint> =
                endpoints.iter().filter(|src| world.connects(&src.place, &dst_place, port)).collect();
            let exposed_by = world.exposures(&dst.namespace, &dst.labels, port);
            let from_outside = from
                .iter()
                .filter_map(|e| match &e.place {
                    Place::Address(net) => {
                        exposed_by.iter().any(|x| x.is_external() && x.admits(net.as_ref())).then(|| e.id.clone())
                    }
                    Place::Pod { .. } => None,
                })
                .collect();
            ingress.push(PortReach {
                role: dst.id.clone(),
                port: port.clone(),
                from: from.iter().map(|e| e.id.clone()).collect(),
                exposed_by,
                from_outside,
            });
        }
    }

    let egress = workloads
        .iter()
        .map(|src| {
            let src_place = world.place_of(src);
            let restricted = world.selecting(&src.namespace, &src.labels, "Egress").next().is_some();
            let to = endpoints
                .iter()
                .filter_map(|dst| {
                    let ports = match workloads.iter().find(|w| w.id == dst.id && dst.kind == EndpointKind::Role) {
                        Some(w) => Ports::Only(
                            w.ports
                                .iter()
                                .filter(|p| world.connects(&src_place, &dst.place, p))
                                .map(|p| PortRef::Numbers {
                                    from: p.number,
                                    to: p.number,
                                    protocol: p.protocol.clone(),
                                })
                                .collect(),
                        ),
                        None => world.egress_ports(&src_place, &dst.place),
                    };
                    (!ports.is_empty()).then(|| EgressTarget { endpoint: dst.id.clone(), ports })
                })
                .collect();
            EgressReach { role: src.id.clone(), restricted, to }
        })
        .collect();

    Analysis { namespaces, network_policies: world.policies.len(), workloads, endpoints, ingress, egress }
}

fn workload(sts: &k8s_openapi::api::apps::v1::StatefulSet) -> Workload {
    let spec = sts.spec.as_ref();
    let template = spec.map(|s| &s.template);
    let labels = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    let name = sts.metadata.name.clone().unwrap_or_default();
    let ports = template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.iter().flat_map(|c| c.ports.iter().flatten()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|p| ListeningPort {
            name: p.name.clone().unwrap_or_default(),
            number: u16::try_from(p.container_port).unwrap_or_default(),
            protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_owned()),
        })
        .collect::<Vec<_>>();
    let mut ports = ports;
    ports.sort_by(|a, b| (a.number, &a.protocol).cmp(&(b.number, &b.protocol)));
    let role = labels.get(COMPONENT).cloned().unwrap_or_else(|| name.clone());
    Workload {
        id: role.clone(),
        role,
        release: labels.get(INSTANCE).cloned().unwrap_or_default(),
        namespace: sts.metadata.namespace.clone().unwrap_or_default(),
        name,
        replicas: spec.and_then(|s| s.replicas).unwrap_or(1),
        ports,
        labels,
    }
}

/// The representative endpoints: roles, the other pods of each namespace,
/// other namespaces, the pods and CIDRs policies name, and any other address.
fn endpoints(world: &World, workloads: &[Workload], namespaces: &[String]) -> Vec<Endpoint> {
    let pod = |namespace: &str, namespace_labels: Labels, labels: Labels| Place::Pod {
        namespace: namespace.to_owned(),
        namespace_labels,
        labels,
    };
    let mut list: Vec<Endpoint> = workloads
        .iter()
        .map(|w| Endpoint { id: w.id.clone(), label: w.id.clone(), kind: EndpointKind::Role, place: world.place_of(w) })
        .collect();
    for ns in namespaces {
        list.push(Endpoint {
            id: if namespaces.len() == 1 { "other-pods".into() } else { format!("other-pods:{ns}") },
            label: format!("other pods of {ns}"),
            kind: EndpointKind::OtherPods,
            place: pod(ns, world.labels_of(ns), Labels::new()),
        });
    }
    let other_ns = Labels::from([(NAMESPACE_NAME.to_owned(), SOME_OTHER_NAMESPACE.to_owned())]);
    list.push(Endpoint {
        id: "other-namespaces".into(),
        label: "pods of other namespaces".into(),
        kind: EndpointKind::OtherNamespaces,
        place: pod(SOME_OTHER_NAMESPACE, other_ns, Labels::new()),
    });

    let mut selected = Vec::new();
    let mut cidrs = BTreeSet::new();
    for policy in &world.policies {
        let policy_ns = policy.metadata.namespace.as_deref().unwrap_or_default();
        let spec = policy.spec.as_ref();
        let peers = spec
            .into_iter()
            .flat_map(|s| s.ingress.iter().flatten().flat_map(|r| r.from.iter().flatten()))
            .chain(spec.into_iter().flat_map(|s| s.egress.iter().flatten().flat_map(|r| r.to.iter().flatten())));
        for peer in peers {
            if let Some(block) = &peer.ip_block {
                for cidr in std::iter::once(&block.cidr).chain(block.except.iter().flatten()) {
                    if let Ok(net) = IpNet::from_str(cidr) {
                        if net.prefix_len() > 0 {
                            cidrs.insert(net.trunc());
                        }
                    }
                }
                continue;
            }
            if list.iter().chain(&selected).any(|e| peer_matches(peer, policy_ns, &e.place)) {
                continue;
            }
            if let Some(endpoint) = selected_endpoint(peer, policy_ns, world) {
                selected.push(endpoint);
            }
        }
    }
    list.extend(selected);
    list.extend(cidrs.into_iter().map(|net| Endpoint {
        id: net.to_string(),
        label: net.to_string(),
        kind: EndpointKind::Cidr,
        place: Place::Address(Some(net)),
    }));
    list.push(Endpoint {
        id: "anywhere".into(),
        label: "any other address".into(),
        kind: EndpointKind::Anywhere,
        place: Place::Address(None),
    });
    list
}

/// A pod standing for what a peer selects, or `None` when nothing can satisfy it.
fn selected_endpoint(peer: &NetworkPolicyPeer, policy_ns: &str, world: &World) -> Option<Endpoint> {
    let pods = peer.pod_selector.clone().unwrap_or_default();
    let labels = selectors::satisfying(&pods)?;
    let pods_text =
        if selectors::is_empty(&pods) { "pods".to_owned() } else { format!("pods {}", selectors::describe(&pods)) };
    let (namespace, namespace_labels, label, id) = match &peer.namespace_selector {
        None => {
            let labels = world.labels_of(policy_ns);
            (
                policy_ns.to_owned(),
                labels,
                format!("{pods_text} of {policy_ns}"),
                format!("pods:{}", selectors::describe(&pods)),
            )
        }
        Some(selector) => {
            let mut ns_labels = selectors::satisfying(selector)?;
            let name = ns_labels.get(NAMESPACE_NAME).cloned().unwrap_or_else(|| SOME_OTHER_NAMESPACE.to_owned());
            ns_labels.insert(NAMESPACE_NAME.to_owned(), name.clone());
            if !selectors::matches(selector, &ns_labels) {
                return None;
            }
            let by_name_only = selector.match_expressions.as_ref().is_none_or(Vec::is_empty)
                && selector.match_labels.as_ref().is_some_and(|l| l.len() == 1 && l.contains_key(NAMESPACE_NAME));
            let ns_text = if by_name_only {
                format!("namespace {name}")
            } else {
                format!("namespaces {}", selectors::describe(selector))
            };
            let id = match (by_name_only, selectors::is_empty(&pods)) {
                (true, true) => format!("namespace:{name}"),
                _ => format!("pods:{}@{}", selectors::describe(&pods), selectors::describe(selector)),
            };
            let label = if selectors::is_empty(&pods) {
                format!("pods of {ns_text}")
            } else {
                format!("{pods_text} of {ns_text}")
            };
            (name, ns_labels, label, id)
        }
    };
    Some(Endpoint {
        id,
        label,
        kind: EndpointKind::Selected,
        place: Place::Pod { namespace, namespace_labels, labels },
    })
}

/// True when a policy peer (of a policy in `policy_ns`) covers the endpoint.
fn peer_matches(peer: &NetworkPolicyPeer, policy_ns: &str, place: &Place) -> bool {
    match (place, &peer.ip_block) {
        (Place::Address(address), Some(block)) => {
            let Ok(cidr) = IpNet::from_str(&block.cidr) else { return false };
            let excepts: Vec<IpNet> = block.except.iter().flatten().filter_map(|e| IpNet::from_str(e).ok()).collect();
            match address {
                // A CIDR endpoint stands for its addresses outside any smaller CIDR
                // named (an except is named, so it is an endpoint of its own).
                Some(net) => cidr.contains(net) && !excepts.iter().any(|x| x.contains(net)),
                // Any other address: one that no CIDR names, excepts included.
                None => cidr.prefix_len() == 0,
            }
        }
        (Place::Pod { namespace, namespace_labels, labels }, None) => {
            let in_namespace = match &peer.namespace_selector {
                Some(selector) => selectors::matches(selector, namespace_labels),
                None => namespace == policy_ns,
            };
            let pod = peer.pod_selector.as_ref().is_none_or(|s| selectors::matches(s, labels));
            in_namespace && pod && (peer.namespace_selector.is_some() || peer.pod_selector.is_some())
        }
        _ => false,
    }
}

/// A NetworkPolicy rule: its policy's namespace, its peers and its ports.
type Rule<'a> = (&'a str, Option<&'a Vec<NetworkPolicyPeer>>, Option<&'a Vec<NetworkPolicyPort>>);

/// True when a rule's peer list covers the endpoint; no peers (or an empty
/// list) is every endpoint.
fn covers(peers: Option<&Vec<NetworkPolicyPeer>>, policy_ns: &str, place: &Place) -> bool {
    peers.filter(|p| !p.is_empty()).is_none_or(|peers| peers.iter().any(|peer| peer_matches(peer, policy_ns, place)))
}

/// True when a rule's port list covers a container port.
fn port_matches(ports: Option<&Vec<NetworkPolicyPort>>, port: &ListeningPort) -> bool {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else { return true };
    ports.iter().any(|p| {
        let protocol = p.protocol.as_deref().unwrap_or("TCP");
        protocol == port.protocol
            && match &p.port {
                None => true,
                Some(IntOrString::Int(n)) => {
                    let end = p.end_port.unwrap_or(*n);
                    (*n..=end).contains(&i32::from(port.number))
                }
                Some(IntOrString::String(name)) => *name == port.name,
            }
    })
}

/// A rule's port list as [`Ports`].
fn rule_ports(ports: Option<&Vec<NetworkPolicyPort>>) -> Ports {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else { return Ports::All };
    Ports::Only(
        ports
            .iter()
            .map(|p| {
                let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
                match &p.port {
                    None => PortRef::Every { protocol },
                    Some(IntOrString::Int(n)) => {
                        let from = u16::try_from(*n).unwrap_or_default();
                        let to = p.end_port.map_or(from, |e| u16::try_from(e).unwrap_or_default());
                        PortRef::Numbers { from, to, protocol }
                    }
                    Some(IntOrString::String(name)) => PortRef::Named { name: name.clone(), protocol },
                }
            })
            .collect(),
    )
}

/// The policy types a policy carries: as given, or by the API's default
/// (Ingress always, Egress when it has egress rules).
fn has_type(policy: &NetworkPolicy, type_: &str) -> bool {
    let spec = policy.spec.as_ref();
    match spec.and_then(|s| s.policy_types.as_ref()) {
        Some(types) => types.iter().any(|t| t == type_),
        None => type_ == "Ingress" || spec.is_some_and(|s| s.egress.is_some()),
    }
}

impl World<'_> {
    /// The policies of a type in `namespace` that select its pods with these labels.
    fn selecting<'s>(
        &'s self,
        namespace: &'s str,
        labels: &'s Labels,
        type_: &'s str,
    ) -> impl Iterator<Item = &'s NetworkPolicy> + 's {
        self.policies.iter().copied().filter(move |p| {
            p.metadata.namespace.as_deref() == Some(namespace)
                && has_type(p, type_)
                && selectors::matches(
                    p.spec.as_ref().and_then(|s| s.pod_selector.as_ref()).unwrap_or(&LabelSelector::default()),
                    labels,
                )
        })
    }

    /// The rules of one direction (`Ingress` or `Egress`) of the policies
    /// that select the pod at `place`, each as (its policy's namespace, its
    /// peers, its ports); `None` when no such policy selects the pod (or the
    /// place is an address), which leaves that direction open.
    fn rules<'s>(&'s self, place: &'s Place, type_: &'s str) -> Option<Vec<Rule<'s>>> {
        let Place::Pod { namespace, labels, .. } = place else { return None };
        let mut rules = Vec::new();
        let mut selected = false;
        for p in self.selecting(namespace, labels, type_) {
            selected = true;
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            let spec = p.spec.as_ref();
            if type_ == "Ingress" {
                let ingress = spec.and_then(|s| s.ingress.as_ref()).into_iter().flatten();
                rules.extend(ingress.map(|r| (ns, r.from.as_ref(), r.ports.as_ref())));
            } else {
                let egress = spec.and_then(|s| s.egress.as_ref()).into_iter().flatten();
                rules.extend(egress.map(|r| (ns, r.to.as_ref(), r.ports.as_ref())));
            }
        }
        selected.then_some(rules)
    }

    /// True when a direction of the pod at `place` admits `other` on `port`.
    fn admits(&self, place: &Place, type_: &str, other: &Place, port: &ListeningPort) -> bool {
        self.rules(place, type_).is_none_or(|rules| {
            rules.iter().any(|&(ns, peers, ports)| covers(peers, ns, other) && port_matches(ports, port))
        })
    }

    /// True when `src` may open a connection to the pod at `dst` on `port`:
    /// `src`'s egress policies let it out and `dst`'s ingress policies let it in.
    fn connects(&self, src: &Place, dst: &Place, port: &ListeningPort) -> bool {
        self.admits(src, "Egress", dst, port) && self.admits(dst, "Ingress", src, port)
    }

    /// The ports a pod at `src` may connect to at an endpoint that is not one
    /// of the roles (whose ports are unknown here).
    fn egress_ports(&self, src: &Place, dst: &Place) -> Ports {
        let Some(rules) = self.rules(src, "Egress") else { return Ports::All };
        let mut ports = Ports::none();
        for (ns, peers, rule_ports_) in rules {
            if covers(peers, ns, dst) {
                ports.union(rule_ports(rule_ports_));
            }
        }
        ports
    }

    /// The Services of the namespace that select the pods and carry the port.
    fn exposures(&self, namespace: &str, labels: &Labels, port: &ListeningPort) -> Vec<Exposure> {
        let mut found = Vec::new();
        for service in &self.services {
            let Some(spec) = &service.spec else { continue };
            let selects = spec
                .selector
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels.get(k) == Some(v)));
            if service.metadata.namespace.as_deref() != Some(namespace) || !selects {
                continue;
            }
            for sp in spec.ports.iter().flatten() {
                let target = match &sp.target_port {
                    None => sp.port == i32::from(port.number),
                    Some(IntOrString::Int(n)) => *n == i32::from(port.number),
                    Some(IntOrString::String(name)) => *name == port.name,
                };
                if target && sp.protocol.as_deref().unwrap_or("TCP") == port.protocol {
                    found.push(Exposure {
                        service: service.metadata.name.clone().unwrap_or_default(),
                        type_: spec.type_.clone().unwrap_or_else(|| "ClusterIP".to_owned()),
                        port: sp.port,
                        node_port: sp.node_port,
                        source_ranges: spec.load_balancer_source_ranges.clone().unwrap_or_default(),
                    });
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests;
