#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The corrections of a grant's life and the guards against the usual
# slips (DESIGN.md section 10), with figures worked out by hand:
# allocation runs and undo, reinstate, request amend, the duplicate
# request guard, disburse --correct and cost_tolerance, undisburse, the
# date of an imported cost's disbursement, closed periods, and figures too
# large to be real. After each, verify passes and the attribution adds up
# (per pool, the donors' balances sum to the pool's cash).
#
#   bash tests/e2e/corrections.sh TFUND-BINARY SOURCE-DIR
#
# The fund is tests/scenarios/rerun_cancel: 4,000.00 in travel, s1 (2
# days, starting 2017-05-10) and s2 (2 days, 2017-06-10), DSA 50 a day,
# PSC 13%: a fare of 500.00 costs 500 + 100 = 600 + 78 = 678.00, one of
# 300.00 costs 452.00.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: corrections.sh needs python3"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: corrections.sh needs sqlite3"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-corrections.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TFUND_DB

fail() {
  echo "corrections: $*" >&2
  exit 1
}
db=fund.db
tf() { "$tfund" --db "$db" "$@"; }
q() { sqlite3 -batch -noheader "$db" "$1"; }
books() {
  tf pools --format csv
  q "SELECT count(*) FROM events; SELECT count(*) FROM entries;
     SELECT group_concat(ref || ':' || status, ' ') FROM requests;"
}
travel() { tf pools --format csv | grep '^travel,' | cut -d, -f1-6; }  # pool,receipts,cash,committed,reserve,available
row() { tf allocation show "$1" --format csv | grep "^$2,"; }
# expect_refused RC PATTERN CMD...: exit RC, PATTERN on stderr, nothing written.
expect_refused() {
  local want=$1 pattern=$2 rc=0 before
  shift 2
  before=$(books)
  "$@" >out.txt 2>err.txt || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, expected $want: $(cat err.txt)"
  grep -Eq "$pattern" err.txt || fail "$*: says $(cat err.txt)"
  [ "$(books)" = "$before" ] || fail "$*: refused but wrote"
}
# The books check out: verify, and per pool the donors' attributed
# balances sum to the pool's cash (their outflows to its outflows).
sound() {
  tf verify >/dev/null || fail "$1: verify: $(tf verify)"
  "$PY" - "$tfund" "$db" "$1" <<'EOF' || fail "$1: the attribution does not add up"
import csv, io, subprocess, sys
tfund, db, what = sys.argv[1:4]
run = lambda *a: list(csv.DictReader(io.StringIO(subprocess.run(
    [tfund, "--db", db, *a, "--format", "csv"], check=True, capture_output=True,
    text=True).stdout)))
cents = lambda t: round(float(t) * 100)
pools = {r["pool"]: r for r in run("pools")}
bal = {}
for r in run("attribution"):
    bal[r["pool"]] = bal.get(r["pool"], 0) + cents(r["balance"])
    assert cents(r["receipts"]) == cents(r["outflows"]) + cents(r["balance"]), r
for p, r in pools.items():
    assert bal.get(p, 0) == cents(r["cash"]), (what, p, bal.get(p), r["cash"])
EOF
}

tf init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  tf import "$kind" "$src/tests/scenarios/rerun_cancel/$kind.csv" >/dev/null
done
pools0=$(tf pools --format csv)

# ---- Runs and their undo -------------------------------------------------------
# Run 1: envelope travel floor(4000 x 2/4) = 2000: K01 678, K02 678, K04
# 452 funded (1808); K03 678 > 644 and K05 452 > 192 waitlisted.
tf allocate s1 --date 2017-04-01 >/dev/null
runs=$(tf allocation runs --format csv)
grep -Eq '^1,s1,2017-04-01,[^,]+,order=submitted budget=days cap=-1 strict=0,fixed,unrestricted:0.00;travel:2000.00;ldc-travel:0.00,5,3,2,0,1808.00,$' <<<"$runs" ||
  fail "allocation runs: $runs"
