#!/usr/bin/env bash
# fs_bench.sh MOUNTPOINT [DIR_BENCH]: the file-system workload we compare chainfs with peers on,
# every part bounded in time. Prints one "name value unit" line per figure:
#   seq_write_1M_j{1,4}, seq_read_1M_j{1,4}          fio, 1 MiB, fsync at the end of writes,
#                                                     page cache dropped before reads (MiB/s)
#   rand_read_{4k,128k}_j4[_direct]                   fio, 4 jobs at depth 1, buffered and O_DIRECT
#   md_{create,stat,open,readdir,unlink}_t{1,4}      dir_bench, 20,000 empty files in one directory
# Knobs: SEQ_MIB (total sequential size, default 2048), SEQ_S (60), RAND_S (20), MD_N (20000),
# MD_S (30). Needs fio and python3; root to drop the page cache.
set -euo pipefail
target=${1:?usage: fs_bench.sh MOUNTPOINT [DIR_BENCH]}
here=$(cd "$(dirname "$0")" && pwd)
dir_bench=${2:-$here/../build/bench/dir_bench}
SEQ_MIB=${SEQ_MIB:-2048}
SEQ_S=${SEQ_S:-60}
RAND_S=${RAND_S:-20}
MD_N=${MD_N:-20000}
MD_S=${MD_S:-30}
work=$target/fs_bench.$$
out=$(mktemp -d /tmp/fs_bench.XXXXXX)
mkdir -p "$work"
trap 'rm -rf "$work" "$out"' EXIT

drop_caches() {
  sync
  if [[ -w /proc/sys/vm/drop_caches ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

# fio_run TAG ARGS...: one fio run, its JSON in $out/TAG.json.
fio_run() {
  local tag=$1
  shift
  timeout $((SEQ_S + RAND_S + 120)) fio --directory="$work" --ioengine=psync --fallocate=none \
    --group_reporting --output-format=json --output="$out/$tag.json" "$@" >/dev/null 2>&1 ||
    echo "fs_bench: fio $tag failed" >&2
}

# report TAG read|write NAME KIND: KIND is bw (MiB/s), iops, or p99 (us).
report() {
  python3 - "$out/$1.json" "$2" "$3" "$4" <<'PY'
import json, sys
path, rw, name, kind = sys.argv[1:]
try:
    job = json.load(open(path))["jobs"][0][rw]
except Exception:
    print(f"{name} nan {'MiB/s' if kind == 'bw' else kind}")
    sys.exit(0)
if kind == "bw":
    print(f"{name} {job['bw_bytes'] / 1048576:.1f} MiB/s")
elif kind == "iops":
    print(f"{name} {job['iops']:.0f} IOPS")
else:
    print(f"{name} {job['clat_ns']['percentile']['99.000000'] / 1000:.0f} us")
PY
}

per4=$((SEQ_MIB / 4))
fio_run sw1 --name=seq1 --rw=write --bs=1M --size=${SEQ_MIB}m --numjobs=1 --end_fsync=1 --runtime=$SEQ_S
report sw1 write seq_write_1M_j1 bw
fio_run sw4 --name=seq4 --rw=write --bs=1M --size=${per4}m --numjobs=4 --end_fsync=1 --runtime=$SEQ_S
report sw4 write seq_write_1M_j4 bw
drop_caches
fio_run sr1 --name=seq1 --rw=read --bs=1M --size=${SEQ_MIB}m --numjobs=1 --runtime=$SEQ_S
report sr1 read seq_read_1M_j1 bw
drop_caches
fio_run sr4 --name=seq4 --rw=read --bs=1M --size=${per4}m --numjobs=4 --runtime=$SEQ_S
report sr4 read seq_read_1M_j4 bw
for bs in 4k 128k; do
  drop_caches
  fio_run rr$bs --name=seq4 --rw=randread --bs=$bs --size=${per4}m --numjobs=4 --time_based \
    --runtime=$RAND_S --norandommap --randrepeat=0
  report rr$bs read rand_read_${bs}_j4 iops
  fio_run rrd$bs --name=seq4 --rw=randread --bs=$bs --size=${per4}m --numjobs=4 --direct=1 \
    --time_based --runtime=$RAND_S --norandommap --randrepeat=0
  report rrd$bs read rand_read_${bs}_j4_direct iops
  [[ $bs == 4k ]] && report rrd$bs read rand_read_4k_j4_direct_p99 p99
done
rm -f "$work"/seq*
for t in 1 4; do
  drop_caches
  timeout $((MD_S * 5 + 60)) "$dir_bench" "$work/md$t" "$MD_N" $t "$MD_S" ||
    echo "fs_bench: dir_bench with $t threads failed" >&2
done
