{{/*
ScyllaDB: the StatefulSet, its headless Service (gossip, per-pod DNS) and client Service (CQL), the auth Secret.
Exported to the umbrella and to parent charts: they read only .Release (and, for a Secret, that
component's values), so callers pass any root context, e.g. `include "agentstore-scylladb.fullname" $`.
They live in this library, not in the scylladb subchart, so that they exist even when that subchart is
disabled (its templates are then not loaded at all).
*/}}
{{- define "agentstore-scylladb.fullname" -}}
{{- include "agentstore-common.fullname" (dict "ctx" . "name" "scylladb") -}}
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

{{- define "agentstore-scylladb.selectorLabels" -}}
{{- include "agentstore-common.selectorLabels" (dict "ctx" . "name" "scylladb") -}}
{{- end -}}

{{- define "agentstore-scylladb.labels" -}}
{{- include "agentstore-common.labels" (dict "ctx" . "name" "scylladb" "component" "database") -}}
{{- end -}}

{{/* Seeds: the first pod's stable DNS name through the headless Service. */}}
{{- define "agentstore-scylladb.seeds" -}}
{{- printf "%s-0.%s.%s.svc" (include "agentstore-scylladb.fullname" .) (include "agentstore-scylladb.headlessServiceName" .) .Release.Namespace -}}
{{- end -}}
