//! accounts.xlsx import and export semantics against a real workspace: round
//! trips, create/update/clear rules, options, the report, and atomic writes.

mod xlsx_support;

use std::sync::Arc;

use farmhand::store::{
    AccountFilter, AccountStore, BatchOp, ChangeMark, DeviceRecord, MemoryStore, SqliteStore,
};
use farmhand::xlsx::{ExportOptions, ImportOptions, ImportOutcome, OnDuplicate};
use farmhand::{
    Account, AccountId, AccountPatch, Error, ErrorKind, NewAccount, Platform, ProfileStats, Result,
    Status, Workspace,
};
use xlsx_support::{header, snapshot, temp_dir, tiktok_fleet, write_sheet, V};

#[test]
fn export_then_import_changes_nothing_and_says_so() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    ws.add(NewAccount::new(Platform::Instagram, "insta_one").email("i@example.com"))
        .unwrap();
    let before = snapshot(&ws);
    for platform in Platform::ALL {
        let path = dir.path().join(format!("{platform}.xlsx"));
        let summary = ws
            .export_xlsx(&path, &ExportOptions::new(platform))
            .unwrap();
        let expected = before.iter().filter(|a| a.platform == platform).count();
        assert_eq!(summary.rows, expected);
        let report = ws
            .import_xlsx(&path, &ImportOptions::new(platform))
            .unwrap();
        assert_eq!(report.outcome, ImportOutcome::Applied);
        assert_eq!(
            (
                report.created,
                report.updated,
                report.unchanged,
                report.skipped
            ),
            (0, 0, expected, 0),
            "{report}"
        );
        assert!(report.errors.is_empty() && report.unknown_columns.is_empty());
    }
    assert_eq!(
        snapshot(&ws),
        before,
        "nothing changed, not even updated_at"
    );
    assert_eq!(fleet.len(), 4);
}

#[test]
fn rows_with_id_update_rows_without_create_and_missing_columns_stay() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    let alice = &fleet[0];
    let path = dir.path().join("edit.xlsx");
    let id = alice.id.0 as f64;
    // No pwd, device or stats columns: those fields stay; email is emptied: cleared.
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["Username", " ID ", "email", "status", "tags", "logined"]),
            vec![
                V::S("@Alice"),
                V::N(id),
                V::E,
                V::N(1.0),
                V::S("a, b"),
                V::E,
            ],
            vec![
                V::S("carol"),
                V::E,
                V::S("c@example.com"),
                V::E,
                V::E,
                V::N(1.0),
            ],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (1, 1, 0),
        "{report}"
    );
    let after = ws.get(alice.id).unwrap();
    assert_eq!(
        after.username.as_str(),
        "Alice",
        "case of the display name follows the sheet"
    );
    assert_eq!(after.email, None);
    assert_eq!(after.status, Status::Disabled);
    assert_eq!(after.tags, ["a", "b"]);
    assert_eq!(
        after.password, alice.password,
        "no pwd column: password kept"
    );
    assert_eq!(after.device, alice.device);
    assert!(after.logged_in, "an empty logined cell leaves the flag");
    assert_eq!(after.stats.followers, alice.stats.followers);
    let carol = ws
        .find(Platform::TikTok, "carol")
        .unwrap()
        .expect("created");
    assert_eq!(carol.email.as_deref(), Some("c@example.com"));
    assert!(carol.logged_in);
    assert_eq!(carol.status, Status::Enabled);
}

/// The index of an exported row is the echo of its device: edited alone it
/// rebinds (see the IgMatrix test below); contradicting the device, it is an error.
#[test]
fn device_index_must_agree_with_device_and_device_rebinds() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let alice = tiktok_fleet(&ws).remove(0);
    let path = dir.path().join("devices.xlsx");
    let id = alice.id.0 as f64;
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "device", "device_index"]),
            vec![V::N(id), V::S("alice"), V::S("emulator-5554"), V::N(99.0)],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    assert!(
        report.errors[0]
            .to_string()
            .contains("column device_index: device 'emulator-5554' is phone 1 here, not 99"),
        "{report}"
    );
    assert_eq!(ws.get(alice.id).unwrap(), alice);

    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "device", "device_index"]),
            vec![V::N(id), V::S("alice"), V::S("10.1.1.1:5555"), V::N(1.0)],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.updated, 1, "{report}");
    assert_eq!(
        ws.get(alice.id).unwrap().device.as_deref(),
        Some("10.1.1.1:5555")
    );

    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "device"]),
            vec![V::N(id), V::S("alice"), V::E],
        ],
    );
    ws.import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        ws.get(alice.id).unwrap().device,
        None,
        "an empty device cell unbinds"
    );
}

#[test]
fn instagram_imports_ignore_stats_and_tiktok_imports_merge_them() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let path = dir.path().join("stats.xlsx");
    let rows = [
        header(&["username", "followers", "nickname", "likes"]),
        vec![V::S("gram"), V::N(10.0), V::S("G"), V::N(5.0)],
    ];
    write_sheet(&path, "accounts", &rows);
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::Instagram))
        .unwrap();
    assert_eq!(report.created, 1);
    assert_eq!(report.ignored_columns, ["followers", "nickname"]);
    assert_eq!(report.unknown_columns, ["likes"]);
    let gram = ws.find(Platform::Instagram, "gram").unwrap().unwrap();
    assert_eq!(gram.stats, ProfileStats::default());

    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        report.created, 1,
        "the same name on another platform is another account"
    );
    assert!(report.ignored_columns.is_empty());
    let tt = ws.find(Platform::TikTok, "gram").unwrap().unwrap();
    assert_eq!(
        (tt.stats.followers, tt.stats.nickname.as_deref()),
        (Some(10), Some("G"))
    );

    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "hearts"]),
            vec![V::N(tt.id.0 as f64), V::S("gram"), V::N(7.0)],
        ],
    );
    ws.import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    let stats = ws.get(tt.id).unwrap().stats;
    assert_eq!(
        (stats.followers, stats.hearts),
        (Some(10), Some(7)),
        "other stats kept"
    );
}

