//! `brink graph`: a scenario's structure as a diagram. Actors are nodes; relations, levers
//! (owner → target) and events (what triggers them, whom they affect) are arrows. The same
//! [`Diagram`] is written as Graphviz DOT, as Mermaid, and drawn as SVG and PNG
//! ([`crate::report::charts::graph`]).

use std::collections::BTreeMap;

use crate::report::charts::{short_label, shown_label};
// Characters that reorder a line are written as entity codes in DOT and Mermaid, which both
// decode them in the drawing: printed raw to a terminal (`brink graph --format dot` writes to
// standard output) the line would show reordered.
use crate::report::reorders_text as reorders;
use crate::scenario::param::fmt_num;
use crate::scenario::{Condition, Effect, Lever, Scenario, Timing};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A state (or bloc).
    Actor,
    /// An exogenous event.
    Event,
}

/// One node: an actor or an event, by its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// A safe identifier for DOT and Mermaid (`a0`, `e3`): never scenario text.
    pub id: String,
    /// The label shown (the scenario's label, else its name).
    pub label: String,
    /// For an event: when it fires and what it waits for, in words (empty for an actor).
    pub detail: String,
    /// Actor or event.
    pub kind: NodeKind,
}

/// What an arrow stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A relation: from's hostility toward to.
    Relation,
    /// A measure (levels that persist), owner → target.
    Measure,
    /// A one-off act, owner → target.
    Act,
    /// An event's effect on an actor.
    Affects,
    /// What an event waits for: another event, or an actor's lever.
    Triggers,
}

/// One arrow between two nodes (indices into [`Diagram::nodes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The node it starts from.
    pub from: usize,
    /// The node it points to.
    pub to: usize,
    /// What it stands for.
    pub kind: EdgeKind,
    /// Its labels (levers' labels, effects in words), one per line.
    pub labels: Vec<String>,
}

/// A scenario's diagram: actors first, then events; arrows grouped by (from, to, kind).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The scenario's name.
    pub title: String,
    /// Actors, then events.
    pub nodes: Vec<Node>,
    /// Arrows, in (from, to, kind) order.
    pub edges: Vec<Edge>,
}

