#!/usr/bin/env python3
"""Writes a deterministic retrieval corpus and queries:
   make_corpus.py MEGABYTES CORPUS.jsonl QUERIES.txt [cl100k_base.tiktoken]

The corpus is JSONL ({"id", "title", "text"}, ~2 KB per document) of word salad with English's
statistics: the words are the 24,648 lowercase words of cl100k_base's vocabulary (" the",
" density", ...; BPE learns frequent words first, so their rank order is roughly frequency
order), drawn with a Zipf distribution (s = 1.1) as word frequencies are in real text. So a few
words are in every document, most in a handful, and the text tokenizes like English (about 4
bytes per token). The 2,000 queries are 2 to 4 words of a random document, leaving out the 150
commonest (stop words: FTS5 drops them from queries too). Standard library only."""
import base64
import bisect
import itertools
import json
import os
import random
import re
import sys

megabytes, corpus_out, queries_out = float(sys.argv[1]), sys.argv[2], sys.argv[3]
vocab_file = sys.argv[4] if len(sys.argv) > 4 else os.path.join(
    os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")), "tunebench/vocab/cl100k_base.tiktoken")
vocabulary = []
with open(vocab_file, "rb") as f:
    for line in f:
        token = base64.b64decode(line.split()[0])
        if re.fullmatch(rb" [a-z]{2,}", token):
            vocabulary.append(token[1:].decode())
rng = random.Random(20261129)
weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(vocabulary))]
cumulative = list(itertools.accumulate(weights))
total = cumulative[-1]


def draw():
    return vocabulary[bisect.bisect_left(cumulative, rng.random() * total)]


target = int(megabytes * 1_000_000)
written, docs = 0, []
with open(corpus_out, "w", encoding="utf-8") as f:
    while written < target:
        title = " ".join(draw() for _ in range(rng.randint(2, 3))).capitalize()
        sentences = []
        while sum(len(s) + 1 for s in sentences) < rng.randint(1500, 2500):
            sentences.append(" ".join(draw() for _ in range(rng.randint(6, 18))).capitalize() + ".")
        text = " ".join(sentences)
        f.write(json.dumps({"id": f"doc-{len(docs)}", "title": title, "text": text}, separators=(",", ":")) + "\n")
        written += len(title) + len(text)
        docs.append(text)
common = set(vocabulary[:150])
with open(queries_out, "w", encoding="utf-8") as f:
    for _ in range(2000):
        words = sorted({w.strip(".").lower() for w in rng.choice(docs).split()} - common)
        f.write(" ".join(rng.sample(words, rng.randint(2, 4))) + "\n")
