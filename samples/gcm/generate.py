#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the illustrative GCM trust-fund sample: the CSV files next to this
script (see README.md). Deterministic: every random choice comes from a
seeded generator, so running it again rewrites identical files.

    python3 samples/gcm/generate.py

It checks every invariant of the sample with asserts and prints the
calibration figures (total eligible charge, cash received per pool, and a
simplified run of the allocation rules of DESIGN.md section 4, session by
session).
"""

import csv
import datetime as dt
import heapq
import math
import os
import random
import re
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTRIES_CSV = os.path.join(HERE, "..", "..", "sql", "countries.csv")

SEED = 71280  # A/RES/71/280, the modalities resolution

PSC_RATE = Fraction(13, 100)
QUOTA = {1: 2, 2: 1}
POOLS = ("unrestricted", "travel", "ldc-travel", "prep")
TRAVEL_POOLS = ("unrestricted", "travel", "ldc-travel")
DRAW_ORDER = {1: ("ldc-travel", "travel", "unrestricted"),
              2: ("travel", "unrestricted")}

# ISO 4217 minor digits of every currency the sample uses.
MINOR = {"USD": 2, "EUR": 2, "CHF": 2, "GBP": 2, "JPY": 0, "NOK": 2,
         "SEK": 2, "CAD": 2, "AUD": 2, "KWD": 3, "MXN": 2}

SAFE_ID = re.compile(r"^[A-Za-z0-9-]+$")
DONOR_ID = re.compile(r"^[a-z0-9-]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def rng_for(name):
    """An independent random stream per part of the sample, so that a change
    in one part does not reshuffle the others."""
    return random.Random("%d:%s" % (SEED, name))


def d(text):
    return dt.date.fromisoformat(text)


def iso(day):
    return day.isoformat()


# ---------------------------------------------------------------- money


def to_minor(text, cur):
    """Parses a plain decimal the way tfund does; returns minor units."""
    m = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", text)
    assert m, "bad amount %r" % text
    frac = m.group(3) or ""
    assert len(frac) <= MINOR[cur], "%s has too many decimals for %s" % (text, cur)
    units = int(m.group(2)) * 10 ** MINOR[cur] + int((frac + "000")[:MINOR[cur]] or 0)
    return -units if m.group(1) else units


def fmt(units, cur):
    """Minor units as a plain decimal with the currency's digits."""
    k = MINOR[cur]
    sign = "-" if units < 0 else ""
    units = abs(units)
    if k == 0:
        return "%s%d" % (sign, units)
    return "%s%d.%0*d" % (sign, units // 10 ** k, k, units % 10 ** k)


def half_even(q):
    """Rounds a Fraction to an integer, half to even."""
    return round(Fraction(q))


# ---------------------------------------------------------------- countries


def load_countries():
    with open(COUNTRIES_CSV, newline="", encoding="utf-8") as f:
        return {row["iso3"]: row for row in csv.DictReader(f)}


COUNTRIES = load_countries()


def parse_ldc_date(text):
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1)
    return d(text)


def tier(iso3, on):
    """1 = LDC on that date, 2 = other developing, None = not eligible
    (DESIGN.md 9.1)."""
    row = COUNTRIES[iso3]
    start = parse_ldc_date(row["ldc_from"])
    until = parse_ldc_date(row["ldc_until"])
    if start is not None and start <= on and (until is None or on < until):
        return 1
    if row["developing"] == "1":
        return 2
    return None


# ---------------------------------------------------------------- sessions

GVA = "United Nations Office at Geneva"
NYC = "United Nations Headquarters, New York"
VIE = "United Nations Office at Vienna"
PVR = "Puerto Vallarta, Mexico"
RAK = "Marrakech, Morocco"

# Fare zone of each venue (for the fare table below).
VENUE_ZONE = {GVA: "eu", VIE: "eu", NYC: "nyc", PVR: "pvr", RAK: "rak"}

# id, name, venue, start, days, dsa per day, terminal, travel_budget
SESSIONS = [
    ("its1", "Informal thematic session 1: human rights of all migrants, "
     "social inclusion, cohesion and all forms of discrimination, including "
     "racism, xenophobia and intolerance", GVA, "2017-05-08", 2, "402", "110", ""),
    ("its2", "Informal thematic session 2: addressing drivers of migration, "
     "including adverse effects of climate change, natural disasters and "
     "human-made crises", NYC, "2017-05-22", 2, "374", "118", ""),
    ("its3", "Informal thematic session 3: international cooperation and "
     "governance of migration in all its dimensions", GVA, "2017-06-19", 2,
     "402", "110", ""),
    ("its4", "Informal thematic session 4: contributions of migrants and "
     "diasporas to all dimensions of sustainable development, including "
     "remittances and portability of earned benefits", NYC, "2017-07-24", 2,
     "374", "118", ""),
    ("its5", "Informal thematic session 5: smuggling of migrants, trafficking "
     "in persons and contemporary forms of slavery", VIE, "2017-09-04", 2,
     "302", "96", ""),
    ("its6", "Informal thematic session 6: irregular migration and regular "
     "pathways, including decent work, labour mobility and recognition of "
     "skills and qualifications", GVA, "2017-10-12", 2, "411", "110", ""),
    ("stocktake", "Preparatory (stocktaking) meeting", PVR, "2017-12-04", 3,
     "254", "82", ""),
    ("neg1", "Intergovernmental negotiations, first round", NYC, "2018-02-20",
     3, "383", "118", ""),
    ("neg2", "Intergovernmental negotiations, second round", NYC, "2018-03-12",
     4, "383", "118", ""),
    ("neg3", "Intergovernmental negotiations, third round", NYC, "2018-04-03",
     4, "383", "118", ""),
    ("neg4", "Intergovernmental negotiations, fourth round", NYC, "2018-05-14",
     5, "383", "118", ""),
    ("neg5", "Intergovernmental negotiations, fifth round", NYC, "2018-06-04",
     5, "383", "118", ""),
    ("hearing", "Informal interactive multi-stakeholder hearing", NYC,
     "2018-06-11", 1, "383", "118", "42000.00"),
    ("neg6", "Intergovernmental negotiations, sixth round", NYC, "2018-07-09",
     5, "383", "118", ""),
    ("conf", "Intergovernmental Conference to Adopt the Global Compact for "
     "Safe, Orderly and Regular Migration", RAK, "2018-12-10", 2, "231", "88", ""),
]
EXTRA_DAYS = 1
ALLOCATION_LEAD = 7  # days before the start: when the allocation batch runs

# Requests per session (inclusive range); the hearing gets none.
# Interest grows as the negotiations near their end.
REQUEST_RANGE = {"its1": (25, 29), "its2": (25, 29), "its3": (25, 29),
                 "its4": (25, 29), "its5": (25, 29), "its6": (25, 29),
                 "stocktake": (30, 36), "neg1": (36, 42), "neg2": (36, 42),
                 "neg3": (36, 42), "neg4": (40, 45), "neg5": (40, 45),
                 "neg6": (44, 45), "conf": (44, 45)}


class Session:
    def __init__(self, row):
        (self.id, self.name, self.venue, start, self.days, self.dsa,
         self.terminal, self.travel_budget) = row
        self.start = d(start)
        self.end = self.start + dt.timedelta(days=self.days - 1)
        self.alloc_date = self.start - dt.timedelta(days=ALLOCATION_LEAD)
        self.zone = VENUE_ZONE[self.venue]


SESS = [Session(r) for r in SESSIONS]
SESS_BY_ID = {s.id: s for s in SESS}

# ---------------------------------------------------------------- rates

# UN operational rates, units per USD, on the 1st of each month. Anchor
# months (0 = 2016-12) are interpolated; a small jitter does the rest.
RATE_ANCHORS = {
    "EUR": (4, {0: 0.9450, 2: 0.9380, 4: 0.9310, 6: 0.8760, 8: 0.8420,
                10: 0.8500, 12: 0.8330, 14: 0.8050, 16: 0.8110, 18: 0.8580,
                20: 0.8620, 22: 0.8650, 24: 0.8810}),
    "CHF": (4, {0: 1.0150, 3: 1.0010, 6: 0.9640, 8: 0.9660, 10: 0.9750,
                12: 0.9920, 14: 0.9350, 16: 0.9520, 18: 0.9900, 20: 0.9780,
                22: 0.9900, 24: 0.9980}),
    "GBP": (4, {0: 0.8020, 3: 0.7990, 6: 0.7750, 9: 0.7620, 12: 0.7450,
                14: 0.7180, 16: 0.7130, 18: 0.7570, 20: 0.7650, 22: 0.7640,
                24: 0.7830}),
    "JPY": (2, {0: 114.50, 2: 112.90, 4: 111.30, 6: 111.20, 8: 110.40,
                10: 112.60, 12: 112.80, 14: 109.10, 15: 106.20, 17: 109.50,
                18: 109.90, 20: 111.20, 22: 112.80, 24: 113.40}),
    "NOK": (4, {0: 8.4900, 3: 8.5600, 6: 8.4400, 8: 7.9300, 10: 7.9600,
                12: 8.2600, 14: 7.8100, 16: 7.8900, 18: 8.0500, 20: 8.2000,
                22: 8.1500, 24: 8.5000}),
    "SEK": (4, {0: 9.1800, 3: 8.9400, 6: 8.6400, 8: 8.1200, 10: 8.1500,
                12: 8.4700, 14: 7.9400, 16: 8.3200, 18: 8.7500, 20: 9.0900,
                22: 9.0300, 24: 9.1300}),
    "CAD": (4, {0: 1.3400, 3: 1.3330, 5: 1.3520, 7: 1.2520, 9: 1.2480,
                12: 1.2820, 14: 1.2430, 16: 1.2880, 18: 1.3050, 20: 1.3120,
                22: 1.2930, 24: 1.3230}),
    "AUD": (4, {0: 1.3530, 3: 1.3080, 6: 1.3470, 8: 1.2610, 10: 1.2760,
                12: 1.3150, 14: 1.2630, 16: 1.3030, 18: 1.3430, 20: 1.3560,
                22: 1.4070, 24: 1.3850}),
    "KWD": (6, {0: 0.305800, 4: 0.304100, 8: 0.301500, 12: 0.302200,
                16: 0.300400, 20: 0.302600, 24: 0.303700}),
    "MXN": (4, {i: v for i, v in enumerate(
        [20.52, 21.18, 20.87, 19.88, 18.79, 18.71, 18.42, 17.93, 17.81,
         17.84, 18.52, 18.93, 18.74, 19.42, 18.63, 18.61, 18.43, 19.41,
         20.27, 19.38, 18.84, 19.11, 19.05, 20.08, 20.42])}),
}
RATE_FIRST = dt.date(2016, 12, 1)
RATE_MONTHS = 25  # 2016-12-01 .. 2018-12-01


