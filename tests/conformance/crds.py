"""Objects of other projects' APIs, checked against those projects' published
CRD schemas (kept in crds/ with their source and version), strictly: a field
the schema does not declare is an error, as `kubectl apply --validate=strict`
makes it. Every other object goes to kubernetes-validate."""

import copy
import json
from pathlib import Path

import jsonschema
import kubernetes_validate

CRDS = Path(__file__).resolve().parent / "crds"
# (apiVersion, kind) -> the openAPIV3Schema of that version of the CRD.
SCHEMAS = {
    ("cert-manager.io/v1", "Certificate"): "cert-manager-v1.19.6-certificate.json",
    ("keda.sh/v1alpha1", "ScaledObject"): "keda-v2.20.2-scaledobject.json",
    ("monitoring.coreos.com/v1", "PodMonitor"): "prometheus-operator-v0.93.0-podmonitor.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "prometheus-operator-v0.93.0-servicemonitor.json",
    # The experimental channel: cookie affinity is its `sessionPersistence`.
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "gateway-api-v1.6.1-httproute-experimental.json",
}
# The standard channel's HTTPRoute, for routes that use none of the experimental fields.
STANDARD_HTTPROUTE = "gateway-api-v1.6.1-httproute-standard.json"


def strict(schema):
    """The schema with every object closed to fields it does not declare."""
    schema = copy.deepcopy(schema)

    def close(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def crd_schema(api_version, kind, name=None):
    name = name or SCHEMAS[(api_version, kind)]
    schema = json.loads((CRDS / name).read_text())
    schema.pop("$comment", None)
    # metadata is an ObjectMeta, which the API server checks; the CRD leaves it open.
    return strict(schema)


def validate(doc, version, schema_file=None):
    """Strict validation of one object: its CRD's schema (or the schema file
    named), or Kubernetes' own."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in SCHEMAS:
        schema = crd_schema(*key, schema_file)
        schema["properties"]["metadata"] = {"type": "object"}
        jsonschema.validate(doc, schema)
    else:
        kubernetes_validate.validate(doc, version, strict=True)
