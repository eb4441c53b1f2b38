//! A table of invalid inputs, each with the exact error it must produce: exit
//! status 2, nothing on stdout, and one line on stderr naming the file, line
//! and column, the field path, the value and what is allowed.

use std::path::PathBuf;

use assert_cmd::Command;

const HEAD: &str =
    "apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: prod\n  namespace: analytics\n";

/// (case name, file body after HEAD, extra flags, expected stderr with {file} for the path)
const CASES: &[(&str, &str, &[&str], &str)] = &[
    (
        "unknown field",
        "spec:\n  roles:\n    executor:\n      replcas: 4\n",
        &[],
        "error: {file}:9:7: spec.roles.executor.replcas: unknown field `replcas`, expected one of `enabled`, `replicas`, `resources`, `nodeSelector`, `tolerations`, `affinity`, `podAnnotations`, `podLabels`, `extraFlags`, `ports`, `access`, `service`, `drain`, `logVerbosity`, `jvmHeap`, `env`, `envFrom`, `extraVolumes`, `extraVolumeMounts`, `initContainers`, `sidecars`, `priorityClassName`, `podSecurityContext`, `securityContext`, `persistence`, `ha`; did you mean `replicas`?",
    ),
    (
        "drain on a role that cannot drain",
        "spec:\n  roles:\n    catalogd:\n      drain:\n        deadlineSeconds: 60\n",
        &[],
        "error: {file}:9:7: spec.roles.catalogd.drain: role 'catalogd' has no graceful shutdown: its daemon stops at once on SIGTERM",
    ),
    (
        "drain grace period beyond the deadline",
        "spec:\n  roles:\n    executor:\n      drain:\n        gracePeriodSeconds: 900\n",
        &[],
        "error: {file}:10:29: spec.roles.executor.drain.gracePeriodSeconds: the grace period (900 s) must not outlast the deadline (600 s)",
    ),
    (
        "drain flag as an extra flag",
        "spec:\n  roles:\n    executor:\n      extraFlags:\n        shutdown_deadline_s: \"60\"\n",
        &[],
        "error: {file}:10:9: spec.roles.executor.extraFlags.shutdown_deadline_s: flag 'shutdown_deadline_s' is managed by the registry: set spec.roles.executor.drain.deadlineSeconds instead",
    ),
    (
        "unknown field in a Kubernetes type",
        "spec:\n  roles:\n    executor:\n      tolerations:\n        - key: dedicated\n          efect: NoSchedule\n",
        &[],
        "error: {file}:11:11: spec.roles.executor.tolerations[0].efect: unknown field `efect`, did you mean `effect`?; known fields: effect, key, operator, tolerationSeconds, value",
    ),
    (
        "wrong type",
        "spec:\n  roles:\n    executor:\n      replicas: many\n",
        &[],
        "error: {file}:9:17: spec.roles.executor.replicas: invalid type: string \"many\", expected a whole number from 0 to 4294967295",
    ),
    (
        "unknown service type",
        "spec:\n  serviceType: Loadbalancer\n",
        &[],
        "error: {file}:7:16: spec.serviceType: unknown variant `Loadbalancer`, expected one of `ClusterIP`, `NodePort`, `LoadBalancer`; did you mean `LoadBalancer`?",
    ),
    (
        "unknown role",
        "spec:\n  roles:\n    coordinater:\n      replicas: 2\n",
        &[],
        "error: {file}:8:5: spec.roles.coordinater: 'coordinater' is not a role of impala4 (did you mean 'coordinator'?); the roles are: statestored, catalogd, admissiond, coordinator, executor, metastore",
    ),
    (
        "port collision after an override",
        "spec:\n  roles:\n    coordinator:\n      ports:\n        hs2: 21000\n",
        &[],
        "error: {file}:10:14: spec.roles.coordinator.ports.hs2: port 21000 of 'hs2' is already used by port 'beeswax' of role 'coordinator'; every port of a pod needs its own number",
    ),
    (
        "port out of range",
        "spec:\n  roles:\n    coordinator:\n      ports:\n        hs2: 70000\n",
        &[],
        "error: {file}:10:14: spec.roles.coordinator.ports.hs2: port 70000 is out of range: a port is a number from 1 to 65535",
    ),
    (
        "huge number",
        "spec:\n  roles:\n    coordinator:\n      ports:\n        hs2: 123456789012345678901234567890\n",
        &[],
        "error: {file}:10:14: spec.roles.coordinator.ports.hs2: invalid type: integer `123456789012345678901234567890`, expected a whole number",
    ),
    (
        "node port outside the range",
        "spec:\n  roles:\n    coordinator:\n      service:\n        type: NodePort\n        nodePorts:\n          hs2: 8080\n",
        &[],
        "error: {file}:12:16: spec.roles.coordinator.service.nodePorts.hs2: node port 8080 is outside the node port range 30000-32767",
    ),
    (
        "node port on an internal port",
        "spec:\n  roles:\n    coordinator:\n      service:\n        type: NodePort\n        nodePorts:\n          krpc: 30070\n",
        &[],
        "error: {file}:12:17: spec.roles.coordinator.service.nodePorts.krpc: port 'krpc' of role 'coordinator' is internal and never gets a node port; expose it explicitly with spec.roles.coordinator.access.krpc: external",
    ),
    (
        "invalid CIDR",
        "spec:\n  roles:\n    coordinator:\n      service:\n        type: LoadBalancer\n        loadBalancerSourceRanges: [10.0.0.0/33]\n",
        &[],
        "error: {file}:11:36: spec.roles.coordinator.service.loadBalancerSourceRanges[0]: '10.0.0.0/33' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8",
    ),
    (
        "CIDR with host bits",
        "spec:\n  networkPolicy:\n    clientSources:\n      - ipBlock:\n          cidr: 10.1.2.3/16\n",
        &[],
        "error: {file}:10:17: spec.networkPolicy.clientSources[0].ipBlock.cidr: '10.1.2.3/16' is not a network address; did you mean '10.1.0.0/16'?",
    ),
    (
        "a value that would be ignored",
        "spec:\n  roles:\n    coordinator:\n      service:\n        loadBalancerSourceRanges: [10.0.0.0/8]\n",
        &[],
        "error: {file}:10:9: spec.roles.coordinator.service.loadBalancerSourceRanges: the external Service of role 'coordinator' is ClusterIP, which ignores loadBalancerSourceRanges; set spec.roles.coordinator.service.type: LoadBalancer",
    ),
    (
        "name too long",
        "spec: {}\n",
        &["--release", "a-very-long-release-name-for-an-impala-cluster"],
        "error: metadata.name: release name 'a-very-long-release-name-for-an-impala-cluster' makes StatefulSet name 'a-very-long-release-name-for-an-impala-cluster-statestored' 58 characters long; at most 52 are allowed (its pods' controller-revision-hash label adds 11) (set by --release)",
    ),
    (
        "replicas of a singleton",
        "spec:\n  roles:\n    catalogd:\n      replicas: 2\n",
        &[],
        "error: {file}:9:17: spec.roles.catalogd.replicas: role 'catalogd' is a singleton and runs exactly 1 pod, not 2",
    ),
    (
        "an extra flag that fights the registry",
        "spec:\n  roles:\n    executor:\n      extraFlags:\n        krpc_port: \"27001\"\n",
        &[],
        "error: {file}:10:9: spec.roles.executor.extraFlags.krpc_port: flag 'krpc_port' is managed by the registry: it sets port 'krpc' of role 'executor'; set spec.roles.executor.ports.krpc instead",
    ),
    (
        "egress lockdown without the metastore",
        "spec:\n  networkPolicy:\n    egress:\n      enabled: true\n",
        &[],
        "error: {file}:8:5: spec.networkPolicy.egress.metastore: the egress lockdown needs the metastore's address: list its CIDR (and ports, default the metastore URI's)",
    ),
    (
        "a custom registry with a broken peer",
        "spec:\n  registry:\n    profile: mybuild\n    title: My build\n    version: \"1.0\"\n    image: {repository: example.com/impala, tag: \"1.0\"}\n    roles:\n      - name: daemon\n        component: Daemon\n        image: daemon\n        replicas: {default: 1, min: 1, max: 1}\n        probe: {port: webui}\n        resources: {requests: {cpu: \"1\", memory: 1Gi}, limits: {cpu: \"1\", memory: 1Gi}}\n    ports:\n      - {role: daemon, name: webui, number: 8080, access: external, flag: webserver_port, application: HTTP, service: Web UI, description: web UI}\n      - {role: daemon, name: rpc, number: 9000, access: internal, flag: rpc_port, peers: [deamon], application: RPC, service: RPC, description: rpc}\n",
        &[],
        "error: {file}:21:91: spec.registry.ports[1].peers[0]: peer 'deamon' of port 'rpc' is not a role; the roles are: daemon",
    ),
];

