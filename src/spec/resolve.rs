//! A [`ClusterSpec`] checked against its registry: every value valid, every
//! name within Kubernetes' limits, every override applied. `resolve` runs
//! named steps: names, images, Hadoop configuration, which roles run, each
//! role (in [`super::role`]), then the NetworkPolicies.

use std::collections::{BTreeMap, BTreeSet};

use super::checks::{
    check_metastore_uri, check_names, check_peers, egress_rules, fail, fail_key, hint, is_digest, is_repository, is_tag,
};
use super::crd::{ImpalaClusterSpec, LogDestination, NetworkPolicySpec, RoleSpec};
use super::model::{Cluster, ClusterNetworkPolicy, ClusterServiceAccount, Egress};
use super::role::{Images, RoleInput};
use super::storage::{ClusterStorage, StorageKind};
use super::{ClusterSpec, FieldPath, SpecError, DEFAULT_METASTORE_URI};
use crate::names::{is_label_value, is_rfc1123_subdomain, NamespaceName, PortNumber, ReleaseName, RoleName};
use crate::registry::{Destination, Profile, Registry, Role};

/// The executor groups of the role the registry forms them of, which then
/// runs as many pods as its groups together.
fn add_groups(
    input: &RoleInput<'_, '_>,
    role: &mut super::model::ClusterRole<'_>,
    spec: &ImpalaClusterSpec,
    admission: Option<&super::admission::ClusterAdmission<'_>>,
    namespace: &NamespaceName,
) -> Result<(), SpecError> {
    let placed = super::groups::Placed {
        namespace: namespace.as_str(),
        drain_seconds: role
            .drain
            .as_ref()
            .map_or(0, |d| u32::try_from(d.termination_grace_period_seconds()).unwrap_or(u32::MAX)),
    };
    role.groups = input.groups(&spec.executor_groups, input.registry.executor_groups.as_ref(), admission, &placed)?;
    if !role.groups.is_empty() {
        role.replicas = role.groups.iter().map(|g| g.replicas).fold(0, i32::saturating_add);
    }
    Ok(())
}

/// The namespaces Kubernetes keeps for itself, refused; `default`, which
/// every cluster has, refused only where the release would create (and so
/// relabel) it.
fn check_reserved_namespace(namespace: &NamespaceName, create: bool) -> Result<(), SpecError> {
    let name = namespace.as_str();
    if ["kube-system", "kube-public", "kube-node-lease"].contains(&name) {
        return fail(
            "metadata.namespace",
            format!("'{name}' is reserved for Kubernetes itself; choose a namespace of your own"),
        );
    }
    if name == "default" && create {
        return fail(
            "metadata.namespace",
            "'default' exists in every cluster, and createNamespace would relabel it (Pod Security) and own it; set createNamespace: false or choose a namespace of your own",
        );
    }
    Ok(())
}

impl ClusterSpec {
    /// Checks the request against its registry.
    pub fn resolve(&self) -> Result<Cluster<'_>, SpecError> {
        let spec = &self.spec;
        self.check_own_registry()?;
        let registry = self.registry();
        let release = ReleaseName::try_from(self.release.as_str()).or_else(|e| fail("metadata.name", e.to_string()))?;
        let namespace =
            NamespaceName::try_from(self.namespace.as_str()).or_else(|e| fail("metadata.namespace", e.to_string()))?;
        check_reserved_namespace(&namespace, spec.create_namespace.unwrap_or(true))?;
        self.check_release()?;
        let images = images(spec, registry)?;
        let running = running_roles(spec, registry)?;
        let yarn_resource_manager = yarn_resource_manager(spec, registry, &running)?;
        let built_in = built_in_metastore(spec, registry, &running)?;
        let mut metastore_uri = spec.metastore_uri.clone().unwrap_or_else(|| DEFAULT_METASTORE_URI.to_owned());
        let metastore_ports = check_metastore_uri(&metastore_uri)?;
        let mut service_account = super::wiring::service_account(&spec.service_account, &self.release)?;
        let storage = super::storage::resolve(&spec.storage, &self.release, service_account.create)?;
        if let Some(storage) = &storage {
            add_identity(&mut service_account, storage)?;
        }
        check_site_properties(spec, storage.as_ref())?;
        check_logging(spec)?;
        let tls = super::tls::resolve(&spec.tls, registry, &self.release)?;
        let ldap = super::auth::resolve(&spec.auth, registry, tls.as_ref())?;
        let web_ui_auth = super::auth::resolve_web_ui(&spec.auth, registry, tls.as_ref())?;
        let kerberos = super::kerberos::resolve(spec.auth.kerberos.as_ref(), registry)?;
        let ha = super::ha::resolve(spec, registry)?;
        if !spec.executor_groups.is_empty() && registry.executor_groups.is_none() {
            return fail(
                "spec.executorGroups",
                format!("registry {} declares no executor groups; they are for Impala 3.3 and later", registry.profile),
            );
        }
        let admission = super::admission::resolve(&spec.admission, registry)?;
        let metrics = super::metrics::resolve(&spec.metrics, registry)?;

