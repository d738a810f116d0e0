//! The `farmhand` binary: help, usage errors, the roster commands and `totp`.

mod support;

use support::Env;

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // RFC 6238's key "12345678901234567890"

#[test]
fn help_works_for_every_command() {
    let env = Env::new();
    let top = env.run(&["--help"]).expect(0);
    for command in [
        "accounts", "import", "export", "totp", "devices", "login", "match", "sync", "sim", "demo",
    ] {
        assert!(top.stdout.contains(command), "{command} missing from help");
        let help = env.run(&[command, "--help"]).expect(0);
        assert!(help.stdout.contains("Usage: farmhand"), "{}", help.stdout);
    }
    for sub in [
        "list", "show", "add", "edit", "rm", "enable", "disable", "bind", "tag",
    ] {
        env.run(&["accounts", sub, "--help"]).expect(0);
    }
    assert!(top.stdout.contains("Exit codes"), "{}", top.stdout);
    env.run(&["--version"]).expect(0);
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&["accounts", "add", "seed"]).expect(0);
    for args in [
        &["frobnicate"][..],
        &["accounts"],
        &["accounts", "add"],
        &["accounts", "add", "x", "--platform", "myspace"],
        &["accounts", "add", "two words"],
        &[
            "accounts",
            "add",
            "x",
            "--password",
            "a",
            "--password-stdin",
        ],
        &["accounts", "bind", "seed"],
        &["accounts", "edit", "seed"],
        &["accounts", "list", "--status", "sometimes"],
        &["import"],
        &["import", "x.xlsx", "--on-duplicate", "merge"],
        &["devices", "--adb", "nonsense"],
        &["login", "--parallelism", "0"],
        &["sim"],
        &["sim", "--phones", "0"],
        &["totp", "not!a!secret"],
        &["totp", "AAAA"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stderr.is_empty(), "{args:?} said nothing");
    }
}

#[test]
fn roster_commands_change_accounts_and_never_show_secrets() {
    let env = Env::new();
    let added = env
        .run_with_stdin(
            &[
                "--json",
                "accounts",
                "add",
                "@Alice",
                "--email",
                "a@example.com",
                "--password-stdin",
                "--device",
                "emulator-5554",
                "--tag",
                "eu,warm",
            ],
            &format!("hunter2:{SECRET}\n"),
        )
        .expect(0)
        .json();
    assert_eq!(added["username"], "Alice");
    assert_eq!(added["has_password"], true);
    assert_eq!(added["has_2fa"], true);
    assert_eq!(added["device_index"], 1);
    let mut keys: Vec<&str> = added
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "device",
            "device_index",
            "email",
            "has_2fa",
            "has_password",
            "id",
            "last_error",
            "last_login_at",
            "logged_in",
            "package_name",
            "platform",
            "stats",
            "status",
            "tags",
            "updated_at",
            "username",
        ],
        "the account's fields, with only whether its secrets are set"
    );
    env.run(&[
        "accounts",
        "add",
        "bob",
        "--platform",
        "instagram",
        "--password",
        "s3cret",
    ])
    .expect(0);

    let list = env.run(&["--json", "accounts", "list"]).expect(0);
    let rows = list.json();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let table = env.run(&["accounts", "list"]).expect(0);
    assert!(table.stdout.contains("USERNAME") && table.stdout.contains("Alice"));
    for out in [&list, &table] {
        for secret in ["hunter2", SECRET, "s3cret"] {
            assert!(
                !out.all().contains(secret),
                "{secret} printed:\n{}",
                out.all()
            );
        }
    }
    let shown = env.run(&["accounts", "show", "alice"]).expect(0);
    assert!(shown.stdout.contains("emulator-5554") && !shown.stdout.contains("hunter2"));

    let only_ig = env
        .run(&["--json", "accounts", "list", "--platform", "ig"])
        .expect(0)
        .json();
    assert_eq!(only_ig[0]["username"], "bob");

    let edited = env
        .run(&[
            "--json",
            "accounts",
            "edit",
            "ALICE",
            "--username",
            "alice2",
            "--clear-email",
        ])
        .expect(0)
        .json();
    assert_eq!(edited["username"], "alice2");
    assert!(edited["email"].is_null());

    let disabled = env
        .run(&["--json", "accounts", "disable", "alice2", "bob"])
        .expect(0)
        .json();
    assert_eq!(disabled[0]["status"], "disabled");
    assert_eq!(disabled[1]["status"], "disabled");
    let enabled = env
        .run(&["--json", "accounts", "list", "--status", "enabled"])
        .expect(0)
        .json();
    assert_eq!(enabled.as_array().unwrap().len(), 0);
    env.run(&["accounts", "enable", "bob"]).expect(0);

    let bound = env
        .run(&["--json", "accounts", "bind", "bob", "10.0.0.7:5555"])
        .expect(0)
        .json();
    assert_eq!(bound["device"], "10.0.0.7:5555");
    assert_eq!(bound["device_index"], 2);
    let unbound = env
        .run(&["--json", "accounts", "bind", "bob", "--unbind"])
        .expect(0)
        .json();
    assert!(unbound["device"].is_null());

    let tagged = env
        .run(&["--json", "accounts", "tag", "alice2", "vip"])
        .expect(0)
        .json();
    assert_eq!(tagged["tags"], serde_json::json!(["eu", "warm", "vip"]));
    let tagged = env
        .run(&[
            "--json", "accounts", "tag", "alice2", "--remove", "eu", "warm",
        ])
        .expect(0)
        .json();
    assert_eq!(tagged["tags"], serde_json::json!(["vip"]));
    let cleared = env
        .run(&["--json", "accounts", "tag", "alice2", "--set"])
        .expect(0)
        .json();
    assert_eq!(cleared["tags"], serde_json::json!([]));

    env.run(&["accounts", "rm", "alice2"]).expect(0);
    let left = env.run(&["--json", "accounts", "list"]).expect(0).json();
    assert_eq!(left.as_array().unwrap().len(), 1);
}

