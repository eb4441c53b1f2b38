//! What the user asked for ([`ClusterSpec`]), and the same request checked
//! against a registry ([`Cluster`]), ready for the builders.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::{NamespaceName, PortName, PortNumber, ReleaseName, RoleName};
use crate::registry::{Access, Port, Profile, Registry, Role};

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

/// What the user asks the generator for, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// The built-in port registry.
    pub profile: Profile,
    /// The namespace of every object.
    pub namespace: String,
    /// Whether to emit the Namespace object itself (with the restricted Pod Security Standard enforced).
    pub create_namespace: bool,
    /// The prefix of every object name and the `app.kubernetes.io/instance` label.
    pub release: String,
    /// The image repository; the registry's when unset.
    pub image_repository: Option<String>,
    /// The image tag prefix (each role appends `-<image>`); the registry's when unset.
    pub tag: Option<String>,
    /// Pod counts by role; a role's default when unset.
    pub replicas: BTreeMap<String, u32>,
    /// The type of the external Services.
    pub service_type: ServiceType,
    /// The Hive Metastore URI(s) written to hive-site.xml.
    pub metastore_uri: String,
    /// Optional roles to run (`admissiond`).
    pub enable: BTreeSet<String>,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            profile: Profile::default(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            create_namespace: true,
            release: DEFAULT_RELEASE.to_owned(),
            image_repository: None,
            tag: None,
            replicas: BTreeMap::new(),
            service_type: ServiceType::default(),
            metastore_uri: DEFAULT_METASTORE_URI.to_owned(),
            enable: BTreeSet::new(),
        }
    }
}

/// A request that cannot be honoured: the field, the value and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SpecError {
    /// The setting at fault (`release`, `replicas.catalogd`).
    pub field: String,
    /// What is wrong with its value and what is allowed.
    pub message: String,
}

fn fail<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError {
        field: field.into(),
        message: message.into(),
    })
}

/// A port of a running role, as it will be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterPort<'r> {
    /// The registry entry.
    pub entry: &'r Port,
    /// The port number.
    pub number: PortNumber,
    /// Who may reach it.
    pub access: Access,
    /// The running roles that connect to it.
    pub peers: Vec<&'r RoleName>,
}

impl ClusterPort<'_> {
    /// The port's Kubernetes name.
    pub fn name(&self) -> &PortName {
        &self.entry.name
    }
}

/// A role that runs, with its settled replica count, image and ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRole<'r> {
    /// The registry entry.
    pub role: &'r Role,
    /// The pod count, as the Kubernetes API types it.
    pub replicas: i32,
    /// The full image reference.
    pub image: String,
    /// Its ports, in registry order.
    pub ports: Vec<ClusterPort<'r>>,
}

impl<'r> ClusterRole<'r> {
    /// The role's name.
    pub fn name(&self) -> &'r RoleName {
        &self.role.name
    }

    /// The ports with the given access.
    pub fn ports_with(&self, access: Access) -> impl Iterator<Item = &ClusterPort<'r>> {
        self.ports.iter().filter(move |p| p.access == access)
    }

    /// The port with the given name.
    pub fn port(&self, name: &PortName) -> Option<&ClusterPort<'r>> {
        self.ports.iter().find(|p| p.name() == name)
    }
}

/// A checked request: every value valid, every name within Kubernetes' limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster<'r> {
    /// The registry the cluster is built from.
    pub registry: &'r Registry,
    /// The release name.
    pub release: ReleaseName,
    /// The namespace.
    pub namespace: NamespaceName,
    /// Whether the Namespace object is emitted.
    pub create_namespace: bool,
    /// The type of the external Services.
    pub service_type: ServiceType,
    /// The Hive Metastore URI(s).
    pub metastore_uri: String,
    /// The image tag prefix, also the `app.kubernetes.io/version` label.
    pub version: String,
    /// True when the images are the registry's placeholder.
    pub placeholder_image: bool,
    /// The running roles, in registry order.
    pub roles: Vec<ClusterRole<'r>>,
}

