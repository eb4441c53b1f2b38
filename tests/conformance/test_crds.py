"""The objects of other projects' APIs that impala-k8s renders (cert-manager
Certificates, KEDA ScaledObjects, Prometheus Operator PodMonitors and ServiceMonitors) against those projects' published CRD schemas, strictly; and
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


METRICS = ROOT / "examples" / "metrics" / "cluster.yaml"


def service_monitor_docs(tmp_path):
    spec = yaml.safe_load(METRICS.read_text())
    spec["spec"]["metrics"]["monitor"] = "ServiceMonitor"
    path = tmp_path / "service-monitor.yaml"
    path.write_text(yaml.safe_dump(spec))
    return [d for d in yaml.safe_load_all(run("gen", "-f", str(path))) if d]


def scraped_ports(docs, kind):
    """The containerPort each scraped role serves the monitor's endpoint on, by StatefulSet."""
    [monitor] = [d for d in docs if d["kind"] == kind]
    crds.validate(monitor, "1.37.0")
    [endpoint] = monitor["spec"]["podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"]
    selector = monitor["spec"]["selector"]["matchLabels"]
    out = {}
    for sts in (d for d in docs if d["kind"] == "StatefulSet"):
        labels = sts["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items()
        [daemon] = [c for c in sts["spec"]["template"]["spec"]["containers"] if c["name"] == labels["app.kubernetes.io/component"]]
        ports = {p["name"]: p["containerPort"] for p in daemon.get("ports", [])}
        out[sts["metadata"]["name"]] = ports.get(endpoint["port"])
    return monitor, endpoint, out


def test_the_pod_monitor_validates_and_scrapes_every_daemon_where_it_listens():
    docs = [d for d in yaml.safe_load_all(run("gen", "-f", str(METRICS))) if d]
    monitor, endpoint, ports = scraped_ports(docs, "PodMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert endpoint["path"] == "/metrics_prometheus" and endpoint["scheme"] == "https"
    assert endpoint["tlsConfig"]["ca"] == {"secret": {"name": "lake-tls", "key": "ca.crt"}}
    [cert] = [d for d in docs if d["kind"] == "Certificate"]
    assert endpoint["tlsConfig"]["serverName"] in cert["spec"]["dnsNames"], "Prometheus can verify the daemons"
    # Every role and executor group, each on its registry port (and its flag says the same number).
    assert set(ports) == {"lake-catalogd", "lake-coordinator", "lake-executor-default", "lake-executor-etl-batch",
                          "lake-statestored"}
    assert ports["lake-catalogd"] == 25021 and ports["lake-statestored"] == 25011
    assert ports["lake-executor-default"] == ports["lake-executor-etl-batch"] == 25001
    for sts in (d for d in docs if d["kind"] == "StatefulSet"):
        component = sts["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
        [args] = [c["args"] for c in sts["spec"]["template"]["spec"]["containers"] if c["name"] == component]
        assert f"-metrics_webserver_port={ports[sts['metadata']['name']]}" in args
    # No scrape annotations that would point a Prometheus at the wrong path.
    assert "prometheus.io/" not in run("gen", "-f", str(METRICS))


def test_the_service_monitor_validates_and_its_services_carry_the_port(tmp_path):
    docs = service_monitor_docs(tmp_path)
    monitor, endpoint, ports = scraped_ports(docs, "ServiceMonitor")
    selector = monitor["spec"]["selector"]["matchLabels"]
    carrying = [s for s in docs if s["kind"] == "Service" and selector.items() <= s["metadata"]["labels"].items()
                and any(p["name"] == endpoint["port"] for p in s["spec"]["ports"])]
    # Each role's cluster-local Service, and never an external one.
    assert sorted(s["metadata"]["name"] for s in carrying) == [
        "lake-catalogd-internal", "lake-coordinator-internal", "lake-executor-internal", "lake-statestored-internal"]
    for svc in carrying:
        [port] = [p for p in svc["spec"]["ports"] if p["name"] == endpoint["port"]]
        assert port["targetPort"] == endpoint["port"]


GATEWAY = ROOT / "examples" / "gateway" / "cluster.yaml"
INGRESS = ROOT / "examples" / "ingress" / "cluster.yaml"


def gateway_docs(tmp_path, **http):
    spec = yaml.safe_load(GATEWAY.read_text())
    spec["spec"]["http"].update(http)
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(spec))
    return [d for d in yaml.safe_load_all(run("gen", "-f", str(path))) if d]


def test_the_http_route_needs_the_experimental_channel_for_cookie_affinity_alone(tmp_path):
    [route] = [d for d in gateway_docs(tmp_path) if d["kind"] == "HTTPRoute"]
    crds.validate(route, "1.37.0")
    assert route["spec"]["rules"][0]["sessionPersistence"] == {"sessionName": "impala-session", "type": "Cookie"}
    with pytest.raises(jsonschema.ValidationError) as e:
        crds.validate(route, "1.37.0", crds.STANDARD_HTTPROUTE)
    assert "sessionPersistence" in str(e.value)
    [plain] = [d for d in gateway_docs(tmp_path, affinity="None") if d["kind"] == "HTTPRoute"]
    crds.validate(plain, "1.37.0", crds.STANDARD_HTTPROUTE)
    assert "sessionPersistence" not in plain["spec"]["rules"][0]


@pytest.mark.parametrize("spec", [INGRESS, GATEWAY])
def test_every_route_leads_to_a_service_port_of_its_role_that_admits_the_controller(spec):
    """Each Ingress path and HTTPRoute rule names a Service of the release that
    carries the port (by name or number) and selects the role, and the role's
    NetworkPolicy admits the controller's pods on that port and on no other."""
    docs = [d for d in yaml.safe_load_all(run("gen", "-f", str(spec))) if d]
    http = yaml.safe_load(spec.read_text())["spec"]["http"]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    policies = {d["metadata"]["name"]: d for d in docs if d["kind"] == "NetworkPolicy"}
    backends = []
    for d in docs:
        if d["kind"] == "Ingress":
            crds.validate(d, "1.37.0")
            backends += [(p["backend"]["service"]["name"], p["backend"]["service"]["port"]) for r in d["spec"]["rules"]
                         for p in r["http"]["paths"]]
        elif d["kind"] == "HTTPRoute":
            backends += [(b["name"], {"number": b["port"]}) for r in d["spec"]["rules"] for b in r["backendRefs"]]
    assert len(backends) == len(http["endpoints"])
    routed = set()
    for (service, port), endpoint in zip(backends, http["endpoints"]):
        svc = services[service]
        assert svc["spec"]["selector"]["app.kubernetes.io/component"] == endpoint["role"]
        [sp] = [p for p in svc["spec"]["ports"] if p["name"] == port.get("name", endpoint["port"]) and port.get("number", p["port"]) == p["port"]]
        assert sp["targetPort"] == endpoint["port"]
        routed.add((endpoint["role"], sp["port"]))
    for name, policy in policies.items():
        role = policy["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/component")
        for rule in policy["spec"].get("ingress", []):
            if rule.get("from") == http["sources"]:
                [p] = rule["ports"]
                assert (role, p["port"]) in routed, (name, p)
                routed.discard((role, p["port"]))
    assert not routed, f"routed ports without a rule for the controller: {routed}"


def rendered(kind):
    """The one object of this kind an example renders."""
    spec = {"Certificate": SPEC, "PodMonitor": METRICS, "HTTPRoute": GATEWAY}.get(kind, HA)
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
    ("PodMonitor", lambda m: m["spec"].update(endpoints=m["spec"].pop("podMetricsEndpoints")), "Additional properties"),
    ("PodMonitor", lambda m: m["spec"].pop("selector"), "'selector' is a required property"),
    ("PodMonitor", lambda m: m["spec"]["podMetricsEndpoints"][0].update(interval="30 s"), "does not match"),
    ("PodMonitor", lambda m: m["spec"]["podMetricsEndpoints"][0].update(scheme="tcp"), "is not one of"),
    ("HTTPRoute", lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(type="Prefix"), "is not one of"),
    ("HTTPRoute", lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(port="hs2-http"), "is not of type"),
    ("HTTPRoute", lambda r: r["spec"].update(parentRef=r["spec"]["parentRefs"]), "Additional properties"),
])
def test_control_the_schemas_refuse_a_wrong_object(kind, edit, error):
    wrong = copy.deepcopy(rendered(kind))
    edit(wrong)
    with pytest.raises(jsonschema.ValidationError) as e:
        crds.validate(wrong, "1.37.0")
    assert error in str(e.value)
