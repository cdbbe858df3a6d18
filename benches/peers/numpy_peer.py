#!/usr/bin/env python3
"""An independent NumPy implementation of docs/model.md, vectorised over runs on one thread.

It is brink's peer in `scripts/bench.sh`: it reads the scenario as brink's loader leaves it (JSON,
every default filled in: `peers dump SCENARIO`, the bench binary `benches/peers.rs`), draws its
own random numbers (NumPy's PCG64, not brink's keyed ChaCha8 streams), so it agrees with brink in
distribution only: the bench checks the mean of H at every step against brink's within 4
standard errors before its time counts.

What it implements: the whole model of docs/model.md for a scenario's base case (variants are
not applied):
- per-run sampling of every number (Fixed, Uniform, Triangular, Pert, Normal with optional
  truncation, Beta, LogNormal), clamped to its field's valid range, and shared numbers
  (`Shared("name")` takes the run's shared value, clamped to the field's range);
- relations (Richardson update with fatigue, reactivity, grievance, impulses, the standing
  irritation of measures in force and noise, clamped to the bounds), the ladder (H, or the
  rung a measure in force implies), pressure stocks (inflow, decay, push);
- levers: measures (raise one level, lower to any lower level at a lifting review after
  min_duration, reversible, raise_when / lower_when gates, per-level thresholds, easing
  thresholds and weights, rewards, persistence, perception, costs and benefits as felt,
  exposure to others' measures, modifiers of actors' parameters while in force, min_rung,
  implies_rung) and acts (cooldown, once, min_rung, allowed_when, one-off costs as felt,
  effects, contacts: offers accepted within accept_within or lapsing);
- actors' choices: activity, then the nested logit (hold / escalate / de-escalate, each
  direction valued by its best option) over every option on offer, simultaneous, with moves
  applied in actor order;
- events: Scheduled, Dated (a step drawn per run) and Hazard (rate, index and grievance slopes,
  factors, window, once, cooldown), branches, and every effect (Move, Impulse, ScaleHostility,
  SetLevel, AddPressure, Modify, ShiftRelation lasting or temporary, ShiftLever);
- every condition kind (RungAtLeast, RungBelow, IndexAbove, IndexBelow, LevelAtLeast,
  EventOccurred, EventWithin, ActWithin, ActOccurred, StepIn, LevelHeldFor, LevelEverReached,
  Sustained, Before, BranchTaken, All, Any, Not) with the start-of-step and end-of-step clocks,
  in lever gates, event gates, hazard factors and outcomes (the first step each held; at_end).
Cumulative costs and gains are not kept: no output of the peer reads them (costs enter choices
through the utilities and exposure, which are implemented). It draws only the numbers it reads
(no draw for an event outside its window, nor for an inactive actor's option or lifting review):
draws are independent, so this changes no distribution.

Usage: numpy_peer.py SCENARIO.json RUNS [SEED]
Prints one JSON object: seconds (sampling, the simulation and its statistics, not loading), runs,
mean and se of H at each step, and each outcome's probability.
"""

import json
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402  (after the thread settings)

# The magnitude limit on every sampled value and effective parameter (docs/model.md,
# "Numerical safety").
MAX_ABS = 1e12
ANY = (-MAX_ABS, MAX_ABS)
NON_NEGATIVE = (0.0, MAX_ABS)
SHARE = (0.0, 1.0)
GOLDSTEIN = (-10.0, 10.0)
# "Last step" of something that never happened: no window reaches back to it. "First step" of
# something that never happened: later than every step (so Before(a, b) holds when b never
# happened).
NEVER_LAST = -(10**9)
NEVER_FIRST = 10**9
# Actor parameters, in the order of the effective-parameter rows.
ACTOR_PARAMS = ["Rationality", "Sensitivity", "Hawkishness", "CostWeight", "Activity"]
RATIONALITY, SENSITIVITY, HAWKISHNESS, COST_WEIGHT, ACTIVITY = range(5)
# Relation parameters, in the order of the live-parameter rows.
REL_PARAMS = ["Grievance", "Fatigue", "Reactivity", "Salience", "Noise"]
GRIEVANCE, FATIGUE, REACTIVITY, SALIENCE, NOISE = range(5)
REL_RANGES = [ANY, SHARE, (-1.0, 1.0), NON_NEGATIVE, NON_NEGATIVE]


class Unsupported(Exception):
    """A part of the model this peer does not implement."""


def bounded(x):
    return np.clip(x, -MAX_ABS, MAX_ABS)


