#!/usr/bin/env node
// Regenerates sample.cl100k.json and sample.o200k.json: the token ids that OpenAI's own tokenizer
// (npm `tiktoken`, the WASM build of tiktoken's Rust core) gives for sample.txt, so the C++
// tests compare against the real thing rather than against our reading of it.
//
//   mkdir -p /tmp/tokref && cd /tmp/tokref && npm install tiktoken@1.0.22
//   NODE_PATH=/tmp/tokref/node_modules node tests/token/data/make_reference.js
//
// Outputs (next to this script), one per encoding:
//   whole       ids of the entire sample
//   whole_180e  ids of the sample with U+180E after every "\n": no line then starts with a
//               letter or digit, so the C++ side must use its exact (slower) pattern
//               throughout, while for `whole` it uses the fast one except near rare characters
//   lines       ids of each line (sample split at "\n", terminator excluded), which exercises
//               end-of-text behaviour of the `\s+(?!\S)` rule many times over
//   special     texts holding special tokens, encoded with every special allowed and as text
//   chat        prompt token counts of chat requests, by OpenAI's cookbook recipe (below)
//   fuzz        short random strings over an alphabet of troublemakers (odd whitespace, marks,
//               apostrophes, 15.x letters), each with its ids, and the token count of all of
//               them joined by newlines (which exercises the C++ side's chunking)
'use strict';

const fs = require('fs');
const path = require('path');
const { get_encoding, encoding_for_model } = require('tiktoken');

const here = __dirname;
const sample = fs.readFileSync(path.join(here, 'sample.txt'), 'utf8');
const tiktokenVersion = JSON.parse(fs.readFileSync(
  path.join(path.dirname(require.resolve('tiktoken')), 'package.json'), 'utf8')).version;

// Chat prompt tokens as the API bills them, from OpenAI's cookbook "How to count tokens with
// tiktoken" (examples/How_to_count_tokens_with_tiktoken.ipynb, num_tokens_from_messages):
//   every message costs tokens_per_message plus the tokens of each of its values (role, content,
//   name); a name adds tokens_per_name; the reply is primed with <|start|>assistant<|message|>,
//   3 more tokens. gpt-3.5-turbo-0301 used 4 and -1 (the name replaced the role), every later
//   chat model 3 and 1.
function chatTokens(model, messages) {
  const base = model.startsWith('ft:') ? model.split(':')[1] : model;
  const enc = encoding_for_model(base);
  const [perMessage, perName] = base === 'gpt-3.5-turbo-0301' ? [4, -1] : [3, 1];
  let n = 0;
  for (const m of messages) {
    n += perMessage;
    for (const [key, value] of Object.entries(m)) {
      // The API takes message text literally, so special-token look-alikes are plain text.
      n += enc.encode_ordinary(value).length;
      if (key === 'name') n += perName;
    }
  }
  enc.free();
  return n + 3;
}

