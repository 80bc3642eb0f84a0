#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bounds of what tfund takes in (README, "Limits"): an amount of money
# at most 10^15 minor units, a fare or an actual cost at most 10^12, a DSA
# or terminal amount at most 10^11 minor units of the base currency, a
# rate from 0.001 to 10,000,000 per USD.
#
#   bash tests/e2e/input_bounds.sh TFUND-BINARY SOURCE-DIR
#
# Each value just past a bound is refused at input (exit 2, naming the
# bound, nothing written), from the command line and from files: a CHF
# rate of 1e-31 per USD, a fare of 92233720368547758.07, a DSA of 4.6e16
# (which before made every later allocation of the session fail). The
# values at the bounds are accepted, and an allocation and a disbursement
# of the largest trip then still work: nothing taken in overflows later.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start input_bounds "$@"

refused() { # refused TEXT -- ARGS: exit 2, TEXT on stderr, nothing written
  local text=$1 rc=0 before
  shift 2
  before=$(fingerprint)
  tf "$@" >out 2>err || rc=$?
  [ "$rc" -eq 2 ] || { cat out err >&2; fail "tfund $*: exit $rc, expected 2"; }
  grep -qF -- "$text" err || { cat err >&2; fail "tfund $*: stderr lacks '$text'"; }
  [ "$(fingerprint)" = "$before" ] || fail "tfund $*: refused but the fund changed"
  echo "  refused: $(head -1 err)"
}
ok() {
  local rc=0
  tf "$@" >out 2>err || rc=$?
  [ "$rc" -eq 0 ] || { cat out err >&2; fail "tfund $*: exit status $rc"; }
}

tf init >/dev/null
ok donor add d1 --name D --type state
ok rate add EUR 2017-01-01 0.9

echo "rates"
refused "accepts rates from 0.001 to 10000000" -- rate add CHF 2017-02-19 0.0000000000000000000000000000001
refused "accepts rates from 0.001 to 10000000" -- rate add CHF 2017-02-19 0.000999
refused "accepts rates from 0.001 to 10000000" -- rate add VND 2017-02-19 10000000.0001
printf 'currency,date,per_usd\nCHF,2017-02-19,0.0000000000000000000000000000001\n' >rates.csv
refused "rates.csv:2:3: column 'per_usd'" -- import rates rates.csv
ok rate add CHF 2017-02-19 0.001
ok rate add VND 2017-02-19 10000000

echo "amounts of money"
refused "tfund accepts at most 10000000000000.00 USD" -- pledge add P1 --donor d1 --date 2017-03-01 \
  --amount 10000000000000.01 --currency USD --pool travel
refused "tfund accepts at most 1000000000000000 VND" -- receipt add R1 --donor d1 --date 2017-03-01 \
  --amount 1000000000000001 --currency VND
printf 'ref,donor,date,amount,currency,pool\nP1,d1,2017-03-01,10000000000000.01,USD,travel\n' >pledges.csv
refused "pledges.csv:2:4: column 'amount'" -- import pledges pledges.csv
printf 'ref,date,amount,currency,donor,pool\nR1,2017-03-01,1000000000000000.01,EUR,d1,travel\n' >receipts.csv
refused "receipts.csv:2:3: column 'amount'" -- import receipts receipts.csv
refused "spending 10000000000000.01 USD is too large" -- spend S1 --date 2017-03-02 \
  --amount 10000000000000.01 --currency USD
# The money of the largest trip: pools filled with amounts at the bound.
day=1
for pool in ldc-travel travel unrestricted; do
  ok receipt add "R-$pool" --donor d1 --date "2017-03-0$day" --amount 10000000000000.00 \
    --currency USD --pool "$pool"
  day=$((day + 1))
done

echo "sessions and requests"
refused "dsa 46000000000000000.00 USD is too large: tfund accepts at most 1000000000.00 USD" -- \
  session add s1 --name S --venue V --start 2019-01-07 --days 366 --extra-days 366 \
  --dsa 46000000000000000 --terminal 10
refused "terminal 1000000000.01 USD is too large" -- session add s1 --name S --venue V \
  --start 2019-01-07 --days 1 --dsa 1 --terminal 1000000000.01
refused "travel_budget 10000000000000.01 USD is too large" -- session add s1 --name S --venue V \
  --start 2019-01-07 --days 1 --dsa 1 --terminal 1 --travel-budget 10000000000000.01
printf 'id,name,venue,start,days,dsa,terminal\ns1,S,V,2019-01-07,2,46000000000000000,10\n' >sessions.csv
refused "sessions.csv:2:6: column 'dsa'" -- import sessions sessions.csv
ok session add s1 --name S --venue V --start 2019-01-07 --days 366 --extra-days 366 \
  --dsa 1000000000.00 --terminal 1000000000.00
refused "fare 92233720368547758.07 USD is too large: tfund accepts at most 10000000000.00 USD" -- request add Q1 --session s1 --country NPL \
  --delegate A --submitted 2018-06-01T10:00:00Z --fare 92233720368547758.07 --fare-currency USD
printf 'ref,session,country,delegate,submitted,fare,fare_currency\nQ1,s1,NPL,A,2018-06-01T10:00:00Z,10000000000.01,USD\n' >requests.csv
refused "requests.csv:2:6: column 'fare'" -- import requests requests.csv
# The largest trip tfund accepts: the largest fare in a currency at the
# strongest rate it allows (1,000 USD a franc), the largest DSA for 732
# days and the largest terminal amount.
ok request add Q1 --session s1 --country NPL --delegate A \
  --submitted 2018-06-01T10:00:00Z --fare 10000000000.00 --fare-currency CHF

echo "the largest trip allocates and is paid without overflow"
ok allocate s1 --date 2018-12-01 --budget all
tf allocation show s1 --format csv >alloc.csv
grep -q '^Q1,s1,NPL,1,.*,funded,' alloc.csv || { cat alloc.csv >&2; fail "the largest trip was not funded"; }
refused "actual cost 10000000000.01 CHF is too large" -- disburse Q1 --date 2019-01-20 \
  --amount 10000000000.01 --currency CHF
printf 'ref,date,amount,currency\nQ1,2019-01-20,10000000000.01,CHF\n' >costs.csv
refused "costs.csv:2:3: column 'amount'" -- import costs costs.csv
ok disburse Q1 --date 2019-01-20 --amount 10000000000.00 --currency CHF
ok verify
echo "input bounds: refused past each bound, the largest accepted values computed without overflow"
