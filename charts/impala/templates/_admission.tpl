{{/*
Admission control pools (values.admission.pools), as src/spec/admission.rs
checks and renders them: fair-scheduler.xml (a queue per pool under root,
which admits nobody itself) and llama-site.xml (each limit the values set,
keyed by root.<pool>). Mounted outside the configuration checksum: Impala
reloads both files within about 10 seconds, and no pod restarts.
*/}}

{{/* A whole quantity of bytes of at least 1Mi, in bytes; fails with the field otherwise: (list field value). */}}
{{- define "impala.poolBytes" -}}
{{- $field := index . 0 -}}{{- $q := toString (index . 1) -}}
{{- $unit := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 -}}
{{- $suffix := regexReplaceAll "^[0-9]+" $q "" -}}
{{- $bytes := 0 -}}
{{- if and (regexMatch "^[0-9]+[A-Za-z]*$" $q) (hasKey $unit $suffix) }}{{ $bytes = mul (int64 (regexFind "^[0-9]+" $q)) (get $unit $suffix) }}{{ end -}}
{{- if lt (int64 $bytes) 1048576 }}{{ fail (printf "%s: '%s' is not a memory size: a whole quantity of at least 1Mi, such as 8Gi" $field $q) }}{{ end -}}
{{- int64 $bytes -}}
{{- end -}}

