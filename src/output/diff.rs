//! `impala-k8s diff`: what a spec renders against what is committed (a file
//! or an `--out-dir` directory), object by object, independent of document
//! order and formatting.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use similar::TextDiff;

use super::files::{written_files, HEADER, KUSTOMIZATION};
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

/// The objects of one YAML file, by key, each with the file it came from.
fn read_file(path: &Path, into: &mut BTreeMap<Key, (String, PathBuf)>) -> Result<(), ReadError> {
    let text = fs::read_to_string(path).map_err(|e| read_error(path, e.to_string()))?;
    read_text(path, &text, into)
}

/// The objects of one YAML text, by key; `path` names where it came from.
fn read_text(path: &Path, text: &str, into: &mut BTreeMap<Key, (String, PathBuf)>) -> Result<(), ReadError> {
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
        if into.insert(key.clone(), (canonical(&value), path.to_owned())).is_some() {
            return Err(read_error(path, format!("{} {}/{} is defined twice", key.0, key.1, key.2)));
        }
    }
    Ok(())
}

/// The committed objects at `path`: a YAML file, `-` for stdin, or a
/// directory (the files impala-k8s's kustomizations list, recursively, else
/// every .yaml and .yml file in it).
pub fn read_committed(path: &Path) -> Result<BTreeMap<Key, (String, PathBuf)>, ReadError> {
    let mut objects = BTreeMap::new();
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| read_error(path, e.to_string()))?;
        read_text(path, &text, &mut objects)?;
        return Ok(objects);
    }
    let meta = fs::metadata(path).map_err(|e| read_error(path, e.to_string()))?;
    if !meta.is_dir() {
        read_file(path, &mut objects)?;
        return Ok(objects);
    }
    let ours = fs::read_to_string(path.join(KUSTOMIZATION)).is_ok_and(|t| t.starts_with(HEADER));
    let files: Vec<PathBuf> = match ours {
        true => written_files(path)
            .map_err(|e| read_error(path, e.to_string()))?
            .into_iter()
            .filter(|f| f != KUSTOMIZATION && !f.ends_with(&format!("/{KUSTOMIZATION}")))
            .map(|f| path.join(f))
            .collect(),
        false => {
            let mut files: Vec<PathBuf> = fs::read_dir(path)
                .map_err(|e| read_error(path, e.to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                        && p.file_name() != Some(KUSTOMIZATION.as_ref())
                })
                .collect();
            files.sort();
            files
        }
    };
    for file in files {
        read_file(&file, &mut objects)?;
    }
    Ok(objects)
}

/// A readable unified diff of every object that differs, is missing or is
/// extra; empty when the committed objects match the rendered ones.
pub fn diff(rendered: &Manifests, committed: &BTreeMap<Key, (String, PathBuf)>) -> String {
    let expected: BTreeMap<Key, String> = rendered
        .objects()
        .iter()
        .map(|o| {
            let value = o.to_json();
            (key_of(&value).expect("generated objects have a kind and a name"), canonical(&value))
        })
        .collect();
    let mut keys: Vec<&Key> = expected.keys().chain(committed.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = String::new();
    for key in keys {
        let id =
            if key.1.is_empty() { format!("{} {}", key.0, key.2) } else { format!("{} {}/{}", key.0, key.1, key.2) };
        let (old, old_name) = match committed.get(key) {
            Some((text, path)) => (text.as_str(), format!("committed {id} ({})", path.display())),
            None => ("", format!("committed {id} (missing)")),
        };
        let (new, new_name) = match expected.get(key) {
            Some(text) => (text.as_str(), format!("rendered {id}")),
            None => ("", format!("rendered {id} (not rendered: extra)")),
        };
        if old != new {
            out.push_str(
                &TextDiff::from_lines(old, new)
                    .unified_diff()
                    .context_radius(3)
                    .header(&old_name, &new_name)
                    .to_string(),
            );
        }
    }
    out
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
        assert_eq!(diff(&manifests, &read_committed(&dir.join("all.yaml")).unwrap()), "");
        assert_eq!(diff(&manifests, &read_committed(&dir).unwrap()), "");
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
        let text = diff(&manifests, &read_committed(&dir.join("m.yaml")).unwrap());
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
