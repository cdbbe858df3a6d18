//! Conditions with names resolved to indices, evaluated on a run's state.

use super::state::RunState;

/// What a condition reads, as bits: a condition false at one step stays false at the next if
/// none of what it reads changed. Events, acts and measures each have bits of their own (by
/// index, two sharing a bit when a model has more than a category's bits), so that a condition
/// reading one event is not checked again when another fires.
pub mod deps {
    /// The rung.
    pub const RUNG: u64 = 1;
    /// The dyad index H.
    pub const INDEX: u64 = 2;
    /// The step number itself ("within the last n steps" lapses with time).
    pub const TIME: u64 = 4;
    /// A count of [`super::Cond::Sustained`] moved (one bit for them all): most steps every count
    /// stays at 0.
    pub const SUSTAINED: u64 = 8;
    /// The four bits above, which change together in most steps (H and the clock always):
    /// tables keyed by their combination (`0..=FIXED`) take one lookup for them all.
    pub const FIXED: u64 = RUNG | INDEX | TIME | SUSTAINED;
    /// Bits of events, acts and measures' levels: from bit 4, 20, 20 and 20 of them.
    const EVENT_BASE: usize = 4;
    const EVENT_BITS: usize = 20;
    const ACT_BASE: usize = EVENT_BASE + EVENT_BITS;
    const ACT_BITS: usize = 20;
    const LEVEL_BASE: usize = ACT_BASE + ACT_BITS;
    const LEVEL_BITS: usize = 64 - LEVEL_BASE;
    /// An event's record (it fired, its branch).
    #[inline]
    pub fn event(e: usize) -> u64 {
        1 << (EVENT_BASE + e % EVENT_BITS)
    }
    /// An act's record (it was performed).
    #[inline]
    pub fn act(a: usize) -> u64 {
        1 << (ACT_BASE + a % ACT_BITS)
    }
    /// A measure's level.
    #[inline]
    pub fn level(k: usize) -> u64 {
        1 << (LEVEL_BASE + k % LEVEL_BITS)
    }
}

/// A compiled [`crate::scenario::Condition`].
#[derive(Debug, Clone)]
pub enum Cond {
    /// The rung (an index, lowest 0) is this one or higher.
    RungAtLeast(usize),
    /// The rung is below this one.
    RungBelow(usize),
    /// The dyad index H is above this value (points).
    IndexAbove(f64),
    /// H is below this value (points).
    IndexBelow(f64),
    /// The measure (an index) is at this level or higher.
    LevelAtLeast(usize, u8),
    /// The event (an index) has fired at least once so far.
    EventOccurred(usize),
    /// The event fired within the last n steps, this one included.
    EventWithin(usize, u32),
    /// The act (an index) was performed within the last n steps, this one included.
    ActWithin(usize, u32),
    /// The act (an index) has been performed at least once.
    ActOccurred(usize),
    /// The current step is from a to b, both included.
    StepIn(u32, u32),
    /// The measure (an index) has been at this level or higher at the end of each of the last
    /// n steps.
    LevelHeldFor(usize, u8, u32),
    /// The measure (an index) has reached this level or higher at some step.
    LevelEverReached(usize, u8),
    /// The condition [`super::Model::sustained`]`[i]` has held at the end of each of the last n
    /// steps.
    Sustained(usize, u32),
    /// The first has happened, and before the second if the second has.
    Before(Occurrence, Occurrence),
    /// The event's (an index) latest firing took this branch.
    BranchTaken(usize, u32),
    /// Every condition holds.
    All(Vec<Cond>),
    /// At least one condition holds.
    Any(Vec<Cond>),
    /// The condition does not hold.
    Not(Box<Cond>),
    /// Never holds (an event that this variant does not have).
    Never,
    /// A compound condition (`All`, `Any`, `Not`) compiled into atom tests with jumps
    /// ([`Cond::flattened`]).
    Flat(Box<FlatCond>),
}

/// Where a test of a [`FlatCond`] leads: another test (its index), or the answer.
const HOLDS: u32 = u32::MAX;
const FAILS: u32 = u32::MAX - 1;

/// One atom of a [`FlatCond`] and where to go next if it holds and if it does not.
#[derive(Debug, Clone)]
pub struct Test {
    atom: Cond,
    then: u32,
    otherwise: u32,
}

/// A compound condition as a flat list of atom tests, each jumping to the next test to read
/// or to the answer: the atoms are read in the order a walk of the tree reads them, and the
/// walk stops where it would (`All` at the first atom that fails, `Any` at the first that
/// holds), without a recursive call per node.
#[derive(Debug, Clone)]
pub struct FlatCond {
    tests: Vec<Test>,
    /// The first test (or the answer, for a condition that reads nothing).
    entry: u32,
}

