#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Amount round trip: 10,000 pseudo-random pledges in USD, JPY and KWD
# (fixed seed; the largest amounts tfund accepts, 10^15 minor units, the
# smallest units, every digit count) are imported, then read back with
# 'tfund pledge list --format csv' and 'tfund export csv'. Every amount
# must come back exactly as written, and every converted one must be booked
# at amount / rate rounded half to even.
#
# usage: bash tests/e2e/roundtrip.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
N=10000

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
DB=$WORK/fund.db

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" --db "$DB" "$@"; }

echo "generating $N pledges (USD, JPY, KWD) with a fixed seed"
$PY - "$N" <<'EOF'
import csv, random, sys

n = int(sys.argv[1])
rnd = random.Random(20170508)
MAX = 10**15  # TF_AMOUNT_MAX: the largest amount tfund accepts
CURRENCIES = {"USD": 2, "JPY": 0, "KWD": 3}
# Units per USD, valid from each date. JPY stays above 100 so that the
# largest yen amount still fits in 64 bits of cents once converted; the
# rates of October make every odd amount a tie for half-even rounding.
RATES = [
    ("JPY", "2017-01-01", "112.83"), ("JPY", "2017-04-01", "111.0250"),
    ("JPY", "2017-07-01", "100.5"), ("JPY", "2017-10-01", "200"),
    ("KWD", "2017-01-01", "0.3035"), ("KWD", "2017-04-01", "0.30412"),
    ("KWD", "2017-07-01", "0.3019"), ("KWD", "2017-10-01", "0.2"),
]
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]

def text(units, minor):
    """The canonical decimal of a count of minor units."""
    if minor == 0:
        return str(units)
    s = str(units).rjust(minor + 1, "0")
    return s[:-minor] + "." + s[-minor:]

rows = []
donors = [f"donor-{i:03d}" for i in range(100)]
big_donors = []

def add(cur, units, big=False):
    k = len(rows) + 1
    if big:
        # Each very large amount gets an account of its own: two of them
        # in one account would overflow the running balance.
        donor = f"big-{len(big_donors):03d}"
        big_donors.append(donor)
    else:
        donor = rnd.choice(donors)
    month = rnd.randint(1, 12)
    day = rnd.randint(1, 28)
    rows.append((f"RT-{k:05d}", donor, f"2017-{month:02d}-{day:02d}",
                 text(units, CURRENCIES[cur]), cur, rnd.choice(POOLS)))