out=$(tf allocation undo 1 --date 2017-04-02)
[ "$out" = "run 1 of s1 undone on 2017-04-02: 3 grant(s) back to pending, commitments of 1,808.00 released; 2 waitlisted or rejected back to pending" ] ||
  fail "undo: $out"
# The pools as before the run, to the cent; every request pending again,
# with no figures.
[ "$(tf pools --format csv)" = "$pools0" ] || fail "the undo did not restore the pools: $(tf pools --format csv)"
[ "$(tf allocation show s1 --format csv | grep -c ',pending,,,,,,,,$')" = 5 ] ||
  fail "after the undo: $(tf allocation show s1 --format csv)"
tf allocation runs s1 --format csv | grep >/dev/null ',undone 2017-04-02 ' || fail "the run is not shown undone"
tf history K01 | grep >/dev/null 'K01: pending on 2017-04-02 (run 1 undone)' || fail "history: $(tf history K01)"
tf history K01 | grep >/dev/null 'release: allocation run 1 undone' || fail "history: $(tf history K01)"
sound "after the undo"
expect_refused 1 'run 1 of s1 is undone' tf allocation undo 1 --date 2017-04-03
expect_refused 2 'no allocation run 9' tf allocation undo 9 --date 2017-04-03
# The undone run's envelope is gone: run 2 fixes one afresh (the same
# 2000) and decides as run 1 did.
out=$(tf allocate s1 --date 2017-04-03)
grep -q '^envelope fixed by this run: available x 2/4$' <<<"$out" || fail "run 2: $out"
grep -q '5 considered: 3 funded .* for 1,808.00' <<<"$out" || fail "run 2: $out"
echo "undo: run 1 undone, the pools exactly as before it; run 2 fixed the envelope afresh"

# ---- Reinstate ---------------------------------------------------------------
tf cancel K03 --date 2017-04-04 >/dev/null
out=$(tf reinstate K03 --date 2017-04-05)
[ "$out" = "K03 reinstated on 2017-04-05: pending" ] || fail "reinstate: $out"
[ "$(row s1 K03)" = "K03,s1,BRA,,GRULAC,pending,,,,,,,," ] || fail "K03 after reinstate: $(row s1 K03)"
expect_refused 1 "K03' is pending: only a cancelled request is reinstated" tf reinstate K03 --date 2017-04-05
expect_refused 1 'funded: only a cancelled' tf reinstate K01 --date 2017-04-05
sound "after reinstate"

# ---- Amend ---------------------------------------------------------------------
# K05's fare 300.00 -> 100.00: the next run prices 100 + 100 = 200, PSC
# 26.00, charge 226.00 > the 192.00 left: waitlisted at the new figures.
out=$(tf request amend K05 --fare 100.00 --fare-currency USD)
[ "$out" = "K05 amended: fare 100.00 USD" ] || fail "amend: $out"
expect_refused 1 "K01' is funded: only a pending or waitlisted" tf request amend K01 --gender F
expect_refused 2 'go together' tf request amend K05 --fare 10.00
tf allocate s1 --date 2017-04-06 >/dev/null
[ "$(row s1 K05)" = "K05,s1,MEX,2,GRULAC,waitlisted,insufficient-funds,100.00,100.00,0.00,200.00,26.00,226.00," ] ||
  fail "K05 after its amendment: $(row s1 K05)"
[ "$(row s1 K03)" = "K03,s1,BRA,2,GRULAC,waitlisted,insufficient-funds,500.00,100.00,0.00,600.00,78.00,678.00," ] ||
  fail "K03 reconsidered: $(row s1 K03)"
tf history K05 | grep >/dev/null 'request K05 recorded: .* fare 300.00 USD' || fail "K05's first version: $(tf history K05)"
tf history K05 | grep >/dev/null 'K05 amended: delegate Delegate K05, fare 100.00 USD' || fail "K05's amendment: $(tf history K05)"
sound "after the amendment"
echo "reinstate and amend: K03 back to pending and reconsidered; K05 priced at its new fare, 226.00"

