//! accounts.xlsx against producers and consumers this project did not write:
//! openpyxl (PyPI) and SheetJS (npm `xlsx`, what TikMatrix itself uses).

mod xlsx_support;

use farmhand::xlsx::{ExportOptions, ImportOptions, ImportOutcome};
use farmhand::{Platform, Status, Workspace};
use serde_json::{json, Value};
use xlsx_support::{
    one_sheet, openpyxl, openpyxl_read, openpyxl_write, path_str, sheetjs_read, sheetjs_write,
    snapshot, temp_dir, tiktok_fleet,
};

const TIKTOK_HEADER: [&str; 17] = [
    "id",
    "email",
    "pwd",
    "username",
    "packagename",
    "device",
    "device_index",
    "logined",
    "status",
    "tags",
    "nickname",
    "country",
    "followers",
    "following",
    "hearts",
    "videos",
    "friends",
];

#[test]
fn a_sheetjs_file_written_as_tikmatrix_does_imports_with_numbers_as_text() {
    let dir = temp_dir();
    let path = dir.path().join("tikmatrix.xlsx");
    let rows = json!([
        {"email": "", "pwd": 123456, "username": 998877, "packagename": "", "device": "R58M12345",
         "device_index": 1, "logined": 1, "status": 0, "tags": "warm,us", "nickname": "Nick",
         "country": "US", "followers": 1500, "following": 20, "hearts": 100000, "videos": 12,
         "friends": 3},
        {"email": "x@example.com", "pwd": "pw:JBSWY3DPEHPK3PXP", "username": "@Xavier",
         "device": "", "logined": 0, "status": 1},
    ]);
    sheetjs_write(&path, "accounts", &rows);
    let ws = Workspace::in_memory();
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        (report.outcome, report.created),
        (ImportOutcome::Applied, 2),
        "{report}"
    );
    let numeric = ws
        .find(Platform::TikTok, "998877")
        .unwrap()
        .expect("numeric username");
    assert_eq!(numeric.password.as_ref().unwrap().expose(), "123456");
    assert_eq!(numeric.device.as_deref(), Some("R58M12345"));
    assert_eq!(numeric.email, None);
    assert!(numeric.logged_in);
    assert_eq!(numeric.tags, ["warm", "us"]);
    assert_eq!(numeric.stats.nickname.as_deref(), Some("Nick"));
    assert_eq!(
        [
            numeric.stats.followers,
            numeric.stats.hearts,
            numeric.stats.friends
        ],
        [Some(1500), Some(100000), Some(3)]
    );
    let xavier = ws
        .find(Platform::TikTok, "xavier")
        .unwrap()
        .expect("@ dropped");
    assert_eq!(xavier.username.as_str(), "Xavier");
    assert_eq!(xavier.status, Status::Disabled);
    assert_eq!(xavier.password.as_ref().unwrap().expose(), "pw");
    assert_eq!(
        xavier.totp_key.as_ref().unwrap().expose(),
        "JBSWY3DPEHPK3PXP"
    );
    assert_eq!(report.pwd_split, 1, "{report}");
    assert_eq!(
        xavier.stats.followers, None,
        "SheetJS leaves missing keys empty"
    );

    // TikMatrix re-saving our rows with ids updates them.
    let rows = json!([{"id": numeric.id.0, "username": 998877, "pwd": 654321, "status": 1}]);
    sheetjs_write(&path, "accounts", &rows);
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.updated, 1, "{report}");
    let numeric = ws.get(numeric.id).unwrap();
    assert_eq!(numeric.password.as_ref().unwrap().expose(), "654321");
    assert_eq!(numeric.status, Status::Disabled);
}

