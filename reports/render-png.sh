#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders the cover of a sample donor statement to reports/donor-statement.png
# (the picture in README.md): the sample fund's books, the statement as of
# their last day, LibreOffice to PDF, pdftoppm to PNG.
#
# usage: bash reports/render-png.sh [DONOR-ID]   (default: switzerland)
# Builds the sample fund first (samples/gcm/cycle.sh) when it is missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
donor=${1:-switzerland}
out=${TFUND_OUT:-$top/out/gcm}
db=$out/gcm.db

[ -f "$db" ] || bash samples/gcm/cycle.sh >/dev/null
for tool in libreoffice pdftoppm; do
  command -v "$tool" >/dev/null ||
    { echo "render-png: $tool is missing (bash .ci/install-deps)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tfund() { "$top/build/tfund" --db "$db" "$@"; }
as_of=$(tfund journal --format csv | tail -n +2 | cut -d, -f2 | sort | tail -n 1)
# "Generated at" shows the as-of day too, so that the picture changes
# only when the statement does.
SOURCE_DATE_EPOCH=$(date -u -d "$as_of" +%s) \
  tfund report donor "$donor" -o "$work/$donor.xlsx" --as-of "$as_of" >/dev/null
HOME=$work libreoffice --headless --norestore \
  "-env:UserInstallation=file://$work/profile" \
  --convert-to pdf --outdir "$work" "$work/$donor.xlsx" >/dev/null 2>&1
# The cover is the first page; keep its upper part, where the figures
# and the chart are.
pdftoppm -png -r 110 -f 1 -l 1 -singlefile -x 55 -y 65 -W 770 -H 735 \
  "$work/$donor.pdf" "$work/cover"
cp "$work/cover.png" "$top/reports/donor-statement.png"
echo "wrote reports/donor-statement.png (the statement of '$donor' as of $as_of)"
