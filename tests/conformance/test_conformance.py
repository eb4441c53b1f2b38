"""Conformance: what impala-k8s generates, judged by tools nobody here wrote.

- kubernetes-validate checks every object against the official Kubernetes
  schemas in strict mode, for the oldest and newest supported versions.
- network-config-analyzer (nca) computes, from the generated workloads and
  NetworkPolicies alone, which pod can reach which port; the test compares
  that with the matrix the registry's peers promise.

The binary is taken from $IMPALA_K8S (scripts/test.sh sets it).
"""

import copy
import json
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

BIN = os.environ.get("IMPALA_K8S", str(Path(__file__).resolve().parents[2] / "target" / "debug" / "impala-k8s"))
K8S_VERSIONS = ["1.33.0", "1.37.0"]
SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"]
# (profile, extra flags): every profile, and impala4 with its optional role.
CASES = [("impala4", []), ("impala4", ["--enable", "admissiond"]), ("cdh5", [])]
RELEASE = "rel"
NAMESPACE = "analytics"


def gen(profile, extra, service_type):
    args = [BIN, "gen", "--profile", profile, "--service-type", service_type,
            "--release", RELEASE, "--namespace", NAMESPACE, *extra]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return out.stdout


def registry(profile):
    out = subprocess.run([BIN, "ports", "--profile", profile, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def case_id(case):
    profile, extra = case
    return "-".join([profile, *[e.lstrip("-") for e in extra]])


# --- kubernetes-validate ---------------------------------------------------

@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("service_type", SERVICE_TYPES)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_object_validates_strictly(case, service_type, version):
    docs = list(yaml.safe_load_all(gen(*case, service_type)))
    kinds = {d["kind"] for d in docs}
    assert {"Namespace", "ServiceAccount", "ConfigMap", "Service", "NetworkPolicy", "StatefulSet"} <= kinds
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_the_validator_rejects_what_kubernetes_would(version):
    """Controls: the check above can fail."""
    docs = list(yaml.safe_load_all(gen("impala4", [], "ClusterIP")))
    sts = next(d for d in docs if d["kind"] == "StatefulSet")
    unknown = copy.deepcopy(sts)
    unknown["spec"]["template"]["spec"]["containers"][0]["portz"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, version, strict=True)
    wrong_type = copy.deepcopy(sts)
    wrong_type["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, version, strict=True)


# --- network-config-analyzer -------------------------------------------------

OUTSIDE = "outside"
OTHER_APP = "other-app"        # another application's pod in the same namespace
IMPOSTOR = "impostor"          # a pod in another namespace with a coordinator's labels


def bystanders():
    """Pods that are not part of the release: they must reach external ports only."""
    def deployment(name, namespace, labels):
        return {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels},
                             "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}},
            },
        }
    impala_labels = {"app.kubernetes.io/name": "impala", "app.kubernetes.io/instance": RELEASE,
                     "app.kubernetes.io/component": "coordinator"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "elsewhere"}},
        deployment(OTHER_APP, NAMESPACE, {"app": OTHER_APP}),
        deployment(IMPOSTOR, "elsewhere", impala_labels),
    ]


PORTS_RE = re.compile(r"dst_ports:([0-9,\-]+)")


def parse_ports(conn):
    """nca's connection text as a set of TCP ports, or None for 'All connections'."""
    if conn.strip() == "All connections":
        return None
    ports = set()
    for group in PORTS_RE.findall(conn):
        for item in group.split(","):
            lo, _, hi = item.partition("-")
            ports.update(range(int(lo), int(hi or lo) + 1))
    assert "protocols:TCP" in conn, conn
    return ports


def endpoint(name, running):
    """Maps an nca endpoint (namespace/pod, or an IP range) to a role or bystander."""
    if "/" not in name:
        return OUTSIDE
    namespace, pod = name.split("/")
    workload = pod.rsplit("-", 1)[0]
    for role in running:
        if namespace == NAMESPACE and workload == f"{RELEASE}-{role}":
            return role
    if workload.startswith(OTHER_APP):
        return OTHER_APP
    if workload.startswith(IMPOSTOR):
        return IMPOSTOR
    raise AssertionError(f"unexpected endpoint {name}")


