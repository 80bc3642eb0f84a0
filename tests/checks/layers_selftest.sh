#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layer check itself: two small libraries, 'low' and 'high', built
# from C here. When low calls a function of high, layers.sh must fail and
# name the call; when only high calls low, it must pass.
#
# usage: layers_selftest.sh CC AR NM SOURCE_DIR
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 CC AR NM SOURCE_DIR" >&2; exit 2; }
cc=$1 ar=$2 nm=$3 src=$(realpath "$4")
for tool in "$cc" "$ar" "$nm"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "skipped: no $tool"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

lib() { # lib NAME SOURCE
    printf '%s\n' "$2" >"$1.c"
    "$cc" -c -o "$1.o" "$1.c"
    rm -f "lib$1.a"
    "$ar" rcs "lib$1.a" "$1.o"
}

lib low 'int tf_low(int x) { return x + 1; }'
lib high 'int tf_low(int); int tf_high(int x) { return tf_low(x) * 2; }'
out=$(bash "$src/tests/checks/layers.sh" "$nm" liblow.a libhigh.a) ||
    fail "a library calling only the one below it was refused: $out"

lib low 'int tf_high(int); int tf_low(int x) { return x > 0 ? tf_high(x - 1) : 0; }'
rc=0
out=$(bash "$src/tests/checks/layers.sh" "$nm" liblow.a libhigh.a) || rc=$?
[ "$rc" -eq 1 ] || fail "a call from low to high was not refused (exit $rc): $out"
echo "$out" | grep >/dev/null "low (low.o) calls tf_high, defined in high above it" ||
    fail "the refusal does not name the call: $out"
echo "layers.sh refuses a call up ($(echo "$out" | head -n 1)) and passes calls down"