impl FlatCond {
    #[inline(never)]
    fn holds(&self, s: &RunState, c: Clock) -> bool {
        let mut next = self.entry;
        while next < FAILS {
            let t = &self.tests[next as usize];
            next = if t.atom.holds_out_of_line(s, c) {
                t.then
            } else {
                t.otherwise
            };
        }
        next == HOLDS
    }
}

/// Appends the tests of `c` to `tests`, given where to go when it holds (`then`) and when it
/// does not (`otherwise`); returns where its evaluation starts. A list is laid out from its
/// last member back, so that each member knows where the next one starts.
fn emit(c: &Cond, then: u32, otherwise: u32, tests: &mut Vec<Test>) -> u32 {
    match c {
        Cond::All(cs) => cs
            .iter()
            .rev()
            .fold(then, |next, x| emit(x, next, otherwise, tests)),
        Cond::Any(cs) => cs
            .iter()
            .rev()
            .fold(otherwise, |next, x| emit(x, then, next, tests)),
        Cond::Not(x) => emit(x, otherwise, then, tests),
        Cond::Never => otherwise,
        atom => {
            tests.push(Test {
                atom: atom.clone(),
                then,
                otherwise,
            });
            (tests.len() - 1) as u32
        }
    }
}

/// Something that happens in a run: an event firing or an act being performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    /// An event (an index).
    Event(usize),
    /// An act (an index).
    Act(usize),
    /// An event this variant does not have.
    Never,
}

impl Occurrence {
    /// What reading it depends on (bits of [`deps`]).
    fn deps(self) -> u64 {
        match self {
            Occurrence::Event(e) => deps::event(e),
            Occurrence::Act(a) => deps::act(a),
            Occurrence::Never => 0,
        }
    }

    /// The first step at which it happened (`u32::MAX`: not yet).
    #[inline]
    fn first(self, s: &RunState) -> u32 {
        match self {
            Occurrence::Event(e) => s.event_first[e],
            Occurrence::Act(a) => s.act_first[a],
            Occurrence::Never => u32::MAX,
        }
    }
}

/// When a condition is read: during step `step`, after `done` steps have been completed (`done`
/// is `step` at the start of the step, when events' gates and levers' conditions are read, and
/// `step + 1` at its end, when outcomes are). "Within the last n steps" counts completed steps, so
/// at the start of a step it reads the n steps before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The current step.
    pub step: u32,
    /// Steps completed.
    pub done: u32,
}

impl Clock {
    /// The start of step `t`.
    pub fn start(t: u32) -> Clock {
        Clock { step: t, done: t }
    }
    /// The end of step `t`.
    pub fn end(t: u32) -> Clock {
        Clock {
            step: t,
            done: t + 1,
        }
    }
}

/// Something that happened during step `last` (`u32::MAX`: never) is within the last n
/// completed steps when fewer than n steps were completed after it.
#[inline(always)]
fn within(c: Clock, last: u32, n: u32) -> bool {
    last != u32::MAX && c.done - last <= n
}

/// The step from which measure `m` has been at level `l` or higher at every step's end, if it
/// is there now.
#[inline(always)]
fn held_since(s: &RunState, m: usize, l: u8) -> Option<u32> {
    let since = s.at_least_since[s.level_base[m] + l as usize];
    (s.level[m] >= l && since != u32::MAX).then_some(since)
}

impl Cond {
    /// Whether the condition holds at a moment of a run. Atoms are decided here, inlined into
    /// the step loop (most conditions are atoms); compound ones, flattened at compile time,
    /// out of line ([`FlatCond`]).
    #[inline(always)]
    pub fn holds(&self, s: &RunState, c: Clock) -> bool {
        match self {
            Cond::RungAtLeast(r) => s.rung >= *r,
            Cond::RungBelow(r) => s.rung < *r,
            Cond::IndexAbove(x) => s.index > *x,
            Cond::IndexBelow(x) => s.index < *x,
            Cond::LevelAtLeast(m, l) => s.level[*m] >= *l,
            Cond::EventOccurred(e) => s.event_last[*e] != u32::MAX,
            Cond::EventWithin(e, n) => within(c, s.event_last[*e], *n),
            Cond::ActWithin(a, n) => within(c, s.act_last[*a], *n),
            Cond::ActOccurred(a) => s.act_last[*a] != u32::MAX,
            Cond::StepIn(a, b) => c.step >= *a && c.step <= *b,
            Cond::LevelHeldFor(m, l, n) => {
                held_since(s, *m, *l).is_some_and(|since| c.done.saturating_sub(since) >= *n)
            }
            Cond::LevelEverReached(m, l) => s.max_level[*m] >= *l,
            Cond::Sustained(i, n) => s.sustained[*i] >= *n,
            Cond::Before(a, b) => {
                let (fa, fb) = (a.first(s), b.first(s));
                fa != u32::MAX && fa < fb
            }
            Cond::BranchTaken(e, b) => s.event_branch[*e] == *b,
            Cond::Never => false,
            Cond::Flat(f) => f.holds(s, c),
            _ => self.holds_compound(s, c),
        }
    }

