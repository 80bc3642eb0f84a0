#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line: help for every command, typos and unknown options,
# the 'add' commands with good and bad values, settings, closed periods,
# reversals and backups. Every refusal must leave the database as it was.
#
# usage: bash tests/e2e/cli.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
DB=$WORK/fund.db
export TFUND_DB=$DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" "$@"; }

fingerprint() {
    local t
    echo "journal $(tf journal --format csv | sha256sum | cut -d' ' -f1)"
    for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        echo "rows $t $(sqlite3 "$DB" "SELECT count(*) FROM \"$t\"")"
    done
    echo "chain $(sqlite3 "$DB" 'SELECT * FROM chain')"
    echo "dump $(sqlite3 "$DB" .dump | sha256sum | cut -d' ' -f1)"
}

# refused RC TEXT -- ARGS: tfund ARGS must exit RC, mention TEXT on
# stderr and leave the database unchanged.
refused() {
    local want=$1 text=$2 rc=0
    shift 3
    fingerprint >"$WORK/fp.before"
    tf "$@" >out 2>err || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat out err >&2
        fail "tfund $*: exit status $rc, expected $want"
    fi
    grep -qF -- "$text" err || { cat err >&2; fail "tfund $*: stderr does not mention '$text'"; }
    fingerprint >"$WORK/fp.after"
    diff -u "$WORK/fp.before" "$WORK/fp.after" >&2 || fail "tfund $*: refused but the database changed"
    echo "  refused (exit $rc): tfund $* -> $(head -1 err)"
}

# ---- Help ----------------------------------------------------------------

echo "help"
tf --help >help.txt 2>err || fail "tfund --help failed"
[ ! -s err ] || fail "tfund --help wrote to stderr"
sed -n '/^Commands:/,/^$/p' help.txt | awk 'NR > 1 && NF {print $1}' >commands.txt
for c in init set settings import donor pledge receipt rate session balance pools \
    journal verify export period reverse backup help; do
    grep -qx "$c" commands.txt || fail "tfund --help does not list '$c'"
done
tf help >help2.txt || fail "tfund help failed"
cmp -s help.txt help2.txt || fail "tfund help and tfund --help differ"
ncmd=0
for c in $(cat commands.txt); do
    tf help "$c" >h1 2>err || fail "tfund help $c: exit status $?"
    [ ! -s err ] || fail "tfund help $c wrote to stderr"
    head -1 h1 | grep >/dev/null "^usage: tfund .*$c" || fail "tfund help $c does not start with its usage"
    [ "$(wc -l <h1)" -ge 2 ] || fail "tfund help $c is a single line"
    # No database is needed (nor created) for help.
    TFUND_DB=$WORK/none.db tf "$c" --help >h2 2>err || fail "tfund $c --help: exit status $?"
    [ ! -s err ] || fail "tfund $c --help wrote to stderr"
    # 'tfund help --help' shows the general usage, which lists help.
    if [ "$c" = help ]; then
        grep -q '^usage: tfund' h2 || fail "tfund help --help shows no usage"
    else
        cmp -s h1 h2 || fail "tfund help $c and tfund $c --help differ"
    fi
    [ ! -e "$WORK/none.db" ] || fail "tfund $c --help created a database"
    ncmd=$((ncmd + 1))
done
echo "  $ncmd commands listed, each with 'help X' and 'X --help'"

echo "typos and unknown options"
rc=0; tf balanse >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "tfund balanse: exit status $rc, expected 2"
grep -q "balance" err || { cat err >&2; fail "tfund balanse does not suggest 'balance'"; }
echo "  tfund balanse -> $(cat err)"
rc=0; tf help balanse >out 2>err || rc=$?
[ "$rc" -eq 2 ] && grep -q "balance" err || fail "tfund help balanse: exit $rc, no suggestion"
rc=0; tf xyzzy >out 2>err || rc=$?
[ "$rc" -eq 2 ] && grep -q xyzzy err || fail "tfund xyzzy: exit $rc"
rc=0; tf >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "tfund without a command: exit $rc, expected 2"
for args in "--bogus pools" "pools --bogus" "balance --format xml" "journal --as-of 2017-02-30" \
    "verify extra"; do
    rc=0
    # shellcheck disable=SC2086
    tf $args >out 2>err || rc=$?
    [ "$rc" -eq 2 ] || { cat err >&2; fail "tfund $args: exit $rc, expected 2"; }
    [ -s err ] || fail "tfund $args: no message"
    echo "  tfund $args -> exit 2: $(head -1 err)"
