//! What `brink trace` writes and prints: trace.json (ids, for machines), the storyline as text
//! (trace.txt and the terminal: actors, measures, acts, levels, events, rungs and outcomes by
//! the scenario's labels), and each traced run drawn as a timeline
//! (`trace_timeline.png`/`.svg`).

use std::fmt::Write as _;

use crate::analysis::trace::*;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Artifact;
use crate::report::charts::{Chart, render, short_label, trace_timeline::TraceTimeline};
use crate::report::html::{Labels, shown};
use crate::scenario::overrides::Setting;
use crate::scenario::param::fmt_num;
use crate::scenario::{Lever, Scenario};
use crate::text::shell_word;

/// The files of a trace written with `--out`: trace.json with ids, trace.txt in the words of
/// `sc`, the scenario the trace was made with (its labels).
pub fn files(out: &TraceOutput, sc: &Scenario) -> Result<Vec<Artifact>> {
    Ok(vec![
        Artifact::new("trace.json", json(out)?),
        Artifact::new("trace.txt", text(out, sc)),
    ])
}

/// A measure's level by its name, by its short label ("status quo" and unknown names as they
/// are).
fn level_label(sc: &Scenario, lever: &str, name: &str) -> String {
    let label = sc
        .levers
        .iter()
        .find_map(|l| match l {
            Lever::Measure(m) if m.name == lever => m
                .levels
                .iter()
                .find(|x| x.name == name)
                .map(|x| shown(&x.label, &x.name)),
            _ => None,
        })
        .unwrap_or(name);
    short_label(label, name)
}

/// A rung by its name, by its short label.
fn rung_label(sc: &Scenario, name: &str) -> String {
    let label = sc
        .ladder
        .iter()
        .find(|r| r.name == name)
        .map_or(name, |r| shown(&r.label, &r.name));
    short_label(label, name)
}

/// What set a level ("event leader_meeting", "act mediate") with the thing's label.
/// A level change made by the step's events (told before the moves), not by an act.
fn by_events(c: &LevelChange) -> bool {
    c.cause.starts_with("event ") || c.cause.starts_with("events ")
}

fn cause_words(labels: &Labels, cause: &str) -> String {
    let event = |e: &str| short_label(labels.event(e), e);
    match cause.split_once(' ') {
        Some(("event", e)) => format!("event {}", event(e)),
        // A measure's later changes by a step's events, folded: "events A … B (N changes)".
        Some(("events", rest)) => match rest
            .split_once(" … ")
            .and_then(|(a, b)| b.split_once(' ').map(|(b, n)| (a, b, n)))
        {
            Some((a, b, n)) => format!("events {} … {} {n}", event(a), event(b)),
            None => cause.to_string(),
        },
        Some(("act", a)) => format!("act {}", short_label(labels.lever(a), a)),
        _ => short_label(labels.any(cause), cause),
    }
}

/// Each traced run drawn as a timeline, with the file stem it is written under:
/// `trace_timeline` for one run, `trace_timeline_run<K>` for each of several. The model gives
/// the labels, the ladder's thresholds and the hostility bounds; it must be the one the trace
/// was made with (same scenario and variant). A run report can include one of these charts.
pub fn timeline_charts(model: &Model, out: &TraceOutput) -> Result<Vec<(String, Chart)>> {
    let picked = out.pick.as_ref().map(|p| p.outcome.as_str());
    out.traces
        .iter()
        .map(|t| {
            let stem = timeline_stem(out, t);
            let chart = render(&TraceTimeline {
                model,
                trace: t,
                picked,
                set: &out.set,
                beside_its_text: false,
            })?;
            Ok((stem, chart))
        })
        .collect()
}

/// A traced run's chart's file stem: `trace_timeline` for one run, `trace_timeline_run<K>` for
/// each of several.
fn timeline_stem(out: &TraceOutput, t: &Trace) -> String {
    if out.traces.len() == 1 {
        "trace_timeline".to_string()
    } else {
        format!("trace_timeline_run{}", t.run)
    }
}

