#!/usr/bin/env python3
"""Writes a deterministic chat JSONL dataset for the benchmarks: make_dataset.py N OUT

Each line is a realistic ~1 KB request (a glossary system prompt, a user message with context)
with a reference answer in the demo's JSON format. Standard library only."""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261122)
words = ("service boundary billing checkout partner version authentication latency queue cache "
         "replica shard index schema token retry timeout backoff stream buffer socket thread").split()
system = ("You are a precise technical glossary assistant. Answer ONLY with a single JSON object of "
          "the form {\"term\": string, \"definition\": string, \"category\": string, \"related\": "
          "string[]}. No markdown, no code fences, no extra keys.")
categories = ["networking", "databases", "security", "machine-learning", "distributed-systems",
              "operating-systems", "programming", "hardware", "web"]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        term = f"term-{i}-{rng.choice(words)}"
        context = " ".join(rng.choice(words) for _ in range(60))
        user = f"Define the following term for the developer handbook. Term: {term}. Context: {context}."
        answer = {"term": term, "definition": "A " + " ".join(rng.choice(words) for _ in range(18)) + ".",
                  "category": rng.choice(categories), "related": [rng.choice(words), rng.choice(words)]}
        line = {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                             {"role": "assistant", "content": json.dumps(answer, separators=(",", ":"))}]}
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
