{{/*
The chart iterates over the port registry in .Values.registry: no port is
written in a template. "impala.model" resolves the values against the registry
once (running roles, port numbers, access, audiences, peers) and fails on
anything it cannot honour; every template reads the model.
*/}}

{{/* Recommended labels: (list $ component), component "" for none. */}}
{{- define "impala.labels" -}}
{{- $ := index . 0 -}}
{{- $l := include "impala.selector" . | fromJson -}}
{{- $_ := set $l "app.kubernetes.io/version" $.Values.image.tag -}}
{{- $_ := set $l "app.kubernetes.io/part-of" "impala" -}}
{{- $_ := set $l "app.kubernetes.io/managed-by" $.Release.Service -}}
{{- $_ := set $l "helm.sh/chart" (printf "%s-%s" $.Chart.Name ($.Chart.Version | replace "+" "_")) -}}
{{- toJson $l -}}
{{- end -}}

{{/* Selector labels: (list $ component), component "" for the whole release. */}}
{{- define "impala.selector" -}}
{{- $ := index . 0 -}}
{{- $l := dict "app.kubernetes.io/name" "impala" "app.kubernetes.io/instance" $.Release.Name -}}
{{- with index . 1 }}{{ $_ := set $l "app.kubernetes.io/component" . }}{{ end -}}
{{- toJson $l -}}
{{- end -}}

{{/* Object metadata: (list $ name component). */}}
{{- define "impala.meta" -}}
{{- $ := index . 0 -}}
{{- toJson (dict "name" (index . 1) "namespace" $.Release.Namespace "labels" (include "impala.labels" (list $ (index . 2)) | fromJson)) -}}
{{- end -}}

