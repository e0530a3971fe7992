#!/usr/bin/env bash
# 5-fold cross-validation on MovieLens 100K's official splits u1..u5: `train all` on each fold's
# .base (epochs and blend weights chosen on a validation part carved from it), then the served
# default (what PredictRatings answers when a request names no kind: the blend) scored once on the
# fold's .test through ONNX Runtime by `evaluate --model default`; the kinds' own test RMSE comes
# from the run's metrics. Prints one row per fold and the averages.
#
#   bash scripts/folds.sh ~/data/ml-100k [extra train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

data="${1:?usage: scripts/folds.sh DATA_DIR [train flags...]}"
shift
work=".data/folds"
folds="${FOLDS:-u1 u2 u3 u4 u5}"

dotnet build src/Recommender.Cli -c Release --nologo -v quiet
cli=src/Recommender.Cli/bin/Release/net10.0/recommender
rm -rf "$work"
mkdir -p "$work"

# "key": value from a metrics json or an `evaluate --json` line.
value() { grep -o "\"$2\": *[0-9.eE+-]*" "$1" | head -1 | sed 's/.*: *//'; }

printf '%-5s %9s %9s %9s %9s %10s %10s\n' fold served mf neural blend train_s cpu_s
for fold in $folds; do
    start=$(date +%s.%N)
    cpu_before=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
    "$cli" train all --data "$data" --split "$fold" --repo "$work/$fold" --metrics-json "$work/$fold.json" "$@" > "$work/$fold.log"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    cpu=$(awk -v before="$cpu_before" -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17 - before) / hz}' /proc/$$/stat)
    "$cli" evaluate --repo "$work/$fold" --data "$data" --split "$fold" --model default --json > "$work/$fold.served.json"
    printf '%-5s %9.4f %9.4f %9.4f %9.4f %10.1f %10.1f\n' "$fold" \
        "$(value "$work/$fold.served.json" rmse)" "$(value "$work/$fold.json" mf.rmse)" \
        "$(value "$work/$fold.json" neural.rmse)" "$(value "$work/$fold.json" blend.rmse)" "$wall" "$cpu" | tee -a "$work/rows.txt"
done

awk '{ for (c = 2; c <= 7; c++) sum[c] += $c; n++ }
     END { printf "%-5s", "mean"; for (c = 2; c <= 5; c++) printf " %9.4f", sum[c] / n; printf " %10.1f %10.1f\n", sum[6] / n, sum[7] / n }' "$work/rows.txt"
