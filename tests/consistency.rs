//! Every registry port appears consistently as daemon flag, containerPort,
//! Service port (on the right kind of Service) and NetworkPolicy rule, and
//! nowhere else, for both profiles, every service type and admissiond on/off.
//!
//! The objects are read back from the YAML the tool prints, so serialization
//! is covered too.

use std::collections::{BTreeMap, BTreeSet};

use impala_k8s::builders::Object;
use impala_k8s::registry::{Access, Audience, ConfigStyle, Profile, Registry};
use impala_k8s::spec::{ClusterSpec, ServiceType};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Container, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;

#[derive(Default)]
struct Parsed {
    statefulsets: BTreeMap<String, StatefulSet>,
    services: BTreeMap<String, Service>,
    policies: BTreeMap<String, NetworkPolicy>,
    config_maps: BTreeMap<String, ConfigMap>,
    budgets: BTreeMap<String, PodDisruptionBudget>,
    monitors: Vec<impala_k8s::builders::monitoring::Monitor>,
}

fn parse(yaml: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for doc in serde_yaml::Deserializer::from_str(yaml) {
        let value = serde_json::Value::deserialize(doc).unwrap();
        let name = value["metadata"]["name"].as_str().unwrap().to_owned();
        let kind = value["kind"].as_str().unwrap();
        // JSON is YAML: the object's own reader takes it.
        let object =
            Object::parse(kind, &value.to_string()).unwrap_or_else(|| panic!("unexpected kind {kind}")).unwrap();
        match object {
            Object::StatefulSet(o) => drop(parsed.statefulsets.insert(name, *o)),
            Object::Service(o) => drop(parsed.services.insert(name, o)),
            Object::NetworkPolicy(o) => drop(parsed.policies.insert(name, o)),
            Object::ConfigMap(o) => drop(parsed.config_maps.insert(name, o)),
            Object::PodDisruptionBudget(o) => drop(parsed.budgets.insert(name, o)),
            Object::PodMonitor(o) | Object::ServiceMonitor(o) => parsed.monitors.push(o),
            Object::Namespace(_)
            | Object::ServiceAccount(_)
            | Object::PersistentVolumeClaim(_)
            | Object::Certificate(_)
            | Object::HorizontalPodAutoscaler(_)
            | Object::ScaledObject(_)
            | Object::Ingress(_)
            | Object::HttpRoute(_) => {}
        }
    }
    parsed
}

fn container(sts: &StatefulSet) -> &Container {
    let containers = &sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap().containers;
    assert_eq!(containers.len(), 1);
    &containers[0]
}

fn component(labels: &BTreeMap<String, String>) -> &str {
    &labels["app.kubernetes.io/component"]
}

fn request(profile: Profile, service_type: ServiceType, enable: &[&str]) -> ClusterSpec {
    request_of(profile, None, service_type, enable)
}

/// A request for one release of the profile (its default for `None`); Llama's
/// releases get a ResourceManager.
fn request_of(profile: Profile, release: Option<&str>, service_type: ServiceType, enable: &[&str]) -> ClusterSpec {
    let mut spec = ClusterSpec { release: "rel".into(), ..Default::default() };
    spec.spec.profile = Some(profile);
    spec.spec.cdh_release = release.map(str::to_owned);
    if profile.registry_for(release).unwrap().role("llama").is_some() {
        spec.spec.yarn_resource_manager = Some("rm.hadoop".into());
    }
    spec.spec.service_type = Some(service_type);
    for role in enable {
        spec.spec.roles.entry(role.to_string()).or_default().enabled = Some(true);
    }
    spec
}

/// Checks every port of every running role; `overrides` are (role, port, number).
fn check(profile: Profile, service_type: ServiceType, enable: &[&str], overrides: &[(&str, &str, i64)]) {
    check_release(profile, None, service_type, enable, overrides);
}

