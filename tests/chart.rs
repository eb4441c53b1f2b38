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
    for (file, args) in [("values.yaml", &["values"][..]), ("values.schema.json", &["values", "--schema"][..])] {
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
