#!/usr/bin/env bash
# Start a PostgreSQL server for govcore's PostgreSQL tests and create a throw-away database.
#
# Prints one line on standard output, to be evaluated by the caller:
#     eval "$(.ci/postgres.sh)"   # -> export GOVCORE_TEST_PG_URL=postgresql+psycopg://...
# Everything else goes to standard error. Installs Debian's `postgresql` package when the server
# tools are missing (needs root), starts the first cluster if it is down, and creates a role and a
# database with random names, so that repeated runs never see each other's tables.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres -- "$@"
    fi
}

if ! command -v psql >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing postgresql (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

cluster=$(pg_lsclusters --no-header | head -n 1)
if [ -z "$cluster" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    log "creating cluster $ver/main"
    pg_createcluster "$ver" main >&2
    cluster=$(pg_lsclusters --no-header | head -n 1)
fi
read -r ver name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
    log "starting cluster $ver/$name on port $port"
    pg_ctlcluster "$ver" "$name" start >&2
fi
for _ in $(seq 1 50); do
    as_postgres pg_isready -q -p "$port" && break
    sleep 0.2
done
as_postgres pg_isready -q -p "$port" || { log "the server on port $port does not answer"; exit 1; }

suffix=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
role="govcore_test_$suffix"
db="govcore_test_$suffix"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
as_postgres psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
CREATE ROLE $role LOGIN PASSWORD '$password';
CREATE DATABASE $db OWNER $role;
SQL
log "created database $db (drop it with: runuser -u postgres -- dropdb -p $port $db)"
echo "export GOVCORE_TEST_PG_URL=postgresql+psycopg://$role:$password@127.0.0.1:$port/$db"