/// [`check`] for one release of the profile.
fn check_release(
    profile: Profile,
    release: Option<&str>,
    service_type: ServiceType,
    enable: &[&str],
    overrides: &[(&str, &str, i64)],
) {
    let mut spec = request_of(profile, release, service_type, enable);
    for &(role, port, number) in overrides {
        spec.spec.roles.entry(role.to_owned()).or_default().ports.insert(port.to_owned(), number);
    }
    let number_of = |role: &str, port: &str, default: u16| {
        overrides.iter().find(|o| o.0 == role && o.1 == port).map_or(i32::from(default), |o| o.2 as i32)
    };
    let yaml = impala_k8s::render(&spec).unwrap().manifests.to_yaml();
    let out = parse(&yaml);
    let registry: &Registry = profile.registry_for(release).unwrap();
    let running: BTreeSet<&str> = registry
        .roles
        .iter()
        .filter(|r| !r.optional || enable.contains(&r.name.as_str()))
        .map(|r| r.name.as_str())
        .collect();
    let case = format!("{profile} {release:?} {service_type} {enable:?}");
    assert_eq!(out.statefulsets.len(), running.len(), "{case}: one workload per running role");

    for role in registry.roles.iter().filter(|r| running.contains(r.name.as_str())) {
        let r = role.name.as_str();
        let sts = &out.statefulsets[&format!("rel-{r}")];
        // A budget for every role with more than one pod; scalable roles spread over nodes.
        let replicas = sts.spec.as_ref().unwrap().replicas.unwrap();
        let budget = out.budgets.get(&format!("rel-{r}"));
        assert_eq!(
            budget.is_some(),
            replicas > 1,
            "{case}: {r}: a PodDisruptionBudget exactly when it runs {replicas} > 1 pods"
        );
        if let Some(budget) = budget {
            let spec = budget.spec.as_ref().unwrap();
            assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
            assert_eq!(spec.selector, Some(sts.spec.as_ref().unwrap().selector.clone()));
        }
        let spread = &sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap().topology_spread_constraints;
        assert_eq!(spread.is_some(), !role.is_singleton(), "{case}: {r}: topology spread for scalable roles");
        let c = container(sts);
        let args: BTreeSet<&str> = c.args.iter().flatten().map(String::as_str).collect();
        let container_ports: BTreeMap<&str, i32> =
            c.ports.iter().flatten().map(|p| (p.name.as_deref().unwrap(), p.container_port)).collect();
        // Ports with a condition (the metrics webserver, with web UI logins) exist only then.
        let ports: Vec<_> = registry.ports.iter().filter(|p| p.role == role.name && p.when.is_none()).collect();
        assert_eq!(container_ports.len(), ports.len(), "{case}: {r} has exactly its registry ports");
        let policy = &out.policies[&format!("rel-{r}-ingress")];
        let rules = policy.spec.as_ref().unwrap().ingress.clone().unwrap_or_default();
        assert_eq!(
            component(policy.spec.as_ref().unwrap().pod_selector.as_ref().unwrap().match_labels.as_ref().unwrap()),
            r
        );

        for port in &ports {
            let n = number_of(r, port.name.as_str(), port.number.get());
            let what = format!("{case}: {r} port {} ({n})", port.name);
            // containerPort
            assert_eq!(container_ports.get(port.name.as_str()), Some(&n), "{what}: containerPort");
            // daemon flag
            match role.config {
                ConfigStyle::Gflags => {
                    assert!(args.contains(format!("-{}={n}", port.flag).as_str()), "{what}: flag in {args:?}")
                }
                ConfigStyle::LlamaSite => {
                    let site = &out.config_maps[&format!("rel-{r}-config")].data.as_ref().unwrap()["llama-site.xml"];
                    assert!(
                        site.contains(&format!("<name>{}</name>\n    <value>0.0.0.0:{n}</value>", port.flag)),
                        "{what}: llama-site"
                    );
                }
                ConfigStyle::HiveSite => {
                    let site = &out.config_maps[&format!("rel-{r}-config")].data.as_ref().unwrap()["hive-site.xml"];
                    assert!(
                        site.contains(&format!("<name>{}</name>\n    <value>{n}</value>", port.flag)),
                        "{what}: hive-site"
                    );
                }
            }
            // Service port on the right Service: the cluster's type is for client
            // endpoints, and a web UI stays on the cluster-local Service of a role
            // whose Service leaves the cluster.
            let serves_clients = ports
                .iter()
                .any(|p| p.access == Access::External && p.audience.unwrap_or_default() == Audience::Clients);
            let role_type = if serves_clients { service_type } else { ServiceType::ClusterIP };
            let placed = match (port.access, port.audience.unwrap_or_default()) {
                (Access::External, Audience::Administrators) if role_type != ServiceType::ClusterIP => Access::Internal,
                (access, _) => access,
            };
            let service_name = match placed {
                Access::Internal => format!("rel-{r}-internal"),
                Access::External => format!("rel-{r}"),
            };
            let service =
                out.services.get(&service_name).unwrap_or_else(|| panic!("{what}: no Service {service_name}"));
            let sspec = service.spec.as_ref().unwrap();
            let sp = sspec
                .ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref() == Some(port.name.as_str()))
                .unwrap_or_else(|| panic!("{what}: not on {service_name}"));
            assert_eq!(sp.port, n, "{what}: Service port");
            assert_eq!(sp.target_port, Some(IntOrString::String(port.name.to_string())), "{what}: targetPort by name");
            let expected_type = match placed {
                Access::Internal => "ClusterIP",
                Access::External => role_type.as_str(),
            };
            assert_eq!(sspec.type_.as_deref(), Some(expected_type), "{what}: Service type");
            if placed == Access::Internal {
                assert_eq!(
                    sspec.cluster_ip.as_deref() == Some("None"),
                    !role.is_singleton(),
                    "{what}: headless for scalable roles"
                );
            }
            // NetworkPolicy rule
            let rule = rules
                .iter()
                .find(|rule| rule.ports.iter().flatten().any(|p| p.port == Some(IntOrString::Int(n))))
                .unwrap_or_else(|| panic!("{what}: no NetworkPolicy rule"));
            match port.access {
                Access::External => assert!(rule.from.is_none(), "{what}: external ports are open to all"),
                Access::Internal => {
                    let from: BTreeSet<&str> = rule
                        .from
                        .iter()
                        .flatten()
                        .map(|peer| {
                            assert!(
                                peer.namespace_selector.is_none() && peer.ip_block.is_none(),
                                "{what}: same-namespace pods only"
                            );
                            let labels = peer.pod_selector.as_ref().unwrap().match_labels.as_ref().unwrap();
                            assert_eq!(labels["app.kubernetes.io/instance"], "rel");
                            component(labels)
                        })
                        .collect();
                    let peers: BTreeSet<&str> =
                        port.peers.iter().map(|p| p.as_str()).filter(|p| running.contains(p)).collect();
                    assert_eq!(from, peers, "{what}: reachable from exactly its running peers");
                }
            }
            // Client flags on every running peer
            if let Some(client) = &port.client_flags {
                for peer in port.peers.iter().filter(|p| running.contains(p.as_str())) {
                    let peer_args = &container(&out.statefulsets[&format!("rel-{peer}")]).args;
                    let peer_args: BTreeSet<&str> = peer_args.iter().flatten().map(String::as_str).collect();
                    assert!(
                        peer_args.contains(format!("-{}=rel-{r}-internal", client.host).as_str()),
                        "{what}: {peer} finds the host"
                    );
                    assert!(
                        peer_args.contains(format!("-{}={n}", client.port).as_str()),
                        "{what}: {peer} finds the port"
                    );
                }
            }
        }
        assert_eq!(
            rules.len(),
            ports
                .iter()
                .filter(|p| p.access == Access::External || p.peers.iter().any(|q| running.contains(q.as_str())))
                .count(),
            "{case}: {r}: one rule per reachable port, no stray rule"
        );
        // The probes target the web UI port by name.
        for probe in [&c.readiness_probe, &c.liveness_probe, &c.startup_probe] {
            let probe = probe.as_ref().unwrap();
            match (&role.probe.http_path, &probe.http_get) {
                (Some(path), Some(get)) => assert_eq!(get.path.as_ref(), Some(path), "{case}: {r} probe path"),
                (None, None) => assert!(probe.tcp_socket.is_some(), "{case}: {r} TCP probe"),
                _ => panic!("{case}: {r}: GET /healthz exactly where the registry says the daemon serves it"),
            }
            let port = probe.http_get.as_ref().map(|h| &h.port).or(probe.tcp_socket.as_ref().map(|t| &t.port)).unwrap();
            assert_eq!(port, &IntOrString::String(role.probe.port.to_string()), "{case}: {r} probe");
        }
    }

    // No internal port on a NodePort or LoadBalancer Service; every Service
    // port targets a named container port of the pods it selects.
    for (name, service) in &out.services {
        let sspec = service.spec.as_ref().unwrap();
        let role = component(sspec.selector.as_ref().unwrap());
        let exposed = sspec.type_.as_deref() != Some("ClusterIP");
        for sp in sspec.ports.iter().flatten() {
            let port = registry
                .ports
                .iter()
                .find(|p| p.role.as_str() == role && Some(p.name.as_str()) == sp.name.as_deref())
                .unwrap_or_else(|| panic!("{case}: {name} has a port the registry lacks"));
            if exposed {
                assert_eq!(
                    port.access,
                    Access::External,
                    "{case}: internal port {} on {} Service {name}",
                    port.name,
                    sspec.type_.as_deref().unwrap()
                );
            }
        }
    }
}

