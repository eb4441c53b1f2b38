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
        match impala_k8s::render(&spec) {
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