#[test]
fn existing_usernames_without_id_follow_on_duplicate() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    let path = dir.path().join("dup.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "email"]),
            vec![V::S("ALICE"), V::S("new@example.com")],
            vec![V::S("dave"), V::E],
        ],
    );
    let before = snapshot(&ws);
    let opts = ImportOptions::new(Platform::TikTok);
    let report = ws.import_xlsx(&path, &opts).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    assert_eq!(report.errors.len(), 1);
    let error = report.errors[0].to_string();
    assert!(
        error.starts_with("row 2, column username: 'ALICE' already exists (account "),
        "{error}"
    );
    assert_eq!(snapshot(&ws), before, "rejected: nothing written");

    let skip = opts.clone().on_duplicate(OnDuplicate::Skip);
    let report = ws.import_xlsx(&path, &skip).unwrap();
    assert_eq!(
        (report.created, report.skipped, report.updated),
        (1, 1, 0),
        "{report}"
    );
    assert_eq!(ws.get(fleet[0].id).unwrap().email, fleet[0].email);

    let update = opts.on_duplicate(OnDuplicate::Update);
    let report = ws.import_xlsx(&path, &update).unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 1, 1),
        "{report}"
    );
    let alice = ws.get(fleet[0].id).unwrap();
    assert_eq!(alice.email.as_deref(), Some("new@example.com"));
    assert_eq!(alice.username.as_str(), "ALICE");
}

#[test]
fn dry_run_reports_and_writes_nothing_skip_invalid_writes_the_valid_rows() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    tiktok_fleet(&ws);
    let path = dir.path().join("mixed.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "pwd", "status"]),
            vec![V::S("erin"), V::S("Sup3rSecret!"), V::N(0.0)],
            vec![V::S("frank"), V::S("Sup3rSecret!"), V::N(2.0)],
            vec![V::E, V::E, V::E],
            vec![V::S("gina"), V::N(123456.0), V::S("yes")],
            vec![V::S("hank"), V::E, V::E],
        ],
    );
    let before = snapshot(&ws);
    let dry = ImportOptions::new(Platform::TikTok).dry_run(true);
    let report = ws.import_xlsx(&path, &dry).unwrap();
    assert_eq!(
        report.outcome,
        ImportOutcome::Rejected,
        "invalid rows reject even a dry run"
    );
    let rows: Vec<u32> = report.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, [3, 5], "sheet row numbers, the blank row 4 skipped");
    assert!(report
        .errors
        .iter()
        .all(|e| e.column.as_deref() == Some("status")));

    let report = ws
        .import_xlsx(&path, &dry.clone().skip_invalid(true))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::DryRun);
    assert_eq!((report.created, report.skipped), (2, 2), "{report}");
    assert_eq!(snapshot(&ws), before, "a dry run writes nothing");

    let report = ws
        .import_xlsx(&path, &dry.dry_run(false).skip_invalid(true))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Applied);
    assert_eq!(
        (report.created, report.skipped, report.errors.len()),
        (2, 2, 2)
    );
    assert!(ws.find(Platform::TikTok, "erin").unwrap().is_some());
    assert!(ws.find(Platform::TikTok, "hank").unwrap().is_some());
    assert!(ws.find(Platform::TikTok, "frank").unwrap().is_none());
    let text = format!("{report} {report:?}");
    assert!(
        !text.contains("Sup3rSecret") && !text.contains("123456"),
        "{text}"
    );
}

#[test]
fn export_options_filter_accounts_and_leave_passwords_out() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    let path = dir.path().join("enabled.xlsx");
    let enabled = AccountFilter {
        status: Some(Status::Enabled),
        ..AccountFilter::default()
    };
    let opts = ExportOptions::new(Platform::TikTok)
        .filter(enabled)
        .include_passwords(false);
    let summary = ws.export_xlsx(&path, &opts).unwrap();
    assert_eq!(summary.rows, 3, "the disabled account is filtered out");
    let bytes = std::fs::read(&path).unwrap();
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(!haystack.contains("JBSWY3DPEHPK3PXP"));

    // Re-importing a password-less export keeps the passwords.
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.unchanged, 3, "{report}");
    assert_eq!(ws.get(fleet[0].id).unwrap().password, fleet[0].password);
}

#[test]
fn an_id_naming_a_missing_or_foreign_account_is_a_row_error() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    tiktok_fleet(&ws);
    let insta = ws
        .add(NewAccount::new(Platform::Instagram, "insta"))
        .unwrap();
    let path = dir.path().join("ids.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username"]),
            vec![V::N(4242.0), V::S("ghost")],
            vec![V::N(insta.id.0 as f64), V::S("insta")],
            vec![V::N(0.0), V::S("zero")],
            vec![V::N(1.5), V::S("half")],
        ],
    );
    let before = snapshot(&ws);
    let report = ws
        .import_xlsx(
            &path,
            &ImportOptions::new(Platform::TikTok).strict_ids(true),
        )
        .unwrap();
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors[0].starts_with("row 2, column id: no account has id 4242"));
    assert!(
        errors[1].contains("is on instagram; this import is into tiktok"),
        "{}",
        errors[1]
    );
    assert!(errors[2].starts_with("row 4, column id: 0 is not an account id"));
    assert!(errors[3].starts_with("row 5, column id: 1.5 is not a whole number"));
    assert_eq!(snapshot(&ws), before);

    // Without strict ids, the unknown id is a sheet from elsewhere: no error.
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok).dry_run(true))
        .unwrap();
    assert_eq!(report.errors.len(), 3, "{report}");
    assert!(report.errors.iter().all(|e| e.row != 2), "{report}");
    assert_eq!(report.created_for_unknown_ids, 1, "{report}");
    assert_eq!(snapshot(&ws), before);
}

