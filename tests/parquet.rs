//! Parquet tables: every column type written and read back (with the parquet crate's own
//! reader) cell for cell, reals bit for bit, across several row groups; the schema's types; an
//! empty table; hostile category names; refused rows; a full disk; and `brink run --per-run
//! --format parquet` against runs.csv of the same seed.

mod common;

use std::path::Path;

use brink::error::Error;
use brink::report::parquet::{COLUMNS_KEY, ParquetWriter};
use brink::report::table::{Cell, Column, ColumnType, Role};
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

fn reader(path: &Path) -> SerializedFileReader<std::fs::File> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SerializedFileReader::new(f).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every row of the file, as the crate's record reader gives it.
fn rows(path: &Path) -> Vec<Vec<(String, Field)>> {
    let r = reader(path);
    r.get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect()
        })
        .collect()
}

/// Whether a field read back is exactly the cell written (reals bit for bit).
fn same(col: &Column, cell: Cell, f: &Field) -> bool {
    match (cell, f) {
        (Cell::U64(x), Field::ULong(y)) => x == *y,
        (Cell::I32(None), Field::Null) => true,
        (Cell::I32(Some(x)), Field::Int(y)) => x == *y,
        // A missing real (NaN, whatever its payload) is a null, as in a CSV it is empty.
        (Cell::F64(x), Field::Null) => x.is_nan(),
        (Cell::F32(x), Field::Null) => x.is_nan(),
        (Cell::F64(x), Field::Double(y)) => !x.is_nan() && x.to_bits() == y.to_bits(),
        (Cell::F32(x), Field::Float(y)) => !x.is_nan() && x.to_bits() == y.to_bits(),
        (Cell::Bool(x), Field::Bool(y)) => x == *y,
        (Cell::Category(i), Field::Str(s)) => match &col.ty {
            ColumnType::Category { levels } => levels[i as usize] == *s,
            _ => false,
        },
        _ => false,
    }
}

fn category(name: &str, levels: &[&str]) -> Column {
    Column::new(
        Role::Output,
        name,
        ColumnType::Category {
            levels: levels.iter().map(|s| s.to_string()).collect(),
        },
        "rung",
        format!("{name}, a category"),
    )
}

/// One column of each type.
fn all_columns() -> Vec<Column> {
    vec![
        Column::new(Role::Key, "run", ColumnType::UInt64, "", "run index"),
        Column::new(
            Role::Output,
            "rupture.first_step",
            ColumnType::Int32Nullable,
            "weeks",
            "first week of rupture (null: never)",
        ),
        Column::new(
            Role::Input,
            "shared.fatigue.value",
            ColumnType::Float64,
            "",
            "fatigue drawn",
        ),
        Column::new(
            Role::Output,
            "level.visa.at.13",
            ColumnType::Float32,
            "level",
            "level at week 13",
        ),
        Column::new(Role::Output, "rupture", ColumnType::Bool, "", "rupture"),
        category("final_rung", &["calm", "tension", "crisis", "rupture"]),
    ]
}

/// Awkward reals: signed zeros, infinities, NaN with a payload, subnormals, extremes, and
/// numbers with 17 significant digits.
const REALS: &[f64] = &[
    0.0,
    -0.0,
    1.0 / 3.0,
    -1.234_567_890_123_456_7e-7,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
    5e-324,
    f64::MAX,
    f64::MIN,
    1e300,
    0.1,
];

fn all_row(i: u64) -> Vec<Cell> {
    let k = i as usize;
    let nan = f64::from_bits(0x7ff8_0000_dead_beef);
    vec![
        // The largest u64 too: stored in INT64's bits, read back as unsigned.
        Cell::U64(if i == 5 { u64::MAX } else { i * 1_000_003 }),
        Cell::I32(if i.is_multiple_of(3) {
            None
        } else {
            Some(i as i32 - 20)
        }),
        Cell::F64(if i == 7 { nan } else { REALS[k % REALS.len()] }),
        Cell::F32(if i == 8 {
            f32::NAN
        } else {
            REALS[(k + 3) % REALS.len()] as f32
        }),
        Cell::Bool(i % 2 == 1),
        Cell::Category((i % 4) as u32),
    ]
}

