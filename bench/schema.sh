#!/usr/bin/env bash
# Issue 4: instances/s validating 100,000 realistic model outputs against the demo schema,
# tunebench's validator and ajv (npm) on the same file in the same run. Target: >= ajv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
modules="$(npm_peer ajv ajv@8)"
python3 "$BENCH/make_outputs.py" 100000 "$WORK/outputs.jsonl"
schema="$ROOT/datasets/schemas/term.schema.json"
ours=(); theirs=(); ours_text=(); theirs_text=()
for i in $(seq "$REPEAT"); do
  "$ROOT/build/bench/bench/schema_bench" "$schema" "$WORK/outputs.jsonl" > "$WORK/ours.txt"
  NODE_PATH="$modules" node "$BENCH/schema_peer.js" "$schema" "$WORK/outputs.jsonl" > "$WORK/theirs.txt"
  ours+=("$(grep -o ' per_s=[0-9]*' "$WORK/ours.txt" | cut -d= -f2)")
  theirs+=("$(grep -o ' per_s=[0-9]*' "$WORK/theirs.txt" | cut -d= -f2)")
  ours_text+=("$(grep -o 'text_per_s=[0-9]*' "$WORK/ours.txt" | cut -d= -f2)")
  theirs_text+=("$(grep -o 'text_per_s=[0-9]*' "$WORK/theirs.txt" | cut -d= -f2)")
done
o=$(median "${ours[@]}"); t=$(median "${theirs[@]}")
ot=$(median "${ours_text[@]}"); tt=$(median "${theirs_text[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
echo "schema (median of $REPEAT): tunebench $o instances/s | $(cut -d" " -f1-2 "$WORK/theirs.txt") $t instances/s | ratio $(ratio "$o" "$t") (target >= 1x); parse + validate from text: $ot vs $tt per s = $(ratio "$ot" "$tt"); valid: $(grep -o ' valid=[0-9]*' "$WORK/ours.txt") vs $(grep -o ' valid=[0-9]*' "$WORK/theirs.txt")"
echo "  runs: tunebench ${ours[*]} | ajv ${theirs[*]} | from text: tunebench ${ours_text[*]} | ajv ${theirs_text[*]}"
