//! One-shot xlsx measurements for `benches/compare/xlsx_compare.py` (release build).
//!
//!   xlsx_tool fill DB N            create a SQLite workspace with N sample TikTok accounts
//!   xlsx_tool export DB OUT        export it; prints {"seconds", "rows"}
//!   xlsx_tool template DB OUT      export it without ids: a sheet of new accounts
//!   xlsx_tool import XLSX DB       import into the workspace at DB; prints {"seconds", ...}
//!   xlsx_tool calamine XLSX        read every cell with calamine alone (the floor)
//!
//! Timings are wall-clock seconds of the operation alone (not process start);
//! `peak_rss_kb` is the process's own peak resident memory (Linux; else null).

use std::path::Path;
use std::time::Instant;

use calamine::{DataRef, Reader, Xlsx};
use farmhand::xlsx::{ExportOptions, ImportOptions};
use farmhand::{Platform, Workspace};

/// The allocator of farmhand's own binaries (the CLI, the Python extension), so
/// that these figures are theirs; the calamine floor runs with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_else(|| usage());
    match arg(0) {
        "fill" => {
            let ws = Workspace::open(arg(1)).expect("open workspace");
            let count: usize = arg(2).parse().unwrap_or_else(|_| usage());
            let started = Instant::now();
            farmhand_benches::fleet::fill(&ws, Platform::TikTok, count).expect("fill");
            print_json(started, &format!("\"rows\": {count}"));
        }
        "export" => {
            let ws = Workspace::open(arg(1)).expect("open workspace");
            let started = Instant::now();
            let summary = ws
                .export_xlsx(arg(2), &ExportOptions::new(Platform::TikTok))
                .expect("export");
            print_json(started, &format!("\"rows\": {}", summary.rows));
        }
        "template" => {
            let ws = Workspace::open(arg(1)).expect("open workspace");
            let started = Instant::now();
            let options = ExportOptions::new(Platform::TikTok).include_ids(false);
            let summary = ws.export_xlsx(arg(2), &options).expect("export");
            print_json(started, &format!("\"rows\": {}", summary.rows));
        }
        "import" => {
            let ws = Workspace::open(arg(2)).expect("open workspace");
            let started = Instant::now();
            let report = ws
                .import_xlsx(arg(1), &ImportOptions::new(Platform::TikTok))
                .expect("import");
            assert!(report.errors.is_empty(), "{report}");
            print_json(
                started,
                &format!(
                    "\"created\": {}, \"updated\": {}, \"unchanged\": {}",
                    report.created, report.updated, report.unchanged
                ),
            );
        }
        "calamine" => {
            let started = Instant::now();
            let (cells, bytes) = calamine_cells(Path::new(arg(1)));
            print_json(
                started,
                &format!("\"cells\": {cells}, \"text_bytes\": {bytes}"),
            );
        }
        _ => usage(),
    }
}

/// Streams every cell of the first sheet, touching each value: the least any
/// importer built on calamine can do.
fn calamine_cells(path: &Path) -> (usize, usize) {
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    let sheet = workbook.sheet_names()[0].clone();
    let mut reader = workbook.worksheet_cells_reader(&sheet).expect("sheet");
    let (mut cells, mut bytes) = (0, 0);
    while let Some(cell) = reader.next_cell().expect("cell") {
        cells += 1;
        bytes += match cell.get_value() {
            DataRef::String(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 0,
        };
    }
    (cells, bytes)
}

/// Prints the operation's time and the process's peak resident memory so far.
fn print_json(started: Instant, fields: &str) {
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_kb().map_or("null".to_string(), |kb| kb.to_string());
    println!("{{\"seconds\": {seconds:.6}, \"peak_rss_kb\": {peak}, {fields}}}");
}

/// This process's own peak resident set (Linux `VmHWM`). The parent's
/// `ru_maxrss` is not it: Linux carries the forking parent's resident size
/// into the child's across `exec`, so a child of a large Python process
/// reports the parent's size however little it uses.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn usage() -> ! {
    eprintln!("usage: xlsx_tool fill DB N | export DB OUT | template DB OUT | import XLSX DB | calamine XLSX");
    std::process::exit(2)
}
