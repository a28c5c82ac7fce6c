#!/usr/bin/env bash
# Installs what ckptsim needs from Debian 12 packages, only what is missing.
# Idempotent: a second run installs nothing. Must run as root (or via sudo).
set -euo pipefail
packages=(cmake g++ ninja-build pkg-config
  libboost-graph-dev librapidcheck-dev libgtest-dev libgmock-dev libfmt-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libbenchmark-dev graphviz
  parallel  # GNU parallel: deploy/parallel/sweep.sh and its test
  clang     # libFuzzer (scripts/fuzz.sh) and the sanitizer build of run.sh test under CI
  libclang-rt-14-dev  # clang's ASan/UBSan/libFuzzer runtimes (only recommended by clang)
  llvm)     # llvm-symbolizer: file:line in sanitizer reports
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
