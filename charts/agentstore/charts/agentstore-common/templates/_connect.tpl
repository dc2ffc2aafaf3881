{{/*
Kafka Connect: the worker Deployment and its REST Service.
Exported to the umbrella and to parent charts: they read only .Release (and, for a Secret, that
component's values), so callers pass any root context, e.g. `include "agentstore-connect.fullname" $`.
They live in this library, not in the connect subchart, so that they exist even when that subchart is
disabled (its templates are then not loaded at all).
*/}}
{{- define "agentstore-connect.fullname" -}}
{{- include "agentstore-common.fullname" (dict "ctx" . "name" "connect") -}}
{{- end -}}

{{/* REST Service name (port 8083). */}}
{{- define "agentstore-connect.serviceName" -}}
{{- include "agentstore-connect.fullname" . -}}
{{- end -}}

{{- define "agentstore-connect.url" -}}
{{- printf "http://%s.%s.svc:8083" (include "agentstore-connect.serviceName" .) .Release.Namespace -}}
{{- end -}}

{{- define "agentstore-connect.selectorLabels" -}}
{{- include "agentstore-common.selectorLabels" (dict "ctx" . "name" "connect") -}}
{{- end -}}

{{- define "agentstore-connect.labels" -}}
{{- include "agentstore-common.labels" (dict "ctx" . "name" "connect" "component" "cdc") -}}
{{- end -}}
