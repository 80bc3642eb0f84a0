#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a new administrator meets in the first hour, each as tfund now does
# it: 'add' commands print the entry numbers 'reverse' needs; lists mark
# what was reversed; messages name arguments as the usage does and count
# in the singular when there is one; every table for people groups digits;
# request list and country list; a file or database path that names
# nothing usable is bad usage (exit 2); a count out of range says so;
# negative numbers are values, not options; an option given twice is
# refused by every command.
#
# usage: bash tests/e2e/rough_edges.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLES=$SRC/samples/gcm
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export TFUND_DB=$WORK/fund.db

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" "$@"; }

# run RC -- ARGS: tfund ARGS exits RC, stdout in out, stderr in err.
run() {
    local want=$1 rc=0
    shift 2
    tf "$@" >out 2>err || rc=$?
    [ "$rc" -eq "$want" ] || { cat out err >&2; fail "tfund $*: exit $rc, expected $want"; }
}
has() { grep -qE -- "$1" "$2" || { cat "$2" >&2; fail "$2 does not match /$1/"; }; }
lacks() { ! grep -qE -- "$1" "$2" || { cat "$2" >&2; fail "$2 matches /$1/"; }; }

echo "singular counts on a fund of one entry"
run 0 -- init
printf 'id,name,type,country\nnorway,Norway,state,NOR\n' >one.csv
run 0 -- import donors one.csv
has '^one.csv: 1 row: 1 added, 0 already known$' out
run 0 -- import rates "$SAMPLES/rates.csv"
run 0 -- pledge add P-1 --donor norway --date 2017-01-16 --amount 1500000.00 \
    --currency NOK --pool travel
has '^P-1: recorded as entry 1$' out
run 0 -- verify
has '^ok: 1 entry, hash chain intact' out

echo "add commands print the entry that reverse needs"
run 0 -- pledge add P-2 --donor norway --date 2017-01-20 --amount 1000.00 \
    --currency NOK --pool travel
has '^P-2: recorded as entry 2$' out
run 0 -- pledge add P-2 --donor norway --date 2017-01-20 --amount 1000.00 \
    --currency NOK --pool travel
has '^P-2: already recorded as entry 2, nothing added$' out
run 0 -- receipt add R-1 --pledge P-1 --date 2017-02-20 --amount 1500000.00 --currency NOK
has '^R-1: recorded as entry 3$' out
run 0 -- receipt add R-2 --donor norway --pool prep --date 2017-02-21 --amount 50000.00 --currency USD
has '^R-2: recorded as entries 4 \(pledge\) and 5 \(receipt\)$' out
run 0 -- spend SP-1 --date 2017-03-01 --amount 100.00
has '^SP-1: recorded as entry 6$' out

echo "what was reversed is marked in the lists"
run 0 -- reverse 2 --date 2017-03-02
run 0 -- reverse 6 --date 2017-03-02
run 0 -- reverse 5 --date 2017-03-02
tf pledge list --format csv >pledges.csv
tf receipt list --format csv >receipts.csv
tf spend list --format csv >spends.csv
"$PY" - <<'EOF' || fail "reversed records are not marked as such"
import csv
p = {r["ref"]: r for r in csv.DictReader(open("pledges.csv"))}
r = {x["ref"]: x for x in csv.DictReader(open("receipts.csv"))}
s = {x["ref"]: x for x in csv.DictReader(open("spends.csv"))}
assert (p["P-1"]["entry"], p["P-1"]["reversed_by"]) == ("1", ""), p["P-1"]
assert (p["P-2"]["entry"], p["P-2"]["reversed_by"], p["P-2"]["outstanding"]) == ("2", "7", "0.00"), p["P-2"]
assert (r["R-2"]["entry"], r["R-2"]["reversed_by"]) == ("5", "9"), r["R-2"]
assert r["R-1"]["reversed_by"] == "", r["R-1"]
assert (s["SP-1"]["entry"], s["SP-1"]["reversed_by"]) == ("6", "8"), s["SP-1"]
EOF
run 0 -- pledge add P-2 --donor norway --date 2017-01-20 --amount 1000.00 \
    --currency NOK --pool travel