#[test]
fn every_port_is_consistent_everywhere() {
    for profile in Profile::ALL {
        for service_type in [ServiceType::ClusterIP, ServiceType::NodePort, ServiceType::LoadBalancer] {
            check(profile, service_type, &[], &[]);
        }
    }
    for service_type in [ServiceType::ClusterIP, ServiceType::NodePort, ServiceType::LoadBalancer] {
        check(Profile::Impala4, service_type, &["admissiond", "metastore"], &[]);
    }
    // Llama (up to 5.10), neither (5.11 to 5.14), KRPC (5.15 on).
    for release in ["5.0", "5.4", "5.10", "5.11", "5.14", "5.15", "5.16"] {
        check_release(Profile::Cdh5, Some(release), ServiceType::NodePort, &[], &[]);
    }
}

#[test]
fn port_overrides_move_every_place_together() {
    // A client port, a peer port with client flags, a port reached pod to pod, a web UI (the probes' port).
    let impala4 = [
        ("coordinator", "hs2", 31050),
        ("statestored", "statestore", 24555),
        ("executor", "krpc", 27111),
        ("catalogd", "webui", 25222),
        ("admissiond", "admission", 29555),
        ("metastore", "metastore", 9183),
    ];
    check(Profile::Impala4, ServiceType::LoadBalancer, &["admissiond", "metastore"], &impala4);
    let cdh5 = [("llama", "llama", 15555), ("impalad", "backend", 22111), ("catalogd", "catalog", 26111)];
    check_release(Profile::Cdh5, Some("5.4"), ServiceType::NodePort, &[], &cdh5);
    let cdh5_16 = [("impalad", "krpc", 27111), ("impalad", "hs2", 31050)];
    check_release(Profile::Cdh5, Some("5.16"), ServiceType::NodePort, &[], &cdh5_16);
}

