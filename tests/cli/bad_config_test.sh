#!/usr/bin/env bash
# A broken configuration file is refused with a message naming the file, the key and what was
# expected; a good one is accepted.
set -euo pipefail
chainfs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

expect_error() {  # file, expected message
  if out=$("$chainfs" config --check "$1" 2>&1); then
    echo "accepted $1: $out" >&2; exit 1
  fi
  if ! grep -qF -- "$2" <<<"$out"; then
    echo "message for $1 was: $out; expected: $2" >&2; exit 1
  fi
}

printf '[rpc]\ncall_timeout_ms = 0\n' > "$dir/range.toml"
expect_error "$dir/range.toml" "$dir/range.toml: key 'rpc.call_timeout_ms': expected an integer in [1, 3600000], got 0"
printf '[rpc]\nno_such_key = 1\n' > "$dir/unknown.toml"
expect_error "$dir/unknown.toml" "$dir/unknown.toml: unknown key 'rpc.no_such_key'"
printf '[rpc]\ncall_timeout_ms = "soon"\n' > "$dir/type.toml"
expect_error "$dir/type.toml" "got a string"
printf '[rpc\n' > "$dir/syntax.toml"
expect_error "$dir/syntax.toml" "$dir/syntax.toml:1:"

"$chainfs" config > "$dir/defaults.toml"
"$chainfs" config --check "$dir/defaults.toml"
echo "config errors are named"
