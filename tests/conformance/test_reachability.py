"""Reachability, three ways, which must agree exactly:

- expected: derived here from the registry's peers and the spec's settings
  (client and web UI sources, port overrides, egress lockdown);
- nca (network-config-analyzer, PyPI) computes it from the generated
  StatefulSets and NetworkPolicies, with bystander pods added: another
  application in the namespace, a pod in another namespace wearing a
  coordinator's labels, and pods in the namespaces the spec names;
- `impala-k8s policy --format json` computes it from the same objects.

The matrices are {(source, role): ports} for ingress to the release's pods,
and {(role, destination): ports} for the release's connections elsewhere.
Sources and destinations are the categories `policy` names: a role,
other-pods, other-namespaces, namespace:NAME, a CIDR, or anywhere.
"""

import copy
import ipaddress
import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from test_conformance import BIN, LLAMA, NAMESPACE, RELEASE, SERVICE_TYPES, registry
from impala import sources

ROOT = Path(__file__).resolve().parents[2]
ALL = "all"                       # every port of every protocol
DNS = {("TCP", 53), ("UDP", 53)}
ANYWHERE_ADDRESS = "203.0.113.7"  # TEST-NET-3: in no CIDR of any case
DEFAULT_METASTORE_PORT = 9083

LOCKDOWN = {
    "enabled": True,
    "metastore": [{"cidr": "10.96.40.0/24"}],
    "storage": [{"cidr": "10.30.0.0/16", "ports": [443]}, {"cidr": "10.31.0.0/16", "ports": [9000, 9866]}],
}
SOURCES = {
    "clientSources": [{"ipBlock": {"cidr": "10.10.0.0/16"}},
                      {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "bi-tools"}}}],
    "webUiSources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
                     {"ipBlock": {"cidr": "192.168.50.0/24"}}],
}

# id: (profile, flags, spec)
CASES = {}
for _profile, _extra, _id in [("impala4", [], []), ("impala4", ["--enable", "admissiond"], ["enable", "admissiond"]),
                              ("cdh5", [], []), ("cdh5", LLAMA, ["5.4"])]:
    for _type in SERVICE_TYPES:
        CASES["-".join([_profile, *_id, _type])] = (_profile, [*_extra, "--service-type", _type], {})
