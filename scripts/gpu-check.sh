#!/usr/bin/env bash
# gpu-check.sh: the CUDA path of the inference service, checked in minutes on a GPU machine with no
# .NET SDK (issue 14 item 5). GPU machines are rare and short-lived, so everything that can be
# prepared is prepared on a machine with the SDK (`publish`), and the run on the GPU (`run`) only
# starts the service, checks the provider, benches and writes results.
#
# usage:
#   scripts/gpu-check.sh publish [DIR]        (SDK machine) self-contained linux-x64 publish of the CLI
#                                             into DIR (default: artifacts/gpu-publish) with this
#                                             script inside as run-gpu.sh; then pack it with
#                                             ../shared/tools/gpu-pack DIR
#   ./run-gpu.sh [--cpu] [--model REPO] [--out DIR] [--items N] [--users N] [--ratings N] [--duration S]
#                                             (GPU machine, from the unpacked publish) train a synthetic
#                                             model of the 62 k catalog (or copy REPO), serve it with
#                                             Inference__ExecutionProvider=Cuda, check GetModelInfo says
#                                             CUDAExecutionProvider, bench, write gpu-check.json + .md.
#   --cpu                                     everything but the CUDA step, on CPU (CI, tiny model).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

publish() {
  local top out
  top=$(cd "$here/.." && pwd)
  out=${1:-$top/artifacts/gpu-publish}
  # Self-contained: the GPU machine has no .NET. The Serving project references
  # Microsoft.ML.OnnxRuntime.Gpu.Linux, whose runtimes/linux-x64/native holds the CUDA provider
  # (libonnxruntime_providers_cuda.so, _shared.so); publish for linux-x64 keeps them next to the app.
  dotnet publish "$top/src/Recommender.Cli/Recommender.Cli.csproj" -c Release -r linux-x64 --self-contained -o "$out"
  cp "$here/gpu-check.sh" "$out/run-gpu.sh"
  chmod +x "$out/run-gpu.sh"
  if ! ls "$out"/libonnxruntime_providers_cuda.so >/dev/null 2>&1; then
    echo "warning: $out has no libonnxruntime_providers_cuda.so; the CUDA provider will not load" >&2
  fi
  echo "published to $out; pack it with: ../shared/tools/gpu-pack $out"
}

run() {
  local cpu=0 model="" out="$PWD/gpu-check-out" items=62000 users=20000 ratings=2000000 duration=5
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cpu) cpu=1 ;;
      --model) model=$2; shift ;;
      --out) out=$2; shift ;;
      --items) items=$2; shift ;;
      --users) users=$2; shift ;;
      --ratings) ratings=$2; shift ;;
      --duration) duration=$2; shift ;;
      *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
  done

  # The publish's own binary when run from it; else the one named by $RECOMMENDER (CI).
  local app=${RECOMMENDER:-$here/recommender}
  [[ -x "$app" ]] || { echo "no recommender binary at $app (set RECOMMENDER)" >&2; exit 2; }
  mkdir -p "$out"
  local repo="$out/repo"
  if [[ -n "$model" ]]; then
    rm -rf "$repo" && cp -r "$model" "$repo"
  else
    "$app" data synth --out "$out/data" --users "$users" --items "$items" --ratings "$ratings"
    # One neural epoch: the check is about serving, not model quality.
    "$app" train all --data "$out/data" --repo "$repo" --split none --nn-epochs 1 --epochs 5 --implicit-epochs 3
  fi

  local provider=Cuda expected=CUDAExecutionProvider
  if [[ $cpu == 1 ]]; then provider=Cpu; expected=CPUExecutionProvider; fi
  local log="$out/server.log" port=${GPU_CHECK_PORT:-50571}
  Inference__ExecutionProvider=$provider "$app" inference serve \
    "--Inference:RepositoryPath=$repo" "--Inference:ExecutionProvider=$provider" \
    --Endpoints:BindAddress=127.0.0.1 "--Endpoints:GrpcPort=$port" --Endpoints:MetricsPort=0 \
    --Endpoints:DrainDelay=00:00:00 >"$log" 2>&1 &
  local server=$!
  trap 'kill '"$server"' 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    grep -q '^READY' "$log" && break
    kill -0 "$server" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  grep -q '^READY' "$log" || { echo "server not ready after 60 s:" >&2; cat "$log" >&2; exit 1; }

  # The bench asks GetModelInfo first and records the provider in use in its JSON.
  local json="$out/gpu-check.json" md="$out/gpu-check.md"
  "$app" bench --address "http://127.0.0.1:$port" --repo "$repo" --model all --operation both \
    --duration "$duration" --warmup 2 --no-ceiling --json "$json" | tee "$out/bench.txt"
  local used
  used=$(grep -o '"executionProvider": *"[A-Za-z]*"' "$json" | head -1 | sed 's/.*"\([A-Za-z]*\)"$/\1/')
  {
    echo "# GPU check ($(date -u +%FT%TZ))"
    echo
    echo "- mode: $([[ $cpu == 1 ]] && echo cpu || echo cuda); provider requested $provider, in use: ${used:-unknown}"
    echo "- machine: $(nproc) cores; $(command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo 'no nvidia-smi')"
    echo
    echo '```'
    cat "$out/bench.txt"
    echo '```'
  } >"$md"
  echo "wrote $json and $md"
  if [[ "$used" != "$expected" ]]; then
    echo "FAILED: GetModelInfo reports ${used:-nothing}, expected $expected" >&2
    exit 1
  fi
  echo "OK: GetModelInfo reports $used"
}

case "${1:-}" in
  publish) shift; publish "$@" ;;
  *) run "$@" ;;
esac
