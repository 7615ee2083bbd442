#!/usr/bin/env bash
# Issue 4: instances/s validating 100,000 realistic model outputs against the demo schema,
# tunebench's validator and ajv (npm) on the same file in the same run. Target: >= ajv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
modules="$(npm_peer ajv ajv@8)"
python3 "$BENCH/make_outputs.py" 100000 "$WORK/outputs.jsonl"
schema="$ROOT/datasets/schemas/term.schema.json"
ours=(); theirs=()
for i in $(seq "$REPEAT"); do
  ours+=("$("$ROOT/build/bench/bench/schema_bench" "$schema" "$WORK/outputs.jsonl" | tee "$WORK/ours.txt" | grep -o 'per_s=[0-9]*' | cut -d= -f2)")
  theirs+=("$(NODE_PATH="$modules" node "$BENCH/schema_peer.js" "$schema" "$WORK/outputs.jsonl" | tee "$WORK/theirs.txt" | grep -o 'per_s=[0-9]*' | cut -d= -f2)")
done
o=$(median "${ours[@]}"); t=$(median "${theirs[@]}")
echo "schema (median of $REPEAT): tunebench $o instances/s | $(head -c 12 "$WORK/theirs.txt") $t instances/s | ratio $(awk -v a="$o" -v b="$t" 'BEGIN {printf "%.2fx", a / b}') (target >= 1x); valid: $(grep -o 'valid=[0-9]*' "$WORK/ours.txt") vs $(grep -o 'valid=[0-9]*' "$WORK/theirs.txt")"
