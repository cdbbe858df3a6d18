//! Parquet tables: the typed columns of [`crate::report::table`] written as a Parquet file, in
//! row groups of a fixed number of rows, so that a table of a million runs takes the memory of
//! one row group, not of the whole table.
//!
//! Types: [`ColumnType::UInt64`] is INT64 with the unsigned 64-bit integer logical type;
//! [`ColumnType::Int32Nullable`] is an OPTIONAL INT32 (null for a week that never came);
//! [`ColumnType::Float64`] DOUBLE; [`ColumnType::Float32`] FLOAT; [`ColumnType::Bool`] BOOLEAN;
//! [`ColumnType::Category`] a UTF-8 string (BYTE_ARRAY, string logical type), dictionary
//! encoded, so a rung name costs a small index per row on disk. pandas reads a category column
//! as strings (object dtype): `pd.read_parquet(f).astype({"out.final_rung": "category"})`, or
//! pyarrow's `read_dictionary=[...]`, gives a categorical. Pages are compressed with Snappy.
//!
//! Each column's role, type, unit and description are stored as JSON in the file's key-value
//! metadata under [`COLUMNS_KEY`], so that the file carries its own data dictionary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type};

use crate::error::{Error, Result};
use crate::report::table::{Cell, Column, ColumnType};

/// The most rows in one row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// The memory the buffered rows of a row group may take: a row group holds at most this many
/// bytes of values (and at least 1,024 rows), so that a wide table (a hundred columns or more)
/// buffers a few megabytes, not the 60 MB that 65,536 of its rows take; memory is then the
/// same at 10^4 runs as at 10^6 (benches/parquet_memory.rs).
pub const ROW_GROUP_BYTES: usize = 8 << 20;

/// The key of the file's key-value metadata that holds its columns as JSON (name, role, type
/// with its levels, unit, description), as in `columns.json`.
pub const COLUMNS_KEY: &str = "brink.columns";

/// The buffered values of one column of the current row group.
enum Buffer {
    U64(Vec<i64>),
    I32 {
        values: Vec<i32>,
        defined: Vec<i16>,
    },
    F64(Vec<f64>),
    F32(Vec<f32>),
    Bool(Vec<bool>),
    Category {
        levels: Vec<ByteArray>,
        values: Vec<u32>,
    },
}

impl Buffer {
    fn of(ty: &ColumnType) -> Buffer {
        match ty {
            ColumnType::UInt64 => Buffer::U64(vec![]),
            ColumnType::Int32Nullable => Buffer::I32 {
                values: vec![],
                defined: vec![],
            },
            ColumnType::Float64 => Buffer::F64(vec![]),
            ColumnType::Float32 => Buffer::F32(vec![]),
            ColumnType::Bool => Buffer::Bool(vec![]),
            ColumnType::Category { levels } => Buffer::Category {
                levels: levels
                    .iter()
                    .map(|l| ByteArray::from(l.as_bytes().to_vec()))
                    .collect(),
                values: vec![],
            },
        }
    }

    /// Adds a cell, or says why it does not fit the column.
    fn push(&mut self, cell: Cell) -> std::result::Result<(), String> {
        match (self, cell) {
            // Parquet stores an unsigned 64-bit integer in INT64's bits.
            (Buffer::U64(v), Cell::U64(x)) => v.push(x as i64),
            (Buffer::I32 { values, defined }, Cell::I32(x)) => match x {
                Some(x) => {
                    values.push(x);
                    defined.push(1);
                }
                None => defined.push(0),
            },
            (Buffer::F64(v), Cell::F64(x)) => v.push(x),
            (Buffer::F32(v), Cell::F32(x)) => v.push(x),
            (Buffer::Bool(v), Cell::Bool(x)) => v.push(x),
            (Buffer::Category { levels, values }, Cell::Category(i)) => {
                if i as usize >= levels.len() {
                    return Err(format!(
                        "level {i} of a category with {} levels",
                        levels.len()
                    ));
                }
                values.push(i);
            }
            (_, c) => return Err(format!("a cell of the wrong type ({c:?})")),
        }
        Ok(())
    }

    /// The bytes one row takes in the buffer.
    fn row_bytes(ty: &ColumnType) -> usize {
        match ty {
            ColumnType::UInt64 | ColumnType::Float64 => 8,
            ColumnType::Int32Nullable => 6,
            ColumnType::Float32 | ColumnType::Category { .. } => 4,
            ColumnType::Bool => 1,
        }
    }

