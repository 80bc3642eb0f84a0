#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Approvals from the command line, by three operating-system logins: one
# proposes an allocation run and requests a payment, a second certifies,
# a third approves; every forbidden combination is refused (exit 1) and
# writes nothing; the event log names each actor.
#
#   bash tests/e2e/approvals.sh TFUND-BINARY SOURCE-DIR
#
# Needs root, to make two more operating-system users for the test (and
# remove them afterwards) and to run tfund as them with runuser; skipped
# (exit 77) otherwise.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
scenario=$src/tests/scenarios/rerun_cancel

[ "$(id -u)" = 0 ] || {
  echo "skipped: approvals.sh makes two users and needs root"
  exit 77
}
for tool in runuser useradd userdel sqlite3; do
  command -v "$tool" >/dev/null || {
    echo "skipped: approvals.sh needs $tool"
    exit 77
  }
done

certifier=tfcer$$
approver=tfapp$$
work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-approvals.XXXXXX")
cleanup() {
  userdel "$certifier" 2>/dev/null || true
  userdel "$approver" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for u in "$certifier" "$approver"; do
  useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --user-group "$u"
done
chmod 0777 "$work"
cp "$tfund" "$work/tfund"
chmod 0755 "$work/tfund"
cp "$scenario"/*.csv "$work/"
chmod 0644 "$work"/*.csv
db=$work/fund.db
me=$(id -un)

fail() {
  echo "approvals: $*" >&2
  exit 1
}
as() {
  local who=$1
  shift
  if [ "$who" = "$me" ]; then
    "$work/tfund" --db "$db" "$@"
  else
    runuser -u "$who" -- "$work/tfund" --db "$db" "$@"
  fi
}
books() {
  sqlite3 "$db" "SELECT count(*) FROM events; SELECT count(*) FROM entries;
                 SELECT group_concat(ref || ':' || status) FROM requests;"
}
# refused WHO PATTERN ARGS...: exit 1, PATTERN said, nothing written.
refused() {
  local who=$1 pattern=$2 rc=0 before
  shift 2
  before=$(books)
  as "$who" "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" = 1 ] || fail "$who: tfund $*: exit $rc: $(cat "$work/err")"
  grep -Eq "$pattern" "$work/err" || fail "$who: tfund $*: says $(cat "$work/err")"
  [ "$(books)" = "$before" ] || fail "$who: tfund $*: refused but wrote"
}

as "$me" init >/dev/null
chmod 0666 "$db"
for kind in rates donors sessions pledges receipts requests; do
  as "$me" import "$kind" "$work/$kind.csv" >/dev/null
done
as "$me" set approvals certify-approve >/dev/null

# ---- A run ------------------------------------------------------------------------
out=$(as "$me" allocate s1 --date 2017-04-01)
grep -q '^run 1 proposed: nothing is committed until it is approved' <<<"$out" || fail "allocate: $out"
[ "$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE status <> 'pending'")" = 0 ] ||
  fail "a proposed run changed the requests"
[ "$(as "$me" pools --format csv | grep '^travel,')" = "travel,4000.00,4000.00,0.00,0.00,4000.00" ] ||
  fail "a proposed run committed money"
as "$me" allocation runs --format csv | grep -q "^1,s1,2017-04-01,$me,.*,proposed 2017-04-01 $me\$" ||
  fail "runs: $(as "$me" allocation runs --format csv)"
# What it proposes is there for the certifier to see.
dec=$(as "$certifier" allocation decisions 1 --format csv)
grep -q '^K01,s1,IDN,2,Asia-Pacific,funded,,500.00,100.00,0.00,600.00,78.00,678.00,travel:678.00$' <<<"$dec" ||
  fail "the proposed decisions: $dec"
grep -q '^K03,s1,BRA,2,GRULAC,waitlisted,insufficient-funds,' <<<"$dec" || fail "the proposed decisions: $dec"
refused "$me" "run 1 of s1 is proposed and awaits its approval" allocate s1 --date 2017-04-02
refused "$me" "$me proposed run 1: it must be certified by someone else" allocation certify 1 --date 2017-04-02
refused "$approver" "run 1 is not certified yet" allocation approve 1 --date 2017-04-02
as "$certifier" allocation certify 1 --date 2017-04-02 >/dev/null
refused "$certifier" "$certifier certified run 1: it must be approved by someone else" \
  allocation approve 1 --date 2017-04-03
refused "$me" "$me proposed run 1: it must be approved by someone else" allocation approve 1 --date 2017-04-03
out=$(as "$approver" allocation approve 1 --date 2017-04-03)
[ "$out" = "run 1 approved on 2017-04-03: 3 funded for 1,808.00 committed, 2 waitlisted, 0 rejected" ] ||
  fail "approve: $out"
[ "$(as "$me" pools --format csv | grep '^travel,')" = "travel,4000.00,4000.00,1808.00,0.00,2192.00" ] ||
  fail "the approval did not commit: $(as "$me" pools --format csv)"
[ "$(sqlite3 "$db" "SELECT date FROM entries WHERE kind = 'commitment' LIMIT 1")" = 2017-04-03 ] ||
  fail "the commitments are not dated on the approval"
[ "$(as "$me" allocation decisions 1 --format csv)" = "$dec" ] ||
  fail "the approved decisions differ from the proposed: $(as "$me" allocation decisions 1 --format csv 2>&1)"
echo "run: proposed by $me, certified by $certifier, approved by $approver; each forbidden step refused"

# ---- A payment --------------------------------------------------------------------
out=$(as "$me" disburse K01 --date 2017-05-12 --amount 600.00 --currency USD)
grep -q '^payment request 1 for K01 recorded on 2017-05-12: nothing is paid until it is approved' <<<"$out" ||
  fail "disburse: $out"
[ "$(sqlite3 "$db" "SELECT status FROM requests WHERE ref = 'K01'")" = funded ] || fail "a payment request paid"
refused "$me" "$me requested payment 1: it must be certified by someone else" payment certify 1 --date 2017-05-12
refused "$approver" "payment request 1 is not certified yet" payment approve 1 --date 2017-05-12
as "$certifier" payment certify 1 --date 2017-05-12 >/dev/null
refused "$certifier" "$certifier certified payment 1: it must be approved by someone else" \
  payment approve 1 --date 2017-05-13
out=$(as "$approver" payment approve 1 --date 2017-05-13)
grep -q '^payment 1 approved on 2017-05-13: charge 678.00 paid (entry [0-9]*)$' <<<"$out" || fail "payment approve: $out"
[ "$(sqlite3 "$db" "SELECT status FROM requests WHERE ref = 'K01'")" = disbursed ] || fail "the approved payment was not made"
as "$me" payment list --format csv | grep -q "^1,K01,2017-05-12,600.00,USD,payment,$me,approved,2017-05-13,$approver," ||
  fail "payment list: $(as "$me" payment list --format csv)"
echo "payment: requested by $me, certified by $certifier, approved by $approver"

# ---- The log ------------------------------------------------------------------------
log=$(as "$me" log --format csv | tail -n +2 | cut -d, -f3 | sort -u | tr '\n' ' ')
for who in "$me" "$certifier" "$approver"; do
  grep -qw "$who" <<<"$log" || fail "$who is not in the log: $log"
done
as "$me" verify >/dev/null || fail "verify: $(as "$me" verify)"
echo "ok"
