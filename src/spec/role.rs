//! One role of a request, resolved in named steps: replicas, ports and
//! access, the external Service, pod settings, extra flags, drain and image.

use std::collections::{BTreeMap, BTreeSet};

use super::auth::{ClusterLdap, ClusterWebUiAuth};
use super::checks::{check_labels, fail, fail_key, hint, mebibytes, quantity};
use super::crd::{ImpalaClusterSpec, LogDestination, PullPolicy, RoleSpec};
use super::kerberos::ClusterKerberos;
use super::model::{ClusterDrain, ClusterPort, ClusterRole, DataClaim, RoleLogging, RoleWiring, MAX_REPLICAS};
use super::storage::ClusterStorage;
use super::tls::ClusterTls;
use super::{FieldPath, ServiceType, SpecError};
use crate::names::{is_rfc1123_subdomain, FlagName, PortNumber, RoleName};
use crate::registry::{Access, Audience, ConfigStyle, Registry, Role, CONF_VOLUME};

/// The most verbose debug logging Impala's daemons offer (`-v=3`).
pub const MAX_LOG_VERBOSITY: u32 = 3;

/// Log files kept per severity when the spec names no number.
pub const DEFAULT_LOG_FILES: u32 = 5;

/// The image repository and tag prefix every role's image is made of.
pub(super) struct Images<'a> {
    /// The repository.
    pub repository: &'a str,
    /// The tag prefix.
    pub tag: &'a str,
}

/// What every step of one role reads.
#[derive(Clone)]
pub(super) struct RoleInput<'a, 'r> {
    pub registry: &'r Registry,
    pub role: &'r Role,
    /// The user's settings of the role.
    pub spec: &'a RoleSpec,
    /// `spec.roles.<role>`.
    pub field: FieldPath,
    pub running: &'a BTreeSet<&'r RoleName>,
    pub default_service_type: ServiceType,
    /// The table storage, for a role that reads and writes tables.
    pub storage: Option<&'a ClusterStorage>,
    /// TLS, for a role that takes gflags.
    pub tls: Option<&'a ClusterTls<'r>>,
    /// LDAP, for a role that takes gflags.
    pub ldap: Option<&'a ClusterLdap>,
    /// Logins on the web UIs, for a role that takes gflags.
    pub web_ui_auth: Option<&'a ClusterWebUiAuth>,
    /// Kerberos, for a role that takes gflags.
    pub kerberos: Option<&'a ClusterKerberos<'r>>,
    /// True when the role runs as an active and a standby pod.
    pub pair: bool,
    /// The admission pools, for a role that reads them.
    pub admission: Option<&'a super::admission::ClusterAdmission<'r>>,
    /// True when the spec turns the metrics port on.
    pub metrics: bool,
}

