#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every command and every option that 'tfund help' and README document,
# run at least once on the sample fund, with the exit status each must
# end with, and none crashing (tests/run --sanitize runs it under
# AddressSanitizer and UndefinedBehaviorSanitizer). The list of what to
# cover is read from the program's help and README, so that a new
# command or option that no run uses fails the test: every_option.py.
#
# usage: bash tests/e2e/every_option.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
unset TFUND_DB
exec "$PY" "$(dirname "$0")/every_option.py" "$(realpath "$1")" "$(realpath "$2")"
