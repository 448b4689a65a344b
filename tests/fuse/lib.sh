# Shared by the mount tests: a throwaway cluster from `chainfs up`, and checks that say what
# failed. Source it after setting `chainfs` to the binary.
set -euo pipefail

# The tests change directory (into the mount, and out of it to clean up).
chainfs=$(cd "$(dirname "$chainfs")" && pwd)/$(basename "$chainfs")

# A mount needs the FUSE device; load the module if it is not there yet.
if [[ ! -c /dev/fuse ]]; then modprobe fuse 2>/dev/null || true; fi
if [[ ! -c /dev/fuse ]]; then
  echo "FAIL: /dev/fuse is missing (the fuse kernel module is not loaded): no mount can work" >&2
  exit 1
fi

work=$(mktemp -d /tmp/chainfs-test.XXXXXX)
dir=$work/cluster
mnt=$work/mnt
checks=0

cleanup() {
  local rc=$?
  cd /  # a shell inside the mount would keep it busy
  "$chainfs" down --dir "$dir" >/dev/null 2>&1 || true
  for m in "$work"/mnt*; do
    if grep -q " $m " /proc/mounts; then umount -l "$m" 2>/dev/null || true; fi
  done
  if [[ $rc -ne 0 ]]; then
    echo "FAILED; logs:" >&2
    for f in "$dir"/logs/*.log; do echo "== $f" >&2; tail -n 20 "$f" >&2; done
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# check NAME COMMAND...: runs a check, naming it on failure.
check() {
  local name=$1
  shift
  if ! "$@"; then fail "$name"; fi
  checks=$((checks + 1))
  echo "ok: $name"
}

start_cluster() {
  "$chainfs" up --dir "$dir" --mount "$mnt" >"$work/up.out" 2>&1 || {
    cat "$work/up.out" >&2
    fail "chainfs up"
  }
}

# A second mount of the same cluster, at $1.
mount_again() {
  mkdir -p "$1"
  "$chainfs" mount --config "$dir/client.toml" "$1" >"$work/mount2.log" 2>&1 &
  for _ in $(seq 200); do
    grep -q "mounted at" "$work/mount2.log" && return 0
    sleep 0.05
  done
  cat "$work/mount2.log" >&2
  fail "second mount"
}
