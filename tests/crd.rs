//! The CustomResourceDefinition is structural, as the API server demands of
//! `apiextensions.k8s.io/v1` CRDs, and the JSON Schema describes the same spec.

use assert_cmd::Command;
use serde_json::Value;

fn stdout_of(args: &[&str]) -> String {
    let out = Command::cargo_bin("impala-k8s").unwrap().args(args).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The rules of a structural schema (Kubernetes API conventions, "Specifying a
/// structural schema"): every node has a type (or int-or-string / preserve
/// unknown fields); no $ref; properties and additionalProperties never together;
/// inside allOf/anyOf/oneOf/not no type, description, default, nullable or
/// additionalProperties; metadata at the root restricts only name and generateName.
fn check(path: &str, node: &Value, in_junctor: bool, problems: &mut Vec<String>) {
    let Some(obj) = node.as_object() else {
        problems.push(format!("{path}: not an object"));
        return;
    };
    if obj.contains_key("$ref") || obj.contains_key("definitions") || obj.contains_key("$defs") {
        problems.push(format!("{path}: $ref or definitions"));
    }
    let open = obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        || obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if in_junctor {
        for key in ["type", "description", "default", "nullable", "additionalProperties"] {
            if obj.contains_key(key) {
                problems.push(format!("{path}: {key} inside a junctor"));
            }
        }
    } else if !obj.contains_key("type") && !open {
        problems.push(format!("{path}: no type"));
    }
    if obj.contains_key("properties") && obj.contains_key("additionalProperties") {
        problems.push(format!("{path}: properties and additionalProperties together"));
    }
    if let Some(Value::Bool(_)) = obj.get("additionalProperties") {
        problems.push(format!("{path}: additionalProperties must be a schema"));
    }
    for (key, value) in obj {
        match key.as_str() {
            "properties" => {
                for (name, child) in value.as_object().into_iter().flatten() {
                    check(&format!("{path}.{name}"), child, in_junctor, problems);
                }
            }
            "items" | "additionalProperties" | "not" => {
                check(&format!("{path}.{key}"), value, in_junctor || key == "not", problems)
            }
            "allOf" | "anyOf" | "oneOf" => {
                for (i, child) in value.as_array().into_iter().flatten().enumerate() {
                    check(&format!("{path}.{key}[{i}]"), child, true, problems);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn crd_is_structural() {
    let crd: Value = serde_yaml::from_str(&stdout_of(&["crd"])).unwrap();
    assert_eq!(crd["apiVersion"], "apiextensions.k8s.io/v1");
    assert_eq!(crd["metadata"]["name"], "impalaclusters.impala-k8s.dev");
    let version = &crd["spec"]["versions"][0];
    assert_eq!(version["name"], "v1alpha1");
    assert_eq!(version["served"], true);
    assert_eq!(version["storage"], true);
    let schema = &version["schema"]["openAPIV3Schema"];
    let mut problems = Vec::new();
    check("openAPIV3Schema", schema, false, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
    let spec = &schema["properties"]["spec"]["properties"];
    for key in [
        "profile",
        "registry",
        "image",
        "roles",
        "networkPolicy",
        "metastoreUri",
        "hiveSite",
        "coreSite",
        "serviceType",
    ] {
        assert!(spec.get(key).is_some(), "spec.{key} missing from the CRD");
    }
}

#[test]
fn json_schema_is_strict_about_unknown_keys() {
    let schema: Value = serde_json::from_str(&stdout_of(&["schema"])).unwrap();
    assert_eq!(schema["title"], "ImpalaCluster");
    assert_eq!(schema["additionalProperties"], false);
    let defs = schema["$defs"].as_object().unwrap();
    for name in ["ImpalaClusterSpec", "RoleSpec", "ImageSpec", "ExternalServiceSpec", "NetworkPolicySpec", "EgressSpec"]
    {
        assert_eq!(defs[name]["additionalProperties"], false, "{name}");
    }
}

#[test]
fn the_structural_check_can_fail() {
    let bad: Value = serde_json::json!({
        "type": "object",
        "properties": {
            "a": {"description": "no type"},
            "b": {"$ref": "#/definitions/x", "type": "object"},
            "c": {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}},
            "d": {"anyOf": [{"type": "string"}]},
        }
    });
    let mut problems = Vec::new();
    check("root", &bad, false, &mut problems);
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[test]
fn committed_schema_and_crd_match_the_generator() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    for (file, args) in [("impalacluster.schema.json", &["schema"][..]), ("impalacluster-crd.yaml", &["crd"][..])] {
        let committed = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(committed == stdout_of(args), "schema/{file} drifted: run `impala-k8s {} > schema/{file}`", args[0]);
    }
}
