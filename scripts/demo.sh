#!/usr/bin/env bash
# The demo of `make demo`: validate the example tenant, then show what a
# broken manifest looks like. (Plan and apply join the demo when they land.)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin/runai-sync

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Validate the example tenant (offline)"
echo "\$ runai-sync validate -f examples/"
$bin validate -f examples/

step "A broken manifest: every problem at once, with file:line:col and the field"
echo "\$ runai-sync validate -f testdata/invalid/unknown-field.yaml -f testdata/invalid/missing-service-account.yaml"
if $bin validate -f testdata/invalid/unknown-field.yaml -f testdata/invalid/missing-service-account.yaml; then
  echo "expected the broken manifests to fail" >&2
  exit 1
fi
echo "(exit status 1: invalid)"
