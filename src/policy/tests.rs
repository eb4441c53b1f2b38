use super::*;
use crate::spec::load::from_yaml;
use crate::spec::ClusterSpec;
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn analysis_of(yaml: &str) -> Analysis {
    let header = "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: impala}\n";
    let text = if yaml.contains("apiVersion") { yaml.to_owned() } else { format!("{header}{yaml}") };
    let spec = from_yaml("test.yaml", &text).unwrap();
    analyze(crate::render(&spec).unwrap().manifests.objects())
}

fn default_analysis() -> Analysis {
    analyze(crate::render(&ClusterSpec::default()).unwrap().manifests.objects())
}

fn reach<'a>(a: &'a Analysis, role: &str, port: &str) -> &'a PortReach {
    a.ingress.iter().find(|r| r.role == role && r.port.name == port).unwrap_or_else(|| panic!("{role}/{port}"))
}

const ROLES: [&str; 4] = ["catalogd", "coordinator", "executor", "statestored"];

#[test]
fn endpoints_of_the_default_cluster() {
    let a = default_analysis();
    let ids: Vec<&str> = a.endpoints.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [&ROLES[..], &["other-pods", "other-namespaces", "anywhere"]].concat());
    assert_eq!(a.namespaces, ["impala"]);
    assert_eq!(a.network_policies, 5, "default deny plus one per role");
}

#[test]
fn internal_ports_admit_their_peers_only() {
    let a = default_analysis();
    assert_eq!(reach(&a, "statestored", "statestore").from, ["catalogd", "coordinator", "executor"]);
    assert_eq!(reach(&a, "catalogd", "catalog").from, ["coordinator"]);
    assert_eq!(reach(&a, "executor", "krpc").from, ["coordinator", "executor"]);
    assert_eq!(reach(&a, "coordinator", "statestore-sub").from, ["statestored"]);
    for r in a
        .ingress
        .iter()
        .filter(|r| r.port.name != "webui" && !r.port.name.starts_with("hs2") && r.port.name != "beeswax")
    {
        assert!(r.from.iter().all(|id| ROLES.contains(&id.as_str())), "{}/{}: {:?}", r.role, r.port.name, r.from);
        assert!(r.from_outside.is_empty());
    }
}

#[test]
fn external_ports_admit_everyone_but_only_a_service_takes_them_outside() {
    let a = default_analysis();
    let hs2 = reach(&a, "coordinator", "hs2");
    assert_eq!(hs2.sources(&a).count(), a.endpoints.len(), "every endpoint: {:?}", hs2.from);
    assert!(hs2.from_every_pod && hs2.from.iter().all(|id| !a.endpoint(id).unwrap().is_pod()), "pods in one word");
    assert!(hs2.from_outside.is_empty(), "ClusterIP: not reachable from outside");
    assert!(hs2.exposed_by.iter().all(|x| x.type_ == "ClusterIP"));

    let lb = analysis_of("spec: {serviceType: LoadBalancer}");
    assert_eq!(reach(&lb, "coordinator", "hs2").from_outside, ["anywhere"]);
    assert_eq!(reach(&lb, "coordinator", "hs2").exposed_by[0].service, "impala-coordinator");
    assert!(reach(&lb, "coordinator", "krpc").from_outside.is_empty());
}

#[test]
fn without_network_policies_everything_reaches_everything() {
    let a = analysis_of("spec: {serviceType: NodePort, networkPolicy: {enabled: false}}");
    assert_eq!(a.network_policies, 0);
    for r in &a.ingress {
        assert_eq!(r.sources(&a).count(), a.endpoints.len(), "{}/{}", r.role, r.port.name);
    }
    assert!(a.egress.iter().all(|e| !e.restricted));
    assert_eq!(reach(&a, "coordinator", "hs2").from_outside, ["anywhere"]);
    assert!(reach(&a, "statestored", "webui").from_outside.is_empty(), "a web UI stays inside unless exposed");
    assert!(reach(&a, "statestored", "statestore").from_outside.is_empty(), "no Service carries it outside");
}

