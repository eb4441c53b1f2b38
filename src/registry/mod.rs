//! Port registries: the roles an Impala build runs, the ports each role listens
//! on, the flag that sets each port, and the roles that connect to it.
//!
//! A registry is data (YAML) validated when it is loaded. The two built-in
//! registries live in `registries/` and are compiled into the binary; a custom
//! registry is loaded and validated the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::{FlagName, PortName, PortNumber, RoleName, VolumeName};

/// A built-in port registry.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Apache Impala 4.5, as the public `apache/impala` images run it.
    #[default]
    Impala4,
    /// CDH 5 (Impala 2.x with the Llama ApplicationMaster), the original port table.
    Cdh5,
}

impl Profile {
    /// Every built-in profile, in a stable order.
    pub const ALL: [Profile; 2] = [Profile::Impala4, Profile::Cdh5];

    /// The profile's name as the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Impala4 => "impala4",
            Profile::Cdh5 => "cdh5",
        }
    }

    /// The built-in registry of this profile, parsed and validated once.
    pub fn registry(self) -> &'static Registry {
        static IMPALA4: LazyLock<Registry> =
            LazyLock::new(|| builtin("impala4.yaml", include_str!("../../registries/impala4.yaml")));
        static CDH5: LazyLock<Registry> =
            LazyLock::new(|| builtin("cdh5.yaml", include_str!("../../registries/cdh5.yaml")));
        match self {
            Profile::Impala4 => &IMPALA4,
            Profile::Cdh5 => &CDH5,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn builtin(file: &str, text: &str) -> Registry {
    // The built-in registries are tested; a failure here is a bug in this crate.
    Registry::from_yaml(&format!("registries/{file}"), text)
        .unwrap_or_else(|e| panic!("built-in registry is invalid: {e}"))
}

/// A registry that failed to load: where, which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}{}: {path}: {message}", location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct RegistryError {
    /// The file (or built-in name) the registry came from.
    pub origin: String,
    /// Line and column in that file, where known.
    pub location: Option<(usize, usize)>,
    /// The field path, for example `ports[3].peers[1]`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// Whether a port may be reached from outside the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Reached only by the Impala roles listed as its peers, inside the cluster.
    Internal,
    /// Reached by clients and administrators, through the role's external Service.
    External,
}

impl Access {
    /// The access as the registry spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Internal => "internal",
            Access::External => "external",
        }
    }
}

/// Who reaches an external port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Client applications: impala-shell, JDBC and ODBC drivers, BI tools.
    #[default]
    Clients,
    /// Administrators: the web UIs.
    Administrators,
}

/// The transport protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub enum Protocol {
    /// TCP, the protocol of every Impala port.
    #[default]
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
}

impl Protocol {
    /// The protocol as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// How a role's daemon is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ConfigStyle {
    /// Command-line gflags (`-hs2_port=21050`), as every Impala daemon takes them.
    #[default]
    Gflags,
    /// Properties in `llama-site.xml`, as the Llama ApplicationMaster reads them;
    /// a port property's value is `0.0.0.0:<port>`.
    LlamaSite,
}

/// A destination outside the release that a role connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// The Hive Metastore.
    Metastore,
    /// Table storage (HDFS, S3, ...).
    Storage,
}

/// How many pods a role may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replicas {
    /// The count when the user sets none.
    pub default: u32,
    /// The smallest count allowed.
    pub min: u32,
    /// The largest count allowed; 1 makes the role a singleton.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// A role's startup, liveness and readiness checks: an HTTP GET where the
/// daemon serves a health endpoint, a TCP check otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeSpec {
    /// The role's port the probes target.
    pub port: PortName,
    /// The path of the HTTP health endpoint (`/healthz`); without it, the probes are TCP checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_path: Option<String>,
}

/// CPU and memory as Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    /// CPU, for example `500m` or `2`.
    pub cpu: String,
    /// Memory, for example `4Gi`.
    pub memory: String,
}

