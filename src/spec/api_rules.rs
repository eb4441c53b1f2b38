//! What kube-apiserver's validation refuses in the Kubernetes types a spec
//! passes through (pkg/apis/core/validation and networking/validation):
//! tolerations, affinity, label selectors, NetworkPolicy peers and resource
//! names, refused here first with the field and the value.

use std::collections::BTreeMap;
use std::str::FromStr;

use ipnet::IpNet;
use k8s_openapi::api::core::v1::{Affinity, NodeSelectorRequirement, PodAffinityTerm, Toleration};
use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::checks::{check_label_value, fail, fail_key};
use super::{FieldPath, SpecError};
use crate::names::is_qualified_name;

/// Tolerations: operator `Exists` or `Equal`, `Exists` without a value, an
/// empty key only with `Exists`, a known effect, `tolerationSeconds` only with `NoExecute`.
pub(super) fn check_tolerations(field: &FieldPath, tolerations: &[Toleration]) -> Result<(), SpecError> {
    for (i, t) in tolerations.iter().enumerate() {
        let at = field.index(i);
        let operator = t.operator.as_deref().unwrap_or("Equal");
        let key = t.key.as_deref().unwrap_or_default();
        match operator {
            "Exists" if t.value.as_deref().is_some_and(|v| !v.is_empty()) => {
                return fail(at.key("value"), "operator Exists matches any value: leave value out");
            }
            "Exists" | "Equal" => {}
            other => {
                return fail(at.key("operator"), format!("'{other}' is not a toleration operator: Exists or Equal"))
            }
        }
        if key.is_empty() && operator != "Exists" {
            return fail(at.key("key"), "an empty key matches every taint only with operator Exists");
        }
        if !key.is_empty() {
            check_key(&at.key("key"), key)?;
        }
        if let Some(value) = t.value.as_deref() {
            check_label_value(&at.key("value"), value)?;
        }
        let effect = t.effect.as_deref().unwrap_or_default();
        if !["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            return fail(
                at.key("effect"),
                format!("'{effect}' is not a taint effect: NoSchedule, PreferNoSchedule or NoExecute"),
            );
        }
        if t.toleration_seconds.is_some() && effect != "NoExecute" {
            return fail(at.key("tolerationSeconds"), "tolerationSeconds applies to effect NoExecute alone");
        }
    }
    Ok(())
}

