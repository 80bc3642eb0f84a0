#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation against an independent reference model: every hand-made
# scenario of tests/scenarios and 40 seeded random ones
# (tests/reference/random_scenarios.py) are run through tfund (init, set,
# import, then the scenario's actions in order) and through
# tests/reference/model.py, which computes the expected results from
# DESIGN.md alone (tests/reference/README.md).
#
# First the model is checked on its own: the hand-worked results written
# in the scenarios' actions files, and its own promises (a re-run with
# nothing changed funds nothing). Then tfund must agree with it to the
# cent, field by field: every action's exit status (a run after the
# session's last day: 1), the CSV of every view action in the middle of a
# history ('allocation show S', 'allocation envelope S --date D',
# 'waitlist --date D [--session S]'), and at the end 'allocation show S
# --format csv' of every session, 'pools --format csv', 'allocation
# envelope S --format csv' of every session at its last day and today,
# 'waitlist --format csv' at every session's last day and today; and
# 'tfund verify' must pass.
#
# usage: bash tests/e2e/allocation_model.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
REF=$SRC/tests/reference
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
export PYTHONDONTWRITEBYTECODE=1
RANDOM_SCENARIOS=40
FIRST_SEED=1
HAND_SCENARIOS=19

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$PY" "$REF/random_scenarios.py" "$WORK" "$RANDOM_SCENARIOS" "$FIRST_SEED"

scenarios=()
for d in "$SRC"/tests/scenarios/*/; do
    scenarios+=("${d%/}")
done
for d in "$WORK"/random-*; do
    scenarios+=("$d")
done
[ ${#scenarios[@]} -ge $((RANDOM_SCENARIOS + HAND_SCENARIOS)) ] || {
    echo "FAIL: only ${#scenarios[@]} scenarios found" >&2
    exit 1
}

"$PY" "$REF/check.py" --model-only "${scenarios[@]}" || {
    echo "FAIL: the reference model disagrees with the hand-worked results" >&2
    exit 1
}
exec "$PY" "$REF/check.py" "$TFUND" "${scenarios[@]}"
