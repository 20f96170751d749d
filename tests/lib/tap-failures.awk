# tap-failures.awk - the failed tests of a TAP log of node's test runner, one line each:
# "file:line: test name: the first words of its error" (suites whose only
# error is their failed subtests are left out).
function flush() {
    if (name != "" && ftype != "subtestsFailed")
        printf "%s: %s: %s\n", loc, name, substr(err, 1, 150)
    name = ""; err = ""; loc = "?"; ftype = ""; want = 0
}
/^ *not ok [0-9]+ - / { flush(); n = $0; sub(/^ *not ok [0-9]+ - /, "", n); name = n; blk = 1; next }
blk && /^ *\.\.\.$/ { flush(); blk = 0; next }
blk && /^ *location: / { l = $0; sub(/^ *location: '?/, "", l); sub(/'$/, "", l); sub(/^.*\//, "", l); sub(/:[0-9]+$/, "", l); loc = l; next }
blk && /^ *failureType: / { t = $0; sub(/^ *failureType: '?/, "", t); sub(/'$/, "", t); ftype = t; next }
blk && /^ *error: / { e = $0; match(e, /^ */); ind = RLENGTH; sub(/^ *error: /, "", e); if (e ~ /^[|>]-?$/) want = 1; else { gsub(/^'|'$/, "", e); err = e }; next }
blk && want { e = $0; match(e, /^ */); if (RLENGTH <= ind && e !~ /^ *$/) { want = 0; next }; sub(/^ +/, "", e); if (e != "") { err = err (err == "" ? "" : " ") e; if (length(err) > 60) want = 0 } ; next }
END { flush() }