fn walk(path: &str, value: &serde_json::Value, problems: &mut Vec<String>) {
    match value {
        serde_json::Value::Null => problems.push(format!("{path}: null")),
        serde_json::Value::Object(map) => {
            if map.is_empty() {
                problems.push(format!("{path}: empty map"));
            }
            for (k, v) in map {
                if k == "status" || k == "creationTimestamp" {
                    problems.push(format!("{path}.{k}"));
                }
                walk(&format!("{path}.{k}"), v, problems);
            }
        }
        serde_json::Value::Array(items) => {
            if items.is_empty() {
                problems.push(format!("{path}: empty list"));
            }
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), v, problems);
            }
        }
        _ => {}
    }
}

#[test]
fn no_nulls_empty_values_or_status() {
    for profile in Profile::ALL {
        for enable in [&[][..], &["admissiond", "metastore"][..]] {
            if profile == Profile::Cdh5 && !enable.is_empty() {
                continue;
            }
            let spec = request_of(profile, (profile == Profile::Cdh5).then_some("5.4"), ServiceType::ClusterIP, enable);
            let yaml = impala_k8s::render(&spec).unwrap().manifests.to_yaml();
            let mut problems = Vec::new();
            for (i, doc) in serde_yaml::Deserializer::from_str(&yaml).enumerate() {
                walk(&format!("doc[{i}]"), &serde_json::Value::deserialize(doc).unwrap(), &mut problems);
            }
            assert!(problems.is_empty(), "{profile}: {problems:?}");
        }
    }
}

