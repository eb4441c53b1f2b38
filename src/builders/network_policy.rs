//! NetworkPolicies: default denies, then one rule per port.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::names::PortNumber;
use crate::registry::Protocol;

/// Builds a [`NetworkPolicy`] for the pods that match a selector. An ingress
/// (or egress) policy with no rule added denies all ingress (or egress).
#[derive(Debug, Clone)]
pub struct NetworkPolicyBuilder {
    meta: ObjectMeta,
    pod_selector: BTreeMap<String, String>,
    policy_type: &'static str,
    ingress: Vec<NetworkPolicyIngressRule>,
    egress: Vec<NetworkPolicyEgressRule>,
}

/// The peer that selects the pods of this namespace with these labels.
pub fn pods(labels: BTreeMap<String, String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer { pod_selector: Some(selector(labels)), ..Default::default() }
}

/// The peer that is every address of a CIDR.
pub fn cidr(cidr: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer { ip_block: Some(IPBlock { cidr: cidr.to_owned(), ..Default::default() }), ..Default::default() }
}

impl NetworkPolicyBuilder {
    /// An ingress policy for the pods with these labels.
    pub fn ingress(meta: ObjectMeta, pod_selector: BTreeMap<String, String>) -> Self {
        NetworkPolicyBuilder { meta, pod_selector, policy_type: "Ingress", ingress: Vec::new(), egress: Vec::new() }
    }

    /// An egress policy for the pods with these labels.
    pub fn egress(meta: ObjectMeta, pod_selector: BTreeMap<String, String>) -> Self {
        NetworkPolicyBuilder { policy_type: "Egress", ..Self::ingress(meta, pod_selector) }
    }

    /// Allows traffic to `port` from `sources`, or from anywhere (every pod and
    /// every address outside the cluster) when `sources` is `None`.
    pub fn allow_from(mut self, port: PortNumber, protocol: Protocol, sources: Option<Vec<NetworkPolicyPeer>>) -> Self {
        self.ingress
            .push(NetworkPolicyIngressRule { from: sources, ports: Some(vec![policy_port(Some(port), protocol)]) });
        self
    }

    /// Allows traffic to `destinations` on `ports` (every port when empty), or
    /// to anywhere when `destinations` is `None`.
    pub fn allow_to(mut self, destinations: Option<Vec<NetworkPolicyPeer>>, ports: &[(PortNumber, Protocol)]) -> Self {
        let ports = (!ports.is_empty()).then(|| ports.iter().map(|&(p, proto)| policy_port(Some(p), proto)).collect());
        self.egress.push(NetworkPolicyEgressRule { to: destinations, ports });
        self
    }

    /// Allows DNS lookups: port 53 over UDP and TCP, to any address.
    pub fn allow_dns(self) -> Self {
        let dns = PortNumber::try_from(53).expect("53 is a port");
        self.allow_to(None, &[(dns, Protocol::Udp), (dns, Protocol::Tcp)])
    }

    /// The policy.
    pub fn build(self) -> NetworkPolicy {
        NetworkPolicy {
            metadata: self.meta,
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(selector(self.pod_selector)),
                policy_types: Some(vec![self.policy_type.to_owned()]),
                ingress: (!self.ingress.is_empty()).then_some(self.ingress),
                egress: (!self.egress.is_empty()).then_some(self.egress),
            }),
        }
    }
}

fn selector(labels: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector { match_labels: Some(labels), ..Default::default() }
}

fn policy_port(port: Option<PortNumber>, protocol: Protocol) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: port.map(|p| IntOrString::Int(p.as_i32())),
        protocol: Some(protocol.as_str().to_owned()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::meta::ObjectMetaBuilder;

    #[test]
    fn deny_and_allow() {
        let sel = BTreeMap::from([("app".to_owned(), "x".to_owned())]);
        let deny =
            NetworkPolicyBuilder::ingress(ObjectMetaBuilder::new("deny").build(), sel.clone()).build().spec.unwrap();
        assert!(deny.ingress.is_none(), "no rule: deny all ingress");
        assert_eq!(deny.policy_types.unwrap(), ["Ingress"]);

        let p = PortNumber::try_from(24000).unwrap();
        let allow = NetworkPolicyBuilder::ingress(ObjectMetaBuilder::new("allow").build(), sel.clone())
            .allow_from(p, Protocol::Tcp, Some(vec![pods(sel.clone())]))
            .allow_from(p, Protocol::Tcp, None)
            .build()
            .spec
            .unwrap();
        let rules = allow.ingress.unwrap();
        assert_eq!(rules[0].from.as_ref().unwrap().len(), 1);
        assert!(rules[1].from.is_none());
        assert_eq!(rules[1].ports.as_ref().unwrap()[0].port, Some(IntOrString::Int(24000)));
    }

    #[test]
    fn egress() {
        let sel = BTreeMap::from([("app".to_owned(), "x".to_owned())]);
        let p = PortNumber::try_from(9083).unwrap();
        let spec = NetworkPolicyBuilder::egress(ObjectMetaBuilder::new("out").build(), sel)
            .allow_dns()
            .allow_to(Some(vec![cidr("10.0.0.0/8")]), &[(p, Protocol::Tcp)])
            .build()
            .spec
            .unwrap();
        assert_eq!(spec.policy_types.unwrap(), ["Egress"]);
        let rules = spec.egress.unwrap();
        assert!(rules[0].to.is_none());
        assert_eq!(rules[0].ports.as_ref().unwrap().len(), 2);
        assert_eq!(rules[1].to.as_ref().unwrap()[0].ip_block.as_ref().unwrap().cidr, "10.0.0.0/8");
    }
}
