"""Every string impala-k8s writes reads back as the same string in a YAML 1.1
reader (PyYAML, as kubectl's and kubernetes-validate's readers resolve
plain scalars) as in the JSON output: `yes`, `on`, `NO`, `1_000`, `0o17`,
`190:20:30` or `2001-12-14` in a label, annotation or node selector must stay
strings, in `gen` and in `values`.
"""

import json
import os
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from impala import ROOT, run

# Strings a YAML 1.1 (or 1.2) resolver takes for something else when plain.
TRICKY = ["yes", "no", "on", "off", "y", "n", "NO", "Yes", "OFF", "true", "null", "~", "2001-12-14",
          "2001-12-14t21:59:43.10-05:00", "1_000", "0o17", "017", "0x1F", "0b101", "190:20:30", "1e3",
          "+1", ".5", ".inf", "<<", "="]


def hostile_spec():
    # Label values allow letters, digits, '-', '_' and '.' only.
    labels = {f"l{i}": v for i, v in enumerate(TRICKY)
              if v and v[0].isalnum() and v[-1].isalnum() and all(c.isalnum() or c in "-_." for c in v)}
    annotations = {f"a{i}": v for i, v in enumerate(TRICKY)}
    return {
        "apiVersion": "impala-k8s.dev/v1alpha1",
        "kind": "ImpalaCluster",
        "metadata": {"name": "tricky", "namespace": "tricky"},
        "spec": {
            "roles": {
                "coordinator": {
                    "podLabels": labels,
                    "podAnnotations": annotations,
                    "nodeSelector": {"disk": "off", "ssd": "yes"},
                    "extraFlags": {"default_pool_max_requests": "1_000"},
                },
            },
            "coreSite": {"fs.trash.interval": "0o17"},
        },
    }


@pytest.fixture(scope="module")
def spec_text():
    # JSON is YAML: the spec itself cannot be misread on the way in.
    return json.dumps(hostile_spec())


def test_gen_yaml_reads_back_as_its_json(spec_text):
    docs = [d for d in yaml.safe_load_all(run("gen", "-f", "-", stdin=spec_text)) if d is not None]
    items = json.loads(run("gen", "-f", "-", "-o", "json", stdin=spec_text))["items"]
    assert docs == items
    sts = next(d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "tricky-coordinator")
    pod = sts["spec"]["template"]
    assert pod["metadata"]["annotations"]["a0"] == "yes"
    assert pod["metadata"]["labels"]["l1"] == "no"
    assert pod["spec"]["nodeSelector"] == {"disk": "off", "ssd": "yes"}
    for v in pod["metadata"]["annotations"].values():
        assert isinstance(v, str), v


def test_gen_output_is_valid_in_strict_mode(spec_text):
    for doc in yaml.safe_load_all(run("gen", "-f", "-", stdin=spec_text)):
        if doc is None:
            continue
        # Raises on any error; a boolean where a string belongs is one.
        kubernetes_validate.validate(doc, "1.33.0", strict=True)


def test_gen_out_dir_reads_back(spec_text, tmp_path):
    run("gen", "-f", "-", "--out-dir", str(tmp_path / "out"), stdin=spec_text)
    items = {(i["kind"], i["metadata"]["name"]): i
             for i in json.loads(run("gen", "-f", "-", "-o", "json", stdin=spec_text))["items"]}
    files = [p for p in (tmp_path / "out").iterdir() if p.name != "kustomization.yaml"]
    assert len(files) == len(items)
    for path in files:
        doc = yaml.safe_load(path.read_text())
        assert doc == items[(doc["kind"], doc["metadata"]["name"])], path


def test_values_read_back_as_strings(spec_text):
    values = yaml.safe_load(run("values", "-f", "-", stdin=spec_text))
    coordinator = values["roles"]["coordinator"]
    assert coordinator["podAnnotations"] == {f"a{i}": v for i, v in enumerate(TRICKY)}
    assert coordinator["nodeSelector"] == {"disk": "off", "ssd": "yes"}
    assert coordinator["extraFlags"] == {"default_pool_max_requests": "1_000"}


def test_committed_output_reads_back_the_same_in_yaml_1_1_and_1_2():
    """Every committed rendering and the chart's values.yaml: PyYAML (1.1) reads
    the same data as a JSON-compatible (1.2) reading would; the examples
    hold no tricky string, so this guards against a regression in the
    emitter's plain scalars."""
    files = list((ROOT / "examples").rglob("rendered/**/*.yaml")) + [ROOT / "charts/impala/values.yaml"]
    assert len(files) > 20
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            # json round trip fails on dates, sets or non-string keys a 1.1 reader made up.
            assert json.loads(json.dumps(doc)) == doc, path