/// Every role that drains gets its flags, a preStop hook that signals PID 1
/// and a termination grace period past its deadline; the others get none.
fn check_drain(profile: Profile, drains: &[(&str, u32, u32)]) {
    let mut spec = request(profile, ServiceType::ClusterIP, &[]);
    for &(role, grace, deadline) in drains {
        let d = spec.spec.roles.entry(role.to_owned()).or_default().drain.get_or_insert_with(Default::default);
        d.grace_period_seconds = Some(grace);
        d.deadline_seconds = Some(deadline);
    }
    let out = parse(&impala_k8s::render(&spec).unwrap().manifests.to_yaml());
    let registry = profile.registry();
    for sts in out.statefulsets.values() {
        let pod = sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        let c = container(sts);
        let role = registry.role(&c.name).unwrap();
        let args = c.args.clone().unwrap_or_default();
        match &role.drain {
            None => {
                assert!(c.lifecycle.is_none() && pod.termination_grace_period_seconds.is_none(), "{}", c.name);
                assert!(!args.iter().any(|a| a.starts_with("-shutdown_")), "{}", c.name);
            }
            Some(d) => {
                let (grace, deadline) = drains
                    .iter()
                    .find(|x| x.0 == c.name)
                    .map_or((d.grace_period_seconds, d.deadline_seconds), |x| (x.1, x.2));
                assert!(args.contains(&format!("-{}={grace}", d.grace_period_flag)), "{args:?}");
                assert!(args.contains(&format!("-{}={deadline}", d.deadline_flag)), "{args:?}");
                let hook = c.lifecycle.as_ref().unwrap().pre_stop.as_ref().unwrap();
                let command = hook.exec.as_ref().unwrap().command.as_ref().unwrap().join(" ");
                assert!(command.contains(&format!("kill -s {} 1", d.signal)), "{command}");
                assert_eq!(pod.termination_grace_period_seconds, Some(i64::from(deadline) + 30));
            }
        }
    }
}

#[test]
fn draining_roles_get_time_to_drain() {
    let drains = Profile::Impala4.registry().roles.iter().filter(|r| r.drain.is_some()).count();
    assert_eq!(drains, 2, "coordinators and executors drain");
    check_drain(Profile::Impala4, &[]);
    check_drain(Profile::Impala4, &[("executor", 60, 3600), ("coordinator", 0, 120)]);
    check_drain(Profile::Cdh5, &[]);
}

/// The pairs (issue 13): the statestoreds' HA port is set once and appears as
/// the flag and peer port of both statestoreds, their containerPort, the
/// internal Service's port and a NetworkPolicy rule open to statestoreds alone;
/// every subscriber finds both statestoreds; the catalogd pair runs two pods.
fn check_pairs(ha_port: Option<i64>, statestore_port: Option<i64>) {
    let mut spec = request(Profile::Impala4, ServiceType::LoadBalancer, &["admissiond"]);
    for role in ["statestored", "catalogd"] {
        spec.spec.roles.entry(role.into()).or_default().ha =
            Some(impala_k8s::spec::crd::HaSpec { enabled: Some(true), ..Default::default() });
    }
    let statestored = spec.spec.roles.entry("statestored".into()).or_default();
    for (port, number) in [("ha", ha_port), ("statestore", statestore_port)] {
        if let Some(n) = number {
            statestored.ports.insert(port.into(), n);
        }
    }
    let (ha, statestore) = (ha_port.unwrap_or(24020), statestore_port.unwrap_or(24000));
    let case = format!("pairs, ha {ha}, statestore {statestore}");
    let out = parse(&impala_k8s::render(&spec).unwrap().manifests.to_yaml());
    let args =
        |sts: &str| -> BTreeSet<String> { container(&out.statefulsets[sts]).args.iter().flatten().cloned().collect() };
    let pod = |i: u8| format!("rel-statestored-{i}-0.rel-statestored-internal.impala.svc");
    for (own, peer) in [(1, 2), (2, 1)] {
        let sts = format!("rel-statestored-{own}");
        let a = args(&sts);
        for flag in [
            format!("-state_store_ha_port={ha}"),
            format!("-state_store_peer_ha_port={ha}"),
            format!("-state_store_peer_host={}", pod(peer)),
            "-enable_statestored_ha=true".to_owned(),
            "-enable_catalogd_ha=true".to_owned(),
        ] {
            assert!(a.contains(&flag), "{case}: {sts}: {flag} in {a:?}");
        }
        let c = container(&out.statefulsets[&sts]);
        assert!(c.ports.iter().flatten().any(|p| p.name.as_deref() == Some("ha") && i64::from(p.container_port) == ha));
        assert_eq!(out.statefulsets[&sts].spec.as_ref().unwrap().replicas, Some(1), "{case}: one pod each");
    }
    let internal = out.services["rel-statestored-internal"].spec.as_ref().unwrap();
    assert_eq!(internal.cluster_ip.as_deref(), Some("None"), "{case}: pods have DNS names");
    assert!(internal.ports.iter().flatten().any(|p| p.name.as_deref() == Some("ha") && i64::from(p.port) == ha));
    let external = out.services["rel-statestored"].spec.as_ref().unwrap();
    assert!(!external.ports.iter().flatten().any(|p| p.name.as_deref() == Some("ha")), "{case}: never exposed");
    let rules = out.policies["rel-statestored-ingress"].spec.as_ref().unwrap().ingress.clone().unwrap();
    let rule = rules
        .iter()
        .find(|r| r.ports.iter().flatten().any(|p| p.port == Some(IntOrString::Int(ha as i32))))
        .unwrap_or_else(|| panic!("{case}: no rule for {ha}"));
    assert_eq!(rule.ports.as_ref().unwrap().len(), 1, "{case}: the HA port alone");
    let from: Vec<&str> = rule
        .from
        .iter()
        .flatten()
        .map(|p| component(p.pod_selector.as_ref().unwrap().match_labels.as_ref().unwrap()))
        .collect();
    assert_eq!(from, ["statestored"], "{case}: only between the statestoreds");
    for subscriber in ["coordinator", "executor", "catalogd", "admissiond"] {
        let a = args(&format!("rel-{subscriber}"));
        for flag in [
            format!("-state_store_host={}", pod(1)),
            format!("-state_store_port={statestore}"),
            format!("-state_store_2_host={}", pod(2)),
            format!("-state_store_2_port={statestore}"),
            "-enable_statestored_ha=true".to_owned(),
        ] {
            assert!(a.contains(&flag), "{case}: {subscriber}: {flag}");
        }
        assert!(!a.iter().any(|f| f.starts_with("-state_store_ha_port")), "{case}: {subscriber} has no HA port");
    }
    assert_eq!(out.statefulsets["rel-catalogd"].spec.as_ref().unwrap().replicas, Some(2), "{case}: catalogd pair");
    assert!(args("rel-catalogd").contains("-enable_catalogd_ha=true"));
    assert!(!args("rel-coordinator").iter().any(|f| f.starts_with("-enable_catalogd_ha")), "coordinators follow");
    for role in ["statestored", "catalogd"] {
        let budget = out.budgets[&format!("rel-{role}")].spec.clone().unwrap();
        assert_eq!(budget.max_unavailable, Some(IntOrString::Int(1)), "{case}: {role}: one of the pair at a time");
    }
}