        let mut roles = Vec::new();
        let mut node_ports: BTreeMap<i32, FieldPath> = BTreeMap::new();
        for role in registry.roles.iter().filter(|r| running.contains(&r.name)) {
            let empty = RoleSpec::default();
            let input = RoleInput {
                registry,
                role,
                spec: spec.roles.get(role.name.as_str()).unwrap_or(&empty),
                field: FieldPath::from("spec.roles").key(role.name.as_str()),
                running: &running,
                default_service_type: spec.service_type.unwrap_or_default(),
                storage: storage.as_ref().filter(|_| role.reaches.contains(&Destination::Storage)),
                tls: tls.as_ref().filter(|_| role.config == crate::registry::ConfigStyle::Gflags),
                ldap: ldap.as_ref().filter(|_| role.config == crate::registry::ConfigStyle::Gflags),
                web_ui_auth: web_ui_auth.as_ref().filter(|_| role.config == crate::registry::ConfigStyle::Gflags),
                kerberos: kerberos.as_ref().filter(|_| role.config == crate::registry::ConfigStyle::Gflags),
                pair: ha.pairs(role.name.as_str()),
                admission: admission.as_ref().filter(|a| a.flags.roles.contains(&role.name)),
                metrics: metrics.is_some(),
            };
            let mut resolved = input.resolve(spec, &images, &mut node_ports)?;
            add_groups(&input, &mut resolved, spec, admission.as_ref(), &namespace)?;
            roles.push(resolved);
        }
        let http = super::http::resolve(&spec.http, &roles, &release)?;
        if let Some(role) = built_in.and_then(|b| roles.iter().find(|r| r.role.name == b.name)) {
            // The built-in metastore's Service and first port, after overrides.
            let port = role.ports.first().map_or(0, |p| p.number.get());
            metastore_uri = format!("thrift://{}:{port}", super::model::internal_service_name(&release, role.name()));
        }