#[test]
fn every_column_type_round_trips_over_several_row_groups() {
    let dir = common::scratch("all");
    let path = dir.join("t.parquet");
    let cols = all_columns();
    let n = 50u64;
    let mut w = ParquetWriter::create(&path, &cols)
        .unwrap()
        .with_row_group_rows(7);
    let written: Vec<Vec<Cell>> = (0..n).map(all_row).collect();
    for r in &written {
        w.write_row(r).unwrap();
    }
    w.finish().unwrap();

    let r = reader(&path);
    let meta = r.metadata();
    assert_eq!(meta.file_metadata().num_rows(), n as i64);
    assert_eq!(meta.num_row_groups(), 8, "50 rows in groups of 7");
    for g in 0..meta.num_row_groups() {
        let rows = meta.row_group(g).num_rows();
        assert_eq!(rows, if g < 7 { 7 } else { 1 }, "row group {g}");
        for c in meta.row_group(g).columns() {
            assert_eq!(c.compression(), Compression::SNAPPY);
        }
    }
    // The category column is dictionary encoded; the others are not.
    let rg = meta.row_group(0);
    assert!(rg.column(5).dictionary_page_offset().is_some());
    assert!(rg.column(2).dictionary_page_offset().is_none());

    // The schema: physical type, logical type, repetition, name.
    let schema = meta.file_metadata().schema_descr();
    let expect: [(&str, PhysicalType, Option<LogicalType>, Repetition); 6] = [
        (
            "run",
            PhysicalType::INT64,
            Some(LogicalType::integer(64, false)),
            Repetition::REQUIRED,
        ),
        (
            "out.rupture.first_step",
            PhysicalType::INT32,
            Some(LogicalType::integer(32, true)),
            Repetition::OPTIONAL,
        ),
        (
            "in.shared.fatigue.value",
            PhysicalType::DOUBLE,
            None,
            Repetition::OPTIONAL,
        ),
        (
            "out.level.visa.at.13",
            PhysicalType::FLOAT,
            None,
            Repetition::OPTIONAL,
        ),
        (
            "out.rupture",
            PhysicalType::BOOLEAN,
            None,
            Repetition::REQUIRED,
        ),
        (
            "out.final_rung",
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            Repetition::REQUIRED,
        ),
    ];
    assert_eq!(schema.num_columns(), expect.len());
    for (i, (name, phys, logical, rep)) in expect.into_iter().enumerate() {
        let c = schema.column(i);
        assert_eq!(c.name(), name);
        assert_eq!(c.physical_type(), phys, "{name}");
        assert_eq!(c.logical_type_ref(), logical.as_ref(), "{name}");
        assert_eq!(c.self_type().get_basic_info().repetition(), rep, "{name}");
    }

    // The columns' dictionary travels in the file.
    let kv = meta.file_metadata().key_value_metadata().unwrap();
    let json = kv
        .iter()
        .find(|k| k.key == COLUMNS_KEY)
        .and_then(|k| k.value.clone())
        .expect("the columns in the key-value metadata");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v, serde_json::to_value(&cols).unwrap());
    assert_eq!(v[1]["unit"], "weeks");
    assert_eq!(v[5]["levels"][2], "crisis");

    // Every cell as written, in order.
    let got = rows(&path);
    assert_eq!(got.len(), n as usize);
    for (i, (row, want)) in got.iter().zip(&written).enumerate() {
        assert_eq!(row.len(), cols.len());
        for ((c, &cell), (name, f)) in cols.iter().zip(want).zip(row) {
            assert_eq!(name, &c.name);
            assert!(
                same(c, cell, f),
                "row {i}, {name}: wrote {cell:?}, read {f:?}"
            );
        }
    }
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn row_groups_that_end_inside_a_batch_keep_every_row_in_order() {
    // 10,000 rows in groups of 3,000: groups end inside the writer's batches of rows, and each
    // column's pages (the category's dictionary page first) come back from the scratch file
    // in order.
    let dir = common::scratch("groups");
    let path = dir.join("t.parquet");
    let cols = all_columns();
    let n = 10_000u64;
    let mut w = ParquetWriter::create(&path, &cols)
        .unwrap()
        .with_row_group_rows(3_000);
    for i in 0..n {
        w.write_row(&all_row(i)).unwrap();
    }
    w.finish().unwrap();
    let meta = reader(&path).metadata().clone();
    let sizes: Vec<i64> = (0..meta.num_row_groups())
        .map(|g| meta.row_group(g).num_rows())
        .collect();
    assert_eq!(sizes, [3_000, 3_000, 3_000, 1_000]);
    let got = rows(&path);
    assert_eq!(got.len(), n as usize);
    for (i, row) in got.iter().enumerate() {
        for ((c, &cell), (_, f)) in cols.iter().zip(&all_row(i as u64)).zip(row) {
            assert!(
                same(c, cell, f),
                "row {i}, {}: wrote {cell:?}, read {f:?}",
                c.name
            );
        }
    }
    // The pages' scratch file is gone: the folder holds the table alone.
    assert_eq!(names_in(&dir), ["t.parquet"]);
}