#[test]
fn the_pairs_are_consistent_everywhere() {
    check_pairs(None, None);
    check_pairs(Some(24025), Some(24010));
}

/// Executor groups (issue 13): each group is a StatefulSet of executors with
/// every executor port, its group flag and its own size; one headless Service
/// and one NetworkPolicy cover every group; the coordinators expect the group
/// sets (or, with a default group, its size).
fn check_groups(groups: &[(&str, u32)], pools: &[&str], expected: (&str, &str)) {
    let mut spec = request(Profile::Impala4, ServiceType::ClusterIP, &[]);
    spec.spec.admission.pools = pools
        .iter()
        .map(|p| impala_k8s::spec::admission::PoolSpec { name: (*p).to_owned(), ..Default::default() })
        .collect();
    spec.spec.executor_groups = groups
        .iter()
        .map(|&(name, replicas)| impala_k8s::spec::crd::ExecutorGroupSpec {
            name: name.to_owned(),
            replicas: Some(replicas),
            ..Default::default()
        })
        .collect();
    let case = format!("groups {groups:?}");
    let out = parse(&impala_k8s::render(&spec).unwrap().manifests.to_yaml());
    let registry = Profile::Impala4.registry();
    let executor_ports: BTreeMap<&str, i32> = registry
        .ports
        .iter()
        .filter(|p| p.role.as_str() == "executor" && p.when.is_none())
        .map(|p| (p.name.as_str(), i32::from(p.number.get())))
        .collect();
    assert!(!out.statefulsets.contains_key("rel-executor"), "{case}: the groups replace the one StatefulSet");
    for &(name, replicas) in groups {
        let sts = &out.statefulsets[&format!("rel-executor-{name}")];
        let spec = sts.spec.as_ref().unwrap();
        assert_eq!(spec.replicas, Some(replicas as i32), "{case}: {name}");
        let c = container(sts);
        let ports: BTreeMap<&str, i32> =
            c.ports.iter().flatten().map(|p| (p.name.as_deref().unwrap(), p.container_port)).collect();
        assert_eq!(ports, executor_ports, "{case}: {name} has every executor port");
        let impala = if name == "default" { "default".to_owned() } else { format!("root.{name}") };
        let args: BTreeSet<&str> = c.args.iter().flatten().map(String::as_str).collect();
        assert!(args.contains(format!("-executor_groups={impala}:1").as_str()), "{case}: {name}: {args:?}");
        for port in executor_ports.values() {
            assert!(args.iter().any(|a| a.ends_with(&format!("={port}"))), "{case}: {name}: flag of {port}");
        }
        assert_eq!(out.budgets.contains_key(&format!("rel-executor-{name}")), replicas > 1, "{case}: {name} budget");
        assert_eq!(spec.service_name.as_deref(), Some("rel-executor-internal"), "{case}: one headless Service");
    }
    assert!(!out.budgets.contains_key("rel-executor"), "{case}: budgets per group");
    let policy = out.policies["rel-executor-ingress"].spec.as_ref().unwrap();
    let selector = policy.pod_selector.as_ref().unwrap().match_labels.as_ref().unwrap();
    assert_eq!(component(selector), "executor");
    assert!(!selector.contains_key("impala-k8s.dev/workload"), "{case}: one policy for every group");
    let coordinator: BTreeSet<String> =
        container(&out.statefulsets["rel-coordinator"]).args.iter().flatten().cloned().collect();
    assert!(coordinator.contains(&format!("-{}={}", expected.0, expected.1)), "{case}: {coordinator:?}");
}

