//! Object metadata and the recommended `app.kubernetes.io` labels.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Builds [`ObjectMeta`]: a bare setter replaces, `with_*` extends.
#[derive(Debug, Clone, Default)]
pub struct ObjectMetaBuilder {
    meta: ObjectMeta,
}

impl ObjectMetaBuilder {
    /// Metadata for an object with this name.
    pub fn new(name: impl Into<String>) -> Self {
        ObjectMetaBuilder { meta: ObjectMeta { name: Some(name.into()), ..Default::default() } }
    }

    /// Metadata with no name (a pod template's).
    pub fn unnamed() -> Self {
        Self::default()
    }

    /// Sets the namespace.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.meta.namespace = Some(namespace.into());
        self
    }

    /// Adds labels.
    pub fn with_labels(mut self, labels: impl IntoIterator<Item = (String, String)>) -> Self {
        self.meta.labels.get_or_insert_with(BTreeMap::new).extend(labels);
        self
    }

    /// Adds one annotation.
    pub fn with_annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.annotations.get_or_insert_with(BTreeMap::new).insert(key.into(), value.into());
        self
    }

    /// The metadata.
    pub fn build(self) -> ObjectMeta {
        self.meta
    }
}

/// The recommended labels (`app.kubernetes.io/*`) of one application instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendedLabels<'a> {
    /// `app.kubernetes.io/name`: the application.
    pub name: &'a str,
    /// `app.kubernetes.io/instance`: the release.
    pub instance: &'a str,
    /// `app.kubernetes.io/version`: the application's version.
    pub version: &'a str,
    /// `app.kubernetes.io/part-of`: the larger application.
    pub part_of: &'a str,
    /// `app.kubernetes.io/managed-by`: the tool that manages the objects.
    pub managed_by: &'a str,
}

/// The label key prefix of the recommended labels.
pub const LABEL_PREFIX: &str = "app.kubernetes.io/";

/// The label that names the tool managing an object.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// Its value on every object impala-k8s writes.
pub const MANAGED_BY: &str = "impala-k8s";

impl RecommendedLabels<'_> {
    /// Every recommended label, with `component` where the object belongs to one.
    pub fn labels(&self, component: Option<&str>) -> BTreeMap<String, String> {
        let mut labels = self.selector(component);
        for (key, value) in [("version", self.version), ("part-of", self.part_of), ("managed-by", self.managed_by)] {
            labels.insert(format!("{LABEL_PREFIX}{key}"), value.to_owned());
        }
        labels
    }

    /// The labels that select the instance's pods (name and instance), or one
    /// component's pods (name, instance and component).
    pub fn selector(&self, component: Option<&str>) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::from([
            (format!("{LABEL_PREFIX}name"), self.name.to_owned()),
            (format!("{LABEL_PREFIX}instance"), self.instance.to_owned()),
        ]);
        if let Some(component) = component {
            labels.insert(format!("{LABEL_PREFIX}component"), component.to_owned());
        }
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_nest() {
        let l = RecommendedLabels {
            name: "impala",
            instance: "prod",
            version: "4.5.0",
            part_of: "impala",
            managed_by: "impala-k8s",
        };
        let instance = l.selector(None);
        let role = l.selector(Some("catalogd"));
        assert!(instance.iter().all(|(k, v)| role.get(k) == Some(v)));
        assert_eq!(role.len(), 3);
        assert_eq!(l.labels(Some("catalogd")).len(), 6);
        assert_eq!(l.labels(None)["app.kubernetes.io/version"], "4.5.0");
    }

    #[test]
    fn meta_builder() {
        let meta = ObjectMetaBuilder::new("a").namespace("ns").with_annotation("k", "v").build();
        assert_eq!(meta.name.as_deref(), Some("a"));
        assert_eq!(meta.namespace.as_deref(), Some("ns"));
        assert!(meta.labels.is_none(), "no empty label map");
    }
}
