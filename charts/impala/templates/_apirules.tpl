{{/*
What kube-apiserver's validation refuses in the Kubernetes types the values
pass through, refused at render with the key and the value, as
src/spec/api_rules.rs refuses them for gen: tolerations, affinity, label
selectors, NetworkPolicy peers and resource names.
*/}}

{{/* Operator and values of a selector requirement: (list key requirement allowedOperators). */}}
{{- define "impala.checkOperator" -}}
{{- $key := index . 0 -}}{{- $r := index . 1 -}}{{- $allowed := index . 2 -}}
{{- $op := toString $r.operator -}}{{- $values := $r.values | default list -}}
{{- if not (has $op $allowed) }}{{ fail (printf "%s.operator: '%s' is not an operator here: %s" $key $op (join ", " $allowed)) }}{{ end -}}
{{- if and (has $op (list "In" "NotIn")) (not $values) }}{{ fail (printf "%s.values: operator %s needs at least one value" $key $op) }}{{ end -}}
{{- if and (has $op (list "Exists" "DoesNotExist")) $values }}{{ fail (printf "%s.values: operator %s takes no values" $key $op) }}{{ end -}}
{{- if and (has $op (list "Gt" "Lt")) (not (and (eq (len $values) 1) (regexMatch "^[-+]?[0-9]+$" (toString (first $values))))) }}{{ fail (printf "%s.values: operator %s takes exactly one integer value" $key $op) }}{{ end -}}
{{- end -}}

{{/* A label selector: (list key selector). */}}
{{- define "impala.checkSelector" -}}
{{- $key := index . 0 -}}{{- $s := index . 1 | default dict -}}
{{- include "impala.checkLabels" (list (printf "%s.matchLabels" $key) $s.matchLabels true) -}}
{{- range $i, $e := ($s.matchExpressions | default list) -}}
{{- $at := printf "%s.matchExpressions[%d]" $key $i -}}
{{- include "impala.checkLabelKey" (list (printf "%s.key" $at) $e.key $e.key) -}}
{{- include "impala.checkOperator" (list $at $e (list "In" "NotIn" "Exists" "DoesNotExist")) -}}
{{- end -}}
{{- end -}}

{{/* Tolerations: (list key tolerations). */}}
{{- define "impala.checkTolerations" -}}
{{- $key := index . 0 -}}
{{- range $i, $t := (index . 1 | default list) -}}
{{- $at := printf "%s[%d]" $key $i -}}
{{- $op := $t.operator | default "Equal" -}}
{{- if and (eq $op "Exists") $t.value }}{{ fail (printf "%s.value: operator Exists matches any value: leave value out" $at) }}{{ end -}}
{{- if not (has $op (list "Exists" "Equal")) }}{{ fail (printf "%s.operator: '%s' is not a toleration operator: Exists or Equal" $at $op) }}{{ end -}}
{{- if and (not $t.key) (ne $op "Exists") }}{{ fail (printf "%s.key: an empty key matches every taint only with operator Exists" $at) }}{{ end -}}
{{- with $t.key }}{{ include "impala.checkLabelKey" (list (printf "%s.key" $at) . .) }}{{ end -}}
{{- with $t.value }}{{ include "impala.checkLabelValue" (list (printf "%s.value" $at) .) }}{{ end -}}
{{- $effect := $t.effect | default "" -}}
{{- if not (has $effect (list "" "NoSchedule" "PreferNoSchedule" "NoExecute")) }}{{ fail (printf "%s.effect: '%s' is not a taint effect: NoSchedule, PreferNoSchedule or NoExecute" $at $effect) }}{{ end -}}
{{- if and (hasKey $t "tolerationSeconds") (ne $effect "NoExecute") }}{{ fail (printf "%s.tolerationSeconds: tolerationSeconds applies to effect NoExecute alone" $at) }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* A pod affinity term: (list key term). */}}
{{- define "impala.checkPodTerm" -}}
{{- $key := index . 0 -}}{{- $t := index . 1 | default dict -}}
{{- if not $t.topologyKey }}{{ fail (printf "%s.topologyKey: a pod affinity term needs a topology key, such as kubernetes.io/hostname" $key) }}{{ end -}}
{{- include "impala.checkLabelKey" (list (printf "%s.topologyKey" $key) $t.topologyKey $t.topologyKey) -}}
{{- with $t.labelSelector }}{{ include "impala.checkSelector" (list (printf "%s.labelSelector" $key) .) }}{{ end -}}
{{- end -}}

