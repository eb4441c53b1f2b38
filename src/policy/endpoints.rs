//! The representative endpoints of the analysis: each role, another pod of
//! each namespace, a pod of another namespace, the pods and CIDRs policies
//! name, and any other address.

use std::collections::BTreeSet;
use std::str::FromStr;

use ipnet::IpNet;
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;

use super::selectors::{self, Labels};
use super::semantics::{peer_matches, World};
use super::{
    Endpoint, EndpointKind, ListeningPort, Place, Workload, COMPONENT, INSTANCE, NAMESPACE_NAME, SOME_OTHER_NAMESPACE,
};

pub(super) fn workload(sts: &k8s_openapi::api::apps::v1::StatefulSet) -> Workload {
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
    let flags = template
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.first())
        .map(|c| {
            c.args
                .iter()
                .flatten()
                .filter_map(|a| a.strip_prefix('-')?.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Workload {
        id: role.clone(),
        role,
        release: labels.get(INSTANCE).cloned().unwrap_or_default(),
        namespace: sts.metadata.namespace.clone().unwrap_or_default(),
        name,
        replicas: spec.and_then(|s| s.replicas).unwrap_or(1),
        ports,
        labels,
        flags,
    }
}

/// The representative endpoints: roles, the other pods of each namespace,
/// other namespaces, the pods and CIDRs policies name, and any other address.
pub(super) fn endpoints(world: &World, workloads: &[Workload], namespaces: &[String]) -> Vec<Endpoint> {
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
pub(super) fn selected_endpoint(peer: &NetworkPolicyPeer, policy_ns: &str, world: &World) -> Option<Endpoint> {
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
