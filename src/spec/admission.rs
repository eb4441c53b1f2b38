//! Admission control pools: each pool's limits, default query options and
//! submitters, rendered as Impala reads them: a fair-scheduler.xml of queues
//! under `root` and a llama-site.xml of per-pool properties.
//!
//! The property names and defaults are Impala's
//! (fe/src/main/java/org/apache/impala/util/RequestPoolService.java at 4.5.0,
//! lines 84-119: each key suffixed with `.root.<pool>`); the allocation file is
//! read by Impala's copy of YARN's AllocationFileLoaderService
//! (java/yarn-extras/.../fair/AllocationFileLoaderService.java: `maxResources`
//! 522, `aclSubmitApps` 563, `queuePlacementPolicy` 399). Both files are
//! watched and reloaded within about 10 seconds of a change
//! (AllocationFileLoaderService.java:67, 113-115; FileWatchService.java:43, 94),
//! so a change needs no restart.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{bytes, fail};
use super::{FieldPath, SpecError};
use crate::registry::{AdmissionFlags, Registry};

/// The volume of the pool files.
pub const ADMISSION_VOLUME: &str = "admission";

/// Where the pods mount the pool files: a volume of its own, outside the
/// configuration checksum, so that the kubelet's update of the files reaches
/// the running daemons and no pod restarts.
pub const ADMISSION_DIR: &str = "/opt/impala/admission";

/// The allocation file's name.
pub const FAIR_SCHEDULER_XML: &str = "fair-scheduler.xml";

/// The per-pool properties' file name.
pub const LLAMA_SITE_XML: &str = "llama-site.xml";

/// The pool queries go to when they name none (`<rule name="default"/>`).
pub const DEFAULT_POOL: &str = "default";

/// Admission control: the pools queries are admitted through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionSpec {
    /// The pools, each a queue under `root` (`root.<name>`); queries that
    /// name no pool go to `default`, added without limits unless listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolSpec>,
}

impl AdmissionSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &AdmissionSpec::default()
    }
}

/// One admission pool; every limit unset keeps Impala's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolSpec {
    /// The pool's name under `root`: letters, digits, `_` and `-`.
    pub name: String,
    /// Queries running at once; -1 for no limit (Impala's default), 0 admits none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_running_queries: Option<i64>,
    /// Queries waiting at once before more are rejected (Impala's default: 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queued_queries: Option<i64>,
    /// Memory all the pool's running queries may take together across the
    /// cluster (a quantity such as 200Gi; default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory: Option<String>,
    /// The smallest per-host memory limit a query of the pool gets (a quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_query_memory_limit: Option<String>,
    /// The largest per-host memory limit a query of the pool gets (a quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_query_memory_limit: Option<String>,
    /// Whether the minimum and maximum also bound a query's own MEM_LIMIT
    /// option (Impala's default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clamp_memory_limit_query_option: Option<bool>,
    /// Milliseconds a query may wait in the queue (default: the daemons'
    /// `queue_wait_timeout_ms`, 60000: be/src/scheduling/admission-controller.cc:56).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_timeout_ms: Option<u64>,
    /// Query options every query of the pool starts with (`mt_dop: "4"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub default_query_options: BTreeMap<String, String>,
    /// Who may submit to the pool (default: everyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitters: Option<SubmittersSpec>,
}

/// Users and groups, as YARN's queue ACLs name them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmittersSpec {
    /// User names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Group names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// The checked pools and the flags that point the daemons at their files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAdmission<'r> {
    /// The registry's flags and the roles that read the files.
    pub flags: &'r AdmissionFlags,
    /// The pools, `default` among them.
    pub pools: Vec<PoolSpec>,
}

