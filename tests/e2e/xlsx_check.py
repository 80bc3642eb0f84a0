# SPDX-License-Identifier: MIT
"""Reading tfund's workbooks back with openpyxl: the checks the read-back
tests share (reports_readback.py, statement_period.py).

Every amount is compared as an exact Decimal: a cell's double is first
rounded to the minor unit (cents unless told), which recovers the decimal
the writer was given exactly as long as it is below 2^53 minor units.
"""
import datetime
import os
import re
import sys
from decimal import Decimal

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

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


def finish(summary):
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)
    print(summary)


def dec(v, unit=CENT):
    if v is None or v == "":
        return Decimal(0)
    if isinstance(v, float):
        return Decimal(repr(v)).quantize(unit)
    return Decimal(str(v))


def ymd(v):
    return v.strftime("%Y-%m-%d") if v else ""


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


def evaluate(ws, formula, unit=CENT):
    """The value of the formulas tfund writes: SUM, SUMIF, + and -."""
    expr = formula.lstrip("=")

    def sumif(m):
        crit = m.group(3)
        cond = list(range_cells(ws, m.group(1), m.group(2)))
        vals = list(range_cells(ws, m.group(4), m.group(5)))
        return "Decimal('%s')" % sum(
            (dec(v, unit) for c, v in zip(cond, vals) if c == crit),
            Decimal(0))

    expr = re.sub(r'SUMIF\((\w+):(\w+),"([^"]*)",(\w+):(\w+)\)', sumif, expr)
    expr = re.sub(
        r"SUM\((\w+):(\w+)\)",
        lambda m: "Decimal('%s')" % sum(
            (dec(v, unit) for v in range_cells(ws, m.group(1), m.group(2))
             if isinstance(v, (int, float))), Decimal(0)), expr)
    expr = REF.sub(
        lambda m: "Decimal('%s')" % dec(cell_value(ws, m.group(0)), unit),
        expr)
    check(re.fullmatch(r"[-+() 0-9Decimal'.]*", expr) is not None,
          f"{ws.title}: formula {formula} not understood")
    return eval(expr, {"Decimal": Decimal})


def unit_of(number_format):
    """The minor unit a money format shows: '#,##0.00 "USD"' -> 0.01."""
    m = re.match(r"#,##0(\.0+)?", number_format or "")
    if not m:
        return CENT
    return Decimal(1).scaleb(-(len(m.group(1)) - 1)) if m.group(1) \
        else Decimal(1)


