//! `sim::serve`: phones registered with a running adb server, as the
//! `sim-phones` example runs them.

use farmhand::ErrorKind;
use farmhand_sim::{serve, AdbServer, ServeOptions};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn options_parse_and_bad_ones_are_named() {
    let o = ServeOptions::from_args(args(&["--phones", "3", "--adb-port", "6000"])).unwrap();
    assert_eq!(
        (o.phones, o.adb_port, o.scenario),
        (Some(3), Some(6000), None)
    );
    for (bad, needle) in [
        (vec![], "how many phones"),
        (vec!["--phones"], "needs a value"),
        (vec!["--phones", "0"], "from 1 to"),
        (vec!["--phones", "lots"], "'lots'"),
        (vec!["--phones", "2", "--adb-port", "99999"], "not a port"),
        (
            vec!["--phones", "2", "--colour"],
            "unknown argument '--colour'",
        ),
    ] {
        let err = ServeOptions::from_args(args(&bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert!(err.to_string().contains(needle), "{bad:?}: {err}");
    }
}

#[test]
fn scenario_files_and_phone_counts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("farm.json");
    std::fs::write(&file, r#"{"phones": [{"model": "A"}, {"model": "B"}]}"#).unwrap();
    let path = file.to_str().unwrap();
    let o = ServeOptions::from_args(args(&["--scenario", path])).unwrap();
    assert_eq!(o.scenario().unwrap().phones.len(), 2);
    let o = ServeOptions::from_args(args(&["--scenario", path, "--phones", "2"])).unwrap();
    assert_eq!(o.scenario().unwrap().phones[1].model, "B");
    let o = ServeOptions::from_args(args(&["--scenario", path, "--phones", "5"])).unwrap();
    assert!(o
        .scenario()
        .unwrap_err()
        .to_string()
        .contains("lists 2 phones"));
    std::fs::write(&file, r#"{"phones": [{"model": 7}]}"#).unwrap();
    let err = ServeOptions::from_args(args(&["--scenario", path]))
        .unwrap()
        .scenario()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Scenario);
    assert!(err.to_string().contains("farm.json"), "{err}");
    let missing = dir.path().join("none.json");
    let err = ServeOptions::from_args(args(&["--scenario", missing.to_str().unwrap()]))
        .unwrap()
        .scenario()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
}

#[test]
fn serving_registers_the_phones_and_stopping_unregisters_them() {
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    let options = ServeOptions {
        phones: Some(3),
        adb_port: Some(adb.port()),
        scenario: None,
    };
    let serving = serve(&options).unwrap();
    let serials = serving.fleet().serials();
    assert_eq!(serials.len(), 3);
    let listing =
        String::from_utf8_lossy(&adb.run(&["devices", "-l"]).unwrap().stdout).into_owned();
    for serial in &serials {
        assert!(
            listing.contains(&format!("{serial}        device")),
            "{listing}"
        );
        let out = adb
            .run(&["-s", serial, "shell", "pm list packages"])
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "package:com.zhiliaoapp.musically\npackage:com.instagram.android\n"
        );
    }
    drop(serving);
    for serial in &serials {
        assert_eq!(adb.state_of(serial).unwrap(), None);
    }
}