impl Diagram {
    /// The diagram of a scenario (its base: variants are not drawn).
    pub fn of(s: &Scenario) -> Diagram {
        let mut nodes = vec![];
        let mut actor_ix = BTreeMap::new();
        for (i, a) in s.actors.iter().enumerate() {
            actor_ix.insert(a.name.as_str(), nodes.len());
            nodes.push(Node {
                id: format!("a{i}"),
                label: short_label(&a.label, &a.name),
                detail: String::new(),
                kind: NodeKind::Actor,
            });
        }
        let mut event_ix = BTreeMap::new();
        for (i, e) in s.events.iter().enumerate() {
            event_ix.insert(e.name.as_str(), nodes.len());
            nodes.push(Node {
                id: format!("e{i}"),
                label: shown_label(&e.label, &e.name),
                detail: timing_words(s, &e.timing),
                kind: NodeKind::Event,
            });
        }
        let lever_label = |name: &str| lever_label(s, name);
        let lever_owner = |name: &str| {
            s.levers.iter().find(|l| l.name() == name).map(|l| match l {
                Lever::Measure(m) => m.owner.as_str(),
                Lever::Act(a) => a.owner.as_str(),
            })
        };
        let actor_label = |name: &str| {
            s.actors
                .iter()
                .find(|a| a.name == name)
                .map_or(name.to_string(), |a| short_label(&a.label, &a.name))
        };
        let mut edges: BTreeMap<(usize, usize, EdgeKind), Vec<String>> = BTreeMap::new();
        let mut add = |from: Option<&usize>, to: Option<&usize>, kind, label: String| {
            if let (Some(&f), Some(&t)) = (from, to) {
                let e = edges.entry((f, t, kind)).or_default();
                if !label.is_empty() && !e.contains(&label) {
                    e.push(label);
                }
            }
        };
        for r in &s.relations {
            add(
                actor_ix.get(r.from.as_str()),
                actor_ix.get(r.to.as_str()),
                EdgeKind::Relation,
                String::new(),
            );
        }
        for l in &s.levers {
            let (owner, target, kind, label) = match l {
                Lever::Measure(m) => (&m.owner, &m.target, EdgeKind::Measure, &m.label),
                Lever::Act(a) => (&a.owner, &a.target, EdgeKind::Act, &a.label),
            };
            add(
                actor_ix.get(owner.as_str()),
                actor_ix.get(target.as_str()),
                kind,
                shown_label(label, l.name()),
            );
        }
        for e in &s.events {
            let me = event_ix.get(e.name.as_str());
            let effects = e
                .effects
                .iter()
                .chain(e.branches.iter().flat_map(|b| b.effects.iter()));
            for eff in effects {
                for (actor, words) in effect_words(s, eff, &actor_label, &lever_label, &lever_owner)
                {
                    add(me, actor_ix.get(actor.as_str()), EdgeKind::Affects, words);
                }
            }
            // Each condition with the way it bears on the event: a gate lets it happen, a
            // factor above 1 raises it, one below 1 damps or blocks it.
            let mut refs = vec![];
            match &e.timing {
                Timing::Scheduled { when, .. } | Timing::Dated { when, .. } => {
                    if let Some(c) = when {
                        names_in(c, Some(true), &mut refs);
                    }
                }
                Timing::Hazard { factors, .. } => {
                    for f in factors {
                        let (lo, hi) = factor_range(s, &f.times);
                        let raises = if lo == 1.0 && hi == 1.0 {
                            continue; // ×1: no bearing at all
                        } else if lo >= 1.0 {
                            Some(true)
                        } else if hi <= 1.0 {
                            Some(false)
                        } else {
                            None
                        };
                        names_in(&f.when, raises, &mut refs);
                    }
                }
            }
            for (name, raises) in refs {
                let how = match raises {
                    Some(true) => "",
                    Some(false) => " (holds it back)",
                    None => " (bears on it)",
                };
                if let Some(ix) = event_ix.get(name.as_str()) {
                    let what = match raises {
                        Some(true) => "after it",
                        Some(false) => "holds it back",
                        None => "bears on it",
                    };
                    add(Some(ix), me, EdgeKind::Triggers, what.into());
                } else if let Some(owner) = lever_owner(&name) {
                    add(
                        actor_ix.get(owner),
                        me,
                        EdgeKind::Triggers,
                        format!("{}{how}", lever_label(&name)),
                    );
                }
            }
        }
        Diagram {
            title: s.name.clone(),
            nodes,
            edges: edges
                .into_iter()
                .map(|((from, to, kind), labels)| Edge {
                    from,
                    to,
                    kind,
                    labels,
                })
                .collect(),
        }
    }

    /// The diagram in Graphviz DOT: one node per actor and event, every id generated and every
    /// label quoted and escaped.
    pub fn dot(&self) -> String {
        let mut out = format!("digraph \"{}\" {{\n", dot_escape(&self.title));
        out += "  graph [rankdir=LR, fontname=\"sans-serif\"];\n";
        out +=
            "  node [fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n";
        for n in &self.nodes {
            let (label, shape) = match n.kind {
                NodeKind::Actor => (n.label.clone(), "ellipse"),
                NodeKind::Event => (format!("{}\n({})", n.label, n.detail), "box"),
            };
            out += &format!(
                "  \"{}\" [label=\"{}\", shape={shape}];\n",
                n.id,
                dot_escape(&label)
            );
        }
        for e in &self.edges {
            let style = match e.kind {
                EdgeKind::Relation => "color=gray60, arrowhead=vee",
                EdgeKind::Measure => "color=\"#1f5fa8\", penwidth=2",
                EdgeKind::Act => "color=\"#d9730d\", penwidth=2",
                EdgeKind::Affects => "style=dashed, color=gray40",
                EdgeKind::Triggers => "style=dotted, color=\"#8c2d19\"",
            };
            let label = match e.kind {
                EdgeKind::Relation => "hostility".to_string(),
                _ => e.labels.join("\n"),
            };
            out += &format!(
                "  \"{}\" -> \"{}\" [label=\"{}\", {style}];\n",
                self.nodes[e.from].id,
                self.nodes[e.to].id,
                dot_escape(&label)
            );
        }
        out += "}\n";
        out
    }

