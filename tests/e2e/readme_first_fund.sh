#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the "A first fund by hand" block of README.md as a new user would,
# so that the README never drifts from what tfund does.
set -euo pipefail
tfund_bin=$1
src=$2
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null ||
  { echo "skipped: python3-openpyxl is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$tfund_bin" "$tmp/bin/tfund"

awk '/^## A first fund by hand/ {on = 1} on && /^```sh$/ {code = 1; next}
     code && /^```$/ {exit} code {print}' "$src/README.md" > "$tmp/steps.sh"
[ -s "$tmp/steps.sh" ] || { echo "FAIL: no shell block under 'A first fund by hand'"; exit 1; }

cd "$tmp"
ln -s "$src/samples" samples
PATH="$tmp/bin:$PATH" bash -euo pipefail steps.sh > out.txt 2> err.txt || {
  echo "FAIL: the README steps stopped"; cat out.txt err.txt; exit 1; }

export TFUND_DB=$tmp/myfund.db
t() { "$tfund_bin" "$@"; }
# What the README promises after its steps.
t allocation show its1 --format csv > alloc.csv
grep -q '^Q-001,its1,NPL,1,Asia-Pacific,disbursed,' alloc.csv
grep -q '^Q-002,its1,HTI,1,GRULAC,funded,' alloc.csv
grep -q '^Q-003,its1,KEN,2,African,funded,' alloc.csv
grep -q '^Q-004,its1,FRA,,WEOG,rejected,not-eligible,' alloc.csv
t verify > /dev/null
[ -s norway.xlsx ] || { echo "FAIL: no donor statement written"; exit 1; }
/usr/bin/python3 - norway.xlsx <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
assert "Norway" in text, "the statement does not name the donor"
PY
echo "README first fund: $(wc -l < steps.sh) lines of commands ran; decisions and statement as described"
