//! The legacy text format TikMatrix used: one account a line,
//! `email##pwd##username##device_index`, any field may be empty.
//!
//! Lines may also stop after `username`. Blank lines and a header line naming the
//! four columns are skipped; a line with another number of fields is a row error
//! (its text is never quoted: it holds a password). The device index binds the
//! account to the registered phone with that number, as in a sheet.
//!
//! The file is read a line at a time: a line longer than [`MAX_LINE_BYTES`] is
//! refused as soon as that many bytes are read, so memory stays flat.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::cells::Cell;
use super::columns::{Column, HeaderMap};
use super::reader::{RowSink, SheetRow};
use crate::error::{Error, Result};

/// The fields of a line, in order.
const LAYOUT: [Column; 4] = [
    Column::Email,
    Column::Pwd,
    Column::Username,
    Column::DeviceIndex,
];

/// Most bytes a line may take: four fields of the longest text allowed,
/// with room to spare. A longer line is refused before it is held whole.
pub(crate) const MAX_LINE_BYTES: usize = 64 << 10;

/// Reads a legacy text file into `sink`, a line at a time. File-level
/// problems are `Error::Import`.
pub(crate) fn read_legacy(path: &Path, max_rows: usize, sink: &mut dyn RowSink) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    parse_legacy(BufReader::new(file), max_rows, sink).map_err(|fault| match fault {
        Fault::Io(e) => Error::io(path, e),
        Fault::Bad(message) => Error::import(path.display().to_string(), message),
    })
}

/// Why legacy text could not be read.
#[derive(Debug)]
pub(crate) enum Fault {
    /// Reading the file failed.
    Io(std::io::Error),
    /// The file is not legacy text this reader takes.
    Bad(String),
}

/// Parses legacy text from `input`.
pub(crate) fn parse_legacy(
    mut input: impl BufRead,
    max_rows: usize,
    sink: &mut dyn RowSink,
) -> std::result::Result<(), Fault> {
    sink.header("", &HeaderMap::with_columns(&LAYOUT));
    let mut rows = 0usize;
    let mut bytes = Vec::new();
    for number in 1u32.. {
        bytes.clear();
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = (&mut input)
            .take(limit)
            .read_until(b'\n', &mut bytes)
            .map_err(Fault::Io)?;
        if read == 0 {
            return Ok(());
        }
        if bytes.len() > MAX_LINE_BYTES {
            return Err(Fault::Bad(format!(
                "line {number} is longer than {MAX_LINE_BYTES} bytes; \
                 this is not a legacy accounts file"
            )));
        }
        let line = std::str::from_utf8(&bytes).map_err(|_| {
            Fault::Bad(format!(
                "line {number} is not UTF-8 text; save the file as UTF-8"
            ))
        })?;
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = match number {
            1 => line.strip_prefix('\u{feff}').unwrap_or(line),
            _ => line,
        };
        if line.trim().is_empty() || is_header(line) {
            continue;
        }
        rows += 1;
        if rows > max_rows {
            return Err(Fault::Bad(format!(
                "more than {max_rows} accounts (line {number} is past the limit); \
                 split the file or raise the import row limit"
            )));
        }
        let fields: Vec<&str> = line.split("##").collect();
        if !(3..=4).contains(&fields.len()) {
            sink.invalid(
                number,
                format!(
                    "has {} fields separated by ##; expected email##pwd##username##device_index",
                    fields.len()
                ),
            );
            continue;
        }
        let mut row = SheetRow::new(number);
        for (column, field) in LAYOUT.iter().zip(fields) {
            if !field.is_empty() {
                row.cells[column.index()] = Cell::Text(field.into());
            }
        }
        sink.row(row);
    }
    Err(Fault::Bad("the file has too many lines".into()))
}

fn is_header(line: &str) -> bool {
    let fields: Vec<&str> = line.split("##").map(str::trim).collect();
    fields.len() >= 3
        && fields
            .iter()
            .zip(LAYOUT)
            .all(|(f, c)| f.eq_ignore_ascii_case(c.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        rows: Vec<SheetRow>,
        invalid: Vec<(u32, String)>,
    }

    impl RowSink for Collect {
        fn header(&mut self, _sheet: &str, map: &HeaderMap) {
            assert!(map.has(Column::Username) && map.has(Column::Pwd));
        }
        fn row(&mut self, row: SheetRow) {
            self.rows.push(row);
        }
        fn invalid(&mut self, row: u32, reason: String) {
            self.invalid.push((row, reason));
        }
    }

    #[test]
    fn lines_become_rows_with_line_numbers() {
        let text = "\u{feff}email##pwd##username##device_index\r\n\
                    a@x.com##pw:JBSWY3DPEHPK3PXP##alice##3\r\n\
                    \n\
                    ##123456##bob##\n\
                    only##two\n\
                    c@x.com##secret##carol\n";
        let mut sink = Collect::default();
        parse_legacy(text.as_bytes(), 100, &mut sink).unwrap();
        let numbers: Vec<u32> = sink.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 4, 6]);
        let alice = &sink.rows[0];
        assert_eq!(alice.cell(Column::Email), &Cell::Text("a@x.com".into()));
        assert_eq!(alice.cell(Column::Username), &Cell::Text("alice".into()));
        assert_eq!(alice.cell(Column::DeviceIndex), &Cell::Text("3".into()));
        assert_eq!(sink.rows[1].cell(Column::Email), &Cell::Empty);
        assert_eq!(sink.rows[2].cell(Column::DeviceIndex), &Cell::Empty);
        assert_eq!(sink.invalid.len(), 1);
        assert_eq!(sink.invalid[0].0, 5);
        assert!(sink.invalid[0].1.contains("has 2 fields"));
    }

    #[test]
    fn bad_text_files_are_refused_clearly() {
        let mut sink = Collect::default();
        let err = bad(&b"a##b##c\n\xff\xfe##x##y\n"[..], 100, &mut sink);
        assert!(err.contains("line 2 is not UTF-8"), "{err}");
        let many = "##p##u\n".repeat(5);
        let err = bad(many.as_bytes(), 3, &mut Collect::default());
        assert!(err.contains("more than 3 accounts (line 4"), "{err}");
        let long = format!("a##b##c\n##p##{}\n", "u".repeat(MAX_LINE_BYTES));
        let err = bad(long.as_bytes(), 100, &mut Collect::default());
        assert!(err.contains("line 2 is longer than 65536 bytes"), "{err}");
    }

    /// The message of a file-level problem.
    fn bad(input: &[u8], max_rows: usize, sink: &mut Collect) -> String {
        match parse_legacy(input, max_rows, sink) {
            Err(Fault::Bad(message)) => message,
            other => panic!("expected a file-level problem, got {other:?}"),
        }
    }

    #[test]
    fn a_password_with_hashes_is_never_quoted() {
        let mut sink = Collect::default();
        parse_legacy(&b"e##Hunter##Two##Pw##user##1\n"[..], 10, &mut sink).unwrap();
        assert_eq!(sink.invalid.len(), 1);
        assert!(
            !sink.invalid[0].1.contains("Hunter"),
            "{}",
            sink.invalid[0].1
        );
    }
}