def month_start(i):
    y, m = divmod(RATE_FIRST.month - 1 + i, 12)
    return dt.date(RATE_FIRST.year + y, m + 1, 1)


def build_rates():
    r = rng_for("rates")
    table = {}
    for cur in sorted(RATE_ANCHORS):
        places, anchors = RATE_ANCHORS[cur]
        keys = sorted(anchors)
        for i in range(RATE_MONTHS):
            lo = max(k for k in keys if k <= i)
            hi = min(k for k in keys if k >= i)
            if lo == hi:
                base = anchors[lo]
            else:
                t = (i - lo) / (hi - lo)
                base = anchors[lo] + t * (anchors[hi] - anchors[lo])
            jitter = 1 + r.uniform(-0.0035, 0.0035) if i not in anchors else 1
            text = "%.*f" % (places, base * jitter)
            table.setdefault(cur, []).append((month_start(i), text))
    return table


RATES = build_rates()


def rate(cur, on):
    """Units of cur per USD on a date (latest rate on or before it)."""
    if cur == "USD":
        return Fraction(1)
    rows = [text for day, text in RATES[cur] if day <= on]
    assert rows, "no %s rate on or before %s" % (cur, on)
    return Fraction(rows[-1])


def to_usd(units, cur, on):
    """Minor units of cur -> USD cents at the rate of the date, half even."""
    return half_even(Fraction(units, 10 ** MINOR[cur]) / rate(cur, on) * 100)


def from_usd(cents, cur, on):
    return half_even(Fraction(cents, 100) * rate(cur, on) * 10 ** MINOR[cur])


# ---------------------------------------------------------------- donors

DONORS = [
    ("norway", "Norway", "state", "NOR"),
    ("sweden", "Sweden", "state", "SWE"),
    ("switzerland", "Switzerland", "state", "CHE"),
    ("germany", "Germany", "state", "DEU"),
    ("japan", "Japan", "state", "JPN"),
    ("uk", "United Kingdom of Great Britain and Northern Ireland", "state", "GBR"),
    ("canada", "Canada", "state", "CAN"),
    ("australia", "Australia", "state", "AUS"),
    ("kuwait", "Kuwait", "state", "KWT"),
    ("netherlands", "Netherlands", "state", "NLD"),
    ("ireland", "Ireland", "state", "IRL"),
    ("finland", "Finland", "state", "FIN"),
    ("portugal", "Portugal", "state", "PRT"),
    ("luxembourg", "Luxembourg", "state", "LUX"),
    ("philippines", "Philippines", "state", "PHL"),
    ("mexico", "Mexico", "state", "MEX"),
    ("morocco", "Morocco", "state", "MAR"),
    ("eu", "European Union", "igo", ""),
    ("iom", "International Organization for Migration", "igo", ""),
    ("opec-fund", "OPEC Fund for International Development", "igo", ""),
    ("meridian-remit", "Meridian Remittance Services, Inc.", "private", ""),
    ("northbridge", "Northbridge Shipping & Logistics Ltd", "private", ""),
    ("halvorsen-fdn", "Halvorsen Family Foundation", "foundation", ""),
    ("fsc-fdn", "Fondation Suisse pour la Coopération", "foundation", ""),
    ("mobilitaet-fdn", "Stiftung Mobilität und Entwicklung", "foundation", ""),
    ("geneva-city", "Ville de Genève", "other", ""),
    ("individuals", "Individual contributions (online giving)", "other", ""),
]
DONOR_IDS = {x[0] for x in DONORS}

# ---------------------------------------------------------------- pledges

# ref, donor, date, amount, currency, pool, due, payments. payments:
# (date, share of the pledge); a last share of None pays the rest, so a
# plan ending with None pays the pledge in full.
#
# The amounts of the core donors' first pledges (CORE, all paid before the
# first session or nearly so) are nominal: they are scaled, and rounded to
# to a round figure, so that the cash received into the three travel
# pools covers CALIBRATION_TARGET of the charge of all eligible requests.
# Every other amount is as written.
PLEDGES = [
    ("PL-2016-01", "norway", "2016-12-12", 5000000, "NOK", "travel", "2017-03-31",
     [("2017-01-23", None)]),
    ("PL-2016-02", "sweden", "2016-12-19", 4000000, "SEK", "unrestricted", "",
     [("2017-02-10", None)]),
    ("PL-2017-01", "switzerland", "2017-01-16", 300000, "CHF", "travel", "",
     [("2017-03-01", None)]),
    ("PL-2017-02", "germany", "2017-01-30", 400000, "EUR", "travel", "",
     [("2017-03-15", Fraction(9, 10)), ("2017-09-15", None)]),
    ("PL-2017-03", "eu", "2017-02-06", 500000, "EUR", "ldc-travel", "2017-06-30",
     [("2017-04-03", Fraction(4, 5)), ("2017-08-01", Fraction(1, 10)),
      ("2018-01-15", None)]),
    ("PL-2017-04", "uk", "2017-02-20", 150000, "GBP", "ldc-travel", "",
     [("2017-04-10", None)]),
    ("PL-2017-05", "netherlands", "2017-02-27", 120000, "EUR", "travel", "",
     [("2017-04-20", None)]),
    ("PL-2017-06", "japan", "2017-03-01", 2000000, "JPY", "travel", "2017-06-30",
     [("2017-10-30", None)]),
    ("PL-2017-07", "ireland", "2017-03-06", 60000, "EUR", "ldc-travel", "",
     [("2017-03-30", None)]),
    ("PL-2017-08", "canada", "2017-03-20", 150000, "CAD", "travel", "",
     [("2017-04-24", None)]),
    ("PL-2017-09", "australia", "2017-04-10", 20000, "AUD", "ldc-travel", "",
     [("2017-06-20", None)]),
    ("PL-2017-10", "fsc-fdn", "2017-04-24", 15000, "CHF", "ldc-travel", "",
     [("2017-05-22", Fraction(1, 2)), ("2017-11-20", None)]),
    ("PL-2017-11", "kuwait", "2017-05-15", 3000, "KWD", "unrestricted", "2017-12-31",
     [("2018-03-05", None)]),
    ("PL-2017-12", "finland", "2017-05-29", 10000, "EUR", "unrestricted", "",
     [("2017-07-10", None)]),
    ("PL-2017-13", "iom", "2017-06-12", 25000, "USD", "prep", "",
     [("2017-07-05", None)]),
    ("PL-2017-14", "halvorsen-fdn", "2017-06-19", 5000, "USD", "travel", "",
     [("2017-07-31", None)]),
    ("PL-2017-15", "philippines", "2017-07-03", 5000, "USD", "travel", "",
     [("2017-08-14", None)]),
    ("PL-2017-16", "opec-fund", "2017-08-07", 10000, "USD", "ldc-travel", "",
     [("2017-09-25", None)]),
    ("PL-2017-17", "switzerland", "2017-09-04", 40000, "CHF", "prep", "2018-03-31",
     [("2018-01-15", None)]),
    ("PL-2017-18", "portugal", "2017-09-18", 5000, "EUR", "travel", "",
     [("2017-11-15", None)]),
    ("PL-2017-19", "luxembourg", "2017-10-02", 10000, "EUR", "ldc-travel", "",
     [("2017-10-26", None)]),
    ("PL-2017-20", "meridian-remit", "2017-10-16", 5000, "USD", "unrestricted", "",
     [("2017-11-30", None)]),
    ("PL-2017-21", "mexico", "2017-11-06", 1000000, "MXN", "prep", "",
     [("2017-12-18", None)]),
    ("PL-2018-01", "norway", "2018-01-08", 100000, "NOK", "travel", "",
     [("2018-02-05", None)]),
    ("PL-2018-02", "sweden", "2018-01-15", 100000, "SEK", "ldc-travel", "",
     [("2018-03-12", None)]),
    ("PL-2018-03", "morocco", "2018-01-22", 50000, "USD", "prep", "2018-06-30",
     [("2018-03-01", Fraction(1, 2)), ("2018-07-16", None)]),
    ("PL-2018-04", "northbridge", "2018-02-12", 10000, "GBP", "unrestricted", "",
     []),
    ("PL-2018-05", "japan", "2018-02-26", 1500000, "JPY", "ldc-travel", "",
     [("2018-04-16", Fraction(2, 5)), ("2018-07-02", Fraction(3, 10))]),
    ("PL-2018-06", "germany", "2018-03-05", 10000, "EUR", "travel", "2018-06-30",
     [("2018-07-02", None)]),
    ("PL-2018-07", "mobilitaet-fdn", "2018-03-19", 20000, "EUR", "prep", "",
     [("2018-05-14", None)]),
    ("PL-2018-08", "eu", "2018-04-09", 10000, "EUR", "travel", "",
     [("2018-05-07", None)]),
    ("PL-2018-09", "switzerland", "2018-04-23", 10000, "CHF", "unrestricted", "",
     [("2018-05-28", None)]),
    ("PL-2018-10", "canada", "2018-05-14", 50000, "CAD", "unrestricted", "",
     []),
    ("PL-2018-11", "australia", "2018-06-04", 8000, "AUD", "travel", "2018-09-30",
     []),
    ("PL-2018-12", "uk", "2018-06-11", 5000, "GBP", "travel", "",
     [("2018-06-29", None)]),
    ("PL-2018-13", "kuwait", "2018-06-18", 5000, "KWD", "prep", "2018-10-31",
     [("2018-11-26", None)]),
]
CORE = {"PL-2016-01", "PL-2016-02", "PL-2017-01", "PL-2017-02", "PL-2017-03",
        "PL-2017-04", "PL-2017-05", "PL-2017-07", "PL-2017-08"}

# Receipts with no pledge: ref, date, amount, currency, donor, pool.
LOOSE_RECEIPTS = [
    ("RC-2017-900", "2017-06-12", "10000.00", "CHF", "geneva-city", "unrestricted"),
    ("RC-2017-901", "2017-11-27", "4235.50", "USD", "individuals", "travel"),
]

