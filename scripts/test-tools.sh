#!/usr/bin/env bash
# The programs the tests drive the way users do, installed when missing. Prints `export` lines for eval.
#   - sqlite3 and psql: the command-line shells that run docs/warehouse.md's example queries (setup.sh and
#     postgres-test-cluster.sh install them);
#   - Datasette, from PyPI: serves the SQLite warehouse over HTTP for the JSON API test;
#   - promtool, from Debian's prometheus package: checks the --metrics-file output. Only its static binary is
#     needed, so the package is downloaded and unpacked into a cache folder, not installed (no service starts).
# Progress goes to stderr, exports to stdout.
set -euo pipefail
log() { echo "test-tools: $*" >&2; }
cache=${SEOPIPE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seopipe-test-tools}
mkdir -p "$cache"

if ! command -v datasette >/dev/null 2>&1 && [ ! -x "$cache/venv/bin/datasette" ]; then
  log "installing datasette with pip into $cache/venv"
  python3 -m venv "$cache/venv" >&2
  "$cache/venv/bin/pip" install --quiet datasette >&2
fi
[ -x "$cache/venv/bin/datasette" ] && echo "export PATH=\"$cache/venv/bin:\$PATH\""
echo "export SEOPIPE_REQUIRE_DATASETTE=1"

# The official DataForSEO client, pinned, for the contract tests (Tests/Contracts/dataforseo_official_client.py).
dataforseo_client_version=2.1.10
has_dataforseo_client() {
  [ -x "$cache/venv/bin/python" ] && "$cache/venv/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('dataforseo-client') != '$dataforseo_client_version')" >/dev/null 2>&1
}
if ! has_dataforseo_client; then
  log "installing dataforseo-client==$dataforseo_client_version with pip into $cache/venv"
  { [ -x "$cache/venv/bin/python" ] || python3 -m venv "$cache/venv" >&2; } \
    && "$cache/venv/bin/pip" install --quiet "dataforseo-client==$dataforseo_client_version" >&2 \
    || log "dataforseo-client is not available; the official-client contract test will be skipped"
fi
has_dataforseo_client && echo "export SEOPIPE_CONTRACT_PYTHON=$cache/venv/bin/python"

if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$cache/prometheus/usr/bin/promtool" ]; then
  log "unpacking promtool from Debian's prometheus package"
  (
    cd "$cache"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    apt-get download prometheus >&2 2>/dev/null || { $sudo apt-get update -qq >&2 && apt-get download prometheus >&2; }
    dpkg-deb -x prometheus_*.deb prometheus
    rm -f prometheus_*.deb
  ) || log "promtool is not available; the metrics tests use their own strict parser only"
fi
if [ -x "$cache/prometheus/usr/bin/promtool" ]; then
  echo "export SEOPIPE_PROMTOOL=$cache/prometheus/usr/bin/promtool"
elif command -v promtool >/dev/null 2>&1; then
  echo "export SEOPIPE_PROMTOOL=$(command -v promtool)"
fi
