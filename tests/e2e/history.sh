#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tfund history on the sample fund: a request's import, every allocation
# run that decided it, its cancellation or disbursement, each with the
# event (and so the command) that did it, in order; and the history of a
# donor, a pledge, a receipt and a session.
#
#   bash tests/e2e/history.sh TFUND-BINARY SOURCE-DIR
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm

command -v sqlite3 >/dev/null || {
  echo "skipped: history.sh needs the sqlite3 shell"
  exit 77
}
[ -x /usr/bin/python3 ] || {
  echo "skipped: history.sh needs python3 (samples/gcm/cycle.py)"
  exit 77
}
work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-history.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$work/gcm.db
unset TFUND_DB
fail() {
  echo "history: $*" >&2
  exit 1
}
tf() { "$tfund" --db "$db" "$@"; }
q() { sqlite3 -init /dev/null -batch -noheader "$db" "$1"; }

tf init >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
/usr/bin/python3 "$sample/cycle.py" "$tfund" "$db" "$sample" "$work/out" >/dev/null

# history REF: seq and what, one line each, from the CSV.
lines() {
  tf history "$1" --format csv | /usr/bin/python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
seqs = [int(r["seq"]) for r in rows]
assert seqs == sorted(seqs), seqs
for r in rows:
    print(r["seq"], r["what"], "|", r["command"])'
}

# A request waitlisted by one run, funded by a later one, then paid.
ref=$(q "SELECT request FROM decisions GROUP BY request
         HAVING count(DISTINCT run) >= 2 AND sum(status = 'disbursed') = 1
            AND sum(status = 'waitlisted') >= 1
         ORDER BY request LIMIT 1;")
[ -n "$ref" ] || fail "the sample has no request decided by two runs and paid"
h=$(lines "$ref")
grep -Eq "^[0-9]+ request $ref recorded: .* \| tfund import requests .*requests.csv$" <<<"$h" ||
  fail "$ref: no import: $h"
grep -Eq "^[0-9]+ $ref: actual cost recorded: .* \| tfund import costs " <<<"$h" ||
  fail "$ref: no actual cost: $h"
while IFS='|' read -r run date status session; do
  grep -Eq "^[0-9]+ $ref: $status by allocation run $run on $date.* \| tfund allocate $session --date $date" <<<"$h" ||
    fail "$ref: run $run ($status on $date) is missing: $h"
done < <(q "SELECT d.run, d.date, d.status, r.session FROM decisions d
            JOIN runs r ON r.id = d.run WHERE d.request = '$ref' ORDER BY d.id;")
paid=$(q "SELECT date FROM decisions WHERE request = '$ref' AND status = 'disbursed';")
grep -Eq "^[0-9]+ $ref: disbursed on $paid, charge .* \| tfund disburse $ref --date $paid$" <<<"$h" ||
  fail "$ref: no disbursement: $h"
grep -Eq "^[0-9]+ entry [0-9]+ \(disbursement, $paid\)" <<<"$h" ||
  fail "$ref: no disbursement entry: $h"
[ "$(wc -l <<<"$h")" -ge 6 ] || fail "$ref: too little history: $h"

# A cancelled request.
ref=$(q "SELECT request FROM decisions WHERE status = 'cancelled' ORDER BY id LIMIT 1;")
date=$(q "SELECT date FROM decisions WHERE request = '$ref' AND status = 'cancelled';")
h=$(lines "$ref")
grep -Eq "^[0-9]+ $ref: cancelled on $date \| tfund cancel $ref --date $date$" <<<"$h" ||
  fail "$ref: no cancellation: $h"

# A donor, a pledge and its receipts, a session and its runs.
donor=$(q "SELECT donor FROM pledges ORDER BY rowid LIMIT 1;")
pledge=$(q "SELECT ref FROM pledges WHERE donor = '$donor' ORDER BY rowid LIMIT 1;")
h=$(lines "$donor")
grep -q "donor $donor recorded" <<<"$h" || fail "$donor: $h"
grep -q "pledge $pledge recorded" <<<"$h" || fail "$donor: no pledge $pledge: $h"
h=$(lines "$pledge")
for r in $(q "SELECT ref FROM receipts WHERE pledge = '$pledge';"); do
  grep -q "receipt $r recorded: pledge $pledge" <<<"$h" || fail "$pledge: no receipt $r: $h"
done
session=$(q "SELECT session FROM runs GROUP BY session HAVING count(*) >= 2 LIMIT 1;")
h=$(lines "$session")
grep -q "session $session recorded" <<<"$h" || fail "$session: $h"
[ "$(grep -c "allocation run [0-9]* of $session on" <<<"$h")" = "$(q "SELECT count(*) FROM runs WHERE session = '$session';")" ] ||
  fail "$session: not every run: $h"
grep -Eq "[0-9]+ requests recorded: " <<<"$h" || fail "$session: its requests' import: $h"

# log --ref lists the same events as the history.
[ "$(tf log --ref "$ref" --format csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" = \
  "$(tf history "$ref" --format csv | tail -n +2 | cut -d, -f1 | uniq | tr '\n' ' ')" ] ||
  fail "log --ref $ref and history $ref disagree"

rc=0
tf history no-such-thing >/dev/null 2>"$work/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no donor, pledge, receipt, session or request is named 'no-such-thing'" "$work/err" ||
  fail "an unknown reference: exit $rc: $(cat "$work/err")"
echo "ok: the histories of a request, a donor, a pledge and a session, each step with its event"
