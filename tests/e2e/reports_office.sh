#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reports open in an office suite: builds a small fund from the sample
# (its first sessions), writes a donor statement, the fund statement and
# a session report, and converts each with LibreOffice to PDF. Each must
# convert and give a PDF with text on its pages.
#
# usage: bash tests/e2e/reports_office.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
# Without LibreOffice (or pdftotext) this test cannot run: exit 77, which
# ctest reports as skipped, never as passed.
for tool in libreoffice pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skipped: $tool is not installed"
        exit 77
    fi
done
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLE=$SRC/samples/gcm

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/fund.db
tf() { "$TFUND" --db "$DB" "$@"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf init --name "Sample trust fund" >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
    tf import "$kind" "$SAMPLE/$kind.csv" >/dev/null
done
tf donor add formula-name --name '=HYPERLINK("http://x","y")' \
    --type private >/dev/null
tf receipt add RC-FORMULA --date 2017-03-01 --amount 2500.00 \
    --currency USD --donor formula-name --pool travel >/dev/null
tf allocate its1 --date 2017-05-01 --quiet >/dev/null
for ref in $(tf allocation show its1 --format csv |
    awk -F, '$6 == "funded" { print $1 }'); do
    tf disburse "$ref" --date 2017-06-15 >/dev/null 2>&1 || true
done

mkdir -p "$WORK/out" "$WORK/pdf"
tf report donor norway -o "$WORK/out/norway.xlsx" --as-of 2017-06-30 >/dev/null
tf report donor formula-name -o "$WORK/out/formula-name.xlsx" \
    --as-of 2017-06-30 >/dev/null
tf report fund -o "$WORK/out/fund.xlsx" --as-of 2017-06-30 >/dev/null
tf report session its1 -o "$WORK/out/its1.xlsx" --as-of 2017-06-30 >/dev/null

# A private profile, so that the test neither needs nor touches a home.
export HOME=$WORK/home
for x in "$WORK"/out/*.xlsx; do
    name=$(basename "$x" .xlsx)
    timeout 300 libreoffice --headless --norestore \
        "-env:UserInstallation=file://$WORK/profile" \
        --convert-to pdf --outdir "$WORK/pdf" "$x" >"$WORK/lo.log" 2>&1 ||
        { cat "$WORK/lo.log" >&2; fail "$name: conversion failed"; }
    pdf=$WORK/pdf/$name.pdf
    [ -s "$pdf" ] || fail "$name: no PDF"
    head -c 5 "$pdf" | grep >/dev/null '%PDF-' || fail "$name: not a PDF"
    pdftotext "$pdf" "$WORK/pdf/$name.txt"
    grep -Eq "Books as of|Period" "$WORK/pdf/$name.txt" ||
        fail "$name: the cover is not in the PDF"
    echo "$name.xlsx: converted"
done
echo "reports open in LibreOffice: ok"
