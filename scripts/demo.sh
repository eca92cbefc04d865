#!/usr/bin/env bash
# The demo, from a fresh clone: installs what is missing, builds, serves the sandbox in-process, runs
# pipelines/demo.yml into demo.db and prints what it loaded. No API token, no cost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "demo: building seopipe (the first build fetches and compiles dependencies: a few minutes)" >&2
swift build --quiet --product seopipe >&2
exec .build/debug/seopipe demo "$@"
