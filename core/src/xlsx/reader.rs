//! Streaming reader of an accounts sheet: picks the sheet, maps the header row,
//! and hands each non-blank data row to a [`RowSink`] without holding the sheet.
//!
//! The sheet read is the one named `accounts` (any case) or else the first one.
//! The header is the first non-blank row. Blank rows (no value in any known
//! column) are skipped wherever they are. A sheet with more data rows than the
//! caller's limit is refused as soon as the limit is passed, so a 1,048,576-row
//! file costs neither the memory nor the time of reading it whole.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{Reader, Xlsx, XlsxError};

use super::cells::{number_text, Cell};
use super::columns::{Column, HeaderMap, COLUMN_COUNT};
use super::inflate_ahead::{first_damaged_part, InflatedArchive};
use crate::error::{Error, Result};

/// One non-blank data row: its 1-based sheet row number and a cell per known
/// column ([`Cell::Empty`] where the sheet has no such column or no value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SheetRow {
    /// 1-based row number as the spreadsheet shows it (or line number for text).
    pub(crate) number: u32,
    /// Cells indexed by [`Column::index`].
    pub(crate) cells: [Cell; COLUMN_COUNT],
}

impl SheetRow {
    /// An empty row with this number.
    pub(crate) fn new(number: u32) -> SheetRow {
        SheetRow {
            number,
            cells: std::array::from_fn(|_| Cell::Empty),
        }
    }

    /// The cell of a known column.
    #[cfg(test)]
    pub(crate) fn cell(&self, column: Column) -> &Cell {
        &self.cells[column.index()]
    }

    /// Takes the cell of a known column out of the row, leaving it empty.
    pub(crate) fn take(&mut self, column: Column) -> Cell {
        std::mem::replace(&mut self.cells[column.index()], Cell::Empty)
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// Receives a sheet as it is read: its header once, then each data row in order.
pub(crate) trait RowSink {
    /// About how many data rows follow, as the file itself claims (capped by
    /// the caller's row limit). Only a sizing hint: it may be wrong either way.
    fn expect_rows(&mut self, _rows: usize) {}
    /// The chosen sheet's name and header layout, before any row.
    fn header(&mut self, sheet: &str, map: &HeaderMap);
    /// One non-blank data row.
    fn row(&mut self, row: SheetRow);
    /// A row that could not even be split into cells (legacy text), with the reason.
    fn invalid(&mut self, row: u32, reason: String);
}

/// Reads the accounts sheet of the xlsx file at `path` into `sink`.
///
/// File-level problems (not a workbook, encrypted, no sheets, no `username`
/// header, duplicate headers, too many rows, damaged) are `Error::Import`.
pub(crate) fn read_sheet(path: &Path, max_rows: usize, sink: &mut dyn RowSink) -> Result<()> {
    let fail = |message: String| Error::import(path.display().to_string(), message);
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    check_signature(&mut file).map_err(|e| match e {
        Signature::Io(e) => Error::io(path, e),
        Signature::Wrong(message) => fail(message),
    })?;
    let input = match InflatedArchive::open(path) {
        Some(archive) => Input::Inflated(Box::new(archive)),
        None => Input::Plain(BufReader::new(file)),
    };
    let mut workbook: Xlsx<_> =
        Xlsx::new(input).map_err(|e| fail(open_message(&e)).with_source(e))?;
    let names = workbook.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim().eq_ignore_ascii_case("accounts"))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| fail("the workbook has no sheets".into()))?;
    let in_sheet = |message: String| fail(format!("sheet '{sheet}': {message}"));
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| in_sheet(read_message(&e)).with_source(e))?;

    let claimed = cells.dimensions();
    sink.expect_rows((claimed.end.0.saturating_sub(claimed.start.0) as usize).min(max_rows));
    let mut rows = Assembler {
        sheet: &sheet,
        max_rows,
        state: State::Header(Vec::new()),
        current: SheetRow::new(0),
        pending: None,
        data_rows: 0,
    };
    while let Some(mut record) = cells
        .next_cell_with_formula_metadata()
        .map_err(|e| in_sheet(checked_read_message(path, &e)).with_source(e))?
    {
        let (row, col) = record.pos;
        if rows.pending.is_some_and(|r| r != row) {
            rows.finish_row(sink).map_err(in_sheet)?;
        }
        rows.pending = Some(row);
        let cell = Cell::from_calamine(&mut record.value, record.formula.is_some());
        rows.add(col, cell);
    }
    if rows.pending.is_some() {
        rows.finish_row(sink).map_err(in_sheet)?;
    }
    match rows.state {
        State::Header(_) => Err(in_sheet("the sheet is empty (no header row)".into())),
        State::Data(_) => Ok(()),
    }
}

/// Where the reader is in the sheet.
enum State {
    /// Before the header: the cells of the row being read.
    Header(Vec<(u32, String)>),
    /// After the header: sheet column → known column.
    Data(Vec<Option<Column>>),
}

/// Groups streamed cells into rows and hands finished rows on.
struct Assembler<'a> {
    sheet: &'a str,
    max_rows: usize,
    state: State,
    current: SheetRow,
    /// 0-based sheet row of the cells gathered so far, if any.
    pending: Option<u32>,
    data_rows: usize,
}

