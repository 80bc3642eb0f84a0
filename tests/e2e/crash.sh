#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Crash safety: a write command killed at any moment leaves the books as
# they were before it or as they are after it, never anything between.
#
#   bash tests/e2e/crash.sh TFUND-BINARY SOURCE-DIR
#
# Two long commands are run on fresh copies of one fund and killed with
# SIGKILL at random moments (seeded: TFUND_CRASH_SEED, default 7):
#
#   import   'tfund import pledges' of thousands of generated pledges in
#            several currencies and all four pools (one transaction);
#   allocate 'tfund allocate' of a session with thousands of requests from
#            more than a hundred countries, every one of them funded (a
#            commitment entry, a decision and a draw each).
#
# Each command is first run uninterrupted on a copy to learn its duration,
# the bytes it writes and the state it leaves. Half of the kill moments
# are drawn uniformly over the run's duration (startup, parsing, posting),
# half over the bytes it writes, read from /proc/PID/io as it runs (the
# writes crowd at the end: the commit into the write-ahead log, its fsync,
# the checkpoint into the database file). After each kill `tfund verify`
# must pass, SQLite's quick_check must say ok, and the fund's fingerprint
# (row counts of the journal and of the records beside it, and the chain
# head `last_entry`, `last_hash`) must equal the one before the command
# or the one after the uninterrupted run. Once per command, a fund left
# "before" is completed by running the command again (same fingerprint as
# uninterrupted) and one left "after" gains nothing from a second run.
# Needs /proc/PID/io (Linux) and the sqlite3 shell.
#
# Prints: N kills: X before, Y after, 0 partial.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
unset TFUND_DB

