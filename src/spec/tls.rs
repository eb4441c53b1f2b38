//! TLS (`spec.tls`): on the client ports, between daemons and on the web
//! UIs, with the certificate from an existing `kubernetes.io/tls` Secret or
//! from cert-manager. The flags come from the registry's `tls` block.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{check_data_key, check_object_name, fail};
use super::{FieldPath, SpecError};
use crate::names::is_rfc1123_subdomain;
use crate::registry::{Registry, TlsFlags};

/// TLS settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TlsSpec {
    /// TLS on the client ports (HiveServer2, HiveServer2 over HTTP, Beeswax) of the roles that have them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<bool>,
    /// TLS between daemons too (KRPC and the internal Thrift services): every
    /// daemon gets the certificate and the CA bundle. Impala serves clients
    /// and peers with one certificate, so this needs `clients`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    /// HTTPS on every daemon's web UI; the probes use HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_ui: Option<bool>,
    /// An existing Secret of type `kubernetes.io/tls` (`tls.crt`, `tls.key`,
    /// and `ca.crt` unless `ca` names another source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// The CA bundle the daemons verify each other with (default: `ca.crt`
    /// of the certificate's Secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaBundle>,
    /// A cert-manager `Certificate` for every name a client or a peer uses,
    /// in the Secret `<release>-tls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_manager: Option<CertManagerSpec>,
    /// The oldest TLS version accepted (`tlsv1.2`, Impala's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_version: Option<String>,
    /// The TLS 1.2 cipher list, in OpenSSL's syntax (default Impala's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_list: Option<String>,
    /// The TLS 1.3 cipher suites (default Impala's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphersuites: Option<String>,
}

impl TlsSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &TlsSpec::default()
    }
}

/// Where the CA bundle is: a key of a Secret or of a ConfigMap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaBundle {
    /// A Secret that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// A ConfigMap that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_name: Option<String>,
    /// Its key (default `ca.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A certificate from cert-manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertManagerSpec {
    /// The Issuer or ClusterIssuer that signs it.
    pub issuer_ref: IssuerRef,
    /// Names besides the Services' and the pods' (a load balancer's DNS name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
    /// How long it is valid (`2160h`, cert-manager's default 90 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// How long before expiry cert-manager renews it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<String>,
}

/// A cert-manager issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuerRef {
    /// Its name.
    pub name: String,
    /// `Issuer` (default, in the release's namespace) or `ClusterIssuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its API group (default `cert-manager.io`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Where the CA bundle comes from, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaSource {
    /// A key of the certificate's own Secret.
    Own(String),
    /// A key of another Secret.
    Secret(String, String),
    /// A key of a ConfigMap.
    ConfigMap(String, String),
}

/// TLS, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterTls<'r> {
    /// The registry's TLS flags.
    pub flags: &'r TlsFlags,
    /// TLS on the client ports.
    pub clients: bool,
    /// TLS between daemons.
    pub internal: bool,
    /// HTTPS on the web UIs.
    pub web_ui: bool,
    /// The Secret with `tls.crt` and `tls.key`.
    pub secret_name: String,
    /// The CA bundle.
    pub ca: CaSource,
    /// The cert-manager Certificate to render, if any.
    pub cert_manager: Option<CertManagerSpec>,
    /// The version and cipher flags, by flag name.
    pub settings: Vec<(String, String)>,
}

/// Where the certificate's Secret is mounted.
pub const TLS_DIR: &str = "/etc/impala-k8s/tls";
/// Where a CA bundle of another Secret or ConfigMap is mounted.
pub const TLS_CA_DIR: &str = "/etc/impala-k8s/tls-ca";

impl ClusterTls<'_> {
    /// The path of the CA bundle in a daemon's container.
    pub fn ca_path(&self) -> String {
        match &self.ca {
            CaSource::Own(key) => format!("{TLS_DIR}/{key}"),
            CaSource::Secret(_, key) | CaSource::ConfigMap(_, key) => format!("{TLS_CA_DIR}/{key}"),
        }
    }
}

/// The name of the Secret (and Certificate) cert-manager fills: `<release>-tls`.
pub fn certificate_name(release: &str) -> String {
    format!("{release}-tls")
}

fn name(field: FieldPath, what: &str, value: &str) -> Result<String, SpecError> {
    check_object_name(&field, value, what).map(|()| value.to_owned())
}

