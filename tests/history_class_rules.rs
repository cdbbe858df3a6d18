//! The history cases follow one set of class rules (stated in
//! scenarios/history/russia_azerbaijan_2024.ron's header), and so does the case template of
//! `brink new NAME --from case`: the generic priors, the measure clocks by class and one
//! structure per kind of lever. A case that drifts from them (a range copied from a later
//! scenario, a clock set to fit a lifting date, a recall shaped as a one-off act) fails here.

use std::path::{Path, PathBuf};

use brink::scenario::param::{Dist, Param};
use brink::scenario::schema::{Effect, Lever, Scenario, Timing};

fn load(path: &Path) -> Scenario {
    brink::scenario::load(path, Default::default())
        .unwrap_or_else(|d| panic!("{d}"))
        .scenario
}

/// The three cases and the template, each with its name.
fn cases() -> Vec<(String, Scenario)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for name in [
        "russia_georgia_2006",
        "russia_turkey_2015",
        "russia_azerbaijan_2024",
    ] {
        let p: PathBuf = root.join(format!("scenarios/history/{name}.ron"));
        out.push((name.to_string(), load(&p)));
    }
    // One folder per call: the tests run in parallel in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("brink-class-rules-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let t = dir.join("template_case.ron");
    std::fs::write(
        &t,
        brink::scenario::new::text("template_case", brink::scenario::new::Template::Case),
    )
    .unwrap();
    out.push(("the case template".to_string(), load(&t)));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// A Pert's (min, mode, max), or None for anything else.
fn pert(p: &Param) -> Option<(f64, f64, f64)> {
    match p {
        Param::Dist(Dist::Pert { min, mode, max, .. }) => Some((*min, *mode, *max)),
        _ => None,
    }
}

fn fixed(p: &Param) -> Option<f64> {
    match p {
        Param::Value(v) | Param::Dist(Dist::Fixed { value: v, .. }) => Some(*v),
        _ => None,
    }
}

#[test]
fn generic_priors_are_the_same_in_every_case() {
    for (case, s) in cases() {
        for a in &s.actors {
            if matches!(a.kind, brink::scenario::schema::ActorKind::Principal) {
                assert_eq!(
                    pert(&a.sensitivity),
                    Some((0.3, 0.6, 0.9)),
                    "{case}: {}",
                    a.name
                );
            }
        }
        // The focal pair's relations (a mediator's relations are not a dyad of the ladder).
        let (a, b) = (&s.focal.0, &s.focal.1);
        for r in s
            .relations
            .iter()
            .filter(|r| (&r.from == a && &r.to == b) || (&r.from == b && &r.to == a))
        {
            let who = format!("{case}: {} → {}", r.from, r.to);
            assert_eq!(pert(&r.noise), Some((0.3, 0.5, 0.8)), "{who} noise");
            assert_eq!(pert(&r.salience), Some((0.3, 0.45, 0.6)), "{who} salience");
        }
        // The five shared numbers, with the same priors (a calibration's posterior replaces
        // them in a calibrated copy, never in the cases themselves).
        for (want, prior) in [
            ("hawkishness", (-1.5, 0.0, 1.5)),
            ("fatigue", (0.3, 0.45, 0.6)),
            ("reactivity", (0.1, 0.2, 0.28)),
            ("rationality", (1.0, 1.5, 2.0)),
            ("measure_persistence", (1.5, 2.5, 3.5)),
        ] {
            let x = s.shared.iter().find(|x| x.name == want);
            let x = x.unwrap_or_else(|| panic!("{case}: shared {want} missing"));
            assert_eq!(pert(&x.value), Some(prior), "{case}: shared {want}");
        }
        let calls: Vec<_> = s
            .events
            .iter()
            .filter(|e| e.name == "leader_call")
            .collect();
        assert_eq!(calls.len(), 1, "{case}: one leader_call");
        for e in calls {
            let Timing::Hazard { index_slope, .. } = &e.timing else {
                panic!("{case}: leader_call is a hazard")
            };
            assert_eq!(pert(index_slope), Some((-0.3, -0.15, -0.05)), "{case}");
            let scale: Vec<_> = e
                .effects
                .iter()
                .filter_map(|f| match f {
                    Effect::ScaleHostility { factor, .. } => pert(factor),
                    _ => None,
                })
                .collect();
            assert_eq!(scale, [(0.65, 0.78, 0.9)], "{case}: a call's calming");
        }
        let harms: Vec<_> = s
            .events
            .iter()
            .filter(|e| e.name == "nationals_harmed")
            .collect();
        assert_eq!(harms.len(), 1, "{case}: one nationals_harmed event");
        let Timing::Hazard {
            rate, index_slope, ..
        } = &harms[0].timing
        else {
            panic!("{case}: nationals_harmed is a hazard")
        };
        assert_eq!(pert(rate), Some((0.001, 0.003, 0.008)), "{case}");
        assert_eq!(pert(index_slope), Some((0.05, 0.1, 0.2)), "{case}");
        // An impulse on the victims' side, whoever the authors were.
        let amounts: Vec<_> = harms[0]
            .effects
            .iter()
            .map(|f| match f {
                Effect::Impulse { amount, .. } => pert(amount),
                _ => None,
            })
            .collect();
        assert_eq!(amounts, [Some((1.0, 2.5, 4.5))], "{case}: harm's effect");
    }
}

