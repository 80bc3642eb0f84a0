#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A fund written by an earlier tfund is brought up to the current schema
# when it is opened, without a row, rowid or hash changing. The test turns
# a fund back into schema 3 (entries, postings, requests, decisions and
# draws as sql/001_init.sql and sql/002_allocation.sql define them), opens it, and checks that every
# table, index and trigger is then the current schema's, that the rows
# are the same, that it verifies, and that it keeps working.
#
# usage: bash tests/e2e/migrate.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")
SRC=$(realpath "$2")
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset TFUND_DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tf() { "$TFUND" --db fund.db "$@"; }

# A fund with pledges, receipts, requests and one allocated session.
sample=$SRC/samples/gcm
tf init >/dev/null
for kind in rates donors sessions pledges receipts requests; do
    tf import "$kind" "$sample/$kind.csv" >/dev/null
done
first=$(sqlite3 fund.db "SELECT id FROM sessions ORDER BY start LIMIT 1")
second=$(sqlite3 fund.db "SELECT id FROM sessions ORDER BY start LIMIT 1 OFFSET 1")
date=$(sqlite3 fund.db "SELECT date(start, '-30 days') FROM sessions WHERE id = '$first'")
tf allocate "$first" --date "$date" --quiet >/dev/null
funded=$(sqlite3 fund.db "SELECT count(*) FROM requests WHERE status = 'funded'")
[ "$funded" -gt 0 ] || fail "the allocation funded nobody: nothing to migrate"

# dump FILE: every row of postings and requests, with rowids, and the head.
dump() {
    sqlite3 fund.db "SELECT rowid, * FROM entries ORDER BY rowid;
                     SELECT rowid, * FROM postings ORDER BY rowid;
                     SELECT rowid, * FROM requests ORDER BY rowid;
                     SELECT rowid, * FROM decisions ORDER BY rowid;
                     SELECT rowid, request, seq, pool, amount, entry FROM draws ORDER BY rowid;
                     SELECT id, hash FROM entries ORDER BY id DESC LIMIT 1;" >"$1"
}
schema() {
    sqlite3 "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master
                  ORDER BY type, name"
}
dump before.txt
"$TFUND" --db current.db init >/dev/null
schema current.db >current-schema.txt
[ "$(sqlite3 fund.db 'PRAGMA user_version')" -ge 4 ] ||
    fail "a new fund is not at schema 4 or later"
tf allocation show "$first" --format csv >shown-before.csv

# Back to schema 3: every table, index and trigger as the first three
# migrations create them (the tables of later schemas dropped, the others
# rebuilt with their schema-3 columns and the same rowids).
"$PY" - "$SRC/sql" fund.db <<'EOF'
import sqlite3, sys
sqldir, path = sys.argv[1:3]
NAMES = ("entries", "postings", "requests", "decisions", "draws")
TABLES = ", ".join(f"'{t}'" for t in NAMES)
v3 = sqlite3.connect(":memory:")
for name in ("001_init.sql", "002_allocation.sql", "003_surplus.sql"):
    v3.executescript(open(f"{sqldir}/{name}").read())
objs = v3.execute(
    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
    "ORDER BY type = 'table' DESC, rowid").fetchall()
v3_tables = [n for t, n, _ in objs if t == "table"]
with open("v3-names.txt", "w") as f:
    for (name,) in v3.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name IN "
            f"({TABLES}) AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"):
        print(name, file=f)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA foreign_keys = OFF")
db.execute("PRAGMA legacy_alter_table = ON")
db.execute("BEGIN")
# Views of later schemas go too (a schema-3 fund had none).
for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
    db.execute(f'DROP VIEW main."{name}"')
current = db.execute(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite_%'").fetchall()
for t, sql in current:
    rid = "0" if "WITHOUT ROWID" in sql else "rowid"
    if t in v3_tables:
        db.execute(f"CREATE TEMP TABLE old_{t} AS SELECT {rid} AS rid, * FROM main.{t}")
    db.execute(f"DROP TABLE main.{t}")
for kind, name, sql in objs:
    if kind == "table":
        db.execute(sql)
for t in v3_tables:
    cols = ", ".join(r[1] for r in db.execute(f"PRAGMA main.table_info({t})"))
    sql = v3.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0]
    if "WITHOUT ROWID" in sql:
        db.execute(f"INSERT INTO main.{t} ({cols}) SELECT {cols} FROM temp.old_{t} ORDER BY rid")
    else:
        db.execute(f"INSERT INTO main.{t} (rowid, {cols}) SELECT rid, {cols} FROM temp.old_{t} ORDER BY rid")
