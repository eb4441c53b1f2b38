"""checkov, the infrastructure-as-code scanner, on what impala-k8s generates:
no failed check except the ones the public images force, and no secret found
by its secret detectors in any rendered example.

- CKV_K8S_40 (high UID): the apache/impala images run as uid 1000.
- CKV_K8S_43 (digest) and CKV_K8S_15 (pull policy Always): only when the spec
  pins no digests; with digests and Always, only CKV_K8S_40 may remain."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from impala import BIN

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = os.environ.get("CHECKOV", str(ROOT / ".venv-checkov" / "bin" / "checkov"))
UNPINNED = {"CKV_K8S_40", "CKV_K8S_43", "CKV_K8S_15"}
PINNED = {"CKV_K8S_40"}


def scan(manifests, tmp_path):
    (tmp_path / "manifests.yaml").write_text(manifests)
    out = subprocess.run([CHECKOV, "-d", str(tmp_path), "--framework", "kubernetes", "--quiet", "-o", "json"],
                         capture_output=True, text=True)
    report = json.loads(out.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    return failed, report["summary"]["passed"]


@pytest.mark.parametrize("args, allowed", [
    (["gen"], UNPINNED),
    (["gen", "--profile", "cdh5"], UNPINNED),
    (["gen", "-f", "examples/production/cluster.yaml"], PINNED),
    (["gen", "--enable", "admissiond", "--service-type", "LoadBalancer"], UNPINNED),
    (["gen", "--profile", "cdh5", "--cdh-release", "5.4", "--yarn-resource-manager", "rm.hadoop"], UNPINNED),
    (["gen", "--enable", "metastore", "--shared-volume-class", "nfs-client"], UNPINNED),
    (["gen", "-f", "examples/s3-workload-identity/cluster.yaml"], UNPINNED),
    (["gen", "-f", "examples/tls-cert-manager/cluster.yaml"], UNPINNED),
    (["gen", "-f", "examples/ldap-tls/cluster.yaml"], UNPINNED),
    (["gen", "-f", "examples/kerberos/cluster.yaml"], UNPINNED),
    (["gen", "-f", "examples/ha/cluster.yaml"], UNPINNED),
], ids=["impala4", "cdh5", "production", "admissiond-loadbalancer", "cdh5-llama", "quickstart", "s3-workload-identity",
        "tls-cert-manager", "ldap-tls", "kerberos", "ha"])
def test_checkov_finds_only_what_the_images_force(args, allowed, tmp_path):
    manifests = subprocess.run([BIN, *args], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    failed, passed = scan(manifests, tmp_path)
    assert failed <= allowed, failed - allowed
    # Every object is checked: about 20 checks per object.
    assert passed > 13 * manifests.count("\nkind: ")


def test_checkov_can_fail(tmp_path):
    """Control: a privileged container is flagged."""
    manifests = subprocess.run([BIN, "gen"], check=True, capture_output=True, text=True).stdout
    failed, _ = scan(manifests.replace("privileged: false", "privileged: true"), tmp_path)
    assert "CKV_K8S_16" in failed


def secret_findings(directory):
    """checkov's secrets scan (keys, tokens, high-entropy strings) of a directory."""
    out = subprocess.run([CHECKOV, "-d", str(directory), "--framework", "secrets", "--quiet", "-o", "json"],
                         capture_output=True, text=True)
    reports = json.loads(out.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return [c["check_id"] for r in reports if "results" in r for c in r["results"]["failed_checks"]]


def test_checkov_finds_no_secret_in_any_example():
    """Every rendered example, the security ones included, holds references to
    Secrets only: checkov's secret detectors find nothing."""
    assert secret_findings(ROOT / "examples") == []


def test_control_checkov_finds_a_planted_key(tmp_path):
    (tmp_path / "leak.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\ndata:\n"
        "  core-site.xml: <value>AKIAIOSFODNN7EXAMPLE</value>\n")
    assert secret_findings(tmp_path) != []


@pytest.mark.parametrize("name", ["ha-both-admissiond", "groups", "pools", "autoscaling", "metrics", "http-ingress"])
def test_checkov_on_pairs_groups_pools_and_autoscalers(name, tmp_path):
    from test_conformance import gen_spec
    from test_helm import SPECS
    manifests = gen_spec(SPECS[name], tmp_path)
    (tmp_path / "scan").mkdir()
    failed, passed = scan(manifests, tmp_path / "scan")
    assert failed <= UNPINNED, failed - UNPINNED
    assert passed > 13 * manifests.count("\nkind: ")
