//! `brink._brink`: the compiled half of the Python package (`brink/__init__.py` is the face).
//!
//! Every result is built by the library calls the command line makes (`brink::Simulation`,
//! `brink::Comparison`, `brink::report::csv`, `brink::report::per_run`,
//! `brink::scenario::overrides`), so the same scenario, seed and runs give the same bits as
//! `brink run` and `brink compare`: the tables are the CLI's columns and values, typed as the
//! data dictionary (`columns.json`) types them, and the summaries are the CLI's JSON. The
//! simulation runs without the GIL, on a thread of its own while the calling thread checks
//! for Ctrl-C (a KeyboardInterrupt stops the runs after the run in progress on each thread,
//! as the command line's stop flag does).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

// Counts the bytes held, so that a comparison's compiled models are weighed against their
// memory budget as the command line weighs them (`brink::engine::heap`).
#[global_allocator]
static ALLOCATOR: brink::engine::heap::CountingAlloc = brink::engine::heap::CountingAlloc;

use brink::engine::Cell;
use brink::error::Error;
use brink::report::csv::Table;
use brink::report::table::{Column, ColumnType};
use brink::scenario::LoadedScenario;
use brink::scenario::overrides::Override;
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Brink's error as a Python ValueError, with its whole located message (what the command line
/// prints).
fn value_error(e: Error) -> PyErr {
    let text = match &e {
        Error::Scenario(d) => d.to_string(),
        e => e.chain(),
    };
    PyValueError::new_err(text)
}

/// The most characters of a string the caller gave that a message quotes (a deep folder's
/// path is quoted whole).
const SHOWN_CHARS: usize = 300;

/// `s` cut to its first characters with its length, when it is longer than [`SHOWN_CHARS`].
fn cut(s: &str) -> Option<String> {
    let n = s.chars().count();
    (n > SHOWN_CHARS).then(|| {
        let head: String = s.chars().take(SHOWN_CHARS - 60).collect();
        format!("{head}… ({n} characters)")
    })
}

/// A ValueError's message with every long string the caller gave (the path, a variant's or
/// an outcome's name, a `set` entry) cut short where it is quoted, as it is or escaped: a name
/// of a megabyte was quoted whole, twice for a path, in the message refusing it.
fn shortened(py: Python<'_>, e: PyErr, given: &[String]) -> PyErr {
    if !e.is_instance_of::<PyValueError>(py) || given.iter().all(|g| cut(g).is_none()) {
        return e;
    }
    let mut text = e.value(py).to_string();
    for g in given {
        if let Some(c) = cut(g) {
            text = text.replace(&format!("{g:?}"), &format!("{c:?}"));
            text = text.replace(g.as_str(), &c);
        }
    }
    PyValueError::new_err(text)
}

/// The strings a call was given that a message may quote: the path, the names, the `set`
/// entries.
fn given_strings(
    path: &Path,
    names: impl IntoIterator<Item = String>,
    set: &[(String, SetValue)],
) -> Vec<String> {
    let mut given = vec![path.to_string_lossy().into_owned()];
    given.extend(names);
    for (key, value) in set {
        given.push(key.clone());
        if let SetValue::Ron(text) = value {
            given.push(text.clone());
        }
    }
    given
}

/// Why a call failed: brink's error (a ValueError), or a table too large for this process's
/// memory (a MemoryError, raised before any run is played).
enum Failure {
    Brink(Error),
    Memory(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Brink(e)
    }
}

impl From<brink::model::CompileError> for Failure {
    fn from(e: brink::model::CompileError) -> Self {
        Failure::Brink(e.into())
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Brink(e) => value_error(e),
            Failure::Memory(text) => PyMemoryError::new_err(text),
        }
    }
}

/// A number (`0.3`) or RON text (`"Uniform(min: 0.2, max: 0.4)"`) for a `set` entry.
#[derive(Debug, Clone)]
enum SetValue {
    Number(f64),
    Ron(String),
}

