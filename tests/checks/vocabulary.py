#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The books' vocabulary is spelled in the books module only.

Reads the names the books module defines (src/books/chart_sql.h: every
account, category, pool, request status and entry kind, each spelled
once) and scans every C file of the product outside src/books/ (src/,
reports/) for a string literal that spells one: a literal that is a
name (an account, a pool, a status), a literal that starts with an
account category and a colon ("expense:travel:%s"), or a name quoted as
SQL ('funded', 'assets:cash', 'expense:travel:%'). Such code goes through
include/tfund/books.h (tf_account_name, tf_pools, tf_status_name, ...)
or, in a query, the SQL fragments of src/books/chart_sql.h.

usage: vocabulary.py SOURCE_DIR [FILE...]
Exits 1 listing each literal found (file:line), 0 when there is none. With
FILEs, checks those instead of the tree (the check's own test uses it).
"""
import os
import re
import sys


def names(top):
    """(plain names, SQL-quoted names, categories) from chart_sql.h."""
    text = open(os.path.join(top, "src/books/chart_sql.h")).read()
    defs = dict(re.findall(r'#define\s+(TF_N_\w+)\s+"([^"]*)"', text))
    if not defs:
        sys.exit("vocabulary: no TF_N_ names in src/books/chart_sql.h")
    kinds = {v for k, v in defs.items() if k.startswith("TF_N_KIND_")}
    categories = {defs[k] for k in ("TF_N_ASSETS", "TF_N_LIABILITIES",
                                    "TF_N_REVENUE", "TF_N_EXPENSE",
                                    "TF_N_TRANSFERS", "TF_N_BUDGET")}
    # Accounts, pools and statuses may not be written at all; kinds may
    # be words of a message ("pledge '%s'"), but not values in a query.
    plain = set(defs.values()) - kinds - categories
    return plain, plain | kinds, categories


def literals(path):
    """(line, text) of each string literal of a C file, comments skipped."""
    src = open(path, encoding="utf-8", errors="replace").read()
    i, n, line = 0, len(src), 1
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += src.count("\n", i, j)
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif c == "'":
            j = i + 1
            while j < n and src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            i = j + 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and src[j] != '"':
                if src[j] == "\\":
                    buf.append(src[j:j + 2])
                    j += 2
                else:
                    buf.append(src[j])
                    j += 1
            yield line, "".join(buf)
            line += src.count("\n", i, j)
            i = j + 1
        else:
            i += 1


def offences(text, plain, quoted, categories):
    if text in plain:
        return "spells '%s'" % text
    for cat in categories:
        if text.startswith(cat + ":"):
            return "spells an account '%s...'" % (cat + ":")
    for name in quoted:
        if "'" + name + "'" in text or "'" + name + ":" in text:
            return "quotes '%s' in SQL" % name
    for cat in categories:
        if "'" + cat + ":" in text:
            return "quotes an account '%s:...' in SQL" % cat
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = os.path.realpath(sys.argv[1])
    plain, quoted, categories = names(top)
    files = sys.argv[2:]
    if not files:
        for sub in ("src", "reports"):
            for root, _, fs in os.walk(os.path.join(top, sub)):
                if os.path.relpath(root, top).split(os.sep)[:2] == ["src", "books"]:
                    continue
                files += [os.path.join(root, f) for f in sorted(fs)
                          if f.endswith((".c", ".h"))]
    found = 0
    for path in sorted(files):
        for line, text in literals(path):
            why = offences(text, plain, quoted, categories)
            if why:
                found += 1
                print("%s:%d: \"%s\" %s (use the books module)"
                      % (os.path.relpath(path, top), line, text, why))
    if found:
        print("vocabulary: %d literal(s) outside src/books spell the books' "
              "names" % found)
        return 1
    print("vocabulary: %d files, no account, pool or status name outside "
          "src/books" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
