#!/usr/bin/env bash
# Offline checks of the deployment files (no network, no cluster, no container engine):
#   1. kustomize: `kubectl kustomize` renders every overlay under k8s/overlays/.
#   2. schema:    the rendered objects, as TypeScript literals typed with the kubernetes-models
#                 interfaces, pass `tsc --noEmit` (misspelled fields, wrong types, missing
#                 required fields, unknown kinds fail), then the kubernetes-models classes
#                 validate them against the API's JSON schemas (formats such as quantities).
#   3. dockerfile: dockerfile-utils lints the Dockerfile (strict: warnings fail too).
# The drift test (tests/Recommender.Deployment.Tests) checks names, ports and paths against the
# services' options classes.
#
# usage: deploy-checks/run.sh [--install] [--root DIR] [--only kustomize|schema|dockerfile]
#   --install   run `npm ci` in deploy-checks/ first (CI); otherwise only when node_modules is missing
#   --root DIR  check DIR/k8s and DIR/Dockerfile instead of the repository's (tests use copies)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
only=""
install=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) root="$(cd "$2" && pwd)"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --install) install=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$only" in ""|kustomize|schema|dockerfile) ;; *) echo "unknown check: $only" >&2; exit 2 ;; esac

command -v kubectl >/dev/null || { echo "deploy-checks: kubectl is required (kubectl kustomize)" >&2; exit 1; }
command -v node >/dev/null || { echo "deploy-checks: node is required" >&2; exit 1; }
mkdir -p "$here/.generated"
# One install at a time (tests run this script in parallel).
exec 9>"$here/.generated/install.lock"
flock 9
if [[ $install == 1 || ! -x "$here/node_modules/.bin/tsc" || ! -d "$here/node_modules/kubernetes-models" || ! -d "$here/node_modules/dockerfile-utils" ]]; then
  echo "== deploy-checks: npm ci (pinned by deploy-checks/package-lock.json)"
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
flock -u 9
work="$(mktemp -d "$here/.generated/run.XXXXXX")"
trap 'rm -rf "$work"' EXIT

overlays=()
for dir in "$root"/k8s/overlays/*/; do
  [[ -f "$dir/kustomization.yaml" || -f "$dir/kustomization.yml" || -f "$dir/Kustomization" ]] && overlays+=("$(basename "$dir")")
done
if [[ ${#overlays[@]} -eq 0 ]]; then
  echo "deploy-checks: no overlays under $root/k8s/overlays" >&2
  exit 1
fi

if [[ -z "$only" || "$only" == kustomize || "$only" == schema ]]; then
  echo "== kustomize: render ${overlays[*]}"
  mkdir -p "$work/rendered"
  for overlay in "${overlays[@]}"; do
    if ! kubectl kustomize "$root/k8s/overlays/$overlay" > "$work/rendered/$overlay.yaml"; then
      echo "FAIL kustomize: k8s/overlays/$overlay does not render" >&2
      exit 1
    fi
    echo "   $overlay: $(grep -c '^kind:' "$work/rendered/$overlay.yaml") objects"
  done
fi

if [[ -z "$only" || "$only" == schema ]]; then
  echo "== schema: rendered objects against kubernetes-models types (tsc --noEmit)"
  mkdir -p "$work/ts"
  args=()
  for overlay in "${overlays[@]}"; do args+=("$overlay=$work/rendered/$overlay.yaml"); done
  node "$here/scripts/to-typescript.mjs" "$work/ts" "${args[@]}"
  cat > "$work/ts/tsconfig.json" <<JSON
{ "extends": "../../../tsconfig.base.json", "include": ["*.ts"] }
JSON
  if ! (cd "$work/ts" && "$here/node_modules/.bin/tsc" -p tsconfig.json --pretty false); then
    echo "FAIL schema: a rendered object does not match the Kubernetes API types (see above)" >&2
    exit 1
  fi
  if ! node "$here/scripts/validate-models.mjs" "${args[@]}"; then
    echo "FAIL schema: a rendered object does not validate against the Kubernetes API schemas (see above)" >&2
    exit 1
  fi
  echo "   ok"
fi

if [[ -z "$only" || "$only" == dockerfile ]]; then
  echo "== dockerfile: dockerfile-utils lint"
  if ! node "$here/scripts/lint-dockerfile.mjs" "$root/Dockerfile"; then
    echo "FAIL dockerfile: lint errors (see above)" >&2
    exit 1
  fi
fi

echo "deploy-checks: all passed"
