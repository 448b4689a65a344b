#!/usr/bin/env bash
# The cluster behind a mount: two mounts see each other's closed files; the mount rides out a
# killed storage server, a killed and restarted metadata server, and its own death (after a
# remount, everything fsynced is there); `chainfs down` and `up` bring back the same files; the
# blocks of removed files go back to the disk.
chainfs=$1
source "$(dirname "$0")/lib.sh"
start_cluster
mnt2=$work/mnt2

two_mounts() {
  mount_again "$mnt2"
  head -c 3000000 /dev/urandom >"$work/shared.bin"
  cp "$work/shared.bin" "$mnt/shared.bin"
  cmp "$work/shared.bin" "$mnt2/shared.bin" &&
    echo appended >>"$mnt2/shared.bin" && [[ $(tail -c 9 "$mnt/shared.bin") == appended ]]
}
check "a file closed on one mount is whole on another" two_mounts

# Pages of the file in mount 2's page cache (fincore's RES column, in bytes).
cached_bytes() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }

kept_pages() {
  head -c 1048576 /dev/urandom >"$work/kept.bin"
  cp "$work/kept.bin" "$mnt/kept.bin"
  cat "$mnt2/kept.bin" >/dev/null && cat "$mnt2/kept.bin" >/dev/null
  # Opened again unchanged (fincore opens it too): its pages stay.
  [[ $(cached_bytes "$mnt2/kept.bin") -gt 0 ]] || return 1
  # Rewritten in place on mount 1, same size: mount 2's next open reads the new bytes.
  head -c 1048576 /dev/urandom >"$work/kept.bin"
  dd if="$work/kept.bin" of="$mnt/kept.bin" bs=1M conv=notrunc status=none
  cmp "$work/kept.bin" "$mnt2/kept.bin"
}
check "unchanged files keep their cached pages; changed ones are read again" kept_pages

# Mount 2 keeps the listings it read whole; each must show every change mount 1 made since.
listing() { python3 -c 'import os, sys; print("\n".join(sorted(os.listdir(sys.argv[1]))))' "$1"; }
kept_listings() {
  python3 - "$mnt/listed" <<'PY'
import os, sys
os.mkdir(sys.argv[1])
for i in range(3000):
    open(f"{sys.argv[1]}/f{i:05d}", "w").close()
PY
  [[ $(listing "$mnt2/listed" | wc -l) -eq 3000 ]] || return 1
  listing "$mnt2/listed" >/dev/null  # now read from the kept listing
  touch "$mnt/listed/new" && rm "$mnt/listed/f01500" && mv "$mnt/listed/f02999" "$mnt/listed/g"
  diff <(listing "$mnt/listed") <(listing "$mnt2/listed") || return 1
  listing "$mnt2/listed" | grep -qx new && ! listing "$mnt2/listed" | grep -qx f01500 || return 1
  # Mount 2's own change, and a listing of an emptied directory.
  rm "$mnt2/listed/new" && ! listing "$mnt2/listed" | grep -qx new || return 1
  find "$mnt/listed" -type f -delete && [[ -z $(listing "$mnt2/listed") ]]
}
check "kept listings show every change another mount made" kept_listings

kill_storage_during_copy() {
  head -c $((200 << 20)) /dev/urandom >"$work/big.bin"
  cp "$work/big.bin" "$mnt/big.bin" &
  local copier=$!
  sleep 1
  kill -9 "$(cat "$dir/run/storage-2.pid")"
  wait $copier && cmp "$work/big.bin" "$mnt/big.bin" &&
    cmp "$work/big.bin" "$mnt2/big.bin"
}
check "SIGKILL of a storage server during a large copy" kill_storage_during_copy

restart_storage() {
  "$chainfs" storage --config "$dir/storage-2.toml" >>"$dir/logs/storage-2.log" 2>&1 &
  echo $! >"$dir/run/storage-2.pid"
  for _ in $(seq 300); do
    if "$chainfs" status --config "$dir/admin.toml" 2>/dev/null | grep -q "^  chain" &&
      ! "$chainfs" status --config "$dir/admin.toml" | grep "^  chain" | grep -qv "SERVING.*SERVING.*SERVING"; then
      return 0
    fi
    sleep 0.2
  done
  "$chainfs" status --config "$dir/admin.toml" >&2
  return 1
}
check "a restarted storage server serves again" restart_storage