has '^P-2: already recorded as entry 2 \(reversed by entry 7\), nothing added$' out
tf pledge list >pledges.txt
has '^P-2 .* 2 +7$' pledges.txt

echo "arguments are named as the usage names them"
run 2 -- pledge add P-1 --donor norway --date 2017-01-16 --amount 1.00 --currency NOK --pool travel
has "^tfund: REF: pledge 'P-1' is already recorded with other details$" err
lacks '--ref' err
run 2 -- pledge add '' --donor norway --date 2017-01-16 --amount 1.00 --currency NOK --pool travel
has '^tfund: REF: ref is empty$' err
run 2 -- rate add EUR 2019-01-01 -0.9
has "^tfund: PER_USD: decimal '-0.9' may not be negative$" err
run 2 -- donor add 'a b' --name x --type state
has "^tfund: ID: donor id 'a b' must be" err
run 2 -- pledge add P-9 --donor norway --date 2017-01-16 --amount 1.00 --currency NOK --pool beach
has "^tfund: --pool: pool 'beach' is not one of" err

echo "negative numbers are values, not options"
run 2 -- set reserve_rate -0.1
has 'may not be negative' err
lacks 'unknown option' err
run 2 -- reverse -5 --date 2017-03-03
has "^tfund: '-5' is not an entry id$" err
tf import donors "$SAMPLES/donors.csv" >/dev/null
tf import sessions "$SAMPLES/sessions.csv" >/dev/null
tf import pledges "$SAMPLES/pledges.csv" >/dev/null
tf import receipts "$SAMPLES/receipts.csv" >/dev/null
tf import requests "$SAMPLES/requests.csv" >/dev/null
run 0 -- allocate its1 --date 2017-05-01 --quiet
ref=$(tf request list --session its1 --status funded --format csv | awk -F, 'NR == 2 {print $1}')
[ -n "$ref" ] || fail "no funded request of its1"
run 2 -- disburse "$ref" --date 2017-05-20 --amount -5.00 --currency USD
has "^tfund: --amount: amount '-5.00' may not be negative$" err
run 2 -- disburse "$ref" --date 2017-05-20 --amount=-5.00 --currency USD
has "may not be negative" err

echo "request list and country list"
tf request list --format csv >requests.csv
tf request list --session its1 --status funded --format json >funded.json
tf request list --session its1 >its1.txt
"$PY" - "$SAMPLES/requests.csv" <<'EOF' || fail "request list does not show the requests and their decisions"
import csv, json, sys
want = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
got = list(csv.DictReader(open("requests.csv", encoding="utf-8")))
assert len(got) == len(want) == 481, (len(got), len(want))
g = {r["ref"]: r for r in got}
for w in want:
    r = g[w["ref"]]
    for k in ("session", "country", "delegate", "submitted", "fare", "fare_currency", "gender"):
        assert r[k] == w[k], (w["ref"], k, r[k], w[k])
its1 = [r for r in got if r["session"] == "its1"]
assert {r["status"] for r in its1} == {"funded", "waitlisted", "rejected"}, {r["status"] for r in its1}
assert all(r["status"] == "pending" for r in got if r["session"] == "its2")
funded = json.load(open("funded.json"))
assert [f["ref"] for f in funded] == [r["ref"] for r in its1 if r["status"] == "funded"]
assert all(f["charge"] and float(f["charge"]) > 0 for f in funded)
EOF
has '^ref +session +country +delegate' its1.txt
run 2 -- request list --status bogus
has "'bogus' is not a status" err
tf country list --format csv >countries.csv
tf country list --ldc-on 2017-06-10 --format csv >ldc-2017.csv
tf country list --ldc-on 2017-06-01 --format json >ldc-before.json
"$PY" - <<'EOF' || fail "country list does not show the classification"
import csv, json
allc = {r["iso3"]: r for r in csv.DictReader(open("countries.csv", encoding="utf-8"))}
assert len(allc) >= 190 and allc["NPL"]["name"] == "Nepal", len(allc)
ldc = {r["iso3"]: r for r in csv.DictReader(open("ldc-2017.csv", encoding="utf-8"))}
before = {r["iso3"] for r in json.load(open("ldc-before.json"))}
# Equatorial Guinea graduated on 2017-06-04.
assert "GNQ" in before and "GNQ" not in ldc, ("GNQ", "GNQ" in before, "GNQ" in ldc)
assert len(ldc) == 47 and all(r["tier"] == "1" for r in ldc.values()), len(ldc)
assert allc["FRA"]["tier"] == "" and allc["KEN"]["tier"] == "2"
EOF
run 2 -- country list --ldc-on 2017-02-30
run 2 -- country show NPL

