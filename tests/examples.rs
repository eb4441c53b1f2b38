//! Every example's rendered output (`examples/*/rendered`) is exactly what the
//! generator produces from its spec: a change to the generator that changes
//! them shows up as a reviewed diff of the committed files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn tree(dir: &Path, prefix: &str, into: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir.join(prefix)).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            tree(dir, &format!("{name}/"), into);
        } else {
            into.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
}

#[test]
fn examples_render_as_committed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let example = entry.unwrap().path();
        let spec = [example.join("cluster.yaml"), example.join("specs")].into_iter().find(|p| p.exists());
        let Some(spec) = spec else { continue };
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let out: PathBuf = std::env::temp_dir().join(format!("impala-k8s-example-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let run = Command::cargo_bin("impala-k8s")
            .unwrap()
            .args(["gen", "-f"])
            .arg(&spec)
            .arg("--out-dir")
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let (mut fresh, mut committed) = (BTreeMap::new(), BTreeMap::new());
        tree(&out, "", &mut fresh);
        tree(&example.join("rendered"), "", &mut committed);
        assert_eq!(
            fresh.keys().collect::<Vec<_>>(),
            committed.keys().collect::<Vec<_>>(),
            "{name}: files differ; run `impala-k8s gen -f {} --out-dir {}`",
            spec.display(),
            example.join("rendered").display()
        );
        for (file, text) in &fresh {
            assert!(text == &committed[file], "examples/{name}/rendered/{file} is stale: regenerate it");
        }
        checked += 1;
    }
    assert!(checked >= 4, "minimal, production, cdh5 and multi-tenant");
}
