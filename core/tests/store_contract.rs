//! The one contract every `AccountStore` meets, run against each store.
//!
//! Each test takes a fresh workspace from a factory; the `contract!` macro at the
//! bottom instantiates the whole suite once per store.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::thread;

use farmhand::store::{AccountFilter, BatchOp, HistoryEntry, HISTORY_LIMIT};
use farmhand::{
    AccountId, AccountPatch, ErrorKind, NewAccount, Platform, ProfileStats, Secret, Status,
    Workspace,
};

const TT: Platform = Platform::TikTok;
const IG: Platform = Platform::Instagram;

fn patch() -> AccountPatch {
    AccountPatch::default()
}

pub fn create_and_get(ws: Workspace) {
    let a = ws
        .add(
            NewAccount::new(TT, " @Alice ")
                .email("alice@example.com")
                .password("pw")
                .totp_key("jbsw y3dp ehpk 3pxp")
                .device("emulator-5554")
                .package_name("com.zhiliaoapp.musically.clone")
                .logged_in(true)
                .tags(["vip", "us"]),
        )
        .unwrap();
    assert_eq!(a.username.as_str(), "Alice");
    assert_eq!(a.platform, TT);
    assert_eq!(a.device.as_deref(), Some("emulator-5554"));
    assert_eq!(a.device_index, Some(1));
    assert!(a.logged_in);
    assert_eq!(a.status, Status::Enabled);
    assert_eq!(a.tags, ["vip", "us"]);
    assert_eq!(a.app_package(), "com.zhiliaoapp.musically.clone");
    assert!(a.created_at.0 > 0 && a.created_at == a.updated_at);
    assert_eq!(ws.get(a.id).unwrap(), a);
    assert_eq!(a.totp_key.as_ref().unwrap().expose(), "JBSWY3DPEHPK3PXP");
    let creds = a.credentials().unwrap().unwrap();
    assert_eq!(creds.password.expose(), "pw");
    assert_eq!(creds.totp.unwrap().code_at(1_700_000_000), "324550");
}

pub fn find_in_every_spelling(ws: Workspace) {
    let bob = ws.add(NewAccount::new(TT, "Bob")).unwrap();
    for spelling in ["Bob", "@Bob", "bob ", " BOB", "@bOb"] {
        assert_eq!(
            ws.find(TT, spelling).unwrap().unwrap().id,
            bob.id,
            "{spelling:?}"
        );
    }
    assert!(ws.find(IG, "bob").unwrap().is_none());
    assert!(ws.find(TT, "bobby").unwrap().is_none());
    assert_eq!(ws.find(TT, "  ").unwrap_err().kind(), ErrorKind::Validation);
}

pub fn duplicates_in_every_spelling_are_refused(ws: Workspace) {
    ws.add(NewAccount::new(TT, "Bob")).unwrap();
    for spelling in ["Bob", "@Bob", "bob ", "BOB", " @bob "] {
        let err = ws.add(NewAccount::new(TT, spelling)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Duplicate, "{spelling:?}");
        let text = err.to_string();
        assert!(
            text.contains("tiktok") && text.to_lowercase().contains("bob"),
            "{text}"
        );
    }
    // The same name on the other platform is another account.
    ws.add(NewAccount::new(IG, "bob")).unwrap();
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 2);
}

