#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer harnesses with clang in build-fuzz/ and runs each
# for SECONDS (default 60), from the seed corpora: the sample fund's files
# (samples/gcm), the bad-input corpus (tests/bad-input), the tricky valid
# files (tests/fixtures/valid-input) and the fuzz regression fixtures
# (tests/fixtures/fuzz). Prints each harness's executions and findings;
# exits 1 if any harness found a crash, leaving it in build-fuzz/findings/.
#
#   bash tests/fuzz/run.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=${1:-60}

TFUND_WITH_FUZZ=1 bash .ci/install-deps
out=$top/build-fuzz
cmake -S . -B "$out" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTFUND_FUZZ=ON >/dev/null
harnesses=(fuzz_import fuzz_amount fuzz_date fuzz_decimal)
cmake --build "$out" -j "$(nproc)" --target "${harnesses[@]}" >/dev/null

# Seeds. The import harness takes the kind from the first byte: kinds in
# the order of tf_import_kinds.
kinds=(countries rates donors pledges receipts sessions requests costs spend)
seed=$out/seeds
rm -rf "$seed"
mkdir -p "$seed"/fuzz_import "$seed"/fuzz_amount "$seed"/fuzz_date "$seed"/fuzz_decimal
add_import_seed() { # KIND-INDEX FILE
  { printf "\\$(printf '%03o' "$1")"; head -c 65536 "$2"; } >"$seed/fuzz_import/$(basename "$2")-$1"
}
for i in "${!kinds[@]}"; do
  k=${kinds[$i]}
  for f in samples/gcm/"$k".csv tests/bad-input/"$k"-*.csv tests/fixtures/valid-input/"$k"-*.csv; do
    [ -f "$f" ] && add_import_seed "$i" "$f"
  done
done
head -n 40 sql/countries.csv >"$seed/countries-head.csv"
add_import_seed 0 "$seed/countries-head.csv"
rm "$seed/countries-head.csv"
# Amounts, dates and rates taken from the sample files' columns.
n=0
for v in 1500000.00 0.5 -12.00 12.345 1e5 1,000.00 "" 9223372036854775807 \
  92233720368547758.07 -0 007 .5 5. 100; do
  n=$((n + 1))
  printf '\x05%s' "$v" >"$seed/fuzz_amount/a$n"
  printf '\x00%s' "$v" >"$seed/fuzz_amount/j$n"
done
n=0
for v in 2017-02-28 2016-02-29 2017-02-29 2017-13-01 1900-01-01 2999-12-31 \
  2017-05-08T09:00:00Z 2017-05-08T24:00:00Z 17-5-8 2017/05/08; do
  n=$((n + 1))
  printf '\x10\x00%s' "$v" >"$seed/fuzz_date/d$n"
  printf '\xf0\xff%s' "$v" >"$seed/fuzz_date/e$n"
done
n=0
for v in "0.9346|1" "117.0|0.9506" "0.13" "1|1" "0|1" "00.10|3" "1e3" \
  "0.30500|0.000001" "123456789012345678901234567890.5|0.1"; do
  n=$((n + 1))
  printf '\x40\x42\x0f\x00\x00\x00\x00\x00\x31%s' "$v" >"$seed/fuzz_decimal/r$n"
done
if [ -d tests/fixtures/fuzz ]; then
  for h in "${harnesses[@]}"; do
    for f in tests/fixtures/fuzz/"$h"-*; do
      [ -f "$f" ] && cp "$f" "$seed/$h/"
    done
  done
fi

mkdir -p "$out/findings" "$out/corpus"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
found=0
total=0
for h in "${harnesses[@]}"; do
  corpus=$out/corpus/$h
  mkdir -p "$corpus"
  log=$out/$h.log
  rc=0
  "$out/tests/fuzz/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$out/findings/$h-" \
    "$corpus" "$seed/$h" >"$log" 2>&1 || rc=$?
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -n1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n1 | awk '{ print $2 }')
  crashes=$(find "$out/findings" -name "$h-*" -type f | wc -l)
  printf '%-13s %4ss: %10s executions, coverage %5s edges, corpus %5d inputs, %d finding(s)\n' \
    "$h" "$seconds" "${execs:-0}" "${cov:-0}" "$(find "$corpus" -type f | wc -l)" "$crashes"
  total=$((total + ${execs:-0}))
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    found=$((found + 1))
    grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -20 >&2 || true
    echo "fuzz: $h failed (exit $rc); its log is $log, its inputs are in $out/findings/" >&2
  fi
done
echo "fuzz: $total executions in all, $found harness(es) with findings"
[ "$found" -eq 0 ]
