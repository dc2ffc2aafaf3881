#!/usr/bin/env bash
# `make clean-cluster`: removes what `make validate` left on a cluster (it never tears down by
# itself): the Helm release, the namespace (with its PVCs), and the kind cluster "agentstore" if
# validate created one. Safe to run when nothing is there.
set -uo pipefail
cd "$(dirname "$0")/../.."
PATH="$PWD/.tools/bin:$PATH"
helm="${VALIDATE_HELM:-helm}"
release=agentstore namespace=agentstore

if kubectl version --request-timeout=5s >/dev/null 2>&1; then
  if "$helm" status "$release" --namespace "$namespace" >/dev/null 2>&1; then
    echo "uninstalling release $release from namespace $namespace"
    "$helm" uninstall "$release" --namespace "$namespace" --wait --timeout 5m || echo "helm uninstall failed: see above" >&2
  else
    echo "no release $release in namespace $namespace"
  fi
  # The StatefulSets' PVCs outlive the release: the namespace takes them with it.
  kubectl delete namespace "$namespace" --ignore-not-found --wait=true --timeout=5m
else
  echo "no reachable cluster in the current kube context: no release to remove"
fi

if command -v kind >/dev/null 2>&1 && kind get clusters 2>/dev/null | grep -qx agentstore; then
  echo "deleting kind cluster agentstore"
  kind delete cluster --name agentstore
fi
