#!/usr/bin/env bash
# `chainfs mount` with what cannot work: each exits non-zero within seconds, naming the problem.
set -euo pipefail
chainfs=$1
work=$(mktemp -d /tmp/chainfs-bad.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/mnt"

expect_refusal() {  # expected message, arguments...
  local want=$1
  shift
  local out rc=0
  out=$(timeout 30 "$chainfs" mount "$@" 2>&1) || rc=$?
  if [[ $rc -eq 0 || $rc -eq 124 ]]; then
    echo "mount $* exited $rc: $out" >&2
    exit 1
  fi
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "message for mount $* was: $out; expected: $want" >&2
    exit 1
  fi
  echo "ok: $want"
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cluster=(--set cluster.secret=s --set "cluster.mgmtd=127.0.0.1:$port" --set "cluster.meta=127.0.0.1:$port")

expect_refusal "mount point $work/missing" "${cluster[@]}" "$work/missing"
touch "$work/file"
expect_refusal "is not a directory" "${cluster[@]}" "$work/file"
expect_refusal "no cluster manager at 127.0.0.1:$port answered" "${cluster[@]}" \
  --set client.start_timeout_ms=2000 "$work/mnt"
expect_refusal "cluster.secret is not set" --set "cluster.mgmtd=127.0.0.1:$port" \
  --set "cluster.meta=127.0.0.1:$port" "$work/mnt"
expect_refusal "cluster.meta" --set cluster.secret=s --set "cluster.mgmtd=127.0.0.1:$port" \
  --set cluster.meta=nowhere "$work/mnt"
printf 'cluster.secret = \n' >"$work/broken.toml"
expect_refusal "broken.toml" --config "$work/broken.toml" "$work/mnt"

# A wrong secret against a real cluster manager.
"$chainfs" mgmtd --set "mgmtd.listen=127.0.0.1:$port" --set cluster.secret=right \
  --set "kv.rocksdb_path=$work/mgmtd" >"$work/mgmtd.log" 2>&1 &
mgmtd=$!
trap 'kill -9 $mgmtd 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/mgmtd.log" && break; sleep 0.1; done
expect_refusal "secret" --set cluster.secret=wrong --set "cluster.mgmtd=127.0.0.1:$port" \
  --set "cluster.meta=127.0.0.1:$port" --set client.start_timeout_ms=3000 "$work/mnt"
! grep -q " $work/mnt " /proc/mounts
