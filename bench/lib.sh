# Shared by the benchmark scripts (sourced). Everything they write goes under $WORK.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
WORK="${WORK:-/tmp/tunebench-bench}"
REPEAT="${REPEAT:-3}"
TB="$ROOT/build/bench/tunebench"
mkdir -p "$WORK"

# Builds tunebench and the C++ benchmarks with the bench preset (-O2, no tests).
build_bench() {
  bash "$ROOT/scripts/setup" >/dev/null
  command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  (cd "$ROOT" && cmake --preset bench >/dev/null && cmake --build --preset bench >/dev/null)
}

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# npm packages for the peers, installed once under $WORK/npm/NAME
npm_peer() {  # NAME PKG...
  local dir="$WORK/npm/$1"; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{"name":"peer-%s","private":true}\n' "$(basename "$dir")" > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$@" >/dev/null)
  echo "$dir/node_modules"
}

# Starts `tunebench mock` in the background on a free port; sets MOCK_PID and MOCK_PORT.
start_mock() {  # DATASET [mock args...]
  local dataset="$1"; shift
  "$TB" mock --dataset "$dataset" --port 0 "$@" > "$WORK/mock.log" 2>&1 &
  MOCK_PID=$!
  MOCK_PORT=""
  for _ in $(seq 300); do
    MOCK_PORT="$(grep -o '127.0.0.1:[0-9]*' "$WORK/mock.log" 2>/dev/null | head -n1 | cut -d: -f2 || true)"
    [ -n "$MOCK_PORT" ] && break
    sleep 0.1
  done
  [ -n "$MOCK_PORT" ] || { echo "the mock did not start: $(cat "$WORK/mock.log")" >&2; exit 1; }
}
stop_mock() { kill -INT "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; }

# A two-variant suite over DATASET against BASE_URL: is-json + json-schema, no key (loopback).
write_suite() {  # FILE DATASET BASE_URL CONCURRENCY [SCHEMA]
  cat > "$1" <<YAML
name: bench
dataset: $2
expect: {format: json, schema: ${5:-$BENCH/throughput_schema.json}}
variants:
  - {id: base, endpoint: local, model: gpt-4o-mini}
  - {id: tuned, endpoint: local, model: "ft:gpt-4o-mini:acme::bench"}
endpoints:
  local: {kind: openai, base_url: "$3"}
run: {concurrency: $4, max_attempts: 1, timeout_s: 60}
YAML
}
