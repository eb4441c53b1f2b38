//! Kubernetes NetworkPolicy semantics: which policies select a pod, which
//! rules of a direction apply, whether a peer and a port match, and which
//! Services carry a port.

use std::collections::{BTreeMap, HashMap};
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
pub(super) struct Rule<'a> {
    /// The policy's namespace.
    pub ns: &'a str,
    /// The rule's peers (`from` or `to`).
    pub peers: Option<&'a Vec<NetworkPolicyPeer>>,
    /// The rule's ports.
    pub ports: Option<&'a Vec<NetworkPolicyPort>>,
}

impl Rule<'_> {
    /// True when the rule's port list covers a container port.
    pub(super) fn matches(&self, port: &ListeningPort) -> bool {
        port_matches(self.ports, port)
    }
}

/// Rules indexed by the ports they list, numbered in the order given: which
/// of them match a port is a lookup however many rules there are (the
/// policies impala-k8s writes have a rule per port of a role).
pub(super) struct RulesByPort<'x, 'r> {
    /// The rules.
    rules: Vec<&'x Rule<'r>>,
    /// The rules that list a port number, by protocol and number.
    numbers: HashMap<(&'r str, i32), Vec<usize>>,
    /// The rules that list a port name, by protocol and name.
    names: HashMap<(&'r str, &'r str), Vec<usize>>,
    /// The rules that match every port, a protocol's ports or a range: each checked.
    others: Vec<usize>,
}

impl<'x, 'r> RulesByPort<'x, 'r> {
    /// The index of `rules`.
    pub(super) fn new(rules: impl IntoIterator<Item = &'x Rule<'r>>) -> Self {
        let rules: Vec<&'x Rule<'r>> = rules.into_iter().collect();
        let (mut numbers, mut names, mut others) = (HashMap::new(), HashMap::new(), Vec::new());
        for (i, rule) in rules.iter().enumerate() {
            let listed = rule.ports.filter(|p| !p.is_empty());
            // Only single numbers and names are indexed.
            let single = |p: &NetworkPolicyPort| match &p.port {
                Some(IntOrString::Int(n)) => p.end_port.is_none_or(|end| end == *n),
                Some(IntOrString::String(_)) => true,
                None => false,
            };
            let Some(ports) = listed.filter(|ports| ports.iter().all(single)) else {
                others.push(i);
                continue;
            };
            for p in ports {
                let protocol = p.protocol.as_deref().unwrap_or("TCP");
                match &p.port {
                    Some(IntOrString::Int(n)) => numbers.entry((protocol, *n)).or_insert_with(Vec::new).push(i),
                    Some(IntOrString::String(name)) => {
                        names.entry((protocol, name.as_str())).or_insert_with(Vec::new).push(i)
                    }
                    None => unreachable!("a port without a number or name is not indexed"),
                }
            }
        }
        RulesByPort { rules, numbers, names, others }
    }

    /// The numbers of the rules that match `port`, in order.
    pub(super) fn matching(&self, port: &ListeningPort) -> Vec<usize> {
        let protocol = port.protocol.as_str();
        let mut found: Vec<usize> = self.others.iter().copied().filter(|&i| self.rules[i].matches(port)).collect();
        found.extend(self.numbers.get(&(protocol, i32::from(port.number))).into_iter().flatten());
        found.extend(self.names.get(&(protocol, port.name.as_str())).into_iter().flatten());
        found.sort_unstable();
        found.dedup();
        found
    }

    /// True when one of the rules matches `port`.
    pub(super) fn any(&self, port: &ListeningPort) -> bool {
        let protocol = port.protocol.as_str();
        self.numbers.contains_key(&(protocol, i32::from(port.number)))
            || self.names.contains_key(&(protocol, port.name.as_str()))
            || self.others.iter().any(|&i| self.rules[i].matches(port))
    }
}

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
                rules.extend(ingress.map(|r| Rule { ns, peers: r.from.as_ref(), ports: r.ports.as_ref() }));
            } else {
                let egress = spec.and_then(|s| s.egress.as_ref()).into_iter().flatten();
                rules.extend(egress.map(|r| Rule { ns, peers: r.to.as_ref(), ports: r.ports.as_ref() }));
            }
        }
        selected.then_some(rules)
    }
}

