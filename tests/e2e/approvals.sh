#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Approvals from the command line in a team fund, by three users mapped to
# three operating-system logins: ana (admin, recorder, programme, and also
# certifying and approving, so that only the separation of duties stops
# her), cem (certifying and approving) and apo (approving). ana proposes
# allocation runs and requests payments, cem certifies, apo approves. Every
# forbidden combination is refused (exit 1) and writes nothing: the
# proposer certifying or approving, the certifier approving, a user
# lacking the role (the message names it), a rejection by the wrong
# officer, a second proposal while one is pending, an approval after the
# figures changed. The team fund's default approvals are certify-approve
# (a fund of one person's none). Then 'tfund log' shows every write of
# the walk under the user who made it, and 'tfund history' of a request
# its import, each run that decided it (proposed, certified, approved),
# its cancellation, reinstatement and disbursement.
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
# as USER ARGS...: tfund run by the login of a fund user.
as() {
  local who=$1
  shift
  case $who in
  ana) "$work/tfund" --db "$db" "$@" ;;
  cem) runuser -u "$certifier" -- "$work/tfund" --db "$db" "$@" ;;
  apo) runuser -u "$approver" -- "$work/tfund" --db "$db" "$@" ;;
  *) fail "no user $who" ;;
  esac
}
books() {
  sqlite3 "$db" "SELECT count(*) FROM events; SELECT count(*) FROM entries;
                 SELECT group_concat(ref || ':' || status) FROM requests;
                 SELECT count(*) FROM run_steps; SELECT count(*) FROM payment_steps;"
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
travel() { as ana pools --format csv | grep '^travel,' | cut -d, -f1-6; }
status() { sqlite3 "$db" "SELECT status FROM requests WHERE ref = '$1'"; }

# ---- A fund of one person: approvals none, a run is posted at once ----------------
"$work/tfund" --db "$work/solo.db" init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  "$work/tfund" --db "$work/solo.db" import "$kind" "$work/$kind.csv" >/dev/null
done
out=$("$work/tfund" --db "$work/solo.db" allocate s1 --date 2017-04-01 --quiet)
grep -q "^s1 on 2017-04-01: 5 considered: 3 funded" <<<"$out" || fail "a single-user fund's run: $out"
[ "$(sqlite3 "$work/solo.db" "SELECT count(*) FROM requests WHERE status = 'funded'")" = 3 ] ||
  fail "a single-user fund's run was not posted"

# ---- The team fund ------------------------------------------------------------------
as ana init >/dev/null
chmod 0666 "$db"
for kind in rates donors sessions pledges receipts requests; do
  as ana import "$kind" "$work/$kind.csv" >/dev/null
done
as ana user add ana --name "Ana, programme officer" \
  --role admin,recorder,programme,certifying,approving --login "$me" >/dev/null
as ana user add cem --name "Cem, certifying officer" --role certifying,approving \
  --login "$certifier" >/dev/null
as ana user add apo --name "Apo, approving officer" --role approving \
  --login "$approver" >/dev/null
# approvals is not set: a team fund's default is certify-approve.
[ -z "$(sqlite3 "$db" "SELECT value FROM settings WHERE key = 'approvals'")" ] ||
  fail "approvals was set"

# ---- A run: proposed by ana, certified by cem, approved by apo --------------------
out=$(as ana allocate s1 --date 2017-04-01)
grep -q '^run 1 proposed: nothing is committed until it is approved' <<<"$out" || fail "allocate: $out"
[ "$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE status <> 'pending'")" = 0 ] ||
  fail "a proposed run changed the requests"
[ "$(travel)" = "travel,4000.00,4000.00,0.00,0.00,4000.00" ] || fail "a proposed run committed money: $(travel)"
as ana allocation runs --format csv | grep >/dev/null "^1,s1,2017-04-01,ana,.*,proposed 2017-04-01 ana\$" ||
  fail "runs: $(as ana allocation runs --format csv)"
dec=$(as cem allocation decisions 1 --format csv)
grep -q '^K01,s1,IDN,2,Asia-Pacific,funded,,500.00,100.00,0.00,600.00,78.00,678.00,travel:678.00$' <<<"$dec" ||
  fail "the proposed decisions: $dec"
refused ana "run 1 of s1 is proposed and awaits its approval" allocate s1 --date 2017-04-02
refused cem "'allocate' needs the programme role, which user 'cem' does not have" allocate s2 --date 2017-04-02
refused ana "ana proposed run 1: it must be certified by someone else" allocation certify 1 --date 2017-04-02
refused apo "'allocation certify' needs the certifying role, which user 'apo' does not have" \
  allocation certify 1 --date 2017-04-02
refused apo "run 1 is not certified yet" allocation approve 1 --date 2017-04-02
refused apo "run 1 awaits its certification: only a user with the certifying role may reject it now" \
  allocation reject 1 --reason "not mine to reject" --date 2017-04-02
as cem allocation certify 1 --date 2017-04-02 >/dev/null
refused cem "cem certified run 1: it must be approved by someone else" allocation approve 1 --date 2017-04-03
refused ana "ana proposed run 1: it must be approved by someone else" allocation approve 1 --date 2017-04-03
out=$(as apo allocation approve 1 --date 2017-04-03)
[ "$out" = "run 1 approved on 2017-04-03: 3 funded for 1,808.00 committed, 2 waitlisted, 0 rejected" ] ||
  fail "approve: $out"
[ "$(travel)" = "travel,4000.00,4000.00,1808.00,0.00,2192.00" ] || fail "the approval did not commit: $(travel)"
[ "$(sqlite3 "$db" "SELECT DISTINCT date FROM entries WHERE kind = 'commitment'")" = 2017-04-03 ] ||
  fail "the commitments are not dated on the approval"
[ "$(as ana allocation decisions 1 --format csv)" = "$dec" ] ||
  fail "the approved decisions differ from the proposed: $(as ana allocation decisions 1 --format csv 2>&1)"
echo "run: proposed by ana, certified by cem, approved by apo; each forbidden step refused"

# ---- A payment: requested by ana, certified by cem, approved by apo ---------------
out=$(as ana disburse K01 --date 2017-05-12 --amount 600.00 --currency USD)
grep -q '^payment request 1 for K01 recorded on 2017-05-12: nothing is paid until it is approved' <<<"$out" ||
  fail "disburse: $out"
[ "$(status K01)" = funded ] || fail "a payment request paid"
refused ana "ana requested payment 1: it must be certified by someone else" payment certify 1 --date 2017-05-12
refused apo "'payment certify' needs the certifying role, which user 'apo' does not have" \
  payment certify 1 --date 2017-05-12
refused apo "payment request 1 is not certified yet" payment approve 1 --date 2017-05-12
as cem payment certify 1 --date 2017-05-12 >/dev/null
refused cem "cem certified payment 1: it must be approved by someone else" payment approve 1 --date 2017-05-13
refused ana "ana requested payment 1: it must be approved by someone else" payment approve 1 --date 2017-05-13
out=$(as apo payment approve 1 --date 2017-05-13)
grep -q '^payment 1 approved on 2017-05-13: charge 678.00 paid (entry [0-9]*)$' <<<"$out" || fail "payment approve: $out"
[ "$(status K01)" = disbursed ] || fail "the approved payment was not made"
as ana payment list --format csv | grep >/dev/null "^1,K01,2017-05-12,600.00,USD,payment,ana,approved,2017-05-13,apo," ||
  fail "payment list: $(as ana payment list --format csv)"
echo "payment: requested by ana, certified by cem, approved by apo; each forbidden step refused"

# ---- An approval after the figures changed ------------------------------------------
out=$(as ana allocate s2 --date 2017-05-20)
grep -q '^run 2 proposed' <<<"$out" || fail "allocate s2: $out"
as cem allocation certify 2 --date 2017-05-20 >/dev/null
as ana request amend K11 --fare 450.00 --fare-currency USD >/dev/null
refused apo "run 2's requests \(K11 first\) have been decided or amended since it was proposed.*propose a run again" allocation approve 2 --date 2017-05-21
out=$(as apo allocation reject 2 --reason "the fare of K11 changed" --date 2017-05-21)
grep -q 'run 2 .*rejected' <<<"$out" || fail "reject: $out"
[ "$(status K11)" = pending ] || fail "a rejected run changed K11"
refused apo "run 2 of s2 is rejected" allocation approve 2 --date 2017-05-22
echo "a run whose request was amended after its certification: refused at its approval, then rejected"

# ---- K02's life: cancelled, reinstated, funded again and paid -----------------------
as ana cancel K02 --date 2017-04-05 >/dev/null
as ana reinstate K02 --date 2017-04-06 >/dev/null
out=$(as ana allocate s1 --date 2017-04-07)
grep -q '^run 3 proposed' <<<"$out" || fail "allocate s1 again: $out"
as cem allocation certify 3 --date 2017-04-07 >/dev/null
as apo allocation approve 3 --date 2017-04-08 >/dev/null
[ "$(status K02)" = funded ] || fail "K02 is not funded again: $(status K02)"
as ana disburse K02 --date 2017-05-12 --amount 550.00 --currency USD >/dev/null
as cem payment certify 2 --date 2017-05-12 >/dev/null
as apo payment approve 2 --date 2017-05-13 >/dev/null
[ "$(status K02)" = disbursed ] || fail "K02 is not disbursed: $(status K02)"
as ana verify >/dev/null || fail "verify: $(as ana verify)"

# ---- The log: every write of the walk under the user who made it ---------------------
as ana log --format csv >"$work/log.csv"
"${PY:-/usr/bin/python3}" - "$work/log.csv" <<'EOF' || fail "the log: $(cat "$work/log.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
# The commands of the walk (as the log writes them), in order, with the
# user who ran each; the refused ones wrote nothing and are not there.
want = [
    ("ana", "allocate s1 --date 2017-04-01"),
    ("cem", "allocation certify 1 --date 2017-04-02"),
    ("apo", "allocation approve 1 --date 2017-04-03"),
    ("ana", "disburse K01 --date 2017-05-12 --amount 600.00 --currency USD"),
    ("cem", "payment certify 1 --date 2017-05-12"),
    ("apo", "payment approve 1 --date 2017-05-13"),
    ("ana", "allocate s2 --date 2017-05-20"),
    ("cem", "allocation certify 2 --date 2017-05-20"),
    ("ana", "request amend K11 --fare 450.00 --fare-currency USD"),
    ("apo", "allocation reject 2 --reason 'the fare of K11 changed' --date 2017-05-21"),
    ("ana", "cancel K02 --date 2017-04-05"),
    ("ana", "reinstate K02 --date 2017-04-06"),
    ("ana", "allocate s1 --date 2017-04-07"),
    ("cem", "allocation certify 3 --date 2017-04-07"),
    ("apo", "allocation approve 3 --date 2017-04-08"),
    ("ana", "disburse K02 --date 2017-05-12 --amount 550.00 --currency USD"),
    ("cem", "payment certify 2 --date 2017-05-12"),
    ("apo", "payment approve 2 --date 2017-05-13"),
]
def bare(command):
    # "tfund --db PATH allocate ..." -> "allocate ..."
    words = command.split(" ")
    if words[:1] == ["tfund"]:
        words = words[1:]
    if words[:1] == ["--db"]:
        words = words[2:]
    return " ".join(words)
got = [(r["actor"], bare(r["command"])) for r in rows]
walk = got[[c for _, c in got].index(want[0][1]):]
walk = [g for g in walk if not g[1].startswith(("verify", "log"))]
if walk != want:
    for i in range(max(len(walk), len(want))):
        g = walk[i] if i < len(walk) else None
        w = want[i] if i < len(want) else None
        print(("   " if g == w else "!! ") + repr(g) + " / " + repr(w),
              file=sys.stderr)
    sys.exit(1)
EOF
echo "log: every write of the walk under ana, cem or apo, in order"

# ---- The history of K02 ----------------------------------------------------------------
as ana history K02 >"$work/history.txt"
has_line() {
  grep -Eq "$1" "$work/history.txt" || fail "history K02 lacks /$1/: $(cat "$work/history.txt")"
}
has_line "import requests"
for run in 1 3; do
  has_line "ana .*run $run proposed.*allocate s1 "
  has_line "cem .*allocation certify $run "
  has_line "apo .*allocation approve $run "
done
has_line "ana .*cancel K02"
has_line "ana .*reinstate K02"
has_line "ana .*payment request 2 for K02 by ana.*disburse K02 "
has_line "cem .*payment certify 2"
has_line "apo .*K02: disbursed .*payment approve 2 "
echo "history K02: its import, runs 1 and 3 proposed, certified and approved, its cancellation, reinstatement and payment"
echo "ok"
