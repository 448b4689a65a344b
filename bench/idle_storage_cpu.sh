#!/usr/bin/env bash
# idle_storage_cpu.sh CHAINFS_BINARY DIR MOUNT [SECONDS]: CPU the storage servers of the cluster
# in DIR use while nothing happens. Brings the cluster up with the binary given (so binaries can
# be compared on the same data), waits 20 s for start-up work to settle, then reads the servers'
# user + system time over SECONDS (20) and prints
#   idle_storage_cpu <ms> ms over <SECONDS> s (<n> servers)
# and brings the cluster down. Fill DIR first (say, many small files) to see per-chunk costs.
set -euo pipefail
bin=${1:?usage: idle_storage_cpu.sh CHAINFS_BINARY DIR MOUNT [SECONDS]}
dir=${2:?usage: idle_storage_cpu.sh CHAINFS_BINARY DIR MOUNT [SECONDS]}
mnt=${3:?usage: idle_storage_cpu.sh CHAINFS_BINARY DIR MOUNT [SECONDS]}
seconds=${4:-20}
"$bin" up --dir "$dir" --mount "$mnt" >/dev/null
trap '"$bin" down --dir "$dir" >/dev/null 2>&1 || true' EXIT
sleep 20
pids=$(pgrep -f "chainfs storage --config $dir/")
ticks() {
  local sum=0 p
  for p in $pids; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$sum"
}
before=$(ticks)
sleep "$seconds"
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "idle_storage_cpu $(((after - before) * 1000 / hz)) ms over $seconds s ($(wc -w <<<"$pids") servers)"
