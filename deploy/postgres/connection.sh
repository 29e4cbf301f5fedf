# Shared by the scripts in this folder (sourced, not run): turns an Npgsql-style connection string
# ("Host=127.0.0.1;Port=5433;Database=grpo;Username=grpo;Password=...") into PGHOST, PGPORT, PGDATABASE,
# PGUSER and PGPASSWORD, which psql reads. Keys are case-insensitive; values may not contain ';'.

parse_connection_string() {
  local text="$1" pair key value
  local IFS=';'
  for pair in $text; do
    [ -z "${pair//[[:space:]]/}" ] && continue
    if [[ "$pair" != *=* ]]; then
      echo "connection string: '$pair' is not key=value" >&2
      return 2
    fi
    key="${pair%%=*}"; value="${pair#*=}"
    key="$(echo "$key" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')"
    case "$key" in
      host|server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      database|db) export PGDATABASE="$value" ;;
      username|userid|user|uid) export PGUSER="$value" ;;
      password|pwd) export PGPASSWORD="$value" ;;
      *) ;; # Npgsql-only settings (Timeout, SSL Mode, ...) mean nothing to psql.
    esac
  done
}
