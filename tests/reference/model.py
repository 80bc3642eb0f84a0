#!/usr/bin/python3
"""Reference model of tfund's travel-grant allocation, written from DESIGN.md.

It reads a scenario folder and computes, without tfund, what tfund must
print after running the scenario's actions:

  - for every session, the rows of `tfund allocation show S --format csv`;
  - the final `tfund pools --format csv`;
  - the exit status of every action.

Scenario folder:
  rates.csv donors.csv sessions.csv pledges.csv receipts.csv requests.csv
  costs.csv      (optional) actual travel costs, `import costs`
  settings.csv   (optional) key,value rows, applied with `tfund set`
  countries.csv  (optional) rows for `import countries`; they replace the
                 shipped rows of the same iso3 and add the others
  actions        one command a line; blank lines and `#` comments ignored:
                   allocate SESSION DATE [--order submitted|cost|region]
                       [--budget days|all] [--cap AMOUNT] [--strict]
                   cancel REF DATE
                   disburse REF DATE [AMOUNT CURRENCY]
                 Lines starting `#= ` hold expected results worked out by
                 hand (see check.py): an allocation row, a pools row or
                 `exit N N ...`.

Only the standard library; every amount is an integer count of cents of
the base currency (USD) and every product or quotient is an exact
Fraction, rounded half to even where DESIGN.md says so.

usage: model.py SCENARIO_DIR [--countries FILE]
"""

import copy
import csv
import os
import shlex
import sys
from fractions import Fraction

BASE = "USD"
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]
# Section 4.6: the pools a tier may draw, in draw order.
TIER_POOLS = {1: ["ldc-travel", "travel", "unrestricted"],
              2: ["travel", "unrestricted"]}
# Section 9.6: the fixed tie order of the regional groups.
GROUP_RANK = ["African", "Asia-Pacific", "Eastern European", "GRULAC", "WEOG"]

SHIPPED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "sql", "countries.csv"))

ALLOCATION_COLUMNS = ["ref", "session", "country", "tier", "region_group", "status",
                      "reason", "fare", "dsa", "terminal", "cost", "psc", "charge", "draws"]
POOL_COLUMNS = ["pool", "receipts", "cash", "committed", "reserve", "available"]


class Refused(Exception):
    """A command that must fail; code is its exit status (1 rule, 2 usage)."""

    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


# ---------------------------------------------------------------- numbers

def half_even(q):
    """The integer nearest the Fraction q, ties to the even one."""
    q = Fraction(q)
    fl = q.numerator // q.denominator
    rem = q - fl
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and fl % 2 == 1):
        fl += 1
    return fl


def floor(q):
    q = Fraction(q)
    return q.numerator // q.denominator


def dec(text):
    """A plain decimal as an exact Fraction."""
    text = text.strip()
    if not text:
        raise ValueError("empty amount")
    return Fraction(text)


def cents_of(text):
    """A base-currency decimal as cents (exact: at most 2 decimals)."""
    q = dec(text) * 100
    if q.denominator != 1:
        raise ValueError(f"{text!r} has more than 2 decimals")
    return q.numerator


def money(c):
    """Cents as the plain decimal tfund prints: 1234.50, -0.05."""
    if c is None:
        return ""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


# ---------------------------------------------------------------- files

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def opt(row, key, default=""):
    v = row.get(key)
    return default if v is None else v


def ldc_date(text):
    """Section 9.1: a bare year in ldc_from means 1 January."""
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return text + "-01-01"
    return text


