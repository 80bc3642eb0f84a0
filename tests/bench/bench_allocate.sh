#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times the allocation batch on a large session. A benchmark, not a test:
# it asserts nothing about time and is not run by ctest.
#
#   tests/bench/bench_allocate.sh [--sizes "10000 100000 1000000"]
#                                 [--tfund PATH] [--workdir DIR] [--keep]
#                                 [--default-quotas] [--countries N]
#
# For each size N: a new fund, rates, donors, receipts worth about half of
# the requests' total charge, one session and N requests over 100
# countries (--countries; made by gen_requests.py with a fixed seed) are
# imported, then 'tfund allocate S1 --date 2025-02-20 --quiet' is timed.
# Quotas are raised to 1000 per country (so that money, not quota, limits
# funding) unless --default-quotas is given. Wall time and peak RSS come
# from /usr/bin/time -v.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
sizes="100000"
tfund="$top/build/tfund"
workdir=""
keep=0
quotas=1000
countries=100

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --tfund) tfund="$2"; shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --default-quotas) quotas=""; shift ;;
    --countries) countries="$2"; shift 2 ;;
    -h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_allocate.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

[ -x "$tfund" ] || { echo "bench_allocate.sh: no tfund at '$tfund' (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_allocate.sh: /usr/bin/time is needed" >&2; exit 2; }
if [ -z "$workdir" ]; then
  workdir=$(mktemp -d "${TMPDIR:-/tmp}/tfund-bench-XXXXXX")
  [ "$keep" = 1 ] || trap 'rm -rf "$workdir"' EXIT
fi
mkdir -p "$workdir"

# Runs "$@" under /usr/bin/time -v; sets secs (wall), cpu (user + system)
# and rss_kib.
timed() {
  local out="$workdir/time.txt"
  if ! /usr/bin/time -v -o "$out" "$@" >"$workdir/cmd.out" 2>"$workdir/cmd.err"; then
    echo "bench_allocate.sh: failed: $*" >&2
    cat "$workdir/cmd.err" >&2
    exit 1
  fi
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, p, ":"); s = 0
           for (i = 1; i <= n; i++) s = s * 60 + p[i]
           printf "%.2f", s }' "$out")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 }
         END { printf "%.2f", s }' "$out")
  rss_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out")
}

rows=()
for n in $sizes; do
  dir="$workdir/n$n"
  db="$dir/fund.db"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "== $n requests" >&2
  /usr/bin/python3 "$top/tests/bench/gen_requests.py" "$dir" --requests "$n" \
    --countries "$countries"
  "$tfund" --db "$db" init >/dev/null
  if [ -n "$quotas" ]; then
    "$tfund" --db "$db" set quota_ldc "$quotas" >/dev/null
    "$tfund" --db "$db" set quota_developing "$quotas" >/dev/null
  fi
  for kind in rates donors receipts sessions; do
    "$tfund" --db "$db" import "$kind" "$dir/$kind.csv" >/dev/null
  done

  timed "$tfund" --db "$db" import requests "$dir/requests.csv"
  import_s=$secs
  import_rss=$rss_kib

  timed "$tfund" --db "$db" allocate S1 --date 2025-02-20 --quiet
  alloc_s=$secs
  alloc_cpu=$cpu
  alloc_rss=$rss_kib
  summary=$(head -n 1 "$workdir/cmd.out")
  echo "   $summary" >&2
  funded=$(sed -n 's/.* considered: \([0-9]*\) funded.*/\1/p' <<<"$summary")

  if command -v sqlite3 >/dev/null; then
    commitments=$(sqlite3 -readonly "$db" \
      "SELECT count(*) FROM entries WHERE kind = 'commitment'")
  else
    commitments=$("$tfund" --db "$db" journal --format csv |
      awk -F, 'NR > 1 && $3 == "commitment" && !seen[$1]++ { n++ } END { print n + 0 }')
  fi
  rows+=("$(printf '%9s %9s %11s %13s %10s %13s %8s %12s' "$n" "$import_s" \
    "$(awk -v k="$import_rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$alloc_s" "$alloc_cpu" \
    "$(awk -v k="$alloc_rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$funded" "$commitments")")
done

# Wall time is what a user waits; CPU time (user + system) is steadier on
# a shared machine. Peak RSS is the allocation's (import_MiB the import's).
printf '\n%9s %9s %11s %13s %10s %13s %8s %12s\n' N import_s \
  import_MiB allocation_s alloc_cpu_s peak_RSS_MiB funded commitments
for r in "${rows[@]}"; do echo "$r"; done
[ "$keep" = 1 ] && echo "(files kept in $workdir)" >&2
exit 0
