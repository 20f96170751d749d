#!/usr/bin/env bash
# run.sh - tests scripts/pack-check on the fixture beside this file: the call a
# value short and the one a value too many are named, the right one is not.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fail=0
out=$("$root/scripts/pack-check" "$here/pack-bad" 2>&1); rc=$?
[ $rc -eq 1 ] || { echo "FAIL: the bad calls were accepted (rc=$rc)"; fail=1; }
for want in 'bad.c:4: json_pack("{s:s, s:s}") asks for 4 values, 3 given' \
            'bad.c:5: json_pack("{s:i}") asks for 2 values, 3 given' \
            '1 files, 2 json_pack call(s) not matching their format'; do
    grep -qF -- "$want" <<<"$out" || { echo "FAIL: output lacks: $want"; fail=1; }
done
if grep -q 'bad.c:6' <<<"$out"; then echo "FAIL: the right call (s#, n, an array) was named"; fail=1; fi
echo "$out"
[ $fail -eq 0 ] && echo "pack-check self-test: ok"
exit $fail
