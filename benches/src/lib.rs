//! Shared fixtures for the criterion benches in `benches/`.
//!
//! Under `cargo bench` (criterion is passed `--bench`) the fixtures have their
//! full size; under `cargo test --benches`, CI's smoke run, they are small so
//! each bench runs once quickly.

pub mod fleet;

use farmhand::store::BatchOp;
use farmhand::{NewAccount, Platform};

/// True when the binary runs as a benchmark rather than as a smoke test.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// `full` when measuring, else a small size for the smoke run.
pub fn size(full: usize) -> usize {
    if measuring() {
        full
    } else {
        full.min(1_000)
    }
}

/// Create ops for `n` TikTok accounts with realistic fields: email, 2FA
/// password, one of 200 phones, and the tag `vip` on every tenth.
pub fn roster(n: usize) -> Vec<BatchOp> {
    (0..n)
        .map(|i| {
            let mut new = NewAccount::new(Platform::TikTok, format!("user_{i:07}"))
                .email(format!("user{i}@example.com"))
                .password(format!("pw{i}"))
                .totp_key("JBSWY3DPEHPK3PXP")
                .device(format!("10.0.{}.{}:5555", i % 200 / 100, i % 100))
                .logged_in(i % 3 == 0);
            if i % 10 == 0 {
                new = new.tags(["vip"]);
            }
            BatchOp::Create(new)
        })
        .collect()
}

/// Deletes a workspace file with its `-wal` and `-shm` (those absent are
/// fine). Benches that write a new workspace per iteration delete the last
/// one first: files left behind are still being written back to disk while
/// later benches run, and measured them up to 25% slower.
pub fn remove_workspace(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}
