#!/bin/bash
# Prints a kubeconfig for rollgate: each CONTEXT of your current kubeconfig (same name, same
# server and CA) authenticated as the rollgate ServiceAccount, with a token from the
# TokenRequest API (`kubectl create token`; no token Secret, no controller needed).
# Apply the rbac-*.yaml of your mode to each context first.
#   deploy/rollgate-kubeconfig.sh [-d DURATION] CONTEXT... > rollgate.kubeconfig
# DURATION defaults to 24h; the API server may cap it (--service-account-max-token-expiration).
set -euo pipefail
duration=24h
while getopts d: opt; do
  case $opt in d) duration=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-d DURATION] CONTEXT... > rollgate.kubeconfig" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
out=$work/kubeconfig
for ctx in "$@"; do
  field() { kubectl config view --raw --minify --flatten --context "$ctx" -o "jsonpath={.clusters[0].cluster.$1}"; }
  server=$(field server)
  [ -n "$server" ] || { echo "$0: no context \"$ctx\" in the current kubeconfig" >&2; exit 1; }
  ca=()
  if [ -n "$(field certificate-authority-data)" ]; then
    field certificate-authority-data | base64 -d > "$work/ca.crt"
    ca=(--certificate-authority "$work/ca.crt" --embed-certs)
  fi
  [ -n "$(field tls-server-name)" ] && ca+=(--tls-server-name "$(field tls-server-name)")
  token=$(kubectl --context "$ctx" -n rollgate create token rollgate --duration "$duration")
  kubectl config --kubeconfig "$out" set-cluster "$ctx" --server "$server" "${ca[@]}" >/dev/null
  kubectl config --kubeconfig "$out" set-credentials "rollgate@$ctx" --token "$token" >/dev/null
  kubectl config --kubeconfig "$out" set-context "$ctx" --cluster "$ctx" --user "rollgate@$ctx" >/dev/null
done
kubectl config --kubeconfig "$out" use-context "$1" >/dev/null
cat "$out"
