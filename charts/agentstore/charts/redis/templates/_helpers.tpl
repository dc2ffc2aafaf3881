{{/*
Every template here is prefixed "agentstore-redis.": the chart name alone is not enough, since a parent
chart may have its own "redis" dependency next to agentstore, and templates share one namespace across
the whole render (helm#12503).

Object names are <release>-agentstore-redis[-suffix] (<release>-redis[-suffix] when the release name
contains "agentstore"), derived from the release name alone so that the umbrella and sibling subcharts
compute them without this chart's values (bitnami/charts#30000). Callers pass any context with
.Release, e.g. `include "agentstore-redis.fullname" $`.
*/}}
{{- define "agentstore-redis.fullname" -}}
{{- $base := ternary .Release.Name (printf "%s-agentstore" .Release.Name) (contains "agentstore" .Release.Name) -}}
{{- printf "%s-redis" $base | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{/* Client Service name; redis://<this>.<namespace>.svc:6379 */}}
{{- define "agentstore-redis.serviceName" -}}
{{- include "agentstore-redis.fullname" . -}}
{{- end -}}

{{- define "agentstore-redis.address" -}}
{{- printf "%s.%s.svc:6379" (include "agentstore-redis.serviceName" .) .Release.Namespace -}}
{{- end -}}

{{/* Secret with the key `password` (only when auth is enabled). */}}
{{- define "agentstore-redis.secretName" -}}
{{- if and .Values .Values.auth .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-auth" (include "agentstore-redis.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "agentstore-redis.selectorLabels" -}}
app.kubernetes.io/name: redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: agentstore
{{- end -}}

{{- define "agentstore-redis.labels" -}}
{{ include "agentstore-redis.selectorLabels" . }}
app.kubernetes.io/component: read-models
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "agentstore-redis.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* A storageClass set on this chart wins over global.defaultStorageClass (bitnami/charts#24845). */}}
{{- define "agentstore-redis.storageClass" -}}
{{- $sc := .Values.persistence.storageClass | default .Values.global.defaultStorageClass -}}
{{- if $sc -}}
storageClassName: {{ $sc | quote }}
{{- end -}}
{{- end -}}

{{- define "agentstore-redis.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}