    fn clear(&mut self) {
        match self {
            Buffer::U64(v) => v.clear(),
            Buffer::I32 { values, defined } => {
                values.clear();
                defined.clear();
            }
            Buffer::F64(v) => v.clear(),
            Buffer::F32(v) => v.clear(),
            Buffer::Bool(v) => v.clear(),
            Buffer::Category { values, .. } => values.clear(),
        }
    }
}

/// A file that keeps the first error the system gave, so that a failed write (a full disk)
/// is reported as what the system said rather than as the Parquet library's wrapping of it.
struct Recorded<W: Write> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Recorded<W> {
    fn keep<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        r.map_err(|e| {
            let shown = std::io::Error::new(e.kind(), e.to_string());
            if self.error.is_none() {
                self.error = Some(e);
            }
            shown
        })
    }
}

impl<W: Write> Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.keep(r)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.keep(r)
    }
}

/// Writes a table of typed columns as a Parquet file, a row at a time, holding at most one row
/// group of rows in memory.
pub struct ParquetWriter {
    path: PathBuf,
    columns: Vec<Column>,
    buffers: Vec<Buffer>,
    buffered: usize,
    group_rows: usize,
    writer: SerializedFileWriter<Recorded<std::io::BufWriter<std::fs::File>>>,
}

impl ParquetWriter {
    /// Creates (or truncates) the file at `path` for a table of `columns`. The columns must be
    /// at least one, with distinct names.
    pub fn create(path: &Path, columns: &[Column]) -> Result<Self> {
        if columns.is_empty() {
            return Err(Error::Input(format!(
                "cannot write {}: a Parquet table needs at least one column",
                path.display()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(c) = columns.iter().find(|c| !seen.insert(c.name.as_str())) {
            return Err(Error::Input(format!(
                "cannot write {}: two columns are named {:?}; each column needs its own name",
                path.display(),
                c.name
            )));
        }
        let schema = schema(columns).map_err(|e| failed(path, e))?;
        let dictionary = serde_json::to_string(columns)
            .map_err(|e| Error::encode(format!("the columns of {}", path.display()), e))?;
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            // Statistics per column chunk only: a page-level column index is held in memory
            // until the footer, and grows with every row group of a large run.
            .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Chunk)
            .set_dictionary_enabled(false)
            .set_created_by(format!("brink {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                COLUMNS_KEY.to_string(),
                dictionary,
            )]));
        for c in columns {
            if matches!(c.ty, ColumnType::Category { .. }) {
                props = props
                    .set_column_dictionary_enabled(ColumnPath::new(vec![c.name.clone()]), true);
            }
        }
        let file = std::fs::File::create(path).map_err(|e| Error::io("write", path, e))?;
        let sink = Recorded {
            inner: std::io::BufWriter::new(file),
            error: None,
        };
        let writer = SerializedFileWriter::new(sink, Arc::new(schema), Arc::new(props.build()))
            .map_err(|e| failed(path, e))?;
        Ok(ParquetWriter {
            path: path.to_path_buf(),
            columns: columns.to_vec(),
            buffers: columns.iter().map(|c| Buffer::of(&c.ty)).collect(),
            buffered: 0,
            group_rows: (ROW_GROUP_BYTES
                / columns
                    .iter()
                    .map(|c| Buffer::row_bytes(&c.ty))
                    .sum::<usize>())
            .clamp(1024, ROW_GROUP_ROWS),
            writer,
        })
    }

    /// The number of columns (cells per row).
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// Sets the rows per row group (at least 1), before any row is written. Unless set, a row
    /// group holds [`ROW_GROUP_BYTES`] of values, between 1,024 and [`ROW_GROUP_ROWS`] rows.
    pub fn with_row_group_rows(mut self, rows: usize) -> Self {
        self.group_rows = rows.max(1);
        self
    }

    /// Adds one row: a cell for each column, of the column's type. A row that does not fit the
    /// columns is refused whole (nothing of it is kept).
    pub fn write_row(&mut self, row: &[Cell]) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(Error::Failed(format!(
                "cannot write {}: a row of {} cells for {} columns",
                self.path.display(),
                row.len(),
                self.columns.len()
            )));
        }
        if let Some((c, cell)) = self
            .columns
            .iter()
            .zip(row)
            .find(|(c, cell)| !fits(&c.ty, **cell))
        {
            return Err(Error::Failed(format!(
                "cannot write {}: column {:?} cannot hold {cell:?}",
                self.path.display(),
                c.name
            )));
        }
        for (b, &cell) in self.buffers.iter_mut().zip(row) {
            b.push(cell).map_err(|e| Error::Failed(e.to_string()))?;
        }
        self.buffered += 1;
        if self.buffered >= self.group_rows {
            self.flush_group()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush_group(&mut self) -> Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        if let Err(e) = write_group(&mut self.writer, &self.buffers) {
            let path = self.path.clone();
            return Err(self.error(&path, e));
        }
        for b in &mut self.buffers {
            b.clear();
        }
        self.buffered = 0;
        Ok(())
    }

