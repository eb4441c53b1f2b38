//! How a daemon runs, as its registry declares it: its JVM, its logging
//! flags, and its graceful shutdown.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::{FlagName, PortName, RoleName, VolumeName};

/// A daemon's JVM: its heap is sized from the container's memory limit and
/// set through `JAVA_TOOL_OPTIONS`, which every JVM reads and the images'
/// entrypoint appends after its own `-Xmx2g` (docker/daemon_entrypoint.sh:127-128
/// at 4.5.0), so that ours wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Jvm {
    /// The default heap, in percent of the container's memory limit.
    pub heap_percent: u32,
    /// True when the daemon's process memory limit includes the heap
    /// (`-mem_limit_includes_jvm=true` in the impalad images): the memory left
    /// for queries is then the process limit less the heap.
    #[serde(default)]
    pub heap_in_mem_limit: bool,
    /// The environment variable that takes the heap in MiB, for a launcher
    /// script that sets its own `-Xmx` from it on the command line (which
    /// outranks `JAVA_TOOL_OPTIONS`); without it, `JAVA_TOOL_OPTIONS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_env: Option<String>,
}

impl Jvm {
    /// The variable that sets the heap, and its value for a heap of `mib` MiB.
    pub fn heap_setting(&self, mib: u64) -> (&str, String) {
        match &self.heap_env {
            Some(name) => (name.as_str(), mib.to_string()),
            None => ("JAVA_TOOL_OPTIONS", format!("-Xmx{mib}m")),
        }
    }
}

/// How the gflag daemons log: to stderr, where `kubectl logs` and log
/// shippers read it, or to rotated files in a writable directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Logging {
    /// The flags that send every line to stderr (and none to files).
    pub to_stderr: BTreeMap<FlagName, String>,
    /// The flags that write the logs to files in the log directory instead.
    pub to_files: BTreeMap<FlagName, String>,
    /// The flag that bounds how many files each severity keeps.
    pub max_files_flag: FlagName,
    /// The flag that bounds one file's size, in MB.
    pub max_size_flag: FlagName,
    /// How many severities write files of their own (INFO, WARNING, ERROR).
    pub severities: u32,
    /// The flag that sets the verbosity of debug logging (`v`).
    pub verbosity_flag: FlagName,
    /// The writable directory (by volume name) that holds the log files.
    pub volume: VolumeName,
}

impl Logging {
    /// Every flag the logging settings manage, once each.
    pub fn flags(&self) -> std::collections::BTreeSet<&FlagName> {
        self.to_stderr
            .keys()
            .chain(self.to_files.keys())
            .chain([&self.max_files_flag, &self.max_size_flag, &self.verbosity_flag])
            .collect()
    }
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

/// The flags that turn TLS on, as a registry's Impala build names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TlsFlags {
    /// The server certificate (PEM) of the Thrift and KRPC servers.
    pub certificate: FlagName,
    /// Its private key.
    pub private_key: FlagName,
    /// The CA bundle that daemons verify each other with; with it, TLS
    /// covers the traffic between daemons too.
    pub ca_certificate: FlagName,
    /// The web UI's certificate.
    pub web_certificate: FlagName,
    /// The web UI's private key.
    pub web_private_key: FlagName,
    /// The oldest TLS version accepted.
    pub minimum_version: FlagName,
    /// The TLS 1.2 cipher list (OpenSSL syntax).
    pub cipher_list: FlagName,
    /// The TLS 1.3 cipher suites.
    pub ciphersuites: FlagName,
    /// The versions `minimum_version` takes.
    pub versions: Vec<String>,
}

impl TlsFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 8] {
        [
            &self.certificate,
            &self.private_key,
            &self.ca_certificate,
            &self.web_certificate,
            &self.web_private_key,
            &self.minimum_version,
            &self.cipher_list,
            &self.ciphersuites,
        ]
    }
}

/// The flags of LDAP authentication for client connections, as a
/// registry's Impala build names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LdapFlags {
    /// Turns LDAP authentication on.
    pub enable: FlagName,
    /// The server's URI (`ldap://` or `ldaps://`).
    pub uri: FlagName,
    /// StartTLS on an `ldap://` URI.
    pub start_tls: FlagName,
    /// The CA certificate that verifies the LDAP server.
    pub ca_certificate: FlagName,
    /// Simple bind: the base DN a user's DN is made from.
    pub base_dn: FlagName,
    /// Simple bind: the domain appended to a user name.
    pub domain: FlagName,
    /// Simple bind: a pattern with `#UID` for the user's DN.
    pub bind_pattern: FlagName,
    /// Search bind instead of simple bind.
    pub search_bind: FlagName,
    /// Search bind: where users are searched.
    pub user_search_base_dn: FlagName,
    /// Search bind: where groups are searched.
    pub group_search_base_dn: FlagName,
    /// The DN Impala binds as to search.
    pub bind_dn: FlagName,
    /// A command whose output is the bind password.
    pub bind_password_cmd: FlagName,
    /// The filter users must match.
    pub user_filter: FlagName,
    /// The filter of the groups users must belong to.
    pub group_filter: FlagName,
    /// Allows passwords in the clear on the LDAP connection.
    pub passwords_in_clear_ok: FlagName,
}