done
[ ! -e "$DB" ] || fail "a database was created by commands that failed"

# ---- Records ----------------------------------------------------------

echo "adding records with good values"
tf init >/dev/null
tf donor add d-one --name "Donor One" --type state --country NOR >/dev/null
tf donor add d-two --name 'Fondation "Deux", Genève' --type foundation >/dev/null
tf rate add EUR 2017-01-01 0.9403 >/dev/null
tf rate add EUR 2017-07-01 0.8750 >/dev/null
tf rate add JPY 2017-01-01 112.83 >/dev/null
tf session add s1 --name "Session one, Geneva" --venue "Palais des Nations" \
    --start 2017-05-08 --days 2 --dsa 402 --terminal 110.50 --travel-budget 50000 >/dev/null
tf pledge add P1 --donor d-one --date 2017-03-01 --amount 1000.00 --currency EUR \
    --pool travel --due 2017-12-31 >/dev/null
tf pledge add P2 --donor d-two --date 2017-03-02 --amount 2000000 --currency JPY \
    --pool ldc-travel >/dev/null
tf receipt add R1 --date 2017-03-10 --amount 400.00 --currency EUR --pledge P1 >/dev/null
tf receipt add R2 --date 2017-03-12 --amount 50.00 --currency USD --donor d-two --pool prep >/dev/null
# Same values again: known, nothing added.
out=$(tf pledge add P1 --donor d-one --date 2017-03-01 --amount 1000.00 --currency EUR \
    --pool travel --due 2017-12-31)
echo "$out" | grep >/dev/null "already recorded" || fail "re-adding P1 said '$out'"

tf donor list --format csv >donors.csv
tf pledge list --format csv >pledges.csv
tf receipt list --format csv >receipts.csv
tf session list --format csv >sessions.csv
$PY - <<'EOF' || fail "the records do not hold the values given"
import csv, sys
bad = 0
def rows(name, key):
    with open(name, newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f)}
def check(what, row, **want):
    global bad
    for k, v in want.items():
        got = row.get(k) if row else None
        if got != v:
            print(f"{what} {k}: got {got!r}, want {v!r}")
            bad += 1
d = rows("donors.csv", "id")
check("donor d-one", d.get("d-one"), name="Donor One", type="state", country="NOR")
check("donor d-two", d.get("d-two"), name='Fondation "Deux", Genève', type="foundation", country="")
p = rows("pledges.csv", "ref")
# 1000.00 EUR at 0.9403 = 1063.490375... USD; 2000000 JPY at 112.83 =
# 17725.7821... USD; 400.00 EUR at 0.9403 = 425.3961... USD.
check("pledge P1", p.get("P1"), donor="d-one", date="2017-03-01", pool="travel", currency="EUR",
      amount="1000.00", received="400.00", outstanding="600.00", base_amount="1063.49", due="2017-12-31")
check("pledge P2", p.get("P2"), donor="d-two", pool="ldc-travel", currency="JPY", amount="2000000",
      received="0", outstanding="2000000", base_amount="17725.78", due="")
check("pledge R2", p.get("R2"), donor="d-two", pool="prep", currency="USD", amount="50.00",
      received="50.00", outstanding="0.00")
r = rows("receipts.csv", "ref")
check("receipt R1", r.get("R1"), pledge="P1", donor="d-one", pool="travel", currency="EUR",
      amount="400.00", rate="0.9403", base_amount="425.40")
