//! HTTP endpoints through an Ingress or Gateway API HTTPRoutes (`spec.http`):
//! HiveServer2 over HTTP and the web UIs, routed by host and path to the
//! Service that carries the port, with cookie affinity for ports whose
//! sessions span connections, and the NetworkPolicy rule that admits the
//! ingress controller (or the gateway) to exactly the routed ports.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{check_labels, check_peers, fail, hint};
use super::model::ClusterRole;
use super::{FieldPath, SpecError};
use crate::names::{is_rfc1123_subdomain, PortName, PortNumber, ReleaseName, RoleName};
use crate::registry::Access;

/// The cookie that keeps a client on one pod where sessions span connections.
pub const AFFINITY_COOKIE: &str = "impala-session";

/// HTTP endpoints through an Ingress or HTTPRoutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpSpec {
    /// Route the endpoints (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `Ingress` (networking.k8s.io/v1, default) or `HTTPRoute` (Gateway API v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<HttpKind>,
    /// The Ingress's class (`ingressClassName`); the cluster's default class when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class_name: Option<String>,
    /// The Gateways (and listeners) the HTTPRoutes attach to; required for HTTPRoute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent_refs: Vec<ParentRefSpec>,
    /// Annotations of the Ingress or HTTPRoutes (controller settings).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// A `kubernetes.io/tls` Secret the Ingress terminates TLS with, for every
    /// host; a Gateway terminates TLS at its listener instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret_name: Option<String>,
    /// `Cookie` (default): a client stays on one pod where its session spans
    /// connections (HiveServer2 over HTTP): ingress-nginx's cookie affinity
    /// annotations on an Ingress, `sessionPersistence` (Gateway API's
    /// experimental channel) on an HTTPRoute; `None` for neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<HttpAffinity>,
    /// The ingress controller's (or gateway's) pods, as NetworkPolicy peers:
    /// the only sources the routed ports admit for the routes. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<NetworkPolicyPeer>>,
    /// What is routed; by default the registry's ports whose sessions span
    /// connections (HiveServer2 over HTTP on the coordinators), on any host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<HttpEndpointSpec>,
}

impl HttpSpec {
    /// True when the section says nothing.
    pub fn is_empty(&self) -> bool {
        self == &HttpSpec::default()
    }
}

/// Which API routes the endpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HttpKind {
    /// A `networking.k8s.io/v1` Ingress.
    #[default]
    Ingress,
    /// Gateway API `gateway.networking.k8s.io/v1` HTTPRoutes.
    #[serde(rename = "HTTPRoute")]
    HttpRoute,
}

/// How a client stays on one pod.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HttpAffinity {
    /// A cookie the controller or gateway sets.
    #[default]
    Cookie,
    /// No affinity.
    None,
}

/// A Gateway (and optionally one of its listeners) HTTPRoutes attach to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParentRefSpec {
    /// The Gateway's name.
    pub name: String,
    /// Its namespace; the release's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The listener's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

/// One routed endpoint: a port of a role, on a host and path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpEndpointSpec {
    /// The role (`coordinator`).
    pub role: String,
    /// The port, by registry name (`hs2-http`, `webui`); it must speak HTTP.
    pub port: String,
    /// The host name (`impala.example.com`, or `*.example.com`); any host when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The path prefix (default `/`). Impala's web UIs link from `/`, so a
    /// web UI needs a host of its own at `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The routes, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterHttp {
    /// Ingress or HTTPRoute.
    pub kind: HttpKind,
    /// The Ingress's class.
    pub ingress_class_name: Option<String>,
    /// The HTTPRoutes' parents.
    pub parent_refs: Vec<ParentRefSpec>,
    /// The object's annotations.
    pub annotations: BTreeMap<String, String>,
    /// The Ingress's TLS Secret.
    pub tls_secret_name: Option<String>,
    /// True for cookie affinity.
    pub affinity: bool,
    /// Who forwards the routed traffic.
    pub sources: Vec<NetworkPolicyPeer>,
    /// The routes, in spec order.
    pub routes: Vec<Route>,
}

/// One route, resolved against the running roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The role.
    pub role: RoleName,
    /// The port's name, also the Service port's.
    pub port: PortName,
    /// Its number, after overrides.
    pub number: PortNumber,
    /// The Service that carries the port.
    pub service: String,
    /// The host, if any.
    pub host: Option<String>,
    /// The path prefix.
    pub path: String,
    /// True when the port's sessions span connections.
    pub sticky: bool,
}

impl ClusterHttp {
    /// True when a route leads to this port of this role.
    pub fn routes_to(&self, role: &RoleName, port: &PortName) -> bool {
        self.routes.iter().any(|r| &r.role == role && &r.port == port)
    }
}

/// Checks `spec.http` against the running roles; `None` when off.
pub fn resolve(
    spec: &HttpSpec,
    roles: &[ClusterRole<'_>],
    release: &ReleaseName,
) -> Result<Option<ClusterHttp>, SpecError> {
    if spec.enabled != Some(true) {
        return Ok(None);
    }
    let field = FieldPath::from("spec.http");
    let kind = spec.kind.unwrap_or_default();
    check_kind_fields(spec, kind, &field)?;
    check_labels(&field.key("annotations"), &spec.annotations, false)?;
    let sources = match &spec.sources {
        None => {
            return fail(
                field.key("sources"),
                "name the ingress controller's (or gateway's) pods: a namespaceSelector and a podSelector; the routed ports admit them alone",
            )
        }
        Some(s) if s.is_empty() => {
            return fail(field.key("sources"), "an empty list would admit no controller; name its namespace and pods")
        }
        Some(s) => s.clone(),
    };
    check_peers(&field.key("sources"), &spec.sources)?;
    let endpoints = if spec.endpoints.is_empty() { default_endpoints(roles) } else { spec.endpoints.clone() };
    let mut routes = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        let at = field.key("endpoints").index(i);
        let route = route(endpoint, roles, release, &at)?;
        if !seen.insert((route.host.clone(), route.path.clone())) {
            return fail(
                at.key("path"),
                format!(
                    "host '{}' and path '{}' are routed twice; give each endpoint its own host or path",
                    route.host.as_deref().unwrap_or("*"),
                    route.path
                ),
            );
        }
        routes.push(route);
    }
    Ok(Some(ClusterHttp {
        kind,
        ingress_class_name: spec.ingress_class_name.clone(),
        parent_refs: spec.parent_refs.clone(),
        annotations: spec.annotations.clone(),
        tls_secret_name: spec.tls_secret_name.clone(),
        affinity: spec.affinity.unwrap_or_default() == HttpAffinity::Cookie,
        sources,
        routes,
    }))
}

