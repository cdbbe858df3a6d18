#!/usr/bin/env bash
# Regenerates docs/calibration.md: the history cases back-tested with their priors, the
# calibration of the five shared numbers on the three cases (ABC-SMC), the leave-one-out
# cross-validation, the flagship before and after, and the simulation-based calibration test.
#
# Usage:  scripts/calibration.sh > docs/calibration.md
# Needs: cargo and python3 (to read the JSON outputs). Progress goes to stderr. Writes its
# outputs under output/history/ (calibration, cross-validation, backtest, flagship).
# Takes about two minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

log() { echo "calibration: $*" >&2; }
# BRINK names a binary already built; otherwise this builds one.
if [ -z "${BRINK:-}" ]; then
    cargo build --release --quiet
fi
B=${BRINK:-${CARGO_TARGET_DIR:-target}/release/brink}
H=scenarios/history
TIMELINES="$H/russia_azerbaijan_2024.timeline.ron,$H/russia_turkey_2015.timeline.ron,$H/russia_georgia_2006.timeline.ron"
PARAMS4=shared.fatigue.value,shared.reactivity.value,shared.rationality.value,shared.measure_persistence.value
# The fifth, the principals' readiness to escalate, was added on 2026-12-03 (docs/calibration.md).
PARAMS=$PARAMS4,shared.hawkishness.value
OUT=output/history
mkdir -p "$OUT"
THREADS=2

