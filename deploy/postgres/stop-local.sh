#!/usr/bin/env bash
# Stops a server started by start-local.sh (fast shutdown: open sessions are ended, data is kept).
#
#   deploy/postgres/stop-local.sh [--data-dir DIR]      (default /var/tmp/grpo-postgres)
set -euo pipefail

data_dir="/var/tmp/grpo-postgres"
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) [ $# -ge 2 ] || { echo "stop-local.sh: --data-dir needs a value" >&2; exit 2; }; data_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "stop-local.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

bin_dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
[ -n "$bin_dir" ] || { echo "stop-local.sh: PostgreSQL is not installed" >&2; exit 1; }
[ -f "$data_dir/PG_VERSION" ] || { echo "stop-local.sh: $data_dir is not a PostgreSQL data directory" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  as_postgres() { (cd / && runuser -u postgres -- "$@"); }
else
  as_postgres() { (cd / && "$@"); }
fi

if as_postgres "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  as_postgres "$bin_dir/pg_ctl" -D "$data_dir" -m fast -w -t 60 stop >/dev/null
  echo "stop-local.sh: stopped the server on $data_dir" >&2
else
  echo "stop-local.sh: no server running on $data_dir" >&2
fi
