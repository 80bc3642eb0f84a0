#!/usr/bin/python3
"""Reference model of tfund's travel-grant allocation, written from DESIGN.md
(sections 4, 5 and 9, in their revised form: session envelopes, caps that
mean what they say, late requests, no run after the session).

It reads a scenario folder and computes, without tfund, what tfund must
print after running the scenario's actions:

  - the exit status of every action;
  - the output of every view action (`envelope`, `waitlist`) at the moment
    it is run;
  - for every session, the rows of `tfund allocation show S --format csv`;
  - the final `tfund pools --format csv`;
  - the final `allocation envelope S` and `waitlist` at any date (check.py
    asks for them at each session's last day).

Scenario folder:
  rates.csv donors.csv sessions.csv pledges.csv receipts.csv requests.csv
  costs.csv      (optional) actual travel costs, `import costs`
  settings.csv   (optional) key,value rows, applied with `tfund set`
  countries.csv  (optional) rows for `import countries`; they replace the
                 shipped rows of the same iso3 and add the others
  actions        one command a line; blank lines and `#` comments ignored:
                   allocate SESSION DATE [--order submitted|cost|region]
                       [--budget days|all] [--cap AMOUNT] [--strict]
                       [--dry-run]
                   cancel REF DATE
                   disburse REF DATE [AMOUNT CURRENCY]
                   show SESSION                  (view: allocation show)
                   envelope SESSION [DATE]       (view: allocation envelope)
                   waitlist [DATE] [--session S] (view: waitlist)
                 A view without DATE is as of today (the local date).
                 Lines starting `#= ` hold expected results worked out by
                 hand: an allocation row, a pools row or `exit N N ...`
                 (final state); lines starting `#> ` right after a view
                 action hold that view's expected CSV rows (no header),
                 all of them, in order. check.py checks them.

The rules, as this model reads DESIGN.md (tests/reference/README.md says
why where DESIGN.md leaves a choice):

  Envelope. The first run of a session that writes (not a dry run, not a
  refused run; also one that decides nothing) fixes, per pool p of
  ldc-travel, travel and unrestricted, env_p = floor(available_p x share)
  with available as of the run's date and share = days / days of every
  session starting on or after it (--budget days, the default) or 1
  (--budget all). used_p = the draws on p of the session's requests that
  are funded or disbursed when the run starts. Every run may spend
  allow_p = max(0, min(available_p, env_p - used_p)), computed once at the
  start and shared by both tiers. A re-run given --budget all resets
  env_p = used_p + available_p (kept for the later runs); a re-run given
  --budget days, or no --budget, keeps the envelope.

  Caps. --cap caps this run's total funded charge; a nonzero
  travel_budget caps the charges of all the session's funded and disbursed
  requests, this run's included. After the quota check: a charge the
  remaining allowance of the tier's pools does not cover is
  insufficient-funds; one it covers but that would pass --cap or the
  travel_budget is cap. With --strict the first such miss stops funding;
  every later request is still checked for quota, then gets the reason of
  the request that stopped the walk.

  Dates. A run considers only pending and waitlisted requests whose
  `submitted` date part is on or before its date; the others are left as
  they are (figures too). A run dated after the session's last day
  (start + days - 1) is refused with exit 1, dry run or not.

  `allocation envelope S [--date D]`: the figures a run of S dated D
  (default today) would start from: envelope = the stored one, or, before
  S's first writing run, what a first run dated D with the default
  --budget days would fix; used = used_p now; available = the pool's
  available as of D (as `pools --as-of D`); allowance = max(0,
  min(available, envelope - used)), or 0 when D is after S's last day
  (no run could spend anything). Rows: unrestricted, travel, ldc-travel.

  `waitlist [--session S] [--date D]`: for every session whose last day is
  on or after D (a run dated D is still allowed), sessions by start then
  id, the requests with status waitlisted and submitted on or before D, in
  the order a run of that session dated D with the default options
  (--order submitted, no --cap, not --strict, no --budget) would consider
  them; that run is simulated (figures at D, pending requests included)
  and each row shows what it would decide: position (1, 2, ... within the
  session), reason (empty: it would be funded), charge (at D) and
  shortfall: 0.00 when it would be funded; for insufficient-funds, its
  charge less the allowance its tier's pools have left when the walk
  reaches it; for cap, its charge less the travel_budget left then; empty
  for quota. --session S of a session already over: exit 1.

Only the standard library; every amount is an integer count of cents of
the base currency (USD) and every product or quotient is an exact
Fraction, rounded half to even (or floored) where DESIGN.md says so.

usage: model.py SCENARIO_DIR [--countries FILE]
"""

