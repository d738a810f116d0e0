//! `farmhand screens check`: real dumps of other apps are "not recognised",
//! screens the simulated apps draw from the catalogue are named with their
//! counts, and a pack file replaces the built-in pack of its app, here and in
//! the workflows.

mod support;

use std::time::Duration;

use farmhand::device::{Device, DeviceDriver, DeviceExt};
use farmhand_sim::{AppKind, AppSpec, PhoneSpec, PlatformAccount, Scenario, SimFleet};
use support::Env;

const PROFILE_TAB: (i32, i32) = (972, 2316);

/// The profile of `jack` in the simulated Instagram `version`, as the phone dumps it.
fn instagram_profile_dump(version: u32) -> String {
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![AppSpec {
                version,
                logged_in: vec!["jack".into()],
                ..AppSpec::new(AppKind::Instagram)
            }],
            ..PhoneSpec::default()
        }],
        accounts: vec![PlatformAccount {
            followers: 3_400_000,
            posts: 12,
            following: 1_234,
            ..PlatformAccount::new(farmhand::Platform::Instagram, "jack", "pw")
        }],
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).unwrap();
    let mut phone: Box<dyn Device> = fleet.local_driver().open(&fleet.serials()[0]).unwrap();
    phone.launch("com.instagram.android", None).unwrap();
    phone.tap(PROFILE_TAB.0, PROFILE_TAB.1).unwrap();
    phone
        .shell(
            "uiautomator dump /sdcard/d.xml >/dev/null && cat /sdcard/d.xml",
            Duration::from_secs(10),
        )
        .unwrap()
        .stdout
}

fn fixtures() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/ui-dumps").to_string()
}

