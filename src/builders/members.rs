//! The StatefulSets a role runs as: one; the statestored pair's two (see
//! [`super::ha`]); or one per executor group, each with its own size,
//! resources and placement and the flag that names its group.

use std::collections::BTreeMap;

use crate::spec::groups::ClusterGroup;
use crate::spec::{Cluster, ClusterRole, POD_NAME};

/// The label that tells apart the StatefulSets of a role that runs several.
pub const WORKLOAD_LABEL: &str = "impala-k8s.dev/workload";

/// One StatefulSet of a role: its name, pod count and own flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'c> {
    /// The StatefulSet's name.
    pub name: String,
    /// Its pod count.
    pub replicas: i32,
    /// The label that selects its pods alone, when the role runs several StatefulSets.
    pub label: Option<(String, String)>,
    /// Flags of its pods alone.
    pub settings: BTreeMap<String, String>,
    /// The executor group it is, whose pod settings replace the role's.
    pub group: Option<&'c ClusterGroup>,
}

/// The StatefulSets of a role.
pub fn members<'c>(cluster: &Cluster<'_>, role: &'c ClusterRole<'_>) -> Vec<Member<'c>> {
    let names = cluster.workload_names(role.name());
    let label = |name: &String| Some((WORKLOAD_LABEL.to_owned(), name.clone()));
    if let Some(flags) = cluster.registry.executor_groups.as_ref().filter(|_| !role.groups.is_empty()) {
        return role
            .groups
            .iter()
            .zip(&names)
            .map(|(group, name)| Member {
                name: name.clone(),
                replicas: group.replicas,
                label: label(name),
                settings: BTreeMap::from([(
                    flags.flag.to_string(),
                    format!("{}:{}", group.impala_name, group.min_size),
                )]),
                group: Some(group),
            })
            .collect();
    }
    let pair = cluster.ha.statestored.as_ref().filter(|p| &p.flags.role == role.name());
    let (Some(pair), [first, second]) = (pair, names.as_slice()) else {
        let name = cluster.workload_name(role.name());
        return vec![Member { name, replicas: role.replicas, label: None, settings: BTreeMap::new(), group: None }];
    };
    let member = |name: &String, peer: &String| Member {
        name: name.clone(),
        replicas: 1,
        label: label(name),
        settings: BTreeMap::from([(pair.flags.peer_host.to_string(), pod_host(cluster, role, &format!("{peer}-0")))]),
        group: None,
    };
    vec![member(first, second), member(second, first)]
}

/// A pod's stable DNS name: the name its daemon advertises, with the pod's name.
pub fn pod_host(cluster: &Cluster<'_>, role: &ClusterRole<'_>, pod: &str) -> String {
    let advertised = match &cluster.kerberos {
        Some(k) => super::auth::kerberos_name(cluster, k, role),
        None => cluster.advertised_name(role),
    };
    advertised.replace(&format!("$({POD_NAME})"), pod)
}

/// The flags of the role that plans queries, with executor groups: the
/// group sets it expects (`<pool>:<size of its largest group>`) without a
/// default group, which they would exclude; else the default group's size.
pub fn planner_settings(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> Vec<(String, String)> {
    let Some(flags) = cluster.registry.executor_groups.as_ref().filter(|f| &f.planner == role.name()) else {
        return Vec::new();
    };
    let Some(executors) = cluster.role(flags.role.as_str()).filter(|r| !r.groups.is_empty()) else {
        return Vec::new();
    };
    if let Some(default) = executors.groups.iter().find(|g| g.pool.is_none()) {
        return vec![(flags.expected_executors.to_string(), default.replicas.max(1).to_string())];
    }
    let mut sets: BTreeMap<&str, i32> = BTreeMap::new();
    for group in &executors.groups {
        if let Some(pool) = &group.pool {
            let size = sets.entry(pool.as_str()).or_default();
            *size = (*size).max(group.replicas.max(1));
        }
    }
    let sets: Vec<String> = sets.iter().map(|(pool, size)| format!("{pool}:{size}")).collect();
    vec![(flags.expected_sets.to_string(), sets.join(","))]
}
