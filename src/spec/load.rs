//! Reading an `ImpalaCluster` document: every unknown key (at any depth) and
//! every wrong type is reported with the file, line and column, the field
//! path, and a suggestion where a known name is close.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::crd::{ImpalaClusterSpec, API_VERSION, KIND};
use super::path::Segment;
use super::{did_you_mean, ClusterSpec, FieldPath, Location, SpecError, DEFAULT_NAMESPACE, DEFAULT_RELEASE};

/// An ImpalaCluster document as a file holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(
    title = "ImpalaCluster",
    description = "An Apache Impala cluster, rendered into Kubernetes objects by impala-k8s."
)]
pub struct Document {
    /// Always `impala-k8s.dev/v1alpha1`.
    pub api_version: String,
    /// Always `ImpalaCluster`.
    pub kind: String,
    /// The cluster's name (the release: the prefix of every object name) and namespace.
    #[serde(default)]
    pub metadata: Metadata,
    /// The desired cluster.
    #[serde(default)]
    pub spec: ImpalaClusterSpec,
}

/// The name and namespace of an ImpalaCluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The release name, prefix of every object name (default `impala`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of every object (default `impala`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The JSON Schema of an ImpalaCluster document (for editors and CI).
pub fn json_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Document)).expect("a JSON Schema serializes")
}

static SCHEMA: LazyLock<Value> = LazyLock::new(json_schema);

fn error(
    file: &str,
    position: Option<(usize, usize)>,
    field: impl Into<FieldPath>,
    message: impl Into<String>,
) -> SpecError {
    SpecError { location: Some(Location { file: file.to_owned(), position }), ..SpecError::new(field, message) }
}

/// Reads one ImpalaCluster document; `file` names it in errors (`-` for stdin).
pub fn from_yaml(file: &str, text: &str) -> Result<ClusterSpec, SpecError> {
    let mut specs = documents(file, text);
    if specs.len() > 1 {
        return Err(error(
            file,
            None,
            "document",
            "the file holds more than one document; gen -f takes one ImpalaCluster",
        ));
    }
    specs.pop().expect("documents gives at least one result")
}

/// A serde_yaml message without the path it puts in front (`ports[2]: port 0
/// is out of range`): the error names its field once, itself.
pub(crate) fn without_path<'m>(message: &'m str, field: &str) -> &'m str {
    match message.split_once(": ") {
        Some((head, rest)) if !head.contains(' ') && field.starts_with(head) => rest,
        _ => message,
    }
}

/// Reads every ImpalaCluster document of a file, each checked on its own:
/// at least one result, in document order.
pub fn documents(file: &str, text: &str) -> Vec<Result<ClusterSpec, SpecError>> {
    // A UTF-8 byte-order mark (editors on Windows write one) is no content.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let empty = text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---");
    if empty {
        return vec![Err(error(
            file,
            None,
            "document",
            "the file is empty: expected an ImpalaCluster document (impala-k8s init prints one)",
        ))];
    }
    if let Err(e) = crate::limits::check(text) {
        return vec![Err(error(file, e.position, "document", e.message))];
    }
    let mut specs = Vec::new();
    for (index, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let mut ignored = Vec::new();
        let mut record = |path: serde_ignored::Path<'_>| ignored.push(ignored_path(&path));
        let parsed: Result<Option<Document>, _> =
            serde_path_to_error::deserialize(serde_ignored::Deserializer::new(doc, &mut record));
        let result = match parsed {
            // An empty document between two `---` is no cluster.
            Ok(None) => continue,
            Ok(Some(document)) => check(file, text, index, document, &ignored),
            Err(e) => {
                let field = path_of(e.path());
                let inner = e.into_inner();
                let message = inner.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                let message = without_path(message, &field.to_string()).to_owned();
                let field = if field.is_root() { FieldPath::from("document") } else { field };
                specs.push(Err(error(
                    file,
                    inner.location().map(|l| (l.line(), l.column())),
                    field,
                    in_plain_words(&with_suggestion(&message)),
                )));
                // After a syntax error serde_yaml cannot find the next document:
                // stop reading; after a wrong value, read on and report every one.
                if syntax_error(&message) {
                    break;
                }
                continue;
            }
        };
        specs.push(result);
    }
    if specs.is_empty() {
        specs.push(Err(error(
            file,
            None,
            "document",
            "the file is empty: expected an ImpalaCluster document (impala-k8s init prints one)",
        )));
    }
    specs
}

