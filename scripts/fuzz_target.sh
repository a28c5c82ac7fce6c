#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS from a copy of its seed corpus:
#   scripts/fuzz_target.sh BINARY SEED_CORPUS SECONDS FINDINGS_DIR [WORK_CORPUS]
# The seeds are copied into WORK_CORPUS (default: a temporary folder removed at
# the end), where libFuzzer also writes the inputs it finds new, so the source
# tree is only read. A crash, a leak, an input slower than 10 s, more than
# 2 GB of memory, or any other nonzero exit of the fuzzer is a finding: the
# input goes to FINDINGS_DIR/<target>-<kind>-<sha1>, the script prints it with
# the end of the fuzzer's log and exits 1. Exit 0 when nothing was found.
# ctest runs it as Fuzz.<target> (label fuzz); scripts/fuzz.sh for each target.
set -euo pipefail
if [ $# -lt 4 ] || [ $# -gt 5 ]; then
  echo "usage: scripts/fuzz_target.sh BINARY SEED_CORPUS SECONDS FINDINGS_DIR [WORK_CORPUS]" >&2
  exit 2
fi
binary=$1 seeds=$2 seconds=$3 findings=$4 work=${5:-}
target=$(basename "$binary")
target=${target#fuzz_}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ckptsim-fuzz-$target.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
[ -n "$work" ] || work=$scratch/corpus
mkdir -p "$work" "$findings"
cp -R "$seeds/." "$work/"
seeds_count=$(find "$seeds" -type f | wc -l)
log=$scratch/fuzz.log
echo "fuzz: $target for ${seconds}s from $seeds_count seeds of $seeds"
# -timeout is wall-clock time per input: 10 s leaves room for a loaded machine
# (each input of the corpus takes well under 0.1 s here under ASan).
status=0
"$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$findings/$target-" "$work" > "$log" 2>&1 || status=$?
grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$log" | sed "s/^/fuzz: $target /" || true
echo "fuzz: $target corpus $seeds_count seeds -> $(find "$work" -type f | wc -l) inputs"
if [ "$status" -ne 0 ]; then
  finding=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
  echo "fuzz: $target found a problem (fuzzer exit $status): ${finding:-no input written}" >&2
  tail -60 "$log" >&2
  exit 1
fi