CASES.update({
    "impala4-port-overrides": ("impala4", ["--service-type", "NodePort"], {"roles": {
        "coordinator": {"ports": {"hs2": 21051, "krpc": 27010, "webui": 25001}},
        "executor": {"ports": {"krpc": 27020}},
        "statestored": {"ports": {"statestore": 24010}},
        "catalogd": {"ports": {"catalog": 26010}}}}),
    "cdh5-llama-lockdown": ("cdh5", LLAMA, {"networkPolicy": {"egress": {
        **LOCKDOWN, "yarn": [{"cidr": "10.60.0.0/16", "ports": [8030, 8032, 8041]}]}}}),
    "cdh5-port-overrides": ("cdh5", [], {"roles": {
        "impalad": {"ports": {"backend": 22010, "hs2": 21051}},
        "statestored": {"ports": {"statestore": 24010}}}}),
    "impala4-restricted-sources": ("impala4", ["--service-type", "LoadBalancer"], {"networkPolicy": SOURCES}),
    "impala4-egress-lockdown": ("impala4", ["--enable", "admissiond"], {"networkPolicy": {"egress": LOCKDOWN}}),
    # The built-in metastore and a shared warehouse volume, under the lockdown: the metastore is a peer.
    "impala4-built-in-metastore": ("impala4", ["--enable", "metastore", "--shared-volume-class", "nfs-client"],
                                   {"networkPolicy": {"egress": {"enabled": True}}}),
    "cdh5-egress-lockdown-and-sources": ("cdh5", ["--service-type", "NodePort"],
                                         {"networkPolicy": {**SOURCES, "egress": LOCKDOWN}}),
    "production-example": ("impala4", [], None),
    # High availability (issue 13): 24020 only between the statestoreds, 24000 from every subscriber.
    "impala4-ha-pairs": ("impala4", ["--enable", "admissiond"], {"roles": {
        "statestored": {"ha": {"enabled": True}}, "catalogd": {"ha": {"enabled": True}}}}),
    # Executor groups (issue 13): every group is an executor, reached and reaching alike.
    "impala4-executor-groups": ("impala4", ["--enable", "admissiond"], {
        "admission": {"pools": [{"name": "etl"}, {"name": "adhoc"}]},
        "executorGroups": [{"name": "etl-large", "replicas": 3}, {"name": "adhoc-small", "replicas": 1},
                           {"name": "default", "replicas": 2}],
        "networkPolicy": {"egress": LOCKDOWN}}),
    "impala4-metrics": ("impala4", ["--enable", "admissiond"], {"metrics": {"enabled": True},
                        "executorGroups": [{"name": "default", "replicas": 2}]}),
    "impala4-metrics-sources-lockdown": ("impala4", ["--service-type", "LoadBalancer"], {
        "metrics": {"enabled": True, "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "obs"}},
                                                  "podSelector": {"matchLabels": {"app": "vmagent"}}}]},
        "auth": {"webUi": {"passwordSecret": {"name": "web-logins", "key": "htdigest"}, "realm": "impala"}},
        "tls": {"clients": True, "webUi": True, "secretName": "impala-tls"},
        "roles": {"coordinator": {"ports": {"metrics": 25101}}},
        "networkPolicy": {**SOURCES, "egress": LOCKDOWN}}),
    "impala4-http-ingress": ("impala4", ["--enable", "admissiond"], {
        "http": {"enabled": True, "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                                               "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}}],
                 "endpoints": [{"role": "coordinator", "port": "hs2-http", "host": "impala.example.com"},
                               {"role": "catalogd", "port": "webui", "host": "catalogd.example.com"},
                               {"role": "admissiond", "port": "webui", "host": "admissiond.example.com"}]},
        "roles": {"coordinator": {"ports": {"hs2-http": 28080}}},
        "networkPolicy": SOURCES}),
    "impala4-http-route-defaults": ("impala4", ["--service-type", "LoadBalancer"], {
        "http": {"enabled": True, "kind": "HTTPRoute", "parentRefs": [{"name": "public", "namespace": "gateways"}],
                 "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateways"}},
                              "podSelector": {"matchLabels": {"gateway": "public"}}}]},
        "networkPolicy": {**SOURCES, "egress": LOCKDOWN}}),
    "impala4-ha-lockdown": ("impala4", ["--service-type", "LoadBalancer"], {
        "roles": {"statestored": {"ha": {"enabled": True}, "ports": {"ha": 24025}}},
        "networkPolicy": {**SOURCES, "egress": LOCKDOWN}}),
})


def spec_of(case):
    """The case's spec (the production example's own for None)."""
    profile, _, spec = CASES[case]
    if spec is None:
        return yaml.safe_load((ROOT / "examples/production/cluster.yaml").read_text())["spec"]
    return {"profile": profile, **copy.deepcopy(spec)}


def run(case, tmp_path, *command):
    path = tmp_path / "cluster.yaml"
    document = {"apiVersion": "impala-k8s.dev/v1alpha1", "kind": "ImpalaCluster",
                "metadata": {"name": RELEASE, "namespace": NAMESPACE}, "spec": spec_of(case)}
    path.write_text(yaml.safe_dump(document))
    args = [BIN, *command, "-f", str(path), *CASES[case][1]]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


# --- what the spec promises -------------------------------------------------

