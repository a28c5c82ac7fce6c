#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang++ (AddressSanitizer and
# UndefinedBehaviorSanitizer on) in build-fuzz/, then runs each for SECONDS
# (default 60) from its seed corpus in tests/fuzz/corpus/<target>/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# New inputs go to build-fuzz/corpus/<target>/, crashes to build-fuzz/findings/.
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
mkdir -p build-fuzz/findings
status=0
for target in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  # -rss_limit_mb and -timeout make memory and time blow-ups findings too.
  if ! "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -timeout=5 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/findings/$target-" \
      "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" 2> "build-fuzz/$target.log"; then
    echo "fuzz: $target found a problem: $(ls -t build-fuzz/findings/"$target"-* 2>/dev/null | head -1)" >&2
    tail -40 "build-fuzz/$target.log" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$target.log" || true
done
exit $status
