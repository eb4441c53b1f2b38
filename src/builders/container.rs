//! Containers, their ports, probes, resources and the restricted security context.

use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvFromSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction, Lifecycle,
    LifecycleHandler, ObjectFieldSelector, Probe, ResourceRequirements, SeccompProfile, SecurityContext,
    TCPSocketAction, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::names::{PortName, PortNumber};
use crate::registry::Protocol;

/// Builds a [`Container`]: `add_*` appends, a bare setter replaces.
#[derive(Debug, Clone)]
pub struct ContainerBuilder {
    container: Container,
}

impl ContainerBuilder {
    /// A container with this name.
    pub fn new(name: impl Into<String>) -> Self {
        ContainerBuilder { container: Container { name: name.into(), ..Default::default() } }
    }

    /// Sets the image and its pull policy.
    pub fn image(mut self, image: impl Into<String>, pull_policy: &str) -> Self {
        self.container.image = Some(image.into());
        self.container.image_pull_policy = Some(pull_policy.to_owned());
        self
    }

    /// Appends arguments (after the image's entrypoint and its own arguments).
    pub fn add_args(mut self, args: impl IntoIterator<Item = String>) -> Self {
        let mut args = args.into_iter().peekable();
        if args.peek().is_some() {
            self.container.args.get_or_insert_with(Vec::new).extend(args);
        }
        self
    }