const chatCases = [
  {
    model: 'gpt-3.5-turbo-0301',
    messages: [
      { role: 'system', content: 'You are a helpful, pattern-following assistant.' },
      { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
      { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
      { role: 'user', content: "This late pivot means we don't have time to boil the ocean." },
    ],
  },
  {
    model: 'gpt-3.5-turbo-0125',
    messages: [
      { role: 'system', content: 'You are a helpful, pattern-following assistant.' },
      { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
      { role: 'user', content: "This late pivot means we don't have time to boil the ocean." },
    ],
  },
  {
    model: 'gpt-4-0613',
    messages: [
      { role: 'system', content: 'Answer in JSON: {"term": string, "definition": string}.' },
      { role: 'user', content: 'Was ist ein Tokenizer? Объясни кратко. 用一句话解释。' },
    ],
  },
  {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', name: 'alice', content: "What's 2+2? 👋🏽 <|endoftext|> is just text here." },
      { role: 'assistant', content: '4' },
      { role: 'user', content: '' },
    ],
  },
  {
    model: 'ft:gpt-4o-mini-2024-07-18:acme::9xyz',
    messages: [
      { role: 'system', content: 'Term card.' },
      { role: 'user', content: 'BPE' },
    ],
  },
  {
    model: 'gpt-4o-2024-08-06',
    messages: [{ role: 'user', content: sample.slice(0, 2000) }],
  },
];

const specialTexts = {
  cl100k_base: [
    '<|endoftext|>',
    'Hello<|endoftext|>world',
    'a <|fim_prefix|>b<|fim_suffix|> c<|fim_middle|>d<|endofprompt|>',
    '<|endoftext|><|endoftext|>  <|endoftext|>\n',
    '<|endoftext| <|notatoken|> <|endoftext|>',
  ],
  o200k_base: [
    '<|endoftext|>',
    'Hello<|endoftext|>world',
    'x <|endofprompt|>y <|fim_prefix|> stays text',
    '<|endoftext|><|endoftext|>  <|endoftext|>\n',
  ],
};

// A fixed LCG, so the strings never change between runs or Node versions.
function fuzzCases() {
  let seed = 12345;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [
    ' ', ' ', ' ', '\t', '\n', '\r', '\r\n', '\u000b', '\u000c', '\u0085', '\ufeff', '\u180e',
    '\u00a0', '\u3000', '\u2028', '\u200b', 'a', 'b', 's', 't', 'S', 'T', 'e', 'L', 'D', 'x', 'A',
    'Z', "'", "'", '\u2019', '/', '//', '.', ',', '!', '?', '(', ')', '-', '_', '"', '<|', '|>', '0',
    '1', '9', '\u0663', '\u00bd', '\u00b2', '\u00e9', 'e\u0301', '\u0301', '\u00df', '\u017f',
    '\u212a', '\u01c5', '\u02b0', '\u4e2d', '\u6587', '\u306e', '\u30a2', '\u30fc', '\u043c',
    '\u0416', '\u0627', '\u093f', '\u0915', '\u{1F600}', '\u{1F44D}\u{1F3FD}',
    '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}', '\u{31350}', '\u{2EBF0}', '\u{11F04}',
    '\u{11F00}', '\u{11F50}', '\u{1E4D0}', '\u{1E4EB}', '\u{1E4F0}', '\u{1DF25}', '\u{1E030}',
    '\u0cf3', '\u{1D2C0}', 'the', ' the', 'ing', 'tion', '  ', '\n\n', 'http://', '123456',
  ];
  const cases = [];
  for (let i = 0; i < 500; ++i) {
    let text = '';
    for (let k = next(30); k > 0; --k) text += alphabet[next(alphabet.length)];
    cases.push(text);
  }
  return cases;
}

function writeReference(name) {
  const enc = get_encoding(name);
  const ids = (text) => Array.from(enc.encode(text));
  const out = [];
  out.push('{');
  out.push(`"encoding": ${JSON.stringify(name)},`);
  out.push(`"generator": ${JSON.stringify(`make_reference.js, npm tiktoken ${tiktokenVersion}`)},`);
  out.push(`"sample_bytes": ${Buffer.byteLength(sample, 'utf8')},`);
  out.push(`"whole": ${JSON.stringify(ids(sample))},`);
  out.push(`"whole_180e": ${JSON.stringify(ids(sample.split('\n').join('\n\u180e')))},`);
  const lines = sample.split('\n').map((line) => JSON.stringify(ids(line)));
  out.push(`"lines": [\n${lines.join(',\n')}\n],`);
  const special = specialTexts[name].map((text) => JSON.stringify({
    text,
    allowed: Array.from(enc.encode(text, 'all')),
    as_text: Array.from(enc.encode_ordinary(text)),
  }));
  out.push(`"special": [\n${special.join(',\n')}\n],`);
  const chat = chatCases
    .filter((c) => {
      const base = c.model.startsWith('ft:') ? c.model.split(':')[1] : c.model;
      const e = encoding_for_model(base);
      const same = e.name === name;
      e.free();
      return same;
    })
    .map((c) => JSON.stringify({ ...c, prompt_tokens: chatTokens(c.model, c.messages) }));
  out.push(`"chat": [\n${chat.join(',\n')}\n],`);
  const cases = fuzzCases();
  const fuzz = cases.map((text) => JSON.stringify([text, Array.from(enc.encode_ordinary(text))]));
  const joined = cases.map((text, i) => (i % 3 ? 'w' : '') + text).join('\n');
  out.push(`"fuzz": [\n${fuzz.join(',\n')}\n],`);
  out.push(`"fuzz_joined_count": ${enc.encode_ordinary(joined).length}`);
  out.push('}');
  const file = path.join(here, `sample.${name.replace('_base', '')}.json`);
  fs.writeFileSync(file, out.join('\n') + '\n');
  console.log(`${file}: ${ids(sample).length} tokens for the whole sample, ${lines.length} lines`);
  enc.free();
}

writeReference('cl100k_base');
writeReference('o200k_base');
