#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Injection and paths: text that looks like SQL, a spreadsheet formula or a
# journal line is stored and shown as it was typed, runs nowhere, and is
# neutralised where a spreadsheet would run it; identifiers that could name
# a path are refused; new files are private.
#
#   bash tests/e2e/injection.sh TFUND-BINARY SOURCE-DIR
#
# 1. Donor names, session names and venues, delegate names, memos and
#    references set to hostile texts (SQL, =, +, -, @, quotes) are
#    read back verbatim from the text table and the JSON of each listing;
#    the SQL ran nowhere (every table is still there, the counts are
#    right, verify passes).
# 2. The CSV of each listing (donor, session, pledge, receipt, spend list,
#    allocation show, journal, export csv) holds those texts with a
#    leading apostrophe when they begin with = + - @ tab or CR (OWASP
#    "CSV injection"), and amounts such as -12.00 untouched. (A tab or a
#    line end is a control character, refused in every text field:
#    tests/e2e/text_fields.sh.)
# 3. A memo with line breaks is refused; the ledger export has one
#    posting line per posting.
# 4. Donor and session ids such as ../x, /etc/x, a/b, .hidden are refused
#    (exit status 2), from options and from files.
# 5. New fund files and backups have mode 0600 whatever the umask.
# 6. 'tfund report donors -o DIR' writes only inside DIR, and refuses a
#    donor id planted in the file behind tfund's back that would leave it.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
unset TFUND_DB

