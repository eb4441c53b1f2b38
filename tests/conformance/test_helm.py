"""charts/impala, rendered by the real Helm engine (helm-python-sdk), gives
exactly the objects `impala-k8s gen` gives for the same spec.

The only tolerated differences are the labels Helm charts conventionally set:
`helm.sh/chart` is added and `app.kubernetes.io/managed-by` is `Helm`."""

import copy
import re
import subprocess
from pathlib import Path

import helm_python as helm
import pytest
import yaml

from impala import BIN

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "impala"
HELM_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by"}

BASE = {"apiVersion": "impala-k8s.dev/v1alpha1", "kind": "ImpalaCluster",
        "metadata": {"name": "lake", "namespace": "analytics"}, "spec": {}}
DIGEST = "sha256:" + "ab" * 32

# name -> spec; each covers one axis of the matrix.
SPECS = {
    "impala4": {},
    "cdh5": {"profile": "cdh5", "image": {"repository": "registry.example.com/cdh5", "tag": "5.16.2"}},
    "nodeport": {"serviceType": "NodePort"},
    "loadbalancer": {"serviceType": "LoadBalancer"},
    "cdh5-loadbalancer": {"profile": "cdh5", "serviceType": "LoadBalancer"},
    "admissiond": {"roles": {"admissiond": {"enabled": True}}},
    "port-overrides": {"roles": {"coordinator": {"ports": {"hs2": 31050, "krpc": 27100}},
                                  "statestored": {"ports": {"statestore": 24100}},
                                  "catalogd": {"ports": {"webui": 25120}}}},
    "cdh5-port-overrides": {"profile": "cdh5", "cdhRelease": "5.4", "yarnResourceManager": "rm.hadoop",
                            "roles": {"llama": {"ports": {"llama": 15100}}, "impalad": {"ports": {"backend": 22100}}}},
    "cdh5-llama-lockdown": {"profile": "cdh5", "cdhRelease": "5.10", "yarnResourceManager": "rm.hadoop",
                            "networkPolicy": {"egress": {"enabled": True, "metastore": [{"cidr": "10.96.0.0/24"}],
                                                         "yarn": [{"cidr": "10.60.0.0/16", "ports": [8030, 8032, 8041]}]}}},
    "cdh5-krpc": {"profile": "cdh5", "cdhRelease": "5.15", "roles": {"impalad": {"ports": {"krpc": 27100}}}},
    "cdh5-no-krpc": {"profile": "cdh5", "cdhRelease": "5.14"},
    "network-policy-off": {"networkPolicy": {"enabled": False}},
    "sources": {"networkPolicy": {"clientSources": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                                  "webUiSources": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]}},
    "egress-lockdown": {"networkPolicy": {"egress": {"enabled": True, "metastore": [{"cidr": "10.96.0.0/24"}],
                                                     "storage": [{"cidr": "10.30.0.0/16", "ports": [443, 80]}, {"cidr": "10.31.0.0/16"}]}}},
    "digests": {"image": {"pullPolicy": "Always", "pullSecrets": ["regcred"],
                          "digests": {r: DIGEST for r in ["statestored", "catalogd", "coordinator", "executor"]}}},
    "drain": {"roles": {"executor": {"drain": {"gracePeriodSeconds": 60, "deadlineSeconds": 3600}},
                        "coordinator": {"drain": {"deadlineSeconds": 300}}}},
    "node-ports": {"roles": {"coordinator": {"service": {"type": "NodePort", "nodePorts": {"hs2": 31050},
                                                         "externalTrafficPolicy": "Local"}}}},
    "jvm-heaps": {"roles": {"catalogd": {"jvmHeap": "3g", "resources": {"limits": {"memory": "8Gi"}}},
                            "coordinator": {"jvmHeap": "40%"},
                            "executor": {"resources": {"requests": {"memory": "3Gi"}}, "extraFlags": {"mem_limit": "3000m"}},
                            "admissiond": {"enabled": True, "jvmHeap": "256m"}}},
    "wiring": {"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/impala"}},
               "roles": {"coordinator": {
                   "env": [{"name": "TZ", "value": "UTC"},
                           {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "secret"}}}],
                   "envFrom": [{"configMapRef": {"name": "site-env"}}],
                   "extraVolumes": [{"name": "tls", "secret": {"secretName": "impala-tls"}}],
                   "extraVolumeMounts": [{"name": "tls", "mountPath": "/etc/impala/tls", "readOnly": True}],
                   "extraFlags": {"ssl_server_certificate": "/etc/impala/tls/tls.crt"},
                   "initContainers": [{"name": "wait", "image": "busybox:1.36", "command": ["true"]}],
                   "sidecars": [{"name": "shipper", "image": "fluent/fluent-bit:3.0",
                                 "volumeMounts": [{"name": "logs", "mountPath": "/logs", "readOnly": True}]}],
                   "priorityClassName": "impala-high"}}},
    "run-as": {"roles": {"executor": {"podSecurityContext": {"runAsUser": 2000, "runAsGroup": 3000, "fsGroup": 4000,
                                                            "fsGroupChangePolicy": "OnRootMismatch", "supplementalGroups": [5000]},
                                     "sidecars": [{"name": "agent", "image": "agent:1"}]},
                        "catalogd": {"securityContext": {"runAsUser": 1001}}}},
    "existing-service-account": {"serviceAccount": {"create": False, "name": "impala-sa"}},
    "logging-files": {"logging": {"destination": "files", "maxFiles": 3},
                      "roles": {"executor": {"logVerbosity": 2}, "catalogd": {"logVerbosity": 1}}},
    "cdh5-logging-files": {"profile": "cdh5", "logging": {"destination": "files"}, "roles": {"impalad": {"logVerbosity": 3}}},
    # Table storage, each kind, and the built-in metastore (issue 11).
    "quickstart": {"roles": {"metastore": {"enabled": True}}, "storage": {"sharedVolume": {"storageClassName": "nfs-client"}}},
    "metastore-persistence": {"roles": {"metastore": {"enabled": True, "jvmHeap": "1g",
                                                      "persistence": {"size": "20Gi", "storageClassName": "fast"}}},
                              "storage": {"sharedVolume": {"existingClaim": "warehouse-rwx"}, "warehouseDir": "/data/wh"},
                              "networkPolicy": {"egress": {"enabled": True}}},
    "s3-secret": {"storage": {"s3": {"bucket": "lake-tables", "endpoint": "http://minio.storage:9000", "pathStyleAccess": True},
                              "credentials": {"secretName": "s3-keys"}},
                  "networkPolicy": {"egress": {"enabled": True, "metastore": [{"cidr": "10.96.0.0/24"}],
                                               "storage": [{"cidr": "10.40.0.0/16"}]}}},
    "s3-irsa": {"storage": {"s3": {"bucket": "lake-tables", "region": "eu-west-1"},
                            "credentials": {"workloadIdentity": {"awsRoleArn": "arn:aws:iam::123456789012:role/impala"}}}},
    "abfs-key": {"storage": {"abfs": {"account": "lakeacct", "container": "tables"}, "credentials": {"secretName": "abfs-key"}}},
    "abfs-identity": {"storage": {"abfs": {"account": "lakeacct", "container": "tables"},
                                  "credentials": {"workloadIdentity": {"azureClientId": "00000000-1111-2222-3333-444444444444",
                                                                       "azureTenantId": "55555555-6666-7777-8888-999999999999"}}}},
    "gcs-key": {"storage": {"gcs": {"bucket": "lake-tables"}, "credentials": {"secretName": "gcs-key"}}},
    "gcs-identity": {"storage": {"gcs": {"bucket": "lake-tables"},
                                 "credentials": {"workloadIdentity": {"gcpServiceAccount": "impala@proj.iam.gserviceaccount.com"}}}},
    "hdfs-ha": {"storage": {"hdfs": {"namenode": "lakens", "hdfsSite": {
        "dfs.nameservices": "lakens", "dfs.ha.namenodes.lakens": "nn1,nn2",
        "dfs.namenode.rpc-address.lakens.nn1": "nn1.hadoop:8020", "dfs.namenode.rpc-address.lakens.nn2": "nn2.hadoop:8020",
        "dfs.client.failover.proxy.provider.lakens": "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider"}}},
                "networkPolicy": {"egress": {"enabled": True, "metastore": [{"cidr": "10.96.0.0/24"}],
                                             "storage": [{"cidr": "10.50.0.0/16"}]}}},
    "ozone": {"storage": {"ozone": {"service": "om.ozone:9862", "volume": "lake", "bucket": "tables"}}},
    "cdh5-hdfs": {"profile": "cdh5", "storage": {"hdfs": {"namenode": "nn.hadoop:8020"}}},
    # TLS (issue 12): a Secret with a CA from a ConfigMap, cert-manager, the web UIs alone.
    "tls-secret": {"tls": {"clients": True, "internal": True, "webUi": True, "secretName": "impala-tls",
                           "ca": {"configMapName": "corp-ca", "key": "ca.pem"}, "minimumVersion": "tlsv1.2",
                           "cipherList": "ECDHE-RSA-AES256-GCM-SHA384"},
                   "roles": {"admissiond": {"enabled": True}, "coordinator": {"podAnnotations": {"team": "data"}}}},
    "tls-cert-manager": {"serviceType": "LoadBalancer",
                         "tls": {"clients": True, "certManager": {"issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"},
                                                                  "dnsNames": ["impala.example.com"], "duration": "2160h",
                                                                  "renewBefore": "360h"}}},
    "tls-web-ui": {"tls": {"webUi": True, "certManager": {"issuerRef": {"name": "ca"}}}, "roles": {"metastore": {"enabled": True}}},
    # LDAP (issue 12): search bind with a bind password from a Secret and the LDAP CA, behind TLS;
    # simple bind over StartTLS; clear text for evaluation.
    "ldap-search": {"serviceType": "LoadBalancer",
                    "tls": {"clients": True, "secretName": "impala-tls"},
                    "auth": {"ldap": {"uri": "ldaps://ldap.corp.example:636", "searchBind": True,
                                      "userSearchBaseDn": "ou=people,dc=corp", "groupSearchBaseDn": "ou=groups,dc=corp",
                                      "bindDn": "cn=impala,ou=services,dc=corp",
                                      "bindPasswordSecret": {"name": "ldap-bind", "key": "password"},
                                      "caCertificate": {"configMapName": "corp-ca", "key": "ca.pem"},
                                      "userFilter": "(memberOf=cn=analysts,ou=groups,dc=corp)"}}},
    "ldap-simple": {"tls": {"clients": True, "internal": True, "certManager": {"issuerRef": {"name": "ca"}}},
                    "auth": {"ldap": {"uri": "ldap://ldap.corp.example", "startTls": True, "bindPattern": "uid=#UID,ou=people,dc=corp"}}},
    "ldap-clear-text": {"auth": {"ldap": {"uri": "ldap://ldap", "domain": "corp.example", "allowClearTextPasswords": True}}},
    # Web UI logins (issue 12): a password file behind HTTPS; LDAP logins; probes on the metrics webserver.
    "web-ui-password": {"tls": {"clients": True, "webUi": True, "secretName": "impala-tls"},
                        "auth": {"webUi": {"passwordSecret": {"name": "webui-users", "key": "htdigest"}, "realm": "impala"}},
                        "roles": {"admissiond": {"enabled": True}, "metastore": {"enabled": True}}},
    "web-ui-ldap": {"tls": {"clients": True, "webUi": True, "certManager": {"issuerRef": {"name": "ca"}}},
                    "auth": {"ldap": {"uri": "ldaps://ldap.corp", "domain": "corp.example"}, "webUi": {"ldap": True}}},
    "web-ui-ldap-clear": {"auth": {"ldap": {"uri": "ldap://ldap.corp", "domain": "corp.example", "allowClearTextPasswords": True},
                                   "webUi": {"ldap": True}}, "roles": {"coordinator": {"ports": {"metrics": 25101}}}},
    # Kerberos (issue 12): client and internal, SPNEGO on the web UIs, names for _HOST.
    "kerberos": {"serviceType": "LoadBalancer",
                 "auth": {"kerberos": {"principal": "impala/_HOST@CORP.EXAMPLE.COM",
                                       "keytabSecret": {"name": "impala-keytab", "key": "impala.keytab"},
                                       "krb5Conf": {"configMapName": "krb5-conf"}},
                          "webUi": {"spnego": True}},
                 "roles": {"admissiond": {"enabled": True}}},
    "kerberos-internal-principal": {"auth": {"kerberos": {
        "principal": "impala/_HOST@CORP.EXAMPLE.COM", "internalPrincipal": "impala-be/_HOST@CORP.EXAMPLE.COM",
        "keytabSecret": {"name": "impala-keytab", "key": "keytab"},
        "krb5Conf": {"secretName": "krb5", "key": "krb5.conf"}, "clusterDomain": "k8s.corp"}},
        "tls": {"clients": True, "internal": True, "secretName": "impala-tls"}},
    # High availability (issue 13): the statestored pair as two StatefulSets, the catalogd pair as one.
    "ha-statestored": {"roles": {"statestored": {"ha": {"enabled": True, "peerTimeoutSeconds": 20}}}},
    "ha-catalogd": {"roles": {"catalogd": {"ha": {"enabled": True, "preemptionWaitPeriodMs": 30000}}}},
    "ha-both-admissiond": {"roles": {"admissiond": {"enabled": True}, "statestored": {"ha": {"enabled": True}},
                                     "catalogd": {"ha": {"enabled": True}, "replicas": 2},
                                     "coordinator": {"replicas": 2}},
                           "networkPolicy": {"egress": {"enabled": True, "metastore": [{"cidr": "10.0.0.0/24"}]}}},
    "ha-kerberos-tls": {"auth": {"kerberos": {"principal": "impala/_HOST@CORP.EXAMPLE.COM",
                                              "keytabSecret": {"name": "impala-keytab", "key": "impala.keytab"},
                                              "krb5Conf": {"configMapName": "krb5-conf"}}},
                        "tls": {"clients": True, "internal": True, "certManager": {"issuerRef": {"name": "ca"}}},
                        "roles": {"statestored": {"ha": {"enabled": True}}, "catalogd": {"ha": {"enabled": True}}}},
    # Client IP affinity for HiveServer2 over HTTP (issue 13): default, a set time, and off.
    "affinity-default": {"roles": {"coordinator": {"replicas": 3}}},
    "affinity-time": {"serviceType": "LoadBalancer",
                      "roles": {"coordinator": {"service": {"sessionAffinityTimeoutSeconds": 3600,
                                                            "externalTrafficPolicy": "Local"}}}},
    "affinity-off": {"roles": {"coordinator": {"replicas": 2, "service": {"sessionAffinityTimeoutSeconds": 0}}}},
    # Admission pools (issue 13): on coordinators, and on admissiond when it runs.
    "pools": {"admission": {"pools": [
        {"name": "etl", "maxRunningQueries": 4, "maxQueuedQueries": 20, "maxMemory": "100Gi",
         "minQueryMemoryLimit": "1Gi", "maxQueryMemoryLimit": "8Gi", "clampMemoryLimitQueryOption": False,
         "queueTimeoutMs": 600000, "defaultQueryOptions": {"mt_dop": "4", "query_timeout_s": "3600"},
         "submitters": {"users": ["etl"], "groups": ["data-eng", "ops"]}},
        {"name": "default", "maxRunningQueries": -1, "submitters": {"groups": ["analysts"]}},
        {"name": "adhoc_small", "maxMemory": "500M"}]}},
    "pools-admissiond": {"roles": {"admissiond": {"enabled": True}},
                         "admission": {"pools": [{"name": "reports", "maxRunningQueries": 0}]}},
    # Executor groups (issue 13): three groups with their own size, resources and placement.
    "groups": {"admission": {"pools": [{"name": "etl", "maxRunningQueries": 4}, {"name": "adhoc"}]},
               "roles": {"executor": {"resources": {"requests": {"cpu": "2", "memory": "8Gi"},
                                                    "limits": {"cpu": "4", "memory": "8Gi"}},
                                      "nodeSelector": {"pool": "impala"}, "jvmHeap": "10%"}},
               "executorGroups": [
                   {"name": "etl-large", "replicas": 4, "minSize": 2,
                    "resources": {"requests": {"cpu": "8", "memory": "32Gi"}, "limits": {"cpu": "16", "memory": "32Gi"}},
                    "nodeSelector": {"pool": "spot"},
                    "tolerations": [{"key": "spot", "operator": "Exists", "effect": "NoSchedule"}],
                    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": [
                            {"key": "zone", "operator": "In", "values": ["a"]}]}]}}}},
                   {"name": "adhoc-small", "replicas": 2},
                   {"name": "default", "replicas": 1}]},
    "groups-sets": {"admission": {"pools": [{"name": "etl"}, {"name": "default"}]},
                    "executorGroups": [{"name": "etl-a", "replicas": 3}, {"name": "etl-b", "replicas": 5},
                                       {"name": "default-x", "replicas": 1}]},
    # Autoscaling (issue 13): an HPA on CPU and memory, and KEDA on Impala's queue, scaling to zero.
    "autoscaling": {"admission": {"pools": [{"name": "etl"}, {"name": "adhoc"}]},
                    "roles": {"executor": {"drain": {"deadlineSeconds": 900}}},
                    "executorGroups": [
                        {"name": "default", "autoscaling": {"minReplicas": 2, "maxReplicas": 6,
                                                            "cpuUtilization": 70, "memoryUtilization": 85}},
                        {"name": "etl-spot", "autoscaling": {
                            "minReplicas": 0, "maxReplicas": 20,
                            "prometheus": {"serverAddress": "http://prometheus-operated.monitoring.svc:9090",
                                           "threshold": 4}}},
                        {"name": "adhoc-burst", "minSize": 1, "autoscaling": {
                            "maxReplicas": 8, "scaleDown": {"stabilizationWindowSeconds": 300, "podsPerPeriod": 2,
                                                            "periodSeconds": 120},
                            "prometheus": {"serverAddress": "https://prom.example.com", "threshold": 1000,
                                           "metric": "queueWaitMsPerSecond"}}}]},
    "autoscaling-query": {"admission": {"pools": [{"name": "etl"}]},
                          "executorGroups": [{"name": "default", "replicas": 1},
                                             {"name": "etl-a", "autoscaling": {"maxReplicas": 3, "prometheus": {
                                                 "serverAddress": "http://p:9090", "threshold": 2,
                                                 "query": "sum(my_queue{pool=\"etl\"})"}}}]},
    "metrics": {"metrics": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}}},
    "metrics-service-monitor-tls": {"metrics": {"enabled": True, "monitor": "ServiceMonitor", "interval": "1m",
                                                "scrapeTimeout": "45s", "dashboard": {"enabled": False}},
                                    "tls": {"clients": True, "internal": True, "webUi": True, "secretName": "impala-tls",
                                            "ca": {"configMapName": "corp-ca", "key": "ca.pem"}}},
    "metrics-web-ui-login": {"metrics": {"enabled": True, "monitor": "None",
                                         "sources": [{"namespaceSelector": {"matchLabels": {"team": "obs"}}}],
                                         "dashboard": {"labels": {"dashboards": "impala"},
                                                       "annotations": {"grafana_folder": "Impala"}}},
                             "tls": {"clients": True, "webUi": True, "secretName": "impala-tls"},
                             "auth": {"webUi": {"passwordSecret": {"name": "web-logins", "key": "htdigest"}, "realm": "impala"}},
                             "executorGroups": [{"name": "default", "replicas": 2}],
                             "roles": {"catalogd": {"ha": {"enabled": True}}, "admissiond": {"enabled": True}}},
    "http-ingress": {"roles": {"coordinator": {"replicas": 2}},
                     "http": {"enabled": True, "ingressClassName": "nginx", "tlsSecretName": "impala-ingress-tls",
                              "annotations": {"nginx.ingress.kubernetes.io/proxy-read-timeout": "3600"},
                              "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                                           "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}}],
                              "endpoints": [{"role": "coordinator", "port": "hs2-http", "host": "impala.example.com"},
                                            {"role": "coordinator", "port": "webui", "host": "impala.example.com", "path": "/ui"},
                                            {"role": "catalogd", "port": "webui", "host": "catalogd.example.com"}]}},
    "http-defaults": {"serviceType": "LoadBalancer",
                      "http": {"enabled": True, "affinity": "None",
                               "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}]}},
    "http-route": {"roles": {"coordinator": {"ports": {"hs2-http": 28080}}, "admissiond": {"enabled": True}},
                   "http": {"enabled": True, "kind": "HTTPRoute",
                            "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "https"}],
                            "sources": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateways"}},
                                         "podSelector": {"matchLabels": {"gateway.envoyproxy.io/owning-gateway-name": "public"}}}],
                            "endpoints": [{"role": "coordinator", "port": "hs2-http", "host": "impala.example.com"},
                                          {"role": "admissiond", "port": "webui", "host": "*.admin.example.com"},
                                          {"role": "coordinator", "port": "webui"}]}},
    "pods": {"hiveSite": {"a.b": "x<y"}, "coreSite": {"fs.defaultFS": "s3a://w"},
             "roles": {"executor": {"replicas": 5, "nodeSelector": {"pool": "impala"},
                                    "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                                    "podAnnotations": {"a": "b"}, "podLabels": {"team": "x"},
                                    "extraFlags": {"mem_limit": "3g"},
                                    "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}}}},
}


def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


def objects(text):
    """The release's objects by kind, namespace and name; Helm hooks (the
    `helm test` Pod and its NetworkPolicies) are the chart's alone."""
    return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d
            for d in yaml.safe_load_all(text) if d and "helm.sh/hook" not in (d["metadata"].get("annotations") or {})}


def hooks(rendered):
    """The `helm test` hook objects of a render, by kind and name."""
    return {(d["kind"], d["metadata"]["name"]): d for name, text in rendered.items() if name.endswith(".yaml")
            for d in yaml.safe_load_all(text) if d and (d["metadata"].get("annotations") or {}).get("helm.sh/hook") == "test"}


def without_helm_labels(obj):
    obj = copy.deepcopy(obj)
    def strip(meta):
        for key in HELM_LABELS:
            (meta.get("labels") or {}).pop(key, None)
    strip(obj["metadata"])
    template = obj.get("spec", {}).get("template")
    if template:
        strip(template["metadata"])
    return obj


def spec_file(tmp_path, name, spec):
    doc = copy.deepcopy(BASE)
    doc["spec"] = spec
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def render_both(tmp_path, name, spec):
    path = spec_file(tmp_path, name, spec)
    values = yaml.safe_load(run("values", "-f", str(path)))
    chart = helm.Chart.load(str(CHART))
    # `helm install -f` checks the values merged over the chart's defaults.
    chart.validate_schema(chart.merge_values(values))
    rendered = chart.render(values, name="lake", namespace="analytics")
    helm_objects = objects("\n---\n".join(v for k, v in sorted(rendered.items()) if k.endswith(".yaml")))
    gen_objects = objects(run("gen", "-f", str(path), "--create-namespace", "false"))
    return helm_objects, gen_objects


@pytest.mark.parametrize("name", sorted(SPECS))
def test_chart_renders_what_gen_renders(name, tmp_path):
    helm_objects, gen_objects = render_both(tmp_path, name, SPECS[name])
    assert sorted(helm_objects) == sorted(gen_objects)
    for key, obj in helm_objects.items():
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "Helm" and labels["helm.sh/chart"].startswith("impala-")
        assert without_helm_labels(obj) == without_helm_labels(gen_objects[key]), key


@pytest.mark.parametrize("example", ["production", "quickstart", "s3-workload-identity", "tls-cert-manager",
                                     "tls-secret", "ldap-tls", "kerberos", "cdh5", "cdh5-latest",
                                     "ha", "metrics", "ingress", "gateway"])
def test_examples_in_lockstep(example, tmp_path):
    """Every worked example, the security ones included, renders the same through Helm."""
    spec = yaml.safe_load((ROOT / "examples" / example / "cluster.yaml").read_text())["spec"]
    spec.pop("createNamespace", None)
    helm_objects, gen_objects = render_both(tmp_path, example, spec)
    assert sorted(helm_objects) == sorted(gen_objects)
    for key, obj in helm_objects.items():
        assert without_helm_labels(obj) == without_helm_labels(gen_objects[key]), key


def test_the_comparison_can_fail(tmp_path):
    """Control: a one-port difference is seen."""
    helm_objects, gen_objects = render_both(tmp_path, "control", {})
    path = spec_file(tmp_path, "other", {"roles": {"coordinator": {"ports": {"hs2": 21051}}}})
    other = objects(run("gen", "-f", str(path), "--create-namespace", "false"))
    key = ("StatefulSet", "analytics", "lake-coordinator")
    assert without_helm_labels(helm_objects[key]) != without_helm_labels(other[key])


def test_a_registry_with_shared_ports_renders_like_its_expanded_form(tmp_path):
    """The registry file form (`roles: [coordinator, executor]`) in the values
    renders exactly what gen renders with the built-in registry."""
    values = yaml.safe_load(run("values", "--full"))
    shared = yaml.safe_load((ROOT / "registries/impala4.yaml").read_text())
    assert any("roles" in p for p in shared["ports"]), "the built-in registry shares ports"
    values["registry"] = shared
    chart = helm.Chart.load(str(CHART))
    chart.validate_schema(values)
    rendered = chart.render(values, name="impala", namespace="impala")
    helm_objects = objects("\n---\n".join(v for k, v in sorted(rendered.items()) if k.endswith(".yaml")))
    gen_objects = objects(run("gen", "--create-namespace", "false"))
    assert sorted(helm_objects) == sorted(gen_objects)
    for key, obj in helm_objects.items():
        assert without_helm_labels(obj) == without_helm_labels(gen_objects[key]), key


def test_default_values_render_what_gen_renders():
    chart = helm.Chart.load(str(CHART))
    rendered = chart.render(name="impala", namespace="impala")
    helm_objects = objects("\n---\n".join(v for k, v in sorted(rendered.items()) if k.endswith(".yaml")))
    gen_objects = objects(run("gen", "--create-namespace", "false"))
    assert sorted(helm_objects) == sorted(gen_objects)
    for key, obj in helm_objects.items():
        assert without_helm_labels(obj) == without_helm_labels(gen_objects[key]), key


def test_lint_is_clean():
    report = helm.lint(str(CHART), strict=True, namespace="impala")
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems and not report["errors"], report


@pytest.mark.parametrize("mutate, words", [
    (lambda v: v.__setitem__("serviceType", "ExternalName"), "serviceType"),
    (lambda v: v["roles"]["coordinator"]["containerPorts"].__setitem__("hs2", 70000), "hs2"),
    (lambda v: v.__setitem__("serviceTyp", "NodePort"), "serviceTyp"),
    (lambda v: v["roles"]["coordinator"].__setitem__("replicaCont", 2), "replicaCont"),
])
def test_schema_rejects_mistakes(mutate, words):
    chart = helm.Chart.load(str(CHART))
    values = copy.deepcopy(chart.values)
    mutate(values)
    with pytest.raises(helm.HelmError) as e:
        chart.validate_schema(values)
    assert words in str(e.value)


@pytest.mark.parametrize("values, words", [
    ({"roles": {"catalogd": {"replicaCount": 2}}}, "roles.catalogd.replicaCount: role 'catalogd' is a singleton"),
    ({"roles": {"coordinator": {"containerPorts": {"hs2": 21000}}}}, "port 21000 of 'hs2' is already used by port 'beeswax'"),
    ({"roles": {"coordinator": {"service": {"type": "NodePort", "nodePorts": {"krpc": 30070}}}}}, "internal and never gets a node port"),
    ({"roles": {"coordinator": {"service": {"loadBalancerSourceRanges": ["10.0.0.0/8"]}}}}, "need type LoadBalancer"),
    ({"roles": {"executor": {"extraFlags": {"krpc_port": "1"}}}}, "managed by the registry"),
    ({"roles": {"catalogd": {"enabled": False}}}, "required and cannot be disabled"),
    ({"roles": {"catalogd": {"drain": {"gracePeriodSeconds": 1, "deadlineSeconds": 2}}}}, "has no graceful shutdown"),
    ({"roles": {"executor": {"drain": {"gracePeriodSeconds": 900, "deadlineSeconds": 600}}}}, "must not outlast the deadline"),
    ({"roles": {"executor": {"extraFlags": {"shutdown_deadline_s": "1"}}}}, "managed by the registry"),
    ({"roles": {"coordinatr": {"replicaCount": 2}}}, "coordinatr"),
    ({"networkPolicy": {"egress": {"enabled": True}}}, "needs the metastore"),
    ({"networkPolicy": {"enabled": False, "clientSources": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}}, "would be ignored"),
    ({"networkPolicy": {"egress": {"storage": [{"cidr": "10.0.0.0/8"}]}}}, "the lockdown is off"),
    ({"roles": {"executor": {"containerPorts": {}, "access": {"webui": "internal"}, "service": {"type": "NodePort"}}}}, "no external port"),
])
def test_render_fails_on_values_it_cannot_honour(values, words):
    chart = helm.Chart.load(str(CHART))
    with pytest.raises(helm.HelmError) as e:
        chart.render(values, name="impala", namespace="impala")
    assert words in str(e.value)


def test_notes_follow_the_registry(tmp_path):
    chart = helm.Chart.load(str(CHART))
    notes = chart.render({"roles": {"coordinator": {"containerPorts": {"hs2": 31050}, "service": {"type": "LoadBalancer"}}}},
                         name="impala", namespace="analytics")["impala/templates/NOTES.txt"]
    assert "impala-shell --protocol=hs2 -i impala-coordinator.analytics:31050" in notes
    assert "coordinator: Service impala-coordinator (LoadBalancer): beeswax 21000, hs2 31050" in notes
    values = yaml.safe_load(run("values", "--profile", "cdh5", "--cdh-release", "5.4", "--yarn-resource-manager", "rm"))
    notes = chart.render(values, name="lake", namespace="x")["impala/templates/NOTES.txt"]
    assert "-i lake-impalad.x:21050" in notes and "llama: Service lake-llama (ClusterIP): webui 15001" in notes


def test_notes_connect_to_the_registry_s_primary_endpoint():
    """No port name is written in NOTES: the registry marks the clients' primary endpoint."""
    chart = helm.Chart.load(str(CHART))
    values = copy.deepcopy(chart.values)
    for port in values["registry"]["ports"]:
        port.pop("primary", None)
        if port["name"] == "beeswax":
            port["primary"] = True
    notes = chart.render(values, name="impala", namespace="a")["impala/templates/NOTES.txt"]
    assert "-i impala-coordinator.a:21000" in notes


def test_notes_warn_about_exposure_without_network_policies():
    chart = helm.Chart.load(str(CHART))
    notes = chart.render({"networkPolicy": {"enabled": False}, "serviceType": "NodePort"}, name="impala", namespace="a")["impala/templates/NOTES.txt"]
    assert "WARNING: the NodePort Service impala-coordinator exposes role 'coordinator' outside the cluster" in notes
    assert "WARNING" not in chart.render({}, name="impala", namespace="a")["impala/templates/NOTES.txt"]


def test_notes_warn_about_ip_block_sources_behind_a_cluster_traffic_policy():
    chart = helm.Chart.load(str(CHART))
    values = {"serviceType": "LoadBalancer", "networkPolicy": {"clientSources": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}}
    values["networkPolicy"]["webUiSources"] = [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]
    notes = chart.render(values, name="impala", namespace="a")["impala/templates/NOTES.txt"]
    assert notes.count("WARNING") == 1, notes
    assert "WARNING: the LoadBalancer Service impala-coordinator has externalTrafficPolicy Cluster" in notes
    values["roles"] = {"coordinator": {"service": {"externalTrafficPolicy": "Local"}}}
    assert "WARNING" not in chart.render(values, name="impala", namespace="a")["impala/templates/NOTES.txt"]


@pytest.mark.parametrize("values, warned", [
    # The cluster's Service type is for the client endpoints: the web UIs stay inside.
    ({"serviceType": "LoadBalancer"}, ["coordinator"]),
    # A web UI exposed on purpose is warned about.
    ({"serviceType": "LoadBalancer", "roles": {"catalogd": {"service": {"type": "LoadBalancer"},
                                                            "access": {"webui": "external"}}}},
     ["catalogd", "coordinator"]),
    ({"serviceType": "NodePort", "networkPolicy": {"clientSources": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                                                   "webUiSources": [{"namespaceSelector": {"matchLabels": {"t": "o"}}}]}},
     ["coordinator"]),
    # Authentication without TLS is still open: the passwords cross in the clear.
    ({"serviceType": "LoadBalancer",
      "roles": {r: {"extraFlags": {"enable_ldap_auth": "true", "webserver_password_file": "/etc/web/p"},
                    "extraVolumes": [{"name": "web", "secret": {"secretName": "web"}}],
                    "extraVolumeMounts": [{"name": "web", "mountPath": "/etc/web", "readOnly": True}]}
                for r in ["catalogd", "coordinator", "executor", "statestored"]}},
     ["coordinator"]),
    # TLS and authentication everywhere from the spec: silent.
    ({"serviceType": "LoadBalancer", "tls": {"clients": True, "webUi": True, "secretName": "t"},
      "auth": {"ldap": {"uri": "ldaps://ldap", "domain": "corp"}, "webUi": {"ldap": True}}}, []),
    ({"roles": {"coordinator": {"service": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]}}}}, []),
])
def test_notes_warn_like_gen_about_unauthenticated_exposure(values, warned, tmp_path):
    chart = helm.Chart.load(str(CHART))
    notes = chart.render(values, name="impala", namespace="a")["impala/templates/NOTES.txt"]
    found = sorted(re.findall(r"lets any address reach role '([a-z]+)' on", notes))
    assert found == warned, notes
    # gen says the same of the same spec.
    path = spec_file(tmp_path, "w", values_to_spec(values))
    stderr = subprocess.run([BIN, "gen", "-f", str(path)], check=True, capture_output=True, text=True).stderr
    assert sorted(re.findall(r"lets any address reach role '([a-z]+)' on", stderr)) == warned, stderr


