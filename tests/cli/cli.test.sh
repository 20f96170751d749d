#!/bin/bash
# cli.test.sh - checks the jouda command line on one database.
#   tests/cli/cli.test.sh DB_URL
# DB_URL: a SQLite file path (preferably not existing yet) or a postgresql://
# URL of an empty database. The script can run again on the same database:
# the accounts it adds carry a per-run suffix.
# Environment: JOUDA_BIN (default ./jouda from the repository root),
# JOUDA_KEY_FILE (the key file of a PostgreSQL database, default one in the
# script's temporary directory: to run again on the same PostgreSQL database,
# give the same file; a SQLite database uses its "<db>.key"),
# JOUDA_SHARE_DIR (default the repository root; the serve checks are skipped
# when its locale/ has no compiled catalogues, and counted as skipped).
# Prints "ok - ..." / "not ok - ..." / "ok - ... # SKIP ..." lines and ends
# with "N passed, N failed, N skipped"; exit code 0 only when nothing failed
# and nothing was skipped.
set -u
export LC_ALL=C.UTF-8

DB=${1:-}
if [ -z "$DB" ]; then
    echo "usage: $0 DB_URL" >&2
    exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${JOUDA_BIN:-$ROOT/jouda}
SHARE=${JOUDA_SHARE_DIR:-$ROOT}
TMP=$(mktemp -d /tmp/jouda-cli-test.XXXXXX)
RUN=$$$(date +%s)
PASSED=0
FAILED=0
SKIPPED=0
SERVER_PID=

cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
notok() {
    FAILED=$((FAILED + 1)); echo "not ok - $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -20
    return 0
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "ok - $1 # SKIP $2"; }
check() { # check DESCRIPTION CONDITION-COMMAND...
    local d=$1; shift
    if "$@"; then ok "$d"; else notok "$d" "$(cat "$TMP/err" 2>/dev/null)"; fi
}

# run ARGS...: runs jouda, keeps stdout in $TMP/out, stderr in $TMP/err, code in $RC
run() {
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}
# run_in INPUT ARGS...: the same with INPUT on standard input
run_in() {
    local input=$1; shift
    printf '%s' "$input" | "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
}
rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$TMP/out"; }
err_has() { grep -qi -- "$1" "$TMP/err"; }
err_nonempty() { [ -s "$TMP/err" ]; }

IS_PG=0
case "$DB" in postgres://* | postgresql://*) IS_PG=1 ;; esac
unset JOUDA_ADMIN_PASSWORD JOUDA_USER_PASSWORD
# The key file sealing the database's sensitive text: "<db>.key" beside a
# SQLite file; PostgreSQL has no default, init creates the one named here.
if [ "$IS_PG" -eq 1 ]; then
    export JOUDA_KEY_FILE=${JOUDA_KEY_FILE:-$TMP/pg.key}
    KEY=$JOUDA_KEY_FILE
else
    unset JOUDA_KEY_FILE
    KEY=$DB.key
fi

if [ ! -x "$BIN" ]; then
    echo "not ok - jouda binary at $BIN"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

# --- help of every command --------------------------------------------------
run --help
check "jouda --help exits 0 and lists the commands" eval 'rc_is 0 && out_has serve && out_has backup && out_has key'
for c in serve init migrate demo user token backup key retention "user add" "user list" "user disable" "user totp-reset" "token create" \
    "token list" "token revoke" "key rotate"; do
    # shellcheck disable=SC2086
    run $c --help
    check "jouda $c --help exits 0 with a usage text" eval 'rc_is 0 && out_has Usage'
done

# --- usage errors: exit 2 and a message on stderr -----------------------------
usage_case() { # DESCRIPTION ARGS...
    local d=$1; shift
    run "$@"
    check "$d exits 2 with a message" eval 'rc_is 2 && err_nonempty'
}
usage_case "an unknown command" frobnicate
usage_case "no command" 
usage_case "an unknown option of init" init --db "$DB" --bogus
usage_case "init without --admin-email" init --db "$DB"
usage_case "init with a malformed email" init --db "$DB" --admin-email not-an-email
usage_case "serve --threads 0" serve --db "$DB" --threads 0
usage_case "serve --listen without a port" serve --db "$DB" --listen localhost
usage_case "an unknown user action" user frob
usage_case "user add without --name" user add --db "$DB" --email x@y.ma --role staff --node 1
usage_case "user add with an unknown role" user add --db "$DB" --email x@y.ma --name X --role king --node 1
usage_case "user disable without a login" user disable --db "$DB"
usage_case "token without an action" token
usage_case "token create without --user" token create --db "$DB"
usage_case "an unknown token action" token frob
usage_case "token revoke without an id" token revoke --db "$DB"
usage_case "token revoke with an id that is not a number" token revoke --db "$DB" abc
usage_case "token revoke with id 0" token revoke --db "$DB" 0
usage_case "token list with an extra argument" token list --db "$DB" extra
usage_case "backup without --out" backup --db "$DB"
usage_case "demo with an extra argument" demo --db "$DB" extra
usage_case "key without an action" key
usage_case "an unknown key action" key frob
usage_case "key rotate with an extra argument" key rotate --db "$DB" extra
usage_case "init with an empty --key-file" init --db "$DB" --admin-email a@b.ma --key-file ""
PGNOKEY="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
for c in serve demo "key rotate"; do
    # shellcheck disable=SC2086
    env -u JOUDA_KEY_FILE "$BIN" $c --db "$PGNOKEY" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    check "$c on PostgreSQL without a key file exits 2: a key file is required" eval \
        'rc_is 2 && err_has "key file is required with PostgreSQL"'
done
env -u JOUDA_KEY_FILE JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 "$BIN" init --db "$PGNOKEY" --admin-email a@b.ma \
    >"$TMP/out" 2>"$TMP/err" </dev/null
RC=$?
check "init on PostgreSQL without a key file exits 2: a key file is required" eval \
    'rc_is 2 && err_has "key file is required with PostgreSQL"'

# sql QUERY: the first column of the first row, with the engine's own client
sql() {
    if [ "$IS_PG" -eq 1 ]; then
        psql -X -q -A -t -d "$DB" -c "$1" 2>/dev/null | head -n 1
    else
        sqlite3 -cmd ".timeout 10000" "$DB" "$1" 2>/dev/null | head -n 1 | cut -d'|' -f1
    fi
}
# sql_all QUERY: every row, columns separated by '|'
sql_all() {
    if [ "$IS_PG" -eq 1 ]; then
        psql -X -q -A -t -d "$DB" -c "$1" 2>/dev/null
    else
        sqlite3 -cmd ".timeout 10000" "$DB" "$1" 2>/dev/null
    fi
}

