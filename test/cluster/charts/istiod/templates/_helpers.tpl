{{- define "istio.rev" -}}{{ .Values.revision | default "default" }}{{- end }}
{{- define "istio.name" -}}istiod{{ if .Values.revision }}-{{ .Values.revision }}{{ end }}{{- end }}
{{- define "istio.variant" -}}{{ .Values.global.variant | default (ternary "distroless" "" (eq (include "istio.profile" .) "ambient")) }}{{- end }}
{{- define "istio.profile" -}}{{ .Values.profile | default .Values.global.profile | default "" }}{{- end }}
{{- define "istio.tag" -}}{{ .Values.pilot.tag | default .Values.global.tag | default .Chart.AppVersion }}{{- end }}
{{- define "istio.hub" -}}{{ .Values.pilot.hub | default .Values.global.hub }}{{- end }}
{{- define "istio.labels" -}}
{{- include "istio.chartLabels" . }}
{{- end }}
{{/* injector webhooks: dict svc ns match defaults byDefault */}}
{{- define "istio.injectorWebhook" -}}
- name: {{ .prefix }}sidecar-injector.istio.io
  admissionReviewVersions: ["v1"]
  clientConfig:
    service:
      name: {{ .svc }}
      namespace: {{ .ns }}
      path: "/inject"
      port: 443
  failurePolicy: Fail
  matchPolicy: Equivalent
  reinvocationPolicy: Never
  rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    operations: ["CREATE"]
    resources: ["pods"]
    scope: "*"
  sideEffects: None
  timeoutSeconds: 10
  namespaceSelector:
    matchExpressions: {{ .nsSel | toJson }}
  objectSelector:
    matchExpressions: {{ .objSel | toJson }}
{{- end }}
{{- define "istio.injectorWebhooks" -}}
{{- $notDisabled := dict "key" "sidecar.istio.io/inject" "operator" "NotIn" "values" (list "false") }}
{{- $noInjLabel := dict "key" "istio-injection" "operator" "DoesNotExist" }}
{{- $noRev := dict "key" "istio.io/rev" "operator" "DoesNotExist" }}
{{- $revIs := dict "key" "istio.io/rev" "operator" "In" "values" (list .match) }}
{{ include "istio.injectorWebhook" (dict "prefix" "rev.namespace." "svc" .svc "ns" .ns "nsSel" (list $revIs $noInjLabel) "objSel" (list $notDisabled)) }}
{{ include "istio.injectorWebhook" (dict "prefix" "rev.object." "svc" .svc "ns" .ns "nsSel" (list $noRev $noInjLabel) "objSel" (list $notDisabled $revIs)) }}
{{- if .defaults }}
{{ include "istio.injectorWebhook" (dict "prefix" "namespace." "svc" .svc "ns" .ns "nsSel" (list (dict "key" "istio-injection" "operator" "In" "values" (list "enabled"))) "objSel" (list $notDisabled)) }}
{{ include "istio.injectorWebhook" (dict "prefix" "object." "svc" .svc "ns" .ns "nsSel" (list $noInjLabel $noRev) "objSel" (list (dict "key" "sidecar.istio.io/inject" "operator" "In" "values" (list "true")) $noRev)) }}
{{- if .byDefault }}
{{ include "istio.injectorWebhook" (dict "prefix" "auto." "svc" .svc "ns" .ns "nsSel" (list $noInjLabel $noRev (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (list "kube-system" "kube-public" "kube-node-lease" "local-path-storage"))) "objSel" (list (dict "key" "sidecar.istio.io/inject" "operator" "DoesNotExist") $noRev)) }}
{{- end }}
{{- end }}
{{- end }}
