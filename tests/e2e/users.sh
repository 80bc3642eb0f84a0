#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Users and roles on the command line (DESIGN.md section 11): a single-user
# fund works as before; the first user must be an admin; in a team fund
# every command needs an active user mapped to the login that runs it,
# with the command's role, and a refusal (exit 1, naming the role) leaves
# the fund as it was; a donor user reads only its own donor; a disabled
# user is refused; passwords are read from the terminal (echo off) or
# standard input, never from the command line, and stored as Argon2id
# hashes. Other logins are real operating-system users made for the test
# (root only: otherwise the test is skipped, exit 77).
#
# usage: bash tests/e2e/users.sh TFUND SOURCE_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND SOURCE_DIR" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ] || ! command -v runuser >/dev/null || ! command -v useradd >/dev/null; then
    echo "skipped: needs root, runuser and useradd to act as other logins" >&2
    exit 77
fi

WORK=$(mktemp -d)
chmod 0755 "$WORK"
SUFFIX=$$
LOGINS=()
cleanup() {
    for l in "${LOGINS[@]}"; do userdel "$l" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
# The binary where every login can run it.
install -m 0755 "$1" "$WORK/tfund"
TFUND=$WORK/tfund
SRC=$(realpath "$2")
cd "$WORK"
mkdir -m 0777 fund
DB=$WORK/fund/fund.db
unset TFUND_DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

newlogin() {
    local name="tf${1}${SUFFIX}"
    useradd --no-create-home --shell /usr/sbin/nologin "$name" ||
        { echo "skipped: cannot add the login $name" >&2; exit 77; }
    LOGINS+=("$name")
    echo "$name"
}

# as LOGIN ARGS: tfund ARGS run by LOGIN (root: the login running the test).
as() {
    local who=$1
    shift
    if [ "$who" = root ]; then
        "$TFUND" --db "$DB" "$@"
    else
        (cd "$WORK/fund" && runuser -u "$who" -- "$TFUND" --db "$DB" "$@")
    fi
}

open_up() { chmod 0666 "$DB" "$DB"-wal "$DB"-shm 2>/dev/null || true; }

fingerprint() {
    local t
    for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        echo "rows $t $(sqlite3 "$DB" "SELECT count(*) FROM \"$t\"")"
    done
    echo "dump $(sqlite3 "$DB" .dump | sha256sum | cut -d' ' -f1)"
}

# refused WHO TEXT -- ARGS: exit 1, TEXT on stderr, the fund unchanged.
refused() {
    local who=$1 text=$2 rc=0
    shift 3
    fingerprint >fp.before
    as "$who" "$@" >out 2>err || rc=$?
    [ "$rc" -eq 1 ] || { cat out err >&2; fail "$who: tfund $*: exit status $rc, expected 1"; }
    grep -qF -- "$text" err || { cat err >&2; fail "$who: tfund $*: stderr does not say '$text'"; }
    fingerprint >fp.after
    diff -u fp.before fp.after >&2 || fail "$who: tfund $*: refused but the fund changed"
    echo "  refused $who: tfund $* -> $(head -1 err)"
}

allowed() {
    local who=$1 rc=0
    shift
    as "$who" "$@" >out 2>err || rc=$?
    [ "$rc" -eq 0 ] || { cat out err >&2; fail "$who: tfund $*: exit status $rc, expected 0"; }
}

REC=$(newlogin rec)
AUD=$(newlogin aud)
DON=$(newlogin don)
PROG=$(newlogin prg)
NONE=$(newlogin non)

# ---- Every command has its role ---------------------------------------

echo "the role table"
"$TFUND" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}' >commands.txt
"$TFUND" user roles --format csv | tail -n +2 | cut -d, -f1 | cut -d' ' -f1 | sort -u >roles.txt
for c in $(cat commands.txt); do
    case $c in init | help) continue ;; esac
    grep -qx "$c" roles.txt || fail "command '$c' has no role in 'tfund user roles'"
done
echo "  every command of 'tfund --help' has a row in 'tfund user roles'"

# ---- A single-user fund -------------------------------------------------