# ---- The duplicate request guard ------------------------------------------------
# K02 is Delegate K02 of Kenya for s1: the same name, in other case and
# spacing, is a likely slip.
expect_refused 2 "request 'K06' duplicates request 'K02'.*--allow-duplicate" \
  tf request add K06 --session s1 --country KEN --delegate "DELEGATE  K02" \
  --submitted 2017-04-06T10:00:00Z --fare 10.00 --fare-currency USD
printf '%s\n' "ref,session,country,delegate,submitted,fare,fare_currency" \
  "K07,s1,KEN,delegate k02,2017-04-06T11:00:00Z,10.00,USD" >dup.csv
expect_refused 2 "dup.csv:2:.*duplicates request 'K02'" tf import requests dup.csv
# Another session, or another country, is no duplicate.
tf request add K13 --session s2 --country KEN --delegate "Delegate K02" \
  --submitted 2017-04-06T10:00:00Z --fare 10.00 --fare-currency USD >/dev/null
tf request add K06 --session s1 --country KEN --delegate "DELEGATE  K02" \
  --submitted 2017-04-06T10:00:00Z --fare 10.00 --fare-currency USD --allow-duplicate >/dev/null
tf log --format csv | tail -n 1 | grep >/dev/null -- "--allow-duplicate.*K06: recorded (a duplicate, --allow-duplicate)" ||
  fail "the override is not in the event: $(tf log --format csv | tail -n 1)"
tf cancel K06 --date 2017-04-07 >/dev/null
tf cancel K13 --date 2017-04-07 >/dev/null
# A cancelled request is no longer one to duplicate: K13's delegate may
# ask again for s2.
tf request add K14 --session s2 --country KEN --delegate "delegate k02" \
  --submitted 2017-04-07T10:00:00Z --fare 10.00 --fare-currency USD >/dev/null ||
  fail "K14 refused as the duplicate of a cancelled request"
tf cancel K14 --date 2017-04-07 >/dev/null
tf request add K15 --session s1 --country BRA --delegate "Someone Else" \
  --submitted 2017-04-07T10:00:00Z --fare 10.00 --fare-currency USD >/dev/null
expect_refused 2 "request 'K15' duplicates request 'K03'" tf request amend K15 --delegate "delegate k03"
tf cancel K15 --date 2017-04-07 >/dev/null
echo "duplicates: refused by request add, import and amend; --allow-duplicate recorded in the event"

# ---- The disbursement of an imported cost --------------------------------------
# Dated on the cost row's date, and the message puts the date where the
# date goes.
printf '%s\n' "ref,date,amount,currency" "K02,2017-05-20,600.00,USD" >costs.csv
tf import costs costs.csv >/dev/null
out=$(tf disburse K02)
[ "$out" = "K02 disbursed on 2017-05-20: actual 600.00 + PSC 78.00 = 678.00" ] || fail "disburse K02: $out"
[ "$(q "SELECT date FROM entries WHERE kind = 'disbursement' AND ref = 'K02'")" = 2017-05-20 ] ||
  fail "the disbursement of K02 is not dated on its cost's date"
out=$(tf disburse K01 --date 2017-05-12 --amount 600.00 --currency USD)
[ "$out" = "K01 disbursed on 2017-05-12: actual 600.00 + PSC 78.00 = 678.00" ] || fail "disburse K01: $out"
expect_refused 1 'run 2 cannot be undone: 2 of its grants have since been disbursed \(K01, K02\)' \
  tf allocation undo 2 --date 2017-05-21
sound "after the disbursements"

# ---- disburse --correct ----------------------------------------------------------
# K01 paid 600.00 + 78.00; the actual cost was 500.00: + 65.00 = 565.00,
# 113.00 of the commitment released. travel: cash 4000 - 565 - 678 =
# 2757.00, committed K04's 452.00, available 2305.00.
out=$(tf disburse K01 --correct --amount 500.00 --currency USD --date 2017-05-13)
grep -q '^K01 disbursement corrected on 2017-05-13: actual 500.00 + PSC 65.00 = 565.00; 113.00 of the commitment released (entry [0-9]* reversed)$' <<<"$out" ||
  fail "correct: $out"
