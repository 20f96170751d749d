#!/bin/bash
# run-all.sh - every test of Jouda, in order, on SQLite and PostgreSQL:
#   1 unit tests (release and ASan builds)      4 command line tests
#   2 translation check                         5 HTTP tests (release and ASan servers)
#   3 fuzzers (bounded time)                    6 browser tests
# Needs the builds from `make -j2 all asan unit fuzz` (make test does both).
# Logs go to tests/output/. Ends with "N passed, N failed" alone on the last
# line; exits 1 when anything failed or a step could not run.
#
# Environment: FUZZ_SECONDS (default 20) per fuzzer; JOUDA_TEST_STEPS, a list
# among "unit i18n fuzz cli http browser" (default all) to run only some steps;
# JOUDA_TEST_VARIANTS "rel asan" (default both) for the HTTP step.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

OUT=tests/output
LOGS=$OUT/logs
mkdir -p "$LOGS" "$OUT/screenshots"
rm -f "$LOGS"/*.log

STEPS=${JOUDA_TEST_STEPS:-unit i18n fuzz cli http browser}
VARIANTS=${JOUDA_TEST_VARIANTS:-rel asan}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
ADMIN_PASSWORD=Jouda-admin-2026
export JOUDA_ADMIN_PASSWORD=$ADMIN_PASSWORD

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
SUMMARY=()
START_ALL=$(date +%s)

# record STEP_NAME PASSED FAILED [note]
record() {
    local name=$1 p=$2 f=$3 note=${4:-}
    TOTAL_PASS=$((TOTAL_PASS + p))
    TOTAL_FAIL=$((TOTAL_FAIL + f))
    local line
    line=$(printf '%-44s %4d passed, %3d failed' "$name" "$p" "$f")
    [ -n "$note" ] && line="$line  ($note)"
    SUMMARY+=("$line")
    echo "== $line"
}

want() { [[ " $STEPS " == *" $1 "* ]]; }

ASAN_OPTS=detect_leaks=1:abort_on_error=1
UBSAN_OPTS=halt_on_error=1:print_stacktrace=1
ASAN_ENV=(ASAN_OPTIONS=$ASAN_OPTS UBSAN_OPTIONS=$UBSAN_OPTS)

# ---------------------------------------------------------------- PostgreSQL
PG_OK=0
need_pg=0
for s in unit cli http browser; do want "$s" && need_pg=1; done
if [ $need_pg = 1 ]; then
    echo "== starting a private PostgreSQL"
    if pg_start "$LOGS/postgresql.log"; then
        PG_OK=1
        echo "   $(pg_url postgres)"
    else
        record "postgresql (private server for the tests)" 0 1 "could not start: see $LOGS/postgresql.log"
    fi
fi
new_pg_db() { # new_pg_db NAME -> URL of a new, empty database (names are unique per run)
    pg_createdb "$(echo "$1" | tr -c 'a-zA-Z0-9_\n' '_' | cut -c1-60)"
}

# ---------------------------------------------------------------- 1 unit tests
# Parse cmocka's closing lines: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
cmocka_counts() { # file -> "passed failed found"
    awk '
        /^\[  PASSED  \] [0-9]+ test/ { p += $4; found = 1 }
        /^\[  FAILED  \] [0-9]+ test/ { f += $4; found = 1 }
        /^\[  SKIPPED \] [0-9]+ test/ { found = 1 }
        END { printf "%d %d %d\n", p, f, found }' "$1"
}

if want unit; then
    echo "== 1. unit tests"
    shopt -s nullglob
    bins=(build/rel/tests/test_* build/asan/tests/test_*)
    shopt -u nullglob
    if [ ${#bins[@]} -eq 0 ]; then
        record "1 unit tests" 0 1 "no test binaries under build/*/tests (make unit)"
    fi
    for b in "${bins[@]}"; do
        [ -x "$b" ] || continue
        variant=$(basename "$(dirname "$(dirname "$b")")")
        name=$(basename "$b")
        log=$LOGS/unit-$variant-$name.log
        envs=(CMOCKA_MESSAGE_OUTPUT=stdout)
        [ "$variant" = asan ] && envs+=("${ASAN_ENV[@]}")
        if [ $PG_OK = 1 ]; then
            envs+=("JOUDA_TEST_PG_URL=$(new_pg_db "unit_${variant}_$name")")
        fi
        (cd "$TMP" && env "${envs[@]}" timeout 300 "$ROOT/$b") >"$log" 2>&1 </dev/null
        rc=$?
        read -r p f found < <(cmocka_counts "$log")
        note=""
        if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
            f=$((f + 1))
            note="exit status $rc"
            [ $rc -ge 128 ] && note="crashed (signal $((rc - 128)))"
            [ $rc -eq 124 ] && note="timed out"
        fi
        if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"; then
            [ "$f" -eq 0 ] && f=1
            note="${note:+$note, }sanitizer report"
        fi
        [ "$f" -gt 0 ] && note="${note:+$note, }see $log"
        record "1 unit $variant/$name" "$p" "$f" "$note"
    done
