"""The objects of other projects' APIs that impala-k8s renders (cert-manager
Certificates) against those projects' published CRD schemas, strictly; and
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


@pytest.mark.parametrize("edit, error", [
    (lambda c: c["spec"].update(dnsName=["x"]), "Additional properties"),
    (lambda c: c["spec"].pop("issuerRef"), "'issuerRef' is a required property"),
    (lambda c: c["spec"].update(usages=["server authentication"]), "is not one of"),
    (lambda c: c["spec"].update(duration=90), "is not of type"),
])
def test_control_the_schema_refuses_a_wrong_certificate(edit, error):
    [cert] = certificates(run("gen", "-f", str(SPEC)))
    wrong = copy.deepcopy(cert)
    edit(wrong)
    with pytest.raises(jsonschema.ValidationError) as e:
        crds.validate(wrong, "1.37.0")
    assert error in str(e.value)
