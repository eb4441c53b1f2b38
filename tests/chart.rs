//! charts/impala's values.yaml and values.schema.json are exactly what
//! `impala-k8s values` and `impala-k8s values --schema` print.

use assert_cmd::Command;

fn stdout_of(args: &[&str]) -> String {
    let out = Command::cargo_bin("impala-k8s").unwrap().args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn chart_values_match_the_generator() {
    let chart = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/impala");
    for (file, args) in
        [("values.yaml", &["values", "--full"][..]), ("values.schema.json", &["values", "--schema"][..])]
    {
        let committed = std::fs::read_to_string(chart.join(file)).unwrap();
        assert!(committed == stdout_of(args), "charts/impala/{file} drifted: run `impala-k8s {}`", args.join(" "));
    }
}

#[test]
fn values_refuse_what_gen_refuses() {
    let out = Command::cargo_bin("impala-k8s").unwrap().args(["values", "--replicas", "catalogd=2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("spec.roles.catalogd.replicas: role 'catalogd' is a singleton"));
}

/// The Markdown table of the chart README: every top-level key of the values
/// schema, and each key one level below it (`roles.<role>.<key>` for the
/// roles), with its description. The registry is one row.
fn values_table(schema: &serde_json::Value) -> String {
    use serde_json::Value;
    let defs = &schema["$defs"];
    // The object schema a property stands for: through `$ref`, `anyOf` and `additionalProperties` for maps.
    fn resolve<'a>(defs: &'a Value, node: &'a Value) -> &'a Value {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            return resolve(defs, &defs[r.trim_start_matches("#/$defs/")]);
        }
        if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
            if let Some(some) = any.iter().find(|n| n.get("type") != Some(&Value::from("null"))) {
                return resolve(defs, some);
            }
        }
        node
    }
    let cell = |node: &Value| {
        let text = node.get("description").and_then(Value::as_str).unwrap_or_default();
        text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
    };
    let mut rows = vec!["| key | what it does |".to_owned(), "|---|---|".to_owned()];
    let properties = schema["properties"].as_object().unwrap();
    for (key, node) in properties {
        rows.push(format!("| `{key}` | {} |", cell(node)));
        if key == "registry" {
            continue;
        }
        let mut target = resolve(defs, node);
        let mut prefix = key.clone();
        if key == "roles" {
            target = resolve(defs, &target["additionalProperties"]);
            prefix = "roles.<role>".to_owned();
        }
        for (sub, sub_node) in target.get("properties").and_then(Value::as_object).into_iter().flatten() {
            rows.push(format!("| `{prefix}.{sub}` | {} |", cell(sub_node)));
        }
    }
    rows.join("\n") + "\n"
}

#[test]
fn the_chart_readme_values_table_is_the_schema_s() {
    const START: &str = "<!-- values table: generated from values.schema.json by tests/chart.rs (UPDATE_CHART_README=1 cargo test --test chart) -->\n";
    const END: &str = "<!-- end of the values table -->";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/impala/README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&stdout_of(&["values", "--schema"])).unwrap();
    let table = values_table(&schema);
    assert!(table.contains("| `metrics.sources` |") && table.contains("| `roles.<role>.containerPorts` |"), "{table}");
    let (before, rest) = readme.split_once(START).expect("the README marks the table's start");
    let (committed, after) = rest.split_once(END).expect("the README marks the table's end");
    if std::env::var_os("UPDATE_CHART_README").is_some() {
        std::fs::write(&path, format!("{before}{START}{table}{END}{after}")).unwrap();
        return;
    }
    assert!(
        committed == table,
        "charts/impala/README.md's values table drifted: run UPDATE_CHART_README=1 cargo test --test chart"
    );
}
