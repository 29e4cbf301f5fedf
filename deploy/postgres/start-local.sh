#!/usr/bin/env bash
# Starts a PostgreSQL server for Grpo.Orleans on this machine: installs PostgreSQL with apt if it is missing,
# initialises a data directory owned by the postgres user, starts the server on 127.0.0.1 as that user,
# gives the login role a password and waits until the server accepts connections. Safe to run again: a running
# server on the same directory and port is left as it is (its password is set again).
#
#   GRPO_PG_PASSWORD=... deploy/postgres/start-local.sh [--data-dir DIR] [--port PORT] [--user NAME] [--database NAME]
#   deploy/postgres/start-local.sh --password-file FILE [...]
#
# The role's password comes from GRPO_PG_PASSWORD or from the first line of --password-file (never from the command
# line, which every user sees in ps); with neither the script stops: it invents no password. Defaults: --data-dir
# /var/tmp/grpo-postgres, --port 5433, --user grpo, --database grpo (only named in the printed connection string;
# create-schema.sh creates it).
# The last line on standard output is the connection string; progress goes to standard error.
# Stop the server with deploy/postgres/stop-local.sh --data-dir DIR.
set -euo pipefail

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
fail() { echo "start-local.sh: $*" >&2; exit 1; }

data_dir="/var/tmp/grpo-postgres"
port="5433"
user="grpo"
password_file=""
database="grpo"
while [ $# -gt 0 ]; do
  case "$1" in
    --password)
      echo "start-local.sh: --password would show the password to every user in ps; set GRPO_PG_PASSWORD or use --password-file FILE" >&2
      exit 2 ;;
    --data-dir|--port|--user|--password-file|--database)
      [ $# -ge 2 ] || { echo "start-local.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --data-dir) data_dir="$2" ;;
        --port) port="$2" ;;
        --user) user="$2" ;;
        --password-file) password_file="$2" ;;
        --database) database="$2" ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start-local.sh: unknown argument '$1'" >&2; usage; exit 2 ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || { echo "start-local.sh: --port '$port' is not a port (1..65535)" >&2; exit 2; }
[ -n "$user" ] || { echo "start-local.sh: --user is empty" >&2; exit 2; }
if [ -n "$password_file" ]; then
  [ -z "${GRPO_PG_PASSWORD:-}" ] || { echo "start-local.sh: both GRPO_PG_PASSWORD and --password-file are set; use one" >&2; exit 2; }
  [ -r "$password_file" ] || { echo "start-local.sh: --password-file '$password_file' cannot be read" >&2; exit 2; }
  IFS= read -r password < "$password_file" || true
  password="${password%$'\r'}"
  [ -n "$password" ] || { echo "start-local.sh: --password-file '$password_file' starts with an empty line; put the password on the first line" >&2; exit 2; }
else
  password="${GRPO_PG_PASSWORD:-}"
  [ -n "$password" ] || { echo "start-local.sh: no password: set GRPO_PG_PASSWORD or pass --password-file FILE (e.g. openssl rand -hex 16 > FILE)" >&2; exit 2; }
fi
case "$password$user$database" in *";"*) echo "start-local.sh: user, password and database may not contain ';'" >&2; exit 2 ;; esac
[[ "$data_dir" = /* ]] || data_dir="$(pwd)/$data_dir"

find_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }
bin_dir="$(find_bin_dir)"
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/pg_ctl" ]; then
  [ "$(id -u)" -eq 0 ] || fail "PostgreSQL is not installed and installing it needs root: run 'apt-get install postgresql' first"
  echo "start-local.sh: installing postgresql with apt" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin_dir="$(find_bin_dir)"
  [ -n "$bin_dir" ] && [ -x "$bin_dir/pg_ctl" ] || fail "apt installed postgresql but no /usr/lib/postgresql/*/bin/pg_ctl was found"
fi

# The server refuses to run as root, so everything touching the data directory runs as postgres.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "there is no 'postgres' user; the postgresql package creates it"
  as_postgres() { (cd / && runuser -u postgres -- "$@"); }
elif [ "$(id -un)" = "postgres" ]; then
  as_postgres() { (cd / && "$@"); }
else
  fail "run as root or as the postgres user (the server must run as postgres)"
fi

mkdir -p "$data_dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$data_dir"
fi
chmod 700 "$data_dir"
as_postgres test -w "$data_dir" || fail "the postgres user cannot write $data_dir (is a parent directory closed to it?)"

if [ ! -f "$data_dir/PG_VERSION" ]; then
  [ -z "$(ls -A "$data_dir")" ] || fail "$data_dir is neither empty nor a PostgreSQL data directory"
  echo "start-local.sh: initialising $data_dir" >&2
  as_postgres "$bin_dir/initdb" -D "$data_dir" -U postgres -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >"$data_dir.initdb.log" 2>&1 \
    || { cat "$data_dir.initdb.log" >&2; fail "initdb failed for $data_dir"; }
  rm -f "$data_dir.initdb.log"
fi

if as_postgres "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  running_port="$(sed -n '4p' "$data_dir/postmaster.pid")"
  [ "$running_port" = "$port" ] || fail "a server is already running on $data_dir with port $running_port, not $port; stop it with stop-local.sh --data-dir $data_dir"
  echo "start-local.sh: server on $data_dir already running on port $port" >&2
else
  echo "start-local.sh: starting PostgreSQL on 127.0.0.1:$port" >&2
  # The socket lives in the data directory, so servers started by different people or tests never share one.
  if ! as_postgres "$bin_dir/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir" start >/dev/null; then
    tail -n 20 "$data_dir/server.log" >&2 || true
    fail "PostgreSQL did not start on port $port (log: $data_dir/server.log)"
  fi
fi

for _ in $(seq 1 60); do
  if "$bin_dir/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
"$bin_dir/pg_isready" -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL on 127.0.0.1:$port is not accepting connections (log: $data_dir/server.log)"

# The password reaches psql through the environment (readable by its owner only), not its arguments (readable by all).
export GRPO_PG_PASSWORD="$password"
as_postgres "$bin_dir/psql" -X -q -v ON_ERROR_STOP=1 -h "$data_dir" -p "$port" -d postgres \
  -v user="$user" >/dev/null <<'SQL'
\getenv password GRPO_PG_PASSWORD
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') AS missing \gset
\if :missing
CREATE ROLE :"user" LOGIN CREATEDB PASSWORD :'password';
\else
ALTER ROLE :"user" WITH LOGIN CREATEDB PASSWORD :'password';
\endif
SQL

echo "start-local.sh: ready; create the schema with: deploy/postgres/create-schema.sh --connection \"<the line below>\"" >&2
echo "Host=127.0.0.1;Port=$port;Database=$database;Username=$user;Password=$password"