class Sampler:
    """Per-run draws of the scenario's numbers (n runs at once), each clamped to its range."""

    def __init__(self, sc, n, rng):
        self.n = n
        self.rng = rng
        self.shared = {}
        for s in sc.get("shared") or []:
            self.shared[s["name"]] = self.num(s["value"], ANY)

    def num(self, p, rng_range=ANY):
        lo, hi = max(rng_range[0], -MAX_ABS), min(rng_range[1], MAX_ABS)
        return np.clip(self.draw(p), lo, hi)

    def draw(self, p):
        n, rng = self.n, self.rng
        if isinstance(p, (int, float)):
            return np.full(n, float(p))
        ((kind, d),) = p.items()
        if kind == "Fixed":
            return np.full(n, float(d["value"]))
        if kind == "Shared":
            if d not in self.shared:
                raise Unsupported(f"shared number {d!r}")
            # A copy: the use is clamped to its own range, the shared value stays as it is.
            return self.shared[d].copy()
        if kind == "Uniform":
            return d["min"] + (d["max"] - d["min"]) * rng.random(n)
        if kind == "Triangular":
            a, c, b = d["min"], d["mode"], d["max"]
            if b <= a:
                return np.full(n, float(a))
            u = rng.random(n)
            f = (c - a) / (b - a)
            lo = a + np.sqrt(u * (b - a) * (c - a))
            hi = b - np.sqrt((1 - u) * (b - a) * (b - c))
            return np.where(u < f, lo, hi)
        if kind == "Pert":
            a, c, b = d["min"], d["mode"], d["max"]
            if b <= a:
                return np.full(n, float(a))
            al = 1 + 4 * (c - a) / (b - a)
            be = 1 + 4 * (b - c) / (b - a)
            return a + (b - a) * rng.beta(al, be, n)
        if kind == "Beta":
            lo = 0.0 if d.get("min") is None else d["min"]
            hi = 1.0 if d.get("max") is None else d["max"]
            return lo + (hi - lo) * rng.beta(d["alpha"], d["beta"], n)
        if kind == "LogNormal":
            with np.errstate(over="ignore"):
                return d["median"] * np.exp(d["sigma"] * rng.standard_normal(n))
        if kind == "Normal":
            x = d["mean"] + d["sd"] * rng.standard_normal(n)
            lo, hi = d.get("min"), d.get("max")
            if lo is None and hi is None:
                return x
            lo = -np.inf if lo is None else lo
            hi = np.inf if hi is None else hi
            bad = (x < lo) | (x > hi)
            while bad.any():  # truncation by rejection (brink: inverse CDF; same distribution)
                x[bad] = d["mean"] + d["sd"] * rng.standard_normal(int(bad.sum()))
                bad = (x < lo) | (x > hi)
            return x
        raise Unsupported(f"distribution {kind}")


def by_name(items):
    """Levers and events in the order of their names (brink's compile sorts them so)."""
    def name(x):
        return (x["Measure"] if "Measure" in x else x["Act"] if "Act" in x else x)["name"]
    return sorted(items, key=lambda x: name(x).encode())


class Measure:
    pass


class Act:
    pass


class Event:
    pass


