//! Kubernetes NetworkPolicy semantics: which policies select a pod, which
//! rules of a direction apply, whether a peer and a port match, and which
//! Services carry a port.

use std::collections::BTreeMap;
use std::str::FromStr;

use ipnet::IpNet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::selectors::{self, Labels};
use super::{Exposure, ListeningPort, Place, PortRef, Ports, Routing, Workload, NAMESPACE_NAME};

/// The direction of a NetworkPolicy rule, as `policyTypes` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// Traffic into the selected pods (`from` peers).
    Ingress,
    /// Traffic out of the selected pods (`to` peers).
    Egress,
}

impl Direction {
    /// The direction as `policyTypes` spells it.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// The objects the analysis reads.
pub(super) struct World<'a> {
    /// The labels of each namespace that holds a workload or a Namespace object.
    pub(super) namespaces: BTreeMap<String, Labels>,
    pub(super) policies: Vec<&'a NetworkPolicy>,
    /// The policies of each namespace (see [`World::index`]).
    pub(super) by_namespace: BTreeMap<String, Vec<&'a NetworkPolicy>>,
    pub(super) services: Vec<&'a Service>,
    /// Ingress paths and HTTPRoute rules: namespace, Service, port (name or number), and the routing.
    pub(super) routes: Vec<(String, String, IntOrString, Routing)>,
}

impl World<'_> {
    /// Indexes the policies by namespace, once they are all in.
    pub(super) fn index(&mut self) {
        for &p in &self.policies {
            self.by_namespace.entry(p.metadata.namespace.clone().unwrap_or_default()).or_default().push(p);
        }
    }

    /// A namespace's labels, with the name label Kubernetes sets on every namespace.
    pub(super) fn labels_of(&self, namespace: &str) -> Labels {
        let mut labels = self.namespaces.get(namespace).cloned().unwrap_or_default();
        labels.insert(NAMESPACE_NAME.to_owned(), namespace.to_owned());
        labels
    }

    /// Where the pods of a workload are.
    pub(super) fn place_of(&self, w: &Workload) -> Place {
        Place::Pod {
            namespace: w.namespace.clone(),
            namespace_labels: self.labels_of(&w.namespace),
            labels: w.labels.clone(),
        }
    }
}

/// True when a policy peer (of a policy in `policy_ns`) covers the endpoint.
pub(super) fn peer_matches(peer: &NetworkPolicyPeer, policy_ns: &str, place: &Place) -> bool {
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
pub(super) type Rule<'a> = (&'a str, Option<&'a Vec<NetworkPolicyPeer>>, Option<&'a Vec<NetworkPolicyPort>>);

/// True when a rule's peer list covers the endpoint; no peers (or an empty
/// list) is every endpoint.
pub(super) fn covers(peers: Option<&Vec<NetworkPolicyPeer>>, policy_ns: &str, place: &Place) -> bool {
    peers.filter(|p| !p.is_empty()).is_none_or(|peers| peers.iter().any(|peer| peer_matches(peer, policy_ns, place)))
}

/// True when a rule's peer list covers every pod of the cluster: no peers,
/// or a peer of every namespace (`namespaceSelector: {}`) and every pod.
pub(super) fn covers_every_pod(peers: Option<&Vec<NetworkPolicyPeer>>) -> bool {
    let everything = |s: &LabelSelector| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && s.match_expressions.as_ref().is_none_or(|m| m.is_empty())
    };
    peers.filter(|p| !p.is_empty()).is_none_or(|peers| {
        peers.iter().any(|peer| {
            peer.ip_block.is_none()
                && peer.namespace_selector.as_ref().is_some_and(everything)
                && peer.pod_selector.as_ref().is_none_or(everything)
        })
    })
}