/// Moving accounts to another PC: export on A, import on B. Ids of A are
/// unknown on B; rows match B's accounts by username or create them.
#[test]
fn a_sheet_from_another_workspace_updates_by_username_and_creates_the_rest() {
    let dir = temp_dir();
    let a = Workspace::in_memory();
    // Ids on A run past B's, so no id of the sheet names an account of B.
    for i in 0..10 {
        a.delete(
            a.add(NewAccount::new(Platform::TikTok, format!("gap{i}")))
                .unwrap()
                .id,
        )
        .unwrap();
    }
    let fleet = tiktok_fleet(&a);
    let moved = a
        .add(NewAccount::new(Platform::TikTok, "moved").device("10.0.0.9:5555"))
        .unwrap();
    let sheet = dir.path().join("from_a.xlsx");
    a.export_xlsx(&sheet, &ExportOptions::new(Platform::TikTok))
        .unwrap();

    // An empty workspace gets every account, with the same fields and bindings.
    let b = Workspace::in_memory();
    let report = b
        .import_xlsx(&sheet, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert!(report.is_applied(), "{report}");
    assert_eq!(
        (
            report.created,
            report.created_for_unknown_ids,
            report.errors.len()
        ),
        (fleet.len() + 1, fleet.len() + 1, 0),
        "{report}"
    );
    assert!(
        report.to_string().contains("created with new ids"),
        "{report}"
    );
    let same = |x: &Account, y: &Account| {
        x.username == y.username
            && x.username.as_str() == y.username.as_str()
            && x.email == y.email
            && x.password == y.password
            && x.totp_key == y.totp_key
            && x.device == y.device
            && x.package_name == y.package_name
            && x.logged_in == y.logged_in
            && x.status == y.status
            && x.tags == y.tags
            && x.stats.followers == y.stats.followers
    };
    let on_b = snapshot(&b);
    for account in snapshot(&a) {
        let there = b
            .find(Platform::TikTok, account.username.as_str())
            .unwrap()
            .unwrap();
        assert!(same(&account, &there), "{account:?}\n{there:?}");
    }
    assert_eq!(on_b.len(), fleet.len() + 1);
    let serials = |ws: &Workspace| -> Vec<String> {
        ws.devices()
            .unwrap()
            .into_iter()
            .map(|d| d.serial)
            .collect()
    };
    assert_eq!(serials(&b), serials(&a));

    // Importing it again: every row is matched by username, nothing changes.
    let report = b
        .import_xlsx(&sheet, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        (report.unchanged, report.matched_by_username),
        (fleet.len() + 1, fleet.len() + 1),
        "{report}"
    );
    assert_eq!(snapshot(&b), on_b);

    // An edited account is updated through its username, whatever the id says.
    b.update(
        b.find(Platform::TikTok, "moved").unwrap().unwrap().id,
        AccountPatch {
            tags: Some(vec!["local".into()]),
            ..AccountPatch::default()
        },
    )
    .unwrap();
    let report = b
        .import_xlsx(&sheet, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        (report.updated, report.matched_by_username),
        (1, fleet.len() + 1)
    );
    assert!(b
        .find(Platform::TikTok, "moved")
        .unwrap()
        .unwrap()
        .tags
        .is_empty());
    assert_ne!(
        moved.id,
        b.find(Platform::TikTok, "moved").unwrap().unwrap().id
    );

    // --strict-ids keeps the old refusal: nothing is written.
    let strict = b
        .import_xlsx(
            &sheet,
            &ImportOptions::new(Platform::TikTok).strict_ids(true),
        )
        .unwrap();
    assert_eq!(strict.outcome, ImportOutcome::Rejected);
    assert_eq!(strict.errors.len(), fleet.len() + 1, "{strict}");
}

#[test]
fn usernames_repeat_in_a_file_in_any_spelling_is_a_row_error() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let path = dir.path().join("twice.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username"]),
            vec![V::S("Zed")],
            vec![V::S(" @zed ")],
            vec![V::S("ZED")],
            vec![V::S("other")],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "row 3, column username: 'zed' is the same account as row 2 (usernames ignore case and leading @s)",
            "row 4, column username: 'ZED' is the same account as row 2 (usernames ignore case and leading @s)",
        ]
    );
    assert!(snapshot(&ws).is_empty());
}

