//! The device layer end to end: every check runs twice, once through the real
//! `adb` server (private port) to simulated phones speaking the ADB device
//! protocol with [`AdbDriver`], once in process with the simulator's
//! `LocalDriver`. The body of each check is written once.

use std::sync::Arc;
use std::time::Duration;

use farmhand::device::{
    AdbDriver, Device, DeviceDriver, DeviceExt, DeviceState, Selector, DUMP_ATTEMPTS,
};
use farmhand::ErrorKind;
use farmhand_sim::{
    AdbServer, AppCatalog, AppContext, AppKind, AppSpec, Faults, KeyCode, PhoneSpec, Rect,
    Scenario, ScreenNode, SimApp, SimFleet, SimPhone,
};

const ECHO: &str = "com.farmhand.echo";
const CHROME: &str = "com.android.chrome";
const LONG: Duration = Duration::from_secs(20);

/// A test app: a text field showing what was typed, and an OK button counting taps.
#[derive(Default)]
struct EchoApp {
    typed: String,
    taps: u32,
    package: String,
}

const OK_BUTTON: (i32, i32, i32, i32) = (100, 600, 500, 800);

impl EchoApp {
    fn boxed(spec: &AppSpec) -> Box<dyn SimApp> {
        Box::new(EchoApp {
            package: spec.package().to_string(),
            ..EchoApp::default()
        })
    }
}

impl SimApp for EchoApp {
    fn package(&self) -> &str {
        &self.package
    }
    fn label(&self) -> &str {
        if self.package == ECHO {
            "Echo"
        } else {
            "Chrome"
        }
    }
    fn activity(&self) -> String {
        ".MainActivity".into()
    }
    fn launch(&mut self, _ctx: &AppContext<'_>, _cold: bool) {}
    fn stop(&mut self, _ctx: &AppContext<'_>) {
        self.typed.clear();
        self.taps = 0;
    }
    fn render(&self, _ctx: &AppContext<'_>) -> ScreenNode {
        let (l, t, r, b) = OK_BUTTON;
        let id = |name: &str| format!("{}:id/{name}", self.package);
        ScreenNode::new("android.widget.FrameLayout", &self.package)
            .bounds(Rect::screen())
            .children([
                ScreenNode::new("android.widget.EditText", &self.package)
                    .id(id("field"))
                    .text(&self.typed)
                    .editable()
                    .focused(true)
                    .bounds(Rect::new(0, 300, 1080, 450)),
                ScreenNode::new("android.widget.Button", &self.package)
                    .id(id("ok"))
                    .text("OK")
                    .clickable()
                    .bounds(Rect::new(l, t, r, b)),
                ScreenNode::new("android.widget.TextView", &self.package)
                    .id(id("taps"))
                    .text(self.taps.to_string())
                    .bounds(Rect::new(600, 600, 900, 800)),
            ])
    }
    fn tap(&mut self, _ctx: &AppContext<'_>, x: i32, y: i32) {
        let (l, t, r, b) = OK_BUTTON;
        if x >= l && x < r && y >= t && y < b {
            self.taps += 1;
        }
    }
    fn input_text(&mut self, _ctx: &AppContext<'_>, text: &str) {
        self.typed.push_str(text);
    }
    fn key(&mut self, _ctx: &AppContext<'_>, _key: KeyCode) -> bool {
        false
    }
    fn logged_in(&self) -> Vec<String> {
        Vec::new()
    }
}

fn scenario(phones: usize) -> Scenario {
    let phone = PhoneSpec {
        apps: vec![
            AppSpec {
                package: Some(ECHO.into()),
                ..AppSpec::new(AppKind::Plain)
            },
            AppSpec {
                package: Some(CHROME.into()),
                ..AppSpec::new(AppKind::Plain)
            },
        ],
        ..PhoneSpec::default()
    };
    Scenario {
        phones: vec![phone; phones],
        ..Scenario::default()
    }
}

/// Simulated phones and the driver under test (the adb server lives as long as the bed).
struct Bed {
    fleet: SimFleet,
    driver: Box<dyn DeviceDriver>,
    _server: Option<AdbServer>,
}

impl Bed {
    fn adb(phones: usize) -> Bed {
        let fleet = start_fleet(phones);
        let server = AdbServer::start().expect("adb server starts (apt-get install adb)");
        for serial in fleet.serials() {
            server.connect(&serial).expect("adb connect");
        }
        let driver = AdbDriver::with_server(server.addr());
        Bed {
            fleet,
            driver: Box::new(driver),
            _server: Some(server),
        }
    }

