//! What users wire into a role's pod themselves: environment variables,
//! volumes and mounts, init containers and sidecars, a PriorityClass, and
//! the release's ServiceAccount. Each is checked as an API server and the
//! restricted Pod Security Standard would check it, and so that nothing
//! secret is written in the clear and no file a flag names is missing.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, EnvVar, PodSecurityContext, SecurityContext, Volume, VolumeMount};

use super::checks::{check_data_key, check_id, check_labels, check_object_name, fail, is_image};
use super::crd::{RoleSpec, ServiceAccountSpec};
use super::model::{ClusterServiceAccount, RoleWiring, RunAs};
use super::{FieldPath, SpecError};
use crate::names::{is_rfc1123_label, is_rfc1123_subdomain};
use crate::registry::Role;

/// Words in a name that say it holds a credential (`fs.s3a.secret.key`,
/// `fs.s3a.access.key`, `fs.azure.account.key.<account>`, `*.sas.token`,
/// `javax.jdo.option.ConnectionPassword`, `AWS_SECRET_ACCESS_KEY`).
const SECRET_WORDS: [&str; 8] =
    ["PASSWORD", "SECRET", "TOKEN", "CREDENTIAL", "ACCESS_KEY", "PRIVATE_KEY", "SAS", "ACCOUNT_KEY"];

/// Endings of names that say where a credential comes from, not the
/// credential itself (`fs.s3a.aws.credentials.provider`,
/// `hadoop.security.credential.provider.path`, `ldap_bind_password_cmd`).
const REFERENCE_ENDINGS: [&str; 6] = ["PROVIDER", "PROVIDER_TYPE", "PROVIDER_PATH", "_CMD", "_FILE", "KEYFILE"];

/// True when a name (an environment variable, a property) says it holds a credential.
pub(super) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['.', '-'], "_");
    SECRET_WORDS.iter().any(|w| upper.contains(w)) && !REFERENCE_ENDINGS.iter().any(|e| upper.ends_with(e))
}

/// The volume kinds the restricted Pod Security Standard allows.
fn allowed_kind(volume: &Volume) -> bool {
    let v = volume;
    v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some()
}

/// An environment variable name as the API server takes it.
fn is_env_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-' || b == b'.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Checks a role's wiring. `managed_env` names the variables impala-k8s
/// sets; `own_volumes` the volumes impala-k8s mounts, with their paths;
/// `file_flags` the role's extra flags whose value is a file.
pub(super) fn wiring(
    field: &FieldPath,
    role: &Role,
    rs: &RoleSpec,
    managed_env: &[(&str, String)],
    own_volumes: &[(&str, &str)],
    file_flags: &[(&str, &str)],
) -> Result<RoleWiring, SpecError> {
    check_env(field, role, rs, managed_env)?;
    let volumes = check_volumes(field, role, rs, own_volumes, file_flags)?;
    let mut containers = BTreeSet::from([role.name.as_str()]);
    for (what, list) in [("initContainers", &rs.init_containers), ("sidecars", &rs.sidecars)] {
        for (i, container) in list.iter().enumerate() {
            check_container(
                field,
                role.name.as_str(),
                &field.key(what).index(i),
                container,
                &mut containers,
                &volumes,
            )?;
        }
    }
    if let Some(class) = &rs.priority_class_name {
        if !is_rfc1123_subdomain(class) {
            return fail(field.key("priorityClassName"), format!("'{class}' is not a PriorityClass name"));
        }
    }
    Ok(RoleWiring {
        env: rs.env.clone(),
        env_from: rs.env_from.clone(),
        volumes: rs.extra_volumes.clone(),
        volume_mounts: rs.extra_volume_mounts.clone(),
        init_containers: rs.init_containers.clone(),
        sidecars: rs.sidecars.clone(),
        priority_class_name: rs.priority_class_name.clone(),
    })
}

