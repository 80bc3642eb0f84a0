#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tampering with the books behind tfund's back must not go unnoticed.
#
#   bash tests/e2e/tamper.sh TFUND-BINARY SOURCE-DIR
#
# Builds the sample fund (samples/gcm: rates, donors, sessions, pledges,
# receipts), then for each case edits a fresh copy of it with the sqlite3
# shell -- dropping the append-only triggers where the edit needs it, as
# someone with the file and a shell could -- and requires `tfund verify`
# to exit 1 and to name the entry concerned ("FAIL entry N: ...") with the
# check that catches it.
#
# Each edit is made as complete as a careful forger would make it (the
# running balances and the records beside the journal adjusted to match),
# so that one check, the one named, is what catches it: without that
# check the edit would pass. Targets are chosen by querying the sample
# fund, not by fixed entry numbers, so that the samples may change.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm

command -v sqlite3 >/dev/null || {
  echo "skipped: tamper needs the sqlite3 shell"
  exit 77
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-tamper.XXXXXX")
trap 'rm -rf "$work"' EXIT
base=$work/base.db

fail() {
  echo "tamper: $*" >&2
  exit 1
}

# The sqlite3 shell without the user's ~/.sqliterc, and one value (or
# row) from the sample fund.
sql() { sqlite3 -init /dev/null -batch -noheader "$@"; }
q() { sql "$base" "$1"; }

"$tfund" --db "$base" init --name "Tamper test" >/dev/null
for kind in rates donors sessions pledges receipts; do
  "$tfund" --db "$base" import "$kind" "$sample/$kind.csv" >/dev/null
done
out=$("$tfund" --db "$base" verify) || fail "the untouched sample fund does not verify: $out"
# Fold the write-ahead log into the file so that a plain copy is whole.
sql "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
[ ! -s "$base-wal" ] || fail "the write-ahead log was not checkpointed"

max=$(q "SELECT max(id) FROM entries;")
[ "$max" -ge 10 ] || fail "the sample fund has only $max entries"

detected=0
cases=0

# ---- The hash, recomputed independently ------------------------------------
#
# The SHA-256 of an entry as ledger.c defines it (format tfund-entry-v1):
# each field as "<byte length>:<text>," (a missing one as "-,"), in order:
# the tag, id, date, kind, memo, ref, reverses (0 for none), the previous
# hash, the number of postings, then per posting in id order account,
# pool, amount, original currency, the original amount (only when there
# is an original currency) and rate. Used to check the stored chain
# against an independent computation, and by the forger of one case who
# re-hashes the chain after an edit.
hash_sql() {
  local id=$1
  cat <<SQL
SELECT writefile('$work/hash.in', CAST(
  '14:tfund-entry-v1,' ||
  length(CAST(e.id AS BLOB)) || ':' || e.id || ',' ||
  length(CAST(e.date AS BLOB)) || ':' || e.date || ',' ||
  length(CAST(e.kind AS BLOB)) || ':' || e.kind || ',' ||
  length(CAST(e.memo AS BLOB)) || ':' || e.memo || ',' ||
  CASE WHEN e.ref IS NULL THEN '-,'
       ELSE length(CAST(e.ref AS BLOB)) || ':' || e.ref || ',' END ||
  length(CAST(coalesce(e.reverses, 0) AS BLOB)) || ':' ||
    coalesce(e.reverses, 0) || ',' ||
  length(CAST(e.prev_hash AS BLOB)) || ':' || e.prev_hash || ',' ||
  (SELECT length(CAST(count(*) AS BLOB)) || ':' || count(*) || ','
     FROM postings WHERE entry = e.id) ||
  coalesce((SELECT group_concat(s, '') FROM (SELECT
      length(CAST(p.account AS BLOB)) || ':' || p.account || ',' ||
      length(CAST(p.pool AS BLOB)) || ':' || p.pool || ',' ||
      length(CAST(p.amount AS BLOB)) || ':' || p.amount || ',' ||
      CASE WHEN p.orig_currency IS NULL THEN '-,'
           ELSE length(CAST(p.orig_currency AS BLOB)) || ':' ||
                p.orig_currency || ',' ||
                length(CAST(coalesce(p.orig_amount, 0) AS BLOB)) || ':' ||
                coalesce(p.orig_amount, 0) || ',' END ||
      CASE WHEN p.rate IS NULL THEN '-,'
           ELSE length(CAST(p.rate AS BLOB)) || ':' || p.rate || ',' END
      AS s FROM postings p WHERE p.entry = e.id ORDER BY p.id)), '')
  AS BLOB)) FROM entries e WHERE e.id = $id;
SQL
}

entry_hash() { # DB ID
  sql "$1" "$(hash_sql "$2")" >/dev/null
  sha256sum "$work/hash.in" | cut -d' ' -f1
}

# Re-hashes the chain of DB from entry FROM to the end and moves the chain
# head along, as a forger who knows the format would. Triggers on entries
# must already be gone.
rehash_from() { # DB FROM
  local db=$1 id=$2 last prev h
  last=$(sql "$db" "SELECT max(id) FROM entries;")
  prev=$(sql "$db" "SELECT coalesce((SELECT hash FROM entries WHERE id = $id - 1), '');")
  while [ "$id" -le "$last" ]; do
    sql "$db" "UPDATE entries SET prev_hash = '$prev' WHERE id = $id;"
    h=$(entry_hash "$db" "$id")
    sql "$db" "UPDATE entries SET hash = '$h' WHERE id = $id;"
    prev=$h
    id=$((id + 1))
  done
  sql "$db" "UPDATE chain SET last_entry = $last, last_hash = '$prev';"
}

# The untouched chain must be what the independent computation gives;
# otherwise the re-hashing forger below would prove nothing.
for id in 1 2 $((max / 2)) "$max"; do
  want=$(q "SELECT hash FROM entries WHERE id = $id;")
  got=$(entry_hash "$base" "$id")
  [ "$got" = "$want" ] || fail "entry $id: stored hash $want, recomputed $got (hash format changed?)"
done

# ---- Running the cases -----------------------------------------------------

# check NAME SQL [ENTRY PATTERN]... : applies SQL to a fresh copy, then
# requires verify to exit 1 and, for each ENTRY PATTERN pair, a line
# "FAIL entry ENTRY: ..." matching PATTERN (an extended regex).
# Hooks: $pre_verify, if set, is run with the copy's path before verify.
pre_verify=
missed=()
check() {
  local name=$1 sql=$2 db rc out hook=$pre_verify
  shift 2
  pre_verify=
  cases=$((cases + 1))
  db=$work/case$cases.db
  cp "$base" "$db"
  if ! sql -bail "$db" "$sql" >"$work/sql.out" 2>&1; then
    cat "$work/sql.out" >&2
    undetected "$name" "the tampering SQL failed"
    return 0
  fi
  [ -z "$hook" ] || $hook "$db"
  rc=0
  out=$("$tfund" --db "$db" verify 2>"$work/verify.err") || rc=$?
  if [ "$rc" -ne 1 ]; then
    { echo "$out"; cat "$work/verify.err"; } | sed 's/^/    /' >&2
    undetected "$name" "verify exited $rc, not 1"
    return 0
  fi
  while [ $# -gt 0 ]; do
    if ! grep -Eq "^FAIL entry $1: .*($2)" <<<"$out"; then
      sed 's/^/    /' <<<"$out" >&2
      undetected "$name" "no 'FAIL entry $1: ...$2...' line"
      return 0
    fi
    shift 2
  done
  detected=$((detected + 1))
  printf 'detected: %s\n' "$name"
  # TAMPER_VERBOSE=1 shows everything verify said about each case.
  [ -z "${TAMPER_VERBOSE:-}" ] || sed 's/^/    /' <<<"$out"
}

# Every case runs; the misses are reported together at the end.
undetected() {
  echo "NOT DETECTED: $1: $2" >&2
  missed+=("$1")
}

# SQL that takes entry N out of the books with everything that points at
# it: its postings, their share of the running balances, and its pledge or
# receipt record. What remains is consistent but for the journal itself.
remove_entry_sql() {
  cat <<SQL
DROP TRIGGER entries_no_delete;
DROP TRIGGER postings_no_delete;
DROP TRIGGER receipts_no_delete;
DROP TRIGGER pledges_no_delete;
UPDATE balances SET balance = balance - (SELECT sum(p.amount) FROM postings p
  WHERE p.entry = $1 AND p.account = balances.account AND p.pool = balances.pool)
WHERE EXISTS (SELECT 1 FROM postings p WHERE p.entry = $1
  AND p.account = balances.account AND p.pool = balances.pool);
DELETE FROM receipts WHERE entry = $1;
DELETE FROM pledges WHERE entry = $1;
DELETE FROM postings WHERE entry = $1;
DELETE FROM entries WHERE id = $1;
SQL
}

# SQL that adds DELTA to the running balance of ACCOUNT in POOL.
bump_balance_sql() { # ACCOUNT POOL DELTA
  cat <<SQL
INSERT INTO balances (account, pool, balance) VALUES ('$1', '$2', $3)
  ON CONFLICT (account, pool) DO UPDATE SET balance = balance + excluded.balance;
SQL
}

# A pledge in USD (no conversion to check), preferably one without
# receipts; and an entry in the middle of the journal.
usd_pledge=$(q "SELECT entry FROM pledges WHERE currency = 'USD' AND implicit = 0
  ORDER BY (SELECT count(*) FROM receipts r WHERE r.pledge = pledges.ref), entry LIMIT 1;")
[ -n "$usd_pledge" ] || fail "the samples have no USD pledge"
usd_donor=$(q "SELECT donor FROM pledges WHERE entry = $usd_pledge;")
usd_pool=$(q "SELECT pool FROM pledges WHERE entry = $usd_pledge;")
mid=$((max / 2))

# 1. One posting's amount changed: the entry no longer balances (and no
# longer matches its hash). The forger fixes the running balance, so
# that only the entry itself shows it.
check "a posting's amount changed" "
DROP TRIGGER postings_no_update;
UPDATE postings SET amount = amount - 100 WHERE entry = $usd_pledge
  AND account = 'revenue:contributions:$usd_donor';
$(bump_balance_sql "revenue:contributions:$usd_donor" "$usd_pool" -100)
" "$usd_pledge" "does not balance in pool" "$usd_pledge" "does not match its hash"

# 1b. The same, by a forger who also re-hashes the whole chain after it:
# now only the per-pool balance check stands in the way.
pre_verify_rehash() { rehash_from "$1" "$usd_pledge"; }
pre_verify=pre_verify_rehash
check "a posting's amount changed, chain re-hashed" "
DROP TRIGGER postings_no_update;
DROP TRIGGER entries_no_update;
UPDATE postings SET amount = amount - 100 WHERE entry = $usd_pledge
  AND account = 'revenue:contributions:$usd_donor';
$(bump_balance_sql "revenue:contributions:$usd_donor" "$usd_pool" -100)
" "$usd_pledge" "does not balance in pool"
out=$("$tfund" --db "$work/case$cases.db" verify 2>/dev/null || true)
if grep -Eq "^FAIL.*(hash|chain)" <<<"$out"; then
  echo "$out" >&2
  fail "the re-hashed chain still shows: the forger's hash is not tfund's"
fi

# 2. The same change on both postings of the pledge, so that it still
# balances; the running balances and the pledge record follow it, so the
# receivable agrees too. Only the hash catches it.
check "both postings of an entry changed alike" "
DROP TRIGGER postings_no_update;
DROP TRIGGER pledges_no_update;
UPDATE postings SET amount = amount + 100000 WHERE entry = $usd_pledge
  AND account = 'assets:receivable:$usd_donor';
UPDATE postings SET amount = amount - 100000 WHERE entry = $usd_pledge
  AND account = 'revenue:contributions:$usd_donor';
UPDATE pledges SET base_amount = base_amount + 100000, amount = amount + 100000
  WHERE entry = $usd_pledge;
$(bump_balance_sql "assets:receivable:$usd_donor" "$usd_pool" 100000)
$(bump_balance_sql "revenue:contributions:$usd_donor" "$usd_pool" -100000)
" "$usd_pledge" "does not match its hash"

# 3. An entry removed from the middle, with its postings, balances and
# receipt record: the next entry's link to it is broken.
del=$(q "SELECT entry FROM receipts WHERE entry BETWEEN 2 AND $max - 1
  ORDER BY abs(entry - $mid), entry LIMIT 1;")
check "an entry deleted from the middle" "$(remove_entry_sql "$del")" \
  "$((del + 1))" "entries are missing or out of order|previous-hash link is broken"

# 4. The last entry removed the same way: only the chain head, which
# still records it, shows the journal was cut short.
check "the last entry deleted" "$(remove_entry_sql "$max")" \
  "$max" "chain head records entry $max"

# 5. A memo reworded.
check "an entry's memo changed" "
DROP TRIGGER entries_no_update;
UPDATE entries SET memo = memo || ' (amended)' WHERE id = $mid;
" "$mid" "does not match its hash"

# 6. A running balance changed, in an account no other check looks at.
acct=$(q "SELECT account || '|' || pool FROM balances
  WHERE account LIKE 'revenue:contributions:%' ORDER BY account, pool LIMIT 1;")
last_posting=$(q "SELECT max(entry) FROM postings
  WHERE account || '|' || pool = '$acct';")
check "a running balance changed" "
UPDATE balances SET balance = balance - 50000 WHERE account || '|' || pool = '$acct';
" "$last_posting" "running balance of ${acct%%|*} in ${acct##*|}"

# 7. An entry added at the end with two balanced postings, its running
# balances and the chain head moved along, but a made-up hash (linked to
# the real last one).
new=$((max + 1))
last_date=$(q "SELECT max(date) FROM entries;")
last_hash=$(q "SELECT hash FROM entries WHERE id = $max;")
fake=$(printf 'ab%.0s' {1..32})
check "an entry inserted" "
INSERT INTO entries (id, date, kind, memo, ref, reverses, prev_hash, hash)
  VALUES ($new, '$last_date', 'adjustment', 'late gift', NULL, NULL,
          '$last_hash', '$fake');
INSERT INTO postings (entry, account, pool, amount)
  VALUES ($new, 'assets:cash', 'unrestricted', 1000000),
         ($new, 'revenue:contributions:$usd_donor', 'unrestricted', -1000000);
$(bump_balance_sql assets:cash unrestricted 1000000)
$(bump_balance_sql "revenue:contributions:$usd_donor" unrestricted -1000000)
UPDATE chain SET last_entry = $new, last_hash = '$fake';
" "$new" "does not match its hash"

# 8. Two entries' dates swapped: the journal reordered in time. Both are
# pledges in USD, so no exchange rate tells on them; only their hashes.
read -r a b < <(q "SELECT min(entry), max(entry) FROM pledges p
  WHERE currency = 'USD' AND implicit = 0;" | tr '|' ' ')
[ "$a" != "$b" ] || fail "the samples need two USD pledges"
date_a=$(q "SELECT date FROM entries WHERE id = $a;")
date_b=$(q "SELECT date FROM entries WHERE id = $b;")
[ "$date_a" != "$date_b" ] || fail "entries $a and $b share a date"
check "two entries' dates swapped" "
DROP TRIGGER entries_no_update;
UPDATE entries SET date = '$date_b' WHERE id = $a;
UPDATE entries SET date = '$date_a' WHERE id = $b;
" "$a" "does not match its hash" "$b" "does not match its hash"

# 9. A pledge moved to another pool: both postings (still balanced in the
# new pool), the running balances of both pools and the pledge record.
# A pledge without receipts, so that its receivable moves whole.
mv=$(q "SELECT entry FROM pledges p WHERE NOT EXISTS (SELECT 1 FROM receipts r
  WHERE r.pledge = p.ref) ORDER BY entry LIMIT 1;")
[ -n "$mv" ] || fail "the samples have no pledge without receipts"
from=$(q "SELECT pool FROM pledges WHERE entry = $mv;")
to=prep
[ "$from" != prep ] || to=travel
moves=$(q "SELECT account || ' ' || amount FROM postings WHERE entry = $mv;" |
  while read -r account amount; do
    bump_balance_sql "$account" "$from" "$((-amount))"
    bump_balance_sql "$account" "$to" "$amount"
  done)
check "an entry's postings moved to another pool" "
DROP TRIGGER postings_no_update;
DROP TRIGGER pledges_no_update;
UPDATE postings SET pool = '$to' WHERE entry = $mv;
UPDATE pledges SET pool = '$to' WHERE entry = $mv;
$moves
" "$mv" "does not match its hash"

# 10. A rate that converted a past posting changed in the rate table.
read -r conv cur edate < <(q "SELECT p.entry, p.orig_currency, e.date
  FROM postings p JOIN entries e ON e.id = p.entry
  WHERE p.rate IS NOT NULL AND p.orig_currency <> 'USD'
  ORDER BY p.entry, p.id LIMIT 1;" | tr '|' ' ')
rdate=$(q "SELECT max(date) FROM rates WHERE currency = '$cur' AND date <= '$edate';")
check "a rate used by a past conversion changed" "
DROP TRIGGER rates_no_delete;
CREATE TEMP TABLE old_rate AS SELECT * FROM rates
  WHERE currency = '$cur' AND date = '$rdate';
DELETE FROM rates WHERE currency = '$cur' AND date = '$rdate';
INSERT INTO rates (currency, date, per_usd)
  SELECT currency, date, per_usd || '1' FROM temp.old_rate;
" "$conv" "rate table now says"

# 11. A receipt record deleted: the pledge then seems owed in full, and
# the receivable (which still shows the payment) no longer agrees.
gone=$(q "SELECT r.entry FROM receipts r JOIN pledges p ON p.ref = r.pledge
  WHERE p.implicit = 0 ORDER BY abs(r.entry - $mid), r.entry LIMIT 1;")
check "a receipt record deleted" "
DROP TRIGGER receipts_no_delete;
DELETE FROM receipts WHERE entry = $gone;
" "$gone" "has no receipt record|receivable of " "[0-9]+" "receivable of "

# ---- With the triggers in place, the database itself refuses ---------------

refused=0
for sql in \
  "UPDATE entries SET memo = 'x' WHERE id = 1;" \
  "DELETE FROM entries WHERE id = $max;" \
  "UPDATE postings SET amount = amount + 1 WHERE id = 1;" \
  "DELETE FROM postings WHERE id = 1;" \
  "UPDATE pledges SET amount = amount + 1;" \
  "DELETE FROM pledges;" \
  "UPDATE receipts SET amount = amount + 1;" \
  "DELETE FROM receipts;" \
  "UPDATE rates SET per_usd = '2';" \
  "DELETE FROM rates;" \
  "BEGIN;
   INSERT INTO settings (key, value) VALUES ('closed_through', '2099-12-31');
   INSERT INTO entries (id, date, kind, memo, prev_hash, hash)
     VALUES ($((max + 1)), '2099-12-31', 'adjustment', '', '', '');
   COMMIT;"; do
  db=$work/trigger.db
  cp "$base" "$db"
  if sql -bail "$db" "$sql" 2>"$work/sql.err"; then
    fail "the database accepted: $sql"
  fi
  grep -Eq "append-only|period is closed" "$work/sql.err" ||
    fail "'$sql' failed for another reason: $(cat "$work/sql.err")"
  out=$("$tfund" --db "$db" verify) || fail "after a refused '$sql' the books do not verify: $out"
  refused=$((refused + 1))
done
echo "$refused edits refused by the database's triggers"

echo "$detected tamper cases detected"
if [ "$detected" -ne "$cases" ]; then
  fail "only $detected of $cases cases detected; missed: $(printf '%s; ' "${missed[@]}")"
fi
