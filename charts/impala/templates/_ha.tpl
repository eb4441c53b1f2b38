{{/*
The pairs (src/spec/ha.rs, src/builders/ha.rs): a statestored pair runs as two
single-pod StatefulSets, because each names the other (state_store_peer_host);
a catalogd pair is one StatefulSet of two pods, elected by the statestore.
*/}}

{{/* The pairs the values ask for: {statestored: {...}, catalogd: {...}}, each absent when off. */}}
{{- define "impala.ha" -}}
{{- $reg := .Values.registry -}}
{{- $paired := dict -}}
{{- with $reg.statestoredHa }}{{ $_ := set $paired .role "statestored" }}{{ end -}}
{{- with $reg.catalogdHa }}{{ $_ := set $paired .role "catalogd" }}{{ end -}}
{{- $out := dict -}}
{{- range $name, $rv := .Values.roles -}}
{{- $h := ($rv | default dict).ha -}}
{{- /* Only a pair that is on: the chart's defaults carry it off for every role the default registry pairs. */ -}}
{{- if and $h $h.enabled -}}
{{- $key := printf "roles.%s.ha" $name -}}
{{- if not (hasKey $paired $name) -}}
{{- fail (printf "%s: role '%s' does not run as a pair in registry %s; the roles that do: %s" $key $name $reg.profile (ternary "none" (join ", " (sortAlpha (keys $paired))) (empty $paired))) -}}
{{- end -}}
{{- $wait := int64 ($h.preemptionWaitPeriodMs | default 10000) -}}
{{- if gt $wait 3600000 }}{{ fail (printf "%s.preemptionWaitPeriodMs: %d ms is more than an hour; Impala's default is 10000" $key $wait) }}{{ end -}}
{{- if eq (get $paired $name) "statestored" -}}
{{- $timeout := int64 (ternary 30 $h.peerTimeoutSeconds (kindIs "invalid" $h.peerTimeoutSeconds)) -}}
{{- if or (lt $timeout 1) (gt $timeout 3600) }}{{ fail (printf "%s.peerTimeoutSeconds: %d is not a timeout: 1 to 3600 seconds (Impala's default is 30)" $key $timeout) }}{{ end -}}
{{- $_ := set $out "statestored" (dict "flags" $reg.statestoredHa "role" $name "wait" $wait "timeout" $timeout) -}}
{{- else -}}
{{- if not (kindIs "invalid" $h.peerTimeoutSeconds) }}{{ fail (printf "%s.peerTimeoutSeconds: the %s pair has no peer timeout: %s elects the active one (set preemptionWaitPeriodMs)" $key $name $reg.catalogdHa.elector) }}{{ end -}}
{{- $_ := set $out "catalogd" (dict "flags" $reg.catalogdHa "role" $name "wait" $wait) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* A pod's stable DNS name, the name its daemon advertises: (list $ model roleName podName). */}}
{{- define "impala.podHost" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}
{{- $host := printf "%s.%s-%s-internal.%s.svc" (index . 3) $.Release.Name (index . 2) $.Release.Namespace -}}
{{- with $m.kerberos }}{{ $host = printf "%s.%s" $host .clusterDomain }}{{ end -}}
{{- $host -}}
{{- end -}}

{{/* The StatefulSets of a role: (list $ model roleName), as JSON [{name, replicas, label, settings}]. */}}
{{- define "impala.members" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}{{- $name := index . 2 -}}
{{- $r := index $m.roles $name -}}
{{- $sts := printf "%s-%s" $.Release.Name $name -}}
{{- $pair := $m.ha.statestored | default dict -}}
{{- $groupFlags := $.Values.registry.executorGroups | default dict -}}
{{- if and $m.groups (eq ($groupFlags.role | default "") $name) -}}
{{- /* One StatefulSet per executor group, each naming its group. */ -}}
{{- $members := list -}}
{{- range $m.groups -}}
{{- $own := printf "%s-%s" $sts .name -}}
{{- $members = append $members (dict "name" $own "replicas" .replicas "label" (dict "impala-k8s.dev/workload" $own) "settings" (dict $groupFlags.flag (printf "%s:%d" .impalaName (int .minSize))) "group" .) -}}
{{- end -}}
{{- toJson $members -}}
{{- else if eq ($pair.role | default "") $name -}}
{{- $names := list (printf "%s-1" $sts) (printf "%s-2" $sts) -}}
{{- $members := list -}}
{{- range $i, $own := $names -}}
{{- $peer := index $names (sub 1 $i) -}}
{{- $settings := dict $pair.flags.peerHost (include "impala.podHost" (list $ $m $name (printf "%s-0" $peer))) -}}
{{- $members = append $members (dict "name" $own "replicas" 1 "label" (dict "impala-k8s.dev/workload" $own) "settings" $settings) -}}
{{- end -}}
{{- toJson $members -}}
{{- else -}}
{{- toJson (list (dict "name" $sts "replicas" $r.replicas "label" dict "settings" dict)) -}}
{{- end -}}
{{- end -}}

{{/* The flags the pairs set on a role: (list $ model roleName), as JSON. */}}
{{- define "impala.haSettings" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}{{- $name := index . 2 -}}
{{- $s := dict -}}
{{- with $m.ha.statestored -}}
{{- $f := .flags -}}
{{- if eq .role $name -}}
{{- $port := 0 -}}
{{- range (index $m.roles $name).ports }}{{ if eq .name $f.port }}{{ $port = int .number }}{{ end }}{{ end -}}
{{- $_ := set $s $f.enable "true" -}}
{{- $_ := set $s $f.peerPort (toString $port) -}}
{{- $_ := set $s $f.preemptionWait (toString .wait) -}}
{{- $_ := set $s $f.peerTimeout (toString .timeout) -}}
{{- else -}}
{{- range (index $m.roles .role).ports }}{{ if and .clientFlags (has $name .peers) }}{{ $_ := set $s $f.enable "true" }}{{ end }}{{ end -}}
{{- end -}}
{{- end -}}
{{- with $m.ha.catalogd -}}
{{- if eq .role $name }}{{ $_ := set $s .flags.enable "true" }}{{ end -}}
{{- if eq .flags.elector $name }}{{ $_ := set $s .flags.enable "true" }}{{ $_ := set $s .flags.preemptionWait (toString .wait) }}{{ end -}}
{{- end -}}
{{- toJson $s -}}
{{- end -}}
