#!/usr/bin/env python3
"""Writes datasets/general_ability.jsonl: general abilities a fine-tune must not forget.

Each case is generated with its exact answer and the checks that judge it, so the dataset needs
no model and no grader: arithmetic, unit and date conversions, string tasks, instruction following
with checkable constraints (exactly three bullet points, answer in German, only a number, one
sentence) and small JSON tasks. Deterministic (fixed seed): running it again writes the same file.

    python3 datasets/make_general_ability.py > datasets/general_ability.jsonl
"""
import datetime
import json
import random

rng = random.Random(20261129)
SYSTEM = "You are a helpful assistant. Follow the instructions exactly."
ONLY_NUMBER = {"type": "regex", "pattern": r"^\s*-?\d+(\.\d+)?\s*$", "name": "only-a-number"}
cases = []


def add(case_id, tags, question, answer, checks):
    cases.append({
        "id": case_id,
        "tags": tags,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ],
        "checks": checks,
    })


# Arithmetic: only the number, and the right one.
for i in range(30):
    a, b = rng.randint(12, 999), rng.randint(3, 99)
    op = ["+", "-", "*"][i % 3]
    value = a + b if op == "+" else a - b if op == "-" else a * b
    add(f"arith-{i:02d}", ["arithmetic"], f"What is {a} {op} {b}? Answer with only the number.", str(value),
        [ONLY_NUMBER, {"type": "equals"}])

# Unit conversions with exact integer answers.
UNITS = [("kilometres", "metres", 1000), ("hours", "minutes", 60), ("kilograms", "grams", 1000),
         ("days", "hours", 24), ("minutes", "seconds", 60), ("gigabytes", "megabytes", 1024),
         ("feet", "inches", 12), ("weeks", "days", 7), ("litres", "millilitres", 1000), ("yards", "feet", 3)]
for i in range(30):
    src, dst, factor = UNITS[i % len(UNITS)]
    n = rng.randint(2, 60)
    add(f"unit-{i:02d}", ["units"], f"Convert {n} {src} to {dst}. Answer with only the number.", str(n * factor),
        [ONLY_NUMBER, {"type": "equals"}])

# Dates: weekdays and date arithmetic.
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
for i in range(15):
    d = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 2500))
    day = WEEKDAYS[d.weekday()]
    add(f"weekday-{i:02d}", ["dates"], f"Which day of the week was {d.isoformat()}? Answer with one English word.", day,
        [{"type": "regex", "pattern": rf"^\s*{day}\.?\s*$", "flags": "i", "name": "the-weekday"}])
for i in range(15):
    d = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(0, 1500))
    n = rng.randint(3, 120)
    later = d + datetime.timedelta(days=n)
    add(f"date-{i:02d}", ["dates"],
        f"What is the date {n} days after {d.isoformat()}? Answer with only the date as YYYY-MM-DD.",
        later.isoformat(), [{"type": "regex", "pattern": r"^\s*\d{4}-\d{2}-\d{2}\s*$", "name": "iso-date"},
                            {"type": "equals"}])

# String tasks.
WORDS = ["tunebench", "conformance", "latency", "baseline", "variant", "retrieval", "gradient", "tokenizer",
         "checkpoint", "embedding", "regression", "benchmark", "inference", "adapter", "schema"]
for i, w in enumerate(WORDS):
    add(f"reverse-{i:02d}", ["strings"], f"Reverse the letters of the word '{w}'. Answer with only the reversed word.",
        w[::-1], [{"type": "equals"}])
    add(f"upper-{i:02d}", ["strings"], f"Write the word '{w}' in capital letters. Answer with only that word.",
        w.upper(), [{"type": "equals"}])
    add(f"length-{i:02d}", ["strings"], f"How many letters does the word '{w}' have? Answer with only the number.",
        str(len(w)), [ONLY_NUMBER, {"type": "equals"}])

# Instruction following with checkable constraints.
TOPICS = {
    "unit tests": ["They catch regressions early.", "They document intended behaviour.", "They make refactoring safer."],
    "version control": ["It keeps the history of every change.", "It lets people work in parallel.",
                        "It makes reverting a mistake easy."],
    "code review": ["It finds defects before release.", "It spreads knowledge across the team.",
                    "It keeps the style consistent."],
    "continuous integration": ["It tests every change automatically.", "It keeps the main branch releasable.",
                               "It shortens the feedback loop."],
    "type checking": ["It catches mistakes before running the code.", "It documents the shape of data.",
                      "It helps editors complete code."],
    "logging": ["It shows what happened in production.", "It helps diagnose failures.",
                "It records who did what and when."],
    "caching": ["It lowers latency.", "It reduces load on the backend.", "It saves money on repeated work."],
    "backups": ["They protect against data loss.", "They allow recovery from mistakes.",
                "They help after ransomware attacks."],
    "monitoring": ["It shows problems before users report them.", "It measures service levels.",
                   "It guides capacity planning."],
    "documentation": ["It helps new people start.", "It records decisions.", "It reduces repeated questions."],
}
THREE_BULLETS = {"type": "regex", "pattern": r"^\s*(?:- [^\n]+\n){2}- [^\n]+\s*$", "name": "exactly-three-bullets"}
for i, (topic, points) in enumerate(TOPICS.items()):
    add(f"bullets-{i:02d}", ["instructions"],
        f"Give exactly three benefits of {topic}, as three bullet points that start with '- ', and nothing else.",
        "\n".join("- " + p for p in points), [THREE_BULLETS])

GERMAN = [("house", "Haus"), ("water", "Wasser"), ("book", "Buch"), ("tree", "Baum"), ("friend", "Freund"),
          ("city", "Stadt"), ("dog", "Hund"), ("bread", "Brot"), ("school", "Schule"), ("window", "Fenster"),
          ("morning", "Morgen"), ("apple", "Apfel"), ("car", "Auto"), ("night", "Nacht"), ("train", "Zug")]
for i, (en, de) in enumerate(GERMAN):
    add(f"german-{i:02d}", ["instructions", "language"],
        f"Answer in German with one word: what is the German noun for '{en}'?", de,
        [{"type": "regex", "pattern": rf"^\s*{de}\.?\s*$", "flags": "i", "name": "german-word"}])

for i in range(10):
    n = rng.randint(2, 9)
    add(f"sentence-{i:02d}", ["instructions"],
        f"In exactly one sentence that ends with a period, say how many sides a polygon with {n} corners has.",
        f"A polygon with {n} corners has {n} sides.",
        [{"type": "regex", "pattern": r"^\s*[^.!?\n]+\.\s*$", "name": "one-sentence"},
         {"type": "contains", "value": str(n)}])

# Small JSON tasks: the format and the value.
for i in range(10):
    a, b = rng.randint(1, 500), rng.randint(1, 500)
    add(f"json-{i:02d}", ["json"],
        f'Return only a JSON object with one key "sum" holding {a} + {b} as a number.',
        json.dumps({"sum": a + b}), [{"type": "is-json"}, {"type": "field-equals", "path": "/sum"}])

for c in cases:
    print(json.dumps(c, ensure_ascii=False))
