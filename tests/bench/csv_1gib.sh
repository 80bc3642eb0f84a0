#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (not run by ctest, it takes minutes): streams a 1 GiB CSV
# through 'tfund import' and reports the time and the peak resident
# memory (GNU time's "Maximum resident set size").
#
#   bash tests/bench/csv_1gib.sh TFUND-BINARY [BYTES]
#
# The file is a valid rates file: 56 currencies, one row per currency and
# calendar day from 1900-01-01 on, each rate a 40-character exact decimal
# (the longest tfund accepts), about 18.8 million rows of 57 bytes. Rates
# are the one kind that can fill a gigabyte with distinct valid rows
# without posting anything to the journal (every other kind refers to
# records that would have to exist first). It is imported twice into a
# new fund:
#   1. every row new: parsing, validation, the in-file duplicate check and
#      the insert into the rates table;
#   2. every row already known: parsing, validation, the duplicate check
#      and a lookup, the database unchanged.
# The reader holds one line and one record at a time; the import keeps
# the keys seen in the file (to refuse a duplicate row) in memory up to
# 65,536 of them and in a temporary table beyond, so the peak is bounded
# by SQLite's page caches, not by the rows. On a two-core machine, a
# 256 MiB file (4,793,490 rows): every row new 136 s, peak 25.4 MiB; every
# row known 108 s, peak 25.2 MiB. (Before the keys moved to disk, the
# 1 GiB file peaked at 2,072 MiB.)
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 TFUND-BINARY [BYTES]" >&2; exit 2; }
tfund=$(realpath "$1")
bytes=${2:-$((1024 * 1024 * 1024))}
[ -x /usr/bin/time ] || { echo "csv_1gib: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tfund-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
csv=$work/rates.csv
db=$work/fund.db

echo "writing $bytes bytes of rates to $csv"
awk -v limit="$bytes" 'BEGIN {
  split("AED ARS AUD BDT BGN BHD BRL CAD CHF CLP CNY COP CZK DKK EGP ETB EUR GBP HKD HUF IDR ILS INR ISK JOD JPY KES KRW KWD KZT MAD MXN MYR NGN NOK NZD OMR PEN PHP PKR PLN QAR RON RUB SAR SEK SGD THB TND TRY UAH UGX VND XAF XOF ZAR", cur, " ")
  ncur = 56
  split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
  line = "currency,date,per_usd\n"
  printf "%s", line
  written = length(line)
  y = 1900; m = 1; d = 1; n = 0
  while (written < limit) {
    date = sprintf("%04d-%02d-%02d", y, m, d)
    for (c = 1; c <= ncur && written < limit; c++) {
      n++
      line = sprintf("%s,%s,%019d.%019d1\n", cur[c], date, n * 7919 % 1000000007 + 1, n)
      printf "%s", line
      written += length(line)
    }
    d++
    feb = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
    last = (m == 2) ? feb : mdays[m]
    if (d > last) { d = 1; m++ }
    if (m > 12) { m = 1; y++ }
    if (y > 2999) { print "out of dates" > "/dev/stderr"; exit 1 }
  }
}' >"$csv"
rows=$(($(wc -l <"$csv") - 1))
size=$(stat -c %s "$csv")
echo "$rows rows, $size bytes"

"$tfund" --db "$db" init --name "Benchmark" >/dev/null

run() { # LABEL
  local label=$1 t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time.txt" "$tfund" --db "$db" import rates "$csv" >"$work/out.txt"
  t1=$(date +%s.%N)
  rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
  awk -v l="$label" -v t0="$t0" -v t1="$t1" -v rss="$rss" -v size="$size" -v out="$(cat "$work/out.txt")" 'BEGIN {
    s = t1 - t0
    printf "%-28s %7.1f s, %6.1f MiB/s, peak RSS %7.1f MiB   (%s)\n", l, s, size / s / 1048576, rss / 1024, out
  }'
}
run "import, every row new:"
echo "database: $(($(stat -c %s "$db") / 1048576)) MiB"
run "import, every row known:"
