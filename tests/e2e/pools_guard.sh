#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No command may leave a pool's available negative as of today (DESIGN.md
# section 10, "Integrity refusals"), and 'reverse --ref REF' corrects a
# pledge, a receipt or a spending by its reference.
#
#   bash tests/e2e/pools_guard.sh TFUND-BINARY SOURCE-DIR
#
# Hand-worked: two receipts into travel, 1,500.00 (R1) and 100.00 (R2);
# one grant funded for 1,000.00 + 13% PSC = 1,130.00, leaving 470.00.
#  - reversing R1 (by entry id or by reference) would leave travel at
#    100.00 - 1,130.00 = -1,030.00: refused, exit 1, nothing written;
#  - reserve_rate 1 would hold back all 1,600.00 of receipts: -1,130.00,
#    refused; reserve_rate 0.1 (160.00) leaves 310.00: accepted;
#  - reversing R2 (a receipt recorded without a pledge) reverses it and
#    the pledge it recorded for itself: travel 1,500.00 - 1,130.00 -
#    150.00 = 220.00;
#  - the grant is then paid 900.00 (an underspend), which the negative
#    pool had made impossible before;
#  - a spending is reversed by its reference; a grant's reference, an
#    unknown one, a pledge with receipts and a second reversal are
#    refused.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start pools_guard "$@"

travel() { # the travel pool's figures: receipts,cash,committed,reserve,available
  tf pools --format csv | awk -F, '$1 == "travel" {print $2","$3","$4","$5","$6}'
}
entry_of() { # entry_of KIND REF: the id of the entry of that kind and reference
  tf journal --format csv | awk -F, -v k="$1" -v r="$2" '$3 == k && $4 == r {print $1; exit}'
}

tf init >/dev/null
tf donor add d1 --name D --type state >/dev/null
tf pledge add P1 --donor d1 --date 2025-01-02 --amount 1500.00 --currency USD --pool travel >/dev/null
tf receipt add R1 --pledge P1 --date 2025-01-10 --amount 1500.00 --currency USD >/dev/null
tf receipt add R2 --donor d1 --date 2025-01-11 --amount 100.00 --currency USD --pool travel >/dev/null
tf receipt add R3 --donor d1 --date 2025-01-11 --amount 300.00 --currency USD --pool prep >/dev/null
tf spend SP1 --date 2025-02-01 --amount 100.00 --memo "printing" >/dev/null
tf session add S1 --name S --venue G --start 2025-03-10 --days 5 --dsa 0 --terminal 0 \
  --extra-days 0 >/dev/null
tf request add q1 --session S1 --country KEN --delegate X --submitted 2025-01-15T00:00:00Z \
  --fare 1000.00 --fare-currency USD >/dev/null
tf allocate S1 --date 2025-03-01 --budget all --quiet >/dev/null
[ "$(travel)" = "1600.00,1600.00,1130.00,0.00,470.00" ] || fail "travel is $(travel) after the run"

echo "a receipt behind commitments"
r1=$(entry_of receipt R1)
refused 1 "would leave pool 'travel' at -1,030.00 available today" -- reverse "$r1" --date 2025-03-02
refused 1 "reversing receipt 'R1' would leave pool 'travel' at -1,030.00" -- reverse --ref R1 --date 2025-03-02
[ "$(travel)" = "1600.00,1600.00,1130.00,0.00,470.00" ] || fail "travel is $(travel) after the refusals"

echo "the operating reserve"
refused 1 "reserve_rate 1 would leave pool 'travel' at -1,130.00 available today" -- set reserve_rate 1
refused 1 "would leave pool 'travel'" -- set reserve_rate 0.3
tf set reserve_rate 0.1 >/dev/null || fail "reserve_rate 0.1 was refused"
[ "$(travel)" = "1600.00,1600.00,1130.00,160.00,310.00" ] || fail "travel is $(travel) with a reserve of 0.1"

echo "reverse --ref"
out=$(tf reverse --ref R2 --date 2025-03-02) || fail "reverse --ref R2 failed"
echo "  $out"
case $out in "entry "*" reverses entry "*"; entry "*" reverses entry "*" (R2)") ;;
  *) fail "reverse --ref R2 said '$out'" ;; esac
[ "$(travel)" = "1500.00,1500.00,1130.00,150.00,220.00" ] || fail "travel is $(travel) after reversing R2"
# Reversed records stay listed, marked by the entry that reversed them
# (the last column).
tf receipt list --format csv | grep >/dev/null -E '^R2,.*,[0-9]+,[0-9]+$' ||
  fail "R2 is not listed as reversed: $(tf receipt list --format csv | grep '^R2,')"
tf pledge list --format csv | grep >/dev/null -E '^R2,.*,0\.00,[^,]*,[^,]*,[0-9]+,[0-9]+$' ||
  fail "the pledge R2 recorded is not listed as reversed with nothing outstanding"
refused 1 "already reversed" -- reverse --ref R2 --date 2025-03-03
refused 1 "has 1 receipt: reverse it first" -- reverse --ref P1 --date 2025-03-03
refused 1 "is a travel grant" -- reverse --ref q1 --date 2025-03-03
refused 2 "no pledge, receipt or spending is recorded under reference 'nope'" -- \
  reverse --ref nope --date 2025-03-03
refused 2 "not both" -- reverse "$r1" --ref R1 --date 2025-03-03
out=$(tf reverse --ref SP1 --date 2025-03-03 --memo "booked twice") || fail "reverse --ref SP1 failed"
echo "  $out"
tf spend list --format csv | grep >/dev/null -E '^SP1,.*,[0-9]+,[0-9]+,' ||
  fail "SP1 is not listed as reversed: $(tf spend list --format csv | grep '^SP1,')"
tf pools --format csv | grep >/dev/null -E '^prep,300.00,300.00,0.00,30.00,270.00(,|$)' ||
  fail "prep is not back to its receipt: $(tf pools --format csv | grep '^prep')"

echo "an underspent disbursement"
tf disburse q1 --date 2025-03-20 --amount 900.00 --currency USD >/dev/null ||
  fail "the underspent disbursement was refused"
[ "$(travel)" = "1500.00,483.00,0.00,150.00,333.00" ] || fail "travel is $(travel) after paying 1,017.00"
tf verify >/dev/null || fail "the books do not verify"
tf attribution --format csv >/dev/null || fail "attribution failed"
echo "pools guard: refusals left the books as they were; reverse --ref corrected a receipt and a spending"