# --- init ---------------------------------------------------------------------
mode_of() { stat -c %a "$1" 2>/dev/null; }
KEY_EXISTED=0
[ -e "$KEY" ] && KEY_EXISTED=1
JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 run init --db "$DB" --admin-email admin@jouda.ma
check "init with JOUDA_ADMIN_PASSWORD exits 0" eval 'rc_is 0 && (out_has "Created the national administrator" || out_has "admin already exists")'
check "init says where the key file is and to back it up apart from the database" eval \
    'out_has "$KEY" && out_has "Back it up apart"'
if [ "$KEY_EXISTED" = 0 ]; then
    check "init created the key file, mode 600 (stat: $(mode_of "$KEY"))" eval \
        '[ "$(mode_of "$KEY")" = 600 ] && out_has "Created the key file"'
else
    check "init used the existing key file" out_has "Using the key file"
fi
check "the key file holds 64 hexadecimal digits and a line break" eval \
    '[ "$(wc -c <"$KEY")" = 65 ] && grep -qxE "[0-9a-f]{64}" "$KEY"'
check "settings holds the key check" eval '[ "$(sql "SELECT count(*) FROM settings WHERE key = '"'seal_check'"' AND value LIKE '"'s1:%'"'")" = 1 ]'
cp "$KEY" "$TMP/key-first"
run user list --db "$DB"
check "the national administrator is admin at the root" eval 'rc_is 0 && grep -qP "\tadmin\@jouda\.ma\t.*\t1\tadmin\@1(,|$)" "$TMP/out"'
cp "$TMP/out" "$TMP/list-before"

JOUDA_ADMIN_PASSWORD=Another-password-1 run init --db "$DB" --admin-email ADMIN@jouda.ma
check "init again: exit 0 and 'admin already exists'" eval 'rc_is 0 && out_has "admin already exists"'
check "init again left the key file as it was" eval 'cmp -s "$KEY" "$TMP/key-first" && [ "$(mode_of "$KEY")" = 600 ]'
run user list --db "$DB"
check "init again changed no account" eval 'rc_is 0 && cmp -s "$TMP/out" "$TMP/list-before"'

run_in "Stdin-password-2026
" init --db "$DB" --admin-email "admin2.$RUN@jouda.ma" --admin-name "Second Admin"
check "init with the password on standard input exits 0" eval 'rc_is 0 && out_has "Created the national administrator"'
run_in "short
" init --db "$DB" --admin-email "admin3.$RUN@jouda.ma"
check "init with a too short password exits 2 and says why" eval 'rc_is 2 && err_has "at least"'
run_in "" init --db "$DB" --admin-email "admin4.$RUN@jouda.ma"
check "init without any password exits 2 and says so" eval 'rc_is 2 && err_has "password"'
run user list --db "$DB"
check "refused inits created no account" eval 'rc_is 0 && out_has "admin@jouda.ma" && ! grep -q "admin3.$RUN\|admin4.$RUN" "$TMP/out"'

run migrate --db "$DB"
check "migrate exits 0 and reports the schema version" eval 'rc_is 0 && out_has "schema version"'

# --- demo ---------------------------------------------------------------------
run demo --db "$DB"
check "demo exits 0 and prints the known logins" eval 'rc_is 0 && out_has "directrice.casa@amal.ma" && out_has "Jouda-demo-2026"'
run user list --db "$DB"
cp "$TMP/out" "$TMP/demo1"
USERS1=$(wc -l <"$TMP/demo1")
check "demo made about 160 staff accounts or more" eval 'rc_is 0 && [ "$USERS1" -ge 160 ]'
for login in conseil@amal.ma admin@amal.ma directrice.casa@amal.ma referent.casa@amal.ma mere.fatima \
    educateur.casa directeur.tanger@amal.ma observateur@entraide.ma inspecteur@entraide.ma \
    admin@nour.ma directrice@nour.ma; do
    check "demo login $login exists and is active" grep -qP "^\d+\t\Q$login\E\t[^\t]+\t1\t" "$TMP/demo1"
done
check "directrice.casa is director, mere.fatima staff, inspecteur inspector" eval \
    'grep -qP "\tdirectrice\.casa\@amal\.ma\t.*\tdirector\@" "$TMP/demo1" && grep -qP "\tmere\.fatima\t.*\tstaff\@" "$TMP/demo1" && grep -qP "\tinspecteur\@entraide\.ma\t.*\tinspector\@" "$TMP/demo1"'
check "some demo names are written in Arabic" env LC_ALL=C grep -qP "\t[\xD8-\xDB][\x80-\xBF]" "$TMP/demo1"
run demo --db "$DB" --quiet
check "demo again exits 0 and creates nothing" eval 'rc_is 0 && out_has "0 places created" && out_has "0 accounts created"'
run user list --db "$DB"
check "demo again: the same accounts" eval 'rc_is 0 && cmp -s "$TMP/out" "$TMP/demo1"'
NOUR=$(grep -P "\tdirectrice\@nour\.ma\t" "$TMP/demo1" | grep -oP "director\@\K\d+")
run user list --db "$DB" --node "${NOUR:-0}"
check "user list --node keeps one EPS's accounts" eval 'rc_is 0 && out_has "directrice@nour.ma" && ! out_has "amal.ma"'

# --- retention: persons who left more than the period ago are anonymised -----------
# (for tests/cli/cli.test.sh, after init: uses run, check, usage_case, sql, sql_all,
# $DB, $KEY, $RUN, $TMP; runs again on the same database: its persons carry $RUN)
usage_case "retention with an extra argument" retention --db "$DB" extra
usage_case "an unknown option of retention" retention --db "$DB" --bogus
usage_case "retention --years 0" retention --db "$DB" --years 0
usage_case "retention --years 101" retention --db "$DB" --years 101
usage_case "retention --years abc" retention --db "$DB" --years abc
usage_case "retention --years 5x" retention --db "$DB" --years 5x
usage_case "retention with an empty --key-file" retention --db "$DB" --key-file ""
run retention --help
check "retention --help exits 0: the default period and a cron line" \
    eval 'rc_is 0 && out_has "Usage: jouda retention" && out_has "default 10" && out_has "30 3 \* \* \* jouda retention"'
