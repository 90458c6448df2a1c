{{- define "gateway.name" -}}{{ .Values.name | default .Release.Name }}{{- end }}
{{- define "gateway.selectorLabels" -}}
app: {{ .Values.labels.app | default (include "gateway.name" .) }}
istio: {{ .Values.labels.istio | default (include "gateway.name" . | trimPrefix "istio-") }}
{{- end }}
{{- define "gateway.labels" -}}
{{- if semverCompare ">=1.24-0" .Chart.Version }}
app.kubernetes.io/name: {{ include "gateway.name" . }}
{{- include "istio.chartLabels" . }}
{{- else }}
helm.sh/chart: gateway-{{ .Chart.Version }}
app.kubernetes.io/name: {{ include "gateway.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: Helm
{{- end }}
{{ include "gateway.selectorLabels" . }}
{{- range $k, $v := .Values.labels }}
{{- if not (has $k (list "app" "istio")) }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
{{- end }}
