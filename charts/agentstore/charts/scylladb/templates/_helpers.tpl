{{/*
Every template here is prefixed "agentstore-scylladb.": the chart name alone is not enough, since a parent
chart may have its own "scylladb" dependency next to agentstore, and templates share one namespace across
the whole render (helm#12503).

Object names are <release>-agentstore-scylladb[-suffix] (<release>-scylladb[-suffix] when the release name
contains "agentstore"), derived from the release name alone so that the umbrella and sibling subcharts
compute them without this chart's values (bitnami/charts#30000). Callers pass any context with
.Release, e.g. `include "agentstore-scylladb.fullname" $`.
*/}}
{{- define "agentstore-scylladb.fullname" -}}
{{- $base := ternary .Release.Name (printf "%s-agentstore" .Release.Name) (contains "agentstore" .Release.Name) -}}
{{- printf "%s-scylladb" $base | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{/* Headless Service: stable per-pod DNS names (<pod>.<this>.<namespace>.svc) and gossip. */}}
{{- define "agentstore-scylladb.headlessServiceName" -}}
{{- printf "%s-headless" (include "agentstore-scylladb.fullname" .) -}}
{{- end -}}

{{/* Client Service: CQL on 9042, what applications, the connector and the Jobs connect to. */}}
{{- define "agentstore-scylladb.clientServiceName" -}}
{{- printf "%s-client" (include "agentstore-scylladb.fullname" .) -}}
{{- end -}}

{{/* CQL contact point host:port for clients in the release namespace. */}}
{{- define "agentstore-scylladb.contactPoints" -}}
{{- printf "%s.%s.svc:9042" (include "agentstore-scylladb.clientServiceName" .) .Release.Namespace -}}
{{- end -}}

{{/* Secret with the keys `username` and `password` (only when auth is enabled). */}}
{{- define "agentstore-scylladb.authSecretName" -}}
{{- if and .Values .Values.auth .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-auth" (include "agentstore-scylladb.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (selectors and volumeClaimTemplates are immutable). */}}
{{- define "agentstore-scylladb.selectorLabels" -}}
app.kubernetes.io/name: scylladb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: agentstore
{{- end -}}

{{- define "agentstore-scylladb.labels" -}}
{{ include "agentstore-scylladb.selectorLabels" . }}
app.kubernetes.io/component: database
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "agentstore-scylladb.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* A storageClass set on this chart wins over global.defaultStorageClass (bitnami/charts#24845). */}}
{{- define "agentstore-scylladb.storageClass" -}}
{{- $sc := .Values.persistence.storageClass | default .Values.global.defaultStorageClass -}}
{{- if $sc -}}
storageClassName: {{ $sc | quote }}
{{- end -}}
{{- end -}}

{{- define "agentstore-scylladb.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Seeds: the first pod's stable DNS name through the headless Service. */}}
{{- define "agentstore-scylladb.seeds" -}}
{{- printf "%s-0.%s.%s.svc" (include "agentstore-scylladb.fullname" .) (include "agentstore-scylladb.headlessServiceName" .) .Release.Namespace -}}
{{- end -}}
