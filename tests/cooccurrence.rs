//! Co-occurrence of the outcomes (issue 15, item 4): the tally counts the runs in which both
//! outcomes of each pair happened; the count merges exactly, P(A | B) matches a direct count
//! run by run, and `brink run` draws it as a heat map (`co_occurrence.{png,svg}`).

mod common;

use brink::engine::ChunkSlot;
use brink::numerics::rng::Master;
use brink::report::charts::HEIGHT;
use brink::stats::Tally;

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

/// The tally of runs `range` of the tutorial at seed 5.
fn tally_of(m: &brink::model::Model, range: std::ops::Range<u64>) -> Tally {
    let mut slot = ChunkSlot::<Tally>::new(m);
    let never = std::sync::atomic::AtomicBool::new(false);
    brink::engine::run_range_into(m, &Master::new(5), range, false, None, &mut slot, &never);
    slot.tally
}

#[test]
#[allow(clippy::needless_range_loop)] // pairs of indices, read both ways
fn outcome_pairs_merge_exactly_and_give_p_a_given_b_as_counted_run_by_run() {
    let s = common::load(TUTORIAL);
    let m = brink::model::compile(&s.scenario, None).unwrap();
    let n = 600;
    let whole = tally_of(&m, 0..n);
    let no = m.outcomes.len();
    assert!(no >= 2);
    assert!(whole.has_outcome_pairs());
    assert_eq!(whole.outcome_pairs.len(), no * no);
    whole.check(&m, n).unwrap();

    // Two halves merged are the whole, count for count.
    let mut halves = tally_of(&m, 0..250);
    halves.merge(&tally_of(&m, 250..n));
    assert!(halves.outcome_pairs == whole.outcome_pairs, "pairs differ");
    assert!(halves.outcome_hits == whole.outcome_hits, "hits differ");
    halves.check(&m, n).unwrap();

    // A direct count: one tally per run says which outcomes happened in it.
    let mut both = vec![vec![0u64; no]; no];
    let mut hits = vec![0u64; no];
    for r in 0..n {
        let one = tally_of(&m, r..r + 1);
        for b in 0..no {
            hits[b] += one.outcome_hits[b];
            for a in 0..no {
                both[a][b] += one.outcome_hits[a] * one.outcome_hits[b];
            }
        }
    }
    assert_eq!(hits, whole.outcome_hits);
    let summary = brink::analysis::Summary::new(
        &m,
        &whole,
        brink::analysis::Manifest::new(&s, 5, None, n, n, vec![]),
    );
    assert_eq!(summary.co_occurrence.len(), no);
    let mut informative = 0;
    for a in 0..no {
        for b in 0..no {
            assert_eq!(whole.outcome_pair(a, b), Some(both[a][b]), "pair {a},{b}");
            let want = (hits[b] > 0).then(|| both[a][b] as f64 / hits[b] as f64);
            assert_eq!(summary.co_occurrence[a][b], want, "P({a} | {b})");
            if a == b && hits[b] > 0 {
                assert_eq!(summary.co_occurrence[a][b], Some(1.0));
            }
            if let Some(p) = want
                && p > 0.0
                && p < 1.0
            {
                informative += 1;
            }
        }
    }
    assert!(informative > 0, "every P(A | B) is 0 or 1: a poor test");
}

#[test]
fn a_tally_without_pairs_reads_checks_and_empties_the_merge() {
    let s = common::load(TUTORIAL);
    let m = brink::model::compile(&s.scenario, None).unwrap();
    let t = tally_of(&m, 0..100);
    // An older shard file: no `outcome_pairs` at all.
    let mut json = serde_json::to_value(&t).unwrap();
    json.as_object_mut().unwrap().remove("outcome_pairs");
    let old: Tally = serde_json::from_value(json).unwrap();
    assert!(!old.has_outcome_pairs());
    // It writes back as it was read (so its recorded hash still matches).
    assert!(
        serde_json::to_value(&old)
            .unwrap()
            .get("outcome_pairs")
            .is_none()
    );
    old.check(&m, 100).unwrap();
    // Merged with a tally that has them, the sum has none (never half-counted pairs). Merged
    // in run order (later runs into earlier ones), as the engine and `brink merge` do: the
    // convergence checkpoints count on from the runs before.
    let mut later = tally_of(&m, 100..200);
    later.outcome_pairs.clear();
    let mut sum = t.clone();
    sum.merge(&later);
    assert!(!sum.has_outcome_pairs());
    assert_eq!(sum.outcome_pair(0, 1), None);
    sum.check(&m, 200).unwrap();
    let summary = brink::analysis::Summary::new(
        &m,
        &sum,
        brink::analysis::Manifest::new(&s, 5, None, 200, 200, vec![]),
    );
    assert!(summary.co_occurrence.is_empty());
    // Edited pair counts are refused.
    let mut bad = t.clone();
    bad.outcome_pairs[1] += 1;
    assert!(bad.check(&m, 100).unwrap_err().contains("outcome_pairs"));
    let mut bad = t.clone();
    bad.outcome_pairs[0] += 1;
    assert!(
        bad.check(&m, 100)
            .unwrap_err()
            .contains("outcome_pairs[0][0]")
    );
}

