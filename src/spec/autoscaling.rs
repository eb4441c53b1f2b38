//! Autoscaling of an executor group: a HorizontalPodAutoscaler
//! (`autoscaling/v2`) on CPU or memory, or a KEDA ScaledObject
//! (`keda.sh/v1alpha1`) on a Prometheus query of Impala's admission metrics.
//!
//! Impala's metric names become Prometheus names by `.`, `-` and `'` turned
//! into `_` and an `impala_` prefix (be/src/util/metrics.cc:322-333); the
//! admission controller's per-pool metrics are
//! `admission-controller.agg-num-queued.<pool>` (the cluster-wide queue of the
//! pool, the same on every coordinator) and
//! `admission-controller.time-in-queue-ms.<pool>` (a counter of this
//! coordinator's queue time): be/src/scheduling/admission-controller.cc:143-157,
//! common/thrift/metrics.json.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::fail;
use super::{FieldPath, SpecError};

/// The longest scale-down period the HorizontalPodAutoscaler API accepts.
pub const MAX_PERIOD_SECONDS: u32 = 1800;

/// The longest stabilization window the HorizontalPodAutoscaler API accepts (an hour).
pub const MAX_WINDOW_SECONDS: u32 = 3600;

/// The scale-down stabilization window when the spec names none: ten
/// minutes of lower demand before a pod goes.
pub const DEFAULT_WINDOW_SECONDS: u32 = 600;

/// How an executor group grows and shrinks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoscalingSpec {
    /// The fewest pods (default 1; 0, with `prometheus`, lets a group other
    /// than `default` scale to zero: its pool's queries then wait in the
    /// queue, or run on the `default` group, until KEDA starts one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<u32>,
    /// The most pods.
    pub max_replicas: u32,
    /// A HorizontalPodAutoscaler on the pods' average CPU use, in percent of
    /// their request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_utilization: Option<u32>,
    /// A HorizontalPodAutoscaler on the pods' average memory use, in percent
    /// of their request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_utilization: Option<u32>,
    /// A KEDA ScaledObject on a Prometheus query of Impala's own metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusSpec>,
    /// How fast the group shrinks (defaults let a draining executor finish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<ScaleDownSpec>,
}

/// Impala's metric KEDA scales on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ImpalaMetric {
    /// The queries queued in the group's pool, cluster-wide (`agg-num-queued`).
    #[default]
    QueuedQueries,
    /// Milliseconds per second the pool's queries spend queued, summed over
    /// coordinators (the rate of `time-in-queue-ms`).
    QueueWaitMsPerSecond,
}

/// A KEDA `prometheus` trigger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusSpec {
    /// The Prometheus server that scrapes the coordinators' `/metrics_prometheus`
    /// (`http://prometheus-operated.monitoring.svc:9090`).
    pub server_address: String,
    /// The metric (default `queuedQueries`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<ImpalaMetric>,
    /// The metric's value per executor the group is sized for (KEDA's
    /// `threshold`): pods = ceil(value / threshold).
    pub threshold: u32,
    /// A PromQL query in place of the generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// The scale-down behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleDownSpec {
    /// Seconds of lower demand before the group shrinks (default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window_seconds: Option<u32>,
    /// Pods removed per period (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods_per_period: Option<u32>,
    /// The period in seconds (default: the executors' drain deadline and
    /// margin, so one drain ends before the next begins; at most 1800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<u32>,
}

/// What drives the autoscaler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scaler {
    /// A HorizontalPodAutoscaler on resource use (percent of requests).
    Resources {
        /// CPU target.
        cpu: Option<i32>,
        /// Memory target.
        memory: Option<i32>,
    },
    /// A KEDA ScaledObject with a Prometheus trigger.
    Prometheus {
        /// The server.
        server_address: String,
        /// The query.
        query: String,
        /// The value per pod.
        threshold: u32,
    },
}

/// A group's autoscaling, settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAutoscaling {
    /// The fewest pods.
    pub min_replicas: i32,
    /// The most pods.
    pub max_replicas: i32,
    /// What drives it.
    pub scaler: Scaler,
    /// Seconds of lower demand before a pod goes.
    pub stabilization_window_seconds: i32,
    /// Pods removed per period.
    pub pods_per_period: i32,
    /// The period.
    pub period_seconds: i32,
}

