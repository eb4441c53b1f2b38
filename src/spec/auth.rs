//! Authentication (`spec.auth`): LDAP for client connections, with the bind
//! password read from a file mounted from a Secret, never an argument. The
//! flags come from the registry's `ldap` block.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{check_data_key, check_object_name, fail};
use super::tls::{CaBundle, ClusterTls};
use super::{FieldPath, SpecError};
use crate::registry::{LdapFlags, Registry};

/// Authentication of clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthSpec {
    /// LDAP for the client ports (HiveServer2, Beeswax) of the roles that have them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<LdapSpec>,
    /// A login on every web UI: a password file from a Secret, or LDAP; the
    /// probes then use the metrics webserver, which needs none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_ui: Option<WebUiAuthSpec>,
    /// Kerberos for client and internal connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kerberos: Option<super::kerberos::KerberosSpec>,
}

/// The web UIs' login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebUiAuthSpec {
    /// An htdigest password file (`user:realm:md5`) in a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<SecretKey>,
    /// The realm of the password file's entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Logins checked against LDAP, with `auth.ldap`'s settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<bool>,
    /// Logins by Kerberos (SPNEGO), with `auth.kerberos`'s principal and keytab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spnego: Option<bool>,
}

/// Where the web UI's password file is mounted.
pub const WEB_UI_AUTH_DIR: &str = "/etc/impala-k8s/webui-auth";

/// The web UIs' login, resolved: the flags of every daemon with a web UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterWebUiAuth {
    /// Flags and values.
    pub flags: Vec<(String, String)>,
    /// The password file's Secret and key, mounted at [`WEB_UI_AUTH_DIR`].
    pub password: Option<SecretKey>,
    /// True when the logins are LDAP's: every daemon with a web UI gets the LDAP flags.
    pub ldap: bool,
    /// Every flag of the registry's `webUiAuth` block (set from spec.auth only).
    pub managed: Vec<String>,
}

/// SPNEGO logins on the web UIs: Kerberos's principal and keytab.
fn spnego(
    field: &FieldPath,
    auth: &AuthSpec,
    web: &WebUiAuthSpec,
    registry: &Registry,
    f: &crate::registry::WebUiAuthFlags,
) -> Result<Option<ClusterWebUiAuth>, SpecError> {
    if web.password_secret.is_some() || web.ldap.unwrap_or(false) {
        return fail(field, "the web UIs take one login: a password file, LDAP or SPNEGO (be/src/util/webserver.cc)");
    }
    let (Some(_), Some(k)) = (&auth.kerberos, &registry.kerberos) else {
        return fail(
            field.key("spnego"),
            "SPNEGO logins use spec.auth.kerberos's principal and keytab: set spec.auth.kerberos",
        );
    };
    if web.realm.is_some() {
        return fail(field.key("realm"), "a realm is the password file's; SPNEGO logins take none");
    }
    Ok(Some(ClusterWebUiAuth {
        flags: vec![(k.web_ui_spnego.to_string(), "true".to_owned())],
        password: None,
        ldap: false,
        managed: f.flags().iter().map(|f| f.to_string()).chain([k.web_ui_spnego.to_string()]).collect(),
    }))
}

