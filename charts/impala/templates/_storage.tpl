{{/*
Table storage (values.storage), as impala-k8s's src/spec/storage.rs resolves
it: the core-site, hive-site and hdfs-site properties, the credentials' env,
volumes and mounts, the created warehouse claim, the ServiceAccount
annotations and pod labels of workload identity, and the storage's egress
ports. Fails with the same words as `impala-k8s gen`.
*/}}
{{- define "impala.storage" -}}
{{- $ := . -}}
{{- $s := .Values.storage | default dict -}}
{{- $out := dict "kind" "" "core" (dict) "hive" (dict) "hdfs" (dict) "env" (list) "volumes" (list) "mounts" (list) "saAnnotations" (dict) "podLabels" (dict) "ports" (list) -}}
{{- if $s -}}
{{- $kinds := list -}}
{{- range $k := list "s3" "abfs" "gcs" "hdfs" "ozone" "sharedVolume" }}{{ if hasKey $s $k }}{{ $kinds = append $kinds $k }}{{ end }}{{ end -}}
{{- if eq (len $kinds) 0 }}{{ fail "storage: no storage is chosen: set one of s3, abfs, gcs, hdfs, ozone or sharedVolume" }}{{ end -}}
{{- if gt (len $kinds) 1 }}{{ fail (printf "storage: %s are set; a cluster keeps its tables in one storage, so set exactly one" (join " and " $kinds)) }}{{ end -}}
{{- $kind := first $kinds -}}
{{- $_ := set $out "kind" $kind -}}
{{- $dir := $s.warehouseDir | default "/user/hive/warehouse" -}}
{{- if not (and (regexMatch "^(/[^/\\s]+)+$" $dir) (not (regexMatch "/\\.\\.?(/|$)" $dir))) }}{{ fail (printf "storage.warehouseDir: '%s' is not a warehouse directory: an absolute path such as /user/hive/warehouse, without '.', '..', spaces or a trailing '/'" $dir) }}{{ end -}}
{{- $bucket := "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$" -}}
{{- $root := "" -}}
{{- $c := $out.core -}}
{{- if eq $kind "s3" -}}
{{- $v := $s.s3 -}}
{{- if not (regexMatch $bucket (toString $v.bucket)) }}{{ fail (printf "storage.s3.bucket: '%s' is not a bucket name: 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" (toString $v.bucket)) }}{{ end -}}
{{- with $v.region -}}
{{- if not (regexMatch "^[a-z0-9-]+$" .) }}{{ fail (printf "storage.s3.region: '%s' is not an AWS region such as eu-west-1" .) }}{{ end -}}
{{- $_ := set $c "fs.s3a.endpoint.region" . -}}
{{- if not $v.endpoint }}{{ $_ := set $c "fs.s3a.endpoint" (printf "s3.%s.amazonaws.com" .) }}{{ end -}}
{{- end -}}
{{- $_ := set $out "ports" (list 443) -}}
{{- with $v.endpoint -}}
{{- $e := trimSuffix "/" . -}}
{{- if not (regexMatch "^https?://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$" $e) }}{{ fail (printf "storage.s3.endpoint: '%s' is not an endpoint: https://HOST[:PORT] or http://HOST[:PORT]" .) }}{{ end -}}
{{- $tls := hasPrefix "https://" $e -}}
{{- $port := regexFind ":[0-9]+$" $e | trimPrefix ":" -}}
{{- $_ := set $out "ports" (list (ternary (int $port) (ternary 443 80 $tls) (ne $port ""))) -}}
{{- $_ := set $c "fs.s3a.endpoint" $e -}}
{{- $_ := set $c "fs.s3a.connection.ssl.enabled" (toString $tls) -}}
{{- end -}}
{{- if hasKey $v "pathStyleAccess" }}{{ $_ := set $c "fs.s3a.path.style.access" (toString $v.pathStyleAccess) }}{{ end -}}
{{- $root = printf "s3a://%s" $v.bucket -}}
{{- else if eq $kind "abfs" -}}
{{- $v := $s.abfs -}}
{{- if not (regexMatch "^[a-z0-9]{3,24}$" (toString $v.account)) }}{{ fail (printf "storage.abfs.account: '%s' is not a storage account name: 3 to 24 lowercase letters and digits" (toString $v.account)) }}{{ end -}}
{{- if not (regexMatch $bucket (toString $v.container)) }}{{ fail (printf "storage.abfs.container: '%s' is not a bucket name: 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" (toString $v.container)) }}{{ end -}}
{{- $_ := set $out "ports" (list 443) -}}
{{- $root = printf "abfss://%s@%s.dfs.core.windows.net" $v.container $v.account -}}
{{- else if eq $kind "gcs" -}}
{{- if not (regexMatch $bucket (toString $s.gcs.bucket)) }}{{ fail (printf "storage.gcs.bucket: '%s' is not a bucket name: 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" (toString $s.gcs.bucket)) }}{{ end -}}
{{- $_ := set $out "ports" (list 443) -}}
{{- $root = printf "gs://%s" $s.gcs.bucket -}}
{{- else if eq $kind "hdfs" -}}
{{- $v := $s.hdfs -}}
{{- $nn := toString $v.namenode -}}
{{- if not (regexMatch "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$" $nn) }}{{ fail (printf "storage.hdfs.namenode: '%s' is not a NameNode or nameservice: HOST or HOST:PORT" $nn) }}{{ end -}}
{{- $port := regexFind ":[0-9]+$" $nn | trimPrefix ":" -}}
{{- $site := $v.hdfsSite | default dict -}}
{{- $nameservices := list -}}
{{- range splitList "," (toString (index $site "dfs.nameservices" | default "")) }}{{ $nameservices = append $nameservices (trim .) }}{{ end -}}
{{- if and (eq $port "") (not (has $nn $nameservices)) }}{{ fail (printf "storage.hdfs.namenode: '%s' has no port and is no nameservice of hdfsSite's dfs.nameservices; give HOST:PORT of the NameNode (usually 8020), or define the nameservice in hdfsSite" $nn) }}{{ end -}}
{{- range $k, $_ := $site -}}
{{- if include "impala.looksSecret" $k }}{{ fail (printf "storage.hdfs.hdfsSite.%s: '%s' holds a credential, and hdfs-site.xml lands in a ConfigMap in the clear; HDFS authenticates with Kerberos" $k $k) }}{{ end -}}
{{- end -}}
{{- $_ := set $out "hdfs" $site -}}
{{- $_ := set $out "ports" (list (ternary (int $port) 8020 (ne $port "")) 9866) -}}
{{- $root = printf "hdfs://%s" $nn -}}
{{- else if eq $kind "ozone" -}}
{{- $v := $s.ozone -}}
{{- if not (regexMatch "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$" (toString $v.service)) }}{{ fail (printf "storage.ozone.service: '%s' is not an Ozone Manager or service id: HOST or HOST:PORT" (toString $v.service)) }}{{ end -}}
{{- range $f := list "volume" "bucket" }}{{ if not (regexMatch $bucket (toString (index $v $f))) }}{{ fail (printf "storage.ozone.%s: '%s' is not a bucket name: 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" $f (toString (index $v $f))) }}{{ end }}{{ end -}}
{{- $_ := set $c "fs.ofs.impl" "org.apache.hadoop.fs.ozone.RootedOzoneFileSystem" -}}
{{- $root = printf "ofs://%s" $v.service -}}
{{- else -}}
{{- $v := $s.sharedVolume -}}
{{- $claim := printf "%s-warehouse" $.Release.Name -}}
{{- if $v.existingClaim -}}
{{- if or $v.storageClassName $v.size }}{{ fail "storage.sharedVolume.existingClaim: an existing claim is used as it is: storageClassName and size are for a claim impala-k8s creates; remove them or existingClaim" }}{{ end -}}
{{- $claim = $v.existingClaim -}}
{{- else -}}
{{- $size := toString ($v.size | default "10Gi") -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?([KMGTPE]i?|k)?$" $size) }}{{ fail (printf "storage.sharedVolume.size: '%s' is not a size: a quantity of bytes such as 10Gi" $size) }}{{ end -}}
{{- $_ := set $out "claim" (dict "size" $size "storageClassName" ($v.storageClassName | default "")) -}}
{{- end -}}
{{- $_ := set $out "volumes" (list (dict "name" "warehouse" "persistentVolumeClaim" (dict "claimName" $claim))) -}}
{{- $_ := set $out "mounts" (list (dict "name" "warehouse" "mountPath" $dir)) -}}
{{- $root = "file://" -}}
{{- end -}}
{{- $_ := set $c "fs.defaultFS" (ternary "file:///" $root (eq $kind "sharedVolume")) -}}
{{- $base := printf "%s%s" $root $dir -}}
{{- if eq $kind "ozone" }}{{ $base = printf "%s/%s/%s%s" $root $s.ozone.volume $s.ozone.bucket $dir }}{{ end -}}
{{- $_ := set $out.hive "hive.metastore.warehouse.dir" (printf "%s/managed" $base) -}}
{{- $_ := set $out.hive "hive.metastore.warehouse.external.dir" (printf "%s/external" $base) -}}
{{- with $s.credentials -}}
{{- if has $kind (list "hdfs" "ozone" "sharedVolume") }}{{ fail (printf "storage.credentials: %s storage takes no credentials: %s" $kind (ternary "the volume is mounted by the kubelet" "it authenticates with Kerberos, or trusts the daemon's user" (eq $kind "sharedVolume"))) }}{{ end -}}
{{- if and .secretName .workloadIdentity }}{{ fail "storage.credentials: set secretName or workloadIdentity, not both" }}{{ end -}}
{{- if not (or .secretName .workloadIdentity) }}{{ fail "storage.credentials: set secretName (an existing Secret) or workloadIdentity" }}{{ end -}}
{{- $host := regexReplaceAll "^.*@" $root "" -}}
{{- with .secretName -}}
{{- $secret := . -}}
{{- $env := dict "name" "" "valueFrom" (dict "secretKeyRef" (dict "name" $secret "key" "")) -}}
{{- if eq $kind "s3" -}}
{{- $_ := set $c "fs.s3a.aws.credentials.provider" "com.amazonaws.auth.EnvironmentVariableCredentialsProvider" -}}
{{- $envs := list -}}
{{- range $n := list "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" "AWS_SESSION_TOKEN" -}}
{{- $ref := dict "name" $secret "key" $n -}}
{{- if eq $n "AWS_SESSION_TOKEN" }}{{ $_ := set $ref "optional" true }}{{ end -}}
{{- $envs = append $envs (dict "name" $n "valueFrom" (dict "secretKeyRef" $ref)) -}}
{{- end -}}
{{- $_ := set $out "env" $envs -}}
{{- else if eq $kind "abfs" -}}
{{- $_ := set $c (printf "fs.azure.account.auth.type.%s" $host) "SharedKey" -}}
{{- $_ := set $c (printf "fs.azure.account.key.%s" $host) "${env.AZURE_STORAGE_ACCOUNT_KEY}" -}}
{{- $_ := set $out "env" (list (dict "name" "AZURE_STORAGE_ACCOUNT_KEY" "valueFrom" (dict "secretKeyRef" (dict "name" $secret "key" "AZURE_STORAGE_ACCOUNT_KEY")))) -}}
{{- else -}}
{{- $_ := set $c "google.cloud.auth.service.account.enable" "true" -}}
{{- $_ := set $c "google.cloud.auth.service.account.json.keyfile" "/etc/impala-k8s/gcs/key.json" -}}
{{- $_ := set $out "volumes" (list (dict "name" "gcs-credentials" "secret" (dict "secretName" $secret "defaultMode" 288))) -}}
{{- $_ := set $out "mounts" (list (dict "name" "gcs-credentials" "mountPath" "/etc/impala-k8s/gcs" "readOnly" true)) -}}
{{- end -}}
{{- end -}}
{{- with .workloadIdentity -}}
{{- $wi := . -}}
{{- $wanted := dict "s3" (list "awsRoleArn") "gcs" (list "gcpServiceAccount") "abfs" (list "azureClientId" "azureTenantId") -}}
{{- $want := index $wanted $kind -}}
{{- range $f := list "awsRoleArn" "gcpServiceAccount" "azureClientId" "azureTenantId" }}{{ if and (index $wi $f) (not (has $f $want)) }}{{ fail (printf "storage.credentials.workloadIdentity.%s: %s storage takes %s for workload identity, not %s" $f $kind (join " and " $want) $f) }}{{ end }}{{ end -}}
{{- range $f := $want }}{{ if not (index $wi $f) }}{{ fail (printf "storage.credentials.workloadIdentity.%s: %s storage needs %s for workload identity" $f $kind $f) }}{{ end }}{{ end -}}
{{- if not $.Values.serviceAccount.create }}{{ fail "storage.credentials.workloadIdentity: workload identity annotates the ServiceAccount, but spec.serviceAccount.create is false; annotate your ServiceAccount yourself and drop workloadIdentity, or let impala-k8s create it" }}{{ end -}}
{{- if eq $kind "s3" -}}
{{- if not (regexMatch "^arn:aws[^:]*:[^:]*:[^:]*:[^:]*:role/.+$" $wi.awsRoleArn) }}{{ fail (printf "storage.credentials.workloadIdentity.awsRoleArn: '%s' is not an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME" $wi.awsRoleArn) }}{{ end -}}
{{- $_ := set $c "fs.s3a.aws.credentials.provider" "com.amazonaws.auth.WebIdentityTokenCredentialsProvider" -}}
{{- $_ := set $out.saAnnotations "eks.amazonaws.com/role-arn" $wi.awsRoleArn -}}
{{- else if eq $kind "gcs" -}}
{{- if not (regexMatch "^.+@.+\\.iam\\.gserviceaccount\\.com$" $wi.gcpServiceAccount) }}{{ fail (printf "storage.credentials.workloadIdentity.gcpServiceAccount: '%s' is not a Google service account: NAME@PROJECT.iam.gserviceaccount.com" $wi.gcpServiceAccount) }}{{ end -}}
{{- $_ := set $out.saAnnotations "iam.gke.io/gcp-service-account" $wi.gcpServiceAccount -}}
{{- else -}}
{{- range $f := list "azureClientId" "azureTenantId" }}{{ if not (regexMatch "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$" (index $wi $f)) }}{{ fail (printf "storage.credentials.workloadIdentity.%s: '%s' is not an Azure id: a UUID such as 00000000-0000-0000-0000-000000000000" $f (index $wi $f)) }}{{ end }}{{ end -}}
{{- $_ := set $c (printf "fs.azure.account.auth.type.%s" $host) "OAuth" -}}
{{- $_ := set $c (printf "fs.azure.account.oauth.provider.type.%s" $host) "org.apache.hadoop.fs.azurebfs.oauth2.WorkloadIdentityTokenProvider" -}}
{{- $_ := set $c (printf "fs.azure.account.oauth2.client.id.%s" $host) "${env.AZURE_CLIENT_ID}" -}}
{{- $_ := set $c (printf "fs.azure.account.oauth2.msi.tenant.%s" $host) "${env.AZURE_TENANT_ID}" -}}
{{- $_ := set $c (printf "fs.azure.account.oauth2.token.file.%s" $host) "${env.AZURE_FEDERATED_TOKEN_FILE}" -}}
{{- $_ := set $out.saAnnotations "azure.workload.identity/client-id" $wi.azureClientId -}}
{{- $_ := set $out.saAnnotations "azure.workload.identity/tenant-id" $wi.azureTenantId -}}
{{- $_ := set $out.podLabels "azure.workload.identity/use" "true" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $file, $props := dict "hiveSite" $out.hive "coreSite" $c -}}
{{- range $k, $_ := (index $.Values $file | default dict) -}}
{{- if hasKey $props $k }}{{ fail (printf "%s.%s: '%s' is set from spec.storage; change the storage there" $file $k $k) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := $out.saAnnotations -}}
{{- $given := index ($.Values.serviceAccount.annotations | default dict) $k -}}
{{- if and $given (ne $given $v) }}{{ fail (printf "serviceAccount.annotations.%s: '%s' is set from spec.storage.credentials.workloadIdentity; set it there only" $k $k) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* "true" when a name says it holds a credential (as src/spec/wiring.rs looks_secret), else "". */}}
{{- define "impala.looksSecret" -}}
{{- $upper := upper (regexReplaceAll "[.-]" . "_") -}}
{{- if and (regexMatch "(PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|SAS|ACCOUNT_KEY)" $upper) (not (regexMatch "(PROVIDER|PROVIDER_TYPE|PROVIDER_PATH|_CMD|_FILE|KEYFILE)$" $upper)) }}true{{ end -}}
{{- end -}}