if [ "$IS_PG" -eq 0 ]; then
    run retention --db "$TMP/none/jouda.db"
    check "retention on a missing SQLite database exits 1" eval 'rc_is 1 && err_has "no database"'
fi

# three persons of this run: left eleven years ago, left two years ago, in care
TODAY_LOCAL=$(TZ=Africa/Casablanca date +%F)
CUTOFF10=$(TZ=Africa/Casablanca date -d "$TODAY_LOCAL - 10 years" +%F)
CUTOFF1=$(TZ=Africa/Casablanca date -d "$TODAY_LOCAL - 1 year" +%F)
LEFT_OLD=$(TZ=Africa/Casablanca date -d "$TODAY_LOCAL - 11 years" +%F)
LEFT_RECENT=$(TZ=Africa/Casablanca date -d "$TODAY_LOCAL - 2 years" +%F)
ROOTID=$(sql "SELECT MIN(id) FROM nodes")
ROOTPATH=$(sql "SELECT path FROM nodes WHERE id = $ROOTID")
for who in old recent here; do
    case $who in
    old) exit_day="'$LEFT_OLD'" ;;
    recent) exit_day="'$LEFT_RECENT'" ;;
    here) exit_day=NULL ;;
    esac
    sql "INSERT INTO persons (code, eps_id, node_id, path, first_name, last_name, first_name_ar,
         last_name_ar, search_key, birth_date, sex, admission_date, origin, exit_date,
         health_notes, created_at, updated_at)
         VALUES ('R$who$RUN', $ROOTID, $ROOTID, '$ROOTPATH', 'Prenom$who$RUN', 'Nom$who$RUN',
         'ياسمين', 'بنعلي', 'prenom$who$RUN nom$who$RUN', '2001-05-17', 'f', '2008-09-01',
         'judicial', $exit_day, 's1:notreallysealed', 1, 1)" >/dev/null
    sql "INSERT INTO person_needs (person_id, domain, level, situation, assessed_on, updated_at)
         SELECT id, 'health', 2, 's1:notreallysealed', '2009-01-01', 1 FROM persons
         WHERE code = 'R$who$RUN'" >/dev/null
    sql "INSERT INTO person_reads (person_id, user_id, at, what)
         SELECT id, 1, 5, 'identity' FROM persons WHERE code = 'R$who$RUN'" >/dev/null
done
OLD_ID=$(sql "SELECT id FROM persons WHERE code = 'Rold$RUN'")
check "retention's test persons were written" eval '[ -n "$OLD_ID" ] && [ "$(sql "SELECT COUNT(*) FROM persons WHERE code LIKE '"'R%$RUN'"'")" = 3 ]'

# (the demo has one person of its own who left more than ten years ago)
LEFT_10=$(sql "SELECT COUNT(*) FROM persons WHERE exit_date < '$CUTOFF10' AND anonymised_at = 0")
run retention --db "$DB" --dry-run
check "retention --dry-run counts the one who left more than ten years ago (and the demo's)" \
    eval 'rc_is 0 && [ "$LEFT_10" -ge 1 ] && grep -qx "$LEFT_10 persons\? to anonymise (left before $CUTOFF10); nothing changed (--dry-run)." "$TMP/out"'
check "retention --dry-run changed nothing" \
    eval '[ "$(sql "SELECT first_name FROM persons WHERE id = $OLD_ID")" = "Prenomold$RUN" ] &&
          [ "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = '"'retention'"' AND entity_id = $OLD_ID")" = 0 ]'
LEFT_1=$(sql "SELECT COUNT(*) FROM persons WHERE exit_date < '$CUTOFF1' AND anonymised_at = 0")
run retention --db "$DB" --years 1 --dry-run
check "retention --years 1 --dry-run counts both who left (and those of earlier runs)" \
    eval 'rc_is 0 && [ "$LEFT_1" -ge 2 ] && out_has "^$LEFT_1 persons to anonymise (left before $CUTOFF1)"'

run retention --db "$DB"
check "retention anonymises them and says before which day they left" \
    eval 'rc_is 0 && grep -qx "$LEFT_10 persons\? anonymised (left before $CUTOFF10)." "$TMP/out"'
check "their names, search key, notes and free text are gone; the code stays" \
    eval '[ "$(sql "SELECT first_name || last_name || first_name_ar || last_name_ar || COALESCE(health_notes, '"''"')
                    FROM persons WHERE id = $OLD_ID")" = "" ] &&
          [ "$(sql "SELECT code || '"' '"' || birth_date || '"' '"' || exit_date FROM persons WHERE id = $OLD_ID")" = "Rold$RUN 2001-01-01 $LEFT_OLD" ] &&
          [ "$(sql "SELECT COUNT(*) FROM persons WHERE id = $OLD_ID AND anonymised_at > 0 AND search_key NOT LIKE '"'%prenom%'"'")" = 1 ] &&
          [ "$(sql "SELECT COUNT(*) FROM person_needs WHERE person_id = $OLD_ID AND situation IS NULL AND level = 2")" = 1 ] &&
          [ "$(sql "SELECT COUNT(*) FROM person_reads WHERE person_id = $OLD_ID")" = 0 ]'
check "one audit row by the system, without the values" \
    eval '[ "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = '"'retention'"' AND entity = '"'person'"' AND entity_id = $OLD_ID AND COALESCE(actor_id, 0) = 0")" = 1 ] &&
          ! sql_all "SELECT changes FROM audit_log WHERE entity_id = $OLD_ID AND entity = '"'person'"'" | grep -q "Prenomold"'
check "who left two years ago and who is in care are as they were" \
    eval '[ "$(sql "SELECT COUNT(*) FROM persons WHERE code IN ('"'Rrecent$RUN'"', '"'Rhere$RUN'"') AND anonymised_at = 0 AND first_name LIKE '"'Prenom%'"' AND health_notes IS NOT NULL")" = 2 ] &&
          [ "$(sql "SELECT COUNT(*) FROM person_reads r JOIN persons p ON p.id = r.person_id WHERE p.code IN ('"'Rrecent$RUN'"', '"'Rhere$RUN'"')")" = 2 ]'
if [ "$IS_PG" -eq 0 ]; then
    check "the SQLite files no longer hold the name" eval '! grep -qa "Prenomold$RUN" "$DB" "$DB-wal" 2>/dev/null'
