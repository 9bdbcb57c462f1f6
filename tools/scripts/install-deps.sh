#!/usr/bin/env bash
# Installs the Debian 12 packages procshare needs to build, run and test —
# only those missing, so a machine that has them all never touches apt.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config make
  libasio-dev libfmt-dev libssl-dev libedit-dev
  # the C++ client's value encoding is typed JSON (docs/values.md)
  nlohmann-json3-dev
  # cpack -G DEB (dpkg-shlibdeps) for the package test
  dpkg-dev
  # tests, fuzzing, micro-benchmarks, formatting
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format
  # Redis interoperability tests and the side-by-side benchmark
  redis-server redis-tools python3 python3-redis libhiredis-dev
  # the Python client's tests (tests/python)
  python3-pytest python3-setuptools python3-pip
  # hand testing as the README shows (nc -U)
  netcat-openbsd
  # the TLS tests make their certificates with the openssl command line
  openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing packages and not root; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
