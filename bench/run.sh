#!/bin/bash
# bench/run.sh - jouda against nginx serving the same bytes, on SQLite and on
# PostgreSQL, on the demo data and on the national organisation.
# For each engine and each scale (`jouda demo` and `jouda demo --scale
# national`: 60 associations, 1,100 EPS, 11,000 units, ~15,000 accounts) it
# creates a database, starts jouda, signs in as the national administrator
# and as the director of EPS 1, and runs wrk on each of their pages: the
# home page and the node list (GET /api/v1/nodes?limit=50), the admin's view
# of self-assessment across establishments, and the director's results page
# of a campaign on an imported 157-criterion référentiel
# (bench/setup-assess.mjs), the improvement plan's and the projets
# d'établissement's pages, the persons' caseload, the search, the roadmap,
# the capitalisation sheets and the document library; then nginx
# serves the saved bytes of each page as the yardstick. Prints requests/s,
# p99 latency and jouda's peak RSS, the time of the exports and of the PDF
# documents (a projet in French and Arabic, a self-assessment report) and of
# the national transfer kit, and
# writes bench/output/results.md.
# Environment: BENCH_SECONDS (default 5) per run, BENCH_CONNECTIONS (32),
# BENCH_THREADS (2), BENCH_ENGINES ("sqlite postgresql"), BENCH_SCALES
# ("small national").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SECONDS_PER_RUN=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
ENGINES=${BENCH_ENGINES:-sqlite postgresql}
SCALES=${BENCH_SCALES:-small national}
OUT=bench/output
mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt

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
# shellcheck source=tests/lib/pg.sh
source tests/lib/pg.sh
stop_jouda() {
    [ -n "$JPID" ] && kill -TERM "$JPID" 2>/dev/null && wait "$JPID" 2>/dev/null
    JPID=""
}
cleanup() {
    stop_jouda || true
    [ -n "$NPID" ] && kill -QUIT "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
    pg_stop || true
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

# signin URL LOGIN PASSWORD -> prints the session cookie header
signin() {
    local url=$1 login=$2 pw=$3 jar
    jar=$(mktemp "$TMP/jar.XXXXXX")
    local csrf code
    csrf=$(curl -fsS -c "$jar" "$url/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
    code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
        --data-urlencode "_csrf=$csrf" --data-urlencode "login=$login" \
        --data-urlencode "password=$pw" "$url/login")
    [ "$code" = 303 ] || { echo "bench: login of $login answered $code" >&2; return 1; }
    echo "Cookie: jouda_session=$(awk '$6 == "jouda_session" {print $7}' "$jar")"
}

# wrk_run NAME URL [header...] -> "rps p99 non2xx"
wrk_run() {
    local name=$1 url=$2
    shift 2
    local hdrs=(-H 'Accept-Encoding: gzip')
    for h in "$@"; do hdrs+=(-H "$h"); done
    local log=$OUT/wrk-$name.txt
    timeout $((SECONDS_PER_RUN + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_PER_RUN}s" --timeout 5s --latency \
        "${hdrs[@]}" "$url" >"$log" 2>&1 || true
    local rps p99 bad
    rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$log")
    p99=$(awk '$1 == "99%" {print $2}' "$log")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$log")
    echo "${rps:-0} ${p99:-?} ${bad:-0}"
}

mkdir -p "$TMP/www/p" "$TMP/www/j"
chmod -R a+rX "$TMP/www"
NPORT=$(free_port)
N=http://127.0.0.1:$NPORT
sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$NPORT|g" bench/nginx.conf.in >"$TMP/nginx.conf"
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log" </dev/null >"$TMP/nginx.out" 2>&1 &
NPID=$!

PG_STARTED=0
ROWS=()
NOTES=()
EXPORTS=()
DOCS=()
for engine in $ENGINES; do
    if [ "$engine" = postgresql ] && [ $PG_STARTED = 0 ]; then
        pg_start "$TMP/postgresql.log" >/dev/null || { echo "bench: PostgreSQL did not start" >&2; exit 1; }
        PG_STARTED=1
    fi
    for scale in $SCALES; do
        tag=$engine-$scale
        # the key file sealing sensitive text: "<db>.key" beside a SQLite file;
        # one per PostgreSQL database (created by init), for every command below
        if [ "$engine" = sqlite ]; then
            DB=$TMP/$tag.db
            unset JOUDA_KEY_FILE
        else
            DB=$(pg_createdb "bench_$scale")
            export JOUDA_KEY_FILE=$TMP/$tag.key
        fi
        echo "bench: $tag: init + demo --scale $scale"
        t0=$(date +%s.%N)
        if ! { JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 ./jouda init --db "$DB" --admin-email admin@jouda.ma &&
            ./jouda demo --db "$DB" --scale "$scale" --quiet; } </dev/null >"$TMP/setup-$tag.log" 2>&1; then
            cat "$TMP/setup-$tag.log" >&2
            exit 1
        fi
        NOTES+=("$tag: $(grep '^Demo data' "$TMP/setup-$tag.log") (init + demo $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)")
        JPORT=$(free_port)
        J=http://127.0.0.1:$JPORT
        ./jouda serve --db "$DB" --listen "127.0.0.1:$JPORT" </dev/null >"$TMP/jouda-$tag.log" 2>&1 &
        JPID=$!
        wait_http "$J/healthz"
        ADMIN=$(signin "$J" admin@jouda.ma Jouda-admin-2026)
        DIRECTOR=$(signin "$J" directrice.casa@amal.ma Jouda-demo-2026)
        # persons: an educator of a house (her caseload) and the EPS's quality
        # referent (the pseudonymised indicators of the persons supported)
        EDUCATOR=$(signin "$J" mere.fatima Jouda-demo-2026)
        REFERENT=$(signin "$J" referent.casa@amal.ma Jouda-demo-2026)
        REFERENT_TOKEN=$(./jouda token create --db "$DB" --user referent.casa@amal.ma </dev/null)
        EPS1=$(curl -sS -H "Authorization: Bearer $REFERENT_TOKEN" "$J/api/v1/me" |
            node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).roles[0].node_id))') ||
            { echo "bench: $tag: no EPS for the quality referent" >&2; exit 1; }
        ADMIN_TOKEN=$(./jouda token create --db "$DB" --user admin@jouda.ma </dev/null)
        DIRECTOR_TOKEN=$(./jouda token create --db "$DB" --user directrice.casa@amal.ma </dev/null)
        CAMPAIGN=$(node bench/setup-assess.mjs "$J" "$ADMIN_TOKEN" "$DIRECTOR_TOKEN") ||
            { echo "bench: $tag: the campaign of 157 criteria could not be set up" >&2; exit 1; }
        PROJECT=$(curl -sS -H "Authorization: Bearer $DIRECTOR_TOKEN" "$J/api/v1/projects?limit=1" |
            node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items[0].id))') ||
            { echo "bench: $tag: no projet d'établissement for the director" >&2; exit 1; }
        for who in admin director educator referent; do
            cookie=$ADMIN
            [ $who = director ] && cookie=$DIRECTOR
            [ $who = educator ] && cookie=$EDUCATOR
            [ $who = referent ] && cookie=$REFERENT
            pages="home nodes network overdue summary projects search roadmap roadmap_api sheets documents"
            [ $who = director ] && pages="home nodes results actions board project search search_api roadmap_eps sheets sheets_api documents"
            [ $who = educator ] && pages="caseload caseload_api"
            [ $who = referent ] && pages="home indicators"
            for page in $pages; do
                case $page in
                home) path=/; kind=p ;;
                nodes) path="/api/v1/nodes?limit=50"; kind=j ;;
                network) path=/campaigns/network; kind=p ;;
                results) path=/campaigns/$CAMPAIGN/results; kind=p ;;
                overdue) path="/api/v1/actions?overdue=true&limit=50"; kind=j ;;
                summary) path=/actions/summary; kind=p ;;
                actions) path=/actions; kind=p ;;
                board) path=/actions/board; kind=p ;;
                projects) path=/projects; kind=p ;;
                project) path=/projects/$PROJECT; kind=p ;;
                caseload) path=/persons; kind=p ;;
                caseload_api) path="/api/v1/persons?mine=true&limit=50"; kind=j ;;
                indicators) path="/api/v1/persons/indicators?node_id=$EPS1"; kind=j ;;
                search) path="/search?q=enfants"; kind=p ;;
                search_api) path="/api/v1/search?q=enfants&limit=20"; kind=j ;;
                roadmap) path=/roadmap; kind=p ;;
                roadmap_api) path="/api/v1/roadmap?limit=50"; kind=j ;;
                roadmap_eps) path=/roadmap/$EPS1; kind=p ;;
                sheets) path=/sheets; kind=p ;;
                sheets_api) path="/api/v1/sheets?limit=50"; kind=j ;;
                documents) path=/documents; kind=p ;;
                esac
                name=$tag-$who-$page
                code=$(curl -sS -o "$TMP/www/$kind/$name" -w '%{http_code}' -H "$cookie" "$J$path")
                [ "$code" = 200 ] || { echo "bench: $name answered $code" >&2; exit 1; }
                chmod a+r "$TMP/www/$kind/$name"
                bytes=$(stat -c %s "$TMP/www/$kind/$name")
                read -r jr jp jb < <(wrk_run "jouda-$name" "$J$path" "$cookie")
                read -r nr np nb < <(wrk_run "nginx-$name" "$N/$kind/$name")
                ratio=$(awk -v a="$jr" -v b="$nr" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
                label="$who $page"
                [ $who = admin ] && label="national admin"
                [ $who = director ] && label="director of EPS 1"
                [ $who = educator ] && label="educator of a house of EPS 1"
                [ $who = referent ] && label="quality referent of EPS 1"
                case $page in
                home) label="$label, home page" ;;
                nodes) label="$label, node list (API)" ;;
                network) label="$label, self-assessment across EPS" ;;
                results) label="$label, results of a 157-criterion campaign" ;;
                overdue) label="$label, overdue actions (API, first 50 and total)" ;;
                summary) label="$label, improvement plans per EPS" ;;
                actions) label="$label, improvement actions (list)" ;;
                board) label="$label, board of the actions" ;;
                projects) label="$label, projets d'établissement (list)" ;;
                project) label="$label, its projet d'établissement" ;;
                caseload) label="$label, her caseload (persons supported)" ;;
                caseload_api) label="$label, her children (API, first 50 and total)" ;;
                indicators) label="$label, indicators of the persons supported (API)" ;;
                search) label="$label, search for a common word (\"enfants\")" ;;
                search_api) label="$label, search for a common word (API, first 20 and total)" ;;
                roadmap) label="$label, where every EPS stands on the roadmap (table and chart)" ;;
                roadmap_api) label="$label, where every EPS stands on the roadmap (API, counts and first 50)" ;;
                roadmap_eps) label="$label, its roadmap" ;;
                sheets) label="$label, capitalisation sheets (library)" ;;
                sheets_api) label="$label, capitalisation sheets (API, first 50 and total)" ;;
                documents) label="$label, document library" ;;
                esac
                ROWS+=("| $engine | $scale | $label | $bytes | $jr | $jp | $nr | $np | $ratio |")
                [ "$jb$nb" != 00 ] && NOTES+=("$name: non-2xx answers: jouda $jb, nginx $nb")
                echo "   $name: jouda $jr req/s (p99 $jp), nginx $nr req/s (p99 $np)"
            done
        done
        # Documents: the director's projet (about 20 pages) and the report of the
        # 157-criterion campaign, 20 times each in a row: the mean time of one.
        for doc in "projects/$PROJECT.pdf?lang=fr" "projects/$PROJECT.pdf?lang=ar" "campaigns/$CAMPAIGN/report.pdf?lang=fr"; do
            total=0
            for i in $(seq 20); do
                read -r secs code < <(curl -sS -o "$TMP/doc.pdf" -w '%{time_total} %{http_code}\n' \
                    -H "Authorization: Bearer $DIRECTOR_TOKEN" "$J/api/v1/$doc")
                [ "$code" = 200 ] || { echo "bench: $doc answered $code" >&2; exit 1; }
                total=$(awk -v a="$total" -v b="$secs" 'BEGIN{print a + b}')
            done
            pages=$(pdfinfo "$TMP/doc.pdf" | awk '/^Pages:/ {print $2}')
            ms=$(awk -v t="$total" 'BEGIN{printf "%.0f", t * 1000 / 20}')
            DOCS+=("| $engine | $scale | ${doc%%\?*} (${doc##*=}) | $pages | $(($(stat -c %s "$TMP/doc.pdf") / 1024)) | $ms |")
            echo "   $doc: $pages pages in $ms ms"
        done
        # The national administrator's transfer kit (every shared référentiel,
        # template, published sheet and approved document, signed): 5 times.
        total=0
        for i in $(seq 5); do
            read -r secs size code < <(curl -sS -o "$TMP/kit.zip" -w '%{time_total} %{size_download} %{http_code}\n' \
                -H "Authorization: Bearer $ADMIN_TOKEN" "$J/api/v1/kits/export")
            [ "$code" = 200 ] || { echo "bench: kit export answered $code" >&2; exit 1; }
            total=$(awk -v a="$total" -v b="$secs" 'BEGIN{print a + b}')
        done
        items=$(./jouda kit show "$TMP/kit.zip" | grep -c '^item' || true)
        ms=$(awk -v t="$total" 'BEGIN{printf "%.0f", t * 1000 / 5}')
        DOCS+=("| $engine | $scale | transfer kit ($items items) | - | $((size / 1024)) | $ms |")
        echo "   kit export: $items items, $((size / 1024)) KiB in $ms ms"
        RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$JPID/status")
        NOTES+=("$tag: jouda peak RSS (VmHWM) $((RSS_KB / 1024)) MiB")
        stop_jouda
        # Exports of every improvement action, on a fresh server: time, size and
        # the server's peak memory before and after (flat when streamed).
        ./jouda serve --db "$DB" --listen "127.0.0.1:$JPORT" </dev/null >"$TMP/jouda-export-$tag.log" 2>&1 &
        JPID=$!
        wait_http "$J/healthz"
        ADMIN=$(signin "$J" admin@jouda.ma Jouda-admin-2026)
        curl -sS -o /dev/null -H "$ADMIN" "$J/actions"
        before=$(awk '/^VmHWM:/ {print $2}' "/proc/$JPID/status")
        for fmt in csv xlsx; do
            read -r secs size code < <(curl -sS -o "$TMP/export.$fmt" -w '%{time_total} %{size_download} %{http_code}\n' \
                -H "$ADMIN" "$J/api/v1/actions.$fmt")
            [ "$code" = 200 ] || { echo "bench: export $fmt answered $code" >&2; exit 1; }
            after=$(awk '/^VmHWM:/ {print $2}' "/proc/$JPID/status")
            [ "$fmt" = csv ] && rows=$(($(wc -l <"$TMP/export.csv") - 1))
            EXPORTS+=("| $engine | $scale | $fmt | $rows | $((size / 1024)) | $secs | $((before / 1024)) | $((after / 1024)) |")
            echo "   export $fmt: $rows actions, $((size / 1024)) KiB in $secs s, peak RSS $((before / 1024)) -> $((after / 1024)) MiB"
        done
        stop_jouda
    done