check("receipt R2", r.get("R2"), pledge="R2", donor="d-two", pool="prep", currency="USD",
      amount="50.00", base_amount="50.00")
s = rows("sessions.csv", "id")
check("session s1", s.get("s1"), name="Session one, Geneva", venue="Palais des Nations",
      start="2017-05-08", days="2", extra_days="1", dsa="402.00", terminal="110.50",
      travel_budget="50000.00")
sys.exit(1 if bad else 0)
EOF
tf verify >/dev/null || fail "verify fails after the good records"
echo "  donors, rates, a session, pledges and receipts recorded with the right figures"

echo "adding records with bad values"
P="pledge add PX --donor d-one --date 2017-03-05 --currency EUR --pool travel"
refused 2 --amount -- $P --amount 1,000.00
refused 2 --amount -- $P --amount 1e5
refused 2 --amount -- $P --amount 12.345
refused 2 --amount -- $P --amount -5
refused 2 --amount -- $P --amount +5
refused 2 --amount -- $P --amount ""
refused 2 --amount -- $P --amount 0x10
refused 2 --amount -- $P --amount 92233720368547758.08
refused 2 --amount -- pledge add PX --donor d-one --date 2017-03-05 --currency JPY --pool travel --amount 100.5
refused 2 --date -- pledge add PX --donor d-one --date 2017-02-30 --currency EUR --pool travel --amount 5
refused 2 --date -- pledge add PX --donor d-one --date 2017/03/05 --currency EUR --pool travel --amount 5
refused 2 --date -- pledge add PX --donor d-one --date 2016-12-31 --currency EUR --pool travel --amount 5
refused 2 --currency -- pledge add PX --donor d-one --date 2017-03-05 --currency XYZ --pool travel --amount 5
refused 2 --pool -- pledge add PX --donor d-one --date 2017-03-05 --currency EUR --pool beach --amount 5
refused 2 --donor -- pledge add PX --donor nobody --date 2017-03-05 --currency EUR --pool travel --amount 5
refused 2 --due -- $P --amount 5 --due 2017-03-01
refused 2 'REF: pledge' -- pledge add P1 --donor d-one --date 2017-03-01 --amount 1000.01 --currency EUR --pool travel
refused 2 "unknown option" -- $P --amount 5 --colour blue
refused 2 "pool" -- pledge add PX --donor d-one --date 2017-03-05 --currency EUR --amount 5
R="receipt add RX --date 2017-03-20 --currency EUR --pledge P1"
refused 2 --amount -- $R --amount 600.01
refused 2 --amount -- $R --amount 0.00
refused 2 --amount -- $R --amount 1.001
refused 2 --currency -- receipt add RX --date 2017-03-20 --currency USD --pledge P1 --amount 5.00
refused 2 --date -- receipt add RX --date 2017-02-28 --currency EUR --pledge P1 --amount 5.00
refused 2 --pledge -- receipt add RX --date 2017-03-20 --currency EUR --pledge P9 --amount 5.00
refused 2 --donor -- receipt add RX --date 2017-03-20 --currency EUR --donor nobody --amount 5.00
refused 2 --donor -- receipt add RX --date 2017-03-20 --currency EUR --pledge P1 --donor d-two --amount 5.00
refused 2 --type -- donor add d-three --name Three --type corporation
refused 2 "ID: donor id" -- donor add ../x --name Three --type state
refused 2 --country -- donor add d-three --name Three --type state --country XXX
refused 2 --name -- donor add d-three --name "" --type state
refused 2 "ID: donor" -- donor add d-one --name "Donor 1" --type state
refused 2 "PER_USD: " -- rate add EUR 2017-01-01 0.9404
refused 2 "PER_USD: " -- rate add EUR 2017-08-01 0
refused 2 "PER_USD: " -- rate add EUR 2017-08-01 -0.9
refused 2 "PER_USD: " -- rate add EUR 2017-08-01 abc
refused 2 "CURRENCY: " -- rate add ZZZ 2017-08-01 1.5
refused 2 "DATE: " -- rate add EUR 17-08-01 0.9
S="session add s2 --name Two --venue Vienna --start 2017-06-19"
refused 2 --days -- $S --days 0 --dsa 300 --terminal 90
refused 2 --days -- $S --days 1.5 --dsa 300 --terminal 90
refused 2 --dsa -- $S --days 2 --dsa 300.001 --terminal 90
refused 2 --terminal -- $S --days 2 --dsa 300 --terminal -90
refused 2 --extra-days -- $S --days 2 --dsa 300 --terminal 90 --extra-days x
refused 2 --start -- session add s2 --name Two --venue Vienna --start 2017-13-01 --days 2 --dsa 300 --terminal 90
refused 2 --travel-budget -- $S --days 2 --dsa 300 --terminal 90 --travel-budget 1e6