#[test]
fn legacy_text_imports_with_the_same_rules() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    for serial in ["phone-a", "phone-b", "phone-c"] {
        ws.register_device(serial).unwrap();
    }
    let path = dir.path().join("accounts.txt");
    std::fs::write(
        &path,
        "a@x.com##pw:JBSWY3DPEHPK3PXP##alice##3\n\n##123456##bob##\nbroken##line\n",
    )
    .unwrap();
    let opts = ImportOptions::new(Platform::Instagram);
    let report = ws.import_legacy_text(&path, &opts).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    assert_eq!(report.errors[0].row, 4);
    assert!(snapshot(&ws).is_empty());

    let report = ws
        .import_legacy_text(&path, &opts.clone().skip_invalid(true))
        .unwrap();
    assert_eq!((report.created, report.skipped), (2, 1), "{report}");
    let alice = ws.find(Platform::Instagram, "alice").unwrap().unwrap();
    assert_eq!(alice.email.as_deref(), Some("a@x.com"));
    assert_eq!(alice.password.as_ref().unwrap().expose(), "pw");
    assert_eq!(
        alice.totp_key.as_ref().unwrap().expose(),
        "JBSWY3DPEHPK3PXP"
    );
    assert_eq!(report.pwd_split, 1, "{report}");
    assert_eq!(
        alice.device.as_deref(),
        Some("phone-c"),
        "device_index 3 binds"
    );
    assert_eq!(alice.device_index, Some(3));
    let bob = ws.find(Platform::Instagram, "bob").unwrap().unwrap();
    assert_eq!(bob.email, None);

    let report = ws
        .import_legacy_text(
            &path,
            &opts.skip_invalid(true).on_duplicate(OnDuplicate::Update),
        )
        .unwrap();
    assert_eq!((report.unchanged, report.skipped), (2, 1), "{report}");
}

/// A store whose listing fails part-way, to prove an export is all or nothing.
struct FailingListing(MemoryStore);

impl AccountStore for FailingListing {
    fn create(&self, new: NewAccount) -> Result<Account> {
        self.0.create(new)
    }
    fn get(&self, id: AccountId) -> Result<Account> {
        self.0.get(id)
    }
    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        self.0.find_by_username(platform, username)
    }
    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        self.0.update_with(id, change)
    }
    fn delete(&self, id: AccountId) -> Result<()> {
        self.0.delete(id)
    }
    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        self.0.list(filter)
    }
    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        let mut seen = 0;
        self.0.for_each(filter, &mut |account| {
            seen += 1;
            if seen == 3 {
                return Err(Error::storage("disk on fire"));
            }
            visit(account)
        })
    }
    fn count(&self, filter: &AccountFilter) -> Result<usize> {
        self.0.count(filter)
    }
    fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>> {
        self.0.apply_batch(ops)
    }
    fn apply_stream_if_unchanged(
        &self,
        since: ChangeMark,
        next: &mut dyn FnMut() -> Result<Option<BatchOp>>,
    ) -> Result<Option<usize>> {
        self.0.apply_stream_if_unchanged(since, next)
    }
    fn change_mark(&self) -> Result<ChangeMark> {
        self.0.change_mark()
    }
    fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        self.0.register_device(serial)
    }
    fn list_devices(&self) -> Result<Vec<DeviceRecord>> {
        self.0.list_devices()
    }
    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord> {
        self.0.label_device(serial, label)
    }
    fn record_history(&self, entries: &[farmhand::store::HistoryEntry]) -> Result<usize> {
        self.0.record_history(entries)
    }
    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<farmhand::store::HistoryEntry>> {
        self.0.history(id, limit)
    }
    fn leases(&self) -> &dyn farmhand::store::Leases {
        self.0.leases()
    }
    fn watch(&self) -> Result<Box<dyn farmhand::store::ChangeWatch>> {
        self.0.watch()
    }
}

/// An import looks up only the accounts its rows name: it never lists the
/// workspace (whose listing here fails), so its memory follows the sheet.
#[test]
fn an_import_looks_up_the_rows_accounts_without_listing_the_workspace() {
    let ws = Workspace::with_store(Arc::new(FailingListing(MemoryStore::new())));
    for i in 0..10 {
        ws.add(NewAccount::new(Platform::TikTok, format!("user{i}")))
            .unwrap();
    }
    let seventh = ws.find(Platform::TikTok, "user7").unwrap().unwrap();
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "status"]),
            vec![V::N(seventh.id.0 as f64), V::S("user7"), V::N(1.0)],
            vec![V::E, V::S("user8"), V::N(0.0)],
            vec![V::E, V::S("newcomer"), V::N(0.0)],
        ],
    );
    let options = ImportOptions::new(Platform::TikTok).on_duplicate(OnDuplicate::Update);
    let report = ws.import_xlsx(&path, &options).unwrap();
    assert_eq!(
        (report.updated, report.unchanged, report.created),
        (1, 1, 1),
        "{report}"
    );
    assert_eq!(ws.get(seventh.id).unwrap().status, Status::Disabled);
    assert!(ws.find(Platform::TikTok, "newcomer").unwrap().is_some());
}

#[test]
fn a_failed_export_leaves_the_old_file_whole_and_no_temp_file() {
    let dir = temp_dir();
    let path = dir.path().join("accounts.xlsx");
    std::fs::write(&path, b"the previous export").unwrap();
    let ws = Workspace::with_store(Arc::new(FailingListing(MemoryStore::new())));
    tiktok_fleet(&ws);
    let error = ws
        .export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Storage, "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), b"the previous export");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["accounts.xlsx"], "the temporary file is removed");

    let ok = Workspace::in_memory();
    tiktok_fleet(&ok);
    ok.export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    assert!(
        std::fs::read(&path).unwrap().starts_with(b"PK"),
        "replaced whole"
    );
    let error = ok
        .export_xlsx(
            dir.path().join("missing/accounts.xlsx"),
            &ExportOptions::new(Platform::TikTok),
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
}

#[test]
fn an_export_without_ids_is_a_template_that_another_workspace_imports() {
    let dir = temp_dir();
    let path = dir.path().join("template.xlsx");
    let ws = Workspace::in_memory();
    let fleet = tiktok_fleet(&ws);
    let opts = ExportOptions::new(Platform::TikTok).include_ids(false);
    ws.export_xlsx(&path, &opts).unwrap();
    let other = Workspace::in_memory();
    let report = other
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.created, fleet.len(), "{report}");
    for account in &fleet {
        let copy = other
            .find(Platform::TikTok, account.username.as_str())
            .unwrap()
            .expect("copied");
        assert_eq!(copy.password, account.password);
        assert_eq!(copy.device, account.device);
        assert_eq!(copy.tags, account.tags);
        assert_eq!(copy.stats, account.stats);
    }
    let again = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(
        again.outcome,
        ImportOutcome::Rejected,
        "same names without ids are duplicates"
    );
    assert_eq!(again.errors.len(), fleet.len());
}

