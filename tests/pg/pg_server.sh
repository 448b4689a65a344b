#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for tests: initdb into DIR, listening on a Unix
# socket in DIR only (no TCP). As root it runs as the postgres user, since PostgreSQL refuses
# to run as root.
#   pg_server.sh start DIR   # prints nothing; clients connect with "host=DIR user=postgres"
#   pg_server.sh stop DIR
set -euo pipefail
action=$1 dir=$2
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/install-deps.sh)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    as_pg "$pgbin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