def nca_matrix(manifests, tmp_path, running):
    """{(source, destination role): ports} as nca computes it."""
    path = tmp_path / "all.yaml"
    path.write_text(manifests + "---\n" + yaml.safe_dump_all(bystanders()))
    out = subprocess.run(
        ["nca", "--connectivity", str(path), "--resource_list", str(path),
         "--output_format", "txt_no_fw_rules", "--output_endpoints", "pods"],
        check=True, capture_output=True, text=True)
    matrix = defaultdict(set)
    pairs = 0
    for line in out.stdout.splitlines():
        if " => " not in line:
            continue
        left, conn = line.split(" : ", 1)
        src, dst = (endpoint(e.strip(), running) for e in left.split(" => "))
        if dst in (OUTSIDE, OTHER_APP, IMPOSTOR):
            continue  # traffic to pods that are not ours is not ours to police
        ports = parse_ports(conn)
        assert ports is not None, f"{line}: a release pod accepts every connection"
        matrix[(src, dst)] |= ports
        pairs += 1
    assert pairs > 0, out.stdout
    return matrix


def expected_matrix(reg, running):
    """{(source, destination role): ports} as the registry's peers promise."""
    sources = [*running, OTHER_APP, IMPOSTOR, OUTSIDE]
    matrix = defaultdict(set)
    for port in reg["ports"]:
        if port["role"] not in running:
            continue
        for src in sources:
            if port["access"] == "external" or src in port["peers"]:
                matrix[(src, port["role"])].add(port["number"])
    return matrix


def single_pod_roles(manifests):
    """Roles whose StatefulSet runs one pod: nca models one pod per replica."""
    return {d["metadata"]["labels"]["app.kubernetes.io/component"]
            for d in yaml.safe_load_all(manifests) if d["kind"] == "StatefulSet" and d["spec"]["replicas"] == 1}


@pytest.mark.parametrize("service_type", SERVICE_TYPES)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_nca_reachability_matches_the_registry(case, service_type, tmp_path):
    profile, extra = case
    reg = registry(profile)
    enabled = set(extra[1::2])
    running = [r["name"] for r in reg["roles"] if not r.get("optional") or r["name"] in enabled]
    manifests = gen(profile, extra, service_type)
    actual = nca_matrix(manifests, tmp_path, running)
    expected = expected_matrix(reg, running)
    # A lone pod does not reach itself across the network, so nca has no pair for it.
    for role in single_pod_roles(manifests):
        expected.pop((role, role), None)
    assert len(expected) > len(running)
    assert dict(actual) == dict(expected)


def test_nca_spot_checks_from_the_reference():
    """A few facts from Impala's sources, stated independently of the registry."""
    running = ["statestored", "catalogd", "coordinator", "executor"]
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        m = nca_matrix(gen("impala4", [], "ClusterIP"), Path(tmp), running)
    assert 26000 in m[("coordinator", "catalogd")]           # coordinators use the catalog service
    assert 26000 not in m[("executor", "catalogd")]          # executors do not
    assert 24000 in m[("catalogd", "statestored")]           # every daemon subscribes to the statestore
    assert 23000 in m[("statestored", "executor")]           # the statestore calls subscribers back
    assert 27000 in m[("executor", "executor")]              # KRPC between executors, pod to pod
    assert 21050 in m[(OUTSIDE, "coordinator")]              # HiveServer2 for clients
    assert 27000 not in m[(OUTSIDE, "coordinator")]          # KRPC never from outside
    assert 24000 not in m[(OTHER_APP, "statestored")]        # nor from other applications
    assert 24000 not in m[(IMPOSTOR, "statestored")]         # nor from look-alikes in other namespaces