fn check(
    file: &str,
    text: &str,
    index: usize,
    document: Document,
    ignored: &[FieldPath],
) -> Result<ClusterSpec, SpecError> {
    if let Some(field) = ignored.first() {
        let key = match field.segments().last() {
            Some(Segment::Key(key)) => key.clone(),
            _ => field.to_string(),
        };
        let known = known_keys(&field.parent().unwrap_or_default());
        let hint = did_you_mean(&key, known.iter().map(String::as_str))
            .map(|k| format!(", did you mean `{k}`?"))
            .unwrap_or_default();
        let allowed = if known.is_empty() { String::new() } else { format!("; known fields: {}", known.join(", ")) };
        let position = super::positions::positions_in(text, index).locate_key(field);
        return Err(error(file, position, field, format!("unknown field `{key}`{hint}{allowed}")));
    }
    if let Some(field) = null_for_a_string(text, index) {
        let position = super::positions::positions_in(text, index).locate_key(&field);
        return Err(error(
            file,
            position,
            field,
            "a null (~, null or nothing) where a string is required, which would be read as the text 'null' or '~'; quote it ('~') or leave the key out",
        ));
    }
    let at = |field: &str| super::positions::positions_in(text, index).locate(&FieldPath::from(field));
    if document.api_version != API_VERSION {
        return Err(error(
            file,
            at("apiVersion"),
            "apiVersion",
            format!("'{}' is not supported: expected {API_VERSION}", document.api_version),
        ));
    }
    if document.kind != KIND {
        return Err(error(file, at("kind"), "kind", format!("'{}' is not supported: expected {KIND}", document.kind)));
    }
    Ok(ClusterSpec {
        release: document.metadata.name.unwrap_or_else(|| DEFAULT_RELEASE.to_owned()),
        namespace: document.metadata.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
        spec: document.spec,
        document: index,
    })
}

/// True when serde_yaml could not read the YAML itself (it then finds no
/// next document), not merely a value of the wrong type or name.
fn syntax_error(message: &str) -> bool {
    ![
        "invalid type",
        "invalid value",
        "unknown field",
        "unknown variant",
        "missing field",
        "duplicate field",
        "invalid length",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// A reader's message without Rust's type names (`expected u32` says what
/// numbers are allowed, `expected struct SecretKey` says a map is), and any
/// quoted value past 80 characters shortened.
pub fn in_plain_words(message: &str) -> String {
    let numbers = regex::Regex::new(r"expected (u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64)\b")
        .expect("a valid pattern");
    let message = numbers.replace_all(message, |c: &regex::Captures<'_>| {
        let range = match &c[1] {
            "u8" => "a whole number from 0 to 255",
            "u16" => "a whole number from 0 to 65535",
            "u32" => "a whole number from 0 to 4294967295",
            "u64" | "u128" | "usize" => "a whole number, 0 or more",
            "i8" | "i16" | "i32" => "a whole number from -2147483648 to 2147483647",
            "i64" | "i128" | "isize" => "a whole number",
            _ => "a number",
        };
        format!("expected {range}")
    });
    let structs = regex::Regex::new(r"expected struct \w+").expect("a valid pattern");
    let message = structs.replace_all(&message, "expected a map of settings");
    // serde_yaml says which Rust integer it read a large number as.
    let read_as = regex::Regex::new(r" as (u128|i128|u64|i64)\b").expect("a valid pattern");
    let message = read_as.replace_all(&message, "");
    // A value serde quotes ("..." or `...`), shortened.
    let long = regex::Regex::new(r#""([^"]{80,})"|`([^`]{80,})`"#).expect("a valid pattern");
    long.replace_all(&message, |c: &regex::Captures<'_>| {
        let (quote, value) = match c.get(1) {
            Some(v) => ('"', v.as_str()),
            None => ('`', &c[2]),
        };
        let short: String = value.chars().take(77).collect();
        format!("{quote}{short}…{quote}")
    })
    .into_owned()
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (and the same for
/// enum variants), with the closest expected name suggested.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return message.to_owned();
    };
    let Some((value, expected)) = rest.split_once('`') else { return message.to_owned() };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(value, candidates) {
        Some(c) => format!("{message}; did you mean `{c}`?"),
        None => message.to_owned(),
    }
}

/// A serde_path_to_error path as a field path (unknown steps left out).
fn path_of(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    path.iter()
        .filter_map(|s| match s {
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Map { key } => Some(Segment::Key(key.clone())),
            S::Enum { variant } => Some(Segment::Key(variant.clone())),
            S::Unknown => None,
        })
        .collect()
}

/// A serde_ignored path as a field path.
fn ignored_path(path: &serde_ignored::Path<'_>) -> FieldPath {
    use serde_ignored::Path;
    match path {
        Path::Root => FieldPath::root(),
        Path::Seq { parent, index } => ignored_path(parent).index(*index),
        Path::Map { parent, key } => ignored_path(parent).key(key.as_str()),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            ignored_path(parent)
        }
    }
}

