//! The `farmhand` binary against simulated phones behind the real adb server:
//! `sim`, `devices`, and a login that fails.

mod support;

use std::process::Stdio;

use farmhand_sim::AdbServer;
use support::{fleet, interrupt, read_json_object, scenario, stdout_reader, Env};

#[test]
fn a_wrong_password_is_a_failure_of_the_run() {
    let (fleet, adb) = fleet(&scenario());
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "mia",
        "--password",
        "not-mias-password",
        "--device",
        &fleet.serials()[0],
    ])
    .expect(0);
    let run = env
        .run(&["--json", "login", "--adb", &adb.addr().to_string()])
        .expect(3);
    assert_eq!(run.json()["results"][0]["outcome"], "wrong_password");
    assert!(!run.all().contains("not-mias-password"));
    let mia = env
        .run(&["--json", "accounts", "show", "mia"])
        .expect(0)
        .json();
    assert!(mia["last_error"].is_string(), "{mia}");
}

#[test]
fn sim_serves_phones_through_a_private_or_the_named_adb_server_until_ctrl_c() {
    let env = Env::new();
    env.run(&["accounts", "add", "seed"]).expect(0);
    let mut child = env
        .cmd(&["--json", "sim", "--phones", "2", "--start-adb"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = read_json_object(&mut stdout_reader(&mut child));
    let addr = ready["adb"].as_str().unwrap().to_string();
    assert_eq!(ready["private_server"], true);
    assert_eq!(ready["phones"].as_array().unwrap().len(), 2);
    let devices = env
        .run(&["--json", "devices", "--adb", &addr])
        .expect(0)
        .json();
    assert_eq!(devices["devices"].as_array().unwrap().len(), 2, "{devices}");
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));

    // The server named by ANDROID_ADB_SERVER_PORT, with a scenario file.
    let adb = AdbServer::start().unwrap();
    let file = env.path("scenario.json");
    std::fs::write(&file, r#"{"phones": [{"model": "Pixel 8"}]}"#).unwrap();
    let mut child = env
        .cmd(&["--json", "sim", "--scenario", file.to_str().unwrap()])
        .env("ANDROID_ADB_SERVER_PORT", adb.port().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = read_json_object(&mut stdout_reader(&mut child));
    let serial = ready["phones"][0].as_str().unwrap().to_string();
    assert_eq!(adb.state_of(&serial).unwrap().as_deref(), Some("device"));
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(
        adb.state_of(&serial).unwrap(),
        None,
        "the phone stayed registered"
    );
}

#[test]
fn sim_and_devices_report_bad_scenarios_and_missing_servers() {
    let env = Env::new();
    env.run(&["accounts", "add", "seed", "--device", "10.0.0.9:5555"])
        .expect(0);
    let offline = env
        .run(&["--json", "devices", "--offline"])
        .expect(0)
        .json();
    assert_eq!(offline["devices"][0]["serial"], "10.0.0.9:5555");
    assert_eq!(offline["devices"][0]["accounts"], 1);

    let run = env.run(&["devices", "--adb", "127.0.0.1:1"]).expect(1);
    assert!(run.stderr.contains("no adb server"), "{}", run.stderr);
    assert!(
        run.stdout.contains("10.0.0.9:5555"),
        "the registry is still listed"
    );
    env.run(&["login", "--adb", "127.0.0.1:1"]).expect(1);

    let bad = env.path("bad.json");
    std::fs::write(&bad, r#"{"phones": [{"modle": "typo"}]}"#).unwrap();
    let run = env.run(&[
        "sim",
        "--scenario",
        bad.to_str().unwrap(),
        "--adb",
        "127.0.0.1:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("modle"), "{}", run.stderr);
    let run = env.run(&[
        "--json",
        "sim",
        "--scenario",
        bad.to_str().unwrap(),
        "--adb",
        "127.0.0.1:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["error"]["kind"], "scenario", "{}", run.stdout);
    let run = env.run(&["sim", "--scenario", env.path("none.json").to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = env
        .run(&["sim", "--phones", "2", "--adb", "127.0.0.1:1"])
        .expect(1);
    assert!(run.stderr.contains("no adb server"), "{}", run.stderr);
}
