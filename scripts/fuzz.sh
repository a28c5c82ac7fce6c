#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang++ (AddressSanitizer and
# UndefinedBehaviorSanitizer on) in build-fuzz/, then runs each for SECONDS
# (default 60) from its seed corpus in tests/fuzz/corpus/<target>/, through
# scripts/fuzz_target.sh.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Only the readers of untrusted input are instrumented (and model/ is built
# without sanitizers), so this fuzzes faster than the CI's Fuzz.<target> tests
# in build-asan/. The seeds are copied into build-fuzz/corpus/<target>/, which
# keeps the inputs found new from run to run; findings go to build-fuzz/findings/.
# Exit 0 when no target found anything; else 1, naming the finding.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario_loader schedule_parser plan_importer)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_CXX_COMPILER=clang++ \
  -DCKPTSIM_FUZZ=ON -DCKPTSIM_BUILD_TESTS=OFF -DCKPTSIM_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j 2 --target "${targets[@]/#/fuzz_}"
status=0
for target in "${targets[@]}"; do
  bash scripts/fuzz_target.sh "build-fuzz/tests/fuzz/fuzz_$target" "tests/fuzz/corpus/$target" "$seconds" \
    build-fuzz/findings "build-fuzz/corpus/$target" || status=1
done
exit $status
