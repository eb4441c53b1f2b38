//! Port registries: the roles an Impala build runs, the ports each role listens
//! on, the flag that sets each port, and the roles that connect to it.
//!
//! A registry is data (YAML) validated when it is loaded. The two built-in
//! registries live in `registries/` and are compiled into the binary; a custom
//! registry is loaded and validated the same way.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::{FlagName, PortName, PortNumber, RoleName, VolumeName};

mod daemon;
mod file;
mod release;
mod validate;

pub use daemon::{
    AdmissionFlags, CatalogdHaFlags, Drain, ExecutorGroupFlags, Jvm, KerberosFlags, LdapFlags, Logging, MetricsFlags,
    StatestoredHaFlags, TlsFlags, WebUiAuthFlags,
};
pub use file::{PortEntry, RegistryFile};
pub use release::{ReleaseFlags, ReleaseRange, Releases};

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
    /// CDH 5 (Impala 2.x; the Llama ApplicationMaster up to CDH 5.10), the original port table.
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
            LazyLock::new(|| builtin("impala4.yaml", include_str!(concat!(env!("OUT_DIR"), "/impala4.json"))));
        static CDH5: LazyLock<Registry> =
            LazyLock::new(|| builtin("cdh5.yaml", include_str!(concat!(env!("OUT_DIR"), "/cdh5.json"))));
        match self {
            Profile::Impala4 => &IMPALA4,
            Profile::Cdh5 => &CDH5,
        }
    }

    /// The built-in registry of one release of this profile (its default
    /// release for `None`); `None` for a release the profile does not know.
    pub fn registry_for(self, release: Option<&str>) -> Option<&'static Registry> {
        static IMPALA4: LazyLock<BTreeMap<String, Registry>> = LazyLock::new(|| by_release(Profile::Impala4));
        static CDH5: LazyLock<BTreeMap<String, Registry>> = LazyLock::new(|| by_release(Profile::Cdh5));
        let all = match self {
            Profile::Impala4 => &IMPALA4,
            Profile::Cdh5 => &CDH5,
        };
        let base = self.registry();
        match (release, base.default_release()) {
            (None, None) => Some(base),
            (None, Some(default)) => all.get(default),
            (Some(release), _) => all.get(release),
        }
    }
}

/// A profile's registry for each of its releases.
fn by_release(profile: Profile) -> BTreeMap<String, Registry> {
    let base = profile.registry();
    let known = base.releases.iter().flat_map(|r| r.known.iter());
    known.map(|release| (release.clone(), base.for_release(release))).collect()
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A built-in registry from the JSON that build.rs made of its YAML: read
/// without the YAML parser and the input bounds, which are for files a user
/// gives. It is validated like any registry in debug builds, so by every
/// test run (`builtin_registries_are_valid`); a release build, which every
/// run of the tool would pay for it, trusts what the tests checked.
fn builtin(file: &str, json: &str) -> Registry {
    // The built-in registries are tested; a failure here is a bug in this crate.
    let parsed: RegistryFile =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("built-in registry {file} is invalid: {e}"));
    Registry::expand(parsed)
        .and_then(|registry| if cfg!(debug_assertions) { registry.validate().map(|()| registry) } else { Ok(registry) })
        .unwrap_or_else(|(path, message)| panic!("built-in registry {file} is invalid: {path}: {message}"))
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
    /// Properties in the role's own `hive-site.xml`, as the Hive Metastore
    /// reads them (beside the release's core-site.xml); a port property's
    /// value is the number.
    HiveSite,
}

impl ConfigStyle {
    /// The file a role of this style reads its settings from, when it is no gflag daemon.
    pub fn site_file(self) -> Option<&'static str> {
        match self {
            ConfigStyle::Gflags => None,
            ConfigStyle::LlamaSite => Some("llama-site.xml"),
            ConfigStyle::HiveSite => Some("hive-site.xml"),
        }
    }
}

/// A destination outside the release that a role connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// The Hive Metastore.
    Metastore,
    /// Table storage (HDFS, S3, ...).
    Storage,
    /// A YARN ResourceManager (the Llama ApplicationMaster's).
    Yarn,
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
    /// The port the probes use instead when the web UI asks for a login: a
    /// webserver that serves the health endpoint without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unauthenticated_port: Option<PortName>,
}

