//! Bad accounts.xlsx input: every case gives a clear error or row error, never a
//! panic, and the workspace is unchanged (unless invalid rows are skipped).

mod xlsx_support;

use std::path::Path;

use farmhand::xlsx::{ExportOptions, ImportOptions, ImportOutcome, ImportReport};
use farmhand::{ErrorKind, Platform, Workspace};
use serde_json::json;
use xlsx_support::{
    header, one_sheet, openpyxl, openpyxl_write, path_str, snapshot, temp_dir, tiktok_fleet,
    write_sheet, V,
};

/// A workspace with the sample fleet, and a check that it is left exactly as it was.
struct Guarded {
    ws: Workspace,
    before: Vec<farmhand::Account>,
}

impl Guarded {
    fn new() -> Guarded {
        let ws = Workspace::in_memory();
        tiktok_fleet(&ws);
        let before = snapshot(&ws);
        Guarded { ws, before }
    }

    /// Imports `path` expecting a file-level `Import` error; returns its message.
    fn file_error(&self, path: &Path) -> String {
        let error = self
            .ws
            .import_xlsx(path, &ImportOptions::new(Platform::TikTok))
            .expect_err("the file is refused");
        assert_eq!(error.kind(), ErrorKind::Import, "{error}");
        assert_eq!(snapshot(&self.ws), self.before, "workspace unchanged");
        error.to_string()
    }

    /// Imports `path` expecting row errors and nothing written; returns them as text.
    fn row_errors(&self, path: &Path) -> Vec<String> {
        let report = self.import(path);
        assert_eq!(report.outcome, ImportOutcome::Rejected, "{report}");
        assert_eq!(snapshot(&self.ws), self.before, "workspace unchanged");
        report.errors.iter().map(|e| e.to_string()).collect()
    }

    fn import(&self, path: &Path) -> ImportReport {
        self.ws
            .import_xlsx(path, &ImportOptions::new(Platform::TikTok))
            .expect("the file itself is readable")
    }
}

#[test]
fn not_a_zip() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    std::fs::write(&path, "id,username\n1,alice\n").unwrap();
    let message = Guarded::new().file_error(&path);
    assert!(message.contains("not an xlsx file"), "{message}");
    std::fs::write(&path, "").unwrap();
    assert!(Guarded::new()
        .file_error(&path)
        .contains("the file is empty"));
    let missing = Workspace::in_memory()
        .import_xlsx(
            dir.path().join("nope.xlsx"),
            &ImportOptions::new(Platform::TikTok),
        )
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Io, "{missing}");
}

#[test]
fn a_zip_that_is_not_a_workbook() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    openpyxl(&["notxlsx", &path_str(&path)], None);
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("a zip archive but not an xlsx workbook"),
        "{message}"
    );
}

#[test]
fn an_encrypted_workbook() {
    let dir = temp_dir();
    let plain = dir.path().join("plain.xlsx");
    let path = dir.path().join("locked.xlsx");
    write_sheet(
        &plain,
        "accounts",
        &[header(&["username"]), vec![V::S("zoe")]],
    );
    openpyxl(
        &["encrypt", &path_str(&plain), &path_str(&path), "s3cret"],
        None,
    );
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("password-protected (encrypted)"),
        "{message}"
    );
    // Just the OLE2 signature: the same clear refusal.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend([0u8; 504]);
    std::fs::write(&path, bytes).unwrap();
    assert!(Guarded::new().file_error(&path).contains("OLE2 container"));
}

#[test]
fn a_workbook_without_sheets() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    openpyxl(&["nosheets", &path_str(&path)], None);
    let message = Guarded::new().file_error(&path);
    assert!(message.contains("the workbook has no sheets"), "{message}");
}

#[test]
fn an_empty_sheet_and_a_header_without_username() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    write_sheet(&path, "accounts", &[]);
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("sheet 'accounts': the sheet is empty"),
        "{message}"
    );
    write_sheet(
        &path,
        "accounts",
        &[
            vec![],
            header(&["id", "email", "pwd"]),
            vec![V::N(1.0), V::S("a@b.c")],
        ],
    );
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("row 2: the header row has no 'username' column"),
        "{message}"
    );
}

#[test]
fn duplicate_header_names() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "Status", "email", " status "]),
            vec![V::S("a")],
        ],
    );
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("'status' twice (columns B and D)"),
        "{message}"
    );
}