[ "$(travel)" = "travel,4000.00,2757.00,452.00,0.00,2305.00" ] || fail "after the correction: $(travel)"
tf history K01 | grep >/dev/null 'reversal.*correction of the disbursement of K01' || fail "history: $(tf history K01)"
sound "after the correction"
# 1000.00 + 130.00 = 1130.00 against 678.00 committed: more than 50% over
# (1017.00), refused as a slip unless --force.
expect_refused 2 'exceeds its commitment \(678.00\) by more than cost_tolerance 0.5.*--force' \
  tf disburse K01 --correct --amount 1000.00 --currency USD --date 2017-05-13
expect_refused 1 "K04' is funded, not disbursed" tf disburse K04 --correct --amount 1.00 --currency USD --date 2017-05-13
out=$(tf disburse K01 --correct --amount 1000.00 --currency USD --date 2017-05-13 --force)
grep -q 'actual 1,000.00 + PSC 130.00 = 1,130.00; overrun of 452.00 drawn from available' <<<"$out" || fail "forced: $out"
# cash 4000 - 1130 - 678 = 2192.00, committed 452.00, available 1740.00.
[ "$(travel)" = "travel,4000.00,2192.00,452.00,0.00,1740.00" ] || fail "after the forced correction: $(travel)"
tf set cost_tolerance 1 >/dev/null
sound "after the forced correction"
echo "disburse --correct: 678.00 replaced by 565.00, then by 1,130.00 only with --force"

# ---- undisburse ---------------------------------------------------------------------
# K01 back to funded: the 1,130.00 comes back and 678.00 is committed
# again: cash 4000 - 678 = 3322.00, committed 1130.00, available 2192.00.
out=$(tf undisburse K01 --date 2017-05-14)
grep -q '^K01 back to funded on 2017-05-14: disbursement entry reversed (entry [0-9]*), commitment of 678.00 re-established$' <<<"$out" ||
  fail "undisburse: $out"
[ "$(travel)" = "travel,4000.00,3322.00,1130.00,0.00,2192.00" ] || fail "after undisburse: $(travel)"
row s1 K01 | grep >/dev/null ',funded,,500.00,100.00,0.00,600.00,78.00,678.00,travel:678.00$' || fail "K01: $(row s1 K01)"
sound "after undisburse"
# Paid again at 300.00 + 39.00: 339.00 released. Then the surplus moves
# all that s2 (1,356.00 pending) does not need, 2531 - 1356 = 1,175.00, and
# s2's run spends the rest: undisbursing K01 would need its 339.00 back.
tf disburse K01 --date 2017-05-14 --amount 300.00 --currency USD >/dev/null
out=$(tf surplus --date 2017-05-15 2>err.txt)
grep -q '^surplus 1,175.00: 0.00 from unrestricted and 1,175.00 from travel moved to prep' <<<"$out" ||
  fail "surplus: $out $(cat err.txt)"
tf allocate s2 --date 2017-05-16 --budget all >/dev/null
# cash 2983 - 1175 = 1808.00; committed K04 452 + K11, K12 1356 = 1808.00.
[ "$(travel)" = "travel,4000.00,1808.00,1808.00,0.00,0.00" ] || fail "before the refused undisburse: $(travel)"
expect_refused 1 "would leave pool 'travel' at -339.00 available on 2017-05-17: the pools cannot hold its commitment again" \
  tf undisburse K01 --date 2017-05-17
expect_refused 1 "K04' is funded, not disbursed" tf undisburse K04 --date 2017-05-17
sound "after the refusals"
echo "undisburse: K01 funded again with its 678.00 committed; refused when the pools cannot hold it"

# ---- Closed periods ------------------------------------------------------------------
tf period close 2017-05-31 >/dev/null
expect_refused 1 'closed through 2017-05-31: a cancellation dated 2017-05-31' tf cancel K04 --date 2017-05-31
expect_refused 1 'closed through 2017-05-31: a disbursement dated 2017-05-31' \
  tf disburse K04 --date 2017-05-31 --amount 100.00 --currency USD