    /// Appends an environment variable with a plain value (never a secret:
    /// those come from Secrets).
    pub fn add_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.container.env.get_or_insert_with(Vec::new).push(EnvVar {
            name: name.into(),
            value: Some(value.into()),
            ..Default::default()
        });
        self
    }

    /// Appends a variable that holds a field of the pod (downward API), such as `metadata.name`.
    pub fn add_field_env(mut self, name: impl Into<String>, field_path: &str) -> Self {
        self.container.env.get_or_insert_with(Vec::new).push(EnvVar {
            name: name.into(),
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector { field_path: field_path.to_owned(), ..Default::default() }),
                ..Default::default()
            }),
            ..Default::default()
        });
        self
    }

    /// Appends environment variables as given (values from Secrets stay references).
    pub fn add_env_vars(mut self, env: &[EnvVar]) -> Self {
        if !env.is_empty() {
            self.container.env.get_or_insert_with(Vec::new).extend(env.iter().cloned());
        }
        self
    }

    /// Appends whole ConfigMaps or Secrets as environment variables.
    pub fn add_env_from(mut self, sources: &[EnvFromSource]) -> Self {
        if !sources.is_empty() {
            self.container.env_from.get_or_insert_with(Vec::new).extend(sources.iter().cloned());
        }
        self
    }

    /// Appends volume mounts as given.
    pub fn add_volume_mounts(mut self, mounts: &[VolumeMount]) -> Self {
        if !mounts.is_empty() {
            self.container.volume_mounts.get_or_insert_with(Vec::new).extend(mounts.iter().cloned());
        }
        self
    }

    /// Appends a named container port.
    pub fn add_container_port(mut self, name: &PortName, number: PortNumber, protocol: Protocol) -> Self {
        self.container.ports.get_or_insert_with(Vec::new).push(ContainerPort {
            name: Some(name.to_string()),
            container_port: number.as_i32(),
            protocol: Some(protocol.as_str().to_owned()),
            ..Default::default()
        });
        self
    }

    /// Appends a volume mount.
    pub fn add_volume_mount(mut self, volume: impl Into<String>, path: impl Into<String>, read_only: bool) -> Self {
        self.container.volume_mounts.get_or_insert_with(Vec::new).push(VolumeMount {
            name: volume.into(),
            mount_path: path.into(),
            read_only: read_only.then_some(true),
            ..Default::default()
        });
        self
    }

    /// Sets the readiness probe.
    pub fn readiness_probe(mut self, probe: Probe) -> Self {
        self.container.readiness_probe = Some(probe);
        self
    }

    /// Sets the liveness probe.
    pub fn liveness_probe(mut self, probe: Probe) -> Self {
        self.container.liveness_probe = Some(probe);
        self
    }

    /// Sets the startup probe.
    pub fn startup_probe(mut self, probe: Probe) -> Self {
        self.container.startup_probe = Some(probe);
        self
    }

    /// Before the kubelet stops the container, sends `signal` to its main
    /// process (PID 1: the image's entrypoint execs the daemon) and waits for it
    /// to exit, so that the kubelet's SIGTERM finds a drained daemon or none.
    pub fn drain_on_stop(mut self, signal: &str) -> Self {
        let script = format!("kill -s {signal} 1 && while kill -0 1 2>/dev/null; do sleep 1; done");
        self.container.lifecycle = Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction { command: Some(vec!["/bin/bash".into(), "-c".into(), script]) }),
                ..Default::default()
            }),
            ..Default::default()
        });
        self
    }

    /// Sets resource requests and limits.
    pub fn resources(mut self, resources: ResourceRequirements) -> Self {
        self.container.resources = Some(resources);
        self
    }

    /// Applies the restricted Pod Security Standard: non-root with the given
    /// uid/gid, no privilege escalation, every capability dropped, RuntimeDefault
    /// seccomp and a read-only root filesystem.
    pub fn restricted(mut self, uid: i64, gid: i64) -> Self {
        self.container.security_context = Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities { drop: Some(vec!["ALL".to_owned()]), ..Default::default() }),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(uid),
            run_as_group: Some(gid),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".to_owned(), ..Default::default() }),
            ..Default::default()
        });
        self
    }

    /// A container the user gave (an init container or a sidecar), with the
    /// daemon's restricted security context.
    pub fn from_container(container: Container) -> Self {
        ContainerBuilder { container }
    }

    /// The container; refuses what an API server would: two volume mounts on
    /// one path, two ports with one name or one number and protocol.
    pub fn build(self) -> Result<Container, ContainerError> {
        let c = &self.container;
        let refuse = |message: String| Err(ContainerError { container: c.name.clone(), message });
        let mut paths = std::collections::BTreeMap::new();
        for mount in c.volume_mounts.iter().flatten() {
            if let Some(other) = paths.insert(mount.mount_path.as_str(), mount.name.as_str()) {
                return refuse(format!(
                    "volumes '{other}' and '{}' would both be mounted at {}; each mount needs its own path",
                    mount.name, mount.mount_path
                ));
            }
        }
        let (mut names, mut numbers) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
        for port in c.ports.iter().flatten() {
            if let Some(name) = &port.name {
                if !names.insert(name.as_str()) {
                    return refuse(format!("port name '{name}' would be used twice; each port needs its own name"));
                }
            }
            if !numbers.insert((port.container_port, port.protocol.as_deref())) {
                return refuse(format!(
                    "port {} would be used twice; each port needs its own number",
                    port.container_port
                ));
            }
        }
        Ok(self.container)
    }
}

/// A container an API server would refuse, named by its container (the role).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the container of role '{container}': {message}")]
pub struct ContainerError {
    /// The container's name, which is its role's.
    pub container: String,
    /// What is wrong.
    pub message: String,
}

/// How often and how patiently a probe checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeTiming {
    /// Seconds between checks.
    pub period: i32,
    /// Seconds one check may take.
    pub timeout: i32,
    /// Failed checks in a row before the probe fails.
    pub failure_threshold: i32,
}

/// A probe that GETs `path` on the named port (over HTTPS when `tls`) and
/// expects a 2xx or 3xx answer; the kubelet does not verify the certificate.
pub fn http_get_probe(port: &PortName, path: &str, tls: bool, timing: ProbeTiming) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::String(port.to_string()),
            scheme: Some(if tls { "HTTPS" } else { "HTTP" }.to_owned()),
            ..Default::default()
        }),
        ..timed(timing)
    }
}

