"""What kube-apiserver's validation refuses beyond the OpenAPI schema that
kubernetes-validate checks, written again here from Kubernetes' sources,
independently of impala-k8s's own checks (src/spec/api_rules.rs and
charts/impala/templates/_apirules.tpl), for the property tests.

Sources (kubernetes v1.33, pkg/apis/core/validation/validation.go unless
named): ValidateObjectMeta and ValidateAnnotations (staging/src/k8s.io/
apimachinery/pkg/api/validation/objectmeta.go, 256 KiB total), label keys
and values (apimachinery/pkg/util/validation/validation.go),
validateResourceRequirements (requests not above limits), validateTolerations,
validateAffinity (weights 1-100, topologyKey, node selector operators),
ValidateLabelSelector (apimachinery/pkg/apis/meta/v1/validation),
ValidateConfigMap (1 MiB of data), validateContainerPorts (IANA service
names), ValidateNetworkPolicy's peers (pkg/apis/networking/validation:
ipBlock alone, except inside the CIDR), reserved namespaces (kube-system,
kube-public, kube-node-lease), validateSecretKeySelector and
validateConfigMapKeySelector (names and keys), validateConfigMapVolumeSource
(ValidateConfigMapName), ValidatePodSecurityContext and
ValidateSecurityContext (IsValidUserID, IsValidGroupID: 0 to 2^31-1).
"""