#[test]
fn a_sqlite_workspace_round_trips_and_rejects_atomically() {
    let dir = temp_dir();
    let ws = Workspace::open(dir.path().join("farm.db")).unwrap();
    let fleet = tiktok_fleet(&ws);
    ws.add(NewAccount::new(Platform::Instagram, "insta_only"))
        .unwrap();
    let before = snapshot(&ws);
    let path = dir.path().join("accounts.xlsx");
    let summary = ws
        .export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(summary.rows, fleet.len(), "only the TikTok accounts");
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.unchanged, fleet.len(), "{report}");
    assert_eq!(snapshot(&ws), before);

    let id = fleet[0].id.0 as f64;
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["id", "username", "status", "followers"]),
            vec![V::N(id), V::S("alice"), V::N(1.0), V::N(7.0)],
            vec![V::E, V::S("new_one"), V::N(0.0), V::N(1.0)],
            vec![V::E, V::S("bad_one"), V::N(3.0), V::N(1.0)],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    assert_eq!(
        snapshot(&ws),
        before,
        "one bad row: nothing written to SQLite"
    );

    let skip = ImportOptions::new(Platform::TikTok).skip_invalid(true);
    let report = ws.import_xlsx(&path, &skip).unwrap();
    assert_eq!(
        (report.updated, report.created, report.skipped),
        (1, 1, 1),
        "{report}"
    );
    let reopened = Workspace::open(dir.path().join("farm.db")).unwrap();
    let alice = reopened.get(fleet[0].id).unwrap();
    assert_eq!(
        (alice.status, alice.stats.followers),
        (Status::Disabled, Some(7))
    );
    assert!(reopened
        .find(Platform::TikTok, "new_one")
        .unwrap()
        .is_some());
    assert!(reopened
        .find(Platform::TikTok, "bad_one")
        .unwrap()
        .is_none());
}

/// The SQLite store writes rows while the sheet is still being read: whatever
/// ends the import late (an invalid last row, a damaged end of file, the row
/// limit) must undo every row already written.
#[test]
fn a_sqlite_import_undoes_rows_it_streamed_when_the_end_goes_wrong() {
    let dir = temp_dir();
    let ws = Workspace::open(dir.path().join("farm.db")).unwrap();
    tiktok_fleet(&ws);
    let before = snapshot(&ws);
    let phones = ws.devices().unwrap().len();
    let names: Vec<String> = (0..3000).map(|i| format!("streamed_{i}")).collect();
    let devices: Vec<String> = (0..3000).map(|i| format!("phone-{}", i % 40)).collect();
    let rows = |last_status: f64| -> Vec<Vec<V<'_>>> {
        let mut rows = vec![header(&["username", "device", "status"])];
        rows.extend(
            names
                .iter()
                .zip(&devices)
                .map(|(name, device)| vec![V::S(name), V::S(device), V::N(0.0)]),
        );
        rows.last_mut().unwrap()[2] = V::N(last_status);
        rows
    };
    let path = dir.path().join("many.xlsx");
    let options = ImportOptions::new(Platform::TikTok);

    write_sheet(&path, "accounts", &rows(2.0));
    let report = ws.import_xlsx(&path, &options).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected, "{report}");
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 3001);
    assert_eq!(snapshot(&ws), before, "the last row's error undid the rest");
    assert_eq!(ws.devices().unwrap().len(), phones, "no phone registered");

    let error = ws
        .import_xlsx(&path, &options.clone().max_rows(2999))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Import, "{error}");
    assert_eq!(
        snapshot(&ws),
        before,
        "the row limit undid the rows before it"
    );

    write_sheet(&path, "accounts", &rows(1.0));
    std::fs::write(&path, damage_sheet_end(std::fs::read(&path).unwrap())).unwrap();
    let error = ws.import_xlsx(&path, &options).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Import, "{error}");
    assert!(error.to_string().contains("sheet 'accounts': "), "{error}");
    assert_eq!(
        snapshot(&ws),
        before,
        "a damaged end undid the rows before it"
    );

    write_sheet(&path, "accounts", &rows(1.0));
    let report = ws.import_xlsx(&path, &options).unwrap();
    assert_eq!(report.created, 3000, "{report}");
    let last = ws.find(Platform::TikTok, "streamed_2999").unwrap().unwrap();
    assert_eq!(
        (last.status, last.device.as_deref()),
        (Status::Disabled, Some("phone-39"))
    );
    assert_eq!(ws.devices().unwrap().len(), phones + 40);
}

/// The workbook with bytes near the end of its first sheet's compressed data
/// overwritten: the zip still opens, and the damage shows only late in the read.
fn damage_sheet_end(mut bytes: Vec<u8>) -> Vec<u8> {
    let find = |needle: &[u8], from: usize| {
        bytes[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| at + from)
    };
    let name = find(b"xl/worksheets/sheet1.xml", 0).expect("the sheet's local header");
    let next = find(b"PK\x03\x04", name).expect("an entry after the sheet");
    let at = name + (next - name) * 9 / 10;
    bytes[at..at + 16].fill(0xA5);
    bytes
}

