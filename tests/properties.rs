//! Properties over many generated requests: `render` never panics; it either
//! refuses the request with a message, or every object it returns has a name
//! Kubernetes accepts and the pod counts that were asked for.

use impala_k8s::builders::Object;
use impala_k8s::registry::Profile;
use impala_k8s::spec::{ClusterSpec, ServiceType, MAX_STATEFULSET_NAME};
use proptest::prelude::*;

fn profile() -> impl Strategy<Value = Profile> {
    prop_oneof![Just(Profile::Impala4), Just(Profile::Cdh5)]
}

fn service_type() -> impl Strategy<Value = ServiceType> {
    prop_oneof![Just(ServiceType::ClusterIP), Just(ServiceType::NodePort), Just(ServiceType::LoadBalancer)]
}

fn role_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("coordinator".to_owned()),
        Just("executor".to_owned()),
        Just("impalad".to_owned()),
        Just("catalogd".to_owned()),
        Just("admissiond".to_owned()),
        "[a-z]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn render_accepts_or_explains(
        profile in profile(),
        service_type in service_type(),
        release in prop_oneof![4 => "[a-z][a-z0-9]{0,20}", 1 => "[a-z][a-z0-9-]{0,60}", 1 => ".{0,70}"],
        namespace in prop_oneof![4 => "[a-z0-9]{1,20}", 1 => "[a-z0-9][a-z0-9-]{0,64}", 1 => ".{0,20}"],
        replicas in proptest::collection::btree_map(role_name(), prop_oneof![4 => 0u32..20, 1 => any::<u32>()], 0..3),
        enable in proptest::collection::btree_set(role_name(), 0..2),
        metastore_uri in prop_oneof![4 => "thrift://[a-z]{1,10}:[0-9]{1,5}", 1 => ".{0,30}"],
    ) {
        let mut spec = ClusterSpec { release, namespace, ..Default::default() };
        spec.spec.profile = Some(profile);
        spec.spec.service_type = Some(service_type);
        spec.spec.metastore_uri = Some(metastore_uri);
        for (role, count) in &replicas {
            spec.spec.roles.entry(role.clone()).or_default().replicas = Some(*count);
        }
        for role in enable {
            spec.spec.roles.entry(role).or_default().enabled = Some(true);
        }
        match impala_k8s::render(&spec).map(|r| r.manifests) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(manifests) => {
                for object in manifests.objects() {
                    let name = object.name();
                    let limit = match object {
                        Object::StatefulSet(_) => MAX_STATEFULSET_NAME,
                        _ => 63,
                    };
                    prop_assert!(!name.is_empty() && name.len() <= limit, "{} {name}", object.kind());
                    if let Object::StatefulSet(sts) = object {
                        let role = sts.metadata.labels.as_ref().unwrap()["app.kubernetes.io/component"].clone();
                        let asked = replicas.get(&role).copied();
                        let got = sts.spec.as_ref().unwrap().replicas.unwrap();
                        prop_assert!(got >= 0);
                        if let Some(asked) = asked {
                            prop_assert_eq!(i64::from(got), i64::from(asked));
                        }
                    }
                }
                let yaml = manifests.to_yaml();
                let docs = serde_yaml::Deserializer::from_str(&yaml).count();
                prop_assert_eq!(docs, manifests.objects().len());
            }
        }
    }
}

/// Field names of the spec, so that generated documents reach deep into it.
const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "spec",
    "profile",
    "registry",
    "image",
    "repository",
    "tag",
    "pullPolicy",
    "pullSecrets",
    "digests",
    "serviceType",
    "metastoreUri",
    "hiveSite",
    "coreSite",
    "roles",
    "coordinator",
    "executor",
    "catalogd",
    "statestored",
    "admissiond",
    "enabled",
    "replicas",
    "resources",
    "requests",
    "limits",
    "cpu",
    "memory",
    "nodeSelector",
    "tolerations",
    "affinity",
    "podAnnotations",
    "podLabels",
    "extraFlags",
    "ports",
    "hs2",
    "krpc",
    "webui",
    "access",
    "service",
    "type",
    "annotations",
    "labels",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "externalTrafficPolicy",
    "nodePorts",
    "networkPolicy",
    "clientSources",
    "webUiSources",
    "ipBlock",
    "cidr",
    "egress",
    "metastore",
    "storage",
    "key",
    "effect",
    "operator",
    "value",
];