command -v sqlite3 >/dev/null || { echo "skipped: injection needs the sqlite3 shell"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-inj.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
db=$work/fund.db

fail() {
  echo "injection: $*" >&2
  exit 1
}
tf() { "$tfund" --db "$db" "$@"; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

# The hostile texts, one a line.
cat >texts.txt <<'EOF'
'); DROP TABLE entries; --
Robert'); DELETE FROM postings; --
x" OR "1"="1
=HYPERLINK("http://x","y")
=cmd|' /C calc'!A0
+SUM(A1)
@cmd
-1+1
-12.00
a,b "quoted" \ back
EOF
mapfile -t texts <texts.txt
n=${#texts[@]}

tf init --name "=HYPERLINK(\"http://fund\",\"Fund\")" >/dev/null
tf import rates "$sample/rates.csv" >/dev/null
tf donor add d0 --name "Plain donor" --type state >/dev/null
tf receipt add RC-PREP --donor d0 --date 2017-05-02 --amount 500000.00 \
  --currency USD --pool prep >/dev/null
# The same amount on the same day from the same donor into another pool:
# both were paid (the duplicate guard would take one for the other).
tf receipt add RC-TRAVEL --donor d0 --date 2017-05-02 --amount 500000.00 \
  --currency USD --pool travel --allow-duplicate >/dev/null
tf session add s0 --name "Session" --venue Geneva --start 2019-01-07 --days 2 \
  --dsa 100 --terminal 10 >/dev/null
tables0=$(q "SELECT count(*) FROM sqlite_schema WHERE type = 'table';")

cases=0
for i in $(seq 0 $((n - 1))); do
  t=${texts[$i]}
  tf donor add "d$((i + 1))" --name "$t" --type other >/dev/null
  tf session add "s$((i + 1))" --name "$t" --venue "$t" --start 2019-02-0$((1 + i % 9)) \
    --days 1 --dsa 100 --terminal 10 >/dev/null
  tf request add "Q$((i + 1))" --session s0 --country NPL --delegate "$t" \
    --submitted "2018-06-01T10:00:0$((i % 10))Z" --fare 100.00 --fare-currency USD >/dev/null
  tf spend "SP$((i + 1))" --date 2017-06-01 --amount 12.00 --memo "$t" >/dev/null
  tf pledge add "$t" --donor "d$((i + 1))" --date 2017-05-03 --amount 10.00 \
    --currency USD --pool unrestricted >/dev/null
  cases=$((cases + 5))
done
# A request whose reference is formula-like, to see it in the allocation.
tf request add "=Q-FORMULA" --session s0 --country NPL --delegate "@delegate" \
  --submitted 2018-06-02T10:00:00Z --fare 100.00 --fare-currency USD >/dev/null
tf allocate s0 --date 2018-12-20 --quiet >/dev/null

# ---- The SQL ran nowhere ---------------------------------------------------

tables=$(q "SELECT count(*) FROM sqlite_schema WHERE type = 'table';")
[ "$tables" -eq "$tables0" ] || fail "$tables tables, there were $tables0"
for table in entries postings donors pledges sessions requests spends; do
  q "SELECT count(*) FROM $table;" >/dev/null || fail "table $table is gone"
done
[ "$(q "SELECT count(*) FROM donors;")" -eq $((n + 1)) ] || fail "donors are missing"
[ "$(q "SELECT count(*) FROM pledges WHERE implicit = 0;")" -eq "$n" ] || fail "pledges are missing"
[ "$(q "SELECT count(*) FROM requests;")" -eq $((n + 1)) ] || fail "requests are missing"
[ "$(q "SELECT count(*) FROM spends;")" -eq "$n" ] || fail "spending is missing"
[ "$(q "SELECT count(*) FROM postings;")" -gt 0 ] || fail "the postings are gone"
tf verify >/dev/null || fail "the books do not verify"

# ---- Verbatim in text and JSON, neutralised in CSV -------------------------

for what in "donor list" "session list" "pledge list" "spend list" "allocation show s0" "journal"; do
  # shellcheck disable=SC2086
  tf $what >"out.txt"
  # shellcheck disable=SC2086
  tf $what --format json >"out.json"
  # shellcheck disable=SC2086
  tf $what --format csv >"out.csv"
  key=${what// /-}
  cp out.txt "$key.txt"
  cp out.json "$key.json"
  cp out.csv "$key.csv"
done
tf export csv -o export.csv
cmp -s export.csv journal.csv || fail "export csv differs from journal --format csv"

# check.py FILE-STEM COLUMN...: every hostile text must appear verbatim in
# the text table (as a substring) and in the JSON under one of the
# columns, and in the CSV under the same column neutralised.
cat >check.py <<'EOF'
import csv, json, sys
stem, columns = sys.argv[1], sys.argv[2].split(",")
texts = [l.rstrip("\n") for l in open("texts.txt", encoding="utf-8")]
prefixes = tuple("=+-@\t\r")
text = open(stem + ".txt", encoding="utf-8").read()
rows_json = json.load(open(stem + ".json", encoding="utf-8"))
if isinstance(rows_json, dict):
    rows_json = [rows_json]
with open(stem + ".csv", encoding="utf-8", newline="") as f:
    rows_csv = list(csv.DictReader(f))
found = 0
def json_values(rows):
    for r in rows:
        for k, v in r.items():
            if isinstance(v, list):
                yield from json_values(v)
            elif k in columns:
                yield v
jv = set(json_values(rows_json))
cv = set(r[c] for r in rows_csv for c in columns if c in r)
for t in texts:
    want_csv = "'" + t if t.startswith(prefixes) else t
    shown = t.replace("\t", " ") in text.replace("\t", " ") or t in text
    in_json = t in jv
    in_csv = want_csv in cv
    raw_in_csv = t in cv and want_csv != t
    if not (in_json and in_csv):
        # Not every listing shows every field (journal memos carry a
        # prefix): require each listing to show what it does show right.
        if raw_in_csv:
            sys.exit(f"{stem}: {t!r} written to CSV without neutralising")
        continue
    if not shown:
        sys.exit(f"{stem}: {t!r} not shown verbatim in the text output")
    found += 1
# Amounts are never neutralised.
for r in rows_csv:
    for k, v in r.items():
        if k in ("amount", "fare", "dsa", "terminal", "cost", "psc", "charge",
                 "base_amount", "received", "outstanding", "orig_amount",
                 "days", "extra_days", "travel_budget") and v.startswith("'"):
            sys.exit(f"{stem}: amount column {k} was neutralised: {v!r}")
print(found)
EOF

check() {
  local stem=$1 cols=$2 min=$3 got
  got=$(cd "$work" && "$PY" check.py "$stem" "$cols" 2>&1) || fail "$got"
  [ "$got" -ge "$min" ] || fail "$stem: only $got of $n hostile texts found in text, JSON and CSV"
  printf '%-20s %2d of %d texts verbatim in text and JSON, neutralised in CSV\n' "$stem" "$got" "$n"
  cases=$((cases + 3 * got))
}
check donor-list name "$n"
check session-list name,venue "$n"
check pledge-list ref $((n - 1))
check spend-list memo "$n"
check journal ref $((n - 1))

# Formula-like reference in the allocation; its figures untouched.
grep -q "^'=Q-FORMULA,s0," allocation-show-s0.csv || fail "allocation show: '=Q-FORMULA' not neutralised"
grep -q '"ref":"=Q-FORMULA"' allocation-show-s0.json || fail "allocation show JSON changed the reference"
# The journal's credits keep their minus sign and no apostrophe.
grep -q ",prep,-12.00,,," journal.csv || fail "journal CSV: the credit -12.00 lost its form"
if grep -q "'-12.00,,," journal.csv; then fail "journal CSV: an amount was neutralised"; fi
# The memo '-12.00' of a spend is text: neutralised in spend list.
grep -q "'-12.00\$" spend-list.csv || fail "spend list CSV: the memo '-12.00' was not neutralised"
grep -q ",12.00,12.00,1.56," spend-list.csv || fail "spend list CSV: the amounts changed"
cases=$((cases + 5))

# ---- The ledger export ------------------------------------------------------

# A memo with line breaks is refused at the door (a line end is a control
# character); what is in the books still exports one line per posting.
rc=0
tf spend SP-NL --date 2017-06-02 --amount 5.00 \
  --memo $'first\n    assets:cash  USD 1000000  ; pool: prep\n2017-01-01 * forged; x' \
  >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "a memo with line breaks: exit $rc, expected 2"
tf export ledger -o books.ledger
postings=$(q "SELECT count(*) FROM postings;")
lines=$(grep -c '; pool: ' books.ledger)
[ "$lines" -eq "$postings" ] || fail "the ledger export has $lines posting lines for $postings postings"
if grep -q '^2017-01-01 \* forged' books.ledger; then fail "a memo started a transaction in the ledger export"; fi
if grep -q '^    assets:cash  USD 1000000' books.ledger; then fail "a memo added a posting to the ledger export"; fi
cases=$((cases + 1))
echo "ledger export: a memo with line breaks refused, one line per posting ($postings postings, $lines posting lines)"

# ---- Identifiers that could name a path -------------------------------------

bad_ids=("../x" "/etc/x" "a/b" ".hidden" ".." "x/../y" "a\\b" "" " x" "-x" "a b" "x;y" "\$(id)")
refused=0
for id in "${bad_ids[@]}"; do
  rc=0
  tf donor add "$id" --name N --type state >/dev/null 2>err || rc=$?
  [ "$rc" -eq 2 ] || fail "donor id '$id' was not refused with exit 2 (got $rc)"
  rc=0
  tf session add "$id" --name N --venue V --start 2019-01-01 --days 1 --dsa 1 \
    --terminal 1 >/dev/null 2>err || rc=$?
  [ "$rc" -eq 2 ] || fail "session id '$id' was not refused with exit 2 (got $rc)"
  refused=$((refused + 2))
done
for id in "../x" "/etc/x" "a/b" ".hidden"; do
  printf 'id,name,type\nok-%s,Fine,state\n"%s",Bad,state\n' "$refused" "$id" >ids.csv
  rc=0
  tf import donors ids.csv >/dev/null 2>err || rc=$?
  [ "$rc" -eq 2 ] || fail "import of donor id '$id' was not refused with exit 2"
  grep -q "ids.csv:3:1:" err || fail "import of donor id '$id': the error does not name ids.csv:3:1: $(cat err)"
  printf 'id,name,venue,start,days,dsa,terminal\n"%s",N,V,2019-01-01,1,1,1\n' "$id" >sids.csv
  rc=0
  tf import sessions sids.csv >/dev/null 2>err || rc=$?
  [ "$rc" -eq 2 ] || fail "import of session id '$id' was not refused with exit 2"
  refused=$((refused + 2))
done
[ "$(q "SELECT count(*) FROM donors;")" -eq $((n + 1)) ] || fail "a refused donor id was stored"
cases=$((cases + refused))
echo "ids: $refused path-like donor and session ids refused with exit 2"

# ---- File modes --------------------------------------------------------------

for mask in 000 022 077; do
  rm -f "m$mask.db" "b$mask.db"
  (umask "$mask" && "$tfund" --db "m$mask.db" init >/dev/null &&
    "$tfund" --db "m$mask.db" donor add x --name X --type state >/dev/null &&
    "$tfund" --db "m$mask.db" backup "b$mask.db" >/dev/null)
  for f in "m$mask.db" "b$mask.db"; do
    mode=$(stat -c %a "$f")
    [ "$mode" = 600 ] || fail "$f made under umask $mask has mode $mode, not 600"
  done
  cases=$((cases + 2))
done
# The write-ahead log and its index take the fund file's mode: looked at
# while a connection made under umask 000 holds them open.
(umask 000 && "$PY" - m000.db <<'EOF') || fail "the write-ahead log or its index is not private"
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM donors").fetchall()
for f in (sys.argv[1] + "-wal", sys.argv[1] + "-shm"):
    mode = os.stat(f).st_mode & 0o777
    if mode != 0o600:
        sys.exit(f"{f} has mode {mode:o}")
EOF
cases=$((cases + 2))
echo "modes: new fund files, their -wal and -shm and backups are 0600 under umask 000, 022 and 077"

# ---- Reports stay inside their directory ------------------------------------

if "$tfund" help report >/dev/null 2>&1; then
  mkdir -p reports/out
  touch stamp
  sleep 1
  tf report donors -o reports/out >/dev/null
  outside=$(find "$work" -newer stamp -type f ! -path "$work/reports/out/*" | wc -l)
  [ "$outside" -eq 0 ] || fail "report donors wrote outside its directory: $(find "$work" -newer stamp -type f ! -path "$work/reports/out/*")"
  inside=$(find reports/out -type f | wc -l)
  [ "$inside" -eq $((n + 1)) ] || fail "report donors wrote $inside files for $((n + 1)) donors"
  # Formula-like names are text in the workbook, never formulas.
  "$PY" - reports/out/d4.xlsx <<'EOF' || fail "a donor name became a formula in the workbook"
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
for name in z.namelist():
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode("utf-8")):
            if "HYPERLINK" in f or "http://x" in f:
                sys.exit(f"{name}: formula {f!r}")
EOF
  # Ids planted in the file behind tfund's back.
  cp "$db" planted.db
  sqlite3 planted.db "INSERT INTO donors (id, name, type) VALUES ('../evil', 'E', 'state'), ('$work/abs', 'A', 'state');"
  rm -rf reports/planted
  mkdir -p reports/planted
  touch stamp
  sleep 1
  rc=0
  "$tfund" --db planted.db report donors -o reports/planted >/dev/null 2>err || rc=$?
  [ "$rc" -ne 0 ] || fail "report donors accepted a donor id that leaves its directory"
  outside=$(find "$work" -newer stamp -type f ! -path "$work/reports/planted/*" ! -name err ! -name 'planted.db*' | wc -l)
  [ "$outside" -eq 0 ] || fail "report donors wrote outside its directory: $(find "$work" -newer stamp -type f ! -path "$work/reports/planted/*")"
  cases=$((cases + 3))
  echo "reports: $inside donor statements inside DIR, none outside; a planted '../evil' refused ($(head -n1 err))"
else
  echo "reports: 'tfund report' is not built, skipped"
fi

echo "$cases injection cases: texts stored and shown verbatim, no SQL ran, CSV neutralised, amounts untouched, path-like ids refused"