echo "a single-user fund"
as root init --name "Team fund" >/dev/null
cat >donors.csv <<'CSV'
id,name,type,country
acme,Acme Foundation,foundation,
norway,Norway,state,NOR
CSV
as root import donors donors.csv >/dev/null
as root rate add EUR 2017-01-01 0.9403 >/dev/null
as root pledge add P1 --donor norway --date 2017-03-01 --amount 1000 --currency USD --pool travel >/dev/null
as root pledge add P2 --donor acme --date 2017-03-01 --amount 500 --currency USD --pool unrestricted >/dev/null
as root receipt add R1 --pledge P1 --date 2017-03-10 --amount 1000 --currency USD >/dev/null
as root session add s1 --name "Session one" --venue Geneva --start 2017-05-08 --days 2 --dsa 100 --terminal 50 >/dev/null
as root request add Q1 --session s1 --country NPL --delegate "Sita Rai" --submitted 2017-03-20T09:00:00Z --fare 400 --fare-currency USD >/dev/null
open_up
# Any login may do anything in a single-user fund.
allowed "$NONE" balance
allowed "$NONE" donor add other --name Other --type other
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM users')" = 0 ] || fail "users appeared in a single-user fund"
echo "  every login runs every command"

# ---- The first user ----------------------------------------------------

echo "the first user"
refused root "the first user of a fund must be an admin" -- user add rec --name "R" --role recorder
refused root "the first user of a fund must be an admin" -- user add rec --name "R" --role recorder,auditor
allowed root user add boss --name "The Administrator" --role admin
grep -q "login 'root'" out || fail "the first admin is not mapped to the login that made it"
grep -q "team fund" out || fail "user add does not say the fund became a team fund"
open_up
[ "$(sqlite3 "$DB" "SELECT login FROM users WHERE id = 'boss'")" = root ] || fail "boss is not mapped to root"
echo "  first user: admin only, mapped to the login that made it"

# Roles are checked against the table from now on, by login.
allowed root user add rec --name "Rita Recorder" --role recorder --login "$REC"
allowed root user add aud --name "Aldo Auditor" --role auditor --login "$AUD"
allowed root user add don --name "Acme's treasurer" --role donor --donor acme --login "$DON"
allowed root user add prog --name "Pia Programme" --role programme --login "$PROG"
refused root "login '$REC' is already mapped to user 'rec'" -- user add rec2 --name X --role recorder --login "$REC"
rc=0; as root user add x --name X --role boss >out 2>err || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown role 'boss'" err || fail "an unknown role: exit $rc"
open_up

# ---- Roles of writes ---------------------------------------------------

echo "writes need their role"
refused root "'donor add' needs the recorder role, which user 'boss' does not have" -- \
    donor add x1 --name X --type other
refused "$AUD" "'pledge add' needs the recorder role, which user 'aud' does not have" -- \
    pledge add P9 --donor acme --date 2017-04-01 --amount 10 --currency USD --pool travel
refused "$REC" "'set' needs the admin role" -- set psc_rate 0.10
refused "$REC" "'import countries' needs the admin role" -- import countries "$SRC/sql/countries.csv"
refused "$PROG" "'import donors' needs the recorder role" -- import donors "$WORK/donors.csv"
refused "$REC" "'allocate' needs the programme role" -- allocate s1 --date 2017-05-01
refused "$AUD" "'surplus' needs the approving role" -- surplus --date 2017-05-01
refused "$REC" "'close' needs the approving role" -- close --date 2017-12-31
refused "$REC" "'period close' needs the approving role" -- period close 2017-01-31
refused "$PROG" "'reverse' needs the recorder role" -- reverse 1 --date 2017-04-01
refused "$REC" "'user add' needs the admin role" -- user add x --name X --role auditor
refused "$REC" "'user list' needs the admin or auditor role" -- user list
refused "$REC" "'backup' needs the admin or auditor role" -- backup "$WORK/fund/copy.db"
refused "$REC" "'serve' needs the admin role" -- serve --listen 127.0.0.1:0
refused "$NONE" "'donor add' needs the recorder role: login '$NONE' is mapped to no active user" -- \
    donor add x2 --name X --type other
refused "$NONE" "'balance' needs an active user of this fund: login '$NONE' is mapped to no active user" -- balance