impl ClusterAdmission<'_> {
    /// The pools' full names (`root.<name>`).
    pub fn pool_names(&self) -> impl Iterator<Item = String> + '_ {
        self.pools.iter().map(|p| format!("root.{}", p.name))
    }

    /// fair-scheduler.xml: a queue per pool under `root`, which admits nobody
    /// itself (YARN's ACLs are inherited: a `root` open to all would open every
    /// pool), and the placement: the pool a query names, else `default`.
    pub fn fair_scheduler_xml(&self) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<allocations>\n  <queue name=\"root\">\n    <aclSubmitApps> </aclSubmitApps>\n",
        );
        for pool in &self.pools {
            xml.push_str(&format!("    <queue name=\"{}\">\n", pool.name));
            if let Some(mib) = pool.max_memory.as_deref().and_then(bytes).map(|b| b >> 20) {
                xml.push_str(&format!("      <maxResources>{mib} mb, 0 vcores</maxResources>\n"));
            }
            xml.push_str(&format!("      <aclSubmitApps>{}</aclSubmitApps>\n", acl(pool.submitters.as_ref())));
            xml.push_str("    </queue>\n");
        }
        xml.push_str("  </queue>\n  <queuePlacementPolicy>\n    <rule name=\"specified\" create=\"false\"/>\n    <rule name=\"default\"/>\n  </queuePlacementPolicy>\n</allocations>\n");
        xml
    }

    /// llama-site.xml's properties: each limit the spec sets, keyed by pool.
    pub fn llama_site(&self) -> BTreeMap<String, String> {
        let mut props = BTreeMap::new();
        for pool in &self.pools {
            let key = |k: &str| format!("{k}.root.{}", pool.name);
            let mut set = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    props.insert(key(k), v);
                }
            };
            set("llama.am.throttling.maximum.placed.reservations", pool.max_running_queries.map(|n| n.to_string()));
            set("llama.am.throttling.maximum.queued.reservations", pool.max_queued_queries.map(|n| n.to_string()));
            set("impala.admission-control.pool-queue-timeout-ms", pool.queue_timeout_ms.map(|n| n.to_string()));
            let mem = |q: &Option<String>| q.as_deref().and_then(bytes).map(|b| b.to_string());
            set("impala.admission-control.min-query-mem-limit", mem(&pool.min_query_memory_limit));
            set("impala.admission-control.max-query-mem-limit", mem(&pool.max_query_memory_limit));
            set(
                "impala.admission-control.clamp-mem-limit-query-option",
                pool.clamp_memory_limit_query_option.map(|b| b.to_string()),
            );
            let options: Vec<String> = pool.default_query_options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            set(
                "impala.admission-control.pool-default-query-options",
                (!options.is_empty()).then(|| options.join(",")),
            );
        }
        props
    }
}

/// A YARN ACL: `users groups`, comma-separated each; `*` for everyone.
fn acl(submitters: Option<&SubmittersSpec>) -> String {
    match submitters {
        None => "*".to_owned(),
        Some(s) => format!("{} {}", s.users.join(","), s.groups.join(",")),
    }
}

/// The pools the spec asks for, checked; `None` without pools.
pub fn resolve<'r>(spec: &AdmissionSpec, registry: &'r Registry) -> Result<Option<ClusterAdmission<'r>>, SpecError> {
    if spec.pools.is_empty() {
        return Ok(None);
    }
    let field = FieldPath::from("spec.admission.pools");
    let Some(flags) = &registry.admission else {
        return fail(
            field,
            format!(
                "registry {} declares no admission pool flags; pools are for Impala 3.x and later",
                registry.profile
            ),
        );
    };
    let mut pools: Vec<PoolSpec> = Vec::new();
    for (i, pool) in spec.pools.iter().enumerate() {
        let at = field.index(i);
        check_pool(&at, pool)?;
        if pools.iter().any(|p| p.name == pool.name) {
            return fail(at.key("name"), format!("pool '{}' is listed twice", pool.name));
        }
        pools.push(pool.clone());
    }
    if !pools.iter().any(|p| p.name == DEFAULT_POOL) {
        pools.push(PoolSpec { name: DEFAULT_POOL.to_owned(), ..Default::default() });
    }
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(ClusterAdmission { flags, pools }))
}

