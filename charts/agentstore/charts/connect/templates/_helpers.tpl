{{/*
Every template here is prefixed "agentstore-connect.": the chart name alone is not enough, since a parent
chart may have its own "connect" dependency next to agentstore, and templates share one namespace across
the whole render (helm#12503).

Object names are <release>-agentstore-connect[-suffix] (<release>-connect[-suffix] when the release name
contains "agentstore"), derived from the release name alone so that the umbrella and sibling subcharts
compute them without this chart's values (bitnami/charts#30000). Callers pass any context with
.Release, e.g. `include "agentstore-connect.fullname" $`.

The Kafka address comes from the umbrella's "agentstore.kafka.bootstrapServers" (the one helper every
Kafka client of the release uses): this chart is internal to the agentstore umbrella chart.
*/}}
{{- define "agentstore-connect.fullname" -}}
{{- $base := ternary .Release.Name (printf "%s-agentstore" .Release.Name) (contains "agentstore" .Release.Name) -}}
{{- printf "%s-connect" $base | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{/* REST Service name (port 8083). */}}
{{- define "agentstore-connect.serviceName" -}}
{{- include "agentstore-connect.fullname" . -}}
{{- end -}}

{{- define "agentstore-connect.url" -}}
{{- printf "http://%s.%s.svc:8083" (include "agentstore-connect.serviceName" .) .Release.Namespace -}}
{{- end -}}

{{- define "agentstore-connect.selectorLabels" -}}
app.kubernetes.io/name: connect
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: agentstore
{{- end -}}

{{- define "agentstore-connect.labels" -}}
{{ include "agentstore-connect.selectorLabels" . }}
app.kubernetes.io/component: cdc
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "agentstore-connect.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{- define "agentstore-connect.downloaderImage" -}}
{{- $img := .Values.plugin.downloaderImage -}}
{{- $registry := .Values.global.imageRegistry | default $img.registry -}}
{{- printf "%s/%s:%s" $registry $img.repository $img.tag -}}
{{- end -}}

{{- define "agentstore-connect.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}
