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
{{- $autoscaling := dict -}}
{{- with $g.autoscaling -}}
{{- if not (kindIs "invalid" $g.replicas) }}{{ fail (printf "%s.replicas: the autoscaler sets the pod count of an autoscaled group; set autoscaling.minReplicas and maxReplicas instead" $at) }}{{ end -}}
{{- $drain := 0 -}}
{{- with $role.drain }}{{ $drain = add (int (dig "deadlineSeconds" .deadlineSeconds ($rv.drain | default dict))) 30 }}{{ end -}}
{{- $autoscaling = include "impala.autoscaling" (list $ (printf "%s.autoscaling" $at) . $pool $drain) | fromJson -}}
{{- end -}}
{{- /* An autoscaled group is sized for planning at its fewest pods. */ -}}
{{- $replicas := int (ternary 1 $g.replicas (kindIs "invalid" $g.replicas)) -}}
{{- with $autoscaling }}{{ $replicas = int .minReplicas }}{{ end -}}
{{- $minSize := int (ternary 1 $g.minSize (kindIs "invalid" $g.minSize)) -}}
{{- if or (lt $minSize 1) (gt $minSize (max $replicas 1)) }}{{ fail (printf "%s.minSize: %d is not a minimum size of group '%s': 1 to %d, the fewest pods it runs, or the group is never healthy and its pool's queries wait" $at $minSize $name (max $replicas 1)) }}{{ end -}}
{{- /* The role's settings, with the group's in their place. */ -}}
{{- $values := deepCopy $rv -}}
{{- range $k := list "nodeSelector" "tolerations" "affinity" }}{{ if hasKey $g . }}{{ $_ := set $values . (index $g .) }}{{ end }}{{ end -}}
{{- /* The group's requests and limits over the role's, name by name. */ -}}
{{- with $g.resources }}{{ $_ := set $values "resources" (merge (deepCopy .) (deepCopy ($rv.resources | default dict))) }}{{ end -}}
{{- $heap := int64 (include "impala.heap" (list $role $values $at)) -}}
{{- include "impala.checkTolerations" (list (printf "%s.tolerations" $at) $g.tolerations) -}}
{{- include "impala.checkAffinity" (list (printf "%s.affinity" $at) $g.affinity) -}}
{{- include "impala.checkResourceNames" (list $at $g.resources) -}}
{{- if hasKey $seen $name }}{{ fail (printf "%s.name: group '%s' is listed twice" $at $name) }}{{ end -}}
{{- $_ := set $seen $name true -}}
{{- $out = append $out (dict "name" $name "impalaName" (ternary (printf "root.%s" $name) $name (ne $pool "")) "pool" $pool "replicas" $replicas "minSize" $minSize "values" $values "heap" $heap "autoscaling" $autoscaling) -}}
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