/// The kinds of lever the class rules shape.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Trade,
    Transport,
    Visas,
    Admin,
    Police,
    Detentions,
    Recall,
    TalksHalted,
    Protest,
    Apology,
    Gesture,
    /// A lever of one case's own (its source says why): no class rule to check.
    Own,
}

/// Every lever of every case, by kind: a lever added to a case without a kind fails here.
fn kind_of(case: &str, lever: &str) -> Option<Kind> {
    use Kind::*;
    let k = match (case, lever) {
        (_, "trade_ban" | "food_import_ban" | "import_bans" | "produce_markets") => Trade,
        (_, "tr_retaliation") => Trade,
        (_, "transport_links" | "north_south_corridor") => Transport,
        (_, "visa_regime" | "visas") => Visas,
        (_, "admin_sanctions" | "business_restrictions") => Admin,
        (_, "migrant_campaign" | "deportations" | "diaspora_crackdown") => Police,
        (_, "detentions") => Detentions,
        (_, l) if l.ends_with("_ambassador_recall") => Recall,
        (_, "talks_suspended" | "turkstream_talks" | "dialogue_suspension") => TalksHalted,
        (_, l) if l.ends_with("_protest") => Protest,
        (_, l) if l.ends_with("_apology") => Apology,
        (_, "ru_goodwill" | "az_goodwill" | "az_attend_parade" | "ru_invite_erdogan") => Gesture,
        // Remittances: a migration campaign, then a financial embargo (Russia's leverage over
        // Azerbaijani migrants); the CIS mediators' act.
        ("russia_azerbaijan_2024", "remittances" | "mediate") => Own,
        _ => return None,
    };
    Some(k)
}

type Triple = (f64, f64, f64);
/// A clock: `min_duration` and the half-life's Pert (none: 0 and None).
type Clock = (i64, Option<Triple>);
/// A kind's rule: its clock, threshold, and each level's weight and standing irritation.
type Rule = (Clock, Triple, Vec<(f64, Triple)>);

