#!/usr/bin/env python3
"""Writes N realistic model outputs for the demo schema (one JSON per line): make_outputs.py N OUT

About 80% conform to datasets/schemas/term.schema.json; the rest break it the ways models do
(missing or null fields, an extra key, a category outside the enum, related not a list)."""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
words = "latency cache replica shard index schema token retry timeout stream buffer socket".split()
categories = ["networking", "databases", "security", "machine-learning", "distributed-systems",
              "operating-systems", "programming", "hardware", "web"]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        o = {"term": f"{rng.choice(words)}-{i}",
             "definition": "A " + " ".join(rng.choice(words) for _ in range(rng.randint(12, 40))) + ".",
             "category": rng.choice(categories),
             "related": [rng.choice(words) for _ in range(rng.randint(2, 4))]}
        r = rng.random()
        if r < 0.05: del o["definition"]
        elif r < 0.09: o["definition"] = None
        elif r < 0.13: o["notes"] = "extra"
        elif r < 0.17: o["category"] = "cooking"
        elif r < 0.20: o["related"] = "retry"
        f.write(json.dumps(o, separators=(",", ":")) + "\n")
