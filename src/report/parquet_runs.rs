//! The per-run table as typed columns (`runs.parquet`, `brink run --per-run --format parquet`):
//! the same values as `runs.csv` ([`crate::report::csv::run_row`]), named by the tidy-table
//! convention (`variant`, `run`, `seed`, `in.<path>`, `out.<what>`), with weeks that never came
//! as nulls and rungs as categories.
//!
//! The engine hands each chunk's rows to its sink as text; [`encode_run`] writes a run's cells
//! as one line that loses nothing (reals as their bits), and [`RunsParquet`] reads the lines
//! back into cells for the [`ParquetWriter`].

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Model, RunState};
use crate::report::parquet::ParquetWriter;
use crate::report::table::{Cell, Column, ColumnType, Role};

/// The level of the `variant` key for the scenario without a variant.
pub const BASE_VARIANT: &str = "base";

/// The columns of the per-run table of `model`: keys `variant`, `run`, `seed`; each uncertain
/// number as `in.<path>`; per outcome `out.<outcome>` (Bool) and its `.first_step`,
/// `.last_step` (weeks, null if it never held) and `.steps_held`; `out.final_rung`,
/// `out.peak_rung` (categories of the rungs); `out.peak_index`, `out.final_index`;
/// `out.cost.<actor>`, `out.gain.<actor>`; per measure `out.max_level.<measure>`,
/// `out.final_level.<measure>` (levels are small whole numbers: UInt64) and
/// `out.steps_in_force.<measure>`; then for each of [`Model::snapshot_steps`]
/// `out.rung_at.<step>` and `out.level.<measure>.at.<step>`.
pub fn runs_columns(m: &Model) -> Vec<Column> {
    let rungs = ColumnType::Category {
        levels: m.rung_names.clone(),
    };
    let mut c = vec![
        Column::new(
            Role::Key,
            "variant",
            ColumnType::Category {
                levels: vec![m.variant.clone().unwrap_or_else(|| BASE_VARIANT.into())],
            },
            "",
            "the scenario's variant (base: none)",
        ),
        Column::new(
            Role::Key,
            "run",
            ColumnType::UInt64,
            "",
            "run index (0-based)",
        ),
        Column::new(
            Role::Key,
            "seed",
            ColumnType::UInt64,
            "",
            "master seed: `brink trace --seed SEED --run RUN` replays the run",
        ),
    ];
    for i in m.uncertain_params() {
        let path = &m.param_paths[i];
        c.push(Column::new(
            Role::Input,
            path,
            ColumnType::Float64,
            "",
            format!("the value of {path} drawn for the run"),
        ));
    }
    for o in &m.outcomes {
        let n = &o.name;
        c.push(Column::new(
            Role::Output,
            n,
            ColumnType::Bool,
            "",
            format!("whether {n} happened"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.first_step"),
            ColumnType::Int32Nullable,
            "weeks",
            format!("first step {n} held (null: never)"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.last_step"),
            ColumnType::Int32Nullable,
            "weeks",
            format!("last step {n} held (null: never)"),
        ));
        c.push(Column::new(
            Role::Output,
            &format!("{n}.steps_held"),
            ColumnType::UInt64,
            "weeks",
            format!("steps {n} held"),
        ));
    }
    c.push(Column::new(
        Role::Output,
        "final_rung",
        rungs.clone(),
        "rung",
        "rung at the end of the run",
    ));
    c.push(Column::new(
        Role::Output,
        "peak_rung",
        rungs.clone(),
        "rung",
        "highest rung reached",
    ));
    c.push(Column::new(
        Role::Output,
        "peak_index",
        ColumnType::Float64,
        "Goldstein points",
        "highest dyad hostility index reached",
    ));
    c.push(Column::new(
        Role::Output,
        "final_index",
        ColumnType::Float64,
        "Goldstein points",
        "dyad hostility index at the end of the run",
    ));
    for (what, words) in [("cost", "cost borne"), ("gain", "gain made")] {
        for a in &m.actors {
            c.push(Column::new(
                Role::Output,
                &format!("{what}.{}", a.name),
                ColumnType::Float64,
                "cost units",
                format!("{words} by {} over the run", a.name),
            ));
        }
    }
    for (what, unit, words) in [
        ("max_level", "level", "highest level of"),
        ("final_level", "level", "level at the end of the run of"),
        ("steps_in_force", "weeks", "steps in force of"),
    ] {
        for ms in &m.measures {
            c.push(Column::new(
                Role::Output,
                &format!("{what}.{}", ms.name),
                ColumnType::UInt64,
                unit,
                format!("{words} {}", ms.name),
            ));
        }
    }
    for s in &m.snapshot_steps {
        c.push(Column::new(
            Role::Output,
            &format!("rung_at.{s}"),
            rungs.clone(),
            "rung",
            format!("rung at the end of step {s}"),
        ));
        for ms in &m.measures {
            c.push(Column::new(
                Role::Output,
                &format!("level.{}.at.{s}", ms.name),
                ColumnType::UInt64,
                "level",
                format!("level of {} at the end of step {s}", ms.name),
            ));
        }
    }
    c
}

/// The cells of one run, in the order of [`runs_columns`] (appended to `out`).
pub fn run_cells(m: &Model, seed: u64, run: u64, st: &RunState, out: &mut Vec<Cell>) {
    let week = |t: u32| Cell::I32(i32::try_from(t).ok());
    out.extend([Cell::Category(0), Cell::U64(run), Cell::U64(seed)]);
    for (i, p) in m.params.iter().enumerate() {
        if p.is_uncertain() {
            out.push(Cell::F64(st.values[i]));
        }
    }
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
                week(t),
                week(st.outcome_last[o]),
                Cell::U64(u64::from(st.outcome_steps[o])),
            ]);
        }
    }
    let rung = |r: usize| Cell::Category(r as u32);
    out.extend([
        rung(st.final_rung()),
        rung(st.peak_rung),
        Cell::F64(st.peak_index),
        Cell::F64(st.index),
    ]);
    out.extend(st.cost.iter().chain(&st.gain).map(|&c| Cell::F64(c)));
    out.extend(
        st.max_level
            .iter()
            .chain(&st.level)
            .map(|&l| Cell::U64(u64::from(l))),
    );
    out.extend(st.steps_in_force.iter().map(|&n| Cell::U64(u64::from(n))));
    let nm = m.measures.len();
    for (i, &r) in st.snapshot_rungs.iter().enumerate() {
        out.push(rung(r));
        out.extend(
            st.snapshot_levels[i * nm..(i + 1) * nm]
                .iter()
                .map(|&l| Cell::U64(u64::from(l))),
        );
    }
}

