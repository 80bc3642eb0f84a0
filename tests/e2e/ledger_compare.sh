#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 'tfund export ledger' read by ledger-cli and hledger must give, to the
# cent, the balances of 'tfund balance': every account's total over the
# pools, and every (account, pool) balance, with no account missing on
# either side. Checked on the sample fund, plus a reversal whose memo tries
# to smuggle postings into the journal and a receipt with an awkward
# reference, and again as of an earlier date.
#
# usage: bash tests/e2e/ledger_compare.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
SAMPLES=$SRC/samples/gcm
PY=/usr/bin/python3
for tool in ledger hledger "$PY"; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "skipped: $tool is not installed"; exit 77; }
done
POOLS="unrestricted travel ldc-travel prep"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
DB=$WORK/fund.db

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" --db "$DB" "$@"; }

echo "building the sample fund from $SAMPLES"
tf init >/dev/null
for kind in rates donors sessions pledges receipts; do
    tf import "$kind" "$SAMPLES/$kind.csv" >/dev/null ||
        fail "importing the sample $kind failed"
done
last_receipt=$(tf journal --format csv | awk -F, '$3 == "receipt" {id = $1} END {print id}')
[ -n "$last_receipt" ] || fail "the sample has no receipt entry"
# A memo with line breaks is refused at the door; one that looks like
# postings on a single line stays a payee's text.
if tf reverse "$last_receipt" --date 2018-12-01 \
    --memo $'wrong\n    assets:cash  USD 1000000 ; pool: prep' >/dev/null 2>&1; then
    fail "a memo with line breaks was accepted"
fi
tf reverse "$last_receipt" --date 2018-12-01 \
    --memo 'wrong    assets:cash  USD 1000000 ; pool: prep    expense:fx-loss  USD -1000000 ; pool: prep' \
    >/dev/null || fail "reversing entry $last_receipt failed"
tf receipt add 'RC;odd (1) @ "x"' --date 2018-12-02 --amount 10.00 --currency USD \
    --donor iom --pool prep >/dev/null || fail "recording a receipt with an odd reference failed"
tf verify >/dev/null || fail "the fund does not verify"

# compare LABEL: checks the files written for one date.
compare() {
    $PY - "$1" <<'EOF'
import re, sys
from collections import defaultdict
from decimal import Decimal

label = sys.argv[1]
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]
errors = []

def amount(text, where):
    m = re.fullmatch(r"\s*([A-Z]{3}) (-?\d+\.\d\d)\s*", text)
    if not m:
        errors.append(f"{where}: cannot read amount {text!r}")
        return None
    if m.group(1) != "USD":
        errors.append(f"{where}: amount in {m.group(1)}, expected USD")
    return Decimal(m.group(2))

def default_output(path, prefix=None):
    """ledger/hledger 'bal --flat' lines: AMOUNT  ACCOUNT."""
    out = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        m = re.fullmatch(r"\s*([A-Z]{3} -?\d+\.\d\d)  (\S.*)", line)
        if not m:
            errors.append(f"{path}:{n}: cannot read {line!r}")
            continue
        acct = m.group(2)
        if acct in out:
            errors.append(f"{path}:{n}: account {acct} shown twice")
        out[acct] = amount(m.group(1), f"{path}:{n}")
    return out

def format_output(path):
    """'%(account)\t%(display_total)\n' lines."""
    out = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line:
            continue
        acct, tab, amt = line.partition("\t")
        if not tab:
            errors.append(f"{path}:{n}: cannot read {line!r}")
            continue
        if acct in out:
            errors.append(f"{path}:{n}: account {acct} shown twice")
        out[acct] = amount(amt, f"{path}:{n}")
    return out

def by_pool(flat, path):
    """Splits 'pool:P:ACCOUNT' names (ledger --pivot pool)."""
    out = {}
    for name, amt in flat.items():
        parts = name.split(":", 2)
        if len(parts) != 3 or parts[0] != "pool" or parts[1] not in POOLS:
            errors.append(f"{path}: '{name}' is not pool:POOL:ACCOUNT "
                          "(a posting without a known pool tag?)")
            continue
        out[(parts[2], parts[1])] = amt
    return out

# tfund's own figures.
tf_pool = {}
tf_total = defaultdict(Decimal)
with open("balance.csv", encoding="utf-8") as f:
    head = f.readline().rstrip("\n")
    if head.split(",")[:3] != ["account", "pool", "balance"]:
        errors.append(f"balance.csv header {head!r}")
    for n, line in enumerate(f, 2):
        acct, pool, bal = line.rstrip("\n").split(",")[:3]
        if pool not in POOLS:
            errors.append(f"balance.csv:{n}: unknown pool {pool!r}")
        if (acct, pool) in tf_pool:
            errors.append(f"balance.csv:{n}: {acct} {pool} listed twice")
        tf_pool[(acct, pool)] = Decimal(bal)
        tf_total[acct] += Decimal(bal)
if len(tf_pool) < 10:
    errors.append(f"tfund balance lists only {len(tf_pool)} rows")
# Accounts whose pools cancel out have no total to show.
tf_nonzero = {a: v for a, v in tf_total.items() if v != 0}

