#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Concurrency: several administrators writing to one fund at once. Every
# write lands exactly once, none fails with "database is locked", readers
# running meanwhile never see a half-written state, and the books verify.
#
#   bash tests/e2e/concurrency.sh TFUND-BINARY SOURCE-DIR
#
#  1. four 'tfund import pledges' of 2,500 generated pledges each, at once
#     (each import is one transaction, so they queue on the write lock);
#  2. four loops of single 'tfund pledge add' calls, at once, so that the
#     writers really interleave;
#  3. an allocation of a session with two thousand requests while two
#     imports of receipts (paying the pledges of step 1) and a loop of
#     'tfund receipt add' run.
# During each step a reader loops over 'tfund verify' and 'tfund pools',
# which must succeed and agree with themselves (one snapshot each).
# Prints the writes landed and the readers' runs.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
unset TFUND_DB

command -v sqlite3 >/dev/null || { echo "skipped: concurrency needs the sqlite3 shell"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-conc.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
db=$work/fund.db
logs=$work/logs
mkdir -p "$logs"

fail() {
  echo "concurrency: $*" >&2
  exit 1
}

tf() { "$tfund" --db "$db" "$@"; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

# The single-call loops start a process per write; a sanitizer build
# starts them several times slower.
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || grep >/dev/null -a __asan_init "$tfund"; then
  per_loop=150
else
  per_loop=250
fi
per_file=2500 writers=4 n_requests=2000 receipt_adds=100

start=$(date +%s)

tf init --name "Concurrency test" >/dev/null
for kind in rates donors sessions pledges receipts; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
tf set quota_ldc 1000 >/dev/null
tf set quota_developing 1000 >/dev/null
tf session add big --name "Large session" --venue Geneva --start 2019-03-04 \
  --days 5 --dsa 400 --terminal 100 >/dev/null

# ---- Readers ---------------------------------------------------------------

# A reader runs verify and pools until told to stop; every run must
# succeed. Its counts go to $logs/reader-N.
reader() {
  local n=$1 runs=0
  while [ ! -e "$work/stop-$n" ]; do
    if ! out=$(tf verify 2>&1); then
      printf 'verify failed during writes:\n%s\n' "$out" >"$logs/reader-$n.err"
      return 1
    fi
    if ! out=$(tf pools --format csv 2>&1); then
      printf 'pools failed during writes:\n%s\n' "$out" >"$logs/reader-$n.err"
      return 1
    fi
    # Figures from one snapshot: never a negative available.
    if awk -F, 'NR > 1 && $6 + 0 < 0 { bad = 1 } END { exit !bad }' <<<"$out"; then
      printf 'pools showed a negative available during writes:\n%s\n' "$out" >"$logs/reader-$n.err"
      return 1
    fi
    runs=$((runs + 1))
  done
  echo "$runs" >"$logs/reader-$n"
}

reader_pid=
start_reader() {
  rm -f "$work/stop-$1"
  reader "$1" &
  reader_pid=$!
  pids+=("$reader_pid")
}
stop_reader() {
  touch "$work/stop-$1"
  wait "$reader_pid" || fail "step $1: $(cat "$logs/reader-$1.err")"
  readers_ran=$((readers_ran + $(cat "$logs/reader-$1")))
}
readers_ran=0

# Waits for the writers in pids and requires each to have succeeded
# without a word about a lock.
wait_writers() {
  local step=$1 p bad=0
  shift
  for p in "$@"; do
    wait "$p" || bad=$((bad + 1))
  done
  if grep -il "locked\|busy" "$logs"/*.err-"$step"-* 2>/dev/null; then
    grep -ih "locked\|busy" "$logs"/*.err-"$step"-* | head -5 >&2
    fail "step $step: a writer met a locked database"
  fi
  [ "$bad" -eq 0 ] || {
    cat "$logs"/*.err-"$step"-* >&2 || true
    fail "step $step: $bad writer(s) failed"
  }
}

pledges0=$(q "SELECT count(*) FROM pledges;")
entries0=$(q "SELECT count(*) FROM entries;")

# ---- 1. Four imports at once ---------------------------------------------

for w in $(seq 1 $writers); do
  awk -v w="$w" -v n="$per_file" 'BEGIN {
    print "ref,donor,date,amount,currency,pool,due"
    split("norway sweden switzerland germany", d, " ")
    for (i = 0; i < n; i++)
      printf "CI-%d-%05d,%s,2017-%02d-%02d,%d.%02d,%s,travel,\n", w, i,
        d[w], 1 + i % 12, 1 + i % 28, 1000 + (i * 7919) % 90000, i % 100,
        (i % 2) ? "EUR" : "USD"
  }' >"$work/pledges-$w.csv"
done

start_reader 1
writer_pids=()
for w in $(seq 1 $writers); do
  tf import pledges "$work/pledges-$w.csv" >"$logs/out-1-$w" 2>"$logs/w.err-1-$w" &
  writer_pids+=("$!")
  pids+=("$!")
done
wait_writers 1 "${writer_pids[@]}"
stop_reader 1
got=$(q "SELECT count(*) FROM pledges WHERE ref LIKE 'CI-%';")
[ "$got" -eq $((writers * per_file)) ] || fail "step 1: $got of $((writers * per_file)) imported pledges landed"
grep -q "$per_file rows: $per_file added" "$logs"/out-1-* || fail "step 1: an import did not add all its rows"
step1=$got

# ---- 2. Four loops of single calls ----------------------------------------

adder() {
  local w=$1 i
  for i in $(seq 1 "$per_loop"); do
    tf pledge add "CS-$w-$i" --donor norway --date 2017-0$((1 + i % 9))-15 \
      --amount "$((100 + i)).$((10 + w))" --currency USD --pool unrestricted \
      >/dev/null 2>>"$logs/w.err-2-$w" || return 1
  done
}
start_reader 2
writer_pids=()
for w in $(seq 1 $writers); do
  adder "$w" &
  writer_pids+=("$!")
  pids+=("$!")
done
wait_writers 2 "${writer_pids[@]}"
stop_reader 2
got=$(q "SELECT count(*) FROM pledges WHERE ref LIKE 'CS-%';")
[ "$got" -eq $((writers * per_loop)) ] || fail "step 2: $got of $((writers * per_loop)) single pledges landed"
# They did interleave: consecutive entries from different loops.
switches=$(q "SELECT count(*) FROM (SELECT substr(ref, 4, 1) AS w, lag(substr(ref, 4, 1)) OVER (ORDER BY id) AS prev FROM entries WHERE kind = 'pledge' AND ref LIKE 'CS-%') WHERE w <> prev;")
[ "$switches" -ge 10 ] || fail "step 2: the loops hardly interleaved ($switches switches)"
step2=$got

# ---- 3. Allocation while receipts arrive ----------------------------------

sqlite3 -batch -noheader "$db" \
  "SELECT iso3 FROM countries WHERE developing = 1 OR ldc_from <> '' ORDER BY iso3;" \
  >"$work/countries.txt"
awk -v n="$n_requests" 'NR == FNR { c[m++] = $1; next }
  END {
    print "ref,session,country,delegate,submitted,fare,fare_currency"
    for (i = 0; i < n; i++)
      printf "CQ-%05d,big,%s,Delegate %d,2018-%02d-%02dT10:00:%02dZ,%d.00,USD\n",
        i, c[i % m], i, 1 + i % 12, 1 + i % 20, i % 60, 400 + (i * 37) % 3000
  }' "$work/countries.txt" /dev/null >"$work/requests.csv"
tf import requests "$work/requests.csv" >/dev/null
# Cash for the allocation before it starts, so that it funds some.
tf receipt add CR-SEED --donor norway --date 2018-01-10 --amount 2000000.00 \
  --currency USD --pool travel >/dev/null

# Receipts paying the pledges of writers 1 and 2 in full.
for w in 1 2; do
  awk -F, -v OFS=, 'NR == 1 { print "ref,date,amount,currency,pledge"; next }
    { print "CR-" substr($1, 4), "2018-06-01", $4, $5, $1 }' \
    "$work/pledges-$w.csv" >"$work/receipts-$w.csv"
done
receipts0=$(q "SELECT count(*) FROM receipts;")

start_reader 3
writer_pids=()
tf allocate big --date 2018-12-20 --budget all --quiet >"$logs/out-3-alloc" 2>"$logs/w.err-3-alloc" &
writer_pids+=("$!")
pids+=("$!")
for w in 1 2; do
  tf import receipts "$work/receipts-$w.csv" >"$logs/out-3-$w" 2>"$logs/w.err-3-$w" &
  writer_pids+=("$!")
  pids+=("$!")
done
(
  for i in $(seq 1 "$receipt_adds"); do
    tf receipt add "CR-ADD-$i" --donor sweden --date 2018-02-01 \
      --amount "$((50 + i)).00" --currency USD --pool unrestricted >/dev/null || exit 1
  done
) 2>"$logs/w.err-3-adds" &
writer_pids+=("$!")
pids+=("$!")
wait_writers 3 "${writer_pids[@]}"
stop_reader 3

got=$(q "SELECT count(*) FROM receipts;")
[ "$got" -eq $((receipts0 + 2 * per_file + receipt_adds)) ] ||
  fail "step 3: $((got - receipts0)) of $((2 * per_file + receipt_adds)) receipts landed"
step3r=$((got - receipts0))
decided=$(q "SELECT count(*) FROM requests WHERE session = 'big' AND status <> 'pending';")
[ "$decided" -eq "$n_requests" ] || fail "step 3: the allocation decided $decided of $n_requests requests"
funded=$(q "SELECT count(*) FROM requests WHERE session = 'big' AND status = 'funded';")
[ "$funded" -gt 0 ] || fail "step 3: the allocation funded nothing"
commitments=$(q "SELECT count(DISTINCT ref) FROM entries WHERE kind = 'commitment';")
draws=$(q "SELECT count(*) FROM draws;")
[ "$commitments" -eq "$draws" ] || fail "step 3: $commitments commitment entries for $draws draws"

# ---- The whole ------------------------------------------------------------

out=$(tf verify) || fail "the books do not verify: $out"
pledges=$(q "SELECT count(*) FROM pledges;")
implicit=$(q "SELECT count(*) FROM pledges WHERE implicit = 1 AND ref LIKE 'CR-%';")
want=$((pledges0 + writers * per_file + writers * per_loop + implicit))
[ "$pledges" -eq "$want" ] || fail "$pledges pledges in the books, expected $want"
entries=$(q "SELECT count(*) FROM entries;")
# One entry per pledge, per receipt and per implicit pledge of a receipt
# without one, and one commitment per draw; nothing twice.
dups=$(q "SELECT count(*) FROM (SELECT kind, ref FROM entries WHERE ref IS NOT NULL GROUP BY kind, ref HAVING count(*) > 1);")
[ "$dups" -eq 0 ] || fail "$dups references posted twice"
expected_entries=$((entries0 + step1 + step2 + 2 + step3r + receipt_adds + draws))
[ "$entries" -eq "$expected_entries" ] || fail "$entries entries, expected $expected_entries"

echo "step 1: $writers imports at once: $step1 of $((writers * per_file)) pledges landed"
echo "step 2: $writers loops of single adds: $step2 of $((writers * per_loop)) pledges landed ($switches switches between loops)"
echo "step 3: allocation ($funded of $n_requests funded, $draws commitments) with $step3r of $((2 * per_file + receipt_adds)) receipts landed"
echo "readers: $readers_ran verify+pools runs during the writes, none failed"
echo "$((step1 + step2 + step3r + draws)) concurrent writes landed exactly once, 0 'database is locked', verify ok ($entries entries, $(($(date +%s) - start)) s)"