echo "every table for people groups its digits"
for cmd in "pledge list" "receipt list" "session list" "spend list" "request list" \
    "allocation show its1" "pools" "balance" "attribution" "settings"; do
    # shellcheck disable=SC2086
    tf $cmd >table.txt || fail "tfund $cmd failed"
    if grep -E '(^|[ (:])-?[0-9]{4,}\.[0-9]+( |;|$)' table.txt | grep -vE '[0-9]{4}-[0-9]{2}-[0-9]{2}T' >ungrouped.txt; then
        cat ungrouped.txt >&2
        fail "tfund $cmd shows amounts without grouping"
    fi
done
tf pledge list >pledges.txt
has ' 1,500,000\.00 ' pledges.txt
tf pledge list --format csv | grep >/dev/null ',1500000.00,' || fail "the CSV of pledge list groups digits"

echo "paths that name nothing usable are bad usage"
run 2 -- import donors "$WORK/missing.csv"
has "could not open for reading: No such file or directory" err
mkdir adir
run 2 -- import donors adir
has "adir: is a directory, not a file" err
run 2 -- --db "$WORK/adir" pools
has "is a directory: --db" err
run 2 -- --db "$WORK/adir" init
TFUND_DB=$WORK/adir run 2 -- pools

echo "a count out of range says so"
run 2 -- session add s9 --name x --venue y --start 2019-01-07 --days 1000000000 --dsa 1 --terminal 1
has '^tfund: --days: days must be a whole number from 1 to 366$' err
run 2 -- session add s9 --name x --venue y --start 2019-01-07 --days 2.5 --dsa 1 --terminal 1
has "is not a whole number" err