def source_categories(sources):
    """The categories a list of NetworkPolicy peers names."""
    found = set()
    for peer in sources:
        if "ipBlock" in peer:
            found.add(peer["ipBlock"]["cidr"])
        elif "podSelector" in peer:  # pods of a namespace, as `policy` names them
            pods, = peer["podSelector"]["matchLabels"].items()
            ns, = peer["namespaceSelector"]["matchLabels"].items()
            found.add("pods:{}={}@{}={}".format(*pods, *ns))
        else:
            found.add("namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
    return found


def categories(spec, running):
    """Every source and destination category of a case."""
    np = spec.get("networkPolicy", {})
    named = set()
    for key in ("clientSources", "webUiSources"):
        named |= source_categories(np.get(key, []))
    named |= source_categories(metrics_sources(spec))
    named |= source_categories(spec.get("http", {}).get("sources", []) if spec.get("http", {}).get("enabled") else [])
    for key in ("metastore", "storage", "yarn"):
        named |= {rule["cidr"] for rule in np.get("egress", {}).get(key, [])}
    return [*running, "other-pods", "other-namespaces", *sorted(named), "anywhere"]


def metrics_sources(spec):
    """Who reaches the metrics ports: the spec's sources, or Prometheus in `monitoring`."""
    metrics = spec.get("metrics", {})
    if not metrics.get("enabled"):
        return []
    return metrics.get("sources", [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}])


def routed(reg, spec, running):
    """The (role, port name) pairs an Ingress or HTTPRoute routes to: the spec's
    endpoints, or the ports whose sessions span connections."""
    http = spec.get("http", {})
    if not http.get("enabled"):
        return set()
    if "endpoints" in http:
        return {(e["role"], e["port"]) for e in http["endpoints"]}
    return {(p["role"], p["name"]) for p in reg["ports"] if p.get("sticky") and p.get("http") and p["role"] in running}


def running_roles(reg, spec, flags):
    enabled = {flags[i + 1] for i, f in enumerate(flags) if f == "--enable"}
    enabled |= {r for r, s in spec.get("roles", {}).items() if s.get("enabled")}
    return [r["name"] for r in reg["roles"] if not r.get("optional") or r["name"] in enabled]


def expected(reg, spec, running):
    cats = categories(spec, running)
    np = spec.get("networkPolicy", {})
    egress = np.get("egress", {})
    lockdown = egress.get("enabled", False)
    ingress = defaultdict(set)
    for port in reg["ports"]:
        role = port["role"]
        if role not in running:
            continue
        # A port with a condition exists only then: the HA port with the statestored pair.
        if port.get("when") == "statestoredHa" and not spec.get("roles", {}).get(role, {}).get("ha", {}).get("enabled"):
            continue
        if port.get("when") == "webUiAuth" and not spec.get("auth", {}).get("webUi"):
            continue
        # The metrics webserver: with web UI logins (for the probes) or metrics (for Prometheus).
        if port.get("when") == "metrics" and not (spec.get("auth", {}).get("webUi") or metrics_sources(spec)):
            continue
        settings = spec.get("roles", {}).get(role, {})
        number = settings.get("ports", {}).get(port["name"], port["number"])
        access = settings.get("access", {}).get(port["name"], port["access"])
        admitted = {p for p in port.get("peers", []) if p in running}
        if port.get("when") == "metrics":
            admitted |= source_categories(metrics_sources(spec))
        if (role, port["name"]) in routed(reg, spec, running):
            admitted |= source_categories(spec["http"]["sources"])
        audience = port.get("audience", "clients") if port["access"] == "external" else (
            "clients" if access == "external" else None)
        if audience:
            key = "clientSources" if audience == "clients" else "webUiSources"
            allowed = set(cats) if key not in np else source_categories(np[key])
            if lockdown:  # a role that is not a peer has no egress rule to the port
                allowed -= set(running)
            admitted |= allowed
        # Selected pods of a namespace are pods of that namespace too.
        admitted |= {c for c in cats if c.startswith("pods:") and f"namespace:{c.rsplit('=', 1)[1]}" in admitted}
        for src in admitted:
            ingress[(src, role)].add(number)
    reaches = {r["name"]: set(r.get("reaches", [])) for r in reg["roles"]}
    outbound = {}
    for role in running:
        for cat in cats[len(running):]:
            if not lockdown:
                outbound[(role, cat)] = ALL
                continue
            ports = set(DNS)
            for destination in ("metastore", "storage", "yarn"):
                if destination not in reaches[role]:
                    continue
                for rule in egress.get(destination, []):
                    if rule["cidr"] == cat:
                        default = [DEFAULT_METASTORE_PORT] if destination == "metastore" else []
                        ports |= {("TCP", p) for p in rule.get("ports", default)}
            outbound[(role, cat)] = ports
    return dict(ingress), outbound, cats