        let cluster = Cluster {
            registry,
            release,
            namespace,
            create_namespace: spec.create_namespace.unwrap_or(true),
            metastore_uri,
            hive_site: spec.hive_site.clone(),
            core_site: spec.core_site.clone(),
            pull_secrets: spec.image.pull_secrets.clone(),
            version: images.tag.to_owned(),
            placeholder_image: registry.image.placeholder && images.repository == registry.image.repository,
            network_policy: network_policy(
                &spec.network_policy,
                &metastore_ports,
                built_in.is_some(),
                storage.as_ref(),
                reaches_yarn(registry, &running),
            )?,
            roles,
            service_account,
            storage,
            yarn_resource_manager,
            tls,
            ldap,
            web_ui_auth,
            kerberos,
            ha,
            admission,
            metrics,
            http,
        };
        check_names(&cluster)?;
        Ok(cluster)
    }

    /// The release of the profile (`cdhRelease`): one it knows, for a profile that has releases.
    pub fn check_release(&self) -> Result<(), SpecError> {
        let Some(release) = &self.spec.cdh_release else { return Ok(()) };
        let field = "spec.cdhRelease";
        if self.spec.registry.is_some() {
            return fail(
                field,
                "a spec's own registry describes one build, so it has no releases to choose from; remove cdhRelease",
            );
        }
        let profile = self.profile();
        let Some(releases) = &profile.registry().releases else {
            return fail(
                field,
                format!("profile {profile} has no releases to choose from; cdhRelease is for the cdh5 profile"),
            );
        };
        if !releases.known.contains(release) {
            let known = releases.known.iter().map(String::as_str);
            return fail(
                field,
                format!(
                    "'{release}' is not a {} release of profile {profile}{}; the releases are: {}",
                    releases.name,
                    hint(release, known),
                    releases.known.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// A spec's own registry: valid, and in place of a profile.
    fn check_own_registry(&self) -> Result<(), SpecError> {
        let Some(registry) = &self.spec.registry else { return Ok(()) };
        if registry.releases.is_some() {
            return fail("spec.registry.releases", "a spec's own registry describes one build: give it the roles and ports of one release, without releases and their gates");
        }
        if self.spec.profile.is_some() {
            return fail(
                "spec.profile",
                "a spec with its own registry names no profile: remove spec.profile (or --profile), or the registry",
            );
        }
        registry
            .validate()
            .or_else(|(path, message)| fail(FieldPath::from("spec.registry").join(path.as_str()), message))
    }
}

/// `'x' is not a role of P (did you mean 'y'?); the roles are: ...`, or,
/// for a role of other releases of the profile, which releases have it.
fn not_a_role(spec: &ImpalaClusterSpec, registry: &Registry, name: &str) -> String {
    let profile = spec.profile.unwrap_or_default();
    let full = Profile::registry(profile);
    if let (None, Some(releases), Some(role)) = (&spec.registry, &full.releases, full.role(name)) {
        let range = role.releases.clone().unwrap_or_default();
        return format!(
            "'{name}' is not a role of {}, only of releases {}: set spec.cdhRelease (--cdh-release) to one of them",
            describe_release(spec, registry),
            range.describe(&releases.name)
        );
    }
    format!(
        "'{name}' is not a role of {}{}; the roles are: {}",
        registry.profile,
        hint(name, registry.roles.iter().map(|r| r.name.as_str())),
        registry.role_names()
    )
}

/// The repository and tag, the pull secrets and the digests.
fn images<'a>(spec: &'a ImpalaClusterSpec, registry: &'a Registry) -> Result<Images<'a>, SpecError> {
    let repository = spec.image.repository.as_deref().unwrap_or(&registry.image.repository);
    if !is_repository(repository) {
        return fail("spec.image.repository", format!("'{repository}' is not an image repository: expected [HOST[:PORT]/]PATH with lowercase path components, for example apache/impala"));
    }
    let tag = spec.image.tag.as_deref().unwrap_or(&registry.image.tag);
    if !is_tag(tag) || !is_label_value(tag) {
        return fail("spec.image.tag", format!("'{tag}' is not a usable tag: it needs 1 to 63 letters, digits, '_', '.' and '-', starting and ending with a letter or digit (it is also the app.kubernetes.io/version label)"));
    }
    for (i, secret) in spec.image.pull_secrets.iter().enumerate() {
        if !is_rfc1123_subdomain(secret) {
            return fail(
                FieldPath::from("spec.image.pullSecrets").index(i),
                format!("'{secret}' is not a Secret name: lowercase letters, digits, '-' and '.'"),
            );
        }
    }
    for (role, digest) in &spec.image.digests {
        let field = FieldPath::from("spec.image.digests").key(role.as_str());
        if registry.role(role).is_none() {
            return fail_key(field, not_a_role(spec, registry, role));
        }
        if !is_digest(digest) {
            return fail(
                field,
                format!("'{digest}' is not an image digest: expected sha256: and 64 lowercase hex digits"),
            );
        }
    }
    Ok(Images { repository, tag })
}

/// The ServiceAccount annotations of the storage's workload identity, unless
/// the spec's own annotations say otherwise.
fn add_identity(service_account: &mut ClusterServiceAccount, storage: &ClusterStorage) -> Result<(), SpecError> {
    for (key, value) in &storage.service_account_annotations {
        if service_account.annotations.get(key).is_some_and(|v| v != value) {
            return fail(
                FieldPath::from("spec.serviceAccount.annotations").key(key.as_str()),
                format!("'{key}' is set from spec.storage.credentials.workloadIdentity; set it there only"),
            );
        }
        service_account.annotations.insert(key.clone(), value.clone());
    }
    Ok(())
}

/// True when a running role talks to YARN (the Llama ApplicationMaster).
fn reaches_yarn(registry: &Registry, running: &BTreeSet<&RoleName>) -> bool {
    registry.roles.iter().any(|r| running.contains(&r.name) && r.reaches.contains(&Destination::Yarn))
}

/// The ResourceManager's host: required when a running role registers with
/// YARN, refused otherwise (it would be ignored).
fn yarn_resource_manager(
    spec: &ImpalaClusterSpec,
    registry: &Registry,
    running: &BTreeSet<&RoleName>,
) -> Result<Option<String>, SpecError> {
    let field = "spec.yarnResourceManager";
    let needs = registry
        .roles
        .iter()
        .find(|r| running.contains(&r.name) && r.destination_flags.contains_key(&Destination::Yarn));
    match (needs, &spec.yarn_resource_manager) {
        (Some(role), None) => fail(field, format!("role '{}' ({}) registers with a YARN ResourceManager: set spec.yarnResourceManager (--yarn-resource-manager) to its host", role.name, describe_release(spec, registry))),
        (None, Some(_)) => fail(field, format!("no role of {} talks to YARN, so the ResourceManager would be ignored (the Llama ApplicationMaster runs up to CDH 5.10); remove it, or set cdhRelease", describe_release(spec, registry))),
        (Some(_), Some(host)) => {
            let ok = !host.is_empty() && host.len() <= 253 && host.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !l.starts_with('-') && !l.ends_with('-'));
            if !ok {
                return fail(field, format!("'{host}' is not a host name: DNS labels of letters, digits and '-', or an IPv4 address"));
            }
            Ok(Some(host.clone()))
        }
        (None, None) => Ok(None),
    }
}

/// `profile cdh5, CDH 5.16` or `profile impala4`, for messages.
fn describe_release(spec: &ImpalaClusterSpec, registry: &Registry) -> String {
    let profile = spec.profile.unwrap_or_default();
    match Profile::registry(profile).releases.as_ref().filter(|_| spec.registry.is_none()) {
        Some(r) => format!("profile {profile}, {} {}", r.name, spec.cdh_release.as_deref().unwrap_or(&r.default)),
        None => format!("registry {}", registry.profile),
    }
}

/// The role of the built-in metastore, when one runs; a metastore URI of the
/// spec would then be ignored, and is refused.
fn built_in_metastore<'r>(
    spec: &ImpalaClusterSpec,
    registry: &'r Registry,
    running: &BTreeSet<&RoleName>,
) -> Result<Option<&'r Role>, SpecError> {
    let Some(role) =
        registry.roles.iter().find(|r| r.provides == Some(Destination::Metastore) && running.contains(&r.name))
    else {
        return Ok(None);
    };
    if spec.metastore_uri.is_some() {
        return fail("spec.metastoreUri", format!("the built-in metastore (role '{}') runs, and the cluster uses it; remove metastoreUri (--metastore-uri), or disable the role to use your own metastore", role.name));
    }
    Ok(Some(role))
}