/// Variables: valid names, once each, none impala-k8s sets, no credential as a value.
fn check_env(field: &FieldPath, role: &Role, rs: &RoleSpec, managed_env: &[(&str, String)]) -> Result<(), SpecError> {
    let name = role.name.as_str();
    let mut names = BTreeSet::new();
    for (i, env) in rs.env.iter().enumerate() {
        let at = field.key("env").index(i);
        if !is_env_name(&env.name) {
            return fail(at.key("name"), format!("'{}' is not an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit", env.name));
        }
        if !names.insert(env.name.as_str()) {
            return fail(at.key("name"), format!("'{}' is set twice", env.name));
        }
        if let Some((_, why)) = managed_env.iter().find(|(n, _)| *n == env.name) {
            return fail(at.key("name"), format!("'{}' is set by impala-k8s for role '{name}' ({why})", env.name));
        }
        if env.value.is_some() && looks_secret(&env.name) {
            return fail(at.key("value"), format!("'{}' looks like a credential and would be written in the clear; pass it from a Secret with valueFrom.secretKeyRef", env.name));
        }
        check_env_source(&at, env)?;
    }
    for (i, from) in rs.env_from.iter().enumerate() {
        let at = field.key("envFrom").index(i);
        let reference = (from.config_map_ref.as_ref().map(|r| ("configMapRef", "ConfigMap", &r.name)))
            .or(from.secret_ref.as_ref().map(|r| ("secretRef", "Secret", &r.name)));
        match reference {
            Some((what, kind, name)) => check_object_name(&at.key(what).key("name"), name, kind)?,
            None => return fail(at, "needs configMapRef or secretRef"),
        }
    }
    Ok(())
}

/// A variable's value from a key of a Secret or ConfigMap: the name and the
/// key as the API server takes them (validateSecretKeySelector,
/// validateConfigMapKeySelector).
fn check_env_source(at: &FieldPath, env: &EnvVar) -> Result<(), SpecError> {
    let Some(from) = &env.value_from else { return Ok(()) };
    let refs = [
        ("secretKeyRef", "Secret", from.secret_key_ref.as_ref().map(|r| (&r.name, &r.key))),
        ("configMapKeyRef", "ConfigMap", from.config_map_key_ref.as_ref().map(|r| (&r.name, &r.key))),
    ];
    for (what, kind, reference) in refs {
        if let Some((name, key)) = reference {
            let at = at.key("valueFrom").key(what);
            check_object_name(&at.key("name"), name, kind)?;
            check_data_key(&at.key("key"), key)?;
        }
    }
    Ok(())
}

/// Volumes of allowed kinds under new names, mounts of known volumes at
/// paths of their own, and every file flag under a mount.
fn check_volumes<'a>(
    field: &FieldPath,
    role: &Role,
    rs: &'a RoleSpec,
    own_volumes: &[(&'a str, &str)],
    file_flags: &[(&str, &str)],
) -> Result<BTreeSet<&'a str>, SpecError> {
    let name = role.name.as_str();
    let mut volumes: BTreeSet<&str> = own_volumes.iter().map(|(v, _)| *v).collect();
    for (i, volume) in rs.extra_volumes.iter().enumerate() {
        let at = field.key("extraVolumes").index(i);
        if !is_rfc1123_label(&volume.name) {
            return fail(
                at.key("name"),
                format!("'{}' is not a volume name: lowercase letters, digits and '-'", volume.name),
            );
        }
        if !volumes.insert(volume.name.as_str()) {
            return fail(at.key("name"), format!("volume '{}' is already a volume of role '{name}'", volume.name));
        }
        if !allowed_kind(volume) {
            return fail(at, format!("volume '{}' is of a kind the restricted Pod Security Standard forbids (hostPath, for example); use configMap, secret, projected, downwardAPI, emptyDir, ephemeral, csi or persistentVolumeClaim", volume.name));
        }
        if let Some(name) = volume.config_map.as_ref().map(|c| &c.name) {
            check_object_name(&at.key("configMap").key("name"), name, "ConfigMap")?;
        }
        if let Some(name) = volume.secret.as_ref().and_then(|s| s.secret_name.as_ref()) {
            check_object_name(&at.key("secret").key("secretName"), name, "Secret")?;
        }
    }
    let mut paths: Vec<(&str, &str)> = own_volumes.to_vec();
    for (i, mount) in rs.extra_volume_mounts.iter().enumerate() {
        let at = field.key("extraVolumeMounts").index(i);
        check_mount(&at, mount, &volumes, name, field)?;
        let path = mount.mount_path.trim_end_matches('/');
        if let Some((other, _)) = paths.iter().find(|(_, p)| p.trim_end_matches('/') == path) {
            return fail(
                at.key("mountPath"),
                format!(
                    "{} is already where volume '{other}' is mounted; a container mounts one volume at a path",
                    mount.mount_path
                ),
            );
        }
        paths.push((mount.name.as_str(), mount.mount_path.as_str()));
    }
    let mounted: Vec<&str> = rs.extra_volume_mounts.iter().map(|m| m.mount_path.trim_end_matches('/')).collect();
    for (flag, value) in file_flags {
        if !mounted.iter().any(|p| value.starts_with(&format!("{p}/"))) {
            return fail(field.key("extraFlags").key(*flag), format!("'{value}' is a file, but no volume of {field}.extraVolumeMounts is mounted above it; mount the Secret or ConfigMap that holds it"));
        }
    }
    Ok(volumes)
}

