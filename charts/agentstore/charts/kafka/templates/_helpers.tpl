{{/*
Every template here is prefixed "agentstore-kafka.": the chart name alone is not enough, since a parent
chart may have its own "kafka" dependency next to agentstore, and templates share one namespace across
the whole render (helm#12503).

Object names are <release>-agentstore-kafka[-suffix] (<release>-kafka[-suffix] when the release name
contains "agentstore"), derived from the release name alone so that the umbrella and sibling subcharts
compute them without this chart's values (bitnami/charts#30000). Callers pass any context with
.Release, e.g. `include "agentstore-kafka.fullname" $`.
*/}}
{{- define "agentstore-kafka.fullname" -}}
{{- $base := ternary .Release.Name (printf "%s-agentstore" .Release.Name) (contains "agentstore" .Release.Name) -}}
{{- printf "%s-kafka" $base | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{/* Client Service name (port 9092). */}}
{{- define "agentstore-kafka.serviceName" -}}
{{- include "agentstore-kafka.fullname" . -}}
{{- end -}}

{{- define "agentstore-kafka.headlessServiceName" -}}
{{- printf "%s-headless" (include "agentstore-kafka.fullname" .) -}}
{{- end -}}

{{/* Bootstrap address of this chart's broker. Clients use the umbrella's agentstore.kafka.bootstrapServers,
which also covers an external Kafka. */}}
{{- define "agentstore-kafka.bootstrapServers" -}}
{{- printf "%s.%s.svc:9092" (include "agentstore-kafka.serviceName" .) .Release.Namespace -}}
{{- end -}}

{{- define "agentstore-kafka.clusterIdConfigMapName" -}}
{{- printf "%s-cluster-id" (include "agentstore-kafka.fullname" .) -}}
{{- end -}}

{{- define "agentstore-kafka.selectorLabels" -}}
app.kubernetes.io/name: kafka
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: agentstore
{{- end -}}

{{- define "agentstore-kafka.labels" -}}
{{ include "agentstore-kafka.selectorLabels" . }}
app.kubernetes.io/component: broker
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "agentstore-kafka.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* A storageClass set on this chart wins over global.defaultStorageClass (bitnami/charts#24845). */}}
{{- define "agentstore-kafka.storageClass" -}}
{{- $sc := .Values.persistence.storageClass | default .Values.global.defaultStorageClass -}}
{{- if $sc -}}
storageClassName: {{ $sc | quote }}
{{- end -}}
{{- end -}}

{{- define "agentstore-kafka.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}