/// hive-site.xml and core-site.xml properties: names, never the metastore
/// URI nor what the storage sets, and never a credential.
fn check_site_properties(spec: &ImpalaClusterSpec, storage: Option<&ClusterStorage>) -> Result<(), SpecError> {
    let empty = BTreeMap::new();
    for (file, props, managed) in [
        ("hiveSite", &spec.hive_site, storage.map_or(&empty, |s| &s.hive_site)),
        ("coreSite", &spec.core_site, storage.map_or(&empty, |s| &s.core_site)),
    ] {
        let field = FieldPath::from("spec").key(file);
        for key in props.keys() {
            if managed.contains_key(key) {
                return fail(
                    field.key(key.as_str()),
                    format!("'{key}' is set from spec.storage; change the storage there"),
                );
            }
            if key.trim().is_empty() || key.chars().any(char::is_whitespace) {
                return fail(field, format!("'{key}' is not a property name"));
            }
            if key == "hive.metastore.uris" {
                return fail(
                    field.key(key.as_str()),
                    "hive.metastore.uris is set from spec.metastoreUri (--metastore-uri); set it there",
                );
            }
            if super::wiring::looks_secret(key) {
                return fail(field.key(key.as_str()), format!("'{key}' holds a credential, and {file} lands in a ConfigMap in the clear; give the credential from a Secret instead: spec.storage.credentials (secretName or workloadIdentity) for the table storage's keys, spec.roles.<role>.env with valueFrom.secretKeyRef or a mounted Secret file for anything else"));
            }
        }
    }
    Ok(())
}

/// Log files: how many, and only when the daemons write files.
fn check_logging(spec: &ImpalaClusterSpec) -> Result<(), SpecError> {
    let logging = &spec.logging;
    let Some(max_files) = logging.max_files else { return Ok(()) };
    if logging.destination != Some(LogDestination::Files) {
        return fail(
            "spec.logging.maxFiles",
            "the daemons log to stderr, so maxFiles would be ignored; set spec.logging.destination: files",
        );
    }
    if !(2..=100).contains(&max_files) {
        return fail(
            "spec.logging.maxFiles",
            format!("{max_files} files is out of range: 2 to 100 per severity (1 would turn rotation off)"),
        );
    }
    Ok(())
}

/// The roles that run: the required ones and the optional ones enabled. A
/// setting of a role that does not run is refused, since it would be ignored.
fn running_roles<'r>(spec: &ImpalaClusterSpec, registry: &'r Registry) -> Result<BTreeSet<&'r RoleName>, SpecError> {
    for (name, role_spec) in &spec.roles {
        let field = FieldPath::from("spec.roles").key(name.as_str());
        let Some(role) = registry.role(name) else {
            return fail_key(field, not_a_role(spec, registry, name));
        };
        if role_spec.enabled == Some(true) && !role.optional {
            let optional: Vec<&str> = registry.roles.iter().filter(|r| r.optional).map(|r| r.name.as_str()).collect();
            let optional = if optional.is_empty() { "none".to_owned() } else { optional.join(", ") };
            return fail(
                field.key("enabled"),
                format!(
                    "role '{name}' always runs; only optional roles are enabled (optional roles of {}: {optional})",
                    registry.profile
                ),
            );
        }
        if role_spec.enabled == Some(false) && !role.optional {
            return fail(field.key("enabled"), format!("role '{name}' is required and cannot be disabled"));
        }
    }
    let enabled = |role: &Role| {
        let enabled = spec.roles.get(role.name.as_str()).and_then(|r| r.enabled);
        !role.optional || enabled == Some(true)
    };
    let running: BTreeSet<&RoleName> = registry.roles.iter().filter(|r| enabled(r)).map(|r| &r.name).collect();
    for (name, role_spec) in &spec.roles {
        if !running.iter().any(|r| r.as_str() == name)
            && role_spec != &(RoleSpec { enabled: role_spec.enabled, ..Default::default() })
        {
            return fail(FieldPath::from("spec.roles").key(name.as_str()), format!("role '{name}' is optional and not enabled, so its settings would be ignored; set spec.roles.{name}.enabled: true (--enable {name})"));
        }
    }
    for role in spec.image.digests.keys() {
        if !running.iter().any(|r| r.as_str() == role) {
            return fail(
                FieldPath::from("spec.image.digests").key(role.as_str()),
                format!("role '{role}' does not run, so its digest would be ignored"),
            );
        }
    }
    Ok(running)
}

