//! What `brink experiment` writes and prints: experiment.json, the per-point table
//! `points.csv`, PRIM's peeling trajectory `prim.csv`, the data dictionary `columns.json`
//! (with `runs.csv`'s columns when the per-run table is written), the charts, report.html, and
//! the short terminal table.

use crate::analysis::experiment::{ExperimentResult, Plan};
use crate::error::Result;
use crate::model::Model;
use crate::report::Artifact;
use crate::report::html::{Labels, ReportOptions};
use crate::report::table::{Cell, Column, ColumnType, Role, csv_header, write_csv_row};
use crate::scenario::param::fmt_num;

/// Every file of an experiment but the per-run table (streamed while it runs): with `charts`,
/// the charts and `report.html`. `per_run` is the per-run table's format and columns when it
/// was written (for the dictionary).
pub fn files(
    model: &Model,
    r: &ExperimentResult,
    per_run: Option<crate::report::dictionary::PerRunTable>,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    let (pc, prows) = points_table(r);
    let (tc, trows) = prim_table(r);
    let mut files = vec![
        Artifact::json("experiment.json", r)?,
        Artifact::new("points.csv", csv_of(&pc, &prows)),
    ];
    if r.prim.is_some() {
        files.push(Artifact::new("prim.csv", csv_of(&tc, &trows)));
    }
    use crate::report::dictionary::{self as d, TableDoc};
    let mut tables = vec![TableDoc::new(
        "points.csv",
        "one row per (design point, variant): the design's values, each outcome's probability \
         with its 95% Wilson interval, each actor's mean cost",
        pc,
    )];
    if r.prim.is_some() {
        tables.push(TableDoc::new(
            "prim.csv",
            "PRIM's peeling trajectory: one row per box, with its coverage, density and mass and \
             every input's limits (the input's full range where the box does not restrict it)",
            tc,
        ));
    }
    if let Some(t) = per_run {
        tables.push(d::runs_table(
            t,
            "one row per (design point, variant, run): the design's values, the numbers sampled \
             in the run, and what the run produced",
        ));
    }
    files.push(d::columns_json(&tables)?);
    if charts {
        let drawn = crate::report::charts::experiment::render_all(model, r)?;
        for c in &drawn {
            files.extend(c.artifacts());
        }
        files.push(Artifact::new(
            "report.html",
            crate::report::pages::experiment(model, r, &drawn, options),
        ));
    }
    Ok(files)
}

/// A table as CSV text.
fn csv_of(columns: &[Column], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut s = csv_header(columns);
    for r in rows {
        write_csv_row(columns, r, &mut s);
    }
    s.into_bytes()
}

/// `points.csv`: one row per (point, variant).
pub fn points_table(r: &ExperimentResult) -> (Vec<Column>, Vec<Vec<Cell>>) {
    let mut c = vec![
        Column::new(
            Role::Key,
            "point",
            ColumnType::UInt64,
            "",
            "design point (0-based)",
        ),
        Column::new(
            Role::Key,
            "variant",
            ColumnType::Category {
                levels: r.variants.clone(),
            },
            "",
            "variant played (base: the scenario without a variant)",
        ),
    ];
    for p in &r.parameters {
        c.push(Column::new(
            Role::Input,
            &p.path,
            ColumnType::Float64,
            "as in the scenario file",
            format!(
                "the value of {} at this design point, set by the design",
                p.path
            ),
        ));
    }
    for o in &r.outcomes {
        c.push(Column::new(
            Role::Output,
            &format!("p.{o}"),
            ColumnType::Float64,
            "probability",
            format!("share of runs in which {o} happened"),
        ));
        for (end, w) in [("ci95_low", "lower"), ("ci95_high", "upper")] {
            c.push(Column::new(
                Role::Output,
                &format!("p.{o}.{end}"),
                ColumnType::Float64,
                "probability",
                format!("{w} end of its 95% Wilson interval"),
            ));
        }
    }
    for a in &r.actors {
        c.push(Column::new(
            Role::Output,
            &format!("mean_cost.{a}"),
            ColumnType::Float64,
            &r.cost_unit,
            "mean cumulative cost per run",
        ));
    }
    let mut rows = vec![];
    for p in &r.points {
        for (vi, v) in p.variants.iter().enumerate() {
            let mut row = vec![Cell::U64(p.point as u64), Cell::Category(vi as u32)];
            row.extend(p.values.iter().map(|&x| Cell::F64(x)));
            for o in &v.outcomes {
                row.extend([
                    Cell::F64(o.probability.estimate),
                    Cell::F64(o.probability.low),
                    Cell::F64(o.probability.high),
                ]);
            }
            row.extend(v.costs.iter().map(|c| Cell::F64(c.mean.estimate)));
            rows.push(row);
        }
    }
    (c, rows)
}

