#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Limits of the CSV reader: huge fields, huge lines, nothing but a header.
# Each file gets a clear error (exit status 2, one message with
# file:line:column, nothing imported) or a correct result (exit status 0
# and the rows it holds), never a crash, and memory stays bounded (64 MiB,
# for a 10 MiB line as for a 1 GiB one: the reader holds a piece of a line
# and one record, and stops at the field or record limit).
#
#   bash tests/e2e/limits.sh TFUND-BINARY SOURCE-DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
unset TFUND_DB

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-limits.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
db=$work/fund.db

fail() {
  echo "limits: $*" >&2
  exit 1
}
tf() { "$tfund" --db "$db" "$@"; }

tf init --name "Limits test" >/dev/null
for kind in rates donors; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
fingerprint() { tf journal --format csv | cksum; tf donor list --format csv | cksum; }
before=$(fingerprint)

# Peak memory of a command in KiB, when GNU time is there (0 otherwise).
peak_kib() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$work/rss" "$@" || return $?
  else
    echo 0 >"$work/rss"
    "$@" || return $?
  fi
}
# A sanitizer build keeps freed memory in quarantine: no memory bound there.
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || grep >/dev/null -a __asan_init "$tfund"; then
  max_kib=0
else
  max_kib=$((64 * 1024))
fi

