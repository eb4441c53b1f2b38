"""Property tests over random requests: every spec (and every custom registry)
that `gen` accepts renders objects that pass kubernetes-validate --strict (or
their CRD's schema) and the re-check of what kube-apiserver's validation
refuses beyond the schema (apirules.py). A spec `gen` refuses must fail with
exit status 2, a message and nothing on stdout: never a crash.

The specs are drawn from the spec's own JSON Schema (schema/impalacluster.
schema.json): any field of the whole schema, Kubernetes types included, with
edge values (empty, long, Unicode, YAML 1.1 words, negative and huge
numbers). The registries are the built-in ones with random ports, names,
flags and peers. Each test draws PROPERTY_CASES requests (default 120) from
a fixed seed, PROPERTY_SEED to change it; a failure names the seed, the case
and the request.
"""

import copy
import os
import random
import subprocess
from pathlib import Path

import pytest
import yaml

import apirules
import crds
from impala import BIN, ROOT

CASES = int(os.environ.get("PROPERTY_CASES", "120"))
SEED = int(os.environ.get("PROPERTY_SEED", "15"))
SCHEMA = yaml.safe_load((ROOT / "schema" / "impalacluster.schema.json").read_text())
VERSIONS = ["1.33.0", "1.37.0"]

# Strings a field of each kind is drawn from: mostly values Kubernetes takes,
# and the edges around them.
NAMES = ["a", "data", "impala-x", "x" * 63, "x" * 64, "Upper", "under_score", "dot.ted", "", "-a", "9"]
QUANTITIES = ["1", "500m", "1Gi", "0", "2.5Gi", "1e3", "100Mi", "-1", "1.5.5Gi", "1 Gi", "8G"]
EDGES = ["", " ", "yes", "on", "No", "0777", "1:20", "~", "null", "2001-12-14", "a\tb", "ünïcödé", "#x",
         "a: b", "x" * 300, "\u202e", "'q'", "{}", "[a]", "*", "\\"]
GENERIC = ["a", "value", "s3a://bucket/path", "thrift://hms:9083", "10.0.0.0/8", "::/0", "10.1.2.3/32",
           "apache/impala", "4.5.0", "30s", "1m", "example.com", "/opt/data", "team-a", "app"]


# Fields whose values have a grammar of their own.
FIELDS = {
    "cdhRelease": ["5.16.2", "5.10.0", "5.7", "6.0.0", "5"],
    "metastoreUri": ["thrift://hms.metastore:9083", "thrift://a:1", "http://x"],
    "uri": ["ldaps://ldap.example.com:636", "ldap://ldap", "x"],
    "repository": ["apache/impala", "registry.example.com:5000/team/impala", "Bad Repo"],
    "tag": ["4.5.0", "4.4.1", "latest", "-bad"],
    "warehouseDir": ["s3a://bucket/warehouse", "/warehouse", "hdfs://nn:8020/w"],
    "cidr": ["10.0.0.0/8", "192.168.1.0/24", "fd00::/8", "10.0.0.1"],
    "interval": ["30s", "1m", "10s", "0s"],
    "scrapeTimeout": ["10s", "5s", "1m"],
    "jvmHeap": ["50%", "512m", "6g", "120%"],
    "host": ["impala.example.com", "*.example.com", "Bad_Host"],
    "path": ["/", "/impala", "relative"],
    "mountPath": ["/mnt/data", "/opt/x", ""],
}
# Keys of the maps that name things.
KEYS = {
    "roles": ["coordinator", "executor", "catalogd", "statestored", "admissiond", "impalad", "bogus"],
    "extraFlags": ["mem_limit", "default_query_options", "idle_session_timeout", "hs2_port", "flagfile", "Bad"],
    "hiveSite": ["hive.metastore.client.socket.timeout", "a.b", "bad key"],
    "coreSite": ["fs.s3a.connection.maximum", "a.b"],
    "requests": ["cpu", "memory", "ephemeral-storage", "gpu"],
    "limits": ["cpu", "memory", "ephemeral-storage"],
    "nodeSelector": ["kubernetes.io/arch", "pool", "bad key!"],
    "labels": ["team", "example.com/tier", "Bad Key"],
    "annotations": ["example.com/owner", "note", "checksum/config"],
}


def pick_string(rng, name):
    if name in FIELDS and rng.random() < 0.9:
        return rng.choice(FIELDS[name])
    lowered = (name or "").lower()
    if any(w in lowered for w in ("memory", "cpu", "size", "storage", "limit", "quantity")):
        pool = QUANTITIES
    elif any(w in lowered for w in ("name", "key", "role", "namespace", "class", "group")):
        pool = NAMES
    else:
        pool = GENERIC
    return rng.choice(pool if rng.random() < 0.9 else EDGES)