/// An init container or sidecar: a unique name, an image reference, no
/// security context of its own (it gets the daemon's restricted one), and
/// mounts of the pod's volumes only.
fn check_container<'a>(
    role: &FieldPath,
    role_name: &str,
    at: &FieldPath,
    container: &'a Container,
    names: &mut BTreeSet<&'a str>,
    volumes: &BTreeSet<&str>,
) -> Result<(), SpecError> {
    if !is_rfc1123_label(&container.name) {
        return fail(
            at.key("name"),
            format!("'{}' is not a container name: lowercase letters, digits and '-'", container.name),
        );
    }
    if !names.insert(container.name.as_str()) {
        return fail(at.key("name"), format!("container '{}' is already in the pod", container.name));
    }
    match container.image.as_deref() {
        None | Some("") => return fail(at.key("image"), format!("container '{}' needs an image", container.name)),
        Some(image) if !is_image(image) => {
            return fail(
                at.key("image"),
                format!("'{image}' is not an image reference: [registry/]repository[:tag][@sha256:digest], lowercase repository"),
            )
        }
        Some(_) => {}
    }
    if container.security_context.is_some() {
        return fail(at.key("securityContext"), format!("container '{}' runs with the daemon's restricted security context (non-root, no privilege escalation, every capability dropped, RuntimeDefault seccomp, read-only root filesystem); remove its own", container.name));
    }
    for (i, env) in container.env.iter().flatten().enumerate() {
        if env.value.is_some() && looks_secret(&env.name) {
            return fail(at.key("env").index(i).key("value"), format!("'{}' looks like a credential and would be written in the clear; pass it from a Secret with valueFrom.secretKeyRef", env.name));
        }
        check_env_source(&at.key("env").index(i), env)?;
    }
    for (i, mount) in container.volume_mounts.iter().flatten().enumerate() {
        check_mount(&at.key("volumeMounts").index(i), mount, volumes, role_name, role)?;
    }
    Ok(())
}

/// A mount at `at` of one of the volumes of role `name`'s pod (`field` is
/// the role's spec), at an absolute path.
fn check_mount(
    at: &FieldPath,
    mount: &VolumeMount,
    volumes: &BTreeSet<&str>,
    name: &str,
    field: &FieldPath,
) -> Result<(), SpecError> {
    if !volumes.contains(mount.name.as_str()) {
        return fail(
            at.key("name"),
            format!("volume '{}' is not a volume of role '{name}'; add it to {field}.extraVolumes", mount.name),
        );
    }
    if !mount.mount_path.starts_with('/') {
        return fail(at.key("mountPath"), format!("'{}' is not an absolute path", mount.mount_path));
    }
    Ok(())
}

/// The release's ServiceAccount: created with its annotations, or an existing one.
pub(super) fn service_account(spec: &ServiceAccountSpec, release: &str) -> Result<ClusterServiceAccount, SpecError> {
    let field = FieldPath::from("spec.serviceAccount");
    let create = spec.create.unwrap_or(true);
    let name = spec.name.clone().unwrap_or_else(|| if create { release.to_owned() } else { "default".to_owned() });
    if !is_rfc1123_subdomain(&name) {
        return fail(
            field.key("name"),
            format!("'{name}' is not a ServiceAccount name: lowercase letters, digits, '-' and '.'"),
        );
    }
    if !create && !spec.annotations.is_empty() {
        return fail(field.key("annotations"), "the ServiceAccount is not created here (create: false), so its annotations would be ignored; annotate the existing one");
    }
    check_labels(&field.key("annotations"), &spec.annotations, false)?;
    Ok(ClusterServiceAccount { create, name, annotations: spec.annotations.clone() })
}

