#!/usr/bin/env bash
# Runs every built libFuzzer target for a bounded time over its seed corpus.
# Usage: run-fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1
seconds=${2:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
found=0
for fuzzer in "$build"/tests/fuzz/*_fuzz; do
  [ -x "$fuzzer" ] || continue
  found=1
  name=$(basename "$fuzzer" _fuzz)
  seeds="$root/tests/fuzz/corpus/$name"
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  extra=()
  dict="$root/tests/fuzz/${name}_fuzz.dict"
  [ -f "$dict" ] && extra+=("-dict=$dict")
  echo "fuzzing $name for ${seconds}s"
  # pipefail makes a crash (non-zero exit) fail the run; the tail keeps the log short.
  "$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${extra[@]}" "$work" 2>&1 | tail -n 12
  rm -rf "$work"
done
[ "$found" = 1 ] || { echo "no fuzz targets were built" >&2; exit 1; }
echo "fuzzing: 0 failed"