for kind, name, sql in objs:
    if kind != "table":
        db.execute(sql)
db.execute("PRAGMA user_version = 3")
db.execute("COMMIT")
EOF
[ "$(sqlite3 fund.db 'PRAGMA user_version')" = 3 ] || fail "could not make a schema-3 fund"
sqlite3 fund.db "SELECT sql FROM sqlite_master WHERE name = 'postings'" | grep >/dev/null " IN (" ||
    fail "the schema-3 postings table lacks its IN check"

# Opening it migrates it.
out=$(tf verify) || fail "the schema-3 fund does not verify: $out"
[ "$(sqlite3 fund.db 'PRAGMA user_version')" = "$(sqlite3 current.db 'PRAGMA user_version')" ] ||
    fail "the fund was not brought to the current schema"
schema fund.db >migrated-schema.txt
diff -u current-schema.txt migrated-schema.txt >schema.diff ||
    fail "the migrated schema differs from a new fund's: $(cat schema.diff)"
sqlite3 fund.db "SELECT name FROM sqlite_master WHERE tbl_name IN
                 ('entries', 'postings', 'requests', 'decisions', 'draws')
                 AND name NOT LIKE 'sqlite_%' ORDER BY name" >migrated-names.txt
# Schema 4 replaces one index on purpose (sql/004_checks.sql, point 5).
# Schema 7 adds two (sql/007_envelopes.sql, point 3): the grant entries'
# references, and requests by session, country and folded delegate.
{ sed 's/^postings_account$/postings_committed/' v3-names.txt
  printf '%s\n' entries_grant_ref requests_delegate; } | sort >expected-names.txt
diff -u expected-names.txt migrated-names.txt >names.diff ||
    fail "the migration lost or renamed tables, indexes or triggers: $(cat names.diff)"
dump after.txt
cmp -s before.txt after.txt || fail "rows changed in the migration: $(diff before.txt after.txt | head)"
sqlite3 fund.db "PRAGMA foreign_key_check" >fk.txt
[ ! -s fk.txt ] || fail "foreign keys broken by the migration: $(head fk.txt)"
tf allocation show "$first" --format csv >shown-after.csv
cmp -s shown-before.csv shown-after.csv || fail "allocation show changed in the migration"

# The migrated books keep their rules and keep working.
if sqlite3 fund.db "UPDATE postings SET amount = amount + 1 WHERE id = 1" 2>err.txt; then
    fail "the migrated postings accept an update"
fi
grep -q "append-only" err.txt || fail "unexpected refusal: $(cat err.txt)"
if sqlite3 fund.db "INSERT INTO postings (entry, account, pool, amount) VALUES (1, 'x', 'nowhere', 0)" 2>err.txt; then
    fail "the migrated postings accept an unknown pool"
fi
grep -q "CHECK constraint failed" err.txt || fail "unexpected refusal: $(cat err.txt)"
# The rows written before the event log are covered by one genesis event,
# and what is written from then on by events of its own.
genesis=$(tf log --format csv | tail -n +2)
[ "$(wc -l <<<"$genesis")" = 1 ] || fail "the migration wrote more than the genesis event: $genesis"
grep -q '^1,[^,]*,migration,migrate from schema 3 to ' <<<"$genesis" ||
    fail "no genesis event: $genesis"
date2=$(sqlite3 fund.db "SELECT date(start, '-30 days') FROM sessions WHERE id = '$second'")
tf allocate "$second" --date "$date2" --quiet >/dev/null
out=$(tf verify) || fail "after allocating on the migrated fund: $out"
[ "$(tf log --format csv | tail -n +2 | wc -l)" = 2 ] || fail "the allocation after the migration appended no event"
echo "ok: a schema-3 fund migrated with the same rows and the current schema, and kept working"