echo "an option given twice is refused by every command"
run 2 -- --db a.db --db b.db pools
has 'option --db is given twice' err
# One command line for each command, with one of its options twice;
# 'none' for the commands whose only option is --help.
cat >twice.txt <<'EOF'
init --name a --name b
set none
settings --format csv --format csv
import --max-errors 1 --max-errors 2 donors one.csv
donor add x --name a --name b --type state
donor list --donor a --donor b
pledge add P-8 --donor norway --donor sweden
pledge list --format csv --format csv
receipt add R-8 --date 2017-02-20 --date 2017-02-21
receipt list --donor a --donor b
rate none
session add s8 --venue a --venue b
session list --format csv --format json
request add Q-8 --session its1 --session its2
request list --status funded --status waitlisted
country list --ldc-on 2017-01-01 --ldc-on 2018-01-01
allocate its2 --date 2017-05-10 --date 2017-05-11
request amend Q-8 --fare 1 --fare 2 --fare-currency USD
allocation show its1 --format csv --format csv
allocation envelope its1 --date 2017-05-01 --date 2017-05-02
allocation runs --format csv --format json
allocation decisions 1 --format csv --format csv
allocation undo 1 --date 2017-05-20 --date 2017-05-21
allocation certify 1 --date 2017-05-20 --date 2017-05-21
allocation approve 1 --date 2017-05-20 --date 2017-05-21
allocation reject 1 --reason a --reason b
waitlist --session its2 --session its3
headroom --date 2017-05-01 --date 2017-05-02
disburse R-its1-001 --date 2017-05-20 --date 2017-05-21
undisburse R-its1-001 --date 2017-05-20 --date 2017-05-21
cancel R-its1-001 --date 2017-05-20 --date 2017-05-21
reinstate R-its1-001 --date 2017-05-20 --date 2017-05-21
payment list --format csv --format json
payment certify 1 --date 2017-05-20 --date 2017-05-21
payment approve 1 --date 2017-05-20 --date 2017-05-21
payment reject 1 --reason a --reason b
surplus --date 2018-12-31 --date 2018-12-30
spend SP-8 --date 2018-01-01 --date 2018-01-02 --amount 1
attribution --as-of 2018-01-01 --as-of 2018-02-01
close --date 2030-01-01 --date 2030-01-02
report fund -o a.xlsx -o b.xlsx
balance --as-of 2018-01-01 --as-of 2018-02-01
pools --format csv --format csv
journal --as-of 2018-01-01 --as-of 2018-02-01
verify none
export ledger -o a.ledger -o b.ledger
period none
reverse 1 --date 2018-01-01 --date 2018-01-02
log --actor a --actor b
history P-1 --format csv --format csv
backup none
psc show --format csv --format json
interest list --format csv --format csv
statement norway --from 2017-01-01 --from 2017-02-01
user list --format csv --format json
serve --listen 127.0.0.1:0 --listen 127.0.0.1:1
help none
EOF
tf --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}' >commands.txt
awk '{print $1}' twice.txt | sort -u >covered.txt
sort commands.txt | diff -u - covered.txt >&2 || fail "twice.txt and the commands of 'tfund --help' differ"
checked=0
while read -r -a args; do
    [ "${args[1]}" != none ] || continue
    rc=0
    tf "${args[@]}" >out 2>err || rc=$?
    if [ "$rc" -ne 2 ] || ! grep -q "is given twice" err; then
        cat out err >&2
        fail "tfund ${args[*]}: exit $rc, not refused as an option given twice"
    fi
    checked=$((checked + 1))
done <twice.txt
# verify --expect is the one option given twice on purpose (an entry and
# an event).
head=$(tf verify | sed -n 's/.*hash chain intact (head \([0-9]*:[0-9a-f]*\)).*/\1/p')
ehead=$(tf verify | sed -n 's/.*(head event:\([0-9]*:[0-9a-f]*\)).*/\1/p')
run 0 -- verify --expect "$head" --expect "event:$ehead"
tf verify >/dev/null || fail "the fund does not verify"

# A mistake shows the usage of the form it aimed at, not the command's
# first; a number past what a row id can hold is not read as another.
usage_of() {
  local want=$1
  shift
  rc=0
  tf "$@" >out 2>err || rc=$?
  [ "$rc" -eq 2 ] || fail "tfund $*: exit $rc, expected 2"
  [ "$(sed -n 2p err)" = "$want" ] || fail "tfund $*: usage line '$(sed -n 2p err)', expected '$want'"
}
usage_of "usage: tfund allocation approve RUN [--date DATE]" allocation approve abc
usage_of "usage: tfund allocation reject RUN --reason TEXT [--date DATE]" allocation reject 1
usage_of "usage: tfund payment certify N [--date DATE]" payment certify 1x
usage_of "usage: tfund allocation show SESSION [--as-of DATE]" allocation bogus
for args in "payment approve 99999999999999999999" "allocation undo 99999999999999999999 --date 2017-05-02" \
  "allocation decisions 9223372036854775808" "reverse 99999999999999999999 --date 2017-05-02"; do
  rc=0
  # shellcheck disable=SC2086
  tf $args >out 2>err || rc=$?
  [ "$rc" -eq 2 ] && grep -q "is not a\|is a run's number" err ||
    fail "tfund $args: exit $rc: $(cat err)"
done
echo "rough edges: $checked commands refuse an option given twice; entries, marks, messages, lists and exit statuses as described"
