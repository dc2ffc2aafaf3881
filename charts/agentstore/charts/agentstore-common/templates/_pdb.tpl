{{/*
A PodDisruptionBudget from a workload's pdb values. Call with (dict "ctx" $ "name" <object name>
"labels" <rendered labels> "selector" <rendered selector labels> "pdb" .Values.pdb).
*/}}
{{- define "agentstore-common.pdb" -}}
{{- if .pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- .labels | nindent 4 }}
spec:
  maxUnavailable: {{ .pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- .selector | nindent 6 }}
{{- end }}
{{- end -}}