/// The largest replica count Kubernetes accepts (an `int32`).
pub const MAX_REPLICAS: u32 = i32::MAX as u32;

/// The longest StatefulSet name: its pods carry a `controller-revision-hash`
/// label of the name plus 11 characters, and a label value has at most 63.
pub const MAX_STATEFULSET_NAME: usize = 52;

static REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    // The distribution reference grammar: an optional registry host, then path components.
    Regex::new(r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
        .expect("valid regex")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").expect("valid regex"));
static LABEL_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$").expect("valid regex")
});

impl ClusterSpec {
    /// Checks the request against its profile's built-in registry.
    pub fn resolve(&self) -> Result<Cluster<'static>, SpecError> {
        self.resolve_with(self.profile.registry())
    }

    /// Checks the request against `registry`.
    pub fn resolve_with<'r>(&self, registry: &'r Registry) -> Result<Cluster<'r>, SpecError> {
        let release = ReleaseName::try_from(self.release.as_str())
            .or_else(|e| fail("release", e.to_string()))?;
        let namespace = NamespaceName::try_from(self.namespace.as_str())
            .or_else(|e| fail("namespace", e.to_string()))?;
        let repository = self
            .image_repository
            .as_deref()
            .unwrap_or(&registry.image.repository);
        if !REPOSITORY.is_match(repository) {
            return fail("imageRepository", format!("'{repository}' is not an image repository: expected [HOST[:PORT]/]PATH with lowercase path components, for example apache/impala"));
        }
        let tag = self.tag.as_deref().unwrap_or(&registry.image.tag);
        if !TAG.is_match(tag) || !LABEL_VALUE.is_match(tag) {
            return fail("tag", format!("'{tag}' is not a usable tag: it needs 1 to 63 letters, digits, '_', '.' and '-', starting and ending with a letter or digit (it is also the app.kubernetes.io/version label)"));
        }
        check_metastore_uri(&self.metastore_uri)?;

        for name in &self.enable {
            match registry.role(name) {
                Some(role) if role.optional => {}
                _ => {
                    let optional: Vec<_> = registry
                        .roles
                        .iter()
                        .filter(|r| r.optional)
                        .map(|r| r.name.as_str())
                        .collect();
                    let allowed = if optional.is_empty() {
                        "none".to_owned()
                    } else {
                        optional.join(", ")
                    };
                    return fail("enable", format!("'{name}' is not an optional role of profile {}; the optional roles are: {allowed}", registry.profile));
                }
            }
        }
        let running: BTreeSet<&RoleName> = registry
            .roles
            .iter()
            .filter(|r| !r.optional || self.enable.contains(r.name.as_str()))
            .map(|r| &r.name)
            .collect();
        for (name, &count) in &self.replicas {
            let field = format!("replicas.{name}");
            let Some(role) = registry.role(name) else {
                return fail(
                    field,
                    format!(
                        "'{name}' is not a role of profile {}; the roles are: {}",
                        registry.profile,
                        registry.role_names()
                    ),
                );
            };
            if !running.contains(&role.name) {
                return fail(
                    field,
                    format!(
                        "role '{name}' is optional and not enabled; enable it with --enable {name}"
                    ),
                );
            }
            let r = role.replicas;
            if role.is_singleton() && count != 1 {
                return fail(
                    field,
                    format!("role '{name}' is a singleton and runs exactly 1 pod, not {count}"),
                );
            }
            let max = r.max.unwrap_or(MAX_REPLICAS).min(MAX_REPLICAS);
            if count < r.min || count > max {
                return fail(
                    field,
                    format!(
                        "role '{name}' runs at least {} and at most {max} pod(s), not {count}",
                        r.min
                    ),
                );
            }
        }

        let mut roles = Vec::new();
        for role in registry.roles.iter().filter(|r| running.contains(&r.name)) {
            let ports = registry
                .ports_of(&role.name)
                .map(|entry| ClusterPort {
                    entry,
                    number: entry.number,
                    access: entry.access,
                    peers: entry.peers.iter().filter(|p| running.contains(p)).collect(),
                })
                .collect();
            let image = match role.image.as_str() {
                "" => format!("{repository}:{tag}"),
                suffix => format!("{repository}:{tag}-{suffix}"),
            };
            if image.len() - repository.len() - 1 > 128 {
                return fail(
                    "tag",
                    format!(
                        "tag '{tag}-{}' is longer than the 128 characters a tag may have",
                        role.image
                    ),
                );
            }
            let count = self
                .replicas
                .get(role.name.as_str())
                .copied()
                .unwrap_or(role.replicas.default);
            let Ok(replicas) = i32::try_from(count) else {
                return fail(
                    format!("replicas.{}", role.name),
                    format!("{count} pods are more than the {MAX_REPLICAS} Kubernetes allows"),
                );
            };
            roles.push(ClusterRole {
                role,
                replicas,
                image,
                ports,
            });
        }

        let cluster = Cluster {
            registry,
            release,
            namespace,
            create_namespace: self.create_namespace,
            service_type: self.service_type,
            metastore_uri: self.metastore_uri.clone(),
            version: tag.to_owned(),
            placeholder_image: registry.image.placeholder && self.image_repository.is_none(),
            roles,
        };
        cluster.check_names()?;
        Ok(cluster)
    }
}

