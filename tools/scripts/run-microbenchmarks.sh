#!/usr/bin/env bash
# Runs the Google Benchmark micro-benchmarks. "short" mode (CI) only checks
# that each runs; numbers from it mean nothing.
set -euo pipefail
build=$1
mode=${2:-full}
found=0
for bench in "$build"/tests/bench/*_bench; do
  [ -x "$bench" ] || continue
  found=1
  if [ "$mode" = short ]; then
    "$bench" --benchmark_min_time=0.001 >/dev/null
    echo "ran $(basename "$bench")"
  else
    "$bench"
  fi
done
[ "$found" = 1 ] || { echo "no micro-benchmarks were built" >&2; exit 1; }
