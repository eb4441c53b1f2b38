{{/*
The checks impala-k8s's resolver makes on a spec, made here on the values
(tests/refusals.yaml lists every refused input, and which of them the chart
cannot check, with the reason). Each fails the render with the values key
and the same words as `impala-k8s gen`.
*/}}

{{/* A CIDR in a values key: (list key cidr). IPv4 must be the network address; IPv6 is checked for its form only. */}}
{{- define "impala.checkCidr" -}}
{{- $key := index . 0 -}}{{- $cidr := toString (index . 1) -}}
{{- $v4 := regexFindAll "^([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})/([0-9]{1,2})$" $cidr -1 -}}
{{- if $v4 -}}
{{- $parts := regexSplit "[./]" $cidr -1 -}}
{{- $address := 0 -}}
{{- range $i := until 4 }}{{ $octet := int (index $parts $i) }}{{ if gt $octet 255 }}{{ fail (printf "%s: '%s' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8" $key $cidr) }}{{ end }}{{ $address = add (mul $address 256) $octet }}{{ end -}}
{{- $prefix := int (index $parts 4) -}}
{{- if gt $prefix 32 }}{{ fail (printf "%s: '%s' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8" $key $cidr) }}{{ end -}}
{{- $block := 1 -}}
{{- range until (int (sub 32 $prefix)) }}{{ $block = mul $block 2 }}{{ end -}}
{{- if ne (mod $address $block) 0 -}}
{{- $net := sub $address (mod $address $block) -}}
{{- fail (printf "%s: '%s' is not a network address; did you mean '%d.%d.%d.%d/%d'?" $key $cidr (div $net 16777216) (mod (div $net 65536) 256) (mod (div $net 256) 256) (mod $net 256) $prefix) -}}
{{- end -}}
{{- else if not (regexMatch "^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/[0-9]{1,3}$" $cidr) -}}
{{- fail (printf "%s: '%s' is not a CIDR: expected an address and a prefix length, like 10.0.0.0/8 or fd00::/8" $key $cidr) -}}
{{- end -}}
{{- end -}}

{{/* Label or annotation keys (and label values): (list key map valuesAreLabels). */}}
{{- define "impala.checkLabels" -}}
{{- $key := index . 0 -}}{{- $labels := index . 1 | default dict -}}{{- $values := index . 2 -}}
{{- $name := "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$" -}}
{{- if not $values -}}
{{- $total := 0 }}{{ range $k, $v := $labels }}{{ $total = add $total (len $k) (len (toString $v)) }}{{ end -}}
{{- if gt $total 262144 }}{{ fail (printf "%s: annotations of %d bytes; the API server takes at most 262144 (256 KiB) on an object, keys and values together" $key $total) }}{{ end -}}
{{- end -}}
{{- range $k, $v := $labels -}}
{{- /* The API server lower-cases an annotation key before it checks it. */ -}}
{{- include "impala.checkLabelKey" (list (printf "%s.%s" $key $k) (ternary $k (lower $k) $values) $k) -}}
{{- if $values }}{{ include "impala.checkLabelValue" (list (printf "%s.%s" $key $k) $v) }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* A label key (an annotation key, lower-cased as checked): (list key checked written). */}}
{{- define "impala.checkLabelKey" -}}
{{- $checked := toString (index . 1) -}}{{- $written := toString (index . 2) -}}
{{- $parts := splitn "/" 2 $checked -}}
{{- $prefixOk := or (not (contains "/" $checked)) (and (le (len $parts._0) 253) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $parts._0)) -}}
{{- $local := ternary $parts._1 $parts._0 (contains "/" $checked) -}}
{{- if not (and $prefixOk $local (le (len $local) 63) (regexMatch "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$" $local)) -}}
{{- fail (printf "%s: '%s' is not a valid key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit" (index . 0) $written) -}}
{{- end -}}
{{- end -}}

{{/* A label value (or a toleration's value): (list key value). */}}
{{- define "impala.checkLabelValue" -}}
{{- $v := toString (index . 1) -}}
{{- if not (and (le (len $v) 63) (regexMatch "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$" $v)) -}}
{{- fail (printf "%s: '%s' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit" (index . 0) $v) -}}
{{- end -}}
{{- end -}}

