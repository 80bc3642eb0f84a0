#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guard against the same money recorded twice (DESIGN.md section 10,
# "Guards against the usual slips"): a receipt with the donor, date,
# amount and currency of one recorded under another reference is refused
# with exit status 2, naming the option that overrides it and the other
# reference, unless --allow-duplicate is given, on 'receipt add' and on
# 'import receipts'; the event then records the option.
#
#   bash tests/e2e/duplicate_receipts.sh TFUND-BINARY SOURCE-DIR
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start duplicate_receipts "$@"
sample=$src/samples/gcm

sample_receipts
# Norway's NOK pledge PL-2018-01 was paid in full by RC-2018-01-1 on
# 2018-02-05; a new pledge leaves room for the same transfer again.
tf pledge add PL-X --donor norway --date 2018-01-20 --amount 500000.00 --currency NOK \
  --pool travel >/dev/null

echo "the same transfer under a new reference"
refused 2 "receipt 'RC-NEW' duplicates receipt 'RC-2018-01-1'" -- receipt add RC-NEW \
  --pledge PL-X --date 2018-02-05 --amount 100000.00 --currency NOK
grep -qF -- "--allow-duplicate" err || fail "the message does not name --allow-duplicate"
printf 'ref,date,amount,currency,pledge\nRC-NEW,2018-02-05,100000.00,NOK,PL-X\n' >again.csv
refused 2 "again.csv:2:1: column 'ref': receipt 'RC-NEW' duplicates receipt 'RC-2018-01-1'" -- \
  import receipts again.csv
# Without a pledge: the donor given is compared.
refused 2 "duplicates receipt 'RC-2018-01-1'" -- receipt add RC-NEW2 --donor norway \
  --date 2018-02-05 --amount 100000.00 --currency NOK --pool travel
# Two rows of one file.
printf 'ref,date,amount,currency,donor\nRC-A,2018-03-01,10.00,USD,iom\nRC-B,2018-03-01,10.00,USD,iom\n' >twice.csv
refused 2 "twice.csv:3:1: column 'ref': receipt 'RC-B' duplicates receipt 'RC-A'" -- \
  import receipts twice.csv

echo "not duplicates: another donor, date, amount or currency, or the same reference again"
tf receipt add RC-D1 --pledge PL-X --date 2018-02-06 --amount 100000.00 --currency NOK >/dev/null
tf receipt add RC-D2 --pledge PL-X --date 2018-02-05 --amount 100000.01 --currency NOK >/dev/null
tf receipt add RC-D3 --donor sweden --date 2018-02-05 --amount 100000.00 --currency NOK \
  --pool travel >/dev/null
tf import receipts "$sample/receipts.csv" | grep >/dev/null ": 41 rows: 0 added, 41 already known" ||
  fail "the sample's receipts imported again were not all known"

echo "--allow-duplicate"
out=$(tf receipt add RC-NEW --pledge PL-X --date 2018-02-05 --amount 100000.00 --currency NOK \
  --allow-duplicate) || fail "receipt add --allow-duplicate was refused"
case $out in "RC-NEW: recorded as entry "[0-9]*) ;; *) false ;; esac || fail "receipt add --allow-duplicate said '$out'"
out=$(tf import receipts twice.csv --allow-duplicate) || fail "import --allow-duplicate was refused"
case $out in *"2 added, 0 already known, 1 duplicate allowed (--allow-duplicate)") ;;
  *) fail "import --allow-duplicate said '$out'" ;; esac
tf log --format csv >log.csv
grep -q ',tfund receipt add RC-NEW .*--allow-duplicate,"RC-NEW: recorded (a duplicate, --allow-duplicate)"$' log.csv ||
  fail "the event of receipt add does not record the override: $(tail -3 log.csv)"
grep -q ',tfund import receipts twice.csv --allow-duplicate,' log.csv ||
  fail "the event of the import does not record the override"

echo "a reversed receipt is no longer recorded"
tf reverse --ref RC-D1 --date 2018-02-07 >/dev/null
tf receipt add RC-D1B --pledge PL-X --date 2018-02-06 --amount 100000.00 --currency NOK >/dev/null ||
  fail "a receipt like a reversed one was refused"
tf verify >/dev/null || fail "the books do not verify"
echo "duplicate receipts: refused from the command line and from files, allowed with the option, recorded in the log"