impl<'a, 'py> FromPyObject<'a, 'py> for SetValue {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if ob.is_instance_of::<pyo3::types::PyBool>() {
            return Err(PyValueError::new_err(
                "a set value is a number or RON text, not True or False",
            ));
        }
        let number = ob.extract::<f64>();
        if let Ok(x) = number {
            return Ok(SetValue::Number(x));
        }
        let text = ob.extract::<String>();
        if let Ok(s) = text {
            return Ok(SetValue::Ron(s));
        }
        // An int or a str that did not convert is the right kind of value: say what is wrong
        // with it, not that its type is ("not int" for 10**400; "not str" for a lone surrogate).
        if ob.is_instance_of::<pyo3::types::PyInt>() {
            return Err(PyValueError::new_err(
                "a set value that is an int must fit a float (at most about 1.8e308 in size)",
            ));
        }
        if ob.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyValueError::new_err(
                "a set value's text must be valid Unicode (it holds a lone surrogate, which \
                 no file can hold)",
            ));
        }
        Err(PyValueError::new_err(format!(
            "a set value is a number or RON text (a distribution such as \"Uniform(min: 0.2, max: 0.4)\"), not {}",
            ob.get_type().name()?
        )))
    }
}

/// A number as one types it on the command line: the shortest text that reads back as it,
/// with an exponent below 10^-4 and from 10^16 (`1e-7`, where `{x}` wrote `0.0000001`).
fn number_text(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The `set` entries as `--set PATH=VALUE` overrides, in the dict's order (the order the
/// manifest records, as the command line records its `--set` flags in their order): a number
/// written as one types it ([`number_text`]), RON text as it is.
/// The key is the path whole (an `=` in it is not a separator, as on the command line).
fn parse_set(set: Vec<(String, SetValue)>) -> brink::error::Result<Vec<Override>> {
    set.into_iter()
        .map(|(path, v)| {
            let text = match v {
                SetValue::Number(x) => number_text(x),
                SetValue::Ron(text) => text,
            };
            let value = brink::scenario::overrides::parse_value(&text).map_err(|e| {
                // The library's message ends by showing the command line's PATH=VALUE.
                let why = if text.trim().is_empty() {
                    "no value"
                } else {
                    e.strip_suffix(brink::scenario::overrides::USAGE)
                        .and_then(|e| e.strip_suffix("; "))
                        .unwrap_or(&e)
                };
                Error::Input(format!(
                    "set[{path:?}] = {text:?}: {why}; expected a number or a distribution in \
                     RON text, e.g. 0.4 or \"Normal(mean: 0.3, sd: 0.05)\""
                ))
            })?;
            Ok(Override {
                text: text.trim().to_string(),
                // As the command line's `--set` reads ` path = value`.
                path: path.trim().to_string(),
                value,
            })
        })
        .collect()
}

/// The scenario with the `set` entries applied as `--set` applies them on the command line
/// (the library's one function for it): checked over every arm that will run, written into
/// the base and over each variant's own `set`, and recorded in the manifest. A refusal names
/// the entry as Python wrote it (`set["a.b"] = "0.4"`), where the command line's names its
/// flag (`--set a.b=0.4`).
fn apply_set(
    loaded: &LoadedScenario,
    variants: &[Option<String>],
    set: &[Override],
) -> brink::error::Result<LoadedScenario> {
    let arms: Vec<Option<&str>> = variants.iter().map(Option::as_deref).collect();
    brink::scenario::overrides::apply(loaded, set, &arms).map_err(|e| {
        let mut text = e.0;
        for o in set {
            text = text.replace(
                &format!("--set {o}"),
                &format!("set[{:?}] = {:?}", o.path, o.text),
            );
        }
        Error::Input(text)
    })
}

fn load(path: &Path, max_file_size: u64) -> brink::error::Result<LoadedScenario> {
    let opts = brink::scenario::LoadOptions {
        max_file_bytes: max_file_size,
        raise_limit_with: "max_file_size=",
    };
    Ok(brink::scenario::load(path, opts)?)
}

/// `max_runs`, checked as the command line checks `--max-runs`.
fn check_max_runs(max_runs: u64) -> brink::error::Result<()> {
    let limit = brink::numerics::rng::MAX_RUN_INDEX;
    if max_runs == 0 || max_runs > limit {
        return Err(Error::Input(format!(
            "max_runs={max_runs}: expected a whole number of runs from 1 to {limit}"
        )));
    }
    Ok(())
}

/// The runs asked for (`runs`, else the scenario's own, else 10,000), checked as the command
/// line checks `--runs`: at least 1, at most `max_runs`.
fn check_runs(
    runs: Option<u64>,
    loaded: &LoadedScenario,
    max_runs: u64,
) -> brink::error::Result<u64> {
    let spelled = brink::simulation::RunOptions {
        runs: "runs",
        max_runs: "max_runs=",
    };
    brink::simulation::checked_runs(runs, loaded.scenario.runs, max_runs, spelled)
}

/// The threads asked for, checked as the command line checks `--threads` (1 to 1024).
fn check_threads(threads: Option<usize>) -> brink::error::Result<()> {
    match threads {
        Some(0) => Err(Error::Input("threads must be at least 1".into())),
        Some(t) if t > 1024 => Err(Error::Input("threads must be at most 1024".into())),
        _ => Ok(()),
    }
}

/// What `run` and `compare` check first, in the command line's order: `max_runs`, `threads`,
/// the `set` values, the scenario, then the runs asked for. Returns the settings parsed, the
/// scenario loaded (without them) and the runs that will be played.
fn opening(
    path: &Path,
    runs: Option<u64>,
    threads: Option<usize>,
    max_runs: u64,
    set: Vec<(String, SetValue)>,
    max_file_size: u64,
) -> brink::error::Result<(Vec<Override>, LoadedScenario, u64)> {
    check_max_runs(max_runs)?;
    check_threads(threads)?;
    let set = parse_set(set)?;
    let loaded = load(path, max_file_size)?;
    let total_runs = check_runs(runs, &loaded, max_runs)?;
    Ok((set, loaded, total_runs))
}

/// Does `work` without the GIL on a thread of its own, handing it a stop flag, while this
/// thread checks for signals every 50 ms. A signal's exception (KeyboardInterrupt on Ctrl-C)
/// sets the flag, waits for the runs in flight to stop, and is raised: nothing partial is
/// returned.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> Result<T, Failure> + Send,
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let (done, raised) = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let stop = &stop;
            let worker = s.spawn(move || {
                let out = work(stop);
                // The receiver outlives the scope's threads; a failed send cannot happen.
                let _ = tx.send(());
                out
            });
            let mut raised: Option<PyErr> = None;
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                }
                if raised.is_none()
                    && let Err(e) = Python::attach(|py| py.check_signals())
                {
                    stop.store(true, Ordering::SeqCst);
                    raised = Some(e);
                }
            }
            let done = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (done, raised)
        })
    });
    if let Some(e) = raised {
        return Err(e);
    }
    done.map_err(PyErr::from)
}

