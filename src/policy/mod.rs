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

mod endpoints;
mod model;
mod routing;
pub mod selectors;
mod semantics;

use std::collections::{BTreeMap, BTreeSet};

use crate::builders::Object;
use endpoints::{endpoints, workload};
pub use model::*;
use semantics::{covers, covers_every_pod, Direction, RulesByPort, World};

/// The label that names a pod's role.
pub(super) const COMPONENT: &str = "app.kubernetes.io/component";
/// The label that names a pod's release.
pub(super) const INSTANCE: &str = "app.kubernetes.io/instance";
/// The label Kubernetes puts on every namespace, holding its name.
pub(super) const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";
/// A namespace name no selector can name (it is not a valid label value).
pub(super) const SOME_OTHER_NAMESPACE: &str = "(another namespace)";

/// Computes who reaches which port of the releases the objects make up.
pub fn analyze(objects: &[Object]) -> Analysis {
    let mut world = World {
        namespaces: BTreeMap::new(),
        policies: vec![],
        by_namespace: BTreeMap::new(),
        services: vec![],
        routes: vec![],
    };
    let mut workloads = Vec::new();
    for object in objects {
        match object {
            Object::NetworkPolicy(p) => world.policies.push(p),
            Object::Service(s) => world.services.push(s),
            Object::StatefulSet(sts) => workloads.push(workload(sts)),
            Object::Ingress(ingress) => world.routes.extend(routing::of_ingress(ingress)),
            Object::HttpRoute(route) => world.routes.extend(routing::of_http_route(route)),
            Object::Namespace(ns) => {
                let name = ns.metadata.name.clone().unwrap_or_default();
                world.namespaces.insert(name, ns.metadata.labels.clone().unwrap_or_default());
            }
            _ => {}
        }
    }
    world.index();
    workloads.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    // The StatefulSets of one role (the statestored pair) are one role's pods:
    // the policies select them by role, so they reach and are reached alike.
    workloads.dedup_by(|later, first| {
        let same = (&later.namespace, &later.release, &later.role) == (&first.namespace, &first.release, &first.role);
        if same {
            first.replicas += later.replicas;
        }
        same
    });
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

    let ingress = ingress_reach(&world, &workloads, &endpoints);
    let egress = egress_reach(&world, &workloads, &endpoints);
    let by_id = endpoints.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    Analysis { namespaces, network_policies: world.policies.len(), workloads, endpoints, ingress, egress, by_id }
}

/// Who reaches each port of each role: the endpoints that connect to it, the
/// Services that carry it, and the outside addresses that reach it through them.
fn ingress_reach(world: &World<'_>, workloads: &[Workload], endpoints: &[Endpoint]) -> Vec<PortReach> {
    // Each endpoint's egress rules once, not once per destination and port.
    let egress: Vec<_> = endpoints.iter().map(|e| world.rules(&e.place, Direction::Egress)).collect();
    let mut ingress = Vec::new();
    for dst in workloads {
        let dst_place = world.place_of(dst);
        let dst_ingress = world.rules(&dst_place, Direction::Ingress);
        let exposures = World::exposures(&world.services_selecting(&dst.namespace, &dst.labels));
        // Which rules concern which source, once for all of the role's ports
        // (a rule's peers do not depend on the port): each source's egress
        // rules that cover this role, and this role's ingress rules that
        // cover the source. Per port, only the rules' ports are left to match.
        let every_pod: Vec<bool> = dst_ingress.iter().flatten().map(|r| covers_every_pod(r.peers)).collect();
        let by_port = dst_ingress.as_ref().map(RulesByPort::new);
        let sources: Vec<Source<'_, '_, '_>> = endpoints
            .iter()
            .zip(&egress)
            .map(|(src, out)| Source {
                endpoint: src,
                out: covering(out.as_deref(), &dst_place),
                into: dst_ingress
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, r)| covers(r.peers, r.ns, &src.place))
                    .map(|(i, _)| i)
                    .collect(),
            })
            .collect();
        for port in &dst.ports {
            // The port's ingress rules once, and whether one admits every pod,
            // not once per source.
            let matching: Option<Vec<usize>> = by_port.as_ref().map(|b| b.matching(port));
            let every_pod_in = matching.as_ref().is_none_or(|m| m.iter().any(|&i| every_pod[i]));
            let reaches = |s: &Source<'_, '_, '_>| {
                let out = s.out.as_ref().is_none_or(|rules| rules.any(port));
                let into = (every_pod_in && s.endpoint.is_pod())
                    || matching.as_ref().is_none_or(|m| m.iter().any(|i| s.into.binary_search(i).is_ok()));
                out && into
            };
            let from_every_pod = sources.iter().filter(|s| s.endpoint.is_pod()).all(reaches);
            let from: Vec<&Endpoint> = sources
                .iter()
                .filter(|s| !(from_every_pod && s.endpoint.is_pod()) && reaches(s))
                .map(|s| s.endpoint)
                .collect();
            let exposed_by = exposures.of(port);
            let routed_by = world.routings(&dst.namespace, &exposed_by);
            let from_outside = from
                .iter()
                .filter_map(|e| match &e.place {
                    Place::Address(net) => {
                        exposed_by.iter().any(|x| x.is_external() && x.admits(net.as_ref())).then(|| e.id.clone())
                    }
                    Place::Pod { .. } => None,
                })
                .collect();
            let security = (exposed_by.iter().any(Exposure::is_external) || !routed_by.is_empty())
                .then(|| PortSecurity::of(&dst.flags, port.number));
            ingress.push(PortReach {
                role: dst.id.clone(),
                port: port.clone(),
                from_every_pod,
                from: from.iter().map(|e| e.id.clone()).collect(),
                exposed_by,
                routed_by,
                from_outside,
                security,
            });
        }
    }

    ingress
}

