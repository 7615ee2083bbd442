#!/usr/bin/env bash
# Writes a deterministic mixed-language corpus for the tokenizer benchmarks:
#   bench/token_bench_corpus.sh OUT_FILE [MEGABYTES=12]
#
# Built from tests/token/data/sample.txt (prose in seven languages, code, emoji, odd
# whitespace) plus generated code, prose, tables and whitespace, with a fixed seed, so every
# machine measures the same bytes. The mix leans on English and code, the bulk of real prompts,
# while keeping enough CJK, Cyrillic and emoji to exercise the long-piece paths.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUT_FILE [MEGABYTES]" >&2
  exit 2
fi
out="$1"
megabytes="${2:-12}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sample="$here/../tests/token/data/sample.txt"
[[ -f "$sample" ]] || { echo "token_bench_corpus: missing $sample" >&2; exit 1; }

python3 - "$sample" "$out" "$megabytes" <<'PY'
import random
import sys

sample_path, out_path, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = megabytes * 1024 * 1024
rng = random.Random(0x70CE)  # fixed: the corpus must be byte-identical everywhere

with open(sample_path, encoding="utf-8", newline="") as f:
    sample_lines = f.read().split("\n")

english = ("the of and to in is that it for on with as was at by an be this which or from have "
           "not are but they his her can all there been if more when will would who so no time "
           "model prompt token latency cost request response format schema variant baseline "
           "fine-tuned retrieval passage answer question suite dataset").split()
other = ("Modell Daten Prüfung Antwort Kosten Größe über schön Straße "
         "модель данные проверка ответ стоимость запрос ещё "
         "模型 数据 检验 回答 成本 请求 東京 テスト ひらがな カタカナ "
         "نموذج بيانات اختبار मॉडल डेटा परीक्षण λόγος κόσμος 한국어 שלום").split()
contractions = ["don't", "it's", "we'll", "they've", "I'm", "you'd", "DON'T", "IT'S", "She'll"]
emoji = ["😀", "👍", "👋🏽", "🧑🏾‍💻", "👨‍👩‍👧‍👦", "🇩🇪", "❤️", "✨", "🚀", "1️⃣"]
keywords = ["if", "else", "for", "while", "return", "const", "auto", "let", "fn", "def", "class",
            "struct", "import", "from", "switch", "case", "break", "yield", "async", "await"]


def ident():
    parts = [rng.choice(english).replace("-", "_") for _ in range(rng.randint(1, 3))]
    style = rng.randrange(3)
    if style == 0:
        return "_".join(parts)
    if style == 1:
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    return "".join(p.capitalize() for p in parts)


def code_block():
    indent_unit = rng.choice(["  ", "    ", "\t"])
    lines = []
    depth = 0
    for _ in range(rng.randint(8, 40)):
        kind = rng.randrange(6)
        pad = indent_unit * depth
        if kind == 0:
            lines.append(f"{pad}{rng.choice(keywords)} ({ident()} {rng.choice(['<', '>=', '==', '!='])} "
                         f"{rng.randint(0, 10000)}) {{")
            depth = min(depth + 1, 6)
        elif kind == 1 and depth > 0:
            depth -= 1
            lines.append(indent_unit * depth + "}")
        elif kind == 2:
            lines.append(f"{pad}// {' '.join(rng.choice(english) for _ in range(rng.randint(3, 12)))}")
        elif kind == 3:
            lines.append(f"{pad}{ident()} = {ident()}({', '.join(ident() for _ in range(rng.randint(0, 4)))});")
        elif kind == 4:
            lines.append(f'{pad}{ident()}["{ident()}"] = "{rng.choice(other)} {rng.randint(0, 99)}%";')
        else:
            lines.append(f"{pad}return {rng.uniform(-1e4, 1e4):.{rng.randint(0, 6)}f};")
    lines += [indent_unit * d + "}" for d in range(depth - 1, -1, -1)]
    return "\n".join(lines) + "\n\n"


def prose():
    words = []
    for _ in range(rng.randint(40, 200)):
        r = rng.random()
        if r < 0.70:
            w = rng.choice(english)
        elif r < 0.85:
            w = rng.choice(other)
        elif r < 0.92:
            w = rng.choice(contractions)
        elif r < 0.96:
            w = str(rng.randint(0, 10 ** rng.randint(1, 9)))
        else:
            w = rng.choice(emoji)
        if rng.random() < 0.05:
            w = w.capitalize()
        words.append(w)
        if rng.random() < 0.08:
            words.append(rng.choice([",", ".", ";", ":", "!", "?", " —"]))
    text = " ".join(words).replace(" ,", ",").replace(" .", ".")
    return text[:1].upper() + text[1:] + ".\n\n"


def table():
    cols = rng.randint(3, 7)
    rows = [" | ".join(ident() for _ in range(cols))]
    rows.append(" | ".join("---" for _ in range(cols)))
    for _ in range(rng.randint(3, 15)):
        rows.append(" | ".join(f"{rng.uniform(0, 1e6):.2f}" if rng.random() < 0.6 else rng.choice(other)
                               for _ in range(cols)))
    return "\n".join(rows) + "\n\n"


def whitespace():
    pieces = [" " * rng.randint(1, 80), "\t" * rng.randint(1, 10), "\n" * rng.randint(1, 6),
              "\r\n" * rng.randint(1, 3), "\u00a0", "\u3000", "\u0085", " \n \n", "\ufeff"]
    return "".join(rng.choice(pieces) + rng.choice(english) for _ in range(rng.randint(3, 20))) + "\n"


def sample_window():
    start = rng.randrange(len(sample_lines))
    return "\n".join(sample_lines[start:start + rng.randint(3, 60)]) + "\n"


generators = [(prose, 35), (code_block, 30), (sample_window, 20), (table, 8), (whitespace, 7)]
population = [g for g, w in generators for _ in range(w)]
size = 0
with open(out_path, "w", encoding="utf-8", newline="") as out:
    while size < target:
        chunk = rng.choice(population)()
        out.write(chunk)
        size += len(chunk.encode("utf-8"))
print(f"{out_path}: {size} bytes")
PY
