#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the "A first fund by hand" block of README.md as a new user would
# after the Quick start: tfund is installed by the Quick start's own
# 'cmake --install build --prefix P' (into a scratch root here), and the
# block runs in a fresh shell whose PATH is root's on Debian with P/bin
# taken from that scratch root, nothing else. So the README never drifts
# from what tfund does, nor assumes a PATH it does not give.
set -euo pipefail
tfund_bin=$(realpath "$1")
src=$(realpath "$2")
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null ||
  { echo "skipped: python3-openpyxl is not installed"; exit 77; }
command -v cmake >/dev/null || { echo "skipped: cmake is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The Quick start's first command installs tfund ('cycle.sh --install P'),
# as cycle.sh does it: cmake --install build --prefix P.
quick=$(awk '/^## Quick start/ {on = 1; next} on && /^## / {exit} on' "$src/README.md")
install=$(printf '%s\n' "$quick" | grep -E '^bash samples/gcm/cycle.sh --install [^ ]+' | head -n1 || true)
[ -n "$install" ] || { echo "FAIL: the Quick start does not install tfund ('bash samples/gcm/cycle.sh --install PREFIX')"; exit 1; }
[ "$(printf '%s\n' "$quick" | awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0} on && NF' | grep -cv '^#')" = 2 ] || { echo "FAIL: the Quick start has not exactly two commands"; exit 1; }
grep -q 'cmake --install build --prefix "$prefix"' "$src/samples/gcm/cycle.sh" ||
  { echo "FAIL: cycle.sh --install does not run cmake --install"; exit 1; }
prefix=$(printf '%s\n' "$install" | awk '{print $4}')
case "$prefix" in /*) ;; *) echo "FAIL: the Quick start's prefix '$prefix' is not an absolute path"; exit 1 ;; esac
DESTDIR=$tmp/root cmake --install "$(dirname "$tfund_bin")" --prefix "$prefix" >/dev/null
[ -x "$tmp/root$prefix/bin/tfund" ] || { echo "FAIL: '$install' installs no $prefix/bin/tfund"; exit 1; }

# Root's PATH on Debian, with the installed bin folder read from the
# scratch root; nothing from the shell running this test.
path=
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  if [ "$dir" = "$prefix/bin" ]; then dir=$tmp/root$dir; fi
  path=${path:+$path:}$dir
done
case ":$path:" in
  *":$tmp/root$prefix/bin:"*) ;;
  *) echo "FAIL: $prefix/bin, where the Quick start installs tfund, is not on root's PATH" ;
     echo "      (the README must then say how to put it there)"; grep -q 'export PATH=' "$src/README.md" || exit 1 ;;
esac

awk '/^## A first fund by hand/ {on = 1} on && /^```sh$/ {code = 1; next}
     code && /^```$/ {exit} code {print}' "$src/README.md" > "$tmp/steps.sh"
[ -s "$tmp/steps.sh" ] || { echo "FAIL: no shell block under 'A first fund by hand'"; exit 1; }

mkdir "$tmp/home" "$tmp/work"
cd "$tmp/work"
ln -s "$src/samples" samples
env -i HOME="$tmp/home" PATH="$path" LANG=C.UTF-8 \
  bash --noprofile --norc -euo pipefail ../steps.sh > out.txt 2> err.txt || {
  echo "FAIL: the README steps stopped"; cat out.txt err.txt; exit 1; }

export TFUND_DB=$tmp/work/myfund.db
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
# The manual page went in with the program.
[ -s "$tmp/root$prefix/share/man/man1/tfund.1" ] || { echo "FAIL: no manual page installed"; exit 1; }
echo "README first fund: installed as the Quick start says, $(wc -l < ../steps.sh) lines of commands ran in a fresh shell; decisions and statement as described"
