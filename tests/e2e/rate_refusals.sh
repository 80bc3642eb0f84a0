#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rates never change what is booked (DESIGN.md section 10, "Integrity
# refusals"): a rate that would change the rate in force for an existing
# posting, or dated in a closed period, is refused with exit status 1 and
# nothing is written, from the command line and from a file.
#
#   bash tests/e2e/rate_refusals.sh TFUND-BINARY SOURCE-DIR
#
# On the sample's books: Norway's NOK receipt of 2017-01-23 was converted
# at the NOK rate of 2017-01-01 (8.5167). A NOK rate of 1.0 from
# 2017-01-15, between that rate and the receipt, would make 'verify' fail
# for good (rates cannot be removed): refused. A NOK rate in a month
# without NOK postings, or after the last one, is accepted. With a base
# currency other than USD, a rate of the base currency changes every
# conversion, whatever the currency converted.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start rate_refusals "$@"
sample=$src/samples/gcm

sample_receipts
tf journal --format csv | grep >/dev/null '^[0-9]*,2017-01-23,receipt,RC-2016-01-1,' || fail "the sample has no receipt of 2017-01-23"

echo "a rate between an old rate and a posting that used it"
refused 1 "would change the rate in force for entries already booked" -- rate add NOK 2017-01-15 1.0
grep -qF "converted at 8.5167 NOK per USD" err || fail "the message does not name the rate used"
printf 'currency,date,per_usd\nNOK,2017-01-15,1.0\n' >nok.csv
refused 1 "nok.csv:2:2: column 'date'" -- import rates nok.csv
# The pledge of 2016-12-12 used the rate of 2016-12-01: a rate from the
# pledge's own day would change it too.
refused 1 "entry" -- rate add NOK 2016-12-12 8.5

echo "rates that change nothing booked"
tf rate add NOK 2017-02-19 1.0 >/dev/null || fail "a NOK rate in a month without NOK postings was refused"
tf rate add NOK 2018-02-06 9.0 >/dev/null || fail "a NOK rate after the last NOK posting was refused"
tf verify >/dev/null || fail "the books do not verify"

echo "a closed period"
tf period close 2018-06-30 >/dev/null
refused 1 "closed through 2018-06-30" -- rate add NOK 2018-06-30 9.1
refused 1 "closed through 2018-06-30" -- rate add GBP 2017-07-02 0.8
tf rate add NOK 2018-07-02 9.1 >/dev/null || fail "a rate after the closed period was refused"
tf verify >/dev/null || fail "the books do not verify"

echo "a base currency other than USD"
db=$work/eur.db
tf init --base EUR >/dev/null
tf rate add EUR 2017-03-01 0.9 >/dev/null
tf donor add d1 --name D --type state >/dev/null
tf pledge add P1 --donor d1 --date 2017-03-05 --amount 1000.00 --currency USD --pool travel >/dev/null
refused 1 "would change the rate in force" -- rate add EUR 2017-03-03 0.95
tf rate add EUR 2017-03-06 0.95 >/dev/null || fail "a EUR rate after the last conversion was refused"
tf verify >/dev/null || fail "the EUR fund does not verify"
echo "rate refusals: backdated and closed-period rates refused, nothing written, verify ok"