/// Resource requests and limits of a role's container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// What the scheduler reserves.
    pub requests: CpuMemory,
    /// What the container may use at most.
    pub limits: CpuMemory,
}

/// Daemon flags set on the roles that connect to a port, so they find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientFlags {
    /// The gflag that takes the address of the port's Service (`state_store_host`).
    pub host: FlagName,
    /// The gflag that takes the port number (`state_store_port`).
    pub port: FlagName,
}

/// The default image of a registry's roles: `<repository>:<tag>-<role image>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageDefaults {
    /// The image repository (`apache/impala`).
    pub repository: String,
    /// The tag prefix (`4.5.0`); each role appends `-<its image>`.
    pub tag: String,
    /// True when no public image exists and the default is a placeholder.
    #[serde(default)]
    pub placeholder: bool,
}

/// A directory the daemon writes to, backed by an emptyDir volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WritableDir {
    /// Where it is mounted.
    pub path: String,
    /// How much it may hold before the kubelet evicts the pod (a quantity).
    pub size_limit: String,
}

/// One Impala role: a daemon that runs as one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Role {
    /// The role's name, used in object names and the component label.
    pub name: RoleName,
    /// The component as Impala's documentation names it.
    pub component: String,
    /// The image suffix (`impalad_coordinator`), appended to the tag.
    pub image: String,
    /// How the daemon takes its settings.
    #[serde(default)]
    pub config: ConfigStyle,
    /// Where the daemon reads its Hadoop, Hive (and Llama) configuration files.
    #[serde(default = "default_conf_dir")]
    pub conf_dir: String,
    /// How many pods the role may run.
    pub replicas: Replicas,
    /// True when the role runs only if the user enables it.
    #[serde(default)]
    pub optional: bool,
    /// Further settings the role always gets (gflags, or llama-site properties).
    #[serde(default)]
    pub flags: BTreeMap<FlagName, String>,
    /// The health checks.
    pub probe: ProbeSpec,
    /// Writable directories, each an emptyDir volume, by volume name.
    #[serde(default)]
    pub writable_dirs: BTreeMap<VolumeName, WritableDir>,
    /// Default resource requests and limits.
    pub resources: Resources,
    /// What outside the release the role connects to (for the egress lockdown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<Destination>,
    /// How the daemon drains before it stops, when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain: Option<Drain>,
}

/// A daemon's graceful shutdown: a signal starts it, the daemon stops taking
/// new work, waits out a grace period, then exits once idle or at a deadline.
/// (Impala 3.1+ impalads: SIGRTMIN, be/src/common/init.h; SIGTERM exits at once.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Drain {
    /// The signal that starts the drain, as `kill -s` takes it (`SIGRTMIN`).
    pub signal: String,
    /// The flag that sets the grace period in seconds.
    pub grace_period_flag: FlagName,
    /// The flag that sets the deadline in seconds, counted from the signal.
    pub deadline_flag: FlagName,
    /// The default grace period: time for the cluster to learn the daemon is leaving.
    pub grace_period_seconds: u32,
    /// The default deadline: the daemon exits then, whatever still runs.
    pub deadline_seconds: u32,
}

/// The name of the volume that holds a role's configuration files.
pub const CONF_VOLUME: &str = "conf";

fn default_conf_dir() -> String {
    "/opt/impala/conf".to_owned()
}

impl Role {
    /// True when the role may never run more than one pod.
    pub fn is_singleton(&self) -> bool {
        self.replicas.max == Some(1)
    }
}

/// One port of one role, declared once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Port {
    /// The role that listens on the port.
    pub role: RoleName,
    /// The port's Kubernetes name (containerPort, Service port).
    pub name: PortName,
    /// The port number.
    pub number: PortNumber,
    /// Who may reach it: its peers only, or the outside world.
    pub access: Access,
    /// Who uses an external port: clients (the default) or administrators (web UIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// The gflag (or llama-site property) that sets the port on its daemon.
    pub flag: FlagName,
    /// Flags that tell the connecting roles where to find the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_flags: Option<ClientFlags>,
    /// The roles that connect to the port.
    #[serde(default)]
    pub peers: Vec<RoleName>,
    /// The transport protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// The application protocol spoken on it (`Thrift (HiveServer2)`).
    pub application: String,
    /// The component as the source document names it, where it differs from the role's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The service as the source document names it.
    pub service: String,
    /// One line on what the port is for.
    pub description: String,
}