def same(what, want, got):
    for key in sorted(set(want) | set(got), key=str):
        w, g = want.get(key), got.get(key)
        if w is None:
            errors.append(f"{what}: {key} = {g} but tfund balance has no such balance")
        elif g is None:
            errors.append(f"{what}: {key} missing (tfund balance says {w})")
        elif w != g:
            errors.append(f"{what}: {key} = {g}, tfund balance says {w}")
    return len(set(want) | set(got))

n = same("ledger bal", tf_nonzero, default_output("ledger.txt"))
same("ledger bal --format", tf_nonzero, format_output("ledger-fmt.txt"))
same("hledger bal", tf_nonzero, default_output("hledger.txt"))
m = same("ledger bal --pivot pool", tf_pool,
         by_pool(default_output("ledger-pivot.txt"), "ledger-pivot.txt"))
same("ledger bal --pivot pool --format", tf_pool,
     by_pool(format_output("ledger-pivot-fmt.txt"), "ledger-pivot-fmt.txt"))
hl = {}
for pool in POOLS:
    for acct, amt in default_output(f"hledger-{pool}.txt").items():
        hl[(acct, pool)] = amt
same("hledger bal tag:pool", tf_pool, hl)

if errors:
    for e in errors[:40]:
        print(e)
    print(f"{label}: {len(errors)} differences")
    sys.exit(1)
print(f"{label}: {n} account totals and {m} account/pool balances agree "
      "(ledger, ledger --format, hledger; --pivot pool, tag:pool)")
EOF
}

# run_date LABEL [--as-of DATE]: writes tfund's and the tools' figures.
run_date() {
    local label=$1 pool
    shift
    tf balance --format csv "$@" >balance.csv
    tf export ledger "$@" >journal.ledger
    [ -s journal.ledger ] || fail "$label: export ledger wrote nothing"
    tf export ledger "$@" | ledger -f - bal --flat --no-total >ledger.txt 2>ledger.err ||
        { cat ledger.err >&2; fail "$label: ledger refused the export"; }
    tf export ledger "$@" |
        ledger -f - bal --flat --no-total --format '%(account)\t%(display_total)\n' \
            >ledger-fmt.txt 2>>ledger.err ||
        { cat ledger.err >&2; fail "$label: ledger --format refused the export"; }
    tf export ledger "$@" | ledger -f - bal --flat --no-total --pivot pool \
        >ledger-pivot.txt 2>>ledger.err ||
        { cat ledger.err >&2; fail "$label: ledger --pivot pool refused the export"; }
    tf export ledger "$@" |
        ledger -f - bal --flat --no-total --pivot pool \
            --format '%(account)\t%(display_total)\n' >ledger-pivot-fmt.txt 2>>ledger.err ||
        { cat ledger.err >&2; fail "$label: ledger --pivot pool --format refused the export"; }
    tf export ledger "$@" | LC_ALL=C.UTF-8 hledger -f - bal --flat --no-total >hledger.txt 2>hledger.err ||
        { cat hledger.err >&2; fail "$label: hledger refused the export"; }
    for pool in $POOLS; do
        tf export ledger "$@" | LC_ALL=C.UTF-8 hledger -f - bal --flat --no-total "tag:pool=^$pool\$" \
            >"hledger-$pool.txt" 2>>hledger.err ||
            { cat hledger.err >&2; fail "$label: hledger tag:pool=$pool refused the export"; }
    done
    if [ -s ledger.err ] || [ -s hledger.err ]; then
        cat ledger.err hledger.err >&2
        fail "$label: ledger or hledger complained about the export"
    fi
    echo "checking $label"
    compare "$label" || fail "$label: ledger/hledger balances differ from tfund balance"
}

run_date "as of 2017-06-30" --as-of 2017-06-30
run_date "the whole journal"

# The sample's whole cycle adds commitments, releases, disbursements with
# PSC, preparation spending, transfers between pools, PSC remitted to the
# UN and interest earned.
echo "running the sample's whole cycle (samples/gcm/cycle.py)"
[ -f "$SAMPLES/cycle.py" ] || fail "missing $SAMPLES/cycle.py"
DB=$WORK/cycle.db
tf init >/dev/null
for kind in rates donors sessions pledges receipts requests costs; do
    tf import "$kind" "$SAMPLES/$kind.csv" >/dev/null ||
        fail "importing the sample $kind into the cycle fund failed"
done
mkdir -p "$WORK/cycle-out"
$PY "$SAMPLES/cycle.py" "$TFUND" "$DB" "$SAMPLES" "$WORK/cycle-out" >cycle.log 2>&1 ||
    { tail -20 cycle.log >&2; fail "the sample cycle failed"; }
tf verify >/dev/null || fail "the cycle fund does not verify"
kinds=$(tf journal --format csv | awk -F, 'NR > 1 {print $3}' | sort -u | tr '\n' ' ')
for k in commitment disbursement transfer psc-payment interest; do
    case " $kinds" in *" $k "*) ;; *) fail "the cycle fund has no $k entry (kinds: $kinds)" ;; esac
done
run_date "the cycle as of 2018-03-31" --as-of 2018-03-31
run_date "the whole cycle"
echo "ledger and hledger agree with tfund balance to the cent, per account and per pool"
