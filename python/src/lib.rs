//! `brink._brink`: the compiled half of the Python package (`brink/__init__.py` is the face).
//!
//! Every result is built by the library calls the command line makes (`brink::Simulation`,
//! `brink::Comparison`, `brink::report::csv`), so the same scenario, seed and runs give the
//! same bits as `brink run` and `brink compare`: the tables are the CLI's CSV fields, typed by
//! their column's kind, and the summaries are the CLI's JSON. The simulation runs without the
//! GIL.

use std::collections::BTreeMap;
use std::path::Path;

use brink::error::Error;
use brink::report::csv::{Kind, Table};
use brink::scenario::{LoadedScenario, Param, Variant};
use pyo3::exceptions::PyValueError;
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
        if let Ok(x) = ob.extract::<f64>() {
            return Ok(SetValue::Number(x));
        }
        if let Ok(s) = ob.extract::<String>() {
            return Ok(SetValue::Ron(s));
        }
        Err(PyValueError::new_err(format!(
            "a set value is a number or RON text (a distribution such as \"Uniform(min: 0.2, max: 0.4)\"), not {}",
            ob.get_type().name()?
        )))
    }
}

/// The `set` entries as parameters: a number as it is, RON text parsed as a scenario's number
/// or distribution is.
fn parse_set(set: BTreeMap<String, SetValue>) -> brink::error::Result<Vec<(String, Param)>> {
    set.into_iter()
        .map(|(path, v)| {
            let p = match v {
                SetValue::Number(x) => Param::Value(x),
                SetValue::Ron(text) => brink::scenario::ron_options()
                    .from_str::<Param>(&text)
                    .map_err(|e| {
                        Error::Input(format!(
                            "set {path:?} = {text:?}: not a number or a distribution in RON syntax ({e})"
                        ))
                    })?,
            };
            if let Err(why) = p.check() {
                return Err(Error::Input(format!("set {path:?}: {why}")));
            }
            Ok((path, p))
        })
        .collect()
}

/// The scenario with the `set` entries layered over every arm (the base, and each variant over
/// its own `set`), as `--set PATH=VALUE` does on the command line. Each path must be one of
/// the scenario's (with `variant` applied: `brink describe --paths` lists them; a typo gets
/// the nearest path) and each value must be valid there, as a variant's `set` is checked.
///
/// The one place the package applies `set`: switch it to the library's `--set` function when
/// that lands.
fn apply_set(
    loaded: &LoadedScenario,
    variants: &[Option<String>],
    set: &[(String, Param)],
) -> brink::error::Result<LoadedScenario> {
    use brink::scenario::validate::{check_param, check_set};
    let s = &loaded.scenario;
    if set.is_empty() {
        return Ok(loaded.clone());
    }
    // Checked over each arm it will apply to.
    for name in variants {
        let mut v = match name {
            Some(n) => brink::model::find_variant(s, n)?.clone(),
            None => Variant {
                name: "set".into(),
                ..Variant::default()
            },
        };
        let (applied, _, _) = brink::model::apply_variant(s, Some(&v))?;
        for (path, p) in set {
            v.set.insert(path.clone(), p.clone());
            let (field, _) = brink::analysis::sweep::param_at(&applied, path)?;
            if let Some((msg, expected)) =
                check_param(path, field, p, s.bounds).or_else(|| check_set(s, &v, path, p))
            {
                return Err(Error::Input(format!(
                    "set {path:?}: {msg}; expected {expected}"
                )));
            }
        }
    }
    let mut out = loaded.clone();
    let entries: BTreeMap<&str, &Param> = set.iter().map(|(k, p)| (k.as_str(), p)).collect();
    brink::scenario::paths::for_each_param(&mut out.scenario, &mut |site, p| {
        if let Some(new) = entries.get(site.path.as_str()) {
            *p = (*new).clone();
        }
    });
    for v in &mut out.scenario.variants {
        for (path, p) in set {
            v.set.insert(path.clone(), p.clone());
        }
    }
    Ok(out)
}

fn load(path: &str) -> brink::error::Result<LoadedScenario> {
    Ok(brink::scenario::load(Path::new(path), Default::default())?)
}

/// The runs asked for, checked as the command line checks `--runs`.
fn check_runs(runs: Option<u64>) -> brink::error::Result<()> {
    match runs {
        Some(0) => Err(Error::Input("runs must be at least 1".into())),
        Some(r) if r > brink::numerics::rng::MAX_RUN_INDEX => Err(Error::Input(format!(
            "{r} runs is more than the limit of {}",
            brink::numerics::rng::MAX_RUN_INDEX
        ))),
        _ => Ok(()),
    }
}

fn check_threads(threads: Option<usize>) -> brink::error::Result<()> {
    if threads == Some(0) {
        return Err(Error::Input("threads must be at least 1".into()));
    }
    Ok(())
}

/// The per-run rows as the engine hands them to runs.csv.
#[derive(Default)]
struct Rows(String);

impl brink::engine::ChunkSink for Rows {
    fn wants_rows(&self) -> bool {
        true
    }
    fn rows(&mut self, rows: &str) -> std::io::Result<()> {
        self.0.push_str(rows);
        Ok(())
    }
}