expect_refused 1 'closed through 2017-05-31: an allocation dated 2017-05-30' tf allocate s2 --date 2017-05-30
expect_refused 1 'closed through 2017-05-31: an allocation dated 2017-05-30' tf allocate s2 --date 2017-05-30 --dry-run
expect_refused 1 'closed through 2017-05-31: an undo dated 2017-05-31' tf allocation undo 4 --date 2017-05-31
expect_refused 1 'closed through 2017-05-31: a reinstatement dated 2017-05-31' tf reinstate K06 --date 2017-05-31
expect_refused 1 'closed through 2017-05-31: an undisbursement dated 2017-05-31' tf undisburse K01 --date 2017-05-31
echo "closed period: an allocation, disbursement, cancellation, undo, reinstatement and undisbursement dated in it refused"

# ---- Figures too large to be real ------------------------------------------------------
expect_refused 2 "column 'fare'|--fare" tf request add K08 --session s2 --country NPL --delegate "Big Fare" \
  --submitted 2017-04-06T10:00:00Z --fare 92233720368547758.07 --fare-currency USD
expect_refused 2 'dsa 46000000000000000.00 USD is too large' tf session add s9 --name "Big" --venue "Nowhere" \
  --start 2018-01-10 --days 2 --dsa 46000000000000000 --terminal 0
printf '%s\n' "ref,date,amount,currency" "K04,2017-06-20,92233720368547758.07,USD" >big.csv
expect_refused 2 'too large' tf import costs big.csv
# The session's later runs still work.
tf allocate s2 --date 2017-06-10 --dry-run >/dev/null || fail "a dry run after the refusals"
sound "at the end"
echo "bounds: a fare, a DSA and a cost beyond any trip's refused where they come in"

# ---- The PSC of a payment already remitted ---------------------------------------
# K01 paid 600.00 + PSC 78.00 and the 78.00 remitted to the UN: undoing
# the payment, or correcting it down to 500.00 (PSC 65.00), would leave
# travel with more PSC remitted than charged (verify's check 8): refused.
# Corrected up to 700.00 (PSC 91.00) it owes 13.00 again.
rm -f "$db"*
tf init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  tf import "$kind" "$src/tests/scenarios/rerun_cancel/$kind.csv" >/dev/null
done
tf allocate s1 --date 2017-04-01 >/dev/null
tf disburse K01 --date 2017-05-12 --amount 600.00 --currency USD >/dev/null
tf psc pay --date 2017-05-13 --amount 78.00 >/dev/null
expect_refused 1 "undoing a disbursement dated 2017-05-14 would leave pool 'travel' with 78.00 more PSC remitted to the UN than charged" \
  tf undisburse K01 --date 2017-05-14
expect_refused 1 "a corrected disbursement dated 2017-05-14 would leave pool 'travel' with 13.00 more PSC remitted" \
  tf disburse K01 --correct --amount 500.00 --currency USD --date 2017-05-14
tf disburse K01 --correct --amount 700.00 --currency USD --date 2017-05-14 >/dev/null
[ "$(tf psc show --format csv | grep '^travel,')" = "travel,91.00,78.00,13.00" ] ||
  fail "PSC after the correction up: $(tf psc show --format csv)"
sound "after the PSC refusals"
echo "PSC remitted: a payment whose PSC the UN has is not taken back below it"

# ---- The sample fund's first run, undone ---------------------------------------------
rm -f "$db"*
tf init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  tf import "$kind" "$src/samples/gcm/$kind.csv" >/dev/null
done
before=$(tf pools --format csv)
tf allocate its1 --date 2017-05-01 --quiet >/dev/null
[ "$(tf pools --format csv)" != "$before" ] || fail "the sample's first run committed nothing"
out=$(tf allocation undo 1 --date 2017-05-02)
grep -q '^run 1 of its1 undone on 2017-05-02: 11 grant(s) back to pending, commitments of 32,476.15 released; 14 waitlisted or rejected back to pending$' <<<"$out" ||
  fail "the sample's undo: $out"
[ "$(tf pools --format csv)" = "$before" ] || fail "the sample's pools after the undo: $(tf pools --format csv)"
sound "the sample after the undo"
echo "sample: the first run undone, pools exactly as before it"
echo "ok"
