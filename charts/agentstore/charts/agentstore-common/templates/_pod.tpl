{{/*
Pod and volume settings every workload of agentstore shares. Call with the global values and the
workload's own values, e.g. (dict "global" .Values.global "values" .Values) in a subchart or
(dict "global" .Values.global "values" .Values.jobs) in the umbrella.
*/}}

{{/* <registry>/<repository>:<tag>; global.imageRegistry (a mirror) replaces every image's registry. */}}
{{- define "agentstore-common.image" -}}
{{- printf "%s/%s:%s" (.global.imageRegistry | default .image.registry) .image.repository (include "agentstore-common.tag" .image.tag) -}}
{{- end -}}

{{/*
An image tag as text. A tag given as a number (the schema accepts integers only) reaches templates as
an int64 (--set) or a float64 (values files, --set-json), which printf would write as 2.0260205e+07.
*/}}
{{- define "agentstore-common.tag" -}}
{{- if kindIs "string" . -}}{{ . }}{{- else -}}{{ int64 . }}{{- end -}}
{{- end -}}

{{/*
The top of every pod spec: pull secrets, no Service environment variables (a Service named "kafka"
would inject KAFKA_PORT, which the Kafka image reads as a broker property), no ServiceAccount token
(nothing here talks to the API server), and the workload's podSecurityContext.
*/}}
{{- define "agentstore-common.podDefaults" -}}
{{- with .global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
enableServiceLinks: false
automountServiceAccountToken: false
{{- with .values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Where the pods may run: the workload's nodeSelector, tolerations and affinity. */}}
{{- define "agentstore-common.placement" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* storageClassName of a volumeClaimTemplate: the workload's own storageClass wins over global.defaultStorageClass (bitnami/charts#24845). */}}
{{- define "agentstore-common.storageClass" -}}
{{- with .values.persistence.storageClass | default .global.defaultStorageClass }}
storageClassName: {{ . | quote }}
{{- end }}
{{- end -}}
