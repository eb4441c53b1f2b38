//! High availability: a pair of statestoreds and a pair of catalogds, one
//! active and one standby each, as the registry's `statestoredHa` and
//! `catalogdHa` blocks describe them.

use super::checks::fail;
use super::crd::{HaSpec, ImpalaClusterSpec};
use super::{FieldPath, SpecError};
use crate::registry::{CatalogdHaFlags, Registry, StatestoredHaFlags};

/// The pods of a pair.
pub const PAIR: i32 = 2;

/// Impala's default wait for the peer before taking the active role, in ms:
/// `statestore_ha_preemption_wait_period_ms` (be/src/statestore/statestore.cc:136)
/// and `catalogd_ha_preemption_wait_period_ms` (be/src/common/global-flags.cc:409).
pub const DEFAULT_PREEMPTION_WAIT_MS: u64 = 10_000;

/// Impala's default silence before the peer statestored counts as lost, in s:
/// `statestore_peer_timeout_seconds` (be/src/statestore/statestore.cc:146).
pub const DEFAULT_PEER_TIMEOUT_SECONDS: u32 = 30;

/// The longest wait and timeout the spec accepts: an hour.
const MAX_WAIT_MS: u64 = 3_600_000;

/// The pairs that run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterHa<'r> {
    /// The statestored pair.
    pub statestored: Option<StatestoredPair<'r>>,
    /// The catalogd pair.
    pub catalogd: Option<CatalogdPair<'r>>,
}

/// A pair of statestoreds with its settled times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatestoredPair<'r> {
    /// The registry's flags.
    pub flags: &'r StatestoredHaFlags,
    /// The wait for the peer at start-up, in ms.
    pub preemption_wait_ms: u64,
    /// The silence after which the peer counts as lost, in s.
    pub peer_timeout_seconds: u32,
}

/// A pair of catalogds with its settled wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogdPair<'r> {
    /// The registry's flags.
    pub flags: &'r CatalogdHaFlags,
    /// How long the statestore waits for the second catalogd, in ms.
    pub preemption_wait_ms: u64,
}

impl ClusterHa<'_> {
    /// True when the role runs as a pair.
    pub fn pairs(&self, role: &str) -> bool {
        self.statestored.as_ref().is_some_and(|p| p.flags.role.as_str() == role)
            || self.catalogd.as_ref().is_some_and(|p| p.flags.role.as_str() == role)
    }
}

/// The pairs the spec asks for, checked against the registry.
pub fn resolve<'r>(spec: &ImpalaClusterSpec, registry: &'r Registry) -> Result<ClusterHa<'r>, SpecError> {
    let paired: Vec<&str> = [
        registry.statestored_ha.as_ref().map(|h| h.role.as_str()),
        registry.catalogd_ha.as_ref().map(|h| h.role.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut ha = ClusterHa::default();
    for (name, role) in &spec.roles {
        let Some(settings) = &role.ha else { continue };
        let field = FieldPath::from("spec.roles").key(name.as_str()).key("ha");
        if !paired.contains(&name.as_str()) {
            let which = if paired.is_empty() { "none".to_owned() } else { paired.join(", ") };
            return fail(
                field,
                format!(
                    "role '{name}' does not run as a pair in registry {}; the roles that do: {which}",
                    registry.profile
                ),
            );
        }
        if settings.enabled != Some(true) {
            if settings != &(HaSpec { enabled: settings.enabled, ..Default::default() }) {
                return fail(
                    field.key("enabled"),
                    "the HA settings take effect only with the pair: set enabled: true, or remove them",
                );
            }
            continue;
        }
        let wait = settings.preemption_wait_period_ms.unwrap_or(DEFAULT_PREEMPTION_WAIT_MS);
        if wait > MAX_WAIT_MS {
            return fail(
                field.key("preemptionWaitPeriodMs"),
                format!("{wait} ms is more than an hour; Impala's default is {DEFAULT_PREEMPTION_WAIT_MS}"),
            );
        }
        if let Some(flags) = registry.statestored_ha.as_ref().filter(|h| h.role.as_str() == name) {
            let timeout = settings.peer_timeout_seconds.unwrap_or(DEFAULT_PEER_TIMEOUT_SECONDS);
            if timeout == 0 || u64::from(timeout) * 1000 > MAX_WAIT_MS {
                return fail(
                    field.key("peerTimeoutSeconds"),
                    format!("{timeout} is not a timeout: 1 to 3600 seconds (Impala's default is {DEFAULT_PEER_TIMEOUT_SECONDS})"),
                );
            }
            ha.statestored = Some(StatestoredPair { flags, preemption_wait_ms: wait, peer_timeout_seconds: timeout });
        } else if let Some(flags) = registry.catalogd_ha.as_ref().filter(|h| h.role.as_str() == name) {
            if settings.peer_timeout_seconds.is_some() {
                return fail(
                    field.key("peerTimeoutSeconds"),
                    format!(
                        "the {name} pair has no peer timeout: {} elects the active one (set preemptionWaitPeriodMs)",
                        flags.elector
                    ),
                );
            }
            ha.catalogd = Some(CatalogdPair { flags, preemption_wait_ms: wait });
        }
    }
    Ok(ha)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ClusterSpec;

    fn spec(yaml: &str) -> ClusterSpec {
        crate::spec::load::from_yaml(
            "t.yaml",
            &format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\n{yaml}"),
        )
        .unwrap()
    }

    #[test]
    fn pairs_take_impalas_defaults() {
        let s = spec("spec:\n  roles:\n    statestored: {ha: {enabled: true}}\n    catalogd: {ha: {enabled: true, preemptionWaitPeriodMs: 5000}}\n");
        let ha = resolve(&s.spec, s.registry()).unwrap();
        let st = ha.statestored.unwrap();
        assert_eq!((st.preemption_wait_ms, st.peer_timeout_seconds), (10_000, 30));
        assert_eq!(ha.catalogd.unwrap().preemption_wait_ms, 5000);
    }

    #[test]
    fn refusals_name_the_field() {
        for (yaml, field, says) in [
            ("executor: {ha: {enabled: true}}", "spec.roles.executor.ha", "the roles that do: statestored, catalogd"),
            ("catalogd: {ha: {peerTimeoutSeconds: 5}}", "spec.roles.catalogd.ha.enabled", "set enabled: true"),
            ("catalogd: {ha: {enabled: true, peerTimeoutSeconds: 5}}", "peerTimeoutSeconds", "statestored elects"),
            ("statestored: {ha: {enabled: true, peerTimeoutSeconds: 0}}", "peerTimeoutSeconds", "1 to 3600"),
            (
                "statestored: {ha: {enabled: true, preemptionWaitPeriodMs: 3600001}}",
                "preemptionWaitPeriodMs",
                "an hour",
            ),
        ] {
            let s = spec(&format!("spec:\n  roles:\n    {yaml}\n"));
            let e = resolve(&s.spec, s.registry()).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains(says), "{yaml}: {e}");
        }
    }

    #[test]
    fn cdh5_has_no_pairs() {
        let s = spec("spec:\n  profile: cdh5\n  roles:\n    statestored: {ha: {enabled: true}}\n");
        let e = resolve(&s.spec, s.registry()).unwrap_err().to_string();
        assert!(e.contains("registry cdh5; the roles that do: none"), "{e}");
    }
}
