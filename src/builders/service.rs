//! Services whose ports target container ports by name.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ClientIPConfig, Service, ServicePort, ServiceSpec, SessionAffinityConfig};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::names::{PortName, PortNumber};
use crate::registry::Protocol;
use crate::spec::crd::TrafficPolicy;
use crate::spec::ServiceType;

/// Builds a [`Service`].
#[derive(Debug, Clone)]
pub struct ServiceBuilder {
    meta: ObjectMeta,
    spec: ServiceSpec,
}

impl ServiceBuilder {
    /// A Service of the given type selecting the pods with these labels.
    pub fn new(meta: ObjectMeta, type_: ServiceType, selector: BTreeMap<String, String>) -> Self {
        ServiceBuilder {
            meta,
            spec: ServiceSpec {
                type_: Some(type_.as_str().to_owned()),
                selector: Some(selector),
                ..Default::default()
            },
        }
    }

    /// Makes the Service headless: no virtual IP, one DNS record per pod, published
    /// before the pods are ready so that peers can find each other while starting.
    pub fn headless(mut self) -> Self {
        self.spec.cluster_ip = Some("None".to_owned());
        self.spec.publish_not_ready_addresses = Some(true);
        self
    }

    /// Appends a port that targets the container port of the same name, on a
    /// pinned node port where one is given.
    pub fn add_port(mut self, name: &PortName, number: PortNumber, protocol: Protocol, node_port: Option<i32>) -> Self {
        self.spec.ports.get_or_insert_with(Vec::new).push(ServicePort {
            name: Some(name.to_string()),
            port: number.as_i32(),
            protocol: Some(protocol.as_str().to_owned()),
            target_port: Some(IntOrString::String(name.to_string())),
            node_port,
            ..Default::default()
        });
        self
    }

    /// Admits only these client CIDRs to a LoadBalancer.
    pub fn load_balancer_source_ranges(mut self, ranges: &[String]) -> Self {
        self.spec.load_balancer_source_ranges = (!ranges.is_empty()).then(|| ranges.to_vec());
        self
    }

    /// Picks the load balancer implementation.
    pub fn load_balancer_class(mut self, class: Option<&str>) -> Self {
        self.spec.load_balancer_class = class.map(str::to_owned);
        self
    }

    /// Sets `externalTrafficPolicy`.
    pub fn external_traffic_policy(mut self, policy: Option<TrafficPolicy>) -> Self {
        self.spec.external_traffic_policy = policy.map(|p| p.as_str().to_owned());
        self
    }

    /// Keeps each client address on one pod for `seconds` (`sessionAffinity: ClientIP`).
    pub fn client_ip_affinity(mut self, seconds: Option<i32>) -> Self {
        if let Some(seconds) = seconds {
            self.spec.session_affinity = Some("ClientIP".to_owned());
            self.spec.session_affinity_config =
                Some(SessionAffinityConfig { client_ip: Some(ClientIPConfig { timeout_seconds: Some(seconds) }) });
        }
        self
    }

    /// The Service.
    pub fn build(self) -> Service {
        Service { metadata: self.meta, spec: Some(self.spec), ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::meta::ObjectMetaBuilder;

    #[test]
    fn headless_with_named_target() {
        let s = ServiceBuilder::new(ObjectMetaBuilder::new("x").build(), ServiceType::ClusterIP, BTreeMap::new())
            .headless()
            .add_port(&PortName::try_from("krpc").unwrap(), PortNumber::try_from(27000).unwrap(), Protocol::Tcp, None)
            .build();
        let spec = s.spec.unwrap();
        assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
        let port = &spec.ports.unwrap()[0];
        assert_eq!(port.port, 27000);
        assert_eq!(port.target_port, Some(IntOrString::String("krpc".into())));
    }

    #[test]
    fn load_balancer_settings() {
        let s = ServiceBuilder::new(ObjectMetaBuilder::new("x").build(), ServiceType::LoadBalancer, BTreeMap::new())
            .load_balancer_source_ranges(&["10.0.0.0/8".to_owned()])
            .load_balancer_class(Some("example.com/vip"))
            .external_traffic_policy(Some(TrafficPolicy::Local))
            .add_port(
                &PortName::try_from("hs2").unwrap(),
                PortNumber::try_from(21050).unwrap(),
                Protocol::Tcp,
                Some(30050),
            )
            .build()
            .spec
            .unwrap();
        assert_eq!(s.load_balancer_source_ranges.unwrap(), ["10.0.0.0/8"]);
        assert_eq!(s.ports.unwrap()[0].node_port, Some(30050));
        let plain = ServiceBuilder::new(ObjectMetaBuilder::new("x").build(), ServiceType::ClusterIP, BTreeMap::new())
            .load_balancer_source_ranges(&[])
            .build()
            .spec
            .unwrap();
        assert!(plain.load_balancer_source_ranges.is_none(), "no empty list");
    }
}