import copy
import csv
import datetime
import os
import shlex
import sys
from fractions import Fraction

BASE = "USD"
POOLS = ["unrestricted", "travel", "ldc-travel", "prep"]
# Section 4.6: the pools a tier may draw, in draw order.
TIER_POOLS = {1: ["ldc-travel", "travel", "unrestricted"],
              2: ["travel", "unrestricted"]}
# The pools a session's envelope covers, in the order `pools` prints them.
ENVELOPE_POOLS = ["unrestricted", "travel", "ldc-travel"]
# Section 9.6: the fixed tie order of the regional groups.
GROUP_RANK = ["African", "Asia-Pacific", "Eastern European", "GRULAC", "WEOG"]

SHIPPED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "sql", "countries.csv"))

ALLOCATION_COLUMNS = ["ref", "session", "country", "tier", "region_group", "status",
                      "reason", "fare", "dsa", "terminal", "cost", "psc", "charge", "draws"]
POOL_COLUMNS = ["pool", "receipts", "cash", "committed", "reserve", "available"]
ENVELOPE_COLUMNS = ["pool", "envelope", "used", "available", "allowance"]
WAITLIST_COLUMNS = ["session", "position", "ref", "country", "tier", "reason", "charge",
                    "shortfall"]
VIEW_COLUMNS = {"show": ALLOCATION_COLUMNS, "envelope": ENVELOPE_COLUMNS,
                "waitlist": WAITLIST_COLUMNS}


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
    """The largest integer not above q (also for a negative q)."""
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


def today():
    return datetime.date.today().isoformat()


