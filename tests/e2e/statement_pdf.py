#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks donor statements as printed (run by statement_pdf.sh): each
workbook's PDF, as pdftotext -layout reads it, must show on every page
the fund, whom the statement is for and its period at the top and "Page
N of M" at the foot; its first page must name the donor and the period;
and every page of a table must carry the table's whole header row on one
line (the header repeats, and no page is narrower than its table, which
would cut the row and move columns to pages of their own).

usage: statement_pdf.py XLSX_DIR PDF_DIR FUND_NAME PERIOD_WORDS PERIOD_SHORT
"""
import os
import re
import subprocess
import sys

import openpyxl

xlsx_dir, pdf_dir, fund_name, period_words, period_short = sys.argv[1:6]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        if len(failures) <= 40:
            print("  " + msg, file=sys.stderr)
    return cond


FOOT = re.compile(r"^\s*(\S.*?)\s{2,}Page (\d+) of (\d+)\s*$")


def headers(path):
    """The header row of each sheet's table, by sheet name."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        ref = ws.auto_filter.ref
        if not ref:
            continue
        row = int(re.match(r"[A-Z]+(\d+)", ref).group(1))
        out[ws.title] = [c.value for c in ws[row] if c.value]
    return out


def has_row(lines, labels):
    """A line showing every label, in order."""
    for line in lines:
        pos = 0
        for label in labels:
            m = re.search(r"\s+".join(map(re.escape, label.split())),
                          line[pos:])
            if not m:
                break
            pos += m.end()
        else:
            return True
    return False


n = 0
for name in sorted(os.listdir(xlsx_dir)):
    if not name.endswith(".xlsx"):
        continue
    n += 1
    donor = name[:-5]
    pdf = os.path.join(pdf_dir, donor + ".pdf")
    if not check(os.path.exists(pdf), f"{donor}: no PDF"):
        continue
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    tables = headers(os.path.join(xlsx_dir, name))
    wb = openpyxl.load_workbook(os.path.join(xlsx_dir, name), read_only=True)
    cover_rows = {r[0]: r[1] for r in wb["Cover"].iter_rows(
        max_col=2, values_only=True) if r[0]}
    donor_name = cover_rows.get("Donor", "")
    flat = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    check(donor_name and donor_name in flat(pages[0]) and
          period_words in flat(pages[0]),
          f"{donor}: the first page does not name {donor_name!r} and "
          f"{period_words!r}")
    seen = set()
    for i, page in enumerate(pages, 1):
        lines = page.splitlines()
        top = flat(" ".join(lines[:6]))
        check(fund_name in top and f"Statement for {donor_name}" in top and
              period_short in top,
              f"{donor} page {i}: header {top[:160]!r}")
        foot = [FOOT.match(x) for x in lines[-4:]]
        foot = [m for m in foot if m]
        if not check(foot, f"{donor} page {i}: no 'Page N of M' footer"):
            continue
        sheet, num, total = foot[-1].group(1), int(foot[-1].group(2)), \
            int(foot[-1].group(3))
        # The sheet's name, should text of the page share its line.
        sheet = max((x for x in wb.sheetnames if sheet.endswith(x)),
                    key=len, default=sheet)
        check(num == i and total == len(pages),
              f"{donor} page {i}: numbered {num} of {total}, "
              f"{len(pages)} pages")
        seen.add(sheet)
        if sheet in tables:
            check(has_row(lines, tables[sheet]),
                  f"{donor} page {i} ({sheet}): the header row "
                  f"{tables[sheet]} is cut or missing")
    check(seen == set(wb.sheetnames),
          f"{donor}: sheets printed {sorted(seen)}, in the workbook "
          f"{wb.sheetnames}")

if failures:
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
if n == 0:
    print("no statements", file=sys.stderr)
    sys.exit(1)
print(f"{n} donor statements print with their headers, footers and "
      "whole header rows")
