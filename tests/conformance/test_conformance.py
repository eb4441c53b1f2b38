"""Conformance: what impala-k8s generates, judged by tools nobody here wrote.

- kubernetes-validate checks every object against the official Kubernetes
  schemas in strict mode, for the oldest and newest supported versions.
- network-config-analyzer (nca): see test_reachability.py.

The binary is taken from $IMPALA_K8S (scripts/test.sh sets it).
"""

import copy
import json
import os
import subprocess
from pathlib import Path

import kubernetes_validate

import crds
import pytest
import yaml

from impala import BIN  # noqa: E402  (re-exported for the modules that use this one's cases)
K8S_VERSIONS = ["1.33.0", "1.37.0"]
SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"]
# (profile, extra flags): every profile, and impala4 with its optional role.
LLAMA = ["--cdh-release", "5.4", "--yarn-resource-manager", "rm.hadoop"]
CASES = [("impala4", []), ("impala4", ["--enable", "admissiond"]), ("cdh5", []), ("cdh5", LLAMA)]
RELEASE = "rel"
NAMESPACE = "analytics"


def gen(profile, extra, service_type):
    args = [BIN, "gen", "--profile", profile, "--service-type", service_type,
            "--release", RELEASE, "--namespace", NAMESPACE, *extra]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return out.stdout


def registry(profile, flags=()):
    """The registry a case renders: its profile's, for the release its flags
    name (cdh5 renders CDH 5.16 unless --cdh-release says otherwise)."""
    flags = list(flags)
    release = flags[flags.index("--cdh-release") + 1] if "--cdh-release" in flags else "5.16" if profile == "cdh5" else None
    extra = ["--cdh-release", release] if release else []
    out = subprocess.run([BIN, "ports", "--profile", profile, *extra, "--format", "json"],
                         check=True, capture_output=True, text=True)
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
        crds.validate(doc, version)


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


# --- high availability and elastic capacity (issue 13) ---------------------------

ISSUE_13 = ["ha-statestored", "ha-catalogd", "ha-both-admissiond", "groups", "pools", "autoscaling"]
# Day two (issue 14): monitors and dashboards, Ingress and HTTPRoutes.
ISSUE_14 = {"metrics": {"PodMonitor", "ConfigMap"}, "metrics-service-monitor-tls": {"ServiceMonitor"},
            "http-ingress": {"Ingress"}, "http-route": {"HTTPRoute"}}


def gen_spec(spec, tmp_path):
    """The objects of an ImpalaCluster with this spec."""
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "impala-k8s.dev/v1alpha1", "kind": "ImpalaCluster",
                                    "metadata": {"name": RELEASE, "namespace": NAMESPACE}, "spec": spec}))
    return subprocess.run([BIN, "gen", "-f", str(path)], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name", ISSUE_13)
def test_pairs_groups_pools_and_autoscalers_validate_strictly(name, version, tmp_path):
    from test_helm import SPECS
    docs = list(yaml.safe_load_all(gen_spec(SPECS[name], tmp_path)))
    kinds = {d["kind"] for d in docs}
    assert "StatefulSet" in kinds
    if name == "autoscaling":
        assert {"HorizontalPodAutoscaler", "ScaledObject"} <= kinds
    for doc in docs:
        crds.validate(doc, version)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name", sorted(ISSUE_14))
def test_monitors_dashboards_and_routes_validate_strictly(name, version, tmp_path):
    """Core objects against Kubernetes' schemas, PodMonitors, ServiceMonitors
    and HTTPRoutes against their projects' CRD schemas."""
    from test_helm import SPECS
    docs = list(yaml.safe_load_all(gen_spec(SPECS[name], tmp_path)))
    assert ISSUE_14[name] <= {d["kind"] for d in docs}
    for doc in docs:
        crds.validate(doc, version)
