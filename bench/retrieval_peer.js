// The peer of retrieval_bench: wink-bm25-text-search indexing the same chunks with the same
// BM25 (k1 = 1.2, b = 0.75, title weighted 2, idf ln((N - n + 0.5) / (n + 0.5)) as FTS5 has it)
// and the same words (lowercased runs of letters and digits, as FTS5's unicode61 splits ASCII;
// no stemming, no stop words), then answering the same queries, top 10:
//   node retrieval_peer.js CHUNKS.jsonl QUERIES.txt TUNEBENCH_TOP10.txt CORPUS_BYTES
// Prints build MB/s (corpus bytes, as retrieval_bench counts them), queries/s (median of 3
// passes) and the mean share of tunebench's top 10 that it also returns (order ignored).
'use strict';
const fs = require('fs');
const bm25 = require('wink-bm25-text-search');
const [chunksFile, queriesFile, top10File, corpusBytes] = process.argv.slice(2);

const chunks = fs.readFileSync(chunksFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const queries = fs.readFileSync(queriesFile, 'utf8').split('\n').filter(Boolean);
const words = (text) => text.toLowerCase().split(/[^a-z0-9\u0080-\uffff]+/).filter(Boolean);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const builds = [];
let engine;
for (let pass = 0; pass < 3; ++pass) {
  const start = process.hrtime.bigint();
  engine = bm25();
  engine.defineConfig({ fldWeights: { title: 2, text: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 0 } });
  engine.definePrepTasks([words]);
  chunks.forEach((c) => engine.addDoc({ title: c.title, text: c.text }, c.id));
  engine.consolidate(9);
  builds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
const mb = Number(corpusBytes) / 1e6;
const build = median(builds);
console.log(`index build: ${mb.toFixed(2)} MB (${chunks.length} chunks) in ${build.toFixed(3)} s = ` +
            `${(mb / build).toFixed(1)} MB/s (median of 3: ${builds.map((s) => s.toFixed(3)).join(' ')} s)`);

const passes = [];
let found;
for (let pass = 0; pass < 3; ++pass) {
  const start = process.hrtime.bigint();
  found = queries.map((q) => engine.search(q, 10).map((hit) => hit[0]));
  passes.push(Number(process.hrtime.bigint() - start) / 1e9);
}
const seconds = median(passes);
console.log(`bm25 queries: ${queries.length} queries, top 10, ${Math.round(queries.length / seconds)} queries/s ` +
            `(median of 3 passes: ${seconds.toFixed(3)} s)`);

const ours = fs.readFileSync(top10File, 'utf8').split('\n').slice(0, queries.length).map((l) => l.split(' ').filter(Boolean));
let overlap = 0;
let counted = 0;
ours.forEach((list, i) => {
  if (list.length === 0 && found[i].length === 0) return;
  const theirs = new Set(found[i]);
  overlap += list.filter((id) => theirs.has(id)).length / Math.max(list.length, found[i].length);
  ++counted;
});
console.log(`top-10 overlap: ${(overlap / counted).toFixed(3)} over ${counted} queries with results`);
