#!/usr/bin/env bash
# `chainfs meta` starts on RocksDB, says where it listens, and stops cleanly on SIGTERM; broken
# settings are refused with a message naming the problem.
set -euo pipefail
chainfs=$1
dir=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT

expect_refusal() {  # expected message, arguments...
  local want=$1; shift
  if out=$(timeout 20 "$chainfs" meta "$@" 2>&1); then
    echo "accepted $*: $out" >&2; exit 1
  fi
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "message for $* was: $out; expected: $want" >&2; exit 1
  fi
}

expect_refusal "cluster.secret is not set" --set meta.listen=127.0.0.1:0
expect_refusal "kv.engine" --set cluster.secret=s --set kv.engine=etcd
expect_refusal "meta.listen" --set cluster.secret=s --set meta.listen=nowhere
expect_refusal "meta.chains" --set cluster.secret=s --set meta.chains=0
expect_refusal "expected key=value" --set cluster.secret=s --set chains

"$chainfs" meta --set cluster.secret=s --set meta.listen=127.0.0.1:0 \
  --set kv.rocksdb_path="$dir/kv" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do
  grep -q "listening on 127.0.0.1:" "$dir/out" && break
  sleep 0.1
done
grep -q "listening on 127.0.0.1:" "$dir/out" || { cat "$dir/err" >&2; exit 1; }
# fsck refuses a RocksDB store a server holds, and a path with no store.
if out=$("$chainfs" fsck --set kv.rocksdb_path="$dir/kv" 2>&1); then
  echo "fsck ran beside the server: $out" >&2; exit 1
fi
grep -q "lock" <<<"$out" || { echo "fsck beside the server said: $out" >&2; exit 1; }
kill -TERM $pid
wait $pid
pid=
test -f "$dir/kv/CURRENT"
out=$("$chainfs" fsck --set kv.rocksdb_path="$dir/kv")
grep -q "1 inodes, 0 entries: consistent" <<<"$out" || { echo "fsck said: $out" >&2; exit 1; }
if out=$("$chainfs" fsck --set kv.rocksdb_path="$dir/none" 2>&1); then
  echo "fsck accepted a missing store: $out" >&2; exit 1
fi
grep -q "no RocksDB store at '$dir/none'" <<<"$out" || { echo "fsck said: $out" >&2; exit 1; }
test ! -e "$dir/none"
echo "chainfs meta starts, serves and stops; fsck checks its store"
