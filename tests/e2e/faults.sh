#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Storage faults from the outside: writes that fail part-way (a file size
# limit standing in for a full disk), output paths that cannot be written
# and a fund file that is read-only. Each gives a clear error and a
# non-zero exit status, and the books stay as they were.
#
#   bash tests/e2e/faults.sh TFUND-BINARY SOURCE-DIR
#
# A full disk: `ulimit -f` caps the size of any file tfund writes (with
# SIGXFSZ ignored, so that a write past the cap fails with EFBIG instead
# of killing the process). An import, an allocation and a single add are
# each run on a fresh copy of one fund under a sweep of caps, from just
# above what opening the fund needs (its 32 KiB shared-memory index) to
# beyond what the command writes. Each run must end one of two ways:
#   refused   exit status 3, a message naming the failure on stderr
#             ("disk I/O error", "full", "too large"), the fund's
#             fingerprint (row counts and chain head) unchanged;
#   completed exit status 0 and the fingerprint of an unlimited run
#             (when the commit fits but the checkpoint does not, the
#             commit stays in the write-ahead log, where the next opening
#             finds it);
# and `tfund verify` must pass afterwards. The low caps must refuse.
# Then: `export` under a cap and into /dev/full (no cut file left behind),
# output paths in a missing directory (export, backup, report), `backup`
# under a cap, and a read-only fund (immutable with chattr when the file
# system allows it; as user nobody with the file and its directory
# read-only, when run as root): every write command is refused with one
# line naming the file as read-only.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
unset TFUND_DB