{{/* A Hadoop configuration file from a dict of properties, sorted by name. */}}
{{- define "impala.hadoopXml" -}}
{{- $out := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n" -}}
{{- range $k, $v := . -}}
{{- $out = printf "%s  <property>\n    <name>%s</name>\n    <value>%s</value>\n  </property>\n" $out (include "impala.xmlEscape" $k) (include "impala.xmlEscape" (toString $v)) -}}
{{- end -}}
{{- printf "%s</configuration>\n" $out -}}
{{- end -}}

{{- define "impala.xmlEscape" -}}
{{- . | replace "&" "&amp;" | replace "<" "&lt;" | replace ">" "&gt;" | replace "'" "&apos;" | replace "\"" "&quot;" -}}
{{- end -}}

{{/* The model: the values resolved against the registry. */}}
{{- define "impala.model" -}}
{{- include "impala.checks" . -}}
{{- $ := . -}}
{{- $reg := .Values.registry -}}
{{- /* A port entry may name several roles (roles: [coordinator, executor]): one port of each. */ -}}
{{- $regPorts := list -}}
{{- $webUiAuth := not (empty ($.Values.auth | default dict).webUi) -}}
{{- $ha := include "impala.ha" . | fromJson -}}
{{- $metrics := include "impala.metrics" . | fromJson -}}
{{- range $reg.ports -}}
{{- /* A port with a condition (the metrics webserver with web UI logins or metrics, the statestored pair's HA port) exists only then. */ -}}
{{- if or (not .when) (and (eq .when "webUiAuth") $webUiAuth) (and (eq .when "statestoredHa") $ha.statestored) (and (eq .when "metrics") (or $webUiAuth $metrics)) -}}
{{- $entry := omit . "roles" "when" -}}
{{- if .roles }}{{ range .roles }}{{ $regPorts = append $regPorts (merge (dict "role" .) $entry) }}{{ end }}{{ else }}{{ $regPorts = append $regPorts $entry }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $roleNames := list -}}
{{- range $reg.roles }}{{ $roleNames = append $roleNames .name }}{{ end -}}
{{- range $name, $v := .Values.roles -}}
{{- if not (has $name $roleNames) -}}
{{- fail (printf "roles.%s: '%s' is not a role of the registry %s; the roles are: %s (set roles.%s: null to drop a role of the chart's default registry)" $name $name $reg.profile (join ", " $roleNames) $name) -}}
{{- end -}}
{{- end -}}
{{- /* Which roles run. */ -}}
{{- $running := list -}}
{{- range $reg.roles -}}
{{- $rv := index $.Values.roles .name | default dict -}}
{{- $enabled := true -}}
{{- if .optional }}{{ $enabled = $rv.enabled | default false }}{{ else if and (hasKey $rv "enabled") (not $rv.enabled) -}}
{{- fail (printf "roles.%s.enabled: role '%s' is required and cannot be disabled" .name .name) -}}
{{- end -}}
{{- if $enabled }}{{ $running = append $running .name }}{{ end -}}
{{- end -}}
{{- /* Each running role. */ -}}
{{- $roles := dict -}}
{{- $nodePorts := dict -}}
{{- range $reg.roles -}}
{{- $role := . -}}
{{- if has .name $running -}}
{{- $rv := index $.Values.roles .name | default dict -}}
{{- $svc := $rv.service | default dict -}}
{{- /* The cluster's Service type is for client endpoints: a role that serves only administrators (web UIs) keeps ClusterIP unless it asks. */ -}}
{{- $servesClients := false -}}
{{- range $regPorts -}}
{{- if eq .role $role.name -}}
{{- $given := dig .name "" ($rv.access | default dict) -}}
{{- if $given }}{{ if and (eq $given "external") (or (eq .access "internal") (eq (.audience | default "clients") "clients")) }}{{ $servesClients = true }}{{ end -}}
{{- else if and (eq .access "external") (eq (.audience | default "clients") "clients") }}{{ $servesClients = true }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $type := $svc.type | default (ternary $.Values.serviceType "ClusterIP" $servesClients) -}}
{{- $singleton := eq (int (.replicas.max | default 0)) 1 -}}
{{- $replicas := int (ternary .replicas.default $rv.replicaCount (kindIs "invalid" $rv.replicaCount)) -}}
{{- /* A pair runs 2 pods; replicaCount keeps its default 1 or says 2. */ -}}
{{- if or (eq (dig "statestored" "role" "" $ha) .name) (eq (dig "catalogd" "role" "" $ha) .name) -}}
{{- if not (or (eq $replicas 1) (eq $replicas 2)) }}{{ fail (printf "roles.%s.replicaCount: role '%s' runs as a pair (ha.enabled) of exactly 2 pods, not %d" .name .name $replicas) }}{{ end -}}
{{- $replicas = 2 -}}{{- $singleton = false -}}
{{- end -}}
{{- if and $singleton (ne $replicas 1) -}}
{{- fail (printf "roles.%s.replicaCount: role '%s' is a singleton and runs exactly 1 pod, not %d" .name .name $replicas) -}}
{{- end -}}
{{- if lt $replicas (int .replicas.min) -}}
{{- fail (printf "roles.%s.replicaCount: role '%s' runs at least %d pod(s), not %d" .name .name (int .replicas.min) $replicas) -}}
{{- end -}}
{{- $ports := list -}}
{{- $numbers := dict -}}
{{- $portNames := list -}}
{{- range $regPorts }}{{ if eq .role $role.name }}{{ $portNames = append $portNames .name }}{{ end }}{{ end -}}
{{- range $key, $_ := ($rv.containerPorts | default dict) }}{{ if not (has $key $portNames) }}{{ fail (printf "roles.%s.containerPorts.%s: role '%s' has no port '%s'; its ports are: %s" $role.name $key $role.name $key (join ", " $portNames)) }}{{ end }}{{ end -}}
{{- range $key, $_ := ($rv.access | default dict) }}{{ if not (has $key $portNames) }}{{ fail (printf "roles.%s.access.%s: role '%s' has no port '%s'; its ports are: %s" $role.name $key $role.name $key (join ", " $portNames)) }}{{ end }}{{ end -}}
{{- range $key, $_ := ($svc.nodePorts | default dict) }}{{ if not (has $key $portNames) }}{{ fail (printf "roles.%s.service.nodePorts.%s: role '%s' has no port '%s'; its ports are: %s" $role.name $key $role.name $key (join ", " $portNames)) }}{{ end }}{{ end -}}
{{- range $regPorts -}}
{{- if eq .role $role.name -}}
{{- $number := int (dig .name .number ($rv.containerPorts | default dict)) -}}
{{- if hasKey $numbers (toString $number) -}}
{{- fail (printf "roles.%s.containerPorts.%s: port %d of '%s' is already used by port '%s' of role '%s'; every port of a pod needs its own number" $role.name .name $number .name (get $numbers (toString $number)) $role.name) -}}
{{- end -}}
{{- $_ := set $numbers (toString $number) .name -}}
{{- $given := dig .name "" ($rv.access | default dict) -}}
{{- $audience := "" -}}
{{- if eq .access "external" }}{{ $audience = .audience | default "clients" }}{{ else if eq $given "external" }}{{ $audience = "clients" }}{{ end -}}
{{- /* A web UI leaves the cluster only where the values say so (access: external); on a NodePort or LoadBalancer Service it stays on the cluster-local one. */ -}}
{{- $access := $given | default .access -}}
{{- if and (not $given) (eq $audience "administrators") (ne $type "ClusterIP") }}{{ $access = "internal" }}{{ end -}}
{{- $peers := list -}}
{{- range (.peers | default list) }}{{ if has . $running }}{{ $peers = append $peers . }}{{ end }}{{ end -}}
{{- $port := dict "name" .name "number" $number "access" $access "audience" $audience "peers" $peers "protocol" (.protocol | default "TCP") "flag" .flag "primary" (.primary | default false) "sticky" (.sticky | default false) "http" (.http | default false) -}}
{{- with .clientFlags }}{{ $_ := set $port "clientFlags" . }}{{ end -}}
{{- $np := dig .name "" ($svc.nodePorts | default dict) -}}
{{- if not (kindIs "string" $np) -}}
{{- if eq $access "internal" -}}
{{- fail (printf "roles.%s.service.nodePorts.%s: port '%s' of role '%s' is internal and never gets a node port; set roles.%s.access.%s: external to expose it" $role.name .name .name $role.name $role.name .name) -}}
{{- end -}}
{{- if eq $type "ClusterIP" -}}
{{- fail (printf "roles.%s.service.nodePorts.%s: the external Service of role '%s' is ClusterIP and has no node ports" $role.name .name $role.name) -}}
{{- end -}}
{{- if hasKey $nodePorts (toString (int $np)) -}}
{{- fail (printf "roles.%s.service.nodePorts.%s: node port %d is already pinned by %s" $role.name .name (int $np) (get $nodePorts (toString (int $np)))) -}}
{{- end -}}
{{- $_ := set $nodePorts (toString (int $np)) (printf "roles.%s.service.nodePorts.%s" $role.name .name) -}}
{{- $_ := set $port "nodePort" (int $np) -}}
{{- end -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- end -}}
{{- $hasExternal := false -}}
{{- range $ports }}{{ if eq .access "external" }}{{ $hasExternal = true }}{{ end }}{{ end -}}
{{- if and (not $hasExternal) (or $svc.type $svc.annotations $svc.labels $svc.loadBalancerSourceRanges $svc.loadBalancerClass $svc.externalTrafficPolicy $svc.nodePorts) -}}
{{- $inside := list -}}
{{- range $ports }}{{ if and (eq .audience "administrators") (eq .access "internal") (not (hasKey ($rv.access | default dict) .name)) }}{{ $inside = append $inside .name }}{{ end }}{{ end -}}
{{- $why := "" -}}
{{- with $inside }}{{ $why = printf "; a %s Service carries its %s only with roles.%s.access.%s: external" $type (join ", " .) $role.name (first .) }}{{ end -}}
{{- fail (printf "roles.%s.service: role '%s' has no external port, so it has no external Service to configure%s" .name .name $why) -}}
{{- end -}}
{{- if and (ne $type "LoadBalancer") (or $svc.loadBalancerSourceRanges $svc.loadBalancerClass) -}}
{{- fail (printf "roles.%s.service: loadBalancerSourceRanges and loadBalancerClass need type LoadBalancer, not %s" .name $type) -}}
{{- end -}}
{{- if and (eq $type "ClusterIP") $svc.externalTrafficPolicy -}}
{{- fail (printf "roles.%s.service.externalTrafficPolicy: a ClusterIP Service has no external traffic; set type NodePort or LoadBalancer" .name) -}}
{{- end -}}
{{- /* Client IP affinity for a scalable role whose Service carries a port whose sessions span connections (HiveServer2 over HTTP). */ -}}
{{- $sticky := false -}}
{{- range $ports }}{{ if and (eq .access "external") .sticky }}{{ $sticky = true }}{{ end }}{{ end -}}
{{- $given := $svc.sessionAffinityTimeoutSeconds -}}
{{- if not (kindIs "invalid" $given) -}}
{{- if not $sticky }}{{ fail (printf "roles.%s.service.sessionAffinityTimeoutSeconds: the external Service of role '%s' carries no port whose sessions span connections, so it keeps no client on one pod" .name .name) }}{{ end -}}
{{- if gt (int64 $given) 86400 }}{{ fail (printf "roles.%s.service.sessionAffinityTimeoutSeconds: %d is more than Kubernetes allows: 1 to 86400 seconds, or 0 for no affinity" .name (int64 $given)) }}{{ end -}}
{{- end -}}
{{- $affinity := 0 -}}
{{- if and $sticky (not $singleton) }}{{ $affinity = int (ternary 10800 $given (kindIs "invalid" $given)) }}{{ end -}}
{{- $image := printf "%s:%s-%s" $.Values.image.repository $.Values.image.tag .image -}}
{{- if not .image }}{{ $image = printf "%s:%s" $.Values.image.repository $.Values.image.tag }}{{ end -}}
{{- with $rv.digest }}{{ $image = printf "%s@%s" $.Values.image.repository . }}{{ end -}}
{{- /* Graceful shutdown, for roles that drain. */ -}}
{{- $drain := dict -}}
{{- if and $rv.drain (not .drain) -}}
{{- fail (printf "roles.%s.drain: role '%s' has no graceful shutdown: its daemon stops at once on SIGTERM" .name .name) -}}
{{- end -}}
{{- with .drain -}}
{{- $given := $rv.drain | default dict -}}
{{- $grace := int (dig "gracePeriodSeconds" .gracePeriodSeconds $given) -}}
{{- $deadline := int (dig "deadlineSeconds" .deadlineSeconds $given) -}}
{{- if gt $grace $deadline -}}
{{- fail (printf "roles.%s.drain: the grace period (%d s) must not outlast the deadline (%d s)" $role.name $grace $deadline) -}}
{{- end -}}
{{- $drain = dict "signal" .signal "gracePeriodFlag" .gracePeriodFlag "deadlineFlag" .deadlineFlag "gracePeriodSeconds" $grace "deadlineSeconds" $deadline -}}
{{- end -}}
{{- $key := printf "roles.%s" .name -}}
{{- $heap := int64 (include "impala.heap" (list $role $rv $key)) -}}
{{- if and $rv.persistence (not .dataDirs) }}{{ fail (printf "roles.%s.persistence: role '%s' keeps no data across restarts, so it has no claims to size" .name .name) }}{{ end -}}
{{- $_ := set $roles .name (dict "role" $role "values" $rv "replicas" $replicas "singleton" $singleton "ports" $ports "image" $image "service" (dict "type" $type "spec" $svc "affinity" $affinity) "drain" $drain "heap" $heap) -}}
{{- end -}}
{{- end -}}
{{- /* Extra flags never fight the registry. */ -}}
{{- $managed := dict -}}
{{- with $reg.hostnameFlag }}{{ $_ := set $managed . "hostname" }}{{ end -}}
{{- with $reg.logging }}{{ range $f := concat (keys .toStderr) (keys .toFiles) (list .maxFilesFlag .maxSizeFlag .verbosityFlag) }}{{ $_ := set $managed $f "logging" }}{{ end }}{{ end -}}
{{- range $regPorts }}{{ $_ := set $managed .flag (printf "it sets port '%s' of role '%s'" .name .role) }}{{ with .clientFlags }}{{ $_ := set $managed .host "the registry sets it from the Service" }}{{ $_ := set $managed .port "the registry sets it from the Service" }}{{ end }}{{ end -}}
{{- range $name, $r := $roles -}}
{{- range $flag, $_ := ($r.values.extraFlags | default dict) -}}
{{- if or (hasKey $managed $flag) (hasKey ($r.role.flags | default dict) $flag) (eq $flag ($r.drain.gracePeriodFlag | default "")) (eq $flag ($r.drain.deadlineFlag | default "")) -}}
{{- fail (printf "roles.%s.extraFlags.%s: flag '%s' is managed by the registry" $name $flag $flag) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $np := .Values.networkPolicy -}}
{{- if and (not $np.enabled) (or $np.clientSources $np.webUiSources $np.egress.enabled) -}}
{{- fail "networkPolicy: sources or the egress lockdown are set but networkPolicy.enabled is false, so they would be ignored" -}}
{{- end -}}
{{- if and (not $np.egress.enabled) (or $np.egress.metastore $np.egress.storage $np.egress.yarn) -}}
{{- fail "networkPolicy.egress: endpoints are listed but the lockdown is off (egress.enabled: false), so they would be ignored" -}}
{{- end -}}
{{- /* The built-in metastore, when a role that provides it runs: the cluster uses it. */ -}}
{{- $metastoreUri := .Values.metastoreUri -}}
{{- $builtIn := "" -}}
{{- range $reg.roles }}{{ if and (eq (.provides | default "") "metastore") (has .name $running) }}{{ $builtIn = .name }}{{ end }}{{ end -}}
{{- with $builtIn -}}
{{- if not (or (eq $metastoreUri "thrift://hive-metastore:9083") (eq $metastoreUri "")) -}}
{{- fail (printf "metastoreUri: the built-in metastore (role '%s') runs, and the cluster uses it; remove metastoreUri (--metastore-uri), or disable the role to use your own metastore" .) -}}
{{- end -}}
{{- $metastoreUri = printf "thrift://%s-%s-internal:%d" $.Release.Name . (int (first (index $roles .).ports).number) -}}
{{- end -}}
{{- $storage := include "impala.storage" . | fromJson -}}
{{- /* The YARN ResourceManager, for a role that registers with it (Llama). */ -}}
{{- $yarn := "" -}}
{{- range $reg.roles }}{{ if and (has .name $running) (hasKey (.destinationFlags | default dict) "yarn") }}{{ $yarn = .name }}{{ end }}{{ end -}}
{{- if and $yarn (not .Values.yarnResourceManager) }}{{ fail (printf "yarnResourceManager: role '%s' registers with a YARN ResourceManager: set yarnResourceManager to its host" $yarn) }}{{ end -}}
{{- if and (not $yarn) .Values.yarnResourceManager }}{{ fail "yarnResourceManager: no running role talks to YARN, so the ResourceManager would be ignored" }}{{ end -}}
{{- $reachesYarn := false -}}
{{- range $reg.roles }}{{ if and (has .name $running) (has "yarn" (.reaches | default list)) }}{{ $reachesYarn = true }}{{ end }}{{ end -}}
{{- if and $np.enabled $np.egress.enabled -}}
{{- if and $builtIn $np.egress.metastore }}{{ fail "networkPolicy.egress.metastore: the built-in metastore runs and is reached pod to pod; an outside metastore's address would open a path nothing uses, so remove it" }}{{ end -}}
{{- if and (not $builtIn) (not $np.egress.metastore) }}{{ fail "networkPolicy.egress.metastore: the egress lockdown needs the metastore's address: list its CIDR (and ports)" }}{{ end -}}
{{- if and $reachesYarn (not $np.egress.yarn) }}{{ fail "networkPolicy.egress.yarn: the egress lockdown needs the address of the YARN ResourceManager and NodeManagers that the Llama ApplicationMaster talks to: list their CIDRs (and ports, default every port)" }}{{ end -}}
{{- if and (not $reachesYarn) $np.egress.yarn }}{{ fail "networkPolicy.egress.yarn: no running role talks to YARN, so these endpoints would open a path nothing uses; remove them" }}{{ end -}}
{{- if and $storage.kind (ne $storage.kind "sharedVolume") (not $np.egress.storage) -}}
{{- $ports := list -}}{{- range $storage.ports }}{{ $ports = append $ports (toString (int .)) }}{{ end -}}
{{- fail (printf "networkPolicy.egress.storage: the egress lockdown needs the address of the %s storage: list its CIDR (ports default to the storage's: %s); with workload identity, list the token endpoint too" $storage.kind (ternary (printf "port %s" (join " and " $ports)) "every port" (gt (len $ports) 0))) -}}
{{- end -}}
{{- end -}}
{{- $tls := include "impala.tls" . | fromJson -}}
{{- $ldap := include "impala.ldap" (list . $tls) | fromJson -}}
{{- $kerberos := include "impala.kerberos" . | fromJson -}}
{{- $webAuth := include "impala.webUiAuth" (list . $tls) | fromJson -}}
{{- $admission := include "impala.admission" . | fromJson -}}
{{- $groups := include "impala.groups" (list . $admission) | fromJsonArray -}}
{{- with $groups -}}
{{- $sum := 0 }}{{ range . }}{{ $sum = add $sum .replicas }}{{ end -}}
{{- $_ := set (index $roles $reg.executorGroups.role) "replicas" $sum -}}
{{- end -}}
{{- /* The flags the TLS and authentication sections set, each with where to set it instead. */ -}}
{{- $fromValues := list -}}
{{- with $tls }}{{ $fromValues = append $fromValues (list (values (omit .flags "versions")) "tls; set TLS there") }}{{ end -}}
{{- with $ldap }}{{ $fromValues = append $fromValues (list .managed "auth.ldap; set LDAP there") }}{{ end -}}
{{- with $kerberos }}{{ $fromValues = append $fromValues (list (values .flags) "auth.kerberos; set Kerberos there") }}{{ end -}}
{{- with $webAuth }}{{ $fromValues = append $fromValues (list .managed "auth.webUi; set the web UI's login there") }}{{ end -}}
{{- with $admission }}{{ $fromValues = append $fromValues (list (keys .flags) "admission; set the pools there") }}{{ end -}}
{{- with $reg.statestoredHa }}{{ $fromValues = append $fromValues (list (list .enable .peerHost .peerPort .secondHost .secondPort .preemptionWait .peerTimeout) (printf "roles.%s.ha; set the pair there" .role)) }}{{ end -}}
{{- with $reg.catalogdHa }}{{ $fromValues = append $fromValues (list (list .enable .preemptionWait) (printf "roles.%s.ha; set the pair there" .role)) }}{{ end -}}
{{- range $name, $r := $roles -}}
{{- if eq ($r.role.config | default "gflags") "gflags" -}}
{{- range $flag, $_ := ($r.values.extraFlags | default dict) -}}
{{- range $fromValues }}{{ if has $flag (index . 0) }}{{ fail (printf "roles.%s.extraFlags.%s: flag '%s' is set from %s" $name $flag $flag (index . 1)) }}{{ end }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "running" $running "roles" $roles "metastoreUri" $metastoreUri "storage" $storage "tls" $tls "ldap" $ldap "webAuth" $webAuth "kerberos" $kerberos "ha" $ha "admission" $admission "groups" $groups) -}}
{{- end -}}

