#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs the sample fund's year and a half, in date order.

Called by cycle.sh with the tfund binary, the database and the sample
folder. Every step is an ordinary tfund command, printed before it runs,
so the output doubles as a walk-through of how a fund is administered.
"""
import csv
import datetime
import decimal
import io
import shlex
import subprocess
import sys

tfund_bin, db, sample, out = sys.argv[1:5]


def tfund(*args, show=True, check=True):
    cmd = [tfund_bin, "--db", db, *args]
    if show:
        print("$ tfund " + " ".join(shlex.quote(a) for a in args), flush=True)
    run = subprocess.run(cmd, capture_output=True, text=True)
    if show and run.stdout:
        print(run.stdout, end="", flush=True)
    if run.stderr:
        print(run.stderr, end="", file=sys.stderr, flush=True)
    if check and run.returncode != 0:
        sys.exit(f"cycle: 'tfund {' '.join(args)}' failed ({run.returncode})")
    return run


def rows(name):
    with open(f"{sample}/{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def csv_out(*args):
    return list(csv.DictReader(io.StringIO(tfund(*args, show=False).stdout)))


def day(text, delta=0):
    d = datetime.date.fromisoformat(text) + datetime.timedelta(days=delta)
    return d.isoformat()


# The Geneva office keeps the requests for its3 in a spreadsheet and sends
# it as Excel saves it in a European locale: ';' between fields,
# Windows-1252 text, dates DD/MM/YYYY, decimal commas, CRLF. They are the
# requests already imported from requests.csv, so they are all known.
print("\n-- the its3 requests as the Geneva office's spreadsheet saved them")
tfund("import", "requests", f"{sample}/requests-its3-excel.csv",
      "--delimiter", ";", "--encoding", "windows-1252",
      "--date-format", "DD/MM/YYYY", "--decimal-comma")

sessions = csv_out("session", "list", "--format", "csv")
requests = rows("requests")
session_of = {r["ref"]: r["session"] for r in requests}
with_requests = {r["session"] for r in requests}
costs = {r["ref"]: r for r in rows("costs")}

# Events: (date, rank, action). Allocation a week before each session;
# cancellations on their dates, each followed by a re-run that moves the
# waitlist up; disbursements on the date of the actual cost. A re-run
# spends what the session's envelope has left (the money the cancellation
# freed, and what the first run left over), never a fresh share of what
# is available: the envelope and the waitlist are shown before it.
events = []
for s in sessions:
    if s["id"] in with_requests:
        events.append((day(s["start"], -7), 1, ("allocate", s["id"])))
for c in rows("cancellations"):
    events.append((c["date"], 2, ("cancel", c["ref"])))
    events.append((c["date"], 3, ("rerun", session_of[c["ref"]])))
for ref, c in costs.items():
    events.append((c["date"], 4, ("disburse", ref)))
for sp in rows("spend"):
    events.append((sp["date"], 5, ("spend", sp)))
# Surplus: once in the summer of 2018 (the conference's requests still
# pending count as need), and once after the last trip is paid.
events.append(("2018-08-01", 6, ("surplus", None)))
last = max(e[0] for e in events)
last_surplus = day(last, 1)
events.append((last_surplus, 6, ("surplus", None)))
# Interest on the bank balance, credited to unrestricted at the end of
# each quarter; the programme support costs owed to the UN at the end of
# each half-year, remitted two weeks later.
for q in ("2017-03-31", "2017-06-30", "2017-09-30", "2017-12-31",
          "2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31"):
    events.append((q, 7, ("interest", None)))
for half, paid in (("2017-06-30", "2017-07-14"), ("2017-12-31", "2018-01-15"),
                   ("2018-06-30", "2018-07-16")):
    events.append((paid, 7, ("psc", half)))
events.sort(key=lambda e: (e[0], e[1]))

# The bank pays 1.1% a year on the fund's balance, credited quarterly.
INTEREST_RATE = decimal.Decimal("0.011") / 4

status = {}
totals = {"funded": 0, "disbursed": 0, "cancelled": 0}
for date, _, (what, arg) in events:
    if what in ("allocate", "rerun"):
        if what == "rerun":
            print(f"\n-- {date}: what the cancellation freed, for {arg}'s "
                  "waitlist only")
            tfund("allocation", "envelope", arg, "--date", date)
            tfund("waitlist", "--session", arg, "--date", date)
            print(f"\n-- {date}: re-run for {arg}")
        else:
            print(f"\n-- {date}: allocation for {arg}")
        tfund("allocate", arg, "--date", date, "--quiet")
        for r in csv_out("allocation", "show", arg, "--format", "csv"):
            status[r["ref"]] = r["status"]
    elif what == "cancel":
        if status.get(arg) in ("pending", "waitlisted", "funded", None):
            print(f"\n-- {date}: cancellation")
            tfund("cancel", arg, "--date", date)
            status[arg] = "cancelled"
            totals["cancelled"] += 1
    elif what == "disburse" and status.get(arg) == "funded":
        r = tfund("disburse", arg, "--date", date, show=False, check=False)
        if r.returncode == 0:
            status[arg] = "disbursed"
            totals["disbursed"] += 1
        elif r.returncode == 1:
            print(f"   {date}: {arg}: {r.stderr.strip()}")
        else:
            sys.exit(f"cycle: disbursing {arg} failed")
    elif what == "spend":
        print(f"\n-- {date}: conference preparation")
        tfund("spend", arg["ref"], "--date", date, "--amount", arg["amount"],
              "--currency", arg["currency"], "--memo", arg["memo"])
    elif what == "surplus":
        print(f"\n-- {date}: surplus to conference preparation")
        if date == last_surplus:
            # The last trip is paid and no meeting follows: surplus warns
            # (no session after the date, pledges still unpaid) and this
            # script confirms, as an administrator would at this point.
            tfund("surplus", "--date", date, "--dry-run")
            tfund("surplus", "--date", date, "--yes")
        else:
            tfund("surplus", "--date", date)
    elif what == "interest":
        bank = sum((decimal.Decimal(r["balance"])
                    for r in csv_out("balance", "--as-of", date, "--format",
                                     "csv")
                    if r["account"] == "assets:cash"), decimal.Decimal(0))
        earned = (bank * INTEREST_RATE).quantize(
            decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN)
        if earned > 0:
            print(f"\n-- {date}: interest on the bank balance of {bank:,.2f}")
            tfund("interest", "add", "--date", date, "--amount", str(earned),
                  "--ref", f"BANK-INT-{date}")
    elif what == "psc":
        owed = [r for r in csv_out("psc", "show", "--as-of", arg, "--format",
                                   "csv")]
        total = sum((decimal.Decimal(r["payable"]) for r in owed),
                    decimal.Decimal(0))
        if total > 0:
            print(f"\n-- {date}: programme support costs owed on {arg} "
                  "paid to the UN")
            tfund("psc", "pay", "--date", date, "--amount", str(total),
                  "--ref", f"UN-PSC-{arg}")

print(f"\n-- grants disbursed: {totals['disbursed']}, "
      f"cancellations: {totals['cancelled']}")
