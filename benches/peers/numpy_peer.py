#!/usr/bin/env python3
"""An independent NumPy implementation of docs/model.md, vectorised over runs on one thread.

It is brink's peer in `scripts/bench.sh`: it reads the scenario as brink's loader leaves it (JSON,
every default filled in: `peers dump SCENARIO`, the bench binary `benches/peers.rs`), draws its
own random numbers (NumPy's PCG64, not brink's ChaCha8 streams), so it agrees with brink in
distribution only: the bench checks the mean of H at every step against brink's within 4
standard errors before its time counts.

What it implements (this first round): per-run sampling of every number (Fixed, Uniform,
Triangular, Pert, Normal with optional truncation, Beta, LogNormal, Shared), relations
(Richardson update with fatigue, reactivity, grievance and noise, clamped to the bounds), the
ladder, and outcomes built from RungAtLeast / RungBelow / IndexAbove / IndexBelow and
All / Any / Not (first step, steps held, at_end). Actors with no levers hold. A scenario with
levers, events, pressures or shared numbers it does not support is refused with exit code 3 and
a line saying why, which the bench reports.

Usage: numpy_peer.py SCENARIO.json RUNS [SEED]
Prints one JSON object: seconds (the simulation and its statistics, not loading), runs, mean and
se of H at each step, and each outcome's probability.
"""

import json
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402  (after the thread settings)


class Unsupported(Exception):
    """A part of the model this peer does not implement yet."""


def sample(p, n, rng, shared):
    """n draws of a parameter (a plain number or a distribution), as in docs/model.md."""
    if isinstance(p, (int, float)):
        return np.full(n, float(p))
    ((kind, d),) = p.items()
    if kind == "Fixed":
        return np.full(n, float(d["value"]))
    if kind == "Shared":
        if d not in shared:
            raise Unsupported(f"shared number {d!r}")
        return shared[d]
    u = rng.random(n)
    if kind == "Uniform":
        return d["min"] + (d["max"] - d["min"]) * u
    if kind == "Triangular":
        a, c, b = d["min"], d["mode"], d["max"]
        f = (c - a) / (b - a) if b > a else 0.5
        lo = a + np.sqrt(u * (b - a) * (c - a))
        hi = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < f, lo, hi)
    if kind == "Pert":
        a, c, b = d["min"], d["mode"], d["max"]
        al = 1 + 4 * (c - a) / (b - a)
        be = 1 + 4 * (b - c) / (b - a)
        return a + (b - a) * rng.beta(al, be, n)
    if kind == "Beta":
        lo = 0.0 if d.get("min") is None else d["min"]
        hi = 1.0 if d.get("max") is None else d["max"]
        return lo + (hi - lo) * rng.beta(d["alpha"], d["beta"], n)
    if kind == "LogNormal":
        return d["median"] * np.exp(d["sigma"] * rng.standard_normal(n))
    if kind == "Normal":
        x = d["mean"] + d["sd"] * rng.standard_normal(n)
        lo, hi = d.get("min"), d.get("max")
        if lo is None and hi is None:
            return x
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        bad = (x < lo) | (x > hi)
        while bad.any():  # truncation by rejection
            x[bad] = d["mean"] + d["sd"] * rng.standard_normal(int(bad.sum()))
            bad = (x < lo) | (x > hi)
        return x
    raise Unsupported(f"distribution {kind}")


def condition(c, ladder, rung, H):
    """A condition's truth in every run, at the end of a step."""
    if isinstance(c, str):
        raise Unsupported(f"condition {c}")
    ((kind, a),) = c.items()
    if kind == "RungAtLeast":
        return rung >= ladder[a]
    if kind == "RungBelow":
        return rung < ladder[a]
    if kind == "IndexAbove":
        return H > a
    if kind == "IndexBelow":
        return H < a
    if kind == "All":
        return np.logical_and.reduce([condition(x, ladder, rung, H) for x in a])
    if kind == "Any":
        return np.logical_or.reduce([condition(x, ladder, rung, H) for x in a])
    if kind == "Not":
        return ~condition(a, ladder, rung, H)
    raise Unsupported(f"condition {kind}")


def simulate(sc, n, seed):
    for part in ("levers", "events", "pressures"):
        if sc.get(part):
            raise Unsupported(f"{part} (this peer implements relations, the ladder and outcomes)")
    rng = np.random.default_rng(seed)
    shared = {}
    for s in sc.get("shared") or []:
        shared[s["name"]] = sample(s["value"], n, rng, shared)
    lo, hi = sc["bounds"]
    rels = sc["relations"]
    idx = {(r["from"], r["to"]): i for i, r in enumerate(rels)}
    m = len(rels)
    # Per-run numbers, sampled once: one row per relation, one column per run.
    h = np.clip(np.array([sample(r["initial"], n, rng, shared) for r in rels]), lo, hi)
    keep = 1.0 - np.clip(np.array([sample(r["fatigue"], n, rng, shared) for r in rels]), 0, 1)
    k = np.clip(np.array([sample(r["reactivity"], n, rng, shared) for r in rels]), -1, 1)
    g = np.array([sample(r["grievance"], n, rng, shared) for r in rels])
    sigma = np.maximum(np.array([sample(r["noise"], n, rng, shared) for r in rels]), 0)
    rev = np.array([idx.get((r["to"], r["from"]), -1) for r in rels])
    k[rev < 0] = 0.0
    rev = np.where(rev < 0, 0, rev)
    a, b = sc["focal"]
    fa, fb = idx[(a, b)], idx[(b, a)]
    thresholds = np.array([r["threshold"] for r in sc["ladder"]][1:])
    ladder = {r["name"]: i for i, r in enumerate(sc["ladder"])}
    outs = sc["outcomes"]
    first = np.full((len(outs), n), -1)
    held = np.zeros((len(outs), n), dtype=np.int64)
    horizon = sc["horizon"]
    s1 = np.zeros(horizon)
    s2 = np.zeros(horizon)
    t0 = time.perf_counter()
    for t in range(horizon):
        eps = rng.standard_normal((m, n))
        h = np.clip(keep * h + k * h[rev] + g + sigma * eps, lo, hi)
        H = 0.5 * (h[fa] + h[fb])
        rung = np.searchsorted(thresholds, H, side="right")
        s1[t] = H.sum()
        s2[t] = (H * H).sum()
        for o, out in enumerate(outs):
            if out.get("at_end") and t != horizon - 1:
                continue
            c = condition(out["when"], ladder, rung, H)
            first[o] = np.where((first[o] < 0) & c, t, first[o])
            held[o] += c
    seconds = time.perf_counter() - t0
    mean = s1 / n
    se = np.sqrt(np.maximum(s2 / n - mean * mean, 0) / (n - 1))
    return {
        "seconds": seconds,
        "runs": n,
        "mean": mean.tolist(),
        "se": se.tolist(),
        "outcomes": {o["name"]: float((first[i] >= 0).mean()) for i, o in enumerate(outs)},
    }


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        sc = json.load(f)
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    try:
        print(json.dumps(simulate(sc, int(sys.argv[2]), seed)))
    except Unsupported as e:
        print(f"the NumPy peer does not implement {e} yet", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