allowed "$REC" donor add x3 --name "Recorded by Rita" --type other
allowed "$REC" import donors "$WORK/donors.csv"
allowed "$REC" pledge add P3 --donor acme --date 2017-04-01 --amount 20 --currency USD --pool travel
allowed "$PROG" allocate s1 --date 2017-05-01 --quiet
allowed "$AUD" user list
allowed "$AUD" backup "$WORK/fund/copy.db"
allowed root set psc_rate 0.12
echo "  each role runs its own commands"

echo "dry runs only read"
allowed "$AUD" allocate s1 --date 2017-05-02 --dry-run
allowed "$AUD" surplus --date 2017-05-02 --dry-run
refused "$AUD" "'surplus' needs the approving role" -- surplus --date 2017-05-02

echo "reads are open to every active user but a donor"
for who in root "$REC" "$AUD" "$PROG"; do
    for args in "balance" "pools" "journal --format csv" "verify" "settings" \
        "donor list" "pledge list" "allocation show s1" "attribution"; do
        # shellcheck disable=SC2086
        allowed "$who" $args
    done
done
allowed "$AUD" report fund -o "$WORK/fund/fund.xlsx"

# ---- Donor users -------------------------------------------------------

echo "a donor user reads its own donor only"
allowed "$DON" report donor acme -o "$WORK/fund/acme.xlsx"
[ -s "$WORK/fund/acme.xlsx" ] || fail "the donor's own statement was not written"
allowed "$DON" pledge list --donor acme --format csv
grep -q '^P2,acme,' out || fail "the donor user does not see its pledge"
if grep -q norway out; then fail "the donor user sees another donor's pledges"; fi
allowed "$DON" receipt list --format csv --donor=acme
refused "$DON" "a donor user reads only its donor's statement" -- report donor norway -o "$WORK/fund/n.xlsx"
refused "$DON" "a donor user reads only" -- pledge list
refused "$DON" "a donor user reads only" -- pledge list --donor norway
refused "$DON" "a donor user reads only" -- receipt list --donor norway
refused "$DON" "a donor user reads only" -- report fund -o "$WORK/fund/f.xlsx"
for args in "balance" "journal" "pools" "verify" "donor list" "allocation show s1" "settings"; do
    # shellcheck disable=SC2086
    refused "$DON" "a donor user reads only" -- $args
done
refused "$DON" "a donor user reads only" -- pledge add P8 --donor acme --date 2017-04-01 --amount 10 --currency USD --pool travel
[ ! -e "$WORK/fund/n.xlsx" ] || fail "another donor's statement was written"

# ---- Passwords ---------------------------------------------------------

echo "passwords"
# Never on the command line.
rc=0; as root user password rec "secret password" >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "user password with a password argument: exit $rc, expected 2"
rc=0; as root user password rec --password "secret password" >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "user password --password: exit $rc, expected 2"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE password IS NOT NULL")" = 0 ] ||
    fail "a password came from the command line"
# From standard input.
printf 'rita password\n' | as root user password rec >out 2>err || { cat err >&2; fail "user password from stdin"; }
hash=$(sqlite3 "$DB" "SELECT password FROM users_current WHERE id = 'rec'")
case $hash in '$argon2id$v=19$'*) ;; *) fail "the password is not stored as an Argon2id hash: $hash" ;; esac
if sqlite3 "$DB" .dump | grep >/dev/null 'rita password'; then fail "the password is stored in clear"; fi
printf 'short\n' | { as root user password aud >out 2>err || true; }
grep -q "shorter than 8" err || fail "a short password was not refused"
# A user sets its own password, not another's.
printf 'my own password\n' | as "$AUD" user password aud >/dev/null 2>err || { cat err >&2; fail "a user cannot set its own password"; }
open_up
refused "$AUD" "'user password' needs the admin role" -- user password rec
# From a terminal: asked twice, never echoed.
/usr/bin/python3 - "$TFUND" "$DB" <<'PY' || fail "user password on a terminal"
import os, pty, select, sys, time
tfund, db = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tfund, [tfund, "--db", db, "user", "password", "prog"])
seen = b""
def read_until(token, limit=10.0):
    global seen
    end = time.time() + limit
    while token not in seen and time.time() < end:
        if not select.select([fd], [], [], max(0.0, end - time.time()))[0]:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    if token not in seen:
        os.kill(pid, 15)
        sys.exit("no %r in %r" % (token, seen))