#[test]
fn look_alike_and_at_laden_usernames_in_a_sheet() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let alice = ws.add(NewAccount::new(Platform::TikTok, "alice")).unwrap();
    let path = dir.path().join("names.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username"]),
            vec![V::S("@@bob")],
            vec![V::S("\u{430}lice")],
            vec![V::S("ali\u{200d}ce")],
            vec![V::S("al@ice")],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("row 3, column username:") && errors[0].contains("U+0430"));
    assert!(errors[1].starts_with("row 4, column username:") && errors[1].contains("U+200D"));
    assert!(errors[2].starts_with("row 5, column username:") && errors[2].contains("'@'"));
    assert_eq!(snapshot(&ws), [alice]);

    let report = ws
        .import_xlsx(
            &path,
            &ImportOptions::new(Platform::TikTok).skip_invalid(true),
        )
        .unwrap();
    assert_eq!((report.created, report.skipped), (1, 3), "{report}");
    assert_eq!(
        ws.find(Platform::TikTok, "bob")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "bob"
    );
}

/// `pwd` cells are read by the one documented rule, a `2fa` column gives the
/// key, and the report says how many were split and which look mistyped.
#[test]
fn pwd_cells_and_a_2fa_column_give_password_and_key() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let path = dir.path().join("keys.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "pwd", "2fa"]),
            vec![V::S("split"), V::S("pw:jbsw y3dp ehpk 3pxp"), V::E],
            vec![V::S("colon"), V::S("admin:verysecretpassword"), V::E],
            vec![V::S("column"), V::S("pw"), V::S("jbsw y3dp ehpk 3pxp")],
            vec![
                V::S("both"),
                V::S("pw:JBSWY3DPEHPK3PXP"),
                V::S("JBSWY3DPEHPK3PXP"),
            ],
            vec![V::S("typo"), V::S("pw:JBSWY3DPEHPK3PX"), V::E],
            vec![
                V::S("keyonly"),
                V::E,
                V::S("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            ],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert!(report.is_applied(), "{report}");
    assert_eq!(report.pwd_split, 2, "{report}");
    assert_eq!(report.warnings.len(), 1, "{report}");
    assert_eq!(
        (report.warnings[0].row, report.warnings[0].column.as_deref()),
        (6, Some("pwd"))
    );
    let text = report.to_string();
    assert!(
        text.contains("2 pwd were read as password + 2FA key"),
        "{text}"
    );
    assert!(text.contains("warning: row 6, column pwd:"), "{text}");
    assert!(!text.contains("JBSW"), "{text}");
    let read = |name: &str| {
        let a = ws.find(Platform::TikTok, name).unwrap().unwrap();
        (
            a.password.map(|p| p.expose().to_string()),
            a.totp_key.map(|k| k.expose().to_string()),
        )
    };
    let key = Some("JBSWY3DPEHPK3PXP".to_string());
    assert_eq!(read("split"), (Some("pw".into()), key.clone()));
    assert_eq!(
        read("colon"),
        (Some("admin:verysecretpassword".into()), None)
    );
    assert_eq!(read("column"), (Some("pw".into()), key.clone()));
    assert_eq!(read("both"), (Some("pw".into()), key));
    assert_eq!(read("typo"), (Some("pw:JBSWY3DPEHPK3PX".into()), None));
    assert_eq!(
        read("keyonly"),
        (None, Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()))
    );

    // Export writes password:KEY back in pwd, and re-importing it changes nothing,
    // even for passwords that the rule would read differently.
    ws.add(NewAccount::new(Platform::TikTok, "explicit").password("login:passwordpassword"))
        .unwrap();
    let exported = dir.path().join("export.xlsx");
    ws.export_xlsx(&exported, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let before = snapshot(&ws);
    let report = ws
        .import_xlsx(&exported, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.unchanged, before.len(), "{report}");
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn a_2fa_cell_that_is_not_a_key_or_disagrees_with_pwd_is_a_row_error() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    let path = dir.path().join("bad_keys.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "pwd", "totp"]),
            vec![V::S("short"), V::S("pw"), V::S("JBSWY3DPEHPK3PX")],
            vec![V::S("bad"), V::S("pw"), V::S("not a key at all!")],
            vec![
                V::S("clash"),
                V::S("pw:JBSWY3DPEHPK3PXP"),
                V::S("GEZDGNBVGY3TQOJQ"),
            ],
            vec![V::S("fine"), V::S("pw"), V::S("JBSWY3DPEHPK3PXP")],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("row 2, column 2fa:") && errors[0].contains("at least 16"));
    assert!(errors[1].starts_with("row 3, column 2fa:") && errors[1].contains("not base32"));
    assert!(errors[2].starts_with("row 4, column 2fa:") && errors[2].contains("differs"));
    assert!(errors
        .iter()
        .all(|e| !e.contains("JBSW") && !e.contains("GEZD")));
    assert!(snapshot(&ws).is_empty());
}

/// IgMatrix's 2FA recipe: `username`, `pwd` as `password:2fa_secret` and
/// `device_index` (no `device`): the index picks the registered phone.
#[test]
fn a_device_index_alone_binds_to_the_registered_phone_with_that_number() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    for serial in ["R58M1", "10.0.0.7:5555", "emulator-5554"] {
        ws.register_device(serial).unwrap();
    }
    let bound = ws
        .add(NewAccount::new(Platform::Instagram, "kept").device("R58M1"))
        .unwrap();
    let path = dir.path().join("igmatrix.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "pwd", "device_index"]),
            vec![V::S("ig_one"), V::S("pw:JBSWY3DPEHPK3PXP"), V::N(2.0)],
            vec![V::S("ig_two"), V::S("pw2"), V::S("3")],
            vec![V::S("ig_none"), V::S("pw3"), V::E],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::Instagram))
        .unwrap();
    assert!(report.is_applied(), "{report}");
    let device = |name: &str| {
        let a = ws.find(Platform::Instagram, name).unwrap().unwrap();
        (a.device, a.device_index)
    };
    assert_eq!(device("ig_one"), (Some("10.0.0.7:5555".into()), Some(2)));
    assert_eq!(device("ig_two"), (Some("emulator-5554".into()), Some(3)));
    assert_eq!(device("ig_none"), (None, None));
    assert_eq!(ws.get(bound.id).unwrap().device.as_deref(), Some("R58M1"));
    assert_eq!(ws.devices().unwrap().len(), 3, "no phone is invented");

    // With an id, the index rebinds an existing account too; re-importing changes nothing.
    let rebind = dir.path().join("rebind.xlsx");
    write_sheet(
        &rebind,
        "accounts",
        &[
            header(&["id", "username", "device_index"]),
            vec![V::N(bound.id.0 as f64), V::S("kept"), V::N(3.0)],
        ],
    );
    let options = ImportOptions::new(Platform::Instagram);
    assert_eq!(ws.import_xlsx(&rebind, &options).unwrap().updated, 1);
    assert_eq!(device("kept"), (Some("emulator-5554".into()), Some(3)));
    assert_eq!(ws.import_xlsx(&rebind, &options).unwrap().unchanged, 1);
}

