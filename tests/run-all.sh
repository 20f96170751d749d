#!/bin/bash
# run-all.sh - every test of Jouda, in order, on SQLite and PostgreSQL:
#   1 unit tests (release and ASan builds)      4 command line tests
#   2 translations, json_pack calls             5 HTTP tests (release and ASan servers;
#   3 fuzzers (bounded time)                      transport.test.mjs also runs nginx
#                                                 with docs/nginx.conf: nginx, openssl)
#                                               6 browser tests
#                                               7 mutants: deliberate faults the
#                                                 tests must catch (tests/mutants)
# Needs the builds from `make -j2 all asan unit fuzz` (make test does both):
# a unit test, ASan or fuzz binary that is missing counts as a failure.
# A fuzzer that runs no input fails too. Logs go to tests/output/. Ends with
# "N passed, N failed, N skipped" alone on the last line; exits 1 when
# anything failed, a step could not run, or anything was skipped (a cmocka
# skip, a node test.skip or todo, a skipped CLI check) - except the skips that
# JOUDA_TEST_SQLITE_ONLY asks for.
#
# Environment: FUZZ_SECONDS (default 20) per fuzzer; JOUDA_TEST_STEPS, a list
# among "unit i18n fuzz cli http browser mutants" (default all) to run only some steps;
# JOUDA_TEST_VARIANTS "rel asan" (default both) for the HTTP step, "valgrind"
# adding the release server under valgrind's memcheck (about 10 minutes);
# JOUDA_TEST_SQLITE_ONLY=1 to leave PostgreSQL out: no private server is
# started, the PostgreSQL steps and unit cases are not run and are counted as
# skipped, and these skips alone do not fail the run. Without it, PostgreSQL
# is required: when it cannot be started, or a test database cannot be
# created, the steps that need it fail.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