/// When a port exists besides always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PortCondition {
    /// Only while the web UIs ask for a login (`spec.auth.webUi`).
    WebUiAuth,
    /// Only while the statestoreds run as a pair (`spec.roles.statestored.ha`).
    StatestoredHa,
    /// Only while the web UIs ask for a login (the probes' port then) or
    /// `spec.metrics` turns the metrics port on.
    Metrics,
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
    /// The image (appended to the tag like a role's) with impala-shell,
    /// which the chart's `helm test` runs; none when no such image exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
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

/// A directory the daemon keeps across restarts, backed by a
/// PersistentVolumeClaim of the StatefulSet (one per pod).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataDir {
    /// Where it is mounted.
    pub path: String,
    /// The size each pod's claim requests by default (a quantity).
    pub size: String,
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
    /// Directories kept across restarts, each a claim of the StatefulSet, by volume name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data_dirs: BTreeMap<VolumeName, DataDir>,
    /// The container's arguments, for a role that takes no gflags (the
    /// command its image's entrypoint runs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment variables the role always gets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Default resource requests and limits.
    pub resources: Resources,
    /// What outside the release the role connects to (for the egress lockdown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<Destination>,
    /// What the role provides in place of an outside destination: a built-in
    /// `metastore` that the roles reaching the metastore use, through its
    /// first port, when it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provides: Option<Destination>,
    /// How the daemon drains before it stops, when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain: Option<Drain>,
    /// The JVM the daemon starts, when it starts one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jvm: Option<Jvm>,
    /// The releases that have the role (a registry with `releases` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<ReleaseRange>,
    /// Flags the role gets in some releases only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release_flags: Vec<ReleaseFlags>,
    /// The setting that takes the host of a destination it reaches
    /// (`yarn: yarn.resourcemanager.hostname`), from the spec.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub destination_flags: BTreeMap<Destination, FlagName>,
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

/// One port of one role, declared once: the expanded view every layer
/// downstream of the registry reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// The role that listens on the port.
    pub role: RoleName,
    /// Where the port is declared in the registry file.
    pub source: PortSource,
    /// The port's Kubernetes name (containerPort, Service port).
    pub name: PortName,
    /// The port number.
    pub number: PortNumber,
    /// Who may reach it: its peers only, or the outside world.
    pub access: Access,
    /// Who uses an external port: clients (the default) or administrators (web UIs).
    pub audience: Option<Audience>,
    /// True for the clients' primary endpoint, where `impala-shell` connects
    /// (at most one port of a registry).
    pub primary: bool,
    /// True when a client's session spans several connections: a Service of
    /// several pods keeps each client on one pod.
    pub sticky: bool,
    /// True when the port speaks HTTP: an Ingress or HTTPRoute may route to it.
    pub http: bool,
    /// The gflag (or llama-site property) that sets the port on its daemon.
    pub flag: FlagName,
    /// Flags that tell the connecting roles where to find the port.
    pub client_flags: Option<ClientFlags>,
    /// The roles that connect to the port.
    pub peers: Vec<RoleName>,
    /// The transport protocol.
    pub protocol: Protocol,
    /// The application protocol spoken on it (`Thrift (HiveServer2)`).
    pub application: String,
    /// The component as the source document names it, where it differs from the role's.
    pub component: Option<String>,
    /// The service as the source document names it.
    pub service: String,
    /// One line on what the port is for.
    pub description: String,
    /// The releases that have the port (a registry with `releases` only).
    pub releases: Option<ReleaseRange>,
    /// When the port exists, if not always.
    pub when: Option<PortCondition>,
}

/// Where a [`Port`] is declared: the entry of the registry file, and the
/// position of its role in the entry's `roles` when it names several. Only
/// messages read it: two registries that declare the same ports are equal
/// however their files group them, so sources always compare equal.
#[derive(Debug, Clone, Copy, Default)]
pub struct PortSource {
    /// The index of the entry in `ports`.
    pub entry: usize,
    /// The index in the entry's `roles`, or `None` for `role`.
    pub role_index: Option<usize>,
}

