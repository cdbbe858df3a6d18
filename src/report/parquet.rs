//! Parquet tables: the typed columns of [`crate::report::table`] written as a Parquet file as
//! the rows come, in memory that does not grow with the rows.
//!
//! A Parquet column chunk must be contiguous in the file while rows arrive with every column
//! interleaved, and the footer describes every row group. Buffering a row group's values in
//! memory therefore bounds the row group by memory (a few thousand rows of a wide table), and
//! the footer's description of each of those many small groups (about 1 KB per column chunk in
//! the parquet crate until the file is closed) grew the memory by 10 MB at 10^6 runs. So each
//! column is encoded and compressed a page at a time as rows come, and its pages wait in one
//! scratch file beside the table (unnamed on Unix) until the row group closes (at [`ROW_GROUP_BYTES`]
//! of pages or [`ROW_GROUP_ROWS`] rows), when they are copied into the table column by column.
//! Memory is then a batch of rows and a page per column; disk holds one row group twice at most.
//!
//! Types: [`ColumnType::UInt64`] is INT64 with the unsigned 64-bit integer logical type;
//! [`ColumnType::Int32Nullable`] is an OPTIONAL INT32 (null for a week that never came);
//! [`ColumnType::Float64`] an OPTIONAL DOUBLE and [`ColumnType::Float32`] an OPTIONAL FLOAT (null
//! for a missing value, the NaN that a CSV writes as an empty field); [`ColumnType::Bool`] BOOLEAN;
//! [`ColumnType::Category`] a UTF-8 string (BYTE_ARRAY, string logical type), dictionary
//! encoded, so a rung name costs a small index per row on disk. pandas reads a category column
//! as strings (object dtype): `pd.read_parquet(f).astype({"out.final_rung": "category"})`, or
//! pyarrow's `read_dictionary=[...]`, gives a categorical. Pages are compressed with Snappy.
//!
//! Each column's role, type, unit and description are stored as JSON in the file's key-value
//! metadata under [`COLUMNS_KEY`], so that the file carries its own data dictionary.

use crate::text::ShowPath;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::sync::Mutex;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::page::{CompressedPage, PageWriteSpec, PageWriter};
use parquet::column::writer::{ColumnWriter, get_column_writer};
use parquet::data_type::ByteArray;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::{ColumnPath, Type};

use crate::error::{Error, Result};
use crate::report::table::{Cell, Column, ColumnType};

/// The most rows in one row group (pyarrow's default).
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// The most bytes of encoded, compressed pages in one row group: a row group closes when its
/// pages reach this size, so that the scratch file holding them stays bounded (128 MiB, the
/// row-group size parquet-mr writes by default) and the row groups of a million runs of a
/// wide table stay few (three for 10^6 runs of the tutorial's 126 columns), and with them the
/// footer.
pub const ROW_GROUP_BYTES: u64 = 128 << 20;

/// Rows buffered as values before they are handed to the column encoders: large enough that an
/// encoder call does real work, small enough that a wide table's batch is a few megabytes.
const BATCH_ROWS: usize = 4096;

/// The most bytes of one data page before compression: every column of the open row group
/// has a page in progress, so this times the columns is the encoders' memory.
const PAGE_BYTES: usize = 16 << 10;

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
    // A missing real (NaN: the CSV's empty field) is a null, as a step that never came.
    F64 {
        values: Vec<f64>,
        defined: Vec<i16>,
    },
    F32 {
        values: Vec<f32>,
        defined: Vec<i16>,
    },
    Bool(Vec<bool>),
    Category {
        levels: Vec<ByteArray>,
        values: Vec<u32>,
    },
}

