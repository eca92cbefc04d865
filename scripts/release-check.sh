#!/usr/bin/env bash
# Runs a release binary as a new user on a host without Swift would: copied alone into an empty directory, with
# a bare environment (no Swift toolchain on PATH or on the library path), through `--version`, `demo`, `init`,
# `validate` and `crontab`. Fails on the first thing that does not work. scripts/test.sh runs it on
# scripts/release.sh's output.
#   scripts/release-check.sh [BINARY]     default BINARY: dist/seopipe
set -euo pipefail
binary=$(realpath "${1:-dist/seopipe}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/seopipe"
cd "$work"
fail() { echo "release-check: $*" >&2; exit 1; }
if ldd ./seopipe | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|/usr/share/swift|toolchain'; then
  ldd ./seopipe >&2
  fail "the binary still needs Swift's shared libraries"
fi
bare() { env -i PATH=/usr/bin:/bin HOME="$work" LANG=C.UTF-8 "$@"; }
started=$(date +%s)
bare ./seopipe --version | grep -q '^seopipe [0-9]' || fail "--version"
bare ./seopipe demo --date 2026-11-20 --quiet > demo.out || { cat demo.out >&2; fail "demo"; }
grep -q 'try:  sqlite3' demo.out || fail "demo printed no query to try"
rows=$(sqlite3 demo.db "SELECT count(*) FROM latest_domain_metrics")
[ "$rows" -gt 0 ] || fail "demo.db has no latest_domain_metrics rows"
bare ./seopipe init myseo > init.out || fail "init"
cd myseo
# A user's .env: every key filled in (placeholders: validate and crontab send nothing).
sed -E 's/^(AHREFS_API_TOKEN|AHREFS_V2_TOKEN|DATAFORSEO_LOGIN|DATAFORSEO_PASSWORD|ANALYTICS_API_KEY)=$/\1=placeholder-key/' \
  .env.example > .env
chmod 600 .env
for pipeline in pipelines/*.yml; do
  bare sh -c "set -a && . ./.env && set +a && ../seopipe validate $pipeline" > /dev/null || fail "validate $pipeline"
done
bare ../seopipe crontab --env-file .env pipelines/*.yml > crontab.txt || fail "crontab"
[ "$(grep -c 'seopipe' crontab.txt)" -ge 4 ] || { cat crontab.txt >&2; fail "crontab printed fewer than 4 jobs"; }
echo "release-check: $(basename "$binary") ran --version, demo ($rows domain rows), init, validate (4 pipelines) and" \
  "crontab ($(grep -c 'seopipe' crontab.txt) lines) alone in an empty directory in $(( $(date +%s) - started )) s"
