#!/usr/bin/env bash
# run.sh - tests scripts/i18n-check on the fixtures beside this file: a
# complete set of catalogues passes; broken ones fail, naming each problem.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check() { "$root/scripts/i18n-check" --src "$here/src" --templates "$here/templates" "$@"; }
fail=0
expect() { # expect <output> <text>
    if ! grep -qF -- "$2" <<<"$1"; then echo "FAIL: output lacks: $2"; fail=1; fi
}

out=$(check --po-dir "$here/po-ok" 2>&1); rc=$?
[ $rc -eq 0 ] || { echo "FAIL: complete catalogues rejected (rc=$rc):"; echo "$out"; fail=1; }
expect "$out" "9 msgids, all translated"

out=$(check --list 2>&1)
for id in "'%d file' / '%d files'" "'%d unit' / '%d units'" "'Cancel'" "'Home'" "'Save'" \
          "'Say \"hi\"'" "'The changes were saved.'" "'This page does not exist.'" "'role.director'"; do
    expect "$out" "$id"
done
if grep -q "not a UI string" <<<"$out"; then echo "FAIL: a log message was extracted"; fail=1; fi

out=$(check --po-dir "$here/po-bad" 2>&1); rc=$?
[ $rc -eq 1 ] || { echo "FAIL: broken catalogues accepted (rc=$rc)"; fail=1; }
expect "$out" "untranslated: 'Cancel'"
expect "$out" "fuzzy: 'Home'"
expect "$out" "plural forms [4] empty: '%d file'"
expect "$out" "missing: 'Cancel'"
expect "$out" "no plural forms: '%d file'"

out=$(check --po-dir "$here/nonexistent" 2>&1); rc=$?
[ $rc -eq 1 ] || { echo "FAIL: missing catalogues accepted"; fail=1; }

[ $fail -eq 0 ] && echo "i18n-check tests: OK"
exit $fail
