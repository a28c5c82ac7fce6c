#!/usr/bin/env bash
# One sweep split into SHARDS shards run by GNU parallel, on this machine or
# over ssh, then merged into the summary one machine would print.
#
#   deploy/parallel/sweep.sh SHARDS SCENARIO [sweep options...]
#   deploy/parallel/sweep.sh 8 fig6 --seeds 100000 --variant legacy
#
# Shard I runs `ckptsim sweep SCENARIO [options] --shard I/SHARDS --out
# RESULTS/shard-I.jsonl` (the seeds whose offset is I modulo SHARDS), one
# worker thread each, as many shards at once as a machine has cores. Then
# `ckptsim merge` of the shard files writes RESULTS/summary.txt and
# RESULTS/summary.json and prints the text. Exit code: merge's (0 every
# property held, 1 a violation); 2 or more when a shard or the merge failed.
#
# Environment:
#   CKPTSIM       the binary (default: ckptsim on PATH)
#   RESULTS       folder for shard files and summaries (default: results)
#   SWEEP_JOBS    worker threads per shard (default: 1)
#   SSHLOGINFILE  GNU parallel's --sshloginfile: run shards on those hosts
#                 (each needs ckptsim at the same path; a scenario file is
#                 copied over, the shard files are copied back)
#   MODE          sweep (default), or check (a sharded swarm search, see below)
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 SHARDS SCENARIO [sweep options...]" >&2
  exit 2
fi
shards=$1
scenario=$2
shift 2
case $shards in '' | *[!0-9]* | 0) echo "$0: SHARDS must be a number above 0, got '$shards'" >&2; exit 2 ;; esac
ckptsim=${CKPTSIM:-ckptsim}
results=${RESULTS:-results}
mode=${MODE:-sweep}
mkdir -p "$results"
q_results=$(printf '%q' "$results")

# Over ssh: the scenario file travels to each host, the shard files come back.
remote=()
if [ -n "${SSHLOGINFILE:-}" ]; then
  remote=(--sshloginfile "$SSHLOGINFILE" --workdir ... --cleanup)
  [ -f "$scenario" ] && remote+=(--basefile "$scenario")
fi

case $mode in
  sweep)
    command=$(printf '%q ' "$ckptsim" sweep "$scenario" "$@" --jobs "${SWEEP_JOBS:-1}")
    # Exit 1 is a finding, not a failure: only 2 and above stop the other shards.
    parallel --halt now,fail=1 "${remote[@]}" ${remote:+--return "$results/shard-{}.jsonl"} \
      "mkdir -p $q_results && $command --shard {}/$shards --out $q_results/shard-{}.jsonl \
       > $q_results/shard-{}.log 2>&1; test \$? -le 1 || { cat $q_results/shard-{}.log >&2; exit 2; }" \
      ::: $(seq 0 $((shards - 1)))
    files=()
    for ((i = 0; i < shards; i++)); do files+=("$results/shard-$i.jsonl"); done
    status=0
    "$ckptsim" merge "${files[@]}" > "$results/summary.txt" || status=$?
    [ "$status" -le 1 ] || { cat "$results/summary.txt" >&2; exit "$status"; }
    "$ckptsim" merge "${files[@]}" --json > "$results/summary.json" || true
    cat "$results/summary.txt"
    exit "$status"
    ;;
  check)
    # Each shard explores its part of K swarm configurations drawn from seed S
    # and writes one JSON summary; their merge is the whole search's summary.
    command=$(printf '%q ' "$ckptsim" check "$scenario" --swarm "${SWARM:?set SWARM=K}" --seed "${SEED:-1}" "$@")
    parallel --halt now,fail=1 "${remote[@]}" ${remote:+--return "$results/check-{}.json" --return "$results/check-{}.cex.jsonl"} \
      "mkdir -p $q_results && $command --shard {}/$shards --json -o $q_results/check-{}.cex.jsonl > $q_results/check-{}.json; test \$? -le 1" \
      ::: $(seq 0 $((shards - 1)))
    files=()
    for ((i = 0; i < shards; i++)); do files+=("$results/check-$i.json"); done
    exec "$ckptsim" merge "${files[@]}"
    ;;
  *)
    echo "$0: MODE must be sweep or check, got '$mode'" >&2
    exit 2
    ;;
esac
