#!/usr/bin/env bash
# Issue 17's benchmark: brink on 1 and 2 threads against the NumPy peer (benches/peers/) on one
# thread, interleaved rounds, on richardson, tutorial and the flagship; each ratio as a median
# with its spread. With --memory, also the flagship bench (benches/flagship.rs): its throughput,
# cost per decision and the peak memory at 10^5 and 10^7 runs (the last takes a few minutes).
# Usage: scripts/bench.sh [RUNS [ROUNDS]] [--memory [MEMORY_SMALL MEMORY_LARGE]]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=50000
rounds=5
memory=()
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --memory) memory=(100000 10000000); shift
      if [ $# -ge 2 ]; then memory=("$1" "$2"); shift 2; fi ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && runs=${positional[0]}
[ ${#positional[@]} -ge 2 ] && rounds=${positional[1]}

cargo build --release --quiet
peers=$(cargo bench --quiet --bench peers --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if d.get("reason") == "compiler-artifact" and d["target"]["name"] == "peers" and d.get("executable"):
        print(d["executable"])')

# The peer's NumPy, in a local virtual environment (one thread: see numpy_peer.py).
venv=.bench-venv
python=""
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
  python="$venv/bin/python"
elif python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install --quiet numpy >/dev/null 2>&1; then
  python="$venv/bin/python"
else
  echo "note: could not set up NumPy in $venv (python3 -m venv; pip install numpy): the peer is skipped"
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

python3 benches/peers/side_by_side.py "$peers" "$python" "$runs" "$rounds" \
  scenarios/examples/richardson.ron scenarios/examples/tutorial.ron scenarios/russia_azerbaijan_2025.ron

if [ ${#memory[@]} -eq 2 ]; then
  cargo bench --quiet --bench flagship -- 100000 "${memory[0]}" "${memory[1]}"
fi
