//! The checks a registry passes when it is loaded: roles well formed, every
//! port on a declared role, unique within its pod, reached by declared
//! roles, and no flag set twice on a daemon.

use std::collections::{BTreeMap, BTreeSet};

use super::{Access, ConfigStyle, Port, Registry, Role, CONF_VOLUME};
use crate::names::{FlagName, PortName, PortNumber, RoleName};

/// A failed check: the field path in the registry and what is wrong.
type Failure = (String, String);

fn err(path: String, message: String) -> Result<(), Failure> {
    Err((path, message))
}

/// The ports and port numbers seen so far in each role's pod.
type Seen<'a> = BTreeMap<&'a RoleName, (BTreeSet<&'a PortName>, BTreeSet<PortNumber>)>;

impl Registry {
    /// Every check, with the field path of the first failure.
    pub(crate) fn validate(&self) -> Result<(), Failure> {
        if self.roles.is_empty() {
            return err("roles".into(), "a registry needs at least one role".into());
        }
        let mut role_names = BTreeSet::new();
        for (i, role) in self.roles.iter().enumerate() {
            if !role_names.insert(&role.name) {
                return err(format!("roles[{i}].name"), format!("role '{}' is declared twice", role.name));
            }
            self.validate_role(&format!("roles[{i}]"), role)?;
        }
        self.validate_releases()?;
        if let Some(releases) = &self.releases {
            // Each release on its own: the checks below hold for every one of them.
            for release in &releases.known {
                self.for_release(release)
                    .validate()
                    .map_err(|(path, message)| (path, format!("{message} (in {} {release})", releases.name)))?;
            }
            return Ok(());
        }
        let mut seen = Seen::new();
        for port in &self.ports {
            self.validate_port(port, &mut seen)?;
        }
        self.validate_primary()?;
        self.validate_logging()?;
        self.validate_ha()?;
        for role in &self.roles {
            let all = self.roles.iter().map(|r| &r.name).collect::<BTreeSet<_>>();
            if let Err(flag) = check_unique(self.settings_of(role, &all)) {
                return err(
                    format!("roles[{}]", self.roles.iter().position(|r| r == role).unwrap_or(0)),
                    format!("flag '{flag}' would be set twice on role '{}'", role.name),
                );
            }
        }
        Ok(())
    }

    /// The HA and admission blocks name roles the registry declares, and the statestored
    /// pair's port is a port of its role that exists only for the pair.
    fn validate_ha(&self) -> Result<(), Failure> {
        let has_role = |name: &RoleName| self.roles.iter().any(|r| &r.name == name);
        if let Some(ha) = &self.statestored_ha {
            if !has_role(&ha.role) {
                return err("statestoredHa.role".into(), format!("no role '{}' in the registry", ha.role));
            }
            let port = self.ports.iter().find(|p| p.role == ha.role && p.name == ha.port);
            if port.is_none_or(|p| p.when != Some(super::PortCondition::StatestoredHa)) {
                return err(
                    "statestoredHa.port".into(),
                    format!("role '{}' has no port '{}' with `when: statestoredHa`", ha.role, ha.port),
                );
            }
        }
        if let Some(admission) = &self.admission {
            if let Some(role) = admission.roles.iter().find(|r| !has_role(r)) {
                return err("admission.roles".into(), format!("no role '{role}' in the registry"));
            }
        }
        if let Some(groups) = &self.executor_groups {
            for (field, role) in [("role", &groups.role), ("planner", &groups.planner)] {
                if !has_role(role) {
                    return err(format!("executorGroups.{field}"), format!("no role '{role}' in the registry"));
                }
            }
        }
        if let Some(metrics) = &self.metrics {
            if !self.ports.iter().any(|p| p.name == metrics.port && p.when == Some(super::PortCondition::Metrics)) {
                return err("metrics.port".into(), format!("no port '{}' with `when: metrics`", metrics.port));
            }
            if !metrics.path.starts_with('/') {
                return err("metrics.path".into(), format!("'{}' is not a path: it starts with '/'", metrics.path));
            }
        }
        if let Some(ha) = &self.catalogd_ha {
            for (field, role) in [("role", &ha.role), ("elector", &ha.elector)] {
                if !has_role(role) {
                    return err(format!("catalogdHa.{field}"), format!("no role '{role}' in the registry"));
                }
            }
        }
        Ok(())
    }

    /// Release gates only in a registry with releases, and only on releases it knows.
    fn validate_releases(&self) -> Result<(), Failure> {
        let gates = self
            .roles
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                let own = r.releases.iter().map(move |g| (format!("roles[{i}].releases"), g));
                let flags = r
                    .release_flags
                    .iter()
                    .enumerate()
                    .map(move |(j, f)| (format!("roles[{i}].releaseFlags[{j}].releases"), &f.releases));
                own.chain(flags)
            })
            .chain(
                self.ports.iter().filter_map(|p| Some((format!("{}.releases", p.source.path()), p.releases.as_ref()?))),
            );
        let Some(releases) = &self.releases else {
            return match gates.into_iter().next() {
                Some((path, _)) => {
                    err(path, "a release gate needs the registry's releases (releases: {name, known, default})".into())
                }
                None => Ok(()),
            };
        };
        if releases.known.is_empty() || !releases.known.contains(&releases.default) {
            return err("releases.default".into(), format!("'{}' is not one of the known releases", releases.default));
        }
        for (path, gate) in gates {
            if let Some(bound) = releases.unknown(gate) {
                return err(path, format!("'{bound}' is not a known release: {}", releases.known.join(", ")));
            }
        }
        Ok(())
    }

    /// The clients' primary endpoint: external, for clients, one entry at most.
    fn validate_primary(&self) -> Result<(), Failure> {
        let mut first: Option<&Port> = None;
        for port in self.ports.iter().filter(|p| p.primary) {
            let path = format!("{}.primary", port.source.path());
            if port.access != Access::External || port.audience.is_some_and(|a| a != super::Audience::Clients) {
                return err(
                    path,
                    format!(
                        "port '{}' is the clients' primary endpoint, so it must be external and for clients",
                        port.name
                    ),
                );
            }
            match first {
                Some(f) if f.source.entry != port.source.entry => {
                    return err(
                        path,
                        format!(
                            "port '{}' of role '{}' is already the clients' primary endpoint; a registry has one",
                            f.name, f.role
                        ),
                    );
                }
                _ => first = first.or(Some(port)),
            }
        }
        Ok(())
    }

    /// Logging: gflags, and a log directory on every gflag role.
    fn validate_logging(&self) -> Result<(), Failure> {
        let Some(logging) = &self.logging else { return Ok(()) };
        if let Some(flag) = logging.flags().into_iter().find(|f| !f.is_gflag()) {
            return err("logging".into(), format!("'{flag}' is not a gflag"));
        }
        if logging.severities == 0 {
            return err("logging.severities".into(), "at least one severity writes files".into());
        }
        for (i, role) in self.roles.iter().enumerate().filter(|(_, r)| r.config == ConfigStyle::Gflags) {
            if !role.writable_dirs.contains_key(&logging.volume) {
                return err(
                    format!("roles[{i}].writableDirs"),
                    format!(
                        "role '{}' has no writable directory '{}' for its log files (logging.volume)",
                        role.name, logging.volume
                    ),
                );
            }
        }
        Ok(())
    }

    /// One role: replicas, flags, drain, directories and probe.
    fn validate_role(&self, path: &str, role: &Role) -> Result<(), Failure> {
        if let Some(variable) = role.jvm.as_ref().map(|j| j.heap_setting(0).0).filter(|v| role.env.contains_key(*v)) {
            return err(
                format!("{path}.env.{variable}"),
                format!("'{variable}' sets the JVM heap of role '{}', which the registry's jvm block sizes", role.name),
            );
        }
        let resources = &role.resources;
        for (what, values) in [("requests", &resources.requests), ("limits", &resources.limits)] {
            for (name, value) in [("cpu", &values.cpu), ("memory", &values.memory)] {
                if let Err(message) = crate::names::check_quantity(value) {
                    return err(format!("{path}.resources.{what}.{name}"), message);
                }
            }
        }
        for (name, request, limit) in [
            ("cpu", &resources.requests.cpu, &resources.limits.cpu),
            ("memory", &resources.requests.memory, &resources.limits.memory),
        ] {
            if crate::names::quantity(request) > crate::names::quantity(limit) {
                return err(
                    format!("{path}.resources.requests.{name}"),
                    crate::names::request_above_limit(request, limit),
                );
            }
        }
        if let Some(jvm) = &role.jvm {
            if !(1..=90).contains(&jvm.heap_percent) {
                return err(
                    format!("{path}.jvm.heapPercent"),
                    format!("{}% is not a heap size: 1 to 90 percent of the memory limit", jvm.heap_percent),
                );
            }
        }
        let r = role.replicas;
        if r.min > r.default || r.max.is_some_and(|max| r.default > max || max == 0) {
            return err(
                format!("{path}.replicas"),
                format!(
                    "replicas of role '{}' need 0 < max and min <= default <= max (min {}, default {}, max {})",
                    role.name,
                    r.min,
                    r.default,
                    r.max.map_or("unbounded".into(), |m| m.to_string())
                ),
            );
        }
        for flag in role.flags.keys() {
            if flag.is_gflag() != (role.config == ConfigStyle::Gflags) {
                return err(
                    format!("{path}.flags.{flag}"),
                    format!(
                        "'{flag}' is not a setting of role '{}', which is configured by {:?}",
                        role.name, role.config
                    ),
                );
            }
        }
        if let Some(drain) = &role.drain {
            validate_drain(path, role, drain)?;
        }
        if !role.conf_dir.starts_with('/') {
            return err(format!("{path}.confDir"), format!("'{}' is not an absolute path", role.conf_dir));
        }
        for (volume, dir) in &role.writable_dirs {
            if !dir.path.starts_with('/') || dir.path == role.conf_dir {
                return err(
                    format!("{path}.writableDirs.{volume}.path"),
                    format!("'{}' must be an absolute path other than the configuration directory", dir.path),
                );
            }
            if volume.as_str() == CONF_VOLUME {
                return err(
                    format!("{path}.writableDirs.{volume}"),
                    format!("volume name '{CONF_VOLUME}' is reserved for the configuration files"),
                );
            }
        }
        if let Some(p) = &role.probe.http_path {
            if !p.starts_with('/') {
                return err(format!("{path}.probe.httpPath"), format!("'{p}' must start with '/'"));
            }
        }
        if let Some(port) = &role.probe.unauthenticated_port {
            if !self.ports.iter().any(|p| p.role == role.name && &p.name == port && p.when.is_some()) {
                return err(
                    format!("{path}.probe.unauthenticatedPort"),
                    format!("role '{}' has no port '{port}' that exists only while the web UI asks for a login (when: webUiAuth)", role.name),
                );
            }
        }
        if !self.ports.iter().any(|p| p.role == role.name && p.name == role.probe.port) {
            return err(
                format!("{path}.probe.port"),
                format!("role '{}' has no port named '{}' to probe", role.name, role.probe.port),
            );
        }
        Ok(())
    }

    /// One port: on a declared role, unique in its pod, of the role's
    /// configuration style, reached by declared roles.
    fn validate_port<'a>(&'a self, port: &'a Port, seen: &mut Seen<'a>) -> Result<(), Failure> {
        let path = port.source.path();
        let Some(role) = self.role(port.role.as_str()) else {
            return err(
                port.source.role_path(),
                format!("role '{}' is not declared; the roles are: {}", port.role, self.role_names()),
            );
        };
        let (names, numbers) = seen.entry(&port.role).or_default();
        if !names.insert(&port.name) {
            return err(
                format!("{}.name", port.source.role_path()),
                format!("port name '{}' is used twice in role '{}'", port.name, port.role),
            );
        }
        if !numbers.insert(port.number) {
            return err(
                format!("{path}.number"),
                format!("port {} is used twice in role '{}'", port.number, port.role),
            );
        }
        if port.flag.is_gflag() != (role.config == ConfigStyle::Gflags) {
            return err(
                format!("{path}.flag"),
                format!(
                    "'{}' is not a setting of role '{}', which is configured by {:?}",
                    port.flag, role.name, role.config
                ),
            );
        }
        let mut peers = BTreeSet::new();
        for (j, peer) in port.peers.iter().enumerate() {
            let Some(peer_role) = self.role(peer.as_str()) else {
                return err(
                    format!("{path}.peers[{j}]"),
                    format!(
                        "peer '{peer}' of port '{}' is not a role; the roles are: {}",
                        port.name,
                        self.role_names()
                    ),
                );
            };
            if !peers.insert(peer) {
                return err(format!("{path}.peers[{j}]"), format!("peer '{peer}' is listed twice"));
            }
            if port.client_flags.is_some() && peer_role.config != ConfigStyle::Gflags {
                return err(
                    format!("{path}.peers[{j}]"),
                    format!(
                        "peer '{peer}' is configured by {:?} and cannot take the client flags of port '{}'",
                        peer_role.config, port.name
                    ),
                );
            }
        }
        if port.access == Access::Internal && port.audience.is_some() {
            return err(
                format!("{path}.audience"),
                format!("internal port '{}' is reached by its peers; only an external port has an audience", port.name),
            );
        }
        // The probes' port is reached by the kubelet, which no peer list names.
        let probed =
            self.roles.iter().any(|r| r.name == port.role && r.probe.unauthenticated_port.as_ref() == Some(&port.name));
        if port.access == Access::Internal && port.peers.is_empty() && !probed {
            return err(
                format!("{path}.peers"),
                format!(
                    "internal port '{}' of role '{}' has no peers, so nothing could reach it",
                    port.name, port.role
                ),
            );
        }
        if let Some(cf) = &port.client_flags {
            if !cf.host.is_gflag() || !cf.port.is_gflag() {
                return err(format!("{path}.clientFlags"), "client flags must be gflags".into());
            }
        }
        Ok(())
    }

    /// The names of every setting a role gets when the `enabled` roles run:
    /// its port flags, its fixed flags and the client flags of the ports it connects to.
    fn settings_of<'a>(
        &'a self,
        role: &'a Role,
        enabled: &'a BTreeSet<&RoleName>,
    ) -> impl Iterator<Item = &'a FlagName> + 'a {
        let own = self.ports_of(&role.name).map(|p| &p.flag);
        let logging = self.logging.iter().filter(|_| role.config == ConfigStyle::Gflags).flat_map(|l| l.flags());
        let hostname = self.hostname_flag.iter().filter(|_| role.config == ConfigStyle::Gflags);
        let fixed = role.flags.keys().chain(logging).chain(hostname);
        let client = self
            .ports
            .iter()
            .filter(move |p| enabled.contains(&p.role) && p.peers.contains(&role.name))
            .filter_map(|p| p.client_flags.as_ref())
            .flat_map(|cf| [&cf.host, &cf.port]);
        own.chain(fixed).chain(client)
    }
}

/// A drain: a signal name, and a grace period within the deadline.
fn validate_drain(path: &str, role: &Role, drain: &super::Drain) -> Result<(), Failure> {
    let valid_signal = drain.signal.strip_prefix("SIG").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '+')
    });
    if !valid_signal {
        return err(format!("{path}.drain.signal"), format!("'{}' is not a signal name like SIGRTMIN", drain.signal));
    }
    if drain.grace_period_seconds > drain.deadline_seconds {
        return err(
            format!("{path}.drain"),
            format!(
                "the grace period ({} s) of role '{}' is longer than its deadline ({} s)",
                drain.grace_period_seconds, role.name, drain.deadline_seconds
            ),
        );
    }
    Ok(())
}

fn check_unique<'a>(flags: impl Iterator<Item = &'a FlagName>) -> Result<(), &'a FlagName> {
    let mut seen = BTreeSet::new();
    for flag in flags {
        if !seen.insert(flag) {
            return Err(flag);
        }
    }
    Ok(())
}
