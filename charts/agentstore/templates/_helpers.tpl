{{/*
Umbrella helpers, all prefixed "agentstore." (no collisions with the subcharts, helm#12503).
*/}}
{{- define "agentstore.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base name of the umbrella's own objects, at most 34 characters (its longest suffix is
"-connector-supervisor-metrics", 29, within a Service name's 63); longer names end in a hash of the
whole, so two releases whose names differ only at the end still get distinct objects (none of them
holds data: renaming them is safe).
*/}}
{{- define "agentstore.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride -}}
{{- else -}}
{{- $name := include "agentstore.name" . -}}
{{- $full := ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) -}}
{{- include "agentstore-common.shorten" (dict "name" $full "max" 34) -}}
{{- end -}}
{{- end -}}

{{- define "agentstore.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agentstore.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "agentstore.labels" -}}
{{ include "agentstore.selectorLabels" . }}
app.kubernetes.io/part-of: agentstore
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/*
The Kafka bootstrap address: the one helper every Kafka client of the release uses (the Connect
worker, the NetworkPolicies, the projector). It reads only .Release and .Values.global, so it works
from the umbrella and from any subchart. global.externalKafka.bootstrapServers wins; else the
bundled broker's Service from the kafka subchart's exported helper.
*/}}
{{- define "agentstore.kafka.bootstrapServers" -}}
{{- with .Values.global.externalKafka.bootstrapServers -}}
{{- . -}}
{{- else -}}
{{- include "agentstore-kafka.bootstrapServers" $ -}}
{{- end -}}
{{- end -}}

{{/*
NetworkPolicy egress rule of a Kafka client of this release: the bundled broker's pods, or, with
global.externalKafka, any address on the ports named there. Reads only .Release and .Values.global,
like agentstore.kafka.bootstrapServers, so subcharts use it too.
*/}}
{{- define "agentstore.kafka.egressRule" -}}
{{- with .Values.global.externalKafka.bootstrapServers -}}
- ports:
    {{- range $port := (regexFindAll ":[0-9]+" . -1 | uniq) }}
    - { port: {{ trimPrefix ":" $port }}, protocol: TCP }
    {{- end }}
{{- else -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "agentstore-common.selectorLabels" (dict "ctx" $ "name" "kafka") | nindent 10 }}
  ports:
    - { port: 9092, protocol: TCP }
{{- end -}}
{{- end -}}

{{/*
The CDC topics' prefix (topics are <prefix>.<keyspace>.<table>) and the projector's consumer group:
connector.topicPrefix and projector.consumerGroup, else derived so that releases sharing a Kafka never
share them: "agentstore" and "agentstore-projector" on the bundled broker, <scope> and
<scope>.projector on global.externalKafka (agentstore-kafka.scope).
*/}}
{{- define "agentstore.topicPrefix" -}}
{{- .Values.connector.topicPrefix | default (include "agentstore-kafka.scope" . | default "agentstore") -}}
{{- end -}}

{{- define "agentstore.consumerGroup" -}}
{{- $scope := include "agentstore-kafka.scope" . -}}
{{- .Values.projector.consumerGroup | default (ternary (printf "%s.projector" $scope) "agentstore-projector" (ne $scope "")) -}}
{{- end -}}

{{/*
On a shared Kafka, a ConfigMap per name the release uses there, named after the Kafka and the name:
two releases of one namespace that would use the same topics or consumer group render the same
ConfigMap, which Helm refuses to install twice (and _validate.tpl names the other release first).
A JSON list of {kind, value, name}.
*/}}
{{- define "agentstore.kafka.claims" -}}
{{- $claims := list -}}
{{- with .Values.global.externalKafka.bootstrapServers -}}
{{- $kafka := splitList "," . | sortAlpha | join "," -}}
{{- $names := dict -}}
{{- if or $.Values.projector.enabled (and $.Values.connect.enabled $.Values.connector.register) -}}
{{- $_ := set $names "topic-prefix" (include "agentstore.topicPrefix" $) -}}
{{- end -}}
{{- if $.Values.projector.enabled -}}
{{- $_ := set $names "consumer-group" (include "agentstore.consumerGroup" $) -}}
{{- end -}}
{{- range $kind, $value := $names -}}
{{- $claims = append $claims (dict "kind" $kind "value" $value "name" (printf "agentstore-kafka-%s-%s" $kind (sha256sum (printf "%s|%s" $kafka $value) | trunc 10))) -}}
{{- end -}}
{{- end -}}
{{- toJson $claims -}}
{{- end -}}

{{/* CQL contact point (the ScyllaDB client Service), from the scylladb subchart's exported helper. */}}
{{- define "agentstore.scylladb.contactPoints" -}}
{{- include "agentstore-scylladb.contactPoints" . -}}
{{- end -}}

{{/* The ScyllaDB auth Secret (keys username, password), computed with the scylladb chart's values. */}}
{{- define "agentstore.scylladb.authSecretName" -}}
{{- include "agentstore-scylladb.authSecretName" (dict "Release" .Release "Values" .Values.scylladb) -}}
{{- end -}}

{{/* Replication factor of the keyspace the migration creates: the node count, at most 3. */}}
{{- define "agentstore.replicationFactor" -}}
{{- min 3 (int .Values.scylladb.replicaCount) -}}
{{- end -}}

{{- define "agentstore.jobs.image" -}}
{{- include "agentstore-common.image" (dict "image" .Values.jobs.image "global" .Values.global) -}}
{{- end -}}

{{/* The CLI bundle's bytes, from the files-only subchart charts/cli (.Subcharts: Helm 3.7+). */}}
{{- define "agentstore.bundle" -}}
{{- $bundle := (index .Subcharts "cli").Files.Get "files/agentstore.mjs.br" -}}
{{- if not $bundle -}}
{{- fail "charts/cli/files/agentstore.mjs.br is missing from the chart: build the CLI bundle (make bundle)" -}}
{{- end -}}
{{- $bundle -}}
{{- end -}}

{{- define "agentstore.bundleConfigMapName" -}}
{{- printf "%s-cli" (include "agentstore.fullname" .) -}}
{{- end -}}

{{/* Environment of every pod that runs the CLI against ScyllaDB. */}}
{{- define "agentstore.cqlEnv" -}}
- name: AGENTSTORE_CQL
  value: {{ include "agentstore.scylladb.contactPoints" . | quote }}
- name: AGENTSTORE_KEYSPACE
  value: {{ .Values.global.keyspace | quote }}
- name: AGENTSTORE_DIALECT
  value: {{ ternary "cassandra" "scylla" .Values.standins.cassandra }}
# The container's data-centre name (SimpleSnitch); the keyspace uses NetworkTopologyStrategy with it.
- name: AGENTSTORE_DATACENTER
  value: datacenter1
- name: AGENTSTORE_REPLICATION_FACTOR
  value: {{ include "agentstore.replicationFactor" . | quote }}
{{- if .Values.scylladb.auth.enabled }}
- name: AGENTSTORE_CQL_USERNAME
  valueFrom: { secretKeyRef: { name: {{ include "agentstore.scylladb.authSecretName" . }}, key: username } }
- name: AGENTSTORE_CQL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "agentstore.scylladb.authSecretName" . }}, key: password } }
{{- end }}
{{- with .Values.jobs.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Pod spec parts shared by the Jobs and the test pod: the init container that unpacks the CLI bundle
(ConfigMap binaryData, brotli) into /app with Node's own zlib, and the volumes.
*/}}
{{- define "agentstore.bundleInitContainer" -}}
- name: unpack-cli
  image: {{ include "agentstore.jobs.image" . }}
  imagePullPolicy: {{ .Values.jobs.image.pullPolicy }}
  command: [node, -e]
  args:
    - |
      const fs = require('fs'), zlib = require('zlib');
      fs.writeFileSync('/app/agentstore.mjs', zlib.brotliDecompressSync(fs.readFileSync('/bundle/agentstore.mjs.br')));
  {{- with .Values.jobs.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.jobs.containerSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - { name: bundle, mountPath: /bundle }
    - { name: app, mountPath: /app }
{{- end -}}

{{- define "agentstore.bundleVolumes" -}}
- name: bundle
  configMap:
    name: {{ include "agentstore.bundleConfigMapName" . }}
- name: app
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end -}}

