#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Imports of files as offices save them: the sample's spreadsheet saved by
# Excel in a European locale (';', Windows-1252, DD/MM/YYYY, decimal
# commas, CRLF) gives exactly the records of the plain file; the separator
# is found in the header row and said; dates, times and amounts in other
# forms; every error of a bad file in one pass, up to --max-errors; exit 1
# when every error is a rule refusing a row. Nothing refused is written.
#
# usage: bash tests/e2e/imports.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLES=$SRC/samples/gcm
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 is not installed"; exit 77; }
command -v iconv >/dev/null || { echo "skipped: iconv is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export TFUND_DB=$WORK/fund.db

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" "$@"; }

state() { sqlite3 "$TFUND_DB" .dump | sha256sum; }

# expect RC FILE -- ARGS: tfund ARGS exits RC; stdout in out, stderr in
# err; when RC is not 0 the database is as it was.
expect() {
    local want=$1 before rc=0
    shift 2
    before=$(state)
    tf "$@" >out 2>err || rc=$?
    [ "$rc" -eq "$want" ] || { cat out err >&2; fail "tfund $*: exit $rc, expected $want"; }
    if [ "$want" -ne 0 ] && [ "$(state)" != "$before" ]; then
        fail "tfund $*: refused, yet the database changed"
    fi
}

has() { grep -qF -- "$1" "$2" || { cat "$2" >&2; fail "$2 lacks '$1'"; }; }

tf init >/dev/null
for kind in rates donors sessions pledges receipts; do
    tf import "$kind" "$SAMPLES/$kind.csv" >/dev/null
done

# ---- The sample's spreadsheet ------------------------------------------

excel=$SAMPLES/requests-its3-excel.csv
[ -f "$excel" ] || fail "no $excel"
head -c 200 "$excel" | grep >/dev/null ';' || fail "the spreadsheet file is not separated by ';'"
[ "$(grep -c $'\r$' "$excel")" -eq "$(wc -l <"$excel")" ] || fail "the spreadsheet file has lines without CRLF"
if iconv -f utf-8 -t utf-8 "$excel" >/dev/null 2>&1; then
    fail "the spreadsheet file is valid UTF-8: it should be Windows-1252 with accented names"
fi

echo "the spreadsheet as it is, without options: refused, every error told"
expect 2 -- import requests "$excel"
has "fields separated by ';' (found in the header row)" err
has "column 'delegate': invalid UTF-8 at byte" err
has "imports with --encoding windows-1252" err
has "is not YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD HH:MM[:SS] (written DD/MM/YYYY or MM/DD/YYYY?)" err
has "(written with a decimal comma?)" err
has "amounts written 1.234,56 import with --decimal-comma" err
has "dates written 31/12/2017 import with --date-format DD/MM/YYYY" err
n=$(grep -c "^tfund: $excel:[0-9]*:[0-9]*: " err)
[ "$n" -gt 27 ] || fail "only $n errors told for the spreadsheet read without options"
has "tfund: nothing was imported from '$excel' ($n errors)" err

echo "the spreadsheet with its options: the requests of its3"
expect 0 -- import requests "$excel" --delimiter ';' --encoding windows-1252 \
    --date-format DD/MM/YYYY --decimal-comma
has "$excel: 27 rows: 27 added, 0 already known" out
[ ! -s err ] || { cat err >&2; fail "a named separator is not said again"; }
# The plain file holds the same requests: 27 of its rows are known, so
# every field was read exactly as requests.csv writes it.
expect 0 -- import requests "$SAMPLES/requests.csv"
has "481 rows: 454 added, 27 already known" out
# Found rather than named, the separator is said on stderr.
expect 0 -- import requests "$excel" --encoding windows-1252 \
    --date-format DD/MM/YYYY --decimal-comma
has "27 rows: 0 added, 27 already known" out
has "tfund: $excel: fields separated by ';' (found in the header row)" err
# A name with an accent came through as UTF-8.
[ "$(sqlite3 "$TFUND_DB" "SELECT count(*) FROM requests WHERE session = 'its3' AND delegate GLOB '*[^ -~]*'")" -ge 5 ] ||
    fail "no accented delegate names among the its3 requests"

# ---- Other forms ---------------------------------------------------------

echo "dates MM/DD/YYYY, tabs, ISO-8859-1, times without seconds"
printf 'ref\tdonor\tdate\tamount\tcurrency\tpool\tdue\nMD-1\tnorway\t3/5/2018\t1.234,50\tEUR\ttravel\t12/31/2018\n' >md.tsv
expect 0 -- import pledges md.tsv --date-format MM/DD/YYYY --decimal-comma
has "md.tsv: 1 row: 1 added, 0 already known" out
has "fields separated by tabs (found in the header row)" err
tf pledge list --format csv | grep >/dev/null '^MD-1,norway,2018-03-05,travel,EUR,1234.50,.*,2018-12-31,[0-9]*,$' ||
    fail "MD-1 not read as 2018-03-05, EUR 1234.50, due 2018-12-31: $(tf pledge list --format csv | grep MD-1)"

printf 'id,name,type,country\nlatin-1,Ville de Gen\xe8ve (\xe9t\xe9),other,CHE\n' >latin1.csv
expect 0 -- import donors latin1.csv --encoding iso-8859-1
tf donor list --format csv | grep >/dev/null -F 'latin-1,Ville de Genève (été),other,CHE' || fail "ISO-8859-1 name not read"

printf 'ref,session,country,delegate,submitted,fare,fare_currency\nTM-1,its4,NPL,A B,2017-06-01 09:30,100.00,USD\nTM-2,its4,NPL,C D,2017-06-01 9:30:15,100.00,USD\n' >times.csv
expect 0 -- import requests times.csv
[ "$(sqlite3 "$TFUND_DB" "SELECT group_concat(submitted, ' ') FROM (SELECT submitted FROM requests WHERE ref GLOB 'TM-*' ORDER BY ref)")" = \
  "2017-06-01T09:30:00Z 2017-06-01T09:30:15Z" ] || fail "times without T...Z not read as UTC"

printf 'currency;date;per_usd\nSEK;01/01/2019;8,9512\n' >rates-eu.csv
expect 0 -- import rates rates-eu.csv --date-format DD/MM/YYYY --decimal-comma
[ "$(sqlite3 "$TFUND_DB" "SELECT per_usd FROM rates WHERE currency = 'SEK' AND date = '2019-01-01'")" = 8.9512 ] ||
    fail "a rate with a decimal comma not read"

# ---- Errors ----------------------------------------------------------------

echo "every error in one pass, up to --max-errors"
{
    echo 'ref,donor,date,amount,currency,pool'
    for i in 1 2 3 4 5; do echo "ME-$i,norway,2018-02-3$i,10.00,USD,travel"; done
} >many.csv
expect 2 -- import pledges many.csv
[ "$(grep -c '^tfund: many.csv:[2-6]:3: column .date.: date .2018-02-3[1-5]. is not a calendar date' err)" -eq 5 ] ||
    { cat err >&2; fail "the five bad dates were not all told"; }
has "tfund: nothing was imported from 'many.csv' (5 errors)" err
expect 2 -- import pledges many.csv --max-errors 2
[ "$(grep -c '^tfund: many.csv:' err)" -eq 2 ] || { cat err >&2; fail "--max-errors 2 told other than 2 errors"; }
has "tfund: reading stopped after 2 errors (--max-errors)" err
expect 2 -- import pledges many.csv --max-errors 1
[ "$(grep -c '^tfund: many.csv:' err)" -eq 1 ] || fail "--max-errors 1 told more than 1 error"
has "tfund: nothing was imported from 'many.csv'" err

echo "rules refusing rows: exit 1, each row told"
printf 'ref,date,amount,currency,memo\nBIG-1,2018-12-30,90000000.00,USD,a\nBIG-2,2018-12-31,90000000.00,USD,b\n' >big.csv
expect 1 -- import spend big.csv
[ "$(grep -c '^tfund: big.csv:[23]:3: ' err)" -eq 2 ] || { cat err >&2; fail "both refused spending rows not told"; }
# A bad row among them makes the file bad input.
printf 'ref,date,amount,currency,memo\nBIG-1,2018-12-30,90000000.00,USD,a\nBIG-2,2018-12-31,9.999,USD,b\n' >big2.csv
expect 2 -- import spend big2.csv

echo "a file without an encoding option read as UTF-8"
printf 'id,name,type\nw-1,Z\xfcrich,other\n' >w.csv
expect 2 -- import donors w.csv
has "w.csv:2:2: column 'name': invalid UTF-8 at byte 2" err
has "imports with --encoding windows-1252" err
printf '\xef\xbb\xbfid,name,type\nw-1,Zurich,other\n' >bom.csv
expect 2 -- import donors bom.csv --encoding windows-1252
has "bom.csv:1: the file begins with a UTF-8 byte order mark: it is UTF-8 text, not windows-1252" err

echo "a named separator that the header contradicts"
expect 2 -- import requests "$excel" --delimiter ,
has "(the header row is one field holding ';': the fields seem to be separated by ';')" err
has "imports with --delimiter ';'" err

echo "options refused"
expect 2 -- import donors w.csv --encoding ebcdic
has "--encoding: 'ebcdic' is not utf-8, windows-1252 or iso-8859-1" err
expect 2 -- import donors w.csv --date-format DD.MM.YYYY
has "--date-format: 'DD.MM.YYYY' is not YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY" err
expect 2 -- import donors w.csv --delimiter ab
expect 2 -- import donors w.csv --delimiter '"'
expect 2 -- import donors w.csv --max-errors 0
expect 2 -- import donors w.csv --max-errors x

tf verify >/dev/null || fail "the fund does not verify"
echo "imports: the spreadsheet, other forms and every error in one pass as described"
