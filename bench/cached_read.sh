#!/usr/bin/env bash
# cached_read.sh DIR... : buffered 128 KiB random reads with the whole data set already in the
# page cache, the part of fs_bench's rand_read_128k_j4 after its cold start. For each DIR in
# turn (ROUNDS times, alternating), writes four files of FILE_MIB and reads each once the way
# fs_bench's phase fills the cache (fio drops the file's pages, then reads with FADV_RANDOM, so
# the cache holds what those reads brought in, without read-ahead), then runs that phase's fio
# (4 jobs at depth 1) for RAND_S seconds without dropping anything. Prints per DIR and round:
#   cached_rand_read_128k_j4 <iops> IOPS <dir>
#   folio_census line for the first file (large folios or 4 KiB pages; needs root)
# Knobs: ROUNDS (2), FILE_MIB (512), RAND_S (10). Needs fio and python3.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: cached_read.sh DIR..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
census=$here/../build/bench/folio_census
ROUNDS=${ROUNDS:-2}
FILE_MIB=${FILE_MIB:-512}
RAND_S=${RAND_S:-10}
works=()
trap 'rm -rf "${works[@]}"' EXIT

# one_dir DIR: one measurement on DIR.
one_dir() {
  local work=$1/cached_read.$$
  works+=("$work")
  mkdir -p "$work"
  fio --directory="$work" --name=c4 --rw=write --bs=1M --size="${FILE_MIB}m" --numjobs=4 \
    --end_fsync=1 --ioengine=psync --output=/dev/null >/dev/null
  fio --directory="$work" --name=c4 --rw=read --bs=128k --size="${FILE_MIB}m" --numjobs=4 \
    --fadvise_hint=random --ioengine=psync --output=/dev/null >/dev/null
  timeout $((RAND_S + 60)) fio --directory="$work" --name=c4 --rw=randread --bs=128k \
    --size="${FILE_MIB}m" --numjobs=4 --time_based --runtime="$RAND_S" --norandommap --invalidate=0 \
    --randrepeat=0 --ioengine=psync --group_reporting --output-format=json |
    python3 -c 'import json,sys; print("cached_rand_read_128k_j4 %d IOPS %s" %
      (round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]), sys.argv[1]))' "$1"
  if [[ -x $census && -r /proc/kpageflags ]]; then "$census" "$work/c4.0.0" || true; fi
  rm -rf "$work"
}

for ((round = 0; round < ROUNDS; round++)); do
  for dir in "$@"; do one_dir "$dir"; done
done
