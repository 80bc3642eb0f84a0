#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The manual page kept in the source tree (docs/tfund.1, installed as
# tfund(1) without running the program, so that a cross-build has it) must
# be what 'tfund help --man' writes: the help texts and the page never
# drift apart.
#
# usage: bash tests/e2e/man_page.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
page=$SRC/docs/tfund.1

[ -s "$page" ] || { echo "FAIL: $page is missing" >&2; exit 1; }
if ! "$TFUND" help --man | diff -u "$page" - >&2; then
    echo "FAIL: docs/tfund.1 is stale: write it again with" \
        "'build/tfund help --man > docs/tfund.1'" >&2
    exit 1
fi
grep -q '^\.TH TFUND 1 ' "$page" || { echo "FAIL: $page has no .TH line" >&2; exit 1; }
echo "docs/tfund.1 is what 'tfund help --man' writes ($(wc -l <"$page") lines)"
