# pg.sh - a private PostgreSQL for the tests (sourced by tests/run-all.sh and bench).
# pg_start: initdb + start in a temp dir, Unix socket only (listen_addresses=''),
# trust authentication, fsync off; as root it runs initdb and pg_ctl as the
# `postgres` user (initdb refuses root). pg_createdb NAME prints the URL of a
# new database. pg_stop stops the server and removes the directory; callers
# put it in their EXIT trap.

PG_PORT=${PG_PORT:-55433}
PG_DIR=""
PG_BIN=""
PG_AS=()

pg_find_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && PG_BIN=$d
    done
    [ -n "$PG_BIN" ]
}

# pg_start [logfile] -> 0 and PG_DIR/PG_SOCK set, or 1 with a message on stderr.
pg_start() {
    local log=${1:-/dev/null}
    if ! pg_find_bin; then
        echo "pg: no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb)" >&2
        return 1
    fi
    PG_DIR=$(mktemp -d /tmp/jouda-test-pg.XXXXXX) || return 1
    chmod 755 "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "pg: running as root but there is no 'postgres' user to run the server" >&2
            return 1
        fi
        chown postgres: "$PG_DIR"
        PG_AS=(runuser -u postgres --)
    else
        PG_AS=()
    fi
    if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -E UTF8 --locale=C.UTF-8 -U postgres \
        --auth=trust >"$log" 2>&1; then
        echo "pg: initdb failed (see $log)" >&2
        return 1
    fi
    if ! "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >>"$log" 2>&1; then
        echo "pg: the server did not start (see $log and $PG_DIR/server.log)" >&2
        cat "$PG_DIR/server.log" >>"$log" 2>/dev/null
        return 1
    fi
    PG_SOCK=$PG_DIR
    return 0
}

pg_url() { # pg_url DBNAME
    echo "postgresql://postgres@/$1?host=$PG_SOCK&port=$PG_PORT"
}

# pg_createdb NAME: drops it if present, creates it, prints its URL.
pg_createdb() {
    local name=$1
    PGOPTIONS=--client-min-messages=warning psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS \"$name\"" -c "CREATE DATABASE \"$name\"" >/dev/null || return 1
    pg_url "$name"
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
}