#[test]
fn levers_follow_the_class_rules() {
    // (min_duration, half-life Pert) of each clock class; no clock is (0, None).
    let trade: Clock = (8, Some((8.0, 26.0, 104.0)));
    let visas: Clock = (52, Some((26.0, 104.0, 260.0)));
    let admin: Clock = (26, Some((26.0, 52.0, 156.0)));
    let police: Clock = (8, Some((2.0, 4.0, 13.0)));
    let none: Clock = (0, None);
    // Per kind: clock, threshold, each level's weight and standing irritation.
    let rule = |k: Kind| -> Option<Rule> {
        use Kind::*;
        Some(match k {
            Trade => (
                trade,
                (5.5, 6.5, 7.5),
                vec![(-8.0, (0.1, 0.2, 0.3)), (-8.0, (0.2, 0.3, 0.45))],
            ),
            Transport => (
                trade,
                (5.5, 6.5, 7.5),
                vec![(-8.0, (0.2, 0.3, 0.45)), (-9.5, (0.3, 0.45, 0.6))],
            ),
            Visas => (visas, (4.5, 5.5, 6.5), vec![(-5.0, (0.2, 0.3, 0.45))]),
            Admin => (
                admin,
                (4.5, 5.5, 6.5),
                vec![(-5.0, (0.1, 0.2, 0.3)), (-4.0, (0.2, 0.3, 0.45))],
            ),
            Police => (
                police,
                (4.5, 5.5, 6.5),
                vec![(-5.0, (0.1, 0.2, 0.3)), (-5.0, (0.25, 0.4, 0.55))],
            ),
            Detentions => (
                none,
                (4.5, 5.5, 6.5),
                vec![(-5.0, (0.2, 0.3, 0.45)), (-4.0, (0.3, 0.4, 0.55))],
            ),
            Recall => (none, (7.5, 8.5, 9.5), vec![(-4.0, (0.05, 0.1, 0.15))]),
            TalksHalted => (none, (5.5, 6.5, 7.5), vec![(-7.0, (0.05, 0.1, 0.15))]),
            _ => return None,
        })
    };
    for (case, s) in cases() {
        let mut recalls = 0;
        for l in &s.levers {
            let kind = kind_of(&case, l.name())
                .unwrap_or_else(|| panic!("{case}: {} has no kind in this test", l.name()));
            match l {
                Lever::Measure(m) => {
                    let who = format!("{case}: {} ({kind:?})", m.name);
                    // No lifting waits for a particular act: the observed order is not built in.
                    assert!(m.lower_when.is_none(), "{who}: lower_when");
                    let clock = if m.min_duration == 0 && fixed(&m.half_life) == Some(0.0) {
                        none
                    } else {
                        (m.min_duration, pert(&m.half_life))
                    };
                    if kind == Kind::Recall {
                        recalls += 1;
                    }
                    let Some((want_clock, threshold, levels)) = rule(kind) else {
                        assert_eq!(kind, Kind::Own, "{who}: a measure of an act's kind");
                        continue;
                    };
                    assert_eq!(clock, want_clock, "{who}: clock");
                    assert_eq!(pert(&m.threshold), Some(threshold), "{who}: threshold");
                    assert_eq!(m.levels.len(), levels.len(), "{who}: levels");
                    for (v, (weight, irritation)) in m.levels.iter().zip(levels) {
                        let at = format!("{who}, level {}", v.name);
                        assert_eq!(fixed(&v.weight), Some(weight), "{at}: weight");
                        assert_eq!(pert(&v.irritation), Some(irritation), "{at}: irritation");
                        assert!(v.threshold.is_none(), "{at}: a level threshold of its own");
                    }
                }
                Lever::Act(a) => {
                    let who = format!("{case}: {} ({kind:?})", a.name);
                    let threshold = match kind {
                        Kind::Protest => {
                            assert_eq!(fixed(&a.weight), Some(-2.0), "{who}");
                            (4.0, 5.0, 6.0)
                        }
                        Kind::Apology => {
                            assert_eq!(fixed(&a.weight), Some(7.0), "{who}");
                            (-1.0, 0.0, 1.0)
                        }
                        Kind::Gesture => (1.0, 2.0, 3.0),
                        Kind::Own => continue,
                        _ => panic!("{who}: a recall, a ban or a campaign is a measure"),
                    };
                    assert_eq!(pert(&a.threshold), Some(threshold), "{who}: threshold");
                }
            }
        }
        assert_eq!(recalls, 2, "{case}: each principal's recall");
    }
}
