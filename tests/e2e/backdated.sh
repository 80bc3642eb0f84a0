#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Commands dated in the past see the books as of their date; they must not
# spend money that later-dated commitments or payments already hold.
set -euo pipefail
tfund_bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { "$tfund_bin" --db "$tmp/f.db" "$@"; }
expect() { # expect STATUS command...
  local want=$1 got=0; shift
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$*' exited $got, expected $want"; cat "$tmp/out" "$tmp/err"; exit 1
  fi
}

t init >/dev/null
t donor add d1 --name D --type state >/dev/null
t receipt add R1 --date 2025-01-10 --amount 1500.00 --currency USD --donor d1 --pool travel >/dev/null
for s in S1:2025-03-10 S2:2025-05-10; do
  t session add "${s%%:*}" --name S --venue G --start "${s#*:}" --days 5 --dsa 0 \
    --terminal 0 --extra-days 0 >/dev/null
done
t request add q1 --session S1 --country KEN --delegate X \
  --submitted 2025-01-15T00:00:00Z --fare 1000.00 --fare-currency USD >/dev/null
t request add q2 --session S2 --country KEN --delegate Y \
  --submitted 2025-01-15T00:00:00Z --fare 1000.00 --fare-currency USD >/dev/null

# S2 first (1130.00 committed), then S1 dated earlier: as of its date the
# pool shows 1500.00, but only 370.00 is really left.
expect 0 t allocate S2 --date 2025-04-01 --budget all
before=$(t journal --format csv | sha256sum)
expect 1 t allocate S1 --date 2025-03-01 --budget all
grep -q "would leave pool 'travel' at -760.00 available" "$tmp/err"
[ "$(t journal --format csv | sha256sum)" = "$before" ] || { echo "FAIL: refused run wrote"; exit 1; }
t allocation show S1 --format csv | grep >/dev/null '^q1,S1,KEN,,.*,pending,' || {
  echo "FAIL: q1 should still be pending"; exit 1; }

# A grant is neither paid nor cancelled before the day it was funded.
expect 1 t disburse q2 --date 2025-03-15 --amount 900.00 --currency USD
grep -q "funded on 2025-04-01" "$tmp/err"
expect 1 t cancel q2 --date 2025-03-15
expect 0 t disburse q2 --date 2025-05-20 --amount 900.00 --currency USD
expect 0 t verify
echo "backdated commands: over-commitment and payments before funding refused, books intact"
