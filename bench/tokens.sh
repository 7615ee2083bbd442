#!/usr/bin/env bash
# Issue 5: single-thread encode throughput on a >= 10 MB mixed-language corpus, tunebench
# against tiktoken (npm, the WASM build of OpenAI's Rust core) and gpt-tokenizer in the same
# run, with the token counts side by side. Target: identical counts and >= 4x tiktoken.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_bench
modules="$(npm_peer tokenizers tiktoken gpt-tokenizer)"
bash "$BENCH/token_bench_corpus.sh" "$WORK/corpus.txt" 12
for enc in cl100k_base o200k_base; do
  echo "== $enc"
  "$ROOT/build/bench/bench/token_bench" "$WORK/corpus.txt" "$enc"
  NODE_PATH="$modules" node "$BENCH/token_peer.js" "$WORK/corpus.txt" "$enc"
done
