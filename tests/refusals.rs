//! The shared table of refusals (tests/refusals.yaml), run against `gen`:
//! every row's spec exits with status 2, nothing on stdout, and one error
//! naming the row's field path with its message. The chart half of the same
//! table is tests/conformance/test_refusals.py.

use std::collections::BTreeSet;

use assert_cmd::Command;
use serde_yaml::{Mapping, Value};

fn rows() -> Vec<Mapping> {
    let table: Value = serde_yaml::from_str(include_str!("refusals.yaml")).unwrap();
    table.as_sequence().unwrap().iter().map(|r| r.as_mapping().unwrap().clone()).collect()
}

fn text<'a>(row: &'a Mapping, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

#[test]
fn every_row_is_complete() {
    let rows = rows();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let mut names = BTreeSet::new();
    for row in &rows {
        let name = text(row, "name").expect("a name");
        assert!(names.insert(name), "{name} twice");
        assert!(text(row, "field").is_some() && text(row, "message").is_some(), "{name}");
        let chart = row.contains_key("values") && text(row, "chart").is_some();
        let cannot = text(row, "chartCannot").is_some_and(|why| why.len() > 20);
        assert!(chart != cannot, "{name}: values and chart, or chartCannot with its reason");
    }
}

#[test]
fn gen_refuses_every_row() {
    let dir = std::env::temp_dir().join(format!("impala-k8s-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for row in rows() {
        let name = text(&row, "name").unwrap();
        let mut metadata = Mapping::new();
        metadata.insert("name".into(), "lake".into());
        metadata.insert("namespace".into(), "analytics".into());
        for (k, v) in row.get("metadata").and_then(Value::as_mapping).into_iter().flatten() {
            metadata.insert(k.clone(), v.clone());
        }
        let mut doc = Mapping::new();
        doc.insert("apiVersion".into(), "impala-k8s.dev/v1alpha1".into());
        doc.insert("kind".into(), "ImpalaCluster".into());
        doc.insert("metadata".into(), Value::Mapping(metadata));
        doc.insert("spec".into(), row.get("spec").cloned().unwrap_or_default());
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
        let out = Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("-f").arg(&path).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
        assert_eq!(stderr.lines().count(), 1, "{name}: one error\n{stderr}");
        let (field, message) = (text(&row, "field").unwrap(), text(&row, "message").unwrap());
        assert!(stderr.contains(&format!(": {field}: ")), "{name}: field {field} in {stderr}");
        assert!(stderr.contains(message), "{name}: {message:?} in {stderr}");
    }
}