/// The sums of squared durations (steps on each rung, each outcome's steps held, each
/// measure's steps in force), which give their means' intervals, merge exactly, are absent
/// from older shard files as the pair counts are, and are checked when read.
#[test]
fn squared_durations_merge_exactly_and_older_tallies_lack_them() {
    let s = common::load(TUTORIAL);
    let m = brink::model::compile(&s.scenario, None).unwrap();
    let whole = tally_of(&m, 0..600);
    let mut halves = tally_of(&m, 0..250);
    halves.merge(&tally_of(&m, 250..600));
    assert_eq!(halves.steps_on_rung_squares, whole.steps_on_rung_squares);
    assert_eq!(halves.outcome_steps_squares, whole.outcome_steps_squares);
    assert_eq!(halves.steps_in_force_squares, whole.steps_in_force_squares);
    assert!(whole.steps_in_force_squares.iter().any(|&q| q > 0));
    whole.check(&m, 600).unwrap();
    // An older shard file: none of them. It reads, checks, writes back as read, and a merge
    // with it has none; the summary then gives the means without intervals.
    let mut json = serde_json::to_value(&whole).unwrap();
    for key in [
        "steps_on_rung_squares",
        "outcome_steps_squares",
        "steps_in_force_squares",
    ] {
        assert!(json.as_object_mut().unwrap().remove(key).is_some(), "{key}");
    }
    let old: Tally = serde_json::from_value(json.clone()).unwrap();
    old.check(&m, 600).unwrap();
    assert_eq!(serde_json::to_value(&old).unwrap(), json);
    let mut sum = old.clone();
    sum.merge(&tally_of(&m, 600..700));
    sum.check(&m, 700).unwrap();
    let summary = brink::analysis::Summary::new(
        &m,
        &sum,
        brink::analysis::Manifest::new(&s, 5, None, 700, 700, vec![]),
    );
    assert!(summary.mean_steps_on_rung_interval.is_empty());
    assert!(
        summary
            .levers
            .iter()
            .all(|l| l.mean_steps_in_force_interval.is_none())
    );
    assert!(
        summary
            .outcomes
            .iter()
            .all(|o| o.mean_steps_held_interval.is_none())
    );
    // Edited: below the steps themselves, or above the horizon times them.
    let h = m.horizon as u128;
    let mut bad = whole.clone();
    let r = bad.steps_on_rung.iter().position(|&x| x > 1).unwrap();
    bad.steps_on_rung_squares[r] = u128::from(bad.steps_on_rung[r]) - 1;
    let e = bad.check(&m, 600).unwrap_err();
    assert!(e.contains(&format!("steps_on_rung_squares[{r}]")), "{e}");
    let mut bad = whole.clone();
    bad.steps_in_force_squares[0] = h * h * 600 + 1;
    let e = bad.check(&m, 600).unwrap_err();
    assert!(e.contains("steps_in_force_squares[0]"), "{e}");
    let mut bad = whole.clone();
    bad.outcome_steps_squares.pop();
    let e = bad.check(&m, 600).unwrap_err();
    assert!(e.contains("outcome_steps_squares"), "{e}");
}

#[test]
fn run_draws_the_co_occurrence_heat_map() {
    let dir = common::scratch("co_occurrence");
    let loaded = common::load(TUTORIAL);
    let r = brink::Simulation::new(&loaded)
        .runs(400)
        .seed(3)
        .threads(2)
        .command(vec!["brink".into(), "run".into(), "test".into()])
        .run()
        .expect("run");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for f in brink::report::run::files(&r.model, &r.summary, true).expect("render") {
        std::fs::write(out.join(&f.name), &f.bytes).unwrap();
    }
    common::check_png(&out.join("co_occurrence.png"), HEIGHT..=u32::MAX);
    let svg = common::check_svg(&out.join("co_occurrence.svg"));
    for text in [
        "Which outcomes go together: P(row outcome | column outcome)",
        // Labels, not ids, numbered; the name where there is no label.
        "Rupture lasting two months",
        "1. ",
        "Leaders talked",
        "visa_imposed",
        "diagonal: P(A | A) = 100%",
        "given the outcome of the column",
        "P(row | column)",
        "100%",
    ] {
        assert!(
            svg.contains(text) || svg.contains(&brink::report::html::escape(text)),
            "co_occurrence.svg lacks {text:?}"
        );
    }
    assert!(!svg.contains(">lasting_rupture<"), "an id where a label is");
    // The legend names an empty column only when one is drawn (an outcome that never
    // happened): it named one where none was (a helper).
    let empty = r.summary.outcomes.iter().any(|o| o.runs_hit == 0);
    assert_eq!(
        svg.contains("empty column: that outcome never happened"),
        empty,
        "an outcome never happened: {empty}"
    );
    // A share of few runs is marked ≈ (its Wilson interval reaching past 10 points), and only
    // those: as many marks as such cells off the diagonal.
    let s = &r.summary;
    let n = s.outcomes.len();
    let rough = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a, b)))
        .filter(|&(a, b)| a != b)
        .filter(|&(a, b)| {
            s.co_occurrence_interval(a, b)
                .is_some_and(|i| i.reach() > 0.10)
        })
        .count();
    assert!(rough > 0, "the test needs a column of few runs");
    assert_eq!(
        svg.matches('≈').count(),
        rough + 1,
        "the cells and the subtitle's one"
    );
    // The summary carries the matrix: one row and one column per outcome.
    let j = common::summary(&out);
    let co = j["co_occurrence"].as_array().unwrap();
    assert_eq!(co.len(), r.summary.outcomes.len());
    let _ = std::fs::remove_dir_all(&dir);
}