impl<'r> RoleInput<'_, 'r> {
    pub(super) fn name(&self) -> &'r str {
        self.role.name.as_str()
    }

    /// Every step of the role, in order.
    pub(super) fn resolve(
        &self,
        cluster: &ImpalaClusterSpec,
        images: &Images<'_>,
        node_ports: &mut BTreeMap<i32, FieldPath>,
    ) -> Result<ClusterRole<'r>, SpecError> {
        let replicas = self.replicas()?;
        // The cluster's Service type is for client endpoints: a role that serves
        // only administrators (web UIs) keeps a ClusterIP Service unless it asks.
        let default_type = if self.serves_clients() { self.default_service_type } else { ServiceType::ClusterIP };
        let service_type = self.spec.service.type_.unwrap_or(default_type);
        let ports = self.ports(service_type, node_ports)?;
        let service = self.service(&ports, service_type)?;
        self.check_pod_settings()?;
        self.check_extra_flags()?;
        let drain = self.drain()?;
        let logging = self.logging(cluster)?;
        let image = self.image(cluster, images)?;
        let resources = self.resources()?;
        let jvm_heap_mib = self.jvm_heap(&resources)?;
        let wiring = self.wiring()?;
        let run_as = super::wiring::run_as(&self.field, self.spec)?;
        let data_claims = self.data_claims()?;
        let rs = self.spec;
        Ok(ClusterRole {
            role: self.role,
            replicas,
            image,
            pull_policy: cluster.image.pull_policy.unwrap_or(PullPolicy::IfNotPresent),
            resources,
            node_selector: rs.node_selector.clone(),
            tolerations: rs.tolerations.clone(),
            affinity: rs.affinity.clone(),
            pod_annotations: rs.pod_annotations.clone(),
            pod_labels: rs.pod_labels.clone(),
            extra_flags: rs.extra_flags.clone(),
            service,
            ports,
            drain,
            logging,
            jvm_heap_mib,
            wiring,
            run_as,
            data_claims,
            groups: Vec::new(),
        })
    }

    /// The claims of the role's data directories, sized and classed as the spec says.
    fn data_claims(&self) -> Result<Vec<DataClaim>, SpecError> {
        let field = self.field.key("persistence");
        let persistence = self.spec.persistence.clone().unwrap_or_default();
        if self.role.data_dirs.is_empty() && self.spec.persistence.is_some() {
            return fail(
                field,
                format!("role '{}' keeps no data across restarts, so it has no claims to size", self.name()),
            );
        }
        if let Some(class) = persistence.storage_class_name.as_ref().filter(|c| !is_rfc1123_subdomain(c)) {
            return fail(
                field.key("storageClassName"),
                format!("'{class}' is not a StorageClass name: lowercase letters, digits, '-' and '.'"),
            );
        }
        if let Some(size) = persistence.size.as_ref().filter(|s| quantity(s).is_none_or(|q| q <= 0.0)) {
            return fail(field.key("size"), format!("'{size}' is not a size: a quantity of bytes such as 10Gi"));
        }
        Ok(self
            .role
            .data_dirs
            .iter()
            .map(|(volume, dir)| DataClaim {
                volume: volume.to_string(),
                path: dir.path.clone(),
                size: persistence.size.clone().unwrap_or_else(|| dir.size.clone()),
                storage_class_name: persistence.storage_class_name.clone(),
            })
            .collect())
    }

    /// Env, volumes and extra containers: see [`super::wiring`].
    fn wiring(&self) -> Result<RoleWiring, SpecError> {
        let role = self.role;
        let field = &self.field;
        let mut managed_env: Vec<(&str, String)> =
            role.jvm.iter().map(|j| (j.heap_setting(0).0, format!("the JVM heap: set {field}.jvmHeap"))).collect();
        managed_env.extend(role.env.keys().map(|k| (k.as_str(), "the role's registry sets it".to_owned())));
        if self.registry.hostname_flag.is_some() && role.config == ConfigStyle::Gflags {
            managed_env.push((super::model::POD_NAME, "the name the daemon advertises".to_owned()));
        }
        let mut own: Vec<(&str, &str)> = vec![(CONF_VOLUME, role.conf_dir.as_str())];
        own.extend(role.writable_dirs.iter().map(|(v, d)| (v.as_str(), d.path.as_str())));
        own.extend(role.data_dirs.iter().map(|(v, d)| (v.as_str(), d.path.as_str())));
        if self.tls.is_some() {
            own.extend([("tls", super::tls::TLS_DIR), ("tls-ca", super::tls::TLS_CA_DIR)]);
        }
        if self.ldap.is_some() {
            own.extend([("ldap-bind", super::auth::LDAP_BIND_DIR), ("ldap-ca", super::auth::LDAP_CA_DIR)]);
        }
        if self.web_ui_auth.is_some() {
            own.push(("webui-auth", super::auth::WEB_UI_AUTH_DIR));
        }
        if self.admission.is_some() {
            own.push((super::admission::ADMISSION_VOLUME, super::admission::ADMISSION_DIR));
        }
        if self.kerberos.is_some() {
            own.extend([("kerberos", super::kerberos::KEYTAB_DIR), ("krb5", super::kerberos::KRB5_DIR)]);
            managed_env.push((super::model::POD_NAME, "the name the daemon advertises".to_owned()));
        }
        if let Some(storage) = self.storage {
            own.extend(storage.mounts.iter().map(|m| (m.name.as_str(), m.mount_path.as_str())));
            managed_env.extend(
                storage
                    .env
                    .iter()
                    .map(|e| (e.name.as_str(), "the storage credentials: set spec.storage.credentials".to_owned())),
            );
        }
        let file_flags: Vec<(&str, &str)> = self
            .spec
            .extra_flags
            .iter()
            .filter(|(f, _)| self.registry.file_flags.iter().any(|ff| ff.as_str() == f.as_str()))
            .map(|(f, v)| (f.as_str(), v.as_str()))
            .collect();
        super::wiring::wiring(&self.field, role, self.spec, &managed_env, &own, &file_flags)
    }

    /// The role's ports that exist: every one without a condition, the
    /// metrics webserver's only while the web UIs ask for a login or the spec
    /// turns metrics on, the statestoreds' HA port only for the pair.
    fn present_ports(&self) -> impl Iterator<Item = &'r crate::registry::Port> + '_ {
        let web_ui_auth = self.web_ui_auth.is_some();
        self.registry.ports_of(&self.role.name).filter(move |p| match p.when {
            None => true,
            Some(crate::registry::PortCondition::WebUiAuth) => web_ui_auth,
            Some(crate::registry::PortCondition::StatestoredHa) => self.pair,
            Some(crate::registry::PortCondition::Metrics) => web_ui_auth || self.metrics,
        })
    }

    /// True when the role has a port for clients on its external Service: a
    /// registry port for clients, or one the spec exposes.
    fn serves_clients(&self) -> bool {
        self.present_ports().any(|p| match self.spec.access.get(p.name.as_str()) {
            Some(&access) => {
                access == Access::External
                    && (p.access == Access::Internal || p.audience.unwrap_or_default() == Audience::Clients)
            }
            None => p.access == Access::External && p.audience.unwrap_or_default() == Audience::Clients,
        })
    }

    /// The pod count: 2 for a pair, 1 for a singleton, within the role's bounds otherwise.
    fn replicas(&self) -> Result<i32, SpecError> {
        let (name, role) = (self.name(), self.role);
        if self.pair {
            let pair = super::ha::PAIR;
            return match self.spec.replicas {
                Some(count) if i64::from(count) != i64::from(pair) => fail(
                    self.field.key("replicas"),
                    format!("role '{name}' runs as a pair (ha.enabled) of exactly {pair} pods, not {count}"),
                ),
                _ => Ok(pair),
            };
        }
        let count = self.spec.replicas.unwrap_or(role.replicas.default);
        if role.is_singleton() && count != 1 {
            return fail(
                self.field.key("replicas"),
                format!("role '{name}' is a singleton and runs exactly 1 pod, not {count}"),
            );
        }
        let max = role.replicas.max.unwrap_or(MAX_REPLICAS).min(MAX_REPLICAS);
        if count < role.replicas.min || count > max {
            return fail(
                self.field.key("replicas"),
                format!("role '{name}' runs at least {} and at most {max} pod(s), not {count}", role.replicas.min),
            );
        }
        Ok(i32::try_from(count).expect("at most MAX_REPLICAS"))
    }

    /// The ports with their number and access overrides and node ports; no
    /// two with one number.
    fn ports(
        &self,
        service_type: ServiceType,
        node_ports: &mut BTreeMap<i32, FieldPath>,
    ) -> Result<Vec<ClusterPort<'r>>, SpecError> {
        let (name, rs) = (self.name(), self.spec);
        let port_names: Vec<&str> = self.present_ports().map(|p| p.name.as_str()).collect();
        for (what, keys) in [
            ("ports", rs.ports.keys().collect::<Vec<_>>()),
            ("access", rs.access.keys().collect()),
            ("service.nodePorts", rs.service.node_ports.keys().collect()),
        ] {
            if let Some(key) = keys.into_iter().find(|k| !port_names.contains(&k.as_str())) {
                let field = what.split('.').fold(self.field.clone(), |f, k| f.key(k)).key(key.as_str());
                return fail_key(
                    field,
                    format!(
                        "role '{name}' has no port '{key}'{}; its ports are: {}",
                        hint(key, port_names.iter().copied()),
                        port_names.join(", ")
                    ),
                );
            }
        }
        let mut ports: Vec<ClusterPort<'r>> = Vec::new();
        for entry in self.present_ports() {
            let key = entry.name.as_str();
            let field = self.field.key("ports").key(key);
            let number = match rs.ports.get(key) {
                Some(&n) => PortNumber::try_from(n).or_else(|e| fail(&field, e.to_string()))?,
                None => entry.number,
            };
            if let Some(other) = ports.iter().find(|p| p.number == number) {
                return fail(field, format!("port {number} of '{key}' is already used by port '{}' of role '{name}'; every port of a pod needs its own number", other.name()));
            }
            let audience = match (entry.access, rs.access.get(key)) {
                (Access::External, _) => Some(entry.audience.unwrap_or_default()),
                (Access::Internal, Some(Access::External)) => Some(Audience::Clients),
                (Access::Internal, _) => None,
            };
            // An administrators' port (a web UI) leaves the cluster only where the
            // spec says so (access: external); on a NodePort or LoadBalancer
            // Service it stays on the cluster-local one.
            let admin_inside = audience == Some(Audience::Administrators) && service_type != ServiceType::ClusterIP;
            let access = match rs.access.get(key) {
                Some(&given) => given,
                None if admin_inside => Access::Internal,
                None => entry.access,
            };
            let node_port = match rs.service.node_ports.get(key) {
                None => None,
                Some(&n) => Some(self.node_port(key, n, access, service_type, node_ports)?),
            };
            let peers = entry.peers.iter().filter(|p| self.running.contains(p)).collect();
            ports.push(ClusterPort { entry, number, access, audience, peers, node_port });
        }
        Ok(ports)
    }

    /// Node selector, annotations and labels: valid, and never a label impala-k8s sets.
    fn check_pod_settings(&self) -> Result<(), SpecError> {
        let (rs, field) = (self.spec, &self.field);
        check_labels(&field.key("nodeSelector"), &rs.node_selector, true)?;
        check_labels(&field.key("podAnnotations"), &rs.pod_annotations, false)?;
        check_labels(&field.key("podLabels"), &rs.pod_labels, true)?;
        super::api_rules::check_pod_scheduling(
            field,
            Some(&rs.tolerations),
            rs.affinity.as_ref(),
            rs.resources.as_ref(),
        )?;
        let own = [("podLabels", &rs.pod_labels), ("service.labels", &rs.service.labels)];
        for (what, labels) in own {
            if let Some(key) = labels.keys().find(|k| k.starts_with(crate::builders::meta::LABEL_PREFIX)) {
                let at = what.split('.').fold(field.clone(), |f, k| f.key(k)).key(key.as_str());
                return fail(at, format!("'{key}' is set by impala-k8s (selectors depend on it); choose another key"));
            }
        }
        // Annotation keys are case-insensitive to the API server (it lower-cases them).
        let checksum = crate::builders::CHECKSUM_ANNOTATION;
        if let Some(key) = rs.pod_annotations.keys().find(|k| k.to_lowercase() == checksum) {
            return fail(
                field.key("podAnnotations").key(key.as_str()),
                format!("'{key}' is set by impala-k8s: it rolls the pods when their configuration changes; choose another key"),
            );
        }
        Ok(())
    }

    /// Extra flags: well-formed, of the role's configuration style, and never
    /// one the registry manages.
    fn check_extra_flags(&self) -> Result<(), SpecError> {
        let (name, role) = (self.name(), self.role);
        let managed = managed_flags(self.registry, role);
        let from_spec = self.spec_flags();
        for flag in self.spec.extra_flags.keys() {
            let at = self.field.key("extraFlags").key(flag.as_str());
            let parsed = FlagName::try_from(flag.trim_start_matches('-')).or_else(|e| fail_key(&at, e.to_string()))?;
            if flag.starts_with('-') {
                return fail_key(at, format!("write the flag without its leading '-': '{parsed}'"));
            }
            if parsed.is_gflag() != (role.config == ConfigStyle::Gflags) {
                return fail_key(
                    at,
                    format!(
                        "'{flag}' is not a setting of role '{name}', which takes {}",
                        role.config.site_file().map_or("gflags".to_owned(), |f| format!("{f} properties"))
                    ),
                );
            }
            if let Some(why) = managed.get(flag.as_str()) {
                return fail_key(at, format!("flag '{flag}' is managed by the registry: {why}"));
            }
            // gflags' own flags that read more flags from a file or the environment
            // (gflags.cc: flagfile, fromenv, tryfromenv) would set managed flags unseen.
            if parsed.is_gflag() && ["flagfile", "fromenv", "tryfromenv"].contains(&flag.as_str()) {
                return fail_key(
                    at,
                    format!("'{flag}' reads more flags from a file or the environment, past the check on the flags impala-k8s manages; give each flag in extraFlags"),
                );
            }
            if let Some((_, from)) = from_spec.iter().find(|(f, _)| f == flag) {
                return fail_key(at, format!("flag '{flag}' is set from {from}"));
            }
        }
        Ok(())
    }

    /// The flags the spec's TLS and authentication sections set, each with
    /// where to set it instead.
    fn spec_flags(&self) -> Vec<(String, String)> {
        let mut flags = Vec::new();
        if let Some(t) = self.tls {
            flags.extend(t.flags.flags().iter().map(|f| (f.to_string(), "spec.tls; set TLS there".to_owned())));
        }
        if let Some(l) = self.ldap {
            flags.extend(l.managed.iter().map(|f| (f.clone(), "spec.auth.ldap; set LDAP there".to_owned())));
        }
        if let Some(k) = self.kerberos {
            flags.extend(
                k.flags.flags().iter().map(|f| (f.to_string(), "spec.auth.kerberos; set Kerberos there".to_owned())),
            );
        }
        if let Some(w) = self.web_ui_auth {
            flags.extend(
                w.managed.iter().map(|f| (f.clone(), "spec.auth.webUi; set the web UI's login there".to_owned())),
            );
        }
        // The pairs' flags, whether or not a pair runs: set alone, they would break the cluster.
        if let Some(a) = self.admission {
            let from = || "spec.admission; set the pools there".to_owned();
            flags.extend([(a.flags.allocation_file.to_string(), from()), (a.flags.llama_site.to_string(), from())]);
        }
        let pair = |role: &RoleName| format!("spec.roles.{role}.ha; set the pair there");
        if let Some(h) = &self.registry.statestored_ha {
            flags.extend(h.flags().iter().map(|f| (f.to_string(), pair(&h.role))));
        }
        if let Some(h) = &self.registry.catalogd_ha {
            flags.extend(h.flags().iter().map(|f| (f.to_string(), pair(&h.role))));
        }
        flags
    }

    /// The graceful shutdown: the registry's defaults, the user's times, the
    /// grace period within the deadline.
    fn drain(&self) -> Result<Option<ClusterDrain<'r>>, SpecError> {
        let field = self.field.key("drain");
        let Some(drain) = &self.role.drain else {
            return match self.spec.drain {
                None => Ok(None),
                Some(_) => fail(
                    field,
                    format!("role '{}' has no graceful shutdown: its daemon stops at once on SIGTERM", self.name()),
                ),
            };
        };
        let given = self.spec.drain.clone().unwrap_or_default();
        let grace_period_seconds = given.grace_period_seconds.unwrap_or(drain.grace_period_seconds);
        let deadline_seconds = given.deadline_seconds.unwrap_or(drain.deadline_seconds);
        if grace_period_seconds > deadline_seconds {
            let at = if given.grace_period_seconds.is_some() { "gracePeriodSeconds" } else { "deadlineSeconds" };
            return fail(
                field.key(at),
                format!(
                    "the grace period ({grace_period_seconds} s) must not outlast the deadline ({deadline_seconds} s)"
                ),
            );
        }
        Ok(Some(ClusterDrain { drain, grace_period_seconds, deadline_seconds }))
    }

    /// How the daemon logs: the cluster's destination, each file's size from
    /// the log directory's size limit, the role's verbosity.
    fn logging(&self, cluster: &ImpalaClusterSpec) -> Result<Option<RoleLogging<'r>>, SpecError> {
        let field = self.field.key("logVerbosity");
        let logging = self.registry.logging.as_ref().filter(|_| self.role.config == ConfigStyle::Gflags);
        let Some(logging) = logging else {
            return match self.spec.log_verbosity {
                None => Ok(None),
                Some(_) => fail(field, format!("role '{}' takes no log settings from impala-k8s", self.name())),
            };
        };
        let verbosity = self.spec.log_verbosity.unwrap_or(0);
        if verbosity > MAX_LOG_VERBOSITY {
            return fail(
                field,
                format!("verbosity {verbosity} is out of range: 0 (the default) to {MAX_LOG_VERBOSITY}"),
            );
        }
        let to_files = cluster.logging.destination == Some(LogDestination::Files);
        let max_files = cluster.logging.max_files.unwrap_or(DEFAULT_LOG_FILES);
        let dir = self.role.writable_dirs.get(&logging.volume).expect("validated: gflag roles have the log volume");
        let Some(mib) = mebibytes(&dir.size_limit) else {
            return fail(
                "spec.registry",
                format!(
                    "size limit '{}' of the log directory of role '{}' is not a quantity of bytes like 2Gi",
                    dir.size_limit,
                    self.name()
                ),
            );
        };
        // Half the directory for log files, the rest for query profiles and minidumps.
        let max_size_mib = (mib / 2 / u64::from(logging.severities * max_files)).max(1);
        Ok(Some(RoleLogging { logging, to_files, max_files, max_size_mib, verbosity }))
    }

    /// The role's image: `repository@digest`, or `repository:tag-<image>`.
    fn image(&self, cluster: &ImpalaClusterSpec, images: &Images<'_>) -> Result<String, SpecError> {
        let (repository, tag, suffix) = (images.repository, images.tag, &self.role.image);
        let image = match cluster.image.digests.get(self.name()) {
            Some(digest) => format!("{repository}@{digest}"),
            None if suffix.is_empty() => format!("{repository}:{tag}"),
            None => format!("{repository}:{tag}-{suffix}"),
        };
        if !image.contains('@') && image.len() - repository.len() - 1 > 128 {
            return fail(
                "spec.image.tag",
                format!("tag '{tag}-{suffix}' is longer than the 128 characters a tag may have"),
            );
        }
        Ok(image)
    }
}