{{/* The settings of a role's daemon: (list $ model roleName), as JSON. */}}
{{- define "impala.settings" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}{{- $name := index . 2 -}}
{{- $r := index $m.roles $name -}}
{{- $s := dict -}}
{{- range $r.ports -}}
{{- if eq ($r.role.config | default "gflags") "llamaSite" }}{{ $_ := set $s .flag (printf "0.0.0.0:%d" (int .number)) }}{{ else }}{{ $_ := set $s .flag (toString (int .number)) }}{{ end -}}
{{- end -}}
{{- range $k, $v := ($r.role.flags | default dict) }}{{ $_ := set $s $k (toString $v) }}{{ end -}}
{{- range $k, $v := ($r.values.extraFlags | default dict) }}{{ $_ := set $s $k (toString $v) }}{{ end -}}
{{- with $r.drain }}{{ $_ := set $s .gracePeriodFlag (toString .gracePeriodSeconds) }}{{ $_ := set $s .deadlineFlag (toString .deadlineSeconds) }}{{ end -}}
{{- with (index ($r.role.destinationFlags | default dict) "yarn") }}{{ $_ := set $s . $.Values.yarnResourceManager }}{{ end -}}
{{- with (include "impala.roleTls" (list $m $name) | fromJson).flags }}{{ range $k, $v := . }}{{ $_ := set $s $k $v }}{{ end }}{{ end -}}
{{- if include "impala.ldapRole" (list $m $name) }}{{ range $k, $v := ($m.ldap.flags | default dict) }}{{ $_ := set $s $k $v }}{{ end }}{{ end -}}
{{- if include "impala.webAuthRole" (list $m $name) }}{{ range $k, $v := $m.webAuth.flags }}{{ $_ := set $s $k $v }}{{ end }}{{ end -}}
{{- /* Kerberos: _HOST is the advertised name, a stable DNS name rather than the pod IP. */ -}}
{{- with $m.kerberos -}}
{{- if eq ($r.role.config | default "gflags") "gflags" -}}
{{- range $k, $v := .settings }}{{ $_ := set $s $k $v }}{{ end -}}
{{- $service := printf "%s-%s-internal.%s.svc.%s" $.Release.Name $name $.Release.Namespace .clusterDomain -}}
{{- $_ := set $s .flags.hostname (ternary $service (printf "$(POD_NAME).%s" $service) $r.singleton) -}}
{{- end -}}
{{- end -}}
{{- /* The name the daemon advertises, where the registry says (Impala 2.x). */ -}}
{{- with $.Values.registry.hostnameFlag -}}
{{- if eq ($r.role.config | default "gflags") "gflags" -}}
{{- $service := printf "%s-%s-internal.%s.svc" $.Release.Name $name $.Release.Namespace -}}
{{- $_ := set $s . (ternary $service (printf "$(POD_NAME).%s" $service) $r.singleton) -}}
{{- end -}}
{{- end -}}
{{- /* Logging: stderr, or files sized to take half the log directory. */ -}}
{{- $log := $.Values.registry.logging -}}
{{- if and $log (eq ($r.role.config | default "gflags") "gflags") -}}
{{- $files := eq $.Values.logging.destination "files" -}}
{{- range $k, $v := (ternary $log.toFiles $log.toStderr $files) }}{{ $_ := set $s $k (toString $v) }}{{ end -}}
{{- if $files -}}
{{- $maxFiles := int $.Values.logging.maxFiles -}}
{{- $mib := include "impala.mebibytes" (index $r.role.writableDirs $log.volume).sizeLimit | int -}}
{{- $_ := set $s $log.maxFilesFlag (toString $maxFiles) -}}
{{- $_ := set $s $log.maxSizeFlag (toString (max 1 (div (div $mib 2) (mul (int $log.severities) $maxFiles)))) -}}
{{- end -}}
{{- $v := int ($r.values.logVerbosity | default 0) -}}
{{- if gt $v 0 }}{{ $_ := set $s $log.verbosityFlag (toString $v) }}{{ end -}}
{{- end -}}
{{- if has $name ($m.admission.roles | default list) }}{{ range $k, $v := $m.admission.flags }}{{ $_ := set $s $k $v }}{{ end }}{{ end -}}
{{- range $k, $v := (include "impala.haSettings" (list $ $m $name) | fromJson) }}{{ $_ := set $s $k $v }}{{ end -}}
{{- range $k, $v := (include "impala.plannerSettings" (list $ $m $name) | fromJson) }}{{ $_ := set $s $k $v }}{{ end -}}
{{- range $target := $m.running -}}
{{- $t := index $m.roles $target -}}
{{- range $t.ports -}}
{{- if and .clientFlags (has $name .peers) (eq (dig "statestored" "role" "" $m.ha) $target) -}}
{{- /* The statestored pair: the first pod as the statestore, the second as the second one. */ -}}
{{- $f := $m.ha.statestored.flags -}}
{{- $_ := set $s .clientFlags.host (include "impala.podHost" (list $ $m $target (printf "%s-%s-1-0" $.Release.Name $target))) -}}
{{- $_ := set $s .clientFlags.port (toString (int .number)) -}}
{{- $_ := set $s $f.secondHost (include "impala.podHost" (list $ $m $target (printf "%s-%s-2-0" $.Release.Name $target))) -}}
{{- $_ := set $s $f.secondPort (toString (int .number)) -}}
{{- else if and .clientFlags (has $name .peers) -}}
{{- $host := printf "%s-%s-internal" $.Release.Name $target -}}
{{- /* With Kerberos, peers ask for a ticket to the name they connect to. */ -}}
{{- with $m.kerberos }}{{ if eq ($r.role.config | default "gflags") "gflags" }}{{ $host = printf "%s.%s.svc.%s" $host $.Release.Namespace .clusterDomain }}{{ end }}{{ end -}}
{{- $_ := set $s .clientFlags.host $host -}}
{{- $_ := set $s .clientFlags.port (toString (int .number)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $s -}}
{{- end -}}

{{/* The files of the ConfigMaps a role mounts: (list $ model roleName), as JSON {configMapName: {file: content}}. */}}
{{- define "impala.configFiles" -}}
{{- $ := index . 0 -}}{{- $m := index . 1 -}}{{- $name := index . 2 -}}
{{- $core := merge (deepCopy ($.Values.coreSite | default dict)) $m.storage.core -}}
{{- $hiveBase := merge (deepCopy ($.Values.hiveSite | default dict)) $m.storage.hive -}}
{{- $hadoop := dict "core-site.xml" (include "impala.hadoopXml" $core) "hive-site.xml" (include "impala.hadoopXml" (merge (dict "hive.metastore.uris" $m.metastoreUri) $hiveBase)) -}}
{{- with $m.storage.hdfs }}{{ $_ := set $hadoop "hdfs-site.xml" (include "impala.hadoopXml" .) }}{{ end -}}
{{- $files := dict (printf "%s-hadoop-config" $.Release.Name) $hadoop -}}
{{- if $name -}}
{{- $r := index $m.roles $name -}}
{{- $config := $r.role.config | default "gflags" -}}
{{- if eq $config "llamaSite" -}}
{{- $_ := set $files (printf "%s-%s-config" $.Release.Name $name) (dict "llama-site.xml" (include "impala.hadoopXml" (include "impala.settings" (list $ $m $name) | fromJson))) -}}
{{- else if eq $config "hiveSite" -}}
{{- /* A metastore's own files: the release's, its settings in hive-site.xml in place of the metastore URI. */ -}}
{{- $own := omit $hadoop "hive-site.xml" -}}
{{- $_ := set $own "hive-site.xml" (include "impala.hadoopXml" (merge (include "impala.settings" (list $ $m $name) | fromJson) $hiveBase)) -}}
{{- $_ := set $files (printf "%s-%s-config" $.Release.Name $name) $own -}}
{{- end -}}
{{- end -}}
{{- toJson $files -}}
{{- end -}}

{{/* A quantity of bytes (2Gi, 500M, 1048576) in MiB, rounded down. */}}
{{- define "impala.mebibytes" -}}
{{- $q := toString . -}}
{{- $number := int64 (regexReplaceAll "^([0-9]+).*$" $q "${1}") -}}
{{- $unit := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 -}}
{{- $suffix := regexReplaceAll "^[0-9]+" $q "" -}}
{{- if not (hasKey $unit $suffix) }}{{ fail (printf "'%s' is not a quantity of bytes like 2Gi" $q) }}{{ end -}}
{{- div (mul $number (get $unit $suffix)) 1048576 -}}
{{- end -}}

{{/* The JVM heap in MiB, from the memory limit, or 0 for a daemon without a JVM: (list registryRole values key). */}}
{{- define "impala.heap" -}}
{{- /* docker/daemon_entrypoint.sh puts -Xmx2g first; ours comes last. */ -}}
{{- $role := index . 0 -}}{{- $rv := index . 1 -}}{{- $key := index . 2 -}}
{{- $heap := 0 -}}
{{- with $role.jvm -}}
{{- $limit := toString (index ($rv.resources.limits | default dict) "memory") -}}
{{- $limitMib := include "impala.mebibytes" $limit | int -}}
{{- $given := $rv.jvmHeap | default (printf "%d%%" (int .heapPercent)) -}}
{{- if hasSuffix "%" $given -}}
{{- $pct := trimSuffix "%" $given -}}
{{- if not (and (regexMatch "^[0-9]+$" $pct) (ge (int $pct) 1) (le (int $pct) 90)) }}{{ fail (printf "%s.jvmHeap: '%s' is not a heap size: a percentage from 1%% to 90%% of the memory limit, or a size like 6g or 512m" $key $given) }}{{ end -}}
{{- $heap = div (mul $limitMib (int $pct)) 100 -}}
{{- else if regexMatch "^[0-9]+[kKmMgG]$" $given -}}
{{- $n := int64 (trimSuffix (regexFind "[kKmMgG]$" $given) $given) -}}
{{- $unit := lower (regexFind "[kKmMgG]$" $given) -}}
{{- $heap = ternary (mul $n 1024) (ternary $n (div $n 1024) (eq $unit "m")) (eq $unit "g") -}}
{{- end -}}
{{- if le (int64 $heap) 0 }}{{ fail (printf "%s.jvmHeap: '%s' is not a heap size: a size like 6g or 512m, or a percentage like 50%%" $key $given) }}{{ end -}}
{{- if gt (mul $heap 10) (mul $limitMib 9) -}}
{{- fail (printf "%s.jvmHeap: a heap of %d MiB leaves less than a tenth of role '%s''s %s memory limit for the JVM's other memory; lower the heap or raise the limit" $key (int64 $heap) $role.name $limit) -}}
{{- end -}}
{{- if .heapInMemLimit -}}
{{- $memLimit := toString (dig "mem_limit" "80%" ($rv.extraFlags | default dict)) -}}
{{- $process := 0 -}}
{{- if hasSuffix "%" $memLimit -}}
{{- $process = int64 (floor (divf (mulf $limitMib (float64 (trimSuffix "%" $memLimit))) 100)) -}}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?[bBkKmMgGtT]?$" $memLimit -}}
{{- $unit := lower (regexFind "[bBkKmMgGtT]$" $memLimit) -}}
{{- $scale := get (dict "" 1.0 "b" 1.0 "k" 1024.0 "m" 1048576.0 "g" 1073741824.0 "t" 1099511627776.0) $unit -}}
{{- $process = int64 (floor (divf (mulf (float64 (regexReplaceAll "[bBkKmMgGtT]$" $memLimit "")) $scale) 1048576.0)) -}}
{{- else -}}
{{- fail (printf "%s.extraFlags.mem_limit: '%s' is not a memory limit Impala reads: bytes with an optional b, k, m, g or t, or a percentage" $key $memLimit) -}}
{{- end -}}
{{- if gt $process (int64 $limitMib) }}{{ fail (printf "%s.extraFlags.mem_limit: mem_limit %s is %d MiB, more than role '%s''s %s memory limit; the kernel would kill the daemon first" $key $memLimit $process $role.name $limit) }}{{ end -}}
{{- if le $process (int64 $heap) -}}
{{- fail (printf "%s.jvmHeap: role '%s' counts its heap in its process memory limit (-mem_limit_includes_jvm): mem_limit %s of %s is %d MiB, and a heap of %d MiB leaves nothing for queries, so the daemon refuses to start; raise the memory limit above %d MiB or lower the heap" $key $role.name $memLimit $limit $process (int64 $heap) (add (div (mul $heap 5) 4) 1)) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- if $rv.jvmHeap }}{{ fail (printf "%s.jvmHeap: role '%s' starts no JVM" $key $role.name) }}{{ end -}}
{{- end -}}
{{- int64 $heap -}}
{{- end -}}