{{/* Node and pod affinity: (list key affinity). */}}
{{- define "impala.checkAffinity" -}}
{{- $key := index . 0 -}}{{- $a := index . 1 | default dict -}}
{{- $nodeOps := list "In" "NotIn" "Exists" "DoesNotExist" "Gt" "Lt" -}}
{{- with $a.nodeAffinity -}}
{{- $at := printf "%s.nodeAffinity" $key -}}
{{- with .requiredDuringSchedulingIgnoredDuringExecution -}}
{{- $terms := printf "%s.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms" $at -}}
{{- if not .nodeSelectorTerms }}{{ fail (printf "%s: an empty list selects no node: give at least one term" $terms) }}{{ end -}}
{{- range $i, $term := .nodeSelectorTerms -}}
{{- range $what := list "matchExpressions" "matchFields" -}}
{{- range $j, $r := (index $term $what | default list) }}{{ include "impala.checkOperator" (list (printf "%s[%d].%s[%d]" $terms $i $what $j) $r $nodeOps) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $i, $p := (.preferredDuringSchedulingIgnoredDuringExecution | default list) -}}
{{- $item := printf "%s.preferredDuringSchedulingIgnoredDuringExecution[%d]" $at $i -}}
{{- if not (and (ge (int $p.weight) 1) (le (int $p.weight) 100)) }}{{ fail (printf "%s.weight: %d is not a weight: 1 to 100" $item (int $p.weight)) }}{{ end -}}
{{- range $j, $r := (($p.preference | default dict).matchExpressions | default list) }}{{ include "impala.checkOperator" (list (printf "%s.preference.matchExpressions[%d]" $item $j) $r $nodeOps) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $kind := list "podAffinity" "podAntiAffinity" -}}
{{- with index $a $kind -}}
{{- $at := printf "%s.%s" $key $kind -}}
{{- range $i, $t := (.requiredDuringSchedulingIgnoredDuringExecution | default list) }}{{ include "impala.checkPodTerm" (list (printf "%s.requiredDuringSchedulingIgnoredDuringExecution[%d]" $at $i) $t) }}{{ end -}}
{{- range $i, $p := (.preferredDuringSchedulingIgnoredDuringExecution | default list) -}}
{{- $item := printf "%s.preferredDuringSchedulingIgnoredDuringExecution[%d]" $at $i -}}
{{- if not (and (ge (int $p.weight) 1) (le (int $p.weight) 100)) }}{{ fail (printf "%s.weight: %d is not a weight: 1 to 100" $item (int $p.weight)) }}{{ end -}}
{{- include "impala.checkPodTerm" (list (printf "%s.podAffinityTerm" $item) $p.podAffinityTerm) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Resource names of requests and limits: (list key resources). */}}
{{- define "impala.checkResourceNames" -}}
{{- $key := index . 0 -}}{{- $res := index . 1 | default dict -}}
{{- range $what := list "requests" "limits" -}}
{{- range $name, $_ := (index $res $what | default dict) -}}
{{- $standard := or (has $name (list "cpu" "memory" "ephemeral-storage")) (hasPrefix "hugepages-" $name) -}}
{{- $extended := and (contains "/" $name) (not (hasPrefix "kubernetes.io/" $name)) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$" $name) -}}
{{- if not (or $standard $extended) }}{{ fail (printf "%s.resources.%s.%s: '%s' is not a resource name: cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain, like nvidia.com/gpu" $key $what $name $name) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A NetworkPolicy peer beyond its CIDRs: (list key peer). An exception must be a smaller block inside the CIDR (IPv4 checked exactly; IPv6 by family and prefix length). */}}
{{- define "impala.checkPeer" -}}
{{- $key := index . 0 -}}{{- $peer := index . 1 -}}
{{- with $peer.ipBlock -}}
{{- if or (hasKey $peer "namespaceSelector") (hasKey $peer "podSelector") }}{{ fail (printf "%s.ipBlock: an ipBlock stands alone in a source: give the selectors their own entry" $key) }}{{ end -}}
{{- $cidr := toString .cidr -}}
{{- $cidrParts := splitList "/" $cidr -}}
{{- range $j, $except := (.except | default list) -}}
{{- $parts := splitList "/" (toString $except) -}}
{{- $inside := and (eq (contains ":" $cidr) (contains ":" $except)) (gt (int (last $parts)) (int (last $cidrParts))) -}}
{{- if and $inside (not (contains ":" $cidr)) -}}
{{- $a := 0 }}{{ range (splitList "." (first $cidrParts)) }}{{ $a = add (mul $a 256) (int .) }}{{ end -}}
{{- $b := 0 }}{{ range (splitList "." (first $parts)) }}{{ $b = add (mul $b 256) (int .) }}{{ end -}}
{{- $size := 1 }}{{ range until (int (sub 32 (int (last $cidrParts)))) }}{{ $size = mul $size 2 }}{{ end -}}
{{- $inside = and (ge $b $a) (lt $b (add $a $size)) -}}
{{- end -}}
{{- if not $inside }}{{ fail (printf "%s.ipBlock.except[%d]: '%s' is not inside '%s': an exception is a smaller block of the CIDR, of the same family" $key $j $except $cidr) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $what := list "namespaceSelector" "podSelector" -}}
{{- with index $peer $what }}{{ include "impala.checkSelector" (list (printf "%s.%s" $key $what) .) }}{{ end -}}
{{- end -}}
{{- end -}}