echo "a receipt over what is owed"
refused 2 "600.00" -- receipt add R3 --date 2017-04-01 --amount 600.01 --currency EUR --pledge P1
grep -qF -- "--amount" err || fail "the over-receipt message does not name --amount"
tf receipt add R3 --date 2017-04-01 --amount 600.00 --currency EUR --pledge P1 >/dev/null ||
    fail "the exact amount owed was refused"
refused 2 --amount -- receipt add R4 --date 2017-04-02 --amount 0.01 --currency EUR --pledge P1
echo "  600.01 refused, 600.00 accepted, then 0.01 refused"

# ---- Settings ---------------------------------------------------------

echo "settings"
psc() { tf settings --format csv | awk -F, '$1 == "psc_rate" {print $2}'; }
[ "$(psc)" = 0.13 ] || fail "default psc_rate is '$(psc)', expected 0.13"
refused 2 psc_rate -- set psc_rate 13
refused 2 psc_rate -- set psc_rate 1.5
refused 2 psc_rate -- set psc_rate 13%
refused 2 "unknown setting" -- set no_such_key 1
[ "$(psc)" = 0.13 ] || fail "psc_rate changed to '$(psc)' after refusals"
tf set psc_rate 0.07 >/dev/null || fail "set psc_rate 0.07 refused"
[ "$(psc)" = 0.07 ] || fail "psc_rate is '$(psc)' after set 0.07"
tf set psc_rate 0.13 >/dev/null
refused 1 base -- set base_currency EUR
base=$(tf settings --format csv | awk -F, '$1 == "base_currency" {print $2}')
[ "$base" = USD ] || fail "base_currency is '$base' after a refused change"
TFUND_DB=$WORK/empty.db tf init >/dev/null
TFUND_DB=$WORK/empty.db tf set base_currency EUR >/dev/null ||
    fail "set base_currency EUR refused on a fund without entries"
base=$(TFUND_DB=$WORK/empty.db tf settings --format csv | awk -F, '$1 == "base_currency" {print $2}')
[ "$base" = EUR ] || fail "base_currency is '$base' on the empty fund after set EUR"
echo "  psc_rate 13 refused; base_currency fixed once entries exist, free before"

# ---- Closed periods ---------------------------------------------------

echo "period close"
tf period close 2017-06-30 >/dev/null || fail "period close 2017-06-30 failed"
refused 1 "closed" -- pledge add P5 --donor d-one --date 2017-06-01 --amount 10.00 --currency EUR --pool travel
grep -qF -- "--date" err || fail "the closed-period message does not name --date"
refused 1 "closed" -- pledge add P5 --donor d-one --date 2017-06-30 --amount 10.00 --currency EUR --pool travel
refused 1 "closed" -- receipt add R5 --date 2017-06-15 --amount 10.00 --currency USD --donor d-one
refused 1 "closed" -- period close 2017-05-31
printf 'ref,donor,date,amount,currency,pool\nP6,d-one,2017-07-01,1.00,USD,prep\nP7,d-one,2017-05-01,1.00,USD,prep\n' >closed.csv
refused 1 "closed.csv:3:3:" -- import pledges closed.csv
tf pledge add P5 --donor d-one --date 2017-07-01 --amount 10.00 --currency EUR --pool travel >/dev/null ||
    fail "a pledge dated after the closed period was refused"
