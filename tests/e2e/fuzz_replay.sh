#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replays the fuzz fixtures (tests/fixtures/fuzz/fuzz_import-*) through
# 'tfund import' on a fresh copy of the harness's fund: each must end
# with exit status 0, 1 or 2 (imported, refused by a rule, bad input),
# never a crash or a sanitizer report; a refused one leaves the books as
# they were, and the books verify after every one.
#
#   bash tests/e2e/fuzz_replay.sh TFUND-BINARY SOURCE-DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
fixtures=$src/tests/fixtures/fuzz
unset TFUND_DB

command -v sqlite3 >/dev/null || { echo "skipped: fuzz_replay needs the sqlite3 shell"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
  echo "fuzz_replay: $*" >&2
  exit 1
}

# The fund of tests/fuzz/fuzz_import.c (seed_files), row for row.
base=$work/base.db
"$tfund" --db "$base" init --name "Fuzz replay" >/dev/null
seed() { # KIND, then the file on standard input
  cat >"seed-$1.csv"
  "$tfund" --db "$base" import "$1" "seed-$1.csv" >/dev/null
}
seed rates <<'CSV'
currency,date,per_usd
EUR,2017-01-01,0.9506
EUR,2018-01-01,0.8333
JPY,2017-01-01,117.0
KWD,2017-01-01,0.3050
CHF,2017-01-01,1.0170
CSV
seed donors <<'CSV'
id,name,type,country
norway,Norway,state,NOR
sweden,Sweden,state,SWE
acme,"Acme, Inc.",private,
CSV
seed sessions <<'CSV'
id,name,venue,start,days,dsa,terminal,extra_days,travel_budget
s1,Session one,Geneva,2017-05-08,2,402,110,1,
s2,Session two,New York,2018-03-05,5,374,118,0,50000
CSV
seed pledges <<'CSV'
ref,donor,date,amount,currency,pool,due
P1,norway,2017-01-16,150000.00,EUR,travel,2017-03-31
P2,sweden,2017-02-01,90000,JPY,unrestricted,
P3,acme,2017-02-01,10.500,KWD,prep,
CSV
seed receipts <<'CSV'
ref,date,amount,currency,pledge,donor,pool
R1,2017-02-20,100000.00,EUR,P1,,
R2,2017-03-01,20000.00,USD,,acme,ldc-travel
CSV
seed requests <<'CSV'
ref,session,country,delegate,submitted,fare,fare_currency,gender
Q1,s1,NPL,Sita Rai,2017-03-20T09:00:00Z,1450.00,USD,F
Q2,s1,BRA,Ana Lima,2017-03-21T09:00:00Z,900.00,EUR,F
Q3,s2,KHM,Visal Ouk,2017-12-01T10:00:00Z,1200.00,USD,M
CSV
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

fingerprint() {
  sqlite3 -batch -noheader "$1" "SELECT (SELECT count(*) FROM entries) || ' ' ||
    (SELECT last_hash FROM chain) || ' ' || (SELECT count(*) FROM rates) || ' ' ||
    (SELECT count(*) FROM donors) || ' ' || (SELECT count(*) FROM sessions) || ' ' ||
    (SELECT count(*) FROM requests) || ' ' || (SELECT count(*) FROM costs) || ' ' ||
    (SELECT count(*) FROM countries) || ' ' ||
    (SELECT total(length(name) + sids + lldc + developing) FROM countries);"
}
before=$(fingerprint "$base")

kinds=(countries rates donors pledges receipts sessions requests costs spend)
declare -A by_status=()
n=0
for f in "$fixtures"/fuzz_import-*; do
  [ -f "$f" ] || continue
  byte=$(od -An -tu1 -N1 "$f" | tr -d ' ')
  kind=${kinds[$((byte % 9))]}
  tail -c +2 "$f" >input.csv
  db=$work/run.db
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$base" "$db"
  rc=0
  "$tfund" --db "$db" import "$kind" input.csv >out 2>err || rc=$?
  if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error|Segmentation' err; then
    cat err >&2
    fail "$(basename "$f") ($kind): sanitizer report"
  fi
  case $rc in
    0) ;;
    1 | 2)
      [ "$(fingerprint "$db")" = "$before" ] || fail "$(basename "$f") ($kind): refused (exit $rc) but the books changed"
      [ -s err ] || fail "$(basename "$f") ($kind): refused without a word"
      ;;
    *) cat err >&2; fail "$(basename "$f") ($kind): exit status $rc" ;;
  esac
  "$tfund" --db "$db" verify >verify.out 2>&1 || fail "$(basename "$f") ($kind): the books do not verify: $(cat verify.out)"
  by_status[$rc]=$((${by_status[$rc]:-0} + 1))
  n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no fixtures in $fixtures"
echo "$n fuzz fixtures replayed: ${by_status[0]:-0} imported, ${by_status[1]:-0} refused by a rule, ${by_status[2]:-0} refused as bad input; no crash, books verify"
