//! A registry as its file holds it ([`RegistryFile`]): a port that several
//! roles declare alike is one entry (`roles: [coordinator, executor]`). Every
//! layer downstream reads the expanded [`Registry`], one port per role; a
//! registry is written back with one role per entry, the older form, which
//! is still read.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Access, AdmissionFlags, Audience, CatalogdHaFlags, ClientFlags, ExecutorGroupFlags, ImageDefaults, KerberosFlags,
    LdapFlags, Logging, MetricsFlags, Port, PortCondition, PortSource, Protocol, Registry, ReleaseRange, Releases,
    Role, StatestoredHaFlags, TlsFlags, WebUiAuthFlags,
};
use crate::names::{FlagName, PortName, PortNumber, RoleName};

/// A port entry as a registry file holds it: the port of one role (`role`),
/// or a port that several roles declare alike (`roles: [coordinator,
/// executor]`), which stands for one port of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortEntry {
    /// The role that listens on the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
    /// The roles that each listen on the port, alike (instead of `role`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleName>,
    /// The port's Kubernetes name (containerPort, Service port).
    pub name: PortName,
    /// The port number.
    pub number: PortNumber,
    /// Who may reach it: its peers only, or the outside world.
    pub access: Access,
    /// Who uses an external port: clients (the default) or administrators (web UIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// True for the clients' primary endpoint, where `impala-shell` connects
    /// (at most one port of a registry).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary: bool,
    /// True when a client's session spans several connections (HiveServer2
    /// over HTTP): a Service of several pods keeps each client on one pod.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sticky: bool,
    /// True when the port speaks HTTP (HiveServer2 over HTTP, a web UI): an
    /// Ingress or HTTPRoute may route to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub http: bool,
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
    /// The releases that have the port (a registry with `releases` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<ReleaseRange>,
    /// When the port exists, if not always (`webUiAuth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<PortCondition>,
}

/// A port registry as its file holds it; [`Registry`] is its expanded view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistryFile {
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
    /// The ports: each entry names one role, or several that declare it alike.
    pub ports: Vec<PortEntry>,
    /// How the gflag daemons log: their flags for stderr and for files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// The flags whose value is a file the daemon reads (certificates,
    /// keytabs, password files): an extra flag that sets one must point into
    /// a mounted volume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_flags: Vec<FlagName>,
    /// The flag that sets the name each gflag daemon advertises to its peers
    /// (`hostname`), for daemons that would advertise their bare pod name: it
    /// gets the pod's DNS name under its cluster-local Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_flag: Option<FlagName>,
    /// The releases the registry describes (`CDH` 5.0 to 5.16), when roles,
    /// ports or flags differ between them; each of those carries a gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<Releases>,
    /// The flags that turn TLS on for clients, between daemons and on the web UIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFlags>,
    /// The flags of LDAP authentication for client connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<LdapFlags>,
    /// The flags that put the web UIs behind a login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_ui_auth: Option<WebUiAuthFlags>,
    /// The flags of Kerberos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kerberos: Option<KerberosFlags>,
    /// The flags of a statestored pair (high availability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statestored_ha: Option<StatestoredHaFlags>,
    /// The flags of a catalogd pair (high availability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogd_ha: Option<CatalogdHaFlags>,
    /// The flags that point daemons at the admission pool files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<AdmissionFlags>,
    /// The flags of executor groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_groups: Option<ExecutorGroupFlags>,
    /// Where Prometheus scrapes the daemons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsFlags>,
}

impl TryFrom<RegistryFile> for Registry {
    type Error = String;

    fn try_from(file: RegistryFile) -> Result<Self, String> {
        Registry::expand(file).map_err(|(path, message)| format!("{path}: {message}"))
    }
}

impl From<Registry> for RegistryFile {
    fn from(registry: Registry) -> Self {
        let ports = registry
            .ports
            .into_iter()
            .map(|p| PortEntry {
                role: Some(p.role),
                roles: Vec::new(),
                name: p.name,
                number: p.number,
                access: p.access,
                audience: p.audience,
                primary: p.primary,
                sticky: p.sticky,
                http: p.http,
                flag: p.flag,
                client_flags: p.client_flags,
                peers: p.peers,
                protocol: p.protocol,
                application: p.application,
                component: p.component,
                service: p.service,
                description: p.description,
                releases: p.releases,
                when: p.when,
            })
            .collect();
        RegistryFile {
            profile: registry.profile,
            title: registry.title,
            version: registry.version,
            image: registry.image,
            roles: registry.roles,
            ports,
            logging: registry.logging,
            file_flags: registry.file_flags,
            hostname_flag: registry.hostname_flag,
            releases: registry.releases,
            tls: registry.tls,
            ldap: registry.ldap,
            web_ui_auth: registry.web_ui_auth,
            kerberos: registry.kerberos,
            statestored_ha: registry.statestored_ha,
            catalogd_ha: registry.catalogd_ha,
            admission: registry.admission,
            executor_groups: registry.executor_groups,
            metrics: registry.metrics,
        }
    }
}

impl Registry {
    /// The expanded view of a registry file: one port per role of each
    /// entry. Fails (with the field path) on an entry that names no role, or
    /// names one twice.
    pub(super) fn expand(file: RegistryFile) -> Result<Registry, (String, String)> {
        let mut ports = Vec::new();
        for (entry, p) in file.ports.into_iter().enumerate() {
            let roles: Vec<(RoleName, Option<usize>)> = match (p.role, p.roles.is_empty()) {
                (Some(role), true) => vec![(role, None)],
                (None, false) => p.roles.into_iter().enumerate().map(|(i, r)| (r, Some(i))).collect(),
                (role, _) => {
                    let what = if role.is_some() { "both" } else { "neither" };
                    return Err((
                        format!("ports[{entry}]"),
                        format!("port '{}' names {what}: give role (one role) or roles (several roles that declare the port alike)", p.name),
                    ));
                }
            };
            for (role, role_index) in roles {
                // This entry's ports are the last ones pushed.
                if ports.iter().rev().take_while(|q: &&Port| q.source.entry == entry).any(|q| q.role == role) {
                    let i = role_index.unwrap_or_default();
                    return Err((format!("ports[{entry}].roles[{i}]"), format!("role '{role}' is listed twice")));
                }
                ports.push(Port {
                    role,
                    source: PortSource { entry, role_index },
                    name: p.name.clone(),
                    number: p.number,
                    access: p.access,
                    audience: p.audience,
                    primary: p.primary,
                    sticky: p.sticky,
                    http: p.http,
                    flag: p.flag.clone(),
                    client_flags: p.client_flags.clone(),
                    peers: p.peers.clone(),
                    protocol: p.protocol,
                    application: p.application.clone(),
                    component: p.component.clone(),
                    service: p.service.clone(),
                    description: p.description.clone(),
                    releases: p.releases.clone(),
                    when: p.when,
                });
            }
        }
        Ok(Registry {
            profile: file.profile,
            title: file.title,
            version: file.version,
            image: file.image,
            roles: file.roles,
            ports,
            logging: file.logging,
            file_flags: file.file_flags,
            hostname_flag: file.hostname_flag,
            releases: file.releases,
            tls: file.tls,
            ldap: file.ldap,
            web_ui_auth: file.web_ui_auth,
            kerberos: file.kerberos,
            statestored_ha: file.statestored_ha,
            catalogd_ha: file.catalogd_ha,
            admission: file.admission,
            executor_groups: file.executor_groups,
            metrics: file.metrics,
        })
    }
}
