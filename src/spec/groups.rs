//! Executor groups: each its own StatefulSet of executors, used by the
//! admission pool its name starts with, as Impala's pool-prefix rule says.

use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, Toleration};

use super::admission::{ClusterAdmission, DEFAULT_POOL};
use super::checks::{check_labels, fail};
use super::crd::{ExecutorGroupSpec, RoleSpec};
use super::role::RoleInput;
use super::{FieldPath, SpecError};
use crate::names::is_rfc1123_label;
use crate::registry::ExecutorGroupFlags;

/// One executor group, settled.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterGroup {
    /// Impala's name of the group: `root.<name>`, or `default`.
    pub impala_name: String,
    /// The spec's name, which names its objects (`<release>-executor-<name>`).
    pub name: String,
    /// The pool whose queries it runs (`root.<pool>`); `None` for the default group.
    pub pool: Option<String>,
    /// The pod count.
    pub replicas: i32,
    /// Executors it needs before Impala admits queries to it.
    pub min_size: u32,
    /// Resource requests and limits.
    pub resources: ResourceRequirements,
    /// The JVM heap in MiB, from its memory limit.
    pub jvm_heap_mib: Option<u64>,
    /// Node labels the pods must run on.
    pub node_selector: std::collections::BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod affinity.
    pub affinity: Option<Affinity>,
    /// Its autoscaler, which then owns the pod count.
    pub autoscaling: Option<super::autoscaling::ClusterAutoscaling>,
}

impl ClusterGroup {
    /// The role with the group's pod count and pod settings in place of its own.
    pub fn apply_to<'r>(&self, role: &super::ClusterRole<'r>) -> super::ClusterRole<'r> {
        super::ClusterRole {
            replicas: self.replicas,
            resources: self.resources.clone(),
            jvm_heap_mib: self.jvm_heap_mib,
            node_selector: self.node_selector.clone(),
            tolerations: self.tolerations.clone(),
            affinity: self.affinity.clone(),
            groups: Vec::new(),
            ..role.clone()
        }
    }
}

/// Where the groups' autoscalers look: the release's namespace (for the
/// metrics' label) and how long an executor takes to drain and stop.
pub struct Placed<'a> {
    /// The release's namespace.
    pub namespace: &'a str,
    /// The executors' drain deadline and margin, in seconds.
    pub drain_seconds: u32,
}

/// A group's autoscaler, which then owns its pod count.
fn autoscaling(
    at: &FieldPath,
    spec: &ExecutorGroupSpec,
    pool: Option<&str>,
    placed: &Placed<'_>,
) -> Result<Option<super::autoscaling::ClusterAutoscaling>, SpecError> {
    match &spec.autoscaling {
        Some(_) if spec.replicas.is_some() => fail(
            at.key("replicas"),
            "the autoscaler sets the pod count of an autoscaled group; set autoscaling.minReplicas and maxReplicas instead",
        ),
        Some(a) => super::autoscaling::resolve(&at.key("autoscaling"), a, pool, placed.namespace, placed.drain_seconds)
            .map(Some),
        None => Ok(None),
    }
}