{{/* Pod-level settings shared by the Jobs and the test pod. */}}
{{- define "agentstore.jobs.podSpec" -}}
{{ include "agentstore-common.podDefaults" (dict "global" .Values.global "values" .Values.jobs) }}
{{ include "agentstore-common.placement" (dict "values" .Values.jobs) }}
{{- end -}}

{{/*
Pod labels of the Jobs and the test pod; the client labels open the components' NetworkPolicies.
Call with (dict "ctx" $ "component" "<name>").
*/}}
{{- define "agentstore.jobs.podLabels" -}}
{{ include "agentstore.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
agentstore.io/scylladb-client: "true"
agentstore.io/connect-client: "true"
agentstore.io/jobs: "true"
{{- with .ctx.Values.jobs.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The CLI bundle is unpacked from the chart unless the projector runs your own image. */}}
{{- define "agentstore.projector.usesBundle" -}}
{{- if not .Values.projector.image.repository -}}true{{- end -}}
{{- end -}}

{{- define "agentstore.projector.fullname" -}}
{{- printf "%s-projector" (include "agentstore.fullname" .) -}}
{{- end -}}

{{- define "agentstore.projector.selectorLabels" -}}
{{ include "agentstore.selectorLabels" . }}
app.kubernetes.io/component: projector
{{- end -}}

{{- define "agentstore.projector.labels" -}}
{{ include "agentstore.labels" . }}
app.kubernetes.io/component: projector
{{- end -}}

{{- define "agentstore.projector.image" -}}
{{- if .Values.projector.image.repository -}}
{{- include "agentstore-common.image" (dict "image" .Values.projector.image "global" .Values.global) -}}
{{- else -}}
{{- include "agentstore.jobs.image" . -}}
{{- end -}}
{{- end -}}

{{/*
Environment of every pod that reads or writes the read models (the projector, the test pod): Kafka,
topics and Redis; AGENTSTORE_KEYSPACE (also a topic-name part) comes with agentstore.cqlEnv or is set by the caller. The Redis password comes from the redis subchart's Secret, in its own variable so
that it never appears in a URL (src/config/read-side.ts).
*/}}
{{- define "agentstore.readSideEnv" -}}
- name: AGENTSTORE_KAFKA
  value: {{ include "agentstore.kafka.bootstrapServers" . | quote }}
- name: AGENTSTORE_TOPIC_PREFIX
  value: {{ include "agentstore.topicPrefix" . | quote }}
- name: AGENTSTORE_CONSUMER_GROUP
  value: {{ include "agentstore.consumerGroup" . | quote }}
- name: AGENTSTORE_REDIS
  value: {{ printf "redis://%s" (include "agentstore-redis.address" .) | quote }}
- name: AGENTSTORE_REDIS_PREFIX
  value: {{ .Values.projector.redisKeyPrefix | quote }}
{{- if and .Values.redis.enabled .Values.redis.auth.enabled }}
- name: AGENTSTORE_REDIS_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "agentstore-redis.secretName" (dict "Release" .Release "Values" .Values.redis) }}, key: {{ include "agentstore-redis.secretPasswordKey" (dict "Values" .Values.redis) }} } }
{{- end }}
{{- end -}}

