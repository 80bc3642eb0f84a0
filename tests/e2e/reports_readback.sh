#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reports read back: builds the sample fund (samples/gcm, the whole cycle)
# with two donors whose names look like formulas, writes every report
# (each donor, the fund, each session) at three dates, and reads every
# workbook with openpyxl to check each figure against tfund's own CSV
# output to the cent (the decisions of a session as they stood on the
# date), every formula's cached value, frozen headers, autofilters,
# column widths, page headers and footers, document properties, text
# kept as text, no account names or machine syntax on the sheets a donor
# reads, and that the donor statements add up to the fund.
#
# usage: bash tests/e2e/reports_readback.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null ||
    { echo "skipped: python3-openpyxl is not installed"; exit 77; }
SAMPLE=$SRC/samples/gcm

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
# Names that a spreadsheet would take for formulas: they must stay text.
tf donor add formula-name --name '=HYPERLINK("http://x","y")' \
    --type private >/dev/null
tf donor add plus-name --name '+1' --type other >/dev/null
tf receipt add RC-FORMULA --date 2017-03-01 --amount 2500.00 \
    --currency USD --donor formula-name --pool travel >/dev/null
tf receipt add RC-PLUS --date 2017-04-03 --amount 1000.00 --currency USD \
    --donor plus-name --pool unrestricted >/dev/null
$PY "$SAMPLE/cycle.py" "$TFUND" "$DB" "$SAMPLE" "$WORK" >"$WORK/cycle.log" \
    2>&1 || { cat "$WORK/cycle.log" >&2; fail "the sample cycle"; }
tf verify >/dev/null || fail "the sample books do not verify"

# Writes every report of the books in $DB as of $1 into $WORK/reports-$1
# and reads them back.
check_reports() {
    local AS_OF=$1 OUT=$WORK/reports-$1 CSV=$WORK/reports-$1/csv
    mkdir -p "$OUT/donors" "$OUT/sessions" "$CSV/alloc"
    echo "writing every report as of $AS_OF"
    tf report donors -o "$OUT/donors" --as-of "$AS_OF" >/dev/null
    tf report fund -o "$OUT/fund.xlsx" --as-of "$AS_OF" >/dev/null
    tf session list --format csv >"$CSV/sessions.csv"
    for s in $(tail -n +2 "$CSV/sessions.csv" | cut -d, -f1); do
        tf report session "$s" -o "$OUT/sessions/$s.xlsx" --as-of "$AS_OF" \
            >/dev/null
        tf allocation show "$s" --as-of "$AS_OF" --format csv \
            >"$CSV/alloc/$s.csv"
    done
    tf attribution --as-of "$AS_OF" --format csv >"$CSV/attribution.csv"
    tf pools --as-of "$AS_OF" --format csv >"$CSV/pools.csv"
    tf balance --as-of "$AS_OF" --format csv >"$CSV/balance.csv"
    tf pledge list --format csv >"$CSV/pledges.csv"
    tf receipt list --format csv >"$CSV/receipts.csv"
    tf donor list --format csv >"$CSV/donors.csv"
    tf settings --format csv >"$CSV/settings.csv"
    mkdir -p "$CSV/statement"
    for d in $(tail -n +2 "$CSV/donors.csv" | cut -d, -f1); do
        tf statement "$d" --to "$AS_OF" --format csv \
            >"$CSV/statement/$d.csv"
    done
    $PY "$SRC/tests/e2e/reports_readback.py" "$OUT" "$CSV" "$AS_OF" "$SRC" ||
        fail "read-back of the reports as of $AS_OF"
}

check_reports 2018-12-31
check_reports 2017-10-31

echo "closing a copy of the fund: refunds"
tf backup "$WORK/open.db" >/dev/null
for s in $(tf session list --format csv | tail -n +2 | cut -d, -f1); do
    for ref in $(tf allocation show "$s" --format csv |
        awk -F, '$6 == "funded" { print $1 }'); do
        tf cancel "$ref" --date 2019-01-15 >/dev/null
    done
done
tf close --date 2019-01-31 >/dev/null
check_reports 2019-01-31
$PY - "$WORK/reports-2019-01-31" <<'EOF' || fail "refunds are not in the reports"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1] + "/donors/norway.xlsx",
                            data_only=True)
uses = [r for r in wb["Sources and uses"].iter_rows(values_only=True)
        if r[0] == "Refunds to donors"]
assert uses and all(v > 0 for v in uses[0][1:] if v is not None and
                    not isinstance(v, str)), uses
EOF
DB=$WORK/open.db # the fund before closing, for the checks below

echo "checking errors"
set +e
tf report donor nobody -o "$WORK/x.xlsx" 2>"$WORK/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown donor: exit $rc, expected 2"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "unknown donor: not one line"
set +e
tf report session nowhere -o "$WORK/x.xlsx" 2>"$WORK/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown session: exit $rc, expected 2"
set +e
tf report fund -o "$WORK/no/such/dir/fund.xlsx" 2>"$WORK/err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "unwritable path: exit $rc, expected 3"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "unwritable path: not one line"
[ ! -e "$WORK/x.xlsx" ] || fail "a failed report left a file"
ls "$WORK" | grep >/dev/null 'xlsx\.' && fail "a temporary file was left behind"
set +e
tf report donor norway -o "$WORK/y.xlsx" --as-of 2018-02-30 2>/dev/null
rc=$?
set -e
[ $rc -eq 2 ] || fail "bad --as-of: exit $rc, expected 2"

echo "checking a session report shows the decisions of its date"
# R-its2-008 was funded on 2017-05-15 and cancelled on 2017-05-18
# (samples/gcm/cancellations.csv); its session re-ran that day.
for day in 0510 0516 0531; do
    tf report session its2 -o "$WORK/its2-$day.xlsx" \
        --as-of "2017-${day:0:2}-${day:2:2}" >/dev/null
done
$PY - "$WORK" <<'EOF' || fail "a session report does not show its date's decisions"
import sys, openpyxl
def status(day, sheet, ref):
    wb = openpyxl.load_workbook(f"{sys.argv[1]}/its2-{day}.xlsx")
    for r in wb[sheet].iter_rows(min_row=2, values_only=True):
        if r[0] == ref:
            return r[6 if sheet == "Grants" else 7]
    return None
assert status("0516", "Grants", "R-its2-008") == "funded"
assert status("0531", "Other requests", "R-its2-008") == "cancelled"
assert status("0531", "Grants", "R-its2-008") is None
# Before the first run, nothing was decided.
wb = openpyxl.load_workbook(f"{sys.argv[1]}/its2-0510.xlsx")
assert not [r for r in wb["Grants"].iter_rows(min_row=2, values_only=True)
            if r[0] and r[0].startswith("R-")], "grants before the first run"
assert all(r[7] == "pending" for r in wb["Other requests"].iter_rows(
    min_row=2, values_only=True) if r[0] and r[0].startswith("R-"))
EOF

echo "checking that the same books give the same file"
tf report donor norway -o "$WORK/a.xlsx" --as-of 2018-12-31 >/dev/null
sleep 1
tf report donor norway -o "$WORK/b.xlsx" --as-of 2018-12-31 >/dev/null
$PY - "$WORK/a.xlsx" "$WORK/b.xlsx" <<'EOF' || fail "reports differ"
import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
assert a.namelist() == b.namelist()
for name in a.namelist():
    if name == "xl/worksheets/sheet1.xml":
        continue  # the cover shows when it was generated
    assert a.read(name) == b.read(name), name
EOF
echo "reports read back: ok"
