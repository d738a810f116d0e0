//! Issue 16's CLI polish without phones: naming numeric usernames, `bind`'s
//! usage line, ISO timestamps, `devices` without a workspace, profile fields,
//! bulk changes by filter, and the exit code of a partly failed run.

mod support;

use std::process::Command;

use support::Env;

fn json_of(env: &Env, args: &[&str]) -> serde_json::Value {
    env.run(args).expect(0).json()
}

fn id_of(account: &serde_json::Value) -> String {
    account["id"].as_i64().unwrap().to_string()
}

#[test]
fn a_bare_number_finds_an_id_or_a_username_and_refuses_when_it_is_both() {
    let env = Env::new();
    let num = json_of(&env, &["--json", "accounts", "add", "123"]);
    let bob = json_of(&env, &["--json", "accounts", "add", "bob"]);
    let two = json_of(&env, &["--json", "accounts", "add", id_of(&bob).as_str()]);
    assert_ne!(id_of(&num), "123", "the test needs 123 to be no id");

    // Only a username 123 exists: show and edit find it.
    let shown = json_of(&env, &["--json", "accounts", "show", "123"]);
    assert_eq!(shown["id"], num["id"]);
    let edited = json_of(
        &env,
        &[
            "--json",
            "accounts",
            "edit",
            "123",
            "--email",
            "n@example.com",
        ],
    );
    assert_eq!(edited["email"], "n@example.com");

    // bob's id is also the username of another account: refused, both named.
    let bob_id = id_of(&bob);
    let run = env.run(&["accounts", "show", &bob_id]).expect(2);
    assert!(
        run.stderr
            .contains(&format!("account {bob_id} (tiktok bob)")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("account {} (tiktok {bob_id})", id_of(&two))),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("#{bob_id}")), "{}", run.stderr);
    env.run(&["accounts", "disable", &bob_id]).expect(2);
    assert_eq!(
        json_of(&env, &["--json", "accounts", "show", "bob"])["status"],
        "enabled"
    );

    // `#N` / `id:N` is only the id, `@N` only the username.
    for by_id in [format!("#{bob_id}"), format!("id:{bob_id}")] {
        assert_eq!(
            json_of(&env, &["--json", "accounts", "show", &by_id])["username"],
            "bob"
        );
    }
    let by_name = json_of(&env, &["--json", "accounts", "show", &format!("@{bob_id}")]);
    assert_eq!(by_name["id"], two["id"]);

    // Bad and hostile references.
    for (reference, code) in [
        ("#abc", 2),
        ("id:", 2),
        ("#99999999999999999999999", 2),
        ("#1\n2", 2),
        ("987654", 1),
        ("#987654", 1),
    ] {
        let run = env.run(&["accounts", "show", reference]);
        assert_eq!(run.code, code, "{reference:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
    let help = env.run(&["accounts", "show", "--help"]).expect(0);
    assert!(help.stdout.contains("`#123`"), "{}", help.stdout);
}

#[test]
fn binds_usage_line_puts_the_account_first_and_works_as_printed() {
    let env = Env::new();
    env.run(&["accounts", "add", "alice"]).expect(0);
    let help = env.run(&["accounts", "bind", "--help"]).expect(0);
    let usage: Vec<&str> = help
        .stdout
        .lines()
        .filter(|l| l.contains("farmhand accounts bind"))
        .collect();
    assert_eq!(usage.len(), 2, "{}", help.stdout);
    for line in &usage {
        let account = line.find("<ACCOUNT>").expect("ACCOUNT in the usage line");
        let target = line
            .find("<SERIAL>")
            .or_else(|| line.find("--unbind"))
            .expect("SERIAL or --unbind in the usage line");
        assert!(account < target, "{line}");
    }
    // The usage line, as printed, works.
    let bound = json_of(
        &env,
        &["--json", "accounts", "bind", "alice", "emulator-5554"],
    );
    assert_eq!(bound["device"], "emulator-5554");
    let unbound = json_of(&env, &["--json", "accounts", "bind", "alice", "--unbind"]);
    assert!(unbound["device"].is_null());
    let run = env.run(&["accounts", "bind", "alice"]).expect(2);
    assert!(run.stderr.contains("<ACCOUNT> <SERIAL>"), "{}", run.stderr);
}

/// `date -u` of the Unix milliseconds, as farmhand should print them.
fn iso_by_date(millis: i64) -> String {
    let out = Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{}", millis.div_euclid(1000)),
            "+%Y-%m-%dT%H:%M:%SZ",
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn show_prints_iso_8601_times_of_the_same_instants_as_json_milliseconds() {
    let env = Env::new();
    let added = json_of(&env, &["--json", "accounts", "add", "alice"]);
    let created = added["created_at"]
        .as_i64()
        .expect("JSON keeps milliseconds");
    assert!(
        created > 1_600_000_000_000,
        "{created} is not in milliseconds"
    );
    let text = env.run(&["accounts", "show", "alice"]).expect(0).stdout;
    let row = |field: &str| {
        text.lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("no {field} row in\n{text}"))
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    assert_eq!(row("created"), iso_by_date(created));
    let updated = added["updated_at"].as_i64().unwrap();
    assert_eq!(row("updated"), iso_by_date(updated));
    assert_eq!(row("last login"), "-");
    assert!(
        !text.contains(&(created / 1000).to_string()),
        "raw seconds in\n{text}"
    );
    let help = env.run(&["--help"]).expect(0).stdout;
    assert!(
        help.contains("ISO 8601") && help.contains("milliseconds"),
        "{help}"
    );
}

#[test]
fn devices_works_without_a_workspace_and_creates_none() {
    let env = Env::new();
    let run = env.run(&["devices", "--offline"]).expect(0);
    assert!(run.stdout.contains("no devices"), "{}", run.stdout);
    assert!(run.stderr.contains("no workspace"), "{}", run.stderr);
    let json = env
        .run(&["--json", "devices", "--offline"])
        .expect(0)
        .json();
    assert_eq!(json["devices"], serde_json::json!([]));
    let run = env.run(&["devices", "--adb", "127.0.0.1:1"]).expect(1);
    assert!(run.stderr.contains("no adb server"), "{}", run.stderr);
    assert!(!env.workspace().exists(), "devices created a workspace");
    assert!(
        !env.dir.path().join("data").exists(),
        "devices created a data folder"
    );
}

#[test]
fn profile_fields_are_set_by_add_and_edit_and_bad_values_are_refused() {
    let env = Env::new();
    let added = json_of(
        &env,
        &[
            "--json",
            "accounts",
            "add",
            "mia",
            "--nickname",
            "Mia M.",
            "--country",
            "DE",
            "--followers",
            "1200",
            "--following",
            "80",
            "--hearts",
            "5400",
            "--videos",
            "31",
            "--friends",
            "12",
        ],
    );
    let stats = &added["stats"];
    assert_eq!(stats["nickname"], "Mia M.");
    assert_eq!(stats["country"], "DE");
    for (field, n) in [
        ("followers", 1200),
        ("following", 80),
        ("hearts", 5400),
        ("videos", 31),
        ("friends", 12),
    ] {
        assert_eq!(stats[field], n, "{field}");
    }
    let edited = json_of(
        &env,
        &[
            "--json",
            "accounts",
            "edit",
            "mia",
            "--followers",
            "1300",
            "--country",
            "",
        ],
    );
    assert_eq!(edited["stats"]["followers"], 1300);
    assert!(
        edited["stats"]["country"].is_null(),
        "an empty country clears it"
    );
    assert_eq!(edited["stats"]["hearts"], 5400, "fields not given are kept");
    let text = env.run(&["accounts", "show", "mia"]).expect(0).stdout;
    assert!(text.contains("1300") && text.contains("Mia M."), "{text}");

    let long = "x".repeat(5000);
    for (args, names) in [
        (
            &["accounts", "edit", "mia", "--followers", "-1"][..],
            "--followers",
        ),
        (
            &[
                "accounts",
                "edit",
                "mia",
                "--hearts",
                "99999999999999999999",
            ],
            "--hearts",
        ),
        (
            &["accounts", "edit", "mia", "--videos", "9223372036854775808"],
            "videos",
        ),
        (
            &["accounts", "edit", "mia", "--friends", "lots"],
            "--friends",
        ),
        (
            &["accounts", "edit", "mia", "--nickname", "a\nb"],
            "nickname",
        ),
        (&["accounts", "edit", "mia", "--country", &long], "country"),
        (
            &["accounts", "add", "kim", "--following", "-5"],
            "--following",
        ),
        (
            &["accounts", "add", "kim", "--nickname", "\u{7}"],
            "nickname",
        ),
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(names), "{args:?}: {}", run.stderr);
    }
    assert_eq!(
        json_of(&env, &["--json", "accounts", "show", "mia"]),
        edited
    );
    env.run(&["accounts", "show", "kim"]).expect(1);
}

fn statuses(env: &Env) -> Vec<(String, String, String)> {
    let list = json_of(env, &["--json", "accounts", "list"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let tags: Vec<&str> = a["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            (
                a["username"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
                tags.join(","),
            )
        })
        .collect()
}

#[test]
fn bulk_changes_by_filter_count_confirm_and_change_all_or_none() {
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "a",
        "--tag",
        "warm",
        "--device",
        "10.0.0.1:5555",
    ])
    .expect(0);
    env.run(&["accounts", "add", "b", "--tag", "warm"])
        .expect(0);
    env.run(&["accounts", "add", "c"]).expect(0);
    env.run(&["accounts", "add", "d", "-p", "instagram"])
        .expect(0);
    let before = statuses(&env);

    // Without a terminal and without --yes: refused, the count said, nothing changed.
    let run = env.run(&["accounts", "disable", "--tag", "warm"]).expect(2);
    assert!(run.stderr.contains("2 accounts"), "{}", run.stderr);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(statuses(&env), before);

    let run = env
        .run(&["accounts", "disable", "--tag", "warm", "--yes"])
        .expect(0);
    assert!(run.stdout.contains("disabled 2 accounts"), "{}", run.stdout);
    let disabled: Vec<String> = statuses(&env)
        .into_iter()
        .filter(|(_, status, _)| status == "disabled")
        .map(|(name, _, _)| name)
        .collect();
    assert_eq!(disabled, ["a", "b"]);

    let enabled = json_of(
        &env,
        &[
            "--json",
            "accounts",
            "enable",
            "--device",
            "10.0.0.1:5555",
            "-y",
        ],
    );
    assert_eq!(enabled.as_array().unwrap().len(), 1);
    assert_eq!(enabled[0]["username"], "a");
    let run = env
        .run(&["accounts", "enable", "--tag", "nobody-has-this", "--yes"])
        .expect(0);
    assert!(run.stdout.contains("no accounts match"), "{}", run.stdout);

    // tag: with a filter every word is a tag.
    let tagged = json_of(
        &env,
        &[
            "--json", "accounts", "tag", "--tag", "warm", "--yes", "hot", "eu",
        ],
    );
    assert_eq!(tagged.as_array().unwrap().len(), 2);
    assert_eq!(tagged[0]["tags"], serde_json::json!(["warm", "hot", "eu"]));
    // One account would pass the tag limit: nobody gets the new tag.
    let many: Vec<String> = (0..61).map(|i| format!("t{i}")).collect();
    let mut args = vec!["accounts", "tag", "a"];
    args.extend(many.iter().map(String::as_str));
    env.run(&args).expect(0);
    let before = statuses(&env);
    let run = env
        .run(&["accounts", "tag", "--tag", "warm", "--yes", "x1", "x2"])
        .expect(2);
    assert!(run.stderr.contains("tags"), "{}", run.stderr);
    assert_eq!(
        statuses(&env),
        before,
        "a failed bulk change changed some accounts"
    );

    // tag selects by --tag or --device only: --platform alone names no accounts.
    let run = env
        .run(&["accounts", "tag", "--platform", "tiktok", "--set", "--yes"])
        .expect(2);
    assert!(run.stderr.contains("--tag or --device"), "{}", run.stderr);
    assert_eq!(statuses(&env), before);

    // rm by platform; names and a filter together, or nothing at all, are refused.
    env.run(&["accounts", "rm", "c", "--tag", "warm", "--yes"])
        .expect(2);
    let run = env.run(&["accounts", "rm"]).expect(2);
    assert!(
        run.stderr.contains("--tag, --platform or --device"),
        "{}",
        run.stderr
    );
    env.run(&["accounts", "rm", "--platform", "instagram"])
        .expect(2);
    let removed = json_of(
        &env,
        &[
            "--json",
            "accounts",
            "rm",
            "--platform",
            "instagram",
            "--yes",
        ],
    );
    assert_eq!(removed[0]["username"], "d");
    let names: Vec<String> = statuses(&env).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn exit_codes_are_documented_and_a_partly_applied_import_exits_3() {
    let env = Env::new();
    let help = env.run(&["--help"]).expect(0).stdout;
    assert!(
        help.contains("  3    the run went to its end but some accounts failed"),
        "{help}"
    );
    let text = env.path("legacy.txt");
    std::fs::write(
        &text,
        "a@example.com##pw1##good\nb@example.com##pw2##bad name\n",
    )
    .unwrap();
    env.run(&["import", text.to_str().unwrap()]).expect(1);
    env.run(&[
        "import",
        text.to_str().unwrap(),
        "--skip-invalid",
        "--dry-run",
    ])
    .expect(3);
    env.run(&["import", text.to_str().unwrap(), "--skip-invalid"])
        .expect(3);
    env.run(&["accounts", "show", "good"]).expect(0);
}