/// The flags the registry sets on a role, each with why and what to set instead.
fn managed_flags<'r>(registry: &'r Registry, role: &'r Role) -> BTreeMap<&'r str, String> {
    let name = role.name.as_str();
    let ports = registry.ports.iter().flat_map(|p| {
        let own = (
            p.flag.as_str(),
            format!(
                "it sets port '{}' of role '{}'; set spec.roles.{}.ports.{} instead",
                p.name, p.role, p.role, p.name
            ),
        );
        let client = p.client_flags.iter().flat_map(move |c| {
            [c.host.as_str(), c.port.as_str()].map(|f| {
                (
                    f,
                    format!(
                        "it tells peers where port '{}' of role '{}' is; the registry sets it from the Service",
                        p.name, p.role
                    ),
                )
            })
        });
        std::iter::once(own).chain(client)
    });
    let fixed = role.flags.iter().map(|(f, v)| (f.as_str(), format!("role '{name}' always sets it to '{v}'")));
    let logging = registry.logging.iter().filter(|_| role.config == ConfigStyle::Gflags).flat_map(|l| {
        l.flags().into_iter().map(move |f| {
            (f.as_str(), format!("set spec.logging (files or stderr) or spec.roles.{name}.logVerbosity instead"))
        })
    });
    let hostname =
        registry.hostname_flag.iter().filter(|_| role.config == ConfigStyle::Gflags).map(|f| {
            (f.as_str(), "the daemon advertises its pod's DNS name under its cluster-local Service".to_owned())
        });
    let drain = role.drain.iter().flat_map(|d| {
        [
            (d.grace_period_flag.as_str(), format!("set spec.roles.{name}.drain.gracePeriodSeconds instead")),
            (d.deadline_flag.as_str(), format!("set spec.roles.{name}.drain.deadlineSeconds instead")),
        ]
    });
    ports.chain(fixed).chain(logging).chain(hostname).chain(drain).collect()
}
