#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PSC remitted to the UN and interest earned, from the command line: the
# figures of a small fund worked out by hand, the exit status of every way
# in that is refused (2 bad input, 1 a rule) with nothing written, the same
# bank reference again adding nothing, a reversal, the attribution's row
# of the fund's own interest, the event each write appends, and the
# exported journal.
#
# usage: bash tests/e2e/treasury.sh TFUND SOURCE_DIR
set -euo pipefail
tfund_bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { "$tfund_bin" --db "$tmp/f.db" "$@"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect() { # expect STATUS command...
  local want=$1 got=0
  shift
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  [ "$got" = "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "'$*' exited $got, expected $want"; }
  if [ "$want" != 0 ]; then
    grep -q '^tfund: ' "$tmp/err" || fail "'$*': no message"
  fi
}
# The journal and the event log, to show a refused command wrote nothing.
state() { { t journal --format csv; t log --format csv; } | sha256sum; }

t init >/dev/null
t donor add alpha --name Alpha --type state >/dev/null
t donor add beta --name Beta --type state >/dev/null
t receipt add R1 --date 2025-01-10 --amount 10000.00 --currency USD --donor alpha --pool prep >/dev/null
t receipt add R2 --date 2025-01-10 --amount 5000.00 --currency USD --donor beta --pool prep >/dev/null
t receipt add R3 --date 2025-01-10 --amount 2000.00 --currency USD --donor alpha --pool unrestricted >/dev/null
t spend SP-1 --date 2025-02-01 --amount 3000.00 --memo translation >/dev/null
t spend SP-2 --date 2025-03-01 --amount 1000.00 --memo printing >/dev/null

# PSC charged: 13% of 4,000.00 = 520.00, all owed by prep.
t psc show --format csv >"$tmp/psc.csv"
grep -qx 'prep,520.00,0.00,520.00' "$tmp/psc.csv" || { cat "$tmp/psc.csv"; fail "psc show"; }
grep -qx 'unrestricted,0.00,0.00,0.00' "$tmp/psc.csv" || fail "psc show unrestricted"
t pools --format csv >"$tmp/pools-before.csv"
head -n 1 "$tmp/pools-before.csv" | grep >/dev/null -x 'pool,receipts,cash,committed,reserve,available,interest' ||
  fail "pools columns"

# Refused, nothing written: more than is owed (1), more than was owed on
# the date (1), bad amounts, dates, options (2).
before=$(state)
expect 1 t psc pay --date 2025-03-31 --amount 520.01
grep -q 'is 520.00' "$tmp/err" || fail "the message names what is owed"
expect 1 t psc pay --date 2025-02-15 --amount 400.00
expect 2 t psc pay --date 2025-03-31 --amount 0
expect 2 t psc pay --date 2025-03-31 --amount=-5.00
expect 2 t psc pay --date 2025-03-31 --amount 1.234
expect 2 t psc pay --date 2025-02-30 --amount 10.00
expect 2 t psc pay --date 2025-03-31
expect 2 t psc pay --date 2025-03-31 --amount 10.00 --pool prep
expect 2 t psc pay --date 2025-03-31 --amount 10.00 --ref "$(printf 'a\tb')"
expect 2 t psc send --date 2025-03-31 --amount 10.00
expect 2 t psc
[ "$(state)" = "$before" ] || fail "a refused remittance wrote"

# 200.00 on 2025-03-31 with a bank reference: printed with its entry.
expect 0 t psc pay --date 2025-03-31 --amount 200.00 --ref UN-2025-1
grep -Eq '^entry [0-9]+: PSC of 200.00 USD paid to the UN on 2025-03-31 \(prep 200.00\)$' "$tmp/out" ||
  { cat "$tmp/out"; fail "psc pay output"; }
entry=$(sed -E 's/^entry ([0-9]+):.*/\1/' "$tmp/out")
before=$(state)
expect 0 t psc pay --date 2025-03-31 --amount 200.00 --ref UN-2025-1
grep -qx 'UN-2025-1: already recorded, nothing added' "$tmp/out" || fail "known ref"
expect 2 t psc pay --date 2025-03-31 --amount 201.00 --ref UN-2025-1
[ "$(state)" = "$before" ] || fail "the same remittance twice wrote"
t psc show --format csv | grep >/dev/null -x 'prep,520.00,200.00,320.00' || fail "psc show after"
t psc list --format csv >"$tmp/list.csv"
head -n 1 "$tmp/list.csv" | grep >/dev/null -x 'entry,date,ref,amount,unrestricted,travel,ldc-travel,prep,reversed_by,memo' ||
  fail "psc list columns"
grep -q "^$entry,2025-03-31,UN-2025-1,200.00,0.00,0.00,0.00,200.00,," "$tmp/list.csv" || fail "psc list row"
# The pools' cash and available did not move; the bank's did.
t pools --format csv | cmp -s - "$tmp/pools-before.csv" || fail "a remittance moved a pool's cash"
t balance --format csv | grep >/dev/null -x 'assets:cash,prep,10800.00' || fail "bank cash of prep"
t log --format csv | tail -n 1 | grep >/dev/null "PSC of 200.00 USD paid to the UN" || fail "the event's summary"

# A mistaken remittance is reversed; paying what is owed then clears it.
expect 0 t reverse "$entry" --date 2025-04-01
t psc list --format csv | grep >/dev/null "^$entry,.*,[0-9][0-9]*,programme support costs paid to the UN$" ||
  fail "the reversal is not shown"
t psc show --format csv | grep >/dev/null -x 'prep,520.00,0.00,520.00' || fail "psc after the reversal"
expect 0 t psc pay --date 2025-04-02 --amount 520.00
t psc show --format csv | grep >/dev/null -x 'prep,520.00,520.00,0.00' || fail "psc cleared"

# Interest: refused into a pool no donor's money is in (1), bad pool or
# amount (2); 50.00 into unrestricted by default.
before=$(state)
expect 1 t interest add --date 2025-06-30 --amount 50.00 --pool ldc-travel
expect 1 t interest add --date 2025-01-09 --amount 50.00
expect 2 t interest add --date 2025-06-30 --amount 50.00 --pool bank
expect 2 t interest add --date 2025-06-30 --amount abc
expect 2 t interest add --date 2025-06-30 --amount 50.00 --as-of 2025-06-30
expect 2 t donor add fund-interest --name X --type other
[ "$(state)" = "$before" ] || fail "a refused interest wrote"
expect 0 t interest add --date 2025-06-30 --amount 50.00 --ref BANK-Q2
grep -Eq '^entry [0-9]+: interest of 50.00 USD credited to unrestricted on 2025-06-30$' "$tmp/out" ||
  fail "interest add output"
t interest list --format csv | grep >/dev/null '^[0-9]*,2025-06-30,BANK-Q2,unrestricted,50.00,,' || fail "interest list"
t pools --format csv | grep >/dev/null -x 'unrestricted,2000.00,2050.00,0.00,0.00,2050.00,50.00' ||
  { t pools --format csv; fail "pools after interest"; }
# The attribution: alpha 2,000.00 and the fund's interest 50.00 share the
# unrestricted pool (which has spent nothing).
t attribution --format csv | grep >/dev/null -x 'fund-interest,unrestricted,50.00,0.00,50.00,0.00' ||
  fail "attribution of the interest"
t attribution --donor fund-interest --format csv | tail -n +2 | wc -l | grep >/dev/null -x 1 ||
  fail "attribution --donor fund-interest"
t statement fund-interest --format csv | grep >/dev/null -x 'received,unrestricted,,,USD,50.00' ||
  fail "the interest's statement"
expect 0 t verify

# Help and the manual.
t help psc | grep >/dev/null 'pro-rata to what each owes' || fail "help psc"
t help interest | grep >/dev/null 'fund-interest' || fail "help interest"

# The exported journal has both entries (ledger_compare.sh reads the
# sample's, which has both kinds too, with ledger and hledger).
t export ledger -o "$tmp/f.ledger" >/dev/null
grep -q '; kind: psc-payment' "$tmp/f.ledger" || fail "export: no remittance"
grep -q '; kind: interest' "$tmp/f.ledger" || fail "export: no interest"
grep -Eq '^    revenue:interest +USD -50.00  ; pool: unrestricted$' "$tmp/f.ledger" ||
  fail "export: the interest's posting"
echo "psc pay and interest add: figures by hand, refusals write nothing"