/// One pool: a queue name, limits in range, memory as quantities, options
/// and submitters that the files' separators cannot break.
fn check_pool(at: &FieldPath, pool: &PoolSpec) -> Result<(), SpecError> {
    let name = &pool.name;
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !word(name) {
        return fail(
            at.key("name"),
            format!("'{name}' is not a pool name: letters, digits, '_' and '-' (the pool is root.<name>)"),
        );
    }
    if let Some(n) = pool.max_running_queries.filter(|&n| n < -1) {
        return fail(at.key("maxRunningQueries"), format!("{n} is not a limit: -1 for none, 0 or more"));
    }
    if let Some(n) = pool.max_queued_queries.filter(|&n| n < 0) {
        return fail(at.key("maxQueuedQueries"), format!("{n} is not a limit: 0 or more"));
    }
    let mut limits = [None, None];
    for (i, (key, value)) in [
        ("minQueryMemoryLimit", &pool.min_query_memory_limit),
        ("maxQueryMemoryLimit", &pool.max_query_memory_limit),
        ("maxMemory", &pool.max_memory),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(value) = value else { continue };
        let Some(b) = bytes(value).filter(|&b| b >= 1 << 20) else {
            return fail(
                at.key(key),
                format!("'{value}' is not a memory size: a whole quantity of at least 1Mi, such as 8Gi"),
            );
        };
        if let Some(slot) = limits.get_mut(i) {
            *slot = Some(b);
        }
    }
    if let [Some(min), Some(max)] = limits {
        if min > max {
            return fail(
                at.key("minQueryMemoryLimit"),
                format!(
                    "the minimum query memory limit ({}) is above the maximum ({})",
                    pool.min_query_memory_limit.as_deref().unwrap_or_default(),
                    pool.max_query_memory_limit.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    for (option, value) in &pool.default_query_options {
        let key = at.key("defaultQueryOptions").key(option.as_str());
        if !word(option) {
            return fail(key, format!("'{option}' is not a query option name: letters, digits and '_'"));
        }
        if value.is_empty() || value.contains([',', '=']) || value.chars().any(char::is_control) {
            return fail(key, format!("'{value}' cannot be a pool's default: Impala reads the options as key=value pairs joined by ',', so a value is not empty and has no ',' or '='"));
        }
    }
    for (what, names) in pool.submitters.iter().flat_map(|s| [("users", &s.users), ("groups", &s.groups)]) {
        for (j, n) in names.iter().enumerate() {
            if n.is_empty() || n.contains(',') || n.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return fail(
                    at.key("submitters").key(what).index(j),
                    format!("'{n}' is not a name a queue ACL can hold: no spaces, ',' or control characters"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    fn pools(yaml: &str) -> Result<Option<ClusterAdmission<'static>>, SpecError> {
        let spec: AdmissionSpec = serde_yaml::from_str(yaml).unwrap();
        resolve(&spec, Profile::Impala4.registry())
    }

    #[test]
    fn files_hold_what_impala_reads() {
        let a = pools(
            "pools:\n- name: etl\n  maxRunningQueries: 4\n  maxQueuedQueries: 20\n  maxMemory: 100Gi\n  minQueryMemoryLimit: 1Gi\n  maxQueryMemoryLimit: 8Gi\n  clampMemoryLimitQueryOption: false\n  queueTimeoutMs: 600000\n  defaultQueryOptions: {mt_dop: '4', query_timeout_s: '3600'}\n  submitters: {users: [etl], groups: [data-eng, ops]}\n",
        )
        .unwrap()
        .unwrap();
        let xml = a.fair_scheduler_xml();
        assert!(xml.contains("<queue name=\"etl\">\n      <maxResources>102400 mb, 0 vcores</maxResources>\n      <aclSubmitApps>etl data-eng,ops</aclSubmitApps>"), "{xml}");
        assert!(
            xml.contains("<queue name=\"default\">\n      <aclSubmitApps>*</aclSubmitApps>"),
            "default added: {xml}"
        );
        assert!(xml.contains("<aclSubmitApps> </aclSubmitApps>\n    <queue"), "root admits nobody itself");
        let site = a.llama_site();
        assert_eq!(site["llama.am.throttling.maximum.placed.reservations.root.etl"], "4");
        assert_eq!(site["llama.am.throttling.maximum.queued.reservations.root.etl"], "20");
        assert_eq!(site["impala.admission-control.max-query-mem-limit.root.etl"], "8589934592");
        assert_eq!(site["impala.admission-control.min-query-mem-limit.root.etl"], "1073741824");
        assert_eq!(site["impala.admission-control.clamp-mem-limit-query-option.root.etl"], "false");
        assert_eq!(site["impala.admission-control.pool-queue-timeout-ms.root.etl"], "600000");
        assert_eq!(
            site["impala.admission-control.pool-default-query-options.root.etl"],
            "mt_dop=4,query_timeout_s=3600"
        );
        assert_eq!(site.len(), 7, "the default pool keeps Impala's defaults");
        assert_eq!(a.pool_names().collect::<Vec<_>>(), ["root.default", "root.etl"]);
    }

    #[test]
    fn refusals_name_the_field() {
        for (yaml, field, says) in [
            ("- name: a.b", "pools[0].name", "not a pool name"),
            ("- name: a\n- name: a", "pools[1].name", "listed twice"),
            ("- {name: a, maxRunningQueries: -2}", "maxRunningQueries", "-1 for none"),
            ("- {name: a, maxMemory: 1.5Gi}", "maxMemory", "whole quantity"),
            (
                "- {name: a, minQueryMemoryLimit: 2Gi, maxQueryMemoryLimit: 1Gi}",
                "minQueryMemoryLimit",
                "above the maximum",
            ),
            ("- {name: a, defaultQueryOptions: {mt_dop: '1,2'}}", "defaultQueryOptions.mt_dop", "joined by ','"),
            ("- {name: a, submitters: {users: ['x y']}}", "submitters.users[0]", "no spaces"),
        ] {
            let e = pools(&format!("pools:\n{yaml}\n")).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains(says), "{yaml}: {e}");
        }
        let cdh5: AdmissionSpec = serde_yaml::from_str("pools: [{name: a}]").unwrap();
        assert!(resolve(&cdh5, Profile::Cdh5.registry()).unwrap_err().to_string().contains("registry cdh5"));
    }
}
