{{/*
LDAP authentication of clients (values.auth.ldap), as impala-k8s's
src/spec/auth.rs resolves it: the flags (named by the registry's ldap block)
of the roles that serve clients, and the bind password's Secret and the LDAP
server's CA they mount. Fails with the same words as `impala-k8s gen`.
(list $ tls) -> JSON {flags, volumes, mounts}, or {} without LDAP.
*/}}
{{- define "impala.ldap" -}}
{{- $ := index . 0 -}}{{- $tls := index . 1 -}}
{{- $l := ($.Values.auth | default dict).ldap -}}
{{- $out := dict -}}
{{- if $l -}}
{{- $f := $.Values.registry.ldap -}}
{{- if not $f }}{{ fail (printf "auth.ldap: registry %s declares no LDAP flags, so impala-k8s cannot turn LDAP on for it; set the flags with extraFlags" $.Values.registry.profile) }}{{ end -}}
{{- $clear := $l.allowClearTextPasswords | default false -}}
{{- $flags := dict $f.enable "true" $f.uri (toString $l.uri) -}}
{{- if regexMatch "^ldaps://.+" (toString $l.uri) -}}
{{- if $l.startTls }}{{ fail "auth.ldap.startTls: an ldaps:// URI is TLS already, and Impala ignores ldap_tls with it (be/src/util/ldap-util.cc); remove startTls" }}{{ end -}}
{{- else if regexMatch "^ldap://.+" (toString $l.uri) -}}
{{- if $l.startTls }}{{ $_ := set $flags $f.startTls "true" }}{{ else if not $clear }}{{ fail "auth.ldap.uri: Impala refuses LDAP without TLS, since passwords would cross the network in the clear (be/src/util/ldap-util.cc): use an ldaps:// URI or startTls: true, or set allowClearTextPasswords: true for evaluation" }}{{ end -}}
{{- else -}}
{{- fail (printf "auth.ldap.uri: '%s' is not an LDAP URI: ldaps://HOST[:PORT] or ldap://HOST[:PORT]" (toString $l.uri)) -}}
{{- end -}}
{{- if $clear }}{{ $_ := set $flags $f.passwordsInClearOk "true" }}{{ end -}}
{{- if and (not (and $tls $tls.clients)) (not $clear) }}{{ fail "auth.ldap: LDAP passwords would reach the client ports in the clear: turn on spec.tls.clients, or set allowClearTextPasswords: true for evaluation" }}{{ end -}}
{{- $simple := list -}}
{{- range $k := list "baseDn" "domain" "bindPattern" }}{{ if index $l $k }}{{ $simple = append $simple $k }}{{ end }}{{ end -}}
{{- if $l.searchBind -}}
{{- with $simple }}{{ fail (printf "auth.ldap.%s: %s is for simple bind; search bind finds users under userSearchBaseDn" (first .) (first .)) }}{{ end -}}
{{- $_ := set $flags $f.searchBind "true" -}}
{{- with $l.userSearchBaseDn }}{{ $_ := set $flags $f.userSearchBaseDn . }}{{ end -}}
{{- with $l.groupSearchBaseDn }}{{ $_ := set $flags $f.groupSearchBaseDn . }}{{ end -}}
{{- else -}}
{{- range $k := list "userSearchBaseDn" "groupSearchBaseDn" }}{{ if index $l $k }}{{ fail (printf "auth.ldap.%s: %s is for search bind: set searchBind: true" $k $k) }}{{ end }}{{ end -}}
{{- if gt (len $simple) 1 }}{{ fail (printf "auth.ldap.%s: %s are set; simple bind takes one of baseDn, domain and bindPattern (be/src/util/ldap-simple-bind.cc)" (index $simple 1) (join " and " $simple)) }}{{ end -}}
{{- with $l.bindPattern }}{{ if not (contains "#UID" .) }}{{ fail (printf "auth.ldap.bindPattern: '%s' has no #UID, where Impala puts the user name" .) }}{{ end }}{{ end -}}
{{- range $k := $simple }}{{ $_ := set $flags (get $f $k) (index $l $k) }}{{ end -}}
{{- end -}}
{{- with $l.userFilter }}{{ $_ := set $flags $f.userFilter . }}{{ end -}}
{{- with $l.groupFilter }}{{ $_ := set $flags $f.groupFilter . }}{{ end -}}
{{- with $l.bindDn }}{{ $_ := set $flags $f.bindDn . }}{{ end -}}
{{- $volumes := list -}}{{- $mounts := list -}}
{{- with $l.bindPasswordSecret -}}
{{- if not $l.bindDn }}{{ fail "auth.ldap.bindPasswordSecret: a bind password is bindDn's: set bindDn too" }}{{ end -}}
{{- include "impala.checkSecretKey" (list "auth.ldap.bindPasswordSecret" .) -}}
{{- $_ := set $flags $f.bindPasswordCmd (printf "cat /etc/impala-k8s/ldap-bind/%s" .key) -}}
{{- $volumes = append $volumes (dict "name" "ldap-bind" "secret" (dict "secretName" .name "defaultMode" 288)) -}}
{{- $mounts = append $mounts (dict "name" "ldap-bind" "mountPath" "/etc/impala-k8s/ldap-bind" "readOnly" true) -}}
{{- end -}}
{{- with $l.caCertificate -}}
{{- $key := include "impala.checkBundle" (list "auth.ldap.caCertificate" . "the CA certificate" "ca.crt") -}}
{{- $_ := set $flags $f.caCertificate (printf "/etc/impala-k8s/ldap-ca/%s" $key) -}}
{{- if .secretName }}{{ $volumes = append $volumes (dict "name" "ldap-ca" "secret" (dict "secretName" .secretName "defaultMode" 288)) }}{{ else }}{{ $volumes = append $volumes (dict "name" "ldap-ca" "configMap" (dict "name" .configMapName)) }}{{ end -}}
{{- $mounts = append $mounts (dict "name" "ldap-ca" "mountPath" "/etc/impala-k8s/ldap-ca" "readOnly" true) -}}
{{- end -}}
{{- $out = dict "flags" $flags "volumes" $volumes "mounts" $mounts "managed" (values $f) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* "true" when a role takes gflags and serves clients: (list model roleName). */}}
{{- define "impala.servesClients" -}}
{{- $m := index . 0 -}}{{- $r := index $m.roles (index . 1) -}}
{{- $serves := false -}}
{{- range $r.ports }}{{ if and (eq .access "external") (eq .audience "clients") }}{{ $serves = true }}{{ end }}{{ end -}}
{{- if and $serves (eq ($r.role.config | default "gflags") "gflags") }}true{{ end -}}
{{- end -}}