/// `prim.csv`: the peeling trajectory, one row per box.
pub fn prim_table(r: &ExperimentResult) -> (Vec<Column>, Vec<Vec<Cell>>) {
    let mut c = vec![
        Column::new(
            Role::Key,
            "step",
            ColumnType::UInt64,
            "",
            "peeling step (0: every run)",
        ),
        Column::new(
            Role::Output,
            "coverage",
            ColumnType::Float64,
            "share",
            "share of all runs with the outcome that lie in the box (missing when no run had the \
             outcome)",
        ),
        Column::new(
            Role::Output,
            "density",
            ColumnType::Float64,
            "probability",
            "share of the box's runs with the outcome",
        ),
        Column::new(
            Role::Output,
            "mass",
            ColumnType::Float64,
            "share",
            "share of all runs in the box",
        ),
        Column::new(
            Role::Output,
            "rows",
            ColumnType::UInt64,
            "runs",
            "runs in the box",
        ),
        Column::new(
            Role::Output,
            "hits",
            ColumnType::UInt64,
            "runs",
            "runs in the box with the outcome",
        ),
        Column::new(
            Role::Output,
            "restricted",
            ColumnType::UInt64,
            "inputs",
            "inputs the box restricts",
        ),
        Column::new(
            Role::Output,
            "chosen",
            ColumnType::Bool,
            "",
            "the box the report describes (none when there is nothing to locate)",
        ),
    ];
    let Some(prim) = &r.prim else {
        return (c, vec![]);
    };
    for i in &prim.inputs {
        for (end, w) in [("low", "lowest"), ("high", "highest")] {
            c.push(Column::new(
                Role::Input,
                &format!("{}.{end}", i.name),
                ColumnType::Float64,
                "as in the scenario file",
                format!("{w} value of {} inside the box", i.name),
            ));
        }
    }
    let rows = prim
        .trajectory
        .iter()
        .map(|b| {
            let mut row = vec![
                Cell::U64(b.step as u64),
                // 0 of 0 runs with the outcome is no share at all: missing, not 0.
                Cell::F64(b.coverage),
                Cell::F64(b.density),
                Cell::F64(b.mass),
                Cell::U64(b.rows),
                Cell::U64(b.hits),
                Cell::U64(b.limits.len() as u64),
                // With nothing to locate, the report describes no box.
                Cell::Bool(b.step == prim.chosen && !prim.nothing_to_locate()),
            ];
            for (j, i) in prim.inputs.iter().enumerate() {
                let l = b.limits.iter().find(|l| l.input == j);
                row.push(Cell::F64(l.map_or(i.min, |l| l.low)));
                row.push(Cell::F64(l.map_or(i.max, |l| l.high)));
            }
            row
        })
        .collect();
    (c, rows)
}

/// Whether a box restricts inputs and the runs support none of its restrictions (each
/// quasi-p above [`crate::analysis::prim::SIGNIFICANT`]): a box fitted to the runs' noise.
pub(crate) fn none_supported(b: &crate::analysis::prim::PrimBox) -> bool {
    !b.limits.is_empty() && b.limits.iter().all(unsupported)
}

/// Whether the runs do not support a restriction (its quasi-p above
/// [`crate::analysis::prim::SIGNIFICANT`]).
fn unsupported(l: &crate::analysis::prim::Limit) -> bool {
    l.p_value
        .is_some_and(|p| p > crate::analysis::prim::SIGNIFICANT)
}

