#!/usr/bin/env bash
# Regenerates the example report in docs/report/ from scratch, in a few minutes on 2 cores:
# synthesizes an ML-100K-sized dataset, trains both models, serves them on loopback, benches
# briefly (with dynamic batching on vs off on two more child servers), and writes the report.
#
#   bash scripts/report.sh [OUT_DIR]            (default docs/report)
#   BENCH_DURATION=5 BENCH_WARMUP=3 bash scripts/report.sh   (the bench's own defaults: longer, steadier)
#
# Client and server share the machine's cores: the report records the load average; rerun when
# the machine is otherwise idle for numbers worth comparing.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-docs/report}"
work=".data/report-run"
duration="${BENCH_DURATION:-2}"
warmup="${BENCH_WARMUP:-1}"

echo "== build"
dotnet build src/Recommender.Cli -c Release --nologo -v quiet
cli=src/Recommender.Cli/bin/Release/net10.0/recommender

rm -rf "$work"
mkdir -p "$work" "$out"
rm -f "$out"/*.png "$out/report.md"   # no stale plots from an earlier layout

echo "== data: synthetic, MovieLens 100K-sized"
"$cli" data synth --out "$work/synthetic-ml100k"

echo "== train: MF + neural"
"$cli" train all --data "$work/synthetic-ml100k" --repo "$work/models" --metrics-json "$work/metrics.json"

echo "== serve on loopback"
"$cli" inference serve --Inference:RepositoryPath="$work/models" --Inference:ExecutionProvider=Cpu \
    --Endpoints:BindAddress=127.0.0.1 --Endpoints:GrpcPort=0 --Endpoints:MetricsPort=0 \
    --Endpoints:DrainDelay=00:00:00 --Logging:LogLevel:Default=Warning > "$work/server.out" 2> "$work/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    grep -q '^READY ' "$work/server.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.err" >&2; echo "the server exited before it was ready" >&2; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/^READY grpc=\([0-9]*\) .*/\1/p' "$work/server.out")
[ -n "$port" ] || { echo "the server did not say READY within a minute" >&2; exit 1; }

echo "== bench http://127.0.0.1:$port (${warmup}s warm-up + ${duration}s per case; load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$cli" bench --address "http://127.0.0.1:$port" --repo "$work/models" --duration "$duration" --warmup "$warmup" \
    --compare-batching --json "$work/bench.json"

kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT

echo "== report -> $out"
cp "$work/metrics.json" "$work/bench.json" "$out/"
"$cli" report --metrics-json "$out/metrics.json" --bench-json "$out/bench.json" --out "$out"