echo "  entries dated on or before 2017-06-30 refused; 2017-07-01 accepted"

# ---- Reversal ---------------------------------------------------------

echo "reverse a receipt"
entry=$(tf journal --format csv | awk -F, '$3 == "receipt" && $4 == "R1" {print $1; exit}')
[ -n "$entry" ] || fail "no journal entry for receipt R1"
tf journal --format csv >journal.before
out=$(tf reverse "$entry" --date 2017-07-15 --memo "R1 was booked twice") ||
    fail "reverse $entry failed"
echo "  $out"
tf journal --format csv >journal.after
$PY - "$entry" <<'EOF' || fail "the reversal is not the receipt's postings negated"
import csv, sys
entry = sys.argv[1]
def load(name):
    with open(name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
before, after = load("journal.before"), load("journal.after")
if after[:len(before)] != before:
    print("earlier postings changed"); sys.exit(1)
new = after[len(before):]
orig = [r for r in before if r["entry"] == entry]
ids = {r["entry"] for r in new}
if len(ids) != 1 or not orig:
    print(f"expected one new entry, got {sorted(ids)}"); sys.exit(1)
neg = lambda s: s[1:] if s.startswith("-") else ("" if s == "" else "-" + s)
want = sorted((r["account"], r["pool"], neg(r["amount"]), neg(r["orig_amount"])) for r in orig)
got = sorted((r["account"], r["pool"], r["amount"], r["orig_amount"]) for r in new)
if want != got:
    print(f"reversal postings {got}\nexpected {want}"); sys.exit(1)
if any(r["date"] != "2017-07-15" for r in new):
    print("reversal not dated 2017-07-15"); sys.exit(1)
EOF
tf verify >verify.out || { cat verify.out >&2; fail "verify fails after reversing receipt R1"; }
outstanding=$(tf pledge list --format csv | awk -F, '$1 == "P1" {print $8}')
[ "$outstanding" = 400.00 ] || fail "P1 outstanding is '$outstanding' after reversing R1, expected 400.00"
refused 1 "already reversed" -- reverse "$entry" --date 2017-07-16
refused 2 "99" -- reverse 99 --date 2017-07-16
p2=$(tf journal --format csv | awk -F, '$3 == "pledge" && $4 == "P2" {print $1; exit}')
refused 1 "closed" -- reverse "$p2" --date 2017-06-01
echo "  receipt R1 reversed, P1 owes 400.00 again, verify passes"

# ---- Backup -----------------------------------------------------------

echo "backup"
tf backup "$WORK/copy.db" >/dev/null || fail "backup failed"
TFUND_DB=$WORK/copy.db tf verify >/dev/null || fail "verify fails on the backup"
cmp -s <(tf journal --format csv) <(TFUND_DB=$WORK/copy.db tf journal --format csv) ||
    fail "the backup's journal differs from the original's"
[ "$(sqlite3 "$DB" 'SELECT * FROM chain')" = "$(sqlite3 "$WORK/copy.db" 'SELECT * FROM chain')" ] ||
    fail "the backup's chain head differs"
cmp -s <(tf balance --format csv) <(TFUND_DB=$WORK/copy.db tf balance --format csv) ||
    fail "the backup's balances differ"
sum=$(sha256sum "$WORK/copy.db" | cut -d' ' -f1)
refused 1 "already" -- backup "$WORK/copy.db"
[ "$(sha256sum "$WORK/copy.db" | cut -d' ' -f1)" = "$sum" ] || fail "a refused backup overwrote its target"
echo "  the backup verifies and has the same journal, chain head and balances"

echo "command line: $ncmd commands with help, bad values refused with the option named, rules enforced"
