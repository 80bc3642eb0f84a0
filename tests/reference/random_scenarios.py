#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes seeded random allocation scenarios for check.py and model.py.

Each scenario has 3 to 5 sessions (2017-2018, sometimes two on the same
day, sometimes one starting on Equatorial Guinea's graduation day), some
with a travel_budget (a few of 0, which caps nothing), USD and 2 or 3
other currencies with monthly and mid-month rates, donors, pledges and
(partial, late) receipts into all four pools, requests from a handful of
the shipped countries (LDCs, graduated and graduating ones, other
developing countries, ineligible ones and Palestine, which has no
regional group), some submitted after the session's first run (on its
very day, between runs, or after the session), sometimes changed
settings, and actions: dry runs, allocation runs with random options
(--cap, --strict, --budget all on first runs and re-runs), up to three
re-runs with or without cancellations in between (some on the same day),
runs on the session's last day and after it (refused), cancellations in
every state (pending ones too), disbursements of actual costs within 20%
of the estimate, from costs.csv or given on the command line, some in
another currency and some dated apart from their cost row, and views
(show, envelope, waitlist) between them. Actions are in date order.

usage: random_scenarios.py OUTDIR N [FIRST_SEED]
writes OUTDIR/random-<seed> for N seeds from FIRST_SEED (default 1).
"""

import csv
import datetime as dt
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.normpath(os.path.join(HERE, "..", "..", "sql", "countries.csv"))

# Currency: (minor digits, typical units per USD, decimals of the rate).
CURRENCIES = {
    "EUR": (2, 0.92, 4), "CHF": (2, 0.99, 4), "GBP": (2, 0.79, 4),
    "JPY": (0, 112.0, 2), "KWD": (3, 0.3035, 5), "NOK": (2, 8.45, 4),
    "SEK": (2, 8.9, 4),
}
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]

# Country mixes, all from the shipped table.
LDC = ["AFG", "AGO", "BDI", "BEN", "BFA", "CAF", "COD", "ETH", "HTI", "KHM", "LAO",
       "MLI", "MMR", "NPL", "SEN", "SLB", "SSD", "TLS", "TZA", "UGA", "YEM", "ZMB",
       "BGD", "KIR", "TUV"]
GRADUATED = ["GNQ", "CPV", "MDV", "WSM", "BTN", "VUT", "STP", "BWA"]
DEVELOPING = ["IDN", "IND", "BOL", "KEN", "NGA", "BRA", "MEX", "EGY", "PNG", "LKA",
              "GEO", "ARM", "VEN", "IRN", "FSM", "PRK", "KOR", "CHN", "ZAF", "TTO"]
INELIGIBLE = ["NOR", "FRA", "JPN", "MDA", "ALB", "VAT", "DEU", "USA", "POL"]


def d2s(d):
    return d.isoformat()


def s2d(s):
    return dt.date.fromisoformat(s)


def amount_text(units, minor):
    if minor == 0:
        return str(units)
    s = str(units).rjust(minor + 1, "0")
    return s[:-minor] + "." + s[-minor:]


def write(folder, name, header, rows):
    with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def make(seed, folder):
    rnd = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    known = {r["iso3"] for r in csv.DictReader(open(SHIPPED, newline="", encoding="utf-8"))}

    # --- currencies and rates
    others = rnd.sample(sorted(CURRENCIES), rnd.randint(2, 3))
    currencies = ["USD"] + others
    rates = []
    rate_of = {}          # currency -> sorted [(date, float)] for estimates
    for cur in others:
        minor, level, decimals = CURRENCIES[cur]
        x = level * rnd.uniform(0.97, 1.03)
        d = dt.date(2016, 12, 1)
        while d <= dt.date(2018, 12, 1):
            x *= rnd.uniform(0.96, 1.04)
            text = f"{x:.{decimals}f}"
            rates.append((cur, d2s(d), text))
            rate_of.setdefault(cur, []).append((d, float(text)))
            if rnd.random() < 0.3:
                mid = d + dt.timedelta(days=rnd.randint(5, 25))
                x *= rnd.uniform(0.97, 1.03)
                text = f"{x:.{decimals}f}"
                rates.append((cur, d2s(mid), text))
                rate_of[cur].append((mid, float(text)))
            d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        rate_of[cur].sort()
    write(folder, "rates.csv", ["currency", "date", "per_usd"], rates)

    def rate_est(cur, date):
        if cur == "USD":
            return 1.0
        r = None
        for d, x in rate_of[cur]:
            if d <= date:
                r = x
        return r

    def in_currency(usd, cur, date):
        """A USD figure as a decimal text in cur at date's rate."""
        minor = 2 if cur == "USD" else CURRENCIES[cur][0]
        units = max(1, round(usd * rate_est(cur, date) * 10 ** minor))
        return units, amount_text(units, minor)

    # --- sessions
    n_sessions = rnd.randint(3, 5)
    starts = sorted(dt.date(2017, 3, 1) + dt.timedelta(days=rnd.randint(0, 580))
                    for _ in range(n_sessions))
    if rnd.random() < 0.3:
        starts[0] = dt.date(2017, 6, 4)          # GNQ graduates that day
        starts.sort()
    if n_sessions >= 4 and rnd.random() < 0.3:
        starts[2] = starts[1]                    # two sessions, one start
    sessions = []
    for i, st in enumerate(starts, 1):
        dsa = rnd.choice([f"{rnd.randint(250, 450)}", f"{rnd.randint(250, 450)}.{rnd.randint(0, 99):02d}"])
        sessions.append({
            "id": f"s{i}", "name": f"Session {i}", "venue": rnd.choice(["Geneva", "New York", "Vienna"]),
            "start": st, "days": rnd.randint(1, 5), "dsa": dsa,
            "terminal": str(rnd.randint(80, 150)), "extra_days": rnd.choice(["", "", "0", "1", "2"]),
        })

    # --- countries of this scenario: few, so quotas bite
    pick = (rnd.sample(LDC, rnd.randint(3, 6)) + rnd.sample(GRADUATED, rnd.randint(1, 2))
            + rnd.sample(DEVELOPING, rnd.randint(2, 5)) + rnd.sample(INELIGIBLE, rnd.randint(1, 2)))
    if rnd.random() < 0.6:
        pick.append("PSE")
    pick = [c for c in pick if c in known]

    # --- requests
    requests = []
    est = {}          # ref -> estimated cost in USD (before PSC)
    alloc_dates = {}
    for s in sessions:
        first_alloc = s["start"] - dt.timedelta(days=rnd.randint(14, 60))
        alloc_dates[s["id"]] = first_alloc
        n = rnd.randint(4, 15)
        refs = [f"R-{s['id']}-{k:03d}" for k in range(1, n + 1)]
        rnd.shuffle(refs)      # reference order is not submission order
        times = []
        for ref in refs:
            late = rnd.random()
            if times and rnd.random() < 0.15:
                t = rnd.choice(times)          # same submission time
            elif late < 0.12:
                # after the first run: on its day (then it counts), between
                # runs, or even after the session (never considered)
                days = rnd.randint(0, (s["start"] - first_alloc).days - 1)
                if late < 0.03:
                    days = (s["start"] - first_alloc).days + s["days"] + rnd.randint(0, 5)
                t = dt.datetime.combine(first_alloc + dt.timedelta(days=days),
                                        dt.time(rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)))
                times.append(t)
            else:
                t = dt.datetime.combine(first_alloc - dt.timedelta(days=rnd.randint(1, 60)),
                                        dt.time(rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)))
                times.append(t)
            country = rnd.choice(pick)
            fare_usd = rnd.uniform(300, 3000)
            cur = rnd.choice(currencies)
            _, fare = in_currency(fare_usd, cur, first_alloc)
            dsa = float(s["dsa"]) * (s["days"] + (int(s["extra_days"]) if s["extra_days"] else 1))
            est[ref] = fare_usd + dsa + int(s["terminal"])
            requests.append([ref, s["id"], country, f"Delegate {ref}",
                             t.strftime("%Y-%m-%dT%H:%M:%SZ"), fare, cur, rnd.choice(["F", "M", ""])])
    requests.sort()
    write(folder, "requests.csv",
          ["ref", "session", "country", "delegate", "submitted", "fare", "fare_currency", "gender"],
          requests)
    total_need = sum(est.values()) * 1.13

    # --- sessions, now that their requests are known: a travel_budget for
    # some (a share of what their requests would cost), 0 for a few
    for s in sessions:
        r = rnd.random()
        need = sum(v for k, v in est.items() if k.startswith(f"R-{s['id']}-")) * 1.13
        if r < 0.3:
            s["travel_budget"] = f"{need * rnd.uniform(0.2, 0.8):.2f}"
        elif r < 0.4:
            s["travel_budget"] = "0"
        else:
            s["travel_budget"] = ""
    write(folder, "sessions.csv",
          ["id", "name", "venue", "start", "days", "dsa", "terminal", "extra_days", "travel_budget"],
          [[s["id"], s["name"], s["venue"], d2s(s["start"]), s["days"], s["dsa"], s["terminal"],
            s["extra_days"], s["travel_budget"]] for s in sessions])

    # --- settings
    settings = []
    if rnd.random() < 0.5:
        if rnd.random() < 0.5:
            settings.append(("psc_rate", rnd.choice(["0.13", "0.07", "0.125", "0.1"])))
        if rnd.random() < 0.5:
            settings.append(("reserve_rate", rnd.choice(["0.05", "0.1", "0.025", "0.015"])))
        if rnd.random() < 0.5:
            settings.append(("quota_ldc", str(rnd.randint(1, 3))))
        if rnd.random() < 0.5:
            settings.append(("quota_developing", str(rnd.randint(1, 2))))
    if settings:
        write(folder, "settings.csv", ["key", "value"], settings)

    # --- donors, pledges and receipts
    donors = [(f"donor{k}", f"Donor {k}", rnd.choice(["state", "igo", "foundation", "private"]))
              for k in range(1, rnd.randint(3, 5) + 1)]
    write(folder, "donors.csv", ["id", "name", "type"], donors)
    target = total_need * rnd.uniform(0.25, 1.1)
    pledges, receipts = [], []
    first = starts[0]
    for k in range(1, rnd.randint(3, 7) + 1):
        pool = rnd.choice(POOLS + ["travel", "ldc-travel"])
        cur = rnd.choice(currencies)
        pdate = first - dt.timedelta(days=rnd.randint(30, 120)) + dt.timedelta(days=rnd.randint(0, 200))
        pdate = max(pdate, dt.date(2016, 12, 1))
        usd = target / 4 * rnd.uniform(0.3, 1.7)
        units, text = in_currency(usd, cur, pdate)
        ref = f"PL-{k:02d}"
        pledges.append([ref, rnd.choice(donors)[0], d2s(pdate), text, cur, pool])
        minor = 2 if cur == "USD" else CURRENCIES[cur][0]
        left = units
        rdate = pdate
        for j in range(1, rnd.randint(1, 3) + 1):
            if left <= 0:
                break
            part = left if rnd.random() < 0.5 else max(1, int(left * rnd.uniform(0.2, 0.9)))
            rdate = rdate + dt.timedelta(days=rnd.randint(0, 150))
            receipts.append([f"RC-{k:02d}-{j}", d2s(rdate), amount_text(part, minor), cur, ref, "", ""])
            left -= part
    if rnd.random() < 0.5:
        cur = rnd.choice(currencies)
        rdate = max(first - dt.timedelta(days=rnd.randint(0, 90)), dt.date(2016, 12, 1))
        _, text = in_currency(target / 6, cur, rdate)
        pool = rnd.choice(["", "travel", "ldc-travel", "unrestricted"])
        receipts.append(["RC-NP-1", d2s(rdate), text, cur, "", rnd.choice(donors)[0], pool])
    write(folder, "pledges.csv", ["ref", "donor", "date", "amount", "currency", "pool"], pledges)
    write(folder, "receipts.csv", ["ref", "date", "amount", "currency", "pledge", "donor", "pool"],
          receipts)

    # --- actions, in date order (stable)
    actions = []      # (date, seq, text)
    costs = []
    seq = 0

    def act(date, text):
        nonlocal seq
        seq += 1
        actions.append((date, seq, text))

    def options(s, bare=0.0):
        o = []
        if rnd.random() < bare:
            return o
        r = rnd.random()
        if r < 0.3:
            o += ["--order", "cost"]
        elif r < 0.6:
            o += ["--order", "region"]
        elif r < 0.7:
            o += ["--order", "submitted"]
        if rnd.random() < 0.3:
            o += ["--budget", "all"]
        elif rnd.random() < 0.1:
            o += ["--budget", "days"]
        if rnd.random() < 0.2:
            share = sum(v for k, v in est.items() if k.startswith(f"R-{s['id']}-"))
            o += ["--cap", f"{share * rnd.uniform(0.2, 0.8):.2f}"]
        if rnd.random() < 0.2:
            o += ["--strict"]
        return o

    by_session = {}
    for r in requests:
        by_session.setdefault(r[1], []).append(r[0])
    for s in sessions:
        sid = s["id"]
        refs = by_session[sid]
        a1 = alloc_dates[sid]
        before = a1 - dt.timedelta(days=1)
        if rnd.random() < 0.25:
            act(before, f"cancel {rnd.choice(refs)} {d2s(before)}")             # pending
        if rnd.random() < 0.1:
            act(before, f"disburse {rnd.choice(refs)} {d2s(before)} 100.00 USD")  # refused
        last_day = s["start"] + dt.timedelta(days=s["days"] - 1)

        def views(d):
            if rnd.random() < 0.4:
                act(d, f"envelope {sid} {d2s(d)}")
            if rnd.random() < 0.25:
                act(d, f"waitlist {d2s(d)}" + (f" --session {sid}" if rnd.random() < 0.3 else ""))
            if rnd.random() < 0.15:
                act(d, f"show {sid}")

        if rnd.random() < 0.15:
            dd = a1 - dt.timedelta(days=rnd.randint(0, 10))
            act(dd, " ".join(["allocate", sid, d2s(dd)] + options(s) + ["--dry-run"]))
        act(a1, " ".join(["allocate", sid, d2s(a1)] + options(s)))
        views(a1)
        last = a1
        for _ in range(rnd.choice([0, 0, 1, 1, 2, 3])):
            latest = last
            for ref in rnd.sample(refs, min(len(refs), rnd.choice([0, 0, 1, 1, 2, 3]))):
                cd = last + dt.timedelta(days=rnd.randint(0, 3))
                act(cd, f"cancel {ref} {d2s(cd)}")
                if rnd.random() < 0.3:
                    act(cd, f"waitlist {d2s(cd)}")     # what the freed money would fund
                latest = max(latest, cd)
            gap = rnd.choice([0, 1, 4, 8, 12])
            a2 = min(max(latest, last + dt.timedelta(days=gap)), last_day)
            if rnd.random() < 0.1:
                act(a2, " ".join(["allocate", sid, d2s(a2)] + options(s) + ["--dry-run"]))
            act(a2, " ".join(["allocate", sid, d2s(a2)] + options(s, bare=0.4)))
            views(a2)
            last = a2
        r = rnd.random()
        if r < 0.1:
            act(last_day, " ".join(["allocate", sid, d2s(last_day)] + options(s, bare=0.5)))
            views(last_day)
            last = max(last, last_day)
        elif r < 0.2:
            dd = last_day + dt.timedelta(days=rnd.randint(1, 10))
            act(dd, " ".join(["allocate", sid, d2s(dd)] + options(s)
                             + (["--dry-run"] if rnd.random() < 0.3 else [])))
            views(dd)
        end = s["start"] + dt.timedelta(days=s["days"])
        if rnd.random() < 0.3:
            ref = rnd.choice(refs)
            cd = last + dt.timedelta(days=1)
            act(cd, f"cancel {ref} {d2s(cd)}")
        for ref in refs:
            if rnd.random() < 0.35:
                continue
            dd = end + dt.timedelta(days=rnd.randint(1, 20))
            cur = rnd.choice(currencies)
            actual = est[ref] * rnd.uniform(0.8, 1.2)
            if rnd.random() < 0.7:
                cdate = dd - dt.timedelta(days=rnd.choice([0, 0, 0, 3, 12]))
                _, text = in_currency(actual, cur, cdate)
                costs.append([ref, d2s(cdate), text, cur])
                act(dd, f"disburse {ref} {d2s(dd)}")
                if rnd.random() < 0.05:
                    act(dd, f"disburse {ref} {d2s(dd)}")       # twice: refused
            else:
                _, text = in_currency(actual, cur, dd)
                act(dd, f"disburse {ref} {d2s(dd)} {text} {cur}")
            if rnd.random() < 0.05:
                act(dd, f"cancel {ref} {d2s(dd)}")             # after payment: refused
    actions.sort()
    costs.sort()
    write(folder, "costs.csv", ["ref", "date", "amount", "currency"], costs)
    with open(os.path.join(folder, "actions"), "w", encoding="utf-8") as f:
        f.write(f"# random scenario, seed {seed}: {n_sessions} sessions, {len(requests)} requests, "
                f"currencies {' '.join(currencies)}\n")
        for _, _, text in actions:
            f.write(text + "\n")


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, n = argv[1], int(argv[2])
    first = int(argv[3]) if len(argv) == 4 else 1
    for seed in range(first, first + n):
        make(seed, os.path.join(out, f"random-{seed:03d}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
