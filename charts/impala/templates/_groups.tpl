{{/*
Executor groups (values.executorGroups), as src/spec/groups.rs checks them:
each its own StatefulSet (<release>-executor-<name>), used by the pool its
name starts with (<pool>-...), or "default" for every pool without a group.
*/}}

{{/* The groups: (list $ admission), as JSON [{name, impalaName, pool, replicas, minSize, values, heap}]. */}}
{{- define "impala.groups" -}}
{{- $ := index . 0 -}}{{- $admission := index . 1 -}}
{{- $specs := $.Values.executorGroups | default list -}}
{{- $out := list -}}
{{- if $specs -}}
{{- $flags := $.Values.registry.executorGroups -}}
{{- if not $flags }}{{ fail (printf "executorGroups: registry %s declares no executor groups; they are for Impala 3.3 and later" $.Values.registry.profile) }}{{ end -}}
{{- $role := dict -}}
{{- range $.Values.registry.roles }}{{ if eq .name $flags.role }}{{ $role = . }}{{ end }}{{ end -}}
{{- $rv := index $.Values.roles $flags.role | default dict -}}
{{- $pools := $admission.pools | default list -}}
{{- $seen := dict -}}
{{- range $i, $g := $specs -}}
{{- $at := printf "executorGroups[%d]" $i -}}
{{- $name := toString $g.name -}}
{{- if not (and (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $name) (le (len $name) 63)) }}{{ fail (printf "%s.name: '%s' is not a group name: lowercase letters, digits and '-', as it names the group's StatefulSet" $at $name) }}{{ end -}}
{{- $pool := "" -}}
{{- if ne $name $flags.defaultGroup -}}
{{- range $pools }}{{ if and (hasPrefix (printf "%s-" .) $name) (gt (len .) (len $pool)) }}{{ $pool = . }}{{ end }}{{ end -}}
{{- if not $pool -}}
{{- fail (printf "%s.name: no pool would use group '%s': a query of pool P runs on the groups named 'P-...' (Impala's pool-prefix rule), else on the group '%s', and %s; name it '<pool>-<suffix>' or '%s'" $at $name $flags.defaultGroup (ternary "spec.admission lists no pools" (printf "the pools are: %s" (join ", " $pools)) (empty $pools)) $flags.defaultGroup) -}}
{{- end -}}
{{- $pool = printf "root.%s" $pool -}}
{{- end -}}
{{- $replicas := int (ternary 1 $g.replicas (kindIs "invalid" $g.replicas)) -}}
{{- $minSize := int (ternary 1 $g.minSize (kindIs "invalid" $g.minSize)) -}}
{{- if or (lt $minSize 1) (gt $minSize (max $replicas 1)) }}{{ fail (printf "%s.minSize: %d is not a minimum size of group '%s': 1 to its %d replicas, or the group is never healthy and its pool's queries wait" $at $minSize $name $replicas) }}{{ end -}}
{{- /* The role's settings, with the group's in their place. */ -}}
{{- $values := deepCopy $rv -}}
{{- range $k := list "nodeSelector" "tolerations" "affinity" }}{{ if hasKey $g . }}{{ $_ := set $values . (index $g .) }}{{ end }}{{ end -}}
{{- /* The group's requests and limits over the role's, name by name. */ -}}
{{- with $g.resources }}{{ $_ := set $values "resources" (merge (deepCopy .) (deepCopy ($rv.resources | default dict))) }}{{ end -}}
{{- $heap := int64 (include "impala.heap" (list $role $values $at)) -}}
{{- if hasKey $seen $name }}{{ fail (printf "%s.name: group '%s' is listed twice" $at $name) }}{{ end -}}
{{- $_ := set $seen $name true -}}
{{- $out = append $out (dict "name" $name "impalaName" (ternary (printf "root.%s" $name) $name (ne $pool "")) "pool" $pool "replicas" $replicas "minSize" $minSize "values" $values "heap" $heap) -}}
{{- end -}}
{{- $hasDefault := false -}}
{{- range $out }}{{ if not .pool }}{{ $hasDefault = true }}{{ end }}{{ end -}}
{{- if not $hasDefault -}}
{{- range $p := $pools -}}
{{- $served := false -}}
{{- range $out }}{{ if eq .pool (printf "root.%s" $p) }}{{ $served = true }}{{ end }}{{ end -}}
{{- if not $served }}{{ fail (printf "executorGroups: pool '%s'%s has no executor group, so its queries would wait until they time out: add a group '%s-<suffix>', or a group '%s' for every pool without one" $p (ternary " (queries that name no pool go there)" "" (eq $p "default")) $p $flags.defaultGroup) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The flags of the role that plans queries, with groups: (list $ model roleName), as JSON. */}}
{{- define "impala.plannerSettings" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}{{- $name := index . 2 -}}
{{- $s := dict -}}
{{- $flags := $.Values.registry.executorGroups -}}
{{- if and $flags $m.groups (eq $flags.planner $name) -}}
{{- $default := dict -}}
{{- range $m.groups }}{{ if not .pool }}{{ $default = . }}{{ end }}{{ end -}}
{{- if $default -}}
{{- $_ := set $s $flags.expectedExecutors (toString (max (int $default.replicas) 1)) -}}
{{- else -}}
{{- $sets := dict -}}
{{- range $m.groups }}{{ $_ := set $sets .pool (max (int .replicas) 1 (int (get $sets .pool | default 0))) }}{{ end -}}
{{- $list := list -}}
{{- range $pool := keys $sets | sortAlpha }}{{ $list = append $list (printf "%s:%d" $pool (int (get $sets $pool))) }}{{ end -}}
{{- $_ := set $s $flags.expectedSets (join "," $list) -}}
{{- end -}}
{{- end -}}
{{- toJson $s -}}
{{- end -}}