fi
run retention --db "$DB"
check "retention again anonymises nobody" eval 'rc_is 0 && grep -qx "0 persons anonymised (left before $CUTOFF10)." "$TMP/out"'

run retention --db "$DB" --years 10 --key-file "$KEY"
check "retention --key-file with the database's key exits 0" eval 'rc_is 0 && out_has "persons anonymised"'
printf '%064d\n' 7 >"$TMP/wrong.key"
chmod 600 "$TMP/wrong.key"
run retention --db "$DB" --key-file "$TMP/wrong.key"
check "retention --key-file with another key exits 1 and names the file" \
    eval 'rc_is 1 && err_has "wrong.key" && [ "$(sql "SELECT COUNT(*) FROM persons WHERE code = '"'Rrecent$RUN'"' AND anonymised_at = 0")" = 1 ]'
run retention --db "$DB" --key-file "$TMP/no-such.key"
check "retention --key-file with a missing file exits 1" eval 'rc_is 1 && err_nonempty'
# the test persons' notes are not really sealed: gone before the key rotation below
sql "UPDATE person_needs SET situation = NULL WHERE person_id IN (SELECT id FROM persons WHERE code LIKE 'R%$RUN')" >/dev/null
sql "UPDATE persons SET health_notes = NULL WHERE code LIKE 'R%$RUN'" >/dev/null

# --- user add | disable ---------------------------------------------------------
EPS1=$(grep -P "\tdirectrice\.casa\@amal\.ma\t" "$TMP/demo1" | grep -oP "director\@\K\d+")
JOUDA_USER_PASSWORD=User-password-2026 run user add --db "$DB" --email "new.$RUN@amal.ma" \
    --name "Nouvelle Éducatrice" --role staff --node "${EPS1:-0}"
check "user add with JOUDA_USER_PASSWORD exits 0" eval 'rc_is 0 && out_has "Created user"'
run_in "User-password-2026
" user add --db "$DB" --username "mere.test.$RUN" --name "مريم التجربة" --role staff --node "${EPS1:-0}" --language ar
check "user add with a username and the password on stdin exits 0" rc_is 0
run user list --db "$DB"
check "the added accounts are listed with their role" eval \
    'rc_is 0 && grep -qP "\tnew\.$RUN\@amal\.ma\tNouvelle Éducatrice\t1\tstaff\@${EPS1:-0}$" "$TMP/out" && grep -qP "\tmere\.test\.$RUN\t" "$TMP/out"'
JOUDA_USER_PASSWORD=User-password-2026 run user add --db "$DB" --email "NEW.$RUN@amal.ma" \
    --name "Doublon" --role staff --node "${EPS1:-0}"
check "user add of an existing email exits 1 with a message" eval 'rc_is 1 && err_nonempty'
JOUDA_USER_PASSWORD=User-password-2026 run user add --db "$DB" --email "x.$RUN@amal.ma" \
    --name "X" --role director --node 999999
check "user add at a node that does not exist exits 2" eval 'rc_is 2 && err_has "node"'
run user disable --db "$DB" "new.$RUN@amal.ma"
check "user disable exits 0" rc_is 0
run user list --db "$DB"
check "the disabled account is listed as inactive" eval 'rc_is 0 && grep -qP "\tnew\.$RUN\@amal\.ma\t[^\t]+\t0\t" "$TMP/out"'
run user disable --db "$DB" "new.$RUN@amal.ma"
check "disabling it again exits 0 and says so" eval 'rc_is 0 && out_has "already disabled"'
run user disable --db "$DB" "nobody.$RUN@nowhere.ma"
check "disabling an unknown account exits 1" eval 'rc_is 1 && err_nonempty'

# --- token create ---------------------------------------------------------------
run token create --db "$DB" --user directrice.casa@amal.ma --label "cli test"
check "token create prints the token alone on stdout" eval \
    'rc_is 0 && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -qxP "[A-Za-z0-9_-]{40,80}" "$TMP/out"'
TOKEN=$(cat "$TMP/out")
run token create --db "$DB" --user directrice.casa@amal.ma
check "a second token is printed and differs from the first" eval \
    'rc_is 0 && grep -qxP "[A-Za-z0-9_-]{40,80}" "$TMP/out" && [ "$(cat "$TMP/out")" != "$TOKEN" ]'
run token create --db "$DB" --user "nobody.$RUN@nowhere.ma"
check "token create for an unknown account exits 1, nothing on stdout" eval 'rc_is 1 && [ ! -s "$TMP/out" ] && err_nonempty'
run token create --db "$DB" --user "new.$RUN@amal.ma"
check "token create for a disabled account exits 1" rc_is 1

# --- token expiry, list, revoke ------------------------------------------------------
for bad in 0 -1 -30 366 1000 abc 7.5 "" " 7" 99999999999999999999; do
    run token create --db "$DB" --user directrice.casa@amal.ma --expires-days "$bad"
    check "token create --expires-days '$bad' exits 2 with a message, nothing on stdout" eval \
        'rc_is 2 && err_has "expires-days" && err_has "365" && [ ! -s "$TMP/out" ]'
done
run token list --db "$DB" --user directrice.casa@amal.ma
NBEFORE=$(wc -l <"$TMP/out")
run token create --db "$DB" --user directrice.casa@amal.ma --label "week $RUN" --expires-days 7
check "token create --expires-days 7 exits 0 and prints the token" eval 'rc_is 0 && grep -qxP "jouda_[A-Za-z0-9_-]{43}" "$TMP/out"'
WEEK=$(cat "$TMP/out")
run token create --db "$DB" --user directrice.casa@amal.ma --label "year $RUN" --expires-days 365
check "token create --expires-days 365 (the most) exits 0" rc_is 0
YEAR=$(cat "$TMP/out")
run token list --db "$DB" --user directrice.casa@amal.ma
check "token list --user exits 0 with the refused creations left out" eval \
    'rc_is 0 && [ "$(wc -l <"$TMP/out")" -eq $((NBEFORE + 2)) ]'
check "token list: 7 tab-separated fields on every line" eval \
    '[ -s "$TMP/out" ] && awk -F"\t" "NF != 7 { bad = 1 } END { exit bad }" "$TMP/out"'