def values_to_spec(values):
    """The spec with the same settings as these (few) values."""
    spec = {k: v for k, v in values.items() if k in ("serviceType", "networkPolicy", "tls", "auth")}
    roles = {}
    for name, role in values.get("roles", {}).items():
        roles[name] = {k: v for k, v in role.items() if k in ("extraFlags", "service", "extraVolumes", "extraVolumeMounts", "access")}
    if roles:
        spec["roles"] = roles
    return spec


def rendered_objects(chart_dir, values, name="lake"):
    chart = helm.Chart.load(str(chart_dir))
    rendered = chart.render(values, name=name, namespace="analytics")
    return objects("\n---\n".join(v for k, v in sorted(rendered.items()) if k.endswith(".yaml")))


def test_the_chart_works_as_a_dependency_of_an_umbrella_chart(tmp_path):
    """Helm passes `global` to every subchart: the schema takes it, and the
    umbrella renders exactly what gen renders."""
    import shutil
    umbrella = tmp_path / "platform"
    shutil.copytree(CHART, umbrella / "charts" / "impala")
    version = yaml.safe_load((CHART / "Chart.yaml").read_text())["version"]
    (umbrella / "Chart.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v2", "name": "platform", "version": "1.0.0",
        "dependencies": [{"name": "impala", "version": version}]}))
    spec = SPECS["ha-both-admissiond"]
    values = yaml.safe_load(run("values", "-f", str(spec_file(tmp_path, "umbrella", spec))))
    got = rendered_objects(umbrella, {"impala": values, "global": {"imageRegistry": "registry.example.com"}})
    want = objects(run("gen", "-f", str(tmp_path / "umbrella.yaml"), "--create-namespace", "false"))
    assert sorted(got) == sorted(want)
    for key, obj in got.items():
        assert without_helm_labels(obj) == without_helm_labels(want[key]), key
    # Control: a value the chart's schema does not declare still fails through the umbrella.
    with pytest.raises(Exception, match="serviceTyp"):
        rendered_objects(umbrella, {"impala": {**values, "serviceTyp": "NodePort"}})


