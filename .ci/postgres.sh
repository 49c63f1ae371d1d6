#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the Integrations tests: its own data folder under a temporary
# directory, its own port, never the system's cluster.
#
#   eval "$(bash .ci/postgres.sh start [PORT])"   # prints export ETRM_POSTGRES_URL=... and ETRM_POSTGRES_DIR=...
#   bash .ci/postgres.sh stop "$ETRM_POSTGRES_DIR" # stops the server and removes its folder
#
# Installs Debian's postgresql package when no initdb is found. Runs the server as the `postgres` user (initdb
# refuses root). Everything but the exports goes to standard error.
set -euo pipefail

command="${1:-}"
case "$command" in
start)
    port="${2:-55432}"
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "postgres: installing postgresql from Debian's packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    dir=$(mktemp -d /tmp/etrm-postgres.XXXXXX)
    chown postgres "$dir"
    chmod 700 "$dir"
    as_postgres() { (cd "$dir" && runuser -u postgres -- "$@"); }
    as_postgres "$bin/initdb" -D "$dir/data" --auth-local=trust --auth-host=scram-sha-256 --username=postgres --encoding=UTF8 >/dev/null
    # Loopback only (password over TCP, trust on the socket this script uses), a socket in the data folder (not /var/run), and room for the kill test's workers.
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c fsync=on" \
        >&2
    as_postgres "$bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE USER etrm WITH PASSWORD 'etrm'" -c "CREATE DATABASE etrm OWNER etrm" >&2
    echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port, data in $dir" >&2
    echo "export ETRM_POSTGRES_DIR=$dir"
    echo "export ETRM_POSTGRES_URL=postgres://etrm:etrm@127.0.0.1:$port/etrm"
    ;;
stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    case "$dir" in /tmp/etrm-postgres.*) ;; *) echo "postgres: refusing to remove $dir" >&2; exit 1 ;; esac
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ -f "$dir/data/postmaster.pid" ]; then
        (cd "$dir" && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2) || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: postgres.sh start [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
