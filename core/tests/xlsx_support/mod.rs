//! Shared helpers of the `xlsx_*` integration tests: the external tools
//! (openpyxl in the project venv, SheetJS from `core/tests/interop`), a sample
//! fleet, and workspace snapshots.
//!
//! The external tools are required: a missing one fails the test with the
//! command that installs it (`.ci/run` does), never skips it.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use farmhand::store::AccountFilter;
use farmhand::{Account, NewAccount, Platform, ProfileStats, Status, Workspace};
use serde_json::Value;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core has a parent")
        .to_path_buf()
}

/// The interop folder holding SheetJS and the openpyxl helper.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Python with openpyxl: `$FARMHAND_PYTHON`, else `<repo>/.venv/bin/python`.
pub fn python() -> PathBuf {
    let python = std::env::var_os("FARMHAND_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: these tests need Python with openpyxl, xlsxwriter and msoffcrypto-tool \
         (run .ci/run, or `python3 -m venv .venv && .venv/bin/pip install openpyxl xlsxwriter \
         msoffcrypto-tool`, or set FARMHAND_PYTHON)",
        python.display()
    );
    python
}

fn run(mut command: Command, stdin: Option<&str>) -> String {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(pipe);
    let out = child.wait_with_output().expect("wait for tool");
    assert!(
        out.status.success(),
        "{shown} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tool prints UTF-8")
}

/// Runs the openpyxl helper script with `args`, feeding `stdin`; returns stdout.
pub fn openpyxl(args: &[&str], stdin: Option<&str>) -> String {
    let mut command = Command::new(python());
    command
        .arg(interop_dir().join("openpyxl_tool.py"))
        .args(args);
    run(command, stdin)
}

/// Runs the SheetJS helper script with `args`, feeding `stdin`; returns stdout.
pub fn sheetjs(args: &[&str], stdin: Option<&str>) -> String {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/xlsx").is_dir(),
        "SheetJS is missing: run `npm ci` in {} (.ci/run does)",
        dir.display()
    );
    let mut command = Command::new("node");
    command.current_dir(&dir).arg("sheetjs.js").args(args);
    run(command, stdin)
}

/// Writes a workbook with openpyxl from a spec (see `openpyxl_tool.py`).
pub fn openpyxl_write(path: &Path, spec: &Value) {
    openpyxl(&["write", &path_str(path)], Some(&spec.to_string()));
}

/// One sheet named `name` with these rows, for [`openpyxl_write`].
pub fn one_sheet(name: &str, rows: Value) -> Value {
    serde_json::json!({"sheets": [{"name": name, "rows": rows}]})
}

/// Reads a workbook's first sheet with openpyxl: `{"sheets", "rows": [[{"t","v"}|null]]}`.
pub fn openpyxl_read(path: &Path) -> Value {
    serde_json::from_str(&openpyxl(&["read", &path_str(path)], None)).expect("openpyxl JSON")
}

/// Writes objects as TikMatrix does: SheetJS `json_to_sheet` + `writeFile`.
pub fn sheetjs_write(path: &Path, sheet: &str, rows: &Value) {
    sheetjs(&["write", &path_str(path), sheet], Some(&rows.to_string()));
}

/// Reads a workbook's first sheet with SheetJS: `{"sheets", "rows": [[{"t","v","f"}|null]]}`.
pub fn sheetjs_read(path: &Path) -> Value {
    serde_json::from_str(&sheetjs(&["read", &path_str(path)], None)).expect("SheetJS JSON")
}

/// A path as a `&str` argument.
pub fn path_str(path: &Path) -> String {
    path.to_str().expect("temp paths are UTF-8").to_string()
}

/// A TikTok fleet exercising every column and the awkward values: a formula-like
/// email, leading zeros, a 2FA password, a numeric password, a bound device,
/// tags, stats, a disabled and a logged-in account, and one with nothing but a name.
pub fn tiktok_fleet(ws: &Workspace) -> Vec<Account> {
    let stats = ProfileStats {
        nickname: Some("Alice A.".into()),
        country: Some("FR".into()),
        followers: Some(1200),
        following: Some(0),
        hearts: Some(98_765_432_100),
        videos: Some(42),
        friends: None,
        synced_at: None,
    };
    let mut alice = NewAccount::new(Platform::TikTok, "alice")
        .email("alice@example.com")
        .password("hunter2")
        .totp_key("JBSWY3DPEHPK3PXP")
        .device("emulator-5554")
        .tags(["warm", "fr"])
        .logged_in(true);
    alice.stats = stats;
    let made = [
        alice,
        NewAccount::new(Platform::TikTok, "formula.row")
            .email("=HYPERLINK(\"http://x\")")
            .password("123456"),
        NewAccount::new(Platform::TikTok, "0012345")
            .device("10.0.0.7:5555")
            .package_name("com.zhiliaoapp.musically.clone1")
            .status(Status::Disabled),
        NewAccount::new(Platform::TikTok, "Bob_U.2"),
    ];
    made.into_iter()
        .map(|n| ws.add(n).expect("fleet account is valid"))
        .map(|a| ws.get(a.id).expect("just created"))
        .collect()
}

/// Every account of the workspace, by id.
pub fn snapshot(ws: &Workspace) -> Vec<Account> {
    ws.list(&AccountFilter::default()).expect("list")
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A cell for [`write_sheet`].
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    /// A text cell.
    S(&'a str),
    /// A number cell.
    N(f64),
    /// No cell.
    E,
}

/// Writes rows to sheet `name` of a new workbook with rust_xlsxwriter (for
/// layouts the tests need; the interop tests use openpyxl and SheetJS instead).
pub fn write_sheet(path: &Path, name: &str, rows: &[Vec<V<'_>>]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name(name).expect("sheet name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                V::S(s) => {
                    sheet.write_string(r, c, *s).expect("write string");
                }
                V::N(n) => {
                    sheet.write_number(r, c, *n).expect("write number");
                }
                V::E => {}
            }
        }
    }
    workbook.save(path).expect("save workbook");
}

/// A header row of text cells.
pub fn header<'a>(names: &[&'a str]) -> Vec<V<'a>> {
    names.iter().map(|n| V::S(n)).collect()
}