/// A table parsed back from the engine's runs.csv rows (header and kinds from the library).
fn rows_table(columns: Vec<(String, Kind)>, text: &str) -> brink::error::Result<Table> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows = r
        .records()
        .map(|rec| {
            rec.map(|rec| rec.iter().map(String::from).collect())
                .map_err(|e| Error::table("runs.csv", e))
        })
        .collect::<brink::error::Result<Vec<Vec<String>>>>()?;
    Ok(Table { columns, rows })
}

/// What one call computed, before it meets Python: tables and JSON.
struct Done {
    json: String,
    tables: Vec<(&'static str, Table)>,
}

/// A table as a dict of column lists: each field read as its column's kind says (the same
/// number the CSV text holds), an empty field as None.
fn to_dict<'py>(py: Python<'py>, t: &Table) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (j, (name, kind)) in t.columns.iter().enumerate() {
        let col = PyList::empty(py);
        for row in &t.rows {
            let field = row.get(j).map_or("", String::as_str);
            if field.is_empty() && *kind != Kind::Text {
                col.append(py.None())?;
                continue;
            }
            let bad = || {
                PyValueError::new_err(format!(
                    "column {name:?}: {field:?} is not a {kind:?} (a bug in brink)"
                ))
            };
            match kind {
                Kind::Text => col.append(field)?,
                Kind::Integer => col.append(field.parse::<i64>().map_err(|_| bad())?)?,
                Kind::Real => col.append(field.parse::<f64>().map_err(|_| bad())?)?,
            }
        }
        d.set_item(name, col)?;
    }
    Ok(d)
}

fn to_python<'py>(py: Python<'py>, done: Done) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("json", done.json)?;
    let tables = PyDict::new(py);
    for (name, t) in &done.tables {
        tables.set_item(*name, to_dict(py, t)?)?;
    }
    out.set_item("tables", tables)?;
    Ok(out)
}

/// Plays a scenario as `brink run` does; returns `{"json": summary.json's text, "tables":
/// {"outcomes": ..., "timeseries": ..., ["runs": ...]}}`. See `brink.run`.
#[pyfunction]
#[pyo3(signature = (path, runs, seed, variant, set, threads, per_run, command))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    path: String,
    runs: Option<u64>,
    seed: u64,
    variant: Option<String>,
    set: BTreeMap<String, SetValue>,
    threads: Option<usize>,
    per_run: bool,
    command: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let done = py
        .detach(move || -> brink::error::Result<Done> {
            check_runs(runs)?;
            check_threads(threads)?;
            let set = parse_set(set)?;
            let loaded = load(&path)?;
            let loaded = apply_set(&loaded, std::slice::from_ref(&variant), &set)?;
            let mut sim = brink::Simulation::new(&loaded)
                .variant_opt(variant)
                .seed(seed)
                .command(command);
            if let Some(r) = runs {
                sim = sim.runs(r);
            }
            if let Some(t) = threads {
                sim = sim.threads(t);
            }
            let mut rows = Rows::default();
            let row: &brink::engine::RowWriter = &brink::report::csv::run_row;
            let result = if per_run {
                sim.run_into(&mut rows, Some(row))?
            } else {
                sim.run()?
            };
            let s = &result.summary;
            let mut tables = vec![
                ("outcomes", brink::report::csv::outcomes_table(s)),
                ("timeseries", brink::report::csv::timeseries_table(s)),
            ];
            if per_run {
                let cols = brink::report::csv::runs_columns(&result.model);
                tables.push(("runs", rows_table(cols, &rows.0)?));
            }
            Ok(Done {
                json: to_json(s)?,
                tables,
            })
        })
        .map_err(value_error)?;
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
#[pyo3(signature = (path, runs, seed, variants, set, threads, tornado, command))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    path: String,
    runs: Option<u64>,
    seed: u64,
    variants: Option<Vec<String>>,
    set: BTreeMap<String, SetValue>,
    threads: Option<usize>,
    tornado: Option<String>,
    command: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let done = py
        .detach(move || -> brink::error::Result<Done> {
            check_runs(runs)?;
            check_threads(threads)?;
            let set = parse_set(set)?;
            let loaded = load(&path)?;
            let variants = variants.unwrap_or_else(|| {
                loaded
                    .scenario
                    .variants
                    .iter()
                    .map(|v| v.name.clone())
                    .collect()
            });
            // Unknown variants are named before anything runs.
            brink::analysis::compare::arms(&loaded.scenario, &variants, false)?;
            let arms: Vec<Option<String>> = std::iter::once(None)
                .chain(variants.iter().cloned().map(Some))
                .collect();
            let loaded = apply_set(&loaded, &arms, &set)?;
            let mut c = brink::Comparison::new(&loaded)
                .variants(variants)
                .seed(seed)
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
            let done = c.run()?;
            Ok(Done {
                json: to_json(&done.result)?,
                tables: vec![("comparison", brink::report::compare::table(&done.result))],
            })
        })
        .map_err(value_error)?;
    to_python(py, done)
}

/// The compiled half of the `brink` package.
#[pymodule]
fn _brink(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