#[test]
fn a_writer_dropped_midway_leaves_no_scratch_file() {
    let dir = common::scratch("dropped");
    let path = dir.join("t.parquet");
    let mut w = ParquetWriter::create(&path, &all_columns()).unwrap();
    for i in 0..9_000 {
        w.write_row(&all_row(i)).unwrap();
    }
    drop(w);
    // The unfinished table is the caller's to remove (brink's output folder does); nothing
    // else is there.
    assert_eq!(names_in(&dir), ["t.parquet"]);
}

#[test]
fn an_empty_table_is_a_file_with_its_schema_and_no_rows() {
    let dir = common::scratch("empty");
    let path = dir.join("t.parquet");
    let cols = all_columns();
    ParquetWriter::create(&path, &cols)
        .unwrap()
        .finish()
        .unwrap();
    let r = reader(&path);
    assert_eq!(r.metadata().file_metadata().num_rows(), 0);
    assert_eq!(r.metadata().num_row_groups(), 0);
    let schema = r.metadata().file_metadata().schema_descr();
    assert_eq!(schema.num_columns(), cols.len());
    assert_eq!(schema.column(5).name(), "out.final_rung");
    assert!(rows(&path).is_empty());
}

#[test]
fn hostile_category_names_come_back_as_written() {
    let levels = [
        "",
        "a,b",
        "\"quoted\"",
        "'single'",
        "line\nbreak",
        "tab\there",
        "ру́сский",
        "名前",
        "emoji \u{1F600}",
        "nul\0inside",
        "=cmd|' /C calc'!A0",
        "\\back\\slash",
    ];
    let cols = vec![
        category("odd", &levels),
        Column::new(Role::Key, "run", ColumnType::UInt64, "", "run"),
    ];
    let dir = common::scratch("hostile");
    let path = dir.join("t.parquet");
    let mut w = ParquetWriter::create(&path, &cols).unwrap();
    let n = levels.len() * 3;
    for i in 0..n {
        w.write_row(&[
            Cell::Category((i % levels.len()) as u32),
            Cell::U64(i as u64),
        ])
        .unwrap();
    }
    w.finish().unwrap();
    let got = rows(&path);
    assert_eq!(got.len(), n);
    for (i, row) in got.iter().enumerate() {
        assert_eq!(row[0].1, Field::Str(levels[i % levels.len()].to_string()));
        assert_eq!(row[1].1, Field::ULong(i as u64));
    }
}

