#!/usr/bin/env bash
# 3b. Little's law: the mock at a fixed 500 ms latency, concurrency 2,000, 20,000 jobs. A harness
# that keeps 2,000 requests in flight achieves 2,000 / 0.5 s = 4,000 req/s; target >= 90% of it.
# The rate is the runner's own (first dispatch to last commit), so start-up is not counted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
python3 "$BENCH/make_dataset.py" 10000 "$WORK/ll.jsonl"
start_mock "$WORK/ll.jsonl" --latency-ms 500
trap stop_mock EXIT
write_suite "$WORK/ll.yaml" "$WORK/ll.jsonl" "http://127.0.0.1:$MOCK_PORT/v1" 2000 "$ROOT/datasets/schemas/term.schema.json"
rates=()
for i in $(seq "$REPEAT"); do
  rm -f "$WORK"/ll.db*
  "$TB" run "$WORK/ll.yaml" --db "$WORK/ll.db" --no-cache --no-report 2> "$WORK/ll.err" >/dev/null
  elapsed=$(grep -o 'in [0-9.]* s' "$WORK/ll.err" | tail -n1 | awk '{print $2}')
  rates+=("$(awk -v e="$elapsed" 'BEGIN {printf "%.0f", 20000 / e}')")
done
r=$(median "${rates[@]}")
awk -v r="$r" -v n="$REPEAT" 'BEGIN { printf "littles_law (median of %d): %d req/s at concurrency 2000 and 500 ms = %.1f%% of 4000 (target >= 90%%)\n", n, r, 100 * r / 4000 }'
echo "runs: ${rates[*]}"
