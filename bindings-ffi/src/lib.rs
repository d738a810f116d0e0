//! farmhand-ffi: the engine's C ABI through uniffi, for Kotlin, Swift, Python
//! and other hosts (namespace and Python module `farmhand_ffi`).
//!
//! Only conversions live here: host records and enums to engine types, engine
//! results and errors back. Every rule of the domain is the engine's. Every
//! object is `Send + Sync`; calls block, so hosts make them off their UI thread.

mod account;
mod changes;
mod device;
mod error;
mod ops;
mod secret;
mod sim;
mod workspace;
mod xlsx;

uniffi::setup_scaffolding!("farmhand_ffi");

/// The version of the farmhand engine behind these bindings.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
