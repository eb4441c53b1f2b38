//! Every Impala metric the Grafana dashboard and the KEDA autoscaler query is
//! one Impala 4.5 exports to Prometheus: checked against
//! `registries/impala-4.5.0-metrics.txt`, the list of Prometheus names with the
//! line of each metric's definition in common/thrift/metrics.json at 4.5.0.

use impala_k8s::builders::monitoring::DASHBOARD;
use impala_k8s::spec::autoscaling::{impala_query, ImpalaMetric};
use regex::Regex;

const KNOWN: &str = include_str!("../registries/impala-4.5.0-metrics.txt");

/// Each exported name as a pattern: `$0` (the pool, group or JVM pool
/// registered at run time) matches a name part.
fn known() -> Vec<(String, Regex)> {
    KNOWN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let name = l.split(' ').next().unwrap().to_owned();
            let pattern = format!("^{}$", regex::escape(&name).replace(r"\$0", "[a-z0-9_]+"));
            (name, Regex::new(&pattern).unwrap())
        })
        .collect()
}

/// The Impala metrics a PromQL expression names: each `impala_...` metric
/// name, and each `__name__=~"impala_..._.+"` pattern as the template it
/// stands for (`$0` in the place of `.+`). Label names (in `by (...)` and
/// selectors) and strings (label_replace's arguments) name no metric.
fn metrics_in(expr: &str) -> Vec<String> {
    let patterns = Regex::new(r#"__name__=~"(impala_[a-z0-9_]+)_\.\+""#).unwrap();
    let mut out: Vec<String> = patterns.captures_iter(expr).map(|c| format!("{}_$0", &c[1])).collect();
    let mut rest = expr.to_owned();
    for not_a_metric in [r"\{[^}]*\}", r#""[^"]*""#, r"\b(by|without)\s*\([^)]*\)"] {
        rest = Regex::new(not_a_metric).unwrap().replace_all(&rest, " ").into_owned();
    }
    let names = Regex::new(r"\bimpala_[a-z0-9_]+\b").unwrap();
    out.extend(names.find_iter(&rest).map(|m| m.as_str().to_owned()));
    out
}

fn check(known: &[(String, Regex)], name: &str) -> bool {
    if name.ends_with("_$0") {
        known.iter().any(|(k, _)| k == name)
    } else {
        known.iter().any(|(_, r)| r.is_match(name))
    }
}

fn dashboard_exprs() -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(DASHBOARD).unwrap();
    let mut exprs = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("expr" | "query" | "definition", serde_json::Value::String(s)) => out.push(s.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(&json, &mut exprs);
    exprs
}

#[test]
fn every_dashboard_metric_is_one_impala_4_5_exports() {
    let known = known();
    assert!(known.len() > 300, "the list holds every exported metric");
    let exprs = dashboard_exprs();
    let mut checked = std::collections::BTreeSet::new();
    for expr in &exprs {
        for name in metrics_in(expr) {
            assert!(check(&known, &name), "{name} (in {expr}) is no metric Impala 4.5 exports");
            checked.insert(name);
        }
    }
    // The metrics that matter: per pool, per daemon, health, groups.
    for name in [
        "impala_admission_controller_agg_num_running_$0",
        "impala_admission_controller_agg_num_queued_$0",
        "impala_admission_controller_total_rejected_$0",
        "impala_admission_controller_time_in_queue_ms_$0",
        "impala_memory_rss",
        "impala_mem_tracker_process_limit",
        "impala_jvm_heap_current_usage_bytes",
        "impala_statestore_live_backends",
        "impala_catalog_num_tables",
        "impala_cluster_membership_backends_total",
        "impala_admission_controller_executor_group_num_queries_executing_$0",
    ] {
        assert!(checked.contains(name), "the dashboard shows {name}");
    }
}

#[test]
fn the_autoscaler_queries_impala_4_5_metrics() {
    let known = known();
    for metric in [ImpalaMetric::QueuedQueries, ImpalaMetric::QueueWaitMsPerSecond] {
        let query = impala_query(metric, "root.etl-x", "analytics");
        let names = metrics_in(&query);
        assert_eq!(names.len(), 1, "{query}");
        assert!(check(&known, &names[0]), "{query}");
    }
}

#[test]
fn control_a_misspelt_or_property_metric_is_refused() {
    let known = known();
    for wrong in
        ["impala_memory_rsss", "impala_catalog_server_active_status", "impala_admission_controller_agg_num_runing_$0"]
    {
        assert!(!check(&known, wrong), "{wrong}");
    }
    assert_eq!(
        metrics_in(
            r#"max by (pool) (label_replace({__name__=~"impala_a_b_.+"}, "pool", "$1", "__name__", "impala_a_b_(.+)"))"#
        ),
        ["impala_a_b_$0"]
    );
}
