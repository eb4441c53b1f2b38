//! Ingress NetworkPolicies: a default deny, then one rule per port.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::names::PortNumber;
use crate::registry::Protocol;

/// Builds an ingress [`NetworkPolicy`] for the pods that match a selector.
/// With no rule added it denies all ingress to those pods.
#[derive(Debug, Clone)]
pub struct NetworkPolicyBuilder {
    meta: ObjectMeta,
    pod_selector: BTreeMap<String, String>,
    rules: Vec<NetworkPolicyIngressRule>,
}

impl NetworkPolicyBuilder {
    /// A policy for the pods with these labels.
    pub fn new(meta: ObjectMeta, pod_selector: BTreeMap<String, String>) -> Self {
        NetworkPolicyBuilder {
            meta,
            pod_selector,
            rules: Vec::new(),
        }
    }

    /// Allows traffic to `port` from the pods of this namespace that match any
    /// of `sources` (label selectors).
    pub fn allow_from_pods(
        mut self,
        port: PortNumber,
        protocol: Protocol,
        sources: impl IntoIterator<Item = BTreeMap<String, String>>,
    ) -> Self {
        let from = sources
            .into_iter()
            .map(|labels| NetworkPolicyPeer {
                pod_selector: Some(selector(labels)),
                ..Default::default()
            })
            .collect();
        self.rules.push(NetworkPolicyIngressRule {
            from: Some(from),
            ports: Some(vec![policy_port(port, protocol)]),
        });
        self
    }

    /// Allows traffic to `port` from anywhere: every pod and every address outside the cluster.
    pub fn allow_from_anywhere(mut self, port: PortNumber, protocol: Protocol) -> Self {
        self.rules.push(NetworkPolicyIngressRule {
            from: None,
            ports: Some(vec![policy_port(port, protocol)]),
        });
        self
    }

    /// The policy.
    pub fn build(self) -> NetworkPolicy {
        NetworkPolicy {
            metadata: self.meta,
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(selector(self.pod_selector)),
                policy_types: Some(vec!["Ingress".to_owned()]),
                ingress: (!self.rules.is_empty()).then_some(self.rules),
                ..Default::default()
            }),
        }
    }
}

fn selector(labels: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels),
        ..Default::default()
    }
}

fn policy_port(port: PortNumber, protocol: Protocol) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(port.as_i32())),
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
        let deny = NetworkPolicyBuilder::new(ObjectMetaBuilder::new("deny").build(), sel.clone())
            .build()
            .spec
            .unwrap();
        assert!(deny.ingress.is_none(), "no rule: deny all ingress");
        assert_eq!(deny.policy_types.unwrap(), ["Ingress"]);

        let p = PortNumber::try_from(24000).unwrap();
        let allow = NetworkPolicyBuilder::new(ObjectMetaBuilder::new("allow").build(), sel.clone())
            .allow_from_pods(p, Protocol::Tcp, [sel.clone()])
            .allow_from_anywhere(p, Protocol::Tcp)
            .build()
            .spec
            .unwrap();
        let rules = allow.ingress.unwrap();
        assert_eq!(rules[0].from.as_ref().unwrap().len(), 1);
        assert!(rules[1].from.is_none());
        assert_eq!(
            rules[1].ports.as_ref().unwrap()[0].port,
            Some(IntOrString::Int(24000))
        );
    }
}
