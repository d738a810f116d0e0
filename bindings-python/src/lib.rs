//! The native half of the Python package `farmhand` (imported as `farmhand._native`).
//!
//! Only conversions live here: Python arguments to engine types, engine results
//! and errors to Python objects. Every rule of the domain is the engine's.
//! Calls that touch disk, network or phones run with the GIL released.

mod account;
mod apps;
mod changes;
mod device;
mod enums;
mod errors;
mod ops;
mod profile;
mod secret;
mod sim;
mod workspace;
mod xlsx;

use pyo3::prelude::*;

/// The extension's own (Rust) allocations: an import frees on one thread what
/// another allocated, which mimalloc does without the system allocator's locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native module; `farmhand/__init__.py` re-exports its public names.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<account::PyAccount>()?;
    m.add_class::<account::PyProfileStats>()?;
    m.add_class::<workspace::PyWorkspace>()?;
    m.add_class::<workspace::PyDeviceRecord>()?;
    m.add_class::<secret::PyTotp>()?;
    m.add_class::<secret::PyCredentials>()?;
    m.add_class::<xlsx::PyImportReport>()?;
    m.add_class::<xlsx::PyRowError>()?;
    m.add_class::<xlsx::PyExportSummary>()?;
    m.add_class::<ops::PyReport>()?;
    m.add_class::<ops::PyAccountResult>()?;
    m.add_class::<ops::PySummary>()?;
    m.add_class::<ops::PyEvent>()?;
    m.add_class::<sim::PyScenario>()?;
    m.add_class::<sim::PySimFleet>()?;
    m.add_class::<sim::PyAdbServer>()?;
    m.add_class::<device::PyDriver>()?;
    m.add_class::<device::PyAdbDriver>()?;
    m.add_class::<device::PyDeviceInfo>()?;
    m.add_class::<device::PyDevice>()?;
    m.add_class::<device::PyShellOutput>()?;
    m.add_class::<device::PyUiTree>()?;
    m.add_class::<device::PyUiNode>()?;
    m.add_class::<device::PyBounds>()?;
    m.add_class::<apps::PyPack>()?;
    m.add_class::<apps::PyHistoryEntry>()?;
    m.add_class::<apps::PyHealth>()?;
    m.add_class::<changes::PyChanges>()?;
    m.add_function(wrap_pyfunction!(secret::totp, m)?)?;
    m.add_function(wrap_pyfunction!(secret::split_password, m)?)?;
    m.add_function(wrap_pyfunction!(secret::new_key, m)?)?;
    Ok(())
}