class Model:
    def __init__(self, folder, countries=SHIPPED):
        self.folder = folder
        self.countries = {}
        for r in read_csv(countries):
            self.countries[r["iso3"]] = r
        own = os.path.join(folder, "countries.csv")
        if os.path.exists(own):
            for r in read_csv(own):
                self.countries[r["iso3"]] = r

        self.settings = {"psc_rate": Fraction("0.13"), "reserve_rate": Fraction(0),
                         "quota_ldc": 2, "quota_developing": 1}
        path = os.path.join(folder, "settings.csv")
        if os.path.exists(path):
            for r in read_csv(path):
                k, v = r["key"], r["value"]
                if k in ("quota_ldc", "quota_developing"):
                    self.settings[k] = int(v)
                elif k in ("psc_rate", "reserve_rate"):
                    self.settings[k] = dec(v)

        self.rates = {}
        for r in read_csv(os.path.join(folder, "rates.csv")):
            self.rates.setdefault(r["currency"], []).append((r["date"], dec(r["per_usd"])))
        for cur in self.rates:
            self.rates[cur].sort()

        self.sessions = {}
        for r in read_csv(os.path.join(folder, "sessions.csv")):
            extra = opt(r, "extra_days").strip()
            self.sessions[r["id"]] = {
                "id": r["id"], "start": r["start"], "days": int(r["days"]),
                "dsa": cents_of(r["dsa"]), "terminal": cents_of(r["terminal"]),
                "extra_days": int(extra) if extra else 1,
            }

        pledge_pool = {}
        for r in read_csv(os.path.join(folder, "pledges.csv")):
            pledge_pool[r["ref"]] = r["pool"]

        # The dated books, reduced to what the pool figures need: one
        # movement a line, (date, pool, field, cents), field one of
        # receipts, paid (charges paid out of cash) and committed.
        self.book = []
        for r in read_csv(os.path.join(folder, "receipts.csv")):
            pledge = opt(r, "pledge").strip()
            if pledge:
                pool = pledge_pool[pledge]
            else:
                pool = opt(r, "pool").strip() or "unrestricted"
            amount = self.to_base(dec(r["amount"]), r["currency"], r["date"])
            self.book.append((r["date"], pool, "receipts", amount))

        self.requests = {}
        for r in read_csv(os.path.join(folder, "requests.csv")):
            self.requests[r["ref"]] = {
                "ref": r["ref"], "session": r["session"], "country": r["country"],
                "submitted": r["submitted"], "fare_amount": dec(r["fare"]),
                "fare_currency": r["fare_currency"],
                "status": "pending", "tier": None, "reason": "",
                "fare": None, "dsa": None, "terminal": None,
                "cost": None, "psc": None, "charge": None, "draws": [],
            }

        self.costs = {}
        path = os.path.join(folder, "costs.csv")
        if os.path.exists(path):
            for r in read_csv(path):
                self.costs[r["ref"]] = (r["date"], dec(r["amount"]), r["currency"])

        self.exits = []
        self.why = []       # (action, why it was refused)

    # ------------------------------------------------------------ money

    def rate(self, cur, date):
        """Units of cur per USD in force on date (latest on or before)."""
        if cur == BASE:
            return Fraction(1)
        found = None
        for d, r in self.rates.get(cur, []):
            if d <= date:
                found = r
        if found is None:
            raise Refused(2, f"no {cur} rate on or before {date}")
        return found

    def to_base(self, amount, cur, date):
        """Section 2: X units are X / rate USD, rounded half to even to the cent."""
        return half_even(amount / self.rate(cur, date) * 100)

    # ------------------------------------------------------------ pools

    def pool_figures(self, date=None):
        """Section 9.8, seeing only movements dated on or before date."""
        out = {}
        for p in POOLS:
            rec = paid = com = 0
            for d, pool, field, c in self.book:
                if pool != p or (date is not None and d > date):
                    continue
                if field == "receipts":
                    rec += c
                elif field == "paid":
                    paid += c
                else:
                    com += c
            cash = rec - paid
            reserve = half_even(self.settings["reserve_rate"] * rec)
            out[p] = {"receipts": rec, "cash": cash, "committed": com,
                      "reserve": reserve, "available": cash - com - reserve}
        return out

    # ------------------------------------------------------------ countries

    def is_ldc(self, iso3, date):
        """Section 9.1: ldc_from <= date < ldc_until."""
        c = self.countries[iso3]
        start = ldc_date(c["ldc_from"])
        if not start or start > date:
            return False
        until = c["ldc_until"].strip()
        return not until or date < until

    def tier(self, iso3, date):
        if self.is_ldc(iso3, date):
            return 1
        if self.countries[iso3]["developing"].strip() == "1":
            return 2
        return None

    def group(self, iso3):
        return self.countries[iso3]["region_group"]

    # ------------------------------------------------------------ allocation

    def figures(self, r, s, date):
        """Section 9.2: the request's figures at the run's date."""
        fare = self.to_base(r["fare_amount"], r["fare_currency"], date)
        dsa = s["dsa"] * (s["days"] + s["extra_days"])
        terminal = s["terminal"]
        cost = fare + dsa + terminal
        psc = half_even(cost * self.settings["psc_rate"])
        return {"fare": fare, "dsa": dsa, "terminal": terminal,
                "cost": cost, "psc": psc, "charge": cost + psc}

    def session_counts(self, sid):
        """Funded and disbursed requests of the session, by country and by group."""
        by_country, by_group = {}, {}
        for r in self.requests.values():
            if r["session"] == sid and r["status"] in ("funded", "disbursed"):
                by_country[r["country"]] = by_country.get(r["country"], 0) + 1
                g = self.group(r["country"])
                by_group[g] = by_group.get(g, 0) + 1
        return by_country, by_group

    def allocate(self, sid, date, order="submitted", budget="days", cap=None, strict=False):
        if sid not in self.sessions:
            raise Refused(2, f"unknown session {sid}")
        s = self.sessions[sid]
        todo = sorted((r for r in self.requests.values()
                       if r["session"] == sid and r["status"] in ("pending", "waitlisted")),
                      key=lambda r: r["ref"].encode())
        # Figures first: a missing rate refuses the whole run, changing nothing.
        figs = {r["ref"]: self.figures(r, s, date) for r in todo}

        # Section 9.4: the allowance of every pool, computed once.
        avail = self.pool_figures(date)
        if budget == "days":
            total_days = sum(x["days"] for x in self.sessions.values() if x["start"] >= s["start"])
            share = Fraction(s["days"], total_days)
        else:
            share = Fraction(1)
        allow = {p: floor(avail[p]["available"] * share) for p in TIER_POOLS[1]}

        by_country, by_group = self.session_counts(sid)
        tiers = {1: [], 2: []}
        for r in todo:
            r.update(figs[r["ref"]])
            r["draws"] = []
            t = self.tier(r["country"], s["start"])
            r["tier"] = t
            if t is None:
                r["status"], r["reason"] = "rejected", "not-eligible"
            else:
                tiers[t].append(r)

        quota = {1: self.settings["quota_ldc"], 2: self.settings["quota_developing"]}
        spent = 0
        stopped = False

        def decide(r, t):
            nonlocal spent, stopped
            if by_country.get(r["country"], 0) >= quota[t]:
                r["status"], r["reason"] = "waitlisted", "quota"
                return
            charge = r["charge"]
            fits = (not stopped
                    and sum(allow[p] for p in TIER_POOLS[t]) >= charge
                    and (cap is None or spent + charge <= cap))
            if not fits:
                r["status"], r["reason"] = "waitlisted", "insufficient-funds"
                if strict:
                    stopped = True
                return
            need = charge
            draws = []
            for p in TIER_POOLS[t]:
                take = min(allow[p], need)
                if take > 0:
                    draws.append((p, take))
                    allow[p] -= take
                    need -= take
            assert need == 0
            r["draws"] = draws
            r["status"], r["reason"] = "funded", ""
            spent += charge
            by_country[r["country"]] = by_country.get(r["country"], 0) + 1
            g = self.group(r["country"])
            by_group[g] = by_group.get(g, 0) + 1
            for p, c in draws:
                self.book.append((date, p, "committed", c))

        def by_time(r):
            return (r["submitted"].encode(), r["ref"].encode())

        for t in (1, 2):
            queue = tiers[t]
            if order == "submitted":
                for r in sorted(queue, key=by_time):
                    decide(r, t)
            elif order == "cost":
                for r in sorted(queue, key=lambda r: (r["charge"],) + by_time(r)):
                    decide(r, t)
            elif order == "region":
                groups = {}
                for r in sorted(queue, key=by_time):
                    groups.setdefault(self.group(r["country"]), []).append(r)

                def rank(g):
                    if g in GROUP_RANK:
                        return (by_group.get(g, 0), 0, GROUP_RANK.index(g), b"")
                    return (by_group.get(g, 0), 1, 0, g.encode())

                while groups:
                    g = min(groups, key=rank)
                    r = groups[g].pop(0)
                    if not groups[g]:
                        del groups[g]
                    decide(r, t)
            else:
                raise Refused(2, f"unknown order {order}")

    # ------------------------------------------------------------ after travel

    def disburse(self, ref, date, amount=None, currency=None):
        if ref not in self.requests:
            raise Refused(2, f"unknown request {ref}")
        r = self.requests[ref]
        if amount is None:
            if ref not in self.costs:
                raise Refused(2, f"no cost for {ref}")
            cdate, amt, cur = self.costs[ref]
        else:
            cdate, amt, cur = date, dec(amount), currency
        if r["status"] != "funded":
            raise Refused(1, f"{ref} is {r['status']}, not funded")
        # Section 9.11: an actual cost is converted at its own date.
        actual = self.to_base(amt, cur, cdate)
        psc = half_even(actual * self.settings["psc_rate"])
        charge = actual + psc
        committed = sum(c for _, c in r["draws"])
        moves = []
        left = charge
        for p, c in r["draws"]:
            used = min(c, left)
            left -= used
            moves.append((date, p, "committed", -c))
            if used:
                moves.append((date, p, "paid", used))
        if left > 0:
            # Section 9.7: the overrun comes from the available of the
            # tier's pools in draw order, or the disbursement is refused.
            figs = self.pool_figures(date)
            for p in TIER_POOLS[r["tier"]]:
                take = min(max(figs[p]["available"], 0), left)
                if take > 0:
                    moves.append((date, p, "paid", take))
                    left -= take
            if left > 0:
                raise Refused(1, f"overrun of {money(charge - committed)} beyond what is available")
        self.book.extend(moves)
        r["status"] = "disbursed"

    def cancel(self, ref, date):
        if ref not in self.requests:
            raise Refused(2, f"unknown request {ref}")
        r = self.requests[ref]
        if r["status"] == "funded":
            for p, c in r["draws"]:
                self.book.append((date, p, "committed", -c))
            r["status"] = "cancelled"
        elif r["status"] in ("pending", "waitlisted"):
            r["status"], r["reason"] = "cancelled", ""
        else:
            raise Refused(1, f"{ref} is {r['status']}")

    # ------------------------------------------------------------ driving

    def run_action(self, line):
        """Run one action line; returns its exit status."""
        words = shlex.split(line)
        try:
            cmd, args = words[0], words[1:]
            if cmd == "allocate":
                sid, date = args[0], args[1]
                kw = {}
                i = 2
                while i < len(args):
                    a = args[i]
                    if a == "--order":
                        kw["order"] = args[i + 1]
                        i += 2
                    elif a == "--budget":
                        kw["budget"] = args[i + 1]
                        i += 2
                    elif a == "--cap":
                        kw["cap"] = cents_of(args[i + 1])
                        i += 2
                    elif a == "--strict":
                        kw["strict"] = True
                        i += 1
                    else:
                        raise Refused(2, f"unknown option {a}")
                # A refused run changes nothing: work on a copy.
                self.transact(lambda: self.allocate(sid, date, **kw))
            elif cmd == "cancel":
                self.transact(lambda: self.cancel(args[0], args[1]))
            elif cmd == "disburse":
                if len(args) == 4:
                    self.transact(lambda: self.disburse(args[0], args[1], args[2], args[3]))
                else:
                    self.transact(lambda: self.disburse(args[0], args[1]))
            else:
                raise Refused(2, f"unknown action {cmd}")
        except Refused as e:
            self.why.append((line, str(e)))
            return e.code
        return 0

    def transact(self, fn):
        """Runs fn; a refused command leaves the model as it was."""
        saved = (copy.deepcopy(self.requests), list(self.book))
        try:
            fn()
        except Refused:
            self.requests, self.book = saved
            raise

    def run(self):
        """Run the actions file; returns the list of (line, exit status)."""
        out = []
        for line in read_actions(self.folder):
            out.append((line, self.run_action(line)))
        self.exits = out
        return out

    def allocation_rows(self, sid):
        rows = []
        for r in sorted((r for r in self.requests.values() if r["session"] == sid),
                        key=lambda r: r["ref"].encode()):
            rows.append([
                r["ref"], r["session"], r["country"],
                "" if r["tier"] is None else str(r["tier"]),
                self.group(r["country"]), r["status"], r["reason"],
                money(r["fare"]), money(r["dsa"]), money(r["terminal"]),
                money(r["cost"]), money(r["psc"]), money(r["charge"]),
                ";".join(f"{p}:{money(c)}" for p, c in r["draws"]),
            ])
        return rows

    def pool_rows(self, date=None):
        figs = self.pool_figures(date)
        return [[p] + [money(figs[p][k]) for k in POOL_COLUMNS[1:]] for p in POOLS]


def read_actions(folder):
    lines = []
    with open(os.path.join(folder, "actions"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def session_ids(folder):
    return [r["id"] for r in read_csv(os.path.join(folder, "sessions.csv"))]


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    folder = argv[1]
    countries = SHIPPED
    if len(argv) == 4 and argv[2] == "--countries":
        countries = argv[3]
    m = Model(folder, countries)
    w = csv.writer(sys.stdout, lineterminator="\n")
    print("# exit statuses")
    for line, code in m.run():
        print(f"{code}  {line}")
    for sid in session_ids(folder):
        print(f"# allocation show {sid}")
        w.writerow(ALLOCATION_COLUMNS)
        w.writerows(m.allocation_rows(sid))
    print("# pools")
    w.writerow(POOL_COLUMNS)
    w.writerows(m.pool_rows())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
