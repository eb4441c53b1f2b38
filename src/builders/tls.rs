//! What TLS adds to a release: each role's TLS flags, the Secret (and CA
//! bundle) mounted where they point, and the cert-manager `Certificate`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use super::volumes;
use crate::registry::{Access, Audience, ConfigStyle};
use crate::spec::tls::{CaBundle, CaSource, ClusterTls, TLS_CA_DIR, TLS_DIR};
use crate::spec::{Cluster, ClusterRole};

/// The volume of the certificate's Secret.
const TLS_VOLUME: &str = "tls";
/// The volume of a CA bundle from another Secret or a ConfigMap.
const TLS_CA_VOLUME: &str = "tls-ca";
/// The annotation that makes Stakater Reloader restart the pods when a
/// Secret they mount changes (Impala 4.5 reloads no certificate).
pub const RELOAD_SECRETS: &str = "secret.reloader.stakater.com/reload";
/// The same for ConfigMaps.
pub const RELOAD_CONFIG_MAPS: &str = "configmap.reloader.stakater.com/reload";

/// What TLS gives one role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleTls {
    /// Flags and values.
    pub flags: BTreeMap<String, String>,
    /// True when the web UI (and so the probes) speak HTTPS.
    pub web_ui: bool,
}

/// The TLS flags of a role: the certificate where it serves clients (or
/// everywhere with TLS between daemons, with the CA), the web UI's on every
/// daemon with a web UI; none for roles that take no gflags.
pub fn role_tls(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> Option<RoleTls> {
    let tls = cluster.tls.as_ref()?;
    if role.role.config != ConfigStyle::Gflags {
        return None;
    }
    let f = tls.flags;
    let serves_clients = role.ports_with(Access::External).any(|p| p.audience == Some(Audience::Clients));
    let mut out = RoleTls::default();
    if tls.internal || (tls.clients && serves_clients) {
        out.flags.insert(f.certificate.to_string(), format!("{TLS_DIR}/tls.crt"));
        out.flags.insert(f.private_key.to_string(), format!("{TLS_DIR}/tls.key"));
        out.flags.extend(tls.settings.iter().cloned());
    }
    if tls.internal {
        out.flags.insert(f.ca_certificate.to_string(), tls.ca_path());
    }
    if tls.web_ui && role.role.probe.http_path.is_some() {
        out.flags.insert(f.web_certificate.to_string(), format!("{TLS_DIR}/tls.crt"));
        out.flags.insert(f.web_private_key.to_string(), format!("{TLS_DIR}/tls.key"));
        out.web_ui = true;
    }
    (!out.flags.is_empty()).then_some(out)
}

/// The volumes and mounts of the certificate and the CA bundle.
pub fn volumes(tls: &ClusterTls<'_>) -> (Vec<Volume>, Vec<VolumeMount>) {
    let mut out = vec![volumes::secret(TLS_VOLUME, &tls.secret_name, volumes::PRIVATE)];
    let mut mounts = vec![volumes::read_only(TLS_VOLUME, TLS_DIR)];
    let ca = match &tls.ca {
        CaSource::Own(_) => None,
        CaSource::Secret(name, _) => Some(volumes::secret(TLS_CA_VOLUME, name, volumes::PRIVATE)),
        CaSource::ConfigMap(name, _) => {
            let source = CaBundle { config_map_name: Some(name.clone()), ..Default::default() };
            Some(volumes::bundle(TLS_CA_VOLUME, &source, None))
        }
    };
    if let Some(ca) = ca.filter(|_| tls.internal) {
        out.push(ca);
        mounts.push(volumes::read_only(TLS_CA_VOLUME, TLS_CA_DIR));
    }
    (out, mounts)
}

/// The pod annotations that restart the pods when the certificate or the CA bundle changes.
pub fn reload_annotations(tls: &ClusterTls<'_>) -> BTreeMap<&'static str, String> {
    let mut secrets = vec![tls.secret_name.clone()];
    let mut out = BTreeMap::new();
    match &tls.ca {
        CaSource::Secret(name, _) if tls.internal => secrets.push(name.clone()),
        CaSource::ConfigMap(name, _) if tls.internal => {
            out.insert(RELOAD_CONFIG_MAPS, name.clone());
        }
        _ => {}
    }
    out.insert(RELOAD_SECRETS, secrets.join(","));
    out
}

/// A cert-manager `cert-manager.io/v1` Certificate, with the fields impala-k8s sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    /// `cert-manager.io/v1`.
    pub api_version: String,
    /// `Certificate`.
    pub kind: String,
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// What to issue.
    pub spec: CertificateSpec,
}

/// The Certificate's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    /// The Secret cert-manager writes.
    pub secret_name: String,
    /// Every name a client or a peer uses.
    pub dns_names: Vec<String>,
    /// The issuer.
    pub issuer_ref: IssuerReference,
    /// What the key may be used for.
    pub usages: Vec<String>,
    /// How long it is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// How long before expiry it is renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<String>,
}

/// A cert-manager issuer reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuerReference {
    /// The issuer's name.
    pub name: String,
    /// `Issuer` or `ClusterIssuer`.
    pub kind: String,
    /// `cert-manager.io`.
    pub group: String,
}

/// The names of a release: each Service as its short name, in its
/// namespace and fully qualified, and every pod under a headless Service.
pub fn dns_names(cluster: &Cluster<'_>, extra: &[String]) -> Vec<String> {
    let ns = &cluster.namespace;
    let mut names = std::collections::BTreeSet::new();
    for role in &cluster.roles {
        let name = role.name();
        let mut services = vec![cluster.internal_service_name(name)];
        if role.ports_with(Access::External).next().is_some() {
            services.push(cluster.external_service_name(name));
        }
        for svc in services {
            names.extend([
                svc.clone(),
                format!("{svc}.{ns}"),
                format!("{svc}.{ns}.svc"),
                format!("{svc}.{ns}.svc.cluster.local"),
            ]);
        }
        if !role.is_singleton() {
            let headless = cluster.internal_service_name(name);
            names.extend([format!("*.{headless}.{ns}.svc"), format!("*.{headless}.{ns}.svc.cluster.local")]);
        }
    }
    names.extend(extra.iter().cloned());
    names.into_iter().collect()
}

/// The Certificate of a release, when cert-manager issues it.
pub fn certificate(cluster: &Cluster<'_>, meta: ObjectMeta) -> Option<Certificate> {
    let tls = cluster.tls.as_ref()?;
    let cm = tls.cert_manager.as_ref()?;
    let issuer = &cm.issuer_ref;
    Some(Certificate {
        api_version: "cert-manager.io/v1".to_owned(),
        kind: "Certificate".to_owned(),
        metadata: meta,
        spec: CertificateSpec {
            secret_name: tls.secret_name.clone(),
            dns_names: dns_names(cluster, &cm.dns_names),
            issuer_ref: IssuerReference {
                name: issuer.name.clone(),
                kind: issuer.kind.clone().unwrap_or_else(|| "Issuer".to_owned()),
                group: issuer.group.clone().unwrap_or_else(|| "cert-manager.io".to_owned()),
            },
            // Servers to clients, and daemons to each other as clients of their peers.
            usages: ["client auth", "digital signature", "key encipherment", "server auth"].map(String::from).to_vec(),
            duration: cm.duration.clone(),
            renew_before: cm.renew_before.clone(),
        },
    })
}
