{{/* Copied into every chart by package.ts. */}}
{{- define "istio.chartLabels" -}}
{{- if semverCompare ">=1.24-0" .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/part-of: "istio"
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end }}
{{- end }}
{{/* templates/zzz_profile.yaml: an unknown profile or compatibility version fails the render, as in the official charts. */}}
{{- define "istio.checkProfile" -}}
{{- $profile := .Values.profile | default (.Values.global | default dict).profile | default "" }}
{{- if and $profile (not (has $profile (list "ambient" "default" "demo" "empty" "minimal" "openshift" "openshift-ambient" "preview" "remote" "stable"))) }}
{{- fail (printf "unknown profile %v" $profile) }}
{{- end }}
{{- $compat := .Values.compatibilityVersion | default (.Values.global | default dict).compatibilityVersion | default "" }}
{{- if $compat }}
{{- if not (kindIs "string" $compat) }}{{ fail (printf "unknown compatibility version %v" $compat) }}{{ end }}
{{- if not (has $compat (splitList "," (.Files.Get "files/compatibility-versions.txt" | trim))) }}
{{- fail (printf "unknown compatibility version %s" $compat) }}
{{- end }}
{{- end }}
{{- end }}