/// Follows `$ref` into `$defs`, and the non-null branch of an `Option`.
pub fn resolve_schema<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        if let Some(name) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(n) => node = n,
                None => return node,
            }
            continue;
        }
        let option = node
            .get("anyOf")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 2 && a.iter().any(|v| v.get("type") == Some(&Value::from("null"))));
        match option.and_then(|a| a.iter().find(|v| v.get("type") != Some(&Value::from("null")))) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The first place of the document where YAML's null stands for a value the
/// schema says is a string (serde_yaml would read it as the text `~` or `null`).
fn null_for_a_string(text: &str, index: usize) -> Option<FieldPath> {
    // Reading the text again costs about as much as a render: only where a null may be.
    if !may_hold_a_null(text) {
        return None;
    }
    let doc = serde_yaml::Deserializer::from_str(text).nth(index)?;
    let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).ok()?;
    fn has_null(value: &serde_yaml::Value) -> bool {
        match value {
            serde_yaml::Value::Null => true,
            serde_yaml::Value::Mapping(map) => map.values().any(has_null),
            serde_yaml::Value::Sequence(items) => items.iter().any(has_null),
            _ => false,
        }
    }
    // Building the schema costs more than a whole render: only for a document with a null.
    if !has_null(&value) {
        return None;
    }
    let root = &*SCHEMA;
    fn walk(value: &serde_yaml::Value, node: &Value, root: &Value, path: FieldPath) -> Option<FieldPath> {
        // A `$ref` is followed; an Option (`anyOf` with null) takes null.
        let mut node = node;
        while let Some(name) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
            node = root.get("$defs")?.get(name)?;
        }
        match value {
            serde_yaml::Value::Null => (node.get("type") == Some(&Value::from("string"))).then_some(path),
            serde_yaml::Value::Mapping(map) => {
                let node = resolve_schema(node, root);
                map.iter().find_map(|(k, v)| {
                    let key = k.as_str()?;
                    let child =
                        node.get("properties").and_then(|p| p.get(key)).or_else(|| node.get("additionalProperties"))?;
                    walk(v, child, root, path.key(key))
                })
            }
            serde_yaml::Value::Sequence(items) => {
                let node = resolve_schema(node, root);
                let child = node.get("items")?;
                items.iter().enumerate().find_map(|(i, v)| walk(v, child, root, path.index(i)))
            }
            _ => None,
        }
    }
    walk(&value, root, root, FieldPath::root())
}

/// True when the text may hold a YAML null: `~`, `null` in any case, a flow
/// key with no value (`{a: }`), or a block key with no value (its next line
/// no deeper, and no list item).
fn may_hold_a_null(text: &str) -> bool {
    if text.contains('~') || text.to_ascii_lowercase().contains("null") || text.contains(": }") || text.contains(": ,")
    {
        return true;
    }
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split(" #").next().unwrap_or(l).trim_end())
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    lines.iter().enumerate().any(|(i, line)| {
        line.ends_with(':')
            && lines.get(i + 1).is_none_or(|next| {
                indent(next) < indent(line) || (indent(next) == indent(line) && !next.trim_start().starts_with("- "))
            })
    })
}