#[test]
fn unknown_accounts_fail_with_their_name_and_change_nothing() {
    let env = Env::new();
    env.run(&["accounts", "add", "carol"]).expect(0);
    let run = env
        .run(&["--json", "accounts", "disable", "carol", "nobody"])
        .expect(1);
    assert!(run.stderr.contains("'nobody'"), "{}", run.stderr);
    let error = run.json();
    assert_eq!(error["error"]["kind"], "not_found");
    let carol = env
        .run(&["--json", "accounts", "show", "carol"])
        .expect(0)
        .json();
    assert_eq!(
        carol["status"], "enabled",
        "carol was disabled before the failure"
    );
    env.run(&["accounts", "rm", "999"]).expect(1);
    env.run(&["accounts", "add", "CAROL"]).expect(1);
    // Same username on both platforms: the reference is ambiguous until --platform says which.
    env.run(&["accounts", "add", "carol", "-p", "instagram"])
        .expect(0);
    env.run(&["accounts", "show", "carol"]).expect(2);
    env.run(&["accounts", "show", "carol", "-p", "instagram"])
        .expect(0);
}

#[test]
fn read_commands_do_not_create_a_workspace() {
    let env = Env::new();
    let run = env.run(&["accounts", "list"]).expect(1);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
    env.run(&["export", "out.xlsx"]).expect(1);
    assert!(!env.workspace().exists());
}

#[test]
fn the_default_workspace_lives_in_the_data_directory() {
    let env = Env::new();
    let mut cmd = env.cmd(&["accounts", "add", "dora"]);
    cmd.env_remove("FARMHAND_WORKSPACE");
    support::output(cmd).expect(0);
    assert!(env.path("data/farmhand/workspace.db").is_file());
    let explicit = env.path("explicit.db");
    env.run(&[
        "--workspace",
        explicit.to_str().unwrap(),
        "accounts",
        "add",
        "eve",
    ])
    .expect(0);
    assert!(explicit.is_file());
}

#[test]
fn totp_of_a_key_matches_rfc_6238() {
    let env = Env::new();
    // RFC 6238 appendix B (SHA-1), last six digits.
    for (at, code) in [
        ("59", "287082"),
        ("1111111109", "081804"),
        ("1234567890", "005924"),
    ] {
        let run = env.run(&["--json", "totp", SECRET, "--at", at]).expect(0);
        assert_eq!(run.json()["code"], code);
        assert!(!run.all().contains(SECRET));
    }
    let text = env
        .run(&["totp", "jbsw y3dp ehpk 3pxp", "--at", "0"])
        .expect(0);
    assert!(text.stdout.contains("valid for 30s"), "{}", text.stdout);
}

#[test]
fn totp_of_an_account_uses_its_password_key_and_never_prints_it() {
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "alice",
        "--password",
        &format!("pw:{SECRET}"),
    ])
    .expect(0);
    env.run(&["accounts", "add", "plain", "--password", "pw"])
        .expect(0);
    let run = env
        .run(&["--json", "totp", "@alice", "--at", "59"])
        .expect(0);
    let json = run.json();
    assert_eq!(json["code"], "287082");
    assert_eq!(json["account"]["username"], "alice");
    assert!(!run.all().contains(SECRET));
    let run = env.run(&["totp", "plain"]).expect(1);
    assert!(
        run.stderr.contains("2FA secret of tiktok account plain"),
        "{}",
        run.stderr
    );
    let run = env.run(&["totp", "ZZZZ-not-a-key-ZZZZ"]).expect(2);
    assert!(!run.stderr.contains("ZZZZ-not-a-key"), "{}", run.stderr);
}
