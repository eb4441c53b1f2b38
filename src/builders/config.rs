//! ConfigMaps and the Hadoop-style XML configuration files they carry.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use quick_xml::escape::escape;

/// Renders properties as a Hadoop configuration file (`core-site.xml`,
/// `hive-site.xml`, `llama-site.xml`), sorted by name.
pub fn hadoop_xml(properties: &BTreeMap<String, String>) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n");
    for (name, value) in properties {
        // Writing to a String cannot fail.
        let _ = writeln!(
            xml,
            "  <property>\n    <name>{}</name>\n    <value>{}</value>\n  </property>",
            escape(name.as_str()),
            escape(value.as_str())
        );
    }
    xml.push_str("</configuration>\n");
    xml
}

/// Builds a [`ConfigMap`].
#[derive(Debug, Clone)]
pub struct ConfigMapBuilder {
    meta: ObjectMeta,
    data: BTreeMap<String, String>,
}

impl ConfigMapBuilder {
    /// A ConfigMap with this metadata.
    pub fn new(meta: ObjectMeta) -> Self {
        ConfigMapBuilder { meta, data: BTreeMap::new() }
    }

    /// Adds a file.
    pub fn add_file(mut self, key: impl Into<String>, content: impl Into<String>) -> Self {
        self.data.insert(key.into(), content.into());
        self
    }

    /// The ConfigMap.
    pub fn build(self) -> ConfigMap {
        ConfigMap { metadata: self.meta, data: (!self.data.is_empty()).then_some(self.data), ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped_and_sorted() {
        let props = BTreeMap::from([("b".to_owned(), "x<y&z".to_owned()), ("a".to_owned(), "1".to_owned())]);
        let xml = hadoop_xml(&props);
        assert!(xml.find("<name>a</name>").unwrap() < xml.find("<name>b</name>").unwrap());
        assert!(xml.contains("<value>x&lt;y&amp;z</value>"), "{xml}");
        assert_eq!(
            hadoop_xml(&BTreeMap::new()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n</configuration>\n"
        );
    }
}