/// Appends cells as one line of text that [`decode_row`] reads back exactly: cells separated
/// by `,`, whole numbers and category indices in decimal, a null as nothing, booleans as 1 or
/// 0, reals as the hexadecimal of their bits.
pub fn encode_row(cells: &[Cell], out: &mut String) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = match *c {
            Cell::U64(x) => write!(out, "{x}"),
            Cell::I32(Some(x)) => write!(out, "{x}"),
            Cell::I32(None) => Ok(()),
            Cell::F64(x) => write!(out, "{:x}", x.to_bits()),
            Cell::F32(x) => write!(out, "{:x}", x.to_bits()),
            Cell::Bool(b) => write!(out, "{}", u8::from(b)),
            Cell::Category(i) => write!(out, "{i}"),
        };
    }
    out.push('\n');
}

/// Reads one line written by [`encode_row`] as cells of `columns` (into `out`, cleared first).
pub fn decode_row(columns: &[Column], line: &str, out: &mut Vec<Cell>) -> Result<()> {
    out.clear();
    let bad = |c: &Column, t: &str| {
        Error::Failed(format!(
            "internal: cannot read {t:?} as a cell of column {}",
            c.name
        ))
    };
    let mut fields = line.split(',');
    for c in columns {
        let t = fields.next().ok_or_else(|| bad(c, ""))?;
        let cell = match c.ty {
            ColumnType::UInt64 => t.parse().map(Cell::U64).ok(),
            ColumnType::Int32Nullable if t.is_empty() => Some(Cell::I32(None)),
            ColumnType::Int32Nullable => t.parse().map(|x| Cell::I32(Some(x))).ok(),
            ColumnType::Float64 => u64::from_str_radix(t, 16)
                .map(|b| Cell::F64(f64::from_bits(b)))
                .ok(),
            ColumnType::Float32 => u32::from_str_radix(t, 16)
                .map(|b| Cell::F32(f32::from_bits(b)))
                .ok(),
            ColumnType::Bool => match t {
                "1" => Some(Cell::Bool(true)),
                "0" => Some(Cell::Bool(false)),
                _ => None,
            },
            ColumnType::Category { .. } => t.parse().map(Cell::Category).ok(),
        };
        out.push(cell.ok_or_else(|| bad(c, t))?);
    }
    match fields.next() {
        None => Ok(()),
        Some(extra) => Err(Error::Failed(format!(
            "internal: a row with more cells than its {} columns ({extra:?})",
            columns.len()
        ))),
    }
}

/// `runs.parquet` being written: takes the engine's chunks of encoded rows in order.
pub struct RunsParquet {
    columns: Vec<Column>,
    writer: ParquetWriter,
    cells: Vec<Cell>,
}

impl RunsParquet {
    /// Creates the file at `path` for the per-run table of `model`.
    pub fn create(path: &Path, model: &Model) -> Result<Self> {
        let columns = runs_columns(model);
        let writer = ParquetWriter::create(path, &columns)?;
        Ok(RunsParquet {
            cells: Vec::with_capacity(columns.len()),
            columns,
            writer,
        })
    }

    /// Writes a chunk of rows made by [`encode_run`].
    pub fn rows(&mut self, text: &str) -> Result<()> {
        for line in text.lines() {
            decode_row(&self.columns, line, &mut self.cells)?;
            self.writer.write_row(&self.cells)?;
        }
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub fn finish(self) -> Result<()> {
        self.writer.finish()
    }
}

/// Writes one run as a line of encoded cells (see [`encode_row`]), for the engine's per-run
/// rows; `seed` is the master seed.
pub fn encode_run(m: &Model, seed: u64, run: u64, st: &RunState, out: &mut String) {
    thread_local! {
        static CELLS: std::cell::RefCell<Vec<Cell>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CELLS.with_borrow_mut(|cells| {
        cells.clear();
        run_cells(m, seed, run, st, cells);
        encode_row(cells, out);
    });
}
