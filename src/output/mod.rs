//! Output: the objects of a release in a stable order, as multi-document YAML
//! or a JSON `List`, and the `ports` tables.

mod commented;
pub mod diff;
mod durable;
pub mod files;
pub mod policy;
pub mod ports;
pub mod spool;
pub mod values;
pub mod yaml;

use crate::builders::Object;

/// The objects of a release, sorted for apply (namespaces, identities,
/// configuration and Services before workloads), then by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifests {
    objects: Vec<Object>,
}

impl Manifests {
    /// Sorts the objects into their stable order.
    pub fn new(mut objects: Vec<Object>) -> Self {
        objects.sort_by(|a, b| (a.apply_rank(), a.name()).cmp(&(b.apply_rank(), b.name())));
        Manifests { objects }
    }

    /// The objects, in order.
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// Multi-document YAML, every document opened by `---`, keys sorted.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        for object in &self.objects {
            out.push_str("---\n");
            // A JSON value has string keys only, which YAML always takes.
            out.push_str(&yaml::to_string(&object.to_json()));
        }
        out
    }

    /// A `v1` `List` of the objects as pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let list = serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": self.objects.iter().map(Object::to_json).collect::<Vec<_>>(),
        });
        let mut out = serde_json::to_string_pretty(&list).expect("JSON values serialize");
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ClusterSpec;

    #[test]
    fn order_is_apply_friendly_and_stable() {
        let objects = crate::builders::build(&ClusterSpec::default().resolve().unwrap()).unwrap();
        let mut reversed = objects.clone();
        reversed.reverse();
        let a = Manifests::new(objects);
        assert_eq!(a, Manifests::new(reversed));
        let kinds: Vec<_> = a.objects().iter().map(Object::kind).collect();
        let first_sts = kinds.iter().position(|k| *k == "StatefulSet").unwrap();
        assert!(kinds[..first_sts].iter().all(|k| *k != "StatefulSet"));
        assert!(kinds[first_sts..].iter().all(|k| *k == "StatefulSet"));
        assert_eq!(kinds[0], "Namespace");
    }

    #[test]
    fn yaml_has_sorted_keys() {
        let m = Manifests::new(crate::builders::build(&ClusterSpec::default().resolve().unwrap()).unwrap());
        let yaml = m.to_yaml();
        assert!(yaml.starts_with("---\napiVersion: v1\nkind: Namespace\nmetadata:\n"), "{}", &yaml[..200]);
        assert!(m.to_json().contains("\"kind\": \"List\""));
    }
}
