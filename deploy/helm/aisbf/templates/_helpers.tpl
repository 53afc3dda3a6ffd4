{{/*
Names. Kubernetes names are limited to 63 characters.
*/}}
{{- define "aisbf.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aisbf.fullname" -}}
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

{{- define "aisbf.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of one service's objects. Call with (dict "root" $ "component" "edge-api").
*/}}
{{- define "aisbf.componentName" -}}
{{- printf "%s-%s" (include "aisbf.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels. Call with (dict "root" $ "component" "edge-api").
*/}}
{{- define "aisbf.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aisbf.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "aisbf.labels" -}}
helm.sh/chart: {{ include "aisbf.chart" .root }}
{{ include "aisbf.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: aisbf
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "aisbf.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "aisbf.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aisbf.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "aisbf.configMapName" -}}
{{- default (printf "%s-config" (include "aisbf.fullname" .)) .Values.config.existingConfigMap }}
{{- end }}

{{- define "aisbf.secretName" -}}
{{- default (include "aisbf.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/*
The migration Job runs as a pre-install hook, before the release's own Secret exists, so it reads a hook-scoped copy
(templates/migration-secret.yaml) unless an existing Secret is used.
*/}}
{{- define "aisbf.migrationSecretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "aisbf.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Secret data (stringData), shared by the release Secret and the migration hook's copy.
*/}}
{{- define "aisbf.secretData" -}}
{{ .Values.secret.keys.databaseUrl }}: {{ required "secret.values.databaseUrl is required (mysql://user:pass@host:3306/aisbf), or set secret.existingSecret" .Values.secret.values.databaseUrl | quote }}
{{ .Values.secret.keys.redisUrl }}: {{ required "secret.values.redisUrl is required (redis://host:6379), or set secret.existingSecret" .Values.secret.values.redisUrl | quote }}
{{ .Values.secret.keys.natsUrl }}: {{ required "secret.values.natsUrl is required (nats://host:4222), or set secret.existingSecret" .Values.secret.values.natsUrl | quote }}
{{ .Values.secret.keys.secretKey }}: {{ required "secret.values.secretKey is required (openssl rand -base64 32), or set secret.existingSecret" .Values.secret.values.secretKey | quote }}
{{- end }}

{{/*
Environment shared by every service and the migration Job. Call with (dict "root" $ "secretName" "...").
*/}}
{{- define "aisbf.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secret.keys.databaseUrl }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secret.keys.redisUrl }}
- name: NATS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secret.keys.natsUrl }}
- name: AISBF_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secret.keys.secretKey }}
- name: AISBF_CONFIG_DIR
  value: {{ .root.Values.config.mountPath | quote }}
- name: AISBF_NATS_PREFIX
  value: {{ .root.Values.env.natsPrefix | quote }}
- name: AISBF_REDIS_PREFIX
  value: {{ .root.Values.env.redisPrefix | quote }}
- name: LOG_LEVEL
  value: {{ .root.Values.env.logLevel | quote }}
- name: AISBF_MIGRATE_ON_START
  value: {{ .root.Values.migration.migrateOnStart | quote }}
- name: AISBF_HOST
  value: "0.0.0.0"
{{- with .root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- range $name, $value := .root.Values.env.extra }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
