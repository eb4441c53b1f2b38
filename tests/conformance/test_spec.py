"""Conformance of the ImpalaCluster spec: the CRD validates as a Kubernetes
object, example specs validate against `impala-k8s schema` with an independent
JSON Schema validator, and every example and starter spec renders objects that
kubernetes-validate accepts in strict mode."""

import copy
import json
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

import crds

from test_conformance import BIN, K8S_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted([*ROOT.glob("examples/*/cluster.yaml"), *ROOT.glob("examples/*/specs/*.yaml")])


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True, input=stdin).stdout


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(run("schema"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_there_are_examples():
    assert {p.parent.name for p in EXAMPLES} >= {"minimal", "production", "cdh5", "specs"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_crd_validates(version):
    docs = list(yaml.safe_load_all(run("crd")))
    assert [d["kind"] for d in docs] == ["CustomResourceDefinition"]
    kubernetes_validate.validate(docs[0], version, strict=True)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem if p.parent.name == "specs" else p.parent.name)
def test_examples_match_the_json_schema(example, validator):
    validator.validate(yaml.safe_load(example.read_text()))


def test_the_json_schema_rejects_mistakes(validator):
    spec = yaml.safe_load((ROOT / "examples/production/cluster.yaml").read_text())
    for mutate, what in [
        (lambda s: s["spec"].__setitem__("serviceTyp", "NodePort"), "serviceTyp"),
        (lambda s: s["spec"].__setitem__("serviceType", "ExternalName"), "ExternalName"),
        (lambda s: s["spec"]["roles"]["coordinator"].__setitem__("replicas", -1), "-1"),
        (lambda s: s["spec"]["image"].__setitem__("pullPolicy", "Sometimes"), "Sometimes"),
    ]:
        bad = copy.deepcopy(spec)
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError, match=what):
            validator.validate(bad)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem if p.parent.name == "specs" else p.parent.name)
def test_examples_render_valid_objects(example, version):
    docs = list(yaml.safe_load_all(run("gen", "-f", str(example))))
    assert len(docs) > 10
    for doc in docs:
        crds.validate(doc, version)


@pytest.mark.parametrize("profile", ["impala4", "cdh5"])
def test_starter_renders_valid_objects(profile, validator):
    starter = run("init", "--profile", profile)
    validator.validate(yaml.safe_load(starter))
    for doc in yaml.safe_load_all(run("gen", "-f", "-", stdin=starter)):
        kubernetes_validate.validate(doc, K8S_VERSIONS[-1], strict=True)
