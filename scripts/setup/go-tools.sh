#!/usr/bin/env bash
# Builds the Go tools the chart tests need into .tools/bin (git-ignored), pinned, from the Go module
# proxy only: helm3 (Helm 3, next to the Helm 4 `helm` from tools.ts) and kubeconform.
# Built with the ldflags of the upstream release builds, so `helm3 version` and `kubeconform -v`
# report the pin and Helm 3 assumes the Kubernetes version its release binary does (without them
# `go install` gives a Helm 3 that renders for Kubernetes 1.20).
# Idempotent: a binary reporting the pinned version is kept.
# Cold (empty ~/go and ~/.cache/go-build, 2 busy cores) this takes 3.5-6 min, nearly all of it helm3; warm, ~1 s.
set -euo pipefail

HELM3_VERSION=v3.22.0        # latest Helm 3 on the module proxy
KUBECONFORM_VERSION=v0.8.0
# kube-linter is not installable from here: golang.stackrox.io is not on the module proxy allowlist.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/.tools/bin"
command -v go >/dev/null || { echo "error: go not found (Go >= 1.24 is needed to build helm3 and kubeconform)" >&2; exit 1; }
mkdir -p "$bin"

# install <name in .tools/bin> <module> <version> <package dir> <ldflags> <command printing the version>
install() {
  local name=$1 module=$2 version=$3 pkg=$4 ldflags=$5 version_cmd=$6
  if [ -x "$bin/$name" ] && [ "$("$bin/$name" $version_cmd 2>/dev/null)" = "$version" ]; then
    echo "go tools: $name $version (already in .tools/bin)"
    return
  fi
  local tmp start got
  tmp="$(mktemp -d)"
  start=$SECONDS
  echo "go tools: building $name $version ..."
  GOBIN="$tmp" GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0 go install -ldflags "$ldflags" "$module$pkg@$version"
  mv -f "$tmp/$(basename "$module$pkg")" "$bin/$name"
  rmdir "$tmp"
  got="$("$bin/$name" $version_cmd)"
  [ "$got" = "$version" ] || { echo "error: $name reports $got, expected $version" >&2; exit 1; }
  echo "go tools: $name $version -> .tools/bin/$name ($((SECONDS - start))s)"
}

# Helm's Makefile: the default Kubernetes version is 1.<minor of the k8s.io/client-go it builds with>.
helm_gomod="$(go mod download -json "helm.sh/helm/v3@$HELM3_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
k8s_minor="$(awk '$1 == "k8s.io/client-go" { split($2, v, "."); print v[2]; exit }' "$helm_gomod")"
helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION"
for pkg in pkg/lint/rules pkg/chartutil; do
  helm_ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
done

install helm3 helm.sh/helm/v3 "$HELM3_VERSION" /cmd/helm "$helm_ldflags" "version --short"
install kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION" /cmd/kubeconform "-s -w -X main.version=$KUBECONFORM_VERSION" "-v"