read_until(b"new password: ")
os.write(fd, b"terminal secret\n")
read_until(b"again: ")
os.write(fd, b"terminal secret\n")
read_until(b"password of user prog set")
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("exit status %d: %r" % (os.waitstatus_to_exitcode(status), seen))
if b"terminal secret" in seen:
    sys.exit("the password was echoed: %r" % seen)
print("  terminal: asked twice, not echoed")
PY
echo "  from standard input or a terminal, Argon2id, never from argv"

# ---- Disabled users ----------------------------------------------------

echo "a disabled user"
refused root "the last active admin" -- user disable boss
allowed root user disable rec
open_up
refused "$REC" "login '$REC' is mapped to no active user" -- donor add x4 --name X --type other
refused "$REC" "login '$REC' is mapped to no active user" -- balance
refused root "already disabled" -- user disable rec
# Its versions stay: nothing was updated in place.
[ "$(sqlite3 "$DB" "SELECT group_concat(change, ',') FROM (SELECT change FROM users WHERE id = 'rec' ORDER BY version)")" = "add,password,disable" ] ||
    fail "user rec's versions are not add, password, disable"

# ---- The event log names the user ----------------------------------------

echo "the event log names the user, not the login"
as "$AUD" log --format csv >log.csv || fail "the auditor cannot read the log"
/usr/bin/python3 - log.csv "$NONE" "$REC" "$AUD" "$PROG" <<'PY' || fail "the event log"
import csv, sys
path, none, rec, aud, prog = sys.argv[1:]
rows = list(csv.DictReader(open(path, newline="")))
assert rows and list(rows[0]) == ["seq", "at", "actor", "command", "summary"], rows[:1]
def one(command_start, summary=None):
    found = [r for r in rows if r["command"].startswith(command_start)
             and (summary is None or r["summary"] == summary)]
    assert len(found) == 1, (command_start, summary, found)
    return found[0]
def actor(command_start, who, summary=None):
    got = one(command_start, summary)["actor"]
    assert got == who, (command_start, "actor", got, "expected", who)
# A single-user fund: the login acts.
actor("tfund init", "root")
actor("tfund donor add other", none)
# The first user is added by the login; from then on, users act.
actor("tfund user add boss", "root", "user boss added (admin): the fund is a team fund")
actor("tfund user add rec ", "boss", "user rec added (recorder)")
actor("tfund donor add x3", "rec")
actor("tfund allocate s1", "prog")
actor("tfund set psc_rate", "boss")
actor("tfund user password aud", "aud", "password of user aud set")
actor("tfund user password rec", "boss", "password of user rec set")
actor("tfund user disable rec", "boss", "user rec disabled")
# No login of the team shows as an actor once the fund is a team fund.
team = False
for r in rows:
    if r["command"].startswith("tfund user add boss"):
        team = True
        continue
    if team:
        assert r["actor"] in ("boss", "rec", "aud", "prog", "don"), r
# Refused commands and reads appended nothing; no password is in the log.
for r in rows:
    assert "password" not in r["command"] or r["command"].startswith("tfund user password"), r
    for word in ("rita password", "my own password", "terminal secret"):
        assert word not in r["command"] and word not in r["summary"], r
assert not any(r["command"].startswith(("tfund balance", "tfund verify", "tfund user list"))
               for r in rows)
print("  %d events, each under its user" % len(rows))
PY
refused "$DON" "a donor user reads only" -- log
# The users table is covered: a user changed behind tfund's back is named.
cp "$DB" "$WORK/fund/tampered.db"
sqlite3 "$WORK/fund/tampered.db" "DROP TRIGGER users_no_update;
  UPDATE users SET roles = 'admin,auditor' WHERE id = 'aud';"
rc=0; "$TFUND" --db "$WORK/fund/tampered.db" verify >out 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^FAIL users row [0-9]* (aud)" out ||
    { cat out >&2; fail "verify does not name a user changed outside tfund (exit $rc)"; }
echo "  a user changed outside tfund is named by verify"

as root verify >/dev/null || fail "verify failed after the user commands"
echo "ok"
