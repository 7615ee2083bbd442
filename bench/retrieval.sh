#!/usr/bin/env bash
# Issue 11: the retrieval index on a generated 10 MB corpus (bench/make_corpus.py): index build
# MB/s (load, chunk at 300 tokens with overlap 50, write chunks and the FTS5 index) and BM25
# queries/s (2,000 queries, top 10, one thread), tunebench against wink-bm25-text-search (npm)
# indexing the same chunks with the same BM25 in the same run, with the overlap of their top 10.
# Targets: index >= 10 MB/s, >= 5,000 queries/s, top-10 overlap >= 0.9.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
modules="$(npm_peer retrieval wink-bm25-text-search@3.1.2)"
MB="${MB:-10}"
[ -f "$WORK/corpus-$MB.jsonl" ] || python3 "$BENCH/make_corpus.py" "$MB" "$WORK/corpus-$MB.jsonl" "$WORK/queries.txt"
bytes=""
tb_build=() tb_query=() peer_build=() peer_query=() overlap=""
for _ in $(seq "$REPEAT"); do
  out="$("$ROOT/build/bench/bench/retrieval_bench" "$WORK/corpus-$MB.jsonl" "$WORK/queries.txt" "$WORK")"
  echo "$out" | sed 's/^/  tunebench /'
  tb_build+=("$(echo "$out" | sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p')")
  tb_query+=("$(echo "$out" | sed -n 's/.* top 10, \([0-9]*\) queries\/s.*/\1/p')")
  bytes="$(echo "$out" | sed -n 's/^index build: \([0-9.]*\) MB.*/\1/p')"
  peer="$(NODE_PATH="$modules" node "$BENCH/retrieval_peer.js" "$WORK/chunks.jsonl" "$WORK/queries.txt" \
            "$WORK/tunebench_top10.txt" "$(awk "BEGIN {printf \"%d\", $bytes * 1000000}")")"
  echo "$peer" | sed 's/^/  wink      /'
  peer_build+=("$(echo "$peer" | sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p')")
  peer_query+=("$(echo "$peer" | sed -n 's/.* top 10, \([0-9]*\) queries\/s.*/\1/p')")
  overlap="$(echo "$peer" | sed -n 's/^top-10 overlap: \([0-9.]*\).*/\1/p')"
done
b="$(median "${tb_build[@]}")"; q="$(median "${tb_query[@]}")"
pb="$(median "${peer_build[@]}")"; pq="$(median "${peer_query[@]}")"
printf 'retrieval (%s MB, median of %s): index build tunebench %s MB/s | wink-bm25-text-search %s MB/s | %.1fx (target >= 10 MB/s); ' \
  "$bytes" "$REPEAT" "$b" "$pb" "$(awk "BEGIN {print $b / $pb}")"
printf 'bm25 queries tunebench %s/s | wink %s/s | %.1fx (target >= 5000/s); top-10 overlap %s (target >= 0.9)\n' \
  "$q" "$pq" "$(awk "BEGIN {print $q / $pq}")" "$overlap"
printf '  runs: build %s | %s MB/s; queries %s | %s per s\n' "${tb_build[*]}" "${peer_build[*]}" "${tb_query[*]}" "${peer_query[*]}"