CALIBRATION_TARGET = Fraction(602, 1000)

# ---------------------------------------------------------------- spend

SPEND = [
    ("SP-2018-01", "2018-02-26", "14250.00",
     "Zero draft: editing and translation into the six official languages"),
    ("SP-2018-02", "2018-03-30", "16800.00",
     "Consultant, conference logistics coordinator (February-April 2018)"),
    ("SP-2018-03", "2018-05-21", "9870.00",
     "Interpretation, informal consultations of the co-facilitators"),
    ("SP-2018-04", "2018-07-23", "7315.40",
     "Advance mission to Marrakech: venue and security assessment"),
    ("SP-2018-05", "2018-08-20", "12900.00",
     "Webcast and accreditation system for the conference"),
    ("SP-2018-06", "2018-09-17", "6240.75",
     "Documentation: printing of the final draft in Arabic, Chinese, English, "
     "French, Russian and Spanish"),
    ("SP-2018-07", "2018-10-29", "16800.00",
     "Consultant, conference logistics coordinator (September-December 2018)"),
    ("SP-2018-08", "2018-11-19", "12500.00",
     "Venue preparation, Marrakech: plenary hall, side-event rooms"),
]

# ---------------------------------------------------------------- people

# Fare zone (sub-region) and naming style of every country that sends
# delegates in the sample.
COUNTRY_INFO = {
    # least developed countries
    "AFG": ("south_asia", "afghan"), "AGO": ("central_africa", "lusophone"),
    "BDI": ("east_africa", "great_lakes"), "BEN": ("west_africa", "west_fr"),
    "BFA": ("west_africa", "west_fr"), "BGD": ("south_asia", "bangla"),
    "BTN": ("south_asia", "bhutan"), "CAF": ("central_africa", "central_fr"),
    "COD": ("central_africa", "central_fr"), "COM": ("east_africa", "arabic"),
    "DJI": ("east_africa", "horn"), "ERI": ("east_africa", "horn"),
    "ETH": ("east_africa", "horn"), "GIN": ("west_africa", "west_fr"),
    "GMB": ("west_africa", "upper_guinea"), "GNB": ("west_africa", "lusophone"),
    "GNQ": ("central_africa", "gnq"), "HTI": ("caribbean", "haiti"),
    "KHM": ("southeast_asia", "khmer"), "KIR": ("pacific", "pacific"),
    "LAO": ("southeast_asia", "lao"), "LBR": ("west_africa", "upper_guinea"),
    "LSO": ("southern_africa", "southern"), "MDG": ("east_africa", "malagasy"),
    "MLI": ("west_africa", "west_fr"), "MMR": ("southeast_asia", "burmese"),
    "MOZ": ("southern_africa", "lusophone"), "MRT": ("west_africa", "arabic"),
    "MWI": ("southern_africa", "southern"), "NER": ("west_africa", "west_fr"),
    "NPL": ("south_asia", "nepali"), "RWA": ("east_africa", "great_lakes"),
    "SDN": ("east_africa", "arabic"), "SEN": ("west_africa", "west_fr"),
    "SLB": ("pacific", "pacific"), "SLE": ("west_africa", "upper_guinea"),
    "SOM": ("east_africa", "horn"), "SSD": ("east_africa", "nilotic"),
    "STP": ("central_africa", "lusophone"), "TCD": ("central_africa", "chad"),
    "TGO": ("west_africa", "west_fr"), "TLS": ("southeast_asia", "lusophone"),
    "TUV": ("pacific", "pacific"), "TZA": ("east_africa", "swahili"),
    "UGA": ("east_africa", "swahili"), "VUT": ("pacific", "pacific"),
    "YEM": ("middle_east", "arabic"), "ZMB": ("southern_africa", "southern"),
    # other developing countries
    "ARG": ("south_america", "spanish"), "ARM": ("europe", "armenian"),
    "BOL": ("south_america", "andean"), "BRA": ("south_america", "brazil"),
    "BLZ": ("central_america", "caribbean_en"), "CIV": ("west_africa", "west_fr"),
    "CMR": ("central_africa", "central_fr"), "COG": ("central_africa", "central_fr"),
    "COL": ("south_america", "spanish"), "CPV": ("west_africa", "lusophone"),
    "CRI": ("central_america", "spanish"), "CUB": ("caribbean", "spanish"),
    "DOM": ("caribbean", "spanish"), "DZA": ("north_africa", "arabic"),
    "ECU": ("south_america", "andean"), "EGY": ("north_africa", "arabic"),
    "FJI": ("pacific", "pacific"), "GAB": ("central_africa", "central_fr"),
    "GEO": ("europe", "georgian"), "GHA": ("west_africa", "ghana"),
    "GTM": ("central_america", "spanish"), "GUY": ("south_america", "caribbean_en"),
    "HND": ("central_america", "spanish"), "IDN": ("southeast_asia", "indonesian"),
    "IND": ("south_asia", "indian"), "IRN": ("middle_east", "persian"),
    "IRQ": ("middle_east", "arabic"), "JAM": ("caribbean", "caribbean_en"),
    "JOR": ("middle_east", "arabic"), "KEN": ("east_africa", "swahili"),
    "KGZ": ("central_asia", "central_asian"), "LBN": ("middle_east", "arabic"),
    "LKA": ("south_asia", "sinhala"), "MAR": ("north_africa", "arabic"),
    "MDV": ("south_asia", "maldivian"), "MEX": ("central_america", "spanish"),
    "MNG": ("east_asia", "mongolian"), "MUS": ("east_africa", "mauritian"),
    "NAM": ("southern_africa", "southern"), "NGA": ("west_africa", "nigeria"),
    "NIC": ("central_america", "spanish"), "PAK": ("south_asia", "pakistani"),
    "PER": ("south_america", "andean"), "PHL": ("southeast_asia", "filipino"),
    "PNG": ("pacific", "pacific"), "PRY": ("south_america", "spanish"),
    "PSE": ("middle_east", "arabic"), "SLV": ("central_america", "spanish"),
    "SWZ": ("southern_africa", "southern"), "SYR": ("middle_east", "arabic"),
    "TJK": ("central_asia", "central_asian"), "TON": ("pacific", "pacific"),
    "TTO": ("caribbean", "caribbean_en"), "TUN": ("north_africa", "arabic"),
    "TUR": ("europe", "turkish"), "UZB": ("central_asia", "central_asian"),
    "VNM": ("southeast_asia", "vietnamese"), "WSM": ("pacific", "pacific"),
    "ZAF": ("southern_africa", "southern"), "ZWE": ("southern_africa", "southern"),
    # not eligible (developed countries in the table)
    "FRA": ("europe", "french"), "NOR": ("europe", "norwegian"),
    "DEU": ("europe", "german"), "GBR": ("europe", "english"),
    "JPN": ("east_asia", "japanese"),
}
INELIGIBLE = ["FRA", "NOR", "DEU", "GBR", "JPN"]

