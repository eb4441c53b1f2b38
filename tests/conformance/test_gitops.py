"""GitOps output: `gen --out-dir` builds with `kubectl kustomize` into exactly
the objects stdout carries, an overlay on top of it works, and `-o json` is the
same objects as a v1 List."""

import json
import shutil
import subprocess

import pytest
import yaml

from impala import BIN

# kubectl (with kustomize) is part of these machines: its absence fails the suite, never skips it.
KUBECTL = shutil.which("kubectl") or "kubectl"


def run(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw).stdout


def objects(text):
    return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in yaml.safe_load_all(text) if d}


@pytest.mark.parametrize("flags", [[], ["--profile", "cdh5"], ["-f", "examples/production/cluster.yaml"]], ids=["impala4", "cdh5", "production"])
def test_kustomize_builds_what_stdout_carries(flags, tmp_path):
    out = tmp_path / "rendered"
    subprocess.run([BIN, "gen", *flags, "--out-dir", str(out)], check=True, capture_output=True)
    built = objects(run(KUBECTL, "kustomize", str(out)))
    stdout = objects(run(BIN, "gen", *flags))
    assert built == stdout
    assert len(built) >= 17


def test_an_overlay_patches_replicas_and_a_service_annotation(tmp_path):
    base = tmp_path / "base"
    subprocess.run([BIN, "gen", "--out-dir", str(base)], check=True, capture_output=True)
    overlay = tmp_path / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["../../base"],
        "patches": [
            {"target": {"kind": "StatefulSet", "name": "impala-executor"},
             "patch": "- op: replace\n  path: /spec/replicas\n  value: 8\n"},
            {"target": {"kind": "Service", "name": "impala-coordinator"},
             "patch": "apiVersion: v1\nkind: Service\nmetadata:\n  name: impala-coordinator\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"\n"},
        ],
    }))
    built = objects(run(KUBECTL, "kustomize", str(overlay)))
    assert built[("StatefulSet", "impala", "impala-executor")]["spec"]["replicas"] == 8
    annotations = built[("Service", "impala", "impala-coordinator")]["metadata"]["annotations"]
    assert annotations == {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
    # Everything else is untouched.
    base_objects = objects(run(BIN, "gen"))
    assert built.keys() == base_objects.keys()
    assert built[("StatefulSet", "impala", "impala-coordinator")] == base_objects[("StatefulSet", "impala", "impala-coordinator")]


def test_json_is_the_same_objects_as_yaml():
    listed = json.loads(run(BIN, "gen", "-o", "json", "--enable", "admissiond"))
    assert (listed["apiVersion"], listed["kind"]) == ("v1", "List")
    as_yaml = objects(run(BIN, "gen", "--enable", "admissiond"))
    assert {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in listed["items"]} == as_yaml


def test_policy_reads_what_an_overlay_builds():
    """`policy --manifests -` on the overlay's kustomize output: the overlay scales
    the executors and annotates a Service; who reaches what stays the base's."""
    built = run(KUBECTL, "kustomize", "examples/gitops/overlays/production")
    overlay = json.loads(run(BIN, "policy", "--manifests", "-", "--format", "json", input=built))
    base = json.loads(run(BIN, "policy", "-f", "examples/production/cluster.yaml", "--format", "json"))
    replicas = {w["role"]: w["replicas"] for w in overlay["workloads"]}
    assert replicas["executor"] == 10 and {w["role"]: w["replicas"] for w in base["workloads"]}["executor"] == 6
    for analysis in (overlay, base):
        for w in analysis["workloads"]:
            w.pop("replicas")
    assert overlay == base
