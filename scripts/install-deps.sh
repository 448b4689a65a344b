#!/usr/bin/env bash
# Installs every build and test dependency of chainfs from Debian packages.
# Safe to run again: it only installs what is missing.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build ccache pkg-config make git
  clang clang-format clang-tidy libclang-rt-14-dev
  libasio-dev liburing-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libisal-dev libssl-dev libcli11-dev librocksdb-dev libpq-dev postgresql
  libgtest-dev libgmock-dev fio
  libfuse3-dev fuse3 attr acl sqlite3 python3 util-linux procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