#[test]
fn status_two_or_yes_and_bad_counts() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "status", "followers", "logined"]),
            vec![V::S("a1"), V::N(2.0), V::N(10.0), V::N(1.0)],
            vec![V::S("a2"), V::S("yes"), V::N(-5.0), V::N(0.0)],
            vec![V::S("a3"), V::N(0.0), V::N(2.5), V::S("true")],
        ],
    );
    let errors = Guarded::new().row_errors(&path);
    assert_eq!(
        errors,
        [
            "row 2, column status: 2 is not allowed; expected 0 or 1",
            "row 3, column status: 'yes' is not allowed; expected 0 or 1",
            "row 3, column followers: -5 is negative; expected a whole number ≥ 0",
            "row 4, column logined: 'true' is not allowed; expected 0 or 1",
            "row 4, column followers: 2.5 is not a whole number",
        ]
    );
}

#[test]
fn error_date_and_formula_cells() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    let spec = one_sheet(
        "accounts",
        json!([
            ["username", "email", "pwd", "followers"],
            ["e1", {"error": "#N/A"}, "pw", 1],
            ["e2", {"date": "2024-03-01"}, {"date": "2024-03-01"}, 2],
            [{"formula": "=\"e\"&\"3\""}, "e3@x.com", {"formula": "=1+1"}, {"formula": "=D2*2"}],
        ]),
    );
    openpyxl_write(&path, &spec);
    let errors = Guarded::new().row_errors(&path);
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(errors[0].starts_with("row 2, column email: holds the error value #N/A"));
    assert!(errors[1..3]
        .iter()
        .all(|e| e.starts_with("row 3, column") && e.contains("date")));
    assert!(errors[3..]
        .iter()
        .all(|e| e.starts_with("row 4, column") && e.contains("formula")));
}

#[test]
fn a_32767_character_cell() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    let huge = "x".repeat(32_767);
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "nickname", "pwd"]),
            vec![V::S(&huge), V::S("ok"), V::E],
            vec![V::S("fine"), V::S(&huge), V::S(&huge)],
        ],
    );
    let errors = Guarded::new().row_errors(&path);
    assert_eq!(
        errors,
        [
            "row 2, column username: is 32767 characters long; at most 30 are allowed",
            "row 3, column pwd: is 32767 characters long; at most 4096 are allowed",
            "row 3, column nickname: is 32767 characters long; at most 4096 are allowed",
        ]
    );
}

#[test]
fn blank_rows_in_the_middle_are_skipped() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "notes"]),
            vec![V::S("b1")],
            vec![],
            vec![V::S("   "), V::E],
            vec![V::E, V::S("only a note")],
            vec![V::S("b2")],
        ],
    );
    let guarded = Guarded::new();
    let report = guarded.import(&path);
    assert_eq!((report.created, report.errors.len()), (2, 0), "{report}");
    assert_eq!(report.unknown_columns, ["notes"]);
}

#[test]
fn a_truncated_file() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    let ws = Workspace::in_memory();
    tiktok_fleet(&ws);
    ws.export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    for keep in [bytes.len() - 10, bytes.len() / 2, 100] {
        std::fs::write(&path, &bytes[..keep]).unwrap();
        let message = Guarded::new().file_error(&path);
        assert!(
            message.contains("damaged or truncated"),
            "{keep}: {message}"
        );
    }
}

#[test]
fn a_full_sheet_of_1048576_rows_is_refused_quickly_and_a_small_limit_holds() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
        sheet.set_name("accounts").unwrap();
        sheet.write_string(0, 0, "username").unwrap();
        for row in 1..1_048_576u32 {
            sheet.write_string(row, 0, format!("u{row}")).unwrap();
        }
        workbook.save(&path).unwrap();
    }
    let message = Guarded::new().file_error(&path);
    assert!(
        message.contains("more than 1000000 data rows (row 1000002 is past the limit)"),
        "{message}"
    );

    let guarded = Guarded::new();
    let small = dir.path().join("small.xlsx");
    write_sheet(
        &small,
        "accounts",
        &[header(&["username"]), vec![V::S("s1")], vec![V::S("s2")]],
    );
    let limited = ImportOptions::new(Platform::TikTok).max_rows(1);
    let error = guarded.ws.import_xlsx(&small, &limited).unwrap_err();
    assert!(
        error.to_string().contains("more than 1 data rows (row 3"),
        "{error}"
    );
    let report = guarded
        .ws
        .import_xlsx(&small, &limited.max_rows(2))
        .unwrap();
    assert_eq!(report.created, 2);
}

#[test]
fn the_sheet_named_accounts_wins_over_the_first() {
    let dir = temp_dir();
    let path = dir.path().join("book.xlsx");
    let spec = json!({"sheets": [
        {"name": "notes", "rows": [["nothing", "here"]]},
        {"name": "Accounts", "rows": [["username"], ["picked"]]},
    ]});
    openpyxl_write(&path, &spec);
    let guarded = Guarded::new();
    let report = guarded.import(&path);
    assert_eq!((report.sheet.as_str(), report.created), ("Accounts", 1));
}