/// The timeline charts' files (PNG and SVG of each, named as [`timeline_charts`] says), drawn
/// side by side on the current rayon pool, or `None` once `stop` is set: a chart in progress is
/// finished, no other is begun (a thousand traces' charts take seconds). A trace over the
/// timeline's budget ([`crate::analysis::trace::too_large_to_draw`]) is not drawn, as `brink
/// run` leaves out its timeline chart: one at the limits made a 214 MB SVG.
pub fn chart_files(
    model: &Model,
    out: &TraceOutput,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Option<Vec<Artifact>>> {
    use rayon::prelude::*;
    use std::sync::atomic::Ordering;
    let picked = out.pick.as_ref().map(|p| p.outcome.as_str());
    let drawable: Vec<&Trace> = out
        .traces
        .iter()
        .filter(|t| !crate::analysis::trace::too_large_to_draw(t))
        .collect();
    let drawn: Vec<Option<Result<Chart>>> = drawable
        .par_iter()
        .map(|t| {
            (!stop.load(Ordering::SeqCst)).then(|| {
                render(&TraceTimeline {
                    model,
                    trace: t,
                    picked,
                    set: &out.set,
                    beside_its_text: true,
                })
            })
        })
        .collect();
    let mut files = vec![];
    for (t, chart) in drawable.into_iter().zip(drawn) {
        let Some(chart) = chart else {
            return Ok(None);
        };
        let chart = chart?;
        let stem = timeline_stem(out, t);
        files.push(Artifact::new(format!("{stem}.png"), chart.png));
        files.push(Artifact::new(format!("{stem}.svg"), chart.svg.into_bytes()));
    }
    Ok(Some(files))
}

/// The JSON document: one trace for `--run`, the pick and its traces for `--pick`.
pub fn json(out: &TraceOutput) -> Result<Vec<u8>> {
    /// One run's trace with what made it: the command line and the numbers `--set` replaced
    /// (without them the file named a run that `brink run` with its seed does not play).
    #[derive(serde::Serialize)]
    struct One<'a> {
        #[serde(flatten)]
        trace: &'a Trace,
        command: &'a [String],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        set: &'a [crate::scenario::overrides::Setting],
    }
    let r = match (&out.pick, out.traces.as_slice()) {
        (None, [one]) => serde_json::to_vec_pretty(&One {
            trace: one,
            command: &out.command,
            set: &out.set,
        }),
        _ => serde_json::to_vec_pretty(out),
    };
    r.map_err(|e| Error::encode("trace.json", e))
}

/// A Goldstein weight with its sign: "+3.4", "−5" ("0", never "−0").
fn signed(w: f64) -> String {
    let s = fmt_num((w * 100.0).round() / 100.0 + 0.0);
    if w > 0.0 {
        format!("+{s}")
    } else {
        s.replacen('-', "−", 1)
    }
}

/// A cost amount.
fn money(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Whether a number is one of an element's own (`actors.russia.resolve`,
/// `levers.visa_regime.threshold`, `events.leader_call.rate`) rather than a detail of a level,
/// an effect or a factor: those the text header shows.
fn headline(path: &str) -> bool {
    path.split('.').count() <= 3
}

/// The sampled headline numbers grouped by what they belong to (named by its label), wrapped
/// at about 100 columns.
fn parameter_lines(t: &Trace, labels: &Labels) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = vec![];
    for p in t.parameters.iter().filter(|p| headline(&p.path)) {
        let mut parts = p.path.splitn(3, '.');
        let (a, b, rest) = (parts.next(), parts.next(), parts.next());
        let (group, key) = match (a, b, rest) {
            (Some(a), Some(b), Some(rest)) => (labels.path(&format!("{a}.{b}")), rest.to_string()),
            _ => (String::new(), p.path.clone()),
        };
        let item = format!("{key} {}", fmt_num(p.value));
        match groups.last_mut() {
            Some((g, items)) if *g == group => items.push(item),
            _ => groups.push((group, vec![item])),
        }
    }
    let mut lines = vec![];
    for (g, items) in groups {
        let head = if g.is_empty() {
            "  ".to_string()
        } else {
            format!("  {g}: ")
        };
        let mut line = head.clone();
        let indent = " ".repeat(head.chars().count().min(12));
        let mut first = true;
        for it in items {
            if !first && line.chars().count() + it.chars().count() + 3 > 100 {
                lines.push(std::mem::take(&mut line));
                line = indent.clone();
                first = true;
            }
            if !first {
                line += " · ";
            }
            line += &it;
            first = false;
        }
        lines.push(line);
    }
    lines
}

