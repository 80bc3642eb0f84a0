#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation against an independent reference model: every hand-made
# scenario of tests/scenarios and 40 seeded random ones
# (tests/reference/random_scenarios.py) are run through tfund (init, set,
# import, then the scenario's actions in order) and through
# tests/reference/model.py, which computes the expected results from
# DESIGN.md alone. Every action's exit status, 'allocation show S --format
# csv' of every session and 'pools --format csv' must agree to the cent,
# field by field, and 'tfund verify' must pass. The hand-worked results
# written in some scenarios' actions files check the model itself.
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
[ ${#scenarios[@]} -ge $((RANDOM_SCENARIOS + 8)) ] || {
    echo "FAIL: only ${#scenarios[@]} scenarios found" >&2
    exit 1
}

exec "$PY" "$REF/check.py" "$TFUND" "${scenarios[@]}"
