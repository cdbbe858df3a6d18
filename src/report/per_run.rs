//! The per-run table (`runs.csv`) of a model as typed columns: keys (`point`, `variant`, `run`,
//! `seed`), then inputs (`in.<path>`), then outputs (`out.<what>`), one schema for the CSV, a
//! Parquet file and the data dictionary alike. `brink run`, `compare --per-run` and
//! `sweep --per-run` all write it; the engine hands each chunk's rows over as cells.

use std::io::Write;

use crate::engine::Cell;
use crate::error::Result;
use crate::model::{Model, RunState};
use crate::report::table::{Column, ColumnType, Role, write_csv_row};
use crate::scenario::Scenario;

/// The keys (and design inputs) a per-run table carries before each run's own columns.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// A sweep's swept paths or an experiment's design parameters: the table then has a
    /// `point` column and an `in.<path>` column for each (the value the point set).
    pub design: Vec<String>,
    /// Whether the table has a `point` column (a sweep's, an experiment's).
    pub points: bool,
    /// The `variant` column's levels: `base`, then the scenario's variants in file order.
    pub variants: Vec<String>,
    /// The numbers with an `in.` column, by path: every number uncertain in any of the
    /// table's models (a variant or a design point may fix one the base samples; its rows then
    /// hold the fixed value).
    pub inputs: Vec<String>,
    /// For each model of the table (in the order given) and each input, the number's index in
    /// that model (`None`: the model has no such number; its cell is NaN: missing, an empty CSV
    /// field and a Parquet null).
    pub input_index: Vec<Vec<Option<usize>>>,
    /// For each input, whether it is a dated event's step in a model of the table, written as
    /// the whole step the run used ([`Model::value_used`]; [`crate::model::dated_steps_among`]):
    /// an event a variant adds is not the first model's.
    pub whole_step: Vec<bool>,
    /// For each model of the table and each design path, whether the path's number is read
    /// (false where the model's variant removes its event: the cell is then NaN, as a sampled
    /// number's is). Empty: every one is read.
    pub design_in_play: Vec<Vec<bool>>,
}

impl Keys {
    /// The keys of a run or a comparison of `sc` whose rows come from `models` (its variants
    /// are the variant column's levels); an error if the models do not share their numbers.
    pub fn of(sc: &Scenario, models: &[&Model]) -> Result<Keys> {
        let (inputs, input_index) = inputs_of(models);
        Ok(Keys {
            design: vec![],
            points: false,
            variants: variant_levels(sc),
            whole_step: crate::model::dated_steps_among(models, &input_index),
            inputs,
            input_index,
            design_in_play: vec![],
        })
    }

    /// The keys of a sweep of `sc` over `paths`, whose rows come from `models` (the points).
    pub fn sweep(sc: &Scenario, paths: &[String], models: &[&Model]) -> Result<Keys> {
        let (inputs, input_index) = inputs_of(models);
        Ok(Keys {
            design: paths.to_vec(),
            points: true,
            variants: variant_levels(sc),
            whole_step: crate::model::dated_steps_among(models, &input_index),
            inputs,
            input_index,
            design_in_play: vec![],
        })
    }

    /// The variant column's level of a variant (`None`: the base scenario).
    pub fn variant_index(&self, variant: Option<&str>) -> u32 {
        let name = variant.unwrap_or("base");
        self.variants.iter().position(|v| v == name).unwrap_or(0) as u32
    }
}

/// The per-run rows of a run (`run --per-run`: one model) or of a comparison (`compare
/// --per-run`: for each run, the base's row then each variant's, keyed by the arm's variant;
/// the tornado's arms have no rows), as the engine's row writer makes them.
///
/// ```
/// let loaded = brink::scenario::load(
///     "scenarios/examples/tutorial.ron".as_ref(),
///     Default::default(),
/// )?;
/// let variants = vec!["restraint".to_string()];
/// let arms = brink::analysis::compare::arms(&loaded.scenario, &variants, false)?;
/// let rows = brink::report::per_run::ArmRows::comparison(&loaded.scenario, &arms, 0)?;
/// let columns = rows.columns(&loaded.scenario, &arms[0].model);
/// assert_eq!(columns[0].name, "variant");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArmRows {
    keys: Keys,
    /// Each arm's level of the variant column.
    levels: Vec<u32>,
    seed: u64,
}