def test_a_chart_upgrade_that_changes_nothing_rolls_no_pod(tmp_path):
    """helm.sh/chart changes with the chart's version: it labels objects, never pod templates or selectors."""
    import shutil
    newer = tmp_path / "impala"
    shutil.copytree(CHART, newer)
    chart_yaml = yaml.safe_load((newer / "Chart.yaml").read_text())
    chart_yaml["version"] = "99.0.0"
    (newer / "Chart.yaml").write_text(yaml.safe_dump(chart_yaml))
    values = yaml.safe_load(run("values", "-f", str(spec_file(tmp_path, "upgrade", SPECS["groups"]))))
    before, after = rendered_objects(CHART, values), rendered_objects(newer, values)
    workloads = [k for k in before if k[0] == "StatefulSet"]
    assert len(workloads) >= 5
    for key in workloads:
        assert before[key]["metadata"]["labels"]["helm.sh/chart"] != after[key]["metadata"]["labels"]["helm.sh/chart"]
        assert before[key]["spec"]["template"] == after[key]["spec"]["template"], key
        assert before[key]["spec"]["selector"] == after[key]["spec"]["selector"], key
        assert "helm.sh/chart" not in before[key]["spec"]["template"]["metadata"]["labels"]


def test_artifact_hub_lists_the_images_the_chart_deploys():
    """Chart.yaml's artifacthub.io/images names each role's image of the default registry."""
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    listed = {i["name"]: i["image"] for i in yaml.safe_load(meta["annotations"]["artifacthub.io/images"])}
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    repository, tag = values["image"]["repository"], values["image"]["tag"]
    deployed = {r["name"]: f"{repository}:{tag}-{r['image']}" for r in values["registry"]["roles"]}
    deployed["helm-test"] = f"{repository}:{tag}-{values['registry']['image']['client']}"
    assert listed == deployed
    assert meta["appVersion"] == tag
    # The images the default values render are among them (the optional roles' too, when enabled).
    everything = {r["name"]: {"enabled": True} for r in values["registry"]["roles"]}
    rendered = helm.Chart.load(str(CHART)).render({"roles": everything}, name="lake", namespace="analytics")
    images = {c["image"] for name, text in rendered.items() if name.endswith(".yaml")
              for d in yaml.safe_load_all(text) if d and d["kind"] in ("StatefulSet", "Pod")
              for c in (d["spec"]["template"]["spec"] if d["kind"] == "StatefulSet" else d["spec"])["containers"]}
    assert images == set(deployed.values())