check "token list never shows a token nor its hash" eval \
    '! grep -q -- "$WEEK" "$TMP/out" && ! grep -q -- "$YEAR" "$TMP/out" && ! grep -q -- "$TOKEN" "$TMP/out" && ! grep -qE "[0-9a-f]{64}|jouda_" "$TMP/out"'
WEEKLINE=$(grep -P "\tweek $RUN\t" "$TMP/out")
check "token list: id, login, label, created, expires, last used (-), revoked (0)" eval \
    'printf "%s\n" "$WEEKLINE" | grep -qP "^\d+\tdirectrice\.casa\@amal\.ma\tweek $RUN\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t-\t0$"'
WEEKID=$(printf '%s' "$WEEKLINE" | cut -f1)
WDAYS=$(( ($(date -u -d "$(printf '%s' "$WEEKLINE" | cut -f5)" +%s) - $(date -u -d "$(printf '%s' "$WEEKLINE" | cut -f4)" +%s)) / 86400 ))
check "the token of --expires-days 7 expires 7 days after its creation" test "$WDAYS" -eq 7
YDAYS=$(grep -P "\tyear $RUN\t" "$TMP/out" | awk -F'\t' '{ print $4 " " $5 }' | { read -r c e; echo $(( ($(date -u -d "$e" +%s) - $(date -u -d "$c" +%s)) / 86400 )); })
check "the token of --expires-days 365 expires 365 days after its creation" test "$YDAYS" -eq 365
DLINE=$(grep -P "\tcli test\t" "$TMP/out" | head -n 1)
DDAYS=$(( ($(date -u -d "$(printf '%s' "$DLINE" | cut -f5)" +%s) - $(date -u -d "$(printf '%s' "$DLINE" | cut -f4)" +%s)) / 86400 ))
check "a token made without --expires-days expires after 90 days" test "$DDAYS" -eq 90
run token list --db "$DB"
check "token list without --user lists the tokens of every account" eval \
    'rc_is 0 && out_has "	directrice.casa@amal.ma	week $RUN	" && [ "$(wc -l <"$TMP/out")" -ge $((NBEFORE + 2)) ]'
run token list --db "$DB" --user "nobody.$RUN@nowhere.ma"
check "token list for an unknown account exits 1 with a message" eval 'rc_is 1 && err_nonempty && [ ! -s "$TMP/out" ]'
run token list --db "$DB" --user mere.fatima
check "token list of an account without tokens prints nothing" eval 'rc_is 0 && [ ! -s "$TMP/out" ]'

run token revoke --db "$DB" "$WEEKID"
check "token revoke ID exits 0 and says so" eval 'rc_is 0 && out_has "Revoked token $WEEKID"'
run token list --db "$DB" --user directrice.casa@amal.ma
check "the revoked token is listed as revoked (1), the others not" eval \
    'grep -qP "^$WEEKID\t.*\t1$" "$TMP/out" && grep -qP "\tyear $RUN\t.*\t0$" "$TMP/out"'
check "token revoke is audited (token_revoke, by the system)" eval \
    '[ "$(sql "SELECT count(*) FROM audit_log WHERE action = '"'token_revoke'"' AND entity = '"'token'"' AND entity_id = $WEEKID AND actor_id IS NULL")" = 1 ]'
run token revoke --db "$DB" "$WEEKID"
check "revoking it again exits 0 and says it is revoked already" eval 'rc_is 0 && out_has "already revoked"'
check "a second revocation writes no audit line" eval \
    '[ "$(sql "SELECT count(*) FROM audit_log WHERE action = '"'token_revoke'"' AND entity_id = $WEEKID")" = 1 ]'
run token revoke --db "$DB" 987654321
check "token revoke of an unknown id exits 1 with a message" eval 'rc_is 1 && err_has "no token" && [ ! -s "$TMP/out" ]'
check "token create is audited with the expiry" eval \
    '[ "$(sql "SELECT count(*) FROM audit_log WHERE action = '"'token_create'"' AND entity_id = $WEEKID AND changes LIKE '"'%expires_at%'"'")" = 1 ]'

JOUDA_USER_PASSWORD=User-password-2026 run user add --db "$DB" --username "tok.$RUN" --name "Jeton Désactivé" \
    --role staff --node "${EPS1:-0}"
run token create --db "$DB" --user "tok.$RUN" --label "first $RUN"
run token create --db "$DB" --user "tok.$RUN" --label "second $RUN"
OFFTOKEN=$(cat "$TMP/out")
run user disable --db "$DB" "tok.$RUN"
check "user disable says the account's tokens were revoked" eval 'rc_is 0 && out_has "API tokens revoked"'
run token list --db "$DB" --user "tok.$RUN"
check "disabling an account revokes all its tokens" eval \
    'rc_is 0 && [ "$(wc -l <"$TMP/out")" -eq 2 ] && [ "$(cut -f7 "$TMP/out" | sort -u)" = 1 ]'
TOKUID=$(sql "SELECT id FROM users WHERE username = 'tok.$RUN'")
check "the revocation of all its tokens is audited once, with their number" eval \
    '[ "$(sql "SELECT changes FROM audit_log WHERE action = '"'token_revoke_all'"' AND entity = '"'user'"' AND entity_id = ${TOKUID:-0}")" = "{\"api_tokens_revoked\":2}" ]'

# --- backup ---------------------------------------------------------------------
if [ "$IS_PG" -eq 1 ]; then
    run backup --db "$DB" --out "$TMP/backup.db"
    check "backup on PostgreSQL exits 1 and explains pg_dump" eval 'rc_is 1 && err_has pg_dump && [ ! -e "$TMP/backup.db" ]'
else
    run backup --db "$DB" --out "$TMP/backup.db"
    check "backup exits 0" rc_is 0
    check "the backup is a SQLite database" eval 'head -c 16 "$TMP/backup.db" | grep -q "SQLite format 3"'
    run user list --db "$TMP/backup.db"
    check "the backup holds the same accounts" eval 'rc_is 0 && [ "$(wc -l <"$TMP/out")" -ge "$USERS1" ]'
    run backup --db "$DB" --out "$TMP/backup.db"
    check "backup refuses to overwrite a file (exit 1)" eval 'rc_is 1 && err_nonempty'
fi

# --- runtime failures: exit 1 ------------------------------------------------------
run user list --db "$TMP/no/such/dir/x.db"
check "a SQLite file that does not exist: exit 1 with a message" eval 'rc_is 1 && err_nonempty'
run migrate --db "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
check "an unreachable PostgreSQL: exit 1 with a message" eval 'rc_is 1 && err_nonempty'