def resolve(node):
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def draw(rng, node, name, depth):
    """A random value for a schema node."""
    node = resolve(node)
    for choice in ("anyOf", "oneOf"):
        if choice in node:
            options = [o for o in node[choice] if resolve(o).get("type") != "null"] or node[choice]
            return draw(rng, rng.choice(options), name, depth)
    if "enum" in node:
        return rng.choice(node["enum"] + (["Bogus"] if rng.random() < 0.05 else []))
    if "const" in node:
        return node["const"]
    types = node.get("type", "object")
    if isinstance(types, list):
        types = [t for t in types if t != "null"][0] if any(t != "null" for t in types) else "null"
    if types == "boolean":
        return rng.random() < 0.5
    if types == "integer":
        low, high = node.get("minimum", -1), node.get("maximum", 2**31)
        edges = [low, low + 1, 2, 3, 10, 100, high]
        return int(rng.choice(edges if rng.random() < 0.9 else [-1, 0, 65536, 2**40]))
    if types == "number":
        return rng.choice([0, 0.5, 1, 75, 100, -1])
    if types == "string":
        if node.get("x-kubernetes-int-or-string"):
            return rng.choice([1, 80, "http", pick_string(rng, name)])
        return pick_string(rng, name)
    if types == "array":
        if depth > 5:
            return []
        return [draw(rng, node.get("items", {}), name, depth + 1) for _ in range(rng.choice([0, 1, 1, 2]))]
    if types == "object":
        props = node.get("properties")
        if props:
            if depth > 5:
                return {}
            # Few fields of a large object, more of a small one: most requests
            # stay close enough to valid to be accepted.
            chance = min(0.5, 1.5 / len(props)) if depth < 2 else min(0.6, 2 / len(props))
            value = {k: draw(rng, v, k, depth + 1) for k, v in props.items() if rng.random() < chance}
            for key in node.get("required", []):
                if key not in value:
                    value[key] = draw(rng, props[key], key, depth + 1)
            return value
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and depth <= 5:
            keys = KEYS.get(name, NAMES)
            pick = lambda: rng.choice(keys) if rng.random() < 0.9 else pick_string(rng, "key")  # noqa: E731
            return {pick(): draw(rng, extra, name, depth + 1) for _ in range(rng.choice([0, 1, 2]))}
        return {}
    return None


def random_spec(rng):
    spec = draw(rng, SCHEMA["properties"]["spec"], "spec", 0)
    spec.pop("registry", None)  # the second test draws registries
    return {
        "apiVersion": "impala-k8s.dev/v1alpha1",
        "kind": "ImpalaCluster",
        "metadata": {"name": rng.choice(["impala", "c1", "lake"]), "namespace": rng.choice(["impala", "t1"])},
        "spec": spec,
    }


def check_outcome(args, request, where, tmp_path):
    """Runs gen; an accepted request's objects must validate, a refused one fail cleanly."""
    out = subprocess.run([BIN, "gen", *args], capture_output=True, text=True, timeout=60)
    if out.returncode == 2:
        assert out.stdout == "" and out.stderr.startswith("error: "), f"{where}: {out.stderr}\n{request}"
        return None
    assert out.returncode == 0, f"{where}: exit {out.returncode}: {out.stderr}\n{request}"
    problems = []
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    version = VERSIONS[hash(where) % len(VERSIONS)]
    for doc in docs:
        try:
            crds.validate(doc, version)
        except Exception as e:  # kubernetes_validate and jsonschema raise their own errors
            problems.append(f"{doc['kind']} {doc['metadata']['name']}: {str(e).splitlines()[0]}")
        problems.extend(apirules.violations(doc))
    assert not problems, f"{where}: accepted, but an API server would refuse:\n" + "\n".join(problems) + f"\n{request}"
    return docs