#[test]
fn client_sources_web_ui_sources_and_egress_lockdown() {
    let a = analysis_of(include_str!("../../examples/production/cluster.yaml"));
    assert_eq!(reach(&a, "coordinator", "hs2").from, ["namespace:bi-tools", "10.10.0.0/16"]);
    assert_eq!(reach(&a, "coordinator", "hs2").from_outside, ["10.10.0.0/16"]);
    // The Prometheus pods are pods of the namespace `monitoring` too.
    let prometheus = "pods:app.kubernetes.io/name=prometheus@kubernetes.io/metadata.name=monitoring";
    assert_eq!(reach(&a, "coordinator", "webui").from, ["namespace:monitoring", prometheus]);
    assert_eq!(reach(&a, "coordinator", "metrics").from, [prometheus], "the metrics port: Prometheus alone");
    assert!(reach(&a, "coordinator", "webui").from_outside.is_empty());
    assert_eq!(reach(&a, "coordinator", "hs2-http").port.number, 28080, "the port override");

    let egress = |role: &str, to: &str| {
        let e = a.egress.iter().find(|e| e.role == role).unwrap();
        assert!(e.restricted);
        e.to.iter().find(|t| t.endpoint == to).map(|t| t.ports.to_string()).unwrap_or_default()
    };
    assert_eq!(egress("catalogd", "10.96.40.0/24"), "53/TCP, 53/UDP, 9083/TCP", "metastore and DNS");
    assert_eq!(
        egress("coordinator", "10.96.40.0/24"),
        "53/TCP, 53/UDP, 9083/TCP",
        "the frontend opens the metastore too"
    );
    assert_eq!(egress("executor", "10.96.40.0/24"), "53/TCP, 53/UDP", "DNS only");
    assert_eq!(egress("executor", "10.30.0.0/16"), "53/TCP, 53/UDP, 443/TCP", "storage");
    assert_eq!(egress("statestored", "anywhere"), "53/TCP, 53/UDP");
    assert_eq!(egress("executor", "statestored"), "24000/TCP");
    assert_eq!(egress("executor", "catalogd"), "", "executors never call the catalog");
}

/// The release's single ingress policy for a role, to edit by hand.
fn edited(edit: impl Fn(&mut k8s_openapi::api::networking::v1::NetworkPolicySpec)) -> Analysis {
    let mut objects = crate::render(&ClusterSpec::default()).unwrap().manifests.objects().to_vec();
    for o in &mut objects {
        if let Object::NetworkPolicy(p) = o {
            if p.metadata.name.as_deref() == Some("impala-statestored-ingress") {
                edit(p.spec.as_mut().unwrap());
            }
        }
    }
    analyze(&objects)
}

#[test]
fn named_ports_and_port_ranges() {
    let a = edited(|s| {
        let rule = &mut s.ingress.as_mut().unwrap()[0];
        rule.ports.as_mut().unwrap()[0].port = Some(IntOrString::String("statestore".into()));
    });
    assert_eq!(reach(&a, "statestored", "statestore").from, ["catalogd", "coordinator", "executor"]);
    let a = edited(|s| {
        let rule = &mut s.ingress.as_mut().unwrap()[0];
        rule.ports.as_mut().unwrap()[0].port = Some(IntOrString::String("no-such-port".into()));
    });
    assert!(reach(&a, "statestored", "statestore").from.is_empty());
    let a = edited(|s| {
        let port = &mut s.ingress.as_mut().unwrap()[0].ports.as_mut().unwrap()[0];
        port.port = Some(IntOrString::Int(20000));
        port.end_port = Some(30000);
    });
    assert_eq!(reach(&a, "statestored", "webui").sources(&a).count(), a.endpoints.len());
    assert!(reach(&a, "statestored", "statestore").reached_by(&a, "catalogd"));
}

#[test]
fn ip_blocks_with_excepts_and_namespace_selectors() {
    use k8s_openapi::api::networking::v1::IPBlock;
    let a = edited(|s| {
        let rule = &mut s.ingress.as_mut().unwrap()[0];
        rule.from = Some(vec![
            NetworkPolicyPeer {
                ip_block: Some(IPBlock { cidr: "10.0.0.0/8".into(), except: Some(vec!["10.1.0.0/16".into()]) }),
                ..Default::default()
            },
            NetworkPolicyPeer {
                namespace_selector: Some(LabelSelector {
                    match_labels: Some([("team".to_owned(), "data".to_owned())].into()),
                    ..Default::default()
                }),
                pod_selector: Some(LabelSelector {
                    match_labels: Some([("app".to_owned(), "etl".to_owned())].into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ]);
    });
    let from = &reach(&a, "statestored", "statestore").from;
    assert_eq!(from, &["pods:app=etl@team=data", "10.0.0.0/8"], "the except and any other address stay out");
    let selected = a.endpoint("pods:app=etl@team=data").unwrap();
    assert_eq!(selected.label, "pods app=etl of namespaces team=data");
    assert!(a.endpoint("10.1.0.0/16").is_some(), "an except is an endpoint of its own");
}

#[test]
fn policy_types_default_to_ingress() {
    let a = edited(|s| {
        s.policy_types = None;
        s.ingress = None;
    });
    assert!(reach(&a, "statestored", "statestore").from.is_empty(), "a policy without types or rules denies ingress");
    assert!(a.egress.iter().all(|e| !e.restricted));
}
