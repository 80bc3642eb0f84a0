#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad-input corpus: every file listed in tests/bad-input/MANIFEST must be
# refused by 'tfund import' with exit status 2 and a message naming the
# file, line and column of each of its faults (and no other), all in one
# pass, and the fund must be left exactly as it was. Then the tricky but valid files of tests/fixtures/valid-input
# must import with the expected effect, and a second import must add
# nothing.
#
# usage: bash tests/e2e/bad_input.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLES=$SRC/samples/gcm
BAD=$SRC/tests/bad-input
VALID=$SRC/tests/fixtures/valid-input
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
DB=$WORK/fund.db

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" --db "$DB" "$@"; }

# The state of the fund: the journal, the row count of every table, the
# hash chain head and a digest of the whole database content.
fingerprint() {
    local t
    echo "journal $(tf journal --format csv | sha256sum | cut -d' ' -f1)"
    for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        echo "rows $t $(sqlite3 "$DB" "SELECT count(*) FROM \"$t\"")"
    done
    echo "chain $(sqlite3 "$DB" 'SELECT * FROM chain')"
    echo "dump $(sqlite3 "$DB" .dump | sha256sum | cut -d' ' -f1)"
}

# ---- The sample fund -------------------------------------------------

echo "building the sample fund from $SAMPLES"
tf init >/dev/null
for kind in rates donors sessions pledges receipts; do
    tf import "$kind" "$SAMPLES/$kind.csv" >/dev/null ||
        fail "importing the sample $kind failed"
done
tf verify >/dev/null || fail "the sample fund does not verify"

# Some faults are faults only against the sample's books: check that the
# sample still has what the corpus relies on, so that a changed sample is
# reported as such.
tf pledge list --format csv >"$WORK/pledges.csv"
tf receipt list --format csv >"$WORK/receipts.csv"
tf donor list --format csv >"$WORK/donors.csv"
sqlite3 -csv "$DB" 'SELECT currency, min(date) FROM rates GROUP BY currency' >"$WORK/first-rates.csv"
sqlite3 -csv "$DB" "SELECT per_usd FROM rates WHERE currency = 'EUR' AND date = '2017-01-01'" >"$WORK/eur.csv"
$PY - "$WORK" <<'EOF' || fail "samples/gcm no longer has what tests/bad-input relies on"
import csv, os, sys
w = sys.argv[1]
def rows(name, key):
    with open(os.path.join(w, name), newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f)}
p, r, d = rows("pledges.csv", "ref"), rows("receipts.csv", "ref"), rows("donors.csv", "id")
first = dict(csv.reader(open(os.path.join(w, "first-rates.csv"))))
eur = open(os.path.join(w, "eur.csv")).read().strip()
facts = [
    ("donors norway, japan, kuwait, germany, iom",
     all(k in d for k in ("norway", "japan", "kuwait", "germany", "iom"))),
    ("no donor 'atlantis', 'zz-one' or pledge 'PL-1999-99'",
     "atlantis" not in d and "zz-one" not in d and "PL-1999-99" not in p),
    ("PL-2017-04: GBP, fully paid, dated before 2017-05-02",
     p.get("PL-2017-04", {}).get("currency") == "GBP"
     and p["PL-2017-04"]["outstanding"] == "0.00" and p["PL-2017-04"]["date"] < "2017-05-02"),
    ("PL-2018-05: japan, JPY, ldc-travel, 450000 outstanding, dated before 2018-08-01",
     [p.get("PL-2018-05", {}).get(k) for k in ("donor", "currency", "pool", "outstanding")]
     == ["japan", "JPY", "ldc-travel", "450000"] and p["PL-2018-05"]["date"] < "2018-08-01"),
    ("PL-2018-10: CAD, 50000.00 outstanding, dated 2018-05-14",
     [p.get("PL-2018-10", {}).get(k) for k in ("currency", "outstanding", "date")]
     == ["CAD", "50000.00", "2018-05-14"]),
    ("PL-2017-13: iom, 2017-06-12, 25000.00 USD, prep",
     [p.get("PL-2017-13", {}).get(k) for k in ("donor", "date", "amount", "currency", "pool")]
     == ["iom", "2017-06-12", "25000.00", "USD", "prep"]),
    ("RC-2017-13-1: 2017-07-05, 25000.00 USD on PL-2017-13",
     [r.get("RC-2017-13-1", {}).get(k) for k in ("date", "amount", "currency", "pledge")]
     == ["2017-07-05", "25000.00", "USD", "PL-2017-13"]),
    ("first EUR rate after 2016-11-30, first JPY rate after 2016-11-15",
     first.get("EUR", "") > "2016-11-30" and first.get("JPY", "") > "2016-11-15"),
    ("EUR rate of 2017-01-01 is 0.9403", eur == "0.9403"),
    ("no EUR rate of 2019-01-01 yet", first.get("EUR") and "2019-01-01" > first["EUR"]),
]
bad = [what for what, ok in facts if not ok]
for what in bad:
    print(f"sample fact no longer true: {what}")