impl World<'_> {
    /// The ports a pod at `src` may connect to at an endpoint that is not one
    /// of the roles (whose ports are unknown here).
    pub(super) fn egress_ports(&self, src: &Place, dst: &Place) -> Ports {
        let Some(rules) = self.rules(src, Direction::Egress) else { return Ports::All };
        let mut ports = Ports::none();
        for rule in rules {
            if covers(rule.peers, rule.ns, dst) {
                ports.union(rule_ports(rule.ports));
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

    /// The ports of `services` indexed by the container port they lead to
    /// (a number, or a name), each once: a role's ports are then looked up,
    /// not each compared with every Service port.
    pub(super) fn exposures(services: &[&Service]) -> Exposures {
        let mut index = Exposures::default();
        for service in services {
            let Some(spec) = &service.spec else { continue };
            for sp in spec.ports.iter().flatten() {
                let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
                let target = match &sp.target_port {
                    None => Target::Number(sp.port),
                    Some(IntOrString::Int(n)) => Target::Number(*n),
                    Some(IntOrString::String(name)) => Target::Name(name.clone()),
                };
                let exposure = Exposure {
                    service: service.metadata.name.clone().unwrap_or_default(),
                    type_: spec.type_.clone().unwrap_or_else(|| "ClusterIP".to_owned()),
                    port: sp.port,
                    node_port: sp.node_port,
                    source_ranges: spec.load_balancer_source_ranges.clone().unwrap_or_default(),
                    port_name: sp.name.clone(),
                };
                let order = index.count;
                index.count += 1;
                index.by_target.entry((protocol, target)).or_default().push((order, exposure));
            }
        }
        index
    }
}

/// What a Service port sends to: a container port's number or name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Number(i32),
    Name(String),
}

/// Service ports by protocol and target, each with its place among them.
#[derive(Debug, Default)]
pub(super) struct Exposures {
    by_target: std::collections::HashMap<(String, Target), Vec<(usize, Exposure)>>,
    count: usize,
}

impl Exposures {
    /// The Service ports that lead to a container port, in the Services' order.
    pub(super) fn of(&self, port: &ListeningPort) -> Vec<Exposure> {
        let protocol = port.protocol.clone();
        let mut found: Vec<&(usize, Exposure)> =
            [Target::Number(i32::from(port.number)), Target::Name(port.name.clone())]
                .into_iter()
                .filter_map(|target| self.by_target.get(&(protocol.clone(), target)))
                .flatten()
                .collect();
        found.sort_by_key(|(order, _)| *order);
        found.into_iter().map(|(_, x)| x.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_index_answers_as_the_port_list() {
        let port = |protocol: &str, port: Option<IntOrString>, end_port: Option<i32>| NetworkPolicyPort {
            protocol: Some(protocol.to_owned()),
            port,
            end_port,
        };
        let lists = [
            vec![],
            vec![port("TCP", Some(IntOrString::Int(21050)), None)],
            vec![
                port("UDP", Some(IntOrString::Int(21050)), None),
                port("TCP", Some(IntOrString::String("hs2".into())), None),
            ],
            vec![port("TCP", Some(IntOrString::Int(21000)), Some(21050))],
            vec![port("TCP", Some(IntOrString::Int(21050)), Some(21000))],
            vec![port("SCTP", None, None)],
            vec![NetworkPolicyPort { protocol: None, port: Some(IntOrString::Int(25000)), end_port: None }],
        ];
        let listening = |name: &str, number: u16, protocol: &str| ListeningPort {
            name: name.to_owned(),
            number,
            protocol: protocol.to_owned(),
        };
        let ports = [
            listening("hs2", 21050, "TCP"),
            listening("hs2", 21050, "UDP"),
            listening("beeswax", 21000, "TCP"),
            listening("webui", 25000, "TCP"),
            listening("x", 21025, "SCTP"),
        ];
        for list in lists.iter().map(Some).chain([None]) {
            let rule = Rule { ns: "ns", peers: None, ports: list };
            for p in &ports {
                assert_eq!(RulesByPort::new([&rule]).any(p), port_matches(list, p), "{list:?} {p:?}");
            }
        }
        // All the rules at once, indexed: the same rules match each port.
        let rules: Vec<Rule<'_>> =
            lists.iter().map(Some).chain([None]).map(|ports| Rule { ns: "ns", peers: None, ports }).collect();
        let index = RulesByPort::new(&rules);
        for p in &ports {
            let expected: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].matches(p)).collect();
            assert_eq!(index.matching(p), expected, "{p:?}");
            assert_eq!(index.any(p), !expected.is_empty(), "{p:?}");
        }
    }
}
