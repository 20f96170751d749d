#!/bin/bash
# kit.test.sh - the transfer kit on the command line, and its round trip
# across databases: a demo on SQLite exports a signed kit; a new PostgreSQL
# database imports it (refused while the key is unknown, then trusted), exports
# it again; a new SQLite database imports that one (--allow-unsigned) and
# exports it once more: the three kits hold the same items with the same
# checksums (dates and keys aside). Importing twice creates nothing; a dry run
# writes nothing; a damaged kit is refused even with --allow-unsigned.
#   tests/cli/kit.test.sh [PG_URL]
# PG_URL: an empty PostgreSQL database; without it the middle database is a
# SQLite file too and the PostgreSQL leg is counted as skipped.
# Environment: JOUDA_BIN (default ./jouda), JOUDA_PG_KEY_FILE (the key file of
# the PostgreSQL database, created by init; default one in the temporary
# directory). Prints "ok - ..." / "not ok - ..." lines and ends with
# "N passed, N failed, N skipped".
set -u
export LC_ALL=C.UTF-8

PG=${1:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${JOUDA_BIN:-$ROOT/jouda}
TMP=$(mktemp -d /tmp/jouda-kit-test.XXXXXX)
PASSED=0
FAILED=0
SKIPPED=0
trap 'rm -rf "$TMP"' EXIT
unset JOUDA_KEY_FILE
export JOUDA_ADMIN_PASSWORD=Jouda-admin-2026

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
notok() {
    FAILED=$((FAILED + 1)); echo "not ok - $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -20
    return 0
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "ok - $1 # SKIP $2"; }
check() { # check DESCRIPTION CONDITION-COMMAND...
    local d=$1; shift
    if "$@"; then ok "$d"; else notok "$d" "$(cat "$TMP/out" "$TMP/err" 2>/dev/null | tail -20)"; fi
}
# run [ENV=VALUE...] -- ARGS...: jouda with ARGS; stdout in $TMP/out, stderr in $TMP/err, code in $RC
run() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}
rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$TMP/out"; }
err_has() { grep -qi -- "$1" "$TMP/err"; }
# The items of a kit as `jouda kit show` lists them (no dates, keys or zip checksum).
items_of() { "$BIN" kit show "$1" 2>/dev/null | grep -E '^(item|file)'; }

if [ ! -x "$BIN" ]; then
    echo "not ok - jouda binary at $BIN"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

A=$TMP/a.db
C=$TMP/c.db
D=$TMP/d.db
if [ -n "$PG" ]; then
    B=$PG
    BKEY=${JOUDA_PG_KEY_FILE:-$TMP/pg.key}
    BENV=(JOUDA_KEY_FILE="$BKEY")
    BNAME="PostgreSQL"
else
    B=$TMP/b.db
    BENV=(JOUDA_KEY_FILE=)
    BNAME="SQLite (no PostgreSQL given)"
fi

# --- help ------------------------------------------------------------------------
run -- --help
check "jouda --help lists kit" eval 'rc_is 0 && out_has "kit "'
for c in "kit" "kit keygen" "kit export" "kit import" "kit trust" "kit keys" "kit show"; do
    # shellcheck disable=SC2086
    run -- $c --help
    check "jouda $c --help exits 0 with a usage text" eval 'rc_is 0 && out_has Usage'
done
run -- kit
check "jouda kit without a subcommand exits 2" rc_is 2
run -- kit bogus
check "jouda kit bogus exits 2" eval 'rc_is 2 && err_has "unknown subcommand"'

