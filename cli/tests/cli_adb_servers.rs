//! `--adb` given several times: one controller lists and drives the phones of
//! two adb servers (two PCs), each phone through its own server.

mod support;

use support::{fleet, scenario, Env};

#[test]
fn devices_and_login_span_two_adb_servers() {
    let (pc1, adb1) = fleet(&scenario());
    let (pc2, adb2) = fleet(&scenario());
    let (a1, a2) = (adb1.addr().to_string(), adb2.addr().to_string());
    let env = Env::new();
    // Mia is logged out on PC 1's first phone; Leo logged in on PC 2's second.
    for (name, serial) in [("mia", &pc1.serials()[0]), ("leo", &pc2.serials()[1])] {
        let password = format!("{name}-pw");
        env.run(&[
            "accounts",
            "add",
            name,
            "--password",
            &password,
            "--device",
            serial,
        ])
        .expect(0);
    }

    let listed = env
        .run(&["--json", "devices", "--adb", &a1, "--adb", &a2])
        .expect(0)
        .json();
    assert_eq!(listed["adb"], format!("{a1}, {a2}"));
    let devices = listed["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 4, "{listed}");
    for (fleet, server) in [(&pc1, &a1), (&pc2, &a2)] {
        for serial in fleet.serials() {
            let device = devices
                .iter()
                .find(|d| d["serial"] == serial.as_str())
                .unwrap();
            assert_eq!(device["server"], server.as_str(), "{device}");
        }
    }
    let table = env.run(&["devices", "--adb", &a1, "--adb", &a2]).expect(0);
    assert!(
        table.all().contains("SERVER") && table.all().contains(&a2),
        "{}",
        table.all()
    );

    // One login drives the phones of both servers.
    let run = env
        .run(&["--json", "login", "--adb", &a1, "--adb", &a2])
        .expect(0)
        .json();
    let outcome = |name: &str| {
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == name)
            .map(|r| r["outcome"].clone())
    };
    assert_eq!(outcome("mia").unwrap(), "logged_in", "{run}");
    assert_eq!(outcome("leo").unwrap(), "already_logged_in", "{run}");

    // A server named twice, and several for a command that talks to one.
    let twice = env.run(&["devices", "--adb", &a1, "--adb", &a1]).expect(2);
    assert!(twice.all().contains("named twice"), "{}", twice.all());
    let one = env.run(&[
        "screens", "capture", "--adb", &a1, "--adb", &a2, "--device", "x",
    ]);
    assert!(one.all().contains("--adb"), "{}", one.all());
}
