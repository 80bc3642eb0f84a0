#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The files tfund writes for people: 'report -o' and 'backup' (DESIGN.md
# section 10, "Output and files").
#
#   bash tests/e2e/output_files.sh TFUND-BINARY SOURCE-DIR
#
# 1. A target that exists and is not a regular file (a symbolic link such
#    as /dev/stdout is, a FIFO, a device, a folder) is refused with exit
#    status 2, left as it was, and no temporary file is left behind.
# 2. An existing workbook is replaced; an existing file is never replaced
#    by a backup (exit 1).
# 3. The data reaches the disk before the name does: a library preloaded
#    into tfund logs its fsync and rename calls, and the temporary file is
#    synced before it is renamed to the target.
# 4. SIGTERM or SIGINT while a report or a backup is being written (held
#    at its first fsync by the same library) ends tfund by that signal and
#    removes the temporary file; nothing is left under the target's name.
# 5. A backup killed outright (SIGKILL, which no program can catch) leaves
#    its temporary file, which does not stop the next backup to the name.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
tfund=$(realpath "$1")
src=$(realpath "$2")
sample=$src/samples/gcm
cc=$(command -v cc || command -v gcc || command -v clang || true)
[ -n "$cc" ] || { echo "skipped: a C compiler is needed for the preloaded library"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: needs the sqlite3 shell"; exit 77; }
unset TFUND_DB

work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-out.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
db=$work/fund.db
out=$work/out
mkdir "$out"

fail() {
  echo "output_files: $*" >&2
  exit 1
}
tf() { "$tfund" --db "$db" "$@"; }
# No temporary file (NAME.XXXXXX, its journal) may be left in out/.
no_leftovers() {
  local left
  left=$(find "$out" -maxdepth 1 -regextype posix-extended \
    -regex '.*\.[A-Za-z0-9]{6}(-journal)?$' | sort)
  [ -z "$left" ] || fail "$1: temporary files left behind: $left"
}

# The library preloaded into tfund: logs fsync, fdatasync, rename,
# renameat2 and link with the files concerned; with TF_HOLD set, the
# first sync of a file whose name starts with $TF_HOLD creates
# $TF_HOLD_READY and waits there for a signal.
cat >hold.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void logf_(const char *what, const char *a, const char *b)
{
    const char *log = getenv("TF_SYNC_LOG");
    FILE *fp;

    if (!log || !(fp = fopen(log, "a")))
        return;
    fprintf(fp, "%s %s %s\n", what, a, b ? b : "-");
    fclose(fp);
}

static void synced(const char *what, int fd)
{
    char link[64], path[4096];
    const char *hold = getenv("TF_HOLD");
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    logf_(what, path, NULL);
    if (hold && *hold && !strncmp(path, hold, strlen(hold))) {
        close(open(getenv("TF_HOLD_READY"), O_WRONLY | O_CREAT, 0600));
        for (;;)
            pause();
    }
}

int fsync(int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    synced("fsync", fd);
    return real(fd);
}

int fdatasync(int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    synced("fdatasync", fd);
    return real(fd);
}

int rename(const char *a, const char *b)
{
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    logf_("rename", a, b);
    return real(a, b);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned int fl)
{
    int (*real)(int, const char *, int, const char *, unsigned int) =
        (int (*)(int, const char *, int, const char *, unsigned int))dlsym(
            RTLD_NEXT, "renameat2");
    logf_("rename", a, b);
    return real(da, a, db, b, fl);
}

int link(const char *a, const char *b)
{
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "link");
    logf_("rename", a, b);
    return real(a, b);
}
EOF
"$cc" -shared -fPIC -o hold.so hold.c -ldl || fail "cannot build the preloaded library"
# A sanitizer's runtime wants to come first; this library only wraps.
preload() {
  env LD_PRELOAD="$work/hold.so" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}

tf init --name "Output files" >/dev/null
for kind in rates donors sessions pledges receipts requests; do
  tf import "$kind" "$sample/$kind.csv" >/dev/null
done
tf allocate its1 --date 2017-05-01 --quiet >/dev/null

# ---- 1. Targets that are not regular files ---------------------------------

echo "targets that are not regular files"
echo "the link's target" >"$work/target.txt"
ln -s "$work/target.txt" "$out/link"
mkfifo "$out/fifo"
mkdir "$out/folder"
targets=(link fifo folder)
if mknod "$out/null" c 1 3 2>/dev/null; then
  targets+=(null)
else
  echo "  (no device node: mknod is not allowed here)"
fi
refusals=0
for t in "${targets[@]}"; do
  for cmd in "report fund -o" "report session its1 -o" "report donor norway -o" "backup"; do
    before=$(stat -c '%F %i' "$out/$t")
    rc=0
    # A FIFO would block a writer that opened it: time it out.
    # shellcheck disable=SC2086
    timeout 20 "$tfund" --db "$db" $cmd "$out/$t" >stdout 2>stderr || rc=$?
    [ "$rc" -eq 2 ] || { cat stderr >&2; fail "tfund $cmd $t: exit $rc, expected 2"; }
    grep -q "not a regular file" stderr || { cat stderr >&2; fail "tfund $cmd $t: no reason given"; }
    [ "$(stat -c '%F %i' "$out/$t")" = "$before" ] || fail "tfund $cmd $t: the target was replaced"
    no_leftovers "tfund $cmd $t"
    refusals=$((refusals + 1))
  done
  echo "  $t ($(stat -c %F "$out/$t")): refused by report fund, session, donor and backup"
