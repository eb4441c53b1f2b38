"""GitOps output: `gen --out-dir` builds with `kubectl kustomize` into exactly
the objects stdout carries, an overlay on top of it works, and `-o json` is the
same objects as a v1 List."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
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


# --- impala-k8s as an Argo CD config management plugin -----------------------------

CMP = Path(__file__).resolve().parents[2] / "examples" / "gitops" / "argocd-cmp"
# A stand-in for the repo server of Argo CD's install.yaml: what the component patches.
REPO_SERVER = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "argocd-repo-server"},
    "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "argocd-repo-server"}},
             "template": {"metadata": {"labels": {"app.kubernetes.io/name": "argocd-repo-server"}},
                          "spec": {"containers": [{"name": "argocd-repo-server", "image": "quay.io/argoproj/argocd"}],
                                   "volumes": [{"name": "var-files", "emptyDir": {}},
                                               {"name": "plugins", "emptyDir": {}}]}}}}


def plugin_of(tmp_path):
    """The component applied over the stand-in, built by kustomize: the objects and the plugin's configuration."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "repo-server.yaml").write_text(yaml.safe_dump(REPO_SERVER))
    # kustomize takes a component by a relative path.
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(
        {"namespace": "argocd", "resources": ["repo-server.yaml"], "components": [os.path.relpath(CMP, tmp_path)]}))
    built = list(yaml.safe_load_all(run(KUBECTL, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(tmp_path))))
    [config] = [d for d in built if d["kind"] == "ConfigMap"]
    return built, yaml.safe_load(config["data"]["plugin.yaml"])


def test_the_argocd_plugin_is_a_sidecar_of_the_repo_server(tmp_path):
    built, plugin = plugin_of(tmp_path)
    for doc in built:
        kubernetes_validate.validate(doc, "1.37.0", strict=True)
    [deployment] = [d for d in built if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    sidecar = next(c for c in pod["containers"] if c["name"] == "impala-k8s")
    assert sidecar["command"] == ["/var/run/argocd/argocd-cmp-server"]
    mounts = {m["mountPath"]: m for m in sidecar["volumeMounts"]}
    assert mounts["/home/argocd/cmp-server/config/plugin.yaml"]["subPath"] == "plugin.yaml"
    assert {"/var/run/argocd", "/home/argocd/cmp-server/plugins"} <= set(mounts)
    assert {v["name"] for v in pod["volumes"]} >= {m["name"] for m in sidecar["volumeMounts"]}
    assert sidecar["securityContext"]["runAsUser"] == 999
    assert (plugin["kind"], plugin["metadata"]["name"], plugin["spec"]["version"]) == \
        ("ConfigManagementPlugin", "impala-k8s", "v1")


def test_the_argocd_plugin_renders_the_committed_spec(tmp_path):
    _, plugin = plugin_of(tmp_path / "kustomize")
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy("examples/production/cluster.yaml", app / "cluster.yaml")
    (app / "README.yaml").write_text("note: not a cluster\n")
    env = {**os.environ, "PATH": f"{Path(BIN).parent}:{os.environ['PATH']}", "ARGOCD_ENV_SPEC": "cluster.yaml"}

    def step(name, **kw):
        spec = plugin["spec"][name]
        spec = spec.get("find", spec)
        return subprocess.run([*spec["command"], *spec["args"]], cwd=app, env=env, capture_output=True, text=True, **kw)

    assert step("discover").stdout.split() == ["./cluster.yaml"], "Argo CD finds the spec"
    generated = step("generate", check=True).stdout
    assert objects(generated) == objects(run(BIN, "gen", "-f", "examples/production/cluster.yaml"))
    # A spec the tool refuses fails the sync with its reason, and nothing is applied.
    (app / "cluster.yaml").write_text((app / "cluster.yaml").read_text().replace("replicas: 2", "replicas: -2"))
    refused = step("generate")
    assert refused.returncode == 2 and refused.stdout == "" and "replicas" in refused.stderr
