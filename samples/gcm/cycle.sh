#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sample fund's whole cycle: installs what is missing, builds tfund,
# then keeps the books of the sample fund from its first pledge to its
# reports. Output goes to out/gcm/ (the database, the journal, reports).
#
#   bash samples/gcm/cycle.sh [--install PREFIX]
#
# --install PREFIX also installs the tfund it built under PREFIX
# (PREFIX/bin/tfund and its manual page; /usr/local puts it on root's
# PATH on Debian), before the cycle runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
prefix=
while [ $# -gt 0 ]; do
  case $1 in
  --install)
    [ $# -ge 2 ] && [ -n "$2" ] || { echo "cycle.sh: --install needs a PREFIX" >&2; exit 2; }
    prefix=$2
    shift 2
    ;;
  -h | --help)
    sed -n '3,11s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
  *)
    echo "cycle.sh: unknown argument '$1' (usage: bash samples/gcm/cycle.sh [--install PREFIX])" >&2
    exit 2
    ;;
  esac
done
case $prefix in
"" | /*) ;;
*) prefix=$(realpath -m "$prefix") ;;
esac
cd "$top"
bash .ci/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
if [ -n "$prefix" ]; then
  cmake --install build --prefix "$prefix" >/dev/null
  echo "tfund installed: $prefix/bin/tfund (man tfund for its manual page)"
fi

out=${TFUND_OUT:-$top/out/gcm}
sample=$top/samples/gcm
tfund() { "$top/build/tfund" --db "$out/gcm.db" "$@"; }
step() { printf '\n== %s\n' "$*"; }

rm -rf "$out"
mkdir -p "$out"

step "Set up the fund"
tfund init --name "Trust Fund for the Global Compact for Migration (sample)"

step "Import rates, donors, sessions, pledges, receipts, requests and costs"
for kind in rates donors sessions pledges receipts requests costs; do
  tfund import "$kind" "$sample/$kind.csv"
done

step "Allocate before each session, cancel, disburse after travel"
/usr/bin/python3 "$sample/cycle.py" "$top/build/tfund" "$out/gcm.db" "$sample" "$out"

step "Pools: what each pool has received, holds and may spend"
tfund pools

step "Trial balance"
tfund balance

step "What each donor's money did (attribution to donors, by pool)"
tfund attribution

step "Verify the books"
tfund verify

step "Reports: a statement per donor, the fund statement, a report per session"
# As of the last day in the books, so that the workbooks' figures and
# document properties stay the same from one run to the next.
as_of=$(tfund journal --format csv | tail -n +2 | cut -d, -f2 | sort | tail -n 1)
reports=$out/reports
mkdir -p "$reports/donors" "$reports/sessions"
tfund report donors -o "$reports/donors" --as-of "$as_of"
tfund report fund -o "$reports/fund.xlsx" --as-of "$as_of"
for s in $(tfund session list --format csv | tail -n +2 | cut -d, -f1); do
  tfund report session "$s" -o "$reports/sessions/$s.xlsx" --as-of "$as_of" \
    >/dev/null
done
printf 'wrote %s session reports into %s\n' \
  "$(ls "$reports/sessions" | wc -l)" "$reports/sessions"

tfund export ledger -o "$out/gcm.ledger"
printf '\nThe fund database is %s; its journal for ledger/hledger is %s.\n' \
  "$out/gcm.db" "$out/gcm.ledger"
printf 'The reports, as of %s, are in %s:\n' "$as_of" "$reports"
printf '  donors/<donor-id>.xlsx, fund.xlsx and sessions/<session-id>.xlsx\n'
