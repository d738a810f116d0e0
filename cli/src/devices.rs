//! `farmhand devices`: the workspace's phones beside what the adb server sees,
//! and how commands reach the adb server.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use farmhand::device::{AdbDriver, DeviceDriver, DeviceInfo, DeviceState};
use farmhand::store::AccountFilter;
use farmhand::{Error, Result, Workspace};
use serde::Serialize;

use crate::cli::{DevicesArgs, DevicesCommand, LabelArgs};
use crate::output::{Exit, Output};
use crate::table::Table;

/// The adb server named by `--adb`, else the local one (`ANDROID_ADB_SERVER_PORT` or 5037).
pub fn adb_driver(adb: Option<SocketAddr>) -> Result<AdbDriver> {
    match adb {
        Some(addr) => Ok(AdbDriver::with_server(addr)),
        None => AdbDriver::new(),
    }
}

/// One phone: registered in the workspace, seen by adb, or both.
#[derive(Debug, Serialize)]
struct DeviceView {
    serial: String,
    index: Option<u32>,
    label: Option<String>,
    state: Option<String>,
    model: Option<String>,
    accounts: usize,
}

#[derive(Debug, Serialize)]
struct DevicesView {
    adb: Option<String>,
    adb_error: Option<String>,
    devices: Vec<DeviceView>,
}

fn state_name(state: &DeviceState) -> String {
    match state {
        DeviceState::Device => "device".into(),
        DeviceState::Offline => "offline".into(),
        DeviceState::Unauthorized => "unauthorized".into(),
        DeviceState::Other(other) => other.clone(),
    }
}

/// Lists the phones: the workspace's registry (none without a workspace) and
/// what adb sees; or runs a `devices` subcommand. Exits 1 when the adb server
/// cannot be asked (the registry is still printed); `--offline` does not ask it.
pub fn run(ws: Option<&Workspace>, args: DevicesArgs, out: Output) -> Result<Exit> {
    if let Some(DevicesCommand::Label(label)) = args.action {
        let ws = ws.ok_or_else(|| {
            Error::not_found(format!(
                "device {} in a workspace (there is no workspace yet: phones are \
                 registered when accounts are bound to them)",
                label.serial
            ))
        })?;
        return set_label(ws, label, out);
    }
    let mut by_serial: BTreeMap<String, DeviceView> = BTreeMap::new();
    match ws {
        Some(ws) => registry(ws, &mut by_serial)?,
        None => out.note("no workspace yet: listing only what the adb server sees"),
    }
    let (adb, live) = if args.offline {
        (None, Ok(Vec::new()))
    } else {
        let driver = adb_driver(args.adb.adb)?;
        (Some(driver.server().to_string()), driver.devices())
    };
    let adb_error = live.as_ref().err().map(ToString::to_string);
    for info in live.unwrap_or_default() {
        let DeviceInfo {
            serial,
            state,
            model,
            ..
        } = info;
        let view = by_serial.entry(serial.clone()).or_insert(DeviceView {
            serial,
            index: None,
            label: None,
            state: None,
            model: None,
            accounts: 0,
        });
        view.state = Some(state_name(&state));
        view.model = model;
    }
    let mut devices: Vec<DeviceView> = by_serial.into_values().collect();
    devices.sort_by_key(|d| (d.index.is_none(), d.index, d.serial.clone()));
    let view = DevicesView {
        adb,
        adb_error,
        devices,
    };
    if let Some(error) = &view.adb_error {
        eprintln!("error: {error}");
    }
    out.emit(&view, || devices_text(&view, args.offline));
    Ok(Exit::failures_unless(view.adb_error.is_none()))
}

/// Labels a registered phone (an empty text clears the label); `NotFound` for an unknown serial.
fn set_label(ws: &Workspace, args: LabelArgs, out: Output) -> Result<Exit> {
    let record = ws.label_device(&args.serial, Some(&args.text))?;
    out.emit(&record, || match &record.label {
        Some(label) => format!("#{} {} is labelled '{label}'", record.index, record.serial),
        None => format!("#{} {} has no label", record.index, record.serial),
    });
    Ok(Exit::Ok)
}

/// Adds the workspace's registered phones with their account counts.
fn registry(ws: &Workspace, by_serial: &mut BTreeMap<String, DeviceView>) -> Result<()> {
    for record in ws.devices()? {
        let accounts = ws.count(&AccountFilter {
            device: Some(Some(record.serial.clone())),
            ..AccountFilter::default()
        })?;
        by_serial.insert(
            record.serial.clone(),
            DeviceView {
                serial: record.serial,
                index: Some(record.index),
                label: record.label,
                state: None,
                model: None,
                accounts,
            },
        );
    }
    Ok(())
}

fn devices_text(view: &DevicesView, offline: bool) -> String {
    if view.devices.is_empty() {
        return "no devices\n".into();
    }
    let mut table = Table::new(["#", "SERIAL", "LABEL", "STATE", "MODEL", "ACCOUNTS"]);
    let dash = || "-".to_string();
    for d in &view.devices {
        let state = match (&d.state, offline) {
            (Some(state), _) => state.clone(),
            (None, true) => dash(),
            (None, false) => "not connected".into(),
        };
        table.row([
            d.index.map_or_else(dash, |i| i.to_string()),
            d.serial.clone(),
            d.label.clone().unwrap_or_else(dash),
            state,
            d.model.clone().unwrap_or_else(dash),
            d.accounts.to_string(),
        ]);
    }
    table.to_string()
}