#[test]
fn real_dumps_of_other_apps_are_not_recognised() {
    let env = Env::new();
    let text = env.run(&["screens", "check", &fixtures()]).expect(0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{}", text.stdout);
    assert!(
        lines.iter().all(|l| l.contains(": not recognised")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "douyin_following_list.xml: not recognised (drawn by com.ss.android.ugc.aweme)"
        ),
        "{}",
        text.stdout
    );
    let json = env
        .run(&["--json", "screens", "check", &fixtures(), "--app", "tiktok"])
        .expect(0)
        .json();
    for file in json.as_array().unwrap() {
        assert_eq!(file["screen"], serde_json::Value::Null, "{file}");
        assert_eq!(file["error"], serde_json::Value::Null, "{file}");
    }
}

#[test]
fn catalogue_drawn_screens_are_named_with_their_counts() {
    let env = Env::new();
    for version in [300, 410] {
        let path = env.dir.path().join(format!("ig{version}.xml"));
        std::fs::write(&path, instagram_profile_dump(version)).unwrap();
        let json = env
            .run(&["--json", "screens", "check", path.to_str().unwrap()])
            .expect(0)
            .json();
        let file = &json[0];
        assert_eq!(file["app"], "instagram", "{file}");
        assert_eq!(file["screen"], "profile", "{file}");
        let controls = &file["controls"];
        assert_eq!(controls["profile_followers_value"]["text"], "3.4M");
        assert_eq!(controls["profile_followers_value"]["value"], 3_400_000);
        assert_eq!(controls["profile_following_value"]["value"], 1_234);
        assert_eq!(controls["profile_handle"]["text"], "jack");
        assert_eq!(
            controls["profile_followers_value"]["bounds"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(file["missing"], serde_json::json!([]));
    }
    let path = env.dir.path().join("ig300.xml");
    let text = env
        .run(&["screens", "check", path.to_str().unwrap()])
        .expect(0);
    assert!(
        text.stdout.contains(": instagram profile"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("profile_followers_value: \"3.4M\" = 3400000"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_pack_file_replaces_the_builtin_one_and_bad_ones_are_refused() {
    let env = Env::new();
    let dump = env.dir.path().join("ig.xml");
    std::fs::write(&dump, instagram_profile_dump(410)).unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/src/apps/packs/instagram.json"
    ))
    .unwrap();
    // A pack whose profile must also show a bio: this dump has none.
    let stricter = builtin
        .replacen(
            r#""profile_menu": ["#,
            r#""profile_bio": [{"id": "profile_header_bio_text"}], "profile_menu": ["#,
            1,
        )
        .replacen(
            r#"{"name": "profile", "all": ["profile_handle", "profile_followers_value"]}"#,
            r#"{"name": "profile", "all": ["profile_handle", "profile_followers_value", "profile_bio"]}"#,
            1,
        );
    assert_ne!(stricter, builtin);
    let pack = env.dir.path().join("instagram.json");
    std::fs::write(&pack, &stricter).unwrap();
    let json = env
        .run(&[
            "--json",
            "screens",
            "check",
            dump.to_str().unwrap(),
            "--pack",
            pack.to_str().unwrap(),
        ])
        .expect(0)
        .json();
    // No longer a profile: only the tab bar's "home" screen fits.
    assert_eq!(json[0]["screen"], "home", "{json}");
    assert_eq!(json[0]["controls"]["profile_bio"], serde_json::Value::Null);
    assert_eq!(
        json[0]["controls"]["profile_followers_value"]["value"],
        3_400_000
    );

    let wrong_app = env.run(&[
        "screens",
        "check",
        dump.to_str().unwrap(),
        "--pack",
        pack.to_str().unwrap(),
        "--app",
        "tiktok",
    ]);
    assert_ne!(wrong_app.code, 0);
    assert!(
        wrong_app.stderr.contains("not tiktok"),
        "{}",
        wrong_app.stderr
    );

    env.run(&["accounts", "add", "someone"]).expect(0);
    let broken = env.dir.path().join("broken.json");
    std::fs::write(&broken, "{\"app\": \"instagram\"").unwrap();
    for command in [
        vec!["screens", "check", dump.to_str().unwrap(), "--pack"],
        vec!["login", "--adb", "127.0.0.1:9", "--pack"],
    ] {
        let mut args = command.clone();
        args.push(broken.to_str().unwrap());
        let run = env.run(&args);
        assert_ne!(run.code, 0, "{args:?}");
        assert!(
            run.stderr.contains("broken.json"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let garbage = env.dir.path().join("garbage.xml");
    std::fs::write(&garbage, "not a dump").unwrap();
    let run = env.run(&["screens", "check", garbage.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("unreadable"), "{}", run.stdout);
}

#[test]
fn capture_saves_dump_screenshot_app_version_and_size_and_check_reads_it() {
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![AppSpec {
                version: 410,
                ..AppSpec::new(AppKind::Instagram)
            }],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    };
    let (fleet, adb) = support::fleet(&scenario);
    let serial = fleet.serials()[0].clone();
    let addr = adb.addr().to_string();
    let mut phone = fleet.local_driver().open(&serial).unwrap();
    phone.launch("com.instagram.android", None).unwrap();

    let env = Env::new();
    let out = env.dir.path().join("captures");
    let captured = env
        .run(&[
            "--json",
            "screens",
            "capture",
            "--device",
            &serial,
            "--out",
            out.to_str().unwrap(),
            "--adb",
            &addr,
        ])
        .expect(0)
        .json();
    assert_eq!(captured["serial"], serial.as_str());
    assert_eq!(captured["package"], "com.instagram.android");
    assert_eq!(captured["version_name"], "410.0.0");
    assert_eq!(
        (captured["width"].clone(), captured["height"].clone()),
        (1080.into(), 2400.into())
    );
    let png = std::fs::read(captured["screenshot"].as_str().unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(captured["dump"].as_str().unwrap()).with_extension("json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(saved, captured);

    let checked = env
        .run(&["--json", "screens", "check", out.to_str().unwrap()])
        .expect(0)
        .json();
    assert_eq!(checked.as_array().unwrap().len(), 1);
    assert_eq!(checked[0]["app"], "instagram");
    assert_eq!(checked[0]["screen"], "login");

    let offline = env.run(&[
        "screens",
        "capture",
        "--device",
        "10.9.9.9:5555",
        "--adb",
        &addr,
    ]);
    assert_ne!(offline.code, 0);
    assert!(
        offline.stderr.contains("10.9.9.9:5555"),
        "{}",
        offline.stderr
    );
}
