//! What LDAP adds to the roles that serve clients: its flags, and the bind
//! password's Secret and the LDAP server's CA mounted where they point.

use k8s_openapi::api::core::v1::{ConfigMapVolumeSource, SecretVolumeSource, Volume, VolumeMount};

use crate::registry::{Access, Audience, ConfigStyle};
use crate::spec::auth::{ClusterLdap, ClusterWebUiAuth, LDAP_BIND_DIR, LDAP_CA_DIR, WEB_UI_AUTH_DIR};
use crate::spec::kerberos::{ClusterKerberos, KEYTAB_DIR, KRB5_DIR};
use crate::spec::POD_NAME;
use crate::spec::{Cluster, ClusterRole};

/// Owner and group may read the password; the pods' fsGroup is the group.
const SECRET_MODE: i32 = 0o440;

/// LDAP for a role: the gflag roles that serve clients, and with LDAP
/// logins on the web UIs every gflag role with a web UI.
pub fn role_ldap<'c>(cluster: &'c Cluster<'_>, role: &ClusterRole<'_>) -> Option<&'c ClusterLdap> {
    let serves_clients = role.ports_with(Access::External).any(|p| p.audience == Some(Audience::Clients));
    let web_ldap = cluster.web_ui_auth.as_ref().is_some_and(|w| w.ldap) && role.role.probe.http_path.is_some();
    cluster.ldap.as_ref().filter(|_| (serves_clients || web_ldap) && role.role.config == ConfigStyle::Gflags)
}

/// The web UI's login for a role: every gflag role with a web UI.
pub fn role_web_ui_auth<'c>(cluster: &'c Cluster<'_>, role: &ClusterRole<'_>) -> Option<&'c ClusterWebUiAuth> {
    let web_ui = role.role.probe.http_path.is_some() && role.role.config == ConfigStyle::Gflags;
    cluster.web_ui_auth.as_ref().filter(|_| web_ui)
}

/// The volume and mount of the web UI's password file.
pub fn web_ui_volumes(auth: &ClusterWebUiAuth) -> (Vec<Volume>, Vec<VolumeMount>) {
    let Some(secret) = &auth.password else { return (Vec::new(), Vec::new()) };
    let volume = Volume {
        name: "webui-auth".to_owned(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.name.clone()),
            default_mode: Some(SECRET_MODE),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mount = VolumeMount {
        name: "webui-auth".to_owned(),
        mount_path: WEB_UI_AUTH_DIR.to_owned(),
        read_only: Some(true),
        ..Default::default()
    };
    (vec![volume], vec![mount])
}

/// The volumes and mounts of the bind password and the CA certificate.
pub fn volumes(ldap: &ClusterLdap) -> (Vec<Volume>, Vec<VolumeMount>) {
    let mount = |name: &str, path: &str| VolumeMount {
        name: name.to_owned(),
        mount_path: path.to_owned(),
        read_only: Some(true),
        ..Default::default()
    };
    let secret = |name: &str| SecretVolumeSource {
        secret_name: Some(name.to_owned()),
        default_mode: Some(SECRET_MODE),
        ..Default::default()
    };
    let (mut volumes, mut mounts) = (Vec::new(), Vec::new());
    if let Some(password) = &ldap.bind_password {
        volumes.push(Volume {
            name: "ldap-bind".to_owned(),
            secret: Some(secret(&password.name)),
            ..Default::default()
        });
        mounts.push(mount("ldap-bind", LDAP_BIND_DIR));
    }
    if let Some(ca) = &ldap.ca {
        let volume = match (&ca.secret_name, &ca.config_map_name) {
            (Some(name), _) => Volume { secret: Some(secret(name)), ..Default::default() },
            (_, Some(name)) => Volume {
                config_map: Some(ConfigMapVolumeSource { name: name.clone(), ..Default::default() }),
                ..Default::default()
            },
            (None, None) => unreachable!("checked: one of them"),
        };
        volumes.push(Volume { name: "ldap-ca".to_owned(), ..volume });
        mounts.push(mount("ldap-ca", LDAP_CA_DIR));
    }
    (volumes, mounts)
}

/// The name a daemon advertises under Kerberos, which its principal's
/// `_HOST` becomes: a scalable role's pod under its headless Service, a
/// singleton's Service, fully qualified.
pub fn kerberos_name(cluster: &Cluster<'_>, kerberos: &ClusterKerberos<'_>, role: &ClusterRole<'_>) -> String {
    let service = kerberos.service_fqdn(&cluster.internal_service_name(role.name()), cluster.namespace.as_str());
    if role.role.is_singleton() {
        service
    } else {
        format!("$({POD_NAME}).{service}")
    }
}

/// The volumes and mounts of the keytab and krb5.conf.
pub fn kerberos_volumes(kerberos: &ClusterKerberos<'_>) -> (Vec<Volume>, Vec<VolumeMount>) {
    let keytab = Volume {
        name: "kerberos".to_owned(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(kerberos.keytab.name.clone()),
            default_mode: Some(SECRET_MODE),
            ..Default::default()
        }),
        ..Default::default()
    };
    let conf = &kerberos.krb5_conf;
    let krb5 = match (&conf.secret_name, &conf.config_map_name) {
        (Some(name), _) => Volume {
            secret: Some(SecretVolumeSource { secret_name: Some(name.clone()), ..Default::default() }),
            ..Default::default()
        },
        (_, Some(name)) => Volume {
            config_map: Some(ConfigMapVolumeSource { name: name.clone(), ..Default::default() }),
            ..Default::default()
        },
        (None, None) => unreachable!("checked: one of them"),
    };
    let mount = |name: &str, path: &str| VolumeMount {
        name: name.to_owned(),
        mount_path: path.to_owned(),
        read_only: Some(true),
        ..Default::default()
    };
    (
        vec![keytab, Volume { name: "krb5".to_owned(), ..krb5 }],
        vec![mount("kerberos", KEYTAB_DIR), mount("krb5", KRB5_DIR)],
    )
}
