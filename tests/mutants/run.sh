#!/bin/bash
# tests/mutants/run.sh - proof that the tests can fail: builds the server with
# one deliberate fault at a time and runs the test files that must catch it;
# each mutant passes when those tests FAIL against it.
#   resolver-404   every route taking an id answers 404 (the resolver finds nothing)
#   authz-allow    authz_decide allows everything
#   csrf-skip      the CSRF check of cookie-authenticated writes is skipped
#   scope-drop     GET /api/v1/nodes forgets its scope filter
# Each mutant is a copy of the source tree with one exact replacement (the run
# fails when the text to replace is not found: the mutant would no longer
# test anything), built from the release objects (only the changed file is
# compiled again), served on a copy of one SQLite demo database.
# Ends with "N passed, N failed"; exit 1 when a mutant survives or cannot run.
# Needs the release build (make jouda) and the npm packages (make test
# installs them). Run by `make test` (tests/run-all.sh) and `make mutants`.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=${MUTANTS_LOGS:-$ROOT/tests/output/logs}
mkdir -p "$OUT"

# shellcheck source=tests/lib/server.sh
source tests/lib/server.sh

TMP=$(mktemp -d /tmp/jouda-mutants.XXXXXX)
chmod 755 "$TMP"
trap 'server_kill; rm -rf "$TMP"' EXIT

PASS=0
FAIL=0
say() { printf '%-14s %s\n' "$1" "$2"; }

# mutant NAME FILE OLD NEW TESTFILE...
mutant() {
    local name=$1 file=$2 old=$3 new=$4
    shift 4
    local dir=$TMP/$name log=$OUT/mutant-$name.log
    mkdir -p "$dir/build"
    cp -a src templates static po locale data Makefile "$dir/"
    cp -a build/rel "$dir/build/"
    if ! python3 - "$dir/$file" "$old" "$new" >"$log" 2>&1 <<'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"{path}: the text to replace is found {text.count(old)} times, not once")
open(path, "w").write(text.replace(old, new))
EOF
    then
        say "$name" "CANNOT RUN: $(tail -n 1 "$log")"
        FAIL=$((FAIL + 1))
        return
    fi
    if ! make -C "$dir" --no-print-directory jouda >>"$log" 2>&1; then
        say "$name" "CANNOT RUN: the mutant does not build (see $log)"
        FAIL=$((FAIL + 1))
        return
    fi
    cp "$TMP/demo.db" "$dir/demo.db"
    [ -f "$TMP/demo.db.key" ] && cp -p "$TMP/demo.db.key" "$dir/demo.db.key"
    if ! server_start "$dir/jouda" "$dir/demo.db" "$dir/server.log" JOUDA_SHARE_DIR="$dir"; then
        say "$name" "CANNOT RUN: the mutant server did not start (see $dir/server.log)"
        FAIL=$((FAIL + 1))
        return
    fi
    local files=() f
    for f in "$@"; do files+=("tests/http/$f"); done
    JOUDA_URL=$SERVER_URL JOUDA_DB_URL="$dir/demo.db" JOUDA_BIN="$dir/jouda" JOUDA_ENGINE=sqlite \
        timeout 600 node --test --test-reporter=tap --test-concurrency=1 "${files[@]}" >>"$log" 2>&1 </dev/null
    local rc=$?
    server_kill
    local failed
    failed=$(awk '/^# fail [0-9]+/ {print $3}' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ] && [ "${failed:-0}" -gt 0 ]; then
        say "$name" "caught: ${failed} failing test(s) in $*"
        PASS=$((PASS + 1))
    else
        say "$name" "SURVIVED: $* passed against it (see $log)"
        FAIL=$((FAIL + 1))
    fi
}

if [ ! -x ./jouda ] || [ ! -d build/rel ] || [ ! -d locale ]; then
    echo "mutants: build the release first (make jouda locale)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if ! { JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 ./jouda init --db "$TMP/demo.db" --admin-email admin@jouda.ma &&
    ./jouda demo --db "$TMP/demo.db" --quiet; } </dev/null >"$OUT/mutants-setup.log" 2>&1; then
    echo "mutants: the demo database could not be made (see $OUT/mutants-setup.log)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

mutant resolver-404 src/app/pipeline.c \
    'int64_t node = route->resolve(r, ids[0]);' \
    'int64_t node = 0 * route->resolve(r, ids[0]);' \
    scope.test.mjs
mutant authz-allow src/auth/authz.c \
    '    /* Everyone signed in has these; the pipeline checks authentication. */' \
    '    return AUTHZ_ALLOW;' \
    scope.test.mjs
mutant csrf-skip src/app/pipeline.c \
    'if (r->auth == AUTH_SESSION && is_write(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {' \
    'if (0 && r->auth == AUTH_SESSION && is_write(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {' \
    auth.test.mjs
mutant scope-drop src/nodes/nodes_api.c \
    'app_scope_sql(r, PERM_ORG_READ, "n.path", &where, params, &np, 48);' \
    'buf_puts(&where, "1=1");' \
    scope.test.mjs

echo
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
