"""The worked examples: every rendered object validates in strict mode, and
the Argo CD Application, the Flux Kustomization and the kustomize overlay point
at directories that kustomize builds."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate

import crds
import pytest
import yaml

from test_conformance import K8S_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl") or "kubectl"
RENDERED = sorted(p for p in ROOT.glob("examples/*/rendered/**/*.yaml") if p.name != "kustomization.yaml")


def kustomize(path):
    out = subprocess.run([KUBECTL, "kustomize", str(path)], check=True, capture_output=True, text=True).stdout
    return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in yaml.safe_load_all(out)}


def test_every_example_is_rendered():
    assert len(RENDERED) > 100
    for example in ["minimal", "production", "cdh5", "multi-tenant"]:
        assert (ROOT / "examples" / example / "rendered" / "kustomization.yaml").exists(), example


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_rendered_object_validates(version):
    for path in RENDERED:
        for doc in yaml.safe_load_all(path.read_text()):
            crds.validate(doc, version)


def test_no_scrape_annotation_points_prometheus_at_the_wrong_path():
    """Impala's `/metrics` is JSON and HTML, not Prometheus text, and a web UI
    may ask for a login: scraping goes through spec.metrics (a PodMonitor or
    ServiceMonitor on the metrics port), never `prometheus.io/*` annotations,
    in the examples and in the chart."""
    chart = ROOT / "charts" / "impala"
    texts = [p.read_text() for p in RENDERED] + [p.read_text() for p in chart.rglob("*") if p.is_file()]
    assert len(texts) > 100
    assert not [t for t in texts if "prometheus.io/" in t]


def test_multi_tenant_builds_every_cluster():
    objects = kustomize(ROOT / "examples/multi-tenant/rendered")
    releases = {(k[1], d["metadata"]["labels"]["app.kubernetes.io/instance"]) for k, d in objects.items()}
    assert releases == {("analytics", "reporting"), ("analytics", "adhoc"), ("finance", "ledger")}
    assert objects[("StatefulSet", "analytics", "reporting-executor")]["spec"]["replicas"] == 4


def test_argo_cd_application_points_at_a_rendered_cluster():
    app = yaml.safe_load((ROOT / "examples/gitops/argocd-application.yaml").read_text())
    assert app["kind"] == "Application"
    objects = kustomize(ROOT / app["spec"]["source"]["path"])
    assert {k[1] for k in objects if k[1]} == {app["spec"]["destination"]["namespace"]}
    assert ("StatefulSet", "analytics", "prod-coordinator") in objects


def test_flux_kustomization_builds_the_overlay():
    docs = list(yaml.safe_load_all((ROOT / "examples/gitops/flux-kustomization.yaml").read_text()))
    flux = next(d for d in docs if d["kind"] == "Kustomization")
    assert flux["spec"]["sourceRef"]["name"] == next(d for d in docs if d["kind"] == "GitRepository")["metadata"]["name"]
    objects = kustomize(ROOT / flux["spec"]["path"])
    assert objects[("StatefulSet", "analytics", "prod-executor")]["spec"]["replicas"] == 10
    service = objects[("Service", "analytics", "prod-coordinator")]
    assert service["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/hostname"] == "impala.example.com"
    # The overlay keeps everything the generator rendered.
    assert objects.keys() == kustomize(ROOT / "examples/production/rendered").keys()
