#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Donor statements as printed: builds the sample fund (samples/gcm, the
# whole cycle), writes every donor's statement for 2017-07-01..2018-03-31,
# converts each with LibreOffice to PDF and checks with pdftotext -layout
# (statement_pdf.py) that every page is headed with the fund, the donor
# and the period and numbered "Page N of M", that the first page names
# the donor and the period, and that every page of a table carries its
# whole header row (no page narrower than its table). Skipped (exit 77)
# when LibreOffice, pdftotext or openpyxl is missing.
#
# usage: bash tests/e2e/statement_pdf.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
for tool in libreoffice pdftotext; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "skipped: $tool is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null ||
    { echo "skipped: python3-openpyxl is not installed"; exit 77; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLE=$SRC/samples/gcm
FUND="Trust Fund for the Global Compact for Migration (sample)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/gcm.db
tf() { "$TFUND" --db "$DB" "$@"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

echo "building the sample fund"
tf init --name "$FUND" >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
    tf import "$kind" "$SAMPLE/$kind.csv" >/dev/null
done
/usr/bin/python3 "$SAMPLE/cycle.py" "$TFUND" "$DB" "$SAMPLE" "$WORK" \
    >"$WORK/cycle.log" 2>&1 || { cat "$WORK/cycle.log" >&2; fail "the cycle"; }
tf report donors -o "$WORK/xlsx" --from 2017-07-01 --to 2018-03-31 >/dev/null

echo "converting the statements to PDF"
# A private profile, so that the test neither needs nor touches a home.
export HOME=$WORK/home
timeout 900 libreoffice --headless --norestore \
    "-env:UserInstallation=file://$WORK/profile" \
    --convert-to pdf --outdir "$WORK/pdf" "$WORK"/xlsx/*.xlsx \
    >"$WORK/lo.log" 2>&1 || { cat "$WORK/lo.log" >&2; fail "conversion"; }
/usr/bin/python3 "$SRC/tests/e2e/statement_pdf.py" "$WORK/xlsx" "$WORK/pdf" \
    "$FUND" "1 July 2017 to 31 March 2018" "1 Jul 2017 to 31 Mar 2018" ||
    fail "the printed statements"
echo "donor statements as printed: ok"
