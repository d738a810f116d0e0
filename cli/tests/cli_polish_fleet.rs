//! Issue 16's CLI polish with simulated phones behind the real adb server:
//! progress counts that agree with the work done, the exit code of a run with
//! failed accounts, `devices` without a workspace, `sim --phones N`'s test
//! accounts and the sample scenario file; and issue 23's progress at farm
//! scale (one bar on a terminal, JSON event lines with `--json`).

mod support;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::Stdio;

use farmhand::Platform;
use farmhand_sim::{AdbServer, PlatformAccount, Scenario, SimFleet};
use support::{fleet, interrupt, read_json_object, stdout_reader, Env};

/// Three phones: sessions of mia (phone 1) and leo (phone 3), nobody on phone 2.
fn three_phones() -> Scenario {
    Scenario::from_json(
        r#"{
        "accounts": [
          {"platform": "tiktok", "username": "mia", "password": "mia-pw"},
          {"platform": "tiktok", "username": "leo", "password": "leo-pw"}
        ],
        "phones": [
          {"apps": [{"kind": "tiktok", "logged_in": ["mia"]}]},
          {},
          {"apps": [{"kind": "tiktok", "logged_in": ["leo"]}]}
        ]
    }"#,
    )
    .unwrap()
}

#[test]
fn progress_counts_agree_with_the_work_and_speak_proper_english() {
    let (fleet, adb) = fleet(&three_phones());
    let addr = adb.addr().to_string();
    let env = Env::new();
    let matched = env.run(&["match", "--adb", &addr]).expect(0);
    assert!(
        matched
            .stderr
            .contains("match_accounts: looking for sessions on 3 phones"),
        "{}",
        matched.stderr
    );
    let counters: Vec<&str> = matched
        .stderr
        .lines()
        .filter(|l| l.starts_with('['))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(counters, ["[1]", "[2]"], "{}", matched.stderr);
    assert!(
        matched.stdout.contains("match_accounts: 2 results"),
        "{}",
        matched.stdout
    );

    let serial = &fleet.serials()[1];
    env.run(&[
        "accounts",
        "add",
        "solo",
        "--password",
        "pw",
        "--device",
        serial,
    ])
    .expect(0);
    env.run(&["accounts", "disable", "mia"]).expect(0);
    env.run(&["accounts", "disable", "leo"]).expect(0);
    let login = env.run(&["login", "--adb", &addr]);
    assert!(
        login.stderr.contains("login: 1 account on 1 phone\n"),
        "{}",
        login.stderr
    );
    assert!(
        login.stderr.contains("[1/1] tiktok solo"),
        "{}",
        login.stderr
    );
    assert!(
        login.stdout.contains("login: 1 result,"),
        "{}",
        login.stdout
    );
    assert!(!login.all().contains("1 accounts") && !login.all().contains("1 phones"));
    // solo exists nowhere on the platform: the run ends with a failed account.
    let login = login.expect(3);
    assert!(login.stdout.contains("1 failed"), "{}", login.stdout);
}

