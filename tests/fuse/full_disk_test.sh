#!/usr/bin/env bash
# A cluster whose disk fills up, all of it on one small file system as `chainfs up` lays it out
# on one machine: a write that does not fit fails with ENOSPC and nothing dies; what was there
# still reads; once files are removed, writes go through again and every chain serves with all
# its replicas, with no restart. Needs root (it mounts a tmpfs).
# usage: full_disk_test.sh CHAINFS_BINARY
chainfs=${1:?usage: full_disk_test.sh CHAINFS_BINARY}
source "$(dirname "$0")/lib.sh"

fs=$work/fs
mkdir -p "$fs"
mount -t tmpfs -o size=768m tmpfs "$fs" || fail "cannot mount a tmpfs at $fs (root needed)"
dir=$fs/cluster
# lib.sh's cleanup stops the cluster; the logs and the tmpfs go after it.
full_disk_cleanup() {
  local rc=$?
  cd /
  "$chainfs" down --dir "$dir" >/dev/null 2>&1 || true
  if [[ $rc -ne 0 ]]; then
    for f in "$dir"/logs/*.log; do echo "== $f" >&2; tail -n 30 "$f" >&2; done
  fi
  umount -l "$fs" 2>/dev/null || true
  (exit $rc)
  cleanup
}
trap full_disk_cleanup EXIT

# Small reserves for a small disk, and removed chunks' blocks back within a second.
start_cluster
"$chainfs" down --dir "$dir" >/dev/null
sed -i '/^\[storage\]/a reserve_mib = 32\nrejoin_free_mib = 64\npunch_delay_s = 1' \
  "$dir"/storage-*.toml
start_cluster
servers() { pgrep -f "chainfs (mgmtd|meta|storage|mount) --config $dir/" | sort | tr '\n' ' '; }
before=$(servers)
echo "kept" >"$mnt/kept.txt"
sync "$mnt/kept.txt"

fill_fails_with_enospc() {
  ! dd if=/dev/zero of="$mnt/fill" bs=1M oflag=direct 2>"$work/dd.err" &&
    grep -q "No space left on device" "$work/dd.err"
}
check "a file that does not fit fails with ENOSPC" fill_fails_with_enospc

still_serves() {
  [[ $(cat "$mnt/kept.txt") == kept ]] && ls "$mnt" >/dev/null &&
    "$chainfs" status --config "$dir/admin.toml" >"$work/status.txt" &&
    [[ $(servers) == "$before" ]]
}
check "on a full disk every server is up and what was there reads" still_serves

small_write_fails() {
  ! head -c $((4 << 20)) /dev/zero 2>/dev/null >"$mnt/more" || ! sync "$mnt/more" 2>/dev/null
}
check "another write fails as well, with an answer" small_write_fails

head -c $((16 << 20)) /dev/urandom >"$work/data"
rm -f "$mnt/fill" "$mnt/more"
# The collector removes the chunks, and the servers punch their blocks a second later.
writes_again() {
  for _ in $(seq 90); do
    if cp "$work/data" "$mnt/after.bin" 2>/dev/null && sync "$mnt/after.bin" 2>/dev/null; then
      cmp -s "$work/data" "$mnt/after.bin" && return 0
    fi
    sleep 1
  done
  return 1
}
check "after the removal, writes go through again" writes_again

all_serving() {
  for _ in $(seq 60); do
    "$chainfs" status --config "$dir/admin.toml" >"$work/status.txt" 2>&1 &&
      ! grep -qE "OFFLINE|WAITING|SYNCING|LASTSRV" "$work/status.txt" && return 0
    sleep 1
  done
  cat "$work/status.txt" >&2
  return 1
}
check "every chain serves with all its replicas" all_serving
check "no server restarted" test "$(servers)" == "$before"

echo "$checks checks passed"