impl CaBundle {
    /// Checks a bundle at `field` (`what` names it in the message): a
    /// Secret or a ConfigMap, one of them, each name and the key as the API
    /// server takes them; returns the key, `default_key` when none is given.
    pub(super) fn check(&self, field: &FieldPath, what: &str, default_key: &str) -> Result<String, SpecError> {
        match (&self.secret_name, &self.config_map_name) {
            (Some(s), None) => check_object_name(&field.key("secretName"), s, "Secret")?,
            (None, Some(c)) => check_object_name(&field.key("configMapName"), c, "ConfigMap")?,
            _ => return fail(field, format!("give {what}'s secretName or configMapName, one of them")),
        }
        let key = self.key.clone().unwrap_or_else(|| default_key.to_owned());
        check_data_key(&field.key("key"), &key)?;
        Ok(key)
    }
}

/// `spec.tls`, checked against the registry's TLS flags.
pub(super) fn resolve<'r>(
    spec: &TlsSpec,
    registry: &'r Registry,
    release: &str,
) -> Result<Option<ClusterTls<'r>>, SpecError> {
    if spec.is_empty() {
        return Ok(None);
    }
    let field = FieldPath::from("spec.tls");
    let Some(flags) = &registry.tls else {
        return fail(field, format!("registry {} declares no TLS flags, so impala-k8s cannot turn TLS on for it; set the flags with extraFlags and mount the files with extraVolumes", registry.profile));
    };
    let (clients, internal, web_ui) =
        (spec.clients.unwrap_or(false), spec.internal.unwrap_or(false), spec.web_ui.unwrap_or(false));
    if !(clients || internal || web_ui) {
        return fail(field, "no endpoint uses the certificate: set clients, internal or webUi to true");
    }
    if internal && !clients {
        return fail(field.key("internal"), "Impala serves clients and peers with one certificate, so TLS between daemons turns it on for the client ports too (be/src/util/openssl-util.cc); set clients: true as well");
    }
    let secret_name =
        match (&spec.secret_name, &spec.cert_manager) {
            (Some(_), Some(_)) => return fail(field, "set secretName (an existing Secret) or certManager, not both"),
            (None, None) => return fail(
                field,
                "the certificate comes from secretName (an existing kubernetes.io/tls Secret) or certManager; set one",
            ),
            (Some(secret), None) => name(field.key("secretName"), "Secret", secret)?,
            (None, Some(cm)) => {
                check_cert_manager(&field.key("certManager"), cm)?;
                certificate_name(release)
            }
        };
    let ca = ca_source(&field, spec)?;
    let settings = settings(&field, spec, flags)?;
    Ok(Some(ClusterTls {
        flags,
        clients,
        internal,
        web_ui,
        secret_name,
        ca,
        cert_manager: spec.cert_manager.clone(),
        settings,
    }))
}

/// The CA bundle: the certificate Secret's `ca.crt`, or a key of another Secret or a ConfigMap.
fn ca_source(field: &FieldPath, spec: &TlsSpec) -> Result<CaSource, SpecError> {
    let ca = match &spec.ca {
        None => CaSource::Own("ca.crt".to_owned()),
        Some(ca) => {
            let key = ca.check(&field.key("ca"), "the CA bundle", "ca.crt")?;
            match (&ca.secret_name, &ca.config_map_name) {
                (Some(s), _) => CaSource::Secret(s.clone(), key),
                (_, c) => CaSource::ConfigMap(c.clone().unwrap_or_default(), key),
            }
        }
    };
    if !spec.internal.unwrap_or(false) && spec.ca.is_some() {
        return fail(
            field.key("ca"),
            "only TLS between daemons verifies with a CA bundle; set internal: true, or remove ca",
        );
    }
    Ok(ca)
}

/// The version and cipher flags.
fn settings(field: &FieldPath, spec: &TlsSpec, flags: &TlsFlags) -> Result<Vec<(String, String)>, SpecError> {
    let mut settings = Vec::new();
    if let Some(version) = &spec.minimum_version {
        if !flags.versions.contains(version) {
            return fail(
                field.key("minimumVersion"),
                format!("'{version}' is not a TLS version Impala takes: {}", flags.versions.join(", ")),
            );
        }
        settings.push((flags.minimum_version.to_string(), version.clone()));
    }
    for (value, flag, key) in [
        (&spec.cipher_list, &flags.cipher_list, "cipherList"),
        (&spec.ciphersuites, &flags.ciphersuites, "ciphersuites"),
    ] {
        if let Some(value) = value {
            if value.is_empty() || value.chars().any(char::is_whitespace) {
                return fail(
                    field.key(key),
                    format!("'{value}' is not a cipher list: names joined by ':', without spaces"),
                );
            }
            settings.push((flag.to_string(), value.clone()));
        }
    }
    Ok(settings)
}

