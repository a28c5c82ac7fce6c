#!/usr/bin/env bash
# One shard of a sweep in a pod of the Indexed Job (sweep-job.yaml): the
# completion index Kubernetes gives the pod (JOB_COMPLETION_INDEX) is the
# shard. Writes RESULTS/shard-I.jsonl, resuming it if a retried pod finds
# one, then RESULTS/shard-I.done with the sweep's exit code, which the merge
# job (merge.sh) waits for.
#
# Environment: JOB_COMPLETION_INDEX, SHARDS (= the Job's completions),
# SCENARIO, SWEEP_ARGS (e.g. "--seeds 100000"), RESULTS (default /results),
# SWEEP_JOBS (worker threads, default: the cores the pod sees), CKPTSIM,
# MODE (sweep, or check: a sharded swarm search).
set -euo pipefail

index=${JOB_COMPLETION_INDEX:?run this in an Indexed Job (completionMode: Indexed)}
shards=${SHARDS:?set SHARDS to the Job completions}
scenario=${SCENARIO:?set SCENARIO to a built-in name or a file in the pod}
ckptsim=${CKPTSIM:-ckptsim}
results=${RESULTS:-/results}
read -r -a args <<< "${SWEEP_ARGS:-}"
mkdir -p "$results"

status=0
case ${MODE:-sweep} in
  sweep)
    jobs=()
    [ -n "${SWEEP_JOBS:-}" ] && jobs=(--jobs "$SWEEP_JOBS")
    "$ckptsim" sweep "$scenario" "${args[@]}" "${jobs[@]}" --shard "$index/$shards" \
      --out "$results/shard-$index.jsonl" --resume || status=$?
    ;;
  check)
    "$ckptsim" check "$scenario" --swarm "${SWARM:?set SWARM=K}" --seed "${SEED:-1}" "${args[@]}" \
      --shard "$index/$shards" --json -o "$results/check-$index.cex.jsonl" > "$results/check-$index.json" || status=$?
    ;;
  *)
    echo "MODE must be sweep or check, got '${MODE}'" >&2
    exit 2
    ;;
esac
# Exit 1 is a finding: the pod succeeds, and the merge reports it.
[ "$status" -le 1 ] || exit "$status"
echo "$status" > "$results/shard-$index.done"