/// An export without ids (a template of new accounts) of `n` accounts with every column filled: a sheet of about 500
/// bytes a row, so a few thousand rows make a part read in chunks.
fn export_of(dir: &Path, n: usize) -> std::path::PathBuf {
    let ws = Workspace::in_memory();
    let ops = (0..n)
        .map(|i| {
            farmhand::store::BatchOp::Create(
                farmhand::NewAccount::new(Platform::TikTok, format!("user{i:06}"))
                    .email(format!("user{i}@example.com"))
                    .password(format!("pass{i}"))
                    .totp_key("JBSWY3DPEHPK3PXP")
                    .device(format!("10.0.{}.{}:5555", i / 250, i % 250))
                    .tags(["warm", "batch"]),
            )
        })
        .collect();
    ws.apply_batch(ops).unwrap();
    let path = dir.join(format!("export{n}.xlsx"));
    let options = ExportOptions::new(Platform::TikTok).include_ids(false);
    ws.export_xlsx(&path, &options).unwrap();
    path
}

/// Rewrites the xlsx at `path` part by part with `edit` applied to each part's bytes.
fn rewrite_parts(path: &Path, edit: impl Fn(&str, Vec<u8>) -> (String, Vec<u8>)) {
    use std::io::{Read, Write};
    let mut source = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let out = path.with_extension("tmp");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    for i in 0..source.len() {
        let mut part = source.by_index(i).unwrap();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        let name = part.name().unwrap().to_string();
        let (name, bytes) = edit(&name, bytes);
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    std::fs::rename(out, path).unwrap();
}

/// The reader's own error stays reachable behind an unreadable workbook.
#[test]
fn the_reader_error_behind_a_truncated_file_is_its_source() {
    let dir = temp_dir();
    let path = export_of(dir.path(), 4);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = Workspace::in_memory()
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Import, "{error}");
    let cause = std::error::Error::source(&error).expect("the reader's error is kept");
    assert!(
        cause.downcast_ref::<calamine::XlsxError>().is_some(),
        "{cause:?}"
    );
}

#[test]
fn a_sheet_damaged_in_the_middle_is_refused() {
    let dir = temp_dir();
    for n in [4, 5000] {
        let path = export_of(dir.path(), n);
        let start = {
            let mut raw = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
            let at = raw.index_for_name("xl/worksheets/sheet1.xml").unwrap();
            let sheet = raw.by_index_raw(at).unwrap();
            sheet.data_start().unwrap() + sheet.compressed_size() / 2
        };
        let mut bytes = std::fs::read(&path).unwrap();
        for b in &mut bytes[start as usize..start as usize + 16] {
            *b ^= 0x5a;
        }
        std::fs::write(&path, &bytes).unwrap();
        let message = Guarded::new().file_error(&path);
        assert!(message.contains("damaged"), "{n}: {message}");
    }
}

/// The sheet's own claim of its size only sizes buffers: a claim of a full
/// sheet over four rows imports the four rows.
#[test]
fn a_sheet_claiming_far_more_rows_than_it_has_imports_what_it_has() {
    let dir = temp_dir();
    let path = export_of(dir.path(), 4);
    rewrite_parts(&path, |name, bytes| {
        let text = String::from_utf8(bytes).unwrap();
        let start = text.find("<dimension ref=\"").map(|at| at + 16);
        let text = match start {
            Some(at) => {
                let end = at + text[at..].find('"').unwrap();
                format!("{}A1:Q1048576{}", &text[..at], &text[end..])
            }
            None => text,
        };
        (name.to_string(), text.into_bytes())
    });
    let ws = Workspace::in_memory();
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.created, 4, "{report}");
}

/// Part names outside ASCII take the direct way through calamine: the same result.
#[test]
fn a_workbook_with_unusual_part_names_reads_the_same() {
    let dir = temp_dir();
    let path = export_of(dir.path(), 5000);
    let plain = Workspace::in_memory();
    let expected = plain
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    rewrite_parts(&path, |name, bytes| {
        let name = match name {
            "docProps/app.xml" => "docProps/äpp.xml".to_string(),
            other => other.to_string(),
        };
        (name, bytes)
    });
    let ws = Workspace::in_memory();
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.created, 5000);
    assert_eq!(report.to_string(), expected.to_string());
    assert_eq!(snapshot(&ws).len(), snapshot(&plain).len());
}
