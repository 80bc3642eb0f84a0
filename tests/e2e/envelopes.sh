#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A session's allocation over the whole preparatory process: the envelope
# fixed by its first run, re-runs that spend only what it has left, the
# `cap` reason, late requests, no run after the session, the waitlist and
# headroom views against what a dry run then does, output that cannot be
# written, and the surplus safeguard.
#
#   bash tests/e2e/envelopes.sh TFUND-BINARY SOURCE-DIR
#
# The figures of the small funds are worked out by hand in the comments
# (the scenarios' own files, tests/scenarios/*/, with the arithmetic of
# their `actions`); the sample fund (samples/gcm) checks the views against
# dry runs on real-sized sessions.
set -euo pipefail

tfund=$(realpath "$1")
src=$(realpath "$2")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: envelopes.sh needs python3"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: envelopes.sh needs sqlite3"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-envelopes.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TFUND_DB

fail() {
  echo "envelopes: $*" >&2
  exit 1
}
db=fund.db
tf() { "$tfund" --db "$db" "$@"; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

# fund FOLDER: a new fund with a scenario's files.
fund() {
  rm -f "$db"*
  tf init >/dev/null
  for kind in rates donors sessions pledges receipts requests; do
    tf import "$kind" "$1/$kind.csv" >/dev/null
  done
}

# books: what must not move when nothing is written.
books() {
  tf pools --format csv
  q "SELECT count(*) FROM runs; SELECT count(*) FROM decisions;
     SELECT count(*) FROM events; SELECT count(*) FROM entries;
     SELECT group_concat(ref || ':' || status, ' ') FROM requests;"
}

# ---- 1. Re-runs with nothing changed fund nothing ---------------------------
# tests/scenarios/rerun_cancel: two sessions of 2 days, travel 4000, s1's
# share 2/4. Charges: fare 500 -> 678.00, fare 300 -> 452.00. Run 1:
# envelope travel floor(4000 x 2/4) = 2000: K01 678, K02 678, K03 678 >
# 644 left (insufficient-funds), K04 452 (192 left), K05 452 > 192.
fund "$src/tests/scenarios/rerun_cancel"
out=$(tf allocate s1 --date 2017-04-01)
grep -q '^s1 on 2017-04-01: 5 considered: 3 funded .* for 1,808.00, 2 waitlisted' <<<"$out" ||
  fail "first run: $out"
grep -q '^envelope fixed by this run: available x 2/4$' <<<"$out" || fail "first run's envelope: $out"
grep -Eq '^  travel +envelope 2,000.00, used 0.00, allowance 2,000.00, drawn 1,808.00$' <<<"$out" ||
  fail "first run's travel line: $out"
before=$(books)
for i in 1 2 3; do
  out=$(tf allocate s1 --date 2017-04-01)
  grep -q '^s1 on 2017-04-01: 2 considered: 0 funded' <<<"$out" || fail "re-run $i funded: $out"
  grep -q '^envelope kept, as stored by run [1-3]$' <<<"$out" || fail "re-run $i: $out"
  grep -Eq '^  travel +envelope 2,000.00, used 1,808.00, allowance 192.00, drawn 0.00$' <<<"$out" ||
    fail "re-run $i's travel line: $out"
done
after=$(books)
# Only the three runs and their decisions were added; pools, entries and
# requests are as they were.
[ "$(sed -n 1,5p <<<"$before")" = "$(sed -n 1,5p <<<"$after")" ] || fail "re-runs moved the pools"
[ "$(tail -n 1 <<<"$before")" = "$(tail -n 1 <<<"$after")" ] || fail "re-runs changed a request"
[ "$(q 'SELECT count(*) FROM runs')" = 4 ] || fail "the re-runs were not recorded"
[ "$(q "SELECT group_concat(basis) FROM runs ORDER BY id")" = "fixed,kept,kept,kept" ] ||
  fail "runs' bases: $(q 'SELECT group_concat(basis) FROM runs')"
[ "$(q "SELECT count(*) FROM envelopes WHERE pool = 'travel' AND envelope = 200000")" = 4 ] ||
  fail "every run stores the envelope it spent from"
echo "re-runs: three re-runs with nothing changed funded nothing, the envelope kept"

# ---- 2. A cancellation frees its money for the same session only ------------
# K01's 678 is released; a run on 04-06 may spend min(4000 - 1130,
# 2000 - 1130) = 870 = 678 freed + 192 left: K03 (678) is funded, K05
# (452) misses 452 - 192 = 260.
out=$(tf cancel K01 --date 2017-04-05)
grep -q 'commitment released: 678.00' <<<"$out" || fail "cancel: $out"
wl=$(tf waitlist --date 2017-04-06 --format csv)
[ "$wl" = "session,position,ref,country,tier,reason,charge,shortfall
s1,1,K03,BRA,2,,678.00,0.00
s1,2,K05,MEX,2,insufficient-funds,452.00,260.00" ] || fail "waitlist after the cancellation: $wl"
hr=$(tf headroom s1 --date 2017-04-06 --format csv)
grep -q '^s1,2017-05-11,travel,2000.00,1130.00,2870.00,870.00,,,$' <<<"$hr" || fail "headroom: $hr"
# Tier 2: 870 of allowance; K03 678, K05 452: median (452 + 678) / 2 = 565, covers 1.
grep -q '^s1,2017-05-11,tier 2,,,,870.00,2,565.00,1$' <<<"$hr" || fail "headroom tier 2: $hr"
dry=$(tf allocate s1 --date 2017-04-06 --dry-run)
grep -Eq '^  travel +envelope 2,000.00, used 1,130.00, allowance 870.00, drawn 678.00$' <<<"$dry" ||
  fail "dry run after the cancellation: $dry"
before_pools=$(tf pools --format csv)
out=$(tf allocate s1 --date 2017-04-06)
grep -q '2 considered: 1 funded .* for 678.00, 1 waitlisted' <<<"$out" || fail "re-run after the cancellation: $out"
# At most what was freed plus what the envelope had left.
drawn=$(q "SELECT sum(amount) FROM draws WHERE run = (SELECT max(id) FROM runs)")
[ "$drawn" -le $((67800 + 19200)) ] || fail "the re-run drew $drawn cents, more than 870.00"
[ "$(tf allocation show s1 --format csv | grep -c ',funded,')" = 3 ] || fail "K02, K03, K04 funded"
tf allocation show s1 --format csv | grep >/dev/null '^K05,.*,waitlisted,insufficient-funds,' || fail "K05 still waits"
# s2 keeps its money: its first run fixes 2192 = all that s1's envelope did not take.
env=$(tf allocation envelope s2 --date 2017-04-10 --format csv)
grep -q '^travel,2192.00,0.00,2192.00,2192.00$' <<<"$env" || fail "s2's envelope: $env"
echo "cancellation: the re-run spent the 678.00 freed (of 870.00 = 678.00 + 192.00 left), s2 kept 2,192.00"

# ---- 3. --budget all on a re-run resets the envelope, recorded --------------
out=$(tf allocate s1 --date 2017-04-06 --budget all)
grep -q '^envelope reset by this run (--budget all): used + available$' <<<"$out" || fail "reset: $out"
[ "$(q "SELECT basis || ' ' || options FROM runs ORDER BY id DESC LIMIT 1")" = \
  "reset order=submitted budget=all cap=-1 strict=0" ] || fail "the reset is not recorded with the run"
echo "--budget all: the re-run reset the envelope and the run records it"

# ---- 4. cap and insufficient-funds -------------------------------------------
# tests/scenarios/travel_budget_cap: s1's travel_budget 2000.00 with 20000
# in travel: M03 (1130) and M06 (678) would pass it: cap.
fund "$src/tests/scenarios/travel_budget_cap"
tf allocate s1 --date 2017-04-01 --budget all >/dev/null
show=$(tf allocation show s1 --format csv)
grep -q '^M03,s1,BRA,2,GRULAC,waitlisted,cap,' <<<"$show" || fail "travel_budget miss: $show"
grep -q '^M06,s1,MEX,2,GRULAC,waitlisted,cap,' <<<"$show" || fail "travel_budget miss: $show"
! grep -q 'insufficient-funds' <<<"$show" || fail "insufficient-funds with money in the pool: $show"
# --cap below every charge: every eligible request the pools cover is cap.
fund "$src/tests/scenarios/travel_budget_cap"
tf allocate s2 --date 2017-05-20 --cap 1000.00 >/dev/null
show=$(tf allocation show s2 --format csv | tail -n +2)
[ "$(grep -c ',waitlisted,cap,' <<<"$show")" = 3 ] || fail "--cap misses: $show"
# tests/scenarios/empty_pool: tier 2 with only ldc-travel money: the pool
# it may draw is empty, insufficient-funds.
fund "$src/tests/scenarios/empty_pool"
tf allocate s1 --date 2017-04-01 >/dev/null
show=$(tf allocation show s1 --format csv)
grep -q ',2,[^,]*,waitlisted,insufficient-funds,' <<<"$show" || fail "empty pool: $show"
! grep -q ',2,[^,]*,waitlisted,cap,' <<<"$show" || fail "empty pool read as a cap: $show"
echo "reasons: travel_budget and --cap misses are cap, an empty pool insufficient-funds"

# ---- 5. Late requests, no run after the session -----------------------------
fund "$src/tests/scenarios/rerun_cancel"
tf request add LATE1 --session s1 --country NPL --delegate "Late Delegate" \
  --submitted 2017-04-02T09:00:00Z --fare 10.00 --fare-currency USD >/dev/null
tf allocate s1 --date 2017-04-01 >/dev/null
tf allocation show s1 --format csv | grep >/dev/null '^LATE1,s1,NPL,,Asia-Pacific,pending,,,,,,,,$' ||
  fail "a request submitted after the run's date was decided: $(tf allocation show s1 --format csv)"
before=$(books)
rc=0
tf allocate s1 --date 2017-05-12 >out.txt 2>err.txt || rc=$?
[ "$rc" = 1 ] || fail "a run after the session's last day: exit $rc"
grep -q "session 's1' ended on 2017-05-11" err.txt || fail "unclear refusal: $(cat err.txt)"
[ ! -s out.txt ] || fail "a refused run printed: $(cat out.txt)"
rc=0
tf allocate s1 --date 2017-05-12 --dry-run >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a dry run after the session's last day: exit $rc"
[ "$(books)" = "$before" ] || fail "a refused run wrote"
out=$(tf allocate s1 --date 2017-05-11)
grep -q '^s1 on 2017-05-11: 3 considered: 1 funded' <<<"$out" || fail "LATE1 on the last day: $out"
echo "dates: a later request stays pending; a run after the last day is refused, on it allowed"

# ---- 6. Output that cannot be written commits nothing -----------------------
fund "$src/tests/scenarios/rerun_cancel"
before=$(books)
rc=0
tf allocate s1 --date 2017-04-01 >/dev/full 2>err.txt || rc=$?
[ "$rc" = 3 ] || fail "allocate > /dev/full: exit $rc"
grep -q 'cannot write the output' err.txt || fail "allocate > /dev/full said: $(cat err.txt)"
[ "$(books)" = "$before" ] || fail "allocate > /dev/full committed the run"
for fmt in text csv json; do
  # The reader is gone before tfund writes: the first write raises SIGPIPE
  # (exit 141 from a shell) and nothing may be committed.
  rc=$("$PY" - "$tfund" "$db" "$fmt" <<'EOF'
import os, subprocess, sys
tfund, db, fmt = sys.argv[1:4]
r, w = os.pipe()
os.close(r)
p = subprocess.run([tfund, "--db", db, "allocate", "s1", "--date", "2017-04-01",
                    "--format", fmt], stdout=w, stderr=subprocess.DEVNULL)
print(128 - p.returncode if p.returncode < 0 else p.returncode)
EOF
)
  [ "$rc" = 141 ] || fail "allocate --format $fmt into a closed pipe: exit $rc"
  [ "$(books)" = "$before" ] || fail "allocate --format $fmt into a closed pipe committed the run"
done
tf verify >/dev/null || fail "the fund does not verify after the refused runs"
# With a real reader that goes away early, either tfund was killed
# before its commit (141: nothing kept) or its output all went into the
# pipe before the reader left (0: the run kept).
set +e
tf allocate s1 --date 2017-04-01 | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
set -e
case "$rc" in
141) [ "$(books)" = "$before" ] || fail "allocate | head -1 killed by SIGPIPE committed the run" ;;
0) [ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "allocate | head -1 exit 0 without its run" ;;
*) fail "allocate | head -1: exit $rc" ;;
esac
echo "output: > /dev/full (exit 3) and a closed pipe (exit 141) committed nothing"

