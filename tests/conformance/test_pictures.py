"""The pictures `impala-k8s policy` draws, read back by the real tools:
Mermaid's own parser (the `mermaid` npm package, in tests/conformance/mermaid)
and Graphviz's `dot`. Each picture must parse, and its edges must say what
`policy --format json` says: the same sources, destinations and ports.
The README's pictures must parse too, and be what the command prints."""

import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from impala import BIN, sources

ROOT = Path(__file__).resolve().parents[2]
MERMAID = ROOT / "tests" / "conformance" / "mermaid"
DOT = shutil.which("dot") or "dot"
CASES = {
    "impala4": [],
    "impala4-loadbalancer-admissiond": ["--service-type", "LoadBalancer", "--enable", "admissiond"],
    "cdh5": ["--profile", "cdh5"],
    "production": ["-f", str(ROOT / "examples/production/cluster.yaml")],
    "multi-tenant": ["-f", str(ROOT / "examples/multi-tenant/specs")],
}


def policy(case, fmt):
    return subprocess.run([BIN, "policy", *CASES[case], "--format", fmt],
                          check=True, capture_output=True, text=True).stdout


def parse_mermaid(*paths):
    out = subprocess.run(["node", str(MERMAID / "check.mjs"), *map(str, paths)],
                         capture_output=True, text=True, cwd=MERMAID)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def ports_of(label):
    return {int(n) for n in re.findall(r"\b(\d{2,5})(?:/TCP)?\b", label.split(": ", 1)[-1])}


def expected_pod_edges(analysis):
    """{(source label, role): ports} for pod sources, as the picture draws them."""
    pods = [e for e in analysis["endpoints"] if e["kind"] not in ("cidr", "anywhere")]
    labels = {e["id"]: e["label"] for e in analysis["endpoints"]}
    edges = defaultdict(set)
    for reach in analysis["ingress"]:
        from_pods = [i for i in sources(analysis, reach) if i in {p["id"] for p in pods}]
        named = ["any pod in the cluster"] if len(from_pods) == len(pods) else [labels[i] for i in from_pods]
        for src in named:
            edges[(src, reach["role"])].add(reach["number"])
    return dict(edges)


@pytest.mark.parametrize("case", CASES)
def test_mermaid_parses_and_says_what_the_matrix_says(case, tmp_path):
    analysis = json.loads(policy(case, "json"))
    path = tmp_path / f"{case}.mmd"
    path.write_text(policy(case, "mermaid"))
    [diagram] = parse_mermaid(path)
    assert diagram["type"] == "flowchart-v2"
    name = {v: text.split("<br>")[0].split(" ×")[0] for v, text in diagram["vertices"].items()}
    roles = {r["id"] for r in analysis["workloads"]}
    addresses = {e["label"] for e in analysis["endpoints"] if e["kind"] in ("cidr", "anywhere")}
    drawn = defaultdict(set)
    outside = defaultdict(set)
    for edge in diagram["edges"]:
        src, dst = name[edge["from"]], name[edge["to"]]
        if edge["stroke"] == "dotted":   # egress beyond the release
            assert src in roles and dst not in roles, edge
            continue
        assert dst in roles, edge
        (outside if src in addresses else drawn)[(src, dst)] |= ports_of(edge["label"])
    assert dict(drawn) == expected_pod_edges(analysis)
    from_outside = defaultdict(set)
    labels = {e["id"]: e["label"] for e in analysis["endpoints"]}
    for reach in analysis["ingress"]:
        for i in reach["fromOutside"]:
            from_outside[(labels[i], reach["role"])].add(reach["number"])
    for key, ports in outside.items():
        assert ports <= from_outside[key], key
    assert set().union(*outside.values(), set()) == set().union(*from_outside.values(), set())


@pytest.mark.parametrize("case", CASES)
def test_dot_renders_the_same_graph(case, tmp_path):
    mermaid_path = tmp_path / "g.mmd"
    mermaid_path.write_text(policy(case, "mermaid"))
    [diagram] = parse_mermaid(mermaid_path)
    out = subprocess.run([DOT, "-Tjson"], input=policy(case, "dot"), check=True, capture_output=True, text=True)
    graph = json.loads(out.stdout)
    names = {o["_gvid"]: o["name"] for o in graph["objects"]}
    dot_edges = sorted((names[e["tail"]], names[e["head"]], e["label"], e.get("style") == "dashed")
                       for e in graph.get("edges", []))
    mermaid_edges = sorted((e["from"], e["to"], e["label"], e["stroke"] == "dotted") for e in diagram["edges"])
    assert dot_edges == mermaid_edges
    svg = subprocess.run([DOT, "-Tsvg"], input=policy(case, "dot"), check=True, capture_output=True, text=True).stdout
    assert svg.count("class=\"edge\"") == len(dot_edges)


def test_the_readme_pictures_parse(tmp_path):
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    paths = []
    for i, block in enumerate(blocks):
        paths.append(tmp_path / f"readme-{i}.mmd")
        paths[-1].write_text(block)
    assert all(d["type"] == "flowchart-v2" and d["edges"] for d in parse_mermaid(*paths))
    assert blocks[0] == policy("impala4", "mermaid") and blocks[1] == policy("cdh5", "mermaid")


def test_a_broken_picture_is_refused(tmp_path):
    """Control: the parser does reject what it cannot read."""
    path = tmp_path / "broken.mmd"
    path.write_text(policy("impala4", "mermaid").replace('|"', '|"x', 1).replace('"|', "|", 1))
    out = subprocess.run(["node", str(MERMAID / "check.mjs"), str(path)], capture_output=True, text=True, cwd=MERMAID)
    assert out.returncode == 1 and "Parse error" in out.stderr
