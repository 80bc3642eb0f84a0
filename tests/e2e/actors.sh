#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two logins on one fund: the event log names each as the actor of what
# it did, in order, whatever the environment says.
#
#   bash tests/e2e/actors.sh TFUND-BINARY SOURCE-DIR
#
# Needs root, to make a second operating-system user for the test (and
# remove it afterwards) and to run tfund as it with runuser; skipped
# (exit 77) otherwise.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm

[ "$(id -u)" = 0 ] || {
  echo "skipped: actors.sh makes a second user and needs root"
  exit 77
}
for tool in runuser useradd userdel; do
  command -v "$tool" >/dev/null || {
    echo "skipped: actors.sh needs $tool"
    exit 77
  }
done

other=tfact$$
work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-actors.XXXXXX")
cleanup() {
  userdel "$other" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
  --user-group "$other"
# The other user runs its own copy of the binary and reads copies of the
# samples from a folder both may write (the fund and its log files).
chmod 0777 "$work"
cp "$tfund" "$work/tfund"
cp "$sample/rates.csv" "$sample/donors.csv" "$sample/sessions.csv" "$work/"
chmod 0755 "$work/tfund"
chmod 0644 "$work"/*.csv
db=$work/fund.db
me=$(id -un)

fail() {
  echo "actors: $*" >&2
  exit 1
}
as_other() { runuser -u "$other" -- "$work/tfund" --db "$db" "$@"; }
as_me() { "$work/tfund" --db "$db" "$@"; }

# Made by the other user: the file is its, root may write it too.
as_other init --name "Two hands" >/dev/null
as_me import rates "$work/rates.csv" >/dev/null
as_other import donors "$work/donors.csv" >/dev/null
# Neither an environment variable nor anything else chooses the actor.
USER=mallory LOGNAME=mallory TFUND_ACTOR=mallory as_me set psc_rate 0.12 >/dev/null
as_other pledge add P-1 --donor norway --date 2017-01-16 --amount 1000.00 \
  --currency USD --pool travel >/dev/null
as_me receipt add R-1 --pledge P-1 --date 2017-02-20 --amount 1000.00 \
  --currency USD >/dev/null
# A read, a dry run, a refused command and one that adds nothing append
# no event.
as_other pools >/dev/null
as_me import donors "$work/donors.csv" >/dev/null
if as_other receipt add R-2 --pledge P-1 --date 2017-02-21 --amount 1.00 \
  --currency USD >/dev/null 2>&1; then
  fail "a receipt beyond what is owed was accepted"
fi
as_me import sessions "$work/sessions.csv" >/dev/null
as_other surplus --date 2017-03-01 --dry-run >/dev/null

log=$(as_me log --format csv)
want="seq,at,actor,command,summary
1,$other,tfund init --name 'Two hands'
2,$me,tfund import rates $work/rates.csv
3,$other,tfund import donors $work/donors.csv
4,$me,tfund set psc_rate 0.12
5,$other,tfund pledge add P-1 --donor norway --date 2017-01-16 --amount 1000.00 --currency USD --pool travel
6,$me,tfund receipt add R-1 --pledge P-1 --date 2017-02-20 --amount 1000.00 --currency USD
7,$me,tfund import sessions $work/sessions.csv"
# The time and the summary aside: seq, actor and command, in order.
got=$(/usr/bin/python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
print(",".join(rows[0]))
for r in rows[1:]:
    print(",".join((r[0], r[2], r[3])))' <<<"$log")
[ "$got" = "$want" ] || fail "the log is not what the two logins did, in order:
--- expected
$want
--- got
$got"
grep -Eq '^[0-9]+,[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z,' <<<"$(tail -n +2 <<<"$log")" ||
  fail "event times are not UTC to the second: $log"
grep -q "psc_rate: '0.13' -> '0.12'" <<<"$log" || fail "the setting's event does not say what changed: $log"

# Filters: one actor's events, and the events of one record.
[ "$(as_me log --actor "$other" --format csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" = "1 3 5 " ] ||
  fail "log --actor $other: $(as_me log --actor "$other" --format csv)"
[ "$(as_other log --ref P-1 --format csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" = "5 6 " ] ||
  fail "log --ref P-1: $(as_other log --ref P-1 --format csv)"
hist=$(as_me history P-1 --format csv)
grep -q "^5,[^,]*,$other,\"\?pledge P-1 recorded" <<<"$hist" || fail "history P-1: $hist"
grep -q "^6,[^,]*,$me,\"\?receipt R-1 recorded" <<<"$hist" || fail "history P-1: $hist"
as_me log --format json | /usr/bin/python3 -c '
import json, sys
events = json.load(sys.stdin)
assert [e["seq"] for e in events] == list(range(1, 8)), events
assert set(events[0]) == {"seq", "at", "actor", "command", "summary"}, events[0]
' || fail "log --format json"

# settings --history: who set each value, and when.
h=$(as_other settings --history psc_rate --format csv)
[ "$(tail -n +2 <<<"$h" | cut -d, -f1,2,3,5)" = "psc_rate,0.13,1,$other
psc_rate,0.12,4,$me" ] || fail "settings --history psc_rate: $h"

out=$(as_other verify) || fail "the fund of two logins does not verify: $out"
echo "ok: two logins, seven events in order, each with its actor and command"