#[test]
fn an_openpyxl_file_imports() {
    let dir = temp_dir();
    let path = dir.path().join("openpyxl.xlsx");
    let spec = one_sheet(
        "Sheet",
        json!([
            ["Username", "PWD", "email", "tags", "logined", "status", "device"],
            [
                "olga",
                "secret:JBSWY3DPEHPK3PXP",
                " olga@example.com ",
                "a,b",
                1,
                0,
                "10.0.0.2:5555"
            ],
            [4455, 777, null, null, 0, 1, null],
        ]),
    );
    openpyxl_write(&path, &spec);
    let ws = Workspace::in_memory();
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::Instagram))
        .unwrap();
    assert_eq!(
        (report.created, report.sheet.as_str()),
        (2, "Sheet"),
        "{report}"
    );
    let olga = ws.find(Platform::Instagram, "OLGA").unwrap().unwrap();
    assert_eq!(olga.email.as_deref(), Some("olga@example.com"));
    assert_eq!(olga.password.as_ref().unwrap().expose(), "secret");
    assert_eq!(olga.totp_key.as_ref().unwrap().expose(), "JBSWY3DPEHPK3PXP");
    assert_eq!(report.pwd_split, 1, "{report}");
    assert_eq!(olga.device.as_deref(), Some("10.0.0.2:5555"));
    let numeric = ws.find(Platform::Instagram, "4455").unwrap().unwrap();
    assert_eq!(numeric.password.as_ref().unwrap().expose(), "777");
    assert_eq!(numeric.status, Status::Disabled);
}

/// The cell at (row, col) of a tool's JSON grid.
fn cell(grid: &Value, row: usize, col: usize) -> &Value {
    &grid["rows"][row][col]
}

#[test]
fn our_export_reads_back_in_openpyxl_and_sheetjs_with_values_and_types() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    ws.export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let py = openpyxl_read(&path);
    let js = sheetjs_read(&path);
    assert_eq!(py["sheets"], json!(["accounts"]));
    assert_eq!(js["sheets"], json!(["accounts"]));
    for (col, name) in TIKTOK_HEADER.iter().enumerate() {
        assert_eq!(cell(&py, 0, col), &json!({"t": "s", "v": name}));
        assert_eq!(cell(&js, 0, col)["v"], json!(name));
    }
    let col = |name: &str| TIKTOK_HEADER.iter().position(|h| *h == name).unwrap();
    for (at, account) in fleet.iter().enumerate() {
        let row = at + 1;
        assert_eq!(
            cell(&py, row, col("id")),
            &json!({"t": "n", "v": account.id.0})
        );
        assert_eq!(cell(&js, row, col("id"))["t"], "n");
        assert_eq!(cell(&js, row, col("id"))["v"], json!(account.id.0));
        for tool in [&py, &js] {
            let username = cell(tool, row, col("username"));
            assert_eq!(username["t"], "s", "{username}");
            assert_eq!(username["v"], json!(account.username.as_str()));
            assert_eq!(
                cell(tool, row, col("status"))["v"],
                json!(account.status.sheet_value())
            );
            assert_eq!(cell(tool, row, col("logined"))["t"], "n");
        }
        for column in ["username", "email"] {
            assert!(
                js["rows"][row][col(column)]["f"].is_null(),
                "{column}: never a formula"
            );
        }
    }
    // Row 1 is alice: every column filled.
    let alice = &fleet[0];
    assert_eq!(cell(&py, 1, col("pwd"))["v"], "hunter2:JBSWY3DPEHPK3PXP");
    assert_eq!(cell(&py, 1, col("tags"))["v"], "warm,fr");
    assert_eq!(
        cell(&py, 1, col("hearts")),
        &json!({"t": "n", "v": 98_765_432_100u64})
    );
    assert_eq!(cell(&js, 1, col("following"))["v"], 0);
    assert_eq!(
        cell(&py, 1, col("device_index")),
        &json!({"t": "n", "v": alice.device_index.expect("bound device has an index")})
    );
    assert!(cell(&py, 1, col("friends")).is_null());
    // Row 3 is the leading-zero username: still text with its zeros.
    assert_eq!(
        cell(&js, 3, col("username")),
        &json!({"t": "s", "v": "0012345", "f": null})
    );
    assert!(
        cell(&py, 4, col("email")).is_null(),
        "no email: an empty cell"
    );

    let ig = dir.path().join("ig.xlsx");
    ws.export_xlsx(&ig, &ExportOptions::new(Platform::Instagram))
        .unwrap();
    let py = openpyxl_read(&ig);
    let names: Vec<Value> = py["rows"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["v"].clone())
        .collect();
    let expected: Vec<Value> = TIKTOK_HEADER[..10].iter().map(|n| json!(n)).collect();
    assert_eq!(names, expected, "Instagram stops after tags");
}