    /// The diagram as a Mermaid flowchart: generated ids, labels quoted with every character
    /// Mermaid reads as syntax written as an entity code.
    pub fn mermaid(&self) -> String {
        let mut out = format!("flowchart LR\n  %% {}\n", mermaid_comment(&self.title));
        for n in &self.nodes {
            match n.kind {
                NodeKind::Actor => {
                    out += &format!("  {}([\"{}\"])\n", n.id, mermaid_escape(&n.label))
                }
                NodeKind::Event => {
                    out += &format!(
                        "  {}[\"{}<br/>({})\"]\n",
                        n.id,
                        mermaid_escape(&n.label),
                        mermaid_escape(&n.detail)
                    )
                }
            }
        }
        for e in &self.edges {
            let arrow = match e.kind {
                EdgeKind::Relation => "-->",
                EdgeKind::Measure | EdgeKind::Act => "==>",
                EdgeKind::Affects | EdgeKind::Triggers => "-.->",
            };
            let label = match e.kind {
                EdgeKind::Relation => "hostility".to_string(),
                EdgeKind::Measure => format!("measure: {}", e.labels.join("; ")),
                EdgeKind::Act => format!("act: {}", e.labels.join("; ")),
                _ => e.labels.join("; "),
            };
            out += &format!(
                "  {} {arrow}|\"{}\"| {}\n",
                self.nodes[e.from].id,
                mermaid_escape(&label),
                self.nodes[e.to].id
            );
        }
        out
    }
}

/// When an event fires, in words: its step or its window, and what each condition does to it
/// ("at week 10, only if not at War or higher"; "any week, by chance, weeks 17 to 18; never
/// while at Crisis or higher; ×0.5 while Border shooting within 4 weeks"). A gate and a
/// factor are told apart, and a factor by what it does: a factor of 0 blocks, one below 1
/// damps (the diagram once read each as a condition the event waits for, and dropped `Not`).
fn timing_words(s: &Scenario, t: &Timing) -> String {
    let unit = crate::scenario::step_one(&s.step_unit);
    let gate = |when: &Option<Condition>| {
        when.as_ref().map_or(String::new(), |c| {
            format!(", only if {}", condition_words(s, c))
        })
    };
    match t {
        Timing::Scheduled { step, when, .. } => format!("at {unit} {step}{}", gate(when)),
        Timing::Dated { when, .. } => format!("at an uncertain {unit}{}", gate(when)),
        Timing::Hazard {
            factors,
            from_step,
            until_step,
            ..
        } => {
            let mut w = format!("any {unit}, by chance");
            match (*from_step, until_step) {
                (0, None) => {}
                (a, None) => w += &format!(", from {unit} {a}"),
                (0, Some(b)) => w += &format!(", until {unit} {b}"),
                (a, Some(b)) if a == *b => w += &format!(", only in {unit} {a}"),
                (a, Some(b)) => {
                    w += &format!(", {} {a} to {b}", crate::scenario::steps(&s.step_unit))
                }
            }
            for f in factors {
                let (lo, hi) = factor_range(s, &f.times);
                if lo == 1.0 && hi == 1.0 {
                    continue; // ×1: changes nothing
                }
                let what = if hi <= 0.0 {
                    "never".to_string()
                } else if lo == hi {
                    format!("×{}", fmt_num(lo))
                } else {
                    format!("×{} to {}", fmt_num(lo), fmt_num(hi))
                };
                w += &format!("; {what} while {}", condition_words(s, &f.when));
            }
            w
        }
    }
}

/// The range a factor's multiplier can take: a shared number's is the range of its value (a
/// `Shared` on its own has none, and read "×-inf to inf").
fn factor_range(s: &Scenario, p: &crate::scenario::Param) -> (f64, f64) {
    match p {
        crate::scenario::Param::Dist(crate::scenario::param::Dist::Shared(n)) => (s.shared.iter())
            .find(|x| &x.name == n)
            .map_or((f64::NEG_INFINITY, f64::INFINITY), |x| x.value.range()),
        p => p.range(),
    }
}

