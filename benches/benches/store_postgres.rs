//! PostgresStore beside SqliteStore, in one run: a 100k-account import (the
//! store's side of it: one `apply_stream` of creates, as the spreadsheet
//! import writes), a filtered listing of 100k and a lookup by username.
//! Budget (issue 21): the PostgreSQL import of 100k under 3 s.
//!
//! The PostgreSQL server is the one `.ci/run` starts (`.ci/postgres`), named
//! in `FARMHAND_TEST_POSTGRES`; each measured import gets a fresh schema.
//! Without the variable only the SQLite side runs, and says so (under CI the
//! variable is required).

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use farmhand::store::{AccountFilter, AccountStore, BatchOp, PostgresStore, SqliteStore};
use farmhand::{Platform, Status};
use farmhand_benches::{roster, size};

const ACCOUNTS: usize = 100_000;
const VARIABLE: &str = "FARMHAND_TEST_POSTGRES";

/// The server's URL, if one is named.
fn server() -> Option<String> {
    match std::env::var(VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!("{VARIABLE} must be set under CI"),
        _ => {
            eprintln!("NOT RUN: the PostgreSQL side ({VARIABLE} is not set; .ci/postgres sets it)");
            None
        }
    }
}

/// A store in a fresh schema of `server`, and the schema's name (to drop).
fn postgres_store(server: &str) -> (Arc<dyn AccountStore>, Schema) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "bench{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("the server");
    admin
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .expect("a schema");
    let joiner = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{joiner}options=-csearch_path%3D{name}");
    let store = PostgresStore::open(&url).expect("open");
    (Arc::new(store), Schema { admin, name })
}

/// A schema dropped with everything in it when this is dropped.
struct Schema {
    admin: postgres::Client,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name));
    }
}

/// A store in a fresh SQLite file.
fn sqlite_store() -> (Arc<dyn AccountStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("bench.farmhand")).expect("open");
    (Arc::new(store), dir)
}

/// Writes `ops` through `apply_stream`, as an import does.
fn import(store: &dyn AccountStore, ops: Vec<BatchOp>) {
    let n = ops.len();
    let mut ops = ops.into_iter();
    let applied = store.apply_stream(&mut || Ok(ops.next())).expect("import");
    assert_eq!(applied, n);
}

fn imports(c: &mut Criterion) {
    let n = size(ACCOUNTS);
    let mut group = c.benchmark_group("pg_vs_sqlite");
    group.sample_size(10);
    group.bench_function(format!("import_{n}/sqlite"), |b| {
        b.iter_batched(
            || (sqlite_store(), roster(n)),
            |((store, _dir), ops)| import(store.as_ref(), ops),
            BatchSize::PerIteration,
        )
    });
    if let Some(server) = server() {
        group.bench_function(format!("import_{n}/postgres"), |b| {
            b.iter_batched(
                || (postgres_store(&server), roster(n)),
                |((store, _schema), ops)| import(store.as_ref(), ops),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn reads_of(c: &mut Criterion, label: &str, store: &dyn AccountStore, n: usize) {
    let mut group = c.benchmark_group("pg_vs_sqlite");
    let all = AccountFilter {
        platform: Some(Platform::TikTok),
        status: Some(Status::Enabled),
        ..AccountFilter::default()
    };
    group.bench_function(format!("list_filtered_{n}_of_{n}/{label}"), |b| {
        b.iter_with_large_drop(|| {
            let listed = store.list(black_box(&all)).expect("list");
            assert_eq!(listed.len(), n);
            listed
        })
    });
    let mut i = 0usize;
    group.bench_function(format!("find_by_username_in_{n}/{label}"), |b| {
        b.iter(|| {
            i = (i + 7_919) % n;
            let name = format!("@USER_{i:07}");
            store
                .find_by_username(Platform::TikTok, black_box(&name))
                .expect("find")
                .expect("present")
        })
    });
    group.finish();
}

fn reads(c: &mut Criterion) {
    let n = size(ACCOUNTS);
    let (sqlite, _dir) = sqlite_store();
    sqlite.apply_batch(roster(n)).expect("fill");
    reads_of(c, "sqlite", sqlite.as_ref(), n);
    if let Some(server) = server() {
        let (postgres, _schema) = postgres_store(&server);
        postgres.apply_batch(roster(n)).expect("fill");
        reads_of(c, "postgres", postgres.as_ref(), n);
    }
}

criterion_group!(benches, imports, reads);
criterion_main!(benches);