/// A group's autoscaling, checked; `pool` is the group's pool (`root.etl`,
/// `None` for the default group), `drain_seconds` the executors' drain
/// deadline and margin.
pub fn resolve(
    at: &FieldPath,
    spec: &AutoscalingSpec,
    pool: Option<&str>,
    namespace: &str,
    drain_seconds: u32,
) -> Result<ClusterAutoscaling, SpecError> {
    let min = spec.min_replicas.unwrap_or(1);
    let max = spec.max_replicas;
    if max < 1 || max > i32::MAX as u32 {
        return fail(at.key("maxReplicas"), format!("{max} is not a pod count: 1 or more"));
    }
    if min > max {
        return fail(at.key("minReplicas"), format!("{min} is more than maxReplicas {max}"));
    }
    let resources = spec.cpu_utilization.is_some() || spec.memory_utilization.is_some();
    let scaler = match (&spec.prometheus, resources) {
        (Some(_), true) | (None, false) => {
            return fail(
                at,
                "choose one scaler: cpuUtilization and/or memoryUtilization (a HorizontalPodAutoscaler), or prometheus (a KEDA ScaledObject)",
            )
        }
        (None, true) => {
            if min == 0 {
                return fail(at.key("minReplicas"), "a HorizontalPodAutoscaler keeps at least 1 pod (scaling to zero is an alpha feature gate); use prometheus (KEDA) to scale to zero");
            }
            let percent = |key: &str, v: Option<u32>| match v {
                Some(p @ 1..=1000) => Ok(Some(p as i32)),
                Some(p) => fail(at.key(key), format!("{p} is not a utilization: 1 to 1000 percent of the pods' request")),
                None => Ok(None),
            };
            Scaler::Resources {
                cpu: percent("cpuUtilization", spec.cpu_utilization)?,
                memory: percent("memoryUtilization", spec.memory_utilization)?,
            }
        }
        (Some(p), false) => {
            let p_at = at.key("prometheus");
            if !(p.server_address.starts_with("http://") || p.server_address.starts_with("https://"))
                || p.server_address.chars().any(char::is_whitespace)
            {
                return fail(p_at.key("serverAddress"), format!("'{}' is not a Prometheus URL: http:// or https://, no spaces", p.server_address));
            }
            if p.threshold == 0 {
                return fail(p_at.key("threshold"), "0 is not a threshold: the metric's value per pod, 1 or more");
            }
            if min == 0 && pool.is_none() {
                return fail(
                    at.key("minReplicas"),
                    "the default group serves every pool without a group of its own, so it keeps at least 1 pod",
                );
            }
            let query = match &p.query {
                Some(q) if q.trim().is_empty() => return fail(p_at.key("query"), "an empty query"),
                Some(q) => q.clone(),
                None => impala_query(p.metric.unwrap_or_default(), pool.unwrap_or("root.default"), namespace),
            };
            Scaler::Prometheus { server_address: p.server_address.clone(), query, threshold: p.threshold }
        }
    };
    let (window, pods, period) = scale_down(&at.key("scaleDown"), spec.scale_down.as_ref(), drain_seconds)?;
    Ok(ClusterAutoscaling {
        min_replicas: min as i32,
        max_replicas: max as i32,
        scaler,
        stabilization_window_seconds: window,
        pods_per_period: pods,
        period_seconds: period,
    })
}

