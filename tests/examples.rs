//! Golden output of every example spec (`examples/*/cluster.yaml`): a change
//! to the generator that changes them shows up as a reviewed snapshot diff.

use std::path::Path;

use assert_cmd::Command;

#[test]
fn examples_render_as_reviewed() {
    let mut examples: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path().join("cluster.yaml")))
        .filter(|p| p.exists())
        .collect();
    examples.sort();
    assert!(examples.len() >= 3, "{examples:?}");
    for spec in examples {
        let name = spec.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::cargo_bin("impala-k8s").unwrap().args(["gen", "-f"]).arg(&spec).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        insta::assert_snapshot!(format!("example-{name}"), String::from_utf8(out.stdout).unwrap());
    }
}
