//! The pairs: the flags the statestored and catalogd pairs set on every
//! daemon.
//!
//! A statestored names its peer (`state_store_peer_host`), so the two of a
//! pair need different arguments. Kubernetes gives a StatefulSet's pods one
//! template, and a start-up script that derives the peer from the pod's
//! ordinal would replace the images' entrypoint; so the pair runs as two
//! StatefulSets of one pod each (`<release>-statestored-1` and `-2`), under
//! the role's one headless Service. Each pod's DNS name is stable, so the
//! peer address is a name the other pod's certificate and Kerberos principal
//! carry. A catalogd needs no peer address (the statestore elects the active
//! one), so the catalogd pair is one StatefulSet of two pods.

use super::members::{members, pod_host, Member};
use crate::spec::{Cluster, ClusterRole};

/// The flags the pairs set on a role: the pair's own on its pods, and what
/// the daemons that elect or subscribe to it need.
pub fn settings(cluster: &Cluster<'_>, role: &ClusterRole<'_>) -> Vec<(String, String)> {
    let mut settings = Vec::new();
    let on = |flag: &crate::names::FlagName| (flag.to_string(), "true".to_owned());
    if let Some(pair) = &cluster.ha.statestored {
        let f = pair.flags;
        if &f.role == role.name() {
            let port = role.port(&f.port).map_or(0, |p| p.number.get());
            settings.extend([
                on(&f.enable),
                (f.peer_port.to_string(), port.to_string()),
                (f.preemption_wait.to_string(), pair.preemption_wait_ms.to_string()),
                (f.peer_timeout.to_string(), pair.peer_timeout_seconds.to_string()),
            ]);
        } else if subscribes(cluster, role, &f.role) {
            settings.push(on(&f.enable));
        }
    }
    if let Some(pair) = &cluster.ha.catalogd {
        let f = pair.flags;
        if &f.role == role.name() {
            settings.push(on(&f.enable));
        }
        if &f.elector == role.name() {
            settings.extend([on(&f.enable), (f.preemption_wait.to_string(), pair.preemption_wait_ms.to_string())]);
        }
    }
    settings
}

/// True when the role connects to a port of `target` that names its host by client flags.
fn subscribes(cluster: &Cluster<'_>, role: &ClusterRole<'_>, target: &crate::names::RoleName) -> bool {
    cluster
        .role(target.as_str())
        .is_some_and(|t| t.ports.iter().any(|p| p.entry.client_flags.is_some() && p.peers.contains(&role.name())))
}

/// The host and port flags of a client of the statestored pair: the first
/// statestored's pod as the statestore, the second's as the second one.
pub fn pair_clients(
    cluster: &Cluster<'_>,
    target: &ClusterRole<'_>,
    port: &crate::spec::ClusterPort<'_>,
) -> Option<Vec<(String, String)>> {
    let pair = cluster.ha.statestored.as_ref().filter(|p| &p.flags.role == target.name())?;
    let client = port.entry.client_flags.as_ref()?;
    let members = members(cluster, target);
    let host = |m: &Member| pod_host(cluster, target, &format!("{}-0", m.name));
    Some(vec![
        (client.host.to_string(), host(&members[0])),
        (client.port.to_string(), port.number.to_string()),
        (pair.flags.second_host.to_string(), host(&members[1])),
        (pair.flags.second_port.to_string(), port.number.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::cluster::daemon_settings;
    use super::super::members::members;
    use super::*;
    use crate::spec::ClusterSpec;

    fn pairs() -> ClusterSpec {
        crate::spec::load::from_yaml(
            "t.yaml",
            "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: prod, namespace: data}\nspec:\n  roles:\n    admissiond: {enabled: true}\n    statestored: {ha: {enabled: true}}\n    catalogd: {ha: {enabled: true, preemptionWaitPeriodMs: 20000}}\n",
        )
        .unwrap()
    }

    #[test]
    fn each_statestored_names_the_other() {
        let spec = pairs();
        let cluster = spec.resolve().unwrap();
        let statestored = cluster.role("statestored").unwrap();
        let m = members(&cluster, statestored);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].name, "prod-statestored-1");
        assert_eq!(m[0].settings["state_store_peer_host"], "prod-statestored-2-0.prod-statestored-internal.data.svc");
        assert_eq!(m[1].settings["state_store_peer_host"], "prod-statestored-1-0.prod-statestored-internal.data.svc");
        let s = daemon_settings(&cluster, statestored);
        assert_eq!(s["enable_statestored_ha"], "true");
        assert_eq!(s["state_store_ha_port"], "24020");
        assert_eq!(s["state_store_peer_ha_port"], "24020", "not Impala's 24021");
        assert_eq!(s["statestore_ha_preemption_wait_period_ms"], "10000");
        assert_eq!(s["statestore_peer_timeout_seconds"], "30");
        assert_eq!(s["enable_catalogd_ha"], "true", "the statestore elects the catalogd");
        assert_eq!(s["catalogd_ha_preemption_wait_period_ms"], "20000");
    }

    #[test]
    fn every_subscriber_knows_both_statestoreds() {
        let spec = pairs();
        let cluster = spec.resolve().unwrap();
        for role in ["coordinator", "executor", "catalogd", "admissiond"] {
            let s = daemon_settings(&cluster, cluster.role(role).unwrap());
            assert_eq!(s["enable_statestored_ha"], "true", "{role}");
            assert_eq!(s["state_store_host"], "prod-statestored-1-0.prod-statestored-internal.data.svc", "{role}");
            assert_eq!(s["state_store_2_host"], "prod-statestored-2-0.prod-statestored-internal.data.svc", "{role}");
            assert_eq!((s["state_store_port"].as_str(), s["state_store_2_port"].as_str()), ("24000", "24000"));
            assert!(!s.contains_key("state_store_peer_host"), "{role}");
        }
        let catalogd = daemon_settings(&cluster, cluster.role("catalogd").unwrap());
        assert_eq!(catalogd["enable_catalogd_ha"], "true");
        let coordinator = daemon_settings(&cluster, cluster.role("coordinator").unwrap());
        assert!(!coordinator.contains_key("enable_catalogd_ha"), "coordinators follow the statestore");
    }

    #[test]
    fn one_statefulset_without_pairs() {
        let spec = ClusterSpec::default();
        let cluster = spec.resolve().unwrap();
        let m = members(&cluster, cluster.role("statestored").unwrap());
        assert_eq!((m.len(), m[0].name.as_str(), m[0].label.is_none()), (1, "impala-statestored", true));
        assert!(settings(&cluster, cluster.role("coordinator").unwrap()).is_empty());
    }
}