{{/* "true" when a role takes the LDAP flags: it serves clients, or LDAP logs in to its web UI: (list model roleName). */}}
{{- define "impala.ldapRole" -}}
{{- $m := index . 0 -}}{{- $r := index $m.roles (index . 1) -}}
{{- $webLdap := and $m.webAuth $m.webAuth.ldap (not (empty $r.role.probe.httpPath)) (eq ($r.role.config | default "gflags") "gflags") -}}
{{- if and $m.ldap (or (include "impala.servesClients" .) $webLdap) }}true{{ end -}}
{{- end -}}

{{/* "true" when a role's web UI asks for a login: (list model roleName). */}}
{{- define "impala.webAuthRole" -}}
{{- $m := index . 0 -}}{{- $r := index $m.roles (index . 1) -}}
{{- if and $m.webAuth (not (empty $r.role.probe.httpPath)) (eq ($r.role.config | default "gflags") "gflags") }}true{{ end -}}
{{- end -}}

{{/*
The web UIs' login (values.auth.webUi), as src/spec/auth.rs resolves it:
(list $ tls) -> JSON {flags, ldap, volumes, mounts, managed}, or {}.
*/}}
{{- define "impala.webUiAuth" -}}
{{- $ := index . 0 -}}{{- $tls := index . 1 -}}
{{- $auth := $.Values.auth | default dict -}}
{{- $w := $auth.webUi -}}
{{- $out := dict -}}
{{- if $w -}}
{{- $f := $.Values.registry.webUiAuth -}}
{{- if not $f }}{{ fail (printf "auth.webUi: registry %s declares no web UI login flags; set them with extraFlags" $.Values.registry.profile) }}{{ end -}}
{{- $flags := dict -}}{{- $volumes := list -}}{{- $mounts := list -}}
{{- if gt (len (compact (list $w.passwordSecret $w.ldap $w.spnego))) 1 }}{{ fail "auth.webUi: the web UIs take one login: a password file, LDAP or SPNEGO (be/src/util/webserver.cc)" }}{{ end -}}
{{- if not (or $w.passwordSecret $w.ldap $w.spnego) }}{{ fail "auth.webUi: give the web UIs a login: passwordSecret (an htdigest file), ldap: true or spnego: true" }}{{ end -}}
{{- if $w.spnego -}}
{{- if not (and $auth.kerberos $.Values.registry.kerberos) }}{{ fail "auth.webUi.spnego: SPNEGO logins use spec.auth.kerberos's principal and keytab: set spec.auth.kerberos" }}{{ end -}}
{{- if $w.realm }}{{ fail "auth.webUi.realm: a realm is the password file's; SPNEGO logins take none" }}{{ end -}}
{{- $_ := set $flags $.Values.registry.kerberos.webUiSpnego "true" -}}
{{- end -}}
{{- with $w.passwordSecret -}}
{{- if or (not $w.realm) (contains ":" (toString $w.realm)) }}{{ fail "auth.webUi.realm: the password file's entries name a realm (user:realm:hash): give it, without ':'" }}{{ end -}}
{{- $_ := set $flags $f.passwordFile (printf "/etc/impala-k8s/webui-auth/%s" .key) -}}
{{- $_ := set $flags $f.realm (toString $w.realm) -}}
{{- $volumes = list (dict "name" "webui-auth" "secret" (dict "secretName" .name "defaultMode" 288)) -}}
{{- $mounts = list (dict "name" "webui-auth" "mountPath" "/etc/impala-k8s/webui-auth" "readOnly" true) -}}
{{- end -}}
{{- if $w.ldap -}}
{{- if not $auth.ldap }}{{ fail "auth.webUi.ldap: web UI logins by LDAP use spec.auth.ldap's server and bind settings: set spec.auth.ldap" }}{{ end -}}
{{- if $w.realm }}{{ fail "auth.webUi.realm: a realm is the password file's; LDAP logins take none" }}{{ end -}}
{{- $_ := set $flags $f.requireLdap "true" -}}
{{- if not (and $tls $tls.webUi) -}}
{{- if not $auth.ldap.allowClearTextPasswords }}{{ fail "auth.webUi.ldap: LDAP passwords would reach the web UIs in the clear: turn on spec.tls.webUi, or set spec.auth.ldap.allowClearTextPasswords: true for evaluation" }}{{ end -}}
{{- $_ := set $flags $f.ldapPasswordsInClearOk "true" -}}
{{- end -}}
{{- end -}}
{{- $managed := values $f -}}
{{- with $.Values.registry.kerberos }}{{ $managed = append $managed .webUiSpnego }}{{ end -}}
{{- $out = dict "flags" $flags "ldap" ($w.ldap | default false) "volumes" $volumes "mounts" $mounts "managed" $managed -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
Kerberos (values.auth.kerberos), as src/spec/kerberos.rs resolves it:
JSON {flags, settings, volumes, mounts, clusterDomain}, or {}.
*/}}
{{- define "impala.kerberos" -}}
{{- $k := (.Values.auth | default dict).kerberos -}}
{{- $out := dict -}}
{{- if $k -}}
{{- $f := .Values.registry.kerberos -}}
{{- if not $f }}{{ fail (printf "auth.kerberos: registry %s declares no Kerberos flags; set them with extraFlags" .Values.registry.profile) }}{{ end -}}
{{- $principal := "^[^/\\s]+/_HOST@[^\\s]+$" -}}
{{- if not (regexMatch $principal (toString $k.principal)) }}{{ fail (printf "auth.kerberos.principal: '%s' is not a service principal of every daemon: SERVICE/_HOST@REALM, such as impala/_HOST@CORP.EXAMPLE.COM (_HOST becomes each daemon's name)" (toString $k.principal)) }}{{ end -}}
{{- $settings := dict $f.principal $k.principal $f.useResolvedHostname "false" -}}
{{- with $k.internalPrincipal -}}
{{- if not (regexMatch $principal .) }}{{ fail (printf "auth.kerberos.internalPrincipal: '%s' is not a service principal of every daemon: SERVICE/_HOST@REALM, such as impala/_HOST@CORP.EXAMPLE.COM (_HOST becomes each daemon's name)" .) }}{{ end -}}
{{- $_ := set $settings $f.bePrincipal . -}}
{{- end -}}
{{- include "impala.checkSecretKey" (list "auth.kerberos.keytabSecret" $k.keytabSecret) -}}
{{- $_ := set $settings $f.keytabFile (printf "/etc/impala-k8s/kerberos/%s" $k.keytabSecret.key) -}}
{{- $conf := $k.krb5Conf | default dict -}}
{{- $key := include "impala.checkBundle" (list "auth.kerberos.krb5Conf" $conf "krb5.conf" "krb5.conf") -}}
{{- $_ := set $settings $f.krb5Conf (printf "/etc/impala-k8s/krb5/%s" $key) -}}
{{- $domain := $k.clusterDomain | default "cluster.local" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $domain) }}{{ fail (printf "auth.kerberos.clusterDomain: '%s' is not a DNS domain: lowercase labels of letters, digits and '-'" $domain) }}{{ end -}}
{{- $krb5 := dict "name" "krb5" -}}
{{- if $conf.secretName }}{{ $_ := set $krb5 "secret" (dict "secretName" $conf.secretName) }}{{ else }}{{ $_ := set $krb5 "configMap" (dict "name" $conf.configMapName) }}{{ end -}}
{{- $volumes := list (dict "name" "kerberos" "secret" (dict "secretName" $k.keytabSecret.name "defaultMode" 288)) $krb5 -}}
{{- $mounts := list (dict "name" "kerberos" "mountPath" "/etc/impala-k8s/kerberos" "readOnly" true) (dict "name" "krb5" "mountPath" "/etc/impala-k8s/krb5" "readOnly" true) -}}
{{- $out = dict "flags" $f "settings" $settings "volumes" $volumes "mounts" $mounts "clusterDomain" $domain -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
