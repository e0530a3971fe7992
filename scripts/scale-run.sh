#!/usr/bin/env bash
# End-to-end scale run (issue 14): synthesize a MovieLens-25M-sized dataset, train every kind on it,
# publish it into a repository that a running inference service watches, and record per stage the
# wall time, CPU time and peak memory, the artifact's size, the service's resident-memory growth for
# the version and the time from "published" (the version's commit) to "serving". Writes
# OUT/scale-run.md and OUT/scale-run.json.
#
#   bash scripts/scale-run.sh [OUT_DIR]                       (default .data/scale-run)
#   USERS=162000 ITEMS=62000 RATINGS=25000000 bash scripts/scale-run.sh   (the defaults)
#   TRAIN_ARGS="--validation 0.05 --nn-epochs 2" bash scripts/scale-run.sh   (`train all` options;
#                                                             default --validation 0.05)
#
# Needs /usr/bin/time (GNU time) and about 3 GB of disk and 6 GB of memory at the default size.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-.data/scale-run}"
users="${USERS:-162000}"
items="${ITEMS:-62000}"
ratings="${RATINGS:-25000000}"
# A validation part (5 %) chooses epochs and fits the blend, as `train all --split u1` does.
train_args="${TRAIN_ARGS:---validation 0.05}"
work="${WORK:-.data/scale-run/work}"
cli="${CLI:-src/Recommender.Cli/bin/Release/net10.0/recommender}"

[ -x /usr/bin/time ] || { echo "scale-run: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ -z "${CLI:-}" ]; then
    dotnet build src/Recommender.Cli -c Release --nologo -v quiet
fi
mkdir -p "$work" "$out"
data="$work/data"; repo="$work/repo"
rm -rf "$repo"; mkdir -p "$repo"

# stage NAME COMMAND...: runs it under GNU time; appends "NAME wall_s cpu_s peak_mib load" to stages.tsv.
: > "$work/stages.tsv"
stage() {
    local name=$1; shift
    echo "== $name: $*" >&2
    /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" > "$work/$name.log" 2>&1 \
        || { echo "scale-run: stage $name failed; see $work/$name.log" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
    read -r wall user sys peak_kb < "$work/$name.time"
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    echo -e "$name\t$wall\t$(echo "$user + $sys" | bc)\t$((peak_kb / 1024))\t$load" >> "$work/stages.tsv"
}

rm -rf "$data"
stage synth "$cli" data synth --out "$data" --users "$users" --items "$items" --ratings "$ratings"

# The service watches the (empty) repository from before training, so it loads the version the
# moment training commits it, and logs how long after the commit it served it.
"$cli" inference serve --Inference:RepositoryPath="$repo" --Inference:ExecutionProvider=Cpu \
    --Endpoints:BindAddress=127.0.0.1 --Endpoints:GrpcPort=0 --Endpoints:MetricsPort=0 \
    --Endpoints:DrainDelay=00:00:00 > "$work/server.out" 2> "$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^READY ' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^READY ' "$work/server.out" || { echo "scale-run: the inference service did not start" >&2; cat "$work/server.err" >&2; exit 1; }
port=$(sed -n 's/^READY grpc=\([0-9]*\).*/\1/p' "$work/server.out")
rss_idle=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status")

# shellcheck disable=SC2086 # TRAIN_ARGS is a list of options
stage train "$cli" train all --data "$data" --repo "$repo" --name scale --split none --metrics-json "$work/metrics.json" $train_args

serving=""
for _ in $(seq 1 1200); do
    serving=$(grep -h -o 'Model scale version 1: serving .*' "$work/server.out" "$work/server.err" 2>/dev/null | head -1 || true)
    [ -n "$serving" ] && break
    sleep 0.5
done
[ -n "$serving" ] || { echo "scale-run: the service did not serve the version within 10 minutes" >&2; tail -20 "$work/server.err" >&2; exit 1; }
sleep 3
rss_loaded=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status")
artifact_mib=$(du -sm "$repo/scale/1" | cut -f1)
since_commit=$(echo "$serving" | sed -n 's/.*serving \([0-9.]*\) s after its commit.*/\1/p')
grew=$(echo "$serving" | sed -n 's/.*resident memory grew \([0-9]*\) MiB.*/\1/p')

"$cli" bench --address "http://127.0.0.1:$port" --repo "$repo" --model all --operation recommend --concurrency 1,8 \
    --duration "${BENCH_DURATION:-5}" --warmup "${BENCH_WARMUP:-2}" --no-ceiling --json "$work/bench.json" > "$work/bench.log" 2>&1 \
    || echo "scale-run: the bench failed; see $work/bench.log" >&2
kill "$server"; wait "$server" 2>/dev/null || true
trap - EXIT

{
    echo "# Scale run: $users users x $items items, $ratings ratings"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, \`train all --split none $train_args\`; load = 1-minute load average at the end of the stage."
    echo
    echo "| stage | wall | CPU | peak memory | load |"
    echo "|---|---|---|---|---|"
    while IFS=$'\t' read -r name wall cpu peak load; do
        echo "| $name | ${wall} s | ${cpu} s | ${peak} MiB | $load |"
    done < "$work/stages.tsv"
    echo
    echo "| served version | |"
    echo "|---|---|"
    echo "| artifact on disk | ${artifact_mib} MiB |"
    echo "| service RSS idle → loaded | ${rss_idle} → ${rss_loaded} MiB |"
    echo "| resident growth while loading (service log) | ${grew} MiB ($(echo "scale=2; $grew / $artifact_mib" | bc)× the artifact) |"
    echo "| published (commit) → serving | ${since_commit} s |"
    echo
    echo "Per kind, from the trainer's progress lines:"
    echo
    echo '```'
    grep -E "^(data|mf|neural|implicit|blend|autorec|export|published|done)" "$work/train.log" | grep -v -E "epoch +[0-9]+/" | tail -30 || true
    grep -E "epoch" "$work/train.log" | tail -4 || true
    echo '```'
    if [ -f "$work/bench.json" ]; then
        echo
        echo "Recommend top-10 on the loaded version (client and service share the cores):"
        echo
        echo '```'
        sed -n '/^case /,/^$/p' "$work/bench.log"
        echo '```'
    fi
} > "$out/scale-run.md"

python3 - "$work/stages.tsv" "$out/scale-run.json" "$artifact_mib" "$rss_idle" "$rss_loaded" "$grew" "$since_commit" <<'EOF'
import json, sys
stages = [dict(zip(["stage", "wall_s", "cpu_s", "peak_mib", "load"], line.rstrip("\n").split("\t"))) for line in open(sys.argv[1])]
json.dump({"stages": stages, "artifact_mib": int(sys.argv[3]), "rss_idle_mib": int(sys.argv[4]), "rss_loaded_mib": int(sys.argv[5]),
           "resident_growth_mib": int(sys.argv[6]), "publish_to_serving_s": float(sys.argv[7])}, open(sys.argv[2], "w"), indent=2)
EOF
cat "$out/scale-run.md"