/// The per-run rows as the engine hands them to the per-run table: cells, row after row.
#[derive(Default)]
struct Rows(Vec<Cell>);

impl Rows {
    /// Room for `rows` rows of `columns` cells, taken before any run is played, so that a
    /// table larger than this process may hold is refused at once (a MemoryError) instead
    /// of aborting the interpreter when the vector grows hours later. The command line
    /// streams runs.csv and needs no such room.
    fn with_room(rows: u64, columns: usize) -> Result<Rows, Failure> {
        let too_large = |why: &str| {
            Failure::Memory(format!(
                "the per-run table (per_run=True or per_run_steps=) keeps every run's row in memory: \
                 {rows} rows × {columns} columns \
                 need {} of cells, {why}; ask for fewer runs, or use the command line's \
                 `--per-run`, which writes runs.csv as it goes",
                size_text(rows, columns)
            ))
        };
        let cells = usize::try_from(rows)
            .ok()
            .and_then(|r| r.checked_mul(columns))
            .filter(|&c| {
                c.checked_mul(std::mem::size_of::<Cell>())
                    .is_some_and(|b| b <= isize::MAX as usize)
            })
            .ok_or_else(|| too_large("more than this machine can address"))?;
        let mut v = Vec::new();
        v.try_reserve_exact(cells)
            .map_err(|_| too_large("more than could be allocated"))?;
        // Room beside the cells, taken and given back at once: the engine's chunks in flight
        // and, after the runs, the Python lists (a list's pointer and a float object for most
        // cells, [`PY_BYTES_PER_CELL`]) need it while the cells are still held. Without it a
        // table whose cells just fitted aborted the interpreter when the engine or the lists
        // then could not allocate (found by a reviewing helper under `ulimit -v`).
        let beside = cells
            .checked_mul(PY_BYTES_PER_CELL)
            .and_then(|b| b.checked_add(ENGINE_HEADROOM))
            .ok_or_else(|| too_large("more than this machine can address"))?;
        let mut probe: Vec<u8> = Vec::new();
        probe.try_reserve_exact(beside).map_err(|_| {
            too_large(&format!(
                "and as Python lists some {:.2} GB more, more than could be allocated",
                (cells as f64 * PY_BYTES_PER_CELL as f64) / 1e9
            ))
        })?;
        drop(probe);
        Ok(Rows(v))
    }
}

