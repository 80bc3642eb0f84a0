#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The same workbook written by Python's XlsxWriter, to compare with tfund.

    xlsx_compare.py extract BOOK.xlsx ROWS.jsonl
        Reads a workbook tfund wrote (libxlsxwriter, constant-memory mode:
        inline strings) and writes, one JSON value per line, its cell
        formats, then each sheet (name, column widths, frozen panes,
        autofilter) followed by its rows: every cell's value, type and
        format. Not timed: it only prepares the input.

    xlsx_compare.py write ROWS.jsonl OUT.xlsx
        Writes the same rows with the same formats, row heights, panes,
        filters and widths with XlsxWriter (Debian's python3-xlsxwriter), also in
        constant-memory mode, reading ROWS.jsonl as it goes, so that
        its time and memory compare with 'tfund report', which reads the
        books as it writes. The cover's chart is not redrawn.
"""

import json
import re
import sys
import zipfile
from xml.etree import ElementTree as ET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# Built-in number formats that a style may name by id.
BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
           9: "0%", 10: "0.00%", 14: "mm-dd-yy"}


def color(el):
    if el is None:
        return None
    rgb = el.get("rgb")
    return "#" + rgb[2:] if rgb and len(rgb) == 8 else None


def styles(book):
    """XlsxWriter format properties of each cellXfs entry."""
    root = ET.fromstring(book.read("xl/styles.xml"))
    numfmts = dict(BUILTIN)
    for nf in root.iter(NS + "numFmt"):
        numfmts[int(nf.get("numFmtId"))] = nf.get("formatCode")
    fonts = []
    for f in root.find(NS + "fonts"):
        p = {}
        if f.find(NS + "b") is not None:
            p["bold"] = True
        if f.find(NS + "i") is not None:
            p["italic"] = True
        sz = f.find(NS + "sz")
        if sz is not None and sz.get("val") != "11":
            p["font_size"] = float(sz.get("val"))
        c = color(f.find(NS + "color"))
        if c:
            p["font_color"] = c
        fonts.append(p)
    fills = []
    for f in root.find(NS + "fills"):
        pf = f.find(NS + "patternFill")
        c = color(pf.find(NS + "fgColor")) if pf is not None else None
        fills.append({"pattern": 1, "bg_color": c} if c else {})
    borders = []
    for b in root.find(NS + "borders"):
        p = {}
        for side in ("top", "bottom", "left", "right"):
            el = b.find(NS + side)
            if el is not None and el.get("style") == "thin":
                p[side] = 1
        borders.append(p)
    out = []
    for xf in root.find(NS + "cellXfs"):
        p = {}
        n = int(xf.get("numFmtId", "0"))
        if n:
            p["num_format"] = numfmts.get(n, "General")
        p.update(fonts[int(xf.get("fontId", "0"))])
        p.update(fills[int(xf.get("fillId", "0"))])
        p.update(borders[int(xf.get("borderId", "0"))])
        al = xf.find(NS + "alignment")
        if al is not None:
            if al.get("horizontal"):
                p["align"] = al.get("horizontal")
            if al.get("indent"):
                p["indent"] = int(al.get("indent"))
            if al.get("wrapText") == "1":
                p["text_wrap"] = True
            if al.get("vertical"):
                p["valign"] = al.get("vertical")
        out.append(p)
    return out


def col_index(ref):
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def unescape(s):
    return (s.replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


CELL = re.compile(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?'
                  r'(?:/>|>(.*?)</c>)', re.S)
INLINE = re.compile(r"<t[^>]*>(.*?)</t>", re.S)
FORMULA = re.compile(r"<f>(.*?)</f>(?:<v>(.*?)</v>)?", re.S)
VALUE = re.compile(r"<v>(.*?)</v>", re.S)


def extract(src, dst):
    book = zipfile.ZipFile(src)
    wb = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    with open(dst, "w", encoding="utf-8") as out:
        out.write(json.dumps({"formats": styles(book)}) + "\n")
        for sh in wb.find(NS + "sheets"):
            xml = book.read("xl/" + target[sh.get(REL + "id")]).decode()
            head = xml[:xml.find("<sheetData")]
            widths = [(int(c.group(1)) - 1, int(c.group(2)) - 1,
                       float(c.group(3))) for c in re.finditer(
                           r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"',
                           head)]
            pane = re.search(r'<pane (?:xSplit="(\d+)" )?(?:ySplit="(\d+)" )?',
                             head)
            tail = xml[xml.find("</sheetData>"):]
            filt = re.search(r'<autoFilter ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"',
                             tail)
            out.write(json.dumps({
                "sheet": sh.get("name"), "widths": widths,
                "freeze": [int(pane.group(2) or 0), int(pane.group(1) or 0)]
                if pane else None,
                "filter": [int(filt.group(2)) - 1, col_index(filt.group(1)),
                           int(filt.group(4)) - 1, col_index(filt.group(3))]
                if filt else None}) + "\n")
            body = xml[xml.find("<sheetData"):xml.find("</sheetData>")]
            for row in re.finditer(r'<row r="(\d+)"([^>]*)>(.*?)</row>',
                                   body, re.S):
                ht = re.search(r'ht="([\d.]+)"', row.group(2))
                cells = []
                for c in CELL.finditer(row.group(3)):
                    col, style, kind, inner = (col_index(c.group(1)),
                                               int(c.group(3) or 0),
                                               c.group(4), c.group(5) or "")
                    if kind == "inlineStr":
                        text = "".join(INLINE.findall(inner))
                        cells.append([col, style, "s", unescape(text)])
                    elif "<f>" in inner:
                        f = FORMULA.search(inner)
                        cells.append([col, style, "f", unescape(f.group(1)),
                                      float(f.group(2) or 0)])
                    elif kind == "b":
                        cells.append([col, style, "b",
                                      VALUE.search(inner).group(1) == "1"])
                    elif "<v>" in inner:
                        cells.append([col, style, "n",
                                      float(VALUE.search(inner).group(1))])
                    else:
                        cells.append([col, style, "blank"])
                out.write(json.dumps([int(row.group(1)) - 1, cells,
                                      float(ht.group(1)) if ht else None])
                          + "\n")


def write(src, dst):
    import xlsxwriter

    wb = xlsxwriter.Workbook(dst, {"constant_memory": True})
    formats = []
    ws = None
    with open(src, encoding="utf-8") as fp:
        for line in fp:
            item = json.loads(line)
            if isinstance(item, dict) and "formats" in item:
                formats = [wb.add_format(p) if p else None
                           for p in item["formats"]]
            elif isinstance(item, dict):
                ws = wb.add_worksheet(item["sheet"])
                for first, last, width in item["widths"]:
                    ws.set_column(first, last, width)
                if item["freeze"]:
                    ws.freeze_panes(*item["freeze"])
                if item["filter"]:
                    ws.autofilter(*item["filter"])
            else:
                row, cells, height = item
                if height:
                    ws.set_row(row, height)
                for cell in cells:
                    col, fmt, kind = cell[0], formats[cell[1]], cell[2]
                    if kind == "s":
                        ws.write_string(row, col, cell[3], fmt)
                    elif kind == "n":
                        ws.write_number(row, col, cell[3], fmt)
                    elif kind == "f":
                        ws.write_formula(row, col, "=" + cell[3], fmt,
                                         cell[4])
                    elif kind == "b":
                        ws.write_boolean(row, col, cell[3], fmt)
                    else:
                        ws.write_blank(row, col, None, fmt)
    wb.close()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("extract", "write"):
        sys.exit(__doc__)
    (extract if sys.argv[1] == "extract" else write)(sys.argv[2],
                                                     sys.argv[3])


if __name__ == "__main__":
    main()