/// `spec.auth.webUi`, checked against the registry's flags, LDAP and the web UIs' TLS.
pub(super) fn resolve_web_ui(
    auth: &AuthSpec,
    registry: &Registry,
    tls: Option<&ClusterTls<'_>>,
) -> Result<Option<ClusterWebUiAuth>, SpecError> {
    let Some(web) = &auth.web_ui else { return Ok(None) };
    let field = FieldPath::from("spec.auth.webUi");
    let Some(f) = &registry.web_ui_auth else {
        return fail(
            field,
            format!("registry {} declares no web UI login flags; set them with extraFlags", registry.profile),
        );
    };
    let ldap = web.ldap.unwrap_or(false);
    let mut flags = Vec::new();
    if web.spnego.unwrap_or(false) {
        return spnego(&field, auth, web, registry, f);
    }
    match (&web.password_secret, ldap) {
        (Some(_), true) => {
            return fail(
                field,
                "the web UIs take one login: a password file, LDAP or SPNEGO (be/src/util/webserver.cc)",
            )
        }
        (None, false) => {
            return fail(
                field,
                "give the web UIs a login: passwordSecret (an htdigest file), ldap: true or spnego: true",
            )
        }
        (Some(secret), false) => {
            check_secret_key(field.key("passwordSecret"), secret)?;
            let Some(realm) = web.realm.as_ref().filter(|r| !r.is_empty() && !r.contains(':')) else {
                return fail(
                    field.key("realm"),
                    "the password file's entries name a realm (user:realm:hash): give it, without ':'",
                );
            };
            flags.push((f.password_file.to_string(), format!("{WEB_UI_AUTH_DIR}/{}", secret.key)));
            flags.push((f.realm.to_string(), realm.clone()));
        }
        (None, true) => {
            let Some(client_ldap) = &auth.ldap else {
                return fail(
                    field.key("ldap"),
                    "web UI logins by LDAP use spec.auth.ldap's server and bind settings: set spec.auth.ldap",
                );
            };
            if web.realm.is_some() {
                return fail(field.key("realm"), "a realm is the password file's; LDAP logins take none");
            }
            flags.push((f.require_ldap.to_string(), "true".to_owned()));
            let web_tls = tls.is_some_and(|t| t.web_ui);
            if !web_tls {
                if !client_ldap.allow_clear_text_passwords.unwrap_or(false) {
                    return fail(field.key("ldap"), "LDAP passwords would reach the web UIs in the clear: turn on spec.tls.webUi, or set spec.auth.ldap.allowClearTextPasswords: true for evaluation");
                }
                flags.push((f.ldap_passwords_in_clear_ok.to_string(), "true".to_owned()));
            }
        }
    }
    Ok(Some(ClusterWebUiAuth {
        flags,
        password: web.password_secret.clone(),
        ldap,
        managed: f.flags().iter().map(|f| f.to_string()).collect(),
    }))
}

impl AuthSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &AuthSpec::default()
    }
}

/// LDAP authentication of client connections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LdapSpec {
    /// The server: `ldaps://HOST[:PORT]`, or `ldap://` with `startTls`.
    pub uri: String,
    /// StartTLS on an `ldap://` URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_tls: Option<bool>,
    /// The CA certificate that verifies the LDAP server (a key of a Secret or ConfigMap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<CaBundle>,
    /// Simple bind: users bind as `uid=<user>,<baseDn>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_dn: Option<String>,
    /// Simple bind: users bind as `<user>@<domain>` (Active Directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Simple bind: users bind as this pattern, `#UID` standing for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_pattern: Option<String>,
    /// Search bind: Impala binds as `bindDn`, finds the user under `userSearchBaseDn`, then binds as them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_bind: Option<bool>,
    /// Search bind: where users are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_search_base_dn: Option<String>,
    /// Search bind: where groups are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_search_base_dn: Option<String>,
    /// The DN Impala binds as to search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_dn: Option<String>,
    /// The Secret and key holding `bindDn`'s password; mounted as a file that
    /// `ldap_bind_password_cmd` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_password_secret: Option<SecretKey>,
    /// The filter users must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_filter: Option<String>,
    /// The filter of the groups users must belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_filter: Option<String>,
    /// Accept passwords in the clear, on the client ports without TLS or on
    /// an LDAP connection without it (evaluation only; false by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_clear_text_passwords: Option<bool>,
}

/// A key of a Secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKey {
    /// The Secret.
    pub name: String,
    /// The key.
    pub key: String,
}

/// A Secret's name and key, as the API server takes them.
pub(super) fn check_secret_key(field: FieldPath, secret: &SecretKey) -> Result<(), SpecError> {
    check_object_name(&field.key("name"), &secret.name, "Secret")?;
    check_data_key(&field.key("key"), &secret.key)
}

/// Where the bind password's Secret is mounted.
pub const LDAP_BIND_DIR: &str = "/etc/impala-k8s/ldap-bind";
/// Where the LDAP CA certificate is mounted.
pub const LDAP_CA_DIR: &str = "/etc/impala-k8s/ldap-ca";

/// LDAP, resolved: the flags the client-serving roles get, and what they mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterLdap {
    /// Flags and values.
    pub flags: Vec<(String, String)>,
    /// The bind password's Secret and key, mounted at [`LDAP_BIND_DIR`].
    pub bind_password: Option<SecretKey>,
    /// The CA certificate's source, mounted at [`LDAP_CA_DIR`].
    pub ca: Option<CaBundle>,
    /// Every flag of the registry's `ldap` block (set from spec.auth only).
    pub managed: Vec<String>,
}

