#!/usr/bin/env bash
# The performance contract, measured: throughput on 1 and all threads, cost per decision against
# the measured floor, and peak memory at 10^5 and 10^7 runs (the last takes a few minutes).
# Usage: scripts/bench.sh [TIMED_RUNS [MEMORY_SMALL MEMORY_LARGE]]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
small=${2:-100000}
large=${3:-10000000}
cargo build --release --quiet
cargo bench --quiet --bench flagship -- "$runs" "$small" "$large"
