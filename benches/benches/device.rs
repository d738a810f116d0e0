//! Device-layer benches: a shell round trip (`echo hi`) through the real adb
//! server to a simulated phone, and parsing a 200 KB uiautomator dump.
//! Budgets (issue 5): shell ≤ 3 ms median; parse ≤ 2 ms.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::device::{AdbDriver, DeviceDriver, UiTree};
use farmhand_sim::{AdbServer, AppKind, AppSpec, PhoneSpec, Scenario, SimFleet};

/// A real dump from a real phone (the repository's `fixtures/ui-dumps`), its
/// nodes repeated to at least 200 KB.
fn dump_of_200kb() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/ui-dumps/douyin_profile_counts_w_suffix.xml"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let body = &text[text.find("<node").unwrap()..text.rfind("</hierarchy>").unwrap()];
    let mut dump = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">",
    );
    while dump.len() < 200 * 1024 {
        dump.push_str(body);
    }
    dump.push_str("</hierarchy>");
    dump
}

fn parse(c: &mut Criterion) {
    let dump = dump_of_200kb();
    c.bench_function("device/parse_200kb_dump", |b| {
        b.iter(|| UiTree::parse(std::hint::black_box(&dump)).unwrap())
    });
}

fn shell(c: &mut Criterion) {
    let fleet = SimFleet::start(&Scenario {
        phones: vec![PhoneSpec {
            apps: vec![AppSpec::new(AppKind::Plain)],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    })
    .expect("simulated phone starts");
    let server = AdbServer::start().expect("adb server starts (apt-get install adb)");
    let serial = fleet.serials()[0].clone();
    server.connect(&serial).expect("adb connect");
    let mut phone = AdbDriver::with_server(server.addr())
        .open(&serial)
        .expect("open");
    c.bench_function("device/shell_echo_hi_via_adb_server", |b| {
        b.iter(|| {
            let out = phone.shell("echo hi", Duration::from_secs(10)).unwrap();
            assert_eq!(out.stdout, "hi\n");
        })
    });
}

criterion_group!(benches, parse, shell);
criterion_main!(benches);
