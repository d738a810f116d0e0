//! `farmhand demo`, the README's run command: through the real adb server when
//! `adb` is installed, in process when it is not.

mod support;

use support::{path_without_adb, Env};

fn outcome<'a>(workflow: &'a serde_json::Value, user: &str) -> Option<&'a str> {
    workflow["results"]
        .as_array()?
        .iter()
        .find(|r| r["username"] == user)?["outcome"]
        .as_str()
}

/// Checks what every demo run must have done, whichever way it reached the phones.
fn check_demo(report: &serde_json::Value, dir: &std::path::Path) {
    assert_eq!(report["imports"].as_array().unwrap().len(), 2);
    assert_eq!(report["imports"][0]["created"], 2);
    let [matched, login, sync] = &report["workflows"].as_array().unwrap()[..] else {
        panic!("three workflows expected: {report}");
    };
    assert_eq!(matched["workflow"], "match_accounts");
    assert_eq!(outcome(matched, "leo.cooks"), Some("created"));
    assert_eq!(outcome(matched, "kai.photos"), Some("linked"));
    assert_eq!(login["workflow"], "login");
    assert_eq!(outcome(login, "mia.dances"), Some("logged_in"));
    assert_eq!(
        outcome(login, "ana.travels"),
        Some("logged_in"),
        "2FA login"
    );
    assert_eq!(sync["workflow"], "sync_profiles");
    assert_eq!(outcome(sync, "ana.travels"), Some("synced"));
    let ana = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "ana.travels")
        .unwrap();
    assert_eq!(ana["stats"]["followers"], 54200);
    assert_eq!(outcome(sync, "mia.dances"), Some("synced"));
    let mia = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "mia.dances")
        .unwrap();
    // All seven TikTok columns: the phone's four, and the page's videos,
    // friends and country.
    let columns = [
        "nickname",
        "country",
        "followers",
        "following",
        "hearts",
        "videos",
        "friends",
    ];
    let stats: Vec<&serde_json::Value> = columns.iter().map(|c| &mia["stats"][c]).collect();
    assert_eq!(
        serde_json::json!(stats),
        serde_json::json!(["Mia Dances", "US", 12500, 180, 403000, 96, 41])
    );
    assert_eq!(ana["has_2fa"], true);
    assert!(dir.join("accounts.xlsx").is_file());
    assert!(dir.join("workspace.db").is_file());
}

#[test]
fn demo_goes_through_the_real_adb_server_when_adb_is_installed() {
    let env = Env::new();
    let dir = env.path("demo");
    let run = env
        .run(&["--json", "demo", "--dir", dir.to_str().unwrap()])
        .expect(0);
    let report = run.json();
    assert_eq!(
        report["mode"], "adb",
        "is the adb tool installed? {}",
        run.stderr
    );
    assert!(report["adb_server"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    assert_ne!(
        report["adb_server"], "127.0.0.1:5037",
        "the demo must use a private port"
    );
    check_demo(&report, &dir);
    assert!(
        !run.all().contains("JBSWY3DPEHPK3PXP"),
        "a 2FA key was printed"
    );
}

#[test]
fn demo_runs_in_process_without_adb() {
    let env = Env::new();
    let dir = env.path("demo");
    let mut cmd = env.cmd(&["--json", "demo", "--dir", dir.to_str().unwrap()]);
    cmd.env("PATH", path_without_adb())
        .env_remove("FARMHAND_ADB");
    let report = support::output(cmd).expect(0).json();
    assert_eq!(report["mode"], "local");
    assert!(report["adb_server"].is_null());
    check_demo(&report, &dir);
}

#[test]
fn demo_prints_tables_for_people_and_cleans_up_its_temporary_folder() {
    let env = Env::new();
    let run = env.run(&["demo", "--driver", "local"]).expect(0);
    for heading in [
        "== phones",
        "== import",
        "== match",
        "== login",
        "== profile sync",
        "== roster",
    ] {
        assert!(
            run.stdout.contains(heading),
            "{heading} missing:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("in process"), "{}", run.stdout);
    let line = run.stdout.lines().last().unwrap();
    let dir = line
        .strip_prefix("demo files were in ")
        .and_then(|rest| rest.split(" (removed").next())
        .unwrap_or_else(|| panic!("last line: {line}"));
    assert!(!std::path::Path::new(dir).exists(), "{dir} was left behind");
}

#[test]
fn demo_refuses_a_used_folder_or_the_users_workspace() {
    let env = Env::new();
    let dir = env.path("used");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    env.run(&["demo", "--dir", dir.to_str().unwrap()]).expect(2);
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "mine"
    );
    env.run(&["--workspace", "x.db", "demo"]).expect(2);
}