impl Buffer {
    fn of(ty: &ColumnType) -> Buffer {
        match ty {
            ColumnType::UInt64 => Buffer::U64(Vec::with_capacity(BATCH_ROWS)),
            ColumnType::Int32Nullable => Buffer::I32 {
                values: Vec::with_capacity(BATCH_ROWS),
                defined: Vec::with_capacity(BATCH_ROWS),
            },
            ColumnType::Float64 => Buffer::F64 {
                values: Vec::with_capacity(BATCH_ROWS),
                defined: Vec::with_capacity(BATCH_ROWS),
            },
            ColumnType::Float32 => Buffer::F32 {
                values: Vec::with_capacity(BATCH_ROWS),
                defined: Vec::with_capacity(BATCH_ROWS),
            },
            ColumnType::Bool => Buffer::Bool(Vec::with_capacity(BATCH_ROWS)),
            ColumnType::Category { levels } => Buffer::Category {
                levels: levels
                    .iter()
                    .map(|l| ByteArray::from(l.as_bytes().to_vec()))
                    .collect(),
                values: Vec::with_capacity(BATCH_ROWS),
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
            (Buffer::F64 { values, defined }, Cell::F64(x)) => {
                if !x.is_nan() {
                    values.push(x);
                }
                defined.push(i16::from(!x.is_nan()));
            }
            (Buffer::F32 { values, defined }, Cell::F32(x)) => {
                if !x.is_nan() {
                    values.push(x);
                }
                defined.push(i16::from(!x.is_nan()));
            }
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

    fn clear(&mut self) {
        match self {
            Buffer::U64(v) => v.clear(),
            Buffer::I32 { values, defined } => {
                values.clear();
                defined.clear();
            }
            Buffer::F64 { values, defined } => {
                values.clear();
                defined.clear();
            }
            Buffer::F32 { values, defined } => {
                values.clear();
                defined.clear();
            }
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

/// The encoded pages of the open row group, in one scratch file shared by every column's
/// encoder: pages of different columns interleave in the file, and each column keeps where its
/// own pages lie, so that its chunk can be read back in order.
struct Spill {
    file: std::fs::File,
    /// The bytes in the file.
    end: u64,
    /// For each column, its pages' (offset in the file, length), in the order written.
    pages: Vec<Vec<(u64, u64)>>,
    /// The first error the system gave writing the file (a full disk).
    error: Option<std::io::Error>,
}

impl Spill {
    /// Creates the scratch file beside `path` (on the table's own disk, which must hold the
    /// table anyway), or in the system's temporary folder when the table's folder takes no
    /// other file (a device such as /dev/full); never over an existing file. On Unix its name
    /// is removed at once: the open file stays usable, and nothing is left behind however brink
    /// ends (a signal, a crash); on Windows the system removes it when it is closed; elsewhere
    /// it is removed when the writer is dropped.
    fn create(path: &Path, columns: usize) -> std::io::Result<(Spill, Option<PathBuf>)> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!(".{name}.pages-{}", std::process::id());
        let open = |scratch: &Path| {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            // Windows cannot remove an open file's name: it removes the file when it is closed
            // (FILE_FLAG_DELETE_ON_CLOSE), however brink ends.
            #[cfg(windows)]
            std::os::windows::fs::OpenOptionsExt::custom_flags(&mut options, 0x0400_0000);
            options.open(scratch)
        };
        let beside = path.with_file_name(&name);
        let (file, scratch) = match open(&beside) {
            Ok(f) => (f, beside),
            Err(e) => {
                let temp = std::env::temp_dir().join(&name);
                match open(&temp) {
                    Ok(f) => (f, temp),
                    Err(_) => return Err(e),
                }
            }
        };
        let kept = if cfg!(unix) {
            std::fs::remove_file(&scratch)?;
            None
        } else if cfg!(windows) {
            None
        } else {
            Some(scratch)
        };
        let spill = Spill {
            file,
            end: 0,
            pages: vec![vec![]; columns],
            error: None,
        };
        Ok((spill, kept))
    }

    /// Appends one column's page; returns its offset within the column's chunk.
    fn put(&mut self, column: usize, bytes: &[u8]) -> std::io::Result<u64> {
        use std::io::{Seek, SeekFrom};
        let r = (&self.file)
            .seek(SeekFrom::Start(self.end))
            .and_then(|_| (&self.file).write_all(bytes));
        if let Err(e) = r {
            let shown = std::io::Error::new(e.kind(), e.to_string());
            self.error.get_or_insert(e);
            return Err(shown);
        }
        // The page starts where the column's earlier pages end, within its chunk.
        let at = self.pages[column].iter().map(|p| p.1).sum();
        self.pages[column].push((self.end, bytes.len() as u64));
        self.end += bytes.len() as u64;
        Ok(at)
    }

    /// Empties the file for the next row group.
    fn clear(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.end = 0;
        self.pages.iter_mut().for_each(Vec::clear);
        Ok(())
    }
}

/// One column's page writer: it serializes each page (header and compressed data) as the
/// parquet crate's own page writer does, and puts it in the shared scratch file.
struct SpillPages {
    spill: Arc<Mutex<Spill>>,
    column: usize,
}

impl PageWriter for SpillPages {
    fn write_page(&mut self, page: CompressedPage) -> parquet::errors::Result<PageWriteSpec> {
        let mut bytes = TrackedWrite::new(Vec::with_capacity(page.compressed_size() + 64));
        let mut spec = SerializedPageWriter::new(&mut bytes).write_page(page)?;
        // The crate's writer buffers what it writes: its bytes are in the vector once flushed.
        let bytes = bytes.into_inner()?;
        let mut spill = self
            .spill
            .lock()
            .map_err(|_| parquet::errors::ParquetError::General("scratch file poisoned".into()))?;
        spec.offset = spill.put(self.column, &bytes)?;
        Ok(spec)
    }

    fn close(&mut self) -> parquet::errors::Result<()> {
        Ok(())
    }
}

/// One column's chunk in the scratch file, read back in order as if it were contiguous.
struct SpillChunk<'a> {
    file: &'a std::fs::File,
    pages: &'a [(u64, u64)],
}

impl parquet::file::reader::Length for SpillChunk<'_> {
    fn len(&self) -> u64 {
        self.pages.iter().map(|p| p.1).sum()
    }
}

impl<'a> parquet::file::reader::ChunkReader for SpillChunk<'a> {
    type T = SpillRead<'a>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<SpillRead<'a>> {
        let mut read = SpillRead {
            file: self.file,
            pages: self.pages,
            page: 0,
            within: 0,
        };
        // Skip to `start` (always 0 here: a chunk is read from its first page).
        let mut left = start;
        while read.page < self.pages.len() && left >= self.pages[read.page].1 {
            left -= self.pages[read.page].1;
            read.page += 1;
        }
        read.within = left;
        Ok(read)
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut out = vec![0; length];
        std::io::Read::read_exact(&mut self.get_read(start)?, &mut out)?;
        Ok(out.into())
    }
}

/// Reads a column's pages one after the other.
struct SpillRead<'a> {
    file: &'a std::fs::File,
    pages: &'a [(u64, u64)],
    page: usize,
    within: u64,
}

impl std::io::Read for SpillRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::{Seek, SeekFrom};
        while self.page < self.pages.len() && self.within == self.pages[self.page].1 {
            self.page += 1;
            self.within = 0;
        }
        let Some(&(at, len)) = self.pages.get(self.page) else {
            return Ok(0);
        };
        let want = buf.len().min((len - self.within) as usize);
        let mut file = self.file;
        file.seek(SeekFrom::Start(at + self.within))?;
        let n = file.read(&mut buf[..want])?;
        if n == 0 && want > 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the scratch file ended early",
            ));
        }
        self.within += n as u64;
        Ok(n)
    }
}