kill_meta() {
  echo before >"$mnt/meta.txt"
  kill -9 "$(cat "$dir/run/meta.pid")"
  sleep 0.5
  "$chainfs" meta --config "$dir/meta.toml" >>"$dir/logs/meta.log" 2>&1 &
  echo $! >"$dir/run/meta.pid"
  # The mount retries until the server is back; no remount.
  [[ $(cat "$mnt/meta.txt") == before ]] && echo after >"$mnt/meta2.txt" &&
    [[ $(cat "$mnt2/meta2.txt") == after ]]
}
check "SIGKILL and restart of the metadata server" kill_meta

kill_mount() {
  python3 - "$mnt/synced.bin" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"s" * 3000000)
os.fsync(fd)
os.write(fd, b"unsynced")  # may be lost; the fsynced bytes may not
PY
  kill -9 "$(cat "$dir/run/mount.pid")"
  sleep 0.5
  ! ls "$mnt" >/dev/null 2>&1  # the dead mount: transport endpoint is not connected
  "$chainfs" mount --config "$dir/client.toml" "$mnt" >>"$dir/logs/mount.log" 2>&1 &
  echo $! >"$dir/run/mount.pid"
  for _ in $(seq 200); do
    ls "$mnt/synced.bin" >/dev/null 2>&1 && break
    sleep 0.05
  done
  [[ $(head -c 3000000 "$mnt/synced.bin" | tr -d s | wc -c) -eq 0 ]] &&
    [[ $(stat -c %s "$mnt/synced.bin") -ge 3000000 ]]
}
check "SIGKILL of the FUSE daemon, then a remount" kill_mount

down_and_up() {
  umount -l "$mnt2" && sleep 0.2
  sum=$(md5sum <"$mnt/big.bin")
  "$chainfs" down --dir "$dir" >/dev/null && ! grep -q " $mnt " /proc/mounts &&
    "$chainfs" up --dir "$dir" --mount "$mnt" >/dev/null &&
    [[ $(md5sum <"$mnt/big.bin") == "$sum" ]] && [[ $(cat "$mnt/meta2.txt") == after ]]
}
check "down, then up on the same directory, brings the files back" down_and_up

refuse_second_up() {
  ! "$chainfs" up --dir "$dir" --mount "$work/other" >"$work/dup.out" 2>&1 &&
    grep -q "is running" "$work/dup.out"
}
check "up on a directory whose cluster runs is refused" refuse_second_up

# Blocks the storage servers hold, over all of them.
storage_blocks() { du -s -B1 "$dir"/storage-*/ | awk '{s += $1} END {print s}'; }

# The servers punch a removed chunk's blocks a minute after the removal by default; these wait
# a second (storage.punch_delay_s). A restarted server punches every free slot once due, so
# the blocks held settle first.
short_punch_delay() {
  "$chainfs" down --dir "$dir" >/dev/null &&
    sed -i '/^\[storage\]/a punch_delay_s = 1' "$dir"/storage-*.toml &&
    "$chainfs" up --dir "$dir" --mount "$mnt" >/dev/null || return 1
  local last=-1 now
  sleep 1.5  # the delay, and a step of the punch loop
  for _ in $(seq 60); do
    sleep 0.5
    now=$(storage_blocks)
    [[ $now == "$last" ]] && return 0
    last=$now
  done
  return 1
}
check "up again, with a punch delay of one second" short_punch_delay

removed_blocks_go_back() {
  local before written
  before=$(storage_blocks)
  head -c $((64 << 20)) /dev/urandom >"$mnt/doomed.bin"
  # Three replicas of it are on disk...
  written=$(storage_blocks)
  [[ $written -ge $((before + (150 << 20))) ]] || return 1
  rm "$mnt/doomed.bin"
  # ...and go back once the collector removed the chunks and the servers punched them out.
  # (Slots that rewrites left behind keep their blocks for the next chunks.)
  for _ in $(seq 150); do
    [[ $(storage_blocks) -le $((written - (150 << 20))) ]] && return 0
    sleep 0.2
  done
  echo "storage blocks: $before before, $written written, $(storage_blocks) 30 s after the rm" >&2
  return 1
}
check "the blocks of removed files go back to the disk" removed_blocks_go_back

echo "$checks checks passed"
