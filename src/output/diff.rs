//! `impala-k8s diff`: what a spec renders against what is committed (a file
//! or an `--out-dir` directory), object by object, independent of document
//! order and formatting.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use similar::TextDiff;

use super::files::{each_written_file, HEADER, KUSTOMIZATION};
use super::Manifests;
use crate::builders::Object;

/// An object's identity: kind, namespace and name.
pub type Key = (String, String, String);

/// A committed tree that cannot be read as Kubernetes objects.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

fn read_error(path: &Path, message: impl Into<String>) -> ReadError {
    ReadError { path: path.to_owned(), message: message.into() }
}

/// The canonical text of an object: sorted keys, block YAML.
fn canonical(value: &Value) -> String {
    super::yaml::to_string(value)
}

fn key_of(value: &Value) -> Option<Key> {
    let kind = value.get("kind")?.as_str()?;
    let meta = value.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    let namespace = meta.get("namespace").and_then(Value::as_str).unwrap_or_default();
    Some((kind.to_owned(), namespace.to_owned(), name.to_owned()))
}

/// Hands every object of one YAML file to `each`, by key.
fn read_file(path: &Path, each: &mut dyn FnMut(Key, String, &Path) -> Result<(), ReadError>) -> Result<(), ReadError> {
    let text = fs::read_to_string(path).map_err(|e| read_error(path, e.to_string()))?;
    read_text(path, &text, each)
}

/// Hands every object of one YAML text to `each`, by key, with its canonical
/// text; `path` names where it came from.
fn read_text(
    path: &Path,
    text: &str,
    each: &mut dyn FnMut(Key, String, &Path) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    crate::limits::check(text).map_err(|e| {
        let at = e.position.map(|(l, c)| format!("line {l} column {c}: ")).unwrap_or_default();
        read_error(path, format!("{at}{}", e.message))
    })?;
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(doc).map_err(|e| read_error(path, format!("document {}: {e}", i + 1)))?;
        if value.is_null() {
            continue;
        }
        let key = key_of(&value)
            .ok_or_else(|| read_error(path, format!("document {} has no kind or metadata.name", i + 1)))?;
        each(key, canonical(&value), path)?;
    }
    Ok(())
}

fn defined_twice(path: &Path, key: &Key) -> ReadError {
    read_error(path, format!("{} {}/{} is defined twice", key.0, key.1, key.2))
}

/// Hands every committed object at `path` to `each` (its key, its canonical
/// text and its file), one file at a time: a YAML file, `-` for stdin, or a
/// directory (the files impala-k8s's kustomizations list, recursively, else
/// every .yaml and .yml file in it).
pub fn each_committed(
    path: &Path,
    mut each: impl FnMut(Key, String, &Path) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| read_error(path, e.to_string()))?;
        return read_text(path, &text, &mut each);
    }
    let meta = fs::metadata(path).map_err(|e| read_error(path, e.to_string()))?;
    if !meta.is_dir() {
        return read_file(path, &mut each);
    }
    let ours = fs::read_to_string(path.join(KUSTOMIZATION)).is_ok_and(|t| t.starts_with(HEADER));
    if ours {
        // One file at a time, as listed: a tree of thousands of clusters is never listed whole.
        let mut failure = Ok(());
        each_written_file(path, |file| {
            let listed = file != KUSTOMIZATION && !file.ends_with(&format!("/{KUSTOMIZATION}"));
            if listed && failure.is_ok() {
                failure = read_file(&path.join(file), &mut each);
            }
        })
        .map_err(|e| read_error(path, e.to_string()))?;
        return failure;
    }
    let mut files: Vec<PathBuf> = fs::read_dir(path)
        .map_err(|e| read_error(path, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "yaml" || x == "yml") && p.file_name() != Some(KUSTOMIZATION.as_ref())
        })
        .collect();
    files.sort();
    for file in files {
        read_file(&file, &mut each)?;
    }
    Ok(())
}

/// The committed objects at `path` (see [`each_committed`]), by key, each
/// with its canonical text and its file.
pub fn read_committed(path: &Path) -> Result<BTreeMap<Key, (String, PathBuf)>, ReadError> {
    let mut objects = BTreeMap::new();
    each_committed(path, |key, text, file| match objects.entry(key) {
        std::collections::btree_map::Entry::Occupied(e) => Err(defined_twice(file, e.key())),
        std::collections::btree_map::Entry::Vacant(e) => {
            e.insert((text, file.to_owned()));
            Ok(())
        }
    })?;
    Ok(objects)
}

/// A borrowed [`Key`].
type Key3<'a> = (&'a str, &'a str, &'a str);

/// One object's unified diff, empty when both sides are equal.
fn object_diff(key: (&str, &str, &str), committed: Option<(&str, &Path)>, rendered: Option<&str>) -> String {
    let id = if key.1.is_empty() { format!("{} {}", key.0, key.2) } else { format!("{} {}/{}", key.0, key.1, key.2) };
    let (old, old_name) = match committed {
        Some((text, path)) => (text, format!("committed {id} ({})", path.display())),
        None => ("", format!("committed {id} (missing)")),
    };
    let (new, new_name) = match rendered {
        Some(text) => (text, format!("rendered {id}")),
        None => ("", format!("rendered {id} (not rendered: extra)")),
    };
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&old_name, &new_name).to_string()
}