/// Writes a table of typed columns as a Parquet file, a row at a time, in memory that does not
/// grow with the rows (see the module's documentation).
pub struct ParquetWriter {
    path: PathBuf,
    columns: Vec<Column>,
    /// The rows not yet given to the encoders.
    buffers: Vec<Buffer>,
    buffered: usize,
    /// The most rows in a row group.
    group_rows: usize,
    /// The rows given to the open row group's encoders.
    group_written: usize,
    /// The open row group's encoders, one per column (none before the first row of a group).
    encoders: Vec<ColumnWriter<'static>>,
    spill: Arc<Mutex<Spill>>,
    /// The scratch file's name where the system does not remove it (neither Unix nor Windows).
    scratch: Option<PathBuf>,
    writer: SerializedFileWriter<Recorded<std::io::BufWriter<std::fs::File>>>,
}

impl ParquetWriter {
    /// Creates (or truncates) the file at `path` for a table of `columns`. The columns must be
    /// at least one, with distinct names.
    pub fn create(path: &Path, columns: &[Column]) -> Result<Self> {
        if columns.is_empty() {
            return Err(Error::Input(format!(
                "cannot write {}: a Parquet table needs at least one column",
                path.shown()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(c) = columns.iter().find(|c| !seen.insert(c.name.as_str())) {
            return Err(Error::Input(format!(
                "cannot write {}: two columns are named {:?}; each column needs its own name",
                path.shown(),
                c.name
            )));
        }
        let schema = schema(columns).map_err(|e| failed(path, e))?;
        let dictionary = serde_json::to_string(columns)
            .map_err(|e| Error::encode(format!("the columns of {}", path.shown()), e))?;
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            // Statistics per column chunk only: a page-level column index is held in memory
            // until the footer, and grows with every row group of a large run.
            .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Chunk)
            // No offset index either: it locates every page of every column, and the crate
            // holds it until the footer, so it grows with the rows (2 MB at 10^6 runs of the
            // tutorial); readers use it only to skip pages within a column chunk.
            .set_offset_index_disabled(true)
            .set_dictionary_enabled(false)
            .set_data_page_size_limit(PAGE_BYTES)
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
        let (spill, scratch) =
            Spill::create(path, columns.len()).map_err(|e| Error::io("write", path, e))?;
        Ok(ParquetWriter {
            path: path.to_path_buf(),
            columns: columns.to_vec(),
            buffers: columns.iter().map(|c| Buffer::of(&c.ty)).collect(),
            buffered: 0,
            group_rows: ROW_GROUP_ROWS,
            group_written: 0,
            encoders: vec![],
            spill: Arc::new(Mutex::new(spill)),
            scratch,
            writer,
        })
    }

    /// The number of columns (cells per row).
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// Sets the most rows per row group (at least 1), before any row is written. Unless set, a
    /// row group closes at [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] of pages.
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
                self.path.shown(),
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
                self.path.shown(),
                c.name
            )));
        }
        for (b, &cell) in self.buffers.iter_mut().zip(row) {
            b.push(cell).map_err(|e| Error::Failed(e.to_string()))?;
        }
        self.buffered += 1;
        if self.buffered >= BATCH_ROWS || self.group_written + self.buffered >= self.group_rows {
            self.encode_batch()?;
        }
        Ok(())
    }

    /// Gives the buffered rows to the open row group's encoders (opening one if none is open),
    /// and closes the row group when it is full.
    fn encode_batch(&mut self) -> Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        if self.encoders.is_empty() {
            let descr = self.writer.schema_descr();
            let props = self.writer.properties();
            self.encoders = (0..self.columns.len())
                .map(|i| {
                    let pages = SpillPages {
                        spill: self.spill.clone(),
                        column: i,
                    };
                    get_column_writer(descr.column(i), props.clone(), Box::new(pages))
                })
                .collect();
        }
        if let Err(e) = encode(&mut self.encoders, &self.buffers) {
            let path = self.path.clone();
            return Err(self.error(&path, e));
        }
        for b in &mut self.buffers {
            b.clear();
        }
        self.group_written += self.buffered;
        self.buffered = 0;
        let pages = self.spill.lock().map(|s| s.end).unwrap_or(0);
        if self.group_written >= self.group_rows || pages >= ROW_GROUP_BYTES {
            self.close_group()?;
        }
        Ok(())
    }

    /// Writes the open row group: each column's pages, copied from the scratch file.
    fn close_group(&mut self) -> Result<()> {
        if self.encoders.is_empty() {
            return Ok(());
        }
        let r = (|| -> parquet::errors::Result<()> {
            let mut closed = Vec::with_capacity(self.encoders.len());
            for e in self.encoders.drain(..) {
                closed.push(e.close()?);
            }
            let spill = self.spill.lock().map_err(|_| {
                parquet::errors::ParquetError::General("scratch file poisoned".into())
            })?;
            let mut group = self.writer.next_row_group()?;
            for (i, close) in closed.into_iter().enumerate() {
                let chunk = SpillChunk {
                    file: &spill.file,
                    pages: &spill.pages[i],
                };
                group.append_column(&chunk, close)?;
            }
            group.close()?;
            Ok(())
        })();
        if let Err(e) = r {
            let path = self.path.clone();
            return Err(self.error(&path, e));
        }
        self.group_written = 0;
        match self.spill.lock() {
            Ok(mut s) => s.clear().map_err(|e| Error::io("write", &self.path, e)),
            Err(_) => Err(failed(&self.path, "scratch file poisoned")),
        }
    }

    /// The error of a failed write: the system's own (a full disk) when there was one.
    fn error(&mut self, path: &Path, e: parquet::errors::ParquetError) -> Error {
        let spilled = self.spill.lock().ok().and_then(|mut s| s.error.take());
        match spilled.or_else(|| self.writer.inner_mut().error.take()) {
            Some(io) => Error::io("write", path, io),
            None => failed(path, e),
        }
    }

    /// Writes the last row group and the footer, and flushes the file. A file whose writer is
    /// dropped without `finish` has no footer and is not a Parquet file.
    pub fn finish(mut self) -> Result<()> {
        self.encode_batch()?;
        self.close_group()?;
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

impl Drop for ParquetWriter {
    fn drop(&mut self) {
        // Only where the scratch file's name could not be removed when it was made: it is
        // brink's own file.
        if let Some(scratch) = self.scratch.take() {
            let _ = std::fs::remove_file(scratch);
        }
    }
}

/// Gives each column's buffered values to its encoder.
fn encode(
    encoders: &mut [ColumnWriter<'static>],
    buffers: &[Buffer],
) -> parquet::errors::Result<()> {
    for (col, b) in encoders.iter_mut().zip(buffers) {
        match (col, b) {
            (ColumnWriter::Int64ColumnWriter(w), Buffer::U64(v)) => w.write_batch(v, None, None)?,
            (ColumnWriter::Int32ColumnWriter(w), Buffer::I32 { values, defined }) => {
                w.write_batch(values, Some(defined), None)?
            }
            (ColumnWriter::DoubleColumnWriter(w), Buffer::F64 { values, defined }) => {
                w.write_batch(values, Some(defined), None)?
            }
            (ColumnWriter::FloatColumnWriter(w), Buffer::F32 { values, defined }) => {
                w.write_batch(values, Some(defined), None)?
            }
            (ColumnWriter::BoolColumnWriter(w), Buffer::Bool(v)) => w.write_batch(v, None, None)?,
            (ColumnWriter::ByteArrayColumnWriter(w), Buffer::Category { levels, values }) => {
                // A name shares its level's bytes.
                let names: Vec<ByteArray> =
                    values.iter().map(|&i| levels[i as usize].clone()).collect();
                w.write_batch(&names, None, None)?
            }
            _ => {
                return Err(parquet::errors::ParquetError::General(
                    "a column's encoder is not of its type".into(),
                ));
            }
        };
    }
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
    Error::Failed(format!("cannot write {} as Parquet: {e}", path.shown()))
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
                // OPTIONAL: a missing real is a null (see `Buffer`).
                ColumnType::Float64 => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
                ColumnType::Float32 => (PhysicalType::FLOAT, None, Repetition::OPTIONAL),
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