# style: (women's given names, men's given names, family names)
NAMES = {
    "west_fr": ("Aïssata|Fatoumata|Awa|Mariama|Clarisse|Nadège|Rokia|Kadiatou|Estelle|Adjoa",
                "Mamadou|Ousmane|Ibrahima|Souleymane|Moussa|Désiré|Amadou|Boubacar|Théophile|Koffi",
                "Traoré|Diallo|Koné|Ouédraogo|Sawadogo|Ndiaye|Diop|Camara|Keïta|Coulibaly|Sylla|Kaboré|Touré|Agbodjan|Houngbédji|Sow"),
    "central_fr": ("Clémence|Solange|Bernadette|Prisca|Mireille|Grâce|Josiane|Brigitte",
                   "Jean-Pierre|Serge|Hervé|Blaise|Thierry|Fidèle|Didier|Norbert",
                   "Mbemba|Ngoma|Ilunga|Kasongo|Mabiala|Nzapayéké|Essomba|Mbarga|Ondoua|Moukala|Nguema|Yangongo"),
    "chad": ("Achta|Khadidja|Hawa|Zara", "Mahamat|Abakar|Idriss|Youssouf",
             "Haroun|Djimadoum|Ngarta|Abdoulaye|Moussa|Allamine"),
    "great_lakes": ("Claudine|Espérance|Jeanne|Immaculée|Chantal|Aline",
                    "Emmanuel|Jean-Claude|Innocent|Pascal|Théogène|Célestin",
                    "Habimana|Uwimana|Mukamana|Nsengiyumva|Ndayizeye|Niyonzima|Hakizimana|Nduwimana|Bizimana"),
    "malagasy": ("Voahangy|Lalao|Fanja|Hanitra|Nirina|Tiana",
                 "Hery|Tojo|Rivo|Andry|Haja|Mamy",
                 "Rakotomalala|Randriamampionona|Razafindrakoto|Andrianarivelo|Rasoanaivo|Rabemananjara"),
    "ghana": ("Abena|Efua|Akosua|Comfort|Adwoa", "Kwame|Kofi|Yaw|Emmanuel|Kwabena",
              "Mensah|Owusu|Boakye|Asante|Appiah|Osei"),
    "nigeria": ("Ngozi|Chiamaka|Yetunde|Funmilayo|Aisha",
                "Chukwuemeka|Olusegun|Ikechukwu|Babatunde|Musa",
                "Okafor|Adeyemi|Okonkwo|Adebayo|Eze|Bello|Nwosu"),
    "upper_guinea": ("Fatmata|Isatou|Kumba|Mariatu|Grace|Musu|Haddy",
                     "Ebrima|Abdulai|Momodou|Joseph|Sahr|Lamin|Prince",
                     "Kamara|Sesay|Johnson|Jallow|Ceesay|Bangura|Kollie|Conteh|Touray"),
    "swahili": ("Wanjiru|Achieng|Nakato|Neema|Mwajuma|Rehema|Auma|Nalubega",
                "Baraka|Otieno|Mugisha|Juma|Kiprono|Musa|Ssemakula|Hamisi",
                "Kamau|Odhiambo|Mugisha|Nakamya|Mwakasege|Kiprotich|Mwangi|Wekesa|Kisanga|Mbwana|Ochieng"),
    "southern": ("Chisomo|Thandiwe|Lerato|Nomvula|Tendai|Mpho|Ndapewa|Nokuthula|Chipo",
                 "Chikondi|Mthunzi|Tebogo|Tatenda|Mwansa|Kagiso|Thabo|Sipho|Mulenga",
                 "Banda|Phiri|Mwale|Moyo|Ndlovu|Dlamini|Mokoena|Sibanda|Mutasa|Mbewe|Shikongo|Lebona|Chanda"),
    "horn": ("Selamawit|Meron|Hiwot|Hodan|Fadumo|Saba|Tsehay|Fatouma|Ayan",
             "Tesfaye|Dawit|Abdirahman|Yonas|Bereket|Abdullahi|Mesfin|Houssein|Liban",
             "Gebremedhin|Haile|Tadesse|Abdi|Warsame|Tesfamariam|Bekele|Osman|Farah|Kidane|Mohamoud"),
    "nilotic": ("Nyandeng|Achol|Abuk|Nyibol|Ajak",
                "Mabior|Lual|Kuol|Garang|Ater",
                "Deng|Akol|Majok|Lado|Malual|Wani|Chol"),
    "lusophone": ("Conceição|Luísa|Esperança|Filomena|Teresa|Albertina|Graça|Inês",
                  "João|Sebastião|Armando|Domingos|Celso|Joaquim|Agostinho|Zacarias",
                  "dos Santos|Nhantumbo|Cossa|Lopes|Fernandes|Gomes|Mendes|Neto|da Silva|Tembe|Sambo|da Costa|Guterres Soares|Ximenes|Pires"),
    "gnq": ("María Jesús|Remedios|Milagrosa|Trinidad",
            "Florentino|Crisantos|Salvador|Anacleto",
            "Nsue|Ondo|Mba|Esono|Edu|Nchama|Obono"),
    "arabic": ("Fatima|Amal|Nour|Salma|Huda|Leila|Rania|Mariem|Khadija|Zeinab|Hanane",
               "Mohamed|Ahmed|Omar|Khalid|Youssef|Abdallah|Hassan|Karim|Tarek|Mahmoud|Ibrahim|Nabil",
               "El Amrani|Benali|Haddad|Al-Sayed|Abdelrahman|Mansour|Khalil|Nasser|Al-Hakimi|Ould Ahmed|Ben Salah|Bouzid|Idris|Saleh|El Fassi|Soilihi|Al-Jaberi"),
    "maldivian": ("Aminath|Mariyam|Fathimath|Aishath",
                  "Ahmed|Mohamed|Hussain|Ibrahim",
                  "Rasheed|Didi|Waheed|Shareef|Naseem|Manik"),
    "mauritian": ("Priya|Vidya|Marie-Noëlle|Anjali",
                  "Vikash|Jean-Claude|Yash|Arjun",
                  "Bissessur|Ramsamy|Dookhy|Seetohul|Lagesse|Appadoo"),
    "afghan": ("Farzana|Zahra|Nargis|Shukria|Mariam",
               "Ahmad|Farid|Naweed|Mirwais|Hamid",
               "Ahmadzai|Karimi|Rahimi|Sultani|Hakimi|Noori|Stanikzai"),
    "bangla": ("Nasrin|Farhana|Sharmin|Tahmina|Rokeya",
               "Kamal|Shafiqul|Mahbub|Anisur|Tanvir",
               "Rahman|Hossain|Chowdhury|Islam|Akter|Sarker|Bhuiyan"),
    "bhutan": ("Pema|Dechen|Sonam|Kinley",
               "Tshering|Ugyen|Karma|Jigme",
               "Dorji|Wangchuk|Tenzin|Penjor|Namgyel"),
    "nepali": ("Sunita|Sarita|Anjana|Bimala|Pramila",
               "Bishnu|Ramesh|Krishna|Dipak|Sanjay",
               "Adhikari|Thapa|Shrestha|Gurung|Sharma|Koirala|Tamang|Rai"),
    "indian": ("Priya|Anjali|Lakshmi|Kavita|Meera|Deepa",
               "Arjun|Rajesh|Vikram|Anil|Suresh|Rohan",
               "Sharma|Iyer|Menon|Nair|Reddy|Gupta|Dasgupta|Kulkarni"),
    "pakistani": ("Ayesha|Sana|Rabia|Mehwish",
                  "Imran|Bilal|Usman|Tariq",
                  "Khan|Qureshi|Malik|Siddiqui|Butt|Chaudhry"),
    "sinhala": ("Dilani|Chamari|Nirmala|Shanthi",
                "Nuwan|Chaminda|Ruwan|Kasun",
                "Perera|Fernando|Jayasuriya|Wickramasinghe|Senanayake|Bandara"),
    "khmer": ("Sreymom|Sophea|Chanthy|Bopha|Sokha",
              "Vannak|Dara|Sothea|Rithy|Visal",
              "Sok|Chea|Heng|Prak|Kim|Meas|Ouk"),
    "lao": ("Khamla|Noy|Souksavanh|Chanthala",
            "Somsak|Bounmy|Phonesavanh|Khamphet",
            "Vongsa|Phommachanh|Keomany|Sisouk|Inthavong|Xayavong"),
    "indonesian": ("Siti|Dewi|Rina|Ayu",
                   "Budi|Agus|Hendra|Rizal",
                   "Rahayu|Santoso|Wibowo|Hidayat|Kusuma|Nasution"),
    "filipino": ("Maria Cristina|Rosario|Analyn|Jocelyn",
                 "Jose Miguel|Ramon|Rodel|Eduardo",
                 "Reyes|Santos|Dela Cruz|Bautista|Villanueva|Mendoza|Ocampo"),
    "pacific": ("Mere|Sera|Losaline|Teresia|Miriama|Mele|Tebwebwe",
                "Tevita|Sione|Semisi|Iosefa|Taneti|Anote|Jonah",
                "Tabe|Tebano|Natano|Kalsakau|Tuilagi|Fonua|Havili|Teannaki|Iati|Waqa|Sope|Kaitu"),
    "spanish": ("María José|Gabriela|Ximena|Lucía|Daniela|Mariela|Inés|Verónica|Ana Belén|Rocío",
                "José Luis|Andrés|Héctor|Julián|Rodrigo|Luis Fernando|Martín|Óscar|Iván|Tomás",
                "Martínez|Rodríguez|Gómez|Pérez|Fernández|Hernández|Castillo|Vargas|Núñez|Ibáñez|Céspedes|Ordóñez|Peña|Sánchez"),
    "andean": ("María José|Ximena|Daniela|Rocío|Wendy|Inés",
               "José Luis|Wilfredo|Rodrigo|Edwin|Marco Antonio|Julián",
               "Quispe|Mamani|Condori|Huamán|Choque|Vargas|Gutiérrez|Rojas|Salazar"),
    "brazil": ("Luíza|Ana Cláudia|Fernanda|Beatriz",
               "João Paulo|Marcelo|Rogério|Thiago",
               "Souza|Oliveira|Araújo|Carvalho|Gonçalves|Ribeiro"),
    "caribbean_en": ("Shanice|Keisha|Marcia|Andrea|Natalie|Sharlene",
                     "Andre|Dwayne|Marlon|Kareem|Trevor|Rawle",
                     "Campbell|Williams|Baptiste|Charles|Joseph|Persaud|Ramdial|Thomas|Francis|Gordon"),
    "haiti": ("Marie-Claude|Nadège|Widline|Rose-Marie|Guerda",
              "Jean-Robert|Wilner|Frantz|Jean-Baptiste|Réginald",
              "Pierre|Jean-Louis|Dorvil|Célestin|Saint-Fleur|Joseph|Noël"),
    "central_asian": ("Aigul|Gulnara|Dilnoza|Malika|Zarina|Nodira",
                      "Bakyt|Rustam|Farrukh|Timur|Azamat|Jamshid",
                      "Abdullaev|Rakhimov|Toktogulov|Nazarov|Yusupov|Sharipov|Mirzoev|Usmonov"),
    "mongolian": ("Oyunchimeg|Sarangerel|Enkhtuya|Bolormaa",
                  "Batbayar|Ganzorig|Tömörbaatar|Enkhbold",
                  "Dorj|Bat-Erdene|Ganbaatar|Tsogt|Sükhbaatar"),
    "armenian": ("Anahit|Lusine|Mariam|Armine",
                 "Armen|Tigran|Davit|Hovhannes",
                 "Petrosyan|Hakobyan|Grigoryan|Sargsyan|Avetisyan"),
    "georgian": ("Nino|Tamar|Ketevan|Mariam",
                 "Giorgi|Levan|Irakli|Davit",
                 "Beridze|Kapanadze|Gelashvili|Lomidze|Tsiklauri"),
    "turkish": ("Şeyma|Elif|Zeynep|Gülşen",
                "Emre|Mehmet|Burak|Oğuz",
                "Yılmaz|Kaya|Demir|Şahin|Öztürk|Çelik"),
    "persian": ("Maryam|Shirin|Niloufar|Parisa",
                "Reza|Hossein|Mehdi|Amir",
                "Hosseini|Moradi|Tehrani|Jafari|Rostami"),
    "vietnamese": ("Lan|Hương|Thảo|Ngọc Anh",
                   "Minh|Tuấn|Quang Huy|Đức",
                   "Nguyễn|Trần|Lê|Phạm|Hoàng|Vũ"),
    "burmese": ("Thiri|Ei Ei|Khin|Nandar|May",
                "Aung|Kyaw|Zaw|Min|Htet",
                "Win|Thu|Myint|Oo|Lwin|Naing"),
    "french": ("Hélène|Camille|Aurélie", "Mathieu|Grégoire|Étienne",
               "Dubois|Lefèvre|Moreau|Girard"),
    "norwegian": ("Ingrid|Solveig|Kari", "Bjørn|Håkon|Eirik",
                  "Haugen|Østby|Løvås|Berg"),
    "german": ("Katharina|Jana|Ulrike", "Matthias|Jürgen|Stefan",
               "Schäfer|Groß|Becker|Köhler"),
    "english": ("Eleanor|Harriet|Fiona", "James|Oliver|Rupert",
                "Hughes|Whitfield|Pemberton|Clarke"),
    "japanese": ("Haruka|Yumi|Aiko", "Kenji|Takeshi|Daisuke",
                 "Satō|Itō|Tanaka|Yamamoto"),
}


