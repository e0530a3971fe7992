#!/usr/bin/env bash
# The README's test command: every test project of the solution, in Release.
# Projects run in parallel and their output interleaves, so on a failure the failed tests and
# their messages are printed again at the end, where a log's tail (all CI keeps) shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test Recommender.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "== failed (dotnet test exit code $status); the failures again:"
    grep -E -A 25 '^\s*(Failed |\[xUnit.net .*\] .*\[FAIL\])|Test host process crashed|aborted' "$log" | grep -v '"EventId"' | tail -200
fi
exit "$status"
