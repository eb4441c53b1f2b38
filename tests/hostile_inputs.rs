//! Input as an attacker or a careless user would give it: every case is
//! refused with exit status 2, a message naming the file, nothing on stdout,
//! and nothing written or removed.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn cmd() -> Command {
    Command::cargo_bin("impala-k8s").unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("impala-k8s-hostile-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

const SPEC: &str = "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: a\n  namespace: a\n";

/// Runs the command, expects exit status 2 with every fragment on stderr and an empty stdout.
fn refused(args: &[&str], fragments: &[&str]) {
    let out = cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout must stay empty");
    for fragment in fragments {
        assert!(stderr.contains(fragment), "{args:?}: expected {fragment:?} in {stderr}");
    }
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(tree(&path));
        } else {
            files.push((path.display().to_string(), fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn unreadable_specs_in_a_directory_are_errors_not_skipped() {
    let root = temp("symlinks");
    let specs = root.join("specs");
    fs::create_dir(&specs).unwrap();
    fs::write(specs.join("a.yaml"), SPEC).unwrap();
    fs::write(specs.join("b.yaml"), SPEC.replace(": a", ": b")).unwrap();
    let out = root.join("out");
    let (specs_arg, out_arg) = (specs.to_str().unwrap(), out.to_str().unwrap());
    cmd().args(["gen", "-f", specs_arg, "--out-dir", out_arg]).assert().success();
    let before = tree(&out);
    // b.yaml becomes a dangling symbolic link, then a looping one.
    fs::remove_file(specs.join("b.yaml")).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere.yaml"), specs.join("b.yaml")).unwrap();
    for args in [
        vec!["gen", "-f", specs_arg],
        vec!["gen", "-f", specs_arg, "--out-dir", out_arg],
        vec!["diff", "-f", specs_arg, out_arg],
        vec!["policy", "-f", specs_arg],
    ] {
        refused(&args, &["b.yaml: cannot read it: is a symbolic link to", "nowhere.yaml"]);
    }
    fs::remove_file(specs.join("b.yaml")).unwrap();
    std::os::unix::fs::symlink("b.yaml", specs.join("b.yaml")).unwrap();
    refused(&["gen", "-f", specs_arg, "--out-dir", out_arg], &["b.yaml", "symbolic link"]);
    assert_eq!(tree(&out), before, "the rendered tree of b is not deleted");
}

#[test]
fn alias_bombs_are_refused_at_once() {
    // 1 KB that a YAML reader expands to 10^10 values, inside a typed field.
    let mut spec = format!(
        "{SPEC}spec:\n  roles:\n    coordinator:\n      tolerations:\n      - &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    );
    for i in 1..10 {
        spec.push_str(&format!("      - &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
    }
    let root = temp("bomb");
    let file = root.join("bomb.yaml");
    fs::write(&file, &spec).unwrap();
    refused(&["gen", "-f", file.to_str().unwrap()], &["bomb.yaml:15:", "expands to more than 1000000 values"]);
    let registry = root.join("registry.yaml");
    fs::write(&registry, spec.replace(SPEC, "")).unwrap();
    refused(&["gen", "--registry", registry.to_str().unwrap()], &["registry.yaml:", "expands to more than"]);
    refused(&["policy", "--manifests", file.to_str().unwrap()], &["bomb.yaml: line 15", "expands to more than"]);
}

#[test]
fn deep_nesting_is_refused_at_once() {
    let root = temp("deep");
    let flow = root.join("flow.yaml");
    fs::write(&flow, format!("{SPEC}spec:\n  hiveSite: {}{}\n", "[".repeat(100_000), "]".repeat(100_000))).unwrap();
    refused(&["gen", "-f", flow.to_str().unwrap()], &["flow.yaml:7:", "nest more than 64 levels deep"]);
    let block = root.join("block.yaml");
    fs::write(&block, format!("{SPEC}spec:\n  hiveSite:\n    {}x\n", "- ".repeat(100_000))).unwrap();
    refused(&["gen", "-f", block.to_str().unwrap()], &["block.yaml:8:", "nest more than 64 levels deep"]);
}

#[test]
fn yaml_1_1_words_stay_strings() {
    let spec = format!("{SPEC}spec:\n  roles:\n    coordinator:\n      podLabels: {{a: 'yes', b: 'NO', c: 'on'}}\n      nodeSelector: {{d: '2001-12-14'}}\n      podAnnotations: {{e: '1_000'}}\n");
    let out = cmd().args(["gen", "-f", "-"]).write_stdin(spec.clone()).output().unwrap();
    assert!(out.status.success());
    let yaml = String::from_utf8(out.stdout).unwrap();
    for line in ["a: 'yes'", "b: 'NO'", "c: 'on'", "d: '2001-12-14'", "e: '1_000'"] {
        assert!(yaml.contains(line), "{line}");
    }
    let values = cmd().args(["values", "-f", "-"]).write_stdin(spec).output().unwrap();
    let values = String::from_utf8(values.stdout).unwrap();
    assert!(values.contains("a: 'yes'") && values.contains("e: '1_000'"), "{values}");
}