/// The uid and gid of the Impala images (user `impala`, docker/impala_base/Dockerfile).
pub const IMAGE_ID: i64 = 1000;

/// The user and groups of a role's pods: the spec's overrides of the fields
/// the restricted Pod Security Standard leaves open, and no other field.
pub(super) fn run_as(field: &FieldPath, rs: &RoleSpec) -> Result<RunAs, SpecError> {
    let pod = rs.pod_security_context.clone().unwrap_or_default();
    let container = rs.security_context.clone().unwrap_or_default();
    let pod_open = PodSecurityContext {
        run_as_user: pod.run_as_user,
        run_as_group: pod.run_as_group,
        fs_group: pod.fs_group,
        fs_group_change_policy: pod.fs_group_change_policy.clone(),
        supplemental_groups: pod.supplemental_groups.clone(),
        ..Default::default()
    };
    if pod != pod_open {
        return fail(field.key("podSecurityContext"), "only runAsUser, runAsGroup, fsGroup, fsGroupChangePolicy and supplementalGroups may be set: the rest keeps the pod within the restricted Pod Security Standard");
    }
    let container_open = SecurityContext {
        run_as_user: container.run_as_user,
        run_as_group: container.run_as_group,
        ..Default::default()
    };
    if container != container_open {
        return fail(field.key("securityContext"), "only runAsUser and runAsGroup may be set: the rest keeps the container within the restricted Pod Security Standard");
    }
    let (pod_at, container_at) = (field.key("podSecurityContext"), field.key("securityContext"));
    for (at, id) in [(pod_at.key("runAsUser"), pod.run_as_user), (container_at.key("runAsUser"), container.run_as_user)]
    {
        if id == Some(0) {
            return fail(at, "0 is root, which the restricted Pod Security Standard forbids");
        }
    }
    let groups = pod.supplemental_groups.iter().flatten().enumerate();
    let ids = [
        (pod_at.key("runAsUser"), pod.run_as_user),
        (pod_at.key("runAsGroup"), pod.run_as_group),
        (pod_at.key("fsGroup"), pod.fs_group),
        (container_at.key("runAsUser"), container.run_as_user),
        (container_at.key("runAsGroup"), container.run_as_group),
    ]
    .into_iter()
    .chain(groups.map(|(i, g)| (pod_at.key("supplementalGroups").index(i), Some(*g))));
    for (at, id) in ids {
        if let Some(id) = id {
            check_id(&at, id)?;
        }
    }
    if let Some(policy) = pod.fs_group_change_policy.as_deref().filter(|p| !matches!(*p, "Always" | "OnRootMismatch")) {
        return fail(
            field.key("podSecurityContext").key("fsGroupChangePolicy"),
            format!("'{policy}' is not a policy: Always or OnRootMismatch"),
        );
    }
    let pod_user = pod.run_as_user.unwrap_or(IMAGE_ID);
    let pod_group = pod.run_as_group.unwrap_or(IMAGE_ID);
    Ok(RunAs {
        user: container.run_as_user.unwrap_or(pod_user),
        group: container.run_as_group.unwrap_or(pod_group),
        pod_user,
        pod_group,
        fs_group: pod.fs_group.unwrap_or(IMAGE_ID),
        fs_group_change_policy: pod.fs_group_change_policy,
        supplemental_groups: pod.supplemental_groups.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        for name in ["AWS_SECRET_ACCESS_KEY", "ldap.password", "AZURE_STORAGE_SAS_TOKEN", "db-token"] {
            assert!(looks_secret(name), "{name}");
        }
        for name in [
            "JAVA_HOME",
            "TZ",
            "fs.s3a.endpoint",
            "fs.s3a.aws.credentials.provider",
            "hadoop.security.credential.provider.path",
            "fs.azure.sas.token.provider.type",
            "ldap_bind_password_cmd",
        ] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn env_names() {
        assert!(is_env_name("JAVA_HOME") && is_env_name("a.b-c") && is_env_name("_X"));
        assert!(!is_env_name("1X") && !is_env_name("A B") && !is_env_name(""));
    }
}
