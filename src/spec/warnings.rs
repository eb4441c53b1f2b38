//! Advice on settings that work but leave a cluster open or misleading: a
//! person should see these on stderr (the chart prints the same in NOTES).

use crate::registry::{Access, Audience};
use crate::spec::crd::TrafficPolicy;
use crate::spec::{Cluster, ClusterRole, ServiceType};

/// Settings that make the daemon ask clients for credentials: spec.auth's
/// LDAP, or extra flags for LDAP or Kerberos.
fn authenticates_clients(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> bool {
    cluster.ldap.is_some()
        || cluster.kerberos.is_some()
        || role.extra_flags.get("enable_ldap_auth").is_some_and(|v| v == "true")
        || role.extra_flags.contains_key("principal")
}

/// Settings that encrypt the client ports: spec.tls.clients, or an extra flag.
fn encrypts_clients(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> bool {
    cluster.tls.as_ref().is_some_and(|t| t.clients) || role.extra_flags.contains_key("ssl_server_certificate")
}

/// Settings that put the web UI behind HTTPS: spec.tls.webUi, or an extra flag.
fn encrypts_web_ui(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> bool {
    cluster.tls.as_ref().is_some_and(|t| t.web_ui) || role.extra_flags.contains_key("webserver_certificate_file")
}

/// Settings that put the web UI behind a login: spec.auth.webUi, or extra flags.
fn authenticates_web_ui(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> bool {
    let on = |flag: &str| role.extra_flags.get(flag).is_some_and(|v| v == "true");
    cluster.web_ui_auth.is_some()
        || role.extra_flags.contains_key("webserver_password_file")
        || on("webserver_require_spnego")
        || on("webserver_require_ldap")
}

/// The warnings for a resolved cluster, in a stable order.
pub fn warnings(cluster: &Cluster<'_>) -> Vec<String> {
    let mut warnings = Vec::new();
    if cluster.placeholder_image {
        let image = &cluster.registry.image;
        warnings.push(format!(
            "profile {} has no public image: the manifests use the placeholder {}:{}-<role>, which never resolves; pass --image-repository and --tag (spec.image) to use your own images",
            cluster.registry.profile, image.repository, cluster.version
        ));
    }
    let exposed = cluster
        .roles
        .iter()
        .filter(|r| r.service.type_ != ServiceType::ClusterIP && r.ports_with(Access::External).next().is_some());
    for role in exposed {
        let service = cluster.external_service_name(role.name());
        let type_ = role.service.type_;
        let Some(np) = &cluster.network_policy else {
            warnings.push(format!(
                "the {type_} Service {service} exposes role '{}' outside the cluster while NetworkPolicies are off: nothing limits who reaches its pods, internal ports included; enable spec.networkPolicy (and set clientSources)",
                role.name()
            ));
            continue;
        };
        let sources = |audience: Audience| match audience {
            Audience::Clients => (&np.client_sources, "clientSources"),
            Audience::Administrators => (&np.web_ui_sources, "webUiSources"),
        };
        // Open to any address: no sources (or a /0 block), and no load balancer source ranges.
        let balancer_open = type_ == ServiceType::NodePort
            || role.service.load_balancer_source_ranges.iter().all(|r| r.ends_with("/0"));
        // Each port open to any address, with what an exposed port needs and it lacks.
        let open: Vec<String> = role
            .ports_with(Access::External)
            .filter_map(|p| {
                let audience = p.audience?;
                let anyone = sources(audience).0.as_ref().is_none_or(|peers| {
                    peers.iter().any(|peer| peer.ip_block.as_ref().is_some_and(|b| b.cidr.ends_with("/0")))
                });
                let (authenticated, encrypted) = match audience {
                    Audience::Clients => (authenticates_clients(cluster, role), encrypts_clients(cluster, role)),
                    Audience::Administrators => (authenticates_web_ui(cluster, role), encrypts_web_ui(cluster, role)),
                };
                let missing: Vec<&str> =
                    [(!authenticated).then_some("no authentication"), (!encrypted).then_some("no TLS")]
                        .into_iter()
                        .flatten()
                        .collect();
                (anyone && balancer_open && !missing.is_empty())
                    .then(|| format!("{} {} ({})", p.name(), p.number, missing.join(", ")))
            })
            .collect();
        if !open.is_empty() {
            warnings.push(format!(
                "the {type_} Service {service} lets any address reach role '{}' on {}: restrict spec.networkPolicy.clientSources and webUiSources (or spec.roles.{}.service.loadBalancerSourceRanges), or turn on what is missing (TLS: spec.tls; authentication: spec.auth.ldap or spec.auth.kerberos, and spec.auth.webUi for the web UI)",
                role.name(),
                open.join(", "),
                role.name()
            ));
        }
        // An ipBlock source behind a Service that may replace client addresses with node addresses.
        let by_address = role.ports_with(Access::External).find_map(|p| {
            let (peers, field) = sources(p.audience?);
            peers.iter().flatten().any(|s| s.ip_block.is_some()).then_some(field)
        });
        if let (Some(field), false) = (by_address, role.service.external_traffic_policy == Some(TrafficPolicy::Local)) {
            warnings.push(format!(
                "the {type_} Service {service} has externalTrafficPolicy Cluster, which may replace a client's address with a node's, so the ipBlock entries of spec.networkPolicy.{field} may not match its clients; set spec.roles.{}.service.externalTrafficPolicy: Local",
                role.name()
            ));
        }
    }
    warnings.extend(https_backends(cluster));
    warnings
}

/// Routed ports whose daemon speaks HTTPS: the controller must connect over HTTPS.
fn https_backends(cluster: &Cluster<'_>) -> Option<String> {
    let http = cluster.http.as_ref()?;
    let https: Vec<String> = http
        .routes
        .iter()
        .filter(|r| {
            let Some(role) = cluster.roles.iter().find(|c| c.name() == &r.role) else { return false };
            let port = role.port(&r.port).map(|p| p.entry.audience.unwrap_or_default());
            match port {
                Some(Audience::Clients) => encrypts_clients(cluster, role),
                Some(Audience::Administrators) => encrypts_web_ui(cluster, role),
                None => false,
            }
        })
        .map(|r| format!("{} of {}", r.port, r.service))
        .collect();
    let how = match http.kind {
        super::http::HttpKind::Ingress => "with your controller's setting (ingress-nginx: the annotation nginx.ingress.kubernetes.io/backend-protocol: HTTPS in spec.http.annotations)",
        super::http::HttpKind::HttpRoute => "with a Gateway API BackendTLSPolicy for each of these Services, naming the CA that signed the daemons' certificate",
    };
    (!https.is_empty()).then(|| {
        format!(
            "the routed ports {} speak HTTPS (spec.tls): have the controller connect to them over HTTPS, {how}",
            https.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load::from_yaml;

    fn warnings_of(spec: &str) -> Vec<String> {
        let text =
            format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {{name: x}}\nspec:\n{spec}");
        warnings(&from_yaml("w.yaml", &text).unwrap().resolve().unwrap())
    }

    #[test]
    fn routes_to_https_ports_say_how_to_connect() {
        let http = "  http: {enabled: true, sources: [{namespaceSelector: {matchLabels: {a: b}}}], endpoints: [{role: coordinator, port: hs2-http}, {role: catalogd, port: webui, host: c.example.com}]}\n";
        assert!(warnings_of(http).is_empty(), "plain HTTP: nothing to say");
        let w = warnings_of(&format!("{http}  tls: {{clients: true, secretName: t}}\n"));
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(w[0].starts_with("the routed ports hs2-http of x-coordinator speak HTTPS (spec.tls)"), "{}", w[0]);
        assert!(w[0].contains("nginx.ingress.kubernetes.io/backend-protocol: HTTPS"), "{}", w[0]);
    }

    #[test]
    fn a_cluster_ip_release_gets_none() {
        assert!(warnings_of("  serviceType: ClusterIP\n").is_empty());
    }

    #[test]
    fn unauthenticated_exposure_to_any_address() {
        // The cluster's Service type is for the client endpoints; web UIs stay inside.
        let w = warnings_of("  serviceType: LoadBalancer\n");
        assert_eq!(w.len(), 1, "the coordinators alone: {w:#?}");
        assert!(w[0].contains("x-coordinator lets any address reach role 'coordinator' on beeswax 21000 (no authentication, no TLS), hs2 21050 (no authentication, no TLS), hs2-http 28000 (no authentication, no TLS):"), "{}", w[0]);
        let exposed = "  roles:\n    catalogd: {service: {type: LoadBalancer}, access: {webui: external}}\n";
        let w = warnings_of(&format!("  serviceType: LoadBalancer\n{exposed}"));
        assert!(
            w.iter().any(|w| w.contains("reach role 'catalogd' on webui 25020 (no authentication, no TLS)")),
            "{w:#?}"
        );
        let ldap = "    coordinator:\n      extraFlags: {enable_ldap_auth: \"true\", webserver_password_file: /etc/web/p}\n      extraVolumes: [{name: web, secret: {secretName: web}}]\n      extraVolumeMounts: [{name: web, mountPath: /etc/web}]\n";
        let w = warnings_of(&format!("  serviceType: LoadBalancer\n  roles:\n{ldap}"));
        let coordinator = w.iter().find(|w| w.contains("role 'coordinator'")).unwrap();
        assert!(
            coordinator.contains("hs2 21050 (no TLS)") && !coordinator.contains("no authentication"),
            "{coordinator}"
        );
        // Authentication and TLS from the spec: silent.
        let secured = "  tls: {clients: true, webUi: true, secretName: t}\n  auth:\n    ldap: {uri: 'ldaps://l', domain: corp}\n    webUi: {ldap: true}\n";
        assert!(warnings_of(&format!("  serviceType: LoadBalancer\n{secured}")).is_empty());
        let sources = "  networkPolicy:\n    clientSources: [{namespaceSelector: {matchLabels: {team: bi}}}]\n  roles:\n    coordinator: {access: {webui: external}}\n";
        let w = warnings_of(&format!("  serviceType: NodePort\n{sources}"));
        assert!(
            w.iter().any(|w| w.contains("reach role 'coordinator' on webui 25000 (no authentication, no TLS)")),
            "the web UI stays open: {w:#?}"
        );
        let everyone = "  networkPolicy:\n    clientSources: [{ipBlock: {cidr: 0.0.0.0/0}}]\n";
        let w = warnings_of(&format!("  serviceType: NodePort\n{everyone}"));
        assert!(w.iter().any(|w| w.contains("hs2 21050")), "0.0.0.0/0 is any address: {w:#?}");
    }

    #[test]
    fn load_balancer_source_ranges_restrict() {
        let spec = "  serviceType: ClusterIP\n  roles:\n    coordinator:\n      service: {type: LoadBalancer, loadBalancerSourceRanges: [10.0.0.0/8]}\n";
        assert!(warnings_of(spec).is_empty());
    }

    #[test]
    fn network_policies_off_and_ip_blocks() {
        let w = warnings_of("  serviceType: NodePort\n  networkPolicy: {enabled: false}\n");
        assert!(w.iter().all(|w| w.contains("while NetworkPolicies are off")) && w.len() == 1, "{w:#?}");
        let spec = "  serviceType: ClusterIP\n  networkPolicy:\n    clientSources: [{ipBlock: {cidr: 10.0.0.0/8}}]\n  roles:\n    coordinator:\n      service: {type: LoadBalancer}\n";
        let w = warnings_of(spec);
        assert_eq!(w.len(), 1, "the web UI stays inside: {w:#?}");
        assert!(w[0].contains("externalTrafficPolicy Cluster") && w[0].contains("clientSources"), "{}", w[0]);
        let w = warnings_of(&format!("{spec}      access: {{webui: external}}\n"));
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w[0].contains("on webui 25000 (no authentication, no TLS)"), "{}", w[0]);
    }
}