#[test]
fn executor_groups_are_consistent_everywhere() {
    check_groups(
        &[("etl-large", 4), ("adhoc-small", 2), ("default", 1)],
        &["etl", "adhoc"],
        ("num_expected_executors", "1"),
    );
    check_groups(
        &[("etl-a", 3), ("etl-b", 5), ("default-x", 1)],
        &["etl"],
        ("expected_executor_group_sets", "root.default:1,root.etl:5"),
    );
    check_groups(&[("default", 6)], &[], ("num_expected_executors", "6"));
}

/// An autoscaled group's StatefulSet has no replicas (GitOps does not fight
/// the autoscaler), and its autoscaler targets it by name.
#[test]
fn autoscaled_groups_leave_the_count_to_the_autoscaler() {
    let spec: ClusterSpec = impala_k8s::spec::load::from_yaml(
        "t.yaml",
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: rel}\nspec:\n  admission: {pools: [{name: etl}]}\n  executorGroups:\n  - {name: default, replicas: 2}\n  - name: etl-a\n    autoscaling: {maxReplicas: 5, cpuUtilization: 60}\n",
    )
    .unwrap();
    let objects = impala_k8s::render(&spec).unwrap().manifests.objects().to_vec();
    let sts = |name: &str| {
        objects.iter().find_map(|o| match o {
            Object::StatefulSet(s) if s.metadata.name.as_deref() == Some(name) => s.spec.clone(),
            _ => None,
        })
    };
    assert_eq!(sts("rel-executor-default").unwrap().replicas, Some(2));
    assert_eq!(sts("rel-executor-etl-a").unwrap().replicas, None, "the autoscaler owns the count");
    let hpa = objects
        .iter()
        .find_map(|o| match o {
            Object::HorizontalPodAutoscaler(h) => h.spec.clone(),
            _ => None,
        })
        .unwrap();
    assert_eq!(hpa.scale_target_ref.name, "rel-executor-etl-a");
    assert_eq!((hpa.min_replicas, hpa.max_replicas), (Some(1), 5));
}

