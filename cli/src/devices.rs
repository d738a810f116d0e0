//! `farmhand devices`: the workspace's phones beside what the adb servers
//! see, and how commands reach the adb servers.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use farmhand::device::{AdbDriver, AdbServers, DeviceInfo, DeviceState};
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

/// Every adb server named by `--adb` (repeated), else the local one.
pub fn adb_servers(adb: &[SocketAddr]) -> Result<AdbServers> {
    let drivers = if adb.is_empty() {
        vec![AdbDriver::new()?]
    } else {
        adb.iter()
            .map(|addr| AdbDriver::with_server(*addr))
            .collect()
    };
    AdbServers::new(drivers)
}

/// One phone: registered in the workspace, seen by adb, or both.
#[derive(Debug, Serialize)]
struct DeviceView {
    serial: String,
    index: Option<u32>,
    label: Option<String>,
    state: Option<String>,
    model: Option<String>,
    /// The adb server(s) listing it (`HOST:PORT`), when one does.
    server: Option<String>,
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
    let (adb, live, several) = if args.offline {
        (None, Vec::new(), false)
    } else {
        let servers = adb_servers(&args.adb.adb)?;
        let names: Vec<String> = servers.servers().iter().map(ToString::to_string).collect();
        (
            Some(names.join(", ")),
            servers.devices_by_server(),
            names.len() > 1,
        )
    };
    let errors: Vec<String> = live
        .iter()
        .filter_map(|(_, listed)| listed.as_ref().err().map(ToString::to_string))
        .collect();
    let adb_error = (!errors.is_empty()).then(|| errors.join("; "));
    for (server, listed) in live {
        for info in listed.unwrap_or_default() {
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
                server: None,
                accounts: 0,
            });
            view.state = Some(state_name(&state));
            view.model = model;
            view.server = Some(match view.server.take() {
                // Listed by two servers: both are shown (opening it is refused).
                Some(first) => format!("{first}, {server}"),
                None => server.to_string(),
            });
        }
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
    out.emit(&view, || devices_text(&view, args.offline, several));
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
                server: None,
                accounts,
            },
        );
    }
    Ok(())
}

/// The table of phones; with `several` adb servers, a SERVER column says
/// which one each phone hangs off.
fn devices_text(view: &DevicesView, offline: bool, several: bool) -> String {
    if view.devices.is_empty() {
        return "no devices\n".into();
    }
    let mut header = vec!["#", "SERIAL", "LABEL", "STATE", "MODEL", "ACCOUNTS"];
    if several {
        header.push("SERVER");
    }
    let mut table = Table::new(header);
    let dash = || "-".to_string();
    for d in &view.devices {
        let state = match (&d.state, offline) {
            (Some(state), _) => state.clone(),
            (None, true) => dash(),
            (None, false) => "not connected".into(),
        };
        let mut row = vec![
            d.index.map_or_else(dash, |i| i.to_string()),
            d.serial.clone(),
            d.label.clone().unwrap_or_else(dash),
            state,
            d.model.clone().unwrap_or_else(dash),
            d.accounts.to_string(),
        ];
        if several {
            row.push(d.server.clone().unwrap_or_else(dash));
        }
        table.row(row);
    }
    table.to_string()
}