done

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
    echo "# Jouda benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($CPU), loopback."
    echo "wrk -t$THREADS -c$CONNS -d${SECONDS_PER_RUN}s --latency, \`Accept-Encoding: gzip\` on every request;"
    echo "jouda: release build, default threads, signed in (session cookie). nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'):"
    echo "2 workers, gzip on, serving the saved bytes of each answer."
    echo
    echo "| Engine | Data | Request | Bytes | jouda req/s | jouda p99 | nginx req/s | nginx p99 | jouda/nginx |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
    for row in "${ROWS[@]}"; do echo "$row"; done
    echo
    for n in "${NOTES[@]}"; do echo "- $n"; done
    echo
    echo "Raw wrk output: bench/output/wrk-*.txt."
    echo
    echo "Exports of every improvement action by the national administrator, on a fresh server"
    echo "(peak resident memory of the server before and after the download):"
    echo
    echo "| Engine | Data | Format | Actions | KiB | Seconds | Peak RSS before (MiB) | after (MiB) |"
    echo "|---|---|---|---:|---:|---:|---:|---:|"
    for row in "${EXPORTS[@]}"; do echo "$row"; done
    echo
    echo "PDF documents built by the director's requests, one after the other (mean of 20, over HTTP):"
    echo
    echo "| Engine | Data | Document | Pages | KiB | ms |"
    echo "|---|---|---|---:|---:|---:|"
    for row in "${DOCS[@]}"; do echo "$row"; done
} >"$OUT/results.md"

cat "$OUT/results.md"