# ---- 7. waitlist and headroom are what a dry run then does, sample fund ------
sample=$src/samples/gcm
rm -f "$db"*
tf init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
tf allocate its1 --date 2017-05-01 --quiet >/dev/null
tf allocate its2 --date 2017-05-15 --quiet >/dev/null
tf allocate its3 --date 2017-06-12 --quiet >/dev/null
tf cancel R-its2-008 --date 2017-05-18 >/dev/null
for date in 2017-05-18 2017-05-20 2017-06-14; do
  tf waitlist --date "$date" --format csv >"waitlist-$date.csv"
  tf headroom --date "$date" --format csv >"headroom-$date.csv"
  for s in $(tail -n +2 "headroom-$date.csv" | cut -d, -f1 | sort -u); do
    tf allocate "$s" --date "$date" --dry-run --format csv >"dry-$date-$s.csv"
    tf allocate "$s" --date "$date" --dry-run --quiet >"dry-$date-$s.txt"
  done
done
"$PY" - <<'EOF' || fail "the views disagree with the dry runs"
import csv, glob, re, sys
bad = []
rows = 0
def cents(text):
    text = text.replace(",", "")
    whole, _, frac = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))
for wl in sorted(glob.glob("waitlist-*.csv")):
    date = wl[len("waitlist-"):-4]
    for w in csv.DictReader(open(wl)):
        rows += 1
        dry = {r["ref"]: r for r in csv.DictReader(open(f"dry-{date}-{w['session']}.csv"))}
        d = dry.get(w["ref"])
        status = "funded" if w["reason"] == "" else "waitlisted"
        if d is None or d["status"] != status or d["reason"] != w["reason"] or \
                d["charge"] != w["charge"] or d["tier"] != w["tier"]:
            bad.append(f"{date} {w['ref']}: waitlist {w}, dry run {d}")
    for h in csv.DictReader(open(f"headroom-{date}.csv")):
        text = open(f"dry-{date}-{h['session']}.txt").read()
        if h["what"].startswith("tier"):
            t = h["what"][-1]
            dry = list(csv.DictReader(open(f"dry-{date}-{h['session']}.csv")))
            n = sum(1 for r in dry if r["tier"] == t)
            if int(h["requests"]) != n:
                bad.append(f"{date} {h['session']} tier {t}: {h['requests']} requests, dry run {n}")
            if h["median_charge"]:
                m = cents(h["median_charge"])
                if int(h["covers"]) != cents(h["allowance"]) // m:
                    bad.append(f"{date} {h['session']} tier {t}: covers {h['covers']}")
            continue
        m = re.search(r"^  %s +envelope ([-\d,.]+), used ([-\d,.]+), allowance ([-\d,.]+)," % re.escape(h["what"]), text, re.M)
        if not m or [cents(x) for x in m.groups()] != [cents(h["envelope"]), cents(h["used"]), cents(h["allowance"])]:
            bad.append(f"{date} {h['session']} {h['what']}: headroom {h}, dry run {m and m.groups()}")
        rows += 1
