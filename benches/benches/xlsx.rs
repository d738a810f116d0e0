//! accounts.xlsx throughput: import 100k rows into a SQLite workspace (all
//! creates, and a re-import that changes nothing), and export 100k accounts.
//!
//! Under `cargo test --benches` (CI's smoke run, dev profile) each bench runs
//! once on 1,000 rows; `cargo bench` measures 100,000.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::xlsx::{ExportOptions, ImportOptions};
use farmhand::{Platform, Workspace};

fn workspace(path: &Path) -> Workspace {
    Workspace::open(path).expect("open SQLite workspace")
}

fn xlsx(c: &mut Criterion) {
    let rows = farmhand_benches::size(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let source = workspace(&dir.path().join("source.db"));
    farmhand_benches::fleet::fill(&source, Platform::TikTok, rows).expect("fill");
    let file = dir.path().join("accounts.xlsx");
    let export = ExportOptions::new(Platform::TikTok);
    let import = ImportOptions::new(Platform::TikTok);
    source.export_xlsx(&file, &export).expect("export");
    let template = dir.path().join("new.xlsx");
    let without_ids = export.clone().include_ids(false);
    source.export_xlsx(&template, &without_ids).expect("export");

    let mut group = c.benchmark_group("xlsx");
    group.sample_size(10);
    group.bench_function(format!("export_{rows}"), |b| {
        let out = dir.path().join("out.xlsx");
        b.iter(|| source.export_xlsx(&out, &export).expect("export"))
    });
    // Criterion calls the closure again per phase: the counter lives outside it so
    // every iteration gets a new, empty workspace file.
    let round = std::cell::Cell::new(0);
    let fresh = |round: usize| dir.path().join(format!("fresh{round}.db"));
    group.bench_function(format!("import_{rows}_new_into_sqlite"), |b| {
        b.iter_with_setup(
            || {
                farmhand_benches::remove_workspace(&fresh(round.get()));
                round.set(round.get() + 1);
                workspace(&fresh(round.get()))
            },
            |fresh| {
                let report = fresh.import_xlsx(&template, &import).expect("import");
                assert_eq!(report.created, rows, "{report}");
            },
        )
    });
    group.bench_function(format!("reimport_{rows}_unchanged_sqlite"), |b| {
        b.iter(|| {
            let report = source.import_xlsx(&file, &import).expect("import");
            assert_eq!(report.unchanged, rows, "{report}");
        })
    });
    group.finish();
}

criterion_group!(benches, xlsx);
criterion_main!(benches);
