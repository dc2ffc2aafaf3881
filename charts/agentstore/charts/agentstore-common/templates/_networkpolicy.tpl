{{/*
The ingress rules that admit a component's clients, with the knobs Bitnami charts offer
(networkPolicy.allowExternal, ingressNSMatchLabels, ingressNSPodMatchLabels, extraIngress). Call with
(dict "ctx" . "client" "<component>" "ports" (list <port> ...) "peers" <the component's own pod
selector labels, or "">).
- allowExternal: any pod of any namespace;
- else pods of the release namespace labelled agentstore.io/<component>-client=true, of any release
  (an application installed as its own release cannot carry this release's instance label), the
  component's own pods, and pods of namespaces matching ingressNSMatchLabels (only those matching
  ingressNSPodMatchLabels, when set);
- then extraIngress, as given.
*/}}
{{- define "agentstore-common.networkPolicy.clientIngress" -}}
{{- $np := .ctx.Values.networkPolicy -}}
- ports:
    {{- range .ports }}
    - { port: {{ . }}, protocol: TCP }
    {{- end }}
  {{- if not $np.allowExternal }}
  from:
    - podSelector:
        matchLabels:
          agentstore.io/{{ .client }}-client: "true"
    {{- with .peers }}
    - podSelector:
        matchLabels:
          {{- . | nindent 10 }}
    {{- end }}
    {{- with $np.ingressNSMatchLabels }}
    - namespaceSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- with $np.ingressNSPodMatchLabels }}
      podSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- end }}
    {{- end }}
  {{- end }}
{{- with $np.extraIngress }}
{{ toYaml . }}
{{- end }}
{{- end -}}
