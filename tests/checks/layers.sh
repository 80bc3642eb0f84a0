#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layers call one way down. Given the layers' static libraries from
# the lowest to the highest (base, store, books, records, grants, close,
# import, then the reports), reads with nm the functions and data each
# one defines and the ones it leaves undefined, and fails, naming the
# caller's object and the symbol, when a library uses a symbol defined by
# a library after it in the list: 'books' calling a function of 'grants'
# is refused, 'grants' calling 'books' is the way it should be.
#
# usage: layers.sh NM LIB...   (exit 0: one way down; 1: a call up;
#                              77: nm is missing, the check is skipped)
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 NM LIB LIB..." >&2; exit 2; }
nm=$1
shift
command -v "$nm" >/dev/null 2>&1 || { echo "skipped: no nm ('$nm')"; exit 77; }

defs=$(mktemp)
trap 'rm -f "$defs"' EXIT
level=0
names=()
for lib in "$@"; do
    [ -f "$lib" ] || { echo "layers: no library '$lib'" >&2; exit 2; }
    name=$(basename "$lib" .a)
    name=${name#lib}
    names+=("$name")
    "$nm" --defined-only -g "$lib" 2>/dev/null |
        awk -v l="$level" -v n="$name" 'NF == 3 {print $3, l, n}' >>"$defs"
    level=$((level + 1))
done

up=0
level=0
for lib in "$@"; do
    # "object.o:" headers, then "U symbol" lines for what it uses.
    while read -r object symbol; do
        hit=$(awk -v s="$symbol" -v l="$level" '$1 == s && $2 > l {print $3; exit}' "$defs")
        if [ -n "$hit" ]; then
            echo "layers: ${names[$level]} ($object) calls $symbol, defined in $hit above it"
            up=$((up + 1))
        fi
    done < <("$nm" -u "$lib" 2>/dev/null |
             awk '/:$/ {o = substr($1, 1, length($1) - 1); next}
                  $1 == "U" {print o, $2}')
    level=$((level + 1))
done

if [ "$up" -gt 0 ]; then
    echo "layers: $up call(s) from a lower layer to a higher one"
    exit 1
fi
echo "layers: ${names[*]}: every call goes down"
