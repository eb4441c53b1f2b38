//! Typed Kubernetes objects: small fluent builders over k8s-openapi types, and
//! [`build`], which turns a checked [`Cluster`](crate::spec::Cluster) into
//! every object of the release.

pub mod config;
pub mod container;
pub mod meta;
pub mod network_policy;
pub mod service;
pub mod workload;

mod admission;
mod auth;
pub mod autoscaling;
mod cluster;
mod ha;
pub mod http;
mod members;
pub mod monitoring;
mod pods;
mod storage;
pub mod tls;
mod volumes;

pub use cluster::{build, daemon_settings, CHECKSUM_ANNOTATION};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};

/// One generated object, typed.
// The StatefulSet is boxed: unboxed, every object was as wide as it (5.8 KB),
// and sorting a release's objects moved them all through a scratch buffer of
// that width (121 KB for the default release, a tenth of a run's time in
// page faults). The others are within a few hundred bytes of each other.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// The release's namespace.
    Namespace(Namespace),
    /// The release's ServiceAccount.
    ServiceAccount(ServiceAccount),
    /// Configuration files.
    ConfigMap(ConfigMap),
    /// The shared warehouse volume's claim.
    PersistentVolumeClaim(PersistentVolumeClaim),
    /// The cert-manager Certificate of the release's TLS.
    Certificate(tls::Certificate),
    /// A cluster-local or external Service.
    Service(Service),
    /// An ingress NetworkPolicy.
    NetworkPolicy(NetworkPolicy),
    /// A role's workload.
    StatefulSet(Box<StatefulSet>),
    /// How many of a role's pods a voluntary disruption may take at once.
    PodDisruptionBudget(PodDisruptionBudget),
    /// An executor group's autoscaler on CPU or memory.
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    /// An executor group's KEDA autoscaler on Impala's metrics.
    ScaledObject(autoscaling::ScaledObject),
    /// The Prometheus Operator PodMonitor that scrapes the daemons.
    PodMonitor(monitoring::Monitor),
    /// The Prometheus Operator ServiceMonitor that scrapes the daemons.
    ServiceMonitor(monitoring::Monitor),
    /// The Ingress of the HTTP endpoints.
    Ingress(Ingress),
    /// A Gateway API HTTPRoute of the HTTP endpoints.
    HttpRoute(http::HttpRoute),
}