if bad or rows < 20:
    print("\n".join(bad) or f"only {rows} rows compared", file=sys.stderr)
    sys.exit(1)
print(f"views: {rows} waitlist and headroom rows equal what the dry runs then do")
EOF

# ---- 8. allocation show carries the envelope ---------------------------------
tf allocation show its2 >show.txt
head -n 1 show.txt | grep >/dev/null '^envelope of its2: stored by run 2;' || fail "show's header: $(head -n 3 show.txt)"
grep -Eq '^travel +18,735.85 ' show.txt || fail "show's envelope block: $(head -n 6 show.txt)"
tf allocation show its2 --format json >show.json
"$PY" - <<'EOF' || fail "allocation show --format json"
import json
d = json.load(open("show.json"))
assert d["session"] == "its2" and d["envelope_run"] == 2, d
assert [e["pool"] for e in d["envelope"]] == ["unrestricted", "travel", "ldc-travel"], d["envelope"]
assert d["envelope"][1]["envelope"] == "18735.85", d["envelope"]
assert len(d["requests"]) == 26 and d["requests"][0]["session"] == "its2"
EOF
tf allocation show its2 --format csv | head -n 1 | grep >/dev/null '^ref,session,country,tier,' ||
  fail "allocation show --format csv begins with its header"
echo "allocation show: the envelope before the requests (text, JSON), CSV unchanged"

