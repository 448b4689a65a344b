#!/usr/bin/env bash
# g++ 12 destroys a brace-initialized aggregate temporary twice when it appears in the same full
# expression as a co_await (docs/design/coroutines.md). This flags the usual shapes of it:
# `co_await f(Type{...})` and `co_await f({.field = ...})`. Name the value first instead.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='co_await.*([A-Z][A-Za-z0-9_:]*\{|[(,] *\{ *\.)'
if git ls-files -co --exclude-standard -- '*.h' '*.cc' | grep -v '^build' |
    xargs grep -nE "$pattern" | grep -v 'lint: not an aggregate'; then
  echo "aggregate temporaries in a co_await expression (see docs/design/coroutines.md)" >&2
  exit 1
fi
echo "no aggregate temporaries in co_await expressions"
