#!/usr/bin/env bash
# The README's test command: every test project of the solution, in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet test Recommender.sln -c Release --logger "console;verbosity=normal" "$@"
