{{/*
HTTP endpoints (values http), as src/spec/http.rs resolves them: (list $ model)
gives a dict with the kind, the Ingress's class, TLS Secret and annotations,
the HTTPRoutes' parents, cookie affinity, the sources and the routes (role,
port, number, the Service that carries the port, host, path, sticky); an
empty dict when off. Fails with the words of `impala-k8s gen`.
*/}}
{{- define "impala.http" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}
{{- $h := $.Values.http | default dict -}}
{{- if $h.enabled -}}
{{- $name := "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" -}}
{{- $kind := $h.kind | default "Ingress" -}}
{{- if eq $kind "Ingress" -}}
{{- if $h.parentRefs }}{{ fail "http.parentRefs: parentRefs are for kind HTTPRoute; an Ingress names ingressClassName" }}{{ end -}}
{{- with $h.ingressClassName }}{{ if not (and (le (len .) 253) (regexMatch $name .)) }}{{ fail (printf "http.ingressClassName: '%s' is not an IngressClass name: lowercase letters, digits, '-' and '.'" .) }}{{ end }}{{ end -}}
{{- with $h.tlsSecretName }}{{ if not (and (le (len .) 253) (regexMatch $name .)) }}{{ fail (printf "http.tlsSecretName: '%s' is not a Secret name: lowercase letters, digits, '-' and '.'" .) }}{{ end }}{{ end -}}
{{- else -}}
{{- range $key := list "ingressClassName" "tlsSecretName" -}}
{{- if index $h $key }}{{ fail (printf "http.%s: %s is for kind Ingress; a Gateway's listener names its class and certificate" $key $key) }}{{ end -}}
{{- end -}}
{{- if not $h.parentRefs }}{{ fail "http.parentRefs: an HTTPRoute attaches to a Gateway: name it (name, and namespace and sectionName where needed)" }}{{ end -}}
{{- range $i, $p := $h.parentRefs -}}
{{- range $key := list "name" "namespace" "sectionName" -}}
{{- with index $p $key }}{{ if not (and (le (len .) 253) (regexMatch $name .)) }}{{ fail (printf "http.parentRefs[%d].%s: '%s' is not a name: lowercase letters, digits, '-' and '.'" $i $key .) }}{{ end }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- include "impala.checkLabels" (list "http.annotations" $h.annotations false) -}}
{{- if not (hasKey $h "sources") }}{{ fail "http.sources: name the ingress controller's (or gateway's) pods: a namespaceSelector and a podSelector; the routed ports admit them alone" }}{{ end -}}
{{- if not $h.sources }}{{ fail "http.sources: an empty list would admit no controller; name its namespace and pods" }}{{ end -}}
{{- include "impala.checkSources" (list "http.sources" $h.sources) -}}
{{- $endpoints := $h.endpoints | default list -}}
{{- if not $endpoints -}}
{{- range $role := $m.running }}{{ range (index $m.roles $role).ports }}{{ if and .sticky .http }}{{ $endpoints = append $endpoints (dict "role" $role "port" .name) }}{{ end }}{{ end }}{{ end -}}
{{- end -}}
{{- $routes := list -}}
{{- $seen := dict -}}
{{- range $i, $e := $endpoints -}}
{{- $at := printf "http.endpoints[%d]" $i -}}
{{- if not (has $e.role $m.running) }}{{ fail (printf "%s.role: '%s' is not a running role" $at $e.role) }}{{ end -}}
{{- $port := dict -}}
{{- $httpPorts := list -}}
{{- range (index $m.roles $e.role).ports }}{{ if eq .name $e.port }}{{ $port = . }}{{ end }}{{ if .http }}{{ $httpPorts = append $httpPorts .name }}{{ end }}{{ end -}}
{{- if not $port }}{{ fail (printf "%s.port: role '%s' has no port '%s'" $at $e.role $e.port) }}{{ end -}}
{{- if not $port.http }}{{ fail (printf "%s.port: port '%s' of role '%s' does not speak HTTP; its HTTP ports: %s" $at $e.port $e.role (join ", " $httpPorts)) }}{{ end -}}
{{- with $e.host }}{{ if not (and (le (len (trimPrefix "*." .)) 253) (regexMatch $name (trimPrefix "*." .))) }}{{ fail (printf "%s.host: '%s' is not a host name: lowercase DNS labels, optionally starting with '*.'" $at .) }}{{ end }}{{ end -}}
{{- $path := $e.path | default "/" -}}
{{- if or (not (hasPrefix "/" $path)) (regexMatch "[\\s?#[:cntrl:]]" $path) }}{{ fail (printf "%s.path: '%s' is not a path prefix: it starts with '/' and has no spaces, '?' or '#'" $at $path) }}{{ end -}}
{{- $key := printf "%s %s" ($e.host | default "*") $path -}}
{{- if hasKey $seen $key }}{{ fail (printf "%s.path: host '%s' and path '%s' are routed twice; give each endpoint its own host or path" $at ($e.host | default "*") $path) }}{{ end -}}
{{- $_ := set $seen $key true -}}
{{- $service := printf "%s-%s" $.Release.Name $e.role -}}
{{- if ne $port.access "external" }}{{ $service = printf "%s-internal" $service }}{{ end -}}
{{- $routes = append $routes (dict "role" $e.role "port" $e.port "number" (int $port.number) "service" $service "host" ($e.host | default "") "path" $path "sticky" $port.sticky) -}}
{{- end -}}
{{- toJson (dict "kind" $kind "ingressClassName" ($h.ingressClassName | default "") "parentRefs" ($h.parentRefs | default list) "annotations" ($h.annotations | default dict) "tlsSecretName" ($h.tlsSecretName | default "") "affinity" (ne ($h.affinity | default "Cookie") "None") "sources" $h.sources "routes" $routes) -}}
{{- else -}}
{{- toJson dict -}}
{{- end -}}
{{- end -}}