def is_date(text):
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def add_days(date, n):
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=n)).isoformat()


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
            budget = opt(r, "travel_budget").strip()
            self.sessions[r["id"]] = {
                "id": r["id"], "start": r["start"], "days": int(r["days"]),
                "last": add_days(r["start"], int(r["days"]) - 1),
                "dsa": cents_of(r["dsa"]), "terminal": cents_of(r["terminal"]),
                "extra_days": int(extra) if extra else 1,
                # Section 9.5: a travel_budget of 0 (or none) caps nothing.
                "travel_budget": cents_of(budget) if budget else 0,
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

        # Section 9.4: the envelope of each session, {pool: cents}, fixed
        # by its first run that writes and reset by a re-run --budget all.
        self.envelope = {}
        # Every run that wrote: (session, date, budget choice, envelope).
        self.runs = []

        self.exits = []
        self.views = {}     # action index -> rows of a view that succeeded
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

    # ------------------------------------------------------------ envelope

    def session(self, sid):
        if sid not in self.sessions:
            raise Refused(2, f"unknown session {sid}")
        return self.sessions[sid]

    def share(self, s):
        """Section 9.4: days / days of every session starting on or after s."""
        total = sum(x["days"] for x in self.sessions.values() if x["start"] >= s["start"])
        return Fraction(s["days"], total)

    def used(self, sid):
        """used_p: the draws of the session's funded and disbursed requests."""
        used = {p: 0 for p in ENVELOPE_POOLS}
        for r in self.requests.values():
            if r["session"] == sid and r["status"] in ("funded", "disbursed"):
                for p, c in r["draws"]:
                    used[p] += c
        return used

    def start_figures(self, sid, date, budget=None):
        """What a run of sid dated date starts from: (envelope, used,
        available, allowance, whether this run fixes or resets the
        envelope), each per pool."""
        s = self.sessions[sid]
        figs = self.pool_figures(date)
        avail = {p: figs[p]["available"] for p in ENVELOPE_POOLS}
        used = self.used(sid)
        if sid not in self.envelope:
            share = Fraction(1) if budget == "all" else self.share(s)
            env = {p: floor(avail[p] * share) for p in ENVELOPE_POOLS}
            fixes = True
        elif budget == "all":
            env = {p: used[p] + avail[p] for p in ENVELOPE_POOLS}
            fixes = True
        else:
            env = dict(self.envelope[sid])
            fixes = False
        allow = {p: max(0, min(avail[p], env[p] - used[p])) for p in ENVELOPE_POOLS}
        return env, used, avail, allow, fixes

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

    def considered(self, sid, date):
        """Section 9.4: the pending and waitlisted requests of the session
        submitted (date part) on or before the run's date."""
        return sorted((r for r in self.requests.values()
                       if r["session"] == sid and r["status"] in ("pending", "waitlisted")
                       and r["submitted"][:10] <= date),
                      key=lambda r: r["ref"].encode())

    def allocate(self, sid, date, order="submitted", budget=None, cap=None, strict=False):
        """One run. Returns the walk: [(request, room)] in the order the
        requests were decided, room being what the request's charge was
        measured against (see shortfall in the module's docstring)."""
        s = self.session(sid)
        if order not in ("submitted", "cost", "region"):
            raise Refused(2, f"unknown order {order}")
        if budget not in (None, "days", "all"):
            raise Refused(2, f"unknown budget {budget}")
        if date > s["last"]:
            raise Refused(1, f"session {sid} ended on {s['last']}")
        todo = self.considered(sid, date)
        # Figures first: a missing rate refuses the whole run, changing nothing.
        figs = {r["ref"]: self.figures(r, s, date) for r in todo}

        env, used, _, allow, fixes = self.start_figures(sid, date, budget)
        allow0 = dict(allow)
        if fixes:
            self.envelope[sid] = env
        self.runs.append((sid, date, budget, dict(self.envelope[sid])))

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
        budget_cap = s["travel_budget"]
        budget_used = sum(used.values())
        spent = 0
        stop_reason = None
        walk = []

        def decide(r, t):
            nonlocal spent, budget_used, stop_reason
            room = None
            if by_country.get(r["country"], 0) >= quota[t]:
                reason = "quota"
            elif stop_reason is not None:
                reason = stop_reason
            else:
                charge = r["charge"]
                money_room = sum(allow[p] for p in TIER_POOLS[t])
                cap_rooms = []
                if cap is not None:
                    cap_rooms.append(cap - spent)
                if budget_cap:
                    cap_rooms.append(budget_cap - budget_used)
                if charge > money_room:
                    reason, room = "insufficient-funds", money_room
                elif cap_rooms and charge > min(cap_rooms):
                    reason, room = "cap", min(cap_rooms)
                else:
                    reason = ""
                if reason and strict:
                    stop_reason = reason
            if reason:
                r["status"], r["reason"] = "waitlisted", reason
                walk.append((r, room))
                return
            need = r["charge"]
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
            spent += r["charge"]
            budget_used += r["charge"]
            by_country[r["country"]] = by_country.get(r["country"], 0) + 1
            g = self.group(r["country"])
            by_group[g] = by_group.get(g, 0) + 1
            for p, c in draws:
                self.book.append((date, p, "committed", c))
            walk.append((r, 0))

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
            else:
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

        # What the rules promise, checked on every run of the model.
        for p in ENVELOPE_POOLS:
            drawn = sum(c for r, _ in walk for q, c in r["draws"] if q == p)
            assert drawn <= allow0[p], (sid, date, p, drawn, allow0[p])
        if cap is not None:
            assert spent <= cap
        if budget_cap:
            assert budget_used <= budget_cap
        return walk

    # ------------------------------------------------------------ views

    def envelope_rows(self, sid, date=None):
        """`allocation envelope S --date D --format csv` (D default today)."""
        date = date or today()
        s = self.session(sid)
        env, used, avail, allow, _ = self.start_figures(sid, date)
        if date > s["last"]:
            allow = {p: 0 for p in ENVELOPE_POOLS}
        return [[p, money(env[p]), money(used[p]), money(avail[p]), money(allow[p])]
                for p in ENVELOPE_POOLS]

    def waitlist_rows(self, date=None, session=None):
        """`waitlist [--session S] --date D --format csv` (D default today)."""
        date = date or today()
        if session is not None:
            s = self.session(session)
            if s["last"] < date:
                raise Refused(1, f"session {session} ended on {s['last']}")
            sids = [session]
        else:
            sids = sorted((x["id"] for x in self.sessions.values() if x["last"] >= date),
                          key=lambda i: (self.sessions[i]["start"], i.encode()))
        rows = []
        for sid in sids:
            waiting = {r["ref"] for r in self.considered(sid, date) if r["status"] == "waitlisted"}
            if not waiting:
                continue
            # The next run, simulated on a copy of the model.
            shadow = copy.deepcopy(self)
            walk = shadow.allocate(sid, date)
            pos = 0
            for r, room in walk:
                if r["ref"] not in waiting:
                    continue
                pos += 1
                if r["reason"] == "quota":
                    short = ""
                elif r["reason"]:
                    short = money(r["charge"] - room)
                else:
                    short = money(0)
                rows.append([sid, str(pos), r["ref"], r["country"], str(r["tier"]),
                             r["reason"], money(r["charge"]), short])
        return rows

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

    def run_action(self, line, index=None):
        """Run one action line; returns its exit status. A view's rows go
        to self.views[index]."""
        words = shlex.split(line)
        try:
            cmd, args = words[0], words[1:]
            if cmd == "allocate":
                sid, date = args[0], args[1]
                kw = {}
                dry = False
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
                    elif a == "--dry-run":
                        dry = True
                        i += 1
                    else:
                        raise Refused(2, f"unknown option {a}")
                # A refused run changes nothing, nor does a dry run.
                self.transact(lambda: self.allocate(sid, date, **kw), keep=not dry)
            elif cmd == "cancel":
                self.transact(lambda: self.cancel(args[0], args[1]))
            elif cmd == "disburse":
                if len(args) == 4:
                    self.transact(lambda: self.disburse(args[0], args[1], args[2], args[3]))
                else:
                    self.transact(lambda: self.disburse(args[0], args[1]))
            elif cmd == "show":
                self.session(args[0])
                self.views[index] = self.allocation_rows(args[0])
            elif cmd == "envelope":
                date = args[1] if len(args) > 1 else None
                self.views[index] = self.envelope_rows(args[0], date)
            elif cmd == "waitlist":
                date, session = view_options(args)
                self.views[index] = self.waitlist_rows(date, session)
            else:
                raise Refused(2, f"unknown action {cmd}")
        except Refused as e:
            self.why.append((line, str(e)))
            return e.code
        return 0

    def transact(self, fn, keep=True):
        """Runs fn; a refused command (or one not kept: a dry run) leaves
        the model as it was."""
        saved = (copy.deepcopy(self.requests), list(self.book),
                 copy.deepcopy(self.envelope), list(self.runs))
        try:
            fn()
        except Refused:
            self.requests, self.book, self.envelope, self.runs = saved
            raise
        if not keep:
            self.requests, self.book, self.envelope, self.runs = saved

    def run(self, after=None):
        """Run the actions file; returns the list of (line, exit status).
        after(model, index, line, status) is called after each action."""
        out = []
        for i, line in enumerate(read_actions(self.folder)):
            code = self.run_action(line, i)
            out.append((line, code))
            if after is not None:
                after(self, i, line, code)
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


def view_options(args):
    """`waitlist [DATE] [--session S]` action arguments: (date, session)."""
    date = session = None
    i = 0
    while i < len(args):
        if args[i] == "--session":
            session = args[i + 1]
            i += 2
        elif is_date(args[i]) and date is None:
            date = args[i]
            i += 1
        else:
            raise Refused(2, f"bad waitlist argument {args[i]}")
    return date, session


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
    for i, (line, code) in enumerate(m.run()):
        print(f"{code}  {line}")
        if i in m.views:
            cmd = shlex.split(line)[0]
            w.writerow(["#"] + VIEW_COLUMNS[cmd])
            for row in m.views[i]:
                w.writerow(["#"] + row)
    for sid in session_ids(folder):
        print(f"# allocation show {sid}")
        w.writerow(ALLOCATION_COLUMNS)
        w.writerows(m.allocation_rows(sid))
    for sid in session_ids(folder):
        last = m.sessions[sid]["last"]
        print(f"# allocation envelope {sid} --date {last}")
        w.writerow(ENVELOPE_COLUMNS)
        w.writerows(m.envelope_rows(sid, last))
    print("# pools")
    w.writerow(POOL_COLUMNS)
    w.writerows(m.pool_rows())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
