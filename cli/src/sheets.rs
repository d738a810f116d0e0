//! `farmhand import` and `farmhand export`: accounts.xlsx (and legacy text) in bulk.

use std::path::Path;

use farmhand::store::AccountFilter;
use farmhand::xlsx::{
    default_export_path, ExportOptions, ImportOptions, ImportOutcome, ImportReport,
};
use farmhand::{Error, Result, Workspace};

use crate::cli::{ExportArgs, ImportArgs};
use crate::output::{Exit, Output};

/// True for a legacy TikMatrix text file (by its `.txt` extension).
fn is_legacy_text(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("txt"))
}

/// Imports the file. Invalid rows (listed in the report) exit 1 when they made
/// the import write nothing, 3 when the valid rows were (or, in a dry run, would
/// be) written without them (`--skip-invalid`).
pub fn import(ws: &Workspace, args: ImportArgs, out: Output) -> Result<Exit> {
    let options = ImportOptions::new(args.platform)
        .dry_run(args.dry_run)
        .skip_invalid(args.skip_invalid)
        .on_duplicate(args.on_duplicate.into())
        .max_rows(args.max_rows)
        .strict_ids(args.strict_ids);
    let report = if is_legacy_text(&args.file) {
        ws.import_legacy_text(&args.file, &options)?
    } else {
        ws.import_xlsx(&args.file, &options)?
    };
    out.emit(&report, || report_text(&report));
    Ok(match report.outcome {
        ImportOutcome::Rejected => Exit::Failures,
        ImportOutcome::Applied | ImportOutcome::DryRun => {
            Exit::partial_unless(report.errors.is_empty())
        }
    })
}

/// Row errors shown on the terminal; `--json` lists them all.
const SHOWN_ERRORS: usize = 20;

/// The report as people read it: counts, the first [`SHOWN_ERRORS`] row
/// errors (then how many more, and where to see them), columns not used.
pub fn report_text(report: &ImportReport) -> String {
    let mut text = report.text_with_errors_up_to(SHOWN_ERRORS);
    if report.errors.len() > SHOWN_ERRORS {
        text.push_str(" (--json lists them all)");
    }
    if !report.unknown_columns.is_empty() {
        text.push_str(&format!(
            "\nunknown columns (ignored): {}",
            report.unknown_columns.join(", ")
        ));
    }
    if !report.ignored_columns.is_empty() {
        text.push_str(&format!(
            "\ncolumns this platform does not use (ignored): {}",
            report.ignored_columns.join(", ")
        ));
    }
    text.push('\n');
    text
}

/// Exports to the file (default: the download folder's accounts.xlsx, or
/// accounts-instagram.xlsx for Instagram).
pub fn export(ws: &Workspace, args: ExportArgs, out: Output) -> Result<Exit> {
    let path = match args.file {
        Some(path) => path,
        None => {
            let path = default_export_path(args.platform);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            path
        }
    };
    // Passwords go out when asked for, and by default only from a workspace
    // that keeps them in plain text anyway (TikMatrix round trips).
    let include_passwords = !args.no_passwords
        && (args.with_secrets || ws.encryption() == farmhand::store::Encryption::Plain);
    if !include_passwords && !args.no_passwords {
        out.note("the workspace is encrypted: passwords left out (--with-secrets writes them)");
    }
    let options = ExportOptions::new(args.platform)
        .include_passwords(include_passwords)
        .include_health(args.health)
        .filter(AccountFilter {
            status: args.status,
            tag: args.tag,
            ..AccountFilter::default()
        });
    let summary = ws.export_xlsx(&path, &options)?;
    out.emit(&summary, || {
        format!(
            "exported {} {} accounts to {}",
            summary.rows,
            args.platform,
            summary.path.display()
        )
    });
    Ok(Exit::Ok)
}
