#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Donor statements for a period in the middle of the sample process: builds
# the sample fund (samples/gcm, the whole cycle), writes every donor's
# statement and the fund statement for 2017-07-01..2018-03-31 (into a
# folder that does not exist yet), and reads every sheet back with
# openpyxl (statement_period.py): opening + receipts - uses = closing,
# closing = committed + free, what is owed per currency = pledges less
# receipts in that currency, each to the cent, against tfund's CSV output
# ('statement', 'balance', 'attribution', 'pledge list', 'receipt list',
# 'allocation show --as-of'); page headers and footers on every sheet; no
# account name, pool:amount or timestamp on a sheet a donor reads.
#
# usage: bash tests/e2e/statement_period.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
PY=/usr/bin/python3
SAMPLE=$SRC/samples/gcm
FROM=2017-07-01
TO=2018-03-31
BEFORE=2017-06-30

"$PY" -c 'import openpyxl' 2>/dev/null ||
    { echo "skipped: python3-openpyxl is not installed"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/gcm.db
tf() { "$TFUND" --db "$DB" "$@"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

echo "building the sample fund"
tf init --name "Trust Fund for the Global Compact for Migration (sample)" \
    >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
    tf import "$kind" "$SAMPLE/$kind.csv" >/dev/null
done
"$PY" "$SAMPLE/cycle.py" "$TFUND" "$DB" "$SAMPLE" "$WORK" >"$WORK/cycle.log" \
    2>&1 || { cat "$WORK/cycle.log" >&2; fail "the sample cycle"; }

OUT=$WORK/out/statements # out/ does not exist: report donors makes it
CSV=$WORK/csv
mkdir -p "$CSV/statement" "$CSV/since" "$CSV/alloc"
echo "writing the statements of $FROM to $TO"
tf report donors -o "$OUT" --from "$FROM" --to "$TO" >/dev/null ||
    fail "report donors into a folder that does not exist"
tf report fund -o "$WORK/fund.xlsx" --from "$FROM" --to "$TO" >/dev/null
tf donor list --format csv >"$CSV/donors.csv"
for d in $(tail -n +2 "$CSV/donors.csv" | cut -d, -f1); do
    tf statement "$d" --from "$FROM" --to "$TO" --format csv \
        >"$CSV/statement/$d.csv"
    tf statement "$d" --to "$TO" --format csv >"$CSV/since/$d.csv"
done
# The fund's own interest has a statement too: with the donors', its
# shares of each pool's spending add up to what the pool spent.
tf statement fund-interest --from "$FROM" --to "$TO" --format csv \
    >"$CSV/statement/fund-interest.csv"
tf interest list --format csv >"$CSV/interest.csv"
tf psc list --format csv >"$CSV/psc.csv"
tf session list --format csv >"$CSV/sessions.csv"
for s in $(tail -n +2 "$CSV/sessions.csv" | cut -d, -f1); do
    tf allocation show "$s" --as-of "$TO" --format csv >"$CSV/alloc/$s.csv"
done
tf balance --as-of "$TO" --format csv >"$CSV/balance.csv"
tf balance --as-of "$BEFORE" --format csv >"$CSV/balance-before.csv"
tf attribution --as-of "$TO" --format csv >"$CSV/attribution.csv"
tf attribution --as-of "$BEFORE" --format csv >"$CSV/attribution-before.csv"
tf pools --as-of "$TO" --format csv >"$CSV/pools.csv"
tf pledge list --format csv >"$CSV/pledges.csv"
tf receipt list --format csv >"$CSV/receipts.csv"
tf settings --format csv >"$CSV/settings.csv"
"$PY" "$SRC/tests/e2e/statement_period.py" "$OUT" "$WORK/fund.xlsx" "$CSV" \
    "$FROM" "$TO" "$SRC" || fail "read-back of the period's statements"

echo "checking errors"
expect() {
    local want=$1
    shift
    set +e
    "$@" >/dev/null 2>"$WORK/err"
    local rc=$?
    set -e
    [ $rc -eq "$want" ] || fail "$*: exit $rc, expected $want"
    head -n 1 "$WORK/err" | grep >/dev/null '^tfund: ' || fail "$*: no message"
}
expect 2 tf report donor norway -o "$WORK/x.xlsx" --from "$TO" --to "$FROM"
expect 2 tf statement norway --from "$TO" --to "$FROM"
expect 2 tf statement nobody --to "$TO"
expect 2 tf report session its1 -o "$WORK/x.xlsx" --from "$FROM"
touch "$WORK/a-file"
expect 2 tf report donors -o "$WORK/a-file"
[ ! -e "$WORK/x.xlsx" ] || fail "a refused report left a file"
echo "statements for a period: ok"