# --- what nca computes ----------------------------------------------------------

def pod(name, namespace, labels):
    """A bystander pod."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}


def run_nca(manifests, extra, tmp_path):
    """nca's pod-level connectivity of the manifests plus extra objects, as text."""
    path = tmp_path / "all.yaml"
    path.write_text(manifests + "---\n" + yaml.safe_dump_all(extra))
    return subprocess.run(
        ["nca", "--connectivity", str(path), "--resource_list", str(path),
         "--output_format", "txt_no_fw_rules", "--output_endpoints", "pods"],
        check=True, capture_output=True, text=True).stdout


def bystanders(cats):
    """Pods that are not part of the release, one per category, and their namespaces."""
    impala_labels = {"app.kubernetes.io/name": "impala", "app.kubernetes.io/instance": RELEASE,
                     "app.kubernetes.io/component": "coordinator"}
    docs = [namespace("elsewhere"), pod("other-app", NAMESPACE, {"app": "other-app"}),
            pod("impostor", "elsewhere", impala_labels)]
    for cat in cats:
        if cat.startswith("namespace:"):
            name = cat.split(":", 1)[1]
            docs += [namespace(name), pod("client", name, {"app": "client"})]
        elif cat.startswith("pods:"):
            # The selected pods, and a pod of their namespace without their labels.
            labels, ns = cat.split(":", 1)[1].split("@")
            key, value = labels.split("=")
            name = ns.split("=")[1]
            if f"namespace:{name}" not in cats:
                docs.append(namespace(name))
            docs += [pod("scraper", name, {key: value}), pod("neighbour", name, {"app": "client"})]
    return docs


def parse_connection(text):
    """nca's connection text as a set of (protocol, port), or ALL."""
    if text.strip() == "All connections":
        return ALL
    ports = set()
    for group in re.findall(r"\{([^}]*)\}", text):
        protocols, _, numbers = group.partition("dst_ports:")
        protocols = [p.strip() for p in protocols.replace("protocols:", "").split(",") if p.strip()]
        assert numbers, f"every port of {protocols}: {text}"
        for protocol in protocols:
            for item in numbers.split(","):
                lo, _, hi = item.strip().partition("-")
                ports |= {(protocol, n) for n in range(int(lo), int(hi or lo) + 1)}
    return ports


def union(a, b):
    return ALL if ALL in (a, b) else a | b


def address_range(text):
    lo, hi = text.split("-")
    return ipaddress.ip_address(lo), ipaddress.ip_address(hi)


def representative(cat):
    """An address that stands for an address category."""
    if cat == "anywhere":
        return ipaddress.ip_address(ANYWHERE_ADDRESS)
    return ipaddress.ip_network(cat)[1]


