#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads tfund's workbooks back with openpyxl and checks them against
tfund's CSV output of the same books (run by reports_readback.sh).

usage: reports_readback.py REPORTS_DIR CSV_DIR AS_OF

Every amount is compared as an exact Decimal: a cell's double is first
rounded to the cent (the base currency's minor unit), which recovers the
decimal the writer was given exactly as long as it is below 2^53 cents.
"""
import csv
import datetime
import os
import re
import sys
from collections import defaultdict
from decimal import Decimal

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

out_dir, csv_dir, as_of = sys.argv[1:4]
CENT = Decimal("0.01")
failures = []


def fail(msg):
    failures.append(msg)
    if len(failures) <= 40:
        print("  " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def dec(v):
    if v is None or v == "":
        return Decimal(0)
    if isinstance(v, float):
        return Decimal(repr(v)).quantize(CENT)
    return Decimal(str(v))


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
pledges = [p for p in rows("pledges.csv") if p["date"] <= as_of]
receipts = [r for r in rows("receipts.csv") if r["date"] <= as_of]
attribution = rows("attribution.csv")
pools = {r["pool"]: r for r in rows("pools.csv")}
balance = rows("balance.csv")
sessions = rows("sessions.csv")
alloc = {s["id"]: rows(f"alloc/{s['id']}.csv") for s in sessions}
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]


def tb(pred, pool=None):
    return sum(
        (Decimal(b["balance"]) for b in balance
         if pred(b["account"]) and (pool is None or b["pool"] == pool)),
        Decimal(0))


# ---- Workbook-wide checks --------------------------------------------

REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)")


def cell_value(ws, ref):
    m = REF.fullmatch(ref)
    return ws.cell(row=int(m.group(2)),
                   column=column_index_from_string(m.group(1))).value


def range_cells(ws, a, b):
    (ca, ra), (cb, rb) = (REF.fullmatch(x).groups() for x in (a, b))
    for r in range(int(ra), int(rb) + 1):
        for c in range(column_index_from_string(ca),
                       column_index_from_string(cb) + 1):
            yield ws.cell(row=r, column=c).value


def evaluate(ws, formula):
    """The value of the formulas tfund writes: SUM, SUMIF, + and -."""
    expr = formula.lstrip("=")

    def sumif(m):
        crit = m.group(3)
        cond = list(range_cells(ws, m.group(1), m.group(2)))
        vals = list(range_cells(ws, m.group(4), m.group(5)))
        return "Decimal('%s')" % sum(
            (dec(v) for c, v in zip(cond, vals) if c == crit), Decimal(0))

    expr = re.sub(r'SUMIF\((\w+):(\w+),"([^"]*)",(\w+):(\w+)\)', sumif, expr)
    expr = re.sub(
        r"SUM\((\w+):(\w+)\)",
        lambda m: "Decimal('%s')" % sum(
            (dec(v) for v in range_cells(ws, m.group(1), m.group(2))
             if isinstance(v, (int, float))), Decimal(0)), expr)
    expr = REF.sub(lambda m: "Decimal('%s')" % dec(cell_value(ws, m.group(0))),
                   expr)
    check(re.fullmatch(r"[-+() 0-9Decimal'.]*", expr) is not None,
          f"{ws.title}: formula {formula} not understood")
    return eval(expr, {"Decimal": Decimal})


def check_workbook(path, kind):
    """Checks common to every workbook; returns (formulas, values) books."""
    wf = openpyxl.load_workbook(path)
    wv = openpyxl.load_workbook(path, data_only=True)
    name = os.path.basename(path)
    props = wf.properties
    check(props.creator == fund_name, f"{name}: author {props.creator!r}")
    check(bool(props.title), f"{name}: no title")
    check(bool(props.subject) and as_of in props.subject,
          f"{name}: subject {props.subject!r}")
    check(props.created == datetime.datetime.fromisoformat(as_of),
          f"{name}: created {props.created} is not {as_of} 00:00")
    check(wf.sheetnames[0] == "Cover", f"{name}: no cover sheet first")
    for ws in wf.worksheets:
        t = ws.title
        check(len(t) <= 31 and not set(t) & set("[]:*?/\\"),
              f"{name}: sheet name {t!r}")
        wsv = wv[t]
        nformulas = 0
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    nformulas += 1
                    cached = wsv[c.coordinate].value
                    if not check(isinstance(cached, (int, float)),
                                 f"{name}:{t}!{c.coordinate}: no cached "
                                 "value"):
                        continue
                    want = evaluate(wsv, c.value)
                    check(dec(cached) == want,
                          f"{name}:{t}!{c.coordinate}: {c.value} cached "
                          f"{cached}, cells give {want}")
                elif isinstance(c.value, str) and c.value[:1] in "=+-@":
                    check(c.data_type == "s", f"{name}:{t}!{c.coordinate}")
                if isinstance(c.value, float) and "USD" in c.number_format:
                    check(c.number_format.startswith("#,##0.00"),
                          f"{name}:{t}!{c.coordinate}: format "
                          f"{c.number_format}")
        if t == "Cover":
            continue
        check(nformulas > 0, f"{name}:{t}: no totals as formulas")
        check(ws.freeze_panes is not None, f"{name}:{t}: header not frozen")
        ref = ws.auto_filter.ref
        if not check(bool(ref), f"{name}:{t}: no autofilter"):
            continue
        head = int(REF.fullmatch(ref.split(":")[0]).group(2))
        check(ws.freeze_panes == f"A{head + 1}",
              f"{name}:{t}: frozen at {ws.freeze_panes}, header row {head}")
        # Columns fit their content (up to the widths kept for long
        # names, which are at least 30 characters).
        for row in ws[ref]:
            for c in row:
                v = c.value
                if v is None:
                    continue
                if isinstance(v, float) and "#,##0" in c.number_format:
                    n = len(f"{v:,.2f}") + 4
                elif isinstance(v, datetime.datetime):
                    n = 10
                else:
                    n = len(str(v))
                letter = get_column_letter(c.column)
                width = ws.column_dimensions[letter].width or 0
                check(width + 0.5 >= min(n, 30),
                      f"{name}:{t}: column {letter} is {width} wide for "
                      f"{v!r}")
    return wf, wv


def table(ws, header_row=None):
    """The rows of a sheet's table as dicts, from its autofilter."""
    ref = ws.auto_filter.ref
    a, b = ref.split(":")
    first = int(REF.fullmatch(a).group(2))
    last = int(REF.fullmatch(b).group(2))
    head = [c.value for c in ws[first]]
    out = []
    for r in range(first + 1, last + 1):
        vals = [c.value for c in ws[r]]
        if all(v is None for v in vals):
            continue
        out.append(dict(zip(head, vals)))
    return out


def totals_row(ws):
    """The row after the table (its totals), as a list of values."""
    last = int(REF.fullmatch(ws.auto_filter.ref.split(":")[1]).group(2))
    return [c.value for c in ws[last + 1]]


def cover(ws):
    return {r[0].value: r[1].value for r in ws.iter_rows(max_col=2)
            if r[0].value is not None}


def ymd(v):
    return v.strftime("%Y-%m-%d") if v else ""


# ---- Donor statements ------------------------------------------------

by_donor_attr = defaultdict(list)
for a in attribution:
    by_donor_attr[a["donor"]].append(a)
sum_received = Decimal(0)
sum_outflows = Decimal(0)
sum_balance = Decimal(0)
donor_files = sorted(os.listdir(os.path.join(out_dir, "donors")))
check(donor_files == sorted(f"{d}.xlsx" for d in donors),
      f"donor statements {donor_files}")
for d in sorted(donors):
    path = os.path.join(out_dir, "donors", f"{d}.xlsx")
    wf, wv = check_workbook(path, "donor")
    cv = cover(wv["Cover"])
    check(cv.get("Donor") == donors[d]["name"],
          f"{d}: donor name {cv.get('Donor')!r}")
    if donors[d]["name"].startswith("="):
        cell = [c for r in wf["Cover"].iter_rows() for c in r
                if c.value == donors[d]["name"]]
        check(cell and all(c.data_type == "s" for c in cell),
              f"{d}: the name was not written as text")
    # Pledges, to the cent and in their own currency.
    mine = {p["ref"]: p for p in pledges if p["donor"] == d}
    got = {r["Pledge"]: r for r in table(wv["Pledges"])}
    check(set(got) == set(mine), f"{d}: pledges {sorted(got)}")
    for ref, p in mine.items():
        r = got.get(ref)
        if not r:
            continue
        check(ymd(r["Date"]) == p["date"] and r["Pool"] == p["pool"] and
              r["Currency"] == p["currency"], f"{d}: pledge {ref}")
        check(dec(r["Amount"]) == Decimal(p["amount"]),
              f"{d}: pledge {ref} amount {r['Amount']} != {p['amount']}")
        check(dec(r["Booked value"]) == Decimal(p["base_amount"]),
              f"{d}: pledge {ref} value {r['Booked value']}")
        if as_of >= "2018-12-31":  # the list shows the state of today
            check(dec(r["Received"]) == Decimal(p["received"]),
                  f"{d}: pledge {ref} received {r['Received']}")
            check(dec(r["Outstanding"]) == Decimal(p["outstanding"]),
                  f"{d}: pledge {ref} outstanding {r['Outstanding']}")
    # Receipts.
    mine_r = {r["ref"]: r for r in receipts if r["donor"] == d}
    got_r = {r["Receipt"]: r for r in table(wv["Receipts"])}
    check(set(got_r) == set(mine_r), f"{d}: receipts {sorted(got_r)}")
    for ref, r in mine_r.items():
        g = got_r.get(ref)
        if g:
            check(dec(g["Amount"]) == Decimal(r["amount"]) and
                  dec(g["Value"]) == Decimal(r["base_amount"]) and
                  ymd(g["Date"]) == r["date"] and
                  Decimal(str(g["Rate per USD"])) == Decimal(r["rate"]),
                  f"{d}: receipt {ref}")
    received = sum((Decimal(r["base_amount"]) for r in mine_r.values()),
                   Decimal(0))
    check(dec(totals_row(wv["Receipts"])[7]) == received,
          f"{d}: receipts total")
    check(dec(cv["Received"]) == received, f"{d}: cover received")
    check(dec(cv["Pledged"]) == sum((Decimal(p["base_amount"])
                                     for p in mine.values()), Decimal(0)),
          f"{d}: cover pledged")
    receivable = tb(lambda a: a == f"assets:receivable:{d}")
    check(dec(cv["Still owed on your pledges"]) == receivable,
          f"{d}: cover outstanding {cv['Still owed on your pledges']} != "
          f"receivable {receivable}")
    # Use of funds: every pool's uses sum to its attributed outflows and
    # the balance row is the attributed balance.
    uses = table(wv["Use of funds"])
    attr = {a["pool"]: a for a in by_donor_attr.get(d, [])}
    check({u["Pool"] for u in uses} == set(attr), f"{d}: pools of uses")
    travel_psc = Decimal(0)
    for pool, a in attr.items():
        spent = sum((dec(u["Amount"]) for u in uses if u["Pool"] == pool and
                     u["Use"] != "Balance remaining"), Decimal(0))
        bal = [dec(u["Amount"]) for u in uses
               if u["Pool"] == pool and u["Use"] == "Balance remaining"]
        check(spent == Decimal(a["outflows"]),
              f"{d}/{pool}: uses {spent} != outflows {a['outflows']}")
        check(bal == [Decimal(a["balance"])],
              f"{d}/{pool}: balance {bal} != {a['balance']}")
        sum_outflows += Decimal(a["outflows"])
        sum_balance += Decimal(a["balance"])
    for u in uses:
        if u["Use"] in ("Travel grants", "Programme support costs") and \
                u["Pool"] != "prep":
            travel_psc += dec(u["Amount"])
    total = sum((Decimal(a["receipts"]) for a in attr.values()), Decimal(0))
    check(dec(totals_row(wv["Use of funds"])[4]) == total,
          f"{d}: use of funds total")
    carried = sum((Decimal(a["carried_in"]) for a in attr.values()),
                  Decimal(0))
    check(total - carried == received,
          f"{d}: own receipts {total - carried} != receipts {received}")
    check(dec(cv["Equals what you paid in"]) == received,
          f"{d}: cover does not add up to what was paid in")
    check(dec(cv["Balance remaining"]) ==
          sum((Decimal(a["balance"]) for a in attr.values()), Decimal(0)),
          f"{d}: cover balance")
    # Delegates: each a disbursed grant of its session; the shares,
    # rounded grant by grant, stay within a cent a row of the exact use.
    grants = table(wv["Delegates funded"])
    status = {r["ref"]: r for rs in alloc.values() for r in rs}
    for g in grants:
        a = status.get(g["Grant"])
        check(a is not None and a["status"] == "disbursed" and
              a["session"] == g["Session"] and a["country"] == g["Country"],
              f"{d}: grant {g['Grant']}")
    shares = sum((dec(g["Your share"]) for g in grants), Decimal(0))
    check(abs(shares - travel_psc) <= CENT * max(1, len(grants)),
          f"{d}: shares {shares} far from travel and PSC {travel_psc}")
    n = len({g["Grant"] for g in grants})
    label = [k for k in cv if isinstance(k, str) and k.startswith("Travel of")]
    check(label == [f"Travel of {n} delegate{'s' if n != 1 else ''}"],
          f"{d}: cover says {label}, the sheet has {n} delegates")
    sum_received += received

# ---- The fund statement ----------------------------------------------

wf, wv = check_workbook(os.path.join(out_dir, "fund.xlsx"), "fund")
all_received = sum((Decimal(r["base_amount"]) for r in receipts), Decimal(0))
check(sum_received == all_received,
      f"donor statements receive {sum_received}, the fund {all_received}")
pool_out = sum((Decimal(p["receipts"]) - Decimal(p["cash"])
                + tb(lambda a: a == "transfers:in", k)
                * -1 for k, p in pools.items()), Decimal(0))
check(sum_outflows == pool_out,
      f"donor statements' outflows {sum_outflows} != the fund's {pool_out}")
check(sum_outflows == sum((Decimal(a["outflows"]) for a in attribution),
                          Decimal(0)), "outflows against attribution")

tbl = table(wv["Trial balance"])
check(len(tbl) == len(balance), "trial balance rows")
for r, b in zip(tbl, balance):
    check(r["Account"] == b["account"] and r["Pool"] == b["pool"] and
          dec(r["Balance"]) == Decimal(b["balance"]),
          f"trial balance {b['account']}/{b['pool']}")
tot = totals_row(wv["Trial balance"])
check(dec(tot[2]) == dec(tot[3]), "debits != credits")

for r in table(wv["Pools"]):
    p = pools[r["Pool"]]
    for col in ("Receipts", "Cash", "Committed", "Reserve", "Available"):
        check(dec(r[col]) == Decimal(p[col.lower()]),
              f"fund pools {r['Pool']} {col}")

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
check(dec(totals_row(wv["Contributions"])[5]) == all_received,
      "contributions total")

pos = {r["Line"]: r for r in table(wv["Financial position"])}
for k in POOLS:
    net = -tb(lambda a: a.split(":")[0] in ("revenue", "expense",
                                            "transfers"), k)
    check(dec(pos["Net assets"][k]) == net, f"net assets {k}")
    check(dec(pos["Cash"][k]) == tb(lambda a: a == "assets:cash", k),
          f"cash {k}")
perf = {r["Line"]: r for r in table(wv["Financial performance"])}
for k in POOLS + ["Total"]:
    check(dec(perf["Change in net assets"][k]) == dec(pos["Net assets"][k]),
          f"change in net assets {k}")

allocs = {r["Session"]: r for r in table(wv["Allocations"])}
for s in sessions:
    r = allocs[s["id"]]
    counts = defaultdict(int)
    for q in alloc[s["id"]]:
        counts[q["status"]] += 1
    check(r["Requests"] == len(alloc[s["id"]]), f"allocations {s['id']}")
    for st in ("funded", "disbursed", "waitlisted", "rejected", "cancelled",
               "pending"):
        check(r[st.capitalize()] == counts[st],
              f"allocations {s['id']} {st}")
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
                            "session")
    got = {r["Request"]: r for r in table(wv["Requests"])}
    want = {r["ref"]: r for r in alloc[sid]}
    check(set(got) == set(want), f"{sid}: requests")
    for ref, w in want.items():
        g = got.get(ref)
        if not g:
            continue
        check(g["Country"] == w["country"] and
              str(g["Tier"] or "") == w["tier"] and
              (g["Region"] or "") == w["region_group"] and
              g["Status"] == w["status"] and
              (g["Reason"] or "") == w["reason"], f"{sid}: {ref} decision")
        for col, key in (("Fare", "fare"), ("DSA", "dsa"),
                         ("Terminal", "terminal"), ("Cost", "cost"),
                         ("PSC", "psc"), ("Charge", "charge")):
            check(dec(g[col]) == dec(w[key]),
                  f"{sid}: {ref} {col} {g[col]} != {w[key]}")
        check((g["Draws"] or "") == w["draws"], f"{sid}: {ref} draws")
        draws = dict(x.split(":") for x in w["draws"].split(";") if x)
        for pool in ("unrestricted", "travel", "ldc-travel"):
            check(dec(g[pool]) == dec(draws.get(pool)),
                  f"{sid}: {ref} draw from {pool}")
    tiers = [r for r in table(wv["Totals"]) if r["By"] == "tier"]
    check(sum(r["Requests"] for r in tiers) == len(want), f"{sid}: totals")
    for dim in ("region", "gender", "status"):
        check(sum(r["Requests"] for r in table(wv["Totals"])
                  if r["By"] == dim) == len(want), f"{sid}: totals by {dim}")
    for r in table(wv["Pools"]):
        for col in ("Receipts", "Cash", "Committed", "Reserve", "Available"):
            check(dec(r[col]) == Decimal(pools[r["Pool"]][col.lower()]),
                  f"{sid}: pools {r['Pool']} {col}")

if failures:
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
print(f"as of {as_of}: {len(donors)} donor statements, the fund statement "
      f"and {len(sessions)} session reports agree with the books")