    fn local(phones: usize) -> Bed {
        let fleet = start_fleet(phones);
        let driver = fleet.local_driver();
        Bed {
            fleet,
            driver: Box::new(driver),
            _server: None,
        }
    }

    fn phone(&self, i: usize) -> &Arc<SimPhone> {
        &self.fleet.phones()[i]
    }

    fn open(&self, i: usize) -> Box<dyn Device> {
        self.driver.open(self.phone(i).serial()).expect("open")
    }
}

fn start_fleet(phones: usize) -> SimFleet {
    let mut catalog = AppCatalog::builtin();
    catalog.register(AppKind::Plain, EchoApp::boxed);
    SimFleet::start_with(&scenario(phones), &catalog).expect("fleet starts")
}

/// Each check runs with both drivers.
macro_rules! both_drivers {
    ($($check:ident($phones:expr)),* $(,)?) => {
        mod through_adb_server {
            $(#[test] fn $check() { super::$check(&super::Bed::adb($phones)); })*
        }
        mod in_process {
            $(#[test] fn $check() { super::$check(&super::Bed::local($phones)); })*
        }
    };
}

both_drivers!(
    lists_and_opens(2),
    shell_returns_streams_and_real_exit_codes(1),
    timeout_costs_one_timeout_and_the_phone_stays_usable(1),
    pull_reads_files_and_names_missing_ones(1),
    dump_parse_and_tap_a_button(1),
    typed_text_arrives_exactly_even_when_hostile(1),
    launch_stop_focus_size_packages(1),
    idle_dumps_are_retried_then_reported(1),
    hung_dump_is_a_timeout_and_wait_for_names_the_screen(1),
    offline_phone_mid_command_is_a_device_error(1),
    big_outputs_arrive_whole(1),
    one_worker_per_phone_in_parallel(4),
);

fn lists_and_opens(bed: &Bed) {
    let devices = bed.driver.devices().unwrap();
    for phone in bed.fleet.phones() {
        let info = devices
            .iter()
            .find(|d| d.serial == phone.serial())
            .unwrap_or_else(|| panic!("{} not listed in {devices:?}", phone.serial()));
        assert_eq!(info.state, DeviceState::Device);
        assert_eq!(
            info.model.as_deref().map(|m| m.replace('_', " ")),
            Some("Pixel 7".into())
        );
    }
    let device = bed.open(1);
    assert_eq!(device.serial(), bed.phone(1).serial());
    let err = bed
        .driver
        .open("127.0.0.1:1")
        .err()
        .expect("unknown serial");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

fn shell_returns_streams_and_real_exit_codes(bed: &Bed) {
    let mut phone = bed.open(0);
    let out = phone.shell("echo hi", LONG).unwrap();
    assert_eq!((out.stdout.as_str(), out.exit_code), ("hi\n", 0));
    assert_eq!(phone.shell("false", LONG).unwrap().exit_code, 1);
    let out = phone.shell("cat /no/such/file", LONG).unwrap();
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.contains("No such file"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let out = phone.shell("definitely-not-a-command", LONG).unwrap();
    assert_eq!(out.exit_code, 127, "{out:?}");
    let out = phone.shell("echo out; echo err >&2", LONG).unwrap();
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
    let err = phone.run("cat /no/such/file", LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device);
    assert!(err.to_string().contains(phone.serial()), "{err}");
}

fn timeout_costs_one_timeout_and_the_phone_stays_usable(bed: &Bed) {
    let mut phone = bed.open(0);
    let err = phone
        .shell("sleep 30", Duration::from_millis(400))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("sleep"), "{err}");
    assert_eq!(phone.shell("echo after", LONG).unwrap().stdout, "after\n");
}

fn pull_reads_files_and_names_missing_ones(bed: &Bed) {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    bed.phone(0)
        .write_file("/sdcard/Download/blob.bin", data.clone())
        .unwrap();
    let mut phone = bed.open(0);
    assert_eq!(phone.pull("/sdcard/Download/blob.bin", LONG).unwrap(), data);
    let err = phone.pull("/sdcard/nothing-here", LONG).unwrap_err();
    assert!(err.to_string().contains("/sdcard/nothing-here"), "{err}");
    assert_eq!(err.kind(), farmhand::ErrorKind::NotFound, "{err}");
}

fn dump_parse_and_tap_a_button(bed: &Bed) {
    let mut phone = bed.open(0);
    phone.key("HOME").unwrap();
    let home = phone.dump_ui().unwrap();
    let icon = Selector::new().text("Echo").clickable(true);
    let icon = icon.find(&home).expect("launcher shows the Echo icon");
    phone.tap_node(icon).unwrap();
    assert_eq!(phone.foreground_package().unwrap().as_deref(), Some(ECHO));

    let ok = Selector::new().id("ok").text("OK");
    let found = phone.wait_for(&ok, LONG).unwrap();
    phone.tap_node(found.node()).unwrap();
    phone.tap_node(found.node()).unwrap();
    let taps = Selector::new()
        .id("taps")
        .right_of(Selector::new().text("OK"));
    let screen = phone.dump_ui().unwrap();
    assert_eq!(taps.find(&screen).unwrap().text, "2");
    phone.tap(5, 5).unwrap();
    let screen = phone.dump_ui().unwrap();
    assert_eq!(
        taps.find(&screen).unwrap().text,
        "2",
        "a tap beside the button"
    );
}

fn typed_text_arrives_exactly_even_when_hostile(bed: &Bed) {
    let mut phone = bed.open(0);
    let field = Selector::new().id("field");
    for text in [
        "hello world",
        "it's \"quoted\"",
        "100%sure and 50% off %s",
        "a;b|c&d$(reboot)`id`>x<y *?[] \\ ~#!{}",
        "  leading and trailing  ",
        "p@ss:W0rd!",
    ] {
        phone.launch(ECHO, None).unwrap();
        phone.input_text(text).unwrap();
        let screen = phone.dump_ui().unwrap();
        assert_eq!(field.find(&screen).unwrap().text, text);
        phone.force_stop(ECHO).unwrap();
    }
    for refused in ["emoji 🎉", "naïve", "line\nbreak"] {
        let err = phone.input_text(refused).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    }
}

fn launch_stop_focus_size_packages(bed: &Bed) {
    let mut phone = bed.open(0);
    phone.launch(CHROME, Some(".MainActivity")).unwrap();
    assert_eq!(phone.foreground_package().unwrap().as_deref(), Some(CHROME));
    phone.launch(ECHO, None).unwrap();
    assert_eq!(phone.foreground_package().unwrap().as_deref(), Some(ECHO));
    phone.force_stop(ECHO).unwrap();
    assert_ne!(phone.foreground_package().unwrap().as_deref(), Some(ECHO));
    let err = phone.launch("com.not.installed", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains("com.not.installed"), "{err}");
    assert_eq!(phone.screen_size().unwrap(), (1080, 2400));
    let packages = phone.installed_packages().unwrap();
    assert!(packages.contains(&ECHO.to_string()), "{packages:?}");
    assert!(packages.contains(&CHROME.to_string()), "{packages:?}");
}

fn idle_dumps_are_retried_then_reported(bed: &Bed) {
    let mut phone = bed.open(0);
    bed.phone(0).set_faults(Faults {
        dump_idle_failures: DUMP_ATTEMPTS - 1,
        ..Faults::default()
    });
    assert!(!phone.dump_ui().unwrap().is_empty());
    bed.phone(0).set_faults(Faults {
        dump_idle_failures: DUMP_ATTEMPTS,
        ..Faults::default()
    });
    let err = phone.dump_ui().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains("idle state"), "{err}");
    assert!(!phone.dump_ui().unwrap().is_empty(), "the next dump works");
}

fn hung_dump_is_a_timeout_and_wait_for_names_the_screen(bed: &Bed) {
    let mut phone = bed.open(0);
    phone.launch(CHROME, None).unwrap();
    let never = Selector::new().text("Never shown");
    let err = phone.wait_for(&never, Duration::from_secs(1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let message = err.to_string();
    assert!(message.contains("text=\"Never shown\""), "{message}");
    assert!(message.contains(CHROME), "{message}");

    bed.phone(0).set_faults(Faults {
        hang_commands: vec!["uiautomator".into()],
        ..Faults::default()
    });
    let err = phone
        .dump_ui_within(Duration::from_millis(500))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    bed.phone(0).set_faults(Faults::default());
    assert_eq!(phone.shell("echo alive", LONG).unwrap().stdout, "alive\n");
}

fn offline_phone_mid_command_is_a_device_error(bed: &Bed) {
    let mut phone = bed.open(0);
    bed.phone(0).set_faults(Faults {
        drop_connection_at: Some(1),
        ..Faults::default()
    });
    let err = phone.shell("echo lost", LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains(phone.serial()), "{err}");

    bed.phone(0).set_faults(Faults {
        offline_at: Some(1),
        offline_ms: 1_000,
        ..Faults::default()
    });
    let err = phone.dump_ui().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Device | ErrorKind::NotFound),
        "{err}"
    );
    assert!(err.to_string().contains(phone.serial()), "{err}");
    let deadline = std::time::Instant::now() + LONG;
    let back = loop {
        match phone.shell("echo back", LONG) {
            Ok(out) => break out,
            Err(e) => {
                assert!(std::time::Instant::now() < deadline, "never came back: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    assert_eq!(back.stdout, "back\n");
}

fn big_outputs_arrive_whole(bed: &Bed) {
    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    bed.phone(0)
        .write_file("/sdcard/Download/big.txt", data.clone())
        .unwrap();
    let mut phone = bed.open(0);
    assert_eq!(phone.pull("/sdcard/Download/big.txt", LONG).unwrap(), data);
    let out = phone.shell("cat /sdcard/Download/big.txt", LONG).unwrap();
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.stdout.as_bytes(), &data[..]);
}

/// As fleet workflows run: one thread per phone, all through one driver at once.
fn one_worker_per_phone_in_parallel(bed: &Bed) {
    std::thread::scope(|scope| {
        for (i, phone) in bed.fleet.phones().iter().enumerate() {
            let driver = &bed.driver;
            scope.spawn(move || {
                let mut device = driver.open(phone.serial()).unwrap();
                device.launch(ECHO, None).unwrap();
                for round in 0..10 {
                    let word = format!("w{i}r{round}");
                    let out = device.shell(&format!("echo {word}"), LONG).unwrap();
                    assert_eq!(out.stdout, format!("{word}\n"));
                    device.input_text(&word).unwrap();
                }
                let typed = Selector::new().id("field");
                let screen = device.dump_ui().unwrap();
                let expected: String = (0..10).map(|r| format!("w{i}r{r}")).collect();
                assert_eq!(typed.find(&screen).unwrap().text, expected);
            });
        }
    });
}
