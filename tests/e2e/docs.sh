#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation stands alone and agrees with the program:
# - README.md, docs/*.md and the other READMEs cite nothing outside the
#   repository (no DESIGN.md, no ../ or shared/ paths), and every file of
#   the repository they name by path exists;
# - the manual page names no file that 'cmake --install' does not install;
# - README's kinds of import are the importer's own table ('tfund import
#   --kinds'), column for column, and so are 'tfund help import' and the
#   manual page.
#
# usage: bash tests/e2e/docs.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
command -v cmake >/dev/null || { echo "skipped: cmake is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

echo "the documents cite only the repository"
"$PY" - "$SRC" <<'EOF' || fail "a document names what is not in the repository"
import os, re, sys
top = sys.argv[1]
docs = ["README.md", "samples/gcm/README.md", "tests/bad-input/README"]
docs += ["docs/" + f for f in sorted(os.listdir(os.path.join(top, "docs")))
         if f.endswith(".md")]
docs += [os.path.join(d, "README.md") for d in ("tests/reference", "tests/bench")
         if os.path.exists(os.path.join(top, d, "README.md"))]
# Folders of the repository: a path in backquotes that starts with one of
# them names a file that must exist (patterns and placeholders aside).
named = {"README.md", "samples/gcm/README.md", "docs/rules.md",
         "tests/bad-input/README"}
roots = ("docs/", "src/", "include/", "tests/", "samples/", "reports/", "sql/",
         ".ci/", "cmake/")
bad = 0
for doc in docs:
    text = open(os.path.join(top, doc), encoding="utf-8").read()
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{doc}:{n}"
        if "DESIGN.md" in line:
            print(f"{where}: cites DESIGN.md, which is not in the repository")
            bad += 1
        if re.search(r"(^|[\s`(])(\.\./|shared/)", line):
            print(f"{where}: names a path outside the repository: {line.strip()}")
            bad += 1
        for target in re.findall(r"\]\(([^)#\s]+)\)", line):
            if "://" in target:
                continue
            path = os.path.normpath(os.path.join(top, os.path.dirname(doc), target))
            if not os.path.exists(path):
                print(f"{where}: links to {target}, which does not exist")
                bad += 1
        # Paths in backquotes are checked in the pages listed in named.
        for code in (re.findall(r"`([^`\s]+)`", line) if doc in named else []):
            if not code.startswith(roots) or re.search(r"[<>*{}$]|\.\.\.", code):
                continue
            path = os.path.join(top, code.split(":")[0].rstrip(".,"))
            if not os.path.exists(path):
                print(f"{where}: names {code}, which is not in the repository")
                bad += 1
sys.exit(1 if bad else 0)
EOF

echo "the manual page names only files that are installed"
DESTDIR=$WORK/root cmake --install "$(dirname "$TFUND")" --prefix /usr/local >/dev/null
man=$WORK/root/usr/local/share/man/man1/tfund.1
[ -s "$man" ] || fail "no manual page installed"
cmp -s "$man" "$SRC/docs/tfund.1" || fail "the installed manual page is not docs/tfund.1"
"$PY" - "$man" "$WORK/root" <<'EOF' || fail "the manual page names a file that is not installed"
import re, os, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\\-", "-")
text = re.sub(r"\\f[BIRP]", "", text)
bad = 0
# A path with a folder and a file name with an extension: an absolute one
# must be installed; a relative one (a file of the source tree) must not
# be named at all. Placeholders (<donor-id>, $PWD) are a user's files.
for path in sorted(set(re.findall(r"(?<![\w$<])[/.~]?[\w.-]+(?:/[\w.-]+)+\.\w+", text))):
    if path.startswith(("./", "~/")):
        continue
    if path.startswith("/"):
        # The pages of 'tfund serve' (GET /reports/fund.xlsx) are routes
        # of its server, not files: a file is under one of the system's
        # folders.
        if path.split("/")[1] not in ("usr", "etc", "var", "opt", "srv",
                                      "home", "root", "tmp", "bin", "lib"):
            continue
        if not os.path.exists(sys.argv[2] + path):
            print(f"tfund.1 names {path}, which is not installed")
            bad += 1
    else:
        print(f"tfund.1 names {path}, a file of the source tree, not installed")
        bad += 1
sys.exit(1 if bad else 0)
EOF

echo "README's kinds of import are the importer's table"
"$TFUND" import --kinds --format csv >"$WORK/kinds.csv"
"$TFUND" help import >"$WORK/help.txt"
"$PY" - "$SRC/README.md" "$WORK/kinds.csv" "$WORK/help.txt" "$SRC/docs/tfund.1" <<'EOF' || fail "README, help or the manual page differ from the importer's table"
import csv, re, sys
readme, kinds_csv, help_txt, man = sys.argv[1:5]
kinds = list(csv.DictReader(open(kinds_csv, newline="", encoding="utf-8")))
bad = 0
if len(kinds) != 9:
    print(f"the importer has {len(kinds)} kinds, expected 9")
    bad += 1
text = open(readme, encoding="utf-8").read()
table = {}
for line in text.splitlines():
    m = re.match(r"\| (\w+) \| `([^`]*)` \| `([^`]*)` \|$", line)
    if m:
        table[m.group(1)] = (m.group(2), m.group(3))
for k in kinds:
    got = table.pop(k["kind"], None)
    if got != (k["columns"], k["example"]):
        print(f"README kind {k['kind']}: {got}, the importer: {(k['columns'], k['example'])}")
        bad += 1
for extra in table:
    print(f"README lists a kind {extra} that the importer does not have")
    bad += 1
row = [l for l in text.splitlines() if l.startswith("| `import KIND FILE")]
listed = re.findall(r"\w+", row[0].split("|")[2]) if row else []
if [k["kind"] for k in kinds] != [w for w in listed if w in {k["kind"] for k in kinds}] \
        or len([w for w in listed if w in {k["kind"] for k in kinds}]) != len(kinds):
    print(f"README's commands table lists the kinds {listed}")
    bad += 1
help_text = open(help_txt, encoding="utf-8").read()
man_text = open(man, encoding="utf-8").read().replace("\\-", "-")
for k in kinds:
    if not re.search(r"^  %s +%s" % (k["kind"], re.escape(k["columns"].split(",")[0])),
                     help_text, re.M):
        print(f"tfund help import does not list {k['kind']}")
        bad += 1
    if not re.search(r"^  %s +" % k["kind"], man_text, re.M):
        print(f"the manual page does not list {k['kind']}")
        bad += 1
sys.exit(1 if bad else 0)
EOF
echo "documents: only the repository cited, the manual page installable, the kinds from the importer's table"