fn write(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("impala-k8s-invalid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.yaml", name.replace(' ', "-")));
    std::fs::write(&path, body).unwrap();
    path
}

fn assert_rejects(path: &PathBuf, flags: &[&str], expected: &str) {
    let out = Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("-f").arg(path).args(flags).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{path:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{path:?}: stdout must stay empty");
    let expected = expected.replace("{file}", &path.to_string_lossy());
    assert_eq!(stderr.trim_end(), expected, "{path:?}");
}

#[test]
fn each_invalid_input_gets_its_exact_error() {
    let mut mismatches = Vec::new();
    for (name, body, flags, expected) in CASES {
        let path = write(name, &format!("{HEAD}{body}"));
        let out =
            Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("-f").arg(&path).args(*flags).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap().replace(&*path.to_string_lossy(), "{file}");
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: stdout must stay empty");
        if stderr.trim_end() != *expected {
            mismatches.push(format!("{name}:\n  got:      {}\n  expected: {expected}", stderr.trim_end()));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn malformed_files() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty", b"", "error: {file}: document: the file is empty: expected an ImpalaCluster document (impala-k8s init prints one)"),
        ("comments only", b"# nothing here\n---\n", "error: {file}: document: the file is empty: expected an ImpalaCluster document (impala-k8s init prints one)"),
        ("binary", b"\x00\xff\xfe\x01", "error: {file}: cannot read it: not UTF-8 text (invalid byte at offset 1); expected a YAML file"),
        ("wrong apiVersion", b"apiVersion: v1\nkind: ImpalaCluster\n", "error: {file}:1:13: apiVersion: 'v1' is not supported: expected impala-k8s.dev/v1alpha1"),
        ("wrong kind", b"apiVersion: impala-k8s.dev/v1alpha1\nkind: Impala\n", "error: {file}:2:7: kind: 'Impala' is not supported: expected ImpalaCluster"),
        ("two clusters of one name", b"apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\n---\napiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\n", "error: {file}:4:1: metadata.name: cluster impala (document 2) would render the same 21 object(s) as cluster impala in {file} (document 1), Namespace impala first; give the clusters different names or namespaces"),
        ("not a mapping", b"- 1\n- 2\n", "error: {file}:1:1: document: invalid type: sequence, expected a map of settings"),
    ];
    for (name, body, expected) in cases {
        let path = write(name, "");
        std::fs::write(&path, body).unwrap();
        assert_rejects(&path, &[], expected);
    }
    let missing = PathBuf::from("/nonexistent/cluster.yaml");
    let out =
        Command::cargo_bin("impala-k8s").unwrap().args(["gen", "-f", "/nonexistent/cluster.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with(&format!("error: {}: cannot read it: No such file", missing.display())));
}

#[test]
fn a_registry_file_is_validated_like_the_built_in_ones() {
    let registry = include_str!("../registries/impala4.yaml")
        .replace("peers: [coordinator]\n    application: Thrift", "peers: [coordinatr]\n    application: Thrift");
    let path = write("registry", &registry);
    let out = Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("--registry").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("ports[6].peers[0]: peer 'coordinatr' of port 'catalog' is not a role"), "{stderr}");
    // And a valid one renders, its roles and ports followed everywhere.
    let path =
        write("registry-ok", &include_str!("../registries/impala4.yaml").replace("number: 26000", "number: 26100"));
    let out = Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("--registry").arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("- -catalog_service_port=26100") && stdout.contains("containerPort: 26100"));
}

#[test]
fn errors_name_the_flag_only_for_values_the_flag_set() {
    let path =
        write("flag-and-file", &format!("{HEAD}spec:\n  roles:\n    coordinator:\n      ports:\n        hs2: 21000\n"));
    // The collision is in the file, even though a flag also touches the role.
    assert_rejects(&path, &["--replicas", "coordinator=2"], "error: {file}:10:14: spec.roles.coordinator.ports.hs2: port 21000 of 'hs2' is already used by port 'beeswax' of role 'coordinator'; every port of a pod needs its own number");
    // A value the flag set is the flag's.
    let ok = write("flag-only", HEAD);
    assert_rejects(&ok, &["--replicas", "coordinator=0"], "error: spec.roles.coordinator.replicas: role 'coordinator' runs at least 1 and at most 2147483647 pod(s), not 0 (set by --replicas)");
    assert_rejects(
        &ok,
        &["--enable", "catalogd"],
        "error: spec.roles.catalogd.enabled: role 'catalogd' always runs; only optional roles are enabled (optional roles of impala4: admissiond, metastore) (set by --enable)",
    );
}

#[test]
fn a_registry_that_makes_an_invalid_container_is_refused() {
    // Two writable directories of statestored at one path: an API server refuses the pod.
    let registry = include_str!("../registries/impala4.yaml").replacen(
        "logs: { path: /opt/impala/logs, sizeLimit: 2Gi }",
        "logs: { path: /tmp, sizeLimit: 2Gi }",
        1,
    );
    let path = write("registry-mounts", &registry);
    let out = Command::cargo_bin("impala-k8s").unwrap().arg("gen").arg("--registry").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: the container of role 'statestored': volumes 'logs' and 'tmp' would both be mounted at /tmp; each mount needs its own path\n"
    );
}

#[test]
fn messages_name_no_rust_type_and_shorten_long_values() {
    let long = "x".repeat(200);
    let spec = format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {{name: x}}\nspec: {{serviceType: {long}, roles: {{executor: {{replicas: -1}}}}}}\n");
    let out = assert_cmd::Command::cargo_bin("impala-k8s")
        .unwrap()
        .args(["gen", "-f", "-"])
        .write_stdin(spec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&format!("unknown variant `{}…`", "x".repeat(77))), "{stderr}");
    assert!(stderr.lines().all(|l| l.chars().count() < 300), "{stderr}");
    for rust in ["u32", "u64", "u128", "i64", "struct "] {
        assert!(!stderr.contains(rust), "{rust} in {stderr}");
    }
}

#[test]
fn every_bad_document_of_a_file_is_reported() {
    let doc = |name: &str, spec: &str| {
        format!("apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata: {{name: {name}}}\nspec: {spec}\n")
    };
    let text = [
        doc("a", "{serviceTyp: x}"),
        doc("b", "{roles: {coordinator: {replicas: x}}}"),
        doc("c", "{roles: {catalogd: {replicas: 2}}}"),
    ]
    .join("---\n");
    let out = assert_cmd::Command::cargo_bin("impala-k8s")
        .unwrap()
        .args(["gen", "-f", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].starts_with("error: -:4:8: spec.serviceTyp: unknown field"), "{stderr}");
    assert!(lines[1].starts_with("error: -:9:40: spec.roles.coordinator.replicas: invalid type"), "{stderr}");
    assert!(
        lines[2].starts_with("error: -:14:37: spec.roles.catalogd.replicas: role 'catalogd' is a singleton"),
        "{stderr}"
    );
}
