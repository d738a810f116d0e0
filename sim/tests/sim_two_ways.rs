//! One simulation, two ways in: the same automation (`DeviceExt`) drives one
//! simulated phone through the real adb server (`AdbDriver`) and another in
//! process (`LocalDriver`), and both end in the same state.

use std::time::Duration;

use farmhand::device::{AdbDriver, Device, DeviceDriver, DeviceExt, DeviceState, Selector};
use farmhand::Platform;
use farmhand_sim::{AdbServer, AppKind, AppSpec, PhoneSpec, PlatformAccount, Scenario, SimFleet};

const INSTAGRAM: &str = "com.instagram.android";
/// A password full of what the phone's shell would otherwise interpret.
const PASSWORD: &str = "it's a $pw & \"100%s\" (ok);";

fn ig(name: &str) -> Selector {
    Selector::new().id(format!("{INSTAGRAM}:id/{name}"))
}

fn scenario() -> Scenario {
    let phone = PhoneSpec {
        apps: vec![
            AppSpec::new(AppKind::Instagram),
            AppSpec::new(AppKind::TikTok),
        ],
        ..PhoneSpec::default()
    };
    Scenario {
        accounts: vec![PlatformAccount::new(Platform::Instagram, "jack", PASSWORD)],
        phones: vec![phone.clone(), phone],
        ..Scenario::default()
    }
}

/// Logs `jack` in with the device-layer helpers; returns the XML of the final screen.
fn log_in(device: &mut dyn Device) -> String {
    let wait = Duration::from_secs(10);
    assert_eq!(
        device.installed_packages().unwrap(),
        ["com.instagram.android", "com.zhiliaoapp.musically"]
    );
    assert_eq!(device.screen_size().unwrap(), (1080, 2400));
    device.launch(INSTAGRAM, None).unwrap();
    assert_eq!(
        device.foreground_package().unwrap().as_deref(),
        Some(INSTAGRAM)
    );
    let field = device.wait_for(&ig("login_username"), wait).unwrap();
    device.tap_node(field.node()).unwrap();
    device.input_text("jack").unwrap();
    let field = device.wait_for(&ig("password"), wait).unwrap();
    device.tap_node(field.node()).unwrap();
    device.input_text(PASSWORD).unwrap();
    let button = device.wait_for(&ig("next_button"), wait).unwrap();
    device.tap_node(button.node()).unwrap();
    let saved = device
        .wait_for(&Selector::new().text("Save your login info?"), wait)
        .unwrap();
    saved.node().describe()
}

#[test]
fn the_adb_driver_and_the_local_driver_see_the_same_phone() {
    let fleet = SimFleet::start(&scenario()).unwrap();
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    let serials = fleet.serials();
    adb.connect(&serials[0]).unwrap();

    let remote = AdbDriver::with_server(adb.addr());
    let listed = remote.devices().unwrap();
    let info = listed
        .iter()
        .find(|d| d.serial == serials[0])
        .expect("listed");
    assert_eq!(info.state, DeviceState::Device);
    let local = fleet.local_driver().devices().unwrap();
    assert_eq!(info.model, local[0].model);
    assert_eq!(info.model.as_deref(), Some("Pixel_7"));

    let mut over_adb = remote.open(&serials[0]).unwrap();
    let mut in_process = fleet.local_driver().open(&serials[1]).unwrap();
    let a = log_in(over_adb.as_mut());
    let b = log_in(in_process.as_mut());
    assert_eq!(a, b);
    for phone in fleet.phones() {
        assert_eq!(phone.logged_in(INSTAGRAM).unwrap(), ["jack"]);
    }
    assert_eq!(
        fleet.phones()[0].dump_xml().unwrap(),
        fleet.phones()[1].dump_xml().unwrap()
    );
}