#[test]
fn export_edit_with_openpyxl_import_applies_exactly_the_edits() {
    let dir = temp_dir();
    let exported = dir.path().join("accounts.xlsx");
    let edited = dir.path().join("edited.xlsx");
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    ws.export_xlsx(&exported, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let before = snapshot(&ws);
    let edits = json!([
        {"username": "alice", "column": "email", "value": "alice@new.example"},
        {"username": "alice", "column": "nickname", "value": null},
        {"username": "alice", "column": "followers", "value": 5000},
        {"username": "Bob_U.2", "column": "status", "value": 1},
        {"username": "0012345", "column": "pwd", "value": 424242},
        {"append": [null, null, "pw", "newbie", null, null, null, 0, 0, "fresh"]},
    ]);
    openpyxl(
        &["edit", &path_str(&exported), &path_str(&edited)],
        Some(&edits.to_string()),
    );
    let report = ws
        .import_xlsx(&edited, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.errors.len()
        ),
        (1, 3, 1, 0),
        "{report}"
    );
    let after = snapshot(&ws);
    let [alice, formula, zeros, bob] = [0, 1, 2, 3].map(|i| &after[i]);
    let mut expected = before[0].clone();
    expected.email = Some("alice@new.example".into());
    expected.stats.nickname = None;
    expected.stats.followers = Some(5000);
    expected.stats.synced_at = None;
    expected.updated_at = alice.updated_at;
    assert_eq!(alice, &expected);
    assert_eq!(formula, &before[1], "untouched row unchanged");
    assert_eq!(zeros.password.as_ref().unwrap().expose(), "424242");
    assert_eq!(zeros.username.as_str(), "0012345");
    assert_eq!(bob.status, Status::Disabled);
    assert_eq!(bob.username, fleet[3].username);
    let newbie = &after[4];
    assert_eq!(newbie.username.as_str(), "newbie");
    assert_eq!(newbie.tags, ["fresh"]);
    assert_eq!(after.len(), 5);
}

/// A `2fa` column of its own (as some farm tools write) is read by SheetJS- and
/// openpyxl-written files alike; it never appears in exports, which keep the
/// key in `pwd` where TikMatrix and IgMatrix read it.
#[test]
fn a_2fa_column_from_sheetjs_and_openpyxl_imports_as_the_key() {
    let dir = temp_dir();
    let js_path = dir.path().join("sheetjs_2fa.xlsx");
    let rows = json!([
        {"username": "js_user", "pwd": "admin:verysecretpassword", "2fa": "jbsw y3dp ehpk 3pxp"},
        {"username": "js_plain", "pwd": 123456},
    ]);
    sheetjs_write(&js_path, "accounts", &rows);
    let py_path = dir.path().join("openpyxl_2fa.xlsx");
    let spec = one_sheet(
        "accounts",
        json!([
            ["username", "pwd", "TOTP"],
            ["py_user", "pw", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
        ]),
    );
    openpyxl_write(&py_path, &spec);
    let ws = Workspace::in_memory();
    for path in [&js_path, &py_path] {
        let report = ws
            .import_xlsx(path, &ImportOptions::new(Platform::TikTok))
            .unwrap();
        assert!(
            report.is_applied() && report.unknown_columns.is_empty(),
            "{report}"
        );
    }
    let key = |name: &str| {
        let a = ws.find(Platform::TikTok, name).unwrap().unwrap();
        (
            a.password.unwrap().expose().to_string(),
            a.totp_key.map(|k| k.expose().to_string()),
        )
    };
    assert_eq!(
        key("js_user"),
        (
            "admin:verysecretpassword".into(),
            Some("JBSWY3DPEHPK3PXP".into())
        )
    );
    assert_eq!(key("js_plain"), ("123456".into(), None));
    assert_eq!(
        key("py_user"),
        ("pw".into(), Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()))
    );

    let exported = dir.path().join("export.xlsx");
    ws.export_xlsx(&exported, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let js = sheetjs_read(&exported);
    let header: Vec<&str> = js["rows"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["v"].as_str().unwrap())
        .collect();
    assert_eq!(header, TIKTOK_HEADER);
    let pwds: Vec<&str> = (1..=3)
        .map(|r| cell(&js, r, 2)["v"].as_str().unwrap())
        .collect();
    assert_eq!(
        pwds,
        [
            "admin:verysecretpassword:JBSWY3DPEHPK3PXP",
            "123456",
            "pw:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        ]
    );
    let before = snapshot(&ws);
    let report = ws
        .import_xlsx(&exported, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.unchanged, 3, "{report}");
    assert_eq!(snapshot(&ws), before);
}