/// What a per-run cell costs as Python has it: a list's pointer (8 bytes, and its growth) and
/// an object (a float's 24 bytes, an int's 28, rounded up by the allocator).
const PY_BYTES_PER_CELL: usize = 48;

/// Room the engine takes beside the rows while it plays: chunks in flight, run states, tallies.
const ENGINE_HEADROOM: usize = 256 << 20;

/// The cells' size in bytes, as text ("5.07 GB").
fn size_text(rows: u64, columns: usize) -> String {
    let bytes = rows as f64 * columns as f64 * std::mem::size_of::<Cell>() as f64;
    format!("{:.2} GB", bytes / 1e9)
}

impl brink::engine::ChunkSink for Rows {
    fn wants_rows(&self) -> bool {
        true
    }
    fn rows(&mut self, rows: &[Cell]) -> std::io::Result<()> {
        // The room was taken up front (`with_room`); should a row come beyond it, growing
        // fails with an error rather than aborting the process.
        self.0
            .try_reserve(rows.len())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::OutOfMemory, e))?;
        self.0.extend_from_slice(rows);
        Ok(())
    }
}

/// A table of the engine's cells (the per-run table) or of the summary tables' text fields.
enum Data {
    Cells(Vec<Column>, Vec<Cell>),
    Text(Table),
}

impl Data {
    /// The table's typed columns (the data dictionary's).
    fn columns(&self) -> &[Column] {
        match self {
            Data::Cells(columns, _) => columns,
            Data::Text(t) => &t.columns,
        }
    }
}

/// What one call computed, before it meets Python: tables and JSON.
struct Done {
    json: String,
    tables: Vec<(&'static str, Data)>,
}

/// A cell as Python has it: whole numbers as int, reals as float, a step that never came as
/// None, an outcome as bool, a category as its level's name. A real that is not a number (an
/// input a variant does not have) is None, as the CSV's empty field and Parquet's null: as
/// NaN, polars counted it as a value.
fn cell_to_py<'py>(py: Python<'py>, col: &Column, cell: Cell) -> PyResult<Bound<'py, PyAny>> {
    Ok(match cell {
        Cell::U64(x) => x.into_pyobject(py)?.into_any(),
        Cell::I32(Some(x)) => x.into_pyobject(py)?.into_any(),
        Cell::I32(None) => py.None().into_bound(py),
        Cell::F64(x) if x.is_nan() => py.None().into_bound(py),
        Cell::F32(x) if x.is_nan() => py.None().into_bound(py),
        Cell::F64(x) => x.into_pyobject(py)?.into_any(),
        Cell::F32(x) => f64::from(x).into_pyobject(py)?.into_any(),
        Cell::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        Cell::Category(i) => match &col.ty {
            ColumnType::Category { levels } => levels
                .get(i as usize)
                .map_or("", String::as_str)
                .into_pyobject(py)?
                .into_any(),
            _ => i.into_pyobject(py)?.into_any(),
        },
    })
}