class Peer:
    """One batch of n runs of a scenario's base case."""

    def __init__(self, sc, n, seed):
        self.sc = sc
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.S = Sampler(sc, n, self.rng)
        self.ar = np.arange(n)
        self.horizon = sc["horizon"]
        self.bounds = tuple(sc["bounds"])
        self.actor_ix = {a["name"]: i for i, a in enumerate(sc["actors"])}
        self.rel_ix = {(r["from"], r["to"]): i for i, r in enumerate(sc["relations"])}
        self.rung_ix = {r["name"]: i for i, r in enumerate(sc["ladder"])}
        self.thresholds = np.array([r["threshold"] for r in sc["ladder"]][1:])
        self.pressure_ix = {p["name"]: i for i, p in enumerate(sc.get("pressures") or [])}
        levers = by_name(sc.get("levers") or [])
        measures = [lv["Measure"] for lv in levers if "Measure" in lv]
        acts = [lv["Act"] for lv in levers if "Act" in lv]
        events = by_name(sc.get("events") or [])
        self.measure_ix = {m["name"]: i for i, m in enumerate(measures)}
        self.act_ix = {a["name"]: i for i, a in enumerate(acts)}
        self.event_ix = {e["name"]: i for i, e in enumerate(events)}
        self.branch_ix = {e["name"]: {b["name"]: j for j, b in enumerate(e.get("branches") or [])}
                          for e in events}
        self.sustained = []      # inner conditions of Sustained, innermost first
        self.sus_count = []      # consecutive step ends at which each held
        self.gates = []          # lever conditions, read at the start of every step
        self.allowed = []
        self.shift_records = []  # temporary relation shifts: (relation, param, factor, add, until)
        self.mod_records = []    # temporary actor modifiers: (actor, param, factor, add, until)
        self.t = 0
        self.setup_actors()
        self.setup_relations()
        self.setup_pressures()
        self.measures = [self.setup_measure(m) for m in measures]
        self.acts = [self.setup_act(a) for a in acts]
        # Act effects may name measures declared after the act: resolved once all exist.
        for act, a in zip(self.acts, acts):
            act.effects = [self.effect(e) for e in a.get("effects") or []]
        self.events = [self.setup_event(e) for e in events]
        self.setup_options()
        self.outcomes = [(o["name"], self.cond(o["when"]), o.get("at_end", False))
                         for o in sc["outcomes"]]
        self.sus_count = [np.zeros(n, dtype=np.int64) for _ in self.sustained]
        self.allowed = [np.ones(n, dtype=bool) for _ in self.gates]
        self.impulse = np.zeros((len(self.rels), n))
        self.index = 0.5 * (self.h[self.fa] + self.h[self.fb])
        self.rung = self.rung_now()

    # ---- Setup: sampling and resolving names ------------------------------------------------

    def num(self, p, r=ANY):
        return self.S.num(p, r)

    def setup_actors(self):
        ranges = [NON_NEGATIVE, NON_NEGATIVE, ANY, NON_NEGATIVE, SHARE]
        keys = ["rationality", "sensitivity", "hawkishness", "cost_weight", "activity"]
        self.actor_base = np.array([[self.num(a[k], r) for k, r in zip(keys, ranges)]
                                    for a in self.sc["actors"]])  # (actors, 5, n)
        self.eff = self.actor_base.copy()
        self.pain = np.zeros((len(self.sc["actors"]), self.n))
        self.levels_changed = True  # computed at the first step

    def setup_relations(self):
        sc = self.sc
        self.rels = sc["relations"]
        self.h = np.array([self.num(r["initial"], self.bounds) for r in self.rels])
        keys = ["grievance", "fatigue", "reactivity", "salience", "noise"]
        self.rel_base = np.array([[self.num(r[k], rr) for k, rr in zip(keys, REL_RANGES)]
                                  for r in self.rels])  # (relations, 5, n)
        rev = [self.rel_ix.get((r["to"], r["from"]), -1) for r in self.rels]
        # Reactivity is 0 when the reverse relation is not declared.
        self.has_rev = np.array([x >= 0 for x in rev])
        self.rev = np.array([x if x >= 0 else i for i, x in enumerate(rev)])
        a, b = sc["focal"]
        self.fa, self.fb = self.rel_ix[(a, b)], self.rel_ix[(b, a)]
        self.live = self.rel_base.copy()
        self.live[~self.has_rev, REACTIVITY] = 0.0
        self.keep = 1.0 - self.live[:, FATIGUE]

    def setup_pressures(self):
        ps = self.sc.get("pressures") or []
        shape = (len(ps), self.n)
        self.P = np.array([self.num(p["initial"], NON_NEGATIVE) for p in ps]).reshape(shape)
        self.P_keep = np.array([1.0 - self.num(p["decay"], SHARE) for p in ps]).reshape(shape)
        self.P_push = [self.num(p["push"]) for p in ps]
        self.P_actor = [self.actor_ix[p["actor"]] for p in ps]

    def rel(self, a, b):
        return self.rel_ix[(a, b)]

    def setup_measure(self, m):
        n, S = self.n, self
        k = Measure()
        k.name = m["name"]
        k.owner = self.actor_ix[m["owner"]]
        owner = m["owner"]
        k.motive = self.rel(*m["motive"]) if m.get("motive") else self.rel(owner, m["target"])
        k.felt_by = self.rel(m["target"], owner)
        levels = m["levels"]
        L = k.L = len(levels)
        threshold = S.num(m["threshold"])
        ease = None if m.get("ease_threshold") is None else S.num(m["ease_threshold"])
        k.persistence = S.num(m["persistence"])
        perception = S.num(m["perception"], NON_NEGATIVE)
        k.half_life = S.num(m["half_life"], NON_NEGATIVE)
        k.review = review_of(k.half_life)
        k.min_duration = m["min_duration"]
        k.reversible = m["reversible"]
        k.raise_when = self.gate(m.get("raise_when"))
        k.lower_when = self.gate(m.get("lower_when"))
        # Per level: row l of a (L + 1, n) array is level l (row 0, the status quo, holds 0).
        k.weight = np.zeros((L + 1, n))       # the move's weight when raising to level l
        k.ease_weight = np.zeros((L + 1, n))  # the move's weight when lowering from level l
        k.irritation = np.zeros((L + 1, n))
        k.owner_cost = np.zeros((L + 1, n))   # perception · (cost − benefit) to the owner
        k.raise_thr = np.zeros((L + 1, n))    # θ for raising from level l to l + 1
        k.lower_thr = np.zeros((L + 1, n))    # θ for lowering from level l
        k.raise_reward = np.zeros((L + 1, n))  # reward for raising from level l to l + 1
        k.pressure = {}                       # stock -> (L + 1, n) inflow per step
        k.pain = {}                           # actor -> (L + 1, n) felt cost of others
        k.modifiers = [[] for _ in range(L + 1)]
        k.raise_min_rung = np.full(L + 1, np.iinfo(np.int64).max // 2)  # none from the top
        k.implies = np.zeros(L + 1, dtype=np.int64)
        own_thr = []
        for j, lv in enumerate(levels):
            lvl = j + 1
            k.weight[lvl] = S.num(lv["weight"], GOLDSTEIN)
            k.ease_weight[lvl] = (-k.weight[lvl] if lv.get("ease_weight") is None
                                  else S.num(lv["ease_weight"], GOLDSTEIN))
            own_thr.append(threshold if lv.get("threshold") is None else S.num(lv["threshold"]))
            k.irritation[lvl] = S.num(lv["irritation"])
            cost = benefit = 0.0
            for who, c in (lv.get("costs") or {}).items():
                c = S.num(c, NON_NEGATIVE)
                if who == owner:
                    cost = c
                else:
                    felt = k.pain.setdefault(self.actor_ix[who], np.zeros((L + 1, n)))
                    felt[lvl] = perception * c
            for who, b in (lv.get("benefits") or {}).items():
                b = S.num(b, NON_NEGATIVE)
                if who == owner:
                    benefit = b
            k.owner_cost[lvl] = perception * (cost - benefit)
            for s, x in (lv.get("pressure") or {}).items():
                k.pressure.setdefault(self.pressure_ix[s], np.zeros((L + 1, n)))[lvl] = S.num(x)
            for md in lv.get("modifiers") or []:
                k.modifiers[lvl].append((self.actor_ix[md["actor"]],
                                         ACTOR_PARAMS.index(md["param"]),
                                         S.num(md["factor"], NON_NEGATIVE), S.num(md["add"])))
            k.raise_reward[j] = S.num(lv["reward"])
            k.raise_min_rung[j] = self.rung_ix[lv["min_rung"]] if lv.get("min_rung") else 0
            k.implies[lvl] = self.rung_ix[lv["implies_rung"]] if lv.get("implies_rung") else 0
        for lvl in range(L):
            k.raise_thr[lvl] = own_thr[lvl]
        for lvl in range(1, L + 1):
            # Easing: the measure's ease_threshold, else the threshold of the level in force.
            k.lower_thr[lvl] = own_thr[lvl - 1] if ease is None else ease
        k.irritates = bool(k.irritation.any())
        k.dcost = np.zeros((L + 1, n))
        k.dcost[:L] = k.owner_cost[1:] - k.owner_cost[:L]
        k.level = np.full(n, m["initial"], dtype=np.int64)
        k.max_level = k.level.copy()
        k.since = np.zeros(n, dtype=np.int64)
        # Per level: the step from which the measure has been at that level or higher.
        k.at_least_since = np.array([np.where(k.level >= lvl, 0, NEVER_FIRST)
                                     for lvl in range(L + 1)])
        return k

    def setup_act(self, a):
        S = self.S
        k = Act()
        k.name = a["name"]
        owner = a["owner"]
        k.owner = self.actor_ix[owner]
        k.motive = self.rel(*a["motive"]) if a.get("motive") else self.rel(owner, a["target"])
        k.felt_by = self.rel(a["target"], owner)
        k.threshold = S.num(a["threshold"])
        k.weight = S.num(a["weight"], GOLDSTEIN)
        k.cooldown = max(a["cooldown"], 0)
        cost = 0.0
        for who, c in (a.get("costs") or {}).items():
            c = S.num(c, NON_NEGATIVE)
            if who == owner:
                cost = c
        k.owner_cost = S.num(a["perception"], NON_NEGATIVE) * cost
        k.min_rung = self.rung_ix[a["min_rung"]] if a.get("min_rung") else 0
        k.reward = S.num(a["reward"])
        k.allowed_when = self.gate(a.get("allowed_when"))
        k.once = a["once"]
        k.accept_by = None
        if a.get("accepted_by"):
            k.accept_by = self.actor_ix[a["accepted_by"]]
            k.within = max(a["accept_within"], 1)
            k.accept_motive = self.rel(a["accepted_by"], owner)
            k.accept_thr = S.num(a["accept_threshold"])
        n = self.n
        k.ready = np.zeros(n, dtype=np.int64)
        k.last = np.full(n, NEVER_LAST, dtype=np.int64)
        k.first = np.full(n, NEVER_FIRST, dtype=np.int64)
        k.offer_at = np.full(n, -1, dtype=np.int64)  # -1: no offer pending
        return k

    def setup_event(self, e):
        S, n = self.S, self.n
        ev = Event()
        ev.name = e["name"]
        ((kind, d),) = e["timing"].items()
        ev.kind = kind
        ev.once = e["once"]
        ev.cooldown = e["cooldown"]
        ev.when = None
        if kind == "Scheduled":
            ev.step = d["step"]
            ev.p = S.num(d["probability"], SHARE)
            ev.when = self.cond(d["when"]) if d.get("when") else None
        elif kind == "Dated":
            step = S.num(d["step"], NON_NEGATIVE)
            # Rounded to the nearest step, halves away from zero (step >= 0), within the horizon.
            ev.step = np.clip(np.floor(step + 0.5), 0, self.horizon - 1).astype(np.int64)
            ev.p = S.num(d["probability"], SHARE)
            ev.when = self.cond(d["when"]) if d.get("when") else None
        elif kind == "Hazard":
            ev.p = S.num(d["rate"], SHARE)
            ev.slope = S.num(d["index_slope"])
            ev.gslope = S.num(d["grievance_slope"])
            ev.factors = [(self.cond(f["when"]), S.num(f["times"], NON_NEGATIVE))
                          for f in d.get("factors") or []]
            ev.from_step = d["from_step"]
            ev.until_step = d["until_step"] if d.get("until_step") is not None else 10**9
        else:
            raise Unsupported(f"timing {kind}")
        ev.effects = [self.effect(x) for x in e.get("effects") or []]
        branches = e.get("branches") or []
        ev.branch_effects = []
        if branches:
            w = np.array([S.num(b["probability"], NON_NEGATIVE) for b in branches])
            ev.branch_effects = [[self.effect(x) for x in b.get("effects") or []] for b in branches]
            total = w.sum(axis=0)
            # Cumulative chances; every weight 0 in a run: the event fires with no branch.
            with np.errstate(invalid="ignore", divide="ignore"):
                ev.cum = np.where(total > 0, np.cumsum(w, axis=0) / total, 0.0)
            ev.has_branch = total > 0
        ev.last = np.full(n, NEVER_LAST, dtype=np.int64)
        ev.first = np.full(n, NEVER_FIRST, dtype=np.int64)
        ev.branch = np.full(n, -1, dtype=np.int64)
        return ev

    def setup_options(self):
        """Each actor's options, in brink's order (measures, acts, acceptances; by name)."""
        self.options = [[] for _ in self.sc["actors"]]
        for k, ms in enumerate(self.measures):
            self.options[ms.owner].append(("raise", k))
            for to in range(ms.L - 1, -1, -1):
                self.options[ms.owner].append(("lower", k, to))
        for k, act in enumerate(self.acts):
            self.options[act.owner].append(("act", k))
        for k, act in enumerate(self.acts):
            if act.accept_by is not None:
                self.options[act.accept_by].append(("accept", k))

    # ---- Conditions ---------------------------------------------------------------------------

    def gate(self, c):
        if c is None:
            return None
        self.gates.append(self.cond(c))
        return len(self.gates) - 1

    def cond(self, c):
        """A condition as a function of the clock (step, steps done) giving a bool per run."""
        ((kind, a),) = c.items()
        n = self.n
        never = lambda t, done: np.zeros(n, dtype=bool)  # noqa: E731  (a name a variant adds)
        if kind == "RungAtLeast":
            r = self.rung_ix[a]
            return lambda t, done: self.rung >= r
        if kind == "RungBelow":
            r = self.rung_ix[a]
            return lambda t, done: self.rung < r
        if kind == "IndexAbove":
            return lambda t, done: self.index > a
        if kind == "IndexBelow":
            return lambda t, done: self.index < a
        if kind == "LevelAtLeast":
            ms, lvl = self.measures_by_name(a[0]), a[1]
            return lambda t, done: ms().level >= lvl
        if kind == "EventOccurred":
            if a not in self.event_ix:
                return never
            e = self.event_ix[a]
            return lambda t, done: self.events[e].last != NEVER_LAST
        if kind == "EventWithin":
            if a[0] not in self.event_ix:
                return never
            e, w = self.event_ix[a[0]], a[1]
            return lambda t, done: done - self.events[e].last <= w
        if kind == "ActWithin":
            k, w = self.act_ix[a[0]], a[1]
            return lambda t, done: done - self.acts[k].last <= w
        if kind == "ActOccurred":
            k = self.act_ix[a]
            return lambda t, done: self.acts[k].last != NEVER_LAST
        if kind == "StepIn":
            lo, hi = a
            return lambda t, done: np.full(n, lo <= t <= hi)
        if kind == "LevelHeldFor":
            ms, lvl, w = self.measures_by_name(a[0]), a[1], a[2]
            return lambda t, done: (ms().level >= lvl) & (done - ms().at_least_since[lvl] >= w)
        if kind == "LevelEverReached":
            ms, lvl = self.measures_by_name(a[0]), a[1]
            return lambda t, done: ms().max_level >= lvl
        if kind == "Sustained":
            inner = self.cond(a[0])  # first, so that inner counts update before outer ones
            self.sustained.append(inner)
            i, w = len(self.sustained) - 1, a[1]
            return lambda t, done: self.sus_count[i] >= w
        if kind == "Before":
            fa, fb = self.first_of(a[0]), self.first_of(a[1])
            return lambda t, done: (fa() != NEVER_FIRST) & (fa() < fb())
        if kind == "BranchTaken":
            if a[0] not in self.event_ix or a[1] not in self.branch_ix[a[0]]:
                return never
            e, b = self.event_ix[a[0]], self.branch_ix[a[0]][a[1]]
            return lambda t, done: self.events[e].branch == b
        if kind in ("All", "Any"):
            parts = [self.cond(x) for x in a]
            red = np.logical_and.reduce if kind == "All" else np.logical_or.reduce
            return lambda t, done: red([f(t, done) for f in parts])
        if kind == "Not":
            inner = self.cond(a)
            return lambda t, done: ~inner(t, done)
        raise Unsupported(f"condition {kind}")

    def measures_by_name(self, name):
        # Conditions are compiled while measures are being set up: resolved when read.
        k = self.measure_ix[name]
        return lambda: self.measures[k]

    def first_of(self, name):
        """The first step of an event (a name that is both is read as the event) or an act."""
        if name in self.event_ix:
            e = self.event_ix[name]
            return lambda: self.events[e].first
        if name in self.act_ix:
            k = self.act_ix[name]
            return lambda: self.acts[k].first
        return lambda: np.full(self.n, NEVER_FIRST)

    # ---- Effects ------------------------------------------------------------------------------

    def effect(self, e):
        """An effect as a function (mask of runs, step, first step of temporary effects)."""
        ((kind, d),) = e.items()
        S = self.S
        if kind == "Move":
            r, w = self.rel(d["against"], d["by"]), S.num(d["weight"], GOLDSTEIN)

            def move(mask, t, first):
                self.impulse[r] -= np.where(mask, w * self.live[r, SALIENCE], 0.0)
            return move
        if kind == "Impulse":
            r, x = self.rel(d["from"], d["to"]), S.num(d["amount"])

            def impulse(mask, t, first):
                self.impulse[r] += np.where(mask, x, 0.0)
            return impulse
        if kind == "ScaleHostility":
            if d.get("between"):
                a, b = d["between"]
                rs = [self.rel_ix[k] for k in ((a, b), (b, a)) if k in self.rel_ix]
            else:
                rs = [self.fa, self.fb]
            f = S.num(d["factor"], NON_NEGATIVE)

            def scale(mask, t, first):
                for r in rs:
                    self.h[r] = np.where(mask, np.clip(self.h[r] * f, *self.bounds), self.h[r])
            return scale
        if kind == "SetLevel":
            k, lvl = self.measure_ix[d["lever"]], d["level"]
            return lambda mask, t, first: self.set_level(self.measures[k], lvl, t,
                                                         np.flatnonzero(mask))
        if kind == "AddPressure":
            s, x = self.pressure_ix[d["pressure"]], S.num(d["amount"])

            def add_pressure(mask, t, first):
                self.P[s] += np.where(mask, x, 0.0)
            return add_pressure
        if kind == "ShiftRelation":
            r, p = self.rel(d["from"], d["to"]), REL_PARAMS.index(d["param"])
            f, x = S.num(d["factor"], NON_NEGATIVE), S.num(d["add"])
            dur = d.get("duration")

            def shift_relation(mask, t, first):
                if dur is None:  # for good: the base value changes
                    new = np.clip(bounded(self.rel_base[r, p] * f + x), *REL_RANGES[p])
                    self.rel_base[r, p] = np.where(mask, new, self.rel_base[r, p])
                else:
                    until = np.where(mask, first + dur, NEVER_LAST)
                    self.shift_records.append((r, p, f, x, until))
                self.refresh_relations(t, mask)
            return shift_relation
        if kind == "ShiftLever":
            k = self.measure_ix[d["lever"]]
            param = d["param"]
            f, x = S.num(d["factor"], NON_NEGATIVE), S.num(d["add"])

            def shift_lever(mask, t, first):
                ms = self.measures[k]

                def shifted(v):
                    return np.where(mask, bounded(v * f + x), v)
                if param == "Threshold":
                    ms.raise_thr = shifted(ms.raise_thr)
                    ms.lower_thr = shifted(ms.lower_thr)
                elif param == "Reward":
                    ms.raise_reward = shifted(ms.raise_reward)
                elif param == "Persistence":
                    ms.persistence = shifted(ms.persistence)
                elif param == "HalfLife":
                    ms.half_life = np.maximum(shifted(ms.half_life), 0.0)
                    ms.review = review_of(ms.half_life)
                else:
                    raise Unsupported(f"lever parameter {param}")
            return shift_lever
        if kind == "Modify":
            a, p = self.actor_ix[d["actor"]], ACTOR_PARAMS.index(d["param"])
            f, x, dur = S.num(d["factor"], NON_NEGATIVE), S.num(d["add"]), d["duration"]

            def modify(mask, t, first):
                self.mod_records.append((a, p, f, x, np.where(mask, first + dur, NEVER_LAST)))
            return modify
        raise Unsupported(f"effect {kind}")

    def apply(self, effects, mask, t, first):
        for f in effects:
            f(mask, t, first)

    def set_level(self, ms, to, t, ix):
        """Sets a measure's level in the runs ix (an index array; to: a level, or one per run)."""
        frm = ms.level[ix]
        to = np.broadcast_to(to, frm.shape)
        ch = to != frm
        ix, frm, to = ix[ch], frm[ch], to[ch]
        if len(ix) == 0:
            return
        for lvl in range(1, ms.L + 1):
            ms.at_least_since[lvl, ix[(lvl > frm) & (lvl <= to)]] = t
            ms.at_least_since[lvl, ix[(lvl > to) & (lvl <= frm)]] = NEVER_FIRST
        ms.level[ix] = to
        self.levels_changed = True  # the effective actor parameters and exposure follow levels
        ms.max_level[ix] = np.maximum(ms.max_level[ix], to)
        ms.since[ix] = t

    # ---- Live parameters ----------------------------------------------------------------------

    def refresh_relations(self, t, mask=None):
        """Relations' live numbers: base values, then the temporary shifts still running."""
        self.shift_records = [s for s in self.shift_records if (s[4] > t).any()]
        live = self.rel_base.copy()
        for r, p, f, x, until in self.shift_records:
            new = np.clip(bounded(live[r, p] * f + x), *REL_RANGES[p])
            live[r, p] = np.where(until > t, new, live[r, p])
        live[~self.has_rev, REACTIVITY] = 0.0
        self.live = live if mask is None else np.where(mask, live, self.live)
        self.keep = 1.0 - self.live[:, FATIGUE]

    def refresh_actors(self, t):
        """Effective actor parameters (measures in force, then running modifiers) and exposure."""
        eff = self.actor_base.copy()
        pain = np.zeros_like(self.pain)
        for ms in self.measures:
            for lvl in range(1, ms.L + 1):
                if not ms.modifiers[lvl]:
                    continue
                m = ms.level == lvl
                for a, p, f, x in ms.modifiers[lvl]:
                    eff[a, p] = np.where(m, bounded(eff[a, p] * f + x), eff[a, p])
            for who, c in ms.pain.items():
                pain[who] += c[ms.level, self.ar]
        self.mod_records = [md for md in self.mod_records if (md[4] > t).any()]
        for a, p, f, x, until in self.mod_records:
            eff[a, p] = np.where(until > t, bounded(eff[a, p] * f + x), eff[a, p])
        eff[:, RATIONALITY] = np.maximum(eff[:, RATIONALITY], 0)
        eff[:, SENSITIVITY] = np.maximum(eff[:, SENSITIVITY], 0)
        eff[:, COST_WEIGHT] = np.maximum(eff[:, COST_WEIGHT], 0)
        eff[:, ACTIVITY] = np.clip(eff[:, ACTIVITY], 0, 1)
        self.eff, self.pain = eff, pain
        self.levels_changed = False

    def rung_now(self):
        rung = np.searchsorted(self.thresholds, self.index, side="right")
        for ms in self.measures:
            rung = np.maximum(rung, ms.implies[ms.level])
        return rung

    # ---- One step -----------------------------------------------------------------------------

    def step(self, t):
        n, rng, ar = self.n, self.rng, self.ar
        # 1. Gates, on the state at the start of the step; offers whose window passed lapse.
        for g, c in enumerate(self.gates):
            self.allowed[g] = c(t, t)
        for act in self.acts:
            if act.accept_by is not None:
                lapsed = (act.offer_at >= 0) & (t > act.offer_at + act.within)
                act.offer_at = np.where(lapsed, -1, act.offer_at)

        # 2. Events: every gate and chance on the start-of-step state, then the effects of those
        # that fire, in the order of their names.
        G = 0.5 * (self.live[self.fa, GRIEVANCE] + self.live[self.fb, GRIEVANCE])
        fires = []
        for ev in self.events:
            # Outside its window (or not its step) an event cannot fire: no draw is needed
            # (draws are independent, so skipping them changes no distribution).
            if ev.kind == "Hazard" and not (ev.from_step <= t <= ev.until_step):
                fires.append(None)
                continue
            if ev.kind == "Scheduled" and t != ev.step:
                fires.append(None)
                continue
            ok = ev.last == NEVER_LAST
            if not ev.once and ev.cooldown == 0:
                ok = np.ones(n, dtype=bool)
            elif not ev.once:
                ok = ok | (t - ev.last > ev.cooldown)
            if ev.kind == "Dated":
                ok = ok & (ev.step == t)
            if ev.kind == "Hazard":
                with np.errstate(over="ignore", invalid="ignore"):
                    p = ev.p * np.exp(ev.slope * self.index + ev.gslope * G)
                    for c, times in ev.factors:
                        p = np.where(c(t, t), p * times, p)
                    # An undefined product (0 · inf) counts as 0: NaN > 0 is False.
                    p = np.where(p > 0, np.minimum(p, 1.0), 0.0)
            else:
                p = ev.p
                if ev.when is not None:
                    ok = ok & ev.when(t, t)
            fires.append(ok & (rng.random(n) < p))
        for ev, fire in zip(self.events, fires):
            if fire is None or not fire.any():
                continue
            ev.last = np.where(fire, t, ev.last)
            ev.first = np.where(fire & (ev.first == NEVER_FIRST), t, ev.first)
            self.apply(ev.effects, fire, t, t)
            if ev.branch_effects:
                ub = rng.random(n)
                j = np.minimum((ub[None, :] >= ev.cum).sum(axis=0), len(ev.branch_effects) - 1)
                took = fire & ev.has_branch
                ev.branch = np.where(took, j, ev.branch)
                for b, effects in enumerate(ev.branch_effects):
                    mb = took & (j == b)
                    if mb.any():
                        self.apply(effects, mb, t, t)

        # 3. Live parameters: lapsed relation shifts removed; effective actor parameters.
        if self.shift_records:
            self.refresh_relations(t)
        if self.levels_changed or self.mod_records:
            self.refresh_actors(t)

        # 4. Choices, all from the same state.
        choices = []
        for a, options in enumerate(self.options):
            if not options:
                choices.append(None)
                continue
            choices.append(self.choose(a, options, t))

        # 5. Moves, in actor order.
        for a, options in enumerate(self.options):
            c = choices[a]
            if c is None:
                continue
            for o, opt in enumerate(options):
                mask = c == o
                if not mask.any():
                    continue
                self.move(opt, mask, t)

        # 6. Measures in force (irritation, pressure), relations, pressure fades.
        imp = self.impulse
        for ms in self.measures:
            if ms.irritates:
                imp[ms.felt_by] += ms.irritation[ms.level, ar]
            for s, x in ms.pressure.items():
                self.P[s] += x[ms.level, ar]
        live = self.live
        eps = rng.standard_normal((len(self.rels), n))
        h = self.h
        y = (self.keep * h + live[:, REACTIVITY] * h[self.rev]
             + live[:, GRIEVANCE] + imp + live[:, NOISE] * eps)
        # (brink maps a NaN to the lower bound; finite inputs cannot produce one.)
        self.h = np.clip(y, *self.bounds, out=y)
        self.impulse = np.zeros_like(imp)
        self.P = self.P * self.P_keep

        # 7. H, the rung, the counts of Sustained conditions (inner first); outcomes are read by
        # the caller.
        self.index = 0.5 * (self.h[self.fa] + self.h[self.fb])
        self.rung = self.rung_now()
        for i, c in enumerate(self.sustained):
            self.sus_count[i] = np.where(c(t, t + 1), self.sus_count[i] + 1, 0)

    def choose(self, a, options, t):
        """The nested logit of docs/model.md ("Choice") for actor a: the option index per run
        (-1: hold). Only the runs where the actor is active are computed."""
        n, rng = self.n, self.rng
        choice = np.full(n, -1)
        ix = np.flatnonzero(rng.random(n) < self.eff[a, ACTIVITY])
        m = len(ix)
        if m == 0:
            return choice
        lam, sens, hawk, cw = (self.eff[a, p][ix] for p in range(4))
        un, uo = rng.random(m), rng.random(m)
        push = hawk - cw * self.pain[a][ix]
        for s, who in enumerate(self.P_actor):
            if who == a:
                push = push + self.P[s][ix] * self.P_push[s][ix]
        rung = self.rung[ix]
        hs = {}

        def h(r):  # a relation's hostility in the active runs
            if r not in hs:
                hs[r] = self.h[r][ix]
            return hs[r]
        K = len(options)
        U = np.zeros((K, m))
        avail = np.zeros((K, m), dtype=bool)
        dirs = np.zeros((K, m), dtype=np.int8)
        lowering = {}
        for o, opt in enumerate(options):
            kind = opt[0]
            if kind == "raise":
                ms = self.measures[opt[1]]
                lvl = ms.level[ix]
                ok = rung >= ms.raise_min_rung[lvl]
                if ms.raise_when is not None:
                    ok &= self.allowed[ms.raise_when][ix]
                drive = sens * (h(ms.motive) - ms.raise_thr[lvl, ix]) + push
                U[o] = drive - cw * ms.dcost[lvl, ix] + ms.raise_reward[lvl, ix]
                avail[o] = ok
                dirs[o] = 1
            elif kind == "lower":
                k, to = opt[1], opt[2]
                ms = self.measures[k]
                if not ms.reversible:
                    continue
                if k not in lowering:
                    # The lifting review: one draw per measure and step.
                    lvl = ms.level[ix]
                    ok = (rng.random(m) < ms.review[ix]) & (t - ms.since[ix] >= ms.min_duration)
                    if ms.lower_when is not None:
                        ok &= self.allowed[ms.lower_when][ix]
                    drive = sens * (h(ms.motive) - ms.lower_thr[lvl, ix]) + push
                    # U = −drive − cost_weight · (c(to) − c(l)) − persistence, less c(to).
                    part = cw * ms.owner_cost[lvl, ix] - drive - ms.persistence[ix]
                    lowering[k] = (lvl, ok, part)
                lvl, ok, part = lowering[k]
                U[o] = part - cw * ms.owner_cost[to, ix]
                avail[o] = ok & (lvl > to)
                dirs[o] = -1
            elif kind == "act":
                act = self.acts[opt[1]]
                ok = (t >= act.ready[ix]) & (rung >= act.min_rung) & (act.offer_at[ix] < 0)
                if act.once:
                    ok &= act.last[ix] == NEVER_LAST
                if act.allowed_when is not None:
                    ok &= self.allowed[act.allowed_when][ix]
                # Escalating (+1) when the act's weight is 0 or below, de-escalating otherwise.
                d = np.where(act.weight[ix] > 0, -1, 1)
                U[o] = (d * (sens * (h(act.motive) - act.threshold[ix]) + push)
                        - cw * act.owner_cost[ix] + act.reward[ix])
                avail[o] = ok
                dirs[o] = d
            else:  # accept a pending offer made in an earlier step
                act = self.acts[opt[1]]
                offer = act.offer_at[ix]
                avail[o] = (offer >= 0) & (offer < t)
                U[o] = -(sens * (h(act.accept_motive) - act.accept_thr[ix]) + push)
                dirs[o] = -1
        esc = avail & (dirs > 0)
        de = avail & (dirs < 0)
        has_e, has_d = esc.any(axis=0), de.any(axis=0)
        best_e = np.where(has_e, np.where(esc, U, -np.inf).max(axis=0), 0.0)
        best_d = np.where(has_d, np.where(de, U, -np.inf).max(axis=0), 0.0)
        top = np.maximum(0.0, np.maximum(best_e, best_d))  # 0 stands in for a closed direction
        # Directions (hold, escalate, de-escalate) valued by their best option, drawn with un.
        w0 = np.exp(lam * (0.0 - top))
        we = np.where(has_e, np.exp(lam * (best_e - top)), 0.0)
        wd = np.where(has_d, np.exp(lam * (best_d - top)), 0.0)
        target = un * (w0 + we + wd)
        nest = np.where(target < w0, 0,
                        np.where((we > 0) & (target < w0 + we), 1,
                                 np.where(wd > 0, 2, np.where(we > 0, 1, 0))))
        # Then an option of the chosen direction, drawn with uo (cumulative probabilities).
        sel = np.where(nest == 1, esc, de) & (nest > 0)
        best = np.where(nest == 1, best_e, best_d)
        with np.errstate(over="ignore", invalid="ignore"):
            wts = np.where(sel, np.exp(lam * (U - best)), 0.0)
        cum = np.cumsum(wts, axis=0)
        pick = (cum <= (uo * cum[-1])).sum(axis=0)
        over = pick >= K  # rounding at the very top: the last option on offer
        if over.any():
            pick[over] = K - 1 - np.argmax(sel[::-1, over], axis=0)
        choice[ix] = np.where(nest > 0, pick, -1)
        return choice

    def move(self, opt, mask, t):
        """An actor's move in the runs of mask."""
        kind = opt[0]
        if kind in ("raise", "lower"):
            ms = self.measures[opt[1]]
            ix = np.flatnonzero(mask)
            lvl = ms.level[ix]
            # An act's SetLevel earlier in this phase may have made the move impossible: hold.
            if kind == "raise":
                keep = lvl < ms.L
                ix, lvl = ix[keep], lvl[keep]
                w = ms.weight[lvl + 1, ix]
                to = lvl + 1
            else:
                to = opt[2]
                keep = lvl > to
                ix, lvl = ix[keep], lvl[keep]
                w = ms.ease_weight[lvl, ix]
            self.impulse[ms.felt_by, ix] -= w * self.live[ms.felt_by, SALIENCE, ix]
            self.set_level(ms, to, t, ix)
        elif kind == "act":
            act = self.acts[opt[1]]
            if act.accept_by is not None:
                act.offer_at = np.where(mask, t, act.offer_at)  # an offer until accepted
            else:
                self.perform(act, mask, t)
        else:
            act = self.acts[opt[1]]
            act.offer_at = np.where(mask, -1, act.offer_at)
            self.perform(act, mask, t)

    def perform(self, act, mask, t):
        felt = act.weight * self.live[act.felt_by, SALIENCE]
        self.impulse[act.felt_by] -= np.where(mask, felt, 0.0)
        act.last = np.where(mask, t, act.last)
        act.first = np.where(mask & (act.first == NEVER_FIRST), t, act.first)
        act.ready = np.where(mask, t + act.cooldown + 1, act.ready)
        # Temporary effects of an act count from the next step.
        self.apply(act.effects, mask, t, t + 1)


def review_of(half_life):
    """The lifting review's chance per step: 1 − 2^(−1/half_life), 1 when half_life is 0."""
    with np.errstate(divide="ignore"):
        safe = np.where(half_life > 0, half_life, 1.0)
        return np.where(half_life > 0, 1.0 - np.power(2.0, -1.0 / safe), 1.0)


def simulate(sc, n, seed):
    t0 = time.perf_counter()
    peer = Peer(sc, n, seed)
    outs = peer.outcomes
    first = np.full((len(outs), n), -1)
    horizon = sc["horizon"]
    s1 = np.zeros(horizon)
    s2 = np.zeros(horizon)
    for t in range(horizon):
        peer.step(t)
        H = peer.index
        s1[t] = H.sum()
        s2[t] = (H * H).sum()
        for o, (name, c, at_end) in enumerate(outs):
            if at_end and t != horizon - 1:
                continue
            held = c(t, t + 1)
            first[o] = np.where((first[o] < 0) & held, t, first[o])
    seconds = time.perf_counter() - t0
    mean = s1 / n
    se = np.sqrt(np.maximum(s2 / n - mean * mean, 0) / (n - 1))
    return {
        "seconds": seconds,
        "runs": n,
        "mean": mean.tolist(),
        "se": se.tolist(),
        "outcomes": {name: float((first[i] >= 0).mean()) for i, (name, _, _) in enumerate(outs)},
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
        print(f"the NumPy peer does not implement {e}", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