/// A probe that opens a TCP connection to the named port.
pub fn tcp_probe(port: &PortName, timing: ProbeTiming) -> Probe {
    Probe {
        tcp_socket: Some(TCPSocketAction { port: IntOrString::String(port.to_string()), ..Default::default() }),
        ..timed(timing)
    }
}

fn timed(timing: ProbeTiming) -> Probe {
    Probe {
        period_seconds: Some(timing.period),
        timeout_seconds: Some(timing.timeout),
        failure_threshold: Some(timing.failure_threshold),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drain_on_stop_signals_pid_1_and_waits() {
        let c = ContainerBuilder::new("impalad").drain_on_stop("SIGRTMIN").build().unwrap();
        let command = c.lifecycle.unwrap().pre_stop.unwrap().exec.unwrap().command.unwrap();
        assert_eq!(command[..2], ["/bin/bash", "-c"]);
        assert_eq!(command[2], "kill -s SIGRTMIN 1 && while kill -0 1 2>/dev/null; do sleep 1; done");
    }

    #[test]
    fn ports_probes_and_security() {
        let webui = PortName::try_from("webui").unwrap();
        let timing = ProbeTiming { period: 10, timeout: 5, failure_threshold: 3 };
        let c = ContainerBuilder::new("catalogd")
            .image("apache/impala:4.5.0-catalogd", "IfNotPresent")
            .add_container_port(&webui, PortNumber::try_from(25020).unwrap(), Protocol::Tcp)
            .readiness_probe(http_get_probe(&webui, "/healthz", false, timing))
            .liveness_probe(tcp_probe(&webui, timing))
            .restricted(1000, 1000)
            .build()
            .unwrap();
        let port = &c.ports.as_ref().unwrap()[0];
        assert_eq!((port.name.as_deref(), port.container_port), (Some("webui"), 25020));
        let ready = c.readiness_probe.unwrap().http_get.unwrap();
        assert_eq!(ready.port, IntOrString::String("webui".into()));
        assert_eq!(ready.path.as_deref(), Some("/healthz"));
        let sc = c.security_context.unwrap();
        assert_eq!(sc.allow_privilege_escalation, Some(false));
        assert_eq!(sc.capabilities.unwrap().drop.unwrap(), ["ALL"]);
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert!(c.args.is_none() && c.volume_mounts.is_none(), "nothing empty is emitted");
    }

    #[test]
    fn refuses_what_an_api_server_would() {
        let webui = PortName::try_from("webui").unwrap();
        let n = |p| PortNumber::try_from(p).unwrap();
        let e = ContainerBuilder::new("catalogd")
            .add_volume_mount("tmp", "/tmp", false)
            .add_volume_mount("logs", "/tmp", false)
            .build()
            .unwrap_err();
        assert_eq!(e.to_string(), "the container of role 'catalogd': volumes 'tmp' and 'logs' would both be mounted at /tmp; each mount needs its own path");
        let e = ContainerBuilder::new("catalogd")
            .add_container_port(&webui, n(25020), Protocol::Tcp)
            .add_container_port(&webui, n(25021), Protocol::Tcp)
            .build()
            .unwrap_err();
        assert!(e.message.contains("port name 'webui' would be used twice"), "{e}");
        let other = PortName::try_from("other").unwrap();
        let e = ContainerBuilder::new("catalogd")
            .add_container_port(&webui, n(25020), Protocol::Tcp)
            .add_container_port(&other, n(25020), Protocol::Tcp)
            .build()
            .unwrap_err();
        assert!(e.message.contains("port 25020 would be used twice"), "{e}");
        assert!(ContainerBuilder::new("c")
            .add_container_port(&webui, n(53), Protocol::Tcp)
            .add_container_port(&other, n(53), Protocol::Udp)
            .build()
            .is_ok());
    }
}