cases=0
# expect_error NAME KIND FILE LINE:COL WORDS: import refused with exit 2,
# the message naming FILE:LINE:COL and containing WORDS, nothing written.
expect_error() {
  local name=$1 kind=$2 file=$3 where=$4 words=$5 rc=0 rss
  peak_kib "$tfund" --db "$db" import "$kind" "$file" >out 2>err || rc=$?
  rss=$(tail -n1 "$work/rss")
  [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2: $(head -c 300 err)"
  head -n1 err | grep >/dev/null "^tfund: $file:$where: .*$words" ||
    fail "$name: the message does not say '$file:$where: ... $words': $(head -c 300 err)"
  [ "$(wc -c <err)" -lt 2000 ] || fail "$name: the message is $(wc -c <err) bytes long"
  [ "$(fingerprint)" = "$before" ] || fail "$name: the books changed"
  [ "$max_kib" -eq 0 ] || [ "$rss" -le "$max_kib" ] || fail "$name: peak memory $rss KiB"
  printf '%-34s exit 2, %s, peak %s KiB\n' "$name" "$(head -n1 err | cut -c1-90)" "$rss"
  cases=$((cases + 1))
}
expect_ok() {
  local name=$1 kind=$2 file=$3 want=$4 rc=0 rss
  peak_kib "$tfund" --db "$db" import "$kind" "$file" >out 2>err || rc=$?
  rss=$(tail -n1 "$work/rss")
  [ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(head -c 300 err)"
  grep -q "$want" out || fail "$name: expected '$want', got: $(cat out)"
  printf '%-34s exit 0, %s, peak %s KiB\n' "$name" "$(cut -c1-90 out)" "$rss"
  cases=$((cases + 1))
}

mib10=$((10 * 1024 * 1024))

# A 10 MiB unquoted field on one line.
{ printf 'id,name,type\nbig,'; head -c "$mib10" /dev/zero | tr '\0' 'x'; printf ',state\n'; } >field-unquoted.csv
expect_error "10 MiB unquoted field" donors field-unquoted.csv 2:2 "longer than 1048576 bytes"

# A 10 MiB quoted field over many lines (a quoted field may hold line
# breaks): refused before it is all buffered.
{ printf 'id,name,type\nbig,"'; head -c "$mib10" /dev/zero | tr '\0' 'y' | fold -w 1000; printf '",state\n'; } >field-quoted.csv
expect_error "10 MiB quoted multi-line field" donors field-quoted.csv 2:2 "longer than 1048576 bytes"

# A 10 MiB field with no line end at all, at the end of the file.
{ printf 'id,name,type\nbig,state,'; head -c "$mib10" /dev/zero | tr '\0' 'z'; } >field-last.csv
expect_error "10 MiB field without a line end" donors field-last.csv 2:3 "longer than 1048576 bytes"

# A 10 MiB header name.
{ head -c "$mib10" /dev/zero | tr '\0' 'h'; printf ',name,type\n'; } >header-huge.csv
expect_error "10 MiB header field" donors header-huge.csv 1:1 "longer than 1048576 bytes"

# A field of exactly 1 MiB passes the reader and meets the donor rules.
{ printf 'id,name,type\nwide,'; head -c $((1024 * 1024)) /dev/zero | tr '\0' 'w'; printf ',other\n'; } >field-1mib.csv
expect_error "1 MiB donor name (reader's limit)" donors field-1mib.csv 2:2 "donor name must have 1 to 200 bytes"

# 100,000 columns in the header.
awk 'BEGIN { printf "id,name,type"; for (i = 0; i < 100000; i++) printf ",c%d", i; printf "\n" }' >cols-header.csv
expect_error "header of 100,003 columns" donors cols-header.csv 1:4 "column 'c0' is not one of"

# 100,000 fields in a data row.
awk 'BEGIN { print "id,name,type"; printf "a,b,state"; for (i = 0; i < 100000; i++) printf ",x"; printf "\n" }' >cols-row.csv
expect_error "row of 100,003 fields" donors cols-row.csv 2:4 "expected 3 fields, found 100003"

# 100,000 empty fields (a line of commas).
{ echo "id,name,type"; head -c 100000 /dev/zero | tr '\0' ','; echo; } >commas.csv
expect_error "row of 100,001 empty fields" donors commas.csv 2:4 "expected 3 fields, found 100001"

# A line of 10 MiB of commas in the header.
{ head -c "$mib10" /dev/zero | tr '\0' ','; echo; } >header-commas.csv
expect_error "header of 10 MiB of commas" donors header-commas.csv 1:1 "column '' is not one of"

# A single physical line of 1 GiB, streamed through standard input (it is
# never written to disk): one field of a gigabyte, then a gigabyte of
# short fields. The reader stops at the field limit (1 MiB) or the record
# limit (16 MiB) without reading the rest of the line, in bounded memory.
gib=$((1024 * 1024 * 1024))
expect_stream() {
  local name=$1 where=$2 words=$3 rc=0 rss
  # tfund is the last of the pipeline: its status is the one kept. Its
  # address space is capped as well (768 MiB, outside a sanitizer build),
  # so that a reader that takes in the whole line fails even where GNU
  # time is missing.
  "${@:4}" | (
    [ "$max_kib" -eq 0 ] || ulimit -v $((768 * 1024))
    peak_kib "$tfund" --db "$db" import donors -
  ) >out 2>err || rc=$?
  rss=$(tail -n1 "$work/rss")
  [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2: $(head -c 300 err)"
  head -n1 err | grep >/dev/null "^tfund: -:$where: .*$words" ||
    fail "$name: the message does not say '-:$where: ... $words': $(head -c 300 err)"
  [ "$(fingerprint)" = "$before" ] || fail "$name: the books changed"
  [ "$max_kib" -eq 0 ] || [ "$rss" -le "$max_kib" ] || fail "$name: peak memory $rss KiB"
  printf '%-34s exit 2, %s, peak %s KiB\n' "$name" "$(head -n1 err | cut -c1-90)" "$rss"
  cases=$((cases + 1))
}
gib_field() { printf 'id,name,type\nbig,'; head -c "$gib" /dev/zero | tr '\0' 'x'; printf ',state\n'; }
gib_fields() { printf 'id,name,type\n'; head -c "$gib" /dev/zero | tr '\0' ','; printf '\n'; }
expect_stream "1 GiB line, one field" 2:2 "longer than 1048576 bytes" gib_field
expect_stream "1 GiB line of empty fields" 2 "record is longer than 16777216 bytes" gib_fields

# Nothing but a header, with and without a line end, with a BOM, with
# blank lines after it: zero rows imported, exit 0.
printf 'ref,donor,date,amount,currency,pool\n' >header-only.csv
expect_ok "a header only" pledges header-only.csv "0 rows: 0 added"
printf 'ref,donor,date,amount,currency,pool' >header-only-noeol.csv
expect_ok "a header only, no line end" pledges header-only-noeol.csv "0 rows: 0 added"
printf '\xef\xbb\xbfref,donor,date,amount,currency,pool\r\n\r\n\n\n' >header-only-bom.csv
expect_ok "BOM, header, blank lines" pledges header-only-bom.csv "0 rows: 0 added"
: >empty.csv
expect_error "an empty file" pledges empty.csv 1 "empty file"
printf '\n\n\n' >blank.csv
expect_error "blank lines only" pledges blank.csv 1 "empty file"

# A million blank lines between the header and the one row: the row's
# line number is still right.
{ echo "id,name,type"; head -c 1000000 /dev/zero | tr '\0' '\n'; echo "far,Far,bogus"; } >far.csv
expect_error "row after a million blank lines" donors far.csv 1000002:3 "type"

[ "$(fingerprint)" = "$before" ] || fail "the books changed"
tf verify >/dev/null || fail "the books do not verify"
echo "$cases limit cases: every one a clear error or a correct result, no crash"
