#!/bin/bash
# Rebuild po/<lang>.po from its header and the fragments po/parts/<part>/<lang>.po
# (first translation of a msgid wins).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
for lang in fr ar en; do
  parts=(po/parts/*/"$lang".po)
  [ -e "${parts[0]}" ] || continue
  [ -f "build/$lang.header.po" ] || awk 'NR==1,/^$/' "po/$lang.po" > "build/$lang.header.po"
  msgcat --use-first --sort-output -o "po/$lang.po" "build/$lang.header.po" "${parts[@]}"
done
