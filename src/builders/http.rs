//! The Ingress or the Gateway API HTTPRoutes of `spec.http`: each route to the
//! Service that carries its port, grouped by host, with cookie affinity where
//! a port's sessions span connections.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use crate::spec::http::{ClusterHttp, ParentRefSpec, Route, AFFINITY_COOKIE};

/// ingress-nginx's cookie affinity (its annotations; other controllers name their own).
pub const NGINX_AFFINITY: [(&str, &str); 2] = [
    ("nginx.ingress.kubernetes.io/affinity", "cookie"),
    ("nginx.ingress.kubernetes.io/session-cookie-name", AFFINITY_COOKIE),
];

/// The routes by host (`None`: any host), hosts in the order the spec first names them.
fn by_host(http: &ClusterHttp) -> Vec<(Option<&str>, Vec<&Route>)> {
    let mut out: Vec<(Option<&str>, Vec<&Route>)> = Vec::new();
    for route in &http.routes {
        let host = route.host.as_deref();
        match out.iter_mut().find(|(h, _)| *h == host) {
            Some((_, routes)) => routes.push(route),
            None => out.push((host, vec![route])),
        }
    }
    out
}

/// True when cookie affinity applies: asked for, and a routed port's sessions span connections.
fn sticky(http: &ClusterHttp) -> bool {
    http.affinity && http.routes.iter().any(|r| r.sticky)
}

/// The Ingress: one rule per host, a Prefix path per route.
pub fn ingress(http: &ClusterHttp, mut meta: ObjectMeta) -> Ingress {
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    if sticky(http) {
        annotations.extend(NGINX_AFFINITY.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }
    annotations.extend(http.annotations.clone());
    meta.annotations = (!annotations.is_empty()).then_some(annotations);
    let groups = by_host(http);
    let rules = groups
        .iter()
        .map(|(host, routes)| IngressRule {
            host: host.map(str::to_owned),
            http: Some(HTTPIngressRuleValue {
                paths: routes
                    .iter()
                    .map(|r| HTTPIngressPath {
                        path: Some(r.path.clone()),
                        path_type: "Prefix".to_owned(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: r.service.clone(),
                                port: Some(ServiceBackendPort { name: Some(r.port.to_string()), number: None }),
                            }),
                            resource: None,
                        },
                    })
                    .collect(),
            }),
        })
        .collect();
    let hosts: Vec<String> = groups.iter().filter_map(|(h, _)| h.map(str::to_owned)).collect();
    let tls = http.tls_secret_name.as_ref().map(|secret| {
        vec![IngressTLS { hosts: (!hosts.is_empty()).then_some(hosts), secret_name: Some(secret.clone()) }]
    });
    Ingress {
        metadata: meta,
        spec: Some(IngressSpec {
            ingress_class_name: http.ingress_class_name.clone(),
            rules: Some(rules),
            tls,
            default_backend: None,
        }),
        status: None,
    }
}

/// A Gateway API `gateway.networking.k8s.io/v1` HTTPRoute, with the fields impala-k8s sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    /// `gateway.networking.k8s.io/v1`.
    pub api_version: String,
    /// `HTTPRoute`.
    pub kind: String,
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// Where it attaches and what it routes.
    pub spec: HttpRouteSpec,
}

/// An HTTPRoute's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// The Gateways.
    pub parent_refs: Vec<ParentRef>,
    /// The host, when the route names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostnames: Option<Vec<String>>,
    /// One rule per routed port.
    pub rules: Vec<HttpRouteRule>,
}

/// A Gateway an HTTPRoute attaches to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// Its name.
    pub name: String,
    /// Its namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

/// A path prefix to a Service port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// The path prefix.
    pub matches: Vec<RouteMatch>,
    /// The Service and port.
    pub backend_refs: Vec<BackendRef>,
    /// Cookie affinity (Gateway API's experimental channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_persistence: Option<SessionPersistence>,
}

/// A match on the path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteMatch {
    /// The path.
    pub path: PathMatch,
}

/// A path prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathMatch {
    /// `PathPrefix`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The prefix.
    pub value: String,
}

/// A Service port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendRef {
    /// The Service.
    pub name: String,
    /// Its port number.
    pub port: i32,
}

/// A cookie that keeps a client on one backend pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionPersistence {
    /// The cookie's name.
    pub session_name: String,
    /// `Cookie`.
    #[serde(rename = "type")]
    pub type_: String,
}

/// The name of the HTTPRoute of a host: `<release>.<host>` (`*` as
/// `wildcard`), or `<release>` for any host.
pub fn route_name(release: &str, host: Option<&str>) -> String {
    match host {
        Some(host) => format!("{release}.{}", host.replacen('*', "wildcard", 1)),
        None => release.to_owned(),
    }
}

/// One HTTPRoute per host, a rule per route; `meta` makes each one's metadata from its name.
pub fn http_routes(http: &ClusterHttp, release: &str, meta: impl Fn(String) -> ObjectMeta) -> Vec<HttpRoute> {
    let parents: Vec<ParentRef> = http
        .parent_refs
        .iter()
        .map(|ParentRefSpec { name, namespace, section_name }| ParentRef {
            name: name.clone(),
            namespace: namespace.clone(),
            section_name: section_name.clone(),
        })
        .collect();
    by_host(http)
        .into_iter()
        .map(|(host, routes)| {
            let mut metadata = meta(route_name(release, host));
            metadata.annotations = (!http.annotations.is_empty()).then(|| http.annotations.clone());
            HttpRoute {
                api_version: "gateway.networking.k8s.io/v1".to_owned(),
                kind: "HTTPRoute".to_owned(),
                metadata,
                spec: HttpRouteSpec {
                    parent_refs: parents.clone(),
                    hostnames: host.map(|h| vec![h.to_owned()]),
                    rules: routes
                        .iter()
                        .map(|r| HttpRouteRule {
                            matches: vec![RouteMatch {
                                path: PathMatch { type_: "PathPrefix".to_owned(), value: r.path.clone() },
                            }],
                            backend_refs: vec![BackendRef { name: r.service.clone(), port: r.number.as_i32() }],
                            session_persistence: (http.affinity && r.sticky).then(|| SessionPersistence {
                                session_name: AFFINITY_COOKIE.to_owned(),
                                type_: "Cookie".to_owned(),
                            }),
                        })
                        .collect(),
                },
            }
        })
        .collect()
}
