//! Kerberos (`spec.auth.kerberos`): the keytab from a Secret, krb5.conf from
//! a ConfigMap or Secret, a service principal with `_HOST`, and daemons that
//! advertise the DNS names their principals carry. The flags come from the
//! registry's `kerberos` block.
//!
//! Why names: `_HOST` stands for a daemon's `-hostname`, and a peer asks the
//! KDC for a ticket to the name it connects to. The 4.x images advertise
//! their pod IPs (`-use_resolved_hostname=true`), which no keytab can name
//! in advance; with Kerberos each daemon advertises a stable DNS name
//! instead: a scalable role's pod its name under the headless Service
//! (`<pod>.<release>-<role>-internal.<namespace>.svc.<clusterDomain>`, which
//! the headless Service publishes before the pod is ready), a singleton its
//! Service's name; and peers find the singletons by the same fully
//! qualified names. The keytab holds the principal of each of those names.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::auth::SecretKey;
use super::checks::fail;
use super::tls::CaBundle;
use super::{FieldPath, SpecError};
use crate::names::is_rfc1123_subdomain;
use crate::registry::{KerberosFlags, Registry};

/// Kerberos authentication of client and internal connections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KerberosSpec {
    /// The service principal, `SERVICE/_HOST@REALM` (`impala/_HOST@CORP.EXAMPLE.COM`).
    pub principal: String,
    /// Another principal for internal connections only (`be_principal`), same form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_principal: Option<String>,
    /// The Secret and key of the keytab, with the principal of every name the daemons advertise.
    pub keytab_secret: SecretKey,
    /// krb5.conf, a key of a ConfigMap or Secret.
    pub krb5_conf: CaBundle,
    /// The cluster's DNS domain, the last part of every name (default `cluster.local`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_domain: Option<String>,
}

/// Where the keytab is mounted.
pub const KEYTAB_DIR: &str = "/etc/impala-k8s/kerberos";
/// Where krb5.conf is mounted.
pub const KRB5_DIR: &str = "/etc/impala-k8s/krb5";

/// Kerberos, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterKerberos<'r> {
    /// The registry's flags.
    pub flags: &'r KerberosFlags,
    /// The fixed flags of every daemon (principal, keytab, krb5.conf, no IP advertisement).
    pub settings: Vec<(String, String)>,
    /// The keytab's Secret and key.
    pub keytab: SecretKey,
    /// krb5.conf's source; its key is the file name.
    pub krb5_conf: CaBundle,
    /// The DNS domain of the cluster.
    pub cluster_domain: String,
}

impl ClusterKerberos<'_> {
    /// The fully qualified name of a Service: `<service>.<namespace>.svc.<domain>`.
    pub fn service_fqdn(&self, service: &str, namespace: &str) -> String {
        format!("{service}.{namespace}.svc.{}", self.cluster_domain)
    }
}

fn check_principal(field: FieldPath, principal: &str) -> Result<(), SpecError> {
    let ok = principal.split_once("/_HOST@").is_some_and(|(service, realm)| {
        !service.is_empty() && !realm.is_empty() && !principal.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        fail(field, format!("'{principal}' is not a service principal of every daemon: SERVICE/_HOST@REALM, such as impala/_HOST@CORP.EXAMPLE.COM (_HOST becomes each daemon's name)"))
    }
}

/// `spec.auth.kerberos`, checked against the registry's flags.
pub(super) fn resolve<'r>(
    kerberos: Option<&KerberosSpec>,
    registry: &'r Registry,
) -> Result<Option<ClusterKerberos<'r>>, SpecError> {
    let Some(k) = kerberos else { return Ok(None) };
    let field = FieldPath::from("spec.auth.kerberos");
    let Some(f) = &registry.kerberos else {
        return fail(
            field,
            format!("registry {} declares no Kerberos flags; set them with extraFlags", registry.profile),
        );
    };
    check_principal(field.key("principal"), &k.principal)?;
    let mut settings =
        vec![(f.principal.to_string(), k.principal.clone()), (f.use_resolved_hostname.to_string(), "false".to_owned())];
    if let Some(internal) = &k.internal_principal {
        check_principal(field.key("internalPrincipal"), internal)?;
        settings.push((f.be_principal.to_string(), internal.clone()));
    }
    let keytab = &k.keytab_secret;
    super::auth::check_secret_key(field.key("keytabSecret"), keytab)?;
    settings.push((f.keytab_file.to_string(), format!("{KEYTAB_DIR}/{}", keytab.key)));
    let conf = &k.krb5_conf;
    let key = conf.check(&field.key("krb5Conf"), "krb5.conf", "krb5.conf")?;
    settings.push((f.krb5_conf.to_string(), format!("{KRB5_DIR}/{key}")));
    let domain = k.cluster_domain.clone().unwrap_or_else(|| "cluster.local".to_owned());
    if !is_rfc1123_subdomain(&domain) {
        return fail(
            field.key("clusterDomain"),
            format!("'{domain}' is not a DNS domain: lowercase labels of letters, digits and '-'"),
        );
    }
    settings.sort();
    let krb5_conf = CaBundle { key: Some(key), ..conf.clone() };
    Ok(Some(ClusterKerberos { flags: f, settings, keytab: keytab.clone(), krb5_conf, cluster_domain: domain }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Profile;

    fn kerberos(yaml: &str) -> Result<Option<ClusterKerberos<'static>>, SpecError> {
        let spec: KerberosSpec = serde_yaml::from_str(yaml).unwrap();
        resolve(Some(&spec), Profile::Impala4.registry())
    }

    #[test]
    fn flags_and_names() {
        let k = kerberos("{principal: impala/_HOST@CORP.COM, keytabSecret: {name: impala-keytab, key: impala.keytab}, krb5Conf: {configMapName: krb5}}")
            .unwrap()
            .unwrap();
        let flags: std::collections::BTreeMap<_, _> = k.settings.iter().cloned().collect();
        assert_eq!(flags["principal"], "impala/_HOST@CORP.COM");
        assert_eq!(flags["use_resolved_hostname"], "false");
        assert_eq!(flags["keytab_file"], "/etc/impala-k8s/kerberos/impala.keytab");
        assert_eq!(flags["krb5_conf"], "/etc/impala-k8s/krb5/krb5.conf");
        assert_eq!(k.service_fqdn("lake-statestored-internal", "ns"), "lake-statestored-internal.ns.svc.cluster.local");
    }

    #[test]
    fn refusals() {
        let base = "keytabSecret: {name: k, key: k}, krb5Conf: {configMapName: krb5}";
        let e = kerberos(&format!("{{principal: impala@CORP.COM, {base}}}")).unwrap_err();
        assert_eq!(e.field, "spec.auth.kerberos.principal");
        let e = kerberos(
            "{principal: impala/_HOST@C, keytabSecret: {name: k, key: k}, krb5Conf: {configMapName: a, secretName: b}}",
        )
        .unwrap_err();
        assert_eq!(e.field, "spec.auth.kerberos.krb5Conf");
        let e = kerberos(&format!("{{principal: impala/_HOST@C, clusterDomain: Cluster_Local, {base}}}")).unwrap_err();
        assert_eq!(e.field, "spec.auth.kerberos.clusterDomain");
    }
}
