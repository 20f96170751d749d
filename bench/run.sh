#!/bin/bash
# bench/run.sh - jouda against nginx serving a saved copy of the same page.
# Builds the release, creates a demo SQLite database, starts jouda and nginx on
# free loopback ports, runs wrk on both (home page of a signed-in director,
# and /healthz), prints requests/s, p99 latency, the ratio jouda/nginx and
# jouda's peak RSS, and writes bench/output/results.md.
# Environment: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (32), BENCH_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
OUT=bench/output
mkdir -p "$OUT"

for tool in wrk nginx curl node; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
        echo "bench: $tool is missing (scripts/deps.sh test installs it)" >&2
        exit 1
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

make --no-print-directory jouda locale >/dev/null

TMP=$(mktemp -d /tmp/jouda-bench.XXXXXX)
chmod 755 "$TMP"
JPID=""
NPID=""
cleanup() {
    [ -n "$JPID" ] && kill -TERM "$JPID" 2>/dev/null && wait "$JPID" 2>/dev/null
    [ -n "$NPID" ] && kill -QUIT "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_http() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: no answer from $1" >&2
    return 1
}

echo "bench: demo database"
DB=$TMP/bench.db
if ! { JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 ./jouda init --db "$DB" --admin-email admin@jouda.ma &&
    ./jouda demo --db "$DB"; } </dev/null >"$TMP/setup.log" 2>&1; then
    cat "$TMP/setup.log" >&2
    exit 1
fi

JPORT=$(free_port)
J=http://127.0.0.1:$JPORT
./jouda serve --db "$DB" --listen "127.0.0.1:$JPORT" </dev/null >"$TMP/jouda.log" 2>&1 &
JPID=$!
wait_http "$J/healthz"

# sign in as the director of EPS 1 through the form
JAR=$TMP/cookies
csrf=$(curl -fsS -c "$JAR" "$J/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
    --data-urlencode "_csrf=$csrf" --data-urlencode "login=directrice.casa@amal.ma" \
    --data-urlencode "password=Jouda-demo-2026" "$J/login")
[ "$code" = 303 ] || { echo "bench: login answered $code" >&2; exit 1; }
SESSION=$(awk '$6 == "jouda_session" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "bench: no session cookie" >&2; exit 1; }
COOKIE="Cookie: jouda_session=$SESSION"

mkdir -p "$TMP/www"
code=$(curl -sS -o "$TMP/www/index.html" -w '%{http_code}' -H "$COOKIE" "$J/")
[ "$code" = 200 ] || { echo "bench: home page answered $code" >&2; exit 1; }
curl -fsS -o "$TMP/www/healthz.json" "$J/healthz"
chmod -R a+rX "$TMP/www"
PAGE_BYTES=$(stat -c %s "$TMP/www/index.html")
GZ_BYTES=$(curl -sS -H "$COOKIE" -H 'Accept-Encoding: gzip' "$J/" | wc -c)

NPORT=$(free_port)
N=http://127.0.0.1:$NPORT
sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$NPORT|g" bench/nginx.conf.in >"$TMP/nginx.conf"
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log" </dev/null >"$TMP/nginx.out" 2>&1 &
NPID=$!
wait_http "$N/healthz"

# run NAME URL [header...] -> "rps p99 non2xx"
run() {
    local name=$1 url=$2
    shift 2
    local hdrs=(-H 'Accept-Encoding: gzip')
    for h in "$@"; do hdrs+=(-H "$h"); done
    local log=$OUT/wrk-$name.txt
    timeout $((SECONDS_PER_RUN + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_PER_RUN}s" --timeout 5s --latency \
        "${hdrs[@]}" "$url" >"$log" 2>&1
    local rps p99 bad
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
    p99=$(awk '$1 == "99%" {print $2}' "$log")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$log")
    echo "${rps:-0} ${p99:-?} ${bad:-0}"
}

echo "bench: wrk -t$THREADS -c$CONNS -d${SECONDS_PER_RUN}s on each (loopback)"
read -r j_home_rps j_home_p99 j_home_bad < <(run jouda-home "$J/" "$COOKIE")
read -r n_home_rps n_home_p99 n_home_bad < <(run nginx-home "$N/")
read -r j_h_rps j_h_p99 j_h_bad < <(run jouda-healthz "$J/healthz")
read -r n_h_rps n_h_p99 n_h_bad < <(run nginx-healthz "$N/healthz")

RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$JPID/status")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
NCPU=$(nproc)
{
    echo "# Jouda benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $NCPU cores ($CPU), loopback."
    echo "wrk -t$THREADS -c$CONNS -d${SECONDS_PER_RUN}s --latency, \`Accept-Encoding: gzip\` on every request."
    echo "jouda: release build, SQLite demo database, default threads; the home page of directrice.casa@amal.ma"
    echo "(session cookie; $PAGE_BYTES bytes, $GZ_BYTES gzipped). nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'): 2 workers, gzip on,"
    echo "serving the saved bytes of the same page and of /healthz."
    echo
    echo "| Request | jouda req/s | jouda p99 | nginx req/s | nginx p99 | jouda/nginx |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| home page (signed in) | $j_home_rps | $j_home_p99 | $n_home_rps | $n_home_p99 | $(ratio "$j_home_rps" "$n_home_rps") |"
    echo "| /healthz | $j_h_rps | $j_h_p99 | $n_h_rps | $n_h_p99 | $(ratio "$j_h_rps" "$n_h_rps") |"
    echo
    echo "jouda peak RSS (VmHWM): $((RSS_KB / 1024)) MiB ($RSS_KB kB)."
    if [ "$j_home_bad$n_home_bad$j_h_bad$n_h_bad" != 0000 ]; then
        echo
        echo "Non-2xx answers: jouda home $j_home_bad, nginx home $n_home_bad, jouda healthz $j_h_bad, nginx healthz $n_h_bad."
    fi
    echo
    echo "Raw wrk output: bench/output/wrk-*.txt."
} >"$OUT/results.md"

cat "$OUT/results.md"
