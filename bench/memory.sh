#!/usr/bin/env bash
# 3c. Memory: peak RSS of `tunebench run` (reports included) for 10k, 100k and 1M jobs against
# a zero-latency mock in its own process. Target: <= 100 MB at 1M, < 2x growth from 10k to 1M.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
JOBS="${JOBS:-10000 100000 1000000}"
line="memory:"
first=""; last=""
for jobs in $JOBS; do
  cases=$((jobs / 2))
  python3 "$BENCH/make_dataset.py" "$cases" "$WORK/mem.jsonl"
  start_mock "$WORK/mem.jsonl" --latency-ms 0
  write_suite "$WORK/mem.yaml" "$WORK/mem.jsonl" "http://127.0.0.1:$MOCK_PORT/v1" 64 "$ROOT/datasets/schemas/term.schema.json"
  rm -f "$WORK"/mem.db*
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$TB" run "$WORK/mem.yaml" --db "$WORK/mem.db" --no-cache --quiet --out "$WORK/mem-reports" >/dev/null
  stop_mock
  read -r wall rss < "$WORK/time.txt"
  mb=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
  stored=$(sqlite3 "$WORK/mem.db" "select count(*) from results")
  [ "$stored" = "$jobs" ] || { echo "stored $stored of $jobs results" >&2; exit 1; }
  line="$line $jobs jobs ${mb} MB (${wall} s);"
  [ -n "$first" ] || first="$mb"
  last="$mb"
done
echo "$line growth $(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.2fx", b / a}') (target: <= 100 MB at 1M, < 2x)"
