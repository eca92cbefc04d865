#!/usr/bin/env bash
# The test suite, from a fresh clone: installs what is missing, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
# The end-to-end tests run the built binary; they find it beside the test bundle.
swift test --skip-build "$@"
