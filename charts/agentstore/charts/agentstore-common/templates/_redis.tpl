{{/*
Redis: the StatefulSet and its Service (the read models), the password Secret.
Exported to the umbrella and to parent charts: they read only .Release (and, for a Secret, that
component's values), so callers pass any root context, e.g. `include "agentstore-redis.fullname" $`.
They live in this library, not in the redis subchart, so that they exist even when that subchart is
disabled (its templates are then not loaded at all).
*/}}
{{- define "agentstore-redis.fullname" -}}
{{- include "agentstore-common.fullname" (dict "ctx" . "name" "redis") -}}
{{- end -}}

{{/* Client Service name; redis://<this>.<namespace>.svc:6379 */}}
{{- define "agentstore-redis.serviceName" -}}
{{- include "agentstore-redis.fullname" . -}}
{{- end -}}

{{- define "agentstore-redis.address" -}}
{{- printf "%s.%s.svc:6379" (include "agentstore-redis.serviceName" .) .Release.Namespace -}}
{{- end -}}

{{/* Secret with the password (only when auth is enabled; its key: agentstore-redis.secretPasswordKey). */}}
{{- define "agentstore-redis.secretName" -}}
{{- if and .Values .Values.auth .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-auth" (include "agentstore-redis.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The password's key in that Secret: auth.existingSecretPasswordKey with existingSecret, else "password". */}}
{{- define "agentstore-redis.secretPasswordKey" -}}
{{- if and .Values .Values.auth .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecretPasswordKey | default "password" -}}
{{- else -}}
password
{{- end -}}
{{- end -}}

{{- define "agentstore-redis.selectorLabels" -}}
{{- include "agentstore-common.selectorLabels" (dict "ctx" . "name" "redis") -}}
{{- end -}}

{{- define "agentstore-redis.labels" -}}
{{- include "agentstore-common.labels" (dict "ctx" . "name" "redis" "component" "read-models") -}}
{{- end -}}
