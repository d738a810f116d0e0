//! The legacy text format TikMatrix used: one account a line,
//! `email##pwd##username##device_index`, any field may be empty.
//!
//! Lines may also stop after `username`. Blank lines and a header line naming the
//! four columns are skipped; a line with another number of fields is a row error
//! (its text is never quoted: it holds a password). The device index binds the
//! account to the registered phone with that number, as in a sheet.

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

/// Reads a legacy text file into `sink`. File-level problems are `Error::Import`.
pub(crate) fn read_legacy(path: &Path, max_rows: usize, sink: &mut dyn RowSink) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_legacy(&bytes, max_rows, sink)
        .map_err(|message| Error::import(path.display().to_string(), message))
}

/// Parses legacy text; the error is a file-level problem.
pub(crate) fn parse_legacy(
    bytes: &[u8],
    max_rows: usize,
    sink: &mut dyn RowSink,
) -> std::result::Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("line {line} is not UTF-8 text; save the file as UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    sink.header("", &HeaderMap::with_columns(&LAYOUT));
    let mut rows = 0usize;
    for (at, line) in text.lines().enumerate() {
        let number =
            u32::try_from(at + 1).map_err(|_| "the file has too many lines".to_string())?;
        if line.trim().is_empty() || is_header(line) {
            continue;
        }
        rows += 1;
        if rows > max_rows {
            return Err(format!(
                "more than {max_rows} accounts (line {number} is past the limit); \
                 split the file or raise the import row limit"
            ));
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
    Ok(())
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
        let err = parse_legacy(b"a##b##c\n\xff\xfe##x##y\n", 100, &mut sink).unwrap_err();
        assert!(err.contains("line 2 is not UTF-8"), "{err}");
        let many = "##p##u\n".repeat(5);
        let err = parse_legacy(many.as_bytes(), 3, &mut Collect::default()).unwrap_err();
        assert!(err.contains("more than 3 accounts (line 4"), "{err}");
    }

    #[test]
    fn a_password_with_hashes_is_never_quoted() {
        let mut sink = Collect::default();
        parse_legacy(b"e##Hunter##Two##Pw##user##1\n", 10, &mut sink).unwrap();
        assert_eq!(sink.invalid.len(), 1);
        assert!(
            !sink.invalid[0].1.contains("Hunter"),
            "{}",
            sink.invalid[0].1
        );
    }
}