{{/* The pools and their files: {flags, roles, files} as JSON, or {} without pools. */}}
{{- define "impala.admission" -}}
{{- $pools := (.Values.admission | default dict).pools | default list -}}
{{- $out := dict -}}
{{- if $pools -}}
{{- $reg := .Values.registry -}}
{{- if not $reg.admission }}{{ fail (printf "admission.pools: registry %s declares no admission pool flags; pools are for Impala 3.x and later" $reg.profile) }}{{ end -}}
{{- $byName := dict -}}
{{- $site := dict -}}
{{- range $i, $p := $pools -}}
{{- $at := printf "admission.pools[%d]" $i -}}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" (toString $p.name)) }}{{ fail (printf "%s.name: '%s' is not a pool name: letters, digits, '_' and '-' (the pool is root.<name>)" $at (toString $p.name)) }}{{ end -}}
{{- if hasKey $byName $p.name }}{{ fail (printf "%s.name: pool '%s' is listed twice" $at $p.name) }}{{ end -}}
{{- $_ := set $byName $p.name $p -}}
{{- $key := printf "%%s.root.%s" $p.name -}}
{{- if not (kindIs "invalid" $p.maxRunningQueries) -}}
{{- if lt (int64 $p.maxRunningQueries) -1 }}{{ fail (printf "%s.maxRunningQueries: %d is not a limit: -1 for none, 0 or more" $at (int64 $p.maxRunningQueries)) }}{{ end -}}
{{- $_ := set $site (printf $key "llama.am.throttling.maximum.placed.reservations") (toString (int64 $p.maxRunningQueries)) -}}
{{- end -}}
{{- if not (kindIs "invalid" $p.maxQueuedQueries) -}}
{{- if lt (int64 $p.maxQueuedQueries) 0 }}{{ fail (printf "%s.maxQueuedQueries: %d is not a limit: 0 or more" $at (int64 $p.maxQueuedQueries)) }}{{ end -}}
{{- $_ := set $site (printf $key "llama.am.throttling.maximum.queued.reservations") (toString (int64 $p.maxQueuedQueries)) -}}
{{- end -}}
{{- with $p.queueTimeoutMs }}{{ $_ := set $site (printf $key "impala.admission-control.pool-queue-timeout-ms") (toString (int64 .)) }}{{ end -}}
{{- $min := 0 -}}{{- $max := 0 -}}
{{- with $p.minQueryMemoryLimit }}{{ $min = include "impala.poolBytes" (list (printf "%s.minQueryMemoryLimit" $at) .) }}{{ $_ := set $site (printf $key "impala.admission-control.min-query-mem-limit") $min }}{{ end -}}
{{- with $p.maxQueryMemoryLimit }}{{ $max = include "impala.poolBytes" (list (printf "%s.maxQueryMemoryLimit" $at) .) }}{{ $_ := set $site (printf $key "impala.admission-control.max-query-mem-limit") $max }}{{ end -}}
{{- with $p.maxMemory }}{{ $_ := include "impala.poolBytes" (list (printf "%s.maxMemory" $at) .) }}{{ end -}}
{{- if and $p.minQueryMemoryLimit $p.maxQueryMemoryLimit (gt (int64 $min) (int64 $max)) }}{{ fail (printf "%s.minQueryMemoryLimit: the minimum query memory limit (%s) is above the maximum (%s)" $at $p.minQueryMemoryLimit $p.maxQueryMemoryLimit) }}{{ end -}}
{{- if not (kindIs "invalid" $p.clampMemoryLimitQueryOption) }}{{ $_ := set $site (printf $key "impala.admission-control.clamp-mem-limit-query-option") (toString $p.clampMemoryLimitQueryOption) }}{{ end -}}
{{- $options := list -}}
{{- range $k, $v := ($p.defaultQueryOptions | default dict) -}}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" $k) }}{{ fail (printf "%s.defaultQueryOptions.%s: '%s' is not a query option name: letters, digits and '_'" $at $k $k) }}{{ end -}}
{{- if or (eq (toString $v) "") (regexMatch "[,=[:cntrl:]]" (toString $v)) }}{{ fail (printf "%s.defaultQueryOptions.%s: '%s' cannot be a pool's default: Impala reads the options as key=value pairs joined by ',', so a value is not empty and has no ',' or '='" $at $k (toString $v)) }}{{ end -}}
{{- $options = append $options (printf "%s=%s" $k $v) -}}
{{- end -}}
{{- with $options }}{{ $_ := set $site (printf $key "impala.admission-control.pool-default-query-options") (join "," .) }}{{ end -}}
{{- with $p.submitters -}}
{{- range $what := list "users" "groups" -}}
{{- range $j, $n := (index $p.submitters $what | default list) -}}
{{- if or (eq $n "") (regexMatch "[,[:space:][:cntrl:]]" $n) }}{{ fail (printf "%s.submitters.%s[%d]: '%s' is not a name a queue ACL can hold: no spaces, ',' or control characters" $at $what $j $n) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not (hasKey $byName "default") }}{{ $_ := set $byName "default" (dict "name" "default") }}{{ end -}}
{{- $xml := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<allocations>\n  <queue name=\"root\">\n    <aclSubmitApps> </aclSubmitApps>\n" -}}
{{- range $name := keys $byName | sortAlpha -}}
{{- $p := index $byName $name -}}
{{- $xml = printf "%s    <queue name=\"%s\">\n" $xml $name -}}
{{- with $p.maxMemory }}{{ $xml = printf "%s      <maxResources>%d mb, 0 vcores</maxResources>\n" $xml (div (int64 (include "impala.poolBytes" (list "" .))) 1048576) }}{{ end -}}
{{- $acl := "*" -}}
{{- with $p.submitters }}{{ $acl = printf "%s %s" (join "," (.users | default list)) (join "," (.groups | default list)) }}{{ end -}}
{{- $xml = printf "%s      <aclSubmitApps>%s</aclSubmitApps>\n    </queue>\n" $xml $acl -}}
{{- end -}}
{{- $xml = printf "%s  </queue>\n  <queuePlacementPolicy>\n    <rule name=\"specified\" create=\"false\"/>\n    <rule name=\"default\"/>\n  </queuePlacementPolicy>\n</allocations>\n" $xml -}}
{{- $flags := dict $reg.admission.allocationFile "/opt/impala/admission/fair-scheduler.xml" $reg.admission.llamaSite "/opt/impala/admission/llama-site.xml" -}}
{{- $out = dict "flags" $flags "roles" $reg.admission.roles "pools" (keys $byName | sortAlpha) "files" (dict "fair-scheduler.xml" $xml "llama-site.xml" (include "impala.hadoopXml" $site)) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