/// One trace as readable text, everything named by its label in `sc` (the scenario the trace
/// was made with; a name it does not have is shown as it is).
pub fn trace_text(t: &Trace, sc: &Scenario, set: &[Setting]) -> String {
    let labels = Labels { sc };
    // Short labels ("Russia", not "Russia (Putin; Peskov…)"): the text is read line by line.
    let actor = |a: &str| short_label(labels.actor(a), a);
    let lever = |l: &str| short_label(labels.lever(l), l);
    let event = |e: &str| short_label(labels.event(e), e);
    let outcome = |x: &str| short_label(labels.outcome(x), x);
    let mut o = String::new();
    let unit = crate::scenario::step_one(&t.step_unit);
    let mut options = t
        .variant
        .as_ref()
        .map(|v| format!(" --variant {}", shell_word(v)))
        .unwrap_or_default();
    for x in set {
        options += &format!(" --set {}", shell_word(&format!("{}={}", x.path, x.value)));
    }
    let _ = writeln!(
        o,
        "Run {} of {}{}, seed {}",
        t.run,
        t.scenario,
        t.variant
            .as_ref()
            .map(|v| format!(" (variant {})", labels.variant(v)))
            .unwrap_or_default(),
        t.seed
    );
    if let Some(x) = crate::report::html::set_sentence(sc, set) {
        let _ = writeln!(o, "{}", crate::text::escape(&x, false));
    }
    // A run past the file's own run count is in a run of more runs (and past the default
    // limit, with that limit raised): the command named must contain it.
    let limit = crate::scenario::limits::DEFAULT_MAX_RUNS;
    let file_runs = sc.runs.map_or(crate::scenario::DEFAULT_RUNS, |r| r as u64);
    let runs = if t.run >= file_runs {
        let n = t.run + 1;
        let raise = if n > limit {
            format!(" --max-runs {n}")
        } else {
            String::new()
        };
        format!(" --runs {n}{raise}")
    } else if file_runs > limit {
        // The file's own `runs` is above the default limit: the command as named was refused.
        // Run `t.run` is played by the first `t.run + 1` runs, within the limit.
        format!(" --runs {}", t.run + 1)
    } else {
        String::new()
    };
    let command = format!(
        "`brink run {} --seed {}{runs}{}`",
        crate::text::escape(&crate::text::shell_path(&t.scenario_file), false),
        t.seed,
        crate::text::escape(&options, false)
    );
    if t.run < crate::numerics::rng::MAX_RUN_INDEX {
        let _ = writeln!(
            o,
            "The path run {} takes in {command} (same random streams).",
            t.run
        );
    } else {
        // The last run index: a run of every index up to it would be one run more than
        // `brink run` accepts.
        let _ = writeln!(
            o,
            "Run {} is the last run index: no `brink run` plays that many runs (at most {}), \
             so no run's table holds it.",
            t.run,
            crate::numerics::rng::MAX_RUN_INDEX
        );
    }
    let _ = writeln!(
        o,
        "{}{}; H = mean hostility of {} <-> {}; costs in {}.",
        crate::scenario::n_steps(t.horizon, &t.step_unit),
        t.start_date
            .as_ref()
            .map(|d| format!(" from {d}"))
            .unwrap_or_default(),
        actor(&t.focal.0),
        actor(&t.focal.1),
        if t.cost_unit.is_empty() {
            "units"
        } else {
            &t.cost_unit
        }
    );
    let shown = t.parameters.iter().filter(|p| headline(&p.path)).count();
    let _ = writeln!(
        o,
        "\nThe run's sampled numbers (those that vary from run to run; {shown} of {} shown, \
         the rest, of levels, effects and factors, in --json):",
        t.parameters.len()
    );
    for l in parameter_lines(t, &labels) {
        let _ = writeln!(o, "{l}");
    }
    let in_force = if t.start.in_force.is_empty() {
        "no measures in force".to_string()
    } else {
        format!(
            "in force: {}",
            t.start
                .in_force
                .iter()
                .map(|l| {
                    let forced = if t.start.forced.contains(&l.lever) {
                        " (forced by the variant)"
                    } else {
                        ""
                    };
                    format!(
                        "{}: {}{forced}",
                        lever(&l.lever),
                        level_label(sc, &l.lever, &l.level_name)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    // " (held by Visa regime: Full visa regime)": the measure and level that hold the rung
    // above the one H alone reaches.
    let held = |by: &Option<String>| {
        by.as_ref()
            .map(|m| {
                // "visa_regime announced": the measure and its level.
                let words = match m.split_once(' ') {
                    Some((l, level)) => format!("{}: {}", lever(l), level_label(sc, l, level)),
                    None => lever(m),
                };
                format!(" (held by {words})")
            })
            .unwrap_or_default()
    };
    let _ = writeln!(
        o,
        "\nStart: H {:.2}, {}{}; {in_force}\n",
        t.start.index,
        rung_label(sc, &t.start.rung),
        held(&t.start.rung_held_by)
    );
    let name_w = t
        .actors
        .iter()
        .map(|a| actor(a).chars().count())
        .chain(["event", "outcome", "level", "costs", "held", "forced"].map(str::len))
        .max()
        .unwrap_or(8)
        .min(24);
    let pad = |s: &str| format!("{s:<name_w$}");
    let level_line = |o: &mut String, c: &LevelChange| {
        let cause = if c.cause.is_empty() {
            String::new()
        } else {
            format!(" by {}", cause_words(&labels, &c.cause))
        };
        let _ = writeln!(
            o,
            "    {}  {} set from {} to {}{cause}",
            pad("level"),
            lever(&c.lever),
            level_label(sc, &c.lever, &c.from_name),
            level_label(sc, &c.lever, &c.to_name)
        );
    };
    let mut prev_rung = t.start.rung.clone();
    // The step column as wide as the last step (at least 2): weeks 100 and 1000 of a long
    // horizon pushed their rows out of line.
    let width = t
        .steps
        .last()
        .map_or(2, |s| s.step.to_string().len().max(2));
    for s in &t.steps {
        let date = s
            .date
            .as_ref()
            .map(|d| format!("  {d}"))
            .unwrap_or_default();
        let rung_note = if s.rung != prev_rung {
            format!("  (from {})", rung_label(sc, &prev_rung))
        } else {
            String::new()
        };
        let held_by = held(&s.rung_held_by);
        let head = format!(
            "{unit} {:>width$}{date}  H {:>5.2}  {}{held_by}{rung_note}",
            s.step,
            s.index,
            rung_label(sc, &s.rung)
        );
        let acted = s.moves.iter().any(|m| m.choice != "hold");
        // A variant's forced measures land in the first step (H jumped there with no line
        // saying why: an attacking helper).
        let forced_now = if s.step == 0 {
            &t.start.forced[..]
        } else {
            &[][..]
        };
        // A lapsed offer alone is something that happened (its week was a bare heading, a
        // reviewing helper found).
        let happened = !s.events.is_empty()
            || !forced_now.is_empty()
            || acted
            || !s.level_changes.is_empty()
            || !s.outcomes.is_empty()
            || !s.contacts.is_empty();
        prev_rung.clone_from(&s.rung);
        let _ = writeln!(o, "{head}");
        if !happened {
            continue;
        }
        for f in forced_now {
            // As the engine lands it: one move, the forced level's weight (forced above the
            // initial level) or the easing of the initial level (forced below it), felt once
            // by the target; nothing at the initial level itself.
            let Some(m) = sc.levers.iter().find_map(|l| match l {
                crate::scenario::Lever::Measure(m) if &m.name == f => Some(m),
                _ => None,
            }) else {
                continue;
            };
            let forced = (t.start.in_force.iter())
                .find(|x| &x.lever == f)
                .map_or(0, |x| i64::from(x.level));
            let name_of = |l: i64| -> String {
                usize::try_from(l - 1)
                    .ok()
                    .and_then(|i| m.levels.get(i))
                    .map_or("status quo".to_string(), |x| level_label(sc, f, &x.name))
            };
            let felt = match forced.cmp(&m.initial) {
                std::cmp::Ordering::Greater => format!(
                    "{} feels the move to {} once",
                    actor(&m.target),
                    name_of(forced)
                ),
                std::cmp::Ordering::Less => format!(
                    "{} feels the easing of {} once",
                    actor(&m.target),
                    name_of(m.initial)
                ),
                std::cmp::Ordering::Equal => "its initial level, nothing to feel".into(),
            };
            let _ = writeln!(
                o,
                "    {}  {} held at {} by the variant: {felt}",
                pad("forced"),
                lever(f),
                name_of(forced)
            );
        }
        for e in &s.events {
            // The branch it took, by its label: an election's outcome is what it did.
            let branch = e.branch.as_ref().map_or(String::new(), |b| {
                let label = (sc.events.iter())
                    .find(|x| x.name == e.event)
                    .and_then(|x| x.branches.iter().find(|y| &y.name == b))
                    .map_or(b.clone(), |y| {
                        crate::report::charts::shown_label(&y.label, &y.name)
                    });
                format!(": {}", crate::text::one_line(&label))
            });
            let _ = writeln!(
                o,
                "    {}  {} fired (p {} this {unit}){branch}",
                pad("event"),
                event(&e.event),
                chance(e.probability, 3)
            );
        }
        for c in s.level_changes.iter().filter(|c| by_events(c)) {
            level_line(&mut o, c);
        }
        // Offers that lapse do so at the start of the step, before anyone moves.
        for (act, _) in s.contacts.iter().filter(|c| !c.1) {
            let _ = writeln!(
                o,
                "    {}  {}: offer lapsed, refused",
                pad("contact"),
                lever(act)
            );
        }
        for mv in s.moves.iter().filter(|m| m.choice != "hold") {
            let id = mv.lever.clone().unwrap_or_default();
            let level = level_label(sc, &id, mv.level_name.as_deref().unwrap_or_default());
            let name = lever(&id);
            let what = match mv.choice.as_str() {
                "raise" => format!("raises {name} to {level} (level {})", mv.level.unwrap_or(0)),
                // Back to level 0 the measure is over (an ambassador returns, a ban is lifted):
                // "lowers … to status quo" read as a milder form of it.
                "lower" if mv.level.unwrap_or(0) == 0 => {
                    format!("ends {name}: back to {level} (level 0)")
                }
                "lower" => format!("lowers {name} to {level} (level {})", mv.level.unwrap_or(0)),
                "offer" => format!("offers: {name} (needs the other side)"),
                "accept" => format!("accepts: {name}"),
                "overtaken" => format!(
                    "would have moved {name}, but an act set it to {level} (level {}) first: holds",
                    mv.level.unwrap_or(0)
                ),
                _ => format!("acts: {name}"),
            };
            let _ = writeln!(
                o,
                "    {}  {what} · Goldstein {} · p {} of {} options",
                pad(&actor(&mv.actor)),
                signed(mv.weight),
                chance(mv.probability, 2),
                mv.options
            );
        }
        let held: Vec<String> = s
            .moves
            .iter()
            .filter(|m| m.choice == "hold" && m.options > 1)
            .map(|m| {
                format!(
                    "{} (p {} of {})",
                    actor(&m.actor),
                    chance(m.probability, 2),
                    m.options
                )
            })
            .collect();
        if !held.is_empty() {
            let _ = writeln!(o, "    {}  {}", pad("held"), held.join(", "));
        }
        for c in s.level_changes.iter().filter(|c| !by_events(c)) {
            level_line(&mut o, c);
        }
        for name in &s.outcomes {
            let _ = writeln!(o, "    {}  {}", pad("outcome"), outcome(name));
        }
        let costs: Vec<String> = t
            .actors
            .iter()
            .zip(&s.costs)
            .filter(|(_, c)| **c != 0.0)
            .map(|(a, c)| format!("{} {}", actor(a), money(*c)))
            .collect();
        if !costs.is_empty() {
            let _ = writeln!(o, "    {}  so far: {}", pad("costs"), costs.join(", "));
        }
    }
    let e = &t.end;
    let happened: Vec<String> = e
        .outcomes
        .iter()
        .filter(|x| x.happened)
        .map(|x| {
            format!(
                "{} ({unit} {})",
                outcome(&x.name),
                x.first_step.unwrap_or(0)
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "\nEnd: final rung {}, peak rung {}; H final {:.2}, peak {:.2}",
        rung_label(sc, &e.final_rung),
        rung_label(sc, &e.peak_rung),
        e.final_index,
        e.peak_index
    );
    let listed = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let _ = writeln!(o, "Outcomes: {}", listed(&happened));
    // Only actors with something to show; a line with none says so (it was left empty).
    let costs: Vec<(&str, f64)> = e.costs.iter().map(|c| (c.actor.as_str(), c.cost)).collect();
    let gains: Vec<(&str, f64)> = e.gains.iter().map(|g| (g.actor.as_str(), g.gain)).collect();
    for (what, list) in [("Costs", &costs), ("Gains", &gains)] {
        let shown: Vec<String> = list
            .iter()
            .filter(|(_, x)| *x != 0.0)
            .map(|(a, x)| format!("{} {}", actor(a), money(*x)))
            .collect();
        if what == "Costs" || !shown.is_empty() {
            let _ = writeln!(o, "{what}: {}", listed(&shown));
        }
    }
    o
}

/// The whole output as readable text, in the words of `sc`, the scenario the trace was made
/// with (its labels; trace.json keeps the ids).
pub fn text(out: &TraceOutput, sc: &Scenario) -> String {
    let labels = Labels { sc };
    let mut o = String::new();
    if let Some(p) = &out.pick {
        let runs: Vec<String> = p.runs.iter().map(|r| r.to_string()).collect();
        if p.runs.len() < p.count {
            let _ = writeln!(
                o,
                "Only {} of the first {} runs had {} (raise --max-scan for more): run{} {}.\n",
                p.runs.len(),
                p.scanned,
                short_label(labels.outcome(&p.outcome), &p.outcome),
                if p.runs.len() == 1 { "" } else { "s" },
                runs.join(", ")
            );
        } else {
            let _ = writeln!(
                o,
                "The first {} with {} (runs 0 to {} scanned): {}.\n",
                match p.runs.len() {
                    1 => "run".to_string(),
                    n => format!("{n} runs"),
                },
                short_label(labels.outcome(&p.outcome), &p.outcome),
                p.scanned - 1,
                runs.join(", ")
            );
        }
    }
    for (i, t) in out.traces.iter().enumerate() {
        if i > 0 {
            o += &format!("\n{}\n\n", "=".repeat(100));
        }
        o += &trace_text(t, sc, &out.set);
    }
    o
}

/// A probability to `decimals` decimals, or to two significant digits where those would
/// read 0 (an event that fired at p 2e-5 read "p 0.000").
fn chance(p: f64, decimals: usize) -> String {
    if p > 0.0 && p < 0.5 * 10f64.powi(-(decimals as i32)) {
        format!("{p:.1e}")
    } else {
        format!("{p:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// The timeline charts stop with a signal: none is begun once the stop is set (drawing a
    /// thousand traces' charts went on for seconds after Ctrl-C), and without one every
    /// trace gets its PNG and SVG, in the traces' order.
    #[test]
    fn timeline_charts_stop_with_a_signal() {
        use crate::analysis::trace::{Target, TraceRequest, run};
        let loaded = crate::scenario::load(
            "scenarios/examples/tutorial.ron".as_ref(),
            Default::default(),
        )
        .unwrap();
        let model = crate::model::compile(&loaded.scenario, None).unwrap();
        let req = TraceRequest {
            variant: None,
            seed: 3,
            target: Target::Pick {
                outcome: model.outcomes[0].name.clone(),
                count: 3,
                max_scan: 10_000,
            },
            threads: 1,
            command: vec![],
        };
        let out = run(&loaded, &req, &AtomicBool::new(false)).unwrap();
        assert_eq!(out.traces.len(), 3);
        let files = chart_files(&model, &out, &AtomicBool::new(false))
            .unwrap()
            .unwrap();
        let names: Vec<String> = files.iter().map(|a| a.name.clone()).collect();
        let expect: Vec<String> = out
            .traces
            .iter()
            .flat_map(|t| ["png", "svg"].map(|x| format!("trace_timeline_run{}.{x}", t.run)))
            .collect();
        assert_eq!(names, expect);
        // A trace over the timeline's budget is not drawn; the others are (found by a
        // reviewing helper: one at the limits made a 214 MB SVG).
        let mut big = out.clone();
        let last = big.traces[1].steps.last().unwrap().clone();
        while !crate::analysis::trace::too_large_to_draw(&big.traces[1]) {
            big.traces[1]
                .steps
                .extend(std::iter::repeat_n(last.clone(), 10_000));
        }
        let files = chart_files(&model, &big, &AtomicBool::new(false))
            .unwrap()
            .unwrap();
        let names: Vec<String> = files.iter().map(|a| a.name.clone()).collect();
        let skipped = format!("trace_timeline_run{}", big.traces[1].run);
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with(&skipped)), "{names:?}");
        assert!(
            chart_files(&model, &out, &AtomicBool::new(true))
                .unwrap()
                .is_none()
        );
    }

    /// A weight of 0 eased (ease_weight −0) or one rounding to 0 reads "0", never "−0".
    #[test]
    fn a_zero_weight_has_no_sign() {
        assert_eq!(signed(-0.0), "0");
        assert_eq!(signed(-0.001), "0");
        assert_eq!(signed(-5.0), "−5");
        assert_eq!(signed(3.4), "+3.4");
    }

    /// The hint's words read back as given: a value of two lines in bash's $'...' (the
    /// newline shown as `\n`, which it reads as one), a file that starts with `-` as `./-r`.
    #[test]
    fn command_words_read_back_as_given() {
        assert_eq!(shell_word("a.b=0.4"), "a.b=0.4");
        assert_eq!(shell_word("a=Uniform(min: 1)"), "'a=Uniform(min: 1)'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        let two_lines = shell_word("a=Normal(mean: 0.3,\n\tsd: \\x')");
        assert_eq!(two_lines, "$'a=Normal(mean: 0.3,\\n\\tsd: \\\\x\\')'");
        // Nothing is left for the terminal's escapes, which bash would not read back.
        assert_eq!(crate::text::escape(&two_lines, false), two_lines);
        let hostile = "t\u{1b}a\u{200f}b\u{85}c\rd.ron";
        let word = crate::text::shell_path(hostile);
        assert_eq!(word, "$'t\\x1ba\\xe2\\x80\\x8fb\\xc2\\x85c\\rd.ron'");
        assert_eq!(crate::text::escape(&word, false), word);
        // bash reads each word back as the text it was made from.
        #[cfg(unix)]
        for (w, given) in [
            (&two_lines, "a=Normal(mean: 0.3,\n\tsd: \\x')"),
            (&word, hostile),
        ] {
            if let Ok(o) = std::process::Command::new("bash")
                .args(["-c", &format!("printf %s {w}")])
                .env("LC_ALL", "C")
                .output()
            {
                assert_eq!(String::from_utf8_lossy(&o.stdout), given);
            }
        }
        assert_eq!(crate::text::shell_path("-r.ron"), "./-r.ron");
        assert_eq!(crate::text::shell_path("s/x.ron"), "s/x.ron");
    }
}
