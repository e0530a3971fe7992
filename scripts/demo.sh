#!/usr/bin/env bash
# The README's main command: synthetic (or downloaded MovieLens) data -> both models -> the
# inference service as a real process on a free loopback port -> gRPC calls -> clean shutdown.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Recommender.Cli -c Release -v quiet -nologo
exec dotnet src/Recommender.Cli/bin/Release/net10.0/recommender.dll demo "$@"