def person(r, style, gender):
    women, men, families = (x.split("|") for x in NAMES[style])
    given = r.choice(women if gender == "F" else men)
    family = r.choice(families)
    if style == "vietnamese":
        middle = "Thị" if gender == "F" else "Văn"
        if " " in given:
            return "%s %s" % (family, given)
        return "%s %s %s" % (family, middle, given)
    if style == "burmese":
        # Myanmar names have no family name: two or three syllables.
        return "%s %s" % (given, family) if r.random() < 0.5 else \
            "%s %s %s" % (given, r.choice(men if gender == "M" else women), family)
    if style == "central_asian" and gender == "F":
        family += "a"
    if style == "mongolian":
        return "%s %s" % (family, given)
    return "%s %s" % (given, family)


def build_rosters():
    """Each country has a few standing delegates who travel to sessions."""
    r = rng_for("rosters")
    rosters = {}
    for iso3 in sorted(COUNTRY_INFO):
        style = COUNTRY_INFO[iso3][1]
        people = []
        seen = set()
        size = r.randint(4, 7)
        while len(people) < size:
            gender = "F" if r.random() < 0.44 else "M"
            name = person(r, style, gender)
            if name not in seen:
                seen.add(name)
                people.append((name, gender))
        rosters[iso3] = people
    return rosters


ROSTERS = build_rosters()

# ---------------------------------------------------------------- fares

# Economy return fares in USD (low, high) by the delegate's sub-region and
# the venue's zone.
FARES = {
    "eu": {"west_africa": (1050, 1750), "central_africa": (1250, 2100),
           "east_africa": (950, 1650), "southern_africa": (1150, 1850),
           "north_africa": (420, 800), "middle_east": (550, 1050),
           "south_asia": (750, 1350), "southeast_asia": (950, 1600),
           "east_asia": (900, 1500), "central_asia": (550, 1000),
           "pacific": (2400, 3400), "caribbean": (1150, 1850),
           "central_america": (1100, 1700), "south_america": (1250, 2000),
           "europe": (320, 650)},
    "nyc": {"west_africa": (1300, 2000), "central_africa": (1500, 2300),
            "east_africa": (1450, 2200), "southern_africa": (1450, 2150),
            "north_africa": (950, 1450), "middle_east": (1000, 1600),
            "south_asia": (1300, 1950), "southeast_asia": (1400, 2200),
            "east_asia": (1100, 1700), "central_asia": (1150, 1700),
            "pacific": (1800, 2900), "caribbean": (380, 800),
            "central_america": (420, 850), "south_america": (650, 1350),
            "europe": (600, 1050)},
    "pvr": {"west_africa": (1550, 2300), "central_africa": (1700, 2600),
            "east_africa": (1700, 2500), "southern_africa": (1700, 2500),
            "north_africa": (1200, 1800), "middle_east": (1300, 1900),
            "south_asia": (1600, 2300), "southeast_asia": (1500, 2300),
            "east_asia": (1200, 1800), "central_asia": (1400, 2000),
            "pacific": (1700, 2800), "caribbean": (500, 1000),
            "central_america": (380, 800), "south_america": (650, 1300),
            "europe": (900, 1450)},
    "rak": {"west_africa": (550, 1050), "central_africa": (850, 1450),
            "east_africa": (950, 1550), "southern_africa": (1150, 1750),
            "north_africa": (300, 600), "middle_east": (650, 1150),
            "south_asia": (950, 1550), "southeast_asia": (1150, 1900),
            "east_asia": (1150, 1750), "central_asia": (850, 1350),
            "pacific": (2500, 3400), "caribbean": (1150, 1750),
            "central_america": (1100, 1650), "south_america": (1150, 1850),
            "europe": (300, 600)},
}
FRANCOPHONE_STYLES = {"west_fr", "central_fr", "great_lakes", "malagasy"}


def fare_currency(r, sess, iso3):
    style = COUNTRY_INFO[iso3][1]
    group = COUNTRIES[iso3]["region_group"]
    if sess.zone == "pvr" and group == "GRULAC" and r.random() < 0.55:
        return "MXN"
    if sess.venue == GVA and r.random() < 0.12:
        return "CHF"
    if sess.zone in ("eu", "rak") and style in FRANCOPHONE_STYLES | {"lusophone"} \
            and r.random() < 0.4:
        return "EUR"
    if sess.zone in ("eu", "rak") and r.random() < 0.06:
        return "EUR"
    return "USD"


# ---------------------------------------------------------------- requests


class Request:
    pass


# Delegations that make edge cases of the country table visible: Equatorial
# Guinea left the LDC list on 2017-06-04 (tier 1 at its2, tier 2 at its3);
# the State of Palestine (observer) has no regional group; Türkiye is in
# WEOG but developing.
FORCED = {"its2": [("GNQ", 1)], "its3": [("GNQ", 1)], "neg2": [("TUR", 1)],
          "neg3": [("PSE", 2)]}


def pick_weighted(r, items, weights):
    total = sum(weights)
    x = r.uniform(0, total)
    for item, w in zip(items, weights):
        x -= w
        if x <= 0:
            return item
    return items[-1]