# --- serve ------------------------------------------------------------------------
if [ -f "$SHARE/locale/fr.mo" ] && [ -d "$SHARE/templates" ]; then
    JOUDA_SHARE_DIR=$SHARE "$BIN" serve --db "$DB" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 50); do grep -q "listening" "$TMP/serve.out" && break; sleep 0.1; done
    URL=$(grep -oP "listening on \Khttp://\S+" "$TMP/serve.out")
    check "serve prints 'Jouda listening on http://...' within 5 seconds" test -n "$URL"
    if [ -n "$URL" ]; then
        HEALTH=$(curl -s --max-time 5 "$URL/healthz")
        check "serve answers /healthz" eval 'printf "%s" "$HEALTH" | grep -q "\"status\":\"ok\""'
        CODE=$(curl -s -o "$TMP/me.json" -w "%{http_code}" --max-time 5 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/me")
        check "the token from 'token create' authenticates on the API" eval '[ "$CODE" = 200 ] && grep -q "directrice.casa@amal.ma" "$TMP/me.json"'
        CODE=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 -H "Authorization: Bearer $YEAR" "$URL/api/v1/me")
        check "a token of --expires-days 365 authenticates" test "$CODE" = 200
        CODE=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 -H "Authorization: Bearer $WEEK" "$URL/api/v1/me")
        check "a token revoked with 'token revoke' answers 401" test "$CODE" = 401
        CODE=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 -H "Authorization: Bearer $OFFTOKEN" "$URL/api/v1/me")
        check "a token of a disabled account answers 401" test "$CODE" = 401
        run user list --db "$DB"
        check "the command line works on the database while serve runs" rc_is 0
    fi
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID"
    SRC=$?
    SERVER_PID=
    check "serve stops on SIGTERM with exit code 0" test "$SRC" -eq 0
else
    skip "serve" "no compiled catalogues in $SHARE/locale (run make locale)"
fi

