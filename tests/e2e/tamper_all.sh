#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every covered table, tampered with outside tfund, is named by verify.
#
#   bash tests/e2e/tamper_all.sh TFUND-BINARY SOURCE-DIR
#
# Builds the sample fund (samples/gcm: the whole cycle of cycle.py, then
# every funded grant cancelled and the fund closed, so that every covered
# table has rows), checks that it verifies, then for each covered table
# and each of UPDATE, INSERT and DELETE edits a fresh copy with the
# sqlite3 shell twice: once as it is, once with every trigger of the file
# dropped first. Whenever the edit went through, `tfund verify` must exit
# 1 with a FAIL line naming the table and the row; when a trigger refused
# it, the copy is unchanged and verify must exit 0. Rows are chosen by
# querying the fund (the middle row of each table), not by fixed numbers.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm

command -v sqlite3 >/dev/null || {
  echo "skipped: tamper_all needs the sqlite3 shell"
  exit 77
}
[ -x /usr/bin/python3 ] || {
  echo "skipped: tamper_all needs python3 (samples/gcm/cycle.py)"
  exit 77
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-tamper-all.XXXXXX")
trap 'rm -rf "$work"' EXIT
base=$work/base.db
unset TFUND_DB

fail() {
  echo "tamper_all: $*" >&2
  exit 1
}
sql() { sqlite3 -init /dev/null -batch -noheader "$@"; }
q() { sql "$base" "$1"; }
tf() { "$tfund" --db "$base" "$@"; }

# ---- The sample fund, every table with rows ----------------------------------
tf init --name "Tamper test" >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
/usr/bin/python3 "$sample/cycle.py" "$tfund" "$base" "$sample" "$work/out" >/dev/null
# A run undone (the latest whose grants are not paid) and a request
# amended, so that run_steps and amendments have rows.
run=$(q "SELECT max(r.id) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM requests q
         WHERE q.run = r.id AND q.status = 'disbursed');")
tf allocation undo "$run" --date 2019-01-14 >/dev/null
ref=$(q "SELECT ref FROM requests WHERE status IN ('pending', 'waitlisted') ORDER BY ref LIMIT 1;")
tf request amend "$ref" --gender X >/dev/null
# With approvals on, a run proposed and rejected, and a payment requested
# and rejected, so that proposals, payments and payment_steps have rows.
tf set approvals approve >/dev/null
tf allocate conf --date 2018-12-11 --quiet >/dev/null
tf allocation reject "$(q "SELECT max(id) FROM runs;")" --reason "tamper test" \
  --date 2018-12-11 >/dev/null
ref=$(q "SELECT ref FROM requests WHERE status = 'funded' ORDER BY ref LIMIT 1;")
tf disburse "$ref" --amount 1.00 --currency USD --date 2019-01-14 --force >/dev/null
tf payment reject 1 --reason "tamper test" --date 2019-01-14 >/dev/null
tf set approvals none >/dev/null
for ref in $(q "SELECT ref FROM requests WHERE status = 'funded' ORDER BY ref;"); do
  tf cancel "$ref" --date 2019-01-15 >/dev/null
done
tf close --date 2019-01-31 >/dev/null
# A team fund: the login running the test is the admin (two versions of
# it: added, then its password), with two other users after it.
tf user add adm --name "The Administrator" --role admin >/dev/null
printf 'a long password\n' | tf user password adm >/dev/null
tf user add rec --name "A Recorder" --role recorder --login tamper-rec >/dev/null
tf user add aud --name "An Auditor" --role auditor >/dev/null
out=$(tf verify) || fail "the untouched sample fund does not verify: $out"
sql "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

tables="country_versions countries rates donors pledges receipts sessions
requests costs setting_versions settings runs decisions draws spends
transfers refunds entries postings events envelopes run_steps amendments proposals payments payment_steps"
tables="$tables users"
for t in $tables; do
  n=$(q "SELECT count(*) FROM $t;")
  [ "$n" -gt 0 ] || fail "the sample fund has no rows in $t"
done

# The middle row of table T, its last rowid, and a column of that row.
mid() { q "SELECT rowid FROM $1 ORDER BY rowid LIMIT 1 OFFSET (SELECT count(*) / 2 FROM $1);"; }
top() { q "SELECT max(rowid) FROM $1;"; }
val() { q "SELECT $2 FROM $1 WHERE rowid = $3;"; }

# ---- The edits ----------------------------------------------------------------
#
# edit TABLE OP: sets $edit (the SQL) and $expect (an extended regex one
# FAIL line must match) for the table's middle row R, or a new row N.
edit() {
  local t=$1 op=$2 r n
  r=$(mid "$t")
  n=$(($(top "$t") + 1))
  expect="$t row $r\b"
  case "$op" in
  delete)
    edit="DELETE FROM $t WHERE rowid = $r;"
    expect="$t rows? ([0-9]+-)?$r\b|$t rows $((r - 1))-$r\b|$t rows $r-"
    case "$t" in
    countries) expect="countries row for $(val "$t" iso3 "$r"): removed" ;;
    settings) expect="settings row for $(val "$t" key "$r"): removed" ;;
    events) expect="events rows $r-$r: removed" ;;
    esac
    return
    ;;
  insert)
    expect="$t row $n\b"
    ;;
  esac
  case "$t:$op" in
  country_versions:update) edit="UPDATE $t SET name = name || ' (forged)' WHERE id = $r;" ;;
  country_versions:insert)
    edit="INSERT INTO $t (iso3, m49, name, un_status, region_group, ldc_from,
            ldc_until, sids, lldc, developing)
          SELECT iso3, m49, name, un_status, region_group, '1971', ldc_until,
                 sids, lldc, 1 FROM $t WHERE id = $r;" ;;
  countries:update)
    edit="UPDATE $t SET ldc_from = '1971', developing = 1 WHERE rowid = $r;"
    expect="countries row $r \\(.*\\): ldc_from" ;;
  countries:insert)
    # With the triggers, the new country becomes a version no event wrote.
    edit="INSERT INTO $t (iso3, m49, name, un_status, sids, lldc, developing)
          VALUES ('ZZZ', '999', 'Forgedland', 'member', 0, 0, 1);"
    expect="countries row $n \\(ZZZ\\)|country_versions row $(($(top country_versions) + 1)) \\(ZZZ\\)" ;;
  rates:update) edit="UPDATE $t SET per_usd = per_usd || '1' WHERE rowid = $r;" ;;
  rates:insert) edit="INSERT INTO $t (currency, date, per_usd) VALUES ('EUR', '2099-12-31', '1');" ;;
  donors:update) edit="UPDATE $t SET name = name || ' (forged)' WHERE rowid = $r;" ;;
  donors:insert) edit="INSERT INTO $t (id, name, type) VALUES ('zz-forged', 'Forged', 'other');" ;;
  pledges:update) edit="UPDATE $t SET due = '2031-01-01' WHERE rowid = $r;" ;;
  pledges:insert)
    edit="INSERT INTO $t (ref, donor, date, amount, currency, pool, due, rate,
            base_amount, implicit, entry)
          SELECT 'ZZ-' || ref, donor, date, amount, currency, pool, due, rate,
                 base_amount, implicit, entry FROM $t WHERE rowid = $r;" ;;
  receipts:update) edit="UPDATE $t SET date = date(date, '+1 day') WHERE rowid = $r;" ;;
  receipts:insert)
    edit="INSERT INTO $t (ref, pledge, date, amount, currency, rate,
            base_amount, relieved, entry)
          SELECT 'ZZ-' || ref, pledge, date, amount, currency, rate,
                 base_amount, relieved, entry FROM $t WHERE rowid = $r;" ;;
  sessions:update) edit="UPDATE $t SET start = '2016-01-01' WHERE rowid = $r;" ;;
  sessions:insert)
    edit="INSERT INTO $t (id, name, venue, start, days, dsa, terminal)
          VALUES ('zz', 'Forged', 'Nowhere', '2018-01-01', 30, 100, 10);" ;;
  requests:update) edit="UPDATE $t SET delegate = 'Someone Else' WHERE rowid = $r;" ;;
  requests:insert)
    edit="INSERT INTO $t (ref, session, country, delegate, submitted, fare,
            fare_currency, gender)
          SELECT 'ZZ-' || ref, session, country, delegate, submitted, fare,
                 fare_currency, gender FROM $t WHERE rowid = $r;" ;;
  costs:update) edit="UPDATE $t SET amount = amount * 10 WHERE rowid = $r;" ;;
  costs:insert)
    edit="INSERT INTO $t (ref, date, amount, currency)
          SELECT 'ZZ-' || ref, date, amount, currency FROM $t WHERE rowid = $r;" ;;
  setting_versions:update) edit="UPDATE $t SET value = value || '0' WHERE id = $r;" ;;
  setting_versions:insert) edit="INSERT INTO $t (key, value) VALUES ('psc_rate', '0.08');" ;;
  settings:update)
    # With the triggers, the new value becomes a version no event wrote.
    edit="UPDATE $t SET value = '0.08' WHERE key = 'psc_rate';"
    r=$(q "SELECT rowid FROM settings WHERE key = 'psc_rate';")
    expect="settings row $r \\(psc_rate\\)|setting_versions row $(($(top setting_versions) + 1)) \\(psc_rate" ;;
  settings:insert)
    edit="INSERT INTO $t (key, value) VALUES ('forged_key', 'none');"
    expect="settings row $n \\(forged_key\\)|setting_versions row $(($(top setting_versions) + 1)) \\(forged_key" ;;
  runs:update) edit="UPDATE $t SET options = replace(options, 'strict=0', 'strict=1') WHERE id = $r;" ;;
  runs:insert)
    edit="INSERT INTO $t (session, date, options, share)
          SELECT session, date, options, share FROM $t WHERE id = $r;" ;;
  decisions:update) edit="UPDATE $t SET reason = 'over-quota' WHERE id = $r;" ;;
  decisions:insert)
    edit="INSERT INTO $t (run, request, date, status, reason, charge, note)
          SELECT run, request, date, 'funded', '', charge, note FROM $t WHERE id = $r;" ;;
  draws:update) edit="UPDATE $t SET amount = amount + 100 WHERE rowid = $r;" ;;
  draws:insert)
    edit="INSERT INTO $t (request, seq, pool, amount, entry)
          SELECT request, seq + 10, pool, amount, entry FROM $t WHERE rowid = $r;" ;;
  envelopes:update) edit="UPDATE $t SET envelope = envelope + 100 WHERE id = $r;" ;;
  envelopes:insert)
    edit="INSERT INTO $t (run, pool, envelope, used, available, allowance)
          SELECT run, 'prep', envelope, used, available, allowance FROM $t
          WHERE id = $r;" ;;
  run_steps:update) edit="UPDATE $t SET note = 'forged' WHERE id = $r;" ;;
  run_steps:insert)
    edit="INSERT INTO $t (run, step, date, actor)
          SELECT run, 'undone', date, 'someone' FROM $t WHERE id = $r;" ;;
  amendments:update) edit="UPDATE $t SET fare = fare + 1 WHERE id = $r;" ;;
  amendments:insert)
    edit="INSERT INTO $t (request, delegate, fare, fare_currency, gender)
          SELECT request, delegate, fare, fare_currency, gender FROM $t
          WHERE id = $r;" ;;
  proposals:update) edit="UPDATE $t SET status = 'funded', reason = '' WHERE id = $r;" ;;
  proposals:insert)
    edit="INSERT INTO $t (run, request, status, reason, tier, fare_base, dsa,
            terminal, cost, psc, charge, draws, seen_decision, seen_amendment)
          SELECT run, 'ZZ-' || request, status, reason, tier, fare_base, dsa,
                 terminal, cost, psc, charge, draws, seen_decision,
                 seen_amendment FROM $t WHERE id = $r;" ;;
  payments:update) edit="UPDATE $t SET amount = amount * 10 WHERE id = $r;" ;;
  payments:insert)
    edit="INSERT INTO $t (request, date, amount, currency, force, correct, actor)
          SELECT request, date, amount, currency, force, correct, 'someone'
          FROM $t WHERE id = $r;" ;;
  payment_steps:update) edit="UPDATE $t SET step = 'approved' WHERE id = $r;" ;;
  payment_steps:insert)
    edit="INSERT INTO $t (payment, step, date, actor)
          SELECT payment, 'approved', date, 'someone' FROM $t WHERE id = $r;" ;;
  spends:update) edit="UPDATE $t SET memo = memo || ' (forged)' WHERE rowid = $r;" ;;
  spends:insert)
    edit="INSERT INTO $t (ref, date, amount, currency, memo, base_amount, psc, entry)
          SELECT 'ZZ-' || ref, date, amount, currency, memo, base_amount, psc,
                 entry FROM $t WHERE rowid = $r;" ;;
  transfers:update) edit="UPDATE $t SET amount = amount + 1 WHERE rowid = $r;" ;;
  transfers:insert)
    edit="INSERT INTO $t (entry, from_pool, to_pool, amount)
          SELECT entry, from_pool, 'ldc-travel', amount FROM $t WHERE rowid = $r;" ;;
  refunds:update) edit="UPDATE $t SET amount = amount + 1 WHERE rowid = $r;" ;;
  refunds:insert)
    edit="INSERT INTO $t (entry, donor, pool, amount)
          SELECT entry, 'zz-forged', pool, amount FROM $t WHERE rowid = $r;" ;;
  entries:update)
    edit="UPDATE $t SET memo = memo || ' (amended)' WHERE id = $r;"
    expect="entry $r: content does not match its hash \\(entries row $r\\b" ;;
  entries:insert)
    edit="INSERT INTO $t (id, date, kind, memo, prev_hash, hash)
          SELECT $n, date, 'adjustment', 'late gift', hash, hash FROM $t
          WHERE id = $n - 1;" ;;
  postings:update)
    # The journal's hash covers an entry with its postings: the entry is
    # named with the range of its postings' rows.
    local e a b
    e=$(val "$t" entry "$r")
    read -r a b < <(q "SELECT min(id), max(id) FROM postings WHERE entry = $e;" | tr '|' ' ')
    [ "$a" -le "$r" ] && [ "$r" -le "$b" ] || fail "posting $r is not among its entry's"
    edit="UPDATE $t SET account = account || ':x' WHERE id = $r;"
    expect="entry $e: .*postings rows $a-$b changed" ;;
  postings:insert)
    edit="INSERT INTO $t (entry, account, pool, amount)
          VALUES ($(val entries id "$(mid entries)"), 'assets:cash', 'prep', 0);" ;;
  events:update)
    edit="UPDATE $t SET actor = 'someone-else' WHERE seq = $r;"
    expect="events row $r: content does not match its hash" ;;
  events:insert)
    edit="INSERT INTO $t (seq, at, actor, command, summary, wrote, checks,
            digest, prev_hash, hash)
          SELECT $n, at, actor, command, summary, '', x'', digest, hash, hash
          FROM $t WHERE seq = $n - 1;" ;;
  users:update) edit="UPDATE $t SET roles = 'admin' WHERE rowid = $r;" ;;
  users:insert)
    edit="INSERT INTO $t (id, version, name, roles, login, donor, password,
            disabled, change, at, actor)
          VALUES ('zz-forged', 1, 'Forged', 'admin', NULL, NULL, NULL, 0,
                  'add', '2019-02-01T00:00:00Z', 'adm');" ;;
  *) fail "no $op edit for $t" ;;
  esac
}