impl ArmRows {
    /// The rows of `arms` (as [`crate::analysis::compare::arms`] gives them: the base first)
    /// of a comparison of `sc` with master seed `seed`.
    pub fn comparison(
        sc: &Scenario,
        arms: &[crate::analysis::compare::Arm],
        seed: u64,
    ) -> Result<Self> {
        let models: Vec<&Model> = arms.iter().map(|a| &a.model).collect();
        let keys = Keys::of(sc, &models)?;
        let levels = arms
            .iter()
            .map(|a| keys.variant_index((a.kind != "base").then_some(a.name.as_str())))
            .collect();
        Ok(ArmRows { keys, levels, seed })
    }

    /// The rows of a run of `model` (compiled from `sc` with `variant`) with master seed
    /// `seed`: one arm.
    pub fn run(sc: &Scenario, model: &Model, variant: Option<&str>, seed: u64) -> Result<Self> {
        let keys = Keys::of(sc, &[model])?;
        let levels = vec![keys.variant_index(variant)];
        Ok(ArmRows { keys, levels, seed })
    }

    /// The table's columns, those of `first`: the run's model, or the comparison's base.
    pub fn columns(&self, sc: &Scenario, first: &Model) -> Vec<Column> {
        columns(sc, first, &self.keys)
    }

    /// Appends arm `arm`'s row of run `r` (the engine's row writer for a comparison).
    pub fn push(&self, arm: usize, m: &Model, r: u64, st: &RunState, out: &mut Vec<Cell>) {
        let key = RowKey {
            point: None,
            variant: self.levels.get(arm).copied().unwrap_or(0),
            seed: self.seed,
            design: &[],
            model: arm,
        };
        push_cells(m, &self.keys, &key, r, st, out)
    }
}

/// Every number uncertain in any of `models`, by path (the first model's order, then each
/// further model's new ones), and each model's index of each: none where the model does not
/// have it or its variant removed its event (the cell is then empty, not a draw nothing read).
fn inputs_of(models: &[&Model]) -> (Vec<String>, Vec<Vec<Option<usize>>>) {
    let mut inputs: Vec<String> = vec![];
    for m in models {
        for i in m.uncertain_params_in_play() {
            if !inputs.contains(&m.param_paths[i]) {
                inputs.push(m.param_paths[i].clone());
            }
        }
    }
    let index = models
        .iter()
        .map(|m| {
            inputs
                .iter()
                .map(|p| {
                    m.param_paths
                        .iter()
                        .position(|q| q == p)
                        .filter(|&i| m.param_in_play(i))
                })
                .collect()
        })
        .collect();
    (inputs, index)
}

/// The variant column's levels: `base` and every variant of the scenario.
pub fn variant_levels(sc: &Scenario) -> Vec<String> {
    std::iter::once("base".to_string())
        .chain(sc.variants.iter().map(|v| v.name.clone()))
        .collect()
}

/// The values of one row's keys.
#[derive(Debug, Clone, Copy)]
pub struct RowKey<'a> {
    /// The design point (sweeps only).
    pub point: Option<u64>,
    /// The variant's level (see [`Keys::variant_index`]).
    pub variant: u32,
    /// The master seed.
    pub seed: u64,
    /// The design point's values, one per [`Keys::design`] path.
    pub design: &'a [f64],
    /// The row's model: its place in the models the keys were made from.
    pub model: usize,
}

fn shown<'a>(label: &'a str, name: &'a str) -> &'a str {
    if label.trim().is_empty() { name } else { label }
}