# Account names, pool:amount draws and ISO timestamps: never on a sheet a
# donor reads.
MACHINE = [
    (re.compile(r"\b(assets|liabilities|revenue|expense|transfers|budget):"),
     "an account name"),
    (re.compile(r"\b[a-z][a-z-]*:-?[0-9]+(\.[0-9]+)?\b"), "pool:amount"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO timestamp"),
]


def machine_free(wb, name, sheets=None):
    """No cell of the sheets (all when None) shows machine syntax."""
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or c.data_type == "f":
                    continue
                for rx, what in MACHINE:
                    check(not rx.search(c.value),
                          f"{name}:{ws.title}!{c.coordinate}: {what} shown: "
                          f"{c.value!r}")


def page_setup(wb, name, fund_name, center=None):
    """Every sheet is headed with the fund, what the report is (and for
    whom) and its period, and numbered "page N of M"; a table's header
    row repeats on every page; wide sheets are landscape and scaled to
    the page's width, never to one page."""
    for ws in wb.worksheets:
        t = f"{name}:{ws.title}"
        head = ws.oddHeader
        check((head.left.text or "").replace("&&", "&") == fund_name[:80],
              f"{t}: header left {head.left.text!r}")
        right = (head.right.text or "").replace("&&", "&")
        if center:
            check(center in right, f"{t}: header {right!r} lacks {center!r}")
        check(re.search(r"\d{4}$", right) is not None,
              f"{t}: header {right!r} names no period or date")
        foot = ws.oddFooter
        check(foot.right.text == "Page &P of &N",
              f"{t}: footer {foot.right.text!r}")
        check(foot.left.text == "&A", f"{t}: footer {foot.left.text!r}")
        ps = ws.sheet_properties.pageSetUpPr
        check(ps is not None and ps.fitToPage,
              f"{t}: not scaled to the page")
        check(ws.page_setup.fitToWidth in (None, 1) and
              ws.page_setup.fitToHeight == 0,
              f"{t}: fit to {ws.page_setup.fitToWidth}x"
              f"{ws.page_setup.fitToHeight} pages (must be 1 wide, any "
              "height)")
        if ws.title == "Cover":
            continue
        width = sum((ws.column_dimensions[get_column_letter(c)].width or 8)
                    for c in range(1, ws.max_column + 1))
        if width > 110:  # tfund turns a sheet upright up to 100
            check(ws.page_setup.orientation == "landscape",
                  f"{t}: {width:.0f} characters wide, not landscape")
        ref = ws.auto_filter.ref
        if ref:
            first = int(REF.fullmatch(ref.split(":")[0]).group(2))
            check(ws.print_title_rows == f"${first}:${first}",
                  f"{t}: repeated rows {ws.print_title_rows}, header row "
                  f"{first}")
            # Numeric headers sit over their numbers, on the right.
            for c in ws[first]:
                below = ws.cell(row=first + 1, column=c.column)
                if isinstance(below.value, (int, float)) and c.value:
                    check(c.alignment.horizontal == "right",
                          f"{t}!{c.coordinate}: header {c.value!r} over "
                          "numbers is not right-aligned")


def check_workbook(path, fund_name, as_of, title_in_header=None):
    """Checks common to every workbook; returns (formulas, values)."""
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
    page_setup(wf, name, fund_name, title_in_header)
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
                    unit = unit_of(c.number_format)
                    want = evaluate(wsv, c.value, unit)
                    check(dec(cached, unit) == want,
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
        check(ws.freeze_panes is not None, f"{name}:{t}: header not frozen")
        ref = ws.auto_filter.ref
        if not check(bool(ref), f"{name}:{t}: no autofilter"):
            continue
        head = int(REF.fullmatch(ref.split(":")[0]).group(2))
        # A table with rows has its totals as formulas.
        check(nformulas > 0 or
              int(REF.fullmatch(ref.split(":")[1]).group(2)) == head,
              f"{name}:{t}: no totals as formulas")
        check(ws.freeze_panes == f"A{head + 1}",
              f"{name}:{t}: frozen at {ws.freeze_panes}, header row {head}")
        # Columns fit their content, up to the widths kept for long text,
        # which wraps (and its row is as tall as its lines).
        for row in ws[ref]:
            for c in row:
                v = c.value
                if v is None:
                    continue
                if isinstance(v, float) and "#,##0" in c.number_format:
                    n = len(f"{v:,.2f}") + 4
                elif isinstance(v, float) and "%" in c.number_format:
                    n = len(f"{v:.2%}")
                elif isinstance(v, datetime.datetime):
                    n = 10
                else:
                    n = len(str(v))
                letter = get_column_letter(c.column)
                width = ws.column_dimensions[letter].width or 0
                if c.alignment.wrap_text and n > width:
                    height = ws.row_dimensions[c.row].height or 15
                    check(height * width >= 15 * n * 0.8,
                          f"{name}:{t}!{c.coordinate}: {n} characters "
                          f"wrapped in {width:.0f} wide, {height} high")
                    continue
                check(width + 0.5 >= min(n, 30),
                      f"{name}:{t}: column {letter} is {width} wide for "
                      f"{v!r}")
    return wf, wv


def table(ws):
    """The rows of a sheet's table as dicts, from its autofilter; a blank
    header is the key "" (the lines' labels)."""
    ref = ws.auto_filter.ref
    a, b = ref.split(":")
    first = int(REF.fullmatch(a).group(2))
    last = int(REF.fullmatch(b).group(2))
    head = [c.value if c.value is not None else "" for c in ws[first]]
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


def rows_after(ws, label, col=1):
    """The rows below the one whose column col reads label, up to a blank
    row, as lists of values."""
    out, on = [], False
    for row in ws.iter_rows(values_only=True):
        if on:
            if all(v is None for v in row):
                break
            out.append(list(row))
        elif row[col - 1] == label:
            on = True
    return out


def cover(ws):
    return {r[0].value: r[1].value for r in ws.iter_rows(max_col=2)
            if r[0].value is not None}
