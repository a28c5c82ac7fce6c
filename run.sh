#!/usr/bin/env bash
# The two Quick start entry points (see README.md):
#   ./run.sh demo   set up, build, sweep the built-in scenarios, render one trace
#   ./run.sh test   set up, build, run the whole test suite
# Under CI=true (or CKPTSIM_SANITIZER_PASS=1), `test` then builds the suite
# once more with clang++, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs it there too: any sanitizer report fails the run. Last,
# under CI=true (or CKPTSIM_FUZZ_PASS=1) it fuzzes each libFuzzer target of
# tests/fuzz, built there too, for a minute: any crash, leak or timeout fails
# the run. Under CI=true warnings are errors in both builds.
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-}
case "$what" in demo|test) ;; *) echo "usage: ./run.sh demo|test" >&2; exit 2;; esac
bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
werror=OFF
sanitizer_pass=${CKPTSIM_SANITIZER_PASS:-0}
fuzz_pass=${CKPTSIM_FUZZ_PASS:-0}
if [ "${CI:-}" = "true" ]; then werror=ON; sanitizer_pass=1; fuzz_pass=1; fi
# The fuzz targets are built in the sanitizer pass's build-asan/.
[ "$fuzz_pass" = 1 ] && sanitizer_pass=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPTSIM_WERROR=$werror >/dev/null
cmake --build build -j "$jobs"
if [ "$what" = demo ]; then
  exec bash scripts/demo.sh build/cli/ckptsim
fi
(cd build && ctest --output-on-failure -j "$jobs" -LE long)
[ "$sanitizer_pass" = 1 ] || exit 0
# The preset `asan` of CMakePresets.json: clang++, -O1, no benchmarks; any
# sanitizer report fails its test. Tests that cannot work under ASan skip
# themselves (tests/README.md lists them).
echo "run.sh: the suite once more under ASan + UBSan, built with clang++ in build-asan/"
fuzz_seconds=${CKPTSIM_FUZZ_SECONDS:-60}
cmake --preset asan -DCKPTSIM_WERROR=$werror -DCKPTSIM_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"
[ "$fuzz_pass" = 1 ] || exit 0
# The preset `fuzz`: each libFuzzer target of tests/fuzz, built above with the
# suite, for a minute (CKPTSIM_FUZZ_SECONDS) from a temporary copy of its seed
# corpus.
echo "run.sh: each libFuzzer target for $fuzz_seconds s in build-asan/"
exec ctest --preset fuzz -j "$jobs"