fn check_metastore_uri(uris: &str) -> Result<(), SpecError> {
    for uri in uris.split(',') {
        let ok = url::Url::parse(uri.trim()).is_ok_and(|u| {
            u.scheme() == "thrift"
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.port().is_some()
                && u.path().trim_matches('/').is_empty()
        });
        if !ok {
            return fail("metastoreUri", format!("'{uri}' is not a Hive Metastore URI: expected thrift://HOST:PORT, several separated by commas"));
        }
    }
    Ok(())
}

impl<'r> Cluster<'r> {
    /// The running role with this name.
    pub fn role(&self, name: &str) -> Option<&ClusterRole<'r>> {
        self.roles.iter().find(|r| r.name().as_str() == name)
    }

    /// The name of a role's StatefulSet: `<release>-<role>`.
    pub fn workload_name(&self, role: &RoleName) -> String {
        format!("{}-{role}", self.release)
    }

    /// The name of a role's external Service, `<release>-<role>`: what clients use.
    pub fn external_service_name(&self, role: &RoleName) -> String {
        format!("{}-{role}", self.release)
    }

    /// The name of a role's cluster-local Service, `<release>-<role>-internal`:
    /// what peers use (ClusterIP for singletons, headless for scalable roles).
    pub fn internal_service_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-internal", self.release)
    }

    /// The name of a role's ingress NetworkPolicy: `<release>-<role>-ingress`.
    pub fn policy_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-ingress", self.release)
    }

    /// The name of the release's default-deny NetworkPolicy.
    pub fn default_deny_name(&self) -> String {
        format!("{}-default-deny-ingress", self.release)
    }

    /// The name of the Hadoop/Hive client configuration ConfigMap.
    pub fn hadoop_config_name(&self) -> String {
        format!("{}-hadoop-config", self.release)
    }

    /// The name of a role's own configuration ConfigMap (llama-site.xml).
    pub fn role_config_name(&self, role: &RoleName) -> String {
        format!("{}-{role}-config", self.release)
    }

    /// The name of the release's ServiceAccount.
    pub fn service_account_name(&self) -> String {
        self.release.to_string()
    }

    fn check_names(&self) -> Result<(), SpecError> {
        for role in &self.roles {
            let name = role.name();
            let sts = self.workload_name(name);
            if sts.len() > MAX_STATEFULSET_NAME {
                return fail("release", format!("release name '{}' makes StatefulSet name '{sts}' {} characters long; at most {MAX_STATEFULSET_NAME} are allowed (its pods' controller-revision-hash label adds 11)", self.release, sts.len()));
            }
            for service in [
                self.internal_service_name(name),
                self.external_service_name(name),
            ] {
                if service.len() > 63 {
                    return fail("release", format!("release name '{}' makes Service name '{service}' {} characters long; Kubernetes allows at most 63", self.release, service.len()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(edit: impl FnOnce(&mut ClusterSpec)) -> Result<Cluster<'static>, SpecError> {
        let mut spec = ClusterSpec::default();
        edit(&mut spec);
        spec.resolve()
    }

    #[test]
    fn defaults_resolve() {
        let c = resolve(|_| {}).unwrap();
        let names: Vec<_> = c.roles.iter().map(|r| r.name().as_str()).collect();
        assert_eq!(
            names,
            ["statestored", "catalogd", "coordinator", "executor"]
        );
        assert_eq!(
            c.role("coordinator").unwrap().image,
            "apache/impala:4.5.0-impalad_coordinator"
        );
        assert_eq!(c.role("executor").unwrap().replicas, 2);
        // admissiond is not running, so it is no peer of the statestore.
        let statestore = &c.role("statestored").unwrap().ports[0];
        assert_eq!(
            statestore
                .peers
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>(),
            ["coordinator", "executor", "catalogd"]
        );
    }

    #[test]
    fn enable_admissiond() {
        let c = resolve(|s| {
            s.enable.insert("admissiond".into());
        })
        .unwrap();
        assert!(c.role("admissiond").is_some());
        let e = resolve(|s| {
            s.enable.insert("catalogd".into());
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "enable: 'catalogd' is not an optional role of profile impala4; the optional roles are: admissiond");
    }

    #[test]
    fn replica_counts() {
        let e = resolve(|s| {
            s.replicas.insert("catalogd".into(), 2);
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "replicas.catalogd: role 'catalogd' is a singleton and runs exactly 1 pod, not 2"
        );
        let e = resolve(|s| {
            s.replicas.insert("coordinator".into(), 0);
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "replicas.coordinator: role 'coordinator' runs at least 1 and at most 2147483647 pod(s), not 0");
        let e = resolve(|s| {
            s.replicas.insert("impalad".into(), 3);
        })
        .unwrap_err();
        assert!(e.to_string().contains("'impalad' is not a role of profile impala4; the roles are: statestored, catalogd, admissiond, coordinator, executor"), "{e}");
        let e = resolve(|s| {
            s.replicas.insert("admissiond".into(), 1);
        })
        .unwrap_err();
        assert!(e.message.contains("--enable admissiond"), "{e}");
    }

    #[test]
    fn names_and_images() {
        let e = resolve(|s| s.release = "Impala".into()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("release: release name 'Impala' is invalid"),
            "{e}"
        );
        let e = resolve(|s| s.release = "a".repeat(45)).unwrap_err();
        assert!(e.message.contains("StatefulSet name"), "{e}");
        let e = resolve(|s| s.namespace = "kube_system".into()).unwrap_err();
        assert_eq!(e.field, "namespace");
        let e = resolve(|s| s.image_repository = Some("Apache/Impala".into())).unwrap_err();
        assert_eq!(e.field, "imageRepository");
        assert!(resolve(
            |s| s.image_repository = Some("registry.example.com:5000/team/impala".into())
        )
        .is_ok());
        let e = resolve(|s| s.tag = Some("4.5.0+1".into())).unwrap_err();
        assert_eq!(e.field, "tag");
    }

    #[test]
    fn metastore_uris() {
        assert!(
            resolve(|s| s.metastore_uri = "thrift://a:9083,thrift://b.example.com:9083".into())
                .is_ok()
        );
        for bad in ["hive-metastore:9083", "thrift://hms", "http://hms:9083", ""] {
            let e = resolve(|s| s.metastore_uri = bad.into()).unwrap_err();
            assert_eq!(e.field, "metastoreUri", "{bad}");
        }
    }

    #[test]
    fn cdh5_placeholder() {
        let c = resolve(|s| s.profile = Profile::Cdh5).unwrap();
        assert!(c.placeholder_image);
        assert_eq!(
            c.role("llama").unwrap().image,
            "impala-k8s.invalid/cdh5-placeholder:cdh5-llama"
        );
        let c = resolve(|s| {
            s.profile = Profile::Cdh5;
            s.image_repository = Some("example.com/cdh5".into());
        })
        .unwrap();
        assert!(!c.placeholder_image);
    }
}
