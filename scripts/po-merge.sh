#!/bin/bash
# Merge translation fragments (po/parts/<part>/<lang>.po) into po/<lang>.po.
set -euo pipefail
cd "$(dirname "$0")/.."
for lang in fr ar en; do
  parts=(po/parts/*/"$lang".po)
  [ -e "${parts[0]}" ] || continue
  files=()
  [ -f "po/$lang.po" ] && files+=("po/$lang.po")
  msgcat --use-first --no-wrap --sort-output -o "po/$lang.po.new" "${files[@]}" "${parts[@]}"
  mv "po/$lang.po.new" "po/$lang.po"
done
