{{- define "istio.defaultValidator" -}}
{{- if .Values.defaultRevision }}
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: istiod-default-validator
  labels:
    app: istiod
    istio: istiod
    istio.io/rev: {{ .Values.defaultRevision | quote }}
    {{- include "istio.chartLabels" . | nindent 4 }}
webhooks:
- name: validation.istio.io
  admissionReviewVersions: ["v1"]
  clientConfig:
    service:
      name: istiod{{ if ne .Values.defaultRevision "default" }}-{{ .Values.defaultRevision }}{{ end }}
      namespace: {{ .Values.global.istioNamespace }}
      path: "/validate"
      port: 443
  failurePolicy: Ignore
  matchPolicy: Equivalent
  sideEffects: None
  timeoutSeconds: 10
  rules:
  - apiGroups: ["security.istio.io", "networking.istio.io", "telemetry.istio.io", "extensions.istio.io"]
    apiVersions: ["*"]
    operations: ["CREATE", "UPDATE"]
    resources: ["*"]
    scope: "*"
{{- end }}
{{- end }}