command -v sqlite3 >/dev/null || { echo "skipped: faults needs the sqlite3 shell"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-faults.XXXXXX")
cleanup() {
  chattr -i "$work"/ro-*/fund.db 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() {
  echo "faults: $*" >&2
  exit 1
}

if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || grep >/dev/null -a __asan_init "$tfund"; then
  n_pledges=1200 n_requests=800 steps=8
else
  n_pledges=2000 n_requests=1500 steps=10
fi

base=$work/base.db
tfb() { "$tfund" --db "$base" "$@" >/dev/null; }
tfb init --name "Faults test"
for kind in rates donors sessions pledges receipts; do
  tfb import "$kind" "$sample/$kind.csv"
done
tfb set quota_ldc 1000
tfb set quota_developing 1000
tfb receipt add BIG-T --donor norway --date 2017-01-05 --amount 90000000.00 \
  --currency USD --pool travel
tfb session add big --name "Large session" --venue Geneva --start 2019-03-04 \
  --days 5 --dsa 400 --terminal 100
sqlite3 -batch -noheader "$base" \
  "SELECT iso3 FROM countries WHERE developing = 1 OR ldc_from <> '' ORDER BY iso3;" >countries.txt
awk -v n="$n_requests" 'NR == FNR { c[m++] = $1; next }
  END {
    print "ref,session,country,delegate,submitted,fare,fare_currency"
    for (i = 0; i < n; i++)
      printf "FQ-%05d,big,%s,Delegate %d,2018-%02d-%02dT08:00:%02dZ,%d.00,USD\n",
        i, c[i % m], i, 1 + i % 12, 1 + i % 28, i % 60, 400 + (i * 37) % 3000
  }' countries.txt /dev/null >requests.csv
tfb import requests requests.csv
awk -v n="$n_pledges" 'BEGIN {
  print "ref,donor,date,amount,currency,pool,due"
  for (i = 0; i < n; i++)
    printf "FP-%05d,sweden,2017-%02d-%02d,%d.%02d,%s,travel,\n", i, 1 + i % 12,
      1 + i % 28, 500 + (i * 7919) % 90000, i % 100, (i % 2) ? "EUR" : "SEK"
}' >pledges.csv
tfb verify
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

fingerprint() {
  sqlite3 -batch -noheader "$1" "SELECT
      (SELECT count(*) FROM entries) || ' ' || (SELECT count(*) FROM postings) || ' ' ||
      (SELECT count(*) FROM pledges) || ' ' || (SELECT count(*) FROM decisions) || ' ' ||
      (SELECT count(*) FROM draws) || ' ' || (SELECT count(*) FROM runs) || ' ' ||
      (SELECT last_entry || ' ' || last_hash FROM chain);"
}
fresh() {
  rm -f "$1" "$1-wal" "$1-shm"
  cp "$base" "$1"
}
before=$(fingerprint "$base")
base_kib=$(( ($(stat -c %s "$base") + 1023) / 1024 ))

# Runs tfund with a file size cap of $1 KiB and SIGXFSZ ignored.
capped() {
  local kib=$1
  shift
  (
    trap '' XFSZ
    ulimit -f "$kib"
    exec "$tfund" "$@"
  )
}

cases=0
refused_total=0
completed_total=0

# sweep NAME ARGS...: the command under caps from 33 KiB (the index takes
# 32) to the fund's size plus twice what the command adds to it.
sweep() {
  local name=$1 ref=$work/ref.db db=$work/run.db grown after cap k rc fp
  local refused=0 completed=0
  shift
  fresh "$ref"
  "$tfund" --db "$ref" "$@" >/dev/null || fail "$name: the unlimited run failed"
  after=$(fingerprint "$ref")
  [ "$after" != "$before" ] || fail "$name: the command changed nothing"
  grown=$(( ($(stat -c %s "$ref") + 1023) / 1024 - base_kib ))
  [ "$grown" -gt 0 ] || grown=16
  for k in $(seq 0 "$steps"); do
    # Three caps a few KiB above the shared-memory file, where the
    # smallest commands' log writes fail, then geometric steps: fine where
    # small commands fail, coarse above.
    cap=$(awk -v lo=33 -v hi=$((base_kib + 2 * grown)) -v k="$k" -v n="$steps" \
      'BEGIN { if (k < 3) printf "%d", lo + 3 * k;
               else printf "%d", 42 * exp(log(hi / 42) * (k - 3) / (n - 3)) }')
    fresh "$db"
    rc=0
    capped "$cap" --db "$db" "$@" >out 2>err || rc=$?
    out_verify=$("$tfund" --db "$db" verify 2>&1) ||
      fail "$name under a ${cap} KiB cap (exit $rc): the books no longer verify: $out_verify"
    fp=$(fingerprint "$db")
    if [ "$rc" -eq 0 ]; then
      [ "$fp" = "$after" ] || fail "$name under a ${cap} KiB cap: exit 0 but the books are not those of a full run"
      completed=$((completed + 1))
    elif [ "$rc" -eq 3 ]; then
      [ "$fp" = "$before" ] || {
        echo "  before: $before" >&2
        echo "  found:  $fp" >&2
        fail "$name under a ${cap} KiB cap: refused but the books changed"
      }
      head -n1 err | grep >/dev/null -E '^tfund: .*(I/O error|disk|full|too large|cannot write)' ||
        fail "$name under a ${cap} KiB cap: unclear message: $(cat err)"
      [ "$(wc -l <err)" -le 2 ] || fail "$name under a ${cap} KiB cap: more than two lines of error: $(cat err)"
      # allocate writes its decisions and summary before its commit (so
      # that output it cannot write fails the run: README, Accountability);
      # a commit that then fails has printed them, and its exit status and
      # message say that nothing was kept. The others print after.
      [ "$name" = allocate ] || [ ! -s out ] ||
        fail "$name under a ${cap} KiB cap: refused but printed a result: $(cat out)"
      refused=$((refused + 1))
      [ -n "${first_message:-}" ] || first_message=$(head -n1 err)
    else
      fail "$name under a ${cap} KiB cap: exit status $rc: $(cat err)"
    fi
  done
  [ "$refused" -ge 2 ] || fail "$name: only $refused of $((steps + 1)) caps refused it"
  printf '%-10s %2d caps from 33 to %d KiB: %2d refused, books unchanged; %2d completed\n' \
    "$name" "$((steps + 1))" "$cap" "$refused" "$completed"
  cases=$((cases + steps + 1))
  refused_total=$((refused_total + refused))
  completed_total=$((completed_total + completed))
  rm -f "$ref"* "$db"*
}

sweep import import pledges "$work/pledges.csv"
sweep allocate allocate big --date 2018-12-20 --budget all --quiet
sweep "pledge add" pledge add FX-1 --donor norway --date 2017-06-01 \
  --amount 1234.56 --currency USD --pool travel
echo "a refused write says: $first_message"

# ---- Output that cannot be written -----------------------------------------

db=$work/fund.db
fresh "$db"
tf() { "$tfund" --db "$db" "$@"; }
tf import pledges "$work/pledges.csv" >/dev/null
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
before=$(fingerprint "$db")

# expect_one_line RC GREP CMD...: exit status RC, nothing on stdout, one
# line on stderr matching GREP (an import may add "nothing was imported
# from ..."), the books unchanged.
expect_one_line() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" >out 2>err || rc=$?
  [ "$rc" -eq "$want" ] || fail "$*: exit status $rc, expected $want: $(cat err)"
  [ ! -s out ] || fail "$*: printed on stdout: $(head -c 200 out)"
  [ "$(grep -vc "^tfund: nothing was imported from '" err)" -eq 1 ] ||
    fail "$*: expected one line on stderr: $(cat err)"
  head -n1 err | grep >/dev/null -E "$pattern" || fail "$*: message does not match /$pattern/: $(cat err)"
  [ "$(fingerprint "$db")" = "$before" ] || fail "$*: the books changed"
  cases=$((cases + 1))
}

size=$(tf export ledger | wc -c)
[ "$size" -gt 200000 ] || fail "the ledger export is only $size bytes"
expect_one_line 3 "^tfund: cannot write 'cut.ledger': File too large" \
  capped 100 --db "$db" export ledger -o cut.ledger
[ ! -e cut.ledger ] || fail "a cut ledger export was left behind ($(stat -c %s cut.ledger) bytes)"
expect_one_line 3 "^tfund: cannot write 'cut.csv': File too large" \
  capped 100 --db "$db" export csv -o cut.csv
[ ! -e cut.csv ] || fail "a cut CSV export was left behind"
expect_one_line 3 "^tfund: cannot write '/dev/full': No space left on device" \
  tf export json -o /dev/full
expect_one_line 3 "^tfund: cannot write '$work/missing/x.ledger': No such file or directory" \
  tf export ledger -o "$work/missing/x.ledger"
expect_one_line 3 "^tfund: cannot write '/nonexistent/x': No such file or directory" \
  tf export ledger -o /nonexistent/x
expect_one_line 3 "^tfund: cannot create '$work/missing/b.db': No such file or directory" \
  tf backup "$work/missing/b.db"
expect_one_line 3 "^tfund: backup to 'cut.db': (disk I/O error|database or disk is full)" \
  capped 200 --db "$db" backup cut.db
[ ! -e cut.db ] || fail "a cut backup was left behind"
if "$tfund" help report >/dev/null 2>&1; then
  expect_one_line 3 "^tfund: cannot write '$work/missing/f.xlsx': No such file or directory" \
    tf report fund -o "$work/missing/f.xlsx"
  [ ! -e "$work/missing" ] || fail "report made the missing directory"
  report_cases=1
else
  report_cases=0
fi
tf verify >/dev/null || fail "the books do not verify after the output faults"

# ---- A read-only fund -------------------------------------------------------

# read_only_writes LABEL RUNNER...: each write command run through RUNNER
# is refused with one line naming the fund file as read-only.
read_only_writes() {
  local label=$1 file
  shift
  file=$(realpath "$db")
  expect_one_line 3 "^tfund: the fund database '[^']*fund.db' is read-only$" \
    "$@" "$tfund" --db "$db" pledge add RO-1 --donor norway --date 2017-06-01 \
    --amount 10.00 --currency USD --pool travel
  expect_one_line 3 "read-only" \
    "$@" "$tfund" --db "$db" import pledges "$work/new-pledges.csv"
  expect_one_line 3 "read-only" \
    "$@" "$tfund" --db "$db" allocate big --date 2018-12-20 --quiet
  expect_one_line 3 "read-only" \
    "$@" "$tfund" --db "$db" set psc_rate 0.12
  expect_one_line 3 "read-only" \
    "$@" "$tfund" --db "$db" rate add EUR 2019-01-01 0.9
  echo "read-only ($label): 5 write commands refused with one line, books unchanged"
}

printf '%s\n' "ref,donor,date,amount,currency,pool" "RO-2,norway,2017-06-02,20.00,USD,travel" \
  "RO-3,norway,2017-06-03,30.00,USD,prep" >new-pledges.csv
ro_done=0
mkdir ro-immutable
db=$work/ro-immutable/fund.db
cp "$work/fund.db" "$db"
if chattr +i "$db" 2>/dev/null; then
  read_only_writes "chattr +i" env
  "$tfund" --db "$db" verify >/dev/null || fail "an immutable fund cannot be verified"
  "$tfund" --db "$db" pools >/dev/null || fail "an immutable fund cannot be read"
  chattr -i "$db"
  ro_done=$((ro_done + 1))
else
  echo "read-only (chattr +i): not supported here, skipped"
fi

if [ "$(id -u)" -eq 0 ]; then
  # A user who may read but not write the file or its directory.
  as_nobody=
  if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
  fi
  mkdir ro-nobody
  db=$work/ro-nobody/fund.db
  cp "$work/fund.db" "$db"
  chmod 0755 "$work"
  chmod 0444 "$db"
  chmod 0555 "$work/ro-nobody"
  if [ -n "$as_nobody" ] && $as_nobody test -x "$tfund" && $as_nobody test -r "$db"; then
    read_only_writes "user nobody" $as_nobody
    expect_one_line 3 "^tfund: cannot create '$work/ro-nobody/new.db': Permission denied" \
      $as_nobody "$tfund" --db "$work/ro-nobody/new.db" init
    ro_done=$((ro_done + 1))
  else
    echo "read-only (user nobody): nobody cannot run $tfund here, skipped"
  fi
  chmod 0755 "$work/ro-nobody"
  chmod 0600 "$db"
else
  mkdir ro-mode
  db=$work/ro-mode/fund.db
  cp "$work/fund.db" "$db"
  chmod 0400 "$db"
  read_only_writes "mode 0400" env
  chmod 0600 "$db"
  ro_done=$((ro_done + 1))
fi
[ "$ro_done" -ge 1 ] || fail "no way to make the fund read-only here"

# ---- Known gaps -------------------------------------------------------------
#
# Faults tfund does not yet report. Each is printed as PENDING with what
# happens; TFUND_STRICT_PENDING=1 makes them fail the test.
pending=0
gap() {
  pending=$((pending + 1))
  echo "PENDING: $*"
  [ "${TFUND_STRICT_PENDING:-0}" != 1 ] || fail "$*"
}
db=$work/fund.db
# Standard output on a full disk: the result is lost, so the exit status
# must say so (as export -o and journal do).
for c in "pools" "balance --format csv" "verify" "donor list --format csv" \
  "settings" "attribution --format csv" "allocation show big --format csv"; do
  rc=0
  # shellcheck disable=SC2086
  "$tfund" --db "$db" $c >/dev/full 2>err || rc=$?
  cases=$((cases + 1))
  [ "$rc" -eq 3 ] || fail "'tfund $c >/dev/full' exits $rc, not 3: the lost output is not reported"
  grep -q "cannot write the output" err || fail "'tfund $c >/dev/full' does not say the output was lost"
done
if "$tfund" help report >/dev/null 2>&1; then
  # A workbook written under a cap must fail, not come out cut short.
  "$tfund" --db "$db" allocate big --date 2018-12-20 --budget all --quiet >/dev/null
  "$tfund" --db "$db" report session big -o whole.xlsx >/dev/null
  whole=$(stat -c %s whole.xlsx)
  rc=0
  capped 64 --db "$db" report session big -o cut.xlsx >out 2>err || rc=$?
  cases=$((cases + 1))
  if [ "$rc" -eq 0 ]; then
    gap "'tfund report session big -o cut.xlsx' under a 64 KiB cap exits 0 and wrote $(stat -c %s cut.xlsx 2>/dev/null || echo 0) of $whole bytes (the worksheet data was cut off)"
  elif [ -e cut.xlsx ]; then
    gap "'tfund report session' under a cap failed but left cut.xlsx behind"
  fi
fi
# A fund file and directory nobody may write to: reading it needs no
# change to it, but SQLite cannot create the WAL index beside it.
if [ "$(id -u)" -eq 0 ] && [ -n "${as_nobody:-}" ] && [ -e "$work/ro-nobody/fund.db" ]; then
  chmod 0444 "$work/ro-nobody/fund.db"
  chmod 0555 "$work/ro-nobody"
  rc=0
  $as_nobody "$tfund" --db "$work/ro-nobody/fund.db" verify >out 2>err || rc=$?
  cases=$((cases + 1))
  [ "$rc" -eq 0 ] || gap "'tfund verify' of a fund in a directory nobody may write fails: $(head -n1 err)"
  chmod 0755 "$work/ro-nobody"
fi

echo "$cases fault cases: $refused_total writes refused with the books unchanged, $completed_total completed whole, 0 partial; $pending pending"
