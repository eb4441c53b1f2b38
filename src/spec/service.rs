//! A role's ports on its external Service: pinned node ports, the
//! Service's settings where its type honours them, and client affinity.

use std::collections::BTreeMap;

use super::checks::{check_cidr, check_labels, fail, NODE_PORTS};
use super::model::{ClusterPort, ClusterService};
use super::role::RoleInput;
use super::{FieldPath, ServiceType, SpecError};
use crate::names::is_qualified_name;
use crate::registry::Access;

impl RoleInput<'_, '_> {
    /// A pinned node port: on an external port of a NodePort or LoadBalancer
    /// Service, in range, and pinned once in the whole cluster.
    pub(super) fn node_port(
        &self,
        key: &str,
        n: i64,
        access: Access,
        service_type: ServiceType,
        node_ports: &mut BTreeMap<i32, FieldPath>,
    ) -> Result<i32, SpecError> {
        let (name, field) = (self.name(), &self.field);
        let at = field.key("service").key("nodePorts").key(key);
        if access == Access::Internal {
            return fail(at, format!("port '{key}' of role '{name}' is internal and never gets a node port; expose it explicitly with {field}.access.{key}: external"));
        }
        if service_type == ServiceType::ClusterIP {
            return fail(at, format!("the external Service of role '{name}' is ClusterIP and has no node ports; set {field}.service.type to NodePort or LoadBalancer"));
        }
        if !NODE_PORTS.contains(&n) {
            return fail(at, format!("node port {n} is outside the node port range 30000-32767"));
        }
        let n = i32::try_from(n).expect("in the node port range");
        if let Some(other) = node_ports.insert(n, at.clone()) {
            return fail(
                at,
                format!("node port {n} is already pinned by {other}; node ports are shared by the whole cluster"),
            );
        }
        Ok(n)
    }

    /// The external Service: settings only where it exists and its type honours them.
    pub(super) fn service(
        &self,
        ports: &[ClusterPort<'_>],
        service_type: ServiceType,
    ) -> Result<ClusterService, SpecError> {
        let (name, svc) = (self.name(), &self.spec.service);
        let field = self.field.key("service");
        let has_external = ports.iter().any(|p| p.access == Access::External);
        if !has_external && (svc.type_.is_some() || svc != &Default::default()) {
            // A web UI kept inside by the Service type: say how to expose it.
            let inside: Vec<&str> = ports
                .iter()
                .filter(|p| p.entry.access == Access::External && p.access == Access::Internal)
                .filter(|p| !self.spec.access.contains_key(p.name().as_str()))
                .map(|p| p.name().as_str())
                .collect();
            let why = match inside.first() {
                Some(port) => format!(
                    "; a {service_type} Service carries its {} only with {}.access.{port}: external",
                    inside.join(", "),
                    self.field
                ),
                None => String::new(),
            };
            return fail(
                field,
                format!("role '{name}' has no external port, so it has no external Service to configure{why}"),
            );
        }
        let type_field = format!("{}.type", field);
        if service_type != ServiceType::LoadBalancer {
            if !svc.load_balancer_source_ranges.is_empty() {
                return fail(field.key("loadBalancerSourceRanges"), format!("the external Service of role '{name}' is {service_type}, which ignores loadBalancerSourceRanges; set {type_field}: LoadBalancer"));
            }
            if svc.load_balancer_class.is_some() {
                return fail(field.key("loadBalancerClass"), format!("the external Service of role '{name}' is {service_type}, which ignores loadBalancerClass; set {type_field}: LoadBalancer"));
            }
        }
        if service_type == ServiceType::ClusterIP && svc.external_traffic_policy.is_some() {
            return fail(field.key("externalTrafficPolicy"), format!("the external Service of role '{name}' is ClusterIP, which has no external traffic; set {type_field} to NodePort or LoadBalancer"));
        }
        for (i, range) in svc.load_balancer_source_ranges.iter().enumerate() {
            check_cidr(&field.key("loadBalancerSourceRanges").index(i), range)?;
        }
        if let Some(class) = &svc.load_balancer_class {
            if !is_qualified_name(class) || !class.contains('/') {
                return fail(field.key("loadBalancerClass"), format!("'{class}' is not a load balancer class: expected a label-style name with a prefix, like example.com/internal-vip"));
            }
        }
        check_labels(&field.key("annotations"), &svc.annotations, false)?;
        check_labels(&field.key("labels"), &svc.labels, true)?;
        let client_ip_affinity_seconds = self.affinity(ports)?;
        Ok(ClusterService {
            type_: service_type,
            annotations: svc.annotations.clone(),
            labels: svc.labels.clone(),
            load_balancer_source_ranges: svc.load_balancer_source_ranges.clone(),
            load_balancer_class: svc.load_balancer_class.clone(),
            external_traffic_policy: svc.external_traffic_policy,
            client_ip_affinity_seconds,
        })
    }

    /// Client IP affinity: on the external Service of a scalable role with a
    /// port whose sessions span connections, for the spec's time (0: off).
    fn affinity(&self, ports: &[ClusterPort<'_>]) -> Result<Option<i32>, SpecError> {
        use super::model::{DEFAULT_AFFINITY_SECONDS, MAX_AFFINITY_SECONDS};
        let field = self.field.key("service").key("sessionAffinityTimeoutSeconds");
        let given = self.spec.service.session_affinity_timeout_seconds;
        let sticky = ports.iter().find(|p| p.access == Access::External && p.entry.sticky);
        match (given, sticky) {
            (Some(_), None) => fail(
                field,
                format!(
                    "the external Service of role '{}' carries no port whose sessions span connections, so it keeps no client on one pod",
                    self.name()
                ),
            ),
            (Some(seconds), _) if seconds > MAX_AFFINITY_SECONDS => fail(
                field,
                format!("{seconds} is more than Kubernetes allows: 1 to {MAX_AFFINITY_SECONDS} seconds, or 0 for no affinity"),
            ),
            (_, Some(_)) if !self.role.is_singleton() => {
                let seconds = given.unwrap_or(DEFAULT_AFFINITY_SECONDS);
                Ok((seconds > 0).then(|| i32::try_from(seconds).expect("at most a day")))
            }
            _ => Ok(None),
        }
    }
}