done
[ "$(cat "$work/target.txt")" = "the link's target" ] || fail "the link's target was written"

# ---- 2. Regular files --------------------------------------------------------

echo "regular files"
echo "an old report" >"$out/fund.xlsx"
tf report fund -o "$out/fund.xlsx" >/dev/null || fail "report over an existing workbook failed"
[ "$(head -c 2 "$out/fund.xlsx")" = "PK" ] || fail "the report did not replace the old file"
echo "not a backup" >"$out/copy.db"
rc=0
tf backup "$out/copy.db" >/dev/null 2>stderr || rc=$?
[ "$rc" -eq 1 ] || fail "backup over an existing file: exit $rc, expected 1"
[ "$(cat "$out/copy.db")" = "not a backup" ] || fail "backup replaced an existing file"
no_leftovers "regular files"

# ---- 3. Synced before renamed ---------------------------------------------

echo "synced before renamed"
check_sync() { # check_sync TARGET: the temporary file was synced, then renamed
  local target=$1 tmp
  tmp=$(awk -v t="$target" '$1 == "rename" && $3 == t {print $2; exit}' sync.log)
  [ -n "$tmp" ] || { cat sync.log >&2; fail "$target: no rename into place"; }
  case $tmp in "$target".??????) ;; *) fail "$target: renamed from '$tmp', not a file beside it" ;; esac
  awk -v f="$tmp" -v t="$target" '
    ($1 == "fsync" || $1 == "fdatasync") && $2 == f { synced = 1 }
    $1 == "rename" && $3 == t { exit !synced }' sync.log ||
    { cat sync.log >&2; fail "$target: renamed before it was synced"; }
}
rm -f sync.log
TF_SYNC_LOG=$work/sync.log preload "$tfund" --db "$db" report fund -o "$out/synced.xlsx" >/dev/null
check_sync "$out/synced.xlsx"
rm -f sync.log
TF_SYNC_LOG=$work/sync.log preload "$tfund" --db "$db" backup "$out/synced.db" >/dev/null
check_sync "$out/synced.db"
"$tfund" --db "$out/synced.db" verify >/dev/null || fail "the backup does not verify"

# ---- 4. Ended by a signal while writing ----------------------------------

# held SIGNAL TARGET CMD...: runs tfund CMD held at the first sync of the
# temporary file of TARGET, sends SIGNAL, expects tfund to end by it.
held() {
  local sig=$1 target=$2 pid rc=0 i
  shift 2
  rm -f ready
  # Job control, so that the background job does not ignore SIGINT.
  set -m
  # A simple command, so that $! is tfund itself.
  TF_HOLD="$target." TF_HOLD_READY=$work/ready LD_PRELOAD="$work/hold.so" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$tfund" --db "$db" "$@" >/dev/null 2>stderr &
  pid=$!
  set +m
  pids+=("$pid")
  for i in $(seq 1 400); do
    [ -e ready ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -e ready ] || { cat stderr >&2; fail "tfund $* never reached its first sync"; }
  [ -n "$(find "$out" -maxdepth 1 -name "$(basename "$target").??????")" ] ||
    fail "tfund $*: no temporary file while held"
  kill "-$sig" "$pid"
  wait "$pid" || rc=$?
  echo "$rc"
}
for sig in TERM INT; do
  case $sig in TERM) want=143 ;; INT) want=130 ;; esac
  rc=$(held "$sig" "$out/signalled.xlsx" report fund -o "$out/signalled.xlsx")
  [ "$rc" -eq "$want" ] || fail "report ended by SIG$sig: exit $rc, expected $want"
  [ ! -e "$out/signalled.xlsx" ] || fail "report ended by SIG$sig left the target"
  no_leftovers "report ended by SIG$sig"
  rc=$(held "$sig" "$out/signalled.db" backup "$out/signalled.db")
  [ "$rc" -eq "$want" ] || fail "backup ended by SIG$sig: exit $rc, expected $want"
  [ ! -e "$out/signalled.db" ] || fail "backup ended by SIG$sig left the target"
  no_leftovers "backup ended by SIG$sig"
  echo "  SIG$sig: report and backup end by the signal, nothing left behind"
done

# ---- 5. Killed outright ----------------------------------------------------

echo "a backup killed outright"
rc=$(held KILL "$out/killed.db" backup "$out/killed.db")
[ "$rc" -eq 137 ] || fail "backup killed: exit $rc, expected 137"
[ ! -e "$out/killed.db" ] || fail "a killed backup left a file under the target's name"
tf backup "$out/killed.db" >/dev/null || fail "a killed backup blocked the next one"
"$tfund" --db "$out/killed.db" verify >/dev/null || fail "the backup after a killed one does not verify"
echo "output files: $refusals refusals of targets that are not regular files; synced before renamed; no leftovers after signals"