log "back-test with the priors"
$B backtest $H/*.timeline.ron --runs 10000 --seed 1 --threads $THREADS --out "$OUT/backtest" > "$OUT/backtest.txt"

log "calibration on the three cases"
$B calibrate --timelines "$TIMELINES" --params "$PARAMS" --seed 1 --threads $THREADS \
    --apply-to scenarios/russia_azerbaijan_2025.ron --out "$OUT/calibration" > "$OUT/calibration.txt" 2> "$OUT/calibration.log"

if ! cmp -s "$OUT/calibration/calibrated-russia_azerbaijan_2025.ron" scenarios/russia_azerbaijan_2025.ron; then
    log "NOTE: the flagship differs from its calibrated copy; to ship the new posterior:"
    log "      cp $OUT/calibration/calibrated-russia_azerbaijan_2025.ron scenarios/russia_azerbaijan_2025.ron"
fi

log "leave-one-out cross-validation"
$B backtest --cross-validate --params "$PARAMS" --seed 1 --runs 10000 --threads $THREADS \
    $H/*.timeline.ron --out "$OUT/cross-validation" > "$OUT/cross-validation.txt" 2> "$OUT/cross-validation.log"

log "the same cross-validation without the fifth number (the readiness held at its prior)"
$B backtest --cross-validate --params "$PARAMS4" --seed 1 --runs 10000 --threads $THREADS --no-charts \
    $H/*.timeline.ron --out "$OUT/cross-validation-four" > "$OUT/cross-validation-four.txt" 2> "$OUT/cross-validation-four.log"

log "the flagship before and after (common random numbers)"
$B compare scenarios/russia_azerbaijan_2025.ron --variants priors_before_calibration --runs 20000 \
    --seed 1 --threads $THREADS --no-tornado --no-charts --out "$OUT/flagship" > "$OUT/flagship.txt"

log "simulation-based calibration (tests/calibration.rs)"
cargo test --release --quiet --test calibration -- --nocapture 2> "$OUT/sbc.txt" > /dev/null || true

python3 - "$OUT" <<'PY'
import json, sys, re, os, math
out = sys.argv[1]
j = lambda p: json.load(open(os.path.join(out, p)))
bt = j("backtest/backtest.json")
cal = j("calibration/calibration.json")
cv = j("cross-validation/cross_validation.json")
cv4 = j("cross-validation-four/cross_validation.json")
fl = j("flagship/compare.json")
caltxt = open(os.path.join(out, "calibration.txt")).read()
speed = re.search(r"(\d+) simulations in ([\d.]+) s \((\d+) simulations/s on (\d+) threads\)", caltxt)
sbc = open(os.path.join(out, "sbc.txt")).read()
sbc_line = re.search(r"SBC rank bins \[([^\]]*)\], chi-square ([\d.]+)", sbc)
conc = re.search(r"mean posterior sd: short ([\d.]+), long ([\d.]+)", sbc)
f3 = lambda x: f"{x:.3f}"
def fixed(x, d):
    s = f"{x:.{d}f}"
    return s[1:] if s.startswith("-") and set(s[1:]) <= set("0.") else s
def decimals_of(mean, sd):
    # As brink prints a mean ± sd (src/report/calibrate.rs): the decimals of two significant
    # figures of the sd.
    if not (math.isfinite(sd) and sd >= 1e-14 and abs(mean) < 1e15):
        return 3
    return max(0, 1 - math.floor(math.log10(sd)))
def msd(mean, sd):
    d = decimals_of(mean, sd)
    return f"{fixed(mean, d)} ± {fixed(sd, d)}"
pct = lambda x: f"{100*x:.0f}%"

def kinds(case):
    k = {}
    for f in case["facts"]:
        k[f["kind"]] = k.get(f["kind"], 0) + 1
    return k

def in80(case):
    n = [f for f in case["facts"] if f["bands"]]
    k = [f for f in n if any(b["level"] == 0.8 and b["contains"] for b in f["bands"])]
    return len(k), len(n)

p = print
p("# Calibration against history")
p()
p("What three observed crises say about brink's model and its flagship: each case back-tested with")
p("the priors an analyst could set on its start date, the five shared numbers calibrated on the")
p("three cases, each case predicted from a calibration on the other two, and the flagship before")
p("and after. How the commands work: [history.md](history.md). Every figure on this page is")
p("printed by one command, which also writes every table and chart it cites under `output/history/`:")
p()
p("```sh")
p("scripts/calibration.sh > docs/calibration.md")
p("```")
p()
p("## The cases")
p()
p("| case | from | weeks | facts | dated | yes/no | level | rung |")
p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in bt["cases"]:
    k = kinds(c)
    p(f"| {c['case']} | {c['start_date']} | {c['horizon']} | {len(c['facts'])} | {k.get('dated',0)} | {k.get('yes/no',0)} | {k.get('level',0)} | {k.get('rung',0)} |")
p()
p("Each case is a scenario and a timeline in `scenarios/history/`, built from the team's dated")
p("timelines (its domain notes, kept outside this repository) and the article's dated events, each")
p("fact with its `source`. Their priors cite what was known")
p("on the start date or say \"assumption\"; the five numbers below are shared, with one generic")
p("prior in every case. No number a case had was changed after the case was first run. On")
p("2026-12-03 the cases gained the fifth shared number, both principals' readiness to escalate at a")
p("given hostility (`hawkishness`, docs/model.md), which had been a fixed 0: the back-test with the")
p("priors then (this page at commit 1fb0a39: mean log score 4.204, 44% of the facts in their 80%")
p("bands, 0.53 of the PIT mass in its first tenth) showed the first moves of all three cases coming")
p("late. Its prior is neutral, centred on that 0, and the calibration, and the cross-validation on")
p("the case left out, say what it is; the back-test below draws it from that prior. The decision")
p("to add it was taken after seeing all three cases, so the cross-validation's gain from it is")
p("optimistic.")
p()
p("## Back-test with the priors")
p()
p(f"`brink backtest scenarios/history/*.timeline.ron --runs 10000 --seed 1` ({bt['cases'][0]['runs']:,} runs per case):")
p()
p("| case | facts | in 50% band | in 80% band | in 95% band | mean log score | mean Brier | every fact at once |")
p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in bt["cases"]:
    cov = {round(q, 2): s for q, s in c["coverage"]}
    nb = c["banded_facts"]
    cell = lambda q: f"{round(cov[q]*nb)}/{nb}" if nb else "–"
    pp = c["path_probability"]
    p(f"| {c['case']} | {len(c['facts'])} | {cell(0.5)} | {cell(0.8)} | {cell(0.95)} | {f3(c['mean_log_score'])} | {f3(c['mean_brier'])} | {pp['estimate']:.4f} (≤ {pp['high']:.4f}) |")
cov = {round(q, 2): s for q, s in bt["coverage"]}
p(f"| **all** | {bt['facts']} | {pct(cov[0.5])} | {pct(cov[0.8])} | {pct(cov[0.95])} | {f3(bt['mean_log_score'])} | | |")
p()
hist = " · ".join(f"{x:.2f}" for x in bt["pit_histogram"])
p(f"PIT histogram over the {bt['pit_facts']} facts with a distribution (10 bins from 0 to 1; a calibrated")
first = bt["pit_histogram_interval"][0]
p(f"model gives 0.10 each): {hist}; the first bin's 95% interval {first['low']:.2f} to {first['high']:.2f}")
p("(Wilson's over the facts, taken as independent: `pit.csv`).")
p()
p("Read: the observed dates fall early in the model's distributions (the first bin holds far more")
p("than a tenth of the mass): in the cases as encoded, the first moves of a crisis come later and")
p("less often in the runs than they did. The bands' widths (in `output/history/backtest/facts.csv`)")
p("show why the 80% bands still hold some facts: many reach \"never\", so they exclude little.")
p("No run reproduces a whole timeline.")
p()
p("## Calibration")
p()
s = cal["settings"]
p(f"`brink calibrate --timelines {','.join(i['timeline_file'] for i in cal['inputs'])} --params {','.join(x['spec'] for x in cal['params'])} --seed 1`")
p("(the timelines in this order: each case's runs are numbered by it, so another order draws other runs):")
p(f"ABC-SMC (Del Moral, Doucet & Jasra 2012) with {s['particles']} particles × {s['sims']} pseudo-timelines, ")
p(f"{len(cal['generations'])-1} generations, stopped because {cal['stop_reason']}; final tolerance")
p(f"{cal['generations'][-1]['tolerance']:.3f} (mean distance per fact, from 1 = every fact missed to 0 = every fact reproduced).")
if speed:
    p(f"**{int(speed.group(1)):,} simulations in {float(speed.group(2)):.1f} s, {int(speed.group(3)):,} simulations per second on {speed.group(4)} threads** (this machine: 2 cores; the limit the issue sets is 10 minutes).")
p()
p("| number | prior | prior mean ± sd | posterior mean ± sd | 90% interval | sd ratio | informed? |")
p("| --- | --- | ---: | ---: | ---: | ---: | --- |")
informed = {}
for x in cal["params"]:
    r = x["sd"] / x["prior_sd"]
    moved = abs(x["mean"] - x["prior_mean"]) / x["prior_sd"]
    inf = r < 0.9 or moved > 0.5
    informed[x["path"]] = inf
    p(f"| `{x['path']}` | {x['prior']} | {msd(x['prior_mean'], x['prior_sd'])} | {msd(x['mean'], x['sd'])} | {fixed(x['q05'], decimals_of(x['mean'], x['sd']))} – {fixed(x['q95'], decimals_of(x['mean'], x['sd']))} | {r:.2f} | {'yes' if inf else 'no'} |")
p()
p("\"Informed\" means the posterior's sd is below 0.9 of the prior's, or its mean moved by more than half")
p("a prior sd. The chart of every prior against its posterior is `output/history/calibration/prior_posterior.png`;")
p("the particles are in `posterior.csv`, and each case's calibrated scenario is `calibrated-<case>.ron`.")
p()
p("## Cross-validation")
p()
p("`brink backtest --cross-validate --params <the five> --seed 1 --runs 10000 scenarios/history/*.timeline.ron`:")
p("each case is left out in turn, the five numbers are calibrated on the other two, and the case")
p("left out is scored with its priors and with the posterior (each run draws one particle), on the")
p("same runs.")
p()
p("| held-out case | facts | in 80% band (priors) | in 80% band (calibrated) | mean log score (priors) | mean log score (calibrated) |")
p("| --- | ---: | ---: | ---: | ---: | ---: |")
tk = [0, 0, 0]
for f in cv["folds"]:
    kp, n = in80(f["prior"]); kc, _ = in80(f["calibrated"])
    tk[0] += kp; tk[1] += kc; tk[2] += n
    p(f"| {f['held_out']} | {len(f['calibrated']['facts'])} | {kp}/{n} | {kc}/{n} | {f3(f['prior']['mean_log_score'])} | {f3(f['calibrated']['mean_log_score'])} |")
p(f"| **all held-out facts** | {cv['calibrated']['facts']} | {tk[0]}/{tk[2]} ({pct(tk[0]/max(tk[2],1))}) | {tk[1]}/{tk[2]} ({pct(tk[1]/max(tk[2],1))}) | {f3(cv['prior']['mean_log_score'])} | {f3(cv['calibrated']['mean_log_score'])} |")
p()
d = cv.get("log_score_difference")
if d:
    p(f"Calibrated less priors, fact by fact: {d['estimate']:+.3f} in mean log score per held-out fact, 95% {d['low']:+.3f} to")
    p(f"{d['high']:+.3f} (`log_score_difference`: Student's t over the {cv['calibrated']['facts']} facts as if independent; a case's facts")
    p("share its runs, so the interval is if anything too narrow).")
    p()
cv4k = [0, 0]
for f in cv4["folds"]:
    kc, n = in80(f["calibrated"])
    cv4k[0] += kc; cv4k[1] += n
p(f"The same cross-validation calibrating the four other numbers only (`--params <the four>`; the")
p(f"readiness drawn from its prior in every run, not calibrated): the held-out facts in their 80% bands")
p(f"{cv4k[0]}/{cv4k[1]} ({pct(cv4k[0]/max(cv4k[1],1))}) against {tk[1]}/{tk[2]} with the five, mean log score {f3(cv4['calibrated']['mean_log_score'])} against {f3(cv['calibrated']['mean_log_score'])}")
p("(before the readiness was added at all, a fixed 0, this page at commit 1fb0a39 gave 18/41 and")
p(f"4.017); by case (four → five):")
p(", ".join(f"{f4['held_out']} {f3(f4['calibrated']['mean_log_score'])} → {f3(f5['calibrated']['mean_log_score'])}" for f4, f5 in zip(cv4["folds"], cv["folds"])) + ".")
p()
p("A calibrated 80% band should hold about 80% of the held-out facts; these hold far fewer, with")
p("or without the calibration. What the other two cases say about the shared numbers carries over")
p("to the case left out (its log score falls), but it does not mend what the cases' structure")
p("misses (the tempo of the first moves, below).")
p()
p("## The flagship before and after")
p()
taken = [x["path"] for x in cal["params"] if informed[x["path"]]]
p(f"The flagship's focal fatigue and reactivity and its two principals' readiness to escalate are the")
p(f"shared numbers the cases calibrate, and")
p(f"take their posteriors (fitted as Beta distributions on the priors' ranges, sourced to the")
p(f"calibration). Informed numbers: {', '.join('`'+t+'`' for t in taken)}. The flagship takes the posterior of")
p("every number it shares with the cases, informed or not (fatigue and reactivity of the focal pair,")
p("readiness of Russia and Azerbaijan; the variant `pretext_seeking_baku` sets Baku's above it). Its actors' rationality")
p("and its measures' persistence are its own per-actor and per-lever numbers, not shared ones, and")
p("keep their priors: the cases inform them little (sd ratios in the table), and making them shared")
p("would change the flagship's structure more than the evidence warrants. The variant")
p("`priors_before_calibration` restores the generic priors; compared on common random numbers")
p("(`brink compare scenarios/russia_azerbaijan_2025.ron --variants priors_before_calibration --runs 20000 --seed 1 --no-tornado`):")
p()
p("| outcome | before (priors) | after (calibrated) | change (paired 95% interval) |")
p("| --- | ---: | ---: | ---: |")
base = fl["arms"][0]; var = [a for a in fl["arms"] if a["name"] == "priors_before_calibration"][0]
for i, name in enumerate(fl["outcomes"]):
    b = base["outcomes"][i]["probability"]["estimate"]
    v = var["outcomes"][i]["probability"]["estimate"]
    d = var["outcomes"][i]["difference"]
    p(f"| {name} | {v:.3f} | {b:.3f} | {-d['estimate']:+.3f} ({-d['high']:+.3f} to {-d['low']:+.3f}) |")
p()
fat = [x for x in cal["params"] if x["path"] == "shared.fatigue.value"][0]
hawk = [x for x in cal["params"] if x["path"] == "shared.hawkishness.value"][0]
r0 = var["outcomes"][0]["probability"]["estimate"]; r1 = base["outcomes"][0]["probability"]["estimate"]
p("How the \"before\" column came to be: with each relation's fatigue and reactivity its own prior")
p("(commit d3aa1be, docs/flagship-v2.md) P(rupture) was 0.212 on the same runs, and sharing them")
p("made it 0.197 with the two principals' readiness a fixed 0. Since 2026-12-03 the readiness is")
p(f"uncertain, and the \"before\" column draws it from its prior too: {r0:.3f}. The calibration")
p("gives the \"after\" column. The flagship is sensitive to its fatigue")
p(f"(docs/analysis.md) and to its principals' readiness: a fatigue whose posterior mean is {fat['prior_mean'] - fat['mean']:.3f} below the")
p(f"prior's, with a readiness of {hawk['mean']:.2f} (prior 0), multiplies the chance of a {fl['outcomes'][0]} by {r1 / r0:.1f}.")
p("That is a large change resting on three cases; read the limits below before quoting it, and keep")
p("`priors_before_calibration` beside the base in any brief.")
p()
p("## Trust in the calibration itself")
p()
if sbc_line:
    p(f"Simulation-based calibration (Talts et al. 2018, `tests/calibration.rs`, in CI): 100 replications on")
    p(f"`scenarios/examples/sbc_pair.ron`, ranks of the true fatigue among 19 posterior draws pooled into")
    p(f"5 bins: [{sbc_line.group(1)}], chi-square {sbc_line.group(2)} (4 degrees of freedom; the test fails above")
    p("13.28, the 1% critical value).")
if conc:
    p(f"The posterior narrows as the timeline grows: mean posterior sd {conc.group(1)} with the rung on two")
    p(f"dates, {conc.group(2)} with it every two weeks (prior sd 0.107). A larger run: `cargo bench --bench sbc -- 500 400`.")
p()
p("## What three cases can and cannot say")
p()
p("- **Three cases, one actor.** Russia is the larger side in all three; the shared numbers are")
p("  Russia's dyads' numbers. The posterior says how these crises ran, not how escalation runs.")
p("- **Structure before numbers.** The largest misfit is structural: the model allows one move per")
p("  actor per week and its first moves come late, while the observed crises opened with several")
p("  measures in the first days. Calibrating shared numbers cannot fix that; the readiness to")
p("  escalate takes up part of it (the cross-validation above), and the calibration partly")
p("  compensates for the rest (a lower fatigue and a higher readiness make the runs hotter). Part of")
p("  the flagship's higher rupture probability may be that compensation.")
p("- **A shape the model lacks.** Measures answer the mood: each pays above a threshold on the")
p("  ladder. A crisis of sustained coercion at a middling mood, a larger state's measures held for")
p("  months against a smaller one that does not answer in kind, has no such mood to answer. Two")
p("  walkthroughs of crises outside the project, each written from `brink new --from case` by the")
p("  rules of history.md, found the centre of their runs calm (the grievance the class prior gives")
p("  holds the mood below the measures' thresholds, and most runs of the template end on the cool")
p("  rung) and the measures that did come arriving by the choices' noise, late and brief, while a")
p("  tail of runs spiralled to rupture through the other side's answers. The")
p("  calibrated numbers raise the back-test scores of such a case by making every run hotter,")
p("  outcomes that did not happen included. Read a back-test of such a crisis as a test of that shape.")
p("- **Coarse data.** About fifty dated facts, most with a window of days; the tolerance stops well")
p("  above zero (no particle reproduces every fact), so the posterior is an ABC posterior at that")
p("  tolerance, wider than the exact one would be.")
p("- **Weakly identified numbers.** Rationality and the persistence of measures barely move: the")
p("  timelines hold few facts about how long measures stay, and choice noise trades off with the")
p("  readiness to escalate and with activity and thresholds, which are not calibrated.")
p("- **The cases were written knowing history.** Their priors cite sources dated before each start,")
p("  but the menu of levers and which facts to record were chosen by someone who knew what came")
p("  after, and each horizon was set knowing the later turns (the Georgia case's 130 weeks reach the")
p("  August 2008 war). Crises that are not in the project are the real test.")
p("- **Reworked to remove the hindsight a review found.** A review of the three case files on")
p("  2026-12-06 found where they went further than the menu, and they were reworked the same day")
p("  (each file's header says what changed in it; russia_azerbaijan_2024.ron's header states the")
p("  class rules all three follow):")
p("  - ranges taken from the flagship, whose sources include the July 2025 article about the")
p("    Azerbaijan case's own months (the calming of a leader contact, how much rarer contact gets as")
p("    relations sour, the protest thresholds, the principals' sensitivity, noise and salience), are")
p("    now generic priors, the same in every case, each derived from the Goldstein scale, Kahn's")
p("    ladder or DESIGN.md (a call calms by 0.5^(1/2.8) ≈ 0.78 if a meeting halves hostility);")
p("  - the measures' clocks by class come from Russian precedents before 2006 (weeks for US poultry")
p("    in 2002, years for crude to Ventspils since 2003 and for the CIS sanctions on Abkhazia since")
p("    1996) and the sanctions-duration literature, so they hold on every case's start date; trade")
p("    and transport bans may now be lifted after 8 weeks instead of 26;")
p("  - the Russia–Turkey case no longer makes Russia's measures wait for a Turkish apology")
p("    (`lower_when`), nor leader contact 5 to 20 times rarer until one: that condition was stated two")
p("    days after the start, and it built in the observed order (apology, call, lifting). The")
p("    Azerbaijan case's call no longer gets likelier after a mediation, which built in the")
p("    observed mediation → call;")
p("  - one structure per kind of lever in every case: reversible ambassadors' recalls, detentions")
p("    of the other side's nationals and administrative sanctions on agencies and persons in two")
p("    grades each, trade and transport bans in two grades, and one harm-to-nationals event. They")
p("    replace levers shaped on later facts (Azerbaijan's `cultural_ties`, `entry_bans`,")
p("    `journalist_arrests` and `death_in_custody`; Turkey's `attack_on_russians` and a food-ban")
p("    grade named after the tomatoes that stayed banned; Georgia's `spy_arrests` and one-level")
p("    cut-off); the timelines' facts refer to the new levers, and Azerbaijan's two facts of early")
p("    2025 on `cultural_ties` and `entry_bans` became one. A second review the same day made the")
p("    first grades of Azerbaijan's produce ban and corridor embargoes as elsewhere, visa regimes")
p("    one level everywhere, Turkey's counter-measures and curbs on firms two grades, and labels")
p("    that named later facts generic; `tests/history_class_rules.rs` now checks every case (and")
p("    the template of `brink new NAME --from case`) against the class rules, the cost weight aside.")
p("  The back-test and the calibration above are those of the reworked cases. In the back-test with")
p("  the priors the Turkey case lost most (its facts on the order of apology, call and lifting are")
p("  no longer built in) and the other two gained; the posterior of the shared numbers stayed close")
p("  to the one before. The posterior is still what cases so chosen say.")
PY
log "done"