#[test]
fn an_unknown_or_disagreeing_device_index_is_a_row_error() {
    let dir = temp_dir();
    let ws = Workspace::in_memory();
    for serial in ["phone-a", "phone-b"] {
        ws.register_device(serial).unwrap();
    }
    let path = dir.path().join("bad_index.xlsx");
    write_sheet(
        &path,
        "accounts",
        &[
            header(&["username", "device", "device_index"]),
            vec![V::S("unknown"), V::E, V::N(9.0)],
            vec![V::S("disagree"), V::S("phone-b"), V::N(1.0)],
            vec![V::S("other"), V::S("phone-a"), V::N(2.0)],
            vec![V::S("zero"), V::E, V::N(0.0)],
            vec![V::S("negative"), V::E, V::N(-1.0)],
            vec![V::S("words"), V::E, V::S("two")],
            vec![V::S("huge"), V::E, V::N(1e12)],
            vec![V::S("agree"), V::S("phone-b"), V::N(2.0)],
            vec![V::S("new_phone"), V::S("phone-z"), V::N(7.0)],
            vec![V::S("new_but_taken"), V::S("phone-y"), V::N(1.0)],
        ],
    );
    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(report.outcome, ImportOutcome::Rejected);
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    let on_row = |row: u32| -> &str {
        errors
            .iter()
            .find(|e| e.starts_with(&format!("row {row}, column device_index:")))
            .map_or("", |e| e.as_str())
    };
    assert_eq!(errors.len(), 8, "{errors:#?}");
    assert!(
        on_row(2).contains("no registered phone has device_index 9"),
        "{errors:#?}"
    );
    assert!(on_row(3).contains("device_index 1 is the phone phone-a, but device says 'phone-b'"));
    assert!(on_row(4).contains("device_index 2 is the phone phone-b"));
    assert!(on_row(5).contains("0 is not a device index"));
    assert!(on_row(6).contains("negative"));
    assert!(on_row(7).contains("'two' is not a whole number"));
    assert!(on_row(8).contains("1000000000000 is not a device index"));
    assert!(on_row(11).contains("device_index 1 is the phone phone-a"));
    assert!(snapshot(&ws).is_empty());
    assert_eq!(ws.devices().unwrap().len(), 2);
}

/// What the second writer does during the `n`th plan.
type SecondWrite = dyn Fn(&Workspace, usize) + Send + Sync;

/// A SQLite store that, while an import plans, lets a second writer (another
/// connection to the same file, as another process would be) write: on the
/// first lookup after each of the first `interfere` change marks (one per plan
/// made without the write lock), it runs `write` once the lookup has read the
/// store, and requires it to succeed.
struct SecondWriter {
    store: SqliteStore,
    other: Workspace,
    write: Box<SecondWrite>,
    interfere: usize,
    /// Plans begun (change marks taken), and whether this plan's write was made.
    plans: std::sync::Mutex<(usize, bool)>,
}

impl SecondWriter {
    fn open(
        path: &std::path::Path,
        interfere: usize,
        write: impl Fn(&Workspace, usize) + Send + Sync + 'static,
    ) -> SecondWriter {
        SecondWriter {
            store: SqliteStore::open(path).unwrap(),
            other: Workspace::open(path).unwrap(),
            write: Box::new(write),
            interfere,
            plans: std::sync::Mutex::new((0, false)),
        }
    }

    fn plans(&self) -> usize {
        self.plans.lock().unwrap().0
    }
}

