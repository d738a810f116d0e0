//! Bulk import with a report: a generated accounts.xlsx of N rows (a few of them
//! wrong), a dry run, an all-or-nothing import that is rejected, an import that
//! skips the bad rows, and a re-import that changes nothing.
//!
//! Run: `cargo run -p farmhand-examples --example bulk_import [ROWS]` (default 10000).

use std::path::Path;
use std::time::Instant;

use farmhand::xlsx::{ImportOptions, ImportReport, OnDuplicate};
use farmhand::{Error, Platform, Result, Workspace};
use rust_xlsxwriter::{Workbook, XlsxError};

/// Writes `rows` accounts as an operator's sheet would hold them, with three
/// wrong rows at the end: a username with a space, a status of 7, a repeated username.
fn write_sheet(path: &Path, rows: u32) -> std::result::Result<(), XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("accounts")?;
    let header = ["username", "email", "pwd", "device", "status", "tags"];
    for (col, title) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *title)?;
    }
    for i in 1..=rows {
        let user = format!("user{i:06}");
        sheet.write_string(i, 0, &user)?;
        sheet.write_string(i, 1, format!("{user}@example.com"))?;
        // Every tenth account has an authenticator key after its password.
        let pwd = if i % 10 == 0 {
            format!("pw{i}:JBSWY3DPEHPK3PXP")
        } else {
            format!("pw{i}")
        };
        sheet.write_string(i, 2, pwd)?;
        sheet.write_string(i, 3, format!("10.0.{}.{}:5555", i / 250, i % 250))?;
        sheet.write_number(i, 4, 0)?;
        sheet.write_string(i, 5, if i % 2 == 0 { "even" } else { "odd" })?;
    }
    let bad = rows + 1;
    sheet.write_string(bad, 0, "two words")?;
    sheet.write_string(bad + 1, 0, "status_seven")?;
    sheet.write_number(bad + 1, 4, 7)?;
    sheet.write_string(bad + 2, 0, "USER000001")?;
    book.save(path)
}

fn show(step: &str, report: &ImportReport, started: Instant) {
    println!("{step} ({:.2?}):", started.elapsed());
    let text = report.to_string();
    for line in text.lines().take(6) {
        println!("  {line}");
    }
}

fn main() -> Result<()> {
    let rows: u32 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|_| Error::validation("ROWS", format!("'{arg}' is not a number")))?,
        None => 10_000,
    };
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let sheet = dir.path().join("accounts.xlsx");
    write_sheet(&sheet, rows).map_err(|e| {
        Error::io(
            &sheet,
            std::io::Error::other(format!("cannot write the sheet: {e}")),
        )
    })?;
    println!(
        "wrote {} with {rows} accounts and 3 wrong rows",
        sheet.display()
    );

    let ws = Workspace::open(dir.path().join("workspace.db"))?;
    let options = ImportOptions::new(Platform::TikTok);

    let started = Instant::now();
    show(
        "dry run",
        &ws.import_xlsx(&sheet, &options.clone().dry_run(true))?,
        started,
    );

    let started = Instant::now();
    let rejected = ws.import_xlsx(&sheet, &options)?;
    show("all or nothing", &rejected, started);
    println!("  accounts now: {}", ws.count(&Default::default())?);

    let started = Instant::now();
    show(
        "skipping invalid rows",
        &ws.import_xlsx(&sheet, &options.clone().skip_invalid(true))?,
        started,
    );
    println!("  accounts now: {}", ws.count(&Default::default())?);

    let started = Instant::now();
    let again = options
        .clone()
        .skip_invalid(true)
        .on_duplicate(OnDuplicate::Update);
    show(
        "the same sheet again",
        &ws.import_xlsx(&sheet, &again)?,
        started,
    );
    Ok(())
}