/// The property names the schema knows at a path of the document.
fn known_keys(path: &FieldPath) -> Vec<String> {
    let root = &*SCHEMA;
    let resolve = |node: &'static Value| resolve_schema(node, root);
    let mut node = resolve(root);
    for segment in path.segments() {
        let next = match segment {
            Segment::Index(_) => node.get("items"),
            Segment::Key(key) => node.get("properties").and_then(|p| p.get(key)),
        }
        .or_else(|| node.get("additionalProperties"));
        match next {
            Some(n) => node = resolve(n),
            None => return Vec::new(),
        }
    }
    node.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ClusterSpec, SpecError> {
        from_yaml("c.yaml", text)
    }

    const HEAD: &str =
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: prod\n  namespace: analytics\n";

    #[test]
    fn a_null_where_a_string_is_required_is_refused() {
        for (spec, field) in [
            ("  hiveSite:\n    a.b: ~\n", "spec.hiveSite.a.b"),
            ("  hiveSite:\n    a.b: NULL\n", "spec.hiveSite.a.b"),
            (
                "  roles:\n    coordinator:\n      podAnnotations:\n        a:\n",
                "spec.roles.coordinator.podAnnotations.a",
            ),
            ("  roles:\n    coordinator:\n      nodeSelector: {disk: }\n", "spec.roles.coordinator.nodeSelector.disk"),
        ] {
            let e = load(&format!("{HEAD}spec:\n{spec}")).unwrap_err();
            assert_eq!(e.field.to_string(), field, "{spec}");
            assert!(e.message.starts_with("a null (~, null or nothing) where a string is required"), "{e}");
        }
        // An Option takes null (unset), a quoted '~' is a string, a list may start at its key's indentation.
        let ok = "  image: {tag: ~}\n  hiveSite: {a.b: '~'}\n  roles:\n    executor:\n      tolerations:\n      - {key: a, operator: Exists}\n";
        assert!(load(&format!("{HEAD}spec:\n{ok}")).is_ok());
    }

    #[test]
    fn reads_a_document() {
        let spec = load(&format!("{HEAD}spec:\n  roles:\n    executor:\n      replicas: 4\n")).unwrap();
        assert_eq!(spec.release, "prod");
        assert_eq!(spec.namespace, "analytics");
        assert_eq!(spec.spec.roles["executor"].replicas, Some(4));
    }

    #[test]
    fn unknown_fields_name_the_path_and_a_suggestion() {
        let e = load(&format!("{HEAD}spec:\n  roles:\n    executor:\n      replcas: 4\n")).unwrap_err();
        assert_eq!(e.field, "spec.roles.executor.replcas");
        assert_eq!(e.location.as_ref().unwrap().position, Some((9, 7)));
        assert!(e.message.starts_with("unknown field `replcas`, expected one of"), "{e}");
        assert!(e.message.ends_with("did you mean `replicas`?"), "{e}");
        // Inside Kubernetes types too.
        let e = load(&format!(
            "{HEAD}spec:\n  roles:\n    executor:\n      tolerations:\n      - key: a\n        efect: NoSchedule\n"
        ))
        .unwrap_err();
        assert_eq!(e.field, "spec.roles.executor.tolerations[0].efect");
        assert_eq!(e.location.as_ref().unwrap().position, Some((11, 9)));
        assert!(e.message.contains("did you mean `effect`?"), "{e}");
    }

    #[test]
    fn wrong_types_and_variants() {
        let e = load(&format!("{HEAD}spec:\n  serviceType: Loadbalancer\n")).unwrap_err();
        assert_eq!(e.field, "spec.serviceType");
        assert!(e.message.contains("did you mean `LoadBalancer`?"), "{e}");
        let e = load(&format!("{HEAD}spec:\n  roles:\n    executor:\n      replicas: many\n")).unwrap_err();
        assert_eq!(e.field, "spec.roles.executor.replicas");
        assert!(e.message.contains("invalid type: string \"many\""), "{e}");
        let e = load(&format!("{HEAD}spec:\n  roles:\n    executor:\n      replicas: 99999999999999999999999\n"))
            .unwrap_err();
        assert_eq!(e.field, "spec.roles.executor.replicas");
    }

    #[test]
    fn documents_and_kinds() {
        assert!(load("").unwrap_err().message.contains("the file is empty"));
        assert!(load("# nothing\n").unwrap_err().message.contains("the file is empty"));
        assert!(load(&format!("{HEAD}---\n{HEAD}")).unwrap_err().message.contains("more than one document"));
        let e = load("apiVersion: v1\nkind: ImpalaCluster\n").unwrap_err();
        assert_eq!(e.location.as_ref().and_then(|l| l.position), Some((1, 13)), "at the value");
        let e2 = load("apiVersion: impala-k8s.dev/v1alpha1\nkind: Impala\n").unwrap_err();
        assert_eq!(e2.location.as_ref().and_then(|l| l.position), Some((2, 7)));
        assert_eq!(
            (e.field.to_string().as_str(), e.message.as_str()),
            ("apiVersion", "'v1' is not supported: expected impala-k8s.dev/v1alpha1")
        );
        assert_eq!(load("apiVersion: impala-k8s.dev/v1alpha1\nkind: Impala\n").unwrap_err().field, "kind");
        assert!(load("[1, 2").is_err());
        assert!(load("\u{0}\u{1}\u{2}").is_err());
        let deep = format!("{HEAD}spec:\n  hiveSite: {}{}\n", "[".repeat(500), "]".repeat(500));
        assert!(load(&deep).is_err());
    }
}
