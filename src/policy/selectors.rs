//! Kubernetes label selectors: matching, a short description, and labels
//! that satisfy one (to stand for the pods a NetworkPolicy peer names).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Labels of a pod or a namespace.
pub type Labels = BTreeMap<String, String>;

/// True when `labels` satisfy `selector`; the empty selector selects everything.
pub fn matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_labels = selector.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    by_labels
        && selector.match_expressions.iter().flatten().all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                // The API server refuses any other operator; such a term selects nothing.
                _ => false,
            }
        })
}

/// True when the selector has no term: it selects everything.
pub fn is_empty(selector: &LabelSelector) -> bool {
    selector.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && selector.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

/// Labels that satisfy the selector, or `None` when no labels can.
pub fn satisfying(selector: &LabelSelector) -> Option<Labels> {
    let mut labels = selector.match_labels.clone().unwrap_or_default();
    for e in selector.match_expressions.iter().flatten() {
        match e.operator.as_str() {
            "In" => {
                let first = e.values.as_ref().and_then(|v| v.first())?;
                labels.entry(e.key.clone()).or_insert_with(|| first.clone());
            }
            "Exists" => {
                labels.entry(e.key.clone()).or_insert_with(|| "set".to_owned());
            }
            _ => {}
        }
    }
    matches(selector, &labels).then_some(labels)
}

/// The selector as kubectl writes one: `app=x,tier in (a,b),!debug`.
pub fn describe(selector: &LabelSelector) -> String {
    let mut terms: Vec<String> = selector.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default().join(",");
        terms.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => format!("{} {other} ({values})", e.key),
        });
    }
    terms.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn expr(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: operator.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "x")])),
            match_expressions: Some(vec![expr("tier", "In", &["a", "b"]), expr("debug", "DoesNotExist", &[])]),
        };
        assert!(matches(&sel, &labels(&[("app", "x"), ("tier", "b")])));
        assert!(!matches(&sel, &labels(&[("app", "x"), ("tier", "c")])));
        assert!(!matches(&sel, &labels(&[("app", "x"), ("tier", "a"), ("debug", "1")])));
        assert!(!matches(&sel, &labels(&[("tier", "a")])));
        let not_in =
            LabelSelector { match_expressions: Some(vec![expr("env", "NotIn", &["prod"])]), ..Default::default() };
        assert!(matches(&not_in, &Labels::new()), "NotIn holds for a missing key");
        assert!(!matches(&not_in, &labels(&[("env", "prod")])));
        assert!(matches(&LabelSelector::default(), &labels(&[("any", "thing")])));
        assert!(is_empty(&LabelSelector::default()) && !is_empty(&sel));
        assert_eq!(describe(&sel), "app=x,tier in (a,b),!debug");
    }

    #[test]
    fn satisfying_labels() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "x")])),
            match_expressions: Some(vec![expr("tier", "In", &["a", "b"]), expr("team", "Exists", &[])]),
        };
        let found = satisfying(&sel).unwrap();
        assert!(matches(&sel, &found));
        let impossible = LabelSelector {
            match_labels: Some(labels(&[("app", "x")])),
            match_expressions: Some(vec![expr("app", "NotIn", &["x"])]),
        };
        assert_eq!(satisfying(&impossible), None);
    }
}
