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

/// The findings: `@@alice` was a second account shown as `@alice`,
/// `disable @alice` then hit the other one, and look-alikes were new accounts.
#[test]
fn leading_ats_name_one_account_and_look_alikes_are_refused() {
    let env = Env::new();
    let alice = env
        .run(&["--json", "accounts", "add", "alice"])
        .expect(0)
        .json();
    let run = env.run(&["accounts", "add", "@@alice"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("alice"), "{}", run.stderr);
    let disabled = env
        .run(&["--json", "accounts", "disable", "@alice"])
        .expect(0)
        .json();
    assert_eq!(disabled[0]["id"], alice["id"]);
    for (name, code) in [
        ("\u{430}lice", "U+0430"),
        ("al\u{200d}ice", "U+200D"),
        ("\u{feff}alice", "U+FEFF"),
        ("\u{ff41}lice", "U+FF41"),
        ("al@ice", "'@'"),
    ] {
        let run = env.run(&["accounts", "add", name]).expect(2);
        assert!(run.stderr.contains(code), "{name:?}: {}", run.stderr);
    }
    let list = env.run(&["--json", "accounts", "list"]).expect(0).json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

/// `--password` reads `password:SECRET` by the documented rule and says so;
/// ordinary passwords with colons stay whole; a mistyped key is flagged.
#[test]
fn passwords_with_colons_and_2fa_keys_from_the_command_line() {
    let env = Env::new();
    let add = |name: &str, pwd: &str| {
        let run = env
            .run(&["--json", "accounts", "add", name, "--password", pwd])
            .expect(0);
        let has_2fa = run.json()["has_2fa"].as_bool().unwrap();
        (has_2fa, run.stderr)
    };
    let (has_2fa, stderr) = add("admin", "admin:verysecretpassword");
    assert!(!has_2fa && stderr.is_empty(), "{stderr}");
    let (has_2fa, stderr) = add("horse", "correct:horsebatterystaple");
    assert!(!has_2fa && stderr.is_empty(), "{stderr}");
    let (has_2fa, stderr) = add("keyed", &format!("pw:{SECRET}"));
    assert!(
        has_2fa && stderr.contains("read as password:2FA-KEY"),
        "{stderr}"
    );
    let (has_2fa, stderr) = add("typo", "pw:JBSWY3DPEHPK3PX");
    assert!(
        !has_2fa && stderr.contains("looks like a 2FA key with a typo"),
        "{stderr}"
    );
    assert!(!stderr.contains("JBSWY3DPEHPK3PX"), "{stderr}");

    // The key on a line of its own, after the password.
    let run = env
        .run_with_stdin(
            &[
                "--json",
                "accounts",
                "add",
                "stdin",
                "--password-stdin",
                "--totp-key-stdin",
            ],
            "pa:ss\njbsw y3dp ehpk 3pxp\n",
        )
        .expect(0);
    assert_eq!(run.json()["has_2fa"], true);
    let code = env
        .run(&["--json", "totp", "stdin", "--at", "1700000000"])
        .expect(0)
        .json();
    assert_eq!(code["code"], "324550");

    // A key given twice, a key that is not one, an empty line: refused, never echoed.
    let run = env
        .run_with_stdin(
            &[
                "accounts",
                "add",
                "twice",
                "--password-stdin",
                "--totp-key-stdin",
            ],
            &format!("pw:{SECRET}\n{SECRET}\n"),
        )
        .expect(2);
    assert!(run.stderr.contains("give the key once"), "{}", run.stderr);
    let run = env
        .run_with_stdin(
            &["accounts", "add", "short", "--totp-key-stdin"],
            "JBSWY3DPEHPK3PX\n",
        )
        .expect(2);
    assert!(run.stderr.contains("totp_key"), "{}", run.stderr);
    assert!(!run.stderr.contains("JBSWY3DPEHPK3PX"), "{}", run.stderr);
    env.run_with_stdin(&["accounts", "add", "empty", "--totp-key-stdin"], "\n")
        .expect(2);

    // edit sets and clears the key without touching the password.
    env.run_with_stdin(
        &["accounts", "edit", "admin", "--totp-key-stdin"],
        &format!("{SECRET}\n"),
    )
    .expect(0);
    env.run(&["--json", "totp", "admin", "--at", "59"])
        .expect(0);
    let cleared = env
        .run(&["--json", "accounts", "edit", "admin", "--clear-totp-key"])
        .expect(0)
        .json();
    assert_eq!(
        (
            cleared["has_password"].as_bool(),
            cleared["has_2fa"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let list = env.run(&["--json", "accounts", "list"]).expect(0);
    for secret in [SECRET, "verysecretpassword", "pa:ss", "JBSWY3DPEHPK3PX"] {
        assert!(!list.all().contains(secret), "{secret}");
    }
}

#[test]
fn totp_takes_a_key_spaced_in_fours_inside_a_workspace() {
    let env = Env::new();
    env.run(&["accounts", "add", "alice"]).expect(0);
    let run = env
        .run(&[
            "--json",
            "totp",
            "jbsw y3dp ehpk 3pxp",
            "--at",
            "1700000000",
        ])
        .expect(0);
    assert_eq!(run.json()["code"], "324550");
    assert!(run.json()["account"].is_null());
}

#[test]
fn bind_by_device_index_and_label_phones() {
    let env = Env::new();
    env.run(&["accounts", "add", "alice", "--device", "emulator-5554"])
        .expect(0);
    env.run(&["accounts", "add", "bob", "--device", "10.0.0.7:5555"])
        .expect(0);
    let bound = env
        .run(&["--json", "accounts", "bind", "alice", "--index", "2"])
        .expect(0)
        .json();
    assert_eq!(bound["device"], "10.0.0.7:5555");
    assert_eq!(bound["device_index"], 2);
    let run = env
        .run(&["accounts", "bind", "alice", "--index", "9"])
        .expect(1);
    assert!(run.stderr.contains("device_index 9"), "{}", run.stderr);
    env.run(&["accounts", "bind", "alice", "--index", "1", "emulator-5554"])
        .expect(2);
    env.run(&["accounts", "bind", "alice", "--index", "zero"])
        .expect(2);

    let labelled = env
        .run(&[
            "--json",
            "devices",
            "label",
            "10.0.0.7:5555",
            "rack 2, slot 5",
        ])
        .expect(0)
        .json();
    assert_eq!(
        (labelled["index"].as_u64(), labelled["label"].as_str()),
        (Some(2), Some("rack 2, slot 5"))
    );
    let listed = env
        .run(&["--json", "devices", "--offline"])
        .expect(0)
        .json();
    assert_eq!(listed["devices"][1]["label"], "rack 2, slot 5");
    let table = env.run(&["devices", "--offline"]).expect(0);
    assert!(table.stdout.contains("rack 2, slot 5"), "{}", table.stdout);
    let cleared = env
        .run(&["--json", "devices", "label", "10.0.0.7:5555", ""])
        .expect(0)
        .json();
    assert!(cleared["label"].is_null(), "{cleared}");
    let run = env
        .run(&["devices", "label", "no-such-phone", "x"])
        .expect(1);
    assert!(run.stderr.contains("no-such-phone"), "{}", run.stderr);
    let run = env
        .run(&["devices", "label", "emulator-5554", "bad\u{7}label"])
        .expect(2);
    assert!(run.stderr.contains("label"), "{}", run.stderr);
}
