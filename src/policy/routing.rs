//! What an Ingress or an HTTPRoute routes: each path's (or rule's) Service
//! and port, in the object's namespace, for [`super::World`].

use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Routing;
use crate::builders::http::HttpRoute;

/// One entry per path of each rule: namespace, Service, port, routing.
pub(super) fn of_ingress(ingress: &Ingress) -> Vec<(String, String, IntOrString, Routing)> {
    let namespace = ingress.metadata.namespace.clone().unwrap_or_default();
    let name = ingress.metadata.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    for rule in ingress.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
        for path in rule.http.iter().flat_map(|h| &h.paths) {
            let Some(service) = &path.backend.service else { continue };
            let port = match service.port.as_ref() {
                Some(p) if p.name.is_some() => IntOrString::String(p.name.clone().unwrap_or_default()),
                Some(p) => IntOrString::Int(p.number.unwrap_or_default()),
                None => continue,
            };
            let routing = Routing {
                kind: "Ingress".to_owned(),
                name: name.clone(),
                host: rule.host.clone(),
                path: path.path.clone().unwrap_or_else(|| "/".to_owned()),
            };
            out.push((namespace.clone(), service.name.clone(), port, routing));
        }
    }
    out
}

/// One entry per backend of each rule.
pub(super) fn of_http_route(route: &HttpRoute) -> Vec<(String, String, IntOrString, Routing)> {
    let namespace = route.metadata.namespace.clone().unwrap_or_default();
    let name = route.metadata.name.clone().unwrap_or_default();
    let host = route.spec.hostnames.as_ref().and_then(|h| h.first().cloned());
    let mut out = Vec::new();
    for rule in &route.spec.rules {
        let path = rule.matches.first().map_or_else(|| "/".to_owned(), |m| m.path.value.clone());
        for backend in &rule.backend_refs {
            let routing =
                Routing { kind: "HTTPRoute".to_owned(), name: name.clone(), host: host.clone(), path: path.clone() };
            out.push((namespace.clone(), backend.name.clone(), IntOrString::Int(backend.port), routing));
        }
    }
    out
}