def nca_matrices(manifests, tmp_path, running, cats):
    out = run_nca(manifests, bystanders(cats), tmp_path)
    address_cats = [c for c in cats if c == "anywhere" or ("/" in c and not c.startswith("pods:"))]

    def pod_category(name):
        namespace, pod = name.split("/")
        workload = pod.rsplit("-", 1)[0]
        for role in running:
            # A role's StatefulSet, one of the statestored pair's two (`-1`, `-2`) or an executor group's.
            if namespace == NAMESPACE and re.fullmatch(f"{RELEASE}-{role}(-[12]|-[a-z0-9-]+)?", workload):
                return role
        if pod == "other-app":
            return "other-pods"
        if pod == "scraper":
            [cat] = [c for c in cats if c.startswith("pods:") and c.endswith(f"={namespace}")]
            return cat
        if f"namespace:{namespace}" in cats:
            return f"namespace:{namespace}"
        # nca simulates an ingress controller of its own where it finds an Ingress:
        # a pod of another namespace that no source names.
        assert pod in ("impostor", "neighbour", "ingress-controller-livesim"), name
        return "other-namespaces"

    pods = defaultdict(set)          # (source, destination) between pods
    from_addresses = defaultdict(list)   # role -> [(lo, hi, ports)]
    to_addresses = defaultdict(list)     # role -> [(lo, hi, ports)]
    for line in out.splitlines():
        if " => " not in line:
            continue
        left, conn = line.split(" : ", 1)
        src, dst = (e.strip() for e in left.split(" => "))
        ports = parse_connection(conn)
        if "/" in src and "/" in dst:
            key = (pod_category(src), pod_category(dst))
            pods[key] = union(pods[key], ports)
        elif "/" in dst:
            from_addresses[pod_category(dst)].append((*address_range(src), ports))
        elif "/" in src:
            to_addresses[pod_category(src)].append((*address_range(dst), ports))

    def at(ranges, address):
        found = set()
        for lo, hi, ports in ranges:
            if lo <= address <= hi:
                found = union(found, ports)
        return found

    # Every range outside the named CIDRs must behave as the representative address does.
    named = [ipaddress.ip_network(c) for c in address_cats if c != "anywhere"]
    for table in (from_addresses, to_addresses):
        for role, ranges in table.items():
            for lo, hi, _ in ranges:
                if not any(n[0] <= hi and lo <= n[-1] for n in named):
                    assert at(ranges, lo) == at(ranges, representative("anywhere")), (role, lo, hi)

    ingress = defaultdict(set)
    for (src, dst), ports in pods.items():
        if dst in running:
            assert ports != ALL, f"{src} => {dst}: a release pod accepts every connection"
            ingress[(src, dst)] |= {n for proto, n in ports if proto == "TCP"}
    for role in running:
        for cat in address_cats:
            ports = at(from_addresses[role], representative(cat))
            assert ports != ALL, f"{cat} => {role}: a release pod accepts every connection"
            if ports:
                ingress[(cat, role)] |= {n for _, n in ports}
    egress = {}
    for role in running:
        for cat in cats[len(running):]:
            if cat in address_cats:
                ports = at(to_addresses[role], representative(cat))
            else:
                ports = pods.get((role, cat), set())
            egress[(role, cat)] = ports
    return dict(ingress), egress


# --- what `impala-k8s policy` computes ------------------------------------------

def policy_matrices(analysis, running):
    ingress = defaultdict(set)
    for reach in analysis["ingress"]:
        for src in sources(analysis, reach):
            ingress[(src, reach["role"])].add(reach["number"])
    egress = {}
    for entry in analysis["egress"]:
        for target in entry["to"]:
            if target["endpoint"] in running:
                continue
            ports = target["ports"]
            egress[(entry["role"], target["endpoint"])] = ALL if ports == ALL else {
                (p.split("/")[1], int(p.split("/")[0])) for p in ports}
    return dict(ingress), egress


def single_pod_roles(manifests):
    """Roles that run one pod: a lone pod does not reach itself across the network."""
    pods = defaultdict(int)
    for d in yaml.safe_load_all(manifests):
        if d["kind"] == "StatefulSet":
            pods[d["metadata"]["labels"]["app.kubernetes.io/component"]] += d["spec"]["replicas"]
    return {role for role, count in pods.items() if count == 1}


@pytest.mark.parametrize("case", CASES)
def test_nca_policy_and_registry_agree(case, tmp_path):
    profile, flags, _ = CASES[case]
    spec = spec_of(case)
    reg = registry(profile, flags)
    running = running_roles(reg, spec, flags)
    want_ingress, want_egress, cats = expected(reg, spec, running)
    analysis = json.loads(run(case, tmp_path, "policy", "--format", "json"))
    manifests = run(case, tmp_path, "gen")

    ids = [e["id"] for e in analysis["endpoints"]]
    assert sorted(ids) == sorted(cats) and len(ids) == len(set(ids))
    got_ingress, got_egress = policy_matrices(analysis, running)
    assert got_ingress == want_ingress
    assert {k: v for k, v in got_egress.items() if v} == {k: v for k, v in want_egress.items() if v}

    nca_ingress, nca_egress = nca_matrices(manifests, tmp_path, running, cats)
    for role in single_pod_roles(manifests):
        want_ingress.pop((role, role), None)
    assert len(want_ingress) > len(running)
    assert nca_ingress == want_ingress
    assert nca_egress == want_egress


