# server.sh - start and stop a jouda server for the tests (sourced).
# server_start BIN DB_URL LOGFILE [extra env...]: picks a free port on
# 127.0.0.1, starts `BIN serve` in the background with JOUDA_STRICT_TEMPLATES=1,
# waits for /healthz (up to 30 s). Sets SERVER_PID and SERVER_URL.
# server_stop: SIGTERM, then checks that it exits with status 0 within 10 s.
# Sets SERVER_STOP_MSG to say what went wrong.

SERVER_PID=""
SERVER_URL=""
SERVER_STOP_MSG=""

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

server_start() {
    local bin=$1 db=$2 log=$3
    shift 3
    local port
    port=$(free_port) || return 1
    SERVER_URL="http://127.0.0.1:$port"
    env JOUDA_STRICT_TEMPLATES=1 "$@" "$bin" serve --db "$db" --listen "127.0.0.1:$port" \
        </dev/null >"$log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 300); do
        if curl -fsS -o /dev/null --max-time 2 "$SERVER_URL/healthz" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null
            echo "server: $bin exited before answering /healthz (see $log)" >&2
            SERVER_PID=""
            return 1
        fi
        sleep 0.1
    done
    echo "server: no answer on $SERVER_URL/healthz after 30 s (see $log)" >&2
    return 1
}

# 0 when the server stopped cleanly (exit status 0 within 10 s of SIGTERM).
server_stop() {
    SERVER_STOP_MSG=""
    [ -n "$SERVER_PID" ] || { SERVER_STOP_MSG="no server running"; return 1; }
    local pid=$SERVER_PID i rc
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        SERVER_STOP_MSG="still running 10 s after SIGTERM (killed)"
        return 1
    fi
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$rc" -ne 0 ]; then
        SERVER_STOP_MSG="exit status $rc after SIGTERM"
        return 1
    fi
    return 0
}

# Kill a leftover server (EXIT trap).
server_kill() {
    if [ -n "$SERVER_PID" ]; then
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
    fi
}
