//! Every flag impala-k8s hands an Impala 4.5 daemon is a flag Impala 4.5
//! defines: checked against `registries/impala-4.5.0-flags.txt`, the list of
//! flag names with the file and line of their definitions at tag 4.5.0.

use std::collections::BTreeSet;

use impala_k8s::builders::Object;

const KNOWN: &str = include_str!("../registries/impala-4.5.0-flags.txt");

fn known() -> BTreeSet<&'static str> {
    KNOWN.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).filter_map(|l| l.split(' ').next()).collect()
}

/// The gflags of every daemon container a spec renders.
fn flags_of(spec: &str) -> BTreeSet<String> {
    let spec = impala_k8s::spec::load::from_yaml("spec.yaml", spec).unwrap();
    let rendering = impala_k8s::render(&spec).unwrap();
    let mut flags = BTreeSet::new();
    for object in rendering.manifests.objects() {
        let Object::StatefulSet(sts) = object else { continue };
        for c in &sts.spec.as_ref().unwrap().template.spec.as_ref().unwrap().containers {
            for arg in c.args.iter().flatten().filter(|a| a.starts_with('-')) {
                flags.insert(arg.trim_start_matches('-').split('=').next().unwrap().to_owned());
            }
        }
    }
    flags
}

#[test]
fn every_rendered_flag_is_an_impala_4_5_flag() {
    let known = known();
    assert!(known.len() > 600, "the list holds every flag");
    let mut checked = BTreeSet::new();
    for example in [
        "production",
        "tls-secret",
        "tls-cert-manager",
        "ldap-tls",
        "kerberos",
        "ha",
        "metrics",
        "file-logging",
        "memory",
        "wiring",
        "quickstart",
    ] {
        let text = std::fs::read_to_string(format!("examples/{example}/cluster.yaml")).unwrap();
        for flag in flags_of(&text) {
            assert!(known.contains(flag.as_str()), "{example}: -{flag} is no flag of Impala 4.5");
            checked.insert(flag);
        }
    }
    // The checked flags cover ports, peers, logging, drain, TLS and the user's.
    for flag in [
        "hs2_port",
        "state_store_host",
        "logtostderr",
        "shutdown_deadline_s",
        "ssl_client_ca_certificate",
        "webserver_certificate_file",
        "ssl_minimum_version",
        "mem_limit",
        "admission_service_host",
        "enable_statestored_ha",
        "state_store_peer_host",
        "state_store_2_host",
        "state_store_ha_port",
        "catalogd_ha_preemption_wait_period_ms",
        "statestore_peer_timeout_seconds",
        "fair_scheduler_allocation_path",
        "llama_site_path",
        "executor_groups",
        "num_expected_executors",
    ] {
        assert!(checked.contains(flag), "{flag} was not rendered by any example: {checked:?}");
    }
}

#[test]
fn control_a_flag_impala_lacks_is_caught() {
    let known = known();
    assert!(!known.contains("use_krpc"), "use_krpc was removed before 4.5");
    assert!(!known.contains("be_port"), "be_port was removed in 4.0");
    assert!(known.contains("krpc_port") && known.contains("tls_ciphersuites"));
}
