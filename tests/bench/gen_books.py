#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the input files of an ingest benchmark into a directory.

    gen_books.py OUTDIR --pledges N [--donors 500] [--receipts]
                 [--seed 2017]

donors.csv: --donors donors (D0001, ...). pledges.csv: N pledges in USD
(P0000001, ...) in date order, as a fund's records come, over the days
of 2017-2018, each from a donor and to a pool drawn at random. With
--receipts, receipts.csv: one USD receipt per pledge, paying it in full
one to eight weeks later. Every pledge books 2 postings and
every receipt 2 more (USD needs no exchange difference), so the files
hold 2N (4N with --receipts) postings. The same arguments always give
the same files.
"""

import argparse
import datetime
import os
import random

POOLS = ("unrestricted", "travel", "ldc-travel", "prep")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--pledges", type=int, required=True)
    ap.add_argument("--donors", type=int, default=200)
    ap.add_argument("--receipts", action="store_true")
    ap.add_argument("--seed", type=int, default=2017)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    donors = ["D%04d" % (k + 1) for k in range(args.donors)]
    with open(os.path.join(args.outdir, "donors.csv"), "w",
              encoding="utf-8") as fp:
        fp.write("id,name,type\n")
        for d in donors:
            fp.write("%s,Donor %s,state\n" % (d, d))

    first = datetime.date(2017, 1, 1)
    days = [(first + datetime.timedelta(days=k)).isoformat()
            for k in range(730 + 60)]
    pledge_days = sorted(rng.randrange(730) for _ in range(args.pledges))
    pledges = []
    for i, day in enumerate(pledge_days):
        cents = rng.randrange(100000, 100000000)
        pledges.append(("P%07d" % (i + 1), donors[rng.randrange(len(donors))],
                        day, cents, POOLS[rng.randrange(4)]))

    with open(os.path.join(args.outdir, "pledges.csv"), "w",
              encoding="utf-8") as fp:
        fp.write("ref,donor,date,amount,currency,pool\n")
        fp.writelines("%s,%s,%s,%d.%02d,USD,%s\n"
                      % (ref, donor, days[day], cents // 100, cents % 100,
                         pool)
                      for ref, donor, day, cents, pool in pledges)
    if args.receipts:
        with open(os.path.join(args.outdir, "receipts.csv"), "w",
                  encoding="utf-8") as fp:
            fp.write("ref,date,amount,currency,pledge\n")
            fp.writelines("R%s,%s,%d.%02d,USD,%s\n"
                          % (ref[1:], days[day + 7 + (cents % 50)],
                             cents // 100, cents % 100, ref)
                          for ref, donor, day, cents, pool in pledges)


if __name__ == "__main__":
    main()
