#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A fund file the user can read but not write opens read-only for every
# command that only reads, and such a reader never creates the -wal and
# -shm files that would lock the owner out (DESIGN.md section 10).
#
#   bash tests/e2e/read_only.sh TFUND-BINARY SOURCE-DIR
#
# Run as root: the fund belongs to one user (daemon) and is read by
# another (nobody), through runuser (or setpriv).
#  1. An auditor's copy: mode 0644 in a folder only its owner may write.
#     Every read command works for the reader and nothing appears beside
#     the file; a write command is refused (exit 3, "read-only"), nothing
#     changed.
#  2. A shared sticky folder (mode 1777, like /tmp): the reader's reads
#     create no file there, and the owner still writes afterwards. While
#     the owner has the fund open with a write-ahead log not yet copied
#     back, the reader sees the owner's last commit, and still creates
#     nothing.
#  3. A read-only mount (a read-only bind mount of the folder, where this
#     machine allows mounting): every read command works, even as root.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
[ "$(id -u)" -eq 0 ] || { echo "skipped: switching users needs root"; exit 77; }
owner=daemon
reader=nobody
getent passwd "$owner" >/dev/null && getent passwd "$reader" >/dev/null ||
  { echo "skipped: users $owner and $reader are needed"; exit 77; }
if command -v runuser >/dev/null; then
  as() { local u=$1; shift; runuser -u "$u" -- "$@"; }
elif command -v setpriv >/dev/null; then
  as() {
    local u=$1; shift
    setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups -- "$@"
  }
else
  echo "skipped: runuser or setpriv is needed"; exit 77
