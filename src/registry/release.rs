//! Releases of a distribution that one registry describes (CDH 5.0 to 5.16):
//! roles, ports and flags that only some releases have carry a gate
//! (`releases: {since, until}`), and [`Registry::for_release`] gives the
//! registry of one release, with no gates left.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Registry;
use crate::names::FlagName;

/// The releases a registry describes, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Releases {
    /// What a release is called in messages (`CDH`).
    pub name: String,
    /// Every release, oldest first (`5.0`, ..., `5.16`).
    pub known: Vec<String>,
    /// The release rendered when the spec names none (the newest).
    pub default: String,
}

/// The releases that have a role, a port or a flag: from `since` to `until`, both included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseRange {
    /// The first release that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The last release that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl ReleaseRange {
    /// `5.15 and later`, `up to 5.10`, `5.0 to 5.4`.
    pub fn describe(&self, name: &str) -> String {
        match (&self.since, &self.until) {
            (Some(s), Some(u)) => format!("{name} {s} to {u}"),
            (Some(s), None) => format!("{name} {s} and later"),
            (None, Some(u)) => format!("up to {name} {u}"),
            (None, None) => format!("every {name} release"),
        }
    }
}

/// Flags a role gets in some releases only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseFlags {
    /// The releases that take them.
    pub releases: ReleaseRange,
    /// The flags and their values.
    pub flags: BTreeMap<FlagName, String>,
}

impl Releases {
    fn index(&self, release: &str) -> Option<usize> {
        self.known.iter().position(|r| r == release)
    }

    /// True when `release` is in `range` (a release the registry does not know is in none).
    pub fn contains(&self, range: Option<&ReleaseRange>, release: &str) -> bool {
        let Some(range) = range else { return true };
        let Some(at) = self.index(release) else { return false };
        let since = range.since.as_deref().map(|b| self.index(b));
        let until = range.until.as_deref().map(|b| self.index(b));
        since.is_none_or(|s| s.is_some_and(|s| at >= s)) && until.is_none_or(|u| u.is_some_and(|u| at <= u))
    }

    /// Every bound of `range` that is no known release.
    pub fn unknown<'a>(&self, range: &'a ReleaseRange) -> Option<&'a str> {
        [&range.since, &range.until].into_iter().flatten().map(String::as_str).find(|b| self.index(b).is_none())
    }
}

impl Registry {
    /// The registry of one release: the roles and ports it has, each role's
    /// release flags merged into its flags, and no gates left. A registry
    /// without releases is returned as it is.
    pub fn for_release(&self, release: &str) -> Registry {
        let Some(releases) = &self.releases else { return self.clone() };
        let mut registry = self.clone();
        registry.releases = None;
        registry.roles.retain(|r| releases.contains(r.releases.as_ref(), release));
        for role in &mut registry.roles {
            for extra in std::mem::take(&mut role.release_flags) {
                if releases.contains(Some(&extra.releases), release) {
                    role.flags.extend(extra.flags);
                }
            }
            role.releases = None;
        }
        let roles: Vec<_> = registry.roles.iter().map(|r| r.name.clone()).collect();
        registry.ports.retain(|p| releases.contains(p.releases.as_ref(), release) && roles.contains(&p.role));
        for port in &mut registry.ports {
            port.releases = None;
            port.peers.retain(|peer| roles.contains(peer));
        }
        registry
    }

    /// The release rendered by default, for a registry that has releases.
    pub fn default_release(&self) -> Option<&str> {
        self.releases.as_ref().map(|r| r.default.as_str())
    }
}
