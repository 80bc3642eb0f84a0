#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders two pages of a sample donor statement to PNG, the pictures in
# README.md: its cover (reports/donor-statement.png) and its balance by
# pool (reports/donor-statement-pools.png). The sample fund's books, the
# statement of the donor for a period ending on their last day,
# LibreOffice to PDF, pdftoppm to PNG.
#
# usage: bash reports/render-png.sh [DONOR-ID [FROM]]
#        (default: switzerland, from 2018-01-01)
# Builds the sample fund first (samples/gcm/cycle.sh) when it is missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
donor=${1:-switzerland}
from=${2:-2018-01-01}
out=${TFUND_OUT:-$top/out/gcm}
db=$out/gcm.db

[ -f "$db" ] || bash samples/gcm/cycle.sh >/dev/null
for tool in libreoffice pdftoppm pdftotext; do
  command -v "$tool" >/dev/null ||
    { echo "render-png: $tool is missing (bash .ci/install-deps)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tfund() { "$top/build/tfund" --db "$db" "$@"; }
to=$(tfund journal --format csv | tail -n +2 | cut -d, -f2 | sort | tail -n 1)
# "Generated" shows the last day of the period too, so that the pictures
# change only when the statement does.
SOURCE_DATE_EPOCH=$(date -u -d "$to" +%s) \
  tfund report donor "$donor" -o "$work/$donor.xlsx" --from "$from" \
  --to "$to" >/dev/null
HOME=$work libreoffice --headless --norestore \
  "-env:UserInstallation=file://$work/profile" \
  --convert-to pdf --outdir "$work" "$work/$donor.xlsx" >/dev/null 2>&1
# The cover is the first page; keep its upper part, where the figures
# are.
pdftoppm -png -r 100 -f 1 -l 1 -singlefile -x 40 -y 30 -W 760 -H 1020 \
  "$work/$donor.pdf" "$work/cover"
cp "$work/cover.png" "$top/reports/donor-statement.png"
# The first page of the balance by pool, whole (its footer names it).
page=$(pdftotext -layout "$work/$donor.pdf" - | awk -v RS='\f' \
  '!p && /Balance by pool +Page [0-9]+ of/ { p = NR } END { print p }')
pdftoppm -png -r 80 -f "$page" -l "$page" -singlefile \
  "$work/$donor.pdf" "$work/pools"
cp "$work/pools.png" "$top/reports/donor-statement-pools.png"
echo "wrote reports/donor-statement.png and reports/donor-statement-pools.png" \
  "(the statement of '$donor' from $from to $to)"