    /// The error of a failed write: the system's own (a full disk) when there was one.
    fn error(&mut self, path: &Path, e: parquet::errors::ParquetError) -> Error {
        match self.writer.inner_mut().error.take() {
            Some(io) => Error::io("write", path, io),
            None => failed(path, e),
        }
    }

    /// Writes the last row group and the footer, and flushes the file. A file whose writer is
    /// dropped without `finish` has no footer and is not a Parquet file.
    pub fn finish(mut self) -> Result<()> {
        self.flush_group()?;
        let path = self.path.clone();
        if let Err(e) = self.writer.finish() {
            return Err(self.error(&path, e));
        }
        // The footer is written; what the buffer still holds goes to the file now, so that a
        // full disk is an error here rather than lost in a drop.
        let sink = self.writer.inner_mut();
        match sink.flush() {
            Ok(()) => Ok(()),
            Err(e) => Err(Error::io("write", path, sink.error.take().unwrap_or(e))),
        }
    }
}

/// Writes buffered columns as one row group.
fn write_group<W: Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    buffers: &[Buffer],
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    for b in buffers {
        let Some(mut col) = group.next_column()? else {
            return Err(parquet::errors::ParquetError::General(
                "fewer columns in the schema than buffered".into(),
            ));
        };
        match b {
            Buffer::U64(v) => col.typed::<Int64Type>().write_batch(v, None, None)?,
            Buffer::I32 { values, defined } => {
                col.typed::<Int32Type>()
                    .write_batch(values, Some(defined), None)?
            }
            Buffer::F64(v) => col.typed::<DoubleType>().write_batch(v, None, None)?,
            Buffer::F32(v) => col.typed::<FloatType>().write_batch(v, None, None)?,
            Buffer::Bool(v) => col.typed::<BoolType>().write_batch(v, None, None)?,
            Buffer::Category { levels, values } => {
                // The names are built a page's worth at a time (a name shares its level's bytes).
                let w = col.typed::<ByteArrayType>();
                let mut names = Vec::with_capacity(values.len().min(4096));
                for part in values.chunks(4096) {
                    names.clear();
                    names.extend(part.iter().map(|&i| levels[i as usize].clone()));
                    w.write_batch(&names, None, None)?;
                }
                values.len()
            }
        };
        col.close()?;
    }
    group.close()?;
    Ok(())
}

/// Whether a cell is of the column's type (and, for a category, one of its levels).
fn fits(ty: &ColumnType, cell: Cell) -> bool {
    match (ty, cell) {
        (ColumnType::UInt64, Cell::U64(_))
        | (ColumnType::Int32Nullable, Cell::I32(_))
        | (ColumnType::Float64, Cell::F64(_))
        | (ColumnType::Float32, Cell::F32(_))
        | (ColumnType::Bool, Cell::Bool(_)) => true,
        (ColumnType::Category { levels }, Cell::Category(i)) => (i as usize) < levels.len(),
        _ => false,
    }
}

fn failed(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Failed(format!("cannot write {} as Parquet: {e}", path.display()))
}

/// The Parquet schema of a table: one flat field per column, in order.
fn schema(columns: &[Column]) -> parquet::errors::Result<Type> {
    let fields = columns
        .iter()
        .map(|c| {
            let (physical, logical, repetition) = match &c.ty {
                ColumnType::UInt64 => (
                    PhysicalType::INT64,
                    Some(LogicalType::integer(64, false)),
                    Repetition::REQUIRED,
                ),
                ColumnType::Int32Nullable => (
                    PhysicalType::INT32,
                    Some(LogicalType::integer(32, true)),
                    Repetition::OPTIONAL,
                ),
                ColumnType::Float64 => (PhysicalType::DOUBLE, None, Repetition::REQUIRED),
                ColumnType::Float32 => (PhysicalType::FLOAT, None, Repetition::REQUIRED),
                ColumnType::Bool => (PhysicalType::BOOLEAN, None, Repetition::REQUIRED),
                ColumnType::Category { .. } => (
                    PhysicalType::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::REQUIRED,
                ),
            };
            Type::primitive_type_builder(&c.name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    Type::group_type_builder("brink")
        .with_fields(fields)
        .build()
}
