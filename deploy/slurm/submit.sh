#!/usr/bin/env bash
# Submits a sweep as a Slurm array of SHARDS tasks and its merge after them.
#
#   deploy/slurm/submit.sh SHARDS SCENARIO [sweep options...]
#   RESULTS=/shared/ckptsim/run1 deploy/slurm/submit.sh 16 fig6 --seeds 100000
#
# RESULTS, CKPTSIM and MODE reach the tasks through the environment
# (sbatch exports it by default). Prints the two job ids.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SHARDS SCENARIO [sweep options...]" >&2
  exit 2
fi
shards=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --array=0-$((shards - 1)) "$here/sweep.sbatch" "$@")
merge=$(SHARDS=$shards sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch")
echo "sweep array: job $array ($shards tasks); merge: job $merge (results in ${RESULTS:-results}/summary.txt)"