impl LdapFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 15] {
        [
            &self.enable,
            &self.uri,
            &self.start_tls,
            &self.ca_certificate,
            &self.base_dn,
            &self.domain,
            &self.bind_pattern,
            &self.search_bind,
            &self.user_search_base_dn,
            &self.group_search_base_dn,
            &self.bind_dn,
            &self.bind_password_cmd,
            &self.user_filter,
            &self.group_filter,
            &self.passwords_in_clear_ok,
        ]
    }
}

/// The flags that put a daemon's web UI behind a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebUiAuthFlags {
    /// The password file (htdigest: `user:realm:hash`).
    pub password_file: FlagName,
    /// The realm of the password file.
    pub realm: FlagName,
    /// Logins checked against LDAP (the client LDAP settings).
    pub require_ldap: FlagName,
    /// Allows LDAP logins to a web UI without TLS.
    pub ldap_passwords_in_clear_ok: FlagName,
}

impl WebUiAuthFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 4] {
        [&self.password_file, &self.realm, &self.require_ldap, &self.ldap_passwords_in_clear_ok]
    }
}

/// The flags of Kerberos, as a registry's Impala build names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KerberosFlags {
    /// The service principal (client and internal connections).
    pub principal: FlagName,
    /// A principal for internal connections only.
    pub be_principal: FlagName,
    /// The keytab.
    pub keytab_file: FlagName,
    /// krb5.conf.
    pub krb5_conf: FlagName,
    /// The name the daemon advertises, which `_HOST` stands for.
    pub hostname: FlagName,
    /// Whether the daemon advertises its IP address instead of its name.
    pub use_resolved_hostname: FlagName,
    /// SPNEGO logins on the web UI.
    pub web_ui_spnego: FlagName,
}

impl KerberosFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 7] {
        [
            &self.principal,
            &self.be_principal,
            &self.keytab_file,
            &self.krb5_conf,
            &self.hostname,
            &self.use_resolved_hostname,
            &self.web_ui_spnego,
        ]
    }
}

/// The flags of a pair of statestoreds (Impala 4.4+): one active, one standby.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatestoredHaFlags {
    /// The role that runs as a pair.
    pub role: RoleName,
    /// The role's port the two talk over (a port with `when: statestoredHa`).
    pub port: PortName,
    /// Turns HA on, on both statestoreds and every subscriber.
    pub enable: FlagName,
    /// Each statestored's peer: its host.
    pub peer_host: FlagName,
    /// Each statestored's peer: its HA port.
    pub peer_port: FlagName,
    /// The second statestored, on every subscriber: its host.
    pub second_host: FlagName,
    /// The second statestored, on every subscriber: its port.
    pub second_port: FlagName,
    /// How long a statestored waits for its peer before it takes the active role (ms).
    pub preemption_wait: FlagName,
    /// How long the peer may be silent before it counts as lost (s).
    pub peer_timeout: FlagName,
}

impl StatestoredHaFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 7] {
        [
            &self.enable,
            &self.peer_host,
            &self.peer_port,
            &self.second_host,
            &self.second_port,
            &self.preemption_wait,
            &self.peer_timeout,
        ]
    }
}

/// The flags of a pair of catalogds (Impala 4.3+): the statestore elects the active one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogdHaFlags {
    /// The role that runs as a pair.
    pub role: RoleName,
    /// Turns HA on, on both catalogds and on the statestored, which must agree.
    pub enable: FlagName,
    /// The role that elects the active one and takes `enable` and `preemptionWait` too.
    pub elector: RoleName,
    /// How long the elector waits for the second catalogd before it makes the first active (ms).
    pub preemption_wait: FlagName,
}

impl CatalogdHaFlags {
    /// Every flag, once each.
    pub fn flags(&self) -> [&FlagName; 2] {
        [&self.enable, &self.preemption_wait]
    }
}

/// The flags that point a daemon at the admission pool files, and the roles that read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionFlags {
    /// The allocation file (fair-scheduler.xml): the pools and who may submit.
    pub allocation_file: FlagName,
    /// The per-pool properties (llama-site.xml): limits and default query options.
    pub llama_site: FlagName,
    /// The roles that resolve a query's pool and read the files.
    pub roles: Vec<RoleName>,
}

/// The flags of executor groups (Impala 3.3+): which group an executor joins,
/// and what the coordinators plan for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutorGroupFlags {
    /// The role whose pods form the groups.
    pub role: RoleName,
    /// An executor's group and its minimum size (`<name>:<min size>`).
    pub flag: FlagName,
    /// The role that plans queries and takes the two flags below.
    pub planner: RoleName,
    /// The group sets the planner expects (`<pool>:<size>`, comma-separated).
    pub expected_sets: FlagName,
    /// The executors the planner expects of the default group.
    pub expected_executors: FlagName,
    /// The group every pool without a group of its own uses.
    pub default_group: String,
}

/// Where Prometheus scrapes a daemon: the port that serves the metrics without
/// a login, and the path of the Prometheus text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsFlags {
    /// The name of the ports (with `when: metrics`) Prometheus scrapes.
    pub port: PortName,
    /// The path of the Prometheus text (`/metrics_prometheus`).
    pub path: String,
}