sys.exit(1 if bad else 0)
EOF

fingerprint >"$WORK/before"
entries=$(sqlite3 "$DB" 'SELECT count(*) FROM entries')
[ "$entries" -gt 0 ] || fail "the sample fund has no entries"
grep -q '^rows countries [1-9]' "$WORK/before" || fail "no countries in the fund"
echo "fingerprint: $entries entries, chain head $(sqlite3 "$DB" 'SELECT * FROM chain' | cut -d'|' -f3 | cut -c1-16)"

# ---- The corpus --------------------------------------------------------

[ -f "$BAD/MANIFEST" ] || fail "missing $BAD/MANIFEST"

# Every CSV file of the corpus is listed, and every listed file exists.
grep -v '^#' "$BAD/MANIFEST" | awk 'NF {print $1}' | sort -u >"$WORK/listed"
(cd "$BAD" && ls -1 -- *.csv) | sort >"$WORK/present"
if ! diff -u "$WORK/present" "$WORK/listed" >"$WORK/diff"; then
    cat "$WORK/diff" >&2
    fail "the MANIFEST and the files of $BAD differ (- on disk only, + listed only)"
fi
# A file with several faults has one line for each, one after the other.
awk '!/^#/ && NF {print $1}' "$BAD/MANIFEST" | uniq | sort | uniq -d >"$WORK/split"
[ ! -s "$WORK/split" ] || fail "the lines of $(head -1 "$WORK/split") are not together in MANIFEST"