def test_helm_test_queries_the_coordinators_and_reaches_nothing_else():
    """`helm test`: impala-shell from Apache's client image runs a query on the
    primary client port, restricted like the daemons, and while it runs two
    NetworkPolicies let it reach DNS and that port of the coordinators alone."""
    import crds
    chart = helm.Chart.load(str(CHART))
    rendered = chart.render({"roles": {"coordinator": {"containerPorts": {"hs2": 31050}}}}, name="lake", namespace="analytics")
    found = hooks(rendered)
    assert sorted(found) == [("NetworkPolicy", "lake-test-egress"), ("NetworkPolicy", "lake-test-ingress"), ("Pod", "lake-test")]
    for obj in found.values():
        crds.validate(obj, "1.37.0")
        assert obj["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    pod = found[("Pod", "lake-test")]
    [c] = pod["spec"]["containers"]
    assert c["image"] == "apache/impala:4.5.0-impala_quickstart_client"
    assert "impala-shell --protocol=hs2 -i lake-coordinator.analytics.svc:31050 -q 'SELECT 1'" in c["args"][0], "the moved port"
    assert "--ssl" not in c["args"][0]
    assert c["securityContext"]["readOnlyRootFilesystem"] and c["securityContext"]["runAsNonRoot"]
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["spec"]["restartPolicy"] == "Never" and pod["spec"]["automountServiceAccountToken"] is False
    egress = found[("NetworkPolicy", "lake-test-egress")]["spec"]
    assert {k: v for k, v in pod["metadata"]["labels"].items() if k in egress["podSelector"]["matchLabels"]} == egress["podSelector"]["matchLabels"]
    [dns, coordinator] = egress["egress"]
    assert {p["port"] for p in dns["ports"]} == {53} and "to" not in dns
    assert coordinator["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "coordinator"
    assert coordinator["ports"] == [{"port": 31050, "protocol": "TCP"}]
    ingress = found[("NetworkPolicy", "lake-test-ingress")]["spec"]
    assert ingress["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "coordinator"
    assert ingress["ingress"] == [{"from": [{"podSelector": {"matchLabels": egress["podSelector"]["matchLabels"]}}],
                                   "ports": [{"port": 31050, "protocol": "TCP"}]}]


@pytest.mark.parametrize("values, expect", [
    ({"tls": {"clients": True, "secretName": "impala-tls"}}, "--ssl $CA"),
    ({"auth": {"ldap": {"uri": "ldaps://ldap.corp", "domain": "corp.example"}}, "tls": {"clients": True, "secretName": "impala-tls"}},
     "nc -z -w 10 lake-coordinator.analytics.svc 21050"),
    ({"networkPolicy": {"enabled": False}}, "impala-shell"),
])
def test_helm_test_follows_tls_authentication_and_policies(values, expect):
    rendered = helm.Chart.load(str(CHART)).render(values, name="lake", namespace="analytics")
    found = hooks(rendered)
    pod = found[("Pod", "lake-test")]
    assert expect in pod["spec"]["containers"][0]["args"][0]
    assert (("NetworkPolicy", "lake-test-egress") in found) == values.get("networkPolicy", {}).get("enabled", True)
    if "tls" in values:
        [ca] = [v for v in pod["spec"]["volumes"] if v["name"] == "ca"]
        assert ca["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}], "the CA alone, never the private key"


def test_helm_test_needs_a_client_image():
    """cdh5 names no client image: no test unless tests.image names one."""
    values = yaml.safe_load(run("values", "--profile", "cdh5"))
    chart = helm.Chart.load(str(CHART))
    assert not hooks(chart.render(values, name="lake", namespace="analytics"))
    values["tests"] = {"image": "registry.example.com/impala-shell:4"}
    pod = hooks(chart.render(values, name="lake", namespace="analytics"))[("Pod", "lake-test")]
    assert pod["spec"]["containers"][0]["image"] == "registry.example.com/impala-shell:4"
    values["tests"]["enabled"] = False
    assert not hooks(chart.render(values, name="lake", namespace="analytics"))


@pytest.mark.parametrize("values, https", [
    ({"tls": {"clients": True, "secretName": "t"}}, "hs2-http of lake-coordinator"),
    ({"tls": {"clients": True, "webUi": True, "secretName": "t"}}, "hs2-http of lake-coordinator, webui of lake-catalogd"),
    ({}, None),
])
def test_notes_and_gen_say_when_routed_ports_speak_https(values, https, tmp_path):
    http = {"enabled": True, "sources": [{"namespaceSelector": {"matchLabels": {"a": "b"}}}],
            "endpoints": [{"role": "coordinator", "port": "hs2-http"}, {"role": "catalogd", "port": "webui", "host": "c.example.com"}]}
    spec = {**values, "http": http}
    path = spec_file(tmp_path, "https", spec)
    gen = subprocess.run([BIN, "gen", "-f", str(path)], capture_output=True, text=True, check=True).stderr
    notes = helm.Chart.load(str(CHART)).render(yaml.safe_load(run("values", "-f", str(path))), name="lake",
                                               namespace="analytics")["impala/templates/NOTES.txt"]
    if https is None:
        assert "HTTPS" not in gen and "HTTPS" not in notes
        return
    assert f"warning: the routed ports {https} speak HTTPS (spec.tls)" in gen
    assert f"WARNING: the routed ports {https} speak HTTPS (tls)" in notes
    assert "backend-protocol: HTTPS" in gen and "backend-protocol: HTTPS" in notes


def test_helm_package_makes_an_archive_that_renders_what_gen_renders(tmp_path):
    """`helm package` (Helm's engine) puts every file the templates read into
    the archive: installed from it, the chart renders the same objects as gen,
    the Grafana dashboard included."""
    import tarfile
    archive = helm.package(str(CHART), destination=str(tmp_path))
    version = yaml.safe_load((CHART / "Chart.yaml").read_text())["version"]
    assert Path(archive).name == f"impala-{version}.tgz"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    for needed in ["Chart.yaml", "values.yaml", "values.schema.json", "README.md", "dashboards/impala-k8s.json",
                   "templates/monitoring.yaml", "templates/tests/query.yaml", ".helmignore"]:
        assert f"impala/{needed}" in names, needed
    packaged = helm.Chart.load_archive(Path(archive).read_bytes())
    for example in ["production", "metrics", "ingress"]:
        spec = ROOT / "examples" / example / "cluster.yaml"
        values = yaml.safe_load(run("values", "-f", str(spec)))
        rendered = packaged.render(values, name="lake" if example != "production" else "prod", namespace="analytics")
        helm_objects = objects("\n---\n".join(v for k, v in sorted(rendered.items()) if k.endswith(".yaml")))
        gen_objects = objects(run("gen", "-f", str(spec), "--create-namespace", "false"))
        assert sorted(helm_objects) == sorted(gen_objects), example
        for key, obj in helm_objects.items():
            assert without_helm_labels(obj) == without_helm_labels(gen_objects[key]), (example, key)


def test_values_carry_only_what_differs_and_no_stale_registry(tmp_path):
    """`values` writes what differs from the chart's defaults: nothing for the
    defaults, the changed keys for a spec, the registry only for another one.
    Upgrading to a chart with another registry then takes the new registry."""
    assert yaml.safe_load(run("values")) == {}
    spec = yaml.safe_load((ROOT / "examples" / "metrics" / "cluster.yaml").read_text())
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump(spec))
    changes = yaml.safe_load(run("values", "-f", str(path)))
    assert "registry" not in changes and "image" not in changes
    assert changes["metrics"] == spec["spec"]["metrics"]
    assert set(changes) == {"metrics", "tls", "admission", "executorGroups", "roles"}, set(changes)
    assert set(changes["roles"]) == {"executor"}, "only the executors' pod count changed (their groups')"
    cdh5 = yaml.safe_load(run("values", "--profile", "cdh5"))
    assert cdh5["registry"]["profile"] == "cdh5", "another registry travels whole"
    # A chart upgrade whose registry moved a port: the user's values do not pin the old one.
    import shutil
    newer = tmp_path / "impala"
    shutil.copytree(CHART, newer)
    full = yaml.safe_load((newer / "values.yaml").read_text())
    [hs2] = [p for p in full["registry"]["ports"] if p["name"] == "hs2"]
    hs2["number"] = 21051  # as `impala-k8s values --full` of that chart's registry writes it:
    full["roles"]["coordinator"]["containerPorts"]["hs2"] = 21051
    (newer / "values.yaml").write_text(yaml.safe_dump(full))
    rendered = rendered_objects(newer, changes)
    coordinator = rendered[("StatefulSet", "analytics", "lake-coordinator")]
    assert "-hs2_port=21051" in coordinator["spec"]["template"]["spec"]["containers"][0]["args"]


def test_the_chart_icon_is_icon_svg_inlined():
    """Chart.yaml's icon is charts/impala/icon.svg as a data URL (Helm and
    Artifact Hub read a URL; this one cannot go stale or away)."""
    import base64
    icon = yaml.safe_load((CHART / "Chart.yaml").read_text())["icon"]
    prefix = "data:image/svg+xml;base64,"
    assert icon.startswith(prefix)
    assert base64.b64decode(icon[len(prefix):]) == (CHART / "icon.svg").read_bytes()


@pytest.mark.parametrize("what", ["hiveSite", "podAnnotations"])
def test_sizes_the_api_server_refuses_are_refused_by_both(what, tmp_path):
    """A ConfigMap past 1 MiB and annotations past 256 KiB: gen and the chart
    refuse them with the same words (too large for a row of refusals.yaml)."""
    big = "x" * (600 * 1024)
    if what == "hiveSite":
        spec = {"hiveSite": {"a.one": big, "a.two": big}}
        values = {"hiveSite": spec["hiveSite"]}
        words = "the ConfigMap lake-hadoop-config would hold"
        tail = "bytes; the API server takes at most 1048576 (1 MiB): keep large settings out of hiveSite, coreSite and the pools"
    else:
        spec = {"roles": {"coordinator": {"podAnnotations": {"example.com/big": big[:300 * 1024]}}}}
        values = spec
        words = "podAnnotations: annotations of 307215 bytes;"
        tail = "the API server takes at most 262144 (256 KiB) on an object, keys and values together"
    out = subprocess.run([BIN, "gen", "-f", str(spec_file(tmp_path, what, spec))], capture_output=True, text=True)
    assert out.returncode == 2 and not out.stdout
    assert words in out.stderr and tail in out.stderr, out.stderr[:400]
    with pytest.raises(helm.HelmError) as e:
        helm.Chart.load(str(CHART)).render(values, name="lake", namespace="analytics")
    assert words in str(e.value) and tail in str(e.value), str(e.value)[:400]
