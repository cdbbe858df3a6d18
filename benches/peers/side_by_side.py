#!/usr/bin/env python3
"""brink (1 and 2 threads) against the NumPy peer (1 thread), in interleaved rounds.

Called by scripts/bench.sh: side_by_side.py PEERS_BIN PYTHON_OR_EMPTY RUNS ROUNDS SCENARIO...
PEERS_BIN is the bench binary of benches/peers.rs; PYTHON_OR_EMPTY a Python with NumPy ("" when
none could be set up: the peer is then skipped with a line saying so).

Each round also times the random-number contract's part of a run alone (`peers floor`: the
random words, normal quantiles and sampled numbers, with brink's own code and none of the
model's logic), so that the peer's line can be set against what no step on this contract can
avoid, in the same rounds.

For each scenario: the peer's agreement with brink is checked first (mean H at every step within
4 standard errors, the two samples' errors combined, over CHECK_RUNS runs each); only a peer that
agrees is timed. Then ROUNDS rounds, each timing brink on 1 thread, brink on 2 threads and the
peer, one after the other; each ratio is printed as the median of the rounds with its spread
(min .. max), next to the line of issue 17 it answers.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile

CHECK_RUNS = 20000
PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_peer.py")
# Issue 17, item 3: brink on one thread at least this many times the peer's speed.
TARGET = {"richardson": 5.0, "tutorial": 10.0, "russia_azerbaijan_2025": 10.0}
# The flagship's floor per run (issue 17: 10-14 us) and the contract's 1.5x of it.
FLOOR_US = (10.0, 14.0)


def sh(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def spread(xs, fmt="{:.2f}"):
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))} .. {fmt.format(max(xs))})"


def main():
    peers, python, runs, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for path in sys.argv[5:]:
        name = os.path.splitext(os.path.basename(path))[0]
        print(f"== {name} ({path}), {runs} runs per timing, {rounds} rounds")
        peer_ok = False
        if not python:
            print("   peer: skipped (no Python with NumPy: python3 -m venv or pip install numpy failed)")
        else:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                f.write(sh(peers, "dump", path))
                scenario_json = f.name
            p = subprocess.run([python, PEER, scenario_json, str(CHECK_RUNS), "1"],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print(f"   peer: skipped ({p.stderr.strip()})")
            else:
                peer = json.loads(p.stdout)
                brink = json.loads(sh(peers, "moments", path, str(CHECK_RUNS)))
                z = [abs(a - b) / (sa * sa + sb * sb) ** 0.5 if sa + sb > 0 else abs(a - b) / 1e-300
                     for a, b, sa, sb in zip(brink["mean"], peer["mean"], brink["se"], peer["se"])]
                worst = max(range(len(z)), key=z.__getitem__)
                peer_ok = z[worst] <= 4.0
                print(f"   agreement: mean H at {len(z)} steps, {CHECK_RUNS} runs each; largest gap "
                      f"{z[worst]:.2f} standard errors at step {worst} "
                      f"(brink {brink['mean'][worst]:.4f}, peer {peer['mean'][worst]:.4f}): "
                      + ("agrees (within 4)" if peer_ok else "DOES NOT AGREE: the peer's time is not counted"))
        t1, t2, tp, tf = [], [], [], []
        for _ in range(rounds):
            tf.append(float(sh(peers, "floor", path, str(runs))))
            t1.append(float(sh(peers, "time", path, str(runs), "1")))
            t2.append(float(sh(peers, "time", path, str(runs), "2")))
            if peer_ok:
                tp.append(json.loads(sh(python, PEER, scenario_json, str(runs), "2"))["seconds"])
        us = [t * 1e6 / runs for t in t1]
        print(f"   brink 1 thread     {spread(us)} us/run")
        print(f"   brink 2 threads    {spread([t * 1e6 / runs for t in t2])} us/run (wall)")
        print(f"   2 threads / 1      {spread([a / b for a, b in zip(t1, t2)])}x   (issue 17: >= 1.85x)")
        print(f"   contract part      {spread([t * 1e6 / runs for t in tf], '{:.3f}')} us/run: the random words, "
              "normals and sampled numbers alone (brink's present code, no model logic; `peers floor`)")
        print(f"   brink 1 / it       {spread([a / b for a, b in zip(t1, tf)])}x")
        if tp:
            target = TARGET.get(name)
            print(f"   peer 1 thread      {spread([t * 1e6 / runs for t in tp])} us/run")
            print(f"   brink 1 / peer     {spread([b / a for a, b in zip(t1, tp)])}x faster"
                  + (f"   (issue 17: >= {target:g}x)" if target else ""))
            print(f"   brink 2 / peer     {spread([b / a for a, b in zip(t2, tp)])}x faster")
            if target:
                # What the line allows a run, against what the contract alone costs, per round.
                room = [p / target - f for p, f in zip(tp, tf)]
                spent = [a - f for a, f in zip(t1, tf)]
                verdict = ("brink's code for the contract's part alone costs more than the line allows in "
                           "every round" if max(room) <= 0 else
                           f"leaves {spread([r * 1e6 / runs for r in room])} us/run for the model's logic, "
                           f"where brink spends {spread([x * 1e6 / runs for x in spent])}")
                print(f"   the {target:g}x line     peer / {target:g} = "
                      f"{spread([p * 1e6 / runs / target for p in tp], '{:.3f}')} us/run: {verdict}")
        if name == "russia_azerbaijan_2025":
            lo, hi = FLOOR_US
            print(f"   per run per core   {spread(us)} us = {spread([u / hi for u in us])}x the floor "
                  f"({lo:g}-{hi:g} us, its upper end; issue 17: <= 1.5x)")
            print(f"   10^6 runs          {spread([t * 1e6 / runs for t in t2], '{:.1f}')} s on 2 threads "
                  f"(issue 17: <= 10 s)")


if __name__ == "__main__":
    main()
