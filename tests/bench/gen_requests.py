#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the input files of an allocation benchmark into a directory.

    gen_requests.py OUTDIR [--requests N] [--countries 150] [--seed 2017]
                    [--funded-share 0.5] [--countries-csv sql/countries.csv]

One session (S1, starting 2025-03-10, 5 days), N travel requests spread
over a fixed sample of countries from the shipped table (LDCs, other
developing countries and ineligible ones, as classified on the session's
start), fares in USD and EUR, and receipts into ldc-travel, travel and
unrestricted worth about --funded-share of the requests' total charge.
Files: rates.csv, donors.csv, receipts.csv, sessions.csv, requests.csv.
The same arguments always give the same files.
"""

import argparse
import csv
import datetime
import os
import random
import sys
from decimal import ROUND_HALF_EVEN, Decimal

SESSION_START = "2025-03-10"
DAYS, EXTRA_DAYS = 5, 1
DSA_CENTS, TERMINAL_CENTS = 20000, 6000
PSC = Decimal("0.13")
RATES = [("EUR", "2024-12-01", "0.9346"), ("EUR", "2025-02-01", "0.9512")]
ALLOCATION_RATE = Decimal("0.9512")  # in force on the benchmark's run date


def tier(row, date):
    """1 LDC, 2 other developing, 0 not eligible (DESIGN.md 9.1)."""
    start = row["ldc_from"]
    if len(start) == 4:
        start += "-01-01"
    until = row["ldc_until"]
    if start and start <= date and (not until or date < until):
        return 1
    return 2 if row["developing"] == "1" else 0


def cents(value):
    return "%d.%02d" % divmod(value, 100)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--countries", type=int, default=150)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--funded-share", type=float, default=0.5)
    ap.add_argument("--countries-csv",
                    default=os.path.join(here, "..", "..", "sql",
                                         "countries.csv"))
    args = ap.parse_args()

    rng = random.Random(args.seed)
    with open(args.countries_csv, newline="", encoding="utf-8") as fp:
        table = sorted(csv.DictReader(fp), key=lambda r: r["iso3"])
    if args.countries > len(table):
        sys.exit("gen_requests.py: only %d countries in %s"
                 % (len(table), args.countries_csv))
    sample = rng.sample(table, args.countries)
    mix = [0, 0, 0]
    for row in sample:
        mix[tier(row, SESSION_START)] += 1

    os.makedirs(args.outdir, exist_ok=True)

    def writer(name):
        fp = open(os.path.join(args.outdir, name), "w", newline="",
                  encoding="utf-8")
        return fp, csv.writer(fp, lineterminator="\n")

    fp, w = writer("rates.csv")
    w.writerow(["currency", "date", "per_usd"])
    w.writerows(RATES)
    fp.close()

    fp, w = writer("sessions.csv")
    w.writerow(["id", "name", "venue", "start", "days", "dsa", "terminal",
                "extra_days"])
    w.writerow(["S1", "First negotiation round", "New York", SESSION_START,
                DAYS, cents(DSA_CENTS), cents(TERMINAL_CENTS), EXTRA_DAYS])
    fp.close()

    # Requests, and the total charge they would have at the run's date.
    base = datetime.datetime(2024, 10, 1)
    fixed = DSA_CENTS * (DAYS + EXTRA_DAYS) + TERMINAL_CENTS
    total_charge = 0
    fp, w = writer("requests.csv")
    w.writerow(["ref", "session", "country", "delegate", "submitted",
                "fare", "fare_currency", "gender"])
    for i in range(args.requests):
        country = rng.choice(sample)
        when = base + datetime.timedelta(seconds=rng.randrange(90 * 86400))
        fare = rng.randrange(20000, 250001)
        currency = "EUR" if rng.random() < 0.3 else "USD"
        gender = rng.choice(["F", "M", ""])
        w.writerow(["REQ-%07d" % rng.randrange(10 ** 7) + "-%d" % i, "S1",
                    country["iso3"], "Delegate %d" % i,
                    when.strftime("%Y-%m-%dT%H:%M:%SZ"), cents(fare),
                    currency, gender])
        usd = fare if currency == "USD" else int(
            (Decimal(fare) / ALLOCATION_RATE).quantize(
                Decimal(1), rounding=ROUND_HALF_EVEN))
        cost = usd + fixed
        total_charge += cost + int((cost * PSC).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN))
    fp.close()

    # Money: ten donors, each paying into the three travel pools.
    money = int(total_charge * args.funded_share)
    donors = ["D%02d" % k for k in range(1, 11)]
    fp, w = writer("donors.csv")
    w.writerow(["id", "name", "type"])
    for d in donors:
        w.writerow([d, "Donor %s" % d, "state"])
    fp.close()
    fp, w = writer("receipts.csv")
    w.writerow(["ref", "date", "amount", "currency", "donor", "pool"])
    for pool, share in (("ldc-travel", 30), ("travel", 50),
                        ("unrestricted", 20)):
        each = money * share // 100 // len(donors)
        for d in donors:
            w.writerow(["RC-%s-%s" % (d, pool), "2025-01-15", cents(each),
                        "USD", d, pool])
    fp.close()

    sys.stderr.write(
        "gen_requests.py: %d requests over %d countries (%d LDC, %d other "
        "developing, %d not eligible); receipts %s USD of %s USD charged\n"
        % (args.requests, args.countries, mix[1], mix[2], mix[0],
           cents(money), cents(total_charge)))


if __name__ == "__main__":
    main()
