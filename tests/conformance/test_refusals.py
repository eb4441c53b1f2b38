"""The chart half of the shared table of refusals (tests/refusals.yaml; the
gen half is tests/refusals.rs): for every row with `values`, charts/impala
with those values over its defaults is refused by its schema or fails its
render through Helm's engine, with the row's `chart` words. A row the chart
cannot check carries the reason instead, and a control shows that the
defaults themselves render."""

import copy

import helm_python as helm
import pytest
import yaml

from impala import ROOT, run

CHART = ROOT / "charts" / "impala"
ROWS = yaml.safe_load((ROOT / "tests" / "refusals.yaml").read_text())


def merged(defaults, overrides):
    out = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def refusal(row):
    """The error Helm's engine gives for the row's values, or None."""
    chart = helm.Chart.load(str(CHART))
    base = chart.values
    spec = row.get("spec", {})
    profile = spec.get("profile")
    if profile:
        # The values of the profile (and its release) over the chart's
        # defaults, as `helm install -f` merges them.
        flags = ["--profile", profile]
        if "cdhRelease" in spec:
            flags += ["--cdh-release", spec["cdhRelease"], "--yarn-resource-manager", spec.get("yarnResourceManager", "rm")]
        base = merged(base, yaml.safe_load(run("values", *flags)))
    values = merged(base, row["values"])
    release = row.get("release", "lake")
    namespace = row.get("namespace", "analytics")
    try:
        chart.validate_schema(values)
        chart.render(values, name=release, namespace=namespace)
    except helm.HelmError as e:
        return str(e)
    return None


@pytest.mark.parametrize("row", [r for r in ROWS if "values" in r], ids=lambda r: r["name"])
def test_the_chart_refuses_what_gen_refuses(row):
    error = refusal(row)
    assert error is not None, f"{row['name']}: the chart rendered {row['values']}"
    assert row["chart"] in error, error


def test_every_row_the_chart_cannot_check_says_why():
    cannot = [r for r in ROWS if "values" not in r]
    assert all(len(r.get("chartCannot", "")) > 20 for r in cannot), cannot
    # Most of the table is checked by both halves.
    assert len(cannot) * 4 < len(ROWS), [r["name"] for r in cannot]


def test_control_defaults_and_each_fix_render():
    """Each refusal is the values' fault: the defaults render, and so does a
    corrected value of a few rows."""
    assert refusal({"values": {}}) is None
    assert refusal({"values": {"roles": {"coordinator": {"service": {"type": "LoadBalancer",
                                                                    "loadBalancerSourceRanges": ["10.0.0.0/8"]}}}}}) is None
    assert refusal({"values": {"metastoreUri": "thrift://a:9083,thrift://b.example.com:9083"}}) is None
    assert refusal({"values": {"image": {"tag": "4.5.0-hotfix.1"}}}) is None
    assert refusal({"values": {"networkPolicy": {"webUiSources": [{"ipBlock": {"cidr": "fd00::/8"}}]}}}) is None
    assert refusal({"values": {"networkPolicy": {"clientSources": [{"podSelector": {}}]}}}) is None
    assert refusal({"values": {"coreSite": {"fs.s3a.aws.credentials.provider": "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"}}}) is None
    assert refusal({"values": {"roles": {"executor": {"extraVolumes": [{"name": "x", "emptyDir": {}}],
                                                      "extraVolumeMounts": [{"name": "x", "mountPath": "/x"}]}}}}) is None