impl PartialEq for PortSource {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for PortSource {}

impl PortSource {
    /// The entry's field path (`ports[3]`).
    pub fn path(&self) -> String {
        format!("ports[{}]", self.entry)
    }

    /// The field path of the port's role (`ports[3].role`, `ports[4].roles[1]`).
    pub fn role_path(&self) -> String {
        match self.role_index {
            Some(i) => format!("ports[{}].roles[{i}]", self.entry),
            None => format!("ports[{}].role", self.entry),
        }
    }
}

/// A validated port registry, every port expanded to one role (read from and
/// written as a [`RegistryFile`]; written with one role per entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RegistryFile", into = "RegistryFile")]
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
    /// Every port of every role, in file order (a shared entry in the order of its roles).
    pub ports: Vec<Port>,
    /// How the gflag daemons log, where the registry says.
    pub logging: Option<Logging>,
    /// The flags whose value is a file the daemon reads (certificates, keytabs, password files).
    pub file_flags: Vec<FlagName>,
    /// The flag that sets the name a gflag daemon advertises to its peers,
    /// where the images do not advertise a reachable address themselves.
    pub hostname_flag: Option<FlagName>,
    /// The releases the registry describes, when its roles and ports differ between them.
    pub releases: Option<Releases>,
    /// The flags that turn TLS on, where the registry says.
    pub tls: Option<TlsFlags>,
    /// The flags of LDAP authentication, where the registry says.
    pub ldap: Option<LdapFlags>,
    /// The flags of web UI logins, where the registry says.
    pub web_ui_auth: Option<WebUiAuthFlags>,
    /// The flags of Kerberos, where the registry says.
    pub kerberos: Option<KerberosFlags>,
    /// The flags of a statestored pair, where the registry says.
    pub statestored_ha: Option<StatestoredHaFlags>,
    /// The flags of a catalogd pair, where the registry says.
    pub catalogd_ha: Option<CatalogdHaFlags>,
    /// The flags of the admission pool files, where the registry says.
    pub admission: Option<AdmissionFlags>,
    /// The flags of executor groups, where the registry says.
    pub executor_groups: Option<ExecutorGroupFlags>,
    /// Where Prometheus scrapes the daemons, where the registry says.
    pub metrics: Option<MetricsFlags>,
}

