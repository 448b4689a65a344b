#!/usr/bin/env bash
# Fails when a C++ source file differs from what clang-format (.clang-format) makes of it.
# Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.h' '*.cc' | grep -v '^build')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/chainfs-format.$$; then
  grep -E '^[^ ].*error' /tmp/chainfs-format.$$ | sed 's/: error:.*//' | sort -u | sed 's/^/not formatted: /'
  rm -f /tmp/chainfs-format.$$
  echo "run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/chainfs-format.$$
echo "${#files[@]} files formatted"