/// The restrictions of a box the runs do not support (quasi-p above
/// [`crate::analysis::prim::SIGNIFICANT`]), by label: the terminal and the page name the same.
pub(crate) fn weak_restrictions(model: &Model, b: &crate::analysis::prim::PrimBox) -> Vec<String> {
    let labels = Labels {
        sc: &model.scenario,
    };
    b.limits
        .iter()
        .filter(|l| unsupported(l))
        .map(|l| labels.path(&l.name))
        .collect()
}

/// Names in quotes, listed in words: “A”, “B” and “C”. (Joined with "; " they were ambiguous,
/// a flagship label itself holding ";": found by a reviewing helper.)
///
/// ```
/// use brink::report::experiment::quoted_list;
/// assert_eq!(quoted_list(&["a; b".into()]), "“a; b”");
/// assert_eq!(quoted_list(&["a".into(), "b".into(), "c".into()]), "“a”, “b” and “c”");
/// ```
pub fn quoted_list(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} and {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// A box's limits in words: "fatigue ≤ 0.3 and reactivity ≥ 0.6" (labels, not ids).
pub fn box_words(model: &Model, b: &crate::analysis::prim::PrimBox) -> String {
    let labels = Labels {
        sc: &model.scenario,
    };
    let parts: Vec<String> = b
        .limits
        .iter()
        .map(|l| {
            let name = labels.path(&l.name);
            let (low, high) = limit_nums(l);
            match (l.low_restricted, l.high_restricted) {
                (true, true) => format!("{name} is between {low} and {high}"),
                (true, false) => format!("{name} ≥ {low}"),
                _ => format!("{name} ≤ {high}"),
            }
        })
        .collect();
    match parts.len() {
        0 => "anywhere in the design".into(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// A limit for words: 3 significant digits.
pub(crate) fn short_num(x: f64) -> String {
    crate::report::charts::significant(x, 3)
}

/// A box limit's low and high for words, each in as few significant digits as keep the rule
/// exact (3 at least): the low rounded down and the high up, never as far as the nearest value
/// peeled off on that side, so that the rule as printed selects the box's rows. Rounded to the
/// nearest, "≥ 0.298" left out a design point at 0.29763 the box holds, and with it a sixth of
/// the runs the box's coverage counted (an attacking helper).
pub(crate) fn limit_nums(l: &crate::analysis::prim::Limit) -> (String, String) {
    (
        limit_num(l.low, l.peeled_below, true),
        limit_num(l.high, l.peeled_above, false),
    )
}

fn limit_num(x: f64, peeled: Option<f64>, low: bool) -> String {
    if !x.is_finite() {
        return short_num(x);
    }
    let magnitude = if x == 0.0 {
        0
    } else {
        x.abs().log10().floor() as i32
    };
    for digits in 3..=17 {
        let scale = 10f64.powi(digits - 1 - magnitude);
        let r = if low {
            (x * scale).floor() / scale
        } else {
            (x * scale).ceil() / scale
        };
        if !r.is_finite() {
            continue;
        }
        let s = crate::report::charts::significant(r, digits);
        let Ok(v) = s.parse::<f64>() else {
            continue;
        };
        let exact = if low {
            v <= x && peeled.is_none_or(|p| v > p)
        } else {
            v >= x && peeled.is_none_or(|p| v < p)
        };
        if exact {
            return s;
        }
    }
    // The shortest decimal that reads back as the limit itself.
    format!("{x}")
}

/// The readable summary printed after an experiment: what was run, the chosen outcome's range
/// over the points for each variant, each variant's paired effect and PRIM's box.
pub fn text(model: &Model, r: &ExperimentResult) -> String {
    use crate::report::describe::Table;
    let labels = Labels {
        sc: &model.scenario,
    };
    let m = &r.manifest;
    let mut o = format!(
        "{} — {} of {} points over {} ({} {} per point and variant on common random numbers, seed {})\n",
        m.scenario,
        r.design.words(),
        r.points.len(),
        r.parameters
            .iter()
            .map(|p| format!(
                "{} {}..{}",
                labels.path(&p.path),
                fmt_num(p.low),
                fmt_num(p.high)
            ))
            .collect::<Vec<_>>()
            .join(", "),
        m.runs,
        if m.runs == 1 { "run" } else { "runs" },
        m.seed
    );
    let Some(k) = r.outcome_index() else {
        o += "The scenario names no outcomes.\n";
        return o;
    };
    let name = labels.outcome(&r.outcomes[k]).to_string();
    o += &format!("\nP({name}) over the design's points:\n");
    let mut t = Table::new(&[
        "variant",
        "lowest (point)",
        "mean (95%)",
        "highest (point)",
        "vs base",
    ]);
    for (vi, v) in r.variants.iter().enumerate() {
        let ps: Vec<(usize, f64)> = r
            .points
            .iter()
            .map(|p| (p.point, p.variants[vi].outcomes[k].probability.estimate))
            .collect();
        let lo = ps.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied();
        // The first of equal highest, as `min_by` gives the first of equal lowest.
        let hi = ps
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .copied();
        let mean = crate::analysis::experiment::pooled_share(r, vi, k);
        let mean = match crate::analysis::experiment::pooled_interval_of(r, vi) {
            Some(i) if i.is_bounded() => format!(
                "{} ({})",
                crate::report::charts::percent(mean),
                i.text(crate::report::charts::percent, " – ")
            ),
            _ => crate::report::charts::percent(mean),
        };
        let eff = r
            .effects
            .iter()
            .find(|e| &e.variant == v)
            .map_or("-".into(), |e| {
                if e.difference.is_bounded() {
                    format!(
                        "{} pts [{}, {}]",
                        super::signed_points(e.difference.estimate),
                        super::signed_points_end(e.difference.low),
                        super::signed_points_end(e.difference.high)
                    )
                } else {
                    // One run: no spread to take an interval from.
                    format!(
                        "{} pts (one run)",
                        super::signed_points(e.difference.estimate)
                    )
                }
            });
        let pct = |x: Option<(usize, f64)>| {
            x.map_or("-".into(), |(p, v)| {
                format!("{} ({p})", crate::report::charts::percent(v))
            })
        };
        t.row(vec![
            labels.variant(v).to_string(),
            pct(lo),
            mean,
            pct(hi),
            eff,
        ]);
    }
    o += &t.render();
    if let Some(prim) = &r.prim
        && prim.nothing_to_locate()
    {
        // No box can hold more or fewer of the runs with it than all do: nothing to locate
        // (the sentence below read "0% likely, against 0% overall").
        o += &format!(
            "\nScenario discovery (PRIM, {}): {name} happened in {} of them, so no box of \
             inputs makes it likelier; there is nothing to locate.\n",
            crate::report::charts::n_runs(prim.rows),
            if prim.hits == 0 { "none" } else { "every one" }
        );
    } else if let Some(prim) = &r.prim {
        let b = prim.chosen_box();
        let pct = crate::report::charts::percent;
        // Past PRIM's memory limit it reads the first runs of each point only: said, since
        // its "overall" rate is then theirs, not the table's above.
        let read = if r.prim_runs_per_point < r.manifest.runs {
            format!(
                "the first {} of each point's {} runs, as many as its limit of {} rows and {} \
                 cells allows",
                crate::report::charts::group_thousands(r.prim_runs_per_point),
                crate::report::charts::group_thousands(r.manifest.runs),
                crate::report::charts::group_thousands(crate::analysis::experiment::MAX_PRIM_ROWS),
                crate::report::charts::group_thousands(crate::analysis::experiment::MAX_PRIM_CELLS)
            )
        } else {
            // A run index plays at every point: the rows are (point, run) pairs.
            format!(
                "every base run, {} at each of {} points",
                crate::report::charts::group_thousands(r.manifest.runs),
                crate::report::charts::group_thousands(r.points.len() as u64)
            )
        };
        let weak = weak_restrictions(model, b);
        if none_supported(b) {
            // A box none of whose restrictions the runs support, led with as a finding ("41.7%
            // likely when" 19 restrictions), read as one (an attacking helper). Each is tested
            // with the others in place; the box as a whole was chosen among many on these runs.
            o += &format!(
                "\nScenario discovery (PRIM, {} runs: {read}): no restriction the runs support. \
                 {name} happened in {} of those runs; the densest box PRIM found ({} likely when \
                 {}; {} of the runs with {name}, {} of all runs) rests on {}, none of which the \
                 runs support (quasi-p above {} each, with the others in place). A box chosen \
                 among many on these runs: test it on others (another --seed) before reading it \
                 as a finding, and see `brink sensitivity` for the inputs' influence.\n",
                crate::report::charts::group_thousands(prim.rows),
                pct(prim.base_density()),
                pct(b.density),
                box_words(model, b),
                pct(b.coverage),
                pct(b.mass),
                match b.limits.len() {
                    1 => "one restriction".to_string(),
                    n => format!("{n} restrictions"),
                },
                crate::analysis::prim::SIGNIFICANT
            );
            return o;
        }
        o += &format!(
            "\nScenario discovery (PRIM, {} runs: {read}): {name} is {} likely, against {} \
             over those runs, when {}; this box holds {} of the runs with {name} ({} of all \
             runs).\n",
            crate::report::charts::group_thousands(prim.rows),
            pct(b.density),
            pct(prim.base_density()),
            box_words(model, b),
            pct(b.coverage),
            pct(b.mass)
        );
        let (one, it) = if weak.len() == 1 {
            ("restriction", "it")
        } else {
            ("restrictions", "each")
        };
        if !weak.is_empty() {
            o += &format!(
                "The runs do not support the box's {one} of {} (quasi-p above {}: peeling took \
                 {it} for a small gain in density, or later cuts left {it} cutting no run; \
                 without {it} the box is not significantly less dense). That says nothing of \
                 {} influence elsewhere: see `brink sensitivity`.\n",
                quoted_list(&weak),
                crate::analysis::prim::SIGNIFICANT,
                if weak.len() == 1 { "its" } else { "their" }
            );
        }
    }
    o
}

/// The keys of an experiment's per-run table: the design's points and parameters, the base
/// and the chosen variants, and the numbers the base samples (each variant's index of them).
pub fn run_keys(plan: &Plan) -> crate::report::per_run::Keys {
    crate::report::per_run::Keys {
        design: plan.req.params.iter().map(|p| p.path.clone()).collect(),
        points: true,
        variants: plan.variant_names(),
        inputs: plan.sampled.clone(),
        input_index: plan.sampled_index().to_vec(),
        whole_step: plan.sampled_dated_step().to_vec(),
        // A design number of an event a variant removes is read by nothing in its rows.
        design_in_play: plan
            .variant_names()
            .iter()
            .enumerate()
            .map(|(vi, v)| {
                (plan.req.params.iter())
                    .map(|p| {
                        vi == 0
                            || crate::scenario::overrides::removed_event(
                                &plan.base.scenario,
                                v,
                                &p.path,
                            )
                            .is_none()
                    })
                    .collect()
            })
            .collect(),
    }
}

/// The columns of an experiment's per-run table (`runs.csv` or `runs.parquet`): the per-run
/// table of every command ([`crate::report::per_run::columns`]) with [`run_keys`].
pub fn run_columns(plan: &Plan) -> Vec<Column> {
    crate::report::per_run::columns(&plan.base.scenario, &plan.base, &run_keys(plan))
}

/// One run's row of an experiment's per-run table, in [`run_columns`]' order: run `run` of
/// variant `variant` (0: the base) at design point `point`, its state at the end `st`.
pub fn push_run_cells(
    plan: &Plan,
    keys: &crate::report::per_run::Keys,
    point: usize,
    variant: usize,
    run: u64,
    st: &crate::model::RunState,
    out: &mut Vec<Cell>,
) {
    let key = crate::report::per_run::RowKey {
        point: Some(point as u64),
        variant: variant as u32,
        seed: plan.req.seed,
        design: &plan.points[point],
        model: variant,
    };
    crate::report::per_run::push_cells(&plan.base, keys, &key, run, st, out)
}

#[cfg(test)]
mod tests {
    use crate::analysis::design::{DesignKind, ParamRange};
    use crate::analysis::experiment::{ExperimentRequest, plan};

    /// A limit's words round outward, never past the nearest value peeled off on that side.
    #[test]
    fn a_limit_in_words_rounds_outward_and_no_further_than_the_rows() {
        assert_eq!(super::limit_num(0.29763, Some(0.24), true), "0.297");
        assert_eq!(super::limit_num(0.22543, Some(0.28), false), "0.226");
        assert_eq!(super::limit_num(0.29763, Some(0.2975), true), "0.2976");
        assert_eq!(super::limit_num(0.22543, Some(0.225431), false), "0.22543");
        assert_eq!(super::limit_num(0.225431, Some(0.2255), false), "0.22544");
        assert_eq!(super::limit_num(-1.2345, Some(-2.0), true), "-1.24");
        assert_eq!(super::limit_num(2.0, Some(1.5), true), "2");
        assert_eq!(super::limit_num(1e-300, None, true), "1e-300");
        let tight = 0.1 + 0.2;
        assert_eq!(super::limit_num(tight, Some(0.3), true), format!("{tight}"));
    }

    /// Every box of a trajectory, its rule read back from its words, selects exactly its rows:
    /// the printed rule is the box.
    #[test]
    fn the_rule_as_printed_selects_the_boxs_rows() {
        use crate::analysis::prim::{PrimData, prim};
        // A design parameter of 12 points over (0.2, 0.9), 60 rows each, and a sampled number
        // of 720 values; the outcome likelier at low fatigue and high activity.
        let mut state = 7u64;
        let mut unit = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<f64> = (0..12)
            .map(|k| 0.2 + 0.7 * (k as f64 + unit()) / 12.0)
            .collect();
        let (mut a, mut f, mut y) = (vec![], vec![], vec![]);
        for p in &points {
            for _ in 0..60 {
                let fatigue = 0.1 + 0.4 * unit();
                a.push(*p);
                f.push(fatigue);
                y.push(unit() < 0.1 + 0.8 * (*p - 0.2) / 0.7 * (0.5 - fatigue) / 0.4);
            }
        }
        let data = PrimData {
            inputs: vec![("a".into(), true), ("f".into(), false)],
            columns: vec![a, f],
            y,
            cluster: vec![],
            point: vec![],
        };
        let r = prim(&data);
        assert!(r.trajectory.len() > 3, "{}", r.trajectory.len());
        for b in &r.trajectory {
            let rules: Vec<(usize, f64, f64)> = b
                .limits
                .iter()
                .map(|l| {
                    let (low, high) = super::limit_nums(l);
                    let low = if l.low_restricted {
                        low.parse().unwrap()
                    } else {
                        f64::MIN
                    };
                    let high = if l.high_restricted {
                        high.parse().unwrap()
                    } else {
                        f64::MAX
                    };
                    (l.input, low, high)
                })
                .collect();
            let rows = (0..data.y.len())
                .filter(|&i| {
                    rules.iter().all(|&(j, low, high)| {
                        let x = data.columns[j][i];
                        x >= low && x <= high
                    })
                })
                .count() as u64;
            assert_eq!(rows, b.rows, "step {}: {:?}", b.step, b.limits);
        }
    }

    /// As `run` and `compare`'s tables: a dated event's step that only a variant adds (the
    /// tutorial's staged incident, made dated) is described as the whole step the run used,
    /// though the base model, which the columns are read from, has no such number.
    #[test]
    fn a_dated_step_a_variant_adds_is_described_as_the_step_the_run_used() {
        let sc = crate::report::per_run::tests::tutorial_with_a_dated_incident();
        let req = ExperimentRequest {
            design: DesignKind::Lhs,
            params: vec![ParamRange {
                path: "actors.north.hawkishness".into(),
                low: 0.0,
                high: 1.0,
            }],
            points: 2,
            variants: vec!["pretext".into()],
            runs: 10,
            seed: 0,
            threads: 1,
            outcome: None,
            command: vec![],
        };
        let plan = plan(&sc, &req).unwrap();
        let columns = super::run_columns(&plan);
        let described =
            |name: &str| crate::report::per_run::tests::described_as_the_step_used(&columns, name);
        assert!(described("in.events.staged_incident.step"));
        assert!(described("in.events.election_south.step"));
        assert!(!described("in.actors.north.sensitivity"));
    }
}
