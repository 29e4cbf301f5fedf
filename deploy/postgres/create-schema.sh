#!/usr/bin/env bash
# Creates the Grpo.Orleans database if it is missing and applies the Orleans schema (membership, grain state,
# reminders) and the sample ledger table to it. Safe to run any number of times, also by two hosts at once.
#
#   deploy/postgres/create-schema.sh [--connection "Host=H;Port=P;Database=D;Username=U;Password=W"]
#
# The connection comes from --connection, else from GRPO_CLUSTER (the same string grpo-silo takes), else from
# the usual PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD. The user needs CREATEDB when the database is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=connection.sh
. "$here/connection.sh"

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

connection="${GRPO_CLUSTER:-}"
maintenance_db="postgres"
while [ $# -gt 0 ]; do
  case "$1" in
    --connection) [ $# -ge 2 ] || { echo "create-schema.sh: --connection needs a value" >&2; exit 2; }; connection="$2"; shift 2 ;;
    --maintenance-db) [ $# -ge 2 ] || { echo "create-schema.sh: --maintenance-db needs a value" >&2; exit 2; }; maintenance_db="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "create-schema.sh: unknown argument '$1'" >&2; usage; exit 2 ;;
  esac
done
if [ -n "$connection" ]; then
  parse_connection_string "$connection" || exit 2
fi
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGDATABASE="${PGDATABASE:-grpo}" PGUSER="${PGUSER:-grpo}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
# The scripts re-declare what exists; the server's "already exists, skipping" notices are noise here.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

psql_bin="$(command -v psql || true)"
if [ -z "$psql_bin" ]; then
  psql_bin="$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -z "$psql_bin" ]; then
  echo "create-schema.sh: psql not found; install it with 'apt-get install postgresql-client'" >&2
  exit 3
fi
run_psql() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$@"; }

database="$PGDATABASE"
exists="$(run_psql -d "$maintenance_db" -At -v db="$database" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'db';
SQL
)" || {
  echo "create-schema.sh: cannot connect to PostgreSQL at $PGHOST:$PGPORT as '$PGUSER' (database '$maintenance_db'); see the error above" >&2
  exit 4
}
if [ "$exists" = "0" ]; then
  # Two hosts may race here; losing the race ("already exists") is as good as winning it.
  if ! create_output="$(run_psql -d "$maintenance_db" -v db="$database" 2>&1 <<'SQL'
CREATE DATABASE :"db";
SQL
)"; then
    if ! grep -q "already exists" <<<"$create_output"; then
      echo "$create_output" >&2
      echo "create-schema.sh: could not create database '$database' on $PGHOST:$PGPORT (does '$PGUSER' have CREATEDB?)" >&2
      exit 4
    fi
  fi
  echo "create-schema.sh: created database '$database' on $PGHOST:$PGPORT" >&2
fi

# One transaction for all five files, serialised by an advisory lock, so concurrent runs never see half a schema.
{
  echo "BEGIN;"
  echo "SELECT pg_advisory_xact_lock(7340981);"
  for script in 01-main.sql 02-clustering.sql 03-persistence.sql 04-reminders.sql 05-ledger.sql; do
    cat "$here/$script"
    echo
  done
  echo "COMMIT;"
} | run_psql -d "$database" -o /dev/null

count="$(run_psql -d "$database" -At -c "SELECT count(*) FROM OrleansQuery")"
echo "create-schema.sh: schema ready in database '$database' on $PGHOST:$PGPORT ($count Orleans queries)" >&2