/// The Ingress's fields for an Ingress, the HTTPRoute's for HTTPRoutes.
fn check_kind_fields(spec: &HttpSpec, kind: HttpKind, field: &FieldPath) -> Result<(), SpecError> {
    let subdomain = |key: &str, value: &str, what: &str| {
        if is_rfc1123_subdomain(value) {
            Ok(())
        } else {
            fail(field.key(key), format!("'{value}' is not {what}: lowercase letters, digits, '-' and '.'"))
        }
    };
    match kind {
        HttpKind::Ingress => {
            if !spec.parent_refs.is_empty() {
                return fail(
                    field.key("parentRefs"),
                    "parentRefs are for kind HTTPRoute; an Ingress names ingressClassName",
                );
            }
            if let Some(class) = &spec.ingress_class_name {
                subdomain("ingressClassName", class, "an IngressClass name")?;
            }
            if let Some(secret) = &spec.tls_secret_name {
                subdomain("tlsSecretName", secret, "a Secret name")?;
            }
        }
        HttpKind::HttpRoute => {
            for (key, set) in [
                ("ingressClassName", spec.ingress_class_name.is_some()),
                ("tlsSecretName", spec.tls_secret_name.is_some()),
            ] {
                if set {
                    return fail(
                        field.key(key),
                        format!("{key} is for kind Ingress; a Gateway's listener names its class and certificate"),
                    );
                }
            }
            if spec.parent_refs.is_empty() {
                return fail(
                    field.key("parentRefs"),
                    "an HTTPRoute attaches to a Gateway: name it (name, and namespace and sectionName where needed)",
                );
            }
            for (i, parent) in spec.parent_refs.iter().enumerate() {
                let at = field.key("parentRefs").index(i);
                let names = [
                    ("name", Some(&parent.name)),
                    ("namespace", parent.namespace.as_ref()),
                    ("sectionName", parent.section_name.as_ref()),
                ];
                for (key, value) in names {
                    if let Some(value) = value.filter(|v| !is_rfc1123_subdomain(v)) {
                        return fail(
                            at.key(key),
                            format!("'{value}' is not a name: lowercase letters, digits, '-' and '.'"),
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// The registry's ports whose sessions span connections, of the running roles.
fn default_endpoints(roles: &[ClusterRole<'_>]) -> Vec<HttpEndpointSpec> {
    roles
        .iter()
        .flat_map(|r| r.ports.iter().filter(|p| p.entry.sticky && p.entry.http).map(move |p| (r, p)))
        .map(|(r, p)| HttpEndpointSpec {
            role: r.name().to_string(),
            port: p.name().to_string(),
            host: None,
            path: None,
        })
        .collect()
}

fn route(
    endpoint: &HttpEndpointSpec,
    roles: &[ClusterRole<'_>],
    release: &ReleaseName,
    at: &FieldPath,
) -> Result<Route, SpecError> {
    let Some(role) = roles.iter().find(|r| r.name().as_str() == endpoint.role) else {
        let running = roles.iter().map(|r| r.name().as_str());
        return fail(
            at.key("role"),
            format!("'{}' is not a running role{}", endpoint.role, hint(&endpoint.role, running)),
        );
    };
    let http: Vec<_> = role.ports.iter().filter(|p| p.entry.http).collect();
    let Some(port) = role.ports.iter().find(|p| p.name().as_str() == endpoint.port) else {
        let names = http.iter().map(|p| p.name().as_str());
        return fail(
            at.key("port"),
            format!("role '{}' has no port '{}'{}", endpoint.role, endpoint.port, hint(&endpoint.port, names)),
        );
    };
    if !port.entry.http {
        let names: Vec<_> = http.iter().map(|p| p.name().as_str()).collect();
        return fail(
            at.key("port"),
            format!(
                "port '{}' of role '{}' does not speak HTTP; its HTTP ports: {}",
                endpoint.port,
                endpoint.role,
                names.join(", ")
            ),
        );
    }
    if let Some(host) = &endpoint.host {
        if !is_rfc1123_subdomain(host.strip_prefix("*.").unwrap_or(host)) {
            return fail(
                at.key("host"),
                format!("'{host}' is not a host name: lowercase DNS labels, optionally starting with '*.'"),
            );
        }
    }
    let path = endpoint.path.clone().unwrap_or_else(|| "/".to_owned());
    if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#') {
        return fail(
            at.key("path"),
            format!("'{path}' is not a path prefix: it starts with '/' and has no spaces, '?' or '#'"),
        );
    }
    let service = match port.access {
        Access::External => super::model::external_service_name(release, role.name()),
        Access::Internal => super::model::internal_service_name(release, role.name()),
    };
    Ok(Route {
        role: role.name().clone(),
        port: port.name().clone(),
        number: port.number,
        service,
        host: endpoint.host.clone(),
        path,
        sticky: port.entry.sticky,
    })
}
