{{/*
Every rule that ties a value to another value or to the cluster, in one place; values.schema.json
checks each value on its own. All broken rules are reported at once, each naming the value and the
fix (Bitnami's <chart>.validateValues style). NOTES.txt calls it, so `helm install`, `helm template`
and `helm lint` all stop here, also when agentstore is a subchart (Helm renders every chart's NOTES).
Paths are relative to this chart's values (under a parent chart, prefix them with agentstore's key).
*/}}
{{- define "agentstore.validateValues" -}}
{{- $v := .Values -}}
{{- $errors := list -}}
{{- $external := $v.global.externalKafka.bootstrapServers -}}
{{- if and (not $v.kafka.enabled) (not $external) -}}
{{- $errors = append $errors "kafka.enabled=false: set global.externalKafka.bootstrapServers to your Kafka (host:port,...), or deploy the bundled broker (kafka.enabled=true)" -}}
{{- end -}}
{{- if and $v.kafka.enabled $external -}}
{{- $errors = append $errors "global.externalKafka.bootstrapServers is set while kafka.enabled=true: set kafka.enabled=false to use your Kafka, or empty global.externalKafka.bootstrapServers to use the bundled broker" -}}
{{- end -}}
{{- if and $v.projector.enabled (not $v.redis.enabled) -}}
{{- $errors = append $errors "projector.enabled: the projector writes the read models to the bundled Redis, so it needs redis.enabled=true (or set projector.enabled=false)" -}}
{{- end -}}
{{- if and $v.projector.enabled $v.projector.image.repository (not $v.projector.image.tag) -}}
{{- $errors = append $errors "projector.image.tag: set the tag of your projector image (projector.image.repository is set)" -}}
{{- end -}}
{{- if eq (include "agentstore.tests.keyspace" .) $v.global.keyspace -}}
{{- $errors = append $errors (printf "tests.keyspace: %q is global.keyspace, where helm test's seed rows would land among your data; pick another (empty: <global.keyspace>_helm_test)" $v.global.keyspace) -}}
{{- end -}}
{{- $serviceMonitors := .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" -}}
{{- $monitors := dict
  "projector.serviceMonitor.enabled" (and $v.projector.enabled $v.projector.serviceMonitor.enabled)
  "scylladb.serviceMonitor.enabled" (and $v.scylladb.enabled $v.scylladb.serviceMonitor.enabled)
  "connector.supervisor.serviceMonitor.enabled" (and (include "agentstore.supervisor.enabled" .) $v.connector.supervisor.serviceMonitor.enabled)
-}}
{{- range $key, $on := $monitors -}}
{{- if and $on (not $serviceMonitors) -}}
{{- $errors = append $errors (printf "%s: the cluster has no monitoring.coreos.com/v1 ServiceMonitor (install the Prometheus Operator CRDs; with helm template pass --api-versions monitoring.coreos.com/v1/ServiceMonitor)" $key) -}}
{{- end -}}
{{- end -}}
{{- /* On a cluster (lookup is empty under helm template): another release's claim on our Kafka names. */ -}}
{{- range (include "agentstore.kafka.claims" . | fromJsonArray) -}}
{{- $owner := dig "metadata" "annotations" "meta.helm.sh/release-name" "" (lookup "v1" "ConfigMap" $.Release.Namespace .name) -}}
{{- if and $owner (ne $owner $.Release.Name) -}}
{{- $value := ternary "connector.topicPrefix" "projector.consumerGroup" (eq .kind "topic-prefix") -}}
{{- $errors = append $errors (printf "%s: release %q already uses %q on Kafka %s (ConfigMap %s): two releases would read each other's data; leave %s empty (derived from the namespace and release) or pick another" $value $owner .value $v.global.externalKafka.bootstrapServers .name $value) -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\nagentstore values:\n- %s" (join "\n- " $errors)) -}}
{{- end -}}
{{- end -}}