impl Assembler<'_> {
    fn add(&mut self, col: u32, cell: Cell) {
        match &mut self.state {
            State::Header(cells) => cells.push((col, header_text(cell))),
            State::Data(lookup) => {
                if let Some(Some(column)) = lookup.get(col as usize) {
                    self.current.cells[column.index()] = cell;
                }
            }
        }
    }

    /// Ends the pending row: maps it as the header, or emits it as data.
    fn finish_row(&mut self, sink: &mut dyn RowSink) -> std::result::Result<(), String> {
        let number = self.pending.take().map_or(0, |r| r + 1);
        match &mut self.state {
            State::Header(cells) => {
                if cells.iter().all(|(_, t)| t.trim().is_empty()) {
                    cells.clear();
                    return Ok(());
                }
                let map = HeaderMap::from_cells(cells).map_err(|m| format!("row {number}: {m}"))?;
                sink.header(self.sheet, &map);
                self.state = State::Data(map.lookup());
                Ok(())
            }
            State::Data(_) => {
                let mut done = std::mem::replace(&mut self.current, SheetRow::new(0));
                if done.is_blank() {
                    return Ok(());
                }
                self.data_rows += 1;
                if self.data_rows > self.max_rows {
                    return Err(format!(
                        "more than {} data rows (row {number} is past the limit); \
                         split the file or raise the import row limit",
                        self.max_rows
                    ));
                }
                done.number = number;
                sink.row(done);
                Ok(())
            }
        }
    }
}

/// Header cells are read as text; a number header becomes its decimal text.
fn header_text(cell: Cell) -> String {
    match cell {
        Cell::Text(s) => s.into_string(),
        Cell::Number(f) => number_text(f),
        _ => String::new(),
    }
}

enum Signature {
    Io(std::io::Error),
    Wrong(String),
}

/// Refuses files that are not zip archives before the zip reader sees them, with
/// a reason a person can act on (an encrypted workbook is an OLE2 container).
fn check_signature(file: &mut File) -> std::result::Result<(), Signature> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]).map_err(Signature::Io)? {
            0 => break,
            n => got += n,
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(Signature::Io)?;
    let head = &head[..got];
    if head.starts_with(OLE2) {
        return Err(Signature::Wrong(
            "the file is an OLE2 container, not an xlsx zip: a password-protected (encrypted) \
             workbook or an old .xls file; remove the password / save as .xlsx and retry"
                .into(),
        ));
    }
    if got == 0 {
        return Err(Signature::Wrong("the file is empty".into()));
    }
    if !head.starts_with(ZIP) {
        return Err(Signature::Wrong(
            "not an xlsx file (an xlsx workbook is a zip archive; this file is not one)".into(),
        ));
    }
    Ok(())
}

/// A person-readable reason for a workbook that cannot be opened.
fn open_message(error: &XlsxError) -> String {
    match error {
        XlsxError::Password => {
            "the workbook is password-protected (encrypted); remove the password and retry".into()
        }
        XlsxError::Zip(e) => format!("the zip archive is damaged or truncated ({e})"),
        XlsxError::FileNotFound(part) => format!(
            "a zip archive but not an xlsx workbook (it has no {part}); \
             export the sheet as .xlsx"
        ),
        XlsxError::RelationshipNotFound => {
            "a zip archive but not an xlsx workbook (no workbook relationships)".into()
        }
        other => format!("cannot read the workbook: {other}"),
    }
}

/// [`read_message`], except that a sheet whose bytes fail their checksum is
/// called damaged: damaged compressed data often inflates to garbage that the
/// XML reader trips over before the zip reader reaches the checksum.
fn checked_read_message(path: &Path, error: &XlsxError) -> String {
    if zip_failure(error).is_none() {
        if let Some(why) = first_damaged_part(path) {
            return format!("the zip archive is damaged ({why})");
        }
    }
    read_message(error)
}

/// A person-readable reason for a sheet that cannot be read to its end.
fn read_message(error: &XlsxError) -> String {
    if let Some(why) = zip_failure(error) {
        return format!("the zip archive is damaged or truncated ({why})");
    }
    match error {
        XlsxError::XmlEof(what) => {
            format!("the sheet data ends early (inside <{what}>); the file is damaged or truncated")
        }
        XlsxError::NotAWorksheet(kind) => format!("is not a worksheet (it is a {kind})"),
        other => format!("cannot read the sheet: {other}"),
    }
}

/// The workbook file, read through [`InflatedArchive`] when it can show it.
enum Input {
    Inflated(Box<InflatedArchive>),
    Plain(BufReader<File>),
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Input::Inflated(archive) => archive.read(buf),
            Input::Plain(file) => file.read(buf),
        }
    }
}

impl Seek for Input {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        match self {
            Input::Inflated(archive) => archive.seek(to),
            Input::Plain(file) => file.seek(to),
        }
    }
}

/// Why the zip reader under calamine failed, if that is what the error is.
fn zip_failure(error: &XlsxError) -> Option<String> {
    match error {
        XlsxError::Zip(e) => Some(e.to_string()),
        XlsxError::Io(e) => Some(e.to_string()),
        XlsxError::Xml(xml) => io_cause(xml).map(ToString::to_string),
        _ => None,
    }
}

/// The I/O error behind an XML reader's error, if that is what it was: the zip
/// reader under it failing on damaged or truncated bytes.
fn io_cause<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e std::io::Error> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        if let Some(io) = e.downcast_ref::<std::sync::Arc<std::io::Error>>() {
            return Some(io);
        }
        cause = e.source();
    }
    None
}
