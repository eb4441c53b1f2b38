{{/*
Prometheus (values metrics), as src/spec/metrics.rs resolves it: a dict with
the registry's port and path, the monitor kind (or ""), its labels, interval
and timeout, the sources that reach the port, and the dashboard's labels and
annotations (or no dashboard key); an empty dict when metrics are off. Fails
with the words of `impala-k8s gen`.
*/}}
{{- define "impala.metrics" -}}
{{- $m := .Values.metrics | default dict -}}
{{- if $m.enabled -}}
{{- $reg := .Values.registry -}}
{{- if not $reg.metrics }}{{ fail (printf "metrics.enabled: registry %s declares no metrics endpoint; Prometheus metrics are for Impala 3 and later" $reg.profile) }}{{ end -}}
{{- include "impala.checkLabels" (list "metrics.labels" $m.labels true) -}}
{{- $interval := $m.interval | default "30s" -}}
{{- $timeout := $m.scrapeTimeout | default "10s" -}}
{{- $intervalMs := include "impala.durationMs" (list "metrics.interval" $interval) | int64 -}}
{{- $timeoutMs := include "impala.durationMs" (list "metrics.scrapeTimeout" $timeout) | int64 -}}
{{- if gt $timeoutMs $intervalMs }}{{ fail (printf "metrics.scrapeTimeout: %s is longer than the interval %s; Prometheus refuses a timeout above the interval" $timeout $interval) }}{{ end -}}
{{- if and (hasKey $m "sources") (kindIs "slice" $m.sources) (not $m.sources) -}}
{{- fail "metrics.sources: an empty list would admit no one; omit it for the Prometheus pods of the namespace monitoring, or list the sources" -}}
{{- end -}}
{{- include "impala.checkSources" (list "metrics.sources" $m.sources) -}}
{{- $sources := $m.sources | default (list (dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" "monitoring")) "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/name" "prometheus")))) -}}
{{- $d := $m.dashboard | default dict -}}
{{- include "impala.checkLabels" (list "metrics.dashboard.labels" $d.labels true) -}}
{{- include "impala.checkLabels" (list "metrics.dashboard.annotations" $d.annotations false) -}}
{{- $monitor := $m.monitor | default "PodMonitor" -}}
{{- $out := dict "port" $reg.metrics.port "path" $reg.metrics.path "monitor" (ternary "" $monitor (eq $monitor "None")) "labels" ($m.labels | default dict) "interval" $interval "scrapeTimeout" $timeout "sources" $sources -}}
{{- if or (not (hasKey $d "enabled")) $d.enabled -}}
{{- $_ := set $out "dashboard" (dict "labels" ($d.labels | default (dict "grafana_dashboard" "1")) "annotations" ($d.annotations | default dict)) -}}
{{- end -}}
{{- toJson $out -}}
{{- else -}}
{{- toJson dict -}}
{{- end -}}
{{- end -}}

{{/* A Prometheus duration in milliseconds: (list key duration); fails naming the key. */}}
{{- define "impala.durationMs" -}}
{{- $key := index . 0 -}}{{- $d := toString (index . 1) -}}
{{- $units := list (list "y" 31536000000) (list "w" 604800000) (list "d" 86400000) (list "h" 3600000) (list "m" 60000) (list "s" 1000) (list "ms" 1) -}}
{{- $pattern := "^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$" -}}
{{- if or (not $d) (not (regexMatch $pattern $d)) -}}
{{- fail (printf "%s: '%s' is not a Prometheus duration: a number and a unit (y, w, d, h, m, s, ms), largest first, like 30s or 1m30s" $key $d) -}}
{{- end -}}
{{- $total := 0 -}}
{{- range $i, $unit := $units -}}
{{- $n := regexReplaceAll $pattern $d (printf "${%d}" (add $i 1)) -}}
{{- if $n }}{{ $total = add $total (mul (int64 $n) (index $unit 1)) }}{{ end -}}
{{- end -}}
{{- if eq (int64 $total) 0 }}{{ fail (printf "%s: '%s' is not a scrape period: it must be longer than zero" $key $d) }}{{ end -}}
{{- $total -}}
{{- end -}}