# check_file FILE KIND: imports FILE as KIND (with the options KIND
# carries after commas) and checks every fault listed in $WORK/expect
# (LINE:COL FRAGMENT lines): exit 2, each fault named at its place with
# its fragment, no other error, nothing written.
check_file() {
    local file=$1 kind=${2%%,*} opts=() path=$BAD/$1 rc=0 n pos frag line col loc
    [ "$2" = "$kind" ] || IFS=, read -r -a opts <<<"${2#*,}"
    n=$(wc -l <"$WORK/expect")
    echo "checking $file ($kind${opts[*]:+ ${opts[*]}}): expect exit 2 and $n error(s)"
    tf import "$kind" "$path" "${opts[@]}" >"$WORK/out" 2>"$WORK/err" || rc=$?
    if [ "$rc" -ne 2 ]; then
        cat "$WORK/out" "$WORK/err" >&2
        fail "$file: exit status $rc, expected 2"
    fi
    while read -r pos frag; do
        line=${pos%%:*}
        col=${pos#*:}
        if [ "$col" = 0 ]; then
            loc="$path:$line: "
        else
            loc="$path:$line:$col: "
        fi
        if ! grep -qF -- "tfund: $loc" "$WORK/err"; then
            cat "$WORK/err" >&2
            fail "$file: stderr does not name '$loc'"
        fi
        if ! grep -F -- "tfund: $loc" "$WORK/err" | grep >/dev/null -F -- "$frag"; then
            cat "$WORK/err" >&2
            fail "$file: the message at $loc does not contain '$frag'"
        fi
    done <"$WORK/expect"
    # Every error names the file and a line; no more than those listed.
    if [ "$(grep -cF -- "tfund: $path:" "$WORK/err")" -ne "$n" ]; then
        cat "$WORK/err" >&2
        fail "$file: expected $n error(s), stderr has $(grep -cF -- "tfund: $path:" "$WORK/err")"
    fi
    if [ "$n" -gt 1 ] && ! grep -qF "tfund: nothing was imported from '$path' ($n errors)" "$WORK/err"; then
        cat "$WORK/err" >&2
        fail "$file: no summary of its $n errors"
    fi
    if grep -q 'added' "$WORK/out"; then
        cat "$WORK/out" >&2
        fail "$file: stdout reports rows added"
    fi
    fingerprint >"$WORK/after"
    if ! diff -u "$WORK/before" "$WORK/after" >&2; then
        fail "$file: the database changed although the import was refused"
    fi
}

count=0
errors=0
prev=
prev_kind=
: >"$WORK/expect"
while read -r file kind pos frag <&3; do
    case "$file" in '' | '#'*) continue ;; esac
    [ -n "$frag" ] || fail "MANIFEST line for $file has no message fragment"
    case "$pos" in
        [0-9]*:[0-9]*) ;;
        *) fail "MANIFEST line for $file: '$pos' is not LINE:COL" ;;
    esac
    if [ "$file" != "$prev" ] && [ -n "$prev" ]; then
        check_file "$prev" "$prev_kind"
        count=$((count + 1))
        : >"$WORK/expect"
    fi
    [ "$file" != "$prev" ] || [ "$kind" = "$prev_kind" ] ||
        fail "MANIFEST: $file is imported as '$prev_kind' and as '$kind'"
    printf '%s %s\n' "$pos" "$frag" >>"$WORK/expect"
    errors=$((errors + 1))
    prev=$file
    prev_kind=$kind
done 3<"$BAD/MANIFEST"
[ -z "$prev" ] || { check_file "$prev" "$prev_kind"; count=$((count + 1)); }

[ "$count" -ge 35 ] || fail "only $count bad inputs in the MANIFEST (expected at least 35)"
[ "$errors" -gt "$count" ] || fail "no file of the MANIFEST has several errors"
tf verify >/dev/null || fail "the fund no longer verifies after the bad inputs"
echo "$count bad inputs refused with their $errors errors, database unchanged"

# ---- Valid but tricky files -------------------------------------------

echo "importing the valid tricky files of $VALID"
import_ok() { # KIND FILE ROWS: imports FILE, expecting ROWS rows all added
    local out
    out=$(tf import "$1" "$VALID/$2" 2>"$WORK/err") || {
        cat "$WORK/err" >&2
        fail "$2: a valid file was refused"
    }
    [ "$out" = "$VALID/$2: $3 rows: $3 added, 0 already known" ] ||
        fail "$2: unexpected summary '$out' (expected $3 rows added)"
    echo "  $2: $3 rows added"
}
import_ok rates rates-bom.csv 2
import_ok donors donors-quoted.csv 3
import_ok pledges pledges-crlf.csv 2
import_ok pledges pledges-reordered.csv 2
import_ok receipts receipts-mixed.csv 2

echo "checking the rates (BOM before the header)"
got=$(sqlite3 "$DB" "SELECT currency || ' ' || per_usd FROM rates WHERE date = '2019-01-01' ORDER BY currency")
[ "$got" = $'EUR 0.875\nKWD 0.3035' ] || fail "rates of 2019-01-01 are '$got'"