{{/* The name of a Secret, ConfigMap or other object a pod refers to, a DNS subdomain: (list key name kind). */}}
{{- define "impala.checkObjectName" -}}
{{- $name := toString (index . 1) -}}
{{- if not (and (le (len $name) 253) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $name)) -}}
{{- fail (printf "%s: '%s' is not a %s name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" (index . 0) $name (index . 2)) -}}
{{- end -}}
{{- end -}}

{{/* A key of a Secret or ConfigMap: (list key dataKey). */}}
{{- define "impala.checkDataKey" -}}
{{- $k := toString (index . 1) -}}
{{- if not (and (le (len $k) 253) (regexMatch "^[-._a-zA-Z0-9]+$" $k)) -}}
{{- fail (printf "%s: '%s' is not a key of a Secret or ConfigMap: letters, digits, '-', '_' and '.'" (index . 0) $k) -}}
{{- end -}}
{{- end -}}

{{/* A Secret's name and key: (list key secretKey). */}}
{{- define "impala.checkSecretKey" -}}
{{- $s := index . 1 | default dict -}}
{{- include "impala.checkObjectName" (list (printf "%s.name" (index . 0)) $s.name "Secret") -}}
{{- include "impala.checkDataKey" (list (printf "%s.key" (index . 0)) $s.key) -}}
{{- end -}}

{{/* A bundle in a Secret or ConfigMap, one of them: (list key bundle what defaultKey); writes the key. */}}
{{- define "impala.checkBundle" -}}
{{- $at := index . 0 -}}{{- $b := index . 1 | default dict -}}
{{- if and $b.secretName (not $b.configMapName) }}{{ include "impala.checkObjectName" (list (printf "%s.secretName" $at) $b.secretName "Secret") -}}
{{- else if and $b.configMapName (not $b.secretName) }}{{ include "impala.checkObjectName" (list (printf "%s.configMapName" $at) $b.configMapName "ConfigMap") -}}
{{- else }}{{ fail (printf "%s: give %s's secretName or configMapName, one of them" $at (index . 2)) }}{{ end -}}
{{- $key := $b.key | default (index . 3) -}}
{{- include "impala.checkDataKey" (list (printf "%s.key" $at) $key) -}}
{{- $key -}}
{{- end -}}

{{/* A user or group id of a security context, 0 to 2147483647: (list key id). */}}
{{- define "impala.checkId" -}}
{{- $id := int64 (index . 1) -}}
{{- if or (lt $id 0) (gt $id 2147483647) }}{{ fail (printf "%s: %d is not a user or group id: 0 to 2147483647" (index . 0) $id) }}{{ end -}}
{{- end -}}