#[test]
fn a_run_with_failed_accounts_exits_3_and_a_run_that_could_not_start_exits_1() {
    let (fleet, adb) = fleet(&three_phones());
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "leo",
        "--password",
        "wrong",
        "--device",
        &fleet.serials()[1],
    ])
    .expect(0);
    env.run(&["login", "--adb", &adb.addr().to_string()])
        .expect(3);
    env.run(&["login", "--adb", "127.0.0.1:1"]).expect(1);
    // A chain that goes on past failed accounts reaches its last step.
    let script = format!(
        "ok() {{ \"$@\" || [ $? -eq 3 ]; }}; ok {bin} login --adb {addr} && ok {bin} sync --adb {addr} && echo reached",
        bin = env!("CARGO_BIN_EXE_farmhand"),
        addr = adb.addr()
    );
    let mut sh = std::process::Command::new("sh");
    sh.args(["-c", &script])
        .env("FARMHAND_WORKSPACE", env.workspace())
        .env_remove("ANDROID_ADB_SERVER_PORT");
    let run = support::output(sh);
    assert!(
        run.stdout.contains("reached"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn devices_without_a_workspace_lists_what_adb_sees() {
    let (fleet, adb) = fleet(&three_phones());
    let env = Env::new();
    let json = env
        .run(&["--json", "devices", "--adb", &adb.addr().to_string()])
        .expect(0)
        .json();
    let serials: Vec<&str> = json["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["serial"].as_str().unwrap())
        .collect();
    for serial in fleet.serials() {
        assert!(serials.contains(&serial.as_str()), "{json}");
    }
    assert!(json["devices"][0]["index"].is_null(), "{json}");
    assert!(!env.workspace().exists(), "devices created a workspace");
}

#[test]
fn sim_phones_come_with_fake_test_accounts_that_log_in() {
    let env = Env::new();
    let mut child = env
        .cmd(&["sim", "--phones", "1", "--start-adb"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = stdout_reader(&mut child);
    let mut text = String::new();
    while !text.contains("serving until Ctrl-C") {
        let n = reader.read_line(&mut text).unwrap();
        assert!(n > 0, "sim ended early: {text}");
    }
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(text.starts_with("1 simulated phone registered"), "{text}");
    assert!(text.contains("fake"), "{text}");
    assert!(
        text.contains("sim_tiktok_1") && text.contains("sim_insta_1"),
        "{text}"
    );

    let mut child = env
        .cmd(&["--json", "sim", "--phones", "2", "--start-adb"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = read_json_object(&mut stdout_reader(&mut child));
    let addr = ready["adb"].as_str().unwrap().to_string();
    let phones: Vec<String> = ready["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let accounts = ready["test_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4, "{ready}");
    for account in accounts {
        let phone = account["phone"].as_u64().unwrap() as usize;
        env.run(&[
            "accounts",
            "add",
            account["username"].as_str().unwrap(),
            "-p",
            account["platform"].as_str().unwrap(),
            "--password",
            account["password"].as_str().unwrap(),
            "--device",
            &phones[phone - 1],
        ])
        .expect(0);
    }
    let login = env.run(&["--json", "login", "--adb", &addr]);
    let mut web_sync = env.cmd(&["--json", "sync", "--source", "web", "--web-rate", "50"]);
    web_sync.env(
        farmhand::web::WEB_URL_ENV,
        ready["web_url"].as_str().unwrap(),
    );
    let web_sync = support::output(web_sync);
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let synced = web_sync.expect(0).json();
    assert_eq!(synced["summary"]["succeeded"], 2, "{synced}");
    let tiktok_2 = env
        .run(&["--json", "accounts", "show", "sim_tiktok_2"])
        .expect(0)
        .json();
    assert_eq!(tiktok_2["stats"]["followers"], 200);
    let report = login.expect(0).json();
    let outcomes: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["logged_in"; 4], "{report}");
}

#[test]
fn the_sample_scenario_file_loads_and_starts() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/scenarios/farm.json");
    let scenario = Scenario::load(&file).expect("the sample scenario is valid");
    assert_eq!(scenario.phones.len(), 3);
    let env = Env::new();
    let mut child = env
        .cmd(&[
            "--json",
            "sim",
            "--scenario",
            file.to_str().unwrap(),
            "--start-adb",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = read_json_object(&mut stdout_reader(&mut child));
    let addr = ready["adb"].as_str().unwrap().to_string();
    assert_eq!(ready["phones"].as_array().unwrap().len(), 3, "{ready}");
    assert_eq!(ready["test_accounts"], serde_json::json!([]));
    let matched = env.run(&["--json", "match", "--adb", &addr]);
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let report = matched.expect(0).json();
    let leo = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "farm_leo")
        .unwrap_or_else(|| panic!("match found no farm_leo: {report}"));
    assert_eq!(leo["outcome"], "created");
    assert_eq!(leo["device"], ready["phones"][1]);
}

/// `n` phones, each with a logged-out TikTok account `farm{i}` (password `pw{i}`)
/// on the platform and in a fresh workspace.
fn farm(n: usize) -> (Env, SimFleet, AdbServer) {
    let mut scenario = Scenario::with_phones(n);
    scenario.accounts = (0..n)
        .map(|i| PlatformAccount::new(Platform::TikTok, format!("farm{i}"), format!("pw{i}")))
        .collect();
    let (fleet, adb) = fleet(&scenario);
    let env = Env::new();
    for (i, serial) in fleet.serials().iter().enumerate() {
        let (name, password) = (format!("farm{i}"), format!("pw{i}"));
        env.run(&[
            "accounts",
            "add",
            &name,
            "--password",
            &password,
            "--device",
            serial,
        ])
        .expect(0);
    }
    (env, fleet, adb)
}

#[test]
fn json_progress_is_one_event_object_per_stderr_line_beside_the_report() {
    let (env, _fleet, adb) = farm(4);
    let login = env
        .run(&["--json", "login", "--adb", &adb.addr().to_string()])
        .expect(0);
    let events: Vec<serde_json::Value> = login
        .stderr
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\n{}", login.stderr))
        })
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"finished"), "{kinds:?}");
    assert!(kinds.contains(&"step"), "{kinds:?}");
    let mut done: Vec<(u64, String)> = events
        .iter()
        .filter(|e| e["event"] == "account_done")
        .map(|e| {
            assert_eq!(e["total"], 4);
            assert_eq!(e["result"]["outcome"], "logged_in", "{e}");
            (
                e["done"].as_u64().unwrap(),
                e["result"]["username"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(done.iter().map(|d| d.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    done.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        done.iter().map(|d| d.1.as_str()).collect::<Vec<_>>(),
        ["farm0", "farm1", "farm2", "farm3"]
    );
    assert_eq!(events[0]["accounts"], 4);
    assert_eq!(events.last().unwrap()["summary"]["succeeded"], 4);
    // stdout is still the one report object.
    assert_eq!(login.json()["summary"]["succeeded"], 4);
    assert!(!login.all().contains("pw1"), "no password in progress");
}

#[test]
fn a_terminal_shows_one_bar_and_the_summary_not_a_line_per_account() {
    let (env, _fleet, adb) = farm(8);
    // `script` runs the command on a pseudo-terminal, as an operator's shell would.
    let command = format!(
        "{} login --adb {}",
        env!("CARGO_BIN_EXE_farmhand"),
        adb.addr()
    );
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &command, "/dev/null"]);
    for (key, value) in env.cmd(&[]).get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    let run = support::output(script);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let screen = run.stdout;
    assert!(screen.contains("login: 8 results, 8 succeeded"), "{screen}");
    for i in 0..8 {
        assert!(
            screen.contains(&format!("farm{i}")),
            "farm{i} in the summary table: {screen}"
        );
    }
    let per_account = screen.lines().filter(|l| l.contains("/8] tiktok")).count();
    assert_eq!(
        per_account, 0,
        "no line per account on a terminal: {screen}"
    );
}