@pytest.mark.parametrize("case", CASES)
def test_outside_reaches_only_what_a_service_exposes(case, tmp_path):
    """nca ignores Services; `policy` says which ports leave the cluster, and through which Service."""
    analysis = json.loads(run(case, tmp_path, "policy", "--format", "json"))
    objects = list(yaml.safe_load_all(run(case, tmp_path, "gen")))
    external = {}
    for svc in objects:
        if svc["kind"] == "Service" and svc["spec"].get("type") in ("NodePort", "LoadBalancer"):
            role = svc["spec"]["selector"]["app.kubernetes.io/component"]
            for port in svc["spec"]["ports"]:
                external[(role, port["targetPort"])] = svc
    for reach in analysis["ingress"]:
        svc = external.get((reach["role"], reach["name"]))
        addresses = [e for e in reach["from"] if e == "anywhere" or ("/" in e and not e.startswith("pods:"))]
        if svc is None:
            assert reach["fromOutside"] == [], reach
            continue
        assert [x["service"] for x in reach["exposedBy"] if x["type"] == svc["spec"]["type"]] == [svc["metadata"]["name"]]
        ranges = [ipaddress.ip_network(r) for r in svc["spec"].get("loadBalancerSourceRanges", [])]
        admitted = [a for a in addresses if not ranges or any(
            (a == "anywhere" and r.prefixlen == 0) or (a != "anywhere" and ipaddress.ip_network(a).subnet_of(r))
            for r in ranges)]
        assert reach["fromOutside"] == admitted, reach


def test_spot_checks_from_the_reference(tmp_path):
    """A few facts from Impala's sources, stated independently of the registry."""
    case = "impala4-ClusterIP"
    running = ["statestored", "catalogd", "coordinator", "executor"]
    cats = [*running, "other-pods", "other-namespaces", "anywhere"]
    m, _ = nca_matrices(run(case, tmp_path, "gen"), tmp_path, running, cats)
    assert 26000 in m[("coordinator", "catalogd")]           # coordinators use the catalog service
    assert 26000 not in m.get(("executor", "catalogd"), set())  # executors do not
    assert 24000 in m[("catalogd", "statestored")]           # every daemon subscribes to the statestore
    assert 23000 in m[("statestored", "executor")]           # the statestore calls subscribers back
    assert 27000 in m[("executor", "executor")]              # KRPC between executors, pod to pod
    assert 21050 in m[("anywhere", "coordinator")]           # HiveServer2 for clients
    assert 27000 not in m[("anywhere", "coordinator")]       # KRPC never from outside
    assert 24000 not in m[("other-pods", "statestored")]     # nor from other applications
    assert 24000 not in m[("other-namespaces", "statestored")]  # nor from look-alikes in other namespaces


def test_the_metastore_under_the_lockdown(tmp_path):
    """catalogd and coordinators open the metastore (catalogd's catalog, the
    coordinators' frontend at start-up: Frontend.java:541, frontend.cc:187);
    executors never do, and nothing but these two roles reaches it."""
    case = "impala4-egress-lockdown"
    profile, flags, _ = CASES[case]
    spec = spec_of(case)
    running = running_roles(registry(profile, flags), spec, flags)
    cats = categories(spec, running)
    _, egress = nca_matrices(run(case, tmp_path, "gen"), tmp_path, running, cats)
    hms = LOCKDOWN["metastore"][0]["cidr"]
    reach = {role for role in running if any(n == DEFAULT_METASTORE_PORT for _, n in egress.get((role, hms), set()))}
    assert reach == {"catalogd", "coordinator"}, reach


