#!/usr/bin/env bash
# Installs and starts PostgreSQL from Debian's packages (reusing a running cluster) and creates
# Floe's role and databases. Usage: postgres.sh DBNAME...
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

ensure_packages postgresql
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating PostgreSQL $version cluster"
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting PostgreSQL $version"
  pg_ctlcluster "$version" main start
fi
wait_for 30 "PostgreSQL" runuser -u postgres -- psql -qAtc 'select 1'

psql_admin() { runuser -u postgres -- psql -qAt -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_admin -c "select 1 from pg_roles where rolname = 'floe'")" != 1 ]; then
  log "creating database role floe"
  psql_admin -c "create role floe login createdb password 'floe'"
fi
if [ "$(psql_admin -c "select rolcreatedb from pg_roles where rolname = 'floe'")" != t ]; then
  # End-to-end tests give every deployment they start a database of its own.
  psql_admin -c "alter role floe createdb"
fi
for db in "$@"; do
  if [ "$(psql_admin -c "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    log "creating database $db"
    psql_admin -c "create database \"$db\" owner floe"
  fi
done
