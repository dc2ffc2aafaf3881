{{/*
Names and labels of the subcharts' objects. Every template here is prefixed "agentstore-common.": a
chart-name prefix such as "common." would collide with a parent chart's own library (templates share
one namespace across the whole render, helm#12503).

Object names derive from the release name alone, never from a subchart's values, so that the umbrella,
sibling subcharts and a parent chart compute them without those values (bitnami/charts#30000). Callers
pass (dict "ctx" <any context with .Release> "name" "<component>").
*/}}

{{/* The release's part of every name: <release>-agentstore, or <release> when it already says "agentstore". */}}
{{- define "agentstore-common.base" -}}
{{- ternary .Release.Name (printf "%s-agentstore" .Release.Name) (contains "agentstore" .Release.Name) -}}
{{- end -}}

{{/*
The name of a subchart's main object (StatefulSet, Deployment, Service), at most 45 characters so that
"-headless", "-cluster-id" and the StatefulSet's revision label stay within Kubernetes' limits:
- <base>-<component> cut at 45 while the whole base fits (up to 43 characters): the names releases
  already have (a StatefulSet renamed on upgrade would start over on new PVCs);
- else <base cut at 29>-<6 hex of sha256(base)>-<component>: distinct for every component and every
  release name Helm allows (53), where cutting alone would make them collide.
*/}}
{{- define "agentstore-common.fullname" -}}
{{- $base := include "agentstore-common.base" .ctx -}}
{{- if le (len $base) 43 -}}
{{- printf "%s-%s" $base .name | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" (include "agentstore-common.shorten" (dict "name" $base "max" 36)) .name -}}
{{- end -}}
{{- end -}}

{{/* .name when it has at most .max characters, else its first .max-7 and 6 hex of its sha256. */}}
{{- define "agentstore-common.shorten" -}}
{{- if le (len .name) (int .max) -}}
{{- .name -}}
{{- else -}}
{{- printf "%s-%s" (trunc (sub (int .max) 7 | int) .name | trimSuffix "-") (sha256sum .name | trunc 6) -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (selectors and volumeClaimTemplates are immutable). */}}
{{- define "agentstore-common.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/part-of: agentstore
{{- end -}}

{{/*
The recommended labels of a subchart's objects; .component is the app.kubernetes.io/component role
(database, broker, ...) and the version is the image tag the subchart runs.
*/}}
{{- define "agentstore-common.labels" -}}
{{ include "agentstore-common.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ include "agentstore-common.tag" .ctx.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- end -}}