# ---- 9. The surplus safeguard ------------------------------------------------
# On 2018-12-20 no session starts later: a warning, so no move without a
# confirmation.
before=$(books)
rc=0
tf surplus --date 2018-12-20 </dev/null >out.txt 2>err.txt || rc=$?
[ "$rc" = 1 ] || fail "surplus with warnings and no terminal: exit $rc"
grep -q '^warning: no session starts after 2018-12-20' out.txt || fail "no warning in the output: $(cat out.txt)"
grep -q '^tfund: warning: no session starts after 2018-12-20' err.txt || fail "no warning on stderr: $(cat err.txt)"
grep -q 'give --yes' err.txt || fail "the refusal does not say how: $(cat err.txt)"
[ "$(books)" = "$before" ] || fail "an unconfirmed surplus wrote"
out=$(tf surplus --date 2018-12-20 --dry-run 2>err.txt)
grep -q '^warning: no session starts after' <<<"$out" || fail "dry run without the warning: $out"
grep -q 'would move' <<<"$out" || fail "dry run: $out"
[ "$(books)" = "$before" ] || fail "a dry run wrote"
# On a terminal, it asks: 'n' refuses, 'y' moves.
rc=0
printf 'n\n' | script -qec "'$tfund' --db '$db' surplus --date 2018-12-20" /dev/null >tty.txt 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "surplus answered no: exit $rc: $(cat tty.txt)"
grep -q 'cannot be undone \[y/N\]' tty.txt || fail "no question on the terminal: $(cat tty.txt)"
[ "$(books)" = "$before" ] || fail "a surplus answered no wrote"
rc=0
printf 'y\n' | script -qec "'$tfund' --db '$db' surplus --date 2018-12-20" /dev/null >tty.txt 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "surplus answered yes: exit $rc: $(cat tty.txt)"
grep -q 'moved to prep' tty.txt || fail "surplus answered yes did not move: $(cat tty.txt)"
tf log --format csv | tail -n 1 | grep >/dev/null 'confirmed over its warnings' ||
  fail "the event does not say the move was confirmed over warnings"
tf verify >/dev/null || fail "the fund does not verify after the surplus"
# A surplus that would empty unrestricted and travel while s1 (on its last
# day) still has K03 and K05 waitlisted: s2 is fully funded, so the need
# is 0 and everything would move.
fund "$src/tests/scenarios/rerun_cancel"
tf allocate s1 --date 2017-04-01 >/dev/null
tf allocate s2 --date 2017-04-10 >/dev/null
out=$(tf surplus --date 2017-05-11 --dry-run 2>/dev/null)
grep -q '^warning: it leaves unrestricted and travel at zero available with 2 request(s) of sessions not yet over on the waitlist$' <<<"$out" ||
  fail "no warning for a surplus that empties the travel pools: $out"
! grep -q 'no session starts after' <<<"$out" || fail "s2 starts after 2017-05-11: $out"
echo "surplus: warned on stderr and in the output, refused without a confirmation, asked on a terminal"
echo "ok"
