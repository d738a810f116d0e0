//! The `farmhand` workflows against simulated phones behind the real adb server:
//! `match`, `login` (with 2FA), `sync`, and Ctrl-C cancelling a run.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use farmhand_sim::{PageFault, PageProfile, ProfilePages};
use support::{fleet, interrupt, output, read_json_object, scenario, stdout_reader, Env, SECRET};

#[test]
fn match_login_with_2fa_and_sync_through_the_real_adb_server() {
    let (fleet, adb) = fleet(&scenario());
    let serials = fleet.serials();
    let addr = adb.addr().to_string();
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "mia",
        "--password",
        "mia-pw",
        "--device",
        &serials[0],
    ])
    .expect(0);
    env.run(&[
        "accounts",
        "add",
        "ana",
        "-p",
        "instagram",
        "--password",
        &format!("ana-pw:{SECRET}"),
        "--device",
        &serials[0],
    ])
    .expect(0);

    let matched = env
        .run(&["--json", "match", "--adb", &addr])
        .expect(0)
        .json();
    let leo = matched["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "leo")
        .expect("match found leo's session");
    assert_eq!(leo["outcome"], "created");
    assert_eq!(leo["device"], serials[1].as_str());

    let login = env.run(&["--json", "login", "--adb", &addr]);
    assert!(!login.all().contains(SECRET) && !login.all().contains("ana-pw"));
    let login = login.expect(0).json();
    let outcome = |report: &serde_json::Value, user: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == user)
            .map(|r| r["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(outcome(&login, "mia").as_deref(), Some("logged_in"));
    assert_eq!(outcome(&login, "ana").as_deref(), Some("logged_in"));

    let table = env.run(&["sync", "--adb", &addr]).expect(0);
    assert!(
        table.stdout.contains("OUTCOME") && table.stdout.contains("synced"),
        "{}",
        table.stdout
    );
    let mia = env
        .run(&["--json", "accounts", "show", "mia"])
        .expect(0)
        .json();
    assert_eq!(mia["stats"]["followers"], 1200);
    assert_eq!(mia["logged_in"], true);
    let devices = env
        .run(&["--json", "devices", "--adb", &addr])
        .expect(0)
        .json();
    let listed: Vec<&str> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["state"] == "device")
        .map(|d| d["serial"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 2, "{devices}");
}

#[test]
fn ctrl_c_cancels_a_login_before_the_next_account() {
    let mut scenario = scenario();
    scenario.latency.dump_ms = 300;
    let mut extra = Vec::new();
    for i in 0..6 {
        let name = format!("slow{i}");
        scenario.accounts.push(farmhand_sim::PlatformAccount::new(
            farmhand::Platform::TikTok,
            name.clone(),
            "pw",
        ));
        extra.push(name);
    }
    let (fleet, adb) = fleet(&scenario);
    let env = Env::new();
    for name in &extra {
        env.run(&[
            "accounts",
            "add",
            name,
            "--password",
            "pw",
            "--device",
            &fleet.serials()[0],
        ])
        .expect(0);
    }
    let mut child = env
        .cmd(&[
            "--json",
            "login",
            "--parallelism",
            "1",
            "--adb",
            &adb.addr().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no progress: {seen}"
        );
        seen.push_str(&line);
        // With --json, progress is one JSON object per line on stderr.
        let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON event line");
        if event["event"] == "account_done" {
            assert_eq!(event["done"], 1, "{seen}");
            break;
        }
    }
    interrupt(&child);
    let report = read_json_object(&mut stdout_reader(&mut child));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{report}");
    assert_eq!(report["cancelled"], true);
    let outcomes: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert!(outcomes.contains(&"cancelled"), "{outcomes:?}");
    assert!(outcomes.contains(&"logged_in"), "{outcomes:?}");
}

#[test]
fn login_disables_banned_accounts_only_when_asked() {
    let scenario = farmhand_sim::Scenario::from_json(
        r#"{
        "accounts": [
          {"platform": "tiktok", "username": "bo", "password": "bo-pw", "banned": true},
          {"platform": "instagram", "username": "sue", "password": "sue-pw", "suspended": true}
        ],
        "phones": [{}]
    }"#,
    )
    .unwrap();
    let (fleet, adb) = fleet(&scenario);
    let serial = &fleet.serials()[0];
    let addr = adb.addr().to_string();
    let env = Env::new();
    for (name, platform) in [("bo", "tiktok"), ("sue", "instagram")] {
        let password = format!("{name}-pw");
        env.run(&[
            "accounts",
            "add",
            name,
            "-p",
            platform,
            "--password",
            &password,
            "--device",
            serial,
        ])
        .expect(0);
    }
    let status = |name: &str| {
        env.run(&["--json", "accounts", "show", name])
            .expect(0)
            .json()["status"]
            .clone()
    };
    let outcomes = |report: &serde_json::Value| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["username"].as_str().unwrap().to_string(),
                    r["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        found.sort();
        found
    };

    let first = env.run(&["--json", "login", "--adb", &addr]).json();
    assert_eq!(
        outcomes(&first),
        [
            ("bo".to_string(), "banned".to_string()),
            ("sue".to_string(), "suspended".to_string())
        ]
    );
    assert_eq!(status("bo"), status("sue"), "nothing disabled unasked");

    let second = env
        .run(&["--json", "login", "--disable-on-ban", "--adb", &addr])
        .json();
    assert_eq!(
        outcomes(&second)[0],
        ("bo".to_string(), "banned".to_string())
    );
    assert_ne!(
        status("bo"),
        status("sue"),
        "bo is disabled now, sue is not"
    );

    let history = env
        .run(&["--json", "accounts", "history", "bo"])
        .expect(0)
        .json();
    assert_eq!(history["health"]["state"], "banned");
    let entries = history["history"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{history}");
    assert_eq!(entries[0]["workflow"], "login");
    assert_eq!(entries[0]["outcome"], "banned");
    assert_eq!(entries[0]["device"], serial.as_str());
    assert_eq!(
        entries[0]["reason"],
        "disabled automatically (disable_on_ban)"
    );
    let text = env
        .run(&["accounts", "history", "sue", "--limit", "1"])
        .expect(0);
    assert!(text.stdout.contains("suspended since"), "{}", text.stdout);
    assert_eq!(text.stdout.matches("login ").count(), 1, "{}", text.stdout);
    let banned = env
        .run(&["--json", "accounts", "list", "--health", "banned"])
        .expect(0)
        .json();
    let names: Vec<&str> = banned
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bo"]);
    let bad = env.run(&["accounts", "list", "--health", "sick"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("'sick' is not a health state"),
        "{}",
        bad.stderr
    );
    let none = env.run(&["accounts", "history", "nobody"]);
    assert_ne!(none.code, 0);

    let sheet = env.dir.path().join("health.xlsx");
    env.run(&[
        "export",
        "-p",
        "tiktok",
        "--health",
        sheet.to_str().unwrap(),
    ])
    .expect(0);
    let again = env
        .run(&["--json", "import", "-p", "tiktok", sheet.to_str().unwrap()])
        .expect(0)
        .json();
    assert_eq!(again["unchanged"], 1, "{again}");
    assert_eq!(again["unknown_columns"], serde_json::json!([]), "{again}");

    // A match finds sessions, not bans: the flag is not one of its options.
    let refused = env.run(&["match", "--disable-on-ban", "--adb", &addr]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("--disable-on-ban"),
        "{}",
        refused.stderr
    );
}

#[test]
fn sync_source_web_fills_all_seven_columns_without_a_phone_or_adb() {
    let pages = ProfilePages::start([
        PageProfile {
            username: "tia".into(),
            nickname: Some("Tia".into()),
            region: Some("BR".into()),
            followers: 2_345_678,
            following: 12,
            hearts: 45_678_901,
            videos: 77,
            friends: 5,
            private: false,
        },
        PageProfile::new("gone"),
    ])
    .unwrap();
    pages.set_fault("gone", PageFault::NotFound);
    let env = Env::new();
    for name in ["tia", "gone"] {
        env.run(&["accounts", "add", name]).expect(0);
    }
    let sync = |args: &[&str]| {
        let mut cmd = env.cmd(args);
        cmd.env(farmhand::web::WEB_URL_ENV, pages.url());
        output(cmd)
    };
    // No adb is reachable at this address: the web source never asks for it.
    let report = sync(&[
        "--json",
        "sync",
        "--source",
        "web",
        "--adb",
        "127.0.0.1:9",
        "--web-rate",
        "50",
    ])
    .expect(3)
    .json();
    let outcome = |user: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == user)
            .map(|r| r["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(outcome("tia").as_deref(), Some("synced_from_web"));
    assert_eq!(outcome("gone").as_deref(), Some("unknown_user"));
    let tia = env
        .run(&["--json", "accounts", "show", "tia"])
        .expect(0)
        .json();
    let stats = &tia["stats"];
    assert_eq!(
        (&stats["nickname"], &stats["country"]),
        (&serde_json::json!("Tia"), &serde_json::json!("BR"))
    );
    for (column, value) in [
        ("followers", 2_345_678),
        ("following", 12),
        ("hearts", 45_678_901),
        ("videos", 77),
        ("friends", 5),
    ] {
        assert_eq!(stats[column], value, "{column}");
    }

    let instagram = sync(&["sync", "--source", "web", "-p", "instagram"]).expect(2);
    assert!(
        instagram.stderr.contains("app only"),
        "{}",
        instagram.stderr
    );
    let bad_url = sync(&["sync", "--source", "web", "--web-url", "ftp://mirror"]).expect(2);
    assert!(bad_url.stderr.contains("web_url"), "{}", bad_url.stderr);
    let bad_proxy = sync(&[
        "sync",
        "--source",
        "web",
        "--proxy",
        "socks5://u:hunter2@h:1",
    ])
    .expect(2);
    assert!(
        bad_proxy.stderr.contains("proxy") && !bad_proxy.stderr.contains("hunter2"),
        "{}",
        bad_proxy.stderr
    );
    assert_eq!(pages.requests().len(), 2, "refused runs sent no request");
}
