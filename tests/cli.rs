//! The command line: golden output, determinism, and the error contract
//! (exit status 2, a message naming the value, nothing on stdout).

use assert_cmd::Command;
use predicates::prelude::*;

fn cmd() -> Command {
    Command::cargo_bin("impala-k8s").unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn golden_impala4_default() {
    let out = cmd().arg("gen").output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "no warning for the default profile");
    insta::assert_snapshot!("gen-impala4-default", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn golden_cdh5_default() {
    let out = cmd().args(["gen", "--profile", "cdh5"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning: profile cdh5 has no public image") && stderr.contains("--image-repository"),
        "{stderr}"
    );
    insta::assert_snapshot!("gen-cdh5-default", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn golden_ports_tables() {
    insta::assert_snapshot!("ports-impala4-table", stdout_of(&["ports"]));
    insta::assert_snapshot!("ports-cdh5-markdown", stdout_of(&["ports", "--profile", "cdh5", "--format", "markdown"]));
}

#[test]
fn output_is_deterministic() {
    let args = ["gen", "--enable", "admissiond", "--service-type", "LoadBalancer", "--replicas", "executor=5"];
    assert_eq!(stdout_of(&args), stdout_of(&args));
}

#[test]
fn cdh5_placeholder_can_be_replaced() {
    let out = cmd()
        .args(["gen", "--profile", "cdh5", "--image-repository", "registry.example.com/cdh5", "--tag", "5.16.2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "no warning once the image is replaced");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("image: registry.example.com/cdh5:5.16.2-impalad"));
    assert!(stdout.contains("- -krpc_port=27000"), "CDH 5.16 sends data over KRPC");
    assert!(!stdout.contains("llama"), "no Llama after CDH 5.10");
    assert!(!stdout.contains("invalid"));
}

#[test]
fn flags_change_the_output() {
    let out = stdout_of(&[
        "gen",
        "--namespace",
        "analytics",
        "--release",
        "prod",
        "--replicas",
        "executor=7",
        "--service-type",
        "nodeport",
        "--metastore-uri",
        "thrift://hms.data.svc:9083",
        "--enable",
        "admissiond",
        "--create-namespace",
        "false",
    ]);
    assert!(!out.contains("kind: Namespace"));
    assert!(out.contains("namespace: analytics"));
    assert!(out.contains("name: prod-executor\n") && out.contains("replicas: 7"));
    assert!(out.contains("type: NodePort"));
    assert!(out.contains("<value>thrift://hms.data.svc:9083</value>"));
    assert!(out.contains("- -admission_service_host=prod-admissiond-internal"));
}

/// Runs a command that must fail on bad input: exit 2, stdout empty, and a
/// message on stderr containing every fragment.
fn rejects(args: &[&str], fragments: &[&str]) {
    let assert = cmd().args(args).assert().code(2).stdout(predicate::str::is_empty());
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for fragment in fragments {
        assert!(stderr.contains(fragment), "{args:?}: {fragment:?} not in {stderr}");
    }
}

#[test]
fn bad_input_exits_2_with_a_message_and_no_output() {
    rejects(&["gen", "--profile", "cdh6"], &["'cdh6'", "impala4", "cdh5"]);
    rejects(&["gen", "--replicas", "catalogd=2"], &["spec.roles.catalogd.replicas", "singleton", "not 2"]);
    rejects(
        &["gen", "--replicas", "impalad=3"],
        &["spec.roles.impalad", "'impalad' is not a role of impala4", "coordinator, executor"],
    );
    rejects(&["gen", "--replicas", "executor"], &["ROLE=N"]);
    rejects(&["gen", "--replicas", "executor=many"], &["'many' is not a pod count"]);
    rejects(&["gen", "--replicas", "executor=2", "--replicas", "executor=3"], &["gives role 'executor' twice"]);
    rejects(&["gen", "--replicas", "admissiond=1"], &["spec.roles.admissiond", "enabled: true", "--enable admissiond"]);
    rejects(&["gen", "--enable", "llama"], &["spec.roles.llama", "'llama' is not a role of impala4"]);
    rejects(
        &["gen", "--profile", "cdh5", "--enable", "admissiond"],
        &["spec.roles.admissiond", "'admissiond' is not a role of cdh5"],
    );
    rejects(
        &["gen", "--profile", "cdh5", "--cdh-release", "5.4", "--yarn-resource-manager", "rm", "--enable", "llama"],
        &["spec.roles.llama.enabled", "always runs", "optional roles of cdh5: none"],
    );
    rejects(
        &["gen", "--profile", "cdh5", "--enable", "llama"],
        &["spec.roles.llama", "not a role of profile cdh5, CDH 5.16, only of releases up to CDH 5.10"],
    );
    rejects(
        &["gen", "--profile", "cdh5", "--cdh-release", "5.4"],
        &["spec.yarnResourceManager", "--yarn-resource-manager"],
    );
    rejects(
        &["gen", "--profile", "cdh5", "--cdh-release", "5.17"],
        &["spec.cdhRelease", "'5.17' is not a CDH release"],
    );
    rejects(&["gen", "--cdh-release", "5.16"], &["spec.cdhRelease", "profile impala4 has no releases"]);
    rejects(&["gen", "--release", "Prod"], &["release name 'Prod' is invalid", "lowercase"]);
    rejects(&["gen", "--release", &"r".repeat(41)], &["StatefulSet name", "at most 52"]);
    rejects(&["gen", "--namespace", "my_ns"], &["namespace 'my_ns' is invalid"]);
    rejects(&["gen", "--service-type", "ExternalName"], &["'ExternalName'", "ClusterIP", "NodePort", "LoadBalancer"]);
    rejects(&["gen", "--metastore-uri", "hms:9083"], &["'hms:9083' is not a Hive Metastore URI", "thrift://HOST:PORT"]);
    rejects(&["gen", "--image-repository", "Apache/Impala"], &["'Apache/Impala' is not an image repository"]);
    rejects(&["gen", "--tag", "4.5.0+x"], &["'4.5.0+x' is not a usable tag"]);
    rejects(&["gen", "--servce-type", "NodePort"], &["--servce-type", "--service-type"]);
    rejects(&["gen", "--create-namespace", "maybe"], &["'maybe'"]);
    rejects(&["ports", "--format", "xml"], &["'xml'", "markdown"]);
    rejects(&["deploy"], &["'deploy'"]);
}

#[test]
fn help_and_version() {
    let help = stdout_of(&["gen", "--help"]);
    assert!(help.contains("Examples:") && help.contains("--service-type"));
    assert!(stdout_of(&["ports", "--help"]).contains("Examples:"));
    let version = stdout_of(&["--version"]);
    assert!(
        version.starts_with("impala-k8s ") && version.contains("default profile impala4: Apache Impala 4.5.0"),
        "{version}"
    );
}

#[test]
fn replica_counts_beyond_int32_are_refused() {
    rejects(
        &["gen", "--replicas", "executor=4000000000"],
        &["spec.roles.executor.replicas", "4000000000", "2147483647"],
    );
}

#[test]
fn out_dir_writes_files_and_nothing_on_stdout() {
    let dir = std::env::temp_dir().join(format!("impala-k8s-cli-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = cmd().args(["gen", "--out-dir"]).arg(&dir).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("wrote 22 files for 1 cluster(s) to {}\n", dir.display())
    );
    let first: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    // Bad input later leaves the directory exactly as it was.
    let before = std::fs::read_to_string(dir.join("coordinator-statefulset.yaml")).unwrap();
    cmd()
        .args(["gen", "--replicas", "catalogd=2", "--out-dir"])
        .arg(&dir)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
    assert_eq!(std::fs::read_to_string(dir.join("coordinator-statefulset.yaml")).unwrap(), before);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), first.len());
    rejects(&["gen", "-o", "json", "--out-dir", "/tmp/x"], &["cannot be used with"]);
}

#[test]
fn completions_and_man() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("impala-k8s") && script.contains("out-dir"), "{shell}");
    }
    let man = stdout_of(&["man"]);
    assert!(man.starts_with(".ie") && man.contains(".TH impala-k8s 1"));
    // The page alone links no page it does not install.
    assert!(!man.contains("(1)") && man.contains("\\fBimpala\\-k8s gen\\fR"), "{man}");
    rejects(&["completions", "tcsh"], &["'tcsh'"]);
}

#[test]
fn man_all_installs_every_page_the_main_page_links() {
    let dir = std::env::temp_dir().join(format!("impala-k8s-cli-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cmd().args(["man", "--all"]).arg(&dir).assert().success().stdout("");
    let main = std::fs::read_to_string(dir.join("impala-k8s.1")).unwrap();
    let linked: Vec<&str> = main.lines().filter(|l| l.ends_with("(1)")).collect();
    assert!(linked.len() >= 10, "{main}");
    for link in linked {
        let page = link.replace("\\-", "-").trim_end_matches("(1)").to_owned() + ".1";
        assert!(dir.join(&page).is_file(), "{page} is linked but not installed");
    }
    assert!(!main.contains("impala\\-k8s\\-help(1)"), "no page for help");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn diff_exit_statuses() {
    let dir = std::env::temp_dir().join(format!("impala-k8s-cli-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cmd().args(["gen", "-f", "examples/production/cluster.yaml", "--out-dir"]).arg(&dir).assert().success();
    // In sync: exit 0, nothing printed.
    cmd()
        .args(["diff", "-f", "examples/production/cluster.yaml"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    // The same objects as one file, reformatted by another tool, still match.
    let file = dir.with_extension("yaml");
    std::fs::write(&file, stdout_of(&["gen", "-f", "examples/production/cluster.yaml"])).unwrap();
    cmd().args(["diff", "-f", "examples/production/cluster.yaml"]).arg(&file).assert().code(0);
    // Drift: exit 1 with a unified diff of the object.
    let out = cmd()
        .args(["diff", "-f", "examples/production/cluster.yaml", "--replicas", "executor=7"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("--- committed StatefulSet analytics/prod-executor"), "{text}");
    assert!(text.contains("-  replicas: 6\n+  replicas: 7\n"), "{text}");
    // Objects missing from the commit show up too.
    let out = cmd()
        .args(["diff", "-f", "examples/production/cluster.yaml", "--create-namespace", "true", "--release", "other"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().contains("(missing)"));
    // Bad input: exit 2.
    rejects(&["diff", "/nonexistent/dir"], &["/nonexistent/dir"]);
    rejects(&["diff", "--replicas", "catalogd=2", "."], &["singleton"]);
}

#[test]
fn many_clusters_into_their_own_directories() {
    let root = std::env::temp_dir().join(format!("impala-k8s-cli-many-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let specs = root.join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let doc = |name: &str, ns: &str| {
        format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  createNamespace: false\n")
    };
    std::fs::write(specs.join("a.yaml"), format!("{}---\n{}", doc("alpha", "team-a"), doc("beta", "team-a"))).unwrap();
    std::fs::write(specs.join("b.yaml"), doc("alpha", "team-b")).unwrap();
    let out = root.join("out");
    let status = cmd().args(["gen", "-f"]).arg(&specs).arg("--out-dir").arg(&out).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    for dir in ["team-a/alpha", "team-a/beta", "team-b/alpha"] {
        assert!(out.join(dir).join("coordinator-statefulset.yaml").exists(), "{dir}");
        assert!(out.join(dir).join("kustomization.yaml").exists(), "{dir}");
    }
    let top = std::fs::read_to_string(out.join("kustomization.yaml")).unwrap();
    assert!(top.ends_with("resources:\n- team-a/alpha\n- team-a/beta\n- team-b/alpha\n"), "{top}");
    // Every invalid spec is reported, and nothing is written.
    std::fs::write(
        specs.join("c.yaml"),
        format!(
            "{}spec:\n  roles:\n    catalogd:\n      replicas: 2\n",
            doc("gamma", "team-c").replace("spec:\n  createNamespace: false\n", "")
        ),
    )
    .unwrap();
    std::fs::write(specs.join("d.yaml"), format!("{}  serviceType: Loadbalancer\n", doc("delta", "team-d"))).unwrap();
    let before = std::fs::read_to_string(out.join("kustomization.yaml")).unwrap();
    let failed = cmd().args(["gen", "-f"]).arg(&specs).arg("--out-dir").arg(&out).output().unwrap();
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(
        stderr.contains("c.yaml:9:17: spec.roles.catalogd.replicas")
            && stderr.contains("d.yaml:8:16: spec.serviceType"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(out.join("kustomization.yaml")).unwrap(), before);
    assert!(!out.join("team-c").exists());
}

#[test]
fn exposure_without_network_policies_is_warned_about() {
    let spec = spec_file("nonp", "spec:\n  networkPolicy:\n    enabled: false\n");
    let out = cmd().args(["gen", "--service-type", "LoadBalancer", "-f"]).arg(&spec).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("warning: the LoadBalancer Service impala-coordinator exposes role 'coordinator' outside the cluster while NetworkPolicies are off"), "{stderr}");
    let quiet = cmd().args(["gen", "-f"]).arg(&spec).output().unwrap();
    assert!(quiet.stderr.is_empty(), "ClusterIP Services expose nothing");
}

#[test]
fn diff_of_many_clusters_against_their_tree() {
    let (specs, tree) = ("examples/multi-tenant/specs", "examples/multi-tenant/rendered");
    cmd().args(["diff", "-f", specs, tree]).assert().code(0).stdout(predicate::str::is_empty());
    let out = cmd().args(["diff", "-f", specs, "--replicas", "executor=9", tree]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for cluster in ["analytics/adhoc-executor", "analytics/reporting-executor", "finance/ledger-executor"] {
        assert!(text.contains(&format!("+++ rendered StatefulSet {cluster}")), "{cluster}: {text}");
    }
}

/// Writes a spec file for one test; the name keeps parallel tests apart.
fn spec_file(name: &str, spec: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("impala-k8s-cli-{name}-{}.yaml", std::process::id()));
    std::fs::write(&path, format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\n{spec}")).unwrap();
    path
}

#[test]
fn ip_block_sources_behind_a_cluster_traffic_policy_are_warned_about() {
    let spec = spec_file(
        "ipblock",
        "spec:\n  serviceType: LoadBalancer\n  networkPolicy:\n    clientSources: [{ipBlock: {cidr: 10.0.0.0/8}}]\n",
    );
    let out = cmd().args(["gen", "-f"]).arg(&spec).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("externalTrafficPolicy Cluster")).collect();
    assert_eq!(lines.len(), 1, "only the role with client ports: {stderr}");
    assert!(stderr.contains("warning: the LoadBalancer Service impala-coordinator has externalTrafficPolicy Cluster"));
    assert!(stderr.contains("set spec.roles.coordinator.service.externalTrafficPolicy: Local"), "{stderr}");
    let local = cmd().args(["gen", "-f", "examples/production/cluster.yaml"]).output().unwrap();
    assert!(local.stderr.is_empty(), "Local keeps client addresses");
}

#[test]
fn golden_policy() {
    insta::assert_snapshot!("policy-impala4-table", stdout_of(&["policy"]));
    insta::assert_snapshot!("policy-cdh5-mermaid", stdout_of(&["policy", "--profile", "cdh5", "--format", "mermaid"]));
    insta::assert_snapshot!(
        "policy-production-markdown",
        stdout_of(&["policy", "-f", "examples/production/cluster.yaml", "--format", "markdown"])
    );
    insta::assert_snapshot!(
        "policy-production-dot",
        stdout_of(&["policy", "-f", "examples/production/cluster.yaml", "--format", "dot"])
    );
}

#[test]
fn policy_formats_describe_the_same_graph() {
    let args = ["policy", "-f", "examples/production/cluster.yaml", "--format"];
    let mermaid = stdout_of(&[&args[..], &["mermaid"]].concat());
    let dot = stdout_of(&[&args[..], &["dot"]].concat());
    let edges = |text: &str, arrows: &[&str]| text.lines().filter(|l| arrows.iter().any(|a| l.contains(a))).count();
    assert_eq!(edges(&mermaid, &["-->", "-.->"]), edges(&dot, &[" -> "]));
    assert_eq!(edges(&mermaid, &["-.->"]), edges(&dot, &["style=dashed"]), "egress edges");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[&args[..], &["json"]].concat())).unwrap();
    assert_eq!(json["namespaces"], serde_json::json!(["analytics"]));
    assert!(json["ingress"].as_array().unwrap().len() > 10);
}

#[test]
fn policy_refuses_bad_input_like_gen() {
    let spec = spec_file("policy-bad", "spec:\n  serviceType: Loadbalancer\n");
    let out = cmd().args(["policy", "-f"]).arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr).unwrap().contains("did you mean `LoadBalancer`"));
}

#[test]
fn policy_keeps_releases_apart() {
    let text = stdout_of(&["policy", "-f", "examples/multi-tenant/specs", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["namespaces"], serde_json::json!(["analytics", "finance"]));
    let workloads = json["workloads"].as_array().unwrap();
    let release_of =
        |id: &str| workloads.iter().find(|w| w["id"] == id).map(|w| w["release"].as_str().unwrap().to_owned());
    let mut peer_ports = 0;
    for reach in json["ingress"].as_array().unwrap() {
        let role = reach["role"].as_str().unwrap();
        let from: Vec<&str> = reach["from"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        if from.contains(&"anywhere") {
            continue; // a client port or web UI
        }
        peer_ports += 1;
        for source in from {
            assert_eq!(release_of(source), release_of(role), "{source} reaches {role} {}", reach["number"]);
        }
    }
    assert!(peer_ports > 20, "{peer_ports}");
    assert!(text.contains("\"analytics/adhoc/statestored\""), "ids name namespace, release and role");
}

#[test]
fn policy_reads_committed_manifests() {
    let rendered = stdout_of(&["policy", "-f", "examples/production/cluster.yaml"]);
    assert_eq!(stdout_of(&["policy", "--manifests", "examples/production/rendered"]), rendered);
    let yaml = stdout_of(&["gen", "-f", "examples/production/cluster.yaml"]);
    let piped = cmd().args(["policy", "--manifests", "-", "--format", "json"]).write_stdin(yaml).output().unwrap();
    assert!(piped.status.success());
    assert_eq!(
        String::from_utf8(piped.stdout).unwrap(),
        stdout_of(&["policy", "-f", "examples/production/cluster.yaml", "--format", "json"])
    );

    assert_eq!(
        stdout_of(&["policy", "--manifests", "examples/multi-tenant/rendered"]),
        stdout_of(&["policy", "-f", "examples/multi-tenant/specs"]),
        "a tree of several releases reads like their specs"
    );
    let broken = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x, namespace: y}\nspec: {replicas: many}\n";
    let out = cmd().args(["policy", "--manifests", "-"]).write_stdin(broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr).unwrap().contains("-: StatefulSet y/x: "), "names the object");
    let both = cmd().args(["policy", "--manifests", "-", "-f", "cluster.yaml"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "a request and manifests exclude each other");
}

#[test]
fn values_leave_the_release_and_namespace_to_helm() {
    rejects(&["values", "-n", "analytics"], &["--namespace", "helm install -n NAMESPACE"]);
    rejects(&["values", "--release", "lake"], &["--release", "helm install RELEASE"]);
    rejects(&["values", "--create-namespace", "true"], &["--create-namespace", "would collide"]);
    // A spec's createNamespace: true is Helm's --create-namespace, said on stderr.
    let out = cmd().args(["values", "-f", "examples/production/cluster.yaml"]).assert().success();
    let output = out.get_output();
    let values: serde_yaml::Value = serde_yaml::from_slice(&output.stdout).unwrap();
    // Only what differs from the chart's defaults, whose createNamespace is false.
    assert!(values.get("createNamespace").is_none(), "{values:?}");
    assert_eq!(values["roles"]["coordinator"]["replicaCount"], serde_yaml::Value::from(2));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(stderr.contains("helm install prod charts/impala -n analytics --create-namespace"), "{stderr}");
    assert!(stderr.contains("pod-security.kubernetes.io/enforce=restricted"), "{stderr}");
}

#[test]
fn a_byte_order_mark_is_no_content() {
    let spec = "\u{FEFF}apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: bom}\nspec: {}\n";
    let with = cmd().args(["gen", "-f", "-"]).write_stdin(spec).assert().success();
    let without = cmd().args(["gen", "-f", "-"]).write_stdin(&spec[3..]).assert().success();
    assert_eq!(with.get_output().stdout, without.get_output().stdout);
    // Positions count from after the mark, as editors show them.
    let bad = spec.replace("spec: {}", "spec: {serviceTyp: NodePort}");
    let out = cmd().args(["gen", "-f", "-"]).write_stdin(bad).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.starts_with("error: -:4:8: spec.serviceTyp: unknown field"), "{stderr}");
}

#[test]
fn a_file_name_that_is_not_utf8_is_read_and_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = std::env::temp_dir().join(format!("impala-k8s-cli-latin1-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.yaml"));
    std::fs::write(
        &path,
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: cafe}\nspec: {}\n",
    )
    .unwrap();
    cmd().args(["gen", "-f"]).arg(&path).assert().success();
    cmd().args(["gen", "-f"]).arg(&dir).assert().success();
    std::fs::write(
        &path,
        "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {name: cafe}\nspec: {serviceTyp: x}\n",
    )
    .unwrap();
    let out = cmd().args(["gen", "-f"]).arg(&path).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("caf\u{FFFD}.yaml:4:8: spec.serviceTyp"), "named, not missing: {stderr}");
}
