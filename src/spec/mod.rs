//! What the user asked for: an `ImpalaCluster` ([`crd`]), read from a file
//! ([`load`], with positions from [`positions`] and field paths from
//! [`path`]) and overridden by flags, then checked against a registry into a
//! [`Cluster`] ready for the builders. `resolve.rs` runs the cluster's steps
//! and `role.rs` each role's, with the checks of `checks.rs`; the resolved
//! types and their object names are in `model.rs`.

pub mod admission;
mod api_rules;
pub mod auth;
pub mod autoscaling;
mod checks;
pub mod crd;
pub mod groups;
pub mod ha;
pub mod http;
pub mod kerberos;
pub mod load;
mod memory;
pub mod metrics;
mod model;
pub mod path;
pub mod positions;
mod resolve;
pub mod role;
mod service;
pub mod starter;
pub mod storage;
pub mod tls;
pub mod warnings;
mod wiring;

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crd::ImpalaClusterSpec;
pub use model::{
    default_resources, Cluster, ClusterDrain, ClusterNetworkPolicy, ClusterPort, ClusterRole, ClusterService,
    ClusterServiceAccount, DataClaim, Egress, EgressRule, RoleLogging, RoleWiring, DRAIN_MARGIN_SECONDS, MAX_REPLICAS,
    MAX_STATEFULSET_NAME, POD_NAME,
};
pub use path::FieldPath;
pub use role::{DEFAULT_LOG_FILES, MAX_LOG_VERBOSITY};

use crate::registry::{Profile, Registry};

/// The type of the Services that carry a role's external ports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
pub enum ServiceType {
    /// Reachable inside the cluster only (`kubectl port-forward` for people).
    #[default]
    #[value(name = "ClusterIP")]
    ClusterIP,
    /// Also reachable on a port of every node.
    #[value(name = "NodePort")]
    NodePort,
    /// Also reachable through a cloud load balancer.
    #[value(name = "LoadBalancer")]
    LoadBalancer,
}

impl ServiceType {
    /// The type as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
        }
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Hive Metastore address used when the user gives none.
pub const DEFAULT_METASTORE_URI: &str = "thrift://hive-metastore:9083";
/// The release name used when the user gives none.
pub const DEFAULT_RELEASE: &str = "impala";
/// The namespace used when the user gives none.
pub const DEFAULT_NAMESPACE: &str = "impala";

/// What the user asks the generator for, before it is checked: the
/// ImpalaCluster's name (the release), its namespace and its spec.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    /// The prefix of every object name and the `app.kubernetes.io/instance` label (`metadata.name`).
    pub release: String,
    /// The namespace of every object (`metadata.namespace`).
    pub namespace: String,
    /// Everything else.
    pub spec: ImpalaClusterSpec,
    /// Which document of its file the request came from (0-based), for error positions.
    pub document: usize,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            release: DEFAULT_RELEASE.to_owned(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            spec: ImpalaClusterSpec::default(),
            document: 0,
        }
    }
}

impl ClusterSpec {
    /// The built-in profile the spec names (or the default).
    pub fn profile(&self) -> Profile {
        self.spec.profile.unwrap_or_default()
    }

    /// The registry the spec is built from: its own, or its profile's for the
    /// spec's release (`cdhRelease`; the profile's default when it names none
    /// or one the profile does not know, which [`ClusterSpec::resolve`] refuses).
    pub fn registry(&self) -> &Registry {
        let profile = self.profile();
        self.spec.registry.as_ref().unwrap_or_else(|| {
            profile
                .registry_for(self.spec.cdh_release.as_deref())
                .or_else(|| profile.registry_for(None))
                .expect("a profile has its default release")
        })
    }
}

/// Where in a file a value stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (`-` for stdin).
    pub file: String,
    /// Line and column, where known.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// A request that cannot be honoured: where, the field, the value and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {message}", location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default())]
pub struct SpecError {
    /// The file and position, when the request came from a file.
    pub location: Option<Location>,
    /// The field path (`spec.roles.coordinator.ports.hs2`).
    pub field: FieldPath,
    /// What is wrong with its value and what is allowed.
    pub message: String,
    /// The key that names `field` is at fault, not its value (an unknown
    /// port, role or resource name, a malformed label key): the error is
    /// placed at the key.
    pub at_key: bool,
}

impl SpecError {
    /// An error in `field`.
    pub fn new(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        SpecError { location: None, field: field.into(), message: message.into(), at_key: false }
    }

    /// An error in the key that names `field`, not in its value.
    pub fn of_key(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        SpecError::new(field, message).on_key()
    }

    /// This error, placed at the key that names its field.
    pub fn on_key(self) -> Self {
        SpecError { at_key: true, ..self }
    }
}

/// The closest of `candidates` to `value`, when one is close enough to be a typo.
pub fn did_you_mean<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(value, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("replcas", ["replicas", "resources"]), Some("replicas"));
        assert_eq!(did_you_mean("coordinater", ["coordinator", "executor"]), Some("coordinator"));
        assert_eq!(did_you_mean("zzz", ["replicas"]), None);
    }

    #[test]
    fn error_display() {
        let mut e = SpecError::new("spec.roles.coordinator.ports.hs2", "port 0 is out of range");
        assert_eq!(e.to_string(), "spec.roles.coordinator.ports.hs2: port 0 is out of range");
        e.location = Some(Location { file: "c.yaml".into(), position: Some((7, 13)) });
        assert_eq!(e.to_string(), "c.yaml:7:13: spec.roles.coordinator.ports.hs2: port 0 is out of range");
    }
}
