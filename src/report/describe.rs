//! `brink describe`: a scenario as readable tables, with its assumptions ledger.

use std::fmt::Write;

use crate::scenario::param::fmt_exact;
use crate::scenario::paths::for_each_param;
use crate::scenario::{Condition, Effect, Lever, Param, PerName, Scenario, Timing};

/// A plain-text table with aligned columns.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: vec![],
        }
    }
    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    /// Whether the table has no rows (its header alone).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Renders the table; the last column is left unpadded. Cells are padded by the columns a
    /// terminal gives them (a CJK character two, a combining mark none), not by characters:
    /// a label in Chinese pushed its row's later columns out of line.
    ///
    /// ```
    /// let mut t = brink::report::describe::Table::new(&["label", "p"]);
    /// t.row(vec!["签证".into(), "1".into()]);
    /// t.row(vec!["visa".into(), "2".into()]);
    /// let text = t.render();
    /// let rows: Vec<&str> = text.lines().collect();
    /// assert_eq!(rows[2], "签证   1");
    /// assert_eq!(rows[3], "visa   2");
    /// ```
    ///
    /// A cell is one line: text of several lines (a source) is joined by spaces
    /// ([`crate::text::one_line`]), so that its second line does not start a row of its own.
    pub fn render(&self) -> String {
        use unicode_width::UnicodeWidthStr;
        let n = self.header.len();
        let one_line = |r: &Vec<String>| -> Vec<String> {
            r.iter()
                .map(|c| crate::text::one_line(c).into_owned())
                .collect()
        };
        let header = one_line(&self.header);
        let rows: Vec<Vec<String>> = self.rows.iter().map(one_line).collect();
        let mut width = vec![0; n];
        for r in std::iter::once(&header).chain(&rows) {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.width());
            }
        }
        let mut out = String::new();
        let line = |r: &Vec<String>, out: &mut String| {
            let mut s = String::new();
            for (i, c) in r.iter().enumerate().take(n) {
                if i + 1 < n {
                    let pad = width[i] - c.width();
                    s += c;
                    s += &" ".repeat(pad + 2);
                } else {
                    s += c;
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(&header, &mut out);
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for r in &rows {
            line(r, &mut out);
        }
        out
    }
}

fn per_name(m: &PerName) -> String {
    m.iter()
        .map(|(k, v)| format!("{k} {}", v.describe_exact()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A condition in words.
pub fn condition_text(c: &Condition) -> String {
    match c {
        Condition::RungAtLeast(r) => format!("rung >= {r}"),
        Condition::RungBelow(r) => format!("rung < {r}"),
        Condition::IndexAbove(x) => format!("H > {}", fmt_exact(*x)),
        Condition::IndexBelow(x) => format!("H < {}", fmt_exact(*x)),
        Condition::LevelAtLeast(l, n) => format!("{l} >= level {n}"),
        Condition::EventOccurred(e) => format!("{e} occurred"),
        Condition::EventWithin(e, n) => format!("{e} within {n} steps"),
        Condition::ActWithin(a, n) => format!("{a} within {n} steps"),
        Condition::ActOccurred(a) => format!("{a} performed"),
        Condition::StepIn(a, b) => format!("step in {a}..{b}"),
        Condition::LevelHeldFor(l, n, k) => format!("{l} >= level {n} for {k} steps"),
        Condition::LevelEverReached(l, n) => format!("{l} reached level {n}"),
        Condition::Sustained(c, n) => format!("({}) for {n} steps", condition_text(c)),
        Condition::Before(a, b) => format!("{a} before {b}"),
        Condition::BranchTaken(e, b) => format!("{e} went {b}"),
        Condition::All(cs) => cs
            .iter()
            .map(condition_text)
            .collect::<Vec<_>>()
            .join(" and "),
        Condition::Any(cs) => format!(
            "({})",
            cs.iter()
                .map(condition_text)
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::Not(c) => format!("not ({})", condition_text(c)),
    }
}

/// Whether a number is this fixed value (a field left at its default).
fn is_fixed(p: &Param, v: f64) -> bool {
    !p.is_uncertain() && p.central() == v
}

/// A lever's rules beyond the levers table, each in words: the lever's own, and one line for
/// each of its levels that has any ("level 2 imposed: threshold 5; …"); none for a lever that
/// keeps every default.
fn lever_rules(l: &Lever, step_unit: &str) -> (Vec<String>, Vec<String>) {
    let mut r = vec![];
    let mut level_lines = vec![];
    let motive = |m: &Option<(String, String)>, r: &mut Vec<String>| {
        if let Some((a, b)) = m {
            r.push(format!(
                "moved by h({a}->{b}), not its own toward its target"
            ));
        }
    };
    match l {
        Lever::Measure(m) => {
            motive(&m.motive, &mut r);
            if let Some(e) = &m.ease_threshold {
                r.push(format!(
                    "lowered while the motive is below {}",
                    e.describe_exact()
                ));
            }
            if !is_fixed(&m.perception, 1.0) {
                r.push(format!("perception {}", m.perception.describe_exact()));
            }
            if !is_fixed(&m.half_life, 0.0) {
                r.push(format!("half-life {}", m.half_life.describe_exact()));
            }
            if m.min_duration > 0 {
                r.push(format!(
                    "a level set is held at least {} before it can be lowered",
                    crate::scenario::n_steps(m.min_duration, step_unit)
                ));
            }
            if !m.reversible {
                r.push("never lowered by its owner (events can)".into());
            }
            if let Some(c) = &m.raise_when {
                r.push(format!("raised only if {}", condition_text(c)));
            }
            if let Some(c) = &m.lower_when {
                r.push(format!("lowered only if {}", condition_text(c)));
            }
            for (i, lv) in m.levels.iter().enumerate() {
                let mut at = vec![];
                if let Some(t) = &lv.threshold {
                    at.push(format!("threshold {}", t.describe_exact()));
                }
                if let Some(e) = &lv.ease_weight {
                    at.push(format!("weight when eased {}", e.describe_exact()));
                }
                if let Some(k) = &lv.min_rung {
                    at.push(format!("only at rung {k} or higher"));
                }
                if !lv.benefits.is_empty() {
                    at.push(format!("benefits {}", per_name(&lv.benefits)));
                }
                if !lv.pressure.is_empty() {
                    at.push(format!("pressure {}", per_name(&lv.pressure)));
                }
                if !lv.modifiers.is_empty() {
                    let each: Vec<String> = (lv.modifiers.iter())
                        .map(|x| {
                            format!(
                                "{}.{:?} x {} + {}",
                                x.actor,
                                x.param,
                                x.factor.describe_exact(),
                                x.add.describe_exact()
                            )
                        })
                        .collect();
                    at.push(format!("while in force {}", each.join(", ")));
                }
                if !is_fixed(&lv.reward, 0.0) {
                    at.push(format!("reward {}", lv.reward.describe_exact()));
                }
                if !at.is_empty() {
                    level_lines.push(format!("level {} {}: {}", i + 1, lv.name, at.join("; ")));
                }
            }
        }
        Lever::Act(a) => {
            motive(&a.motive, &mut r);
            if !is_fixed(&a.perception, 1.0) {
                r.push(format!("perception {}", a.perception.describe_exact()));
            }
            if let Some(k) = &a.min_rung {
                r.push(format!("only at rung {k} or higher"));
            }
            if let Some(c) = &a.allowed_when {
                r.push(format!("only if {}", condition_text(c)));
            }
            if let Some(b) = &a.accepted_by {
                r.push(format!(
                    "an offer: happens only if {b} accepts within {}, which it does while its \
                     hostility toward {} is below {}",
                    crate::scenario::n_steps(a.accept_within, step_unit),
                    a.owner,
                    a.accept_threshold.describe_exact()
                ));
            }
            if !is_fixed(&a.reward, 0.0) {
                r.push(format!("reward {}", a.reward.describe_exact()));
            }
            if !a.effects.is_empty() {
                let e: Vec<String> = a.effects.iter().map(effect_text).collect();
                r.push(format!("effects {}", e.join(", ")));
            }
        }
    }
    (r, level_lines)
}

fn effect_text(e: &Effect) -> String {
    match e {
        Effect::Move {
            by,
            against,
            weight,
        } => format!("move {by}->{against} w {}", weight.describe_exact()),
        Effect::Impulse { from, to, amount } => {
            format!("h({from}->{to}) += {}", amount.describe_exact())
        }
        Effect::ScaleHostility { factor, between } => match between {
            Some((a, b)) => format!("h({a}<->{b}) x {}", factor.describe_exact()),
            None => format!("focal h x {}", factor.describe_exact()),
        },
        Effect::SetLevel { lever, level } => format!("{lever} := {level}"),
        Effect::AddPressure { pressure, amount } => {
            format!("{pressure} += {}", amount.describe_exact())
        }
        Effect::ShiftLever {
            lever,
            param,
            factor,
            add,
        } => format!(
            "{lever}.{param:?} x {} + {} for good",
            factor.describe_exact(),
            add.describe_exact()
        ),
        Effect::ShiftRelation {
            from,
            to,
            param,
            factor,
            add,
            duration,
        } => format!(
            "{from}->{to}.{param:?} x {} + {}{}",
            factor.describe_exact(),
            add.describe_exact(),
            match duration {
                Some(d) => format!(" for {d}"),
                None => " for good".into(),
            }
        ),
        Effect::Modify {
            actor,
            param,
            factor,
            add,
            duration,
        } => format!(
            "{actor}.{param:?} x {} + {} for {duration}",
            factor.describe_exact(),
            add.describe_exact()
        ),
    }
}

/// The assumptions ledger: every uncertain number with its distribution and source.
pub fn ledger(s: &Scenario) -> Vec<(String, String, String)> {
    let mut out = vec![];
    let mut s = s.clone();
    for_each_param(&mut s, &mut |site, p: &mut Param| {
        if p.is_uncertain() {
            let src = p.source().unwrap_or(site.context_source);
            let src = if src.is_empty() {
                "(no source given)"
            } else {
                src
            };
            out.push((site.path.clone(), p.describe_exact(), src.to_string()));
        }
    });
    out
}

/// The starting templates' stand-in markers (`brink new`: "REPLACE" in a case, "replace with
/// …" in the minimal scenario and a starting timeline: its sources, its facts' labels, its
/// title; the sources alone were counted, so a timeline whose labels still said "replace with
/// what happened" passed without a word) still in a parsed file's
/// texts (sources, labels, descriptions; comments are gone once parsed), each with how many
/// times it occurs; markers that do not occur are left out.
///
/// ```
/// let s = brink::scenario::parse_str(&brink::scenario::new::text(
///     "demo",
///     brink::scenario::new::Template::Case,
/// ))
/// .unwrap();
/// let found = brink::report::describe::stand_ins(&s);
/// assert_eq!(found[0].0, "REPLACE");
/// assert!(found[0].1 > 20);
/// ```
pub fn stand_ins<T: serde::Serialize>(x: &T) -> Vec<(&'static str, usize)> {
    let text = serde_json::to_string(x).unwrap_or_default();
    // "replace with" only at the start of a text, as the templates write it (a real source
    // may say "agreed to replace with …"): in the JSON, right after a string's opening quote.
    [("REPLACE", "REPLACE"), ("replace with", "\"replace with")]
        .into_iter()
        .map(|(m, at)| (m, text.matches(at).count()))
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// Every table of `brink describe`.
pub fn describe(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {}", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(o, "{}", s.description.trim());
    }
    let _ = writeln!(
        o,
        "\nhorizon {} from {}; focal dyad {} <-> {}; costs in {}; hostility bounds {}..{}",
        crate::scenario::n_steps(s.horizon, &s.step_unit),
        s.start_date.as_deref().unwrap_or("step 0"),
        s.focal.0,
        s.focal.1,
        s.cost_unit,
        fmt_exact(s.bounds.0),
        fmt_exact(s.bounds.1)
    );

    let mut t = Table::new(&[
        "actor",
        "kind",
        "rationality",
        "sensitivity",
        "hawkishness",
        "cost weight",
        "activity",
        "label",
    ]);
    for a in &s.actors {
        t.row(vec![
            a.name.clone(),
            format!("{:?}", a.kind),
            a.rationality.describe_exact(),
            a.sensitivity.describe_exact(),
            a.hawkishness.describe_exact(),
            a.cost_weight.describe_exact(),
            a.activity.describe_exact(),
            a.label.clone(),
        ]);
    }
    let _ = write!(o, "\n## Actors\n{}", t.render());

    let mut t = Table::new(&[
        "relation",
        "initial",
        "fatigue",
        "reactivity",
        "grievance",
        "noise",
        "salience",
    ]);
    for r in &s.relations {
        t.row(vec![
            format!("{} -> {}", r.from, r.to),
            r.initial.describe_exact(),
            r.fatigue.describe_exact(),
            r.reactivity.describe_exact(),
            r.grievance.describe_exact(),
            r.noise.describe_exact(),
            r.salience.describe_exact(),
        ]);
    }
    let _ = write!(o, "\n## Relations\n{}", t.render());

    // Shared numbers: a fixed one appeared nowhere else (fields say only `Shared(name)`).
    if !s.shared.is_empty() {
        let mut t = Table::new(&["shared number", "value", "label", "source"]);
        for n in &s.shared {
            t.row(vec![
                n.name.clone(),
                n.value.describe_exact(),
                n.label.clone(),
                n.source.clone(),
            ]);
        }
        let _ = write!(o, "\n## Shared numbers\n{}", t.render());
    }

    // The lowest rung holds every H below the next one's threshold: its own is not read
    // ("H from 0" for a rung the runs stood on at H −2: an attacking helper).
    let mut t = Table::new(&["rung", "H", "label"]);
    for (i, r) in s.ladder.iter().enumerate() {
        t.row(vec![
            r.name.clone(),
            match (i, s.ladder.get(1)) {
                (0, Some(next)) => format!("below {}", fmt_exact(next.threshold)),
                (0, None) => "any".into(),
                _ => format!("from {}", fmt_exact(r.threshold)),
            },
            r.label.clone(),
        ]);
    }
    let _ = write!(o, "\n## Escalation ladder\n{}", t.render());

    if !s.pressures.is_empty() {
        let mut t = Table::new(&["pressure", "actor", "initial", "decay", "push"]);
        for p in &s.pressures {
            t.row(vec![
                p.name.clone(),
                p.actor.clone(),
                p.initial.describe_exact(),
                p.decay.describe_exact(),
                p.push.describe_exact(),
            ]);
        }
        let _ = write!(o, "\n## Domestic pressure\n{}", t.render());
    }

    let mut t = Table::new(&[
        "lever",
        "owner -> target",
        "level",
        "weight",
        "irritation",
        "costs",
        "implies",
    ]);
    for l in &s.levers {
        match l {
            Lever::Measure(m) => {
                t.row(vec![
                    m.name.clone(),
                    format!("{} -> {}", m.owner, m.target),
                    format!("0 status quo (start {})", m.initial),
                    format!("threshold {}", m.threshold.describe_exact()),
                    format!("persistence {}", m.persistence.describe_exact()),
                    String::new(),
                    String::new(),
                ]);
                for (i, lv) in m.levels.iter().enumerate() {
                    t.row(vec![
                        String::new(),
                        String::new(),
                        format!("{} {}", i + 1, lv.name),
                        lv.weight.describe_exact(),
                        lv.irritation.describe_exact(),
                        per_name(&lv.costs),
                        lv.implies_rung.clone().unwrap_or_default(),
                    ]);
                }
            }
            Lever::Act(a) => t.row(vec![
                a.name.clone(),
                format!("{} -> {}", a.owner, a.target),
                if a.once {
                    "act, once".to_string()
                } else {
                    format!("act, cooldown {}", a.cooldown)
                },
                a.weight.describe_exact(),
                format!("threshold {}", a.threshold.describe_exact()),
                per_name(&a.costs),
                String::new(),
            ]),
        }
    }
    // A measure's costs are paid each step at its level, an act's once (the heading said
    // "per step" of both: an attacking helper).
    if s.levers.is_empty() {
        o += "\n## Levers\n(no levers)\n";
    } else {
        let _ = write!(
            o,
            "\n## Levers (costs in {}: a measure's each step at a level, an act's each time it is performed)\n{}",
            s.cost_unit,
            t.render()
        );
    }
    // What the table leaves out and changes what a lever does: who it answers to, when it
    // may move, what it waits for.
    let rules: Vec<String> = (s.levers.iter())
        .filter_map(|l| {
            let (own, levels) = lever_rules(l, &s.step_unit);
            // The lever's own rules on its line, each level's on a line of its own below.
            (!own.is_empty() || !levels.is_empty()).then(|| {
                let mut line = format!("{}:", l.name());
                if !own.is_empty() {
                    line += &format!(" {}", own.join("; "));
                }
                for x in &levels {
                    line += &format!("\n  {x}");
                }
                line
            })
        })
        .collect();
    if !rules.is_empty() {
        let _ = write!(o, "\n## Lever rules\n{}\n", rules.join("\n"));
    }

    let mut t = Table::new(&["event", "timing", "effects", "label"]);
    for e in &s.events {
        let timing = match &e.timing {
            Timing::Scheduled {
                probability, when, ..
            }
            | Timing::Dated {
                probability, when, ..
            } => {
                let step = match &e.timing {
                    Timing::Dated { step, .. } => step.describe_exact(),
                    Timing::Scheduled { step, .. } => step.to_string(),
                    Timing::Hazard { .. } => unreachable!("matched above"),
                };
                let mut s = format!("step {step}, p {}", probability.describe_exact());
                if let Some(c) = when {
                    s += &format!(" if {}", condition_text(c));
                }
                s
            }
            Timing::Hazard {
                rate,
                index_slope,
                grievance_slope,
                factors,
                from_step,
                until_step,
            } => {
                let mut s = format!("hazard {}/step", rate.describe_exact());
                // A slope is shown unless it is a fixed 0 (an uncertain one centred on 0 is
                // still a slope).
                let shown = |p: &crate::scenario::Param| p.is_uncertain() || p.central() != 0.0;
                if shown(index_slope) {
                    s += &format!(" x exp({}·H)", index_slope.describe_exact());
                }
                if shown(grievance_slope) {
                    s += &format!(" x exp({}·G)", grievance_slope.describe_exact());
                }
                for f in factors {
                    s += &format!(
                        " x {} if {}",
                        f.times.describe_exact(),
                        condition_text(&f.when)
                    );
                }
                match until_step {
                    Some(z) => s += &format!(", steps {from_step} to {z}"),
                    None if *from_step > 0 => s += &format!(", from step {from_step}"),
                    None => {}
                }
                s
            }
        };
        let mut timing = timing;
        if e.once {
            timing += ", once";
        } else if e.cooldown > 0 {
            timing += &format!(", cooldown {}", e.cooldown);
        }
        let mut effects: Vec<String> = e.effects.iter().map(effect_text).collect();
        for b in &e.branches {
            let then: Vec<String> = b.effects.iter().map(effect_text).collect();
            effects.push(format!(
                "branch {} (weight {}): {}",
                b.name,
                b.probability.describe_exact(),
                if then.is_empty() {
                    "nothing".to_string()
                } else {
                    then.join(", ")
                }
            ));
        }
        t.row(vec![
            e.name.clone(),
            timing,
            effects.join("; "),
            e.label.clone(),
        ]);
    }
    let _ = write!(o, "\n## Events\n{}", rows_or_none(&t, "no events"));

    let mut t = Table::new(&["outcome", "when", "label"]);
    for oc in &s.outcomes {
        let when = if oc.at_end {
            format!("at the end: {}", condition_text(&oc.when))
        } else {
            format!("ever: {}", condition_text(&oc.when))
        };
        t.row(vec![oc.name.clone(), when, oc.label.clone()]);
    }
    let _ = write!(o, "\n## Outcomes\n{}", rows_or_none(&t, "no outcomes"));

    let mut t = Table::new(&["variant", "changes", "label"]);
    for v in &s.variants {
        let mut ch: Vec<String> = v
            .set
            .iter()
            .map(|(k, p)| format!("{k} = {}", p.describe_exact()))
            .collect();
        ch.extend(v.force.iter().map(|(k, l)| format!("force {k} = {l}")));
        ch.extend(v.freeze.iter().map(|k| format!("freeze {k}")));
        ch.extend(v.add_events.iter().map(|e| format!("add event {}", e.name)));
        ch.extend(v.remove_events.iter().map(|e| format!("remove event {e}")));
        t.row(vec![v.name.clone(), ch.join("; "), v.label.clone()]);
    }
    let _ = write!(o, "\n## Variants\n{}", rows_or_none(&t, "no variants"));

    let mut t = Table::new(&["parameter", "distribution", "source"]);
    for (path, dist, src) in ledger(s) {
        t.row(vec![path, dist, src]);
    }
    let _ = write!(
        o,
        "\n## Assumptions ledger (uncertain numbers)\n{}",
        t.render()
    );
    o
}

/// A number as a scenario file (and `--set`) writes it, without its source: `0.4`,
/// `Uniform(min: 0.2, max: 0.4)`. Every number is written exactly (shortest round-trip form), so
/// the text can be pasted into `--set PATH=VALUE` or a variant's `set`.
pub fn param_ron(p: &Param) -> String {
    use crate::scenario::Dist as D;
    let opt = |name: &str, v: &Option<f64>| v.map_or(String::new(), |x| format!(", {name}: {x:?}"));
    match p {
        Param::Value(v) => format!("{v:?}"),
        Param::Dist(d) => match d {
            D::Fixed { value, .. } => format!("Fixed(value: {value:?})"),
            D::Uniform { min, max, .. } => format!("Uniform(min: {min:?}, max: {max:?})"),
            D::Triangular { min, mode, max, .. } => {
                format!("Triangular(min: {min:?}, mode: {mode:?}, max: {max:?})")
            }
            D::Pert { min, mode, max, .. } => {
                format!("Pert(min: {min:?}, mode: {mode:?}, max: {max:?})")
            }
            D::Normal {
                mean, sd, min, max, ..
            } => format!(
                "Normal(mean: {mean:?}, sd: {sd:?}{}{})",
                opt("min", min),
                opt("max", max)
            ),
            D::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => format!(
                "Beta(alpha: {alpha:?}, beta: {beta:?}{}{})",
                opt("min", min),
                opt("max", max)
            ),
            D::LogNormal { median, sigma, .. } => {
                format!("LogNormal(median: {median:?}, sigma: {sigma:?})")
            }
            D::Shared(name) => format!("Shared({name:?})"),
        },
    }
}

/// A valid range in words: "0 to 1", "at least 0", "any number".
pub fn range_words((lo, hi): (f64, f64)) -> String {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => format!("{} to {}", fmt_exact(lo), fmt_exact(hi)),
        (true, false) => format!("at least {}", fmt_exact(lo)),
        (false, true) => format!("at most {}", fmt_exact(hi)),
        (false, false) => "any number".into(),
    }
}

/// A field's unit in the scenario's words: its steps ("weeks"), its cost unit ("USD
/// million") and hostility points named as such.
pub fn unit_words(field: crate::scenario::field::ParamField, s: &Scenario) -> String {
    let unit = field.unit();
    let steps = crate::scenario::steps(&s.step_unit);
    let cost = s.cost_unit.trim();
    let mut out = unit.to_string();
    if !cost.is_empty() {
        out = out.replace("cost units", cost).replace("cost unit", cost);
    }
    out = out.replace(
        "per step",
        &format!("per {}", crate::scenario::step_one(&s.step_unit)),
    );
    if out == "steps" {
        out = steps;
    }
    if out == "points" || out.starts_with("points ") {
        out = format!("hostility {out}");
    }
    out
}

/// `brink describe --paths`: every parameter path with its value or distribution (RON, as
/// `--set` takes it), the valid range of its field and its unit, in sampling order.
pub fn paths_table(s: &Scenario) -> String {
    let mut t = Table::new(&["path", "value", "valid range", "unit"]);
    // Each number's range as `--set` checks it: a shared number's is what every number that
    // reads it takes ("any number" was listed where `--set` refused a value outside a use's).
    let ranges = crate::scenario::validate::valid_ranges(s);
    let last = crate::scenario::validate::last_step(s) as f64;
    for_each_param(&mut s.clone(), &mut |site, p| {
        let step =
            crate::scenario::field::ParamField::Timing(crate::scenario::field::TimingField::Step);
        // A dated step lies within the horizon (validation checks it there too).
        let range = if site.key.field == step {
            (0.0, last)
        } else {
            ranges
                .get(&site.path)
                .copied()
                .unwrap_or_else(|| site.key.field.range(s.bounds))
        };
        t.row(vec![
            site.path.clone(),
            param_ron(p),
            range_words(range),
            unit_words(site.key.field, s),
        ]);
    });
    t.render()
}

/// A section's table, or a line saying it has none: a header over no rows read as if the
/// rows had been lost.
fn rows_or_none(t: &Table, none: &str) -> String {
    if t.is_empty() {
        format!("({none})\n")
    } else {
        t.render()
    }
}

#[cfg(test)]
mod tests {
    /// A template's "replace with …" counts only where a text begins with it: a real source
    /// that says "agreed to replace with" is not a stand-in.
    #[test]
    fn replace_with_counts_only_at_a_text_s_start() {
        let x = serde_json::json!({
            "label": "replace with what happened",
            "source": "the ministry agreed to replace with a new decree (TASS, 3 May)",
            "sources": ["replace with your sources", "REPLACE: the trigger"],
        });
        assert_eq!(
            super::stand_ins(&x),
            vec![("REPLACE", 1), ("replace with", 2)]
        );
    }
}