    /// The condition as it is evaluated: a compound one compiled into a [`FlatCond`], an atom
    /// as it is.
    pub fn flattened(self) -> Cond {
        match self {
            Cond::All(_) | Cond::Any(_) | Cond::Not(_) => {
                let mut tests = Vec::new();
                let entry = emit(&self, HOLDS, FAILS, &mut tests);
                Cond::Flat(Box::new(FlatCond { tests, entry }))
            }
            atom => atom,
        }
    }

    /// [`Cond::holds`] out of line, for the loop of a [`FlatCond`]: inlined there, every atom's
    /// reads would be hoisted into the loop's entry (some twenty loads of the run's arrays),
    /// whichever atoms the condition has, which costs more than a call per atom.
    #[inline(never)]
    fn holds_out_of_line(&self, s: &RunState, c: Clock) -> bool {
        self.holds(s, c)
    }

    /// What the condition reads (bits of [`deps`]).
    pub fn deps(&self) -> u64 {
        match self {
            Cond::RungAtLeast(_) | Cond::RungBelow(_) => deps::RUNG,
            Cond::IndexAbove(_) | Cond::IndexBelow(_) => deps::INDEX,
            Cond::LevelAtLeast(m, _) | Cond::LevelEverReached(m, _) => deps::level(*m),
            Cond::EventOccurred(e) | Cond::BranchTaken(e, _) => deps::event(*e),
            Cond::EventWithin(e, _) => deps::event(*e) | deps::TIME,
            Cond::ActWithin(a, _) => deps::act(*a) | deps::TIME,
            Cond::ActOccurred(a) => deps::act(*a),
            Cond::Before(a, b) => a.deps() | b.deps(),
            Cond::StepIn(..) => deps::TIME,
            // The level's changes move the step it has been held since.
            Cond::LevelHeldFor(m, ..) => deps::TIME | deps::level(*m),
            Cond::Sustained(..) => deps::SUSTAINED,
            Cond::All(cs) | Cond::Any(cs) => cs.iter().fold(0, |d, c| d | c.deps()),
            Cond::Not(c) => c.deps(),
            Cond::Never => 0,
            Cond::Flat(f) => f.tests.iter().fold(0, |d, t| d | t.atom.deps()),
        }
    }

    /// The tree walk of a compound condition not flattened ([`Cond::flattened`]).
    #[inline(never)]
    fn holds_compound(&self, s: &RunState, c: Clock) -> bool {
        match self {
            Cond::All(cs) => cs.iter().all(|x| x.holds_compound_or_atom(s, c)),
            Cond::Any(cs) => cs.iter().any(|x| x.holds_compound_or_atom(s, c)),
            Cond::Not(x) => !x.holds_compound_or_atom(s, c),
            atom => atom.holds(s, c),
        }
    }

    /// The first step after the clock's at which the condition may read differently with
    /// nothing but time passing (`u32::MAX`: none), read at the same moment of that step as
    /// `c` is of its own (start or end). Until then, only a change of something else it reads
    /// ([`Cond::deps`] without [`deps::TIME`]) can change its truth: "within the last n steps"
    /// lapses n steps after the event, "held for n steps" comes true n steps after the level
    /// was reached, a range of steps opens and closes at its ends. A compound condition
    /// changes no earlier than the first of its atoms.
    pub fn next_time_change(&self, s: &RunState, c: Clock) -> u32 {
        // 0 at a step's start, 1 at its end.
        let end = c.done - c.step;
        let lapses = |last: u32, n: u32| {
            if within(c, last, n) {
                last.saturating_add(n).saturating_add(1) - end
            } else {
                u32::MAX
            }
        };
        match self {
            Cond::EventWithin(e, n) => lapses(s.event_last[*e], *n),
            Cond::ActWithin(a, n) => lapses(s.act_last[*a], *n),
            Cond::StepIn(a, b) => {
                if c.step < *a {
                    *a
                } else if c.step <= *b {
                    b.saturating_add(1)
                } else {
                    u32::MAX
                }
            }
            Cond::LevelHeldFor(m, l, n) => match held_since(s, *m, *l) {
                Some(since) if c.done.saturating_sub(since) < *n => since.saturating_add(*n) - end,
                _ => u32::MAX,
            },
            Cond::All(cs) | Cond::Any(cs) => cs
                .iter()
                .map(|x| x.next_time_change(s, c))
                .min()
                .unwrap_or(u32::MAX),
            Cond::Not(x) => x.next_time_change(s, c),
            Cond::Flat(f) => f
                .tests
                .iter()
                .map(|x| x.atom.next_time_change(s, c))
                .min()
                .unwrap_or(u32::MAX),
            _ => u32::MAX,
        }
    }