{{/* A group's autoscaling, as src/spec/autoscaling.rs checks it: (list $ field spec pool drainSeconds), as JSON. */}}
{{- define "impala.autoscaling" -}}
{{- $ := index . 0 -}}{{- $at := index . 1 -}}{{- $a := index . 2 -}}{{- $pool := index . 3 -}}{{- $drain := int (index . 4) -}}
{{- $min := int (ternary 1 $a.minReplicas (kindIs "invalid" $a.minReplicas)) -}}
{{- $max := int ($a.maxReplicas | default 0) -}}
{{- if lt $max 1 }}{{ fail (printf "%s.maxReplicas: %d is not a pod count: 1 or more" $at $max) }}{{ end -}}
{{- if gt $min $max }}{{ fail (printf "%s.minReplicas: %d is more than maxReplicas %d" $at $min $max) }}{{ end -}}
{{- $resources := or (not (kindIs "invalid" $a.cpuUtilization)) (not (kindIs "invalid" $a.memoryUtilization)) -}}
{{- if eq $resources (not (empty $a.prometheus)) }}{{ fail (printf "%s: choose one scaler: cpuUtilization and/or memoryUtilization (a HorizontalPodAutoscaler), or prometheus (a KEDA ScaledObject)" $at) }}{{ end -}}
{{- $out := dict "minReplicas" $min "maxReplicas" $max -}}
{{- if $resources -}}
{{- if eq $min 0 }}{{ fail (printf "%s.minReplicas: a HorizontalPodAutoscaler keeps at least 1 pod (scaling to zero is an alpha feature gate); use prometheus (KEDA) to scale to zero" $at) }}{{ end -}}
{{- $metrics := list -}}
{{- range $name := list "cpu" "memory" -}}
{{- $v := index $a (printf "%sUtilization" $name) -}}
{{- if not (kindIs "invalid" $v) -}}
{{- if or (lt (int $v) 1) (gt (int $v) 1000) }}{{ fail (printf "%s.%sUtilization: %d is not a utilization: 1 to 1000 percent of the pods' request" $at $name (int $v)) }}{{ end -}}
{{- $metrics = append $metrics (dict "type" "Resource" "resource" (dict "name" $name "target" (dict "type" "Utilization" "averageUtilization" (int $v)))) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $out "metrics" $metrics -}}
{{- else -}}
{{- $p := $a.prometheus -}}
{{- $address := toString $p.serverAddress -}}
{{- if or (not (regexMatch "^https?://" $address)) (regexMatch "[[:space:]]" $address) }}{{ fail (printf "%s.prometheus.serverAddress: '%s' is not a Prometheus URL: http:// or https://, no spaces" $at $address) }}{{ end -}}
{{- if lt (int ($p.threshold | default 0)) 1 }}{{ fail (printf "%s.prometheus.threshold: 0 is not a threshold: the metric's value per pod, 1 or more" $at) }}{{ end -}}
{{- if and (eq $min 0) (not $pool) }}{{ fail (printf "%s.minReplicas: the default group serves every pool without a group of its own, so it keeps at least 1 pod" $at) }}{{ end -}}
{{- $query := $p.query -}}
{{- if and (not (kindIs "invalid" $p.query)) (eq (trim (toString $p.query)) "") }}{{ fail (printf "%s.prometheus.query: an empty query" $at) }}{{ end -}}
{{- if kindIs "invalid" $query -}}
{{- $name := regexReplaceAll "[.'-]" ($pool | default "root.default") "_" -}}
{{- if eq ($p.metric | default "queuedQueries") "queuedQueries" -}}
{{- $query = printf "max(impala_admission_controller_agg_num_queued_%s{namespace=\"%s\"})" $name $.Release.Namespace -}}
{{- else -}}
{{- $query = printf "sum(rate(impala_admission_controller_time_in_queue_ms_%s{namespace=\"%s\"}[2m]))" $name $.Release.Namespace -}}
{{- end -}}
{{- end -}}
{{- $_ := set $out "trigger" (dict "type" "prometheus" "metadata" (dict "serverAddress" $address "query" $query "threshold" (toString (int $p.threshold)))) -}}
{{- end -}}
{{- $down := $a.scaleDown | default dict -}}
{{- $window := int (ternary 600 $down.stabilizationWindowSeconds (kindIs "invalid" $down.stabilizationWindowSeconds)) -}}
{{- if gt $window 3600 }}{{ fail (printf "%s.scaleDown.stabilizationWindowSeconds: %d is more than the 3600 seconds Kubernetes allows" $at $window) }}{{ end -}}
{{- $pods := int (ternary 1 $down.podsPerPeriod (kindIs "invalid" $down.podsPerPeriod)) -}}
{{- if lt $pods 1 }}{{ fail (printf "%s.scaleDown.podsPerPeriod: %d is not a pod count: 1 or more" $at $pods) }}{{ end -}}
{{- $period := int (ternary (min (max $drain 15) 1800) $down.periodSeconds (kindIs "invalid" $down.periodSeconds)) -}}
{{- if or (lt $period 1) (gt $period 1800) }}{{ fail (printf "%s.scaleDown.periodSeconds: %d is not a period: 1 to 1800 seconds, as Kubernetes allows" $at $period) }}{{ end -}}
{{- $_ := set $out "behavior" (dict "scaleDown" (dict "stabilizationWindowSeconds" $window "selectPolicy" "Min" "policies" (list (dict "type" "Pods" "value" $pods "periodSeconds" $period)))) -}}
{{- toJson $out -}}
{{- end -}}