impl RoleInput<'_, '_> {
    /// The role's executor groups, each with the role's settings under its
    /// own; none unless the spec lists groups.
    pub(super) fn groups(
        &self,
        specs: &[ExecutorGroupSpec],
        flags: Option<&ExecutorGroupFlags>,
        admission: Option<&ClusterAdmission<'_>>,
        placed: &Placed<'_>,
    ) -> Result<Vec<ClusterGroup>, SpecError> {
        let field = FieldPath::from("spec.executorGroups");
        let Some(flags) = flags.filter(|f| f.role == self.role.name) else { return Ok(Vec::new()) };
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(n) = self.spec.replicas {
            return fail(
                self.field.key("replicas"),
                format!("with spec.executorGroups each group sets its own replicas; remove {n} here"),
            );
        }
        let pools: Vec<&str> = admission.map(|a| a.pools.iter().map(|p| p.name.as_str()).collect()).unwrap_or_default();
        let mut groups: Vec<ClusterGroup> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let at = field.index(i);
            let group = self.group(&at, spec, flags, &pools, placed)?;
            if groups.iter().any(|g| g.name == group.name) {
                return fail(at.key("name"), format!("group '{}' is listed twice", group.name));
            }
            groups.push(group);
        }
        let default = groups.iter().any(|g| g.pool.is_none());
        if let Some(pool) =
            pools.iter().find(|p| !default && !groups.iter().any(|g| g.pool.as_deref() == Some(&format!("root.{p}"))))
        {
            let why = if *pool == DEFAULT_POOL { " (queries that name no pool go there)" } else { "" };
            return fail(
                field,
                format!("pool '{pool}'{why} has no executor group, so its queries would wait until they time out: add a group '{pool}-<suffix>', or a group '{}' for every pool without one", flags.default_group),
            );
        }
        Ok(groups)
    }

    /// One group: its name against the pools, its size, and the role's pod
    /// settings under its own.
    fn group(
        &self,
        at: &FieldPath,
        spec: &ExecutorGroupSpec,
        flags: &ExecutorGroupFlags,
        pools: &[&str],
        placed: &Placed<'_>,
    ) -> Result<ClusterGroup, SpecError> {
        let name = &spec.name;
        if !is_rfc1123_label(name) {
            return fail(at.key("name"), format!("'{name}' is not a group name: lowercase letters, digits and '-', as it names the group's StatefulSet"));
        }
        let pool = if *name == flags.default_group {
            None
        } else {
            let Some(pool) = pools.iter().filter(|p| name.starts_with(&format!("{p}-"))).max_by_key(|p| p.len()) else {
                let listed = if pools.is_empty() {
                    "spec.admission lists no pools".to_owned()
                } else {
                    format!("the pools are: {}", pools.join(", "))
                };
                return fail(
                    at.key("name"),
                    format!("no pool would use group '{name}': a query of pool P runs on the groups named 'P-...' (Impala's pool-prefix rule), else on the group '{}', and {listed}; name it '<pool>-<suffix>' or '{}'", flags.default_group, flags.default_group),
                );
            };
            Some(format!("root.{pool}"))
        };
        let autoscaling = autoscaling(at, spec, pool.as_deref(), placed)?;
        // An autoscaled group is sized for planning at its fewest pods.
        let replicas = autoscaling.as_ref().map_or(spec.replicas.unwrap_or(1), |a| a.min_replicas.unsigned_abs());
        if replicas > super::model::MAX_REPLICAS {
            return fail(at.key("replicas"), format!("{replicas} is more than Kubernetes allows"));
        }
        let min_size = spec.min_size.unwrap_or(1);
        if min_size == 0 || min_size > replicas.max(1) {
            return fail(
                at.key("minSize"),
                format!("{min_size} is not a minimum size of group '{name}': 1 to {}, the fewest pods it runs, or the group is never healthy and its pool's queries wait", replicas.max(1)),
            );
        }
        // The role's settings, with the group's in their place; the group's
        // requests and limits over the role's, name by name.
        let mut resources = self.spec.resources.clone().unwrap_or_default();
        if let Some(own) = &spec.resources {
            for (into, from) in [(&mut resources.requests, &own.requests), (&mut resources.limits, &own.limits)] {
                into.get_or_insert_with(Default::default).extend(from.clone().unwrap_or_default());
            }
        }
        let overridden = RoleSpec { resources: Some(resources), ..self.spec.clone() };
        let input = RoleInput { spec: &overridden, field: at.clone(), ..self.clone() };
        let resources = input.resources()?;
        let jvm_heap_mib = input.jvm_heap(&resources)?;
        let node_selector = spec.node_selector.clone().unwrap_or_else(|| self.spec.node_selector.clone());
        check_labels(&at.key("nodeSelector"), &node_selector, true)?;
        super::api_rules::check_pod_scheduling(
            at,
            spec.tolerations.as_deref(),
            spec.affinity.as_ref(),
            spec.resources.as_ref(),
        )?;
        Ok(ClusterGroup {
            impala_name: pool.as_ref().map_or_else(|| name.clone(), |_| format!("root.{name}")),
            name: name.clone(),
            pool,
            replicas: i32::try_from(replicas).expect("at most MAX_REPLICAS"),
            min_size,
            resources,
            jvm_heap_mib,
            node_selector,
            tolerations: spec.tolerations.clone().unwrap_or_else(|| self.spec.tolerations.clone()),
            affinity: spec.affinity.clone().or_else(|| self.spec.affinity.clone()),
            autoscaling,
        })
    }
}