fi
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skipped: python3 is not installed"; exit 77; }
unset TFUND_DB

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-ro.XXXXXX")
holder=
mounted=
cleanup() {
  [ -z "$holder" ] || kill "$holder" 2>/dev/null || true
  [ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
# The program where every user may run it (a sanitizer build too).
mkdir "$work/bin"
cp "$tfund" "$work/bin/tfund"
chmod 755 "$work/bin" "$work/bin/tfund"
tf=$work/bin/tfund
# Where the reader writes its own files (reports, backups, exports).
mkdir "$work/reader"
chown "$reader" "$work/reader"

fail() {
  echo "read_only: $*" >&2
  exit 1
}

# A fund with something in every listing, made by its owner.
make_fund() { # make_fund FOLDER: FOLDER/fund.db, mode 0644, the owner's
  local db=$1/fund.db
  as "$owner" "$tf" --db "$db" init --name "Read-only test" >/dev/null
  for kind in rates donors sessions pledges receipts requests costs spend; do
    as "$owner" "$tf" --db "$db" import "$kind" "$sample/$kind.csv" >/dev/null
  done
  as "$owner" "$tf" --db "$db" allocate its1 --date 2017-05-01 --quiet >/dev/null
  as "$owner" chmod 644 "$db"
}

# Every command that only reads, with its arguments (the reader's own
# files go to its folder).
read_commands() {
  cat <<EOF
settings
settings --history
donor list
pledge list
receipt list
session list
spend list
allocation show its1
balance
balance --as-of 2017-12-31
pools
journal --format csv
attribution
attribution --donor norway
verify
export ledger -o $work/reader/books.ledger
export csv -o $work/reader/books.csv
export json -o $work/reader/books.json
log --format csv
history norway
report fund -o $work/reader/fund.xlsx
report session its1 -o $work/reader/its1.xlsx
report donor norway -o $work/reader/norway.xlsx
backup $work/reader/copy-$RANDOM.db
EOF
}

# reads_as USER DB: every read command works for USER and creates no
# file beside DB.
reads_as() {
  local user=$1 db=$2 dir before after line n=0 rc
  dir=$(dirname "$db")
  before=$(ls -a "$dir" | sort)
  while IFS= read -r line; do
    rc=0
    # shellcheck disable=SC2086
    as "$user" "$tf" --db "$db" $line >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" -eq 0 ] || { cat "$work/err" >&2; fail "$user: tfund $line: exit status $rc"; }
    after=$(ls -a "$dir" | sort)
    [ "$after" = "$before" ] || fail "$user: tfund $line created files beside the fund: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
    n=$((n + 1))
  done < <(read_commands)
  grep -q '^ok' <(as "$user" "$tf" --db "$db" verify) || fail "$user: verify does not say ok"
  echo "  $user: $n read commands, nothing created beside the fund"
}

# ---- 1. An auditor's copy ------------------------------------------------

echo "1. a copy in a folder only its owner may write"
mkdir "$work/owned"
chown "$owner" "$work/owned"
chmod 755 "$work/owned"
make_fund "$work/owned"
reads_as "$reader" "$work/owned/fund.db"
sum=$(sha256sum <"$work/owned/fund.db")
rc=0
as "$reader" "$tf" --db "$work/owned/fund.db" donor add x --name X --type state \
  >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 3 ] || fail "a write by the reader: exit $rc, expected 3"
grep -q "read-only" "$work/err" || fail "a write by the reader does not say the fund is read-only"
[ "$(sha256sum <"$work/owned/fund.db")" = "$sum" ] || fail "a refused write changed the fund"
[ "$(ls -a "$work/owned" | wc -l)" -eq 3 ] || fail "a refused write left files: $(ls "$work/owned")"
echo "  a write by the reader: refused (exit 3), the fund unchanged"

# ---- 2. A shared sticky folder -----------------------------------------

echo "2. a shared sticky folder"
mkdir "$work/shared"
chmod 1777 "$work/shared"
make_fund "$work/shared"
db=$work/shared/fund.db
reads_as "$reader" "$db"
as "$owner" "$tf" --db "$db" donor add after-readers --name "After the readers" \
  --type state >/dev/null || fail "the owner cannot write after the readers"

# The owner keeps the fund open (as a long report or a second window
# would), so that its write-ahead log stays, then commits one more donor.
mkdir "$work/sig"
chown "$owner" "$work/sig"
as "$owner" "$PY" - "$db" "$work/sig/held" "$work/sig/release" <<'EOF' &
import os, sqlite3, sys, time
db, held, release = sys.argv[1:]
c = sqlite3.connect(db)
c.execute("SELECT count(*) FROM donors").fetchall()
open(held, "w").close()
while not os.path.exists(release):
    time.sleep(0.05)
c.close()
EOF
holder=$!
for _ in $(seq 1 200); do [ -e "$work/sig/held" ] && break; sleep 0.05; done
[ -e "$work/sig/held" ] || fail "the owner's connection did not open"
as "$owner" "$tf" --db "$db" donor add in-the-log --name "In the log" --type state >/dev/null
[ -e "$db-wal" ] && [ -e "$db-shm" ] || fail "the owner's write-ahead log is not there"
[ "$(stat -c %U "$db-wal")" = "$owner" ] || fail "the log is not the owner's"
reads_as "$reader" "$db"
as "$reader" "$tf" --db "$db" donor list --format csv | grep >/dev/null '^in-the-log,' ||
  fail "the reader does not see the owner's last commit (still in the log)"
[ "$(stat -c %U "$db-wal") $(stat -c %U "$db-shm")" = "$owner $owner" ] ||
  fail "the log or its shared memory changed hands"
touch "$work/sig/release"
wait "$holder" || fail "the owner's connection failed"
holder=
as "$owner" "$tf" --db "$db" donor add last --name "Last" --type state >/dev/null ||
  fail "the owner cannot write after a reader read its log"
as "$owner" "$tf" --db "$db" verify >/dev/null || fail "the owner's fund does not verify"
echo "  the owner writes after every reader; a reader sees the commit still in the log"

# ---- 3. A read-only mount ------------------------------------------------

echo "3. a read-only mount"
mkdir "$work/mnt"
if mount --bind "$work/owned" "$work/mnt" 2>/dev/null; then
  mounted=$work/mnt
  if mount -o remount,bind,ro "$work/mnt" 2>/dev/null; then
    reads_as root "$work/mnt/fund.db"
    reads_as "$reader" "$work/mnt/fund.db"
  else
    echo "  (skipped: a bind mount cannot be made read-only here)"
  fi
  umount "$work/mnt"
  mounted=
else
  echo "  (skipped: mounting is not allowed here)"
fi
echo "read-only funds: read by another user and on a read-only mount, the owner never locked out"