/// A text field of a summary table as its column's type reads it (the number the CSV text
/// holds; an empty field as None).
fn field_to_py<'py>(py: Python<'py>, col: &Column, field: &str) -> PyResult<Bound<'py, PyAny>> {
    let bad = || {
        PyValueError::new_err(format!(
            "column {:?}: {field:?} is not of type {:?} (a bug in brink)",
            col.name, col.ty
        ))
    };
    if let ColumnType::Category { levels } = &col.ty {
        // An empty field that is not a level is a missing value (compare.csv's lever).
        if field.is_empty() && !levels.iter().any(String::is_empty) {
            return Ok(py.None().into_bound(py));
        }
        return Ok(field.into_pyobject(py)?.into_any());
    }
    if field.is_empty() {
        return Ok(py.None().into_bound(py));
    }
    Ok(match col.ty {
        ColumnType::UInt64 => field
            .parse::<u64>()
            .map_err(|_| bad())?
            .into_pyobject(py)?
            .into_any(),
        ColumnType::Int32Nullable => field
            .parse::<i64>()
            .map_err(|_| bad())?
            .into_pyobject(py)?
            .into_any(),
        ColumnType::Float64 | ColumnType::Float32 => field
            .parse::<f64>()
            .map_err(|_| bad())?
            .into_pyobject(py)?
            .into_any(),
        ColumnType::Bool => {
            let b = match field {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return Err(bad()),
            };
            pyo3::types::PyBool::new(py, b).to_owned().into_any()
        }
        ColumnType::Category { .. } => unreachable!("handled above"),
    })
}

/// Cells converted between two looks at Python's signals and two chances for its other
/// threads to run.
const CELLS_BETWEEN_CHECKS: usize = 1 << 16;

/// A table as a dict of column lists, in the columns' order. A large per-run table takes tens
/// of seconds to become Python lists, all of it holding the GIL: every so many cells Ctrl-C is
/// honoured (it was only after every list was built) and the GIL is let go for a moment (other
/// Python threads were frozen for a minute).
fn to_dict<'py>(py: Python<'py>, t: &Data) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let mut since_check = 0;
    let mut pause = |py: Python<'py>| -> PyResult<()> {
        since_check += 1;
        if since_check >= CELLS_BETWEEN_CHECKS {
            since_check = 0;
            py.check_signals()?;
            py.detach(|| ());
        }
        Ok(())
    };
    match t {
        Data::Cells(columns, cells) => {
            let n = columns.len().max(1);
            for (j, c) in columns.iter().enumerate() {
                let col = PyList::empty(py);
                for row in cells.chunks(n) {
                    col.append(cell_to_py(py, c, row[j])?)?;
                    pause(py)?;
                }
                d.set_item(&c.name, col)?;
            }
        }
        Data::Text(t) => {
            for (j, c) in t.columns.iter().enumerate() {
                let col = PyList::empty(py);
                for row in &t.rows {
                    col.append(field_to_py(py, c, row.get(j).map_or("", String::as_str))?)?;
                }
                d.set_item(&c.name, col)?;
            }
        }
    }
    Ok(d)
}