impl Registry {
    /// Parses and validates a registry; `origin` names the file in errors.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Registry, RegistryError> {
        // A UTF-8 byte-order mark is no content.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        crate::limits::check(text).map_err(|e| RegistryError {
            origin: origin.to_owned(),
            location: e.position,
            path: "registry".to_owned(),
            message: e.message,
        })?;
        let de = serde_yaml::Deserializer::from_str(text);
        let file: RegistryFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            RegistryError {
                origin: origin.to_owned(),
                // The field's own position where the text has it (serde_yaml
                // names the entry for a value its type refuses), else serde_yaml's.
                location: Some(&path)
                    .filter(|p| !p.is_empty() && *p != ".")
                    .and_then(|p| {
                        crate::spec::positions::positions(text).locate(&crate::spec::FieldPath::from(p.as_str()))
                    })
                    .or(inner.location().map(|l| (l.line(), l.column()))),
                message: crate::spec::load::in_plain_words(crate::spec::load::without_path(
                    &strip_location(&inner.to_string()),
                    &path,
                )),
                path,
            }
        })?;
        // A fault found after parsing is placed by its field path in the text.
        let invalid = |(path, message): (String, String)| RegistryError {
            origin: origin.to_owned(),
            location: crate::spec::positions::positions(text).locate(&crate::spec::FieldPath::from(path.as_str())),
            path,
            message,
        };
        let registry = Registry::expand(file).map_err(invalid)?;
        registry.validate().map_err(invalid)?;
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
    fn builtin_registries_read_alike_from_json_and_yaml() {
        for (profile, yaml) in [
            (Profile::Impala4, include_str!("../../registries/impala4.yaml")),
            (Profile::Cdh5, include_str!("../../registries/cdh5.yaml")),
        ] {
            assert_eq!(profile.registry(), &Registry::from_yaml("yaml", yaml).unwrap(), "{profile}");
        }
    }

    #[test]
    fn builtin_registries_are_valid() {
        // What a release build does not check at run time (see `builtin`).
        for profile in [Profile::Impala4, Profile::Cdh5] {
            assert_eq!(profile.registry().validate(), Ok(()), "{profile}");
            let releases = profile.registry().releases.iter().flat_map(|r| r.known.iter());
            for release in releases {
                let registry = profile.registry_for(Some(release)).expect("a known release");
                assert_eq!(registry.validate(), Ok(()), "{profile} {release}");
            }
        }
    }

    #[test]
    fn builtin_registries_load() {
        let impala4 = Profile::Impala4.registry();
        assert_eq!(impala4.roles.len(), 6);
        assert_eq!(impala4.ports.len(), 24);
        let cdh5 = Profile::Cdh5.registry();
        assert_eq!(cdh5.roles.len(), 4);
        // The 14 rows of the original document, in its order, then KRPC (CDH 5.15+).
        let numbers: Vec<u16> = cdh5.ports.iter().map(|p| p.number.get()).collect();
        assert_eq!(
            numbers,
            [21000, 21050, 22000, 23000, 23020, 25000, 25010, 25020, 24000, 26000, 28000, 15002, 15000, 15001, 27000]
        );
        assert!(cdh5.image.placeholder);
        // Each release: Llama up to 5.10, KRPC from 5.15, neither in between.
        let of = |release| {
            let r = Profile::Cdh5.registry_for(Some(release)).unwrap();
            let roles: Vec<&str> = r.roles.iter().map(|r| r.name.as_str()).collect();
            let numbers: Vec<u16> = r.ports.iter().map(|p| p.number.get()).collect();
            let rm = r.role("impalad").unwrap().flags.keys().any(|f| f.as_str() == "enable_rm");
            (roles.contains(&"llama"), numbers.contains(&15000), numbers.contains(&28000), numbers.contains(&27000), rm)
        };
        assert_eq!(of("5.4"), (true, true, true, false, true));
        assert_eq!(of("5.10"), (true, true, true, false, true));
        assert_eq!(of("5.11"), (false, false, false, false, false));
        assert_eq!(of("5.14"), (false, false, false, false, false));
        assert_eq!(of("5.15"), (false, false, false, true, false));
        assert_eq!(Profile::Cdh5.registry_for(None), Profile::Cdh5.registry_for(Some("5.16")));
        assert_eq!(Profile::Cdh5.registry_for(Some("5.17")), None);
        assert!(Profile::Cdh5.registry_for(None).unwrap().releases.is_none(), "no gates left");
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
    fn release_gates_need_known_releases() {
        let e = mutate(|d| d["ports"][1]["releases"] = serde_yaml::from_str("{since: '5.15'}").unwrap());
        assert_eq!(e.path, "ports[1].releases");
        assert!(e.message.contains("needs the registry's releases"), "{e}");
        let mut doc: serde_yaml::Value = serde_yaml::from_str(include_str!("../../registries/cdh5.yaml")).unwrap();
        doc["ports"][14]["releases"]["since"] = "5.99".into();
        let e = Registry::from_yaml("custom.yaml", &serde_yaml::to_string(&doc).unwrap()).unwrap_err();
        assert_eq!(e.path, "ports[14].releases");
        assert!(e.message.contains("'5.99' is not a known release"), "{e}");
        // Each release is checked on its own: two ports of one number in one release are refused.
        doc["ports"][14]["releases"]["since"] = "5.0".into();
        doc["ports"][14]["number"] = 28000.into();
        let e = Registry::from_yaml("custom.yaml", &serde_yaml::to_string(&doc).unwrap()).unwrap_err();
        assert!(e.message.contains("(in CDH 5.0)"), "{e}");
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
    fn rejects_resources_an_api_server_would_and_places_every_fault() {
        let e = mutate(|d| d["roles"][1]["resources"]["limits"]["memory"] = "1 Gi".into());
        assert_eq!(e.path, "roles[1].resources.limits.memory");
        assert!(e.message.contains("'1 Gi' is not a quantity"), "{e}");
        let e = mutate(|d| d["roles"][1]["resources"]["requests"]["cpu"] = "8".into());
        assert!(e.message.contains("request 8 is more than the limit"), "{e}");
        // Faults found after parsing are placed at their value, and a value its
        // type refuses at the value, not at its entry; the path is said once.
        let text = |edit: fn(&mut serde_yaml::Value)| {
            let mut doc: serde_yaml::Value =
                serde_yaml::from_str(include_str!("../../registries/impala4.yaml")).unwrap();
            edit(&mut doc);
            serde_yaml::to_string(&doc).unwrap()
        };
        for edit in [
            (|d: &mut serde_yaml::Value| d["roles"][1]["resources"]["requests"]["cpu"] = "8".into())
                as fn(&mut serde_yaml::Value),
            |d| d["ports"][2]["number"] = 0.into(),
            |d| d["ports"][3]["peers"][0] = "exec".into(),
        ] {
            let text = text(edit);
            let e = Registry::from_yaml("custom.yaml", &text).unwrap_err();
            let (line, column) = e.location.unwrap_or_else(|| panic!("{e}: no position"));
            let at = &text.lines().nth(line - 1).unwrap()[column - 1..];
            let at = at.trim_start_matches(['\'', '"']);
            assert!(["8", "0", "exec"].iter().any(|v| at.starts_with(v)), "{e}: points at '{at}'");
            assert!(!e.message.contains(&e.path), "the path once: {e}");
        }
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

    #[test]
    fn a_shared_entry_is_one_port_of_each_role() {
        let impala4 = Profile::Impala4.registry();
        let krpc: Vec<&Port> = impala4.ports.iter().filter(|p| p.name.as_str() == "krpc").collect();
        assert_eq!(krpc.iter().map(|p| p.role.as_str()).collect::<Vec<_>>(), ["coordinator", "executor"]);
        assert_eq!(krpc[1].source.role_path(), "ports[3].roles[1]");
        // The one-role form reads as the same registry: it is how the registry is written.
        let written = serde_yaml::to_string(impala4).unwrap();
        assert!(!written.contains("roles: ["), "written one role per entry");
        assert_eq!(&Registry::from_yaml("written.yaml", &written).unwrap(), impala4);
    }

    #[test]
    fn a_shared_entry_names_its_roles_once() {
        let e = mutate(|d| d["ports"][3]["role"] = "coordinator".into());
        assert_eq!(e.path, "ports[3]");
        assert!(e.message.contains("port 'krpc' names both: give role (one role) or roles"), "{e}");
        let e = mutate(|d| d["ports"][0].as_mapping_mut().unwrap().remove("role").map(drop).unwrap());
        assert!(e.message.contains("port 'beeswax' names neither"), "{e}");
        let e = mutate(|d| d["ports"][3]["roles"] = serde_yaml::from_str("[executor, executor]").unwrap());
        assert_eq!((e.path.as_str(), e.message.as_str()), ("ports[3].roles[1]", "role 'executor' is listed twice"));
        let e = mutate(|d| d["ports"][4]["number"] = 27000.into());
        assert_eq!(e.path, "ports[4].number");
        assert!(e.message.contains("port 27000 is used twice in role 'coordinator'"), "{e}");
    }

    #[test]
    fn one_primary_client_endpoint() {
        let primary: Vec<_> = Profile::Impala4.registry().ports.iter().filter(|p| p.primary).collect();
        assert_eq!(primary.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["hs2"]);
        let e = mutate(|d| d["ports"][0]["primary"] = true.into());
        assert_eq!(e.path, "ports[1].primary");
        assert!(
            e.message.contains("port 'beeswax' of role 'coordinator' is already the clients' primary endpoint"),
            "{e}"
        );
        let e = mutate(|d| d["ports"][3]["primary"] = true.into());
        assert!(e.message.contains("port 'krpc' is the clients' primary endpoint, so it must be external"), "{e}");
    }
}
