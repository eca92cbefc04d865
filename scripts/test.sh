#!/usr/bin/env bash
# The test suite, from a fresh clone: installs what is missing, builds everything, runs every test.
# The PostgreSQL tests run against SEOPIPE_TEST_POSTGRES_URL when it is set; otherwise against a throwaway
# cluster started here (installing postgresql when missing) and always stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
tools=$(scripts/test-tools.sh)
eval "$tools"
# The house format: a file that `scripts/format.sh` would change fails the suite.
scripts/format.sh --lint
swift build --build-tests
if [ -z "${SEOPIPE_TEST_POSTGRES_URL:-}" ]; then
  cluster=$(scripts/postgres-test-cluster.sh start)
  eval "$cluster"
  trap 'scripts/postgres-test-cluster.sh stop "$SEOPIPE_TEST_POSTGRES_CLUSTER"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi
# Under this script the PostgreSQL tests never skip: a missing server is a failure. Nor do the official-client
# contract tests when test-tools.sh could install dataforseo-client.
export SEOPIPE_REQUIRE_POSTGRES=1
if [ -n "${SEOPIPE_CONTRACT_PYTHON:-}" ]; then export SEOPIPE_REQUIRE_CONTRACT_PYTHON=1; fi
# The end-to-end tests run the built binary; they find it beside the test bundle.
swift test --skip-build "$@"
# The binary a nightly host gets: Swift runtime linked in, run alone in an empty directory with a bare environment.
if [ "$#" -eq 0 ]; then
  scripts/release.sh dist/seopipe
  scripts/release-check.sh dist/seopipe
fi