import ipaddress
import re
from decimal import Decimal

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
QUANTITY = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(([KMGTPE]i)|[munkMGTPE]|[eE][+-]?\d+)?$")
SUFFIX = {"": 1, "m": Decimal("0.001"), "u": Decimal("1e-6"), "n": Decimal("1e-9"), "k": 10**3, "M": 10**6,
          "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
          "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
RESERVED_NAMESPACES = {"kube-system", "kube-public", "kube-node-lease"}
TOLERATION_EFFECTS = {"", "NoSchedule", "PreferNoSchedule", "NoExecute"}
NODE_OPERATORS = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
SELECTOR_OPERATORS = {"In", "NotIn", "Exists", "DoesNotExist"}


def quantity(text):
    """The value of a Kubernetes quantity, or None when it is not one."""
    text = str(text)
    if not QUANTITY.match(text):
        return None
    m = re.match(r"^([+-]?[\d.]+)(.*)$", text)
    number, suffix = Decimal(m.group(1)), m.group(2)
    if suffix[:1] in ("e", "E"):
        return number * (Decimal(10) ** int(suffix[1:]))
    return number * SUFFIX[suffix]


def qualified_name(key):
    """A label or annotation key: an optional DNS subdomain prefix and a name."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(QUALIFIED_NAME.match(name))


class Checker:
    def __init__(self, obj):
        self.obj = obj
        self.errors = []

    def fail(self, path, message):
        self.errors.append(f"{self.obj.get('kind')} {self.obj.get('metadata', {}).get('name')}: {path}: {message}")


def check_meta(c, meta, path, name_rule=DNS1123_SUBDOMAIN):
    name = meta.get("name", "")
    if name and (len(name) > 253 or not name_rule.match(name)):
        c.fail(f"{path}.name", f"invalid name {name!r}")
    namespace = meta.get("namespace")
    if namespace is not None and (len(namespace) > 63 or not DNS1123_LABEL.match(namespace)):
        c.fail(f"{path}.namespace", f"invalid namespace {namespace!r}")
    if namespace in RESERVED_NAMESPACES:
        c.fail(f"{path}.namespace", f"reserved namespace {namespace}")
    for key, value in (meta.get("labels") or {}).items():
        if not qualified_name(key):
            c.fail(f"{path}.labels", f"invalid key {key!r}")
        if len(value) > 63 or not LABEL_VALUE.match(value):
            c.fail(f"{path}.labels.{key}", f"invalid value {value!r}")
    annotations = meta.get("annotations") or {}
    total = 0
    for key, value in annotations.items():
        # The API server lower-cases annotation keys before it checks them.
        if not qualified_name(key.lower()):
            c.fail(f"{path}.annotations", f"invalid key {key!r}")
        total += len(key.encode()) + len(value.encode())
    if total > 256 * 1024:
        c.fail(f"{path}.annotations", f"{total} bytes, more than 256 KiB")


def check_selector(c, selector, path):
    if selector is None:
        return
    for key, value in (selector.get("matchLabels") or {}).items():
        if not qualified_name(key) or len(value) > 63 or not LABEL_VALUE.match(value):
            c.fail(f"{path}.matchLabels", f"invalid {key!r}: {value!r}")
    for i, req in enumerate(selector.get("matchExpressions") or []):
        op, values = req.get("operator"), req.get("values") or []
        if not qualified_name(req.get("key", "")):
            c.fail(f"{path}.matchExpressions[{i}].key", f"invalid {req.get('key')!r}")
        if op not in SELECTOR_OPERATORS:
            c.fail(f"{path}.matchExpressions[{i}].operator", f"invalid {op!r}")
        elif (op in ("In", "NotIn")) != bool(values):
            c.fail(f"{path}.matchExpressions[{i}].values", f"{op} with {values!r}")
        for v in values:
            if len(v) > 63 or not LABEL_VALUE.match(v):
                c.fail(f"{path}.matchExpressions[{i}].values", f"invalid {v!r}")


def check_node_selector_term(c, term, path):
    for field in ("matchExpressions", "matchFields"):
        for i, req in enumerate(term.get(field) or []):
            op, values = req.get("operator"), req.get("values") or []
            if op not in NODE_OPERATORS:
                c.fail(f"{path}.{field}[{i}].operator", f"invalid {op!r}")
            elif op in ("In", "NotIn") and not values:
                c.fail(f"{path}.{field}[{i}].values", f"{op} needs values")
            elif op in ("Exists", "DoesNotExist") and values:
                c.fail(f"{path}.{field}[{i}].values", f"{op} takes no values")
            elif op in ("Gt", "Lt") and (len(values) != 1 or not re.match(r"^-?\d+$", values[0])):
                c.fail(f"{path}.{field}[{i}].values", f"{op} needs one integer")
            if field == "matchExpressions" and not qualified_name(req.get("key", "")):
                c.fail(f"{path}.{field}[{i}].key", f"invalid {req.get('key')!r}")


def check_affinity(c, affinity, path):
    node = affinity.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is not None:
        terms = required.get("nodeSelectorTerms") or []
        if not terms:
            c.fail(f"{path}.nodeAffinity.required.nodeSelectorTerms", "must have at least one term")
        for i, term in enumerate(terms):
            check_node_selector_term(c, term, f"{path}.nodeAffinity.required.nodeSelectorTerms[{i}]")
    for i, pref in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
        if not 1 <= pref.get("weight", 0) <= 100:
            c.fail(f"{path}.nodeAffinity.preferred[{i}].weight", f"{pref.get('weight')} not in 1-100")
        check_node_selector_term(c, pref.get("preference") or {}, f"{path}.nodeAffinity.preferred[{i}].preference")
    for kind in ("podAffinity", "podAntiAffinity"):
        block = affinity.get(kind) or {}
        terms = [(f"required[{i}]", t) for i, t in enumerate(block.get("requiredDuringSchedulingIgnoredDuringExecution") or [])]
        for i, weighted in enumerate(block.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
            if not 1 <= weighted.get("weight", 0) <= 100:
                c.fail(f"{path}.{kind}.preferred[{i}].weight", f"{weighted.get('weight')} not in 1-100")
            terms.append((f"preferred[{i}].podAffinityTerm", weighted.get("podAffinityTerm") or {}))
        for where, term in terms:
            if not term.get("topologyKey") or not qualified_name(term["topologyKey"]):
                c.fail(f"{path}.{kind}.{where}.topologyKey", f"invalid {term.get('topologyKey')!r}")
            check_selector(c, term.get("labelSelector"), f"{path}.{kind}.{where}.labelSelector")
            check_selector(c, term.get("namespaceSelector"), f"{path}.{kind}.{where}.namespaceSelector")


def check_tolerations(c, tolerations, path):
    for i, t in enumerate(tolerations):
        op = t.get("operator", "Equal")
        if op not in ("Equal", "Exists"):
            c.fail(f"{path}[{i}].operator", f"invalid {op!r}")
        if op == "Exists" and t.get("value"):
            c.fail(f"{path}[{i}].value", "must be empty with Exists")
        if not t.get("key") and op != "Exists":
            c.fail(f"{path}[{i}].operator", "an empty key needs Exists")
        if t.get("key") and not qualified_name(t["key"]):
            c.fail(f"{path}[{i}].key", f"invalid {t['key']!r}")
        if t.get("effect", "") not in TOLERATION_EFFECTS:
            c.fail(f"{path}[{i}].effect", f"invalid {t.get('effect')!r}")
        if t.get("tolerationSeconds") is not None and t.get("effect") != "NoExecute":
            c.fail(f"{path}[{i}].tolerationSeconds", "only with NoExecute")
        if op == "Equal" and t.get("value") and (len(t["value"]) > 63 or not LABEL_VALUE.match(t["value"])):
            c.fail(f"{path}[{i}].value", f"invalid {t['value']!r}")


def check_resources(c, resources, path):
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    for kind, values in (("requests", requests), ("limits", limits)):
        for name, value in values.items():
            if name not in ("cpu", "memory", "ephemeral-storage", "storage") and not name.startswith("hugepages-") \
                    and "/" not in name:
                c.fail(f"{path}.{kind}", f"unknown resource {name!r}")
            q = quantity(value)
            if q is None or q < 0:
                c.fail(f"{path}.{kind}.{name}", f"invalid quantity {value!r}")
    for name, value in requests.items():
        if name in limits and quantity(value) is not None and quantity(limits[name]) is not None \
                and quantity(value) > quantity(limits[name]):
            c.fail(f"{path}.requests.{name}", f"{value} above the limit {limits[name]}")


def check_container(c, container, path):
    if not DNS1123_LABEL.match(container.get("name", "")) or len(container.get("name", "")) > 63:
        c.fail(f"{path}.name", f"invalid {container.get('name')!r}")
    image = container.get("image", "")
    if not image or image != image.strip():
        c.fail(f"{path}.image", f"invalid {image!r}")
    names = set()
    for i, port in enumerate(container.get("ports") or []):
        name = port.get("name")
        if name is not None:
            if len(name) > 15 or not IANA_SVC_NAME.match(name) or "--" in name or not re.search("[a-z]", name):
                c.fail(f"{path}.ports[{i}].name", f"invalid {name!r}")
            if name in names:
                c.fail(f"{path}.ports[{i}].name", f"duplicate {name!r}")
            names.add(name)
        if not 1 <= port.get("containerPort", 0) <= 65535:
            c.fail(f"{path}.ports[{i}].containerPort", f"{port.get('containerPort')} not in 1-65535")
    for i, env in enumerate(container.get("env") or []):
        if not ENV_NAME.match(env.get("name", "")):
            c.fail(f"{path}.env[{i}].name", f"invalid {env.get('name')!r}")
        for what in ("secretKeyRef", "configMapKeyRef"):
            ref = (env.get("valueFrom") or {}).get(what)
            if ref is not None:
                if not subdomain(ref.get("name", "")):
                    c.fail(f"{path}.env[{i}].valueFrom.{what}.name", f"invalid {ref.get('name')!r}")
                if not CONFIG_KEY.match(ref.get("key", "")) or len(ref.get("key", "")) > 253:
                    c.fail(f"{path}.env[{i}].valueFrom.{what}.key", f"invalid {ref.get('key')!r}")
    check_ids(c, container.get("securityContext") or {}, f"{path}.securityContext")
    check_resources(c, container.get("resources") or {}, f"{path}.resources")
    for i, mount in enumerate(container.get("volumeMounts") or []):
        if not mount.get("mountPath"):
            c.fail(f"{path}.volumeMounts[{i}].mountPath", "empty")


def subdomain(name):
    return len(name) <= 253 and DNS1123_SUBDOMAIN.match(name)


def check_ids(c, context, path):
    ids = [(k, context.get(k)) for k in ("runAsUser", "runAsGroup", "fsGroup")]
    ids += [(f"supplementalGroups[{i}]", g) for i, g in enumerate(context.get("supplementalGroups") or [])]
    for field, value in ids:
        if value is not None and not 0 <= value <= 2**31 - 1:
            c.fail(f"{path}.{field}", f"{value} is not a user or group id")


def check_pod(c, pod, path):
    for field in ("initContainers", "containers"):
        for i, container in enumerate(pod.get(field) or []):
            check_container(c, container, f"{path}.{field}[{i}]")
    names = [v.get("name") for v in pod.get("volumes") or []]
    if len(names) != len(set(names)):
        c.fail(f"{path}.volumes", f"duplicate names {names}")
    mounted = {m.get("name") for f in ("initContainers", "containers") for ctr in pod.get(f) or []
               for m in ctr.get("volumeMounts") or []}
    for name in mounted - set(names):
        c.fail(f"{path}.volumes", f"a mount of {name!r}, which is no volume")
    for i, volume in enumerate(pod.get("volumes") or []):
        if "configMap" in volume and not subdomain(volume["configMap"].get("name", "")):
            c.fail(f"{path}.volumes[{i}].configMap.name", f"invalid {volume['configMap'].get('name')!r}")
    check_ids(c, pod.get("securityContext") or {}, f"{path}.securityContext")
    check_tolerations(c, pod.get("tolerations") or [], f"{path}.tolerations")
    if pod.get("affinity"):
        check_affinity(c, pod["affinity"], f"{path}.affinity")
    for key, value in (pod.get("nodeSelector") or {}).items():
        if not qualified_name(key) or len(value) > 63 or not LABEL_VALUE.match(value):
            c.fail(f"{path}.nodeSelector", f"invalid {key!r}: {value!r}")


def check_peer(c, peer, path):
    if peer.get("ipBlock") is not None:
        if peer.get("podSelector") is not None or peer.get("namespaceSelector") is not None:
            c.fail(path, "ipBlock must stand alone in a peer")
        try:
            cidr = ipaddress.ip_network(peer["ipBlock"]["cidr"], strict=False)
        except ValueError:
            c.fail(f"{path}.ipBlock.cidr", f"invalid {peer['ipBlock'].get('cidr')!r}")
            return
        for e in peer["ipBlock"].get("except") or []:
            try:
                ex = ipaddress.ip_network(e, strict=False)
            except ValueError:
                c.fail(f"{path}.ipBlock.except", f"invalid {e!r}")
                continue
            if ex.version != cidr.version or not ex.subnet_of(cidr) or ex.prefixlen <= cidr.prefixlen:
                c.fail(f"{path}.ipBlock.except", f"{e} is not a strict subset of {cidr}")
    check_selector(c, peer.get("podSelector"), f"{path}.podSelector")
    check_selector(c, peer.get("namespaceSelector"), f"{path}.namespaceSelector")


def violations(obj):
    """Everything kube-apiserver would refuse in one object, as messages."""
    c = Checker(obj)
    kind = obj.get("kind")
    meta = obj.get("metadata") or {}
    # Namespaces and Services are DNS labels; other names (ServiceAccounts too) DNS subdomains.
    label_named = kind in ("Namespace", "Service")
    check_meta(c, meta, "metadata", DNS1123_LABEL if label_named else DNS1123_SUBDOMAIN)
    if kind == "Namespace" and meta.get("name") in RESERVED_NAMESPACES:
        c.fail("metadata.name", "a reserved namespace")
    spec = obj.get("spec") or {}
    if kind == "StatefulSet":
        template = spec.get("template") or {}
        check_meta(c, template.get("metadata") or {}, "spec.template.metadata")
        check_pod(c, template.get("spec") or {}, "spec.template.spec")
        check_selector(c, spec.get("selector"), "spec.selector")
        for i, claim in enumerate(spec.get("volumeClaimTemplates") or []):
            check_resources(c, (claim.get("spec") or {}).get("resources") or {}, f"spec.volumeClaimTemplates[{i}]")
    if kind == "Pod":
        check_pod(c, spec, "spec")
    if kind == "ConfigMap":
        data = obj.get("data") or {}
        for key in data:
            if not CONFIG_KEY.match(key) or len(key) > 253:
                c.fail("data", f"invalid key {key!r}")
        size = sum(len(v.encode()) for v in data.values())
        if size > 1024 * 1024:
            c.fail("data", f"{size} bytes, more than 1 MiB")
    if kind == "NetworkPolicy":
        check_selector(c, spec.get("podSelector"), "spec.podSelector")
        for direction, peers in (("ingress", "from"), ("egress", "to")):
            for i, rule in enumerate(spec.get(direction) or []):
                for j, peer in enumerate(rule.get(peers) or []):
                    check_peer(c, peer, f"spec.{direction}[{i}].{peers}[{j}]")
    if kind == "Service":
        for i, port in enumerate(spec.get("ports") or []):
            name = port.get("name")
            if name is not None and (len(name) > 63 or not DNS1123_LABEL.match(name)):
                c.fail(f"spec.ports[{i}].name", f"invalid {name!r}")
        for i, r in enumerate(spec.get("loadBalancerSourceRanges") or []):
            try:
                ipaddress.ip_network(r, strict=False)
            except ValueError:
                c.fail(f"spec.loadBalancerSourceRanges[{i}]", f"invalid {r!r}")
    if kind == "PersistentVolumeClaim":
        check_resources(c, spec.get("resources") or {}, "spec.resources")
    if kind == "PodDisruptionBudget":
        check_selector(c, spec.get("selector"), "spec.selector")
    return c.errors