/// The per-run table's columns for `m` (compiled from `sc`), keys first. Steps are in the
/// scenario's step unit, costs in its cost unit.
pub fn columns(sc: &Scenario, m: &Model, keys: &Keys) -> Vec<Column> {
    let step = crate::scenario::steps(&sc.step_unit);
    let cost = sc.cost_unit.as_str();
    let outcome_label = |name: &str| {
        sc.outcomes
            .iter()
            .find(|o| o.name == name)
            .map_or(name.to_string(), |o| shown(&o.label, &o.name).to_string())
    };
    let actor_label = |name: &str| {
        sc.actors
            .iter()
            .find(|a| a.name == name)
            .map_or(name.to_string(), |a| shown(&a.label, &a.name).to_string())
    };
    let rungs = ColumnType::Category {
        levels: m.rung_names.clone(),
    };
    let mut c = vec![];
    if keys.points {
        c.push(Column::new(
            Role::Key,
            "point",
            ColumnType::UInt64,
            "",
            "design point: its index (0-based, in the order sweep.csv or points.csv lists them)",
        ));
    }
    c.push(Column::new(
        Role::Key,
        "variant",
        ColumnType::Category {
            levels: keys.variants.clone(),
        },
        "",
        "the scenario's variant the run played (`base`: the scenario as written)",
    ));
    c.push(Column::new(
        Role::Key,
        "run",
        ColumnType::UInt64,
        "",
        "run index: run r of every variant and design point draws the same random numbers",
    ));
    c.push(Column::new(
        Role::Key,
        "seed",
        ColumnType::UInt64,
        "",
        "master seed: `brink trace --seed S --run R` replays the run",
    ));
    for p in &keys.design {
        c.push(Column::new(
            Role::Input,
            p,
            ColumnType::Float64,
            "as in the scenario file",
            format!(
                "the value the design point set {p} to (missing where the row's variant removes \
                 its event: nothing reads it there)"
            ),
        ));
    }
    for (k, p) in keys.inputs.iter().enumerate() {
        // A dated event's step as the whole step the run fired it at (Model::value_used).
        let drew = if keys.whole_step.get(k).copied().unwrap_or(false) {
            format!(
                "the step the run drew for {p}, as the run used it (rounded to the nearest whole \
                 {} within the horizon; ",
                crate::scenario::step_one(&sc.step_unit)
            )
        } else {
            format!("the value the run drew for {p} (clamped to its valid range; ")
        };
        c.push(Column::new(
            Role::Input,
            p,
            ColumnType::Float64,
            "as in the scenario file",
            format!(
                "{drew}where a variant or design point fixes it, that value; missing (empty in a \
                 CSV, null in Parquet) where the row's variant has no such number or removes its \
                 event)"
            ),
        ));
    }
    for o in &m.outcomes {
        let l = outcome_label(&o.name);
        let n = &o.name;
        c.push(Column::new(
            Role::Output,
            n,
            ColumnType::Bool,
            "",
            format!("whether “{l}” happened in the run (1) or not (0)"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.first_step"),
            ColumnType::Int32Nullable,
            &step,
            format!("the first step at whose end “{l}” held; empty if never"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.last_step"),
            ColumnType::Int32Nullable,
            &step,
            format!("the last step at whose end “{l}” held; empty if never"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.steps_held"),
            ColumnType::UInt64,
            &step,
            format!("the number of steps at whose end “{l}” held (0 if never)"),
        ));
    }
    c.push(Column::new(
        Role::Output,
        "final_rung",
        rungs.clone(),
        "rung",
        "the escalation ladder's rung at the end of the run",
    ));
    c.push(Column::new(
        Role::Output,
        "peak_rung",
        rungs.clone(),
        "rung",
        format!(
            "the highest rung the run reached, the one it starts in (before {} 0) included",
            crate::scenario::step_one(&sc.step_unit)
        ),
    ));
    c.push(Column::new(
        Role::Output,
        "peak_index",
        ColumnType::Float64,
        "Goldstein points",
        format!(
            "the highest dyad index (mean hostility of the focal pair) the run reached, its starting value (before {} 0) included",
            crate::scenario::step_one(&sc.step_unit)
        ),
    ));
    c.push(Column::new(
        Role::Output,
        "final_index",
        ColumnType::Float64,
        "Goldstein points",
        "the dyad index at the end of the run",
    ));
    for a in &m.actors {
        c.push(Column::new(
            Role::Output,
            &format!("cost.{}", a.name),
            ColumnType::Float64,
            cost,
            format!("{}'s cumulative cost over the run", actor_label(&a.name)),
        ));
    }
    for a in &m.actors {
        c.push(Column::new(
            Role::Output,
            &format!("gain.{}", a.name),
            ColumnType::Float64,
            cost,
            format!(
                "{}'s cumulative gain from its measures in force over the run",
                actor_label(&a.name)
            ),
        ));
    }
    let level = "level (0 = not in force; a whole number, stored as UInt64)";
    for ms in &m.measures {
        c.push(Column::new(
            Role::Output,
            &format!("max_level.{}", ms.name),
            ColumnType::UInt64,
            level,
            format!("the highest level measure {} reached", ms.name),
        ));
    }
    for ms in &m.measures {
        c.push(Column::new(
            Role::Output,
            &format!("final_level.{}", ms.name),
            ColumnType::UInt64,
            level,
            format!("measure {}'s level at the end of the run", ms.name),
        ));
    }
    for ms in &m.measures {
        c.push(Column::new(
            Role::Output,
            &format!("steps_in_force.{}", ms.name),
            ColumnType::UInt64,
            &step,
            format!(
                "the steps at whose end measure {} was above level 0",
                ms.name
            ),
        ));
    }
    for s in &m.snapshot_steps {
        c.push(Column::new(
            Role::Output,
            &format!("rung_at.{s}"),
            rungs.clone(),
            "rung",
            format!("the rung at the end of step {s} (--per-run-steps)"),
        ));
        for ms in &m.measures {
            c.push(Column::new(
                Role::Output,
                &format!("level.{}.at.{s}", ms.name),
                ColumnType::UInt64,
                level,
                format!(
                    "measure {}'s level at the end of step {s} (--per-run-steps)",
                    ms.name
                ),
            ));
        }
    }
    c
}

/// A step as a nullable week (`u32::MAX` and anything past `i32::MAX`: null).
fn step_cell(t: u32) -> Cell {
    Cell::I32(i32::try_from(t).ok())
}

/// Appends one run's row, in [`columns`]' order (`keys` as the columns were made with).
pub fn push_cells(
    m: &Model,
    keys: &Keys,
    key: &RowKey,
    run: u64,
    st: &RunState,
    out: &mut Vec<Cell>,
) {
    if let Some(p) = key.point {
        out.push(Cell::U64(p));
    }
    out.push(Cell::Category(key.variant));
    out.push(Cell::U64(run));
    out.push(Cell::U64(key.seed));
    let in_play = keys.design_in_play.get(key.model);
    out.extend(key.design.iter().enumerate().map(|(k, &v)| {
        let read = in_play.and_then(|p| p.get(k)).copied().unwrap_or(true);
        Cell::F64(if read { v } else { f64::NAN })
    }));
    let index = keys
        .input_index
        .get(key.model)
        .map_or(&[][..], Vec::as_slice);
    out.extend((0..keys.inputs.len()).map(|k| {
        Cell::F64(
            index
                .get(k)
                .copied()
                .flatten()
                .map_or(f64::NAN, |i| m.value_used(i, st.values[i])),
        )
    }));
    for o in 0..m.outcomes.len() {
        let t = st.outcome_first[o];
        if t == u32::MAX {
            out.extend([
                Cell::Bool(false),
                Cell::I32(None),
                Cell::I32(None),
                Cell::U64(0),
            ]);
        } else {
            out.extend([
                Cell::Bool(true),
                step_cell(t),
                step_cell(st.outcome_last[o]),
                Cell::U64(u64::from(st.outcome_steps[o])),
            ]);
        }
    }
    out.extend([
        Cell::Category(st.final_rung() as u32),
        Cell::Category(st.peak_rung as u32),
        Cell::F64(st.peak_index),
        Cell::F64(st.index),
    ]);
    out.extend(st.cost.iter().chain(&st.gain).map(|&c| Cell::F64(c)));
    out.extend(st.max_level.iter().map(|&l| Cell::U64(u64::from(l))));
    out.extend(st.level.iter().map(|&l| Cell::U64(u64::from(l))));
    out.extend(st.steps_in_force.iter().map(|&n| Cell::U64(u64::from(n))));
    let nm = m.measures.len();
    for (i, &r) in st.snapshot_rungs.iter().enumerate() {
        out.push(Cell::Category(r as u32));
        out.extend(
            st.snapshot_levels[i * nm..(i + 1) * nm]
                .iter()
                .map(|&l| Cell::U64(u64::from(l))),
        );
    }
}

/// A per-run CSV being written: its columns, and the file (a chunk's rows at a time).
pub struct CsvRows<W: Write> {
    columns: Vec<Column>,
    out: W,
    line: String,
}

impl<W: Write> CsvRows<W> {
    /// Starts the table: writes its header.
    pub fn create(mut out: W, columns: Vec<Column>) -> std::io::Result<Self> {
        out.write_all(crate::report::table::csv_header(&columns).as_bytes())?;
        Ok(CsvRows {
            columns,
            out,
            line: String::new(),
        })
    }

    /// The table's columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Writes rows given as one flat list of cells (a row's cells after the other's).
    pub fn write_rows(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        let n = self.columns.len().max(1);
        for row in cells.chunks(n) {
            self.line.clear();
            write_csv_row(&self.columns, row, &mut self.line);
            self.out.write_all(self.line.as_bytes())?;
        }
        Ok(())
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The file format of a per-run table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text, `runs.csv`.
    #[default]
    Csv,
    /// Typed columns in streaming row groups, `runs.parquet`.
    Parquet,
}

impl Format {
    /// The per-run table's file name in this format.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "runs.csv",
            Format::Parquet => "runs.parquet",
        }
    }
}

/// A per-run table being written to a file, in either format, a chunk's rows at a time.
pub enum RowsFile {
    /// `runs.csv`, and its path (for messages: a full disk is named at the file).
    Csv(
        CsvRows<std::io::BufWriter<std::fs::File>>,
        std::path::PathBuf,
    ),
    /// `runs.parquet` (boxed: its row group's buffers are large).
    Parquet(Box<crate::report::parquet::ParquetWriter>),
}

impl RowsFile {
    /// Starts the table at `path` (the CSV's header written).
    pub fn create(path: &std::path::Path, format: Format, columns: Vec<Column>) -> Result<Self> {
        match format {
            Format::Csv => {
                let f = std::fs::File::create(path)
                    .map_err(|e| crate::error::Error::io("write", path, e))?;
                let w = CsvRows::create(std::io::BufWriter::with_capacity(1 << 20, f), columns)
                    .map_err(|e| crate::error::Error::io("write", path, e))?;
                Ok(RowsFile::Csv(w, path.to_path_buf()))
            }
            Format::Parquet => Ok(RowsFile::Parquet(Box::new(
                crate::report::parquet::ParquetWriter::create(path, &columns)?,
            ))),
        }
    }

    /// The file's name (`runs.csv` or `runs.parquet`).
    pub fn file_name(&self) -> &'static str {
        match self {
            RowsFile::Csv(..) => Format::Csv.file_name(),
            RowsFile::Parquet(_) => Format::Parquet.file_name(),
        }
    }

    /// Writes rows given as one flat list of cells (a row's cells after the other's).
    pub fn write_rows(&mut self, cells: &[Cell]) -> Result<()> {
        match self {
            RowsFile::Csv(w, path) => w
                .write_rows(cells)
                .map_err(|e| crate::error::Error::io("write", &*path, e)),
            RowsFile::Parquet(p) => {
                let n = p.column_count().max(1);
                cells.chunks(n).try_for_each(|row| p.write_row(row))
            }
        }
    }

    /// Completes the file (the CSV flushed; the Parquet's last row group and footer written).
    pub fn finish(self) -> Result<()> {
        match self {
            RowsFile::Csv(w, path) => w
                .finish()
                .map(drop)
                .map_err(|e| crate::error::Error::io("write", &path, e)),
            RowsFile::Parquet(p) => p.finish(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Silent, compile, simulate};

    /// The tutorial with its staged incident (which only the variant `pretext` adds) made a
    /// dated event at a drawn step, for the tables' descriptions of a dated step.
    pub(crate) fn tutorial_with_a_dated_incident() -> crate::scenario::Scenario {
        let text = include_str!("../../scenarios/examples/tutorial.ron");
        let scheduled = "timing: Scheduled(step: 8, probability: 0.5),";
        assert_eq!(text.matches(scheduled).count(), 1);
        crate::scenario::parse_str(&text.replace(
            scheduled,
            r#"timing: Dated(step: Uniform(min: 5.0, max: 12.0, source: "x"), probability: 0.5),"#,
        ))
        .unwrap()
    }

    /// Whether the column `name` is described as the whole step a run used.
    pub(crate) fn described_as_the_step_used(columns: &[Column], name: &str) -> bool {
        let c = columns.iter().find(|c| c.name == name).unwrap();
        c.description
            .contains("as the run used it (rounded to the nearest whole week")
    }
    use crate::numerics::rng::Master;

    /// A dated event's step is written as the whole step the run fired it at (the tutorial's
    /// election, a truncated normal over weeks 18 to 34): the row said 17.38 for a run whose
    /// event was due at week 17.
    #[test]
    fn a_dated_step_is_written_as_the_step_the_run_used() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/examples/tutorial.ron");
        let loaded = crate::scenario::load(&path, Default::default()).unwrap();
        let sc = &loaded.scenario;
        let m = compile(sc, None).unwrap();
        let rows = ArmRows::run(sc, &m, None, 7).unwrap();
        let columns = rows.columns(sc, &m);
        let col = columns
            .iter()
            .position(|c| c.name == "in.events.election_south.step")
            .unwrap();
        assert!(
            columns[col]
                .description
                .contains("rounded to the nearest whole week")
        );
        let e = m.event_index("election_south").unwrap();
        let p = (m.param_paths.iter())
            .position(|q| q == "events.election_south.step")
            .unwrap();
        let master = Master::new(7);
        let mut st = RunState::new(&m);
        let (mut between, mut steps) = (0, std::collections::BTreeSet::new());
        for r in 0..40 {
            simulate(&m, &master, r, &mut st, &mut Silent);
            let mut cells = vec![];
            rows.push(0, &m, r, &st, &mut cells);
            assert_eq!(cells.len(), columns.len());
            assert_eq!(
                cells[col],
                Cell::F64(f64::from(st.event_run[e].step)),
                "run {r}"
            );
            between += usize::from(st.values[p].fract() != 0.0);
            steps.insert(st.event_run[e].step);
        }
        // The draws themselves lie between steps, and the runs' steps differ.
        assert_eq!(between, 40);
        assert!(steps.len() > 3, "{steps:?}");
        // Every other number as drawn: the column of a number that is not a step.
        let other = (m.param_paths.iter())
            .position(|q| q == "events.election_south.effects.0.amount")
            .unwrap();
        assert_eq!(m.value_used(other, 0.25), 0.25);
        assert_eq!(m.value_used(p, 17.5), 18.0);
        assert_eq!(m.value_used(p, 1e9), f64::from(m.horizon - 1));
    }

    /// A dated event that only a variant adds is described as the whole step its rows hold:
    /// the base model, which the columns were read from, has no such number, and its column
    /// said "the value the run drew" over whole steps.
    #[test]
    fn a_dated_step_a_variant_adds_is_described_as_the_step_the_run_used() {
        let sc = tutorial_with_a_dated_incident();
        let base = compile(&sc, None).unwrap();
        let pretext = compile(&sc, Some("pretext")).unwrap();
        let keys = Keys::of(&sc, &[&base, &pretext]).unwrap();
        let columns = columns(&sc, &base, &keys);
        let described = |name: &str| described_as_the_step_used(&columns, name);
        assert!(described("in.events.staged_incident.step"));
        assert!(described("in.events.election_south.step"));
        assert!(!described("in.actors.north.hawkishness"));
        // And its cells are whole steps, as the description says.
        let k = (keys.inputs.iter())
            .position(|p| p == "events.staged_incident.step")
            .unwrap();
        let i = keys.input_index[1][k].unwrap();
        let master = Master::new(3);
        let mut st = RunState::new(&pretext);
        simulate(&pretext, &master, 0, &mut st, &mut Silent);
        assert_ne!(st.values[i].fract(), 0.0);
        assert_eq!(pretext.value_used(i, st.values[i]).fract(), 0.0);
    }
}