drop_triggers() {
  sql "$1" "SELECT 'DROP TRIGGER \"' || name || '\";' FROM sqlite_master
            WHERE type = 'trigger';" | sql "$1"
}

detected=0
refused=0
cases=0
for t in $tables; do
  for op in update insert delete; do
    for mode in triggers dropped; do
      cases=$((cases + 1))
      db=$work/case.db
      rm -f "$db" "$db-wal" "$db-shm"
      cp "$base" "$db"
      edit "$t" "$op"
      [ "$mode" = triggers ] || drop_triggers "$db"
      label="$t $op ($mode)"
      rc=0
      sql -bail "$db" "$edit" >"$work/sql.out" 2>&1 || rc=$?
      if [ "$rc" -ne 0 ]; then
        [ "$mode" = triggers ] || fail "$label: the edit failed: $(cat "$work/sql.out")"
        out=$("$tfund" --db "$db" verify 2>&1) ||
          fail "$label: refused by a trigger, yet the books do not verify: $out"
        refused=$((refused + 1))
        continue
      fi
      rc=0
      out=$("$tfund" --db "$db" verify 2>/dev/null) || rc=$?
      [ "$rc" -eq 1 ] || fail "$label: verify exited $rc, not 1: $out"
      grep -Eq "^FAIL .*($expect)" <<<"$out" ||
        fail "$label: no FAIL line naming /$expect/:
