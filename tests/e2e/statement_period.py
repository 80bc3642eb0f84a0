#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads every sheet of the donor statements (and the fund statement) of
a period back and checks them against tfund's CSV output, to the cent
(run by statement_period.sh).

usage: statement_period.py DONORS_DIR FUND_XLSX CSV_DIR FROM TO SOURCE_DIR
"""
import csv
import datetime
import os
import sys
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsx_check import (CENT, check, check_workbook, cover, dec, finish,  # noqa
                        machine_free, table, totals_row, ymd)

donors_dir, fund_xlsx, csv_dir, FROM, TO, src = sys.argv[1:7]
BEFORE = (datetime.date.fromisoformat(FROM) -
          datetime.timedelta(days=1)).isoformat()
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]
POOL_NAME = dict(zip(POOLS, ["Unrestricted", "Travel", "LDC travel",
                             "Conference preparation"]))
USE = {"travel": "Travel grants", "prep": "Conference preparation",
       "psc": "Programme support costs", "refunds": "Refunds to donors",
       "other": "Other outflows"}
ZERO = Decimal(0)


def rows(name):
    with open(os.path.join(csv_dir, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def words(date):
    d = datetime.date.fromisoformat(date)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def unit_of(amount_text):
    return Decimal(1) if "." not in amount_text else \
        Decimal(1).scaleb(-len(amount_text.split(".")[1]))


fund_name = {r["key"]: r["value"] for r in rows("settings.csv")}["fund_name"]
donors = {r["id"]: r for r in rows("donors.csv")}
sessions = rows("sessions.csv")
session_name = {s["id"]: s["name"] for s in sessions}
alloc = {r["ref"]: r for s in sessions for r in rows(f"alloc/{s['id']}.csv")}
pledges = rows("pledges.csv")
receipts = rows("receipts.csv")
implicit = {r["ref"] for r in receipts if r["pledge"] == r["ref"]}
pools_end = {r["pool"]: r for r in rows("pools.csv")}


def balances(name):
    out = defaultdict(Decimal)
    for r in rows(name):
        out[(r["account"], r["pool"])] += Decimal(r["balance"])
    return out


tb_end, tb_start = balances("balance.csv"), balances("balance-before.csv")


def attribution(name):
    return {(r["donor"], r["pool"]): r for r in rows(name)}


attr_end = attribution("attribution.csv")
attr_start = attribution("attribution-before.csv")


def statement(path):
    """{(line, pool, detail, session): amount} and {(line, currency):
    amount} from tfund statement's CSV (period-received-value keyed by
    the currency it values)."""
    base, cur = defaultdict(Decimal), defaultdict(Decimal)
    for r in rows(path):
        if r["pool"]:
            base[(r["line"], r["pool"], r["detail"], r["session"])] += \
                Decimal(r["amount"])
        elif r["line"] == "period-received-value":
            cur[(r["line"], r["detail"])] += Decimal(r["amount"])
        else:
            cur[(r["line"], r["currency"])] += Decimal(r["amount"])
    return base, cur


def line(st, name, pool):
    return sum((v for (ln, p, _, _), v in st.items()
                if ln == name and p == pool), ZERO)


def uses(st, pool):
    """{(category, session): amount} of the used lines of a pool."""
    return {(dt, se): v for (ln, p, dt, se), v in st.items()
            if ln == "used" and p == pool}


def label(category, session):
    return f"{USE[category]}: {session_name[session]}" if session \
        else USE[category]


def pools_of(st):
    return [k for k in POOLS if any(p == k for (_, p, _, _) in st)]


# What every pool spent on each use in the period, and since the start,
# from the trial balances.
def spent(tb, pool):
    out = defaultdict(Decimal)
    for (acct, p), v in tb.items():
        if p != pool:
            continue
        if acct.startswith("expense:travel:"):
            out[("travel", acct[len("expense:travel:"):])] += v
        elif acct in ("expense:prep", "expense:psc", "expense:refunds"):
            out[(acct.split(":")[1], "")] += v
    return out


period_spent = {}
for k in POOLS:
    e, s = spent(tb_end, k), spent(tb_start, k)
    period_spent[k] = {key: e[key] - s[key] for key in set(e) | set(s)
                       if e[key] - s[key]}

used_by_all = defaultdict(Decimal)
reshared_by_all = defaultdict(Decimal)
moved_by_all = defaultdict(Decimal)
committed_by_all = defaultdict(Decimal)

for d in sorted(donors):
    name = donors[d]["name"]
    if name[:2] in ("'=", "'+", "'-", "'@"):
        name = name[1:]
    st, stc = statement(f"statement/{d}.csv")
    since, _ = statement(f"since/{d}.csv")

    # ---- The statement's figures, from the CLI, against the books ----
    for k in pools_of(st):
        o, r, m, c = (line(st, x, k) for x in
                      ("opening", "received", "moved", "closing"))
        u, rs = line(st, "used", k), line(st, "reshared", k)
        cm, fr = line(st, "committed", k), line(st, "free", k)
        check(o + r - m - u - rs == c,
              f"{d}/{k}: {o} + {r} - {m} - {u} - {rs} != closing {c}")
        check(cm + fr == c and cm >= 0 and fr >= 0,
              f"{d}/{k}: committed {cm} + free {fr} != closing {c}")
        a_end, a_start = attr_end.get((d, k)), attr_start.get((d, k))
        check(c == (Decimal(a_end["balance"]) if a_end else ZERO),
              f"{d}/{k}: closing {c} is not the attribution's balance")
        check(o == (Decimal(a_start["balance"]) if a_start else ZERO),
              f"{d}/{k}: opening {o} is not the attribution's balance")
        paid = sum((Decimal(x["base_amount"]) for x in receipts
                    if x["donor"] == d and x["pool"] == k and
                    FROM <= x["date"] <= TO), ZERO)
        check(r == paid, f"{d}/{k}: received {r}, receipts {paid}")
        for key, v in uses(st, k).items():
            used_by_all[(k,) + key] += v
        reshared_by_all[k] += rs
        moved_by_all[k] += m
        committed_by_all[k] += cm
    check(sum((line(st, "moved", k) for k in POOLS), ZERO) == 0,
          f"{d}: money moved between pools does not sum to 0")
    for k in pools_of(since):
        check(line(since, "reshared", k) == 0 and
              line(since, "opening", k) == 0,
              f"{d}/{k}: since the start, no opening and no re-sharing")
    # What is owed per currency: pledges less receipts in that currency.
    mine_p = [p for p in pledges if p["donor"] == d and p["date"] <= TO and
              p["ref"] not in implicit]
    mine_r = [r for r in receipts if r["donor"] == d and r["date"] <= TO]
    on_pledge = defaultdict(Decimal)
    for r in mine_r:
        on_pledge[r["pledge"]] += Decimal(r["amount"])
    currencies = {p["currency"] for p in mine_p}
    for cur in currencies:
        pledged = sum((Decimal(p["amount"]) for p in mine_p
                       if p["currency"] == cur), ZERO)
        paid = sum((Decimal(r["amount"]) for r in mine_r
                    if r["currency"] == cur and r["pledge"] not in implicit),
                   ZERO)
        overdue = sum((Decimal(p["amount"]) - on_pledge[p["ref"]]
                       for p in mine_p if p["currency"] == cur and p["due"]
                       and p["due"] < TO), ZERO)
        check(stc[("pledged", cur)] == pledged and
              stc[("paid", cur)] == paid and
              stc[("outstanding", cur)] == pledged - paid and
              stc[("overdue", cur)] == overdue,
              f"{d}/{cur}: owed {stc[('outstanding', cur)]}, pledges less "
              f"receipts {pledged - paid}; overdue {overdue}")
    for cur in {r["currency"] for r in mine_r}:
        got = [r for r in mine_r if r["currency"] == cur and
               r["date"] >= FROM]
        check(stc[("period-received", cur)] ==
              sum((Decimal(r["amount"]) for r in got), ZERO) and
              stc[("period-received-value", cur)] ==
              sum((Decimal(r["base_amount"]) for r in got), ZERO),
              f"{d}/{cur}: received in the period")

    # ---- The workbook, sheet by sheet ---------------------------------
    path = os.path.join(donors_dir, f"{d}.xlsx")
    wf, wv = check_workbook(path, fund_name, TO, f"Statement for {name[:60]}")
    machine_free(wv, f"{d}.xlsx")
    for ws in wv.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                check(not (isinstance(v, str) and "signed agreement" in v),
                      f"{d}:{ws.title}: {v!r}")
    # Cover: the period, the balance at both ends and the movements.
    cv = cover(wv["Cover"])
    check(cv.get("Donor") == name, f"{d}: cover names {cv.get('Donor')!r}")
    check(cv.get("Period") == f"{words(FROM)} to {words(TO)}",
          f"{d}: cover period {cv.get('Period')!r}")
    tot = {x: sum((line(st, x, k) for k in POOLS), ZERO) for x in
           ("opening", "received", "used", "reshared", "closing",
            "committed", "free")}
    cat = defaultdict(Decimal)
    for (ln, _, dt, _), v in st.items():
        if ln == "used":
            cat[dt] += v
    want = {f"Opening balance on {words(BEFORE)}": tot["opening"],
            "Received from you in the period": tot["received"],
            "Your share of travel grants": -cat["travel"],
            "Your share of conference preparation": -cat["prep"],
            "Your share of programme support costs": -cat["psc"],
            f"Closing balance on {words(TO)}": tot["closing"],
            "of which committed to delegates already funded":
                tot["committed"],
            "of which free": tot["free"]}
    if tot["reshared"]:
        want["Change in your share of earlier spending"] = -tot["reshared"]
    for lbl, v in want.items():
        check(lbl in cv and dec(cv[lbl]) == v,
              f"{d}: cover {lbl!r} {cv.get(lbl)} != {v}")
    shown = sum((dec(cv[lbl]) for lbl in want if lbl in cv and
                 not lbl.startswith(("Closing", "of which"))), ZERO)
    check(shown == dec(cv.get(f"Closing balance on {words(TO)}")),
          f"{d}: cover lines add to {shown}, not the closing balance")
    # Cover: what is owed, in the donor's currencies.
    owed = {r[0]: r for r in
            (list(x) for x in wv["Cover"].iter_rows(values_only=True))
            if r[0] in currencies and len(r) >= 5}
    for cur in currencies:
        u = unit_of(next(p["amount"] for p in mine_p if p["currency"] == cur))
        r = owed.get(cur)
        if check(r is not None, f"{d}: cover lacks {cur}"):
            check([dec(x, u) for x in r[1:5]] ==
                  [stc[(x, cur)] for x in
                   ("pledged", "paid", "outstanding", "overdue")],
                  f"{d}: cover owed in {cur}: {r[1:5]}")
    if not currencies:
        check("No pledge: your contributions were received without a prior "
              "pledge." in [r[0] for r in wv["Cover"].iter_rows(
                  values_only=True)], f"{d}: cover tells a pledge")
    # Balance by pool: each column is the statement's pool, adding up.
    bal = {r[""]: r for r in table(wv["Balance by pool"]) if r[""]}
    for k in pools_of(st):
        col = POOL_NAME[k]
        exp = {f"Opening balance on {words(BEFORE)}": line(st, "opening", k),
               "Received from you": line(st, "received", k),
               f"Closing balance on {words(TO)}": line(st, "closing", k),
               "of which committed to delegates already funded":
                   line(st, "committed", k),
               "of which free": line(st, "free", k)}
        for (dt, se), v in uses(st, k).items():
            exp[label(dt, se)] = -v
        if line(st, "moved", k):
            exp["Moved between pools: travel money no longer needed, to "
                "conference preparation"] = -line(st, "moved", k)
        if line(st, "reshared", k):
            exp["Change in your share of spending before the period"] = \
                -line(st, "reshared", k)
        for lbl, v in exp.items():
            check(lbl in bal and dec(bal[lbl][col]) == v,
                  f"{d}/{k}: balance by pool {lbl!r} "
                  f"{bal.get(lbl, {}).get(col)} != {v}")
        body = [r for lbl, r in bal.items() if not
                lbl.startswith(("Closing", "of which"))]
        check(sum((dec(r[col]) for r in body), ZERO) ==
              line(st, "closing", k), f"{d}/{k}: the column does not add up")
    # Sources and uses, since the start: the uses are what was paid in.
    su = {r[""]: r for r in table(wv["Sources and uses"]) if r[""]}
    for k in pools_of(since):
        col = POOL_NAME[k]
        check(dec(su["Paid in by you"][col]) == line(since, "received", k),
              f"{d}/{k}: paid in")
        for (dt, se), v in uses(since, k).items():
            check(dec(su[label(dt, se)][col]) == v,
                  f"{d}/{k}: since the start, {label(dt, se)}")
        check(dec(su["Total uses: what you paid in"][col]) ==
              line(since, "received", k), f"{d}/{k}: uses != paid in")
    check(dec(su["Total uses: what you paid in"]["Total"]) ==
          sum((Decimal(r["base_amount"]) for r in mine_r), ZERO),
          f"{d}: sources and uses do not add up to what was paid in")
    # Shares of spending: each pool's spending since the start beside the
    # donor's share of it.
    for r in table(wv["Shares of spending"]):
        k = {v: k for k, v in POOL_NAME.items()}[r["Pool"]]
        key = next(((dt, se) for (dt, se) in uses(since, k)
                    if label(dt, se) == r["Use"]), None)
        total = spent(tb_end, k)
        if check(key is not None, f"{d}: share of {r['Use']!r}"):
            check(dec(r["Your share"]) == uses(since, k)[key] and
                  dec(r["Spent by the pool"]) == total[key],
                  f"{d}/{k}: share of {r['Use']}")
    # Receipts of the period, and their totals by currency.
    got = table(wv["Receipts"])
    inp = [r for r in mine_r if r["date"] >= FROM]
    check(sorted(g["Receipt"] for g in got) == sorted(r["ref"] for r in inp),
          f"{d}: receipts of the period")
    check(dec(totals_row(wv["Receipts"])[7]) ==
          sum((Decimal(r["base_amount"]) for r in inp), ZERO),
          f"{d}: receipts' total")
    for g in got:
        r = next(x for x in inp if x["ref"] == g["Receipt"])
        check(ymd(g["Date"]) == r["date"] and
              dec(g["Amount"], unit_of(r["amount"])) == Decimal(r["amount"])
              and dec(g["Value (USD)"]) == Decimal(r["base_amount"]),
              f"{d}: receipt {r['ref']}")
    # Pledges, in their currencies, as they stood at the end.
    got = {g["Pledge"]: g for g in table(wv["Pledges"])}
    check(set(got) == {p["ref"] for p in mine_p}, f"{d}: pledges")
    for p in mine_p:
        g, u = got.get(p["ref"]), unit_of(p["amount"])
        if not g:
            continue
        out = Decimal(p["amount"]) - on_pledge[p["ref"]]
        check(dec(g["Pledged"], u) == Decimal(p["amount"]) and
              dec(g["Received"], u) == on_pledge[p["ref"]] and
              dec(g["Outstanding"], u) == out and
              dec(g["Overdue"], u) == (out if p["due"] and p["due"] < TO
                                       else 0),
              f"{d}: pledge {p['ref']}")
    vals = table(wv["Pledges in USD"])
    for v in vals:
        check(dec(v["Booked value"]) - dec(v["Received value"]) +
              dec(v["Exchange difference"]) == dec(v["Outstanding value"]),
              f"{d}: pledge {v['Pledge']}: the values do not reconcile")
    receivable = sum((v for (a, _), v in tb_end.items()
                      if a == f"assets:receivable:{d}"), ZERO)
    if vals:
        check(dec(totals_row(wv["Pledges in USD"])[6]) == receivable,
              f"{d}: outstanding values != receivable {receivable}")
    # Delegates funded by the donor's pools, up to the end.
    grants = table(wv["Delegates funded"])
    for g in grants:
        a = alloc.get(g["Grant"])
        check(a is not None and a["status"] == "disbursed" and
              session_name[a["session"]] == g["Meeting"] and
              g["Tier"] in ("LDC", "other developing"),
              f"{d}: grant {g['Grant']}")
    travel_psc = sum((v for k in POOLS if k != "prep"
                      for (dt, _), v in uses(since, k).items()
                      if dt in ("travel", "psc")), ZERO)
    shares = sum((dec(g["Your share"]) for g in grants), ZERO)
    check(abs(shares - travel_psc) <= CENT * max(1, len(grants)),
          f"{d}: delegates' shares {shares} far from {travel_psc}")

# ---- The fund's own interest ------------------------------------------
# Its statement adds up as a donor's does; what it received in the period
# is the interest credited then; with the donors' its shares of each
# pool's spending add up to what the pool spent.
interest = [r for r in rows("interest.csv")]
st, _ = statement("statement/fund-interest.csv")
for k in POOLS:
    o, r, m, c = (line(st, x, k) for x in
                  ("opening", "received", "moved", "closing"))
    u, rs = line(st, "used", k), line(st, "reshared", k)
    cm, fr = line(st, "committed", k), line(st, "free", k)
    check(o + r - m - u - rs == c and cm + fr == c,
          f"fund-interest/{k}: {o} + {r} - {m} - {u} - {rs} != {c}")
    a_end = attr_end.get(("fund-interest", k))
    check(c == (Decimal(a_end["balance"]) if a_end else ZERO),
          f"fund-interest/{k}: closing {c} is not the attribution's")
    earned = sum((Decimal(x["amount"]) for x in interest
                  if x["pool"] == k and FROM <= x["date"] <= TO), ZERO)
    check(r == earned, f"fund-interest/{k}: received {r}, interest {earned}")
    for key, v in uses(st, k).items():
        used_by_all[(k,) + key] += v
    reshared_by_all[k] += rs
    moved_by_all[k] += m
    committed_by_all[k] += cm
check(any(FROM <= x["date"] <= TO for x in interest),
      "the sample earns no interest in the period")

# ---- Across the donors: the pools' spending, exactly ------------------
for k in POOLS:
    for key, v in period_spent[k].items():
        check(used_by_all[(k,) + key] == v,
              f"{k}/{key}: donors' shares {used_by_all[(k,) + key]} != "
              f"spent {v}")
    check(reshared_by_all[k] == 0, f"{k}: re-sharing sums to "
          f"{reshared_by_all[k]}")
    moved = (tb_end[("transfers:out", k)] - tb_start[("transfers:out", k)]) \
        + (tb_end[("transfers:in", k)] - tb_start[("transfers:in", k)])
    check(moved_by_all[k] == moved, f"{k}: moved {moved_by_all[k]} != "
          f"{moved}")
    check(committed_by_all[k] == Decimal(pools_end[k]["committed"]),
          f"{k}: committed {committed_by_all[k]}")

# ---- The fund statement of the period ----------------------------------
wf, wv = check_workbook(fund_xlsx, fund_name, TO, "Fund statement")
machine_free(wv, "fund.xlsx", [s for s in wv.sheetnames
                               if s != "Trial balance"])
perf = {r[""]: r for r in table(wv["Financial performance"]) if r[""]}


def period(pred, pool, sign=1):
    """The change over the period of the accounts pred picks in pool."""
    def total(tb):
        return sum((v for (a, p), v in list(tb.items())
                    if p == pool and pred(a)), ZERO)
    return sign * (total(tb_end) - total(tb_start))


for k in POOLS:
    col = POOL_NAME[k]
    for d, r in donors.items():
        v = period(lambda a, d=d: a == f"revenue:contributions:{d}", k, -1)
        if v:
            check(dec(perf[f"Contributions from {r['name']}"][col]) == v,
                  f"fund: contributions from {d} in {k}")
    for s in sessions:
        v = period(lambda a, s=s: a == f"expense:travel:{s['id']}", k)
        if v:
            check(dec(perf[f"Travel grants: {s['name']}"][col]) == v,
                  f"fund: travel {s['id']} in {k}")
    check(dec(perf["Programme support costs"][col]) ==
          period(lambda a: a == "expense:psc", k), f"fund: psc {k}")
    net_start = -sum((v for (a, p), v in tb_start.items() if p == k and
                      a.split(":")[0] in ("revenue", "expense", "transfers")),
                     ZERO)
    check(dec(perf["Net assets at the start of the period"][col]) ==
          net_start, f"fund: net assets at the start {k}")
contrib = {r["Donor"]: r for r in table(wv["Contributions"])}
for d in donors:
    check(dec(contrib[d]["Received in the period"]) ==
          sum((Decimal(r["base_amount"]) for r in receipts
               if r["donor"] == d and FROM <= r["date"] <= TO), ZERO),
          f"fund: {d} received in the period")

# Funding status: the cash in the bank, where it came from and went.
status = {r[""]: r for r in table(wv["Funding status"]) if r[""]}
during = [c for c in status["Cash in the bank at the end"] if c and
          c not in ("", "Total") and not c.startswith("To ")][0]
bank_end = sum((v for (a, p), v in tb_end.items() if a == "assets:cash"),
               ZERO)
bank_start = sum((v for (a, p), v in tb_start.items() if a == "assets:cash"),
                 ZERO)
check(dec(status["Cash in the bank at the end"]["Total"]) == bank_end and
      dec(status["Cash in the bank at the end"][during]) == bank_end and
      dec(status["Cash in the bank at the start"][during]) == bank_start,
      f"funding status: cash in the bank {bank_start}..{bank_end}")
check("Other movements" not in status, "funding status: other movements")
remitted = sum((Decimal(x["amount"]) for x in rows("psc.csv")
                if FROM <= x["date"] <= TO), ZERO)
check(dec(status["Programme support costs paid to the UN"][during]) ==
      remitted and remitted > 0,
      f"funding status: PSC paid {remitted}")
earned = sum((Decimal(x["amount"]) for x in interest
              if FROM <= x["date"] <= TO), ZERO)
check(dec(status["Interest earned on the fund's bank balance"][during]) ==
      earned, f"funding status: interest {earned}")
check(dec(status["Contributions from donors"][during]) ==
      sum((Decimal(r["base_amount"]) for r in receipts
           if FROM <= r["date"] <= TO), ZERO),
      "funding status: contributions of the period")
check(dec(perf["Interest earned on the fund's bank balance"]["Total"]) ==
      earned, "fund: interest earned in the period")
fcover = cover(wv["Cover"])
check(dec(fcover["Programme support costs paid to the UN"]) == remitted,
      "fund cover: PSC paid in the period")
check(dec(fcover["Paid to the UN in the period"]) == -remitted,
      "fund cover: PSC payable block")

finish(f"{FROM} to {TO}: {len(donors)} donor statements and the fund "
       "statement agree with the books")
