//! What an import did (or would do), and every row that was wrong.

use std::fmt;

/// What happened to the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The changes were written (in one atomic batch).
    Applied,
    /// Dry run: the counts say what would be written; nothing was.
    DryRun,
    /// Some rows were invalid and invalid rows were not to be skipped:
    /// nothing was written. The errors say why.
    Rejected,
}

/// One problem with one row: sheet row number (or text line), column, reason.
///
/// The reason never contains a password or a 2FA secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// 1-based row number as the spreadsheet shows it (line number for text files).
    pub row: u32,
    /// The column concerned, if the problem is one cell's.
    pub column: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}, column {column}: {}", self.row, self.reason),
            None => write!(f, "row {}: {}", self.row, self.reason),
        }
    }
}

/// The result of an import: counts of rows by fate, and every row error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    /// Whether anything was written.
    pub outcome: ImportOutcome,
    /// The sheet that was read (empty for text imports).
    pub sheet: String,
    /// Rows that create (or would create) an account.
    pub created: usize,
    /// Rows that change (or would change) an existing account.
    pub updated: usize,
    /// Rows that match their account exactly: nothing to do.
    pub unchanged: usize,
    /// Of the updated and unchanged rows, those whose `id` is unknown here (a
    /// sheet from another workspace) and which were matched by username.
    pub matched_by_username: usize,
    /// Of the created rows, those whose `id` is unknown here and whose
    /// username no account has: created with a new id of this workspace.
    pub created_for_unknown_ids: usize,
    /// Rows not applied: existing usernames under `OnDuplicate::Skip`, and invalid
    /// rows when invalid rows are skipped.
    pub skipped: usize,
    /// Every invalid row, in sheet order.
    pub errors: Vec<RowError>,
    /// Rows whose `pwd` was read as `password:2FA-KEY` and split in two (see
    /// [`crate::secret::pwd`]); a split is never silent.
    pub pwd_split: usize,
    /// Rows that were read but deserve a look: a `pwd` whose tail looks like a
    /// 2FA key with a typo (kept whole as the password).
    pub warnings: Vec<RowError>,
    /// Header names that are not columns of ours; their cells were ignored.
    pub unknown_columns: Vec<String>,
    /// Known columns that this import ignores (the stats columns for Instagram).
    pub ignored_columns: Vec<String>,
}

impl ImportReport {
    pub(crate) fn new(sheet: &str) -> Self {
        ImportReport {
            outcome: ImportOutcome::Applied,
            sheet: sheet.to_string(),
            created: 0,
            updated: 0,
            unchanged: 0,
            matched_by_username: 0,
            created_for_unknown_ids: 0,
            skipped: 0,
            errors: Vec::new(),
            pwd_split: 0,
            warnings: Vec::new(),
            unknown_columns: Vec::new(),
            ignored_columns: Vec::new(),
        }
    }

    /// True when the import wrote its changes.
    pub fn is_applied(&self) -> bool {
        self.outcome == ImportOutcome::Applied
    }
}

impl ImportReport {
    /// The report as [`fmt::Display`] writes it, but listing at most
    /// `max_errors` row errors; a last line says how many more there are.
    /// For terminals: a 100k-row sheet from elsewhere should not print 100k lines.
    pub fn text_with_errors_up_to(&self, max_errors: usize) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut text, max_errors);
        let hidden = self.errors.len().saturating_sub(max_errors);
        if hidden > 0 {
            text.push_str(&format!(
                "\n  ... and {hidden} more row {}",
                if hidden == 1 { "error" } else { "errors" }
            ));
        }
        text
    }

    fn write(&self, f: &mut impl fmt::Write, max_errors: usize) -> fmt::Result {
        let verb = match self.outcome {
            ImportOutcome::Applied => "imported",
            ImportOutcome::DryRun => "dry run",
            ImportOutcome::Rejected => "rejected, nothing written",
        };
        write!(
            f,
            "{verb}: {} created, {} updated, {} unchanged, {} skipped, {} invalid",
            self.created,
            self.updated,
            self.unchanged,
            self.skipped,
            self.errors.len()
        )?;
        if self.matched_by_username + self.created_for_unknown_ids > 0 {
            write!(
                f,
                "\n  ids unknown here (a sheet from another workspace): {} matched by username, \
                 {} created with new ids",
                self.matched_by_username, self.created_for_unknown_ids
            )?;
        }
        if self.pwd_split > 0 {
            write!(
                f,
                "\n  {} pwd {} read as password + 2FA key (password:KEY)",
                self.pwd_split,
                if self.pwd_split == 1 { "was" } else { "were" }
            )?;
        }
        for warning in &self.warnings {
            write!(f, "\n  warning: {warning}")?;
        }
        for error in self.errors.iter().take(max_errors) {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, usize::MAX)
    }
}

/// Summary of an export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportSummary {
    /// Where the file was written.
    pub path: std::path::PathBuf,
    /// How many accounts (data rows) were written.
    pub rows: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lists_every_error_with_row_and_column() {
        let mut report = ImportReport::new("accounts");
        report.outcome = ImportOutcome::Rejected;
        report.errors.push(RowError {
            row: 4,
            column: Some("status".into()),
            reason: "2 is not allowed; expected 0 or 1".into(),
        });
        report.errors.push(RowError {
            row: 9,
            column: None,
            reason: "username 'bob' already appears on row 3".into(),
        });
        let text = report.to_string();
        assert!(
            text.starts_with("rejected, nothing written: 0 created"),
            "{text}"
        );
        assert!(
            text.contains("\n  row 4, column status: 2 is not allowed"),
            "{text}"
        );
        assert!(text.contains("\n  row 9: username 'bob'"), "{text}");
        assert!(!report.is_applied());
    }

    #[test]
    fn errors_beyond_the_limit_are_counted_not_listed() {
        let mut report = ImportReport::new("accounts");
        report.outcome = ImportOutcome::Rejected;
        report.errors = (2..=101)
            .map(|row| RowError {
                row,
                column: Some("id".into()),
                reason: format!("no account has id {row}"),
            })
            .collect();
        let text = report.text_with_errors_up_to(20);
        assert_eq!(text.lines().count(), 1 + 20 + 1, "{text}");
        assert!(text.contains("100 invalid"), "{text}");
        assert!(text.contains("no account has id 21\n"), "{text}");
        assert!(!text.contains("no account has id 22"), "{text}");
        assert!(text.ends_with("\n  ... and 80 more row errors"), "{text}");
        assert_eq!(report.text_with_errors_up_to(100), report.to_string());
        report.errors.truncate(21);
        assert!(report
            .text_with_errors_up_to(20)
            .ends_with("... and 1 more row error"));
    }

    #[test]
    fn report_says_how_many_pwds_were_split_and_warns_of_suspect_keys() {
        let mut report = ImportReport::new("accounts");
        assert!(!report.to_string().contains("2FA"));
        report.pwd_split = 2;
        report.warnings.push(RowError {
            row: 5,
            column: Some("pwd".into()),
            reason: "looks like a 2FA key with a typo".into(),
        });
        let text = report.to_string();
        assert!(
            text.contains("\n  2 pwd were read as password + 2FA key"),
            "{text}"
        );
        assert!(
            text.contains("\n  warning: row 5, column pwd: looks like a 2FA key"),
            "{text}"
        );
    }
}
