//! A role's memory and disk: requests and limits over the registry's
//! defaults, `ephemeral-storage` for the emptyDirs, and the JVM heap sized
//! from the memory limit.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;

use super::checks::{fail, impala_mem_mebibytes, jvm_mebibytes, mebibytes, quantity};
use super::model::{default_resources, writable_dirs_mib, EPHEMERAL_STORAGE};
use super::role::RoleInput;
use super::SpecError;

impl RoleInput<'_, '_> {
    /// Requests and limits: the registry's defaults for what the spec does
    /// not set, `ephemeral-storage` covering every emptyDir, and no request
    /// above its limit.
    pub(super) fn resources(&self) -> Result<ResourceRequirements, SpecError> {
        let field = self.field.key("resources");
        let mut resources = default_resources(self.role);
        let given = self.spec.resources.clone().unwrap_or_default();
        for (what, given, into) in [
            ("requests", given.requests, resources.requests.get_or_insert_with(BTreeMap::new)),
            ("limits", given.limits, resources.limits.get_or_insert_with(BTreeMap::new)),
        ] {
            for (name, value) in given.into_iter().flatten() {
                if let Err(message) = crate::names::check_quantity(&value.0) {
                    return fail(field.key(what).key(name.as_str()), message);
                }
                into.insert(name, value);
            }
        }
        resources.claims = given.claims;
        // The emptyDirs' size limits must fit the ephemeral-storage limit.
        if let Some(mib) = writable_dirs_mib(self.role).filter(|&mib| mib > 0) {
            let limit = resources.limits.as_ref().and_then(|l| l.get(EPHEMERAL_STORAGE));
            if let Some(limit) = limit.filter(|l| quantity(&l.0) < Some((mib << 20) as f64)) {
                return fail(
                    field.key("limits").key(EPHEMERAL_STORAGE),
                    format!("{} is less than the {mib} MiB the role's writable directories may hold, so the kubelet would evict the pod before they fill; set at least {mib}Mi", limit.0),
                );
            }
        }
        let (requests, limits) =
            (resources.requests.clone().unwrap_or_default(), resources.limits.clone().unwrap_or_default());
        for (name, request) in &requests {
            let limit = limits.get(name);
            if let Some(limit) = limit.filter(|l| quantity(&request.0) > quantity(&l.0)) {
                return fail(
                    field.key("requests").key(name.as_str()),
                    crate::names::request_above_limit(&request.0, &limit.0),
                );
            }
        }
        Ok(resources)
    }

    /// The JVM heap, for a daemon that starts a JVM: the spec's size or
    /// percentage, else the registry's percentage, of the memory limit; it
    /// must leave room for the JVM's other memory and, where the process
    /// limit includes the heap, for queries.
    pub(super) fn jvm_heap(&self, resources: &ResourceRequirements) -> Result<Option<u64>, SpecError> {
        let (name, field) = (self.name(), self.field.key("jvmHeap"));
        let Some(jvm) = &self.role.jvm else {
            return match &self.spec.jvm_heap {
                None => Ok(None),
                Some(_) => fail(field, format!("role '{name}' starts no JVM")),
            };
        };
        let limit = resources.limits.as_ref().and_then(|l| l.get("memory")).map(|q| q.0.as_str()).unwrap_or_default();
        let Some(limit_mib) = mebibytes(limit) else {
            return fail(
                self.field.key("resources").key("limits").key("memory"),
                format!(
                    "'{limit}' cannot size the JVM heap: role '{name}' needs a memory limit in whole bytes, like 4Gi"
                ),
            );
        };
        let heap = self.spec.jvm_heap.clone().unwrap_or_else(|| format!("{}%", jvm.heap_percent));
        let heap_mib = match heap.strip_suffix('%') {
            Some(percent) => match percent.parse::<u64>() {
                Ok(p @ 1..=90) => limit_mib * p / 100,
                _ => return fail(field, format!("'{heap}' is not a heap size: a percentage from 1% to 90% of the memory limit, or a size like 6g or 512m")),
            },
            None => jvm_mebibytes(&heap).filter(|&m| m > 0).map_or_else(|| fail(&field, format!("'{heap}' is not a heap size: a size like 6g or 512m, or a percentage like 50%")), Ok)?,
        };
        if heap_mib * 10 > limit_mib * 9 {
            return fail(field, format!("a heap of {heap_mib} MiB leaves less than a tenth of role '{name}''s {limit} memory limit for the JVM's other memory; lower the heap or raise the limit"));
        }
        if jvm.heap_in_mem_limit {
            let mem_limit = self.spec.extra_flags.get("mem_limit").map_or("80%", String::as_str);
            let Some(process_mib) = impala_mem_mebibytes(mem_limit, limit_mib) else {
                return fail(self.field.key("extraFlags").key("mem_limit"), format!("'{mem_limit}' is not a memory limit Impala reads: bytes with an optional b, k, m, g or t, or a percentage"));
            };
            if process_mib > limit_mib {
                return fail(self.field.key("extraFlags").key("mem_limit"), format!("mem_limit {mem_limit} is {process_mib} MiB, more than role '{name}''s {limit} memory limit; the kernel would kill the daemon first"));
            }
            if process_mib <= heap_mib {
                return fail(field, format!("role '{name}' counts its heap in its process memory limit (-mem_limit_includes_jvm): mem_limit {mem_limit} of {limit} is {process_mib} MiB, and a heap of {heap_mib} MiB leaves nothing for queries, so the daemon refuses to start; raise the memory limit above {} MiB or lower the heap", heap_mib * 5 / 4 + 1));
            }
        }
        Ok(Some(heap_mib))
    }
}
