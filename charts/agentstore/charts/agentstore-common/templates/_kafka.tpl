{{/*
Kafka: the single-node StatefulSet, its Services, the KRaft cluster-id ConfigMap.
Exported to the umbrella and to parent charts: they read only .Release (and, for a Secret, that
component's values), so callers pass any root context, e.g. `include "agentstore-kafka.fullname" $`.
They live in this library, not in the kafka subchart, so that they exist even when that subchart is
disabled (its templates are then not loaded at all).
*/}}
{{- define "agentstore-kafka.fullname" -}}
{{- include "agentstore-common.fullname" (dict "ctx" . "name" "kafka") -}}
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
{{- include "agentstore-common.selectorLabels" (dict "ctx" . "name" "kafka") -}}
{{- end -}}

{{- define "agentstore-kafka.labels" -}}
{{- include "agentstore-common.labels" (dict "ctx" . "name" "kafka" "component" "broker") -}}
{{- end -}}

{{/*
The release's own part of every name it creates on Kafka (topics, consumer groups, Connect's group):
empty on the bundled broker, which belongs to this release alone; <namespace>_<release> on
global.externalKafka, which other releases may share. Namespaces and release names have no "_" and
the release's dots become "_", so the scope is distinct for every release of the cluster and has no
dot (the projector subscribes to ^<topic prefix>\.<keyspace>\.). Reads only .Release and .Values.global.
*/}}
{{- define "agentstore-kafka.scope" -}}
{{- if .Values.global.externalKafka.bootstrapServers -}}
{{- printf "%s_%s" .Release.Namespace (.Release.Name | replace "." "_") -}}
{{- end -}}
{{- end -}}