# --- A: the demo on SQLite, named, signed ------------------------------------------
run -- init --db "$A" --admin-email admin@jouda.ma --name "Jouda Casablanca-Settat"
check "init --name names the instance" eval 'rc_is 0 && out_has "Instance name: Jouda Casablanca-Settat"'
run -- init --db "$A" --admin-email admin@jouda.ma
check "init again without --name keeps the name" eval 'rc_is 0 && out_has "Instance name: Jouda Casablanca-Settat"'
run -- init --db "$TMP/bad.db" --admin-email admin@jouda.ma --name ""
check "init --name '' exits 2" rc_is 2
run -- kit export --db "$A"
check "kit export without --out exits 2" rc_is 2
run -- kit export --db "$A" --out "$TMP/unsigned.zip"
check "kit export without a key warns that the kit is unsigned" eval 'rc_is 0 && err_has "not signed"'
run -- kit keygen --db "$A"
check "kit keygen prints the public key" eval 'rc_is 0 && grep -qE "^[A-Za-z0-9+/]{43}=$" "$TMP/out"'
KEY_A=$(grep -E '^[A-Za-z0-9+/]{43}=$' "$TMP/out")
run -- kit keygen --db "$A"
check "kit keygen again refuses to replace the key (exit 1)" eval 'rc_is 1 && err_has "force"'
run -- demo --db "$A" --quiet
check "demo on A (it keeps the instance's key)" rc_is 0
run -- kit keys --db "$A"
check "kit keys shows the name and the public key" eval 'rc_is 0 && out_has "Jouda Casablanca-Settat" && out_has "$KEY_A"'
run -- kit export --db "$A" --out "$TMP/k1.zip"
check "kit export writes a signed kit" eval 'rc_is 0 && ! err_has "not signed" && out_has "producer \"Jouda Casablanca-Settat\""'
run -- kit show "$TMP/k1.zip"
check "kit show: producer, signing key, items of every kind" eval 'rc_is 0 && out_has "^producer	Jouda Casablanca-Settat" && out_has "^signature	$KEY_A" && out_has "^item	referentiel	" && out_has "^item	project_template	default	"'
N1=$(items_of "$TMP/k1.zip" | grep -c '^item')
check "the demo kit holds items ($N1)" eval '[ "$N1" -ge 4 ]'
run -- kit import --db "$A" "$TMP/k1.zip"
check "A imports its own kit: nothing created (its own key is trusted)" eval 'rc_is 0 && out_has "^0 to create, 0 to update, $N1 already here"'

# --- B: a new database imports it ------------------------------------------------------
run "${BENV[@]}" -- init --db "$B" --admin-email admin@jouda.ma --name "Jouda national"
check "init B ($BNAME)" rc_is 0
run "${BENV[@]}" -- kit import --db "$B" "$TMP/k1.zip"
check "B refuses the kit of an unknown key (exit 1)" eval 'rc_is 1 && err_has "does not trust"'
run "${BENV[@]}" -- kit trust --db "$B" --name "Jouda Casablanca-Settat" "not-a-key"
check "kit trust refuses a malformed key (exit 2)" rc_is 2
run "${BENV[@]}" -- kit trust --db "$B" "$KEY_A"
check "kit trust without --name exits 2" rc_is 2
run "${BENV[@]}" -- kit trust --db "$B" --name "Jouda Casablanca-Settat" "$KEY_A"
check "B trusts A's key" rc_is 0
run "${BENV[@]}" -- kit trust --db "$B" --name "Again" "$KEY_A"
check "trusting the same key again exits 1" rc_is 1
run "${BENV[@]}" -- kit import --db "$B" "$TMP/k1.zip" --dry-run
check "a dry run previews and imports nothing" eval 'rc_is 0 && out_has "Dry run" && out_has "^  create "'
run "${BENV[@]}" -- kit export --db "$B" --out "$TMP/b0.zip"
N0=$(items_of "$TMP/b0.zip" | grep -c '^item')
check "after the dry run B holds only what every instance has ($N0 items)" eval '[ "$N0" -lt "$N1" ]'
run "${BENV[@]}" -- kit import --db "$B" "$TMP/k1.zip"
check "B imports the trusted kit" eval 'rc_is 0 && out_has "^Imported: " && ! out_has "^Imported: 0 created"'
run "${BENV[@]}" -- kit import --db "$B" "$TMP/k1.zip"
check "B imports it again: nothing new" eval 'rc_is 0 && out_has "^0 to create, 0 to update, $N1 already here"'
run "${BENV[@]}" -- kit keygen --db "$B"
check "B gets a key of its own" rc_is 0
run "${BENV[@]}" -- kit export --db "$B" --out "$TMP/k2.zip"
check "B exports its kit" eval 'rc_is 0 && out_has "producer \"Jouda national\""'
if diff <(items_of "$TMP/k1.zip") <(items_of "$TMP/k2.zip") >"$TMP/diff"; then
    ok "B's kit holds the same items with the same checksums as A's"
