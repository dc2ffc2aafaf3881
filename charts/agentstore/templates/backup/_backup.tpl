{{/* Where the backup CronJob and helm test's round trip write: s3://bucket/prefix, or the PVC's mount. */}}
{{- define "agentstore.backup.url" -}}
{{- if .Values.backup.target.pvc.enabled -}}
file:///backups
{{- else -}}
{{- printf "s3://%s/%s" .Values.backup.target.s3.bucket (trimSuffix "/" .Values.backup.target.s3.prefix) | trimSuffix "/" -}}
{{- end -}}
{{- end -}}

{{- define "agentstore.backup.pvcName" -}}
{{- include "agentstore.fullname" . }}-backups
{{- end -}}

{{/* The S3 endpoint and keys (from backup.target.s3.existingSecret) of the backup CLI. */}}
{{- define "agentstore.backup.env" -}}
{{- if not .Values.backup.target.pvc.enabled }}
{{- with .Values.backup.target.s3.endpoint }}
- { name: AGENTSTORE_S3_ENDPOINT, value: {{ . | quote }} }
{{- end }}
- { name: AGENTSTORE_S3_REGION, value: {{ .Values.backup.target.s3.region | quote }} }
- name: AWS_ACCESS_KEY_ID
  valueFrom: { secretKeyRef: { name: {{ .Values.backup.target.s3.existingSecret | quote }}, key: AWS_ACCESS_KEY_ID } }
- name: AWS_SECRET_ACCESS_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.backup.target.s3.existingSecret | quote }}, key: AWS_SECRET_ACCESS_KEY } }
{{- end }}
{{- end -}}

{{- define "agentstore.backup.restoreKeyspace" -}}
{{- printf "%s_rt" (trunc 38 .Values.global.keyspace) -}}
{{- end -}}