/// A lever (measure or act) by its label, else its name.
fn lever_label(s: &Scenario, name: &str) -> String {
    s.levers
        .iter()
        .find(|l| l.name() == name)
        .map_or(name.to_string(), |l| match l {
            Lever::Measure(m) => shown_label(&m.label, &m.name),
            Lever::Act(a) => shown_label(&a.label, &a.name),
        })
}

/// A condition in the scenario's labels ("at Crisis or higher", "not (Visa regime at level 2
/// or higher)").
fn condition_words(s: &Scenario, c: &Condition) -> String {
    let rung = |name: &str| {
        s.ladder
            .iter()
            .find(|r| r.name == name)
            .map_or(name.to_string(), |r| short_label(&r.label, &r.name))
    };
    let event = |name: &str| {
        s.events
            .iter()
            .find(|e| e.name == name)
            .map_or(name.to_string(), |e| shown_label(&e.label, &e.name))
    };
    let lever = |name: &str| lever_label(s, name);
    let steps = |n: &i64| crate::scenario::n_steps(*n, &s.step_unit);
    let all = |cs: &[Condition], joint: &str| {
        cs.iter()
            .map(|c| condition_words(s, c))
            .collect::<Vec<_>>()
            .join(joint)
    };
    match c {
        Condition::RungAtLeast(r) => format!("at {} or higher", rung(r)),
        Condition::RungBelow(r) => format!("below {}", rung(r)),
        Condition::IndexAbove(x) => format!("H above {}", fmt_num(*x)),
        Condition::IndexBelow(x) => format!("H below {}", fmt_num(*x)),
        Condition::LevelAtLeast(l, n) => format!("{} at level {n} or higher", lever(l)),
        Condition::EventOccurred(e) => format!("after {}", event(e)),
        Condition::EventWithin(e, n) => format!("within {} of {}", steps(n), event(e)),
        Condition::ActWithin(a, n) => format!("within {} of {}", steps(n), lever(a)),
        Condition::ActOccurred(a) => format!("after {}", lever(a)),
        Condition::StepIn(a, b) => {
            format!("in {} {a} to {b}", crate::scenario::steps(&s.step_unit))
        }
        Condition::LevelHeldFor(l, n, k) => {
            format!("{} at level {n} or higher for {}", lever(l), steps(k))
        }
        Condition::LevelEverReached(l, n) => format!("once {} has reached level {n}", lever(l)),
        Condition::Sustained(c, n) => format!("({}) for {}", condition_words(s, c), steps(n)),
        Condition::Before(a, b) => format!("{} before {}", event(a), event(b)),
        Condition::BranchTaken(e, b) => format!("after {} went {b}", event(e)),
        Condition::All(cs) => all(cs, " and "),
        Condition::Any(cs) => format!("({})", all(cs, " or ")),
        Condition::Not(c) => format!("not ({})", condition_words(s, c)),
    }
}

/// The events, levers and acts a condition names, each with the way it bears on what the
/// condition gates or multiplies: `true` where it makes it likelier (named plainly), `false`
/// where it holds it back (under a `Not`, or in a factor below 1), `None` for either (a
/// factor whose range spans 1, or a name inside `Before`).
fn names_in(c: &Condition, raises: Option<bool>, out: &mut Vec<(String, Option<bool>)>) {
    let mut push = |n: &String, r: Option<bool>| {
        if let Some(i) = out.iter().position(|(m, _)| m == n) {
            if out[i].1 != r {
                out[i].1 = None;
            }
        } else {
            out.push((n.clone(), r))
        }
    };
    match c {
        Condition::LevelAtLeast(n, _)
        | Condition::EventOccurred(n)
        | Condition::EventWithin(n, _)
        | Condition::ActWithin(n, _)
        | Condition::ActOccurred(n)
        | Condition::LevelHeldFor(n, _, _)
        | Condition::LevelEverReached(n, _)
        | Condition::BranchTaken(n, _) => push(n, raises),
        Condition::Before(a, b) => {
            push(a, None);
            push(b, None);
        }
        Condition::Sustained(c, _) => names_in(c, raises, out),
        Condition::Not(c) => names_in(c, raises.map(|r| !r), out),
        Condition::All(cs) | Condition::Any(cs) => {
            for c in cs {
                names_in(c, raises, out)
            }
        }
        Condition::RungAtLeast(_)
        | Condition::RungBelow(_)
        | Condition::IndexAbove(_)
        | Condition::IndexBelow(_)
        | Condition::StepIn(_, _) => {}
    }
}

