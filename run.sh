#!/usr/bin/env bash
# The two Quick start entry points (see README.md):
#   ./run.sh demo   set up, build, sweep the built-in scenarios, render one trace
#   ./run.sh test   set up, build, run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-}
case "$what" in demo|test) ;; *) echo "usage: ./run.sh demo|test" >&2; exit 2;; esac
bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPTSIM_WERROR=$werror >/dev/null
cmake --build build -j "$jobs"
if [ "$what" = demo ]; then
  exec bash scripts/demo.sh build/cli/ckptsim
else
  cd build && exec ctest --output-on-failure -j "$jobs" -LE long
fi