pub fn rename_onto_another_username_is_refused(ws: Workspace) {
    ws.add(NewAccount::new(TT, "bob")).unwrap();
    let carol = ws.add(NewAccount::new(TT, "carol")).unwrap();
    let err = ws
        .update(
            carol.id,
            AccountPatch {
                username: Some("@BOB".into()),
                ..patch()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(ws.get(carol.id).unwrap().username.as_str(), "carol");
    // Renaming to another spelling of its own name is fine.
    let renamed = ws
        .update(
            carol.id,
            AccountPatch {
                username: Some("@Carol".into()),
                ..patch()
            },
        )
        .unwrap();
    assert_eq!(renamed.username.as_str(), "Carol");
    assert_eq!(ws.find(TT, "CAROL").unwrap().unwrap().id, carol.id);
}

pub fn blank_usernames_are_refused(ws: Workspace) {
    for blank in ["", "   ", "@", " @ ", "\t\n"] {
        let err = ws.add(NewAccount::new(TT, blank)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{blank:?}");
        assert!(err.to_string().contains("username"), "{err}");
    }
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 0);
}

pub fn huge_fields_are_refused_naming_the_field(ws: Workspace) {
    let huge = "x".repeat(10_000);
    let cases: Vec<(&str, NewAccount)> = vec![
        ("username", NewAccount::new(TT, huge.clone())),
        ("email", NewAccount::new(TT, "a").email(huge.clone())),
        ("password", NewAccount::new(TT, "a").password(huge.clone())),
        ("device", NewAccount::new(TT, "a").device(huge.clone())),
        (
            "packagename",
            NewAccount::new(TT, "a").package_name(huge.clone()),
        ),
        ("tags", NewAccount::new(TT, "a").tags([huge.clone()])),
        ("nickname", {
            let mut n = NewAccount::new(TT, "a");
            n.stats.nickname = Some(huge.clone());
            n
        }),
    ];
    for (field, new) in cases {
        let err = ws.add(new).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind(), ErrorKind::Validation, "{field}");
        assert!(
            text.contains(field) && text.contains("10000"),
            "{field}: {text}"
        );
        assert!(
            text.len() < 300,
            "error message echoes the value: {}",
            text.len()
        );
    }
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    let err = ws
        .update(
            a.id,
            AccountPatch {
                email: Some(Some(huge)),
                ..patch()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("email"));
    assert_eq!(ws.get(a.id).unwrap().email, None);
}

pub fn nul_and_control_characters_are_refused(ws: Workspace) {
    for bad in ["a\0b", "a\u{7}b", "a\u{1b}[31mb", "a\nb"] {
        let err = ws.add(NewAccount::new(TT, bad)).unwrap_err();
        assert!(err.to_string().contains("username"), "{err}");
        let err = ws.add(NewAccount::new(TT, "ok").email(bad)).unwrap_err();
        assert!(err.to_string().contains("email"), "{err}");
        let err = ws.add(NewAccount::new(TT, "ok").password(bad)).unwrap_err();
        assert!(err.to_string().contains("password"), "{err}");
        let err = ws.add(NewAccount::new(TT, "ok").device(bad)).unwrap_err();
        assert!(err.to_string().contains("device"), "{err}");
        let err = ws.add(NewAccount::new(TT, "ok").tags([bad])).unwrap_err();
        assert!(err.to_string().contains("tags"), "{err}");
    }
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 0);
}

pub fn emoji_and_sql_looking_text_round_trip_verbatim(ws: Workspace) {
    let sql = "x'); DROP TABLE accounts; --";
    let mut new = NewAccount::new(TT, "fox_n.2")
        .email("robert'); DROP TABLE accounts;--@example.com")
        .password(format!("{sql} 🔑 \" ' % _ \\"))
        .tags(["🔥 hot", "' OR 1=1 --", "100%_done"]);
    new.stats.nickname = Some("Zoë 🦊 \"quoted\" ".into());
    let a = ws.add(new).unwrap();
    let back = ws.get(a.id).unwrap();
    assert_eq!(back.username.as_str(), "fox_n.2");
    assert_eq!(
        back.email.as_deref(),
        Some("robert'); DROP TABLE accounts;--@example.com")
    );
    assert_eq!(
        back.password.unwrap().expose(),
        format!("{sql} 🔑 \" ' % _ \\")
    );
    assert_eq!(back.tags, ["🔥 hot", "' OR 1=1 --", "100%_done"]);
    assert_eq!(back.stats.nickname.as_deref(), Some("Zoë 🦊 \"quoted\""));
    assert_eq!(ws.find(TT, "FOX_N.2").unwrap().unwrap().id, a.id);
    // Wildcards in filters are literal.
    let only = |f: AccountFilter| ws.list(&f).unwrap().len();
    assert_eq!(
        only(AccountFilter {
            tag: Some("' OR 1=1 --".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        only(AccountFilter {
            tag: Some("%".into()),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        only(AccountFilter {
            text: Some("%".into()),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        only(AccountFilter {
            text: Some("drop table".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 1);
}

pub fn binding_by_device_index_picks_the_registered_phone(ws: Workspace) {
    ws.register_device("phone-a").unwrap();
    let b = ws.register_device("phone-b").unwrap();
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    let bound = ws.bind_device_index(a.id, b.index).unwrap();
    assert_eq!(
        (bound.device.as_deref(), bound.device_index),
        (Some("phone-b"), Some(b.index))
    );
    let err = ws.bind_device_index(a.id, 99).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("device_index 99"), "{err}");
    assert_eq!(ws.get(a.id).unwrap(), bound);
    assert_eq!(ws.devices().unwrap().len(), 2);
}

/// The password field is verbatim: even a `password:KEY` string is not split
/// (only the `pwd` column and `--password` read that form).
pub fn a_password_is_never_split(ws: Workspace) {
    for (i, pwd) in [
        "hunter2:ABC",
        "hunter2:JBSWY3DPEHPK3PX",
        "hunter2:NOT-BASE32-AT-ALL!",
        "hunter2:JBSWY3DPEHPK3PXP",
        "admin:verysecretpassword",
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("u{i}");
        let a = ws.add(NewAccount::new(TT, name).password(pwd)).unwrap();
        let creds = ws.get(a.id).unwrap().credentials().unwrap().unwrap();
        assert_eq!(creds.password.expose(), pwd);
        assert!(creds.totp.is_none());
    }
}

pub fn bad_2fa_keys_are_refused_without_echoing_them(ws: Workspace) {
    for (key, why) in [
        ("JBSWY3DPEHPK3PX", "at least 16"),
        ("JBSWY3DPEHPK3PX1", "not base32"),
        ("NOT-BASE32-AT-ALL!", "not base32"),
        ("JBSWY3DPEHPK3PXPA", "whole number of bytes"),
    ] {
        let err = ws
            .add(NewAccount::new(TT, "k").password("pw").totp_key(key))
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert_eq!(err.kind(), ErrorKind::Validation, "{key}");
        assert!(
            text.contains("totp_key") && text.contains(why),
            "{key}: {text}"
        );
        assert!(!text.contains(key), "{text}");
    }
    let huge = "A".repeat(100_000);
    let err = ws
        .add(NewAccount::new(TT, "k").totp_key(huge.as_str()))
        .unwrap_err();
    assert!(err.to_string().contains("100000"), "{err}");
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 0);
    let a = ws
        .add(
            NewAccount::new(TT, "k")
                .password("pw")
                .totp_key("JBSWY3DPEHPK3PXP"),
        )
        .unwrap();
    let err = ws
        .update(
            a.id,
            AccountPatch {
                totp_key: Some(Some("short".into())),
                ..patch()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(ws.get(a.id).unwrap(), a);
    let cleared = ws
        .update(
            a.id,
            AccountPatch {
                totp_key: Some(None),
                ..patch()
            },
        )
        .unwrap();
    assert_eq!(cleared.totp_key, None);
    assert_eq!(cleared.password, a.password);
}

pub fn update_patches_only_given_fields(ws: Workspace) {
    let a = ws
        .add(
            NewAccount::new(TT, "a")
                .email("a@x.io")
                .password("pw")
                .tags(["t"]),
        )
        .unwrap();
    let stats = ProfileStats {
        nickname: Some("A".into()),
        followers: Some(10),
        hearts: Some(u64::try_from(i64::MAX).unwrap()),
        synced_at: Some(farmhand::Timestamp(1_700_000_000_000)),
        ..Default::default()
    };
    let b = ws
        .update(
            a.id,
            AccountPatch {
                email: Some(None),
                logged_in: Some(true),
                stats: Some(stats.clone()),
                last_error: Some(Some("login failed:\nscreen unknown".into())),
                last_login_at: Some(Some(farmhand::Timestamp(5))),
                ..patch()
            },
        )
        .unwrap();
    assert_eq!(b.email, None);
    assert_eq!(b.password.as_ref().unwrap().expose(), "pw");
    assert!(b.logged_in);
    assert_eq!(b.tags, ["t"]);
    assert_eq!(b.stats, stats);
    assert_eq!(
        b.last_error.as_deref(),
        Some("login failed:\nscreen unknown")
    );
    assert_eq!(b.last_login_at, Some(farmhand::Timestamp(5)));
    assert!(b.updated_at >= a.updated_at);
    assert_eq!(ws.get(a.id).unwrap(), b);
    let err = ws
        .update(
            a.id,
            AccountPatch {
                stats: Some(ProfileStats {
                    followers: Some(u64::MAX),
                    ..Default::default()
                }),
                ..patch()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("followers"), "{err}");
}

pub fn missing_ids_are_not_found(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    ws.delete(a.id).unwrap();
    for id in [a.id, AccountId(999_999), AccountId(-1)] {
        assert_eq!(ws.get(id).unwrap_err().kind(), ErrorKind::NotFound);
        let err = ws
            .update(
                id,
                AccountPatch {
                    logged_in: Some(true),
                    ..patch()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains(&id.to_string()), "{err}");
        assert_eq!(ws.delete(id).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(ws.enable(id).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(
            ws.add_tags(id, ["x"]).unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }
    // Ids are never reused, so a stale id cannot hit a newer account.
    let b = ws.add(NewAccount::new(TT, "a")).unwrap();
    assert!(b.id > a.id);
}

pub fn list_and_count_filter(ws: Workspace) {
    let mk = |p, name: &str| NewAccount::new(p, name);
    ws.add(
        mk(TT, "t1")
            .device("serial-1")
            .tags(["vip"])
            .logged_in(true),
    )
    .unwrap();
    ws.add(mk(TT, "t2").email("T2@Mail.COM").tags(["new"]))
        .unwrap();
    ws.add(
        mk(TT, "t3")
            .device("serial-2")
            .status(Status::Disabled)
            .tags(["vip"]),
    )
    .unwrap();
    ws.add(mk(IG, "Insta").device("serial-1")).unwrap();
    let names = |f: AccountFilter| -> Vec<String> {
        let list = ws.list(&f).unwrap();
        assert_eq!(ws.count(&f).unwrap(), list.len());
        let mut streamed = Vec::new();
        ws.for_each(&f, |a| {
            streamed.push(a);
            Ok(())
        })
        .unwrap();
        assert_eq!(streamed, list);
        list.into_iter()
            .map(|a| a.username.as_str().to_string())
            .collect()
    };
    let f = AccountFilter::default;
    assert_eq!(names(f()), ["t1", "t2", "t3", "Insta"]);
    assert_eq!(
        names(AccountFilter {
            platform: Some(IG),
            ..f()
        }),
        ["Insta"]
    );
    assert_eq!(
        names(AccountFilter {
            status: Some(Status::Disabled),
            ..f()
        }),
        ["t3"]
    );
    assert_eq!(names(AccountFilter::enabled()), ["t1", "t2", "Insta"]);
    assert_eq!(
        names(AccountFilter {
            logged_in: Some(true),
            ..f()
        }),
        ["t1"]
    );
    assert_eq!(
        names(AccountFilter {
            device: Some(Some("serial-1".into())),
            ..f()
        }),
        ["t1", "Insta"]
    );
    assert_eq!(
        names(AccountFilter {
            device: Some(None),
            ..f()
        }),
        ["t2"]
    );
    assert_eq!(
        names(AccountFilter {
            tag: Some("vip".into()),
            ..f()
        }),
        ["t1", "t3"]
    );
    assert_eq!(
        names(AccountFilter {
            tag: Some("VIP".into()),
            ..f()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        names(AccountFilter {
            tag: Some("vip,new".into()),
            ..f()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        names(AccountFilter {
            text: Some("INS".into()),
            ..f()
        }),
        ["Insta"]
    );
    assert_eq!(
        names(AccountFilter {
            text: Some("mail.com".into()),
            ..f()
        }),
        ["t2"]
    );
    assert_eq!(
        names(AccountFilter {
            text: Some("SERIAL-2".into()),
            ..f()
        }),
        ["t3"]
    );
    assert_eq!(
        names(AccountFilter {
            platform: Some(TT),
            tag: Some("vip".into()),
            status: Some(Status::Enabled),
            ..f()
        }),
        ["t1"]
    );
}

pub fn for_each_streams_many_pages_and_stops_on_error(ws: Workspace) {
    let ops = (0..2500)
        .map(|i| BatchOp::Create(NewAccount::new(TT, format!("u{i}"))))
        .collect();
    ws.apply_batch(ops).unwrap();
    let mut seen = Vec::new();
    ws.for_each(&AccountFilter::default(), |a| {
        seen.push(a.id);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen.len(), 2500);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // The visitor may call back into the store (it is not locked meanwhile).
    let mut visited = 0;
    let err = ws
        .for_each(&AccountFilter::default(), |a| {
            visited += 1;
            ws.get(a.id)?;
            if visited == 1500 {
                return Err(farmhand::Error::Cancelled);
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(visited, 1500);
}

pub fn batch_is_all_or_nothing(ws: Workspace) {
    let keep = ws.add(NewAccount::new(TT, "keep").tags(["old"])).unwrap();
    let gone = ws.add(NewAccount::new(TT, "gone")).unwrap();
    let before = ws.list(&AccountFilter::default()).unwrap();
    let devices_before = ws.devices().unwrap();
    let failing = vec![
        BatchOp::Create(NewAccount::new(TT, "new1").device("batch-phone")),
        BatchOp::Update(
            keep.id,
            AccountPatch {
                tags: Some(vec!["changed".into()]),
                ..patch()
            },
        ),
        BatchOp::Delete(gone.id),
        BatchOp::Create(NewAccount::new(TT, "new2")),
        BatchOp::Create(NewAccount::new(TT, "@NEW1")),
    ];
    let err = ws.apply_batch(failing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    assert_eq!(ws.devices().unwrap(), devices_before);
    for bad in [
        BatchOp::Update(AccountId(424242), patch()),
        BatchOp::Delete(AccountId(424242)),
        BatchOp::Create(NewAccount::new(TT, " ")),
    ] {
        let ops = vec![BatchOp::Create(NewAccount::new(TT, "new3")), bad];
        assert!(ws.apply_batch(ops).is_err());
        assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    }
    let done = ws
        .apply_batch(vec![
            BatchOp::Create(NewAccount::new(TT, "new1")),
            BatchOp::Update(
                keep.id,
                AccountPatch {
                    tags: Some(vec!["changed".into()]),
                    ..patch()
                },
            ),
            BatchOp::Delete(gone.id),
        ])
        .unwrap();
    assert_eq!(done.len(), 3);
    assert_eq!(done[0].as_ref().unwrap().username.as_str(), "new1");
    assert_eq!(done[1].as_ref().unwrap().tags, ["changed"]);
    assert!(done[2].is_none());
    assert_eq!(ws.get(gone.id).unwrap_err().kind(), ErrorKind::NotFound);
    assert!(ws.apply_batch(Vec::new()).unwrap().is_empty());
}

pub fn stream_is_all_or_nothing(ws: Workspace) {
    let keep = ws.add(NewAccount::new(TT, "keep")).unwrap();
    let before = ws.list(&AccountFilter::default()).unwrap();
    let devices_before = ws.devices().unwrap();
    let store = ws.store();
    // Many ops, then the source fails: nothing of what it gave is kept.
    let mut given = 0;
    let err = store
        .apply_stream(&mut || {
            given += 1;
            match given {
                1..=3000 => Ok(Some(BatchOp::Create(
                    NewAccount::new(TT, format!("s{given}")).device(format!("p{}", given % 7)),
                ))),
                _ => Err(farmhand::Error::Cancelled),
            }
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    assert_eq!(ws.devices().unwrap(), devices_before);
    // A failing op (a duplicate of an earlier one) undoes the ops before it.
    let mut ops = vec![
        BatchOp::Create(NewAccount::new(TT, "fresh")),
        BatchOp::Update(
            keep.id,
            AccountPatch {
                email: Some(Some("k@x.com".into())),
                ..patch()
            },
        ),
        BatchOp::Create(NewAccount::new(TT, "@FRESH")),
    ]
    .into_iter();
    let err = store.apply_stream(&mut || Ok(ops.next())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    // A source that ends normally is applied whole, in order.
    let mut ops = (0..1500)
        .map(|i| BatchOp::Create(NewAccount::new(IG, format!("ok{i}")).device("phone-a")))
        .collect::<Vec<_>>()
        .into_iter();
    assert_eq!(store.apply_stream(&mut || Ok(ops.next())).unwrap(), 1500);
    let created = ws
        .list(&AccountFilter {
            platform: Some(IG),
            ..AccountFilter::default()
        })
        .unwrap();
    assert_eq!(created.len(), 1500);
    assert_eq!(created[0].username.as_str(), "ok0");
    assert_eq!(created[1499].username.as_str(), "ok1499");
    let phone = ws
        .devices()
        .unwrap()
        .into_iter()
        .find(|d| d.serial == "phone-a");
    assert!(created
        .iter()
        .all(|a| a.device_index == phone.as_ref().map(|d| d.index)));
    assert_eq!(store.apply_stream(&mut || Ok(None)).unwrap(), 0);
}

pub fn reads_go_on_during_a_stream_and_see_only_what_was_committed(ws: Workspace) {
    let old = ws.add(NewAccount::new(TT, "old")).unwrap();
    let store = ws.store().clone();
    let mut given = 0;
    let mut seen_meanwhile = None;
    let applied = ws
        .store()
        .apply_stream(&mut || {
            given += 1;
            if given == 2 {
                // Another thread reads while the stream is half applied (an import
                // writes for as long as it reads its sheet): it is not kept waiting.
                let store = store.clone();
                let (tx, rx) = std::sync::mpsc::channel();
                thread::spawn(move || {
                    let names: Vec<String> = store
                        .list(&AccountFilter::default())
                        .unwrap()
                        .iter()
                        .map(|a| a.username.as_str().to_string())
                        .collect();
                    let count = store.count(&AccountFilter::default()).unwrap();
                    let got = store.get(old.id).unwrap().id;
                    tx.send((names, count, got)).unwrap();
                });
                seen_meanwhile = Some(
                    rx.recv_timeout(std::time::Duration::from_secs(10))
                        .expect("a read finished while the stream was open"),
                );
            }
            Ok((given <= 3).then(|| BatchOp::Create(NewAccount::new(TT, format!("new{given}")))))
        })
        .unwrap();
    assert_eq!(applied, 3);
    assert_eq!(
        seen_meanwhile,
        Some((vec!["old".to_string()], 1, old.id)),
        "the reader saw the last commit only"
    );
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 4);
}

pub fn listings_see_devices_registered_while_they_page(ws: Workspace) {
    // The first account's phone makes a store read its registry on the first page.
    let ops = (0..2100)
        .map(|i| {
            let new = NewAccount::new(TT, format!("u{i}"));
            BatchOp::Create(if i == 0 {
                new.device("early-phone")
            } else {
                new
            })
        })
        .collect();
    let created = ws.apply_batch(ops).unwrap();
    let last = created.last().unwrap().as_ref().unwrap().id;
    let mut seen = None;
    ws.for_each(&AccountFilter::default(), |a| {
        if a.id.0 == 10 {
            // Bound after the listing started: a later page must carry its index.
            ws.bind_device(last, "late-phone")?;
        }
        if a.id == last {
            seen = Some(a);
        }
        Ok(())
    })
    .unwrap();
    let late = ws
        .devices()
        .unwrap()
        .into_iter()
        .find(|d| d.serial == "late-phone");
    let seen = seen.expect("the last account was visited");
    assert_eq!(seen.device.as_deref(), Some("late-phone"));
    assert_eq!(seen.device_index, late.map(|d| d.index));
}

pub fn enable_disable_and_eligible(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    let b = ws.add(NewAccount::new(TT, "b")).unwrap();
    let c = ws.add(NewAccount::new(IG, "c")).unwrap();
    assert_eq!(ws.disable(b.id).unwrap().status, Status::Disabled);
    let ids = |f: AccountFilter| {
        ws.eligible(&f)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(AccountFilter::default()), [a.id, c.id]);
    assert_eq!(
        ids(AccountFilter {
            platform: Some(TT),
            ..Default::default()
        }),
        [a.id]
    );
    assert!(ids(AccountFilter {
        status: Some(Status::Disabled),
        ..Default::default()
    })
    .is_empty());
    assert_eq!(ws.enable(b.id).unwrap().status, Status::Enabled);
    assert_eq!(ids(AccountFilter::default()), [a.id, b.id, c.id]);
}

pub fn tags_set_add_remove(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    assert_eq!(
        ws.set_tags(a.id, [" b ", "a", "b", ""]).unwrap().tags,
        ["b", "a"]
    );
    assert_eq!(ws.add_tags(a.id, ["c", "a"]).unwrap().tags, ["b", "a", "c"]);
    assert_eq!(ws.remove_tags(a.id, ["a", "zzz"]).unwrap().tags, ["b", "c"]);
    let err = ws.add_tags(a.id, ["x,y"]).unwrap_err();
    assert!(err.to_string().contains("comma"), "{err}");
    let too_many: Vec<String> = (0..=farmhand::account::MAX_TAGS)
        .map(|i| format!("t{i}"))
        .collect();
    assert_eq!(
        ws.set_tags(a.id, &too_many).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(ws.get(a.id).unwrap().tags, ["b", "c"]);
    assert!(ws
        .set_tags(a.id, Vec::<String>::new())
        .unwrap()
        .tags
        .is_empty());
}

pub fn device_registry_gives_stable_numbers(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "a").device("usb-A")).unwrap();
    let b = ws.add(NewAccount::new(TT, "b")).unwrap();
    assert_eq!(a.device_index, Some(1));
    assert_eq!(b.device_index, None);
    let b = ws.bind_device(b.id, " 10.0.0.7:5555 ").unwrap();
    assert_eq!(b.device.as_deref(), Some("10.0.0.7:5555"));
    assert_eq!(b.device_index, Some(2));
    assert_eq!(ws.register_device("usb-A").unwrap().index, 1);
    assert_eq!(ws.register_device("usb-C").unwrap().index, 3);
    // Unbinding keeps the phone's number; rebinding finds it again.
    assert_eq!(ws.unbind_device(a.id).unwrap().device_index, None);
    assert_eq!(ws.get(a.id).unwrap().device, None);
    ws.delete(b.id).unwrap();
    let c = ws.add(NewAccount::new(TT, "c").device("usb-D")).unwrap();
    assert_eq!(c.device_index, Some(4));
    assert_eq!(
        ws.bind_device(a.id, "10.0.0.7:5555").unwrap().device_index,
        Some(2)
    );
    // Listings carry the same device numbers as single reads.
    let listed = ws.list(&AccountFilter::default()).unwrap();
    assert_eq!(
        listed
            .iter()
            .filter_map(|a| a.device_index)
            .collect::<Vec<_>>(),
        [2, 4]
    );
    for account in listed {
        assert_eq!(ws.get(account.id).unwrap(), account);
    }
    let labelled = ws.label_device("usb-A", Some(" rack 1 / slot 3 ")).unwrap();
    assert_eq!(labelled.label.as_deref(), Some("rack 1 / slot 3"));
    let devices = ws.devices().unwrap();
    let pairs: Vec<(String, u32)> = devices
        .iter()
        .map(|d| (d.serial.clone(), d.index))
        .collect();
    assert_eq!(
        pairs,
        [
            ("usb-A".into(), 1),
            ("10.0.0.7:5555".into(), 2),
            ("usb-C".into(), 3),
            ("usb-D".into(), 4)
        ]
    );
    assert_eq!(ws.label_device("usb-A", None).unwrap().label, None);
    let err = ws.label_device("nope", Some("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("nope"));
    assert_eq!(
        ws.bind_device(a.id, "  ").unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        ws.register_device("has space").unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        ws.label_device("usb-A", Some("a\0b")).unwrap_err().kind(),
        ErrorKind::Validation
    );
}

pub fn batches_number_new_phones_in_order_and_undo_them_whole(ws: Workspace) {
    ws.register_device("first").unwrap();
    // 300 new phones (several write groups), some shared, some seen before.
    let serial = |i: usize| match i % 7 {
        0 => "first".to_string(),
        _ => format!("phone-{}", i / 2),
    };
    let ops = (0..700)
        .map(|i| BatchOp::Create(NewAccount::new(TT, format!("u{i}")).device(serial(i))))
        .collect();
    let done = ws.apply_batch(ops).unwrap();
    let devices = ws.devices().unwrap();
    let index_of = |serial: &str| devices.iter().find(|d| d.serial == serial).unwrap().index;
    // Numbers follow first sight, with no gaps, and results carry them.
    let mut expected = vec!["first".to_string()];
    for i in 0..700 {
        if !expected.contains(&serial(i)) {
            expected.push(serial(i));
        }
    }
    let registered: Vec<String> = devices.iter().map(|d| d.serial.clone()).collect();
    assert_eq!(registered, expected);
    assert!(devices
        .iter()
        .enumerate()
        .all(|(i, d)| d.index == i as u32 + 1));
    for (i, account) in done.iter().enumerate() {
        let account = account.as_ref().unwrap();
        assert_eq!(account.device_index, Some(index_of(&serial(i))), "row {i}");
        assert_eq!(
            ws.get(account.id).unwrap().device_index,
            account.device_index
        );
    }
    let next = devices.len() as u32 + 1;
    // A failed batch registers none of its new phones and burns no number.
    let failing = vec![
        BatchOp::Create(NewAccount::new(TT, "v1").device("never-1")),
        BatchOp::Create(NewAccount::new(TT, "v2").device("never-2")),
        BatchOp::Create(NewAccount::new(TT, "u0")),
    ];
    assert_eq!(
        ws.apply_batch(failing).unwrap_err().kind(),
        ErrorKind::Duplicate
    );
    assert_eq!(ws.devices().unwrap(), devices);
    assert_eq!(ws.register_device("later").unwrap().index, next);
    let added = ws.add(NewAccount::new(TT, "w").device("later-2")).unwrap();
    assert_eq!(added.device_index, Some(next + 1));
}

pub fn secrets_never_show_in_debug_display_or_errors(ws: Workspace) {
    let pwd = "SuperSecretPw1:JBSWY3DPEHPK3PXP";
    let a = ws
        .add(
            NewAccount::new(TT, "a")
                .password("SuperSecretPw1")
                .totp_key("JBSWY3DPEHPK3PXP"),
        )
        .unwrap();
    let shown = format!("{a:?} {:?} {:?}", a.credentials(), ws.get(a.id));
    assert!(
        !shown.contains("SuperSecretPw1") && !shown.contains("JBSWY3DPEHPK3PXP"),
        "{shown}"
    );
    assert!(!format!("{:?} {}", Secret::new(pwd), Secret::new(pwd)).contains("Super"));
    let huge = format!("{pwd}{}", "y".repeat(5000));
    let bad = [
        NewAccount::new(TT, "b").password(huge),
        NewAccount::new(TT, "b").password(format!("{pwd}\0")),
        NewAccount::new(TT, "a").password(pwd),
    ];
    for new in bad {
        let err = ws.add(new).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("SuperSecretPw1") && !text.contains("JBSWY3DP"),
            "{text}"
        );
    }
}

pub fn concurrent_tag_adds_from_threads_all_survive(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "shared")).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let ws = ws.clone();
            thread::spawn(move || {
                for i in 0..15 {
                    ws.add_tags(a.id, [format!("t{t}-{i}")]).unwrap();
                    ws.add(NewAccount::new(TT, format!("thread{t}_{i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let tags: BTreeSet<String> = ws.get(a.id).unwrap().tags.into_iter().collect();
    assert_eq!(tags.len(), 60);
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 61);
}

pub fn update_with_sees_the_current_account(ws: Workspace) {
    let a = ws.add(NewAccount::new(TT, "a")).unwrap();
    let store = Arc::clone(ws.store());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                for _ in 0..50 {
                    store
                        .update_with(a.id, &mut |acc| {
                            let n = acc.stats.followers.unwrap_or(0) + 1;
                            Ok(AccountPatch {
                                stats: Some(ProfileStats {
                                    followers: Some(n),
                                    ..Default::default()
                                }),
                                ..AccountPatch::default()
                            })
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(ws.get(a.id).unwrap().stats.followers, Some(200));
    // A failing change leaves the account as it was.
    let err = store
        .update_with(a.id, &mut |_| {
            Err(farmhand::Error::validation("x", "refused"))
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(ws.get(a.id).unwrap().stats.followers, Some(200));
}

/// Creates many enough to fill several of a store's write groups, around an
/// update and a delete: every result is the account as stored, ids rise in op
/// order, and a later batch numbers on after ids freed by deletes.
pub fn large_batches_return_every_account_in_op_order(ws: Workspace) {
    let old = ws.add(NewAccount::new(TT, "old")).unwrap();
    let doomed = ws.add(NewAccount::new(TT, "doomed")).unwrap();
    let create = |i: usize| {
        BatchOp::Create(NewAccount::new(TT, format!("b{i}")).device(format!("ph{}", i % 9)))
    };
    let mut ops: Vec<BatchOp> = (0..150).map(create).collect();
    ops.push(BatchOp::Update(
        old.id,
        AccountPatch {
            username: Some("b150".into()),
            ..patch()
        },
    ));
    ops.extend((151..300).map(create));
    ops.push(BatchOp::Delete(doomed.id));
    ops.extend((300..310).map(create));
    let done = ws.apply_batch(ops).unwrap();
    assert_eq!(done.len(), 311);
    let accounts: Vec<_> = done.iter().flatten().collect();
    assert_eq!(accounts.len(), 310);
    for (i, account) in accounts.iter().enumerate() {
        assert_eq!(account.username.as_str(), format!("b{i}"));
        assert_eq!(&&ws.get(account.id).unwrap(), account);
    }
    let created: Vec<AccountId> = accounts
        .iter()
        .map(|a| a.id)
        .filter(|&id| id != old.id)
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] < w[1]),
        "ids rise in op order"
    );
    assert!(done[300].is_none(), "the delete");
    let last = *created.last().unwrap();
    ws.delete(last).unwrap();
    let next = ws.apply_batch((400..470).map(create).collect()).unwrap();
    assert!(next[0].as_ref().unwrap().id > last, "ids are never reused");
}

/// A duplicate username deep inside a large batch fails it whole, naming the
/// account that clashes first in op order, whether it clashes with an account
/// made earlier in the batch or with one that was there before.
pub fn a_duplicate_deep_in_a_large_batch_names_the_first_clash(ws: Workspace) {
    ws.add(NewAccount::new(TT, "there")).unwrap();
    let before = ws.list(&AccountFilter::default()).unwrap();
    let batch = |clashes: &[(usize, &str)]| -> Vec<BatchOp> {
        (0..200)
            .map(|i| {
                let name = clashes
                    .iter()
                    .find(|(at, _)| *at == i)
                    .map_or(format!("n{i}"), |(_, name)| name.to_string());
                BatchOp::Create(NewAccount::new(TT, name))
            })
            .collect()
    };
    for (clashes, named) in [
        (vec![(70, "@N10")], "N10"),
        (vec![(130, "THERE")], "THERE"),
        (vec![(90, "@n5"), (100, "there")], "n5"),
        (vec![(90, "There"), (100, "n5")], "There"),
    ] {
        let err = ws.apply_batch(batch(&clashes)).unwrap_err();
        match &err {
            farmhand::Error::Duplicate { username, .. } => {
                assert_eq!(username, named, "{clashes:?}")
            }
            other => panic!("{clashes:?}: {other}"),
        }
        assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    }
}

fn history_entry(account: AccountId, at: i64, outcome: farmhand::ops::Outcome) -> HistoryEntry {
    HistoryEntry {
        account,
        at: farmhand::Timestamp(at),
        workflow: farmhand::ops::Workflow::Login,
        outcome,
        device: Some("127.0.0.1:5555".into()),
        reason: Some(format!("reason {at} \u{1F600} ' OR 1=1 --")),
    }
}

pub fn history_is_kept_newest_first_bounded_and_gone_with_its_account(ws: Workspace) {
    use farmhand::ops::Outcome;
    let a = ws.add(NewAccount::new(TT, "hist_a")).unwrap().id;
    let b = ws.add(NewAccount::new(IG, "hist_b")).unwrap().id;
    assert_eq!(ws.history(a, 10).unwrap(), []);
    let entries: Vec<HistoryEntry> = (0..(HISTORY_LIMIT as i64 + 5))
        .map(|i| history_entry(a, i, Outcome::WrongPassword))
        .chain([history_entry(b, 7, Outcome::Banned)])
        .collect();
    assert_eq!(ws.store().record_history(&entries).unwrap(), entries.len());
    let kept = ws.history(a, usize::MAX).unwrap();
    assert_eq!(kept.len(), HISTORY_LIMIT, "bounded per account");
    assert_eq!(
        kept[0],
        entries[HISTORY_LIMIT + 4],
        "newest first, verbatim"
    );
    assert_eq!(kept.last().unwrap().at.0, 5, "the oldest five were dropped");
    assert_eq!(ws.history(a, 3).unwrap().len(), 3);
    assert_eq!(
        ws.history(b, 10).unwrap(),
        [entries.last().unwrap().clone()]
    );
    let health = ws.health(b).unwrap().unwrap();
    assert_eq!(health.state, farmhand::ops::HealthState::Banned);
    assert_eq!(health.at.0, 7);

    // Entries of a deleted account are dropped, with its history.
    ws.delete(b).unwrap();
    assert_eq!(
        ws.store()
            .record_history(&[
                history_entry(b, 8, Outcome::LoggedIn),
                history_entry(a, 9, Outcome::LoggedIn)
            ])
            .unwrap(),
        1
    );
    assert_eq!(ws.history(b, 10).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(ws.history(a, 1).unwrap()[0].outcome, Outcome::LoggedIn);
    assert_eq!(
        ws.health(a).unwrap().unwrap().state,
        farmhand::ops::HealthState::Ok
    );
    assert_eq!(
        ws.history(AccountId(987_654), 1).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

pub fn lookup_finds_ids_on_any_platform_and_keys_on_one(ws: Workspace) {
    let alice = ws
        .add(NewAccount::new(TT, "Alice").device("emulator-5554"))
        .unwrap();
    let bob = ws.add(NewAccount::new(IG, "bob")).unwrap();
    let carol = ws.add(NewAccount::new(TT, "carol")).unwrap();
    ws.add(NewAccount::new(IG, "carol")).unwrap();
    let store = ws.store();
    let mut found = store
        .lookup(
            TT,
            &[bob.id, alice.id, AccountId(987_654), alice.id],
            &["carol".into(), "alice".into(), "nobody".into()],
        )
        .unwrap();
    found.sort_by_key(|a| a.id);
    assert_eq!(found, [alice.clone(), bob, carol], "each once, as stored");
    assert_eq!(found[0].device_index, Some(1));
    let on_instagram = store.lookup(IG, &[], &["alice".into()]).unwrap();
    assert!(on_instagram.is_empty(), "keys are per platform");
    assert!(store.lookup(TT, &[], &[]).unwrap().is_empty());
    let many: Vec<String> = (0..2000).map(|i| format!("nobody_{i}")).collect();
    let ids: Vec<AccountId> = (0..2000).map(|i| AccountId(i + 1000)).collect();
    assert!(store.lookup(TT, &ids, &many).unwrap().is_empty());
}

pub fn change_marks_move_with_writes_and_guard_conditional_streams(ws: Workspace) {
    let store = ws.store().clone();
    let alice = ws.add(NewAccount::new(TT, "alice")).unwrap();
    let start = store.change_mark().unwrap();
    ws.get(alice.id).unwrap();
    ws.list(&AccountFilter::default()).unwrap();
    store.lookup(TT, &[alice.id], &["alice".into()]).unwrap();
    assert_eq!(store.change_mark().unwrap(), start, "reads move nothing");

    let writes: [&dyn Fn(); 4] = [
        &|| drop(ws.add(NewAccount::new(TT, "bob")).unwrap()),
        &|| drop(ws.disable(alice.id).unwrap()),
        &|| drop(ws.register_device("10.0.0.9:5555").unwrap()),
        &|| ws.delete(ws.find(TT, "bob").unwrap().unwrap().id).unwrap(),
    ];
    let mut marks = vec![start];
    for write in writes {
        write();
        let mark = store.change_mark().unwrap();
        assert!(!marks.contains(&mark), "every write moves the mark");
        marks.push(mark);
    }

    let calls = std::cell::Cell::new(0);
    let mut ops = vec![BatchOp::Create(NewAccount::new(TT, "late"))].into_iter();
    let mut next = || {
        calls.set(calls.get() + 1);
        Ok(ops.next())
    };
    assert_eq!(
        store.apply_stream_if_unchanged(start, &mut next).unwrap(),
        None
    );
    assert_eq!(calls.get(), 0, "a moved mark: the ops are not even read");
    assert!(ws.find(TT, "late").unwrap().is_none());

    let now = store.change_mark().unwrap();
    let applied = store.apply_stream_if_unchanged(now, &mut next).unwrap();
    assert_eq!(applied, Some(1));
    assert!(ws.find(TT, "late").unwrap().is_some());
    let after = store.change_mark().unwrap();
    assert_ne!(after, now, "the conditional stream is a write");

    let nothing = store.apply_stream_if_unchanged(after, &mut || Ok(None));
    assert_eq!(nothing.unwrap(), Some(0));
    assert_eq!(
        store.change_mark().unwrap(),
        after,
        "an empty stream wrote nothing"
    );

    let mut failing = vec![
        Ok(Some(BatchOp::Create(NewAccount::new(TT, "half")))),
        Err(farmhand::Error::Cancelled),
    ]
    .into_iter();
    let error = store
        .apply_stream_if_unchanged(after, &mut || failing.next().unwrap())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(ws.find(TT, "half").unwrap().is_none(), "all or nothing");
    assert_eq!(store.change_mark().unwrap(), after);
}

pub fn leases_are_exclusive_renewed_released_and_taken_over_after_expiry(ws: Workspace) {
    use farmhand::store::{Claim, Holder, LeaseSubject};
    use std::time::Duration;
    let leases = ws.store().leases();
    let (a, b) = (Holder::unique(), Holder::unique());
    let bob = LeaseSubject::Account(ws.add(NewAccount::new(TT, "bob")).unwrap().id);
    let phone = LeaseSubject::Phone("emulator-5554".into());
    let long = Duration::from_secs(60);

    assert!(matches!(
        leases.acquire(&bob, &a, long).unwrap(),
        Claim::Held { .. }
    ));
    assert!(matches!(
        leases.acquire(&phone, &a, long).unwrap(),
        Claim::Held { .. }
    ));
    // Busy elsewhere, naming the holder; the holder itself renews.
    match leases.acquire(&bob, &b, long).unwrap() {
        Claim::BusyElsewhere(lease) => assert_eq!(lease.holder, a.as_str()),
        held => panic!("two holders at once: {held:?}"),
    }
    assert!(matches!(
        leases.acquire(&bob, &a, long).unwrap(),
        Claim::Held { .. }
    ));
    assert_eq!(leases.lease(&bob).unwrap().unwrap().holder, a.as_str());
    assert_eq!(
        leases
            .renew(&[bob.clone(), phone.clone()], &a, long)
            .unwrap(),
        []
    );
    assert_eq!(
        leases.renew(std::slice::from_ref(&bob), &b, long).unwrap(),
        vec![bob.clone()]
    );

    // Another holder's release changes nothing; the holder's frees it.
    leases.release(std::slice::from_ref(&bob), &b).unwrap();
    assert!(leases.lease(&bob).unwrap().is_some());
    leases.release(std::slice::from_ref(&bob), &a).unwrap();
    assert_eq!(leases.lease(&bob).unwrap(), None);
    assert!(matches!(
        leases.acquire(&bob, &b, long).unwrap(),
        Claim::Held { .. }
    ));

    // An expired lease (a crashed holder) is taken over, and its old holder
    // learns at its next heartbeat that it lost it.
    let short = Duration::from_millis(200);
    let carol = LeaseSubject::Account(ws.add(NewAccount::new(TT, "carol")).unwrap().id);
    assert!(matches!(
        leases.acquire(&carol, &a, short).unwrap(),
        Claim::Held { .. }
    ));
    assert!(matches!(
        leases.acquire(&carol, &b, long).unwrap(),
        Claim::BusyElsewhere(_)
    ));
    thread::sleep(Duration::from_millis(400));
    assert_eq!(leases.lease(&carol).unwrap(), None, "expired");
    assert!(matches!(
        leases.acquire(&carol, &b, long).unwrap(),
        Claim::Held { .. }
    ));
    assert_eq!(
        leases
            .renew(std::slice::from_ref(&carol), &a, long)
            .unwrap(),
        vec![carol.clone()]
    );

    for ttl in [Duration::ZERO, Duration::from_secs(90_000)] {
        let err = leases.acquire(&bob, &a, ttl).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{ttl:?}");
        assert!(err.to_string().contains("ttl"), "{err}");
    }
}

pub fn claims_share_out_free_accounts_by_filter(ws: Workspace) {
    use farmhand::store::{Holder, LeaseSubject};
    use std::time::Duration;
    let leases = ws.store().leases();
    let ttl = Duration::from_secs(60);
    let ops = (0..10)
        .map(|i| {
            BatchOp::Create(NewAccount::new(
                if i < 8 { TT } else { IG },
                format!("c{i}"),
            ))
        })
        .collect();
    let ids: Vec<AccountId> = ws
        .apply_batch(ops)
        .unwrap()
        .into_iter()
        .map(|a| a.unwrap().id)
        .collect();
    let tiktok = AccountFilter {
        platform: Some(TT),
        ..AccountFilter::default()
    };
    let (a, b, c) = (Holder::unique(), Holder::unique(), Holder::unique());
    let names = |accounts: Vec<farmhand::Account>| -> Vec<AccountId> {
        accounts.into_iter().map(|a| a.id).collect()
    };
    assert_eq!(
        names(leases.claim_accounts(&tiktok, &a, ttl, 3).unwrap()),
        ids[0..3]
    );
    // Another holder of one of them, taken one by one.
    leases
        .acquire(&LeaseSubject::Account(ids[4]), &c, ttl)
        .unwrap();
    let got = names(leases.claim_accounts(&tiktok, &b, ttl, 4).unwrap());
    assert_eq!(got, [ids[3], ids[5], ids[6], ids[7]]);
    assert_eq!(
        leases.claim_accounts(&tiktok, &c, ttl, 4).unwrap().len(),
        1,
        "its own"
    );
    assert_eq!(
        leases
            .claim_accounts(&tiktok, &Holder::unique(), ttl, 9)
            .unwrap(),
        []
    );
    assert_eq!(leases.claim_accounts(&tiktok, &a, ttl, 0).unwrap(), []);
    for id in &ids[0..3] {
        let lease = leases.lease(&LeaseSubject::Account(*id)).unwrap().unwrap();
        assert_eq!(lease.holder, a.as_str());
    }
    // Released accounts are free to claim again.
    let mine: Vec<LeaseSubject> = ids[0..3]
        .iter()
        .map(|id| LeaseSubject::Account(*id))
        .collect();
    leases.release(&mine, &a).unwrap();
    assert_eq!(
        names(leases.claim_accounts(&tiktok, &b, ttl, 9).unwrap()),
        [ids[0], ids[1], ids[2], ids[3], ids[5], ids[6], ids[7]]
    );
}

pub fn a_watch_wakes_on_every_committed_change_and_is_quiet_otherwise(ws: Workspace) {
    use std::time::Duration;
    let mut watch = ws.watch().unwrap();
    assert!(
        !watch.wait(Duration::from_millis(150)).unwrap(),
        "nothing changed yet"
    );
    let store = ws.store().clone();
    let writer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        store.create(NewAccount::new(TT, "watched")).unwrap()
    });
    assert!(
        watch.wait(Duration::from_secs(10)).unwrap(),
        "a create from another thread"
    );
    let id = writer.join().unwrap().id;
    assert!(
        !watch.wait(Duration::from_millis(150)).unwrap(),
        "reported once"
    );
    ws.apply_batch(vec![
        BatchOp::Create(NewAccount::new(TT, "w2")),
        BatchOp::Update(
            id,
            AccountPatch {
                logged_in: Some(true),
                ..patch()
            },
        ),
    ])
    .unwrap();
    assert!(watch.wait(Duration::from_secs(10)).unwrap(), "a batch");
    ws.delete(id).unwrap();
    assert!(watch.wait(Duration::from_secs(10)).unwrap(), "a delete");
    // A failed change is no change.
    assert!(ws.add(NewAccount::new(TT, "w2")).is_err());
    assert!(
        !watch.wait(Duration::from_millis(150)).unwrap(),
        "a refused create"
    );
}

/// Instantiates every contract test above for one store; `$make` builds a fresh
/// `Workspace` (and may keep a temporary directory alive inside it).
macro_rules! contract {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;
            contract!(@tests $make;
                create_and_get, find_in_every_spelling, duplicates_in_every_spelling_are_refused,
                rename_onto_another_username_is_refused, blank_usernames_are_refused,
                huge_fields_are_refused_naming_the_field, nul_and_control_characters_are_refused,
                emoji_and_sql_looking_text_round_trip_verbatim,
                a_password_is_never_split, bad_2fa_keys_are_refused_without_echoing_them,
                binding_by_device_index_picks_the_registered_phone, update_patches_only_given_fields,
                missing_ids_are_not_found, list_and_count_filter,
                for_each_streams_many_pages_and_stops_on_error, batch_is_all_or_nothing,
                stream_is_all_or_nothing, listings_see_devices_registered_while_they_page,
                reads_go_on_during_a_stream_and_see_only_what_was_committed,
                batches_number_new_phones_in_order_and_undo_them_whole,
                enable_disable_and_eligible, tags_set_add_remove, device_registry_gives_stable_numbers,
                secrets_never_show_in_debug_display_or_errors,
                concurrent_tag_adds_from_threads_all_survive, update_with_sees_the_current_account,
                large_batches_return_every_account_in_op_order,
                a_duplicate_deep_in_a_large_batch_names_the_first_clash,
                history_is_kept_newest_first_bounded_and_gone_with_its_account,
                lookup_finds_ids_on_any_platform_and_keys_on_one,
                change_marks_move_with_writes_and_guard_conditional_streams,
                leases_are_exclusive_renewed_released_and_taken_over_after_expiry,
                claims_share_out_free_accounts_by_filter,
                a_watch_wakes_on_every_committed_change_and_is_quiet_otherwise);
        }
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let (ws, _guard) = $make;
                super::$name(ws);
            }
        )*
    };
}

contract!(memory, (Workspace::in_memory(), ()));

fn sqlite_workspace() -> (Workspace, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path().join("farm.db")).unwrap();
    (ws, dir)
}

contract!(sqlite, sqlite_workspace());

#[cfg(feature = "postgres")]
mod pg_support;

/// A workspace in a fresh schema of the test server; `None` (the test is then
/// not run, and says so) only outside CI without a server.
#[cfg(feature = "postgres")]
fn postgres_workspace() -> Option<(Workspace, pg_support::Schema)> {
    let schema = pg_support::Schema::fresh()?;
    let ws = Workspace::open(&schema.url).unwrap();
    Some((ws, schema))
}

#[cfg(feature = "postgres")]
contract!(
    postgres,
    match postgres_workspace() {
        Some(made) => made,
        None => return,
    }
);