/// The NetworkPolicies: sources checked, and the egress lockdown's
/// destinations: the metastore unless the built-in one runs (its pods are
/// peers), the storage endpoints with the storage's ports by default.
fn network_policy(
    np: &NetworkPolicySpec,
    metastore_ports: &[PortNumber],
    built_in_metastore: bool,
    storage: Option<&ClusterStorage>,
    reaches_yarn: bool,
) -> Result<Option<ClusterNetworkPolicy>, SpecError> {
    let field = FieldPath::from("spec.networkPolicy");
    if !np.enabled.unwrap_or(true) {
        if np != &(NetworkPolicySpec { enabled: np.enabled, ..Default::default() }) {
            return fail(
                field.key("enabled"),
                "NetworkPolicy settings are given but NetworkPolicies are off, so they would be ignored",
            );
        }
        return Ok(None);
    }
    check_peers(&field.key("clientSources"), &np.client_sources)?;
    check_peers(&field.key("webUiSources"), &np.web_ui_sources)?;
    let egress_field = field.key("egress");
    let egress = if np.egress.enabled.unwrap_or(false) {
        if built_in_metastore && !np.egress.metastore.is_empty() {
            return fail(egress_field.key("metastore"), "the built-in metastore runs and is reached pod to pod; an outside metastore's address would open a path nothing uses, so remove it");
        }
        if !built_in_metastore && np.egress.metastore.is_empty() {
            return fail(egress_field.key("metastore"), "the egress lockdown needs the metastore's address: list its CIDR (and ports, default the metastore URI's)");
        }
        if let Some(s) = storage.filter(|s| s.kind != StorageKind::SharedVolume && np.egress.storage.is_empty()) {
            let ports: Vec<String> = s.egress_ports.iter().map(ToString::to_string).collect();
            let ports =
                if ports.is_empty() { "every port".to_owned() } else { format!("port {}", ports.join(" and ")) };
            return fail(egress_field.key("storage"), format!("the egress lockdown needs the address of the {} storage: list its CIDR (ports default to the storage's: {ports}); with workload identity, list the token endpoint too", s.kind.as_str()));
        }
        if reaches_yarn && np.egress.yarn.is_empty() {
            return fail(egress_field.key("yarn"), "the egress lockdown needs the address of the YARN ResourceManager and NodeManagers that the Llama ApplicationMaster talks to: list their CIDRs (and ports, default every port)");
        }
        if !reaches_yarn && !np.egress.yarn.is_empty() {
            return fail(
                egress_field.key("yarn"),
                "no running role talks to YARN, so these endpoints would open a path nothing uses; remove them",
            );
        }
        let storage_ports = storage.map_or(&[][..], |s| &s.egress_ports);
        Some(Egress {
            metastore: egress_rules(&egress_field.key("metastore"), &np.egress.metastore, metastore_ports)?,
            storage: egress_rules(&egress_field.key("storage"), &np.egress.storage, storage_ports)?,
            yarn: egress_rules(&egress_field.key("yarn"), &np.egress.yarn, &[])?,
        })
    } else {
        if !np.egress.metastore.is_empty() || !np.egress.storage.is_empty() || !np.egress.yarn.is_empty() {
            return fail(
                egress_field.key("enabled"),
                "egress endpoints are listed but the lockdown is off, so they would be ignored; set enabled: true",
            );
        }
        None
    };
    Ok(Some(ClusterNetworkPolicy {
        client_sources: np.client_sources.clone(),
        web_ui_sources: np.web_ui_sources.clone(),
        egress,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::PortName;
    use crate::registry::Access;
    use crate::registry::Profile;
    use crate::spec::crd::{EgressEndpoint, EgressSpec, ExternalServiceSpec, TrafficPolicy};
    use crate::spec::ServiceType;

    fn spec(edit: impl FnOnce(&mut ClusterSpec)) -> ClusterSpec {
        let mut spec = ClusterSpec::default();
        edit(&mut spec);
        spec
    }

    fn error(edit: impl FnOnce(&mut ClusterSpec)) -> SpecError {
        spec(edit).resolve().unwrap_err()
    }

    fn role<'a>(s: &'a mut ClusterSpec, name: &str) -> &'a mut RoleSpec {
        s.spec.roles.entry(name.to_owned()).or_default()
    }

    #[test]
    fn defaults_resolve() {
        let s = ClusterSpec::default();
        let c = s.resolve().unwrap();
        let names: Vec<_> = c.roles.iter().map(|r| r.name().as_str()).collect();
        assert_eq!(names, ["statestored", "catalogd", "coordinator", "executor"]);
        assert_eq!(c.role("coordinator").unwrap().image, "apache/impala:4.5.0-impalad_coordinator");
        assert_eq!(c.role("executor").unwrap().replicas, 2);
        // admissiond is not running, so it is no peer of the statestore.
        let statestore = &c.role("statestored").unwrap().ports[0];
        assert_eq!(
            statestore.peers.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["coordinator", "executor", "catalogd"]
        );
        assert!(c.network_policy.as_ref().unwrap().egress.is_none());
    }

    #[test]
    fn enable_admissiond() {
        let s = spec(|s| role(s, "admissiond").enabled = Some(true));
        assert!(s.resolve().unwrap().role("admissiond").is_some());
        let e = error(|s| role(s, "catalogd").enabled = Some(false));
        assert_eq!(e.to_string(), "spec.roles.catalogd.enabled: role 'catalogd' is required and cannot be disabled");
        let e = error(|s| role(s, "admissiond").replicas = Some(1));
        assert!(e.message.contains("enabled: true"), "{e}");
    }

    #[test]
    fn replica_counts() {
        let e = error(|s| role(s, "catalogd").replicas = Some(2));
        assert_eq!(
            e.to_string(),
            "spec.roles.catalogd.replicas: role 'catalogd' is a singleton and runs exactly 1 pod, not 2"
        );
        let e = error(|s| role(s, "coordinator").replicas = Some(0));
        assert_eq!(
            e.to_string(),
            "spec.roles.coordinator.replicas: role 'coordinator' runs at least 1 and at most 2147483647 pod(s), not 0"
        );
        let e = error(|s| role(s, "coordinater").replicas = Some(3));
        assert!(e.to_string().contains("'coordinater' is not a role of impala4 (did you mean 'coordinator'?)"), "{e}");
    }

    #[test]
    fn names_and_images() {
        let e = error(|s| s.release = "Impala".into());
        assert!(e.to_string().starts_with("metadata.name: release name 'Impala' is invalid"), "{e}");
        let e = error(|s| s.release = "a".repeat(45));
        assert!(e.message.contains("StatefulSet name"), "{e}");
        assert_eq!(error(|s| s.namespace = "kube_system".into()).field, "metadata.namespace");
        assert_eq!(error(|s| s.spec.image.repository = Some("Apache/Impala".into())).field, "spec.image.repository");
        assert!(spec(|s| s.spec.image.repository = Some("registry.example.com:5000/team/impala".into()))
            .resolve()
            .is_ok());
        assert_eq!(error(|s| s.spec.image.tag = Some("4.5.0+1".into())).field, "spec.image.tag");
        let digest = format!("sha256:{}", "a".repeat(64));
        let s = spec(|s| {
            s.spec.image.digests.insert("catalogd".into(), digest.clone());
        });
        assert_eq!(s.resolve().unwrap().role("catalogd").unwrap().image, format!("apache/impala@{digest}"));
        let e = error(|s| {
            s.spec.image.digests.insert("catalogd".into(), "sha256:abc".into());
        });
        assert!(e.message.contains("'sha256:abc' is not an image digest"), "{e}");
    }

    #[test]
    fn metastore_uris() {
        assert!(spec(|s| s.spec.metastore_uri = Some("thrift://a:9083,thrift://b.example.com:9083".into()))
            .resolve()
            .is_ok());
        for bad in ["hive-metastore:9083", "thrift://hms", "http://hms:9083", ""] {
            assert_eq!(error(|s| s.spec.metastore_uri = Some(bad.into())).field, "spec.metastoreUri", "{bad}");
        }
        let e = error(|s| {
            s.spec.hive_site.insert("hive.metastore.uris".into(), "x".into());
        });
        assert!(e.message.contains("spec.metastoreUri"), "{e}");
    }

    #[test]
    fn port_overrides_and_collisions() {
        let s = spec(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 31050);
        });
        let c = s.resolve().unwrap();
        assert_eq!(
            c.role("coordinator").unwrap().port(&PortName::try_from("hs2").unwrap()).unwrap().number.get(),
            31050
        );
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 21000);
        });
        assert_eq!(e.to_string(), "spec.roles.coordinator.ports.hs2: port 21000 of 'hs2' is already used by port 'beeswax' of role 'coordinator'; every port of a pod needs its own number");
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs2".into(), 70000);
        });
        assert_eq!(
            e.to_string(),
            "spec.roles.coordinator.ports.hs2: port 70000 is out of range: a port is a number from 1 to 65535"
        );
        let e = error(|s| {
            role(s, "coordinator").ports.insert("hs3".into(), 1);
        });
        assert!(e.message.contains("no port 'hs3' (did you mean 'hs2'?)"), "{e}");
    }

    #[test]
    fn node_ports() {
        let with = |port: &str, n: i64, type_: ServiceType| {
            spec(|s| {
                let r = role(s, "coordinator");
                r.service.type_ = Some(type_);
                r.service.node_ports.insert(port.into(), n);
            })
        };
        assert!(with("hs2", 30050, ServiceType::NodePort).resolve().is_ok());
        let e = with("hs2", 80, ServiceType::NodePort).resolve().unwrap_err();
        assert!(e.message.contains("outside the node port range 30000-32767"), "{e}");
        let e = with("krpc", 30050, ServiceType::NodePort).resolve().unwrap_err();
        assert!(e.message.contains("internal and never gets a node port"), "{e}");
        let e = with("hs2", 30050, ServiceType::ClusterIP).resolve().unwrap_err();
        assert!(e.message.contains("has no node ports"), "{e}");
        // A web UI on a NodePort Service only where the spec exposes it.
        let e = with("webui", 30025, ServiceType::NodePort).resolve().unwrap_err();
        assert!(e.message.contains("expose it explicitly with spec.roles.coordinator.access.webui: external"), "{e}");
        let e = error(|s| {
            for r in ["coordinator", "executor"] {
                let r = role(s, r);
                r.service.type_ = Some(ServiceType::NodePort);
                r.service.node_ports.insert("webui".into(), 30025);
                r.access.insert("webui".into(), Access::External);
            }
        });
        assert!(
            e.message.contains("node port 30025 is already pinned by spec.roles.coordinator.service.nodePorts.webui"),
            "{e}"
        );
        // An explicit access override is the only way to expose a peer port.
        let s = spec(|s| {
            let r = role(s, "coordinator");
            r.access.insert("krpc".into(), Access::External);
            r.service.type_ = Some(ServiceType::NodePort);
            r.service.node_ports.insert("krpc".into(), 30027);
        });
        assert_eq!(s.resolve().unwrap().role("coordinator").unwrap().ports[3].node_port, Some(30027));
    }

    #[test]
    fn services_never_ignore_a_value() {
        let e = error(|s| role(s, "coordinator").service.load_balancer_source_ranges = vec!["10.0.0.0/8".into()]);
        assert!(e.message.contains("ignores loadBalancerSourceRanges"), "{e}");
        let e = error(|s| {
            let r = role(s, "coordinator");
            r.service = ExternalServiceSpec {
                type_: Some(ServiceType::LoadBalancer),
                load_balancer_source_ranges: vec!["10.0.0.1/8".into()],
                ..Default::default()
            };
        });
        assert!(e.message.contains("did you mean '10.0.0.0/8'?"), "{e}");
        let e = error(|s| role(s, "coordinator").service.external_traffic_policy = Some(TrafficPolicy::Local));
        assert_eq!(e.field, "spec.roles.coordinator.service.externalTrafficPolicy");
    }

    #[test]
    fn extra_flags_never_fight_the_registry() {
        let e = error(|s| {
            role(s, "coordinator").extra_flags.insert("hs2_port".into(), "1".into());
        });
        assert!(e.message.contains("flag 'hs2_port' is managed by the registry: it sets port 'hs2' of role 'coordinator'; set spec.roles.coordinator.ports.hs2 instead"), "{e}");
        let e = error(|s| {
            role(s, "executor").extra_flags.insert("state_store_host".into(), "x".into());
        });
        assert!(e.message.contains("managed by the registry"), "{e}");
        let e = error(|s| {
            role(s, "executor").extra_flags.insert("-mem_limit".into(), "1g".into());
        });
        assert!(e.message.contains("without its leading '-'"), "{e}");
        assert!(spec(|s| {
            role(s, "executor").extra_flags.insert("mem_limit".into(), "3g".into());
        })
        .resolve()
        .is_ok());
    }

    #[test]
    fn network_policy_settings() {
        let e = error(|s| s.spec.network_policy.client_sources = Some(vec![]));
        assert!(e.message.contains("would admit no one"), "{e}");
        let e = error(|s| s.spec.network_policy.egress = EgressSpec { enabled: Some(true), ..Default::default() });
        assert_eq!(e.field, "spec.networkPolicy.egress.metastore");
        let s = spec(|s| {
            s.spec.network_policy.egress = EgressSpec {
                enabled: Some(true),
                metastore: vec![EgressEndpoint { cidr: "10.1.0.0/16".into(), ports: vec![] }],
                storage: vec![EgressEndpoint { cidr: "10.2.0.0/16".into(), ports: vec![443] }],
                yarn: vec![],
            }
        });
        let Egress { metastore, storage, .. } = s.resolve().unwrap().network_policy.unwrap().egress.unwrap();
        assert_eq!(metastore[0].ports, [PortNumber::try_from(9083).unwrap()], "the metastore URI's port");
        assert_eq!(storage[0].ports, [PortNumber::try_from(443).unwrap()]);
        let e = error(|s| {
            s.spec.network_policy = NetworkPolicySpec {
                enabled: Some(false),
                client_sources: Some(vec![Default::default()]),
                ..Default::default()
            }
        });
        assert!(e.message.contains("would be ignored"), "{e}");
    }

    #[test]
    fn cdh5_placeholder_and_custom_registry() {
        let s = spec(|s| {
            s.spec.profile = Some(Profile::Cdh5);
            s.spec.cdh_release = Some("5.4".into());
            s.spec.yarn_resource_manager = Some("rm".into());
        });
        let c = s.resolve().unwrap();
        assert!(c.placeholder_image);
        assert_eq!(c.role("llama").unwrap().image, "impala-k8s.invalid/cdh5-placeholder:cdh5-llama");
        let mut registry = Profile::Impala4.registry().clone();
        registry.ports[3].peers.push(RoleName::try_from("ghost").unwrap());
        let s = ClusterSpec {
            spec: ImpalaClusterSpec { registry: Some(registry), ..Default::default() },
            ..Default::default()
        };
        let e = s.resolve().unwrap_err();
        assert_eq!(e.field, "spec.registry.ports[3].peers[2]");
        assert!(e.message.contains("peer 'ghost'"), "{e}");
    }

    #[test]
    fn resources_merge_over_the_defaults_and_cover_the_empty_dirs() {
        use k8s_openapi::api::core::v1::ResourceRequirements;
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        let s = spec(|s| {
            role(s, "executor").resources = Some(ResourceRequirements {
                limits: Some(BTreeMap::from([("memory".to_owned(), Quantity("8Gi".into()))])),
                ..Default::default()
            })
        });
        let c = s.resolve().unwrap();
        let r = &c.role("executor").unwrap().resources;
        let limits = r.limits.as_ref().unwrap();
        assert_eq!(limits["memory"].0, "8Gi", "the spec's");
        assert_eq!(limits["cpu"].0, "2", "the registry's, kept");
        // tmp 1Gi + logs 2Gi + scratch 100Gi.
        assert_eq!(limits["ephemeral-storage"].0, "103Gi");
        assert_eq!(r.requests.as_ref().unwrap()["ephemeral-storage"].0, "103Gi");
        // The heap follows the limit: 12% of 8Gi.
        assert_eq!(c.role("executor").unwrap().jvm_heap_mib, Some(983));
    }

    #[test]
    fn heaps_by_default() {
        let s = spec(|s| role(s, "admissiond").enabled = Some(true));
        let c = s.resolve().unwrap();
        let heap = |r: &str| c.role(r).unwrap().jvm_heap_mib;
        assert_eq!(heap("statestored"), None, "starts no JVM");
        assert_eq!(heap("catalogd"), Some(3072), "75% of 4Gi");
        assert_eq!(heap("admissiond"), Some(512), "50% of 1Gi");
        assert_eq!(heap("coordinator"), Some(1024), "25% of 4Gi");
        assert_eq!(heap("executor"), Some(491), "12% of 4Gi");
        let s = spec(|s| role(s, "catalogd").jvm_heap = Some("2g".into()));
        assert_eq!(s.resolve().unwrap().role("catalogd").unwrap().jvm_heap_mib, Some(2048));
    }

    #[test]
    fn credentials_never_in_site_files() {
        let e = error(|s| {
            s.spec.core_site.insert("fs.s3a.secret.key".into(), "x".into());
        });
        assert_eq!(e.field, "spec.coreSite.fs.s3a.secret.key");
        assert!(e.message.contains("holds a credential"), "{e}");
        let s = spec(|s| {
            let provider = "com.amazonaws.auth.WebIdentityTokenCredentialsProvider";
            s.spec.core_site.insert("fs.s3a.aws.credentials.provider".into(), provider.into());
        });
        assert!(s.resolve().is_ok(), "where a credential comes from is no credential");
    }
}