fi

# ---------------------------------------------------------------- 2 translations
if want i18n; then
    echo "== 2. translation check"
    log=$LOGS/i18n-check.log
    if [ -x scripts/i18n-check ]; then
        if scripts/i18n-check >"$log" 2>&1 </dev/null; then
            record "2 translations (scripts/i18n-check)" 1 0
        else
            record "2 translations (scripts/i18n-check)" 0 1 "see $log"
        fi
    else
        record "2 translations (scripts/i18n-check)" 0 1 "scripts/i18n-check is missing"
    fi
    # the checker itself: complete catalogues pass, broken ones are named
    log=$LOGS/i18n-check-selftest.log
    if tests/i18n/run.sh >"$log" 2>&1 </dev/null; then
        record "2 translations (the checker's own tests)" 1 0
    else
        record "2 translations (the checker's own tests)" 0 1 "see $log"
    fi
fi

# ---------------------------------------------------------------- 3 fuzzers
if want fuzz; then
    echo "== 3. fuzzers (${FUZZ_SECONDS}s each)"
    shopt -s nullglob
    fz=(build/fuzz/fuzz_*)
    shopt -u nullglob
    if [ ${#fz[@]} -eq 0 ]; then
        record "3 fuzzers" 0 1 "no fuzzers under build/fuzz (make fuzz)"
    fi
    for f in "${fz[@]}"; do
        [ -x "$f" ] || continue
        name=$(basename "$f")
        corpus=$TMP/corpus-$name
        mkdir -p "$corpus"
        seed=fuzz/corpus/${name#fuzz_}
        [ -d "$seed" ] && cp -r "$seed"/. "$corpus"/ 2>/dev/null
        log=$LOGS/fuzz-$name.log
        (cd "$TMP" && env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            timeout $((FUZZ_SECONDS + 120)) "$ROOT/$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 "$corpus") >"$log" 2>&1 </dev/null
        rc=$?
        if [ $rc -eq 0 ]; then
            runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
            record "3 fuzz $name" 1 0 "${runs:-?} runs"
        else
            record "3 fuzz $name" 0 1 "exit status $rc, see $log"
        fi
    done
fi

# ---------------------------------------------------------------- 4 command line
# Closing line of the CLI tests: "N passed, N failed".
closing_counts() { # file -> "passed failed found"
    local line
    line=$(grep -E '^[[:alpha:]]*:? ?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "0 0 0"
        return
    fi
    echo "$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+') $(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+') 1"
}

if want cli; then
    echo "== 4. command line tests"
    for engine in sqlite postgresql; do
        name="4 command line ($engine)"
        log=$LOGS/cli-$engine.log
        if [ ! -f tests/cli/cli.test.sh ]; then
            record "$name" 0 1 "tests/cli/cli.test.sh is missing"
            continue
        fi
        if [ ! -x ./jouda ]; then
            record "$name" 0 1 "./jouda is not built"
            continue
        fi
        if [ $engine = sqlite ]; then
            db=$TMP/cli.db
        elif [ $PG_OK = 1 ]; then
            db=$(new_pg_db cli)
        else
            record "$name" 0 1 "no PostgreSQL"
            continue
        fi
        env JOUDA_BIN="$ROOT/jouda" timeout 600 bash tests/cli/cli.test.sh "$db" >"$log" 2>&1 </dev/null
        rc=$?
        read -r p f found < <(closing_counts "$log")
        note=""
        if [ "$found" != 1 ]; then
            f=$((f + 1))
            note="no closing line, exit status $rc"
        elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
            note="exit status $rc"
        fi
        [ "$f" -gt 0 ] && note="${note:+$note, }see $log"
        record "$name" "$p" "$f" "$note"
    done
fi

# ---------------------------------------------------------------- helpers for 5 and 6
# node's TAP reporter closes with "# pass N", "# fail N", "# cancelled N".
node_counts() { # file -> "passed failed found"
    awk '
        /^# pass [0-9]+/ { p = $3; found = 1 }
        /^# fail [0-9]+/ { f = $3 }
        /^# cancelled [0-9]+/ { c = $3 }
        END { printf "%d %d %d\n", p, f + c, found }' "$1"
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
        local f rc=0 p=0 fl=0 c
        : >"$log"
        for f in $files; do
            timeout "$timeout_s" node --test "$f" >>"$log.part" 2>&1 </dev/null || rc=1
            read -r c1 c2 _ < <(node_counts "$log.part")
            p=$((p + c1))
            fl=$((fl + c2))
            sed -e 's/^# pass /# file pass /' -e 's/^# fail /# file fail /' \
                -e 's/^# cancelled /# file cancelled /' "$log.part" >>"$log"
            rm -f "$log.part"
        done
        printf '# pass %d\n# fail %d\n' "$p" "$fl" >>"$log"
        return $rc
    fi
}

# prepare_db ENGINE BIN TAG LOG [env...] -> prints the DB url; init + demo with BIN.
prepare_db() {
    local engine=$1 bin=$2 tag=$3 log=$4 db
    shift 4
    if [ "$engine" = sqlite ]; then
        db=$TMP/$tag.db
        rm -f "$db" "$db-wal" "$db-shm"
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
if want http; then
    echo "== 5. HTTP tests"
    for engine in sqlite postgresql; do
        for variant in $VARIANTS; do
            tag=http-$engine-$variant
            name="5 HTTP $engine $variant"
            if [ "$variant" = asan ]; then
                bin=$ROOT/build/asan/jouda; envs=("${ASAN_ENV[@]}"); ao=$ASAN_OPTS; uo=$UBSAN_OPTS
            else
                bin=$ROOT/jouda; envs=(JOUDA_VARIANT=rel); ao=""; uo=""
            fi
            if [ ! -x "$bin" ]; then
                record "$name" 0 1 "$bin is not built"
                continue
            fi
            if [ $engine = postgresql ] && [ $PG_OK != 1 ]; then
                record "$name" 0 1 "no PostgreSQL"
                continue
            fi
            if ! db=$(prepare_db $engine "$bin" "${tag//-/_}" "$LOGS/$tag-setup.log" "${envs[@]}"); then
                record "$name" 0 1 "init/demo failed, see $LOGS/$tag-setup.log"
                continue
            fi
            slog=$LOGS/$tag-server.log
            if ! server_start "$bin" "$db" "$slog" "${envs[@]}"; then
                record "$name" 0 1 "server did not start, see $slog"
                server_kill
                continue
            fi
            echo "   $name: $SERVER_URL ($db)"
            tlog=$LOGS/$tag-node.log
            t0=$(date +%s)
            ASAN_OPTIONS=$ao UBSAN_OPTIONS=$uo JOUDA_URL=$SERVER_URL JOUDA_DB_URL=$db JOUDA_BIN=$bin \
                JOUDA_ENGINE=$engine JOUDA_VARIANT=$variant run_node_tests tests/http "$tlog" 900
            rc=$?
            read -r p f found < <(node_counts "$tlog")
            note="$(($(date +%s) - t0)) s"
            if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
                f=$((f + 1))
                note="$note, node exit status $rc"
            fi
            [ "$f" -gt 0 ] && note="$note, see $tlog"
            # the server must stop cleanly on SIGTERM
            if server_stop; then
                p=$((p + 1))
            else
                f=$((f + 1))
                note="$note, stop: $SERVER_STOP_MSG (see $slog)"
            fi
            if [ "$variant" = asan ]; then
                if sanitizer_clean "$slog"; then
                    p=$((p + 1))
                else
                    f=$((f + 1))
                    note="$note, sanitizer report in $slog"
                fi
            fi
            record "$name" "$p" "$f" "$note"
        done
    done
fi

# ---------------------------------------------------------------- 6 browser tests
if want browser; then
    echo "== 6. browser tests"
    for engine in sqlite postgresql; do
        tag=browser-$engine
        name="6 browser $engine"
        bin=$ROOT/jouda
        if [ ! -x "$bin" ]; then
            record "$name" 0 1 "./jouda is not built"
            continue
        fi
        if [ ! -x /usr/bin/chromium ]; then
            record "$name" 0 1 "/usr/bin/chromium is missing"
            continue
        fi
        if [ $engine = postgresql ] && [ $PG_OK != 1 ]; then
            record "$name" 0 1 "no PostgreSQL"
            continue
        fi
        if ! db=$(prepare_db $engine "$bin" "${tag//-/_}" "$LOGS/$tag-setup.log"); then
            record "$name" 0 1 "init/demo failed, see $LOGS/$tag-setup.log"
            continue
        fi
        slog=$LOGS/$tag-server.log
        if ! server_start "$bin" "$db" "$slog"; then
            record "$name" 0 1 "server did not start, see $slog"
            server_kill
            continue
        fi
        shots=$OUT/screenshots/$engine
        rm -rf "$shots"
        mkdir -p "$shots"
        tlog=$LOGS/$tag-node.log
        t0=$(date +%s)
        JOUDA_URL=$SERVER_URL JOUDA_DB_URL=$db JOUDA_BIN=$bin JOUDA_ENGINE=$engine \
            JOUDA_SCREENSHOTS=$ROOT/$shots run_node_tests tests/browser "$tlog" 900
        rc=$?
        read -r p f found < <(node_counts "$tlog")
        note="$(($(date +%s) - t0)) s"
        if [ "$found" != 1 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
            f=$((f + 1))
            note="$note, node exit status $rc"
        fi
        [ "$f" -gt 0 ] && note="$note, see $tlog"
        if server_stop; then p=$((p + 1)); else
            f=$((f + 1))
            note="$note, stop: $SERVER_STOP_MSG"
        fi
        record "$name" "$p" "$f" "$note"
        if [ $engine = sqlite ] && [ -f "$shots/home-fr-1280.png" ]; then
            mkdir -p docs
            cp "$shots/home-fr-1280.png" docs/screenshot.png
        fi
    done
fi

# ---------------------------------------------------------------- summary
echo
echo "==================== summary ($(($(date +%s) - START_ALL)) s, logs in $LOGS) ===================="
for line in "${SUMMARY[@]}"; do
    echo "$line"
done
[ ${#SUMMARY[@]} -eq 0 ] && { echo "no step ran"; TOTAL_FAIL=$((TOTAL_FAIL + 1)); }
echo
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
