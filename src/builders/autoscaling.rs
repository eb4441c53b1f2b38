//! An executor group's autoscaler: a HorizontalPodAutoscaler on CPU or
//! memory, or a KEDA ScaledObject (`keda.sh/v1alpha1`, checked against KEDA
//! v2.20.2's CRD in the conformance suite) on a Prometheus query; either way
//! the StatefulSet has no `replicas`, and a pod goes only when the one before
//! it has had time to drain.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use super::Object;
use crate::spec::autoscaling::{ClusterAutoscaling, Scaler};

/// A KEDA `keda.sh/v1alpha1` ScaledObject, with the fields impala-k8s sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObject {
    /// `keda.sh/v1alpha1`.
    pub api_version: String,
    /// `ScaledObject`.
    pub kind: String,
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// What it scales, between which bounds, on what.
    pub spec: ScaledObjectSpec,
}

/// The ScaledObject's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// The StatefulSet.
    pub scale_target_ref: ScaleTarget,
    /// The fewest pods (0 scales to zero).
    pub min_replica_count: i32,
    /// The most pods.
    pub max_replica_count: i32,
    /// The HorizontalPodAutoscaler KEDA makes: its scale-down behaviour.
    pub advanced: Advanced,
    /// The triggers.
    pub triggers: Vec<Trigger>,
}

/// The object a ScaledObject scales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    /// `apps/v1`.
    pub api_version: String,
    /// `StatefulSet`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// KEDA's `advanced` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advanced {
    /// The HorizontalPodAutoscaler's settings.
    pub horizontal_pod_autoscaler_config: HpaConfig,
}

/// The HorizontalPodAutoscaler KEDA makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaConfig {
    /// Its scaling behaviour.
    pub behavior: HorizontalPodAutoscalerBehavior,
}

/// A KEDA trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// The scaler (`prometheus`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The scaler's settings.
    pub metadata: BTreeMap<String, String>,
}

/// The group's autoscaler, named after its StatefulSet.
pub fn autoscaler(meta: ObjectMeta, statefulset: &str, a: &ClusterAutoscaling) -> Object {
    let behavior = scale_down(a);
    match &a.scaler {
        Scaler::Resources { cpu, memory } => {
            let metric = |name: &str, percent: i32| MetricSpec {
                type_: "Resource".to_owned(),
                resource: Some(ResourceMetricSource {
                    name: name.to_owned(),
                    target: MetricTarget {
                        type_: "Utilization".to_owned(),
                        average_utilization: Some(percent),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            };
            let metrics = [("cpu", *cpu), ("memory", *memory)]
                .into_iter()
                .filter_map(|(name, p)| Some(metric(name, p?)))
                .collect();
            Object::HorizontalPodAutoscaler(HorizontalPodAutoscaler {
                metadata: meta,
                spec: Some(HorizontalPodAutoscalerSpec {
                    scale_target_ref: CrossVersionObjectReference {
                        api_version: Some("apps/v1".to_owned()),
                        kind: "StatefulSet".to_owned(),
                        name: statefulset.to_owned(),
                    },
                    min_replicas: Some(a.min_replicas),
                    max_replicas: a.max_replicas,
                    metrics: Some(metrics),
                    behavior: Some(behavior),
                }),
                ..Default::default()
            })
        }
        Scaler::Prometheus { server_address, query, threshold } => Object::ScaledObject(ScaledObject {
            api_version: "keda.sh/v1alpha1".to_owned(),
            kind: "ScaledObject".to_owned(),
            metadata: meta,
            spec: ScaledObjectSpec {
                scale_target_ref: ScaleTarget {
                    api_version: "apps/v1".to_owned(),
                    kind: "StatefulSet".to_owned(),
                    name: statefulset.to_owned(),
                },
                min_replica_count: a.min_replicas,
                max_replica_count: a.max_replicas,
                advanced: Advanced { horizontal_pod_autoscaler_config: HpaConfig { behavior } },
                triggers: vec![Trigger {
                    type_: "prometheus".to_owned(),
                    metadata: BTreeMap::from([
                        ("serverAddress".to_owned(), server_address.clone()),
                        ("query".to_owned(), query.clone()),
                        ("threshold".to_owned(), threshold.to_string()),
                    ]),
                }],
            },
        }),
    }
}

/// Scale-down: after the stabilization window, a few pods per period (by
/// default one per drain deadline, so one executor drains at a time).
fn scale_down(a: &ClusterAutoscaling) -> HorizontalPodAutoscalerBehavior {
    HorizontalPodAutoscalerBehavior {
        scale_down: Some(HPAScalingRules {
            stabilization_window_seconds: Some(a.stabilization_window_seconds),
            select_policy: Some("Min".to_owned()),
            policies: Some(vec![HPAScalingPolicy {
                type_: "Pods".to_owned(),
                value: a.pods_per_period,
                period_seconds: a.period_seconds,
            }]),
            ..Default::default()
        }),
        scale_up: None,
    }
}
