#!/usr/bin/env bash
# chainfs mgmtd, storage and the admin commands refuse bad settings at once, naming what is
# wrong, and a storage server refuses a target directory that is missing or not writable.
set -euo pipefail
chainfs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
S="--set cluster.secret=s"

expect_fail() {  # expected message, command...
  local want=$1; shift
  local out rc=0
  out=$(timeout 20 "$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
    echo "'$*' exited $rc: $out" >&2; exit 1
  fi
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "'$*' said: $out; expected: $want" >&2; exit 1
  fi
}

expect_fail "cluster.secret is not set" "$chainfs" mgmtd --set kv.rocksdb_path="$dir/m"
expect_fail "mgmtd.listen" "$chainfs" mgmtd $S --set mgmtd.listen=nowhere --set kv.rocksdb_path="$dir/m"
expect_fail "must be at most half" "$chainfs" mgmtd $S --set mgmtd.renew_ms=9000 --set kv.rocksdb_path="$dir/m"
expect_fail "kv.rocksdb_write_buffer_mb" "$chainfs" mgmtd $S --set kv.rocksdb_write_buffer_mb=0 --set kv.rocksdb_path="$dir/m"
expect_fail "meta.sync_interval_ms" "$chainfs" meta $S --set meta.sync_interval_ms=-1 --set kv.rocksdb_path="$dir/meta"
expect_fail "meta.sync_interval_ms" "$chainfs" meta $S --set meta.sync_interval_ms=soon --set kv.rocksdb_path="$dir/meta"
expect_fail "storage.node_id is not set" "$chainfs" storage $S --set storage.targets=1="$dir"
expect_fail "storage.targets: no target configured" "$chainfs" storage $S --set storage.node_id=1
expect_fail "'x=/tmp' is not ID=DIR" "$chainfs" storage $S --set storage.node_id=1 --set storage.targets=x=/tmp
expect_fail "target 1 twice" "$chainfs" storage $S --set storage.node_id=1 --set "storage.targets=1=$dir,1=$dir"
expect_fail "cluster.mgmtd: 'bad'" "$chainfs" storage $S --set storage.node_id=1 --set storage.targets=1="$dir" --set cluster.mgmtd=bad
expect_fail "directory '$dir/missing' does not exist" "$chainfs" storage $S --set storage.node_id=1 \
  --set storage.targets=1="$dir/missing" --set storage.listen=127.0.0.1:0
mkdir "$dir/ro"
chmod 555 "$dir/ro"
if [ "$(id -u)" -ne 0 ]; then  # root writes anywhere: the check is for everyone else
  expect_fail "directory '$dir/ro' is not writable" "$chainfs" storage $S --set storage.node_id=1 \
    --set storage.targets=1="$dir/ro" --set storage.listen=127.0.0.1:0
fi
expect_fail "cluster.secret is not set" "$chainfs" status
expect_fail "kUnavailable" "$chainfs" status $S --set cluster.mgmtd=127.0.0.1:1 --set rpc.connect_timeout_ms=500
echo "bad server settings are refused and named"