/// `spec.auth`, checked against the registry's LDAP flags and the TLS of the client ports.
pub(super) fn resolve(
    auth: &AuthSpec,
    registry: &Registry,
    tls: Option<&ClusterTls<'_>>,
) -> Result<Option<ClusterLdap>, SpecError> {
    let Some(ldap) = &auth.ldap else { return Ok(None) };
    let field = FieldPath::from("spec.auth.ldap");
    let Some(f) = &registry.ldap else {
        return fail(field, format!("registry {} declares no LDAP flags, so impala-k8s cannot turn LDAP on for it; set the flags with extraFlags", registry.profile));
    };
    let clear_ok = ldap.allow_clear_text_passwords.unwrap_or(false);
    let start_tls = ldap.start_tls.unwrap_or(false);
    let mut flags = vec![(f.enable.to_string(), "true".to_owned()), (f.uri.to_string(), ldap.uri.clone())];
    match ldap.uri.split_once("://") {
        Some(("ldaps", rest)) if !rest.is_empty() => {
            if start_tls {
                return fail(field.key("startTls"), "an ldaps:// URI is TLS already, and Impala ignores ldap_tls with it (be/src/util/ldap-util.cc); remove startTls");
            }
        }
        Some(("ldap", rest)) if !rest.is_empty() => {
            if start_tls {
                flags.push((f.start_tls.to_string(), "true".to_owned()));
            } else if !clear_ok {
                return fail(field.key("uri"), "Impala refuses LDAP without TLS, since passwords would cross the network in the clear (be/src/util/ldap-util.cc): use an ldaps:// URI or startTls: true, or set allowClearTextPasswords: true for evaluation");
            }
        }
        _ => {
            return fail(
                field.key("uri"),
                format!("'{}' is not an LDAP URI: ldaps://HOST[:PORT] or ldap://HOST[:PORT]", ldap.uri),
            )
        }
    }
    if clear_ok {
        flags.push((f.passwords_in_clear_ok.to_string(), "true".to_owned()));
    }
    if !tls.is_some_and(|t| t.clients) && !clear_ok {
        return fail(field, "LDAP passwords would reach the client ports in the clear: turn on spec.tls.clients, or set allowClearTextPasswords: true for evaluation");
    }
    bind_mode(&field, ldap, f, &mut flags)?;
    for (value, flag) in
        [(&ldap.user_filter, &f.user_filter), (&ldap.group_filter, &f.group_filter), (&ldap.bind_dn, &f.bind_dn)]
    {
        if let Some(value) = value {
            flags.push((flag.to_string(), value.clone()));
        }
    }
    if let Some(secret) = &ldap.bind_password_secret {
        if ldap.bind_dn.is_none() {
            return fail(field.key("bindPasswordSecret"), "a bind password is bindDn's: set bindDn too");
        }
        check_secret_key(field.key("bindPasswordSecret"), secret)?;
        // The command's output is the password (ldap-util.cc:49): it reads the mounted file.
        flags.push((f.bind_password_cmd.to_string(), format!("cat {LDAP_BIND_DIR}/{}", secret.key)));
    }
    if let Some(ca) = &ldap.ca_certificate {
        let key = ca.check(&field.key("caCertificate"), "the CA certificate", "ca.crt")?;
        flags.push((f.ca_certificate.to_string(), format!("{LDAP_CA_DIR}/{key}")));
    }
    flags.sort();
    Ok(Some(ClusterLdap {
        flags,
        bind_password: ldap.bind_password_secret.clone(),
        ca: ldap.ca_certificate.clone(),
        managed: f.flags().iter().map(|f| f.to_string()).collect(),
    }))
}

