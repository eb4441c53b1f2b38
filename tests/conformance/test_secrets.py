"""No credential lands where anyone who can read a ConfigMap or a pod's
arguments would see it. Specs with planted credential settings (a storage
Secret, env from a Secret, workload identity) are rendered, as is every
committed example; every ConfigMap's files and every container's arguments
are read, and the test fails if a planted marker appears there, or if a
property or flag whose name says it holds a credential carries a literal
value rather than a reference (`${env.NAME}`, a file, a provider)."""

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from impala import BIN, ROOT

MARKER = "planted-7f3a"
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "CREDENTIAL", "ACCESS_KEY", "PRIVATE_KEY", "SAS", "ACCOUNT_KEY")
REFERENCE_ENDINGS = ("PROVIDER", "PROVIDER_TYPE", "PROVIDER_PATH", "_CMD", "_FILE", "KEYFILE")

PLANTED = {
    "s3-secret": {"storage": {"s3": {"bucket": "lake"}, "credentials": {"secretName": f"{MARKER}-s3"}}},
    "abfs-secret": {"storage": {"abfs": {"account": "lakeacct", "container": "tables"},
                                "credentials": {"secretName": f"{MARKER}-abfs"}}},
    "gcs-secret": {"storage": {"gcs": {"bucket": "lake"}, "credentials": {"secretName": f"{MARKER}-gcs"}}},
    "env-from-secret": {"roles": {"coordinator": {
        "env": [{"name": "LDAP_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{MARKER}-ldap", "key": f"{MARKER}-key"}}}],
        "envFrom": [{"secretRef": {"name": f"{MARKER}-env"}}]}},
        "storage": {"sharedVolume": {}}, "metastoreUri": "thrift://hms:9083"},
    "ldap-bind-password": {"tls": {"clients": True, "secretName": f"{MARKER}-tls"},
                           "auth": {"ldap": {"uri": "ldaps://ldap.corp", "bindDn": "cn=impala,dc=corp",
                                             "bindPasswordSecret": {"name": f"{MARKER}-ldap-bind", "key": "password"}}}},
    "kerberos-keytab": {"auth": {"kerberos": {"principal": "impala/_HOST@CORP", "keytabSecret": {"name": f"{MARKER}-keytab", "key": "keytab"},
                                              "krb5Conf": {"secretName": f"{MARKER}-krb5"}}}},
    "metastore-s3": {"roles": {"metastore": {"enabled": True}},
                     "storage": {"s3": {"bucket": "lake", "endpoint": "http://minio:9000"},
                                 "credentials": {"secretName": f"{MARKER}-minio"}}},
}


def looks_secret(name):
    upper = re.sub(r"[.-]", "_", name).upper()
    return any(w in upper for w in SECRET_WORDS) and not upper.endswith(REFERENCE_ENDINGS)


def exposed(docs):
    """Every (where, name, value) a ConfigMap or an argument list shows."""
    for d in docs:
        if not d:
            continue
        where = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
        if d["kind"] == "ConfigMap":
            for file, text in (d.get("data") or {}).items():
                yield f"{where}:{file}", "", text
                if file.endswith(".xml"):
                    for prop in ET.fromstring(text).iter("property"):
                        yield f"{where}:{file}", prop.findtext("name"), prop.findtext("value") or ""
        pod = ((d.get("spec") or {}).get("template") or {}).get("spec") or {}
        for c in pod.get("containers", []) + pod.get("initContainers", []):
            for arg in c.get("args", []) + c.get("command", []):
                name, _, value = arg.lstrip("-").partition("=")
                yield f"{where}:{c['name']}", name, value


def leaks(docs):
    found = []
    for where, name, value in exposed(docs):
        if MARKER in value or MARKER in name:
            found.append((where, name, "planted marker"))
        # A reference is fine: an environment variable, or a mounted file (the registry's fileFlags).
        if name and looks_secret(name) and value and not value.startswith(("${env.", "/")):
            found.append((where, name, value))
    return found


def gen(tmp_path, spec):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "impala-k8s.dev/v1alpha1", "kind": "ImpalaCluster",
                                    "metadata": {"name": "lake", "namespace": "analytics"}, "spec": spec}))
    out = subprocess.run([BIN, "gen", "-f", str(path)], check=True, capture_output=True, text=True).stdout
    return list(yaml.safe_load_all(out))


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_credentials_stay_out_of_config_and_arguments(name, tmp_path):
    docs = gen(tmp_path, PLANTED[name])
    assert leaks(docs) == []
    # The planted Secret is used: it reaches the pods by reference only.
    assert MARKER in yaml.safe_dump_all(docs)


def test_every_example_keeps_credentials_out():
    for path in sorted(ROOT.glob("examples/*/rendered/**/*.yaml")):
        assert leaks(yaml.safe_load_all(path.read_text())) == [], path


def test_control_a_credential_in_a_config_map_is_found():
    cm = {"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"core-site.xml":
          "<configuration><property><name>fs.s3a.secret.key</name><value>abc</value></property></configuration>"}}
    assert leaks([cm]) == [("ConfigMap/x:core-site.xml", "fs.s3a.secret.key", "abc")]
    sts = {"kind": "StatefulSet", "metadata": {"name": "y"}, "spec": {"template": {"spec": {"containers": [
        {"name": "d", "args": [f"-ldap_bind_password={MARKER}"]}]}}}}
    assert len(leaks([sts])) == 2