def test_only_catalogd_and_coordinators_reach_the_built_in_metastore(tmp_path):
    """With --enable metastore, nca finds port 9083 of the metastore pods
    reachable from catalogd and the coordinators and from nothing else, in
    the cluster or outside it, under the egress lockdown."""
    for case in ["impala4-built-in-metastore"]:
        profile, flags, _ = CASES[case]
        spec = spec_of(case)
        running = running_roles(registry(profile, flags), spec, flags)
        assert "metastore" in running
        cats = categories(spec, running)
        # nca's connections hold under both ingress and egress policies, so the
        # lockdown's egress rules let exactly these two out to it, pod to pod.
        ingress, _ = nca_matrices(run(case, tmp_path, "gen"), tmp_path, running, cats)
        reach = {src for (src, dst), ports in ingress.items() if dst == "metastore" and 9083 in ports}
        assert reach == {"catalogd", "coordinator"}, reach
        assert not {src for (src, dst), ports in ingress.items() if dst == "metastore"} - {"catalogd", "coordinator"}


def test_a_wrong_policy_is_caught(tmp_path):
    """Control: opening an internal port to everyone changes what nca computes."""
    case = "impala4-ClusterIP"
    spec = spec_of(case)
    reg = registry("impala4")
    running = running_roles(reg, spec, [])
    want, _, cats = expected(reg, spec, running)
    docs = list(yaml.safe_load_all(run(case, tmp_path, "gen")))
    for d in docs:
        if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == f"{RELEASE}-statestored-ingress":
            for rule in d["spec"]["ingress"]:
                rule.pop("from", None)
    got, _ = nca_matrices(yaml.safe_dump_all(docs), tmp_path, running, cats)
    assert 24000 not in want.get(("other-namespaces", "statestored"), set())
    assert 24000 in got[("other-namespaces", "statestored")]


def test_nca_and_policy_agree_across_releases(tmp_path):
    """Three releases in two namespaces (examples/multi-tenant), with one
    bystander per namespace and one elsewhere: nca and `policy` agree pod
    for pod, and no release reaches another's peer ports."""
    specs = str(ROOT / "examples/multi-tenant/specs")
    analysis = json.loads(subprocess.run([BIN, "policy", "-f", specs, "--format", "json"],
                                         check=True, capture_output=True, text=True).stdout)
    manifests = subprocess.run([BIN, "gen", "-f", specs], check=True, capture_output=True, text=True).stdout
    ids = {(w["namespace"], w["name"]): w["id"] for w in analysis["workloads"]}
    release = {w["id"]: (w["namespace"], w["release"]) for w in analysis["workloads"]}
    extra = [pod("other-app", ns, {"app": "other"}) for ns in analysis["namespaces"]]
    extra += [namespace("elsewhere"), pod("impostor", "elsewhere", {})]
    out = run_nca(manifests, extra, tmp_path)

    def category(name):
        namespace, pod_name = name.split("/")
        if pod_name == "other-app":
            return f"other-pods:{namespace}"
        if pod_name == "impostor":
            return "other-namespaces"
        return ids[(namespace, pod_name.rsplit("-", 1)[0])]

    nca = defaultdict(set)
    for line in out.splitlines():
        if " => " not in line:
            continue
        left, conn = line.split(" : ", 1)
        src, dst = (e.strip() for e in left.split(" => "))
        if "/" not in dst or category(dst) not in release:
            continue  # only the releases' pods are ours to police
        ports = parse_connection(conn)
        assert ports != ALL, line
        if "/" not in src:
            lo, hi = address_range(src)
            if not lo <= ipaddress.ip_address(ANYWHERE_ADDRESS) <= hi:
                continue
            src = "anywhere"
        else:
            src = category(src)
        nca[(src, category(dst))] |= {n for _, n in ports}

    single = {w["id"] for w in analysis["workloads"] if w["replicas"] == 1}
    ours = defaultdict(set)
    for reach in analysis["ingress"]:
        for src in sources(analysis, reach):
            if not (src == reach["role"] and src in single):
                ours[(src, reach["role"])].add(reach["number"])
    assert dict(nca) == dict(ours)
    crossing = {(s, d): p for (s, d), p in ours.items() if s in release and release[s] != release[d]}
    peer_ports = {24000, 23000, 23020, 26000, 27000}
    assert crossing and all(not p & peer_ports for p in crossing.values()), crossing
