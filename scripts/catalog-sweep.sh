#!/usr/bin/env bash
# Catalog-size sweep (issue 14): Recommend top-10 p50/p99 against catalog size per kind.
# Synthesizes three catalogs (1.7 k, 10 k, 62 k items), trains every kind on each (SGD MF k = 200,
# short neural training: latency does not depend on the epochs), serves each on loopback, benches
# Recommend at concurrency 1 and 8, and writes docs/report/catalog-sweep.{md,png}.
#
#   bash scripts/catalog-sweep.sh [OUT_DIR]     (default docs/report)
#
# Run it on an otherwise idle machine: the bench records the load average beside every number.
# Each case warms up for BENCH_WARMUP (10) seconds: in the first seconds under load the runtime
# is still recompiling hot methods at tier 1 (measured: 14 % of the service's CPU 4-9 s in, under
# 1 % after 18 s), which inflated the p99 of a 2-second warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-docs/report}"
work=".data/catalog-sweep"
duration="${BENCH_DURATION:-5}"
warmup="${BENCH_WARMUP:-10}"

dotnet build src/Recommender.Cli -c Release --nologo -v quiet
cli=src/Recommender.Cli/bin/Release/net10.0/recommender
mkdir -p "$work" "$out"

sweep=()
for spec in "1k7 943 1682 100000" "10k 20000 10000 1000000" "62k 20000 62000 2000000"; do
    read -r tag users items ratings <<< "$spec"
    data="$work/syn$tag"; repo="$work/repo$tag"
    [ -f "$data/u.data" ] || "$cli" data synth --out "$data" --users "$users" --items "$items" --ratings "$ratings"
    [ -d "$repo" ] || "$cli" train all --data "$data" --repo "$repo" --name "m$tag" --variant biased --factors 200 \
        --nn-epochs 1 --epochs 10 --no-blend
    "$cli" inference serve --Inference:RepositoryPath="$repo" --Inference:ExecutionProvider=Cpu \
        --Endpoints:BindAddress=127.0.0.1 --Endpoints:GrpcPort=0 --Endpoints:MetricsPort=0 \
        --Endpoints:DrainDelay=00:00:00 --Logging:LogLevel:Default=Warning > "$work/server$tag.out" 2> "$work/server$tag.err" &
    server=$!
    for _ in $(seq 1 600); do grep -q '^READY ' "$work/server$tag.out" 2>/dev/null && break; sleep 0.1; done
    port=$(sed -n 's/^READY grpc=\([0-9]*\).*/\1/p' "$work/server$tag.out")
    "$cli" bench --address "http://127.0.0.1:$port" --repo "$repo" --model all --operation recommend --concurrency 1,8 \
        --duration "$duration" --warmup "$warmup" --no-ceiling --json "$work/bench$tag.json"
    kill "$server"; wait "$server" 2>/dev/null || true
    sweep+=(--bench-json "$work/bench$tag.json")
done

"$cli" report-sweep "${sweep[@]}" --out "$out"
