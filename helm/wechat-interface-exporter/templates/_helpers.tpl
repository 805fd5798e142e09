{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "wie.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources: RELEASE-CHART, or RELEASE when it already holds the chart name. */}}
{{- define "wie.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wie.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wie.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wie.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wie.labels" -}}
helm.sh/chart: {{ include "wie.chart" . }}
{{ include "wie.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wechat-interface-exporter
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "wie.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wie.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference, as prometheus-community charts build it: [REGISTRY/]REPOSITORY:TAG, and
@DIGEST after the tag when a digest is given (the digest then decides what is pulled; the tag
stays readable). global.imageRegistry, set by a parent chart, wins over image.registry.
*/}}
{{- define "wie.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry }}
{{- $repository := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") }}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" $repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}
{{- end }}

{{/* Where the pod finds its config and the accounts' appsecrets. */}}
{{- define "wie.configDir" -}}/etc/wechat-interface-exporter{{- end }}
{{- define "wie.accountsDir" -}}/etc/wechat-interface-exporter-accounts{{- end }}
{{- define "wie.secretsDir" -}}/run/secrets/wechat-interface-exporter{{- end }}

{{/* Accounts whose appsecret this chart mounts: those with `secret` or `existingSecret`. */}}
{{- define "wie.hasMountedSecrets" -}}
{{- range .Values.config.accounts }}{{ if or (get . "secret") (get . "existingSecret") }}true{{ end }}{{ end }}
{{- end }}

{{- define "wie.hasChartSecrets" -}}
{{- range .Values.config.accounts }}{{ if get . "secret" }}true{{ end }}{{ end }}
{{- end }}

{{/*
What values.schema.json cannot say: at least one account unless demo, and unique names and
appids. Every other account rule (fields, one appsecret source, tokenFile/tokenUrl with their
token source) is in values.schema.json, generated from the exporter's own config schema
(npm run gen:schema), and Helm checks it before rendering.
*/}}
{{- define "wie.validateAccounts" -}}
{{- if and (not .Values.demo) (empty .Values.config.accounts) }}
{{- fail "config.accounts is empty: add at least one WeChat account, or set demo=true to try the chart with the built-in simulator" }}
{{- end }}
{{- $seen := dict }}
{{- range $i, $a := .Values.config.accounts }}
{{- range $key := list "name" "appid" }}
{{- $id := printf "%s=%s" $key (get $a $key) }}
{{- if hasKey $seen $id }}
{{- fail (printf "config.accounts[%d]: %s %q is used twice" $i $key (get $a $key)) }}
{{- end }}
{{- $_ := set $seen $id true }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The exporter's config file: values.config with each account's `secret` / `existingSecret`
replaced by `secretFile`, the file the pod mounts from the Secret. Built on a deep copy, so
.Values is not modified; empty optional strings are dropped.
*/}}
{{- define "wie.configFile" -}}
{{- $cfg := deepCopy .Values.config }}
{{- if not (get $cfg.wechat "proxy") }}
{{- $_ := unset $cfg.wechat "proxy" }}
{{- end }}
{{- $accounts := list }}
{{- range $a := .Values.config.accounts }}
{{- $out := dict }}
{{- range $k, $v := omit $a "secret" "existingSecret" }}
{{- if and (not (kindIs "invalid" $v)) (or $v (not (kindIs "string" $v))) }}
{{- $_ := set $out $k $v }}
{{- end }}
{{- end }}
{{- if or (get $a "secret") (get $a "existingSecret") }}
{{- $_ := set $out "secretFile" (printf "%s/%s" (include "wie.secretsDir" $) $a.name) }}
{{- end }}
{{- $accounts = append $accounts $out }}
{{- end }}
{{- $_ := set $cfg "accounts" $accounts }}
{{- if .Values.accountFiles }}
{{- $discovery := deepCopy (get $cfg "discovery" | default dict) }}
{{- $files := concat (get $discovery "files" | default list) (list (printf "%s/*.yml" (include "wie.accountsDir" .))) }}
{{- $_ := set $discovery "files" $files }}
{{- $_ := set $cfg "discovery" $discovery }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}

{{/* exporter-toolkit's web config: on when given inline or as an existing Secret. */}}
{{- define "wie.webConfigEnabled" -}}
{{- if or .Values.web.config.existingSecret .Values.web.config.inline }}true{{ end }}
{{- end }}
{{- define "wie.webConfigDir" -}}/etc/wechat-interface-exporter-web{{- end }}
{{- define "wie.webConfigKey" -}}
{{- if .Values.web.config.existingSecret }}{{ .Values.web.config.key }}{{ else }}web-config.yml{{ end }}
{{- end }}

{{/*
The action of a probe asking `path`. With a web config every path is protected: tcpSocket, or an
httpGet in web.config.scheme (see web.config.probe in values.yaml for why).
*/}}
{{- define "wie.probeAction" -}}
{{- $root := .root -}}
{{- if and (include "wie.webConfigEnabled" $root) (eq $root.Values.web.config.probe "tcpSocket") -}}
tcpSocket:
  port: http
{{- else -}}
httpGet:
  path: {{ .path }}
  port: http
  {{- if include "wie.webConfigEnabled" $root }}
  scheme: {{ $root.Values.web.config.scheme }}
  {{- end }}
{{- end }}
{{- end }}

{{/* The ServiceMonitor's scheme: serviceMonitor.scheme, else derived from the web config. */}}
{{- define "wie.scrapeScheme" -}}
{{- if .Values.serviceMonitor.scheme }}{{ .Values.serviceMonitor.scheme }}
{{- else if and (include "wie.webConfigEnabled" .) (eq .Values.web.config.scheme "HTTPS") }}https
{{- else }}http
{{- end }}
{{- end }}

{{/* The spec of the store's PersistentVolumeClaim: the Deployment's own PVC, or each shard's volumeClaimTemplate. */}}
{{- define "wie.pvcSpec" -}}
accessModes:
  {{- toYaml .Values.persistence.accessModes | nindent 2 }}
resources:
  requests:
    storage: {{ .Values.persistence.size | quote }}
{{- if .Values.persistence.storageClass }}
{{- if eq "-" .Values.persistence.storageClass }}
storageClassName: ""
{{- else }}
storageClassName: {{ .Values.persistence.storageClass | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* shards > 1: every pod needs a volume of its own, so one existing claim cannot serve them. */}}
{{- define "wie.validateShards" -}}
{{- if and (gt (int .Values.shards) 1) .Values.persistence.enabled .Values.persistence.existingClaim }}
{{- fail (printf "shards=%d needs a volume per pod: persistence.existingClaim cannot be shared; leave it empty and the StatefulSet creates one claim per shard" (int .Values.shards)) }}
{{- end }}
{{- end }}
