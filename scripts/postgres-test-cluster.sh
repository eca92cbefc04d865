#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free loopback port, in a temporary directory.
#
#   eval "$(scripts/postgres-test-cluster.sh start)"   # prints export SEOPIPE_TEST_POSTGRES_URL=... and
#                                                       #        export SEOPIPE_TEST_POSTGRES_CLUSTER=DIR
#   scripts/postgres-test-cluster.sh stop DIR           # stops the server and removes DIR
#
# Installs the `postgresql` package with apt-get when no initdb is found. PostgreSQL refuses to run as root, so
# as root the cluster belongs to the `postgres` user (runuser); otherwise to the current user. Trust
# authentication on 127.0.0.1 only: nothing else can reach it. Progress goes to stderr, exports to stdout.
set -euo pipefail

log() { echo "postgres-test-cluster: $*" >&2; }

find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return
  fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; fi
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for port in $(seq 25432 25532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}

start() {
  local bin
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    log "installing postgresql (apt-get)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin)
    [ -n "$bin" ] || { log "postgresql installed but no initdb found under /usr/lib/postgresql/*/bin"; exit 1; }
  fi
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/seopipe-postgres.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    chown postgres "$dir"
  fi
  chmod 700 "$dir"
  # Once started, the server must go even if a later step fails.
  trap 'stop "$dir" >/dev/null 2>&1 || true' EXIT
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  # Throwaway data: no fsync; enough connections for tests running in parallel.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE seopipe_test" >&2
  trap - EXIT
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port in $dir"
  echo "export SEOPIPE_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:$port/seopipe_test?sslmode=disable'"
  echo "export SEOPIPE_TEST_POSTGRES_CLUSTER='$dir'"
  echo "export SEOPIPE_TEST_POSTGRES_BIN='$bin'"
}

stop() {
  local dir=${1:-${SEOPIPE_TEST_POSTGRES_CLUSTER:-}}
  [ -n "$dir" ] && [ -d "$dir" ] || { log "no cluster directory to stop"; return 0; }
  case "$dir" in */seopipe-postgres.*) ;; *) log "refusing to remove $dir: not a test cluster"; return 1 ;; esac
  local bin
  bin=$(find_bin)
  if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bin" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