fn yaml_value() -> impl Strategy<Value = serde_yaml::Value> {
    let leaf = prop_oneof![
        Just(serde_yaml::Value::Null),
        any::<bool>().prop_map(serde_yaml::Value::from),
        any::<i64>().prop_map(serde_yaml::Value::from),
        any::<f64>().prop_map(serde_yaml::Value::from),
        prop_oneof![
            Just("impala4".to_owned()),
            Just("LoadBalancer".to_owned()),
            Just("10.0.0.0/8".to_owned()),
            Just("thrift://hms:9083".to_owned()),
            Just("internal".to_owned()),
            ".{0,12}",
        ]
        .prop_map(serde_yaml::Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_yaml::Value::Sequence),
            proptest::collection::vec(
                (prop_oneof![4 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => "[a-z]{1,8}"], inner),
                0..6
            )
            .prop_map(|entries| serde_yaml::Value::Mapping(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn any_text_is_read_or_refused_without_panic(text in prop_oneof![".{0,300}", "[ -~\n]{0,300}"]) {
        let _ = impala_k8s::spec::load::from_yaml("fuzz.yaml", &text);
        let _ = impala_k8s::spec::positions::positions(&text);
    }

    #[test]
    fn any_bytes_are_read_or_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = impala_k8s::spec::load::from_yaml("fuzz.yaml", &text);
    }

    #[test]
    fn any_document_is_rendered_or_refused_without_panic(spec in yaml_value(), api in any::<bool>()) {
        let mut doc = serde_yaml::Mapping::new();
        if api {
            doc.insert("apiVersion".into(), "impala-k8s.dev/v1alpha1".into());
            doc.insert("kind".into(), "ImpalaCluster".into());
        }
        doc.insert("spec".into(), spec);
        let text = serde_yaml::to_string(&doc).unwrap();
        match impala_k8s::spec::load::from_yaml("fuzz.yaml", &text) {
            Err(e) => prop_assert!(!e.message.is_empty() && !e.field.is_root()),
            Ok(request) => {
                if let Ok(impala_k8s::Rendering { manifests, .. }) = impala_k8s::render(&request) {
                    prop_assert!(!manifests.to_yaml().is_empty());
                }
            }
        }
    }
}

#[test]
fn deep_nesting_and_huge_inputs_are_refused() {
    let deep = format!(
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nspec:\n  hiveSite: {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(impala_k8s::spec::load::from_yaml("deep.yaml", &deep).is_err());
    let _ = impala_k8s::spec::positions::positions(&deep);
    let wide = format!(
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nspec:\n  hiveSite:\n{}",
        (0..50_000).map(|i| format!("    k{i}: v\n")).collect::<String>()
    );
    assert!(impala_k8s::spec::load::from_yaml("wide.yaml", &wide).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever the request, `policy` (which reads only the objects) finds
    /// every peer port open to exactly its running peer roles, and nothing
    /// reached from outside that no NodePort or LoadBalancer Service carries.
    #[test]
    fn policy_finds_what_the_request_promised(
        profile in profile(),
        service_type in service_type(),
        role_types in proptest::collection::btree_map(0usize..8, service_type(), 0..3),
        overrides in proptest::collection::btree_map(0usize..32, 1024u32..65535, 0..4),
        enable_admissiond in any::<bool>(),
        client_cidr in proptest::option::of(prop_oneof![Just("10.0.0.0/8"), Just("0.0.0.0/0"), Just("192.168.1.0/24")]),
        lockdown in any::<bool>(),
        llama_era in any::<bool>(),
    ) {
        let mut spec = ClusterSpec::default();
        spec.spec.profile = Some(profile);
        spec.spec.service_type = Some(service_type);
        // cdh5 as CDH 5.4 (Llama) or its default, CDH 5.16 (KRPC).
        let release = (profile == Profile::Cdh5 && llama_era).then_some("5.4");
        spec.spec.cdh_release = release.map(str::to_owned);
        // Real roles and ports of the profile, so that most requests are valid.
        let registry = profile.registry_for(release).unwrap();
        if registry.role("llama").is_some() {
            spec.spec.yarn_resource_manager = Some("rm.hadoop".into());
        }
        for (i, type_) in role_types {
            let role = registry.roles[i % registry.roles.len()].name.to_string();
            spec.spec.roles.entry(role).or_default().service.type_ = Some(type_);
        }
        for (i, number) in overrides {
            // Ports that always exist (the metrics webserver's only with web UI logins).
            let always: Vec<_> = registry.ports.iter().filter(|p| p.when.is_none()).collect();
            let port = always[i % always.len()];
            let role = spec.spec.roles.entry(port.role.to_string()).or_default();
            role.ports.insert(port.name.to_string(), i64::from(number));
        }
        if enable_admissiond && profile == Profile::Impala4 {
            spec.spec.roles.entry("admissiond".into()).or_default().enabled = Some(true);
        }
        let np = &mut spec.spec.network_policy;
        if let Some(cidr) = client_cidr {
            let peer = serde_json::json!({"ipBlock": {"cidr": cidr}});
            np.client_sources = Some(vec![serde_json::from_value(peer).unwrap()]);
        }
        if lockdown {
            let mut egress = serde_json::json!({"enabled": true, "metastore": [{"cidr": "10.96.0.0/24"}]});
            if registry.role("llama").is_some() {
                egress["yarn"] = serde_json::json!([{"cidr": "10.97.0.0/24", "ports": [8030, 8032]}]);
            }
            np.egress = serde_json::from_value(egress).unwrap();
        }
        let cluster = match spec.resolve() {
            Ok(cluster) => cluster,
            // Colliding overrides, a Service setting on a role without external
            // ports, or settings for admissiond while it is off.
            Err(e) => {
                let expected = ["already used", "no external port", "optional and not enabled"];
                prop_assert!(expected.iter().any(|m| e.message.contains(m)), "{e}");
                return Ok(());
            }
        };
        let manifests = impala_k8s::render(&spec).unwrap().manifests;
        let analysis = impala_k8s::policy::analyze(manifests.objects());
        for role in &cluster.roles {
            for port in &role.ports {
                let reach = analysis
                    .ingress
                    .iter()
                    .find(|r| r.role == role.name().as_str() && r.port.name == port.name().as_str())
                    .unwrap();
                prop_assert_eq!(i32::from(reach.port.number), port.number.as_i32());
                if port.audience.is_none() {
                    let peers: std::collections::BTreeSet<&str> = port.peers.iter().map(|p| p.as_str()).collect();
                    let from: std::collections::BTreeSet<&str> = reach.from.iter().map(String::as_str).collect();
                    prop_assert_eq!(from, peers, "{}/{}", role.name(), port.name());
                }
                if !reach.from_outside.is_empty() {
                    prop_assert!(role.service.type_ != ServiceType::ClusterIP);
                    prop_assert_eq!(port.access, impala_k8s::registry::Access::External);
                }
            }
        }
    }
}
