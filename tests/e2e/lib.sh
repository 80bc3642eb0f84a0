# SPDX-License-Identifier: MIT
# What the end-to-end scripts that refuse input share. Sourced by them
# (not a test itself: tests/CMakeLists.txt leaves it out), each still run
# as `bash tests/e2e/X.sh TFUND-BINARY SOURCE-DIR`:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   e2e_start NAME "$@"    # needs the sqlite3 shell
#
# e2e_start checks the two arguments (exit 2 otherwise), sets tfund (the
# binary) and src (the source folder), skips (exit 77) without the sqlite3
# shell, makes a temporary folder work (removed at exit), enters it and
# sets db=$work/fund.db. fail, tf, fingerprint and refused then work on
# that fund.

e2e_start() {
  e2e_name=$1
  shift
  [ $# -eq 2 ] || { echo "usage: $0 TFUND-BINARY SOURCE-DIR" >&2; exit 2; }
  tfund=$(realpath "$1")
  src=$(realpath "$2")
  command -v sqlite3 >/dev/null || { echo "skipped: needs the sqlite3 shell"; exit 77; }
  unset TFUND_DB

  work=$(mktemp -d "${TMPDIR:-/tmp}/tfund-$e2e_name.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  db=$work/fund.db
}

# fail MESSAGE: says what went wrong, under the script's name; exit 1.
fail() {
  echo "$e2e_name: $*" >&2
  exit 1
}
tf() { "$tfund" --db "$db" "$@"; }
fingerprint() { sqlite3 "$db" .dump | sha256sum; }

# sample_receipts: the fund at $db made with the sample's rates, donors,
# pledges and receipts (samples/gcm).
sample_receipts() {
  tf init >/dev/null
  for kind in rates donors pledges receipts; do
    tf import "$kind" "$src/samples/gcm/$kind.csv" >/dev/null
  done
}

# refused STATUS TEXT -- ARGS: tfund ARGS exits STATUS, says TEXT on
# stderr and leaves the fund as it was.
refused() {
  local want=$1 text=$2 rc=0 before
  shift 3
  before=$(fingerprint)
  tf "$@" >out 2>err || rc=$?
  [ "$rc" -eq "$want" ] || { cat out err >&2; fail "tfund $*: exit $rc, expected $want"; }
  grep -qF -- "$text" err || { cat err >&2; fail "tfund $*: stderr lacks '$text'"; }
  [ "$(fingerprint)" = "$before" ] || fail "tfund $*: refused but the fund changed"
  echo "  refused (exit $rc): $(head -1 err)"
}