fn to_python<'py>(py: Python<'py>, done: Done) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("json", done.json)?;
    // Each table's columns as the data dictionary (`columns.json`) states them: name, role,
    // type (with a category's levels), unit and description, as JSON text.
    let columns = PyDict::new(py);
    for (name, t) in &done.tables {
        let text = serde_json::to_string(t.columns())
            .map_err(|e| value_error(Error::encode("the columns", e)))?;
        columns.set_item(*name, text)?;
    }
    out.set_item("columns", columns)?;
    let tables = PyDict::new(py);
    for (name, t) in &done.tables {
        let table = to_dict(py, t).map_err(|e| match t {
            // Python's lists of the per-run table cost more than the cells they come from:
            // say what did not fit, and what does.
            Data::Cells(columns, cells) if e.is_instance_of::<PyMemoryError>(py) => {
                PyMemoryError::new_err(format!(
                    "the per-run table (per_run=True or per_run_steps=) of {} rows × {} columns did not fit in \
                     memory as Python lists; ask for fewer runs, or use the command line's \
                     `--per-run`, which writes runs.csv as it goes",
                    cells.len() / columns.len().max(1),
                    columns.len()
                ))
            }
            _ => e,
        })?;
        tables.set_item(*name, table)?;
    }
    out.set_item("tables", tables)?;
    Ok(out)
}

/// Plays a scenario as `brink run` does; returns `{"json": summary.json's text, "tables":
/// {"outcomes": ..., "timeseries": ..., ["runs": ...]}}`. See `brink.run`.
#[pyfunction]
#[pyo3(signature = (path, runs, seed, variant, set, threads, per_run, command, max_runs, per_run_steps, max_file_size))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    path: PathBuf,
    runs: Option<u64>,
    seed: u64,
    variant: Option<String>,
    set: Vec<(String, SetValue)>,
    threads: Option<usize>,
    per_run: bool,
    command: Vec<String>,
    max_runs: u64,
    per_run_steps: Vec<u32>,
    max_file_size: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let given = given_strings(&path, variant.clone(), &set);
    let done = interruptible(py, move |stop| -> Result<Done, Failure> {
        let (set, loaded, total_runs) =
            opening(&path, runs, threads, max_runs, set, max_file_size)?;
        let loaded = apply_set(&loaded, std::slice::from_ref(&variant), &set)?;
        let variant_name = variant.clone();
        let mut sim = brink::Simulation::new(&loaded)
            .variant_opt(variant)
            .seed(seed)
            .stop_flag(stop)
            .command(command)
            .per_run_steps(per_run_steps);
        if let Some(r) = runs {
            sim = sim.runs(r);
        }
        if let Some(t) = threads {
            sim = sim.threads(t);
        }
        let model = sim.model().map_err(|e| match e {
            // The library names the command line's flag.
            Error::Input(text) => {
                Error::Input(text.replacen("--per-run-steps", "per_run_steps", 1))
            }
            e => e,
        })?;
        let keys = brink::report::per_run::ArmRows::run(
            &loaded.scenario,
            &model,
            variant_name.as_deref(),
            seed,
        )?;
        let row = |arm: usize,
                   m: &brink::model::Model,
                   r: u64,
                   st: &brink::model::RunState,
                   out: &mut Vec<Cell>| keys.push(arm, m, r, st, out);
        let columns = keys.columns(&loaded.scenario, &model);
        let mut rows = if per_run {
            Rows::with_room(total_runs, columns.len())?
        } else {
            Rows::default()
        };
        let result = if per_run {
            sim.run_into(&mut rows, Some(&row))?
        } else {
            sim.run()?
        };
        let s = &result.summary;
        let mut tables = vec![
            (
                "outcomes",
                Data::Text(brink::report::csv::outcomes_table(s)),
            ),
            (
                "timeseries",
                Data::Text(brink::report::csv::timeseries_table(s)),
            ),
        ];
        if per_run {
            tables.push(("runs", Data::Cells(columns, rows.0)));
        }
        Ok(Done {
            json: to_json(s)?,
            tables,
        })
    })
    .map_err(|e| shortened(py, e, &given))?;
    to_python(py, done)
}

/// The JSON of a result, as the command line writes it (summary.json, compare.json).
fn to_json<T: serde::Serialize>(value: &T) -> brink::error::Result<String> {
    serde_json::to_string(value).map_err(|e| Error::encode("the result", e))
}

