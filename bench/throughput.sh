#!/usr/bin/env bash
# 3a. Throughput: 20,000 cases x 2 variants against nginx serving a fixed chat.completion on
# loopback (is-json and json-schema checks, every result stored), and in the same run wrk with
# the same ~1 KB body and concurrency, and promptfoo (npm) on 2,000 cases x 2 providers with
# --no-cache. Prints one line with the medians of $REPEAT runs and the ratios.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CONC="${CONC:-64}"
CASES="${CASES:-20000}"
build_bench
bash "$BENCH/peers/peers_setup.sh" >/dev/null
"$BENCH/peers/nginx_ctl.sh" start >/dev/null
trap '"$BENCH/peers/nginx_ctl.sh" stop >/dev/null 2>&1 || true' EXIT
python3 "$BENCH/make_dataset.py" "$CASES" "$WORK/tp.jsonl"
write_suite "$WORK/tp.yaml" "$WORK/tp.jsonl" "http://127.0.0.1:18080/v1" "$CONC"

tb_rps=(); tb_phase=(); tb_rss=(); wrk_rps=(); pf_rps=()
for i in $(seq "$REPEAT"); do
  rm -f "$WORK"/tp.db*
  # Progress goes to stderr as plain lines when piped; its last line has the rate of the
  # dispatch phase alone (from the first request to the last result), a figure to set beside
  # wrk's steady state. The headline is the whole command: start-up, preflight and summary too.
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$TB" run "$WORK/tp.yaml" --db "$WORK/tp.db" --no-cache --no-report >/dev/null 2>"$WORK/tp.err"
  read -r wall rss < "$WORK/time.txt"
  tb_phase+=("$(grep -o 'finished: .* req/s' "$WORK/tp.err" | grep -o '[0-9.]* req/s' | cut -d' ' -f1 | awk '{printf "%.0f", $1}')")
  results=$(sqlite3 "$WORK/tp.db" "select count(*) from results where status='ok' and conformant=1")
  [ "$results" = $((CASES * 2)) ] || { echo "tunebench stored $results conformant results, expected $((CASES * 2))" >&2; exit 1; }
  tb_rps+=("$(awk -v n=$((CASES * 2)) -v w="$wall" 'BEGIN {printf "%.0f", n / w}')")
  tb_rss+=("$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}')")
  wrk_rps+=("$("$BENCH/peers/run_wrk.sh" "$CONC" 10 2 | awk '/^wrk conc=/ {for (i = 1; i <= NF; i++) if ($i ~ /^rps=/) {sub("rps=", "", $i); printf "%.0f", $i}}')")
  pf_rps+=("$("$BENCH/peers/run_promptfoo.sh" 2000 50 | awk '/^promptfoo N=/ {for (i = 1; i <= NF; i++) if ($i ~ /^rps=/) {sub("rps=", "", $i); print $i}}')")
done
t=$(median "${tb_rps[@]}"); d=$(median "${tb_phase[@]}"); w=$(median "${wrk_rps[@]}"); p=$(median "${pf_rps[@]}"); m=$(median "${tb_rss[@]}")
awk -v t="$t" -v d="$d" -v w="$w" -v p="$p" -v m="$m" -v n="$REPEAT" -v c="$CASES" 'BEGIN {
  printf "throughput (median of %d): tunebench %d req/s whole command (%d cases x 2, max RSS %d MB; dispatch phase alone %d req/s) | wrk %d req/s | promptfoo %.0f req/s | tunebench/wrk %.0f%% (target >= 25%%; dispatch phase %.0f%%) | tunebench/promptfoo %.0fx (target >= 50x)\n",
    n, t, c, m, d, w, p, 100 * t / w, 100 * d / w, t / p }'
echo "runs: tunebench ${tb_rps[*]} (dispatch phase ${tb_phase[*]}) | wrk ${wrk_rps[*]} | promptfoo ${pf_rps[*]}"