def test_apirules_catch_what_they_are_for():
    """The re-check is no look-alike: each rule refuses its own bad object."""
    sts = yaml.safe_load(subprocess.run([BIN, "gen"], capture_output=True, text=True, check=True).stdout.split("---\n")[-1])
    assert sts["kind"] == "StatefulSet" and apirules.violations(sts) == []
    pod = sts["spec"]["template"]["spec"]
    bad = [
        ("tolerations", [{"key": "k", "operator": "Exists", "value": "v"}]),
        ("tolerations", [{"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}]),
        ("affinity", {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "preference": {"matchExpressions": [{"key": "k", "operator": "Exists"}]}}]}}),
        ("affinity", {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": ""}]}}),
        ("nodeSelector", {"bad key!": "v"}),
        ("securityContext", {"fsGroup": -1}),
        ("volumes", [{"name": "v", "configMap": {"name": "Bad_Name"}}]),
    ]
    for field, value in bad:
        broken = copy.deepcopy(sts)
        broken["spec"]["template"]["spec"][field] = value
        assert apirules.violations(broken), field
    broken = copy.deepcopy(sts)
    broken["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}
    assert any("above the limit" in v for v in apirules.violations(broken))
    broken["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1.5.5Gi"}}
    assert any("invalid quantity" in v for v in apirules.violations(broken))
    broken["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "T", "valueFrom": {"secretKeyRef": {"name": "Bad_Name", "key": "a/b"}}}]
    assert len([v for v in apirules.violations(broken) if "valueFrom.secretKeyRef" in v]) == 2
    policy = {"kind": "NetworkPolicy", "metadata": {"name": "p"}, "spec": {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8", "fd00::/8"]}, "podSelector": {}}]}]}}
    assert len(apirules.violations(policy)) == 3
    config = {"kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"A" * 300: "x"}}, "data": {"k": "x" * (1 << 20 + 1)}}
    assert len(apirules.violations(config)) == 2
    assert apirules.violations({"kind": "Namespace", "metadata": {"name": "kube-system"}})
    assert not pod.get("tolerations")


def test_random_specs_are_refused_or_valid(tmp_path):
    rng = random.Random(SEED)
    accepted = 0
    for case in range(CASES):
        request = random_spec(rng)
        path = tmp_path / f"spec-{case}.yaml"
        path.write_text(yaml.safe_dump(request, allow_unicode=True))
        docs = check_outcome(["-f", str(path)], path.read_text(), f"seed {SEED} case {case}", tmp_path)
        accepted += docs is not None
    # Not a test of refusals alone: a good share of random requests render.
    assert accepted >= CASES // 5, f"only {accepted} of {CASES} random specs were accepted"


def mutate_registry(rng, registry):
    """The registry with one to three random changes: a port's number, name,
    flag, peers or access, a role's resources or flags, or a role renamed.
    Most changes are to values a registry may hold, some to edges."""
    registry = copy.deepcopy(registry)
    roles = [r["name"] for r in registry["roles"]]
    valid = lambda good, bad: rng.choice(good if rng.random() < 0.75 else bad)  # noqa: E731
    for _ in range(rng.choice([1, 2, 3])):
        port = rng.choice(registry["ports"])
        role = rng.choice(registry["roles"])
        change = rng.randrange(7)
        if change == 0:
            port["number"] = valid([1024, 20000 + rng.randrange(10000), 65535, 1], [0, 70000, 22, port["number"] + 0])
        elif change == 1:
            port["name"] = valid(["p", "x" * 15, "web-ui2", "extra"], ["x" * 16, "Bad", "a--b", "123", "webui"])
        elif change == 2:
            port["flag"] = valid(["some_port", "another_port"], ["", "bad flag", "x" * 100, "webserver_port"])
        elif change == 3:
            port["peers"] = rng.sample(roles, k=rng.randrange(len(roles) + 1))
        elif change == 4:
            port["access"] = valid(["internal", "external"], ["public"])
        elif change == 5:
            role["resources"] = {"requests": {"cpu": rng.choice(QUANTITIES), "memory": rng.choice(QUANTITIES)},
                                 "limits": {"cpu": rng.choice(QUANTITIES), "memory": rng.choice(QUANTITIES)}}
        else:
            role.setdefault("flags", {})[valid(["log_dir", "x", "fe_service_threads"], ["Bad Flag", "a" * 80])] = \
                rng.choice(GENERIC + EDGES)
    return registry


@pytest.mark.parametrize("profile", ["impala4", "cdh5"])
def test_random_registries_are_refused_or_valid(profile, tmp_path):
    base = yaml.safe_load((ROOT / "registries" / f"{profile}.yaml").read_text())
    # A custom registry describes one build: CDH 5's release gates stay with the built-in one.
    base.pop("releases", None)
    for entry in base["roles"] + base["ports"]:
        entry.pop("releases", None)
        entry.pop("releaseFlags", None)
    rng = random.Random(SEED * 31 + len(profile))
    accepted = 0
    cases = max(CASES // 3, 10)
    for case in range(cases):
        registry = mutate_registry(rng, base)
        path = tmp_path / f"registry-{case}.yaml"
        path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False))
        args = ["--registry", str(path)] + (["--yarn-resource-manager", "yarn-rm.example.com"] if profile == "cdh5" else [])
        docs = check_outcome(args, f"registry {path}", f"seed {SEED} {profile} registry case {case}", tmp_path)
        accepted += docs is not None
    assert accepted >= cases // 5, f"only {accepted} of {cases} random registries were accepted"
