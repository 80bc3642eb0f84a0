#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Opening the fund file: a missing file, a newer schema, a file that is not
# SQLite, another application's SQLite file and an empty file each give
# exit status 2 and one line on stderr, and are left byte for byte as they
# were; 'init' never overwrites a file; new fund files are private (0600).
#
# usage: bash tests/e2e/open_errors.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
TFUND=$(realpath "$1")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset TFUND_DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

digest() { sha256sum "$1" | cut -d' ' -f1; }

# expect_error WANT_RC GREP... -- ARGS: runs tfund ARGS, requires exit
# status WANT_RC, nothing on stdout, exactly one line on stderr, and that
# line to contain every fixed string given before '--'.
expect_error() {
    local want=$1 rc=0 s
    local -a greps=()
    shift
    while [ "$1" != -- ]; do
        greps+=("$1")
        shift
    done
    shift
    "$TFUND" "$@" >out 2>err || rc=$?
    [ "$rc" -eq "$want" ] || { cat out err >&2; fail "tfund $*: exit status $rc, expected $want"; }
    [ ! -s out ] || { cat out >&2; fail "tfund $*: wrote to stdout on error"; }
    [ "$(wc -l <err)" -eq 1 ] || { cat err >&2; fail "tfund $*: expected one line on stderr, got $(wc -l <err)"; }
    for s in "${greps[@]}"; do
        grep -qiF -- "$s" err || { cat err >&2; fail "tfund $*: stderr lacks '$s'"; }
    done
    echo "  tfund $*: exit $rc: $(cat err)"
}

# unchanged FILE DIGEST: FILE has DIGEST and SQLite left no side files.
unchanged() {
    [ "$(digest "$1")" = "$2" ] || fail "$1 was modified"
    [ ! -e "$1-wal" ] && [ ! -e "$1-shm" ] && [ ! -e "$1-journal" ] ||
        fail "$1 got a -wal, -shm or -journal file beside it"
}

echo "no database at the path"
expect_error 2 "$WORK/missing.db" "init" -- --db "$WORK/missing.db" pools
[ ! -e "$WORK/missing.db" ] || fail "opening a missing database created it"
TFUND_DB=$WORK/env.db expect_error 2 "$WORK/env.db" "init" -- pools
[ ! -e "$WORK/env.db" ] || fail "opening a missing \$TFUND_DB created it"
expect_error 2 "trustfund.db" "init" -- pools
[ ! -e trustfund.db ] || fail "opening the default ./trustfund.db created it"

echo "a database of a newer tfund"
"$TFUND" --db newer.db init >/dev/null
sqlite3 newer.db 'PRAGMA user_version = 99'
[ "$(sqlite3 newer.db 'PRAGMA user_version')" = 99 ] || fail "could not raise user_version"
sum=$(digest newer.db)
expect_error 2 "newer.db" "newer" -- --db newer.db pools
expect_error 2 "newer.db" "newer" -- --db newer.db verify
expect_error 2 "newer.db" "newer" -- --db newer.db rate add EUR 2017-01-01 0.93
unchanged newer.db "$sum"

echo "a text file"
printf 'currency,date,per_usd\nEUR,2017-01-01,0.9403\n' >notes.txt
sum=$(digest notes.txt)
expect_error 2 "notes.txt" -- --db notes.txt pools
expect_error 2 "notes.txt" -- --db notes.txt import rates notes.txt
unchanged notes.txt "$sum"

echo "another application's SQLite file"
sqlite3 other.db 'CREATE TABLE t (x); INSERT INTO t VALUES (42);'
[ "$(sqlite3 other.db 'PRAGMA journal_mode')" = delete ] || fail "other.db is not in rollback mode"
sum=$(digest other.db)
expect_error 2 "other.db" "not a tfund database" -- --db other.db pools
expect_error 2 "other.db" "not a tfund database" -- --db other.db rate add EUR 2017-01-01 0.93
unchanged other.db "$sum"
[ "$(sqlite3 other.db 'PRAGMA journal_mode')" = delete ] || fail "other.db was switched to WAL"
[ "$(sqlite3 other.db 'SELECT x FROM t')" = 42 ] || fail "other.db lost its data"

echo "an empty file"
: >empty.db
expect_error 2 "empty.db" -- --db empty.db pools
[ ! -s empty.db ] || fail "empty.db was written to ($(stat -c %s empty.db) bytes)"

echo "init on an existing file"
"$TFUND" --db fund.db init >/dev/null
"$TFUND" --db fund.db rate add EUR 2017-01-01 0.9403 >/dev/null
for f in fund.db other.db notes.txt empty.db; do
    sum=$(digest "$f")
    rc=0
    "$TFUND" --db "$f" init >out 2>err || rc=$?
    [ "$rc" -ne 0 ] || fail "init over $f succeeded"
    [ "$(wc -l <err)" -eq 1 ] && grep -qF "$f" err && grep -qi "already" err ||
        { cat err >&2; fail "init over $f: expected one line naming it and saying it is already there"; }
    [ "$(digest "$f")" = "$sum" ] || fail "init over $f modified it"
    echo "  tfund --db $f init: exit $rc: $(cat err)"
done
[ "$(sqlite3 fund.db 'SELECT per_usd FROM rates')" = 0.9403 ] || fail "fund.db lost its rate"

echo "new database files are private"
for mask in 022 000 077; do
    rm -f "new-$mask.db" "copy-$mask.db"
    (umask "$mask" && "$TFUND" --db "new-$mask.db" init >/dev/null)
    mode=$(stat -c %a "new-$mask.db")
    [ "$mode" = 600 ] || fail "init under umask $mask made a file with mode $mode"
    (umask "$mask" && "$TFUND" --db "new-$mask.db" backup "copy-$mask.db" >/dev/null)
    mode=$(stat -c %a "copy-$mask.db")
    [ "$mode" = 600 ] || fail "backup under umask $mask made a file with mode $mode"
    echo "  umask $mask: init and backup files have mode 600"
done

echo "open errors: exit 2 with one line each, files untouched; init refuses; new files 0600"