command -v sqlite3 >/dev/null || { echo "skipped: crash needs the sqlite3 shell"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-crash.XXXXXX")
victim=
cleanup() {
  [ -z "$victim" ] || kill -9 "$victim" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "crash: $*" >&2
  exit 1
}

seed=${TFUND_CRASH_SEED:-7}
RANDOM=$seed

# Sizes: about a minute in all. A sanitizer build runs about twice as
# slowly, so it gets fewer rows and the same number of kills.
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || grep >/dev/null -a __asan_init "$tfund"; then
  n_pledges=600 n_requests=500 kills_each=100 build=sanitizer
else
  n_pledges=3000 n_requests=2500 kills_each=100 build=normal
fi
# verify runs after every kill: under a sanitizer, without the leak check
# at its exit (a tenth of a second each; the other tests check for leaks).
verify_asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
n_pledges=${TFUND_CRASH_PLEDGES:-$n_pledges}
n_requests=${TFUND_CRASH_REQUESTS:-$n_requests}
kills_each=${TFUND_CRASH_KILLS:-$kills_each}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
start_ms=$(now_ms)

# ---- The fund every run starts from ---------------------------------------

base=$work/base.db
tf() { "$tfund" --db "$base" "$@" >/dev/null; }
tf init --name "Crash test"
for kind in rates donors sessions pledges receipts; do
  tf import "$kind" "$sample/$kind.csv"
done
tf set quota_ldc 1000
tf set quota_developing 1000
tf receipt add BIG-T --donor norway --date 2017-01-05 --amount 150000000.00 \
  --currency USD --pool travel
tf receipt add BIG-L --donor sweden --date 2017-01-05 --amount 20000000.00 \
  --currency USD --pool ldc-travel
tf session add big --name "Large session" --venue Geneva --start 2019-03-04 \
  --days 5 --dsa 400 --terminal 100

# Requests from every eligible country of the shipped table, so that the
# allocation's per-country and per-region tables grow while it runs.
sqlite3 -batch -noheader "$base" \
  "SELECT iso3 FROM countries WHERE developing = 1 OR ldc_from <> '' ORDER BY iso3;" \
  >"$work/countries.txt"
[ "$(wc -l <"$work/countries.txt")" -gt 100 ] || fail "too few eligible countries in the shipped table"
awk -v n="$n_requests" -v seed="$seed" '
  BEGIN { srand(seed) }
  NR == FNR { c[m++] = $1; next }
  END {
    print "ref,session,country,delegate,submitted,fare,fare_currency,gender"
    for (i = 0; i < n; i++) {
      cur = (i % 3 == 0) ? "EUR" : "USD"
      printf "CQ-%05d,big,%s,Delegate %d,2018-%02d-%02dT%02d:%02d:%02dZ,%d.%02d,%s,%s\n",
        i, c[int(rand() * m)], i, 1 + i % 12, 1 + i % 28, i % 24, i % 60,
        int(rand() * 60), 300 + int(rand() * 3700), int(rand() * 100), cur,
        (i % 2) ? "F" : "M"
    }
  }' "$work/countries.txt" /dev/null >"$work/requests.csv"
tf import requests "$work/requests.csv"

awk -v n="$n_pledges" -v seed="$seed" '
  BEGIN {
    srand(seed)
    split("norway sweden switzerland germany", donor, " ")
    split("USD EUR CHF JPY SEK", cur, " ")
    split("unrestricted travel ldc-travel prep", pool, " ")
    print "ref,donor,date,amount,currency,pool,due"
    for (i = 0; i < n; i++) {
      c = cur[1 + i % 5]
      amount = (c == "JPY") ? sprintf("%d", 1000 + int(rand() * 9000000)) \
                            : sprintf("%d.%02d", 100 + int(rand() * 900000), int(rand() * 100))
      printf "CP-%05d,%s,%d-%02d-%02d,%s,%s,%s,\n", i, donor[1 + i % 4],
        2017 + i % 2, 1 + i % 12, 1 + i % 28, amount, c, pool[1 + int(rand() * 4)]
    }
  }' >"$work/pledges.csv"

tf verify
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
[ ! -s "$base-wal" ] || fail "the write-ahead log of the base fund was not checkpointed"

# The fingerprint: row counts of the journal and of every record the two
# commands write, and the chain head; after the output of SQL $2 if given.
fingerprint() {
  sqlite3 -batch -noheader "$1" "${2:-}SELECT
      (SELECT count(*) FROM entries) || ' ' ||
      (SELECT count(*) FROM postings) || ' ' ||
      (SELECT count(*) FROM balances) || ' ' ||
      (SELECT count(*) FROM pledges) || ' ' ||
      (SELECT count(*) FROM runs) || ' ' ||
      (SELECT count(*) FROM decisions) || ' ' ||
      (SELECT count(*) FROM draws) || ' ' ||
      (SELECT count(*) FROM requests WHERE status = 'funded') || ' ' ||
      (SELECT last_entry || ' ' || last_hash FROM chain);"
}

# The journal's part of a fingerprint: entries, postings, balances, head.
journal_of() {
  local -a f
  read -ra f <<<"$1"
  echo "${f[0]} ${f[1]} ${f[2]} ${f[8]} ${f[9]}"
}

# Sets wbytes to the bytes a process has written so far (write and pwrite
# calls); fails once it has ended. Builtins only, so that polling forks
# nothing.
written() {
  local k v st
  read -r _ _ st _ 2>/dev/null </proc/"$1"/stat || return 1
  [ "$st" != Z ] || return 1
  while read -r k v; do
    [ "$k" != wchar: ] || { wbytes=$v; return 0; }
  done 2>/dev/null </proc/"$1"/io
  return 1
}

# A pause of about a millisecond without a fork: a read that times out on
# a pipe nobody writes to.
exec {idle}<> <(:)
nap() { read -r -t 0.001 -u "$idle" _ || true; }

# Follows a process to its end; sets wrote to the last count seen.
writes_until_exit() {
  wrote=0
  while written "$1"; do
    wrote=$wbytes
    nap
  done
}

# Returns once the process has written at least $2 bytes (0), or has
# ended (1).
await_writes() {
  while written "$1"; do
    [ "$wbytes" -lt "$2" ] || return 0
    nap
  done
  return 1
}

fresh() {
  rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
  cp "$base" "$1"
}

before=$(fingerprint "$base")

total_kills=0 total_before=0 total_after=0 total_partial=0 total_finished=0

# scenario NAME ARGS...: runs `tfund --db COPY ARGS` uninterrupted, then
# kills it kills_each times.
scenario() {
  local name=$1
  shift
  local ref=$work/$name-ref.db db=$work/$name.db
  local t0 t1 dur after fp rc kills=0 nbefore=0 nafter=0 finished=0
  local attempts=0 at r resumed=0 rerun=0 how wrote

  fresh "$ref"
  t0=$(now_ms)
  "$tfund" --db "$ref" "$@" >/dev/null &
  victim=$!
  writes_until_exit "$victim"
  wait "$victim" || fail "$name: the uninterrupted run failed"
  victim=
  t1=$(now_ms)
  dur=$((t1 - t0))
  [ "$wrote" -gt 0 ] || fail "$name: cannot follow the writes of a process in /proc"
  [ "$dur" -gt 0 ] || dur=1
  "$tfund" --db "$ref" verify >/dev/null || fail "$name: the uninterrupted run does not verify"
  after=$(fingerprint "$ref")
  [ "$after" != "$before" ] || fail "$name: the command changed nothing"

  while [ "$kills" -lt "$kills_each" ]; do
    attempts=$((attempts + 1))
    [ "$attempts" -le $((kills_each * 2)) ] || fail "$name: too many runs ended before their kill"
    r=$(((RANDOM << 15 | RANDOM) % 1000000))
    fresh "$db"
    "$tfund" --db "$db" "$@" >/dev/null 2>&1 &
    victim=$!
    if [ $((attempts % 2)) -eq 1 ]; then
      # A moment of the run's duration: startup, parsing, posting.
      at=$((dur * r / 1000000))
      sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
      how="at ${at} ms of ${dur} ms"
    else
      # A point of the run's writes, which crowd at its end: the pages
      # spilled from the cache, the commit, the checkpoint.
      at=$((1 + wrote * r / 1000000 * 95 / 100))
      await_writes "$victim" "$at" || true
      how="after ${at} of ${wrote} bytes written"
    fi
    kill -9 "$victim" 2>/dev/null || true
    rc=0
    { wait "$victim"; } 2>/dev/null || rc=$?
    victim=
    if [ "$rc" -ne 137 ]; then
      # It ended before the signal: not a crash, but its result must be
      # the uninterrupted one.
      [ "$rc" -eq 0 ] || fail "$name: a run ended with status $rc"
      [ "$(fingerprint "$db")" = "$after" ] || fail "$name: a completed run differs from the reference"
      finished=$((finished + 1))
      continue
    fi
    kills=$((kills + 1))
    out=$(ASAN_OPTIONS=$verify_asan "$tfund" --db "$db" verify 2>&1) ||
      fail "$name: kill $kills $how: verify fails: $out"
    fp=$(fingerprint "$db" "PRAGMA quick_check;")
    [ "${fp%%$'\n'*}" = ok ] || fail "$name: kill $kills $how: SQLite's quick_check fails: $fp"
    fp=${fp#*$'\n'}
    if [ "$fp" = "$before" ]; then
      nbefore=$((nbefore + 1))
      # Completing an interrupted command gives the uninterrupted result.
      if [ "$resumed" -eq 0 ] && [ $((attempts % 2)) -eq 0 ]; then
        "$tfund" --db "$db" "$@" >/dev/null || fail "$name: the run after a kill failed"
        [ "$(fingerprint "$db")" = "$after" ] ||
          fail "$name: the run after a kill $how does not give the uninterrupted result"
        resumed=1
      fi
    elif [ "$fp" = "$after" ]; then
      nafter=$((nafter + 1))
      # Running it again posts nothing (known references, requests
      # already decided; a second allocation run is itself recorded).
      if [ "$rerun" -eq 0 ]; then
        "$tfund" --db "$db" "$@" >/dev/null || fail "$name: a second run after a kill failed"
        [ "$(journal_of "$(fingerprint "$db")")" = "$(journal_of "$after")" ] ||
          fail "$name: a second run after a kill changed the books"
        rerun=1
      fi
    else
      total_partial=$((total_partial + 1))
      echo "crash: $name: kill $how left a partial state:" >&2
      echo "  before:  $before" >&2
      echo "  after:   $after" >&2
      echo "  found:   $fp" >&2
      fail "$name: partial effect"
    fi
  done
  printf '%-8s %6d ms uninterrupted, %3d kills: %3d before, %3d after, 0 partial (%d runs ended before their kill)\n' \
    "$name" "$dur" "$kills" "$nbefore" "$nafter" "$finished"
  total_kills=$((total_kills + kills))
  total_before=$((total_before + nbefore))
  total_after=$((total_after + nafter))
  total_finished=$((total_finished + finished))
  rm -f "$db"* "$ref"*
}

echo "crash: $build build, seed $seed, $n_pledges pledges, $n_requests requests"
scenario import import pledges "$work/pledges.csv"
scenario allocate allocate big --date 2018-12-20 --budget all --quiet

[ "$total_partial" -eq 0 ] || fail "$total_partial partial states"
[ "$total_kills" -ge 200 ] || fail "only $total_kills kills"
echo "$total_kills kills: $total_before before, $total_after after, $total_partial partial ($(( ($(now_ms) - start_ms) / 1000 )) s)"
