#!/usr/bin/env bash
# The final step of a sharded sweep (merge-job.yaml): waits until every shard
# has written RESULTS/shard-I.done (at most WAIT_SECONDS, default 0: do not
# wait), then merges RESULTS/shard-0..N-1.jsonl into RESULTS/summary.txt and
# summary.json and prints the text, the summary one machine would print.
# Exit code: merge's (0 every property held, 1 a violation, 2 bad input).
set -euo pipefail

shards=${SHARDS:?set SHARDS to the sweep Job completions}
ckptsim=${CKPTSIM:-ckptsim}
results=${RESULTS:-/results}
deadline=$((SECONDS + ${WAIT_SECONDS:-0}))
for ((i = 0; i < shards; i++)); do
  while [ ! -f "$results/shard-$i.done" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "shard $i of $shards has not finished ($results/shard-$i.done is missing)" >&2
      exit 2
    fi
    sleep 10
  done
done
files=()
case ${MODE:-sweep} in
  sweep) for ((i = 0; i < shards; i++)); do files+=("$results/shard-$i.jsonl"); done ;;
  # The check variant: the shards' JSON summaries (merge knows them apart).
  check) for ((i = 0; i < shards; i++)); do files+=("$results/check-$i.json"); done ;;
  *) echo "MODE must be sweep or check, got '${MODE}'" >&2; exit 2 ;;
esac
status=0
"$ckptsim" merge "${files[@]}" > "$results/summary.txt" || status=$?
[ "$status" -le 1 ] || { cat "$results/summary.txt" >&2; exit "$status"; }
"$ckptsim" merge "${files[@]}" --json > "$results/summary.json" || true
cat "$results/summary.txt"
exit "$status"