/// A possible source of connections to one role: the endpoint, its egress
/// rules that cover the role (`None`: no egress policy selects it), and the
/// numbers of the role's ingress rules that cover it, in order.
struct Source<'e, 'x, 'r> {
    endpoint: &'e Endpoint,
    out: Option<RulesByPort<'x, 'r>>,
    into: Vec<usize>,
}

/// Where each role's pods may open connections, and on which ports.
fn egress_reach(world: &World<'_>, workloads: &[Workload], endpoints: &[Endpoint]) -> Vec<EgressReach> {
    let by_id: BTreeMap<&str, &Workload> = workloads.iter().map(|w| (w.id.as_str(), w)).collect();
    // Each role's ingress rules once, not once per source.
    let ingress: Vec<_> = endpoints
        .iter()
        .map(|e| (e.kind == EndpointKind::Role).then(|| world.rules(&e.place, Direction::Ingress)).flatten())
        .collect();
    workloads
        .iter()
        .map(|src| {
            let src_place = world.place_of(src);
            let src_egress = world.rules(&src_place, Direction::Egress);
            let restricted = src_egress.is_some();
            let to = endpoints
                .iter()
                .zip(&ingress)
                // An unrestricted role reaches the roles as their ingress says.
                .filter(|(dst, _)| restricted || dst.kind != EndpointKind::Role)
                .filter_map(|(dst, dst_ingress)| {
                    let role = by_id.get(dst.id.as_str()).filter(|_| dst.kind == EndpointKind::Role);
                    let ports = match role {
                        Some(w) => Ports::Only({
                            // The rules that cover the pair once, then each port against them.
                            let out = covering(src_egress.as_deref(), &dst.place);
                            let into = covering(dst_ingress.as_deref(), &src_place);
                            w.ports
                                .iter()
                                .filter(|p| {
                                    out.as_ref().is_none_or(|rules| rules.any(p))
                                        && into.as_ref().is_none_or(|rules| rules.any(p))
                                })
                                .map(|p| PortRef::Numbers {
                                    from: p.number,
                                    to: p.number,
                                    protocol: p.protocol.clone(),
                                })
                                .collect()
                        }),
                        None => world.egress_ports(&src_place, &dst.place),
                    };
                    (!ports.is_empty()).then(|| EgressTarget { endpoint: dst.id.clone(), ports })
                })
                .collect();
            EgressReach { role: src.id.clone(), restricted, to }
        })
        .collect()
}

/// The rules of one direction of a pod that cover `other` (`None`: no
/// policy of that direction selects the pod, so it is open).
fn covering<'x, 'r>(rules: Option<&'x [semantics::Rule<'r>]>, other: &Place) -> Option<RulesByPort<'x, 'r>> {
    rules.map(|rules| RulesByPort::new(rules.iter().filter(|r| covers(r.peers, r.ns, other))))
}

#[cfg(test)]
mod tests;
