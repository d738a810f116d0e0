//! Runnable examples of farmhand live in this crate's `examples`:
//! `cargo run -p farmhand-examples --example quickstart` (also `bulk_import`,
//! `fleet_login`); the Python ones are in `examples/python/`.