/// A validated port registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registry {
    /// The registry's name (`impala4`).
    pub profile: String,
    /// A human title (`Apache Impala 4.5`).
    pub title: String,
    /// The Impala version, for the `app.kubernetes.io/version` label.
    pub version: String,
    /// The default image.
    pub image: ImageDefaults,
    /// The roles, in the order they are rendered.
    pub roles: Vec<Role>,
    /// Every port of every role.
    pub ports: Vec<Port>,
}

impl Registry {
    /// Parses and validates a registry; `origin` names the file in errors.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Registry, RegistryError> {
        crate::limits::check(text).map_err(|e| RegistryError {
            origin: origin.to_owned(),
            location: e.position,
            path: "registry".to_owned(),
            message: e.message,
        })?;
        let de = serde_yaml::Deserializer::from_str(text);
        let registry: Registry = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            RegistryError {
                origin: origin.to_owned(),
                location: inner.location().map(|l| (l.line(), l.column())),
                path,
                message: strip_location(&inner.to_string()),
            }
        })?;
        registry.validate().map_err(|(path, message)| RegistryError {
            origin: origin.to_owned(),
            location: None,
            path,
            message,
        })?;
        Ok(registry)
    }

    /// The role with this name.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name.as_str() == name)
    }

    /// The ports of one role, in registry order.
    pub fn ports_of<'a>(&'a self, role: &'a RoleName) -> impl Iterator<Item = &'a Port> + 'a {
        self.ports.iter().filter(move |p| &p.role == role)
    }

    /// The names of every role, comma separated, for messages.
    pub fn role_names(&self) -> String {
        self.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let err = |path: String, message: String| Err((path, message));
        if self.roles.is_empty() {
            return err("roles".into(), "a registry needs at least one role".into());
        }
        let mut role_names = BTreeSet::new();
        for (i, role) in self.roles.iter().enumerate() {
            let path = format!("roles[{i}]");
            if !role_names.insert(&role.name) {
                return err(format!("{path}.name"), format!("role '{}' is declared twice", role.name));
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
                let valid_signal = drain.signal.strip_prefix("SIG").is_some_and(|rest| {
                    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '+')
                });
                if !valid_signal {
                    return err(
                        format!("{path}.drain.signal"),
                        format!("'{}' is not a signal name like SIGRTMIN", drain.signal),
                    );
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
            if !self.ports.iter().any(|p| p.role == role.name && p.name == role.probe.port) {
                return err(
                    format!("{path}.probe.port"),
                    format!("role '{}' has no port named '{}' to probe", role.name, role.probe.port),
                );
            }
        }
        let mut seen: BTreeMap<&RoleName, (BTreeSet<&PortName>, BTreeSet<PortNumber>)> = BTreeMap::new();
        for (i, port) in self.ports.iter().enumerate() {
            let path = format!("ports[{i}]");
            let Some(role) = self.role(port.role.as_str()) else {
                return err(
                    format!("{path}.role"),
                    format!("role '{}' is not declared; the roles are: {}", port.role, self.role_names()),
                );
            };
            let (names, numbers) = seen.entry(&port.role).or_default();
            if !names.insert(&port.name) {
                return err(
                    format!("{path}.name"),
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
                    format!(
                        "internal port '{}' is reached by its peers; only an external port has an audience",
                        port.name
                    ),
                );
            }
            if port.access == Access::Internal && port.peers.is_empty() {
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
        }
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

    /// The names of every setting a role gets when the `enabled` roles run:
    /// its port flags, its fixed flags and the client flags of the ports it connects to.
    fn settings_of<'a>(
        &'a self,
        role: &'a Role,
        enabled: &'a BTreeSet<&RoleName>,
    ) -> impl Iterator<Item = &'a FlagName> + 'a {
        let own = self.ports_of(&role.name).map(|p| &p.flag);
        let fixed = role.flags.keys();
        let client = self
            .ports
            .iter()
            .filter(move |p| enabled.contains(&p.role) && p.peers.contains(&role.name))
            .filter_map(|p| p.client_flags.as_ref())
            .flat_map(|cf| [&cf.host, &cf.port]);
        own.chain(fixed).chain(client)
    }
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

/// serde_yaml appends " at line L column C" to its messages; the location is
/// reported separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registries_load() {
        let impala4 = Profile::Impala4.registry();
        assert_eq!(impala4.roles.len(), 5);
        assert_eq!(impala4.ports.len(), 17);
        let cdh5 = Profile::Cdh5.registry();
        assert_eq!(cdh5.roles.len(), 4);
        // The 14 rows of the original document, in its order.
        let numbers: Vec<u16> = cdh5.ports.iter().map(|p| p.number.get()).collect();
        assert_eq!(
            numbers,
            [21000, 21050, 22000, 23000, 23020, 25000, 25010, 25020, 24000, 26000, 28000, 15002, 15000, 15001]
        );
        assert!(cdh5.image.placeholder);
    }

    #[test]
    fn singletons() {
        let r = Profile::Impala4.registry();
        for (role, singleton) in [
            ("statestored", true),
            ("catalogd", true),
            ("admissiond", true),
            ("coordinator", false),
            ("executor", false),
        ] {
            assert_eq!(r.role(role).unwrap().is_singleton(), singleton, "{role}");
        }
    }

    fn mutate(edit: impl FnOnce(&mut serde_yaml::Value)) -> RegistryError {
        let mut doc: serde_yaml::Value = serde_yaml::from_str(include_str!("../../registries/impala4.yaml")).unwrap();
        edit(&mut doc);
        Registry::from_yaml("custom.yaml", &serde_yaml::to_string(&doc).unwrap()).unwrap_err()
    }

    #[test]
    fn rejects_a_peer_that_is_no_role() {
        let e = mutate(|d| d["ports"][3]["peers"][1] = "exec".into());
        assert_eq!(e.path, "ports[3].peers[1]");
        assert!(e.message.contains("peer 'exec'") && e.message.contains("coordinator, executor"), "{e}");
    }

    #[test]
    fn rejects_duplicate_port_numbers_and_names() {
        let e = mutate(|d| d["ports"][1]["number"] = 21000.into());
        assert_eq!(e.path, "ports[1].number");
        assert!(e.message.contains("port 21000 is used twice in role 'coordinator'"), "{e}");
        let e = mutate(|d| d["ports"][1]["name"] = "beeswax".into());
        assert!(e.message.contains("port name 'beeswax' is used twice"), "{e}");
    }

    #[test]
    fn rejects_bad_values_with_their_path_and_line() {
        let e = mutate(|d| d["ports"][0]["number"] = 70000.into());
        assert_eq!(e.path, "ports[0].number");
        assert!(e.message.contains("port 70000 is out of range"), "{e}");
        assert!(e.location.is_some());
        let e = mutate(|d| d["ports"][0]["name"] = "Beeswax_Port".into());
        assert!(e.message.contains("port name 'Beeswax_Port' is invalid"), "{e}");
        let e = mutate(|d| d["ports"][0]["acess"] = "internal".into());
        assert!(e.message.contains("unknown field `acess`"), "{e}");
    }

    #[test]
    fn rejects_flags_set_twice() {
        let e = mutate(|d| d["roles"][3]["flags"]["hs2_port"] = "1".into());
        assert!(e.message.contains("flag 'hs2_port' would be set twice on role 'coordinator'"), "{e}");
    }

    #[test]
    fn rejects_an_unreachable_internal_port() {
        let e = mutate(|d| d["ports"][3]["peers"] = serde_yaml::Value::Sequence(vec![]));
        assert!(e.message.contains("has no peers"), "{e}");
    }
}