else
    notok "B's kit holds the same items with the same checksums as A's" "$(cat "$TMP/diff")"
fi
[ -z "$PG" ] && skip "the middle database on PostgreSQL" "no PostgreSQL URL given"

# --- C: a new SQLite database imports B's kit ------------------------------------------
run -- init --db "$C" --admin-email admin@jouda.ma
check "init C: the default name" eval 'rc_is 0 && out_has "Instance name: Jouda$"'
run -- kit import --db "$C" "$TMP/k2.zip"
check "C refuses an unknown key without --allow-unsigned" eval 'rc_is 1 && err_has "refused"'
run -- kit import --db "$C" "$TMP/k2.zip" --allow-unsigned
check "C imports it with --allow-unsigned and a warning" eval 'rc_is 0 && out_has "^warning: " && out_has "^Imported: "'
run -- kit export --db "$C" --out "$TMP/k3.zip"
check "C exports (unsigned: no key)" eval 'rc_is 0 && err_has "not signed"'
if diff <(items_of "$TMP/k1.zip") <(items_of "$TMP/k3.zip") >"$TMP/diff"; then
    ok "the round trip SQLite -> $BNAME -> SQLite keeps every item and checksum"
else
    notok "the round trip SQLite -> $BNAME -> SQLite keeps every item and checksum" "$(cat "$TMP/diff")"
fi
run -- kit import --db "$C" "$TMP/k3.zip"
check "an unsigned kit is refused without --allow-unsigned" eval 'rc_is 1 && err_has "not signed"'

# --- damaged kits ---------------------------------------------------------------------------
cp "$TMP/k1.zip" "$TMP/bad.zip"
SIZE=$(stat -c %s "$TMP/bad.zip")
# one byte changed in the middle of the entries
printf 'X' | dd of="$TMP/bad.zip" bs=1 seek=$((SIZE / 3)) conv=notrunc status=none
run -- kit import --db "$C" "$TMP/bad.zip" --allow-unsigned
check "a damaged kit is refused even with --allow-unsigned (exit 1)" eval 'rc_is 1 && err_has "refused"'
head -c $((SIZE / 2)) "$TMP/k1.zip" >"$TMP/cut.zip"
run -- kit import --db "$C" "$TMP/cut.zip" --allow-unsigned
check "a truncated kit is refused" eval 'rc_is 1 && err_has "refused"'
run -- kit show "$TMP/cut.zip"
check "kit show refuses it too" rc_is 1
run -- kit import --db "$C" "$TMP/none.zip"
check "a missing file exits 1" rc_is 1

# --- D: a dry run writes nothing ------------------------------------------------------------
run -- init --db "$D" --admin-email admin@jouda.ma
run -- kit export --db "$D" --out "$TMP/d0.zip"
run -- kit import --db "$D" "$TMP/k1.zip" --allow-unsigned --dry-run
check "a dry run on D exits 0" eval 'rc_is 0 && out_has "Dry run"'
run -- kit export --db "$D" --out "$TMP/d1.zip"
if diff <(items_of "$TMP/d0.zip") <(items_of "$TMP/d1.zip") >"$TMP/diff"; then
    ok "after the dry run D holds what it held"
else
    notok "after the dry run D holds what it held" "$(cat "$TMP/diff")"
fi
run -- kit import --db "$D" "$TMP/k1.zip" --allow-unsigned --node 999999
check "--node of no association is refused" rc_is 1
run -- kit import --db "$D" "$TMP/k1.zip" --allow-unsigned --node abc
check "--node abc exits 2" rc_is 2

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ] && [ "$SKIPPED" -eq 0 ]
