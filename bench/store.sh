#!/usr/bin/env bash
# 3d. Store: sustained insert rate of results (~1 KB bodies, two check outcomes each) through
# the single writer thread. Target >= 100,000 rows/s.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
rates=()
for i in $(seq "$REPEAT"); do
  rates+=("$("$ROOT/build/bench/bench/store_bench" "${ROWS:-200000}" "$WORK/store.db" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^rows_per_s=/) {sub("rows_per_s=", "", $i); print $i}}')")
done
echo "store (median of $REPEAT): $(median "${rates[@]}") rows/s (target >= 100000); runs: ${rates[*]}"
