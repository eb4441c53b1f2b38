//! What LDAP adds to the roles that serve clients: its flags, and the bind
//! password's Secret and the LDAP server's CA mounted where they point.

use k8s_openapi::api::core::v1::{Volume, VolumeMount};

use super::volumes;

use crate::registry::{Access, Audience, ConfigStyle};
use crate::spec::auth::{ClusterLdap, ClusterWebUiAuth, LDAP_BIND_DIR, LDAP_CA_DIR, WEB_UI_AUTH_DIR};
use crate::spec::kerberos::{ClusterKerberos, KEYTAB_DIR, KRB5_DIR};
use crate::spec::POD_NAME;
use crate::spec::{Cluster, ClusterRole};

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
    let Some(password) = &auth.password else { return (Vec::new(), Vec::new()) };
    (
        vec![volumes::secret("webui-auth", &password.name, volumes::PRIVATE)],
        vec![volumes::read_only("webui-auth", WEB_UI_AUTH_DIR)],
    )
}

/// The volumes and mounts of the bind password and the CA certificate.
pub fn volumes(ldap: &ClusterLdap) -> (Vec<Volume>, Vec<VolumeMount>) {
    let (mut out, mut mounts) = (Vec::new(), Vec::new());
    if let Some(password) = &ldap.bind_password {
        out.push(volumes::secret("ldap-bind", &password.name, volumes::PRIVATE));
        mounts.push(volumes::read_only("ldap-bind", LDAP_BIND_DIR));
    }
    if let Some(ca) = &ldap.ca {
        out.push(volumes::bundle("ldap-ca", ca, volumes::PRIVATE));
        mounts.push(volumes::read_only("ldap-ca", LDAP_CA_DIR));
    }
    (out, mounts)
}

/// The name a daemon advertises under Kerberos, which its principal's
/// `_HOST` becomes: a scalable role's pod under its headless Service, a
/// singleton's Service, fully qualified.
pub fn kerberos_name(cluster: &Cluster<'_>, kerberos: &ClusterKerberos<'_>, role: &ClusterRole<'_>) -> String {
    let service = kerberos.service_fqdn(&cluster.internal_service_name(role.name()), cluster.namespace.as_str());
    if role.is_singleton() {
        service
    } else {
        format!("$({POD_NAME}).{service}")
    }
}

/// The volumes and mounts of the keytab and krb5.conf.
pub fn kerberos_volumes(kerberos: &ClusterKerberos<'_>) -> (Vec<Volume>, Vec<VolumeMount>) {
    (
        vec![
            volumes::secret("kerberos", &kerberos.keytab.name, volumes::PRIVATE),
            volumes::bundle("krb5", &kerberos.krb5_conf, None),
        ],
        vec![volumes::read_only("kerberos", KEYTAB_DIR), volumes::read_only("krb5", KRB5_DIR)],
    )
}