/// Simple bind (one of baseDn, domain, bindPattern) or search bind.
fn bind_mode(
    field: &FieldPath,
    ldap: &LdapSpec,
    f: &LdapFlags,
    flags: &mut Vec<(String, String)>,
) -> Result<(), SpecError> {
    let simple: Vec<(&str, &String, &crate::names::FlagName)> = [
        ("baseDn", &ldap.base_dn, &f.base_dn),
        ("domain", &ldap.domain, &f.domain),
        ("bindPattern", &ldap.bind_pattern, &f.bind_pattern),
    ]
    .into_iter()
    .filter_map(|(k, v, flag)| Some((k, v.as_ref()?, flag)))
    .collect();
    if ldap.search_bind.unwrap_or(false) {
        if let Some((key, _, _)) = simple.first() {
            return fail(
                field.key(*key),
                format!("{key} is for simple bind; search bind finds users under userSearchBaseDn"),
            );
        }
        flags.push((f.search_bind.to_string(), "true".to_owned()));
        for (value, flag) in
            [(&ldap.user_search_base_dn, &f.user_search_base_dn), (&ldap.group_search_base_dn, &f.group_search_base_dn)]
        {
            if let Some(value) = value {
                flags.push((flag.to_string(), value.clone()));
            }
        }
        return Ok(());
    }
    if let Some(key) =
        [("userSearchBaseDn", &ldap.user_search_base_dn), ("groupSearchBaseDn", &ldap.group_search_base_dn)]
            .into_iter()
            .find_map(|(k, v)| v.as_ref().map(|_| k))
    {
        return fail(field.key(key), format!("{key} is for search bind: set searchBind: true"));
    }
    if simple.len() > 1 {
        let keys: Vec<&str> = simple.iter().map(|(k, _, _)| *k).collect();
        return fail(
            field.key(keys[1]),
            format!(
                "{} are set; simple bind takes one of baseDn, domain and bindPattern (be/src/util/ldap-simple-bind.cc)",
                keys.join(" and ")
            ),
        );
    }
    if let Some((_, value, flag)) = simple.first() {
        if flag.as_str() == f.bind_pattern.as_str() && !value.contains("#UID") {
            return fail(field.key("bindPattern"), format!("'{value}' has no #UID, where Impala puts the user name"));
        }
        flags.push((flag.to_string(), (*value).clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    fn ldap(yaml: &str, with_tls: bool) -> Result<Option<ClusterLdap>, SpecError> {
        let auth: AuthSpec = serde_yaml::from_str(yaml).unwrap();
        let tls_spec: super::super::tls::TlsSpec =
            serde_yaml::from_str("{clients: true, secretName: impala-tls}").unwrap();
        let registry = Profile::Impala4.registry();
        let tls = super::super::tls::resolve(&tls_spec, registry, "lake").unwrap();
        resolve(&auth, registry, tls.as_ref().filter(|_| with_tls))
    }

    #[test]
    fn flags_of_a_search_bind() {
        let l = ldap(
            "ldap: {uri: 'ldaps://ldap.corp:636', searchBind: true, userSearchBaseDn: 'ou=people,dc=corp', bindDn: 'cn=impala,dc=corp', bindPasswordSecret: {name: ldap-bind, key: password}, userFilter: '(memberOf=cn=analysts)'}",
            true,
        )
        .unwrap()
        .unwrap();
        let flags: std::collections::BTreeMap<_, _> = l.flags.iter().cloned().collect();
        assert_eq!(flags["enable_ldap_auth"], "true");
        assert_eq!(flags["ldap_bind_password_cmd"], "cat /etc/impala-k8s/ldap-bind/password");
        assert_eq!(flags["ldap_search_bind_authentication"], "true");
        assert!(!l.flags.iter().any(|(_, v)| v.contains("hunter2")));
    }

    #[test]
    fn refusals() {
        let e = ldap("ldap: {uri: 'ldap://ldap.corp', baseDn: 'dc=corp'}", true).unwrap_err();
        assert_eq!(e.field, "spec.auth.ldap.uri");
        let e = ldap("ldap: {uri: 'ldaps://ldap.corp', baseDn: 'dc=corp'}", false).unwrap_err();
        assert!(e.message.contains("client ports in the clear"), "{e}");
        let e = ldap("ldap: {uri: 'ldaps://ldap.corp', baseDn: 'dc=corp', domain: corp.com}", true).unwrap_err();
        assert_eq!(e.field, "spec.auth.ldap.domain");
        let e = ldap("ldap: {uri: 'ldaps://l', bindPattern: 'uid=x'}", true).unwrap_err();
        assert!(e.message.contains("#UID"), "{e}");
        let e = ldap("ldap: {uri: 'ldaps://l', bindPasswordSecret: {name: s, key: p}}", true).unwrap_err();
        assert_eq!(e.field, "spec.auth.ldap.bindPasswordSecret");
        assert!(ldap("ldap: {uri: 'ldap://l', allowClearTextPasswords: true}", false).is_ok());
    }
}