OUT=tests/output
LOGS=$OUT/logs
mkdir -p "$LOGS" "$OUT/screenshots"
rm -f "$LOGS"/*.log

STEPS=${JOUDA_TEST_STEPS:-unit i18n fuzz cli http browser mutants}
VARIANTS=${JOUDA_TEST_VARIANTS:-rel asan}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SQLITE_ONLY=0
[ "${JOUDA_TEST_SQLITE_ONLY:-0}" = 1 ] && SQLITE_ONLY=1
NO_PG_NOTE="not run: JOUDA_TEST_SQLITE_ONLY=1"
ADMIN_PASSWORD=Jouda-admin-2026
export JOUDA_ADMIN_PASSWORD=$ADMIN_PASSWORD
# Key files (sealed text at rest): a SQLite database uses its "<db>.key",
# created by init; each PostgreSQL database gets one of its own through
# JOUDA_KEY_FILE (key_file_for below). None comes from the caller's environment.
unset JOUDA_KEY_FILE

# shellcheck source=tests/lib/pg.sh
source tests/lib/pg.sh
# shellcheck source=tests/lib/server.sh
source tests/lib/server.sh

TMP=$(mktemp -d /tmp/jouda-tests.XXXXXX)
chmod 755 "$TMP"
cleanup() {
    server_kill
    pg_stop
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
ALLOWED_SKIP=0 # skips asked for by JOUDA_TEST_SQLITE_ONLY
SUMMARY=()
START_ALL=$(date +%s)

# record STEP_NAME PASSED FAILED SKIPPED [note]
record() {
    local name=$1 p=$2 f=$3 s=$4 note=${5:-}
    TOTAL_PASS=$((TOTAL_PASS + p))
    TOTAL_FAIL=$((TOTAL_FAIL + f))
    TOTAL_SKIP=$((TOTAL_SKIP + s))
    local line
    line=$(printf '%-44s %4d passed, %3d failed, %3d skipped' "$name" "$p" "$f" "$s")
    [ -n "$note" ] && line="$line  ($note)"
    SUMMARY+=("$line")
    echo "== $line"
}
# skip_pg STEP_NAME: a PostgreSQL step left out on purpose (JOUDA_TEST_SQLITE_ONLY=1)
skip_pg() {
    record "$1" 0 0 1 "$NO_PG_NOTE"
    ALLOWED_SKIP=$((ALLOWED_SKIP + 1))
}

want() { [[ " $STEPS " == *" $1 "* ]]; }

ASAN_OPTS=detect_leaks=1:abort_on_error=1
UBSAN_OPTS=halt_on_error=1:print_stacktrace=1
ASAN_ENV=(ASAN_OPTIONS=$ASAN_OPTS UBSAN_OPTIONS=$UBSAN_OPTS)

# ---------------------------------------------------------------- PostgreSQL
PG_OK=0
need_pg=0
for s in unit cli http browser; do want "$s" && need_pg=1; done
if [ $need_pg = 1 ] && [ $SQLITE_ONLY = 1 ]; then
    echo "== PostgreSQL left out (JOUDA_TEST_SQLITE_ONLY=1): its steps are skipped"
elif [ $need_pg = 1 ]; then
    echo "== starting a private PostgreSQL"
    if pg_start "$LOGS/postgresql.log"; then
        PG_OK=1
        echo "   $(pg_url postgres)"
    else
        record "postgresql (private server for the tests)" 0 1 0 "could not start: see $LOGS/postgresql.log"
    fi
fi
new_pg_db() { # new_pg_db NAME -> URL of a new, empty database (names are unique per run)
    pg_createdb "$(echo "$1" | tr -c 'a-zA-Z0-9_\n' '_' | cut -c1-60)"
}
# key_file_for ENGINE TAG -> the key file to give every jouda command on the
# database of TAG through JOUDA_KEY_FILE: one per PostgreSQL database (init
# creates it), empty for SQLite (the default "<db>.key"; an empty
# JOUDA_KEY_FILE counts as unset).
key_file_for() {
    if [ "$1" = postgresql ]; then echo "$TMP/$2.key"; fi
}

# Steps whose parts run side by side: in $LANES lanes (JOUDA_TEST_LANES,
# default 2; 1 runs them one after the other).
LANES=${JOUDA_TEST_LANES:-2}
# record_later FILE NAME P F S NOTE: a result of a step run in a lane, told
# later by replay FILE (in the parent shell, which keeps the totals).
record_later() { local f=$1; shift; printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$f"; }
replay() {
    local name p f s note
    [ -f "$1" ] || { record "${2:-a lane}" 0 1 0 "no result (the lane stopped early)"; return; }
    while IFS=$'\t' read -r name p f s note; do record "$name" "$p" "$f" "$s" "$note"; done <"$1"
}
# run_lanes FUNCTION ITEM...: FUNCTION ITEM RESULT_FILE for each item, in
# $LANES background lanes dealt like cards (item i in lane i mod LANES, the
# order of the items turning back each round, so that heavy and light ones
# mix); waits for all. Result files: $LOGS/result-<item with _>.tsv.
run_lanes() {
    local fn=$1 i lane n
    shift
    local items=("$@") pids=()
    n=${#items[@]}
    for ((lane = 0; lane < LANES; lane++)); do
        (
            trap server_kill EXIT
            for ((i = 0; i < n; i++)); do
                local round=$((i / LANES)) pos=$((i % LANES))
                ((round % 2 == 1)) && pos=$((LANES - 1 - pos))
                [ $pos = $lane ] || continue
                local item=${items[$i]}
                local res=$LOGS/result-${item// /_}.tsv
                rm -f "$res"
                $fn $item "$res"
            done
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# ---------------------------------------------------------------- 1 unit tests
# Parse cmocka's closing lines, "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)"
# and "[  SKIPPED ] N test(s)", and count the "[  ERROR   ] name" lines of the
# tests whose setup or teardown failed (the FAILED line leaves them out).
cmocka_counts() { # file -> "passed failed skipped found"
    awk '
        function num(re) { match($0, re); return substr($0, RSTART + 13, RLENGTH - 18) + 0 }
        /\[  PASSED  \] [0-9]+ test/ { p += num("\\[  PASSED  \\] [0-9]+ test"); found = 1 }
        /\[  FAILED  \] [0-9]+ test/ { f += num("\\[  FAILED  \\] [0-9]+ test"); found = 1 }
        /\[  SKIPPED \] [0-9]+ test/ { s += num("\\[  SKIPPED \\] [0-9]+ test"); found = 1 }
        /\[  ERROR   \] / && !/\[  ERROR   \] --- / { f++ }
        END { printf "%d %d %d %d\n", p, f, s, found }' "$1"
}

if want unit; then
    echo "== 1. unit tests"
    shopt -s nullglob
    srcs=(tests/unit/test_*.c)
    shopt -u nullglob
    if [ ${#srcs[@]} -eq 0 ]; then
        record "1 unit tests" 0 1 0 "no tests/unit/test_*.c"
    fi
    for variant in rel asan; do
        for src in "${srcs[@]}"; do
            name=$(basename "$src" .c)
            b=build/$variant/tests/$name
            if [ ! -x "$b" ]; then
                record "1 unit $variant/$name" 0 1 0 "$b is not built (make unit)"
                continue
            fi
            log=$LOGS/unit-$variant-$name.log
            envs=(CMOCKA_MESSAGE_OUTPUT=stdout)
            [ "$variant" = asan ] && envs+=("${ASAN_ENV[@]}")
            pg_note=""
            if [ $PG_OK = 1 ]; then
                if url=$(new_pg_db "unit_${variant}_$name") && [ -n "$url" ]; then
                    envs+=("JOUDA_TEST_PG_URL=$url")
                else
                    pg_note="no PostgreSQL database could be created"
                fi
            fi
            (cd "$TMP" && env "${envs[@]}" timeout 300 "$ROOT/$b") >"$log" 2>&1 </dev/null
            rc=$?
            read -r p f s found < <(cmocka_counts "$log")
            note=""
            if [ -n "$pg_note" ]; then
                f=$((f + 1))
                note=$pg_note
            fi
            if [ $SQLITE_ONLY = 1 ] && [ "$s" -gt 0 ]; then
                # the PostgreSQL cases skip themselves without JOUDA_TEST_PG_URL
                ALLOWED_SKIP=$((ALLOWED_SKIP + s))
                note="${note:+$note, }PostgreSQL cases $NO_PG_NOTE"
            elif [ "$s" -gt 0 ]; then
                note="${note:+$note, }$s skipped"
            fi
            if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
                f=$((f + 1))
                why="exit status $rc"
                [ $rc -ge 128 ] && why="crashed (signal $((rc - 128)))"
                [ $rc -eq 124 ] && why="timed out"
                note="${note:+$note, }$why"
            fi
            if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"; then
                [ "$f" -eq 0 ] && f=1
                note="${note:+$note, }sanitizer report"
            fi
            if [ "$f" -gt 0 ] || { [ "$s" -gt 0 ] && [ $SQLITE_ONLY = 0 ]; }; then
                note="${note:+$note, }see $log"
            fi
            record "1 unit $variant/$name" "$p" "$f" "$s" "$note"
        done
    done
fi

# ---------------------------------------------------------------- 2 translations
# one_check NAME LOG COMMAND...: one test passed when COMMAND succeeds.
one_check() {
    local name=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1 </dev/null; then
        record "$name" 1 0 0
    else
        record "$name" 0 1 0 "see $log"
    fi
}

if want i18n; then
    echo "== 2. translation check"
    if [ -x scripts/i18n-check ]; then
        one_check "2 translations (scripts/i18n-check)" "$LOGS/i18n-check.log" scripts/i18n-check
    else
        record "2 translations (scripts/i18n-check)" 0 1 0 "scripts/i18n-check is missing"
    fi
    # the checker itself: complete catalogues pass, broken ones are named
    one_check "2 translations (the checker's own tests)" "$LOGS/i18n-check-selftest.log" tests/i18n/run.sh
    # json_pack's values against its format (the compiler cannot check them)
    one_check "2 json_pack calls (scripts/pack-check)" "$LOGS/pack-check.log" scripts/pack-check src
    one_check "2 json_pack calls (the checker's own test)" "$LOGS/pack-check-selftest.log" tests/lint/run.sh
fi

# ---------------------------------------------------------------- 3 fuzzers
# In $LANES lanes, each in its own corpus directory; their results are told
# in the usual order.
if want fuzz; then
    echo "== 3. fuzzers (${FUZZ_SECONDS}s each, $LANES at a time)"
    shopt -s nullglob
    fz=(fuzz/fuzz_*.c)
    shopt -u nullglob
    if [ ${#fz[@]} -eq 0 ]; then
        record "3 fuzzers" 0 1 0 "no fuzz/fuzz_*.c"
    fi
    # fuzz_one NAME RESULT_FILE: runs one fuzzer, writes its result line.
    fuzz_one() {
        local name=$1 res=$2 f corpus seed log rc runs
        f=build/fuzz/$name
        if [ ! -x "$f" ]; then
            record_later "$res" "3 fuzz $name" 0 1 0 "$f is not built (make fuzz)"
            return
        fi
        corpus=$TMP/corpus-$name
        mkdir -p "$corpus"
        seed=fuzz/corpus/${name#fuzz_}
        [ -d "$seed" ] && cp -r "$seed"/. "$corpus"/ 2>/dev/null
        log=$LOGS/fuzz-$name.log
        (cd "$TMP" && env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            timeout $((FUZZ_SECONDS + 120)) "$ROOT/$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 "$corpus") >"$log" 2>&1 </dev/null
        rc=$?
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+$')
        if [ $rc -ne 0 ]; then
            record_later "$res" "3 fuzz $name" 0 1 0 "exit status $rc, see $log"
        elif [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
            record_later "$res" "3 fuzz $name" 0 1 0 "ran ${runs:-no} inputs, see $log"
        else
            record_later "$res" "3 fuzz $name" 1 0 0 "$runs runs"
        fi
    }
    fuzz_names=()
    for src in "${fz[@]}"; do fuzz_names+=("$(basename "$src" .c)"); done
    run_lanes fuzz_one "${fuzz_names[@]}"
    for name in "${fuzz_names[@]}"; do
        replay "$LOGS/result-$name.tsv" "3 fuzz $name"
    done
fi

# ---------------------------------------------------------------- 4 command line
# Closing line of the CLI tests: "N passed, N failed, N skipped".
closing_counts() { # file -> "passed failed skipped found"
    local line n
    line=$(grep -E '^[[:alpha:]]*:? ?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "0 0 0 0"
        return
    fi
    for n in passed failed skipped; do
        printf '%d ' "$(echo "$line" | grep -oE "[0-9]+ $n" | grep -oE '[0-9]+' || echo 0)"
    done
    echo 1
}

if want cli; then
    echo "== 4. command line tests"
    for engine in sqlite postgresql; do
        name="4 command line ($engine)"
        log=$LOGS/cli-$engine.log
        if [ ! -f tests/cli/cli.test.sh ]; then
            record "$name" 0 1 0 "tests/cli/cli.test.sh is missing"
            continue
        fi
        if [ ! -x ./jouda ]; then
            record "$name" 0 1 0 "./jouda is not built"
            continue
        fi
        if [ $engine = sqlite ]; then
            db=$TMP/cli.db
        elif [ $SQLITE_ONLY = 1 ]; then
            skip_pg "$name"
            continue
        elif [ $PG_OK != 1 ]; then
            record "$name" 0 1 0 "no PostgreSQL"
            continue
        elif ! db=$(new_pg_db cli) || [ -z "$db" ]; then
            record "$name" 0 1 0 "no PostgreSQL database could be created"
            continue
        fi
        env JOUDA_BIN="$ROOT/jouda" JOUDA_KEY_FILE="$(key_file_for $engine cli)" \
            timeout 600 bash tests/cli/cli.test.sh "$db" >"$log" 2>&1 </dev/null
        rc=$?
        read -r p f s found < <(closing_counts "$log")
        note=""
        if [ "$found" != 1 ]; then
            f=$((f + 1))
            note="no closing line, exit status $rc"
        elif [ $rc -ne 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
            f=1
            note="exit status $rc"
        fi
        [ "$f" -gt 0 ] || [ "$s" -gt 0 ] && note="${note:+$note, }see $log"
        record "$name" "$p" "$f" "$s" "$note"
    done
    # the transfer kit's round trip: SQLite -> PostgreSQL -> SQLite
    name="4 command line: kits (SQLite, PostgreSQL, SQLite)"
    log=$LOGS/cli-kit.log
    kit_pg=""
    kit_ok=1
    if [ ! -f tests/cli/kit.test.sh ] || [ ! -x ./jouda ]; then
        record "$name" 0 1 0 "tests/cli/kit.test.sh or ./jouda is missing"
        kit_ok=0
    elif [ $SQLITE_ONLY = 1 ]; then
        : # the middle database is SQLite too; its skip is allowed below
    elif [ $PG_OK != 1 ]; then
        record "$name" 0 1 0 "no PostgreSQL"
        kit_ok=0
    elif ! kit_pg=$(new_pg_db cli_kit) || [ -z "$kit_pg" ]; then
        record "$name" 0 1 0 "no PostgreSQL database could be created"
        kit_ok=0
    fi
    if [ $kit_ok = 1 ]; then
        env JOUDA_BIN="$ROOT/jouda" JOUDA_PG_KEY_FILE="$(key_file_for postgresql cli_kit)" \
            timeout 600 bash tests/cli/kit.test.sh ${kit_pg:+"$kit_pg"} >"$log" 2>&1 </dev/null
        rc=$?
        read -r p f s found < <(closing_counts "$log")
        note=""
        if [ "$found" != 1 ]; then
            f=$((f + 1))
            note="no closing line, exit status $rc"
        elif [ $rc -ne 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
            f=1
            note="exit status $rc"
        fi
        if [ $SQLITE_ONLY = 1 ] && [ "$s" -gt 0 ]; then
            ALLOWED_SKIP=$((ALLOWED_SKIP + s))
            note="${note:+$note, }PostgreSQL leg $NO_PG_NOTE"
        fi
        [ "$f" -gt 0 ] && note="${note:+$note, }see $log"
        record "$name" "$p" "$f" "$s" "$note"
    fi
fi

# ---------------------------------------------------------------- helpers for 5 and 6
# node's TAP reporter closes with "# pass N", "# fail N", "# cancelled N",
# "# skipped N" and "# todo N" (a todo is counted as skipped).
node_counts() { # file -> "passed failed skipped found"
    awk '
        /^# pass [0-9]+/ { p = $3; found = 1 }
        /^# fail [0-9]+/ { f = $3 }
        /^# cancelled [0-9]+/ { c = $3 }
        /^# skipped [0-9]+/ { s = $3 }
        /^# todo [0-9]+/ { t = $3 }
        END { printf "%d %d %d %d\n", p, f + c, s + t, found }' "$1"
}

NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
# run_node_tests DIR LOG: the test files one after another.
run_node_tests() {
    local dir=$1 log=$2 timeout_s=${3:-900}
    local files
    files=$(ls "$dir"/*.test.mjs 2>/dev/null | sort)
    if [ -z "$files" ]; then
        echo "no test files in $dir" >"$log"
        return 3
    fi
    if [ "$NODE_MAJOR" -ge 20 ]; then
        # shellcheck disable=SC2086
        timeout "$timeout_s" node --test --test-reporter=tap --test-concurrency=1 $files >"$log" 2>&1 </dev/null
    else
        # node 18: no --test-concurrency; run the files one by one and add up.
        local f rc=0 p=0 fl=0 sk=0
        : >"$log"
        for f in $files; do
            timeout "$timeout_s" node --test "$f" >>"$log.part" 2>&1 </dev/null || rc=1
            read -r c1 c2 c3 _ < <(node_counts "$log.part")
            p=$((p + c1))
            fl=$((fl + c2))
            sk=$((sk + c3))
            sed -e 's/^# pass /# file pass /' -e 's/^# fail /# file fail /' \
                -e 's/^# cancelled /# file cancelled /' -e 's/^# skipped /# file skipped /' \
                -e 's/^# todo /# file todo /' "$log.part" >>"$log"
            rm -f "$log.part"
        done
        printf '# pass %d\n# fail %d\n# skipped %d\n' "$p" "$fl" "$sk" >>"$log"
        return $rc
    fi
}

# prepare_db ENGINE BIN TAG LOG [env...] -> prints the DB url; init + demo with BIN.
# The env gives a PostgreSQL database its key file (JOUDA_KEY_FILE=$(key_file_for
# ENGINE TAG)): init creates it, and the server and the tests get the same env.
prepare_db() {
    local engine=$1 bin=$2 tag=$3 log=$4 db
    shift 4
    if [ "$engine" = sqlite ]; then
        db=$TMP/$tag.db
        rm -f "$db" "$db-wal" "$db-shm" "$db.key"
    else
        db=$(new_pg_db "$tag") || return 1
    fi
    {
        echo "\$ $bin init --db $db --admin-email admin@jouda.ma"
        env "$@" JOUDA_ADMIN_PASSWORD=$ADMIN_PASSWORD "$bin" init --db "$db" --admin-email admin@jouda.ma </dev/null &&
            echo "\$ $bin demo --db $db" &&
            env "$@" "$bin" demo --db "$db" </dev/null
    } >"$log" 2>&1 || return 1
    echo "$db"
}

sanitizer_clean() { ! grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$1"; }

# ---------------------------------------------------------------- 5 HTTP tests
# Each engine x variant has its own database and server: they run side by side
# in $LANES lanes, the heaviest first, and their results are told in the usual order.
http_one() {
    local engine=$1 variant=$2 res=$3
    local tag name bin envs ao uo keyf db slog tlog t0 rc p f s found note
    tag=http-$engine-$variant
    name="5 HTTP $engine $variant"
    if [ "$variant" = asan ]; then
        bin=$ROOT/build/asan/jouda; envs=("${ASAN_ENV[@]}"); ao=$ASAN_OPTS; uo=$UBSAN_OPTS
    else
        bin=$ROOT/jouda; envs=(JOUDA_VARIANT=$variant); ao=""; uo=""
    fi
    if [ ! -x "$bin" ]; then
        record_later "$res" "$name" 0 1 0 "$bin is not built"
        return
    fi
    # valgrind (asked for only): the release server under memcheck, which sees
    # what ASan does not (values read before being set); the tests' own
    # commands run the plain binary
    local server_bin=$bin vglog="" node_timeout=900
    if [ "$variant" = valgrind ]; then
        if ! command -v valgrind >/dev/null; then
            record_later "$res" "$name" 0 1 0 "valgrind is not installed (apt-get install valgrind)"
            return
        fi
        vglog=$ROOT/$LOGS/$tag-memcheck.log
        node_timeout=2400
        server_bin=$TMP/jouda-valgrind-$engine
        printf '#!/bin/sh\nexec valgrind -q --error-limit=no --track-origins=yes --leak-check=no --log-file=%s %s "$@"\n' \
            "$vglog" "$bin" >"$server_bin"
        chmod +x "$server_bin"
    fi
    if [ $engine = postgresql ] && [ $PG_OK != 1 ]; then
        record_later "$res" "$name" 0 1 0 "no PostgreSQL"
        return
    fi
    keyf=$(key_file_for $engine "${tag//-/_}")
    envs+=(JOUDA_KEY_FILE="$keyf")
    if ! db=$(prepare_db $engine "$bin" "${tag//-/_}" "$LOGS/$tag-setup.log" "${envs[@]}"); then
        record_later "$res" "$name" 0 1 0 "init/demo failed, see $LOGS/$tag-setup.log"
        return
    fi
    slog=$LOGS/$tag-server.log
    if ! server_start "$server_bin" "$db" "$slog" "${envs[@]}"; then
        record_later "$res" "$name" 0 1 0 "server did not start, see $slog"
        server_kill
        return
    fi
    echo "   $name: $SERVER_URL ($db)"
    tlog=$LOGS/$tag-node.log
    t0=$(date +%s)
    # the tests run jouda themselves (tokens, remind, other servers): the same key file
    ASAN_OPTIONS=$ao UBSAN_OPTIONS=$uo JOUDA_URL=$SERVER_URL JOUDA_DB_URL=$db JOUDA_BIN=$bin \
        JOUDA_KEY_FILE=$keyf JOUDA_ENGINE=$engine JOUDA_VARIANT=$variant run_node_tests tests/http "$tlog" "$node_timeout"
    rc=$?
    read -r p f s found < <(node_counts "$tlog")
    note="$(($(date +%s) - t0)) s"
    if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
        f=$((f + 1))
        note="$note, node exit status $rc"
    fi
    [ "$f" -gt 0 ] || [ "$s" -gt 0 ] && note="$note, see $tlog"
    # the server must stop cleanly on SIGTERM
    if server_stop; then
        p=$((p + 1))
    else
        f=$((f + 1))
        note="$note, stop: $SERVER_STOP_MSG (see $slog)"
    fi
    if [ "$variant" = valgrind ]; then
        if [ ! -s "$vglog" ]; then
            p=$((p + 1))
        else
            f=$((f + 1))
            note="$note, memcheck errors in $vglog"
        fi
    fi
    if [ "$variant" = asan ]; then
        if sanitizer_clean "$slog"; then
            p=$((p + 1))
        else
            f=$((f + 1))
            note="$note, sanitizer report in $slog"
        fi
    fi
    record_later "$res" "$name" "$p" "$f" "$s" "$note"
}

if want http; then
    echo "== 5. HTTP tests"
    order=()   # the order results are told in
    heavy=()   # the order they run in: PostgreSQL and the sanitizer build first
    for engine in sqlite postgresql; do
        for variant in $VARIANTS; do
            if [ $engine = postgresql ] && [ $SQLITE_ONLY = 1 ]; then
                skip_pg "5 HTTP $engine $variant"
                continue
            fi
            order+=("$engine $variant")
        done
    done
    for item in "postgresql valgrind" "sqlite valgrind" "postgresql asan" "postgresql rel" "sqlite asan" "sqlite rel"; do
        [[ " ${order[*]/%/,} " == *" $item,"* ]] && heavy+=("$item")
    done
    run_lanes http_one "${heavy[@]}"
    for item in "${order[@]}"; do
        replay "$LOGS/result-${item// /_}.tsv" "5 HTTP $item"
    done
fi

# ---------------------------------------------------------------- 6 browser tests
browser_one() {
    local engine=$1 res=$2
    local tag name bin keyf db slog shots tlog t0 rc p f s found note
    tag=browser-$engine
    name="6 browser $engine"
    bin=$ROOT/jouda
    if [ ! -x "$bin" ]; then
        record_later "$res" "$name" 0 1 0 "./jouda is not built"
        return
    fi
    if [ ! -x /usr/bin/chromium ]; then
        record_later "$res" "$name" 0 1 0 "/usr/bin/chromium is missing"
        return
    fi
    if [ $engine = postgresql ] && [ $PG_OK != 1 ]; then
        record_later "$res" "$name" 0 1 0 "no PostgreSQL"
        return
    fi
    keyf=$(key_file_for $engine "${tag//-/_}")
    if ! db=$(prepare_db $engine "$bin" "${tag//-/_}" "$LOGS/$tag-setup.log" JOUDA_KEY_FILE="$keyf"); then
        record_later "$res" "$name" 0 1 0 "init/demo failed, see $LOGS/$tag-setup.log"
        return
    fi
    slog=$LOGS/$tag-server.log
    if ! server_start "$bin" "$db" "$slog" JOUDA_KEY_FILE="$keyf"; then
        record_later "$res" "$name" 0 1 0 "server did not start, see $slog"
        server_kill
        return
    fi
    shots=$OUT/screenshots/$engine
    rm -rf "$shots"
    mkdir -p "$shots"
    tlog=$LOGS/$tag-node.log
    t0=$(date +%s)
    JOUDA_URL=$SERVER_URL JOUDA_DB_URL=$db JOUDA_BIN=$bin JOUDA_KEY_FILE=$keyf JOUDA_ENGINE=$engine \
        JOUDA_SCREENSHOTS=$ROOT/$shots run_node_tests tests/browser "$tlog" 900
    rc=$?
    read -r p f s found < <(node_counts "$tlog")
    note="$(($(date +%s) - t0)) s"
    if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
        f=$((f + 1))
        note="$note, node exit status $rc"
    fi
    [ "$f" -gt 0 ] || [ "$s" -gt 0 ] && note="$note, see $tlog"
    if server_stop; then p=$((p + 1)); else
        f=$((f + 1))
        note="$note, stop: $SERVER_STOP_MSG"
    fi
    record_later "$res" "$name" "$p" "$f" "$s" "$note"
}

if want browser; then
    echo "== 6. browser tests"
    order=()
    for engine in sqlite postgresql; do
        if [ $engine = postgresql ] && [ $SQLITE_ONLY = 1 ]; then
            skip_pg "6 browser $engine"
            continue
        fi
        order+=("$engine")
    done
    run_lanes browser_one "${order[@]}"
    for item in "${order[@]}"; do
        replay "$LOGS/result-$item.tsv" "6 browser $item"
    done
    if [ -f "$OUT/screenshots/sqlite/home-fr-1280.png" ]; then
        mkdir -p docs
        cp "$OUT/screenshots/sqlite/home-fr-1280.png" docs/screenshot.png
    fi
fi

# ---------------------------------------------------------------- 7 mutants
# The server built with one deliberate fault at a time (a resolver that finds
# nothing, authz allowing everything, no CSRF check, a list without its scope
# filter): the test files that must catch each one have to fail.
if want mutants; then
    echo "== 7. mutants"
    log=$LOGS/mutants.log
    # one key file for the demo database and every copy the mutants serve
    JOUDA_KEY_FILE=$TMP/mutants.key MUTANTS_LOGS=$ROOT/$LOGS timeout 900 tests/mutants/run.sh >"$log" 2>&1 </dev/null
    rc=$?
    read -r p f _ found < <(closing_counts "$log")
    note=""
    if [ "$found" != 1 ]; then
        f=$((f + 1))
        note="no closing line, exit status $rc"
    elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        note="exit status $rc"
    fi
    [ "$f" -gt 0 ] && note="${note:+$note, }see $log"
    record "7 mutants caught (tests/mutants/run.sh)" "$p" "$f" 0 "$note"
fi

# ---------------------------------------------------------------- summary
echo
echo "==================== summary ($(($(date +%s) - START_ALL)) s, logs in $LOGS) ===================="
for line in "${SUMMARY[@]}"; do
    echo "$line"
done
[ ${#SUMMARY[@]} -eq 0 ] && { echo "no step ran"; TOTAL_FAIL=$((TOTAL_FAIL + 1)); }
echo
# The failed tests by name, so that the end of the output says which ones
# (every one in $LOGS/failures.txt, the first 15 here).
if [ "$TOTAL_FAIL" -gt 0 ]; then
    failures=$LOGS/failures.txt
    : >"$failures"
    for log in "$LOGS"/*.log; do
        [ -f "$log" ] || continue
        tag=$(basename "$log" .log)
        case $tag in
        *-node) awk -f tests/lib/tap-failures.awk "$log" ;;
        unit-*) grep -E '^\[  (FAILED|ERROR)   ?\] [A-Za-z_]' "$log" | grep -v 'test(s)' ;;
        cli-*) grep -E '^not ok' "$log" ;;
        mutants) grep -E 'SURVIVED|CANNOT RUN' "$log" ;;
        pack-check) grep -E ': json_pack' "$log" ;;
        *) ;;
        esac | awk '!seen[$0]++' | sed "s|^|${tag%-node}: |" >>"$failures"
    done
    if [ -s "$failures" ]; then
        echo "failed tests ($(wc -l <"$failures") in $failures):"
        head -n 15 "$failures" | cut -c1-220 | sed 's/^/  /'
        echo
    fi
fi
if [ "$TOTAL_SKIP" -gt "$ALLOWED_SKIP" ]; then
    echo "$((TOTAL_SKIP - ALLOWED_SKIP)) skipped without JOUDA_TEST_SQLITE_ONLY=1 asking for it: the run fails"
elif [ "$ALLOWED_SKIP" -gt 0 ]; then
    echo "$ALLOWED_SKIP skipped because JOUDA_TEST_SQLITE_ONLY=1 leaves PostgreSQL out"
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
[ "$TOTAL_FAIL" -eq 0 ] && [ "$TOTAL_SKIP" -le "$ALLOWED_SKIP" ]