/// A readable unified diff of every object that differs, is missing or is
/// extra, in key order; empty when the committed objects at `committed`
/// match the rendered ones.
///
/// The rendered objects are `rendered`, sorted by `rendered_key`, and `text`
/// reads the canonical text of one: the committed tree is read one file at a time and
/// only the objects that differ are kept, so a diff of thousands of clusters
/// holds little more than what renders them.
pub fn diff_sorted<'a, T>(
    rendered: &'a [T],
    rendered_key: impl Fn(&'a T) -> Key3<'a>,
    mut text: impl FnMut(&'a T) -> Result<String, crate::Error>,
    committed: &Path,
) -> Result<String, crate::Error> {
    let mut seen = vec![false; rendered.len()];
    let mut extra: std::collections::BTreeSet<Key> = Default::default();
    let mut drift: BTreeMap<Key, String> = BTreeMap::new();
    let mut failure = None;
    each_committed(committed, |key, old, file| {
        let k = (key.0.as_str(), key.1.as_str(), key.2.as_str());
        let shown = match rendered.binary_search_by(|r| rendered_key(r).cmp(&k)) {
            Ok(i) if seen[i] => return Err(defined_twice(file, &key)),
            Ok(i) => {
                seen[i] = true;
                match text(&rendered[i]) {
                    Ok(new) => object_diff(k, Some((&old, file)), Some(&new)),
                    Err(e) => {
                        failure.get_or_insert(e);
                        String::new()
                    }
                }
            }
            Err(_) if extra.contains(&key) => return Err(defined_twice(file, &key)),
            Err(_) => {
                extra.insert(key.clone());
                object_diff(k, Some((&old, file)), None)
            }
        };
        if !shown.is_empty() {
            drift.insert(key, shown);
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    for (item, _) in rendered.iter().zip(&seen).filter(|(_, seen)| !**seen) {
        let new = text(item)?;
        let k = rendered_key(item);
        drift.insert((k.0.to_owned(), k.1.to_owned(), k.2.to_owned()), object_diff(k, None, Some(&new)));
    }
    Ok(drift.into_values().collect())
}

/// [`diff_sorted`] of a release's objects against what is committed at `committed`.
pub fn diff(rendered: &Manifests, committed: &Path) -> Result<String, crate::Error> {
    let values: Vec<Value> = rendered.objects().iter().map(Object::to_json).collect();
    let mut keyed: Vec<(Key, &Value)> =
        values.iter().map(|v| (key_of(v).expect("generated objects have a kind and a name"), v)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    fn key<'k>((k, _): &'k (Key, &Value)) -> Key3<'k> {
        (k.0.as_str(), k.1.as_str(), k.2.as_str())
    }
    diff_sorted(&keyed, key, |(_, value)| Ok(canonical(value)), committed)
}

/// Committed manifests that `policy --manifests` cannot analyze.
#[derive(Debug, thiserror::Error)]
pub enum ManifestsError {
    /// An object of a known kind that does not read as that kind.
    #[error("{path}: {kind} {name}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The object's kind.
        kind: String,
        /// Its namespace/name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The files cannot be read as Kubernetes objects.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No workload to analyze.
    #[error("{path}: holds no StatefulSet, so no pod listens anywhere")]
    NoWorkload {
        /// The file or directory.
        path: String,
    },
}

/// The objects in committed manifests (a YAML file, `-` for stdin, or an
/// `--out-dir` directory), such as a kustomize overlay's output: the kinds
/// impala-k8s generates, every other kind left out.
pub fn read_manifests(path: &std::path::Path) -> Result<Vec<Object>, ManifestsError> {
    let committed = read_committed(path)?;
    let shown = path.display().to_string();
    let mut objects = Vec::new();
    for ((kind, namespace, name), (text, file)) in &committed {
        if let Some(parsed) = Object::parse(kind, text) {
            objects.push(parsed.map_err(|e| ManifestsError::Invalid {
                path: file.display().to_string(),
                kind: kind.clone(),
                name: format!("{namespace}/{name}"),
                message: e.to_string(),
            })?);
        }
    }
    if !objects.iter().any(|o| o.kind() == "StatefulSet") {
        return Err(ManifestsError::NoWorkload { path: shown });
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ClusterSpec;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("impala-k8s-diff-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn same_objects_in_another_order_and_format_match() {
        let manifests = crate::render(&ClusterSpec::default()).unwrap().manifests;
        let dir = temp("order");
        // Reversed, as JSON-style flow YAML.
        let text: String = manifests
            .objects()
            .iter()
            .rev()
            .map(|o| format!("---\n{}\n", serde_json::to_string(&o.to_json()).unwrap()))
            .collect();
        fs::write(dir.join("all.yaml"), text).unwrap();
        assert_eq!(diff(&manifests, &dir.join("all.yaml")).unwrap(), "");
        assert_eq!(diff(&manifests, &dir).unwrap(), "");
    }

    #[test]
    fn drift_missing_and_extra_objects_are_shown() {
        let manifests = crate::render(&ClusterSpec::default()).unwrap().manifests;
        let dir = temp("drift");
        let mut yaml = manifests.to_yaml().replace("replicas: 2", "replicas: 3");
        yaml.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: impala\n");
        let without_sa: String =
            yaml.split("---\n").filter(|d| !d.contains("kind: ServiceAccount")).map(|d| format!("---\n{d}")).collect();
        fs::write(dir.join("m.yaml"), without_sa).unwrap();
        let text = diff(&manifests, &dir.join("m.yaml")).unwrap();
        assert!(text.contains("-  replicas: 3\n+  replicas: 2\n"), "{text}");
        assert!(text.contains("committed ServiceAccount impala/impala (missing)"), "{text}");
        assert!(text.contains("rendered ConfigMap impala/stray (not rendered: extra)"), "{text}");
    }

    #[test]
    fn unreadable_trees_are_named() {
        let dir = temp("bad");
        fs::write(dir.join("x.yaml"), "apiVersion: v1\nmetadata: {}\n").unwrap();
        let e = read_committed(&dir).unwrap_err();
        assert!(e.to_string().contains("x.yaml: document 1 has no kind or metadata.name"), "{e}");
    }
}
