#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: a donor statement with 100,000 grant lines. Builds a fund of
# 100 sessions x 1,000 funded and disbursed grants (tests/bench/bench_gen.c,
# linked with the core library, in one transaction per session), then
# times 'tfund report donor' and measures its peak memory, which must
# stay under 64 MiB (the delegate list is streamed).
#
# usage: bash tests/bench/bench_report.sh [SESSIONS [REQUESTS]]
# Not run by ctest. Needs build/ (cmake --build build).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
sessions=${1:-100}
per=${2:-1000}
limit_kib=$((64 * 1024))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tfund=$top/build/tfund
[ -x "$tfund" ] || { echo "bench: build tfund first" >&2; exit 1; }

# The core's layers, the highest first (a static link reads them in that
# order).
core=()
for layer in import close grants records books store base; do
  core+=("$top/build/libtfund_$layer.a")
done
# shellcheck disable=SC2046
cc -std=c17 -O2 -I"$top/include" -o "$work/bench_gen" \
  "$top/tests/bench/bench_gen.c" "${core[@]}" \
  $(pkg-config --libs sqlite3 gmp nettle jansson libsodium) -lcsv
echo "building a fund of $sessions sessions x $per grants"
start=$(date +%s)
"$work/bench_gen" "$work/bench.db" "$sessions" "$per"
echo "built in $(($(date +%s) - start)) s"

/usr/bin/time -v "$tfund" --db "$work/bench.db" report donor donor-1 \
  -o "$work/donor-1.xlsx" --as-of 2019-12-31 2>"$work/time.txt"
lines=$(/usr/bin/python3 - "$work/donor-1.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for r in wb["Delegates funded"].iter_rows(min_row=2, max_col=6,
                                                      values_only=True)
          if r[5]))
PY
)
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
size=$(stat -c %s "$work/donor-1.xlsx")
echo "donor statement: $lines grant lines, $size bytes"
echo "wall time: $wall"
echo "peak RSS: $rss KiB ($((rss / 1024)) MiB; limit 64 MiB)"
[ "$rss" -lt "$limit_kib" ] || { echo "bench: peak RSS over 64 MiB" >&2; exit 1; }
