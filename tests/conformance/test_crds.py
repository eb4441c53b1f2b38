"""The objects of other projects' APIs that impala-k8s renders (cert-manager
Certificates, KEDA ScaledObjects) against those projects' published CRD schemas, strictly; and
controls showing the check refuses what the API server would."""

import copy

import jsonschema
import pytest
import yaml

import crds
from impala import ROOT, run

SPEC = ROOT / "examples" / "tls-cert-manager" / "cluster.yaml"


def certificates(text):
    return [d for d in yaml.safe_load_all(text) if d and d["kind"] == "Certificate"]


def test_the_certificate_validates_and_covers_every_name():
    [cert] = certificates(run("gen", "-f", str(SPEC)))
    crds.validate(cert, "1.37.0")
    names = set(cert["spec"]["dnsNames"])
    # Clients (the external Service, the load balancer's name), peers (the
    # internal Services), and each pod under a headless Service.
    assert {"lake-coordinator", "lake-coordinator.analytics.svc", "impala.analytics.example.com",
            "lake-statestored-internal", "lake-catalogd-internal.analytics.svc.cluster.local",
            "*.lake-executor-internal.analytics.svc"} <= names
    assert cert["spec"]["secretName"] == "lake-tls"
    assert {"server auth", "client auth"} <= set(cert["spec"]["usages"])


def test_every_pod_mounts_what_its_flags_name():
    docs = list(yaml.safe_load_all(run("gen", "-f", str(SPEC))))
    for sts in (d for d in docs if d["kind"] == "StatefulSet"):
        pod = sts["spec"]["template"]["spec"]
        [daemon] = [c for c in pod["containers"] if c["name"] == sts["metadata"]["labels"]["app.kubernetes.io/component"]]
        mounts = {m["mountPath"] for m in daemon["volumeMounts"]}
        files = [a.split("=", 1)[1] for a in daemon["args"] if a.split("=")[0].lstrip("-") in
                 {"ssl_server_certificate", "ssl_private_key", "ssl_client_ca_certificate",
                  "webserver_certificate_file", "webserver_private_key_file"}]
        assert files, sts["metadata"]["name"]
        assert all(any(f.startswith(m + "/") for m in mounts) for f in files), (files, mounts)
        assert all(p["httpGet"]["scheme"] == "HTTPS" for p in
                   (daemon["startupProbe"], daemon["livenessProbe"], daemon["readinessProbe"]))
        assert sts["spec"]["template"]["metadata"]["annotations"]["secret.reloader.stakater.com/reload"] == "lake-tls"


HA = ROOT / "examples" / "ha" / "cluster.yaml"


def scaled_objects(text):
    return [d for d in yaml.safe_load_all(text) if d and d["kind"] == "ScaledObject"]


def test_the_scaled_object_validates_and_scales_its_group_on_impalas_queue():
    docs = list(yaml.safe_load_all(run("gen", "-f", str(HA))))
    [scaled] = scaled_objects(run("gen", "-f", str(HA)))
    crds.validate(scaled, "1.37.0")
    target = scaled["spec"]["scaleTargetRef"]
    [sts] = [d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == target["name"]]
    assert "replicas" not in sts["spec"], "the autoscaler owns the count"
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "prometheus"
    assert trigger["metadata"]["query"].startswith("max(impala_admission_controller_agg_num_queued_root_etl{")
    down = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
    grace = sts["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": grace}], "one drain at a time"


def rendered(kind):
    """The one object of this kind an example renders."""
    spec = SPEC if kind == "Certificate" else HA
    [obj] = [d for d in yaml.safe_load_all(run("gen", "-f", str(spec))) if d and d["kind"] == kind]
    return obj


@pytest.mark.parametrize("kind, edit, error", [
    ("Certificate", lambda c: c["spec"].update(dnsName=["x"]), "Additional properties"),
    ("Certificate", lambda c: c["spec"].pop("issuerRef"), "'issuerRef' is a required property"),
    ("Certificate", lambda c: c["spec"].update(usages=["server authentication"]), "is not one of"),
    ("Certificate", lambda c: c["spec"].update(duration=90), "is not of type"),
    ("ScaledObject", lambda s: s["spec"].update(minReplicas=0), "Additional properties"),
    ("ScaledObject", lambda s: s["spec"].pop("scaleTargetRef"), "'scaleTargetRef' is a required property"),
    ("ScaledObject", lambda s: s["spec"]["triggers"][0]["metadata"].update(threshold=4), "is not of type"),
    ("ScaledObject", lambda s: s["spec"]["triggers"][0].pop("type"), "'type' is a required property"),
])
def test_control_the_schemas_refuse_a_wrong_object(kind, edit, error):
    wrong = copy.deepcopy(rendered(kind))
    edit(wrong)
    with pytest.raises(jsonschema.ValidationError) as e:
        crds.validate(wrong, "1.37.0")
    assert error in str(e.value)
