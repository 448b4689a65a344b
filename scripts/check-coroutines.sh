#!/usr/bin/env bash
# g++ 12 destroys some coroutine temporaries twice (docs/design/coroutines.md). This flags the
# shapes seen so far: a brace-initialized aggregate in a co_await expression
# (`co_await f(Type{...})`, `co_await f({.field = ...})`), and co_await in a branch of the
# conditional operator (`c ? co_await a : co_await b`). Name the value, or use if/else.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='co_await.*([A-Z][A-Za-z0-9_:]*\{|[(,] *\{ *\.)|[?:] *co_await'
if git ls-files -co --exclude-standard -- '*.h' '*.cc' | grep -v '^build' |
    xargs grep -nE "$pattern" | grep -v 'lint: not an aggregate'; then
  echo "coroutine temporaries g++ 12 destroys twice (see docs/design/coroutines.md)" >&2
  exit 1
fi
echo "no coroutine shapes that g++ 12 miscompiles"
