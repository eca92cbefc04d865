#!/usr/bin/env bash
# Builds the release binary for a host without a Swift toolchain: the Swift runtime and Foundation linked in
# statically (--static-swift-stdlib), symbols stripped. Prints where it is, its size, its build time and the
# shared libraries it still needs (ldd): only system libraries of the libc/libm/libsqlite3 class.
#   scripts/release.sh [OUTPUT]      default OUTPUT: dist/seopipe
# Install on the nightly host: copy the one file to /usr/local/bin and `apt-get install libsqlite3-0`.
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-dist/seopipe}
if ! dpkg -s libsqlite3-dev >/dev/null 2>&1 && [ ! -e /usr/include/sqlite3.h ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev >/dev/null
fi
started=$(date +%s)
# A scratch path of its own: the static flags would otherwise invalidate the development release build.
swift build -c release --product seopipe --static-swift-stdlib --scratch-path .build-static
mkdir -p "$(dirname "$output")"
cp .build-static/release/seopipe "$output"
strip "$output"
echo "built $output in $(( $(date +%s) - started )) s: $(du -h "$output" | cut -f1) ($(stat -c %s "$output") bytes)"
"$output" --version
echo "shared libraries it needs (ldd):"
ldd "$output" | sed 's/^/  /'
