#!/usr/bin/env node
// Throughput of the npm tokenizers we compare with, on one file:
//   node bench/token_peer.js FILE [cl100k_base|o200k_base]
// needs `tiktoken` (WASM build of OpenAI's Rust core) and `gpt-tokenizer` (pure JS), e.g.
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm install tiktoken gpt-tokenizer
//   NODE_PATH=/tmp/tokref/node_modules node bench/token_peer.js corpus.txt o200k_base
// Single thread; one warm-up pass on the first megabyte, then the median of 3 full passes.
// MB/s counts bytes of the UTF-8 file (1 MB = 10^6 bytes), as bench/token_bench.cpp does.
'use strict';

const fs = require('fs');
const path = require('path');

const [file, encodingName = 'cl100k_base'] = process.argv.slice(2);
if (!file || !['cl100k_base', 'o200k_base'].includes(encodingName)) {
  console.error('usage: token_peer.js FILE [cl100k_base|o200k_base]');
  process.exit(2);
}
const bytes = fs.readFileSync(file);
const text = bytes.toString('utf8');
const warmup = text.slice(0, 1 << 20);

function version(pkg) {
  try {
    // Walk up from the entry point: nested package.json files (cjs/, esm/) carry no version.
    for (let dir = path.dirname(require.resolve(pkg)); dir !== path.dirname(dir);
         dir = path.dirname(dir)) {
      const p = path.join(dir, 'package.json');
      if (!fs.existsSync(p)) continue;
      const json = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (json.name === pkg && json.version) return json.version;
    }
  } catch (_) { /* reported as unknown */ }
  return '?';
}

function measure(label, count) {
  count(warmup);
  const runs = [];
  let tokens = 0;
  for (let i = 0; i < 3; ++i) {
    const start = process.hrtime.bigint();
    tokens = count(text);
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  runs.sort((a, b) => a - b);
  const seconds = runs[1];
  console.log(`${label.padEnd(34)} ${(bytes.length / 1e6 / seconds).toFixed(2).padStart(8)} MB/s` +
              `  ${tokens} tokens  (median ${seconds.toFixed(3)} s of 3)`);
}

console.log(`${file}: ${bytes.length} bytes, ${encodingName}`);

const { get_encoding } = require('tiktoken');
const enc = get_encoding(encodingName);
measure(`tiktoken ${version('tiktoken')} encode`, (t) => enc.encode(t).length);
enc.free();

const gpt = require(`gpt-tokenizer/encoding/${encodingName}`);
measure(`gpt-tokenizer ${version('gpt-tokenizer')} encode`, (t) => gpt.encode(t).length);
measure(`gpt-tokenizer ${version('gpt-tokenizer')} countTokens`, (t) => gpt.countTokens(t));