/// Admission pools (issue 13): the readers of the pool files (coordinators,
/// admissiond) get both flags, each pointing at a file of the ConfigMap in a
/// read-only mount outside the configuration checksum; no other role does.
#[test]
fn pool_files_are_where_the_flags_say() {
    let mut spec = request(Profile::Impala4, ServiceType::ClusterIP, &["admissiond"]);
    spec.spec.admission.pools =
        vec![impala_k8s::spec::admission::PoolSpec { name: "etl".into(), ..Default::default() }];
    let out = parse(&impala_k8s::render(&spec).unwrap().manifests.to_yaml());
    let files = out.config_maps["rel-admission"].data.clone().unwrap();
    for (role, reads) in [("coordinator", true), ("admissiond", true), ("executor", false), ("catalogd", false)] {
        let sts = &out.statefulsets[&format!("rel-{role}")];
        let c = container(sts);
        let args: BTreeMap<&str, &str> =
            c.args.iter().flatten().filter_map(|a| a.trim_start_matches('-').split_once('=')).collect();
        for flag in ["fair_scheduler_allocation_path", "llama_site_path"] {
            assert_eq!(args.contains_key(flag), reads, "{role}: -{flag}");
            let Some(path) = args.get(flag) else { continue };
            let (dir, file) = path.rsplit_once('/').unwrap();
            assert!(files.contains_key(file), "{role}: {file} is in the ConfigMap");
            let mount = c.volume_mounts.iter().flatten().find(|m| m.mount_path == dir).expect("mounted");
            assert_eq!(mount.read_only, Some(true));
            let pod = sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
            let volume = pod.volumes.iter().flatten().find(|v| v.name == mount.name).unwrap();
            assert_eq!(
                volume.config_map.as_ref().unwrap().name,
                "rel-admission",
                "its own volume, not the checksummed one"
            );
        }
    }
}

/// The metrics port (issue 14): one registry port per role, and its flag,
/// containerPort, cluster-local Service port and NetworkPolicy rule (from the
/// metrics sources alone) agree, an override moving them together; the
/// monitor scrapes it by name on every role.
fn check_metrics(kind: &str, overrides: &[(&str, i64)]) {
    let mut spec = request(Profile::Impala4, ServiceType::LoadBalancer, &["admissiond"]);
    spec.spec.metrics = serde_yaml::from_str(&format!("{{enabled: true, monitor: {kind}}}")).unwrap();
    for &(role, number) in overrides {
        spec.spec.roles.entry(role.into()).or_default().ports.insert("metrics".into(), number);
    }
    let out = parse(&impala_k8s::render(&spec).unwrap().manifests.to_yaml());
    let registry = Profile::Impala4.registry();
    let sources = impala_k8s::spec::metrics::default_sources();
    for port in registry.ports.iter().filter(|p| p.name.as_str() == "metrics") {
        let r = port.role.as_str();
        let n = overrides.iter().find(|o| o.0 == r).map_or(i64::from(port.number.get()), |o| o.1);
        let case = format!("metrics {kind} {overrides:?}: {r}");
        let c = container(&out.statefulsets[&format!("rel-{r}")]);
        assert!(c.args.iter().flatten().any(|a| a == &format!("-{}={n}", port.flag)), "{case}: flag");
        assert!(c
            .ports
            .iter()
            .flatten()
            .any(|p| p.name.as_deref() == Some("metrics") && i64::from(p.container_port) == n));
        let internal = out.services[&format!("rel-{r}-internal")].spec.as_ref().unwrap();
        assert!(internal
            .ports
            .iter()
            .flatten()
            .any(|p| p.name.as_deref() == Some("metrics") && i64::from(p.port) == n));
        let external = out.services[&format!("rel-{r}")].spec.as_ref().unwrap();
        assert!(!external.ports.iter().flatten().any(|p| p.name.as_deref() == Some("metrics")), "{case}: not exposed");
        let rules = out.policies[&format!("rel-{r}-ingress")].spec.as_ref().unwrap().ingress.clone().unwrap();
        let to_port: Vec<_> = rules
            .iter()
            .filter(|rule| rule.ports.iter().flatten().any(|p| p.port == Some(IntOrString::Int(n as i32))))
            .collect();
        assert_eq!(to_port.len(), 1, "{case}: one rule");
        assert_eq!(to_port[0].from.as_ref(), Some(&sources), "{case}: from the metrics sources alone");
    }
    let [monitor] = out.monitors.as_slice() else { panic!("one monitor") };
    assert_eq!(monitor.kind, kind);
    let endpoints = monitor.spec.pod_metrics_endpoints.as_ref().or(monitor.spec.endpoints.as_ref()).unwrap();
    assert_eq!(endpoints.iter().map(|e| e.port.as_str()).collect::<Vec<_>>(), ["metrics"]);
}

#[test]
fn the_metrics_port_is_consistent_everywhere() {
    check_metrics("PodMonitor", &[]);
    check_metrics("ServiceMonitor", &[("coordinator", 25101), ("catalogd", 25121), ("admissiond", 25131)]);
}
