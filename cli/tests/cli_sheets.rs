//! The `farmhand` binary: `import` and `export` with their reports and bad input.

mod support;

use support::Env;

/// A sheet as an operator writes it by hand (no `id` column): three TikTok accounts.
fn hand_written_sheet(env: &Env, name: &str) -> std::path::PathBuf {
    let path = env.path(name);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("accounts").unwrap();
    for (col, title) in ["username", "email", "pwd", "tags"].iter().enumerate() {
        sheet.write_string(0, col as u16, *title).unwrap();
    }
    for (row, user) in ["ann", "ben", "cat"].iter().enumerate() {
        let row = row as u32 + 1;
        sheet.write_string(row, 0, *user).unwrap();
        sheet
            .write_string(row, 1, format!("{user}@example.com"))
            .unwrap();
        sheet.write_string(row, 2, "pw-not-shown").unwrap();
        sheet.write_string(row, 3, "t1,t2").unwrap();
    }
    book.save(&path).unwrap();
    path
}

#[test]
fn import_prints_its_report_and_a_reimport_changes_nothing() {
    let env = Env::new();
    let sheet = hand_written_sheet(&env, "accounts.xlsx");
    let sheet = sheet.to_str().unwrap();

    let dry = env
        .run(&["--json", "import", sheet, "--dry-run"])
        .expect(0)
        .json();
    assert_eq!(dry["outcome"], "dry_run");
    assert_eq!(dry["created"], 3);
    assert!(!env.workspace().exists(), "a dry run created the workspace");

    let report = env.run(&["--json", "import", sheet]).expect(0).json();
    assert_eq!(report["outcome"], "applied");
    assert_eq!(report["created"], 3);
    assert_eq!(report["errors"], serde_json::json!([]));

    assert!(!env.run(&["import", sheet]).all().contains("pw-not-shown"));
    let again = env.run(&["--json", "import", sheet]).expect(1).json();
    assert_eq!(
        again["outcome"], "rejected",
        "rows without id name existing users"
    );
    let again = env
        .run(&["import", sheet, "--on-duplicate", "skip"])
        .expect(0);
    assert!(again.stdout.starts_with("imported:"), "{}", again.stdout);
    assert!(again.stdout.contains("3 skipped"), "{}", again.stdout);

    let mine = env.path("mine.xlsx");
    env.run(&["export", mine.to_str().unwrap()]).expect(0);
    let unchanged = env
        .run(&["--json", "import", mine.to_str().unwrap()])
        .expect(0)
        .json();
    assert_eq!(unchanged["unchanged"], 3);
    assert_eq!(unchanged["created"], 0);
    assert_eq!(unchanged["updated"], 0);
}