/// The actors an effect touches, each with the effect in words.
fn effect_words<'s>(
    s: &'s Scenario,
    e: &'s Effect,
    actor: &dyn Fn(&str) -> String,
    lever: &dyn Fn(&str) -> String,
    owner: &dyn Fn(&str) -> Option<&'s str>,
) -> Vec<(String, String)> {
    match e {
        Effect::Move { by, against, .. } => {
            vec![(against.clone(), format!("a move by {}", actor(by)))]
        }
        Effect::Impulse { from, to, .. } => {
            vec![(from.clone(), format!("hostility toward {}", actor(to)))]
        }
        Effect::ScaleHostility { between, .. } => {
            let (a, b) = between.clone().unwrap_or_else(|| s.focal.clone());
            vec![
                (a.clone(), "hostility scaled".into()),
                (b, "hostility scaled".into()),
            ]
        }
        Effect::SetLevel { lever: l, .. } => owner(l)
            .map(|o| vec![(o.to_string(), format!("sets {}", lever(l)))])
            .unwrap_or_default(),
        Effect::ShiftLever { lever: l, .. } => owner(l)
            .map(|o| vec![(o.to_string(), format!("changes {}", lever(l)))])
            .unwrap_or_default(),
        Effect::AddPressure { pressure, .. } => s
            .pressures
            .iter()
            .find(|p| &p.name == pressure)
            .map(|p| {
                vec![(
                    p.actor.clone(),
                    format!("pressure: {}", shown_label(&p.label, &p.name)),
                )]
            })
            .unwrap_or_default(),
        Effect::ShiftRelation { from, to, .. } => {
            vec![(from.clone(), format!("relation toward {}", actor(to)))]
        }
        Effect::Modify {
            actor: a, param, ..
        } => {
            vec![(a.clone(), format!("{param:?}").to_lowercase())]
        }
    }
}

/// Text inside a DOT double-quoted string: backslashes and quotes escaped, line breaks as
/// `\n`, other control characters dropped, characters that reorder text as entity codes
/// (`&#8238;`), and `&` as `&amp;`: Graphviz decodes entities in every string, so a label
/// that says `&#8238;` drew a right-to-left override, and `&amp;` drew `&`.
///
/// ```
/// use brink::report::graph::dot_escape;
/// assert_eq!(dot_escape("a \"b\"\n\u{202e}c"), "a \\\"b\\\"\\n&#8238;c");
/// assert_eq!(dot_escape("R&D &#8238;"), "R&amp;D &amp;#8238;");
/// ```
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out += "\\\\",
            '"' => out += "\\\"",
            '&' => out += "&amp;",
            '\n' => out += "\\n",
            c if c.is_control() => out.push(' '),
            c if reorders(c) => out += &format!("&#{};", c as u32),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Mermaid quoted label: quotes, angle brackets, `#`, `|`, `&`, backticks and
/// brackets as entity codes (`#34;`), and so are the characters that reorder text; control
/// characters as spaces.
///
/// ```
/// use brink::report::graph::mermaid_escape;
/// assert_eq!(mermaid_escape("a<b>\u{202e}"), "a#60;b#62;#8238;");
/// ```
pub fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '<' | '>' | '#' | '|' | '&' | '`' | '[' | ']' | '{' | '}' | '(' | ')' | ';' => {
                out += &format!("#{};", c as u32)
            }
            c if reorders(c) => out += &format!("#{};", c as u32),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Mermaid `%%` comment: one line, and no `%` (Mermaid reads a `%%{init: …}%%`
/// directive anywhere in the text, a comment line included: a scenario name holding one would
/// restyle or reconfigure the diagram).
fn mermaid_comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '%' || reorders(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}