impl Object {
    /// The object's kind (`StatefulSet`).
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Namespace(_) => Namespace::KIND,
            Object::ServiceAccount(_) => ServiceAccount::KIND,
            Object::ConfigMap(_) => ConfigMap::KIND,
            Object::PersistentVolumeClaim(_) => PersistentVolumeClaim::KIND,
            Object::Certificate(_) => "Certificate",
            Object::Service(_) => Service::KIND,
            Object::NetworkPolicy(_) => NetworkPolicy::KIND,
            Object::StatefulSet(_) => StatefulSet::KIND,
            Object::PodDisruptionBudget(_) => PodDisruptionBudget::KIND,
            Object::HorizontalPodAutoscaler(_) => HorizontalPodAutoscaler::KIND,
            Object::ScaledObject(_) => "ScaledObject",
            Object::PodMonitor(_) => "PodMonitor",
            Object::ServiceMonitor(_) => "ServiceMonitor",
            Object::Ingress(_) => Ingress::KIND,
            Object::HttpRoute(_) => "HTTPRoute",
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => o.metadata(),
            Object::ServiceAccount(o) => o.metadata(),
            Object::ConfigMap(o) => o.metadata(),
            Object::PersistentVolumeClaim(o) => o.metadata(),
            Object::Certificate(o) => &o.metadata,
            Object::Service(o) => o.metadata(),
            Object::NetworkPolicy(o) => o.metadata(),
            Object::StatefulSet(o) => o.metadata(),
            Object::PodDisruptionBudget(o) => o.metadata(),
            Object::HorizontalPodAutoscaler(o) => o.metadata(),
            Object::ScaledObject(o) => &o.metadata,
            Object::PodMonitor(o) | Object::ServiceMonitor(o) => &o.metadata,
            Object::Ingress(o) => o.metadata(),
            Object::HttpRoute(o) => &o.metadata,
        }
    }

    /// The object's name.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    /// Where the object goes in an apply: namespaces first, then identities,
    /// configuration, Services, policies and disruption budgets, workloads,
    /// the autoscalers of workloads, and what scrapes and routes to them last.
    pub fn apply_rank(&self) -> u8 {
        match self {
            Object::Namespace(_) => 0,
            Object::ServiceAccount(_) => 1,
            Object::ConfigMap(_) | Object::PersistentVolumeClaim(_) | Object::Certificate(_) => 2,
            Object::Service(_) => 3,
            Object::NetworkPolicy(_) => 4,
            Object::PodDisruptionBudget(_) => 5,
            Object::StatefulSet(_) => 6,
            Object::HorizontalPodAutoscaler(_) | Object::ScaledObject(_) => 7,
            Object::PodMonitor(_) | Object::ServiceMonitor(_) | Object::Ingress(_) | Object::HttpRoute(_) => 8,
        }
    }

    /// Reads an object of one of the kinds impala-k8s generates from YAML (or
    /// JSON); `None` for any other kind.
    pub fn parse(kind: &str, text: &str) -> Option<Result<Object, serde_yaml::Error>> {
        fn typed<T: serde::de::DeserializeOwned>(
            text: &str,
            wrap: fn(T) -> Object,
        ) -> Result<Object, serde_yaml::Error> {
            serde_yaml::from_str(text).map(wrap)
        }
        Some(match kind {
            "Namespace" => typed(text, Object::Namespace),
            "ServiceAccount" => typed(text, Object::ServiceAccount),
            "ConfigMap" => typed(text, Object::ConfigMap),
            "PersistentVolumeClaim" => typed(text, Object::PersistentVolumeClaim),
            "Certificate" => typed(text, Object::Certificate),
            "Service" => typed(text, Object::Service),
            "NetworkPolicy" => typed(text, Object::NetworkPolicy),
            "StatefulSet" => typed(text, |s| Object::StatefulSet(Box::new(s))),
            "PodDisruptionBudget" => typed(text, Object::PodDisruptionBudget),
            "HorizontalPodAutoscaler" => typed(text, Object::HorizontalPodAutoscaler),
            "ScaledObject" => typed(text, Object::ScaledObject),
            "PodMonitor" => typed(text, Object::PodMonitor),
            "ServiceMonitor" => typed(text, Object::ServiceMonitor),
            "Ingress" => typed(text, Object::Ingress),
            "HTTPRoute" => typed(text, Object::HttpRoute),
            _ => return None,
        })
    }

    /// The object as JSON, with `apiVersion` and `kind`.
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Object::Namespace(o) => serde_json::to_value(o),
            Object::ServiceAccount(o) => serde_json::to_value(o),
            Object::ConfigMap(o) => serde_json::to_value(o),
            Object::PersistentVolumeClaim(o) => serde_json::to_value(o),
            Object::Certificate(o) => serde_json::to_value(o),
            Object::Service(o) => serde_json::to_value(o),
            Object::NetworkPolicy(o) => serde_json::to_value(o),
            Object::StatefulSet(o) => serde_json::to_value(o),
            Object::PodDisruptionBudget(o) => serde_json::to_value(o),
            Object::HorizontalPodAutoscaler(o) => serde_json::to_value(o),
            Object::ScaledObject(o) => serde_json::to_value(o),
            Object::PodMonitor(o) | Object::ServiceMonitor(o) => serde_json::to_value(o),
            Object::Ingress(o) => serde_json::to_value(o),
            Object::HttpRoute(o) => serde_json::to_value(o),
        };
        // k8s-openapi types serialize to JSON infallibly: string keys, no floats.
        value.expect("k8s-openapi objects serialize to JSON")
    }
}
