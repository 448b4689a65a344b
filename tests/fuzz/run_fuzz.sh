#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time over the corpus kept in the repo. New inputs go to a
# scratch directory, so the repo's corpus changes only when someone merges them in on purpose:
#   FUZZER -merge=1 tests/fuzz/corpus SCRATCH
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
if [ ! -x "$fuzzer" ]; then
  echo "fuzz target $fuzzer is missing: build it with 'make fuzz-build' (clang, CHAINFS_FUZZ=ON)" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 "$scratch" "$corpus" 2>&1 | tail -25
exit "${PIPESTATUS[0]}"