def build_requests():
    r = rng_for("requests")
    base_weight = {iso3: r.uniform(0.4, 2.0) for iso3 in sorted(COUNTRY_INFO)}
    out = []
    for sess in SESS:
        if sess.id == "hearing":
            continue
        lo, hi = REQUEST_RANGE[sess.id]
        target = r.randint(lo, hi)
        eligible = [c for c in sorted(COUNTRY_INFO) if c not in INELIGIBLE]
        ldcs = [c for c in eligible if tier(c, sess.start) == 1]
        devs = [c for c in eligible if tier(c, sess.start) == 2]

        def weight(c):
            w = base_weight[c]
            group = COUNTRIES[c]["region_group"]
            zone = COUNTRY_INFO[c][0]
            if sess.zone == "pvr" and group == "GRULAC":
                w *= 4
            if sess.zone == "rak" and group == "African":
                w *= 1.3
            if sess.venue == VIE and zone in ("europe", "central_asia"):
                w *= 1.6
            if sess.zone == "nyc" and zone in ("caribbean", "pacific"):
                w *= 1.3
            return w

        delegations = list(FORCED.get(sess.id, []))  # (country, size)
        count = sum(n for _, n in delegations)
        for _ in range(r.randint(1, 3)):
            delegations.append((r.choice(INELIGIBLE), 1))
            count += 1
        ldc_share = 0.35 if sess.zone == "pvr" else 0.52
        while count < target:
            if r.random() < ldc_share:
                c = pick_weighted(r, ldcs, [weight(x) for x in ldcs])
                size = pick_weighted(r, [1, 2, 3, 4], [64, 24, 8, 4])
            else:
                c = pick_weighted(r, devs, [weight(x) for x in devs])
                size = pick_weighted(r, [1, 2, 3], [82, 15, 3])
            if any(c == x for x, _ in delegations) and r.random() < 0.9:
                continue  # a second note from the same mission is rarer
            size = min(size, target - count)
            delegations.append((c, size))
            count += size
        r.shuffle(delegations)

        used = {}  # country -> delegates already put forward for the session
        rows = []
        latest = sess.start - dt.timedelta(days=14)
        earliest = sess.start - dt.timedelta(days=56)
        span = (latest - earliest).days * 86400
        for c, size in delegations:
            base = dt.datetime.combine(earliest, dt.time(0)) + \
                dt.timedelta(seconds=r.randrange(span))
            # office hours, mostly
            base = base.replace(hour=r.choice([6, 7, 8, 9, 9, 10, 10, 11, 12,
                                              13, 14, 14, 15, 16, 17, 18]))
            together = r.random() < 0.6
            when = base
            roster = ROSTERS[c]
            for k in range(size):
                if k and not together:
                    when = when + dt.timedelta(seconds=r.randrange(10 * 86400))
                    limit = dt.datetime.combine(latest, dt.time(17))
                    if when > limit:
                        when = limit - dt.timedelta(seconds=r.randrange(3 * 86400))
                free = [p for p in roster if p[0] not in used.setdefault(c, set())]
                if not free:
                    break
                name, gender = r.choice(free) if r.random() < 0.35 else free[0]
                used[c].add(name)
                rows.append((when, c, name, gender, len(rows)))
        rows.sort(key=lambda x: (x[0], x[4]))
        for n, (when, c, name, gender, _) in enumerate(rows, 1):
            q = Request()
            q.ref = "R-%s-%03d" % (sess.id, n)
            q.session = sess
            q.country = c
            q.delegate = name
            q.gender = gender
            q.submitted = when
            q.tier = tier(c, sess.start)
            lo_f, hi_f = FARES[sess.zone][COUNTRY_INFO[c][0]]
            while True:
                usd = r.randrange(lo_f * 100, hi_f * 100 + 1)
                cur = fare_currency(r, sess, c)
                if cur != "USD" and not 40000 <= usd <= 330000:
                    cur = "USD"
                units = from_usd(usd, cur, when.date())
                if cur != "USD":
                    # fares quoted in whole units half the time
                    if r.random() < 0.5:
                        units = (units // 10 ** MINOR[cur]) * 10 ** MINOR[cur]
                at_alloc = to_usd(units, cur, sess.alloc_date)
                if 31000 <= at_alloc <= 345000:
                    break
            q.fare_units, q.fare_currency = units, cur
            q.fare_usd = at_alloc
            q.dsa_total = to_minor(sess.dsa, "USD") * (sess.days + EXTRA_DAYS)
            q.terminal = to_minor(sess.terminal, "USD")
            q.cost = q.fare_usd + q.dsa_total + q.terminal
            q.psc = half_even(q.cost * PSC_RATE)
            q.charge = q.cost + q.psc
            out.append(q)
    return out


REQUESTS = build_requests()
REQ_BY_REF = {q.ref: q for q in REQUESTS}


def plan_actuals():
    """Actual direct cost, its currency and date for every request (only
    those that travel end up in costs.csv)."""
    r = rng_for("costs")
    for q in REQUESTS:
        s = q.session
        q.cost_date = s.end + dt.timedelta(days=r.randint(7, 21))
        # mostly close to the estimate, a few well below or above it
        factor = Fraction(round(r.triangular(8600, 10900, 10150)), 10000)
        usd = half_even(q.cost * factor)
        cur = "USD"
        x = r.random()
        if s.venue == GVA and x < 0.12:
            cur = "CHF"
        elif s.venue == VIE and x < 0.15:
            cur = "EUR"
        elif s.zone == "pvr" and x < 0.15:
            cur = "MXN"
        elif s.zone == "rak" and x < 0.10:
            cur = "EUR"
        q.actual_units = from_usd(usd, cur, q.cost_date)
        q.actual_currency = cur
        q.actual_usd = to_usd(q.actual_units, cur, q.cost_date)


plan_actuals()

# ---------------------------------------------------------------- calibration

ELIGIBLE_CHARGE = sum(q.charge for q in REQUESTS if q.tier)


def roundish(x):
    """Rounds a positive number the way pledges are made: to a multiple of
    five in the third significant figure (1352000 -> 1350000)."""
    if x <= 0:
        return 0
    step = 5 * 10 ** (int(math.floor(math.log10(x))) - 2)
    return int(round(x / step)) * step


def build_money(scale):
    """Pledge and receipt rows for a given scale of the travel pools."""
    pledges, receipts = [], []
    for ref, donor, date, amount, cur, pool, due, plan in PLEDGES:
        if ref in CORE:
            amount = roundish(amount * scale)
        units = to_minor(str(amount), cur)
        pledges.append(dict(ref=ref, donor=donor, date=date, units=units,
                            currency=cur, pool=pool, due=due))
        paid = 0
        for n, (rdate, share) in enumerate(plan, 1):
            part = units - paid if share is None else half_even(units * share)
            paid += part
            receipts.append(dict(ref="RC-%s-%d" % (ref[3:], n), date=rdate,
                                 units=part, currency=cur, pledge=ref,
                                 donor="", pool=""))
    for ref, date, amount, cur, donor, pool in LOOSE_RECEIPTS:
        receipts.append(dict(ref=ref, date=date,
                             units=to_minor(str(amount), cur), currency=cur,
                             pledge="", donor=donor, pool=pool))
    receipts.sort(key=lambda x: (x["date"], x["ref"]))
    return pledges, receipts


def receipt_pool(rc, pledge_by_ref):
    return pledge_by_ref[rc["pledge"]]["pool"] if rc["pledge"] else rc["pool"]


def travel_cash(pledges, receipts):
    by_ref = {p["ref"]: p for p in pledges}
    return sum(to_usd(rc["units"], rc["currency"], d(rc["date"]))
               for rc in receipts if receipt_pool(rc, by_ref) in TRAVEL_POOLS)


def core_cash(pledges, receipts):
    return sum(to_usd(rc["units"], rc["currency"], d(rc["date"]))
               for rc in receipts if rc["pledge"] in CORE)


_p, _r = build_money(1)
SCALE = float((CALIBRATION_TARGET * ELIGIBLE_CHARGE - travel_cash(_p, _r)
               + core_cash(_p, _r)) / core_cash(_p, _r))
PLEDGE_ROWS, RECEIPT_ROWS = build_money(SCALE)
PLEDGE_BY_REF = {p["ref"]: p for p in PLEDGE_ROWS}

# ---------------------------------------------------------------- simulation


class Books:
    """A simplified model of the fund's books, enough to replay DESIGN.md
    sections 4 and 9 on the sample and see which requests get funded."""

    def __init__(self):
        self.cash = {p: 0 for p in POOLS}
        self.receipts = {p: 0 for p in POOLS}
        self.commit = {}  # ref -> [(pool, amount)]
        self.status = {}
        self.reason = {}
        self.refused = []

    def committed(self, pool):
        return sum(a for draws in self.commit.values() for p, a in draws if p == pool)

    def available(self, pool):
        return self.cash[pool] - self.committed(pool)

    def receive(self, pool, cents):
        self.cash[pool] += cents
        self.receipts[pool] += cents

    def allocate(self, sess, requests):
        later_days = sum(s.days for s in SESS if s.start >= sess.start)
        share = Fraction(sess.days, later_days)
        allow = {p: math.floor(self.available(p) * share) for p in TRAVEL_POOLS}
        mine = [q for q in requests if q.session is sess]
        for q in mine:
            if q.tier is None:
                self.status[q.ref] = "rejected"
                self.reason[q.ref] = "not-eligible"
        for t in (1, 2):
            queue = sorted((q for q in mine if q.tier == t),
                           key=lambda q: (q.submitted, q.ref))
            for q in queue:
                funded = sum(1 for x in mine if x.country == q.country and
                             self.status.get(x.ref) in ("funded", "disbursed"))
                if funded >= QUOTA[t]:
                    self.status[q.ref], self.reason[q.ref] = "waitlisted", "quota"
                    continue
                pools = DRAW_ORDER[t]
                if sum(allow[p] for p in pools) < q.charge:
                    self.status[q.ref] = "waitlisted"
                    self.reason[q.ref] = "insufficient-funds"
                    continue
                need, draws = q.charge, []
                for p in pools:
                    take = min(need, allow[p])
                    if take:
                        draws.append((p, take))
                        allow[p] -= take
                        need -= take
                self.commit[q.ref] = draws
                self.status[q.ref], self.reason[q.ref] = "funded", ""

    def cancel(self, q):
        if self.status.get(q.ref) == "funded":
            del self.commit[q.ref]
        self.status[q.ref] = "cancelled"

    def disburse(self, q):
        actual = q.actual_usd
        charge = actual + half_even(actual * PSC_RATE)
        draws = self.commit[q.ref]
        need = charge
        taken = []
        for p, a in draws:
            take = min(need, a)
            taken.append((p, take))
            need -= take
        if need:
            del self.commit[q.ref]
            avail = {p: self.available(p) for p in DRAW_ORDER[q.tier]}
            if sum(avail.values()) < need:
                self.commit[q.ref] = draws
                self.refused.append(q.ref)
                return False
            for p in DRAW_ORDER[q.tier]:
                take = min(need, avail[p])
                taken.append((p, take))
                need -= take
        else:
            del self.commit[q.ref]
        for p, take in taken:
            self.cash[p] -= take
        self.status[q.ref] = "disbursed"
        return True

    def spend(self, cents):
        charge = cents + half_even(cents * PSC_RATE)
        assert self.available("prep") >= charge, "prep pool cannot pay a spend"
        self.cash["prep"] -= charge


# Sessions in which one funded delegate cancels; in the last one, also a
# waitlisted request is withdrawn.
CANCEL_SESSIONS = ["its2", "its5", "stocktake", "neg2", "neg4", "neg6"]
CANCEL_WAITLISTED = "neg6"


def simulate():
    books = Books()
    r = rng_for("cancellations")
    events = []  # (date, priority, seq, kind, payload)
    seq = [0]

    def push(day, prio, kind, payload):
        seq[0] += 1
        heapq.heappush(events, (day, prio, seq[0], kind, payload))

    for rc in RECEIPT_ROWS:
        push(d(rc["date"]), 0, "receipt", rc)
    for ref, date, amount, _ in SPEND:
        push(d(date), 3, "spend", to_minor(amount, "USD"))
    for s in SESS:
        if s.id != "hearing":
            push(s.alloc_date, 4, "allocate", s)
    cancels = []
    while events:
        day, _, _, kind, payload = heapq.heappop(events)
        if kind == "receipt":
            pool = receipt_pool(payload, PLEDGE_BY_REF)
            books.receive(pool, to_usd(payload["units"], payload["currency"], day))
        elif kind == "spend":
            books.spend(payload)
        elif kind == "allocate":
            s = payload
            books.allocate(s, REQUESTS)
            mine = [q for q in REQUESTS if q.session is s]
            funded = [q for q in mine if books.status[q.ref] == "funded"]
            if s.id in CANCEL_SESSIONS and funded:
                q = r.choice(funded)
                cancels.append((q, s.start - dt.timedelta(days=r.randint(2, 5))))
                push(cancels[-1][1], 2, "cancel", q)
            if s.id == CANCEL_WAITLISTED:
                wl = [q for q in mine if books.status[q.ref] == "waitlisted"]
                if wl:
                    q = r.choice(wl)
                    cancels.append((q, s.start - dt.timedelta(days=r.randint(2, 5))))
                    push(cancels[-1][1], 2, "cancel", q)
            for q in funded:
                push(q.cost_date, 1, "disburse", q)
        elif kind == "cancel":
            books.cancel(payload)
        elif kind == "disburse":
            if books.status[payload.ref] == "funded":
                books.disburse(payload)
    return books, cancels


BOOKS, CANCELS = simulate()
CANCELLED = {q.ref for q, _ in CANCELS}


def choose_costs():
    """Costs for every simulated disbursement, topped up in allocation order
    to about 80% of each session's eligible requests."""
    chosen = set()
    for s in SESS:
        mine = [q for q in REQUESTS if q.session is s and q.tier]
        if not mine:
            continue
        want = round(0.8 * len(mine))
        picked = [q for q in mine if BOOKS.status[q.ref] == "disbursed"]
        order = sorted(mine, key=lambda q: (q.tier, q.submitted, q.ref))
        for q in order:
            if len(picked) >= want:
                break
            if q in picked or q.ref in CANCELLED:
                continue
            if BOOKS.reason.get(q.ref) == "quota":
                continue
            picked.append(q)
        chosen.update(q.ref for q in picked)
    return sorted((REQ_BY_REF[x] for x in chosen),
                  key=lambda q: (q.session.start, q.ref))


COSTS = choose_costs()

# ---------------------------------------------------------------- checks


def check():
    # currencies and amounts
    used_currencies = set()
    for p in PLEDGE_ROWS:
        used_currencies.add(p["currency"])
    for rc in RECEIPT_ROWS:
        used_currencies.add(rc["currency"])
    for q in REQUESTS:
        used_currencies.add(q.fare_currency)
    for q in COSTS:
        used_currencies.add(q.actual_currency)
    assert used_currencies <= set(MINOR), used_currencies
    non_usd = used_currencies - {"USD"}
    assert non_usd <= set(RATES), non_usd - set(RATES)
    assert "USD" not in RATES
    for cur, rows in RATES.items():
        assert [day for day, _ in rows] == [month_start(i) for i in range(RATE_MONTHS)]
        assert rows[0][0] == dt.date(2016, 12, 1) and rows[-1][0] == dt.date(2018, 12, 1)
        for _, text in rows:
            assert re.fullmatch(r"\d+\.\d{2,6}", text) and Fraction(text) > 0
        vals = [float(t) for _, t in rows]
        for a, b in zip(vals, vals[1:]):
            assert abs(b / a - 1) < 0.06, (cur, a, b)  # gentle drift

    # every date at which something is converted has a rate on or before it
    dates = [d(p["date"]) for p in PLEDGE_ROWS] + \
        [d(rc["date"]) for rc in RECEIPT_ROWS] + \
        [s.alloc_date for s in SESS] + [q.cost_date for q in COSTS] + \
        [q.submitted.date() for q in REQUESTS]
    assert min(dates) >= RATE_FIRST, min(dates)

    # sessions
    ids = [s.id for s in SESS]
    assert len(set(ids)) == len(ids) == 15
    assert all(SAFE_ID.match(x) for x in ids)
    assert [s.start for s in SESS] == sorted(s.start for s in SESS)
    with_requests = {q.session.id for q in REQUESTS}
    for s in SESS:
        if s.travel_budget:
            assert s.id not in with_requests
        else:
            assert s.id in with_requests, s.id
    assert [SESS_BY_ID["neg%d" % i].days for i in range(1, 7)] == [3, 4, 4, 5, 5, 5]
    assert all(SESS_BY_ID["its%d" % i].days == 2 for i in range(1, 7))
    assert SESS_BY_ID["stocktake"].days == 3 and SESS_BY_ID["conf"].days == 2
    assert SESS_BY_ID["conf"].start == dt.date(2018, 12, 10)

    # donors
    assert len(DONORS) >= 20 and len(DONOR_IDS) == len(DONORS)
    assert {t for _, _, t, _ in DONORS} == {"state", "igo", "private", "foundation", "other"}
    for did, name, typ, country in DONORS:
        assert DONOR_ID.match(did)
        assert (typ == "state") == bool(country)
        assert not country or country in COUNTRIES, country
    assert any("," in n for _, n, _, _ in DONORS)
    assert any(any(ord(c) > 127 for c in n) for _, n, _, _ in DONORS)

    # pledges
    refs = [p["ref"] for p in PLEDGE_ROWS]
    assert len(set(refs)) == len(refs)
    assert {p["pool"] for p in PLEDGE_ROWS} == set(POOLS)
    for p in PLEDGE_ROWS:
        assert p["donor"] in DONOR_IDS and p["currency"] in MINOR
        assert "2016-12-01" <= p["date"] <= "2018-06-30", p
        assert not p["due"] or p["due"] > p["date"]
        assert p["units"] > 0

    # receipts
    rrefs = [rc["ref"] for rc in RECEIPT_ROWS]
    assert len(set(rrefs)) == len(rrefs)
    owed = {p["ref"]: p["units"] for p in PLEDGE_ROWS}
    for rc in sorted(RECEIPT_ROWS, key=lambda x: (x["date"], x["ref"])):
        assert rc["units"] > 0
        if rc["pledge"]:
            p = PLEDGE_BY_REF[rc["pledge"]]
            assert rc["currency"] == p["currency"]
            assert rc["date"] >= p["date"]
            assert not rc["donor"] and not rc["pool"]
            owed[p["ref"]] -= rc["units"]
            assert owed[p["ref"]] >= 0, "receipt %s exceeds what is owed" % rc["ref"]
        else:
            assert rc["donor"] in DONOR_IDS and rc["pool"] in POOLS
    unpaid = [x for x in owed if owed[x] == PLEDGE_BY_REF[x]["units"]]
    partial = [x for x in owed if 0 < owed[x] < PLEDGE_BY_REF[x]["units"]]
    assert 2 <= len(unpaid) <= 3, unpaid
    assert partial
    assert sum(1 for rc in RECEIPT_ROWS if not rc["pledge"]) >= 2

    # requests
    qrefs = [q.ref for q in REQUESTS]
    assert len(set(qrefs)) == len(qrefs)
    per_session = {}
    for q in REQUESTS:
        assert SAFE_ID.match(q.ref) and q.ref.startswith("R-" + q.session.id)
        assert q.country in COUNTRIES, q.country
        assert q.gender in ("F", "M")
        lead = q.session.start - q.submitted.date()
        assert dt.timedelta(days=14) <= lead <= dt.timedelta(days=56), (q.ref, lead)
        assert q.submitted.date() < q.session.alloc_date
        assert 30000 <= q.fare_usd <= 350000, (q.ref, q.fare_usd)
        assert q.delegate and "\n" not in q.delegate
        per_session.setdefault(q.session.id, []).append(q)
    for sid, qs in per_session.items():
        assert 25 <= len(qs) <= 45, (sid, len(qs))
        assert 1 <= sum(1 for q in qs if q.tier is None) <= 3
        assert len({q.delegate + q.country for q in qs}) == len(qs)
    crowded_ldc = crowded_dev = 0
    for sid, qs in per_session.items():
        counts = {}
        for q in qs:
            counts[q.country] = counts.get(q.country, 0) + 1
        crowded_ldc += any(n > 2 and tier(c, SESS_BY_ID[sid].start) == 1
                           for c, n in counts.items())
        crowded_dev += any(n > 1 and tier(c, SESS_BY_ID[sid].start) == 2
                           for c, n in counts.items())
    assert crowded_ldc >= 6 and crowded_dev >= 6, (crowded_ldc, crowded_dev)
    assert {q.fare_currency for q in REQUESTS} == {"USD", "EUR", "CHF", "MXN"}
    assert any(any(ord(c) > 127 for c in q.delegate) for q in REQUESTS)
    # the dated LDC list matters: Equatorial Guinea graduated on 2017-06-04
    gnq = {q.session.id: q.tier for q in REQUESTS if q.country == "GNQ"}
    assert 1 in gnq.values() and 2 in gnq.values(), gnq

    # costs
    for q in COSTS:
        assert q.tier and q.ref not in CANCELLED
        assert q.session.end + dt.timedelta(days=7) <= q.cost_date <= \
            q.session.end + dt.timedelta(days=21)
        ratio = Fraction(q.actual_usd, q.cost)
        assert Fraction(85, 100) <= ratio <= Fraction(110, 100), (q.ref, float(ratio))
    for s in SESS:
        elig = [q for q in REQUESTS if q.session is s and q.tier]
        if elig:
            have = sum(1 for q in COSTS if q.session is s)
            assert 0.7 * len(elig) <= have, (s.id, have, len(elig))
    assert not BOOKS.refused, BOOKS.refused

    # cancellations
    assert 5 <= len(CANCELS) <= 8
    for q, day in CANCELS:
        assert q.session.start - dt.timedelta(days=5) <= day < q.session.start
        assert day > q.session.alloc_date

    # spend
    srefs = [x[0] for x in SPEND]
    assert len(set(srefs)) == len(srefs) and 6 <= len(SPEND) <= 10
    for ref, date, amount, memo in SPEND:
        assert date.startswith("2018-") and to_minor(amount, "USD") > 0
    prep_in = BOOKS.receipts["prep"]
    spend_charge = sum(to_minor(a, "USD") + half_even(to_minor(a, "USD") * PSC_RATE)
                       for _, _, a, _ in SPEND)
    assert spend_charge < 0.6 * prep_in, (spend_charge, prep_in)

    # calibration
    ratio = Fraction(travel_cash(PLEDGE_ROWS, RECEIPT_ROWS), ELIGIBLE_CHARGE)
    assert Fraction(60, 100) <= ratio <= Fraction(70, 100), float(ratio)
    # money runs short: every session of 2018 leaves requests waitlisted for
    # want of funds, and the travel pools end nearly empty
    late = [s for s in SESS if s.start >= dt.date(2018, 1, 1) and s.id != "hearing"]
    full = [s.id for s in late if not any(
        BOOKS.reason.get(q.ref) == "insufficient-funds"
        for q in REQUESTS if q.session is s)]
    assert not full, full
    assert sum(BOOKS.cash[p] for p in TRAVEL_POOLS) < 0.02 * travel_cash(
        PLEDGE_ROWS, RECEIPT_ROWS)


# ---------------------------------------------------------------- output


def write(name, header, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            assert len(row) == len(header)
            assert all("\r" not in str(x) for x in row)
            w.writerow(row)
    return len(rows)


# The session whose requests the Geneva office sends as its spreadsheet
# saves them (Excel in a European locale).
EXCEL_SESSION = "its3"
EXCEL_FILE = "requests-its3-excel.csv"


def excel_amount(text):
    """1456.19 as such a spreadsheet writes it: 1.456,19."""
    units, _, cents = text.partition(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    return ".".join(groups) + ("," + cents if cents else "")


def write_excel(name, session):
    """The requests of one session as Excel saves a sheet in a European
    locale ("CSV (semicolon delimited)"): ';' between fields, Windows-1252
    text, CRLF line ends, times DD/MM/YYYY HH:MM:SS, amounts with a
    decimal comma and '.' between thousands."""
    rows = [q for q in REQUESTS if q.session.id == session]
    with open(os.path.join(HERE, name), "w", newline="",
              encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["ref", "session", "country", "delegate", "submitted",
                    "fare", "fare_currency", "gender"])
        for q in rows:
            w.writerow([q.ref, q.session.id, q.country, q.delegate,
                        q.submitted.strftime("%d/%m/%Y %H:%M:%S"),
                        excel_amount(fmt(q.fare_units, q.fare_currency)),
                        q.fare_currency, q.gender])
    return len(rows)


def verify_excel(name, session):
    """The spreadsheet's file holds exactly the session's rows of
    requests.csv, written the spreadsheet's way, with accented names."""
    with open(os.path.join(HERE, name), "rb") as f:
        raw = f.read()
    assert raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"\r\n")
    assert any(b >= 0x80 for b in raw), "no accented name"
    text = raw.decode("cp1252")
    got = list(csv.reader(text.splitlines(), delimiter=";", strict=True))
    with open(os.path.join(HERE, "requests.csv"), newline="",
              encoding="utf-8") as f:
        want = [r for r in csv.reader(f)]
    want = [want[0]] + [r for r in want[1:] if r[1] == session]
    assert len(got) == len(want) > 10, name
    assert any("." in r[5] for r in got[1:]), "no amount over 1,000"
    for g, r in zip(got[1:], want[1:]):
        day, clock = g[4].split(" ")
        dd, mm, yyyy = day.split("/")
        assert "%s-%s-%sT%sZ" % (yyyy, mm, dd, clock) == r[4], g
        assert g[5].replace(".", "").replace(",", ".") == r[5], g
        assert g[:4] + g[6:] == r[:4] + r[6:], g


def verify_files():
    """Reads the written files back and checks them as an importer would:
    UTF-8, LF only, header, field counts, formats, references."""
    def read(name):
        with open(os.path.join(HERE, name), "rb") as f:
            raw = f.read()
        assert b"\r" not in raw and raw.endswith(b"\n"), name
        text = raw.decode("utf-8")
        rows = list(csv.reader(text.splitlines(), strict=True))
        assert all(len(r) == len(rows[0]) for r in rows), name
        return [dict(zip(rows[0], r)) for r in rows[1:]]

    def amount_ok(text, cur, negative=False):
        k = MINOR[cur]
        pat = r"-?\d+" if negative else r"\d+"
        if k:
            pat += r"(\.\d{1,%d})?" % k
        return re.fullmatch(pat, text) is not None

    def date_ok(text):
        return DATE_RE.match(text) and d(text)

    rates = read("rates.csv")
    rate_days = {}
    for r in rates:
        assert r["currency"] in MINOR and r["currency"] != "USD"
        assert date_ok(r["date"]) and re.fullmatch(r"\d+\.\d{1,6}", r["per_usd"])
        rate_days.setdefault(r["currency"], []).append(d(r["date"]))

    def covered(cur, day):
        return cur == "USD" or any(x <= day for x in rate_days[cur])

    sessions = {r["id"]: r for r in read("sessions.csv")}
    for r in sessions.values():
        assert SAFE_ID.match(r["id"]) and date_ok(r["start"])
        assert int(r["days"]) > 0 and int(r["extra_days"]) >= 0
        for col in ("dsa", "terminal"):
            assert amount_ok(r[col], "USD")
        assert r["travel_budget"] == "" or amount_ok(r["travel_budget"], "USD")
    donors = {r["id"]: r for r in read("donors.csv")}
    for r in donors.values():
        assert DONOR_ID.match(r["id"]) and r["name"]
        assert r["type"] in ("state", "igo", "private", "foundation", "other")
        assert r["country"] == "" or r["country"] in COUNTRIES
    pledges = {}
    for r in read("pledges.csv"):
        assert r["ref"] not in pledges and r["donor"] in donors
        assert date_ok(r["date"]) and amount_ok(r["amount"], r["currency"])
        assert r["pool"] in POOLS and (r["due"] == "" or date_ok(r["due"]))
        assert covered(r["currency"], d(r["date"]))
        pledges[r["ref"]] = dict(r, owed=to_minor(r["amount"], r["currency"]))
    seen = set()
    for r in read("receipts.csv"):
        assert r["ref"] not in seen
        seen.add(r["ref"])
        assert date_ok(r["date"]) and amount_ok(r["amount"], r["currency"])
        assert covered(r["currency"], d(r["date"]))
        if r["pledge"]:
            p = pledges[r["pledge"]]
            assert r["currency"] == p["currency"] and r["date"] >= p["date"]
            assert r["donor"] == "" and r["pool"] == ""
            p["owed"] -= to_minor(r["amount"], r["currency"])
            assert p["owed"] >= 0, r["ref"]
        else:
            assert r["donor"] in donors and r["pool"] in POOLS
    requests = {}
    for r in read("requests.csv"):
        assert r["ref"] not in requests and SAFE_ID.match(r["ref"])
        s = sessions[r["session"]]
        assert s["travel_budget"] == "" and r["country"] in COUNTRIES
        assert TIME_RE.match(r["submitted"]) and r["gender"] in ("F", "M")
        assert amount_ok(r["fare"], r["fare_currency"]) and r["delegate"]
        alloc = d(s["start"]) - dt.timedelta(days=ALLOCATION_LEAD)
        assert covered(r["fare_currency"], alloc)
        requests[r["ref"]] = r
    seen = set()
    for r in read("costs.csv"):
        assert r["ref"] in requests and r["ref"] not in seen
        seen.add(r["ref"])
        assert date_ok(r["date"]) and amount_ok(r["amount"], r["currency"])
        assert covered(r["currency"], d(r["date"]))
    seen = set()
    for r in read("cancellations.csv"):
        assert r["ref"] in requests and r["ref"] not in seen and date_ok(r["date"])
        seen.add(r["ref"])
    seen = set()
    for r in read("spend.csv"):
        assert r["ref"] not in seen and date_ok(r["date"]) and r["memo"]
        seen.add(r["ref"])
        assert r["currency"] == "USD" and amount_ok(r["amount"], "USD")


def usd(cents):
    return "%s" % fmt(cents, "USD")


def main():
    check()
    counts = {}
    counts["sessions.csv"] = write(
        "sessions.csv",
        ["id", "name", "venue", "start", "days", "dsa", "terminal",
         "extra_days", "travel_budget"],
        [[s.id, s.name, s.venue, iso(s.start), s.days, s.dsa, s.terminal,
          EXTRA_DAYS, s.travel_budget] for s in SESS])
    counts["rates.csv"] = write(
        "rates.csv", ["currency", "date", "per_usd"],
        [[cur, iso(day), text] for cur in sorted(RATES) for day, text in RATES[cur]])
    counts["donors.csv"] = write(
        "donors.csv", ["id", "name", "type", "country"],
        [list(x) for x in DONORS])
    counts["pledges.csv"] = write(
        "pledges.csv", ["ref", "donor", "date", "amount", "currency", "pool", "due"],
        [[p["ref"], p["donor"], p["date"], fmt(p["units"], p["currency"]),
          p["currency"], p["pool"], p["due"]] for p in PLEDGE_ROWS])
    counts["receipts.csv"] = write(
        "receipts.csv", ["ref", "date", "amount", "currency", "pledge", "donor", "pool"],
        [[rc["ref"], rc["date"], fmt(rc["units"], rc["currency"]), rc["currency"],
          rc["pledge"], rc["donor"], rc["pool"]] for rc in RECEIPT_ROWS])
    counts["requests.csv"] = write(
        "requests.csv",
        ["ref", "session", "country", "delegate", "submitted", "fare",
         "fare_currency", "gender"],
        [[q.ref, q.session.id, q.country, q.delegate,
          q.submitted.strftime("%Y-%m-%dT%H:%M:%SZ"),
          fmt(q.fare_units, q.fare_currency), q.fare_currency, q.gender]
         for q in REQUESTS])
    counts["costs.csv"] = write(
        "costs.csv", ["ref", "date", "amount", "currency"],
        [[q.ref, iso(q.cost_date), fmt(q.actual_units, q.actual_currency),
          q.actual_currency] for q in COSTS])
    counts["cancellations.csv"] = write(
        "cancellations.csv", ["ref", "date"],
        [[q.ref, iso(day)] for q, day in sorted(CANCELS, key=lambda x: (x[1], x[0].ref))])
    counts["spend.csv"] = write(
        "spend.csv", ["ref", "date", "amount", "currency", "memo"],
        [[ref, date, amount, "USD", memo] for ref, date, amount, memo in SPEND])

    counts[EXCEL_FILE] = write_excel(EXCEL_FILE, EXCEL_SESSION)

    verify_files()
    verify_excel(EXCEL_FILE, EXCEL_SESSION)
    for name, n in counts.items():
        print("%-24s %4d rows" % (name, n))
    print()
    eligible = [q for q in REQUESTS if q.tier]
    print("requests: %d, eligible %d (LDC %d, other developing %d), not eligible %d"
          % (len(REQUESTS), len(eligible), sum(q.tier == 1 for q in eligible),
             sum(q.tier == 2 for q in eligible), len(REQUESTS) - len(eligible)))
    print("charge of all eligible requests (USD):         %14s" % usd(ELIGIBLE_CHARGE))
    cash = {p: 0 for p in POOLS}
    for rc in RECEIPT_ROWS:
        cash[receipt_pool(rc, PLEDGE_BY_REF)] += to_usd(rc["units"], rc["currency"],
                                                        d(rc["date"]))
    travel = sum(cash[p] for p in TRAVEL_POOLS)
    for p in POOLS:
        print("cash received, %-12s (USD):             %14s" % (p, usd(cash[p])))
    print("cash received, travel-capable pools (USD):     %14s  = %.1f%% of the charge"
          % (usd(travel), 100 * travel / ELIGIBLE_CHARGE))
    spend = sum(to_minor(a, "USD") for _, _, a, _ in SPEND)
    print("preparation spend (USD):                       %14s  (+ 13%% PSC)" % usd(spend))
    print("core pledges scaled by %.4f from their nominal amounts" % SCALE)
    print()
    print("replay of the allocation rules (allocation a week before each session;")
    print("funded includes the grants later cancelled, no-$ = insufficient-funds):")
    print("%-10s %4s %4s %6s %4s %5s %6s %4s %5s %14s %14s" % (
        "session", "reqs", "elig", "funded", "canc", "quota", "no-$", "rej",
        "costs", "funded charge", "travel cash in"))
    for s in SESS:
        mine = [q for q in REQUESTS if q.session is s]
        if not mine:
            print("%-10s travel budget %s, no requests" % (s.id, s.travel_budget))
            continue
        st = lambda q: BOOKS.status.get(q.ref)
        rs = lambda q: BOOKS.reason.get(q.ref)
        funded = [q for q in mine if st(q) in ("funded", "disbursed")
                  or (st(q) == "cancelled" and q.ref in BOOKS.reason
                      and BOOKS.reason[q.ref] == "")]
        cash_in = sum(to_usd(rc["units"], rc["currency"], d(rc["date"]))
                      for rc in RECEIPT_ROWS if d(rc["date"]) <= s.alloc_date
                      and receipt_pool(rc, PLEDGE_BY_REF) in TRAVEL_POOLS)
        print("%-10s %4d %4d %6d %4d %5d %6d %4d %5d %14s %14s" % (
            s.id, len(mine), sum(1 for q in mine if q.tier), len(funded),
            sum(1 for q in mine if q.ref in CANCELLED),
            sum(1 for q in mine if rs(q) == "quota"),
            sum(1 for q in mine if rs(q) == "insufficient-funds"),
            sum(1 for q in mine if rs(q) == "not-eligible"),
            sum(1 for q in COSTS if q.session is s),
            usd(sum(q.charge for q in funded)), usd(cash_in)))
    print("pool cash after the last disbursement (USD): " + ", ".join(
        "%s %s" % (p, usd(BOOKS.cash[p])) for p in POOLS))


if __name__ == "__main__":
    main()
