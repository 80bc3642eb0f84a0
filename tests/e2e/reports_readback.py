#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads tfund's workbooks back with openpyxl and checks them against
tfund's CSV output of the same books (run by reports_readback.sh).

usage: reports_readback.py REPORTS_DIR CSV_DIR AS_OF SOURCE_DIR

The donor statements run from the start of the fund to AS_OF (the period
statements are checked by statement_period.py); the fund statement too;
each session report shows its session as it stood on AS_OF.
"""
import csv
import os
import sys
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsx_check import (CENT, check, check_workbook, cover, dec, finish,  # noqa
                        machine_free, table, totals_row, ymd)

out_dir, csv_dir, as_of, src_dir = sys.argv[1:5]


def rows(name):
    with open(os.path.join(csv_dir, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ---- The books, from tfund's CSV output ------------------------------

settings = {r["key"]: r["value"] for r in rows("settings.csv")}
fund_name = settings["fund_name"]
donors = {r["id"]: r for r in rows("donors.csv")}
for r in donors.values():
    # The CSV output guards text that spreadsheets would run as a formula
    # with a leading quote; the workbook keeps the name as it is.
    if r["name"][:2] in ("'=", "'+", "'-", "'@"):
        r["name"] = r["name"][1:]
receipts = [r for r in rows("receipts.csv") if r["date"] <= as_of]
pledges = [p for p in rows("pledges.csv") if p["date"] <= as_of]
# A receipt without a pledge records a pledge of its own reference.
implicit = {r["ref"] for r in rows("receipts.csv") if r["pledge"] == r["ref"]}
attribution = rows("attribution.csv")
pools = {r["pool"]: r for r in rows("pools.csv")}
balance = rows("balance.csv")
sessions = rows("sessions.csv")
session_name = {s["id"]: s["name"] for s in sessions}
alloc = {s["id"]: rows(f"alloc/{s['id']}.csv") for s in sessions}
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]
POOL_NAME = dict(zip(POOLS, ["Unrestricted", "Travel", "LDC travel",
                             "Conference preparation"]))
TIER = {"1": "LDC", "2": "other developing", "": None}
STATUS = {"disbursed": "paid"}
REASON = {"not-eligible": "not an eligible country",
          "quota": "country quota reached",
          "insufficient-funds": "not enough money",
          "cap": "over the run's cap or the session's budget", "": None}
with open(os.path.join(src_dir, "sql", "countries.csv"), newline="",
          encoding="utf-8") as f:
    country_name = {r["iso3"]: r["name"] for r in csv.DictReader(f)}


def tb(pred, pool=None):
    return sum(
        (Decimal(b["balance"]) for b in balance
         if pred(b["account"]) and (pool is None or b["pool"] == pool)),
        Decimal(0))


def statement(d):
    """tfund statement D --to AS_OF: {(line, pool, detail, session):
    amount} in the base currency, and {(line, currency): amount}."""
    base, cur = defaultdict(Decimal), defaultdict(Decimal)
    for r in rows(f"statement/{d}.csv"):
        if r["pool"]:
            base[(r["line"], r["pool"], r["detail"], r["session"])] += \
                Decimal(r["amount"])
        else:
            cur[(r["line"], r["currency"] if r["line"] !=
                 "period-received-value" else r["detail"])] += \
                Decimal(r["amount"])
    return base, cur


def use_label(detail, session):
    names = {"travel": "Travel grants", "prep": "Conference preparation",
             "psc": "Programme support costs", "refunds": "Refunds to donors",
             "other": "Other outflows"}
    return f"{names[detail]}: {session_name[session]}" if session \
        else names[detail]


# ---- Donor statements ------------------------------------------------

by_donor_attr = defaultdict(list)
for a in attribution:
    by_donor_attr[a["donor"]].append(a)
sum_received = Decimal(0)
sum_outflows = Decimal(0)
donor_files = sorted(os.listdir(os.path.join(out_dir, "donors")))
check(donor_files == sorted(f"{d}.xlsx" for d in donors),
      f"donor statements {donor_files}")
for d in sorted(donors):
    path = os.path.join(out_dir, "donors", f"{d}.xlsx")
    wf, wv = check_workbook(path, fund_name, as_of,
                            f"Statement for {donors[d]['name'][:60]}")
    machine_free(wv, f"{d}.xlsx")
    cv = cover(wv["Cover"])
    check(cv.get("Donor") == donors[d]["name"],
          f"{d}: donor name {cv.get('Donor')!r}")
    if donors[d]["name"].startswith("="):
        cell = [c for r in wf["Cover"].iter_rows() for c in r
                if c.value == donors[d]["name"]]
        check(cell and all(c.data_type == "s" for c in cell),
              f"{d}: the name was not written as text")
    st, stc = statement(d)
    # Pledges, to the unit and in their own currency; a receipt without
    # a pledge is not one.
    mine = {p["ref"]: p for p in pledges
            if p["donor"] == d and p["ref"] not in implicit}
    got = {r["Pledge"]: r for r in table(wv["Pledges"])}
    check(set(got) == set(mine), f"{d}: pledges {sorted(got)}")
    values = {r["Pledge"]: r for r in table(wv["Pledges in USD"])}
    check(set(values) == set(mine), f"{d}: pledge values {sorted(values)}")
    for ref, p in mine.items():
        r = got.get(ref)
        if not r:
            continue
        check(ymd(r["Date"]) == p["date"] and
              r["Pool"] == POOL_NAME[p["pool"]] and
              r["Currency"] == p["currency"], f"{d}: pledge {ref}")
        unit = Decimal(1) if "." not in p["amount"] else \
            Decimal(1).scaleb(-len(p["amount"].split(".")[1]))
        check(dec(r["Pledged"], unit) == Decimal(p["amount"]),
              f"{d}: pledge {ref} amount {r['Pledged']} != {p['amount']}")
        check(dec(values[ref]["Booked value"]) == Decimal(p["base_amount"]),
              f"{d}: pledge {ref} value {values[ref]['Booked value']}")
        if as_of >= "2018-12-31":  # the CSV shows the state of today
            check(dec(r["Received"], unit) == Decimal(p["received"]),
                  f"{d}: pledge {ref} received {r['Received']}")
            check(dec(r["Outstanding"], unit) == Decimal(p["outstanding"]),
                  f"{d}: pledge {ref} outstanding {r['Outstanding']}")
    # Receipts: from the start, so every receipt to the date.
    mine_r = {r["ref"]: r for r in receipts if r["donor"] == d}
    got_r = {r["Receipt"]: r for r in table(wv["Receipts"])}
    check(set(got_r) == set(mine_r), f"{d}: receipts {sorted(got_r)}")
    for ref, r in mine_r.items():
        g = got_r.get(ref)
        if g:
            unit = Decimal(1) if "." not in r["amount"] else \
                Decimal(1).scaleb(-len(r["amount"].split(".")[1]))
            check(dec(g["Amount"], unit) == Decimal(r["amount"]) and
                  dec(g["Value (USD)"]) == Decimal(r["base_amount"]) and
                  ymd(g["Date"]) == r["date"] and
                  Decimal(str(g["Rate per USD"])) == Decimal(r["rate"]),
                  f"{d}: receipt {ref}")
            check((g["Pledge"] == "none: paid without a pledge") ==
                  (r["pledge"] in implicit), f"{d}: receipt {ref} pledge")
    received = sum((Decimal(r["base_amount"]) for r in mine_r.values()),
                   Decimal(0))
    check(dec(totals_row(wv["Receipts"])[7]) == received,
          f"{d}: receipts total")
    check(dec(cv["Received from you"]) == received, f"{d}: cover received")
    receivable = tb(lambda a: a == f"assets:receivable:{d}")
    check(dec(totals_row(wv["Pledges in USD"])[6]) == receivable,
          f"{d}: outstanding values {totals_row(wv['Pledges in USD'])[6]} != "
          f"receivable {receivable}")
    # Sources and uses: per pool, what the donor paid in is used exactly;
    # what is left is its attributed balance.
    attr = {a["pool"]: a for a in by_donor_attr.get(d, [])}
    su = table(wv["Sources and uses"])
    shown = [POOL_NAME[k] for k in POOLS if POOL_NAME[k] in su[0]] if su \
        else []
    check(shown == [POOL_NAME[k] for k in POOLS if k in attr],
          f"{d}: pools of sources and uses {shown}")
    lines = {r[""]: r for r in su if r[""]}
    for k, a in attr.items():
        col = POOL_NAME[k]
        paid_in = dec(lines["Paid in by you"][col])
        left = dec(lines["Still in the fund, committed to delegates already "
                         "funded"][col]) + \
            dec(lines["Still in the fund, free"][col])
        used = sum((dec(r[col]) for lbl, r in lines.items()
                    if lbl not in ("Sources", "Uses", "Paid in by you") and
                    not lbl.startswith("Still in the fund") and
                    not lbl.startswith("Total uses")), Decimal(0))
        check(paid_in == Decimal(a["receipts"]) - Decimal(a["carried_in"]),
              f"{d}/{k}: paid in {paid_in}")
        check(left == Decimal(a["balance"]),
              f"{d}/{k}: left {left} != balance {a['balance']}")
        check(used == Decimal(a["outflows"]) - Decimal(a["carried_in"]),
              f"{d}/{k}: uses {used} != outflows less carried in")
        check(used + left == paid_in, f"{d}/{k}: uses + left != paid in")
        for (line, pool, detail, session), v in st.items():
            if pool == k and line == "used":
                lbl = use_label(detail, session)
                check(lbl in lines and dec(lines[lbl][col]) == v,
                      f"{d}/{k}: {lbl} != statement {v}")
        sum_outflows += Decimal(a["outflows"])
    check(dec(lines["Total uses: what you paid in"]["Total"]) == received and
          dec(lines["Paid in by you"]["Total"]) == received,
          f"{d}: sources and uses do not add up to what was paid")
    # Delegates: each a grant paid from the donor's pools; the shares,
    # rounded grant by grant, stay within a cent a row of the exact use.
    grants = table(wv["Delegates funded"])
    status = {r["ref"]: r for rs in alloc.values() for r in rs}
    travel_psc = sum((v for (line, pool, detail, _), v in st.items()
                      if line == "used" and pool != "prep" and
                      detail in ("travel", "psc")), Decimal(0))
    for g in grants:
        a = status.get(g["Grant"])
        check(a is not None and a["status"] == "disbursed" and
              session_name[a["session"]] == g["Meeting"] and
              country_name[a["country"]] == g["Country"] and
              g["Tier"] == TIER[a["tier"]] and g["Pool"] in POOL_NAME.values(),
              f"{d}: grant {g['Grant']}")
    shares = sum((dec(g["Your share"]) for g in grants), Decimal(0))
    check(abs(shares - travel_psc) <= CENT * max(1, len(grants)),
          f"{d}: shares {shares} far from travel and PSC {travel_psc}")
    sum_received += received

# ---- The fund statement ----------------------------------------------

wf, wv = check_workbook(os.path.join(out_dir, "fund.xlsx"), fund_name, as_of,
                        "Fund statement")
machine_free(wv, "fund.xlsx", [s for s in wv.sheetnames
                               if s != "Trial balance"])
all_received = sum((Decimal(r["base_amount"]) for r in receipts), Decimal(0))
check(sum_received == all_received,
      f"donor statements receive {sum_received}, the fund {all_received}")
# Outflows = receipts + interest + transfers in - cash; the fund's own
# interest takes its share of them beside the donors (its own row).
pool_out = sum((Decimal(p["receipts"]) + Decimal(p["interest"])
                - Decimal(p["cash"])
                + tb(lambda a: a == "transfers:in", k)
                * -1 for k, p in pools.items()), Decimal(0))
interest_out = sum((Decimal(a["outflows"]) for a in attribution
                    if a["donor"] == "fund-interest"), Decimal(0))
check(interest_out > 0, "the sample's interest shares no spending")
check(sum_outflows + interest_out == pool_out,
      f"donor statements' outflows {sum_outflows} + the interest's "
      f"{interest_out} != the fund's {pool_out}")
check(sum_outflows == sum((Decimal(a["outflows"]) for a in attribution
                           if a["donor"] != "fund-interest"),
                          Decimal(0)), "outflows against attribution")

# Funding status since the start: sources less uses is the cash in the
# bank, each line the books' own.
status = {r[""]: r for r in table(wv["Funding status"]) if r[""]}
col = [c for c in status["Cash in the bank at the end"] if c][0]
for label, want in (
        ("Contributions from donors", all_received),
        ("Interest earned on the fund's bank balance",
         -tb(lambda a: a == "revenue:interest")),
        ("Travel grants paid to delegates",
         tb(lambda a: a.startswith("expense:travel:"))),
        ("Conference preparation", tb(lambda a: a == "expense:prep")),
        ("Programme support costs paid to the UN",
         tb(lambda a: a == "expense:psc") +
         tb(lambda a: a == "liabilities:psc-payable")),
        ("Cash in the bank at the start", Decimal(0)),
        ("Cash in the bank at the end", tb(lambda a: a == "assets:cash"))):
    check(dec(status[label][col]) == want,
          f"funding status: {label} {status[label][col]} != {want}")
check("Other movements" not in status, "funding status: other movements")

tbl = table(wv["Trial balance"])
check(len(tbl) == len(balance), "trial balance rows")
for r, b in zip(tbl, balance):
    check(r["Account"] == b["account"] and r["Pool"] == b["pool"] and
          dec(r["Balance"]) == Decimal(b["balance"]),
          f"trial balance {b['account']}/{b['pool']}")
tot = totals_row(wv["Trial balance"])
check(dec(tot[2]) == dec(tot[3]), "debits != credits")

for r in table(wv["Pools"]):
    k = {v: k for k, v in POOL_NAME.items()}[r["Pool"]]
    p = pools[k]
    for col, key in (("Receipts", "receipts"), ("Cash held", "cash"),
                     ("Committed", "committed"), ("Reserve", "reserve"),
                     ("Available", "available")):
        check(dec(r[col]) == Decimal(p[key]), f"fund pools {k} {col}")

contrib = {r["Donor"]: r for r in table(wv["Contributions"])}
check(set(contrib) == set(donors), "contributions: donors")
for d, r in contrib.items():
    check(dec(r["Received"]) == sum((Decimal(x["base_amount"])
                                     for x in receipts if x["donor"] == d),
                                    Decimal(0)), f"contributions {d}")
    check(dec(r["Pledged"]) == sum((Decimal(x["base_amount"])
                                    for x in pledges if x["donor"] == d),
                                   Decimal(0)), f"contributions {d} pledged")
    check(dec(r["Outstanding"]) ==
          tb(lambda a, d=d: a == f"assets:receivable:{d}"),
          f"contributions {d} outstanding")
check(dec(totals_row(wv["Contributions"])[6]) == all_received,
      "contributions total")

pos = {r[""]: r for r in table(wv["Financial position"])}
for k in POOLS:
    col = POOL_NAME[k]
    net = -tb(lambda a: a.split(":")[0] in ("revenue", "expense",
                                            "transfers"), k)
    check(dec(pos["Net assets (held for each pool's purpose)"][col]) == net,
          f"net assets {k}")
    check(dec(pos["Cash in the bank"][col]) ==
          tb(lambda a: a == "assets:cash", k), f"cash {k}")
    check(dec(pos["Programme support costs payable to the UN"][col]) ==
          -tb(lambda a: a == "liabilities:psc-payable", k), f"psc {k}")
    check(dec(pos["Cash held for the pools"][col]) ==
          Decimal(pools[k]["cash"]), f"cash held {k}")
perf = {r[""]: r for r in table(wv["Financial performance"])}
for k in [POOL_NAME[k] for k in POOLS] + ["Total"]:
    check(dec(perf["Net assets at the end of the period"][k]) ==
          dec(pos["Net assets (held for each pool's purpose)"][k]),
          f"net assets at the end {k}")
    check(dec(perf["Change in net assets"][k]) ==
          dec(pos["Net assets (held for each pool's purpose)"][k]),
          f"change in net assets since the start {k}")

allocs = {r["Session"]: r for r in table(wv["Allocations"])}
for s in sessions:
    r = allocs[s["id"]]
    counts = defaultdict(int)
    for q in alloc[s["id"]]:
        counts[q["status"]] += 1
    check(r["Requests"] == len(alloc[s["id"]]), f"allocations {s['id']}")
    for st, col in (("funded", "Funded"), ("disbursed", "Paid"),
                    ("waitlisted", "Waitlisted"), ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"), ("pending", "Pending")):
        check(r[col] == counts[st], f"allocations {s['id']} {st}")
    check(dec(r["Charge of funded grants"]) ==
          sum((Decimal(q["charge"]) for q in alloc[s["id"]]
               if q["status"] in ("funded", "disbursed")), Decimal(0)),
          f"allocations {s['id']} charge")
tot = totals_row(wv["Allocations"])
check(dec(tot[11]) == tb(lambda a: a == "budget:encumbrances"),
      "committed against the books")
paid = tb(lambda a: a.startswith("expense:travel:")) + sum(
    (tb(lambda a: a == "expense:psc", k) for k in POOLS if k != "prep"),
    Decimal(0))
check(dec(tot[12]) == paid, f"paid {tot[12]} against the books {paid}")

# ---- Session reports ---------------------------------------------------

for s in sessions:
    sid = s["id"]
    wf, wv = check_workbook(os.path.join(out_dir, "sessions", f"{sid}.xlsx"),
                            fund_name, as_of, f"Allocation report: {sid}")
    machine_free(wv, f"{sid}.xlsx")
    grants = {r["Request"]: r for r in table(wv["Grants"])}
    others = {r["Request"]: r for r in table(wv["Other requests"])}
    want = {r["ref"]: r for r in alloc[sid]}
    check(not set(grants) & set(others), f"{sid}: a request listed twice")
    check(set(grants) == {r for r, w in want.items()
                          if w["status"] in ("funded", "disbursed")},
          f"{sid}: grants")
    check(set(grants) | set(others) == set(want), f"{sid}: requests")
    for ref, w in want.items():
        g = grants.get(ref) or others.get(ref)
        if not g:
            continue
        check(g["Country"] == country_name[w["country"]] and
              g["Tier"] == (TIER[w["tier"]] if w["status"] != "rejected"
                            else None) and
              (g["Region"] or "") == w["region_group"] and
              g["Status"] == STATUS.get(w["status"], w["status"]) and
              g.get("Reason") == (REASON[w["reason"]] if ref in others
                                  else None),
              f"{sid}: {ref} decision {g} {w}")
        for col, key in (("Fare", "fare"), ("DSA", "dsa"),
                         ("Terminal", "terminal"), ("PSC", "psc"),
                         ("Charge", "charge")):
            check(dec(g[col]) == dec(w[key]),
                  f"{sid}: {ref} {col} {g[col]} != {w[key]}")
        if w["cost"]:
            check(dec(g["Fare"]) + dec(g["DSA"]) + dec(g["Terminal"]) ==
                  Decimal(w["cost"]), f"{sid}: {ref} cost")
        if ref in grants:
            draws = dict(x.split(":") for x in w["draws"].split(";") if x)
            for pool in ("unrestricted", "travel", "ldc-travel"):
                col = {"unrestricted": "From unrestricted",
                       "travel": "From travel",
                       "ldc-travel": "From LDC travel"}[pool]
                check(dec(g[col]) == dec(draws.get(pool)),
                      f"{sid}: {ref} draw from {pool}")
    # The totals add up every row listed.
    for name, t, cols in (("Grants", grants, ("Charge", "Paid")),
                          ("Other requests", others, ("Charge",))):
        head = [c.value for c in wv[name][1]]
        tot = totals_row(wv[name])
        for col in cols:
            check(dec(tot[head.index(col)]) ==
                  sum((dec(r[col]) for r in t.values()), Decimal(0)),
                  f"{sid}: {name} total of {col}")
    tiers = [r for r in table(wv["Totals"]) if r["By"] == "tier"]
    check(sum(r["Requests"] for r in tiers) == len(want), f"{sid}: totals")
    check({r["Value"] for r in tiers} <= {"LDC", "other developing", "none"},
          f"{sid}: tiers {[r['Value'] for r in tiers]}")
    for dim in ("region", "gender", "status"):
        check(sum(r["Requests"] for r in table(wv["Totals"])
                  if r["By"] == dim) == len(want), f"{sid}: totals by {dim}")
    head = [c.value for c in wv["Pools"][1]]
    last_day = (s["start"], int(s["days"]))
    for r in table(wv["Pools"]):
        k = {v: k for k, v in POOL_NAME.items()}[r["Pool"]]
        for col, key in (("Receipts", "receipts"), ("Cash", "cash"),
                         ("Committed", "committed"), ("Reserve", "reserve"),
                         ("Available", "available")):
            check(dec(r[col]) == Decimal(pools[k][key]),
                  f"{sid}: pools {k} {col}")
    # No allowance for a session that is over.
    import datetime
    end = (datetime.date.fromisoformat(s["start"]) +
           datetime.timedelta(days=int(s["days"]) - 1)).isoformat()
    check(any(h and h.startswith("A run on") for h in head) ==
          (as_of <= end), f"{sid}: allowance shown {head}")

finish(f"as of {as_of}: {len(donors)} donor statements, the fund statement "
       f"and {len(sessions)} session reports agree with the books")