/// Node and pod affinity: weights 1 to 100, a topology key on every pod
/// term, node selector terms that are not empty, operators with their values.
pub(super) fn check_affinity(field: &FieldPath, affinity: &Affinity) -> Result<(), SpecError> {
    if let Some(node) = &affinity.node_affinity {
        let at = field.key("nodeAffinity");
        if let Some(required) = &node.required_during_scheduling_ignored_during_execution {
            let terms = at.key("requiredDuringSchedulingIgnoredDuringExecution").key("nodeSelectorTerms");
            if required.node_selector_terms.is_empty() {
                return fail(terms, "an empty list selects no node: give at least one term");
            }
            for (i, term) in required.node_selector_terms.iter().enumerate() {
                check_node_requirements(&terms.index(i).key("matchExpressions"), term.match_expressions.as_deref())?;
                check_node_requirements(&terms.index(i).key("matchFields"), term.match_fields.as_deref())?;
            }
        }
        let preferred = at.key("preferredDuringSchedulingIgnoredDuringExecution");
        for (i, p) in node.preferred_during_scheduling_ignored_during_execution.iter().flatten().enumerate() {
            check_weight(&preferred.index(i).key("weight"), p.weight)?;
            check_node_requirements(
                &preferred.index(i).key("preference").key("matchExpressions"),
                p.preference.match_expressions.as_deref(),
            )?;
        }
    }
    let pod_kinds = [
        (
            "podAffinity",
            affinity.pod_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            affinity.pod_anti_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (name, terms) in pod_kinds {
        let Some((required, preferred)) = terms else { continue };
        let at = field.key(name);
        for (i, term) in required.iter().flatten().enumerate() {
            check_pod_term(&at.key("requiredDuringSchedulingIgnoredDuringExecution").index(i), term)?;
        }
        for (i, p) in preferred.iter().flatten().enumerate() {
            let item = at.key("preferredDuringSchedulingIgnoredDuringExecution").index(i);
            check_weight(&item.key("weight"), p.weight)?;
            check_pod_term(&item.key("podAffinityTerm"), &p.pod_affinity_term)?;
        }
    }
    Ok(())
}

/// A label key held as a value (a toleration's key, a topology key).
fn check_key(field: &FieldPath, key: &str) -> Result<(), SpecError> {
    super::checks::check_label_key(field, key, key)
}

fn check_weight(field: &FieldPath, weight: i32) -> Result<(), SpecError> {
    if (1..=100).contains(&weight) {
        return Ok(());
    }
    fail(field, format!("{weight} is not a weight: 1 to 100"))
}

fn check_pod_term(field: &FieldPath, term: &PodAffinityTerm) -> Result<(), SpecError> {
    if term.topology_key.is_empty() {
        return fail(
            field.key("topologyKey"),
            "a pod affinity term needs a topology key, such as kubernetes.io/hostname",
        );
    }
    check_key(&field.key("topologyKey"), &term.topology_key)?;
    if let Some(selector) = &term.label_selector {
        check_selector(&field.key("labelSelector"), selector)?;
    }
    Ok(())
}

/// A node selector requirement's operator and values: In and NotIn with
/// values, Exists and DoesNotExist without, Gt and Lt with one integer.
fn check_node_requirements(
    field: &FieldPath,
    requirements: Option<&[NodeSelectorRequirement]>,
) -> Result<(), SpecError> {
    for (i, r) in requirements.unwrap_or_default().iter().enumerate() {
        let values = r.values.as_deref().unwrap_or_default();
        check_operator(&field.index(i), &r.operator, values, &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"])?;
    }
    Ok(())
}

fn check_operator(field: &FieldPath, operator: &str, values: &[String], allowed: &[&str]) -> Result<(), SpecError> {
    if !allowed.contains(&operator) {
        return fail(field.key("operator"), format!("'{operator}' is not an operator here: {}", allowed.join(", ")));
    }
    let (ok, needs) = match operator {
        "In" | "NotIn" => (!values.is_empty(), "needs at least one value"),
        "Exists" | "DoesNotExist" => (values.is_empty(), "takes no values"),
        _ => (values.len() == 1 && values[0].parse::<i64>().is_ok(), "takes exactly one integer value"),
    };
    if ok {
        return Ok(());
    }
    fail(field.key("values"), format!("operator {operator} {needs}"))
}

/// A label selector: valid keys and values, operators with their values.
pub(super) fn check_selector(field: &FieldPath, selector: &LabelSelector) -> Result<(), SpecError> {
    super::checks::check_labels(
        &field.key("matchLabels"),
        selector.match_labels.as_ref().unwrap_or(&BTreeMap::new()),
        true,
    )?;
    for (i, e) in selector.match_expressions.iter().flatten().enumerate() {
        let at = field.key("matchExpressions").index(i);
        check_key(&at.key("key"), &e.key)?;
        check_operator(
            &at,
            &e.operator,
            e.values.as_deref().unwrap_or_default(),
            &["In", "NotIn", "Exists", "DoesNotExist"],
        )?;
    }
    Ok(())
}

/// A NetworkPolicy peer: an ipBlock alone, its exceptions strict subsets of
/// its CIDR of the same family; selectors valid.
pub(super) fn check_peer(field: &FieldPath, peer: &NetworkPolicyPeer) -> Result<(), SpecError> {
    if let Some(block) = &peer.ip_block {
        if peer.namespace_selector.is_some() || peer.pod_selector.is_some() {
            return fail(
                field.key("ipBlock"),
                "an ipBlock stands alone in a source: give the selectors their own entry",
            );
        }
        let Ok(cidr) = IpNet::from_str(&block.cidr) else { return Ok(()) };
        for (j, except) in block.except.iter().flatten().enumerate() {
            let Ok(net) = IpNet::from_str(except) else { continue };
            if !(cidr.contains(&net) && net.prefix_len() > cidr.prefix_len()) {
                return fail(
                    field.key("ipBlock").key("except").index(j),
                    format!("'{except}' is not inside '{}': an exception is a smaller block of the CIDR, of the same family", block.cidr),
                );
            }
        }
    }
    for (key, selector) in [("namespaceSelector", &peer.namespace_selector), ("podSelector", &peer.pod_selector)] {
        if let Some(selector) = selector {
            check_selector(&field.key(key), selector)?;
        }
    }
    Ok(())
}

/// The tolerations, affinity and resource names of a role or executor group.
pub(super) fn check_pod_scheduling(
    field: &FieldPath,
    tolerations: Option<&[Toleration]>,
    affinity: Option<&Affinity>,
    resources: Option<&k8s_openapi::api::core::v1::ResourceRequirements>,
) -> Result<(), SpecError> {
    check_tolerations(&field.key("tolerations"), tolerations.unwrap_or_default())?;
    if let Some(affinity) = affinity {
        check_affinity(&field.key("affinity"), affinity)?;
    }
    for (what, map) in resources.into_iter().flat_map(|r| [("requests", &r.requests), ("limits", &r.limits)]) {
        for name in map.iter().flat_map(|m| m.keys()) {
            check_resource_name(&field.key("resources").key(what).key(name.as_str()), name)?;
        }
    }
    Ok(())
}

/// A resource name: a standard one (cpu, memory, ephemeral-storage,
/// hugepages-<size>) or an extended resource with a domain (`nvidia.com/gpu`).
pub(super) fn check_resource_name(field: &FieldPath, name: &str) -> Result<(), SpecError> {
    let standard = ["cpu", "memory", "ephemeral-storage"].contains(&name) || name.starts_with("hugepages-");
    let extended = name.contains('/') && is_qualified_name(name) && !name.starts_with("kubernetes.io/");
    if standard || extended {
        return Ok(());
    }
    fail_key(field, format!("'{name}' is not a resource name: cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain, like nvidia.com/gpu"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: serde::de::DeserializeOwned>(
        yaml: &str,
        check: impl Fn(&FieldPath, &T) -> Result<(), SpecError>,
    ) -> String {
        let value: T = serde_yaml::from_str(yaml).unwrap();
        check(&FieldPath::from("f"), &value).map(|()| String::new()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn tolerations() {
        let t = |y: &str| err::<Vec<Toleration>>(y, |f, v| check_tolerations(f, v));
        assert_eq!(t("[{key: a, operator: Exists}, {key: b, value: c, effect: NoExecute, tolerationSeconds: 5}, {operator: Exists}]"), "");
        assert!(t("[{key: a, operator: Exists, value: b}]").contains("f[0].value: operator Exists matches any value"));
        assert!(t("[{key: a, operator: Foo}]").contains("f[0].operator: 'Foo' is not a toleration operator"));
        assert!(t("[{value: a}]").contains("f[0].key: an empty key matches every taint only with operator Exists"));
        assert!(t("[{key: a, effect: NoSchedule, tolerationSeconds: 5}]").contains("f[0].tolerationSeconds"));
        assert!(t("[{key: a, effect: Never}]").contains("'Never' is not a taint effect"));
    }

    #[test]
    fn affinity() {
        let a = |y: &str| err::<Affinity>(y, check_affinity);
        let term = "{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {a: b}}}";
        assert_eq!(a(&format!("{{podAntiAffinity: {{preferredDuringSchedulingIgnoredDuringExecution: [{{weight: 100, podAffinityTerm: {term}}}]}}}}")), "");
        assert!(a(&format!("{{podAntiAffinity: {{preferredDuringSchedulingIgnoredDuringExecution: [{{weight: 0, podAffinityTerm: {term}}}]}}}}"))
            .contains("f.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: 0 is not a weight: 1 to 100"));
        assert!(a("{podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: ''}]}}")
            .contains("needs a topology key"));
        assert!(a("{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}")
            .contains("an empty list selects no node"));
        let expr = |op: &str, values: &str| {
            a(&format!("{{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{{matchExpressions: [{{key: a, operator: {op}, values: {values}}}]}}]}}}}}}"))
        };
        assert!(expr("Exists", "[x]").contains("operator Exists takes no values"));
        assert!(expr("In", "[]").contains("operator In needs at least one value"));
        assert!(expr("Gt", "[x]").contains("operator Gt takes exactly one integer value"));
        assert!(expr("Near", "[x]").contains("'Near' is not an operator here"));
        assert_eq!(expr("Gt", "['3']"), "");
    }

    #[test]
    fn peers_and_resource_names() {
        let p = |y: &str| err::<NetworkPolicyPeer>(y, check_peer);
        assert_eq!(p("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}"), "");
        assert!(p("{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}")
            .contains("f.ipBlock.except[0]: '192.168.0.0/16' is not inside '10.0.0.0/8'"));
        assert!(p("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}").contains("is not inside"));
        assert!(p("{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/8']}}").contains("is not inside"));
        assert!(p("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}").contains("an ipBlock stands alone"));
        assert!(p("{podSelector: {matchExpressions: [{key: a, operator: In}]}}")
            .contains("f.podSelector.matchExpressions[0].values: operator In needs at least one value"));
        let r = |name: &str| check_resource_name(&FieldPath::from("f"), name).map_err(|e| e.to_string());
        assert!(r("cpu").is_ok() && r("hugepages-2Mi").is_ok() && r("nvidia.com/gpu").is_ok());
        assert!(r("gpu").unwrap_err().contains("'gpu' is not a resource name"));
    }
}
