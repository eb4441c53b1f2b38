{{/*
TLS (values.tls), as impala-k8s's src/spec/tls.rs resolves it: which
endpoints, the certificate's Secret (given, or <release>-tls from
cert-manager), the CA bundle, and the version and cipher flags. The flag
names come from the registry's tls block. Fails with the same words as
`impala-k8s gen`.
*/}}
{{- define "impala.tls" -}}
{{- $t := .Values.tls | default dict -}}
{{- $out := dict -}}
{{- if $t -}}
{{- $f := .Values.registry.tls -}}
{{- if not $f }}{{ fail (printf "tls: registry %s declares no TLS flags, so impala-k8s cannot turn TLS on for it; set the flags with extraFlags and mount the files with extraVolumes" .Values.registry.profile) }}{{ end -}}
{{- if not (or $t.clients $t.internal $t.webUi) }}{{ fail "tls: no endpoint uses the certificate: set clients, internal or webUi to true" }}{{ end -}}
{{- if and $t.internal (not $t.clients) }}{{ fail "tls.internal: Impala serves clients and peers with one certificate, so TLS between daemons turns it on for the client ports too (be/src/util/openssl-util.cc); set clients: true as well" }}{{ end -}}
{{- if and $t.secretName $t.certManager }}{{ fail "tls: set secretName (an existing Secret) or certManager, not both" }}{{ end -}}
{{- if not (or $t.secretName $t.certManager) }}{{ fail "tls: the certificate comes from secretName (an existing kubernetes.io/tls Secret) or certManager; set one" }}{{ end -}}
{{- $name := "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" -}}
{{- $secret := printf "%s-tls" .Release.Name -}}
{{- with $t.secretName }}{{ if not (regexMatch $name .) }}{{ fail (printf "tls.secretName: '%s' is not a Secret name: lowercase letters, digits, '-' and '.'" .) }}{{ end }}{{ $secret = . }}{{ end -}}
{{- with $t.certManager -}}
{{- if not (regexMatch $name (toString .issuerRef.name)) }}{{ fail (printf "tls.certManager.issuerRef.name: '%s' is not a cert-manager issuer name: lowercase letters, digits, '-' and '.'" (toString .issuerRef.name)) }}{{ end -}}
{{- $kind := .issuerRef.kind | default "Issuer" -}}
{{- if and (not (has $kind (list "Issuer" "ClusterIssuer"))) (eq (.issuerRef.group | default "cert-manager.io") "cert-manager.io") }}{{ fail (printf "tls.certManager.issuerRef.kind: '%s' is not a cert-manager issuer kind: Issuer or ClusterIssuer (an external issuer names its group)" $kind) }}{{ end -}}
{{- range $i, $d := (.dnsNames | default list) }}{{ if not (regexMatch $name (trimPrefix "*." $d)) }}{{ fail (printf "tls.certManager.dnsNames[%d]: '%s' is not a DNS name: lowercase labels of letters, digits and '-', optionally starting with '*.'" $i $d) }}{{ end }}{{ end -}}
{{- range $k := list "duration" "renewBefore" }}{{ with index $.Values.tls.certManager $k }}{{ if not (regexMatch "^([0-9]+[hms])+$" .) }}{{ fail (printf "tls.certManager.%s: '%s' is not a duration: hours, minutes and seconds such as 2160h or 720h30m" $k .) }}{{ end }}{{ end }}{{ end -}}
{{- end -}}
{{- $caPath := "/etc/impala-k8s/tls/ca.crt" -}}
{{- $caVolume := dict -}}
{{- $reloadConfigMaps := "" -}}
{{- $reloadSecrets := list $secret -}}
{{- /* The CA bundle as a Prometheus Operator tlsConfig.ca names it. */ -}}
{{- $caRef := dict "secret" (dict "name" $secret "key" "ca.crt") -}}
{{- with $t.ca -}}
{{- if not $t.internal }}{{ fail "tls.ca: only TLS between daemons verifies with a CA bundle; set internal: true, or remove ca" }}{{ end -}}
{{- $key := include "impala.checkBundle" (list "tls.ca" . "the CA bundle" "ca.crt") -}}
{{- $caPath = printf "/etc/impala-k8s/tls-ca/%s" $key -}}
{{- if and .secretName (not .configMapName) -}}
{{- $caVolume = dict "name" "tls-ca" "secret" (dict "secretName" .secretName "defaultMode" 288) -}}
{{- $caRef = dict "secret" (dict "name" .secretName "key" $key) -}}
{{- $reloadSecrets = append $reloadSecrets .secretName -}}
{{- else -}}
{{- $caVolume = dict "name" "tls-ca" "configMap" (dict "name" .configMapName) -}}
{{- $caRef = dict "configMap" (dict "name" .configMapName "key" $key) -}}
{{- $reloadConfigMaps = .configMapName -}}
{{- end -}}
{{- end -}}
{{- $settings := dict -}}
{{- with $t.minimumVersion }}{{ if not (has . $f.versions) }}{{ fail (printf "tls.minimumVersion: '%s' is not a TLS version Impala takes: %s" . (join ", " $f.versions)) }}{{ end }}{{ $_ := set $settings $f.minimumVersion . }}{{ end -}}
{{- range $k, $flag := dict "cipherList" $f.cipherList "ciphersuites" $f.ciphersuites -}}
{{- with index $t $k }}{{ if regexMatch "\\s" . }}{{ fail (printf "tls.%s: '%s' is not a cipher list: names joined by ':', without spaces" $k .) }}{{ end }}{{ $_ := set $settings $flag . }}{{ end -}}
{{- end -}}
{{- $volumes := list (dict "name" "tls" "secret" (dict "secretName" $secret "defaultMode" 288)) -}}
{{- $mounts := list (dict "name" "tls" "mountPath" "/etc/impala-k8s/tls" "readOnly" true) -}}
{{- if $caVolume }}{{ $volumes = append $volumes $caVolume }}{{ $mounts = append $mounts (dict "name" "tls-ca" "mountPath" "/etc/impala-k8s/tls-ca" "readOnly" true) }}{{ end -}}
{{- $reload := dict "secret.reloader.stakater.com/reload" (join "," $reloadSecrets) -}}
{{- with $reloadConfigMaps }}{{ $_ := set $reload "configmap.reloader.stakater.com/reload" . }}{{ end -}}
{{- $out = dict "clients" ($t.clients | default false) "internal" ($t.internal | default false) "webUi" ($t.webUi | default false) "secret" $secret "caPath" $caPath "settings" $settings "volumes" $volumes "mounts" $mounts "reload" $reload "flags" $f "caRef" $caRef -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The TLS flags of a role: (list model roleName), as JSON {flags, webUi}; {} for none. */}}
{{- define "impala.roleTls" -}}
{{- $m := index . 0 -}}{{- $name := index . 1 -}}
{{- $t := $m.tls -}}
{{- $r := index $m.roles $name -}}
{{- $out := dict -}}
{{- if and $t (eq ($r.role.config | default "gflags") "gflags") -}}
{{- $f := $t.flags -}}
{{- $flags := dict -}}
{{- $servesClients := false -}}
{{- range $r.ports }}{{ if and (eq .access "external") (eq .audience "clients") }}{{ $servesClients = true }}{{ end }}{{ end -}}
{{- if or $t.internal (and $t.clients $servesClients) -}}
{{- $_ := set $flags $f.certificate "/etc/impala-k8s/tls/tls.crt" -}}
{{- $_ := set $flags $f.privateKey "/etc/impala-k8s/tls/tls.key" -}}
{{- range $k, $v := $t.settings }}{{ $_ := set $flags $k $v }}{{ end -}}
{{- end -}}
{{- if $t.internal }}{{ $_ := set $flags $f.caCertificate $t.caPath }}{{ end -}}
{{- $web := and $t.webUi (not (empty $r.role.probe.httpPath)) -}}
{{- if $web -}}
{{- $_ := set $flags $f.webCertificate "/etc/impala-k8s/tls/tls.crt" -}}
{{- $_ := set $flags $f.webPrivateKey "/etc/impala-k8s/tls/tls.key" -}}
{{- end -}}
{{- if $flags }}{{ $out = dict "flags" $flags "webUi" $web }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