fn check_cert_manager(field: &FieldPath, cm: &CertManagerSpec) -> Result<(), SpecError> {
    let issuer = &cm.issuer_ref;
    name(field.key("issuerRef").key("name"), "cert-manager issuer", &issuer.name)?;
    if let Some(kind) = issuer.kind.as_deref().filter(|k| !matches!(*k, "Issuer" | "ClusterIssuer")) {
        if issuer.group.as_deref().is_none_or(|g| g == "cert-manager.io") {
            return fail(field.key("issuerRef").key("kind"), format!("'{kind}' is not a cert-manager issuer kind: Issuer or ClusterIssuer (an external issuer names its group)"));
        }
    }
    for (i, dns) in cm.dns_names.iter().enumerate() {
        let plain = dns.strip_prefix("*.").unwrap_or(dns);
        if !is_rfc1123_subdomain(plain) {
            return fail(field.key("dnsNames").index(i), format!("'{dns}' is not a DNS name: lowercase labels of letters, digits and '-', optionally starting with '*.'"));
        }
    }
    for (value, key) in [(&cm.duration, "duration"), (&cm.renew_before, "renewBefore")] {
        if let Some(v) = value.as_deref().filter(|v| !is_go_duration(v)) {
            return fail(
                field.key(key),
                format!("'{v}' is not a duration: hours, minutes and seconds such as 2160h or 720h30m"),
            );
        }
    }
    Ok(())
}

/// A Go duration of hours, minutes and seconds (`2160h`, `1h30m`, `90s`).
fn is_go_duration(value: &str) -> bool {
    let mut rest = value;
    let mut units = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if !matches!(&rest[..unit], "h" | "m" | "s") {
            return false;
        }
        rest = &rest[unit..];
        units += 1;
    }
    units > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    fn tls(yaml: &str) -> Result<Option<ClusterTls<'static>>, SpecError> {
        let spec: TlsSpec = serde_yaml::from_str(yaml).unwrap();
        resolve(&spec, Profile::Impala4.registry(), "lake")
    }

    #[test]
    fn a_secret_or_cert_manager() {
        let t = tls("{clients: true, internal: true, secretName: impala-tls}").unwrap().unwrap();
        assert_eq!((t.secret_name.as_str(), t.ca_path()), ("impala-tls", "/etc/impala-k8s/tls/ca.crt".to_owned()));
        let t = tls("{webUi: true, certManager: {issuerRef: {name: ca, kind: ClusterIssuer}}}").unwrap().unwrap();
        assert_eq!(t.secret_name, "lake-tls");
        let t = tls("{clients: true, internal: true, secretName: s, ca: {configMapName: bundle, key: root.pem}}");
        assert_eq!(t.unwrap().unwrap().ca_path(), "/etc/impala-k8s/tls-ca/root.pem");
        assert_eq!(tls("{}").unwrap(), None);
    }

    #[test]
    fn refusals() {
        let e = tls("{internal: true, secretName: s}").unwrap_err();
        assert_eq!(e.field, "spec.tls.internal");
        assert!(tls("{secretName: s}").unwrap_err().message.contains("no endpoint uses"));
        assert!(tls("{clients: true}").unwrap_err().message.contains("set one"));
        assert_eq!(
            tls("{clients: true, secretName: s, minimumVersion: tlsv1.3}").unwrap_err().field,
            "spec.tls.minimumVersion"
        );
        assert_eq!(tls("{clients: true, secretName: s, ca: {secretName: c}}").unwrap_err().field, "spec.tls.ca");
        let e = tls("{clients: true, certManager: {issuerRef: {name: ca}, duration: 90d}}").unwrap_err();
        assert_eq!(e.field, "spec.tls.certManager.duration");
        let cdh5 = Profile::Cdh5.registry_for(None).unwrap();
        let spec: TlsSpec = serde_yaml::from_str("{clients: true, secretName: s}").unwrap();
        assert!(resolve(&spec, cdh5, "x").unwrap_err().message.contains("declares no TLS flags"));
    }

    #[test]
    fn go_durations() {
        for ok in ["2160h", "1h30m", "90s", "720h0m0s"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "90d", "h", "1.5h", "10"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