/// Compares the base with variants as `brink compare` does; returns `{"json": compare.json's
/// text, "tables": {"comparison": ...}}`. `variants` None: every variant of the scenario.
/// `tornado`: None for none, else the outcome the tornado ranks by ("" for the first).
#[pyfunction]
#[pyo3(signature = (path, runs, seed, variants, set, threads, tornado, command, max_runs, per_run, max_file_size))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    path: PathBuf,
    runs: Option<u64>,
    seed: u64,
    variants: Option<Vec<String>>,
    set: Vec<(String, SetValue)>,
    threads: Option<usize>,
    tornado: Option<String>,
    command: Vec<String>,
    max_runs: u64,
    per_run: bool,
    max_file_size: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let names = variants.iter().flatten().chain(&tornado).cloned();
    let given = given_strings(&path, names, &set);
    let done = interruptible(py, move |stop| -> Result<Done, Failure> {
        let (set, loaded, total_runs) =
            opening(&path, runs, threads, max_runs, set, max_file_size)?;
        let variants = variants.unwrap_or_else(|| loaded.scenario.variant_names());
        // Each variant once (an arm given twice was compared twice), as `brink compare`
        // requires.
        if let Some(v) = brink::analysis::compare::repeated_variant(&variants) {
            return Err(Error::Input(format!(
                "variants {v} is given twice; name each variant once"
            ))
            .into());
        }
        // The tornado's outcome and the arms' size (the tornado's included), then unknown
        // variants, are refused before anything runs.
        let tornado_request = tornado.as_ref().map(|o| (!o.is_empty()).then(|| o.clone()));
        brink::analysis::compare::check_arms(
            &loaded.scenario,
            &variants,
            &tornado_request,
            brink::analysis::compare::CompareOptions::PYTHON,
        )?;
        brink::analysis::compare::arms(&loaded.scenario, &variants, false)?;
        let arms: Vec<Option<String>> = std::iter::once(None)
            .chain(variants.iter().cloned().map(Some))
            .collect();
        let loaded = apply_set(&loaded, &arms, &set)?;
        let arms_named = variants.clone();
        let mut c = brink::Comparison::new(&loaded)
            .variants(variants)
            .spelled(brink::analysis::compare::CompareOptions::PYTHON)
            .seed(seed)
            .stop_flag(stop)
            .command(command);
        if let Some(r) = runs {
            c = c.runs(r);
        }
        if let Some(t) = threads {
            c = c.threads(t);
        }
        if let Some(outcome) = tornado {
            c = c.tornado((!outcome.is_empty()).then_some(outcome));
        }
        // The per-run rows: for each run, the base's row then each variant's (as
        // `brink compare --per-run` writes runs.csv).
        let (done, runs_table) = if per_run {
            let row_arms = brink::analysis::compare::arms(&loaded.scenario, &arms_named, false)?;
            let keys =
                brink::report::per_run::ArmRows::comparison(&loaded.scenario, &row_arms, seed)?;
            let columns = keys.columns(&loaded.scenario, &row_arms[0].model);
            let arms = row_arms.len() as u64;
            // The comparison compiles its own arms: these are not held beside them.
            drop(row_arms);
            let mut rows = Rows::with_room(total_runs.saturating_mul(arms), columns.len())?;
            let row = |arm: usize,
                       m: &brink::model::Model,
                       r: u64,
                       st: &brink::model::RunState,
                       out: &mut Vec<Cell>| keys.push(arm, m, r, st, out);
            let done = c.run_into(&mut rows, Some(&row))?;
            (done, Some(Data::Cells(columns, rows.0)))
        } else {
            (c.run()?, None)
        };
        let base = brink::model::compile(&loaded.scenario, None)?;
        let mut tables = vec![(
            "comparison",
            Data::Text(brink::report::compare::table(&base, &done.result)),
        )];
        tables.extend(runs_table.map(|t| ("runs", t)));
        Ok(Done {
            json: to_json(&done.result)?,
            tables,
        })
    })
    .map_err(|e| shortened(py, e, &given))?;
    to_python(py, done)
}

/// The compiled half of the `brink` package.
#[pymodule]
fn _brink(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_FILE_SIZE", brink::scenario::limits::MAX_FILE_BYTES)?;
    Ok(())
}
