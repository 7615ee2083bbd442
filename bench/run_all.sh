#!/usr/bin/env bash
# Every benchmark, one line of figures each (see bench/README.md).
set -euo pipefail
here="$(dirname "$0")"
for b in throughput littles_law memory store schema tokens retrieval compare report; do bash "$here/$b.sh"; done
