#!/usr/bin/env bash
# Builds the real-control-plane test tier's binaries from pinned Go modules (no downloaded binaries):
# kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3),
# helm v3 and helm v4. Each is built in a small wrapper module generated here; only this script is in the repository.
# Output: a cache directory outside the work tree, one folder per set of versions, reused when complete.
# Prints the directory on the last line of stdout.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.30.14}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
HELM3_VERSION=${HELM3_VERSION:-v3.22.0}
HELM4_VERSION=${HELM4_VERSION:-v4.3.2}
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_helm-${HELM3_VERSION}-${HELM4_VERSION}"
out=${ISTIO_UPGRADE_CLUSTER_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/istio-upgrade/cluster-bin/$key}
bins=(kube-apiserver kube-controller-manager kube-scheduler etcd helm3 helm4)

log() { echo "build.sh: $*" >&2; }
# --dir: print where the binaries of these versions live (built or not) and stop.
if [[ "${1:-}" == "--dir" ]]; then echo "$out"; exit 0; fi
complete() { for b in "${bins[@]}"; do [[ -x "$out/$b" ]] || return 1; done; [[ -f "$out/versions.json" ]]; }

if complete; then
  log "reusing $out"
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "go is not installed"; exit 2; }

mkdir -p "$out/src"
export GOFLAGS=-trimpath GOTOOLCHAIN=local CGO_ENABLED=0
# Other work shares the machine's cores: build at low priority.
nice_go() { nice -n 15 go "$@"; }
started=$(date +%s)
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# wrapper DIR MODULE MODVERSION PKG... : a module requiring MODULE@MODVERSION whose tools.go names the main packages.
wrapper() {
  local dir=$1 mod=$2 ver=$3; shift 3
  mkdir -p "$dir"
  printf 'module istio-upgrade.test/cluster-bin/%s\n\ngo 1.24\n\nrequire %s %s\n' "$(basename "$dir")" "$mod" "$ver" >"$dir/go.mod"
  { echo '//go:build tools'; echo; echo 'package tools'; echo; echo 'import ('; for p in "$@"; do echo "	_ \"$p\""; done; echo ')'; } >"$dir/tools.go"
}

# gobuild DIR LDFLAGS NAME PKG: a binary appears only complete (an interrupted build leaves no half file behind).
gobuild() {
  (cd "$1" && nice_go build -ldflags "$2" -o "$out/.$3.tmp" "$4")
  mv "$out/.$3.tmp" "$out/$3"
}

step() { # step NAME CMD...
  local t=$(date +%s)
  "${@:2}"
  log "$1 built in $(( $(date +%s) - t )) s"
}

# --- Kubernetes: k8s.io/kubernetes's own go.mod replaces its staging modules with local folders, which a dependent
# module cannot see, so the wrapper replaces each k8s.io/* staging module with its published v0.<minor>.<patch>.
build_kube() {
  local dir="$out/src/kube" staging="v0.${K8S_VERSION#v1.}"
  wrapper "$dir" k8s.io/kubernetes "$K8S_VERSION" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  (cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null)
  local modfile
  modfile=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$modfile" | awk '{print $1}' | while read -r m; do
    echo "replace $m => $m $staging" >>"$dir/go.mod"
  done
  (cd "$dir" && nice_go mod tidy)
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
  done
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    step "$c" gobuild "$dir" "$ld" "$c" "k8s.io/kubernetes/cmd/$c"
  done
}

build_etcd() {
  local dir="$out/src/etcd"
  wrapper "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3
  (cd "$dir" && nice_go mod tidy)
  step etcd gobuild "$dir" "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION" etcd go.etcd.io/etcd/server/v3
}

build_helm() { # build_helm MAJOR VERSION
  local major=$1 ver=$2 dir="$out/src/helm$1" mod="helm.sh/helm/v$1"
  wrapper "$dir" "$mod" "$ver" "$mod/cmd/helm"
  (cd "$dir" && nice_go mod tidy)
  local ld="-s -w -X $mod/internal/version.version=$ver -X $mod/internal/version.gitTreeState=clean"
  step "helm$major" gobuild "$dir" "$ld" "helm$major" "$mod/cmd/helm"
}

[[ -x "$out/kube-apiserver" && -x "$out/kube-controller-manager" && -x "$out/kube-scheduler" ]] || build_kube
[[ -x "$out/etcd" ]] || build_etcd
[[ -x "$out/helm3" ]] || build_helm 3 "$HELM3_VERSION"
[[ -x "$out/helm4" ]] || build_helm 4 "$HELM4_VERSION"

cat >"$out/versions.json" <<JSON
{"kubernetes":"$K8S_VERSION","etcd":"$ETCD_VERSION","helm3":"$HELM3_VERSION","helm4":"$HELM4_VERSION","go":"$(go env GOVERSION)","built":"$build_date"}
JSON
log "all built in $(( $(date +%s) - started )) s into $out ($(du -sh "$out" | cut -f1))"
echo "$out"