    fn holds_compound_or_atom(&self, s: &RunState, c: Clock) -> bool {
        match self {
            Cond::All(_) | Cond::Any(_) | Cond::Not(_) => self.holds_compound(s, c),
            other => other.holds(s, c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compile;

    fn tutorial() -> super::super::Model {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/examples/tutorial.ron"
        ));
        let text = std::fs::read_to_string(path).unwrap();
        let scenario = crate::scenario::load::parse_text(path, &text).unwrap();
        compile(&scenario, None).unwrap()
    }

    /// Until the step [`Cond::next_time_change`] names, a condition that reads time reads the
    /// same at every later step with nothing else changed; an atom reads differently at that
    /// step. Over random records of an event, an act and a measure's level, at a step's start
    /// and end.
    #[test]
    fn time_conditions_keep_their_truth_until_their_due_step() {
        let m = tutorial();
        assert!(!m.events.is_empty() && !m.acts.is_empty() && !m.measures.is_empty());
        let mut st = RunState::new(&m);
        let slot = st.level_base[0] + 1;
        let top = m.measures[0].levels.len() as u64;
        let atoms = [
            Cond::EventWithin(0, 0),
            Cond::EventWithin(0, 3),
            Cond::ActWithin(0, 1),
            Cond::ActWithin(0, 6),
            Cond::StepIn(10, 20),
            Cond::StepIn(0, 0),
            Cond::StepIn(35, 35),
            Cond::LevelHeldFor(0, 1, 0),
            Cond::LevelHeldFor(0, 1, 1),
            Cond::LevelHeldFor(0, 1, 5),
        ];
        let compounds = [
            Cond::All(vec![
                atoms[1].clone(),
                Cond::Not(Box::new(atoms[4].clone())),
            ]),
            Cond::Any(vec![
                atoms[3].clone(),
                atoms[9].clone(),
                Cond::LevelAtLeast(0, 1),
            ]),
            Cond::Not(Box::new(Cond::All(vec![
                atoms[2].clone(),
                atoms[6].clone(),
            ]))),
        ];
        let flat = compounds.iter().map(|c| c.clone().flattened());
        let conds: Vec<(Cond, bool)> = atoms
            .iter()
            .map(|c| (c.clone(), true))
            .chain(compounds.iter().cloned().chain(flat).map(|c| (c, false)))
            .collect();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let (mut checked, mut changed) = (0, 0);
        for _ in 0..3000 {
            let t = next(50) as u32;
            let at_or_never = |r: u64| if r == 0 { u32::MAX } else { (r - 1) as u32 };
            st.event_last[0] = at_or_never(next(t as u64 + 2));
            st.act_last[0] = at_or_never(next(t as u64 + 2));
            st.level[0] = next(top + 1) as u8;
            st.at_least_since[slot] = if st.level[0] >= 1 {
                next(t as u64 + 1) as u32
            } else {
                u32::MAX
            };
            for end in [false, true] {
                let clock = |s: u32| if end { Clock::end(s) } else { Clock::start(s) };
                for (c, atom) in &conds {
                    let now = c.holds(&st, clock(t));
                    let due = c.next_time_change(&st, clock(t));
                    assert!(due > t, "{c:?} at {t}: due {due}");
                    for s in t + 1..t + 80 {
                        let then = c.holds(&st, clock(s));
                        if s < due {
                            assert_eq!(then, now, "{c:?} from {t} (end {end}): step {s} < {due}");
                            checked += 1;
                        } else if s == due && *atom {
                            assert_ne!(then, now, "{c:?} from {t} (end {end}): due {due}");
                            changed += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100_000 && changed > 5_000, "{checked} {changed}");
    }
}