impl AccountStore for SecondWriter {
    fn create(&self, new: NewAccount) -> Result<Account> {
        self.store.create(new)
    }
    fn get(&self, id: AccountId) -> Result<Account> {
        self.store.get(id)
    }
    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        self.store.find_by_username(platform, username)
    }
    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        self.store.update_with(id, change)
    }
    fn delete(&self, id: AccountId) -> Result<()> {
        self.store.delete(id)
    }
    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        self.store.list(filter)
    }
    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        self.store.for_each(filter, visit)
    }
    fn count(&self, filter: &AccountFilter) -> Result<usize> {
        self.store.count(filter)
    }
    fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>> {
        self.store.apply_batch(ops)
    }
    fn apply_stream(&self, next: &mut dyn FnMut() -> Result<Option<BatchOp>>) -> Result<usize> {
        self.store.apply_stream(next)
    }
    fn apply_stream_if_unchanged(
        &self,
        since: ChangeMark,
        next: &mut dyn FnMut() -> Result<Option<BatchOp>>,
    ) -> Result<Option<usize>> {
        self.store.apply_stream_if_unchanged(since, next)
    }
    fn change_mark(&self) -> Result<ChangeMark> {
        *self.plans.lock().unwrap() = (self.plans() + 1, false);
        self.store.change_mark()
    }
    fn lookup(
        &self,
        platform: Platform,
        ids: &[AccountId],
        keys: &[String],
    ) -> Result<Vec<Account>> {
        let plan = {
            let mut plans = self.plans.lock().unwrap();
            let due = plans.0 <= self.interfere && !plans.1;
            plans.1 = true;
            due.then_some(plans.0)
        };
        let found = self.store.lookup(platform, ids, keys);
        if let Some(plan) = plan {
            (self.write)(&self.other, plan);
        }
        found
    }
    fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        self.store.register_device(serial)
    }
    fn list_devices(&self) -> Result<Vec<DeviceRecord>> {
        self.store.list_devices()
    }
    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord> {
        self.store.label_device(serial, label)
    }
    fn record_history(&self, entries: &[farmhand::store::HistoryEntry]) -> Result<usize> {
        self.store.record_history(entries)
    }
    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<farmhand::store::HistoryEntry>> {
        self.store.history(id, limit)
    }
    fn leases(&self) -> &dyn farmhand::store::Leases {
        self.store.leases()
    }
    fn watch(&self) -> Result<Box<dyn farmhand::store::ChangeWatch>> {
        self.store.watch()
    }
}

/// A sheet from another workspace: `dave` with an id unknown here, and new rows.
fn foreign_sheet(path: &std::path::Path) {
    write_sheet(
        path,
        "accounts",
        &[
            header(&["id", "username", "email"]),
            vec![V::N(90_001.0), V::S("dave"), V::S("dave@example.com")],
            vec![V::E, V::S("erin"), V::E],
            vec![V::E, V::S("frank"), V::E],
        ],
    );
}

/// While the sheet is read and planned, another writer writes (it is not made
/// to wait for the import, whose busy timeout would fail it); the import then
/// sees that the store moved, plans again, and its result takes the other
/// writer's change into account: `dave`, created meanwhile, is updated by
/// username instead of created twice.
#[test]
fn another_writer_writes_during_an_import_which_then_plans_again() {
    let dir = temp_dir();
    let db = dir.path().join("farm.db");
    let store = SecondWriter::open(&db, 1, |other, _| {
        other
            .add(NewAccount::new(Platform::TikTok, "dave").tags(["theirs"]))
            .expect("a second writer writes while the sheet is planned");
    });
    let store = Arc::new(store);
    let ws = Workspace::with_store(store.clone());
    let path = dir.path().join("other-pc.xlsx");
    foreign_sheet(&path);

    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(store.plans(), 2, "the moved store was planned again");
    assert_eq!(report.outcome, ImportOutcome::Applied, "{report}");
    assert_eq!(
        (report.matched_by_username, report.created, report.updated),
        (1, 2, 1),
        "{report}"
    );
    let dave = ws.find(Platform::TikTok, "dave").unwrap().unwrap();
    assert_eq!(dave.email.as_deref(), Some("dave@example.com"));
    assert_eq!(dave.tags, ["theirs"], "the other writer's change stays");
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 3);
}

/// A write elsewhere in the workspace during the plan moves the store, but
/// nothing the sheet's rows read: the plan stands and is not made again.
#[test]
fn a_write_to_accounts_the_sheet_does_not_name_leaves_the_plan_standing() {
    let dir = temp_dir();
    let db = dir.path().join("farm.db");
    let store = SecondWriter::open(&db, 1, |other, _| {
        other
            .add(NewAccount::new(Platform::TikTok, "zed"))
            .expect("a second writer writes while the sheet is planned");
    });
    let store = Arc::new(store);
    let ws = Workspace::with_store(store.clone());
    let path = dir.path().join("other-pc.xlsx");
    foreign_sheet(&path);

    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(store.plans(), 1, "planned once");
    assert_eq!((report.created, report.updated), (3, 0), "{report}");
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 4);
}

/// A workspace that changes under every unlocked plan still gets its import:
/// after a few tries it is planned and written under the write lock.
#[test]
fn an_import_into_a_store_that_never_rests_ends_planned_under_the_lock() {
    let dir = temp_dir();
    let db = dir.path().join("farm.db");
    let store = SecondWriter::open(&db, usize::MAX, |other, plan| {
        let serial = format!("10.0.0.{plan}:5555");
        other
            .register_device(&serial)
            .expect("a second writer writes while the sheet is planned");
    });
    let store = Arc::new(store);
    let ws = Workspace::with_store(store.clone());
    let path = dir.path().join("other-pc.xlsx");
    foreign_sheet(&path);

    let report = ws
        .import_xlsx(&path, &ImportOptions::new(Platform::TikTok))
        .unwrap();
    let unlocked = store.plans();
    assert!(unlocked >= 2, "tried without the lock first ({unlocked})");
    assert_eq!(report.outcome, ImportOutcome::Applied, "{report}");
    assert_eq!(
        (report.created, report.created_for_unknown_ids),
        (3, 1),
        "{report}"
    );
    assert_eq!(
        ws.devices().unwrap().len(),
        unlocked,
        "every other write stays"
    );
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 3);
}
