#!/usr/bin/env node
// ajv on the same files as bench/schema_bench.cpp: validations per second of parsed instances.
// use: NODE_PATH=DIR/node_modules node bench/schema_peer.js SCHEMA INSTANCES_JSONL
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020').default;
const [schemaFile, instancesFile] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
const lines = fs.readFileSync(instancesFile, 'utf8').split('\n').filter(Boolean);
const instances = lines.map((l) => JSON.parse(l));
const ajv = new Ajv2020({allErrors: false, strict: false});
const validate = ajv.compile(schema);
let valid = 0;
for (const i of instances) valid += validate(i) ? 1 : 0;  // warm-up (and JIT)
const seconds = [];
for (let r = 0; r < 5; ++r) {
  valid = 0;
  const start = process.hrtime.bigint();
  for (const i of instances) valid += validate(i) ? 1 : 0;
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
seconds.sort((a, b) => a - b);
// The second figure: JSON.parse + validate from the text of each line.
const textSeconds = [];
let validText = 0;
for (let r = 0; r < 5; ++r) {
  validText = 0;
  const start = process.hrtime.bigint();
  for (const l of lines) validText += validate(JSON.parse(l)) ? 1 : 0;
  textSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
textSeconds.sort((a, b) => a - b);
const version = require('ajv/package.json').version;
console.log(`ajv ${version} instances=${instances.length} valid=${valid} per_s=${Math.round(instances.length / seconds[2])} text_per_s=${Math.round(lines.length / textSeconds[2])} (median of 5)`);
