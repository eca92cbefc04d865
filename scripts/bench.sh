#!/usr/bin/env bash
# Runs every benchmark in Benchmarks/ with release builds and prints their tables one after the other:
# the extract benchmark (seopipe against the sandbox vs a bare client), the SQLite load path vs raw sqlite3, and
# the PostgreSQL load path vs psql \copy on a throwaway cluster. Figures belong in closing notes, never in tests.
#   scripts/bench.sh                      10k and 100k targets at 0 and 50 ms, 5 trials
#   SEOPIPE_BENCH_FULL=1 scripts/bench.sh   also 1M targets (about 5 minutes a trial on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${SEOPIPE_BENCH_TRIALS:-5}
targets=10000,100000
[ "${SEOPIPE_BENCH_FULL:-}" = 1 ] && targets=10000,100000,1000000

for product in seopipe ExtractBenchmark SQLiteLoadBenchmark PostgresLoadBenchmark; do
  swift build -c release --product "$product" >/dev/null
done

echo "== extract: seopipe run vs a bare client (same requests), sandbox on loopback"
.build/release/ExtractBenchmark --targets "$targets" --latency-ms 0,50 --trials "$trials"

echo
echo "== SQLite load path vs raw sqlite3 inserts (1M rows, chunks of 10,000 and of 100)"
.build/release/SQLiteLoadBenchmark 1000000 10000
.build/release/SQLiteLoadBenchmark 1000000 100

echo
echo "== PostgreSQL load path vs psql \\copy (1M rows, chunks of 10,000, $trials trials)"
cleanup=""
if [ -z "${SEOPIPE_BENCH_POSTGRES_URL:-}" ]; then
  eval "$(scripts/postgres-test-cluster.sh start)"
  cleanup="$SEOPIPE_TEST_POSTGRES_CLUSTER"
fi
trap '[ -n "$cleanup" ] && scripts/postgres-test-cluster.sh stop "$cleanup"' EXIT
.build/release/PostgresLoadBenchmark 1000000 10000 "$trials"