echo "checking the donors (quoted commas and doubled quotes)"
tf donor list --format json >"$WORK/donors.json"
$PY - "$WORK/donors.json" <<'EOF' || fail "donor names were not read as written"
import json, sys
donors = {d["id"]: d for d in json.load(open(sys.argv[1], encoding="utf-8"))}
want = {
    "qt-one": ('Fondation "Les Amis", Gen\u00e8ve (bureau de liaison)',
               "foundation", "CHE"),
    "qt-two": ('Comma, Semicolon; and "Quote" Ltd', "private", ""),
    "qt-three": ("Simple", "other", ""),
}
bad = 0
for k, (name, typ, country) in want.items():
    d = donors.get(k)
    got = d and (d["name"], d["type"], d["country"])
    if got != (name, typ, country):
        print(f"donor {k}: got {got!r}, want {(name, typ, country)!r}")
        bad += 1
sys.exit(1 if bad else 0)
EOF

echo "checking the pledges and receipts (CRLF, reordered columns, BOM)"
tf pledge list --format csv >"$WORK/pledges.csv"
tf receipt list --format csv >"$WORK/receipts.csv"
$PY - "$WORK/pledges.csv" "$WORK/receipts.csv" <<'EOF' || fail "pledges or receipts differ from the files"
import csv, sys
bad = 0
def rows(path, key):
    with open(path, newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f)}
def check(what, row, want):
    global bad
    for k, v in want.items():
        got = row.get(k) if row else None
        if got != v:
            print(f"{what} {k}: got {got!r}, want {v!r}")
            bad += 1
p = rows(sys.argv[1], "ref")
r = rows(sys.argv[2], "ref")
# 875.00 EUR at 0.875 per USD = 1000.00 USD; 1000.000 KWD at 0.3035 =
# 3294.8929 USD, rounded 3294.89.
check("QT-P1", p.get("QT-P1"), dict(donor="qt-one", date="2019-02-01", pool="travel",
      currency="EUR", amount="875.00", received="437.50", outstanding="437.50",
      base_amount="1000.00", due="2019-12-31"))
check("QT-P2", p.get("QT-P2"), dict(donor="qt-two", date="2019-02-01", pool="ldc-travel",
      currency="KWD", amount="1000.000", received="0.000", outstanding="1000.000",
      base_amount="3294.89", due="2019-06-30"))
check("QT-P3", p.get("QT-P3"), dict(donor="qt-three", date="2019-02-04", pool="prep",
      currency="USD", amount="0.01", base_amount="0.01", due=""))
check("QT-P4", p.get("QT-P4"), dict(donor="qt-two", date="2019-02-05", pool="unrestricted",
      currency="USD", amount="1234567.89", outstanding="0.00", due=""))
check("QT-R1", r.get("QT-R1"), dict(date="2019-03-01", pledge="QT-P1", donor="qt-one",
      pool="travel", currency="EUR", amount="437.50", rate="0.875", base_amount="500.00"))
check("QT-R2", r.get("QT-R2"), dict(date="2019-03-01", pledge="QT-P4", donor="qt-two",
      pool="unrestricted", currency="USD", amount="1234567.89", base_amount="1234567.89"))
sys.exit(1 if bad else 0)
EOF

now=$(sqlite3 "$DB" 'SELECT count(*) FROM entries')
[ "$now" -eq $((entries + 6)) ] || fail "expected $((entries + 6)) entries after the valid files, found $now"
tf verify >/dev/null || fail "the fund does not verify after the valid files"

echo "re-importing the valid files: nothing may be added"
fingerprint >"$WORK/before"
for spec in rates:rates-bom.csv:2 donors:donors-quoted.csv:3 pledges:pledges-crlf.csv:2 \
    pledges:pledges-reordered.csv:2 receipts:receipts-mixed.csv:2; do
    IFS=: read -r kind file n <<<"$spec"
    out=$(tf import "$kind" "$VALID/$file") || fail "$file: re-import refused"
    [ "$out" = "$VALID/$file: $n rows: 0 added, $n already known" ] ||
        fail "$file: re-import said '$out'"
done
fingerprint >"$WORK/after"
diff -u "$WORK/before" "$WORK/after" >&2 || fail "re-importing known rows changed the database"

echo "5 valid tricky files imported as written, re-import added nothing"
echo "$count bad inputs refused, database unchanged"
