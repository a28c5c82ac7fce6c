#!/usr/bin/env bash
# The main job: a sweep over every built-in scenario, one traced run, the
# legacy flow losing data, and last a picture of the traced run.
# Usage: scripts/demo.sh PATH/TO/ckptsim
set -euo pipefail
ckptsim=${1:?usage: scripts/demo.sh PATH/TO/ckptsim}
mkdir -p out
# The first section of `list scenarios` (up to its blank line): the built-ins and `random`,
# not the check scenarios, which are made for `ckptsim check`.
mapfile -t scenarios < <("$ckptsim" list scenarios | awk 'NF == 0 {exit} {print $1}')
echo "== sweep: ${#scenarios[@]} built-in scenarios x 500 seeds (flip147)"
"$ckptsim" sweep "${scenarios[@]}" --seeds 500 --out out/sweep.jsonl
echo
echo "== one run with its trace: fig6, seed 1"
"$ckptsim" run fig6 --seed 1 --trace out/fig6-seed1.jsonl
echo
echo "== the same job under the pre-FLIP-147 flow loses data (exit 1 expected)"
"$ckptsim" run cascade-2pc --variant legacy --seed 1 | head -n 12 || true
echo
echo "== the fig6 run as pictures (Graphviz): an HTML report, and the job graph after 1000 decisions"
"$ckptsim" report out/fig6-seed1.jsonl -o out/fig6-report.html
"$ckptsim" render out/fig6-seed1.jsonl --view jobgraph --step 1000 -o out/fig6.svg
echo "open out/fig6.svg, or out/fig6-report.html for every view and a step slider, in a browser"