/// The scale-down behaviour: the window, the pods per period and the
/// period, by default one pod per drain deadline.
fn scale_down(at: &FieldPath, spec: Option<&ScaleDownSpec>, drain_seconds: u32) -> Result<(i32, i32, i32), SpecError> {
    let down = spec.cloned().unwrap_or_default();
    let window = down.stabilization_window_seconds.unwrap_or(DEFAULT_WINDOW_SECONDS);
    if window > MAX_WINDOW_SECONDS {
        return fail(
            at.key("stabilizationWindowSeconds"),
            format!("{window} is more than the {MAX_WINDOW_SECONDS} seconds Kubernetes allows"),
        );
    }
    let pods = down.pods_per_period.unwrap_or(1);
    if pods == 0 || pods > i32::MAX as u32 {
        return fail(at.key("podsPerPeriod"), format!("{pods} is not a pod count: 1 or more"));
    }
    let period = down.period_seconds.unwrap_or(drain_seconds.clamp(15, MAX_PERIOD_SECONDS));
    if period == 0 || period > MAX_PERIOD_SECONDS {
        return fail(
            at.key("periodSeconds"),
            format!("{period} is not a period: 1 to {MAX_PERIOD_SECONDS} seconds, as Kubernetes allows"),
        );
    }
    Ok((window as i32, pods as i32, period as i32))
}

/// The PromQL query of one of Impala's metrics for a pool, in the namespace.
pub fn impala_query(metric: ImpalaMetric, pool: &str, namespace: &str) -> String {
    let pool = pool.replace(['.', '-', '\''], "_");
    match metric {
        // The same on every coordinator: the largest is the queue.
        ImpalaMetric::QueuedQueries => {
            format!("max(impala_admission_controller_agg_num_queued_{pool}{{namespace=\"{namespace}\"}})")
        }
        ImpalaMetric::QueueWaitMsPerSecond => {
            format!("sum(rate(impala_admission_controller_time_in_queue_ms_{pool}{{namespace=\"{namespace}\"}}[2m]))")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> AutoscalingSpec {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn keda_queries_impalas_metric_names() {
        let a = resolve(
            &"g".into(),
            &spec("{maxReplicas: 10, minReplicas: 0, prometheus: {serverAddress: 'http://p:9090', threshold: 4}}"),
            Some("root.etl-x"),
            "analytics",
            630,
        )
        .unwrap();
        let Scaler::Prometheus { query, .. } = &a.scaler else { panic!() };
        assert_eq!(query, "max(impala_admission_controller_agg_num_queued_root_etl_x{namespace=\"analytics\"})");
        assert_eq!(
            (a.min_replicas, a.period_seconds, a.stabilization_window_seconds, a.pods_per_period),
            (0, 630, 600, 1)
        );
        assert!(impala_query(ImpalaMetric::QueueWaitMsPerSecond, "root.a", "n")
            .starts_with("sum(rate(impala_admission_controller_time_in_queue_ms_root_a"));
    }

    #[test]
    fn refusals_name_the_field() {
        for (yaml, pool, field, says) in [
            ("{maxReplicas: 3}", Some("root.a"), "g", "choose one scaler"),
            (
                "{maxReplicas: 3, cpuUtilization: 70, prometheus: {serverAddress: 'http://p', threshold: 1}}",
                Some("root.a"),
                "g",
                "choose one",
            ),
            (
                "{maxReplicas: 3, minReplicas: 0, cpuUtilization: 70}",
                Some("root.a"),
                "g.minReplicas",
                "alpha feature gate",
            ),
            (
                "{maxReplicas: 3, minReplicas: 0, prometheus: {serverAddress: 'http://p', threshold: 1}}",
                None,
                "g.minReplicas",
                "keeps at least 1 pod",
            ),
            (
                "{maxReplicas: 2, minReplicas: 3, cpuUtilization: 70}",
                Some("root.a"),
                "g.minReplicas",
                "more than maxReplicas",
            ),
            ("{maxReplicas: 2, cpuUtilization: 0}", Some("root.a"), "g.cpuUtilization", "1 to 1000"),
            (
                "{maxReplicas: 2, prometheus: {serverAddress: 'p:9090', threshold: 1}}",
                Some("root.a"),
                "serverAddress",
                "not a Prometheus URL",
            ),
            (
                "{maxReplicas: 2, cpuUtilization: 50, scaleDown: {periodSeconds: 4000}}",
                Some("root.a"),
                "scaleDown.periodSeconds",
                "1 to 1800",
            ),
        ] {
            let e = resolve(&"g".into(), &spec(yaml), pool, "n", 630).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains(says), "{yaml}: {e}");
        }
    }
}