# --- the key file: wrong, missing, rotated ----------------------------------------
HAVE_SHARE=0
[ -f "$SHARE/locale/fr.mo" ] && [ -d "$SHARE/templates" ] && HAVE_SHARE=1
# run_limited ARGS...: like run, but a server that starts instead of refusing
# is stopped after 10 seconds (exit code 124)
run_limited() {
    timeout 10 "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}
# new_key_file PATH: a well-formed key file (mode 600) that is no database's key
new_key_file() {
    (umask 077 && { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; echo; } >"$1")
}
# serve_db ARGS...: serve on DB; true when it prints its address (SERVE_PID,
# SERVE_DB_URL set; standard error in $TMP/serve-db.err)
serve_db() {
    SERVE_DB_URL=
    : >"$TMP/serve-db.out"
    JOUDA_SHARE_DIR=$SHARE "$BIN" serve --db "$DB" --listen 127.0.0.1:0 "$@" \
        >"$TMP/serve-db.out" 2>"$TMP/serve-db.err" </dev/null &
    SERVE_PID=$!
    SERVER_PID=$SERVE_PID
    for _ in $(seq 100); do
        grep -q "listening" "$TMP/serve-db.out" && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    SERVE_DB_URL=$(grep -oP "listening on \Khttp://\S+" "$TMP/serve-db.out")
    [ -n "$SERVE_DB_URL" ]
}
# stop_serve_db: SIGTERM; true when it exits with code 0
stop_serve_db() {
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    local rc=$?
    SERVER_PID=
    [ "$rc" -eq 0 ]
}

new_key_file "$TMP/other.key"
cp "$KEY" "$TMP/key-before"
CHECK_BEFORE=$(sql "SELECT value FROM settings WHERE key = 'seal_check'")
if [ "$HAVE_SHARE" = 1 ]; then
    T0=$(date +%s%N)
    run_limited serve --db "$DB" --listen 127.0.0.1:0 --key-file "$TMP/other.key"
    MS=$((($(date +%s%N) - T0) / 1000000))
    check "serve with another key file exits 1 within 5 s (${MS} ms), saying it does not open the database" eval \
        'rc_is 1 && [ "$MS" -lt 5000 ] && err_has "does not open" && err_has "$TMP/other.key"'
    JOUDA_KEY_FILE=$TMP/other.key run_limited serve --db "$DB" --listen 127.0.0.1:0
    check "serve with JOUDA_KEY_FILE naming another key file exits 1 as well" eval 'rc_is 1 && err_has "does not open"'
else
    skip "serve with another key file" "no compiled catalogues in $SHARE/locale (run make locale)"
fi
run_limited demo --db "$DB" --quiet --only nodes --key-file "$TMP/other.key"
check "demo with another key file exits 1 and adds nothing" eval 'rc_is 1 && err_has "does not open" && [ ! -s "$TMP/out" ]'
check "a wrong key changed neither the key check nor the key file" eval \
    '[ "$(sql "SELECT value FROM settings WHERE key = '"'seal_check'"'")" = "$CHECK_BEFORE" ] && cmp -s "$KEY" "$TMP/key-before"'
cp "$KEY" "$TMP/open.key"
chmod 644 "$TMP/open.key"
run_limited serve --db "$DB" --listen 127.0.0.1:0 --key-file "$TMP/open.key"
check "serve refuses a key file others may read (mode 644): exit 1" eval 'rc_is 1 && err_has "owner only"'
printf 'not a key\n' >"$TMP/bad.key"
chmod 600 "$TMP/bad.key"
run_limited serve --db "$DB" --listen 127.0.0.1:0 --key-file "$TMP/bad.key"
check "serve refuses a malformed key file: exit 1" eval 'rc_is 1 && err_has "not a Jouda key file"'

mv "$KEY" "$TMP/key-aside"
run_limited serve --db "$DB" --listen 127.0.0.1:0
check "serve with the key file missing exits 1: the sealed data cannot be read without it" eval \
    'rc_is 1 && grep -qF "jouda serve: the key file $KEY is missing: the database'"'"'s sealed data cannot be read without it (--key-file PATH)" "$TMP/err"'
check "... and creates no new key file" test ! -e "$KEY"
run_limited demo --db "$DB" --quiet --only nodes
check "demo with the key file missing exits 1 and creates none" eval 'rc_is 1 && err_has "is missing" && [ ! -e "$KEY" ]'
JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 run init --db "$DB" --admin-email admin@jouda.ma
check "init with the key file missing exits 1 and creates none" eval 'rc_is 1 && err_has "is missing" && [ ! -e "$KEY" ]'
run key rotate --db "$DB"
check "key rotate with the key file missing exits 1" eval 'rc_is 1 && err_has "missing" && [ ! -e "$KEY.new" ]'
mv "$TMP/key-aside" "$KEY"

# The columns modules declare sealed (app_sealed_t: {"table", "key", "column"}).
SEALED=$(for f in "$ROOT"/src/*/*.c; do
    awk '/app_sealed_t [A-Za-z_]+(\[[A-Za-z_]*\])? *= *\{/ { on = 1 } on { print } on && /\};/ { on = 0 }' "$f"
done | grep -oP '\{"\K[a-z_0-9]+", "[a-z_0-9]+", "[a-z_0-9]+(?="\})' | sed 's/", "/ /g' | sort -u)
check "modules declare sealed columns ($(printf '%s\n' "$SEALED" | grep -c .))" test -n "$SEALED"
# dump_sealed FILE: "table.column.key|value" of every stored value
dump_sealed() {
    : >"$1"
    local t k c
    while read -r t k c; do
        [ -n "$t" ] || continue
        sql_all "SELECT '$t.$c.' || $k || '|' || $c FROM $t WHERE $c IS NOT NULL ORDER BY $k" >>"$1"
    done <<<"$SEALED"
}
dump_sealed "$TMP/sealed-before"
NSEALED=$(grep -c '|s1:' "$TMP/sealed-before")
echo "# $NSEALED sealed values in the database before the rotation"
check "every value of a sealed column is sealed (s1:...)" eval '! grep -v "|s1:" "$TMP/sealed-before" | grep -q .'

RUNNING=0
if [ "$HAVE_SHARE" = 1 ]; then
    if serve_db; then RUNNING=1; else notok "serve starts with the database's key" "$(cat "$TMP/serve-db.err")"; fi
fi
run key rotate --db "$DB"
check "key rotate exits 0 and says how many values were sealed again ($NSEALED)" eval \
    'rc_is 0 && out_has "Re-sealed $NSEALED value"'
check "the previous key is kept as .old, the new one is in place (mode 600), no .new left" eval \
    'cmp -s "$KEY.old" "$TMP/key-before" && ! cmp -s "$KEY" "$TMP/key-before" && [ "$(mode_of "$KEY")" = 600 ] && grep -qxE "[0-9a-f]{64}" "$KEY" && [ ! -e "$KEY.new" ]'
CHECK_AFTER=$(sql "SELECT value FROM settings WHERE key = 'seal_check'")
check "the key check was sealed again" eval '[ -n "$CHECK_AFTER" ] && [ "$CHECK_AFTER" != "$CHECK_BEFORE" ]'
dump_sealed "$TMP/sealed-after"
check "the same values are there, each one sealed again" eval \
    '[ "$(cut -d"|" -f1 "$TMP/sealed-before")" = "$(cut -d"|" -f1 "$TMP/sealed-after")" ] && [ "$(grep -c "|s1:" "$TMP/sealed-after")" = "$NSEALED" ] && [ -z "$(comm -12 <(sort "$TMP/sealed-before") <(sort "$TMP/sealed-after"))" ]'
if [ "$RUNNING" = 1 ]; then
    for _ in $(seq 250); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVE_PID" 2>/dev/null; then
        notok "a server running with the old key stops by itself within 25 s of the rotation"
        stop_serve_db
    else
        wait "$SERVE_PID"
        SRC=$?
        SERVER_PID=
        check "a server running with the old key stops by itself with exit code 1, saying why" eval \
            '[ "$SRC" -eq 1 ] && grep -q "no longer opens" "$TMP/serve-db.err"'
    fi
fi
if [ "$HAVE_SHARE" = 1 ]; then
    if serve_db; then
        HEALTH=$(curl -s --max-time 5 "$SERVE_DB_URL/healthz")
        check "serve starts with the new key and answers /healthz" eval 'printf "%s" "$HEALTH" | grep -q "\"status\":\"ok\""'
        check "serve with the new key stops on SIGTERM with exit code 0" stop_serve_db
    else
        notok "serve starts with the new key" "$(cat "$TMP/serve-db.err")"
        stop_serve_db
    fi
    run_limited serve --db "$DB" --listen 127.0.0.1:0 --key-file "$KEY.old"
    check "serve with the old key (.old) exits 1: it does not open the database any more" eval \
        'rc_is 1 && err_has "does not open"'
else
    skip "serve after the rotation" "no compiled catalogues in $SHARE/locale (run make locale)"
fi
run demo --db "$DB" --quiet --only nodes
check "demo works with the new key" rc_is 0
run_limited demo --db "$DB" --quiet --only nodes --key-file "$KEY.old"
check "demo with the old key exits 1" eval 'rc_is 1 && err_has "does not open"'

run key rotate --db "$DB"
check "key rotate while the .old of the last one is there exits 1 and changes nothing" eval \
    'rc_is 1 && err_has "$KEY.old exists" && [ ! -e "$KEY.new" ] && [ "$(sql "SELECT value FROM settings WHERE key = '"'seal_check'"'")" = "$CHECK_AFTER" ]'
mv "$KEY.old" "$TMP/key-old-aside"
run key rotate --db "$DB" --key-file "$TMP/other.key"
check "key rotate with another key file exits 1, changes nothing, leaves no .new" eval \
    'rc_is 1 && err_has "does not open" && [ ! -e "$TMP/other.key.new" ] && [ ! -e "$TMP/other.key.old" ] && [ "$(sql "SELECT value FROM settings WHERE key = '"'seal_check'"'")" = "$CHECK_AFTER" ]'
new_key_file "$KEY.new"
run key rotate --db "$DB"
check "key rotate with a .new left by a rotation stopped before its commit exits 1 and says to remove it" eval \
    'rc_is 1 && err_has "remove $KEY.new" && [ "$(sql "SELECT value FROM settings WHERE key = '"'seal_check'"'")" = "$CHECK_AFTER" ]'
rm -f "$KEY.new"
# As if the machine stopped between the commit and the renames: the old key
# in place, the database's key in .new.
mv "$KEY" "$KEY.new"
cp "$TMP/key-old-aside" "$KEY"
run key rotate --db "$DB"
check "key rotate after a rotation stopped after its commit exits 1 and says how to finish it" eval \
    'rc_is 1 && err_has "mv $KEY $KEY.old && mv $KEY.new $KEY" && [ "$(sql "SELECT value FROM settings WHERE key = '"'seal_check'"'")" = "$CHECK_AFTER" ]'
mv "$KEY" "$KEY.old" && mv "$KEY.new" "$KEY"
run demo --db "$DB" --quiet --only nodes
check "after finishing it that way, the key file opens the database" rc_is 0

# --- file modes: everything jouda writes is for its owner only ------------------
# On a SQLite database of its own (whatever DB is), with a permissive umask so
# that only jouda's own settings decide.
umask 022
MODES=$TMP/modes/sub/jouda.db
unset JOUDA_KEY_FILE # its own key file, "$MODES.key", whatever DB is
JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 run init --db "$MODES" --admin-email admin@jouda.ma
check "init on a new SQLite file exits 0" rc_is 0
check "init creates the database 0600 (stat: $(mode_of "$MODES"))" test "$(mode_of "$MODES")" = 600
check "init creates its key file beside it, 0600 (stat: $(mode_of "$MODES.key"))" test "$(mode_of "$MODES.key")" = 600
check "init creates missing directories 0700 (stat: $(mode_of "$TMP/modes"))" \
    eval '[ "$(mode_of "$TMP/modes")" = 700 ] && [ "$(mode_of "$TMP/modes/sub")" = 700 ]'
check "a database 0600 draws no warning" eval '! err_has warning'
run backup --db "$MODES" --out "$TMP/modes-backup.db"
check "backup writes its copy 0600 (stat: $(mode_of "$TMP/modes-backup.db"))" \
    eval 'rc_is 0 && [ "$(mode_of "$TMP/modes-backup.db")" = 600 ]'

chmod 644 "$MODES"
run migrate --db "$MODES"
check "migrate warns when the database is readable by others (and still works)" \
    eval 'rc_is 0 && grep -qF "jouda migrate: warning: $MODES is readable by other users (mode 0644): chmod 600 it" "$TMP/err"'
JOUDA_ADMIN_PASSWORD=Jouda-admin-2026 run init --db "$MODES" --admin-email admin@jouda.ma
check "init warns too" eval 'rc_is 0 && grep -qF "jouda init: warning: $MODES is readable by other users (mode 0644)" "$TMP/err"'
chmod 600 "$MODES"
run migrate --db "$MODES"
check "after chmod 600, no warning" eval 'rc_is 0 && ! err_has warning'

# serve_briefly ARGS...: serve on the modes database; true when it prints its
# address, keeps standard error in $TMP/serve.err, leaves SERVE_URL set and
# the server running (stop_serve stops it and checks exit code 0).
serve_briefly() {
    SERVE_URL=
    : >"$TMP/serve.out"
    JOUDA_SHARE_DIR=$SHARE "$BIN" serve --db "$MODES" --listen 127.0.0.1:0 "$@" \
        >"$TMP/serve.out" 2>"$TMP/serve.err" </dev/null &
    SERVER_PID=$!
    for _ in $(seq 100); do
        grep -q "listening" "$TMP/serve.out" && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    SERVE_URL=$(grep -oP "listening on \Khttp://\S+" "$TMP/serve.out")
    [ -n "$SERVE_URL" ]
}
stop_serve() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID"
    local rc=$?
    SERVER_PID=
    [ "$rc" -eq 0 ]
}
HAVE_SHARE=0
[ -f "$SHARE/locale/fr.mo" ] && [ -d "$SHARE/templates" ] && HAVE_SHARE=1

if [ "$HAVE_SHARE" = 1 ]; then
    if serve_briefly; then
        curl -s -o /dev/null --max-time 5 "$SERVE_URL/login"
        check "while serve runs, its -wal and -shm files are 0600 too (stat: $(mode_of "$MODES-wal") $(mode_of "$MODES-shm"))" \
            eval '[ "$(mode_of "$MODES-wal")" = 600 ] && [ "$(mode_of "$MODES-shm")" = 600 ]'
        stop_serve
        check "serve on a database 0600 draws no warning" eval '! grep -q warning "$TMP/serve.err"'
    else
        notok "serve starts on the modes database" "$(cat "$TMP/serve.err")"
        stop_serve
    fi
    chmod 644 "$MODES"
    if serve_briefly; then
        stop_serve
        check "serve warns when the database is readable by others" \
            grep -qF "jouda serve: warning: $MODES is readable by other users (mode 0644): chmod 600 it" "$TMP/serve.err"
    else
        notok "serve starts on a database 0644" "$(cat "$TMP/serve.err")"
        stop_serve
    fi
    chmod 600 "$MODES"
else
    skip "serve and file modes" "no compiled catalogues in $SHARE/locale (run make locale)"
fi

# --- serve --trust-proxy ADDRESS -------------------------------------------------
# run_briefly ARGS...: like run, but a server that starts instead of refusing is
# stopped after 5 seconds (exit code 124)
run_briefly() {
    timeout 5 "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
}
for bad in "" "--trust-proxy=" "localhost" "127.0.0.0/8" "127.0.0.1:8080" "300.0.0.1"; do
    case "$bad" in
    "") args=(--trust-proxy); what="a bare --trust-proxy (the address is required)" ;;
    --*) args=("$bad"); what="--trust-proxy= with nothing after it" ;;
    *) args=(--trust-proxy "$bad"); what="--trust-proxy $bad (not one IP address)" ;;
    esac
    run_briefly serve --db "$MODES" --listen 127.0.0.1:0 "${args[@]}"
    check "serve: $what exits 2 with a message" eval 'rc_is 2 && err_has "trust-proxy"'
done
if [ "$HAVE_SHARE" = 1 ]; then
    for form in "--trust-proxy 127.0.0.1" "--trust-proxy=127.0.0.1" "--trust-proxy ::1" "--trust-proxy=[::1]"; do
        # shellcheck disable=SC2086
        if serve_briefly $form; then
            ok "serve $form starts"
            check "serve $form stops on SIGTERM with exit code 0" stop_serve
        else
            notok "serve $form starts" "$(cat "$TMP/serve.err")"
            stop_serve
        fi
    done
else
    skip "serve --trust-proxy" "no compiled catalogues in $SHARE/locale (run make locale)"
fi

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ] && [ "$SKIPPED" -eq 0 ]