# Edges in every currency.
for cur, minor in CURRENCIES.items():
    for units in (MAX, MAX - 1, MAX // 10, 10**14, 10**14 - 1):
        add(cur, units, big=True)
    for k in range(10):
        add(cur, rnd.randint(10**13, MAX), big=True)
    for units in (1, 2, 9, 10, 11, 99, 100, 101, 10**minor, 10**minor + 1,
                  10**minor * 10, 120, 1000, 123456789012345, 10**15):
        add(cur, units)
# The rest: every digit count from 1 to 15, uniformly.
while len(rows) < n:
    cur = rnd.choice(list(CURRENCIES))
    digits = rnd.randint(1, 15)
    add(cur, rnd.randint(10 ** (digits - 1), 10**digits - 1))
rnd.shuffle(rows)

with open("rates.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["currency", "date", "per_usd"])
    w.writerows(RATES)
with open("donors.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "name", "type"])
    for d in donors + big_donors:
        w.writerow([d, "Donor " + d, "state"])
with open("pledges.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["ref", "donor", "date", "amount", "currency", "pool"])
    w.writerows(rows)
EOF
rows=$(($(wc -l <pledges.csv) - 1))
[ "$rows" -eq "$N" ] || fail "generated $rows pledges, expected $N"
grep -q ',10000000000000.00,USD,' pledges.csv || fail "the largest USD amount is missing"
grep -q ',1000000000000000,JPY,' pledges.csv || fail "the largest JPY amount is missing"
grep -q ',1000000000000.000,KWD,' pledges.csv || fail "the largest KWD amount is missing"
grep -q ',0.001,KWD,' pledges.csv || fail "the smallest KWD amount is missing"

echo "importing rates, donors and pledges"
tf init >/dev/null
tf import rates rates.csv >/dev/null
tf import donors donors.csv >/dev/null
out=$(tf import pledges pledges.csv) || fail "the pledges were refused"
[ "$out" = "pledges.csv: $N rows: $N added, 0 already known" ] || fail "import said '$out'"

echo "reading back pledge list and export csv"
tf pledge list --format csv >list.csv
tf export csv >export.csv

$PY - <<'EOF' || fail "amounts did not survive the round trip"
import csv, sys
from fractions import Fraction

MINOR = {"USD": 2, "JPY": 0, "KWD": 3}

def units(text, minor):
    """Minor units of a canonical decimal; refuses any other form."""
    if minor == 0:
        assert text.isdigit(), text
        return int(text)
    whole, _, frac = text.partition(".")
    assert whole.isdigit() and len(frac) == minor and frac.isdigit(), text
    return int(whole + frac)

def half_even(q):
    fl = q.numerator // q.denominator
    rem = q - fl
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and fl % 2):
        fl += 1
    return fl

def text(u, minor):
    neg = u < 0
    s = str(abs(u))
    if minor:
        s = s.rjust(minor + 1, "0")
        s = s[:-minor] + "." + s[-minor:]
    return "-" + s if neg else s

with open("rates.csv", newline="") as f:
    rates = sorted((r["currency"], r["date"], r["per_usd"]) for r in csv.DictReader(f))

def rate_on(cur, date):
    found = None
    for c, d, r in rates:
        if c == cur and d <= date:
            found = r
    return found

with open("pledges.csv", newline="") as f:
    src = {r["ref"]: r for r in csv.DictReader(f)}

errors = []
def err(msg):
    errors.append(msg)

# Expected booked value in USD cents.
want_base = {}
ties = 0
for ref, p in src.items():
    cur = p["currency"]
    u = units(p["amount"], MINOR[cur])
    if cur == "USD":
        want_base[ref] = (u, None)
    else:
        r = rate_on(cur, p["date"])
        q = Fraction(u, 10 ** MINOR[cur]) / Fraction(r) * 100
        want_base[ref] = (half_even(q), r)
        if q - q.numerator // q.denominator == Fraction(1, 2):
            ties += 1
if ties < 100:
    err(f"only {ties} conversions are rounding ties")

# pledge list: every (ref, currency, amount) as written, nothing more.
with open("list.csv", newline="") as f:
    listed = list(csv.DictReader(f))
seen = set()
for row in listed:
    ref = row["ref"]
    if ref in seen:
        err(f"pledge list: {ref} listed twice")
    seen.add(ref)
    p = src.get(ref)
    if p is None:
        err(f"pledge list: unexpected {ref}")
        continue
    for k in ("donor", "date", "pool", "currency", "amount"):
        if row[k] != p[k]:
            err(f"pledge list {ref} {k}: got {row[k]!r}, wrote {p[k]!r}")
    if row["outstanding"] != p["amount"]:
        err(f"pledge list {ref} outstanding: {row['outstanding']!r} != {p['amount']!r}")
    if row["base_amount"] != text(want_base[ref][0], 2):
        err(f"pledge list {ref} base_amount: got {row['base_amount']}, "
            f"want {text(want_base[ref][0], 2)} ({p['amount']} {p['currency']})")
for ref in src.keys() - seen:
    err(f"pledge list: {ref} missing")

# export csv: each pledge entry carries the original amount and currency.
postings = {}
with open("export.csv", newline="") as f:
    for row in csv.DictReader(f):
        if row["kind"] != "pledge":
            err(f"export csv: unexpected entry kind {row['kind']!r}")
            continue
        postings.setdefault(row["ref"], []).append(row)
for ref, p in src.items():
    rows = postings.get(ref)
    if not rows:
        err(f"export csv: no postings for {ref}")
        continue
    base, rate = want_base[ref]
    by_acct = {r["account"]: r for r in rows}
    want = {f"assets:receivable:{p['donor']}": 1,
            f"revenue:contributions:{p['donor']}": -1}
    if len(rows) != 2 or set(by_acct) != set(want):
        err(f"export csv {ref}: postings {sorted(by_acct)}")
        continue
    for acct, sign in want.items():
        r = by_acct[acct]
        if r["pool"] != p["pool"]:
            err(f"export csv {ref} {acct}: pool {r['pool']!r}")
        if r["amount"] != text(sign * base, 2):
            err(f"export csv {ref} {acct}: amount {r['amount']} want {text(sign * base, 2)}")
        if p["currency"] == "USD":
            if (r["orig_amount"], r["orig_currency"], r["rate"]) != ("", "", ""):
                err(f"export csv {ref} {acct}: USD posting has original "
                    f"{r['orig_amount']} {r['orig_currency']} @ {r['rate']}")
            continue
        orig = p["amount"] if sign > 0 else "-" + p["amount"]
        if r["orig_amount"] != orig or r["orig_currency"] != p["currency"]:
            err(f"export csv {ref} {acct}: original {r['orig_amount']} "
                f"{r['orig_currency']}, wrote {orig} {p['currency']}")
        if Fraction(r["rate"]) != Fraction(rate):
            err(f"export csv {ref} {acct}: rate {r['rate']}, want {rate}")
extra = postings.keys() - src.keys()
if extra:
    err(f"export csv: unexpected refs {sorted(extra)[:5]}")

counts = {}
for p in src.values():
    counts[p["currency"]] = counts.get(p["currency"], 0) + 1
if errors:
    for e in errors[:25]:
        print(e)
    print(f"{len(errors)} mismatches")
    sys.exit(1)
print(f"pledge list: {len(listed)} rows identical to the input "
      f"(USD {counts['USD']}, JPY {counts['JPY']}, KWD {counts['KWD']}), "
      f"converted values exact ({ties} of them ties rounded half to even)")
print(f"export csv: {sum(len(v) for v in postings.values())} postings carry the original amounts")
EOF

tf verify >/dev/null || fail "the fund does not verify"
echo "$N amounts round-tripped exactly through import, pledge list and export csv"