#[test]
fn rows_that_do_not_fit_the_columns_are_refused() {
    let dir = common::scratch("refused");
    let path = dir.join("t.parquet");
    let cols = all_columns();
    let mut w = ParquetWriter::create(&path, &cols).unwrap();
    let good = all_row(1);
    let mut short = good.clone();
    short.pop();
    let mut wrong_type = good.clone();
    wrong_type[0] = Cell::F64(1.0);
    let mut bad_level = good.clone();
    bad_level[5] = Cell::Category(4);
    for bad in [&short, &wrong_type, &bad_level] {
        assert!(w.write_row(bad).is_err(), "{bad:?} was taken");
    }
    w.write_row(&good).unwrap();
    w.finish().unwrap();
    // Only the good row is in the file: a refused row leaves nothing behind.
    assert_eq!(rows(&path).len(), 1);

    assert!(ParquetWriter::create(&dir.join("none.parquet"), &[]).is_err());
    let twice = vec![cols[0].clone(), cols[0].clone()];
    let e = ParquetWriter::create(&dir.join("twice.parquet"), &twice)
        .err()
        .expect("two columns of one name refused");
    assert!(e.to_string().contains("\"run\""), "{e}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_the_system_s_error() {
    let cols = all_columns();
    let mut w = match ParquetWriter::create(Path::new("/dev/full"), &cols) {
        Ok(w) => w,
        Err(e) => panic!("opening /dev/full: {}", e.chain()),
    };
    // Enough rows to fill a row group and then some: whatever write reaches the disk first
    // fails, and the error says what the system said.
    let mut err = None;
    for i in 0..70_000 {
        if let Err(e) = w.write_row(&all_row(i)) {
            err = Some(e);
            break;
        }
    }
    let e = match err {
        Some(e) => e,
        None => w.finish().expect_err("writing to /dev/full succeeded"),
    };
    match &e {
        Error::Io { path, source, .. } => {
            assert_eq!(path, Path::new("/dev/full"));
            assert_eq!(source.raw_os_error(), Some(28), "{}", e.chain());
        }
        other => panic!("not an I/O error: {}", other.chain()),
    }
    assert!(
        e.chain().contains("No space left on device"),
        "{}",
        e.chain()
    );
}

// ---------------------------------------------------------------------------------------------
// brink run --per-run --format parquet

/// Whether a Parquet field holds the CSV text's value (reals bit for bit).
fn same_as_csv(f: &Field, text: &str) -> bool {
    match f {
        // A missing value: null in Parquet, an empty field in a CSV.
        Field::Null => text.is_empty(),
        Field::Bool(b) => text == if *b { "1" } else { "0" },
        Field::Int(x) => text.parse::<i32>() == Ok(*x),
        Field::ULong(x) => text.parse::<u64>() == Ok(*x),
        Field::Double(x) => text.parse::<f64>().map(f64::to_bits) == Ok(x.to_bits()),
        Field::Str(s) => s == text,
        _ => false,
    }
}

fn compare_with_csv(variant: Option<&str>, seed: &str, runs: usize) {
    let dir = common::scratch(&format!("cli-{}", variant.unwrap_or("base")));
    let (pq, csv) = (dir.join("pq"), dir.join("csv"));
    let mut args = vec![
        "run",
        "scenarios/examples/tutorial.ron",
        "--runs",
        "",
        "--seed",
        seed,
        "--per-run",
        "--per-run-steps",
        "5,20",
        "--no-charts",
    ];
    let runs_text = runs.to_string();
    args[3] = &runs_text;
    if let Some(v) = variant {
        args.extend(["--variant", v]);
    }
    let mut a = args.clone();
    a.extend(["--format", "parquet", "--out", pq.to_str().unwrap()]);
    common::ok(&a);
    let mut b = args.clone();
    b.extend(["--out", csv.to_str().unwrap()]);
    common::ok(&b);
    assert!(!pq.join("runs.csv").exists());
    assert!(!csv.join("runs.parquet").exists());

    let text = std::fs::read_to_string(csv.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let csv_rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let got = rows(&pq.join("runs.parquet"));
    assert_eq!(got.len(), runs);
    assert_eq!(csv_rows.len(), runs);
    // One schema: the same columns in the same order, the same values (reals bit for bit).
    assert_eq!(got[0].len(), header.len());
    for (i, (row, c)) in got.iter().zip(&csv_rows).enumerate() {
        assert_eq!(row[0].0, "variant");
        assert_eq!(row[0].1, Field::Str(variant.unwrap_or("base").to_string()));
        assert_eq!(
            row[2],
            ("seed".to_string(), Field::ULong(seed.parse().unwrap()))
        );
        for ((name, f), (h, v)) in row.iter().zip(header.iter().zip(c)) {
            assert_eq!(name, h, "column {name}");
            assert!(
                same_as_csv(f, v),
                "run {i}, {name}: parquet {f:?}, runs.csv {v:?}"
            );
        }
    }
    // Some weeks that never came, and some that did, so both sides of the nulls are checked.
    let weeks = || {
        got.iter()
            .flatten()
            .filter(|(n, _)| n.ends_with(".first_step"))
    };
    assert!(weeks().any(|(_, f)| *f == Field::Null));
    assert!(weeks().any(|(_, f)| matches!(f, Field::Int(_))));
    // The marker lists the table brink wrote.
    let marker = std::fs::read_to_string(pq.join(".brink-output.json")).unwrap();
    assert!(marker.contains("runs.parquet"), "{marker}");
}

#[test]
fn run_writes_runs_parquet_with_the_values_of_runs_csv() {
    compare_with_csv(None, "11", 700);
}

#[test]
fn a_variant_s_runs_parquet_names_the_variant() {
    compare_with_csv(Some("visa_now"), "3", 150);
}

#[test]
fn parquet_is_refused_for_a_shard_and_an_unknown_format_is_named() {
    let dir = common::scratch("shard");
    let o = common::brink(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--runs",
        "100",
        "--per-run",
        "--format",
        "parquet",
        "--shard",
        "1/2",
        "--out",
        dir.join("s").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--format parquet") && err.contains("--shard"),
        "{err}"
    );
    assert!(!dir.join("s").exists());

    let o = common::brink(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--per-run",
        "--format",
        "feather",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("parquet") && err.contains("csv"), "{err}");
}

/// Runs `args` twice, with `--per-run` into CSV and with `--per-run --format parquet`, and
/// checks that runs.parquet holds runs.csv's columns, in order, with its values (reals bit for
/// bit), `rows` rows of them.
fn parquet_equals_csv(name: &str, args: &[&str], rows_expected: usize) {
    let dir = common::scratch(name);
    let (pq, csv) = (dir.join("pq"), dir.join("csv"));
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--per-run", "--no-charts", "--out", csv.to_str().unwrap()]);
    common::ok(&a);
    let mut b: Vec<&str> = args.to_vec();
    b.extend([
        "--per-run",
        "--format",
        "parquet",
        "--no-charts",
        "--out",
        pq.to_str().unwrap(),
    ]);
    common::ok(&b);
    assert!(!pq.join("runs.csv").exists());
    let text = std::fs::read_to_string(csv.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let csv_rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let got = rows(&pq.join("runs.parquet"));
    assert_eq!((got.len(), csv_rows.len()), (rows_expected, rows_expected));
    for (i, (row, c)) in got.iter().zip(&csv_rows).enumerate() {
        assert_eq!(row.len(), header.len());
        for ((n, f), (h, v)) in row.iter().zip(header.iter().zip(c)) {
            assert_eq!(n, h);
            assert!(same_as_csv(f, v), "{name} row {i}, {n}: {f:?} vs {v:?}");
        }
    }
    // A number a row's model does not have (an event its variant adds, in the base rows) is
    // a null in Parquet, as it is an empty field in the CSV: counted, to say whether this
    // table had one.
    let missing = got
        .iter()
        .flatten()
        .filter(|(n, f)| n.starts_with("in.") && *f == Field::Null)
        .count();
    let empty = csv_rows
        .iter()
        .flat_map(|r| header.iter().zip(r))
        .filter(|(h, v)| h.starts_with("in.") && v.is_empty())
        .count();
    assert_eq!(missing, empty, "{name}");
    if name == "experiment" {
        // The base rows lack the numbers of the event `pretext` adds.
        assert!(missing > 0, "no missing number in {name}");
    }
    // The dictionary names the file written.
    let dict = std::fs::read_to_string(pq.join("columns.json")).unwrap();
    assert!(dict.contains("\"runs.parquet\"") && !dict.contains("\"runs.csv\""));
}

#[test]
fn compare_sweep_and_experiment_write_runs_parquet_as_their_runs_csv() {
    parquet_equals_csv(
        "compare",
        &[
            "compare",
            "scenarios/examples/tutorial.ron",
            "--variants",
            "visa_now,restraint",
            "--no-tornado",
            "--runs",
            "120",
            "--seed",
            "4",
        ],
        3 * 120,
    );
    parquet_equals_csv(
        "sweep",
        &[
            "sweep",
            "scenarios/examples/tutorial.ron",
            "--set",
            "relations.north->south.fatigue=0.1..0.4:3",
            "--runs",
            "100",
        ],
        3 * 100,
    );
    parquet_equals_csv(
        "experiment",
        &[
            "experiment",
            "scenarios/examples/tutorial.ron",
            "--design",
            "lhs",
            "--param",
            "relations.north->south.fatigue=0.1..0.4",
            "--points",
            "3",
            "--variants",
            "pretext",
            "--runs",
            "80",
        ],
        3 * 2 * 80,
    );
}

#[test]
fn format_parquet_without_a_table_is_refused() {
    // compare has no per-step table: without --per-run, --format parquet would write nothing.
    let dir = common::scratch("no-per-run");
    let out = dir.join("compare");
    let o = common::brink(&[
        "compare",
        "scenarios/examples/tutorial.ron",
        "--runs",
        "10",
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--per-run"));
    assert!(!out.exists());
}

#[test]
fn run_writes_the_per_step_table_as_timeseries_parquet() {
    let dir = common::scratch("timeseries");
    let (pq, csv) = (dir.join("pq"), dir.join("csv"));
    let args = |out: &Path, parquet: bool| {
        let mut a = vec![
            "run".to_string(),
            "scenarios/examples/tutorial.ron".into(),
            "--runs".into(),
            "300".into(),
            "--no-charts".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        if parquet {
            a.extend(["--format".into(), "parquet".into()]);
        }
        a
    };
    let run = |a: Vec<String>| common::ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    run(args(&pq, true));
    run(args(&csv, false));
    assert!(!pq.join("timeseries.csv").exists() && !pq.join("runs.parquet").exists());
    let text = std::fs::read_to_string(csv.join("timeseries.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let csv_rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let got = rows(&pq.join("timeseries.parquet"));
    assert_eq!(got.len(), csv_rows.len());
    assert!(got.len() > 10);
    for (i, (row, c)) in got.iter().zip(&csv_rows).enumerate() {
        assert_eq!(row.len(), header.len());
        for ((n, f), (h, v)) in row.iter().zip(header.iter().zip(c)) {
            assert_eq!(n, h);
            assert!(same_as_csv(f, v), "step {i}, {n}: {f:?} vs {v:?}");
        }
    }
    let dict = std::fs::read_to_string(pq.join("columns.json")).unwrap();
    assert!(dict.contains("\"timeseries.parquet\"") && !dict.contains("\"timeseries.csv\""));
}