$(sed 's/^/    /' <<<"$out" | head -20)"
      detected=$((detected + 1))
      [ -z "${TAMPER_VERBOSE:-}" ] || { echo "== $label"; head -5 <<<"$out"; }
    done
  done
done

# Changed for a run and changed back afterwards: the run's decisions
# still tell (the classification, the settings and the sessions in force
# when it ran are what the events say they were).
db=$work/case.db
rm -f "$db" "$db-wal" "$db-shm"
"$tfund" --db "$db" init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  "$tfund" --db "$db" import "$kind" "$sample/$kind.csv" >/dev/null
done
iso=$(sql "$db" "SELECT q.country FROM requests q JOIN countries c ON
  c.iso3 = q.country WHERE q.session = 'its1' AND c.developing = 0 LIMIT 1;")
[ -n "$iso" ] || fail "no request of its1 from a country that is not developing"
sql "$db" "CREATE TABLE keep AS SELECT * FROM countries WHERE iso3 = '$iso';
  DROP TRIGGER countries_version_insert; DROP TRIGGER countries_no_update;
  UPDATE countries SET ldc_from = '1971', developing = 1 WHERE iso3 = '$iso';
  CREATE TABLE keep_s AS SELECT * FROM sessions WHERE id = 'its2';
  DROP TRIGGER sessions_no_update;
  UPDATE sessions SET start = '2016-01-01' WHERE id = 'its2';"
"$tfund" --db "$db" allocate its1 --date 2017-05-01 --quiet >/dev/null
sql "$db" "UPDATE countries SET ldc_from = (SELECT ldc_from FROM keep),
  developing = (SELECT developing FROM keep) WHERE iso3 = '$iso';
  UPDATE sessions SET start = (SELECT start FROM keep_s) WHERE id = 'its2';
  DROP TABLE keep; DROP TABLE keep_s;"
rc=0
out=$("$tfund" --db "$db" verify 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ] || fail "a classification changed for a run and back: verify exited $rc"
grep -Eq "^FAIL decisions row [0-9]+ \\(.*\\): tier 1, but country_versions row [0-9]+ of $iso" <<<"$out" ||
  fail "the run's tier from a changed classification is not named: $out"
grep -Eq "^FAIL runs row 1 \\(run 1 of its1\\): its budget share is" <<<"$out" ||
  fail "the run's share from a changed session is not named: $out"
detected=$((detected + 1))

# VACUUM keeps every rowid: a vacuumed fund still verifies.
cp "$base" "$work/vacuum.db"
sql "$work/vacuum.db" "VACUUM;"
out=$("$tfund" --db "$work/vacuum.db" verify) || fail "a vacuumed fund does not verify: $out"

# verify --expect event:SEQ:HASH: the head noted elsewhere must still be
# the event it was.
head=$("$tfund" --db "$base" verify | sed -n 's/.*(head event:\([0-9]*:[0-9a-f]*\)).*/\1/p')
[ -n "$head" ] || fail "verify does not print the events' head"
"$tfund" --db "$base" verify --expect "event:$head" >/dev/null ||
  fail "verify --expect event:$head fails on the untouched fund"
seq=${head%%:*}
rc=0
out=$("$tfund" --db "$base" verify --expect "event:$seq:$(printf '0%.0s' {1..64})" 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ] && grep -q "^FAIL events row $seq: its hash is not the one noted" <<<"$out" ||
  fail "verify --expect with another hash: exit $rc: $out"
rc=0
out=$("$tfund" --db "$base" verify --expect "event:$((seq + 1)):${head#*:}" 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ] && grep -q "^FAIL events row $((seq + 1)): no such row" <<<"$out" ||
  fail "verify --expect beyond the log: exit $rc: $out"

echo "$detected edits detected and named, $refused refused by the database's triggers, in $cases cases"
[ $((detected + refused)) -eq $((cases + 1)) ] || fail "cases unaccounted for"
