#!/usr/bin/env bash
# Calls a running inference service the way grpcurl does: server reflection through `buf curl`.
# Builds a tiny model, starts `recommender inference serve` on a free port, lists the services,
# calls Recommend with a JSON body, checks the answer, and stops the service.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(dotnet src/Recommender.Cli/bin/Release/net10.0/recommender.dll)
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

"${cli[@]}" data synth --out "$work/data" --users 200 --items 300 --ratings 8000 --seed 3 >/dev/null
"${cli[@]}" train mf --data "$work/data" --repo "$work/models" --epochs 5 --factors 16 >/dev/null

"${cli[@]}" inference serve "--Inference:RepositoryPath=$work/models" --Endpoints:BindAddress=127.0.0.1 \
  --Endpoints:GrpcPort=0 --Endpoints:MetricsPort=0 --Endpoints:DrainDelay=00:00:00 --Logging:Format=simple \
  >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -q '^READY ' "$work/serve.log" && break
  sleep 0.2
done
port=$(sed -n 's/^READY grpc=\([0-9]*\) .*/\1/p' "$work/serve.log")
[ -n "$port" ] || { echo "the inference service did not start:"; cat "$work/serve.log"; exit 1; }
url="http://127.0.0.1:$port"

for _ in $(seq 1 100); do
  npx buf curl --protocol grpc --http2-prior-knowledge "$url/grpc.health.v1.Health/Check" 2>/dev/null | grep -q SERVING && break
  sleep 0.2
done

echo "== buf curl --list-services $url"
services=$(npx buf curl --protocol grpc --http2-prior-knowledge --list-services "$url")
echo "$services"
grep -qx 'recommender.v1.InferenceService' <<<"$services"

user=$(head -1 "$work/data/u.data" | cut -f1)
echo "== buf curl $url/recommender.v1.InferenceService/Recommend -d '{\"userId\": $user, \"topN\": 3}'"
answer=$(npx buf curl --protocol grpc --http2-prior-knowledge "$url/recommender.v1.InferenceService/Recommend" -d "{\"userId\": $user, \"topN\": 3}")
echo "$answer"
[ "$(grep -c '"itemId"' <<<"$answer")" -eq 3 ] || { echo "expected 3 recommended items"; exit 1; }
echo "buf curl smoke test passed"