/// True when a rule's port list covers a container port.
pub(super) fn port_matches(ports: Option<&Vec<NetworkPolicyPort>>, port: &ListeningPort) -> bool {
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
pub(super) fn rule_ports(ports: Option<&Vec<NetworkPolicyPort>>) -> Ports {
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
pub(super) fn has_type(policy: &NetworkPolicy, direction: Direction) -> bool {
    let spec = policy.spec.as_ref();
    match spec.and_then(|s| s.policy_types.as_ref()) {
        Some(types) => types.iter().any(|t| t == direction.as_str()),
        None => direction == Direction::Ingress || spec.is_some_and(|s| s.egress.is_some()),
    }
}

impl World<'_> {
    /// The policies of a type in `namespace` that select its pods with these labels.
    pub(super) fn selecting<'s>(
        &'s self,
        namespace: &'s str,
        labels: &'s Labels,
        direction: Direction,
    ) -> impl Iterator<Item = &'s NetworkPolicy> + 's {
        self.by_namespace.get(namespace).into_iter().flatten().copied().filter(move |p| {
            has_type(p, direction)
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
    pub(super) fn rules<'s>(&'s self, place: &'s Place, direction: Direction) -> Option<Vec<Rule<'s>>> {
        let Place::Pod { namespace, labels, .. } = place else { return None };
        let mut rules = Vec::new();
        let mut selected = false;
        for p in self.selecting(namespace, labels, direction) {
            selected = true;
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            let spec = p.spec.as_ref();
            if direction == Direction::Ingress {
                let ingress = spec.and_then(|s| s.ingress.as_ref()).into_iter().flatten();
                rules.extend(ingress.map(|r| (ns, r.from.as_ref(), r.ports.as_ref())));
            } else {
                let egress = spec.and_then(|s| s.egress.as_ref()).into_iter().flatten();
                rules.extend(egress.map(|r| (ns, r.to.as_ref(), r.ports.as_ref())));
            }
        }
        selected.then_some(rules)
    }
}

/// True when the rules of one direction of a pod (`None`: no policy of
/// that direction selects it, so it is open) admit `other` on `port`.
pub(super) fn admitted(rules: Option<&[Rule<'_>]>, other: &Place, port: &ListeningPort) -> bool {
    rules.is_none_or(|rules| {
        rules.iter().any(|&(ns, peers, ports)| covers(peers, ns, other) && port_matches(ports, port))
    })
}

impl World<'_> {
    /// The ports a pod at `src` may connect to at an endpoint that is not one
    /// of the roles (whose ports are unknown here).
    pub(super) fn egress_ports(&self, src: &Place, dst: &Place) -> Ports {
        let Some(rules) = self.rules(src, Direction::Egress) else { return Ports::All };
        let mut ports = Ports::none();
        for (ns, peers, rule_ports_) in rules {
            if covers(peers, ns, dst) {
                ports.union(rule_ports(rule_ports_));
            }
        }
        ports
    }

    /// The Ingress paths and HTTPRoute rules of the namespace that lead to
    /// one of these Service ports.
    pub(super) fn routings(&self, namespace: &str, exposures: &[Exposure]) -> Vec<Routing> {
        let leads_to = |service: &str, port: &IntOrString| {
            exposures.iter().any(|x| {
                x.service == service
                    && match port {
                        IntOrString::Int(n) => *n == x.port,
                        IntOrString::String(name) => x.port_name.as_deref() == Some(name),
                    }
            })
        };
        self.routes
            .iter()
            .filter(|(ns, service, port, _)| ns == namespace && leads_to(service, port))
            .map(|(.., routing)| routing.clone())
            .collect()
    }

    /// The Services of the namespace that select the pods with these labels.
    pub(super) fn services_selecting(&self, namespace: &str, labels: &Labels) -> Vec<&Service> {
        self.services
            .iter()
            .copied()
            .filter(|service| {
                service.metadata.namespace.as_deref() == Some(namespace)
                    && service
                        .spec
                        .as_ref()
                        .and_then(|s| s.selector.as_ref())
                        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels.get(k) == Some(v)))
            })
            .collect()
    }

    /// The ports of `services` (those that select a pod) that carry its `port`.
    pub(super) fn exposures(services: &[&Service], port: &ListeningPort) -> Vec<Exposure> {
        let mut found = Vec::new();
        for service in services {
            let Some(spec) = &service.spec else { continue };
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
                        port_name: sp.name.clone(),
                    });
                }
            }
        }
        found
    }
}