#[test]
fn invalid_rows_are_listed_with_row_and_column_and_nothing_is_written() {
    let env = Env::new();
    env.run(&["accounts", "add", "keeper"]).expect(0);
    let text = env.path("legacy.txt");
    std::fs::write(
        &text,
        "a@example.com##pw1##good_one\n\
         b@example.com##pw2##bad name\n\
         c@example.com##pw3##good_two\n",
    )
    .unwrap();
    let run = env
        .run(&["--json", "import", text.to_str().unwrap()])
        .expect(1);
    let report = run.json();
    assert_eq!(report["outcome"], "rejected");
    assert_eq!(report["errors"][0]["row"], 2);
    assert!(!run.all().contains("pw2"), "a password was printed");
    let list = env.run(&["--json", "accounts", "list"]).expect(0).json();
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "a rejected import wrote rows"
    );

    let human = env.run(&["import", text.to_str().unwrap()]).expect(1);
    assert!(
        human.stdout.contains("rejected, nothing written"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("row 2"), "{}", human.stdout);

    let skipped = env
        .run(&["--json", "import", text.to_str().unwrap(), "--skip-invalid"])
        .expect(3)
        .json();
    assert_eq!(skipped["outcome"], "applied");
    assert_eq!(skipped["created"], 2);
    let list = env.run(&["--json", "accounts", "list"]).expect(0).json();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[test]
fn files_that_are_missing_or_not_sheets_are_errors_naming_the_file() {
    let env = Env::new();
    env.run(&["accounts", "add", "seed"]).expect(0);
    let missing = env.path("missing.xlsx");
    let run = env
        .run(&["--json", "import", missing.to_str().unwrap()])
        .expect(1);
    assert!(run.stderr.contains("missing.xlsx"), "{}", run.stderr);
    assert_eq!(run.json()["error"]["kind"], "io");

    let fresh = Env::new();
    fresh.run(&["import", missing.to_str().unwrap()]).expect(1);
    assert!(
        !fresh.workspace().exists(),
        "a failed import left a new workspace behind"
    );

    let junk = env.path("junk.xlsx");
    std::fs::write(&junk, b"this is not a workbook").unwrap();
    let run = env.run(&["import", junk.to_str().unwrap()]).expect(1);
    assert!(run.stderr.contains("junk.xlsx"), "{}", run.stderr);

    let run = env.run(&["export", env.path("no/such/dir/x.xlsx").to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn export_defaults_to_the_download_folder_and_can_leave_passwords_out() {
    let env = Env::new();
    env.run(&["accounts", "add", "ann", "--password", "topsecret"])
        .expect(0);
    env.run(&["accounts", "add", "ig_ann", "-p", "instagram"])
        .expect(0);
    let summary = env.run(&["--json", "export"]).expect(0).json();
    let default = env.path("downloads/accounts.xlsx");
    assert_eq!(summary["path"], default.to_str().unwrap());
    assert_eq!(summary["rows"], 1);
    assert!(default.is_file());

    let ig = env.path("ig.xlsx");
    let summary = env
        .run(&[
            "--json",
            "export",
            ig.to_str().unwrap(),
            "-p",
            "instagram",
            "--no-passwords",
        ])
        .expect(0)
        .json();
    assert_eq!(summary["rows"], 1);
    let dry = env
        .run(&[
            "--json",
            "import",
            ig.to_str().unwrap(),
            "-p",
            "instagram",
            "--dry-run",
        ])
        .expect(0)
        .json();
    assert_eq!(dry["unchanged"], 1);
}

/// The accounts of a workspace as `accounts list --json` shows them, without
/// what is per workspace (ids and times).
fn roster(env: &Env) -> Vec<serde_json::Value> {
    let list = env.run(&["--json", "accounts", "list"]).expect(0).json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut a = a.clone();
            let fields = a.as_object_mut().unwrap();
            fields.retain(|k, _| !matches!(k.as_str(), "id" | "created_at" | "updated_at"));
            a
        })
        .collect()
}

/// Moving accounts to another PC: `export` on one, `import` on the other.
#[test]
fn an_export_from_one_workspace_imports_into_an_empty_one() {
    let a = Env::new();
    // A's ids run past those B will give, so none of the sheet's ids is B's.
    let gaps: Vec<String> = (0..5).map(|i| format!("gap{i}")).collect();
    for gap in &gaps {
        a.run(&["accounts", "add", gap]).expect(0);
    }
    let mut rm = vec!["accounts", "rm"];
    rm.extend(gaps.iter().map(String::as_str));
    a.run(&rm).expect(0);
    a.run_with_stdin(
        &[
            "accounts",
            "add",
            "alice",
            "--email",
            "a@example.com",
            "--password-stdin",
            "--device",
            "emulator-5554",
            "--tag",
            "eu,warm",
        ],
        "pw:JBSWY3DPEHPK3PXP\n",
    )
    .expect(0);
    a.run(&[
        "accounts",
        "add",
        "bob",
        "--device",
        "10.0.0.7:5555",
        "--disabled",
    ])
    .expect(0);
    a.run(&[
        "accounts",
        "add",
        "carol",
        "--password",
        "admin:verysecretpassword",
    ])
    .expect(0);
    let sheet = a.path("moved.xlsx");
    let sheet = sheet.to_str().unwrap();
    a.run(&["export", sheet]).expect(0);

    let b = Env::new();
    let run = b.run(&["import", sheet]).expect(0);
    assert!(run.stdout.contains("3 created"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("0 matched by username, 3 created with new ids"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 pwd was read as password + 2FA key"),
        "{}",
        run.stdout
    );
    assert_eq!(roster(&b), roster(&a));
    for env in [&a, &b] {
        let code = env
            .run(&["--json", "totp", "alice", "--at", "1700000000"])
            .expect(0)
            .json();
        assert_eq!(code["code"], "324550");
    }
    let devices = |env: &Env| {
        env.run(&["--json", "devices", "--offline"])
            .expect(0)
            .json()
    };
    assert_eq!(devices(&b), devices(&a));

    let again = b.run(&["import", sheet]).expect(0);
    assert!(again.stdout.contains("3 unchanged"), "{}", again.stdout);
    assert!(
        again.stdout.contains("3 matched by username"),
        "{}",
        again.stdout
    );

    let before = roster(&b);
    let strict = b.run(&["import", sheet, "--strict-ids"]).expect(1);
    assert!(
        strict.stdout.contains("no account has id"),
        "{}",
        strict.stdout
    );
    assert_eq!(roster(&b), before);
}

/// A sheet with many bad rows lists the first 20 on the terminal; `--json` has them all.
#[test]
fn row_errors_on_the_terminal_stop_after_twenty() {
    let env = Env::new();
    let path = env.path("unknown_ids.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("accounts").unwrap();
    sheet.write_string(0, 0, "id").unwrap();
    sheet.write_string(0, 1, "username").unwrap();
    for i in 1..=45u32 {
        sheet.write_number(i, 0, f64::from(1000 + i)).unwrap();
        sheet.write_string(i, 1, format!("user{i}")).unwrap();
    }
    book.save(&path).unwrap();
    let path = path.to_str().unwrap();
    let run = env.run(&["import", path, "--strict-ids"]).expect(1);
    let listed = run
        .stdout
        .lines()
        .filter(|l| l.contains("no account has id"))
        .count();
    assert_eq!(listed, 20, "{}", run.stdout);
    assert!(run.stdout.contains("45 invalid"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("... and 25 more row errors (--json lists them all)"),
        "{}",
        run.stdout
    );
    let json = env
        .run(&["--json", "import", path, "--strict-ids"])
        .expect(1)
        .json();
    assert_eq!(json["errors"].as_array().unwrap().len(), 45);
    // Without --strict-ids the same sheet is one from another workspace.
    let run = env.run(&["import", path]).expect(0);
    assert!(run.stdout.contains("45 created"), "{}", run.stdout);
}