{{/* A variable's value from a key of a Secret or ConfigMap: (list key envVar). */}}
{{- define "impala.checkEnvSource" -}}
{{- $at := index . 0 -}}{{- $from := (index . 1).valueFrom | default dict -}}
{{- range $what, $kind := dict "secretKeyRef" "Secret" "configMapKeyRef" "ConfigMap" -}}
{{- with index $from $what -}}
{{- include "impala.checkObjectName" (list (printf "%s.valueFrom.%s.name" $at $what) .name $kind) -}}
{{- include "impala.checkDataKey" (list (printf "%s.valueFrom.%s.key" $at $what) .key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Sources of a NetworkPolicy rule: (list key sources). */}}
{{- define "impala.checkSources" -}}
{{- $key := index . 0 -}}
{{- range $i, $peer := (index . 1 | default list) -}}
{{- if not (or (hasKey $peer "ipBlock") (hasKey $peer "namespaceSelector") (hasKey $peer "podSelector")) -}}
{{- fail (printf "%s[%d]: a source needs ipBlock, namespaceSelector or podSelector" $key $i) -}}
{{- end -}}
{{- with $peer.ipBlock -}}
{{- include "impala.checkCidr" (list (printf "%s[%d].ipBlock.cidr" $key $i) .cidr) -}}
{{- range $j, $except := (.except | default list) }}{{ include "impala.checkCidr" (list (printf "%s[%d].ipBlock.except[%d]" $key $i $j) $except) }}{{ end -}}
{{- end -}}
{{- include "impala.checkPeer" (list (printf "%s[%d]" $key $i) $peer) -}}
{{- end -}}
{{- end -}}

{{- define "impala.checks" -}}
{{- $ := . -}}
{{- $v := .Values -}}
{{- $reg := $v.registry -}}
{{- /* Images. */ -}}
{{- $repository := toString $v.image.repository -}}
{{- if not (regexMatch "^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$" $repository) -}}
{{- fail (printf "image.repository: '%s' is not an image repository: expected [HOST[:PORT]/]PATH with lowercase path components, for example apache/impala" $repository) -}}
{{- end -}}
{{- $tag := toString $v.image.tag -}}
{{- if not (and (regexMatch "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$" $tag) (le (len $tag) 63) (regexMatch "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$" $tag)) -}}
{{- fail (printf "image.tag: '%s' is not a usable tag: it needs 1 to 63 letters, digits, '_', '.' and '-', starting and ending with a letter or digit (it is also the app.kubernetes.io/version label)" $tag) -}}
{{- end -}}
{{- range $i, $secret := ($v.image.pullSecrets | default list) -}}
{{- if not (and (le (len $secret) 253) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $secret)) -}}
{{- fail (printf "image.pullSecrets[%d]: '%s' is not a Secret name: lowercase letters, digits, '-' and '.'" $i $secret) -}}
{{- end -}}
{{- end -}}
{{- /* The metastore and the Hadoop files. */ -}}
{{- range $uri := splitList "," (toString $v.metastoreUri) -}}
{{- $uri = trim $uri -}}
{{- $port := regexReplaceAll "^thrift://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})/?$" $uri "${2}" -}}
{{- if or (eq $port $uri) (lt (int $port) 1) (gt (int $port) 65535) -}}
{{- fail (printf "metastoreUri: '%s' is not a Hive Metastore URI: expected thrift://HOST:PORT, several separated by commas" $uri) -}}
{{- end -}}
{{- end -}}
{{- range $file := list "hiveSite" "coreSite" -}}
{{- range $key, $_ := (get $v $file | default dict) -}}
{{- if or (not (trim $key)) (regexMatch "\\s" $key) }}{{ fail (printf "%s: '%s' is not a property name" $file $key) }}{{ end -}}
{{- if eq $key "hive.metastore.uris" }}{{ fail (printf "%s.%s: hive.metastore.uris is set from metastoreUri; set it there" $file $key) }}{{ end -}}
{{- $upper := upper (regexReplaceAll "[.-]" $key "_") -}}
{{- if and (regexMatch "(PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|SAS|ACCOUNT_KEY)" $upper) (not (regexMatch "(PROVIDER|PROVIDER_TYPE|PROVIDER_PATH|_CMD|_FILE|KEYFILE)$" $upper)) }}{{ fail (printf "%s.%s: '%s' holds a credential, and %s lands in a ConfigMap in the clear; give the credential from a Secret instead: storage.credentials (secretName or workloadIdentity) for the table storage's keys, roles.<role>.env with valueFrom.secretKeyRef or a mounted Secret file for anything else" $file $key $key $file) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- /* Namespaces Kubernetes keeps for itself; default only where the chart would create it. */ -}}
{{- if has .Release.Namespace (list "kube-system" "kube-public" "kube-node-lease") -}}
{{- fail (printf "namespace '%s' is reserved for Kubernetes itself; choose a namespace of your own" .Release.Namespace) -}}
{{- end -}}
{{- if and (eq .Release.Namespace "default") $v.createNamespace -}}
{{- fail "createNamespace: 'default' exists in every cluster, and createNamespace would relabel it (Pod Security) and own it; set createNamespace: false or choose a namespace of your own" -}}
{{- end -}}
{{- /* Object names stay within Kubernetes' limits. */ -}}
{{- range $reg.roles -}}
{{- $sts := printf "%s-%s" $.Release.Name .name -}}
{{- if gt (len $sts) 52 -}}
{{- fail (printf "release name '%s' makes StatefulSet name '%s' %d characters long; at most 52 are allowed (its pods' controller-revision-hash label adds 11)" $.Release.Name $sts (len $sts)) -}}
{{- end -}}
{{- end -}}
{{- /* Each role's values. */ -}}
{{- range $name, $rv := ($v.roles | default dict) -}}
{{- $rv = $rv | default dict -}}
{{- $role := dict -}}
{{- range $reg.roles }}{{ if eq .name $name }}{{ $role = . }}{{ end }}{{ end -}}
{{- $key := printf "roles.%s" $name -}}
{{- with $rv.digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" .) }}{{ fail (printf "%s.digest: '%s' is not an image digest: expected sha256: and 64 lowercase hex digits" $key .) }}{{ end -}}
{{- if and $role.optional (not $rv.enabled) }}{{ fail (printf "%s.digest: role '%s' does not run, so its digest would be ignored" $key $name) }}{{ end -}}
{{- end -}}
{{- if and $role.image (not $rv.digest) (gt (len (printf "%s-%s" $tag $role.image)) 128) -}}
{{- fail (printf "image.tag: tag '%s-%s' is longer than the 128 characters a tag may have" $tag $role.image) -}}
{{- end -}}
{{- include "impala.checkLabels" (list (printf "%s.nodeSelector" $key) $rv.nodeSelector true) -}}
{{- include "impala.checkLabels" (list (printf "%s.podAnnotations" $key) $rv.podAnnotations false) -}}
{{- range $k, $_ := ($rv.podAnnotations | default dict) }}{{ if eq (lower $k) "checksum/config" }}{{ fail (printf "%s.podAnnotations.%s: '%s' is set by impala-k8s: it rolls the pods when their configuration changes; choose another key" $key $k $k) }}{{ end }}{{ end -}}
{{- include "impala.checkLabels" (list (printf "%s.podLabels" $key) $rv.podLabels true) -}}
{{- include "impala.checkTolerations" (list (printf "%s.tolerations" $key) $rv.tolerations) -}}
{{- include "impala.checkAffinity" (list (printf "%s.affinity" $key) $rv.affinity) -}}
{{- include "impala.checkResourceNames" (list $key $rv.resources) -}}
{{- $svc := $rv.service | default dict -}}
{{- include "impala.checkLabels" (list (printf "%s.service.annotations" $key) $svc.annotations false) -}}
{{- include "impala.checkLabels" (list (printf "%s.service.labels" $key) $svc.labels true) -}}
{{- range $what, $labels := dict "podLabels" ($rv.podLabels | default dict) "service.labels" ($svc.labels | default dict) -}}
{{- range $k, $_ := $labels -}}
{{- if hasPrefix "app.kubernetes.io/" $k }}{{ fail (printf "%s.%s.%s: '%s' is set by impala-k8s (selectors depend on it); choose another key" $key $what $k $k) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $i, $range := ($svc.loadBalancerSourceRanges | default list) }}{{ include "impala.checkCidr" (list (printf "%s.service.loadBalancerSourceRanges[%d]" $key $i) $range) }}{{ end -}}
{{- with $svc.loadBalancerClass -}}
{{- $parts := splitn "/" 2 . -}}
{{- if not (and (contains "/" .) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $parts._0) (regexMatch "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$" $parts._1) (le (len $parts._1) 63)) -}}
{{- fail (printf "%s.service.loadBalancerClass: '%s' is not a load balancer class: expected a label-style name with a prefix, like example.com/internal-vip" $key .) -}}
{{- end -}}
{{- end -}}
{{- range $port, $n := ($svc.nodePorts | default dict) -}}
{{- if or (lt (int $n) 30000) (gt (int $n) 32767) }}{{ fail (printf "%s.service.nodePorts.%s: node port %d is outside the node port range 30000-32767" $key $port (int $n)) }}{{ end -}}
{{- end -}}
{{- /* Requests and limits: quantities, no request above its limit, disk for the emptyDirs. */ -}}
{{- $res := $rv.resources | default dict -}}
{{- range $what := list "requests" "limits" -}}
{{- range $k, $q := (get $res $what | default dict) }}{{ $_ := include "impala.quantity" (list (printf "%s.resources.%s.%s" $key $what $k) $q) }}{{ end -}}
{{- end -}}
{{- range $k, $q := ($res.requests | default dict) -}}
{{- with (index ($res.limits | default dict) $k) -}}
{{- if gt (include "impala.quantity" (list "" $q) | float64) (include "impala.quantity" (list "" .) | float64) -}}
{{- fail (printf "%s.resources.requests.%s: request %s is more than the limit %s; a request must not exceed its limit" $key $k (toString $q) (toString .)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with (index ($res.limits | default dict) "ephemeral-storage") -}}
{{- $dirs := 0 -}}
{{- range $_, $dir := ($role.writableDirs | default dict) }}{{ $dirs = add $dirs (include "impala.mebibytes" $dir.sizeLimit | int) }}{{ end -}}
{{- if lt (include "impala.quantity" (list "" .) | float64) (mulf $dirs 1048576.0) -}}
{{- fail (printf "%s.resources.limits.ephemeral-storage: %s is less than the %d MiB the role's writable directories may hold, so the kubelet would evict the pod before they fill; set at least %dMi" $key (toString .) (int $dirs) (int $dirs)) -}}
{{- end -}}
{{- end -}}
{{- include "impala.checkWiring" (list $key $name $role $rv $reg) -}}
{{- $style := $role.config | default "gflags" -}}
{{- if and (gt (int ($rv.logVerbosity | default 0)) 0) (or (not $reg.logging) (ne $style "gflags")) -}}
{{- fail (printf "%s.logVerbosity: role '%s' takes no log settings from impala-k8s" $key $name) -}}
{{- end -}}
{{- range $flag, $_ := ($rv.extraFlags | default dict) -}}
{{- $bare := trimPrefix "-" $flag -}}
{{- if not (or (regexMatch "^[a-z][A-Za-z0-9_]*$" $bare) (regexMatch "^[a-z][A-Za-z0-9_.-]*\\.[A-Za-z0-9_.-]*$" $bare)) }}{{ fail (printf "%s.extraFlags.%s: '%s' is not a flag name: a gflag starts with a lowercase letter and has only letters, digits and '_'; a property name (with '.') may also have '-'" $key $flag $bare) }}{{ end -}}
{{- if hasPrefix "-" $flag }}{{ fail (printf "%s.extraFlags.%s: write the flag without its leading '-': '%s'" $key $flag $bare) }}{{ end -}}
{{- if and (eq $style "gflags") (has $flag (list "flagfile" "fromenv" "tryfromenv")) }}{{ fail (printf "%s.extraFlags.%s: '%s' reads more flags from a file or the environment, past the check on the flags impala-k8s manages; give each flag in extraFlags" $key $flag $flag) }}{{ end -}}
{{- if ne (eq $style "gflags") (not (contains "." $flag)) -}}
{{- fail (printf "%s.extraFlags.%s: '%s' is not a setting of role '%s', which takes %s" $key $flag $flag $name (ternary "gflags" (printf "%s properties" (ternary "llama-site.xml" "hive-site.xml" (eq $style "llamaSite"))) (eq $style "gflags"))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* The ServiceAccount. */ -}}
{{- $sa := $v.serviceAccount -}}
{{- with $sa.name -}}
{{- if not (and (le (len .) 253) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" .)) }}{{ fail (printf "serviceAccount.name: '%s' is not a ServiceAccount name: lowercase letters, digits, '-' and '.'" .) }}{{ end -}}
{{- end -}}
{{- if and (not $sa.create) $sa.annotations -}}
{{- fail "serviceAccount.annotations: the ServiceAccount is not created here (create: false), so its annotations would be ignored; annotate the existing one" -}}
{{- end -}}
{{- include "impala.checkLabels" (list "serviceAccount.annotations" $sa.annotations false) -}}
{{- /* NetworkPolicy sources and egress destinations. */ -}}
{{- $np := $v.networkPolicy -}}
{{- include "impala.checkSources" (list "networkPolicy.clientSources" $np.clientSources) -}}
{{- include "impala.checkSources" (list "networkPolicy.webUiSources" $np.webUiSources) -}}
{{- range $what := list "metastore" "storage" -}}
{{- range $i, $endpoint := (get $np.egress $what | default list) -}}
{{- include "impala.checkCidr" (list (printf "networkPolicy.egress.%s[%d].cidr" $what $i) $endpoint.cidr) -}}
{{- range $j, $p := ($endpoint.ports | default list) -}}
{{- if or (lt (int $p) 1) (gt (int $p) 65535) }}{{ fail (printf "networkPolicy.egress.%s[%d].ports[%d]: port %d is out of range: a port is a number from 1 to 65535" $what $i $j (int $p)) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A quantity (500m, 2, 1.5Gi) as a number of its base unit: (list key quantity); fails naming the key. */}}
{{- define "impala.quantity" -}}
{{- $key := index . 0 -}}{{- $q := toString (index . 1) -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$" $q) -}}
{{- fail (printf "%s: '%s' is not a quantity: expected a number with an optional suffix, like 500m, 2 or 4Gi" $key $q) -}}
{{- end -}}
{{- $suffix := regexFind "[a-zA-Z]+$" $q -}}
{{- $scale := get (dict "" 1.0 "m" 0.001 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "P" 1000000000000000.0 "E" 1000000000000000000.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0) $suffix -}}
{{- mulf (float64 (trimSuffix $suffix $q)) $scale -}}
{{- end -}}

{{/* A role's wiring: (list key roleName registryRole roleValues registry). */}}
{{- define "impala.checkWiring" -}}
{{- $key := index . 0 -}}{{- $name := index . 1 -}}{{- $role := index . 2 -}}{{- $rv := index . 3 -}}{{- $reg := index . 4 -}}
{{- $secret := "(PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|SAS|ACCOUNT_KEY)" -}}
{{- $reference := "(PROVIDER|PROVIDER_TYPE|PROVIDER_PATH|_CMD|_FILE|KEYFILE)$" -}}
{{- $seen := dict -}}
{{- range $i, $e := ($rv.env | default list) -}}
{{- if not (regexMatch "^[-._a-zA-Z][-._a-zA-Z0-9]*$" $e.name) }}{{ fail (printf "%s.env[%d].name: '%s' is not an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit" $key $i $e.name) }}{{ end -}}
{{- if hasKey $seen $e.name }}{{ fail (printf "%s.env[%d].name: '%s' is set twice" $key $i $e.name) }}{{ end -}}
{{- $_ := set $seen $e.name true -}}
{{- if and $reg.hostnameFlag (eq ($role.config | default "gflags") "gflags") (eq $e.name "POD_NAME") }}{{ fail (printf "%s.env[%d].name: 'POD_NAME' is set by impala-k8s for role '%s' (the name the daemon advertises)" $key $i $name) }}{{ end -}}
{{- if and $role.jvm (eq $e.name ($role.jvm.heapEnv | default "JAVA_TOOL_OPTIONS")) }}{{ fail (printf "%s.env[%d].name: '%s' is set by impala-k8s for role '%s' (the JVM heap: set %s.jvmHeap)" $key $i $e.name $name $key) }}{{ end -}}
{{- if hasKey ($role.env | default dict) $e.name }}{{ fail (printf "%s.env[%d].name: '%s' is set by impala-k8s for role '%s' (the role's registry sets it)" $key $i $e.name $name) }}{{ end -}}
{{- $upper := upper (regexReplaceAll "[.-]" $e.name "_") -}}
{{- if and (hasKey $e "value") (regexMatch $secret $upper) (not (regexMatch $reference $upper)) }}{{ fail (printf "%s.env[%d].value: '%s' looks like a credential and would be written in the clear; pass it from a Secret with valueFrom.secretKeyRef" $key $i $e.name) }}{{ end -}}
{{- include "impala.checkEnvSource" (list (printf "%s.env[%d]" $key $i) $e) -}}
{{- end -}}
{{- range $i, $f := ($rv.envFrom | default list) -}}
{{- if not (or (hasKey $f "configMapRef") (hasKey $f "secretRef")) }}{{ fail (printf "%s.envFrom[%d]: needs configMapRef or secretRef" $key $i) }}{{ end -}}
{{- if hasKey $f "configMapRef" }}{{ include "impala.checkObjectName" (list (printf "%s.envFrom[%d].configMapRef.name" $key $i) $f.configMapRef.name "ConfigMap") -}}
{{- else }}{{ include "impala.checkObjectName" (list (printf "%s.envFrom[%d].secretRef.name" $key $i) $f.secretRef.name "Secret") }}{{ end -}}
{{- end -}}
{{- $volumes := dict "conf" ($role.confDir | default "/opt/impala/conf") -}}
{{- range $v, $dir := ($role.writableDirs | default dict) }}{{ $_ := set $volumes $v $dir.path }}{{ end -}}
{{- $paths := values $volumes -}}
{{- range $i, $vol := ($rv.extraVolumes | default list) -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $vol.name) }}{{ fail (printf "%s.extraVolumes[%d].name: '%s' is not a volume name: lowercase letters, digits and '-'" $key $i $vol.name) }}{{ end -}}
{{- if hasKey $volumes $vol.name }}{{ fail (printf "%s.extraVolumes[%d].name: volume '%s' is already a volume of role '%s'" $key $i $vol.name $name) }}{{ end -}}
{{- $_ := set $volumes $vol.name "" -}}
{{- if not (or (hasKey $vol "configMap") (hasKey $vol "csi") (hasKey $vol "downwardAPI") (hasKey $vol "emptyDir") (hasKey $vol "ephemeral") (hasKey $vol "persistentVolumeClaim") (hasKey $vol "projected") (hasKey $vol "secret")) -}}
{{- fail (printf "%s.extraVolumes[%d]: volume '%s' is of a kind the restricted Pod Security Standard forbids (hostPath, for example); use configMap, secret, projected, downwardAPI, emptyDir, ephemeral, csi or persistentVolumeClaim" $key $i $vol.name) -}}
{{- end -}}
{{- with $vol.configMap }}{{ include "impala.checkObjectName" (list (printf "%s.extraVolumes[%d].configMap.name" $key $i) .name "ConfigMap") }}{{ end -}}
{{- with ($vol.secret | default dict).secretName }}{{ include "impala.checkObjectName" (list (printf "%s.extraVolumes[%d].secret.secretName" $key $i) . "Secret") }}{{ end -}}
{{- end -}}
{{- $mounted := list -}}
{{- range $i, $m := ($rv.extraVolumeMounts | default list) -}}
{{- if not (hasKey $volumes $m.name) }}{{ fail (printf "%s.extraVolumeMounts[%d].name: volume '%s' is not a volume of role '%s'; add it to %s.extraVolumes" $key $i $m.name $name $key) }}{{ end -}}
{{- if not (hasPrefix "/" $m.mountPath) }}{{ fail (printf "%s.extraVolumeMounts[%d].mountPath: '%s' is not an absolute path" $key $i $m.mountPath) }}{{ end -}}
{{- if has (trimSuffix "/" $m.mountPath) $paths }}{{ fail (printf "%s.extraVolumeMounts[%d].mountPath: %s is already where a volume is mounted; a container mounts one volume at a path" $key $i $m.mountPath) }}{{ end -}}
{{- $paths = append $paths (trimSuffix "/" $m.mountPath) -}}
{{- $mounted = append $mounted (trimSuffix "/" $m.mountPath) -}}
{{- end -}}
{{- range $flag, $value := ($rv.extraFlags | default dict) -}}
{{- if has $flag ($reg.fileFlags | default list) -}}
{{- $under := false -}}
{{- range $mounted }}{{ if hasPrefix (printf "%s/" .) (toString $value) }}{{ $under = true }}{{ end }}{{ end -}}
{{- if not $under }}{{ fail (printf "%s.extraFlags.%s: '%s' is a file, but no volume of %s.extraVolumeMounts is mounted above it; mount the Secret or ConfigMap that holds it" $key $flag $value $key) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $containers := list $name -}}
{{- range $what := list "initContainers" "sidecars" -}}
{{- range $i, $c := (get $rv $what | default list) -}}
{{- $at := printf "%s.%s[%d]" $key $what $i -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" (toString $c.name)) }}{{ fail (printf "%s.name: '%s' is not a container name: lowercase letters, digits and '-'" $at (toString $c.name)) }}{{ end -}}
{{- if has $c.name $containers }}{{ fail (printf "%s.name: container '%s' is already in the pod" $at $c.name) }}{{ end -}}
{{- $containers = append $containers $c.name -}}
{{- if not $c.image }}{{ fail (printf "%s.image: container '%s' needs an image" $at $c.name) }}{{ end -}}
{{- /* [registry/]repository[:tag][@sha256:digest], as src/spec/checks.rs is_image. */ -}}
{{- if not (regexMatch "^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$" (toString $c.image)) -}}
{{- fail (printf "%s.image: '%s' is not an image reference: [registry/]repository[:tag][@sha256:digest], lowercase repository" $at $c.image) -}}
{{- end -}}
{{- if $c.securityContext }}{{ fail (printf "%s.securityContext: container '%s' runs with the daemon's restricted security context (non-root, no privilege escalation, every capability dropped, RuntimeDefault seccomp, read-only root filesystem); remove its own" $at $c.name) }}{{ end -}}
{{- range $j, $e := ($c.env | default list) -}}
{{- $upper := upper (regexReplaceAll "[.-]" $e.name "_") -}}
{{- if and (hasKey $e "value") (regexMatch $secret $upper) (not (regexMatch $reference $upper)) }}{{ fail (printf "%s.env[%d].value: '%s' looks like a credential and would be written in the clear; pass it from a Secret with valueFrom.secretKeyRef" $at $j $e.name) }}{{ end -}}
{{- include "impala.checkEnvSource" (list (printf "%s.env[%d]" $at $j) $e) -}}
{{- end -}}
{{- range $j, $m := ($c.volumeMounts | default list) -}}
{{- if not (hasKey $volumes $m.name) }}{{ fail (printf "%s.volumeMounts[%d].name: volume '%s' is not a volume of role '%s'; add it to %s.extraVolumes" $at $j $m.name $name $key) }}{{ end -}}
{{- if not (hasPrefix "/" (toString $m.mountPath)) }}{{ fail (printf "%s.volumeMounts[%d].mountPath: '%s' is not an absolute path" $at $j $m.mountPath) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $k, $_ := ($rv.podSecurityContext | default dict) -}}
{{- if not (has $k (list "runAsUser" "runAsGroup" "fsGroup" "fsGroupChangePolicy" "supplementalGroups")) }}{{ fail (printf "%s.podSecurityContext: only runAsUser, runAsGroup, fsGroup, fsGroupChangePolicy and supplementalGroups may be set: the rest keeps the pod within the restricted Pod Security Standard" $key) }}{{ end -}}
{{- end -}}
{{- range $k, $_ := ($rv.securityContext | default dict) -}}
{{- if not (has $k (list "runAsUser" "runAsGroup")) }}{{ fail (printf "%s.securityContext: only runAsUser and runAsGroup may be set: the rest keeps the container within the restricted Pod Security Standard" $key) }}{{ end -}}
{{- end -}}
{{- range $what := list "podSecurityContext" "securityContext" -}}
{{- $ctx := get $rv $what | default dict -}}
{{- if and (hasKey $ctx "runAsUser") (eq (int64 $ctx.runAsUser) 0) }}{{ fail (printf "%s.%s.runAsUser: 0 is root, which the restricted Pod Security Standard forbids" $key $what) }}{{ end -}}
{{- end -}}
{{- range $what := list "podSecurityContext" "securityContext" -}}
{{- $ctx := get $rv $what | default dict -}}
{{- range $id := list "runAsUser" "runAsGroup" "fsGroup" }}{{ if hasKey $ctx $id }}{{ include "impala.checkId" (list (printf "%s.%s.%s" $key $what $id) (get $ctx $id)) }}{{ end }}{{ end -}}
{{- range $i, $g := ($ctx.supplementalGroups | default list) }}{{ include "impala.checkId" (list (printf "%s.%s.supplementalGroups[%d]" $key $what $i) $g) }}{{ end -}}
{{- end -}}
{{- with ($rv.podSecurityContext | default dict).fsGroupChangePolicy -}}
{{- if not (has . (list "Always" "OnRootMismatch")) }}{{ fail (printf "%s.podSecurityContext.fsGroupChangePolicy: '%s' is not a policy: Always or OnRootMismatch" $key .) }}{{ end -}}
{{- end -}}
{{- with $rv.priorityClassName -}}
{{- if not (and (le (len .) 253) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" .)) }}{{ fail (printf "%s.priorityClassName: '%s' is not a PriorityClass name" $key .) }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* A ConfigMap's data within what the API server stores (1 MiB): (list key configMapName data). */}}
{{- define "impala.checkConfigMapSize" -}}
{{- $total := 0 }}{{ range $_, $v := (index . 2) }}{{ $total = add $total (len $v) }}{{ end -}}
{{- if gt $total 1048576 }}{{ fail (printf "%s: the ConfigMap %s would hold %d bytes; the API server takes at most 1048576 (1 MiB): keep large settings out of hiveSite, coreSite and the pools" (index . 0) (index . 1) $total) }}{{ end -}}
{{- end -}}