{{/* Where `agentstore connector ...` finds Kafka Connect and the connector (the Job, the test pod, the supervisor). */}}
{{- define "agentstore.connectEnv" -}}
- name: AGENTSTORE_CONNECT_URL
  value: {{ include "agentstore-connect.url" . | quote }}
- name: AGENTSTORE_CONNECTOR_NAME
  value: {{ .Values.connector.name | quote }}
{{- end -}}

{{/* The test dataset's keyspace: tests.keyspace, else <global.keyspace cut to 38>_helm_test (CQL allows 48). */}}
{{- define "agentstore.tests.keyspace" -}}
{{- .Values.tests.keyspace | default (printf "%s_helm_test" (trunc 38 .Values.global.keyspace)) -}}
{{- end -}}

{{/*
"true" when helm test can check CDC end to end: projector and Redis deployed, and changes fed to Kafka by the
registered connector or, with standins.cdcFeed, by the CLI's CDC stand-in.
*/}}
{{- define "agentstore.tests.cdcCheck" -}}
{{- if and .Values.projector.enabled .Values.redis.enabled (or (and .Values.connect.enabled .Values.connector.register) .Values.standins.cdcFeed) -}}true{{- end -}}
{{- end -}}

{{/* The connector supervisor runs wherever the registration Job does, unless turned off. */}}
{{- define "agentstore.supervisor.enabled" -}}
{{- if and .Values.connector.register .Values.connector.supervisor.enabled .Values.connect.enabled .Values.scylladb.enabled -}}true{{- end -}}
{{- end -}}

{{- define "agentstore.supervisor.fullname" -}}
{{- printf "%s-connector-supervisor" (include "agentstore.fullname" .) -}}
{{- end -}}

{{- define "agentstore.supervisor.selectorLabels" -}}
{{ include "agentstore.selectorLabels" . }}
app.kubernetes.io/component: connector-supervisor
{{- end -}}
