//! Every control of every selector pack, run against the screens the
//! simulated apps draw from the app facts catalogue for every version the
//! catalogue covers, and against the real dumps in `fixtures/ui-dumps` (other
//! apps: nothing may be recognised there). Writes a report of which control
//! was found on which screen of which version, by which alternative and from
//! which fact and source, to `pack-coverage.md` in Cargo's test temp dir, and
//! prints it.

mod sim_apps_support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use farmhand::account::Platform;
use farmhand::apps::{Catalogue, Pack};
use farmhand::device::{Selector, UiTree};
use farmhand::secret::totp;
use farmhand_sim::{AppKind, AppSpec, KeyCode};
use sim_apps_support::*;

/// One look at a simulated screen: the screen the walk expects the pack to
/// recognise, and the dump.
struct Look {
    expected: &'static str,
    tree: UiTree,
}

fn phone(kind: AppKind, version: u32, logged_in: &[&str]) -> Phone {
    phone_with(kind, version, logged_in, &[])
}

/// A phone whose app has these options set to `true`.
fn phone_with(kind: AppKind, version: u32, logged_in: &[&str], flags: &[&str]) -> Phone {
    let mut spec = AppSpec {
        version,
        ..app(kind, logged_in)
    };
    for flag in flags {
        spec.options.insert(flag.to_string(), "true".into());
    }
    Phone::new(vec![spec])
}

fn edit(password: bool) -> Selector {
    Selector::new()
        .class("android.widget.EditText")
        .password(password)
}

fn fill_form(phone: &Phone, login: &str, password: &str, button: Selector) {
    phone.tap(&edit(false));
    phone.type_text(login);
    phone.tap(&edit(true));
    phone.type_text(password);
    phone.tap(&button);
}

/// Instagram `version`: the login form, its refusals, the code screens, the
/// checkpoint, "Save your login info?", the profile, the switcher, the
/// settings and the logout confirmation.
fn instagram_walk(version: u32) -> Vec<Look> {
    let log_in = Selector::new()
        .class("android.widget.Button")
        .desc("Log in");
    let mut looks = Vec::new();
    let p = phone(AppKind::Instagram, version, &[]);
    p.launch(INSTAGRAM);
    looks.push(Look {
        expected: "login",
        tree: p.dump(),
    });
    fill_form(&p, "jack", "wrong", log_in.clone());
    looks.push(Look {
        expected: "login_failed",
        tree: p.dump(),
    });
    p.key(KeyCode::Back);
    fill_form(&p, "ghost", "boo", log_in.clone());
    looks.push(Look {
        expected: "login_failed",
        tree: p.dump(),
    });

    let p = phone(AppKind::Instagram, version, &[]);
    for attempt in 0..5 {
        p.launch(INSTAGRAM);
        fill_form(&p, "kim", &format!("bad{attempt}"), log_in.clone());
        p.force_stop(INSTAGRAM);
    }
    p.launch(INSTAGRAM);
    fill_form(&p, "kim", "kim-pw", log_in.clone());
    looks.push(Look {
        expected: "login_failed",
        tree: p.dump(),
    });

    let p = phone(AppKind::Instagram, version, &[]);
    p.launch(INSTAGRAM);
    fill_form(&p, "lena", "lena-pw", log_in.clone());
    looks.push(Look {
        expected: "verification",
        tree: p.dump(),
    });

    let p = phone(AppKind::Instagram, version, &[]);
    p.launch(INSTAGRAM);
    fill_form(&p, "ivy", "ivy-pw", log_in.clone());
    looks.push(Look {
        expected: "two_factor",
        tree: p.dump(),
    });
    let confirm = Selector::new()
        .class("android.widget.Button")
        .text("Confirm");
    p.tap(&edit(false));
    p.type_text("000000");
    looks.push(Look {
        expected: "two_factor",
        tree: p.dump(),
    });
    p.tap(&confirm);
    looks.push(Look {
        expected: "two_factor_failed",
        tree: p.dump(),
    });
    p.tap(&edit(false));
    p.type_text(&totp(IVY_SECRET, NOW).unwrap());
    p.tap(&confirm);
    looks.push(Look {
        expected: "save_login",
        tree: p.dump(),
    });
    p.tap(&Selector::new().desc("Not now"));
    p.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    looks.push(Look {
        expected: "profile",
        tree: p.dump(),
    });

    for (who, expected) in [("sid", "suspended"), ("ben", "banned")] {
        let p = phone(AppKind::Instagram, version, &[]);
        p.launch(INSTAGRAM);
        fill_form(&p, who, &format!("{who}-pw"), log_in.clone());
        looks.push(Look {
            expected,
            tree: p.dump(),
        });
    }
    let p = phone_with(AppKind::Instagram, version, &[], &["update_offer"]);
    p.launch(INSTAGRAM);
    looks.push(Look {
        expected: "update_offer",
        tree: p.dump(),
    });
    let p = phone_with(AppKind::Instagram, version, &[], &["update_required"]);
    p.launch(INSTAGRAM);
    looks.push(Look {
        expected: "update_required",
        tree: p.dump(),
    });
    let p = phone_with(
        AppKind::Instagram,
        version,
        &[],
        &["notifications_prompt", "permission_prompt"],
    );
    p.launch(INSTAGRAM);
    fill_form(
        &p,
        "jack",
        "jack-pw",
        Selector::new()
            .class("android.widget.Button")
            .desc("Log in"),
    );
    p.tap(&Selector::new().desc("Not now"));
    looks.push(Look {
        expected: "notifications_prompt",
        tree: p.dump(),
    });
    p.tap_text("Not Now");
    looks.push(Look {
        expected: "permission_prompt",
        tree: p.dump(),
    });

    let p = phone(AppKind::Instagram, version, &["jack", "ivy"]);
    p.launch(INSTAGRAM);
    p.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    looks.push(Look {
        expected: "profile",
        tree: p.dump(),
    });
    p.tap(&Selector::new().id(format!("{INSTAGRAM}:id/action_bar_title_chevron")));
    looks.push(Look {
        expected: "switcher",
        tree: p.dump(),
    });
    p.key(KeyCode::Back);
    p.tap(&Selector::new().desc("Options"));
    looks.push(Look {
        expected: "settings",
        tree: p.dump(),
    });
    p.tap_text("Log out");
    looks.push(Look {
        expected: "logout_confirm",
        tree: p.dump(),
    });
    looks
}

/// TikTok `version`: the landing, the login choice and form, its refusals,
/// the captcha, the profile, the switcher, the menu, the settings and the
/// logout confirmation.
fn tiktok_walk(version: u32) -> Vec<Look> {
    let log_in = Selector::new()
        .class("android.widget.Button")
        .desc("Log in");
    let open_form = |p: &Phone| {
        if p.sees_text("Use phone / email / username") {
            p.tap_text("Use phone / email / username");
        }
        p.tap_text("Email / Username");
    };
    let mut looks = Vec::new();
    let p = phone(AppKind::TikTok, version, &[]);
    p.launch(TIKTOK);
    looks.push(Look {
        expected: "landing",
        tree: p.dump(),
    });
    p.tap_text("Use phone / email / username");
    looks.push(Look {
        expected: "login_choice",
        tree: p.dump(),
    });
    p.tap_text("Email / Username");
    looks.push(Look {
        expected: "login",
        tree: p.dump(),
    });
    fill_form(&p, "alice", "wrong", log_in.clone());
    looks.push(Look {
        expected: "login_failed",
        tree: p.dump(),
    });

    for (who, expected) in [
        ("ghost", "login_failed"),
        ("dave", "login_failed"),
        ("carol", "verification"),
    ] {
        let p = phone(AppKind::TikTok, version, &[]);
        p.launch(TIKTOK);
        open_form(&p);
        fill_form(&p, who, &format!("{who}-pw"), log_in.clone());
        looks.push(Look {
            expected,
            tree: p.dump(),
        });
    }

    let p = phone(AppKind::TikTok, version, &[]);
    p.launch(TIKTOK);
    open_form(&p);
    fill_form(&p, "tess", "tess-pw", log_in.clone());
    looks.push(Look {
        expected: "two_factor",
        tree: p.dump(),
    });
    let continue_ = Selector::new()
        .class("android.widget.Button")
        .text("Continue");
    p.tap(&edit(false));
    p.type_text("000000");
    p.tap(&continue_);
    looks.push(Look {
        expected: "two_factor_failed",
        tree: p.dump(),
    });
    p.tap(&edit(false));
    p.type_text(&totp(IVY_SECRET, NOW).unwrap());
    p.tap(&continue_);
    p.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    looks.push(Look {
        expected: "profile",
        tree: p.dump(),
    });

    for (who, expected) in [("sam", "suspended"), ("bea", "banned")] {
        let p = phone(AppKind::TikTok, version, &[]);
        p.launch(TIKTOK);
        open_form(&p);
        fill_form(&p, who, &format!("{who}-pw"), log_in.clone());
        looks.push(Look {
            expected,
            tree: p.dump(),
        });
    }
    let p = phone_with(
        AppKind::TikTok,
        version,
        &[],
        &["follow_friends_prompt", "permission_prompt"],
    );
    p.launch(TIKTOK);
    open_form(&p);
    fill_form(&p, "alice", "alice-pw", log_in.clone());
    looks.push(Look {
        expected: "follow_friends_prompt",
        tree: p.dump(),
    });
    p.tap_text("Not now");
    looks.push(Look {
        expected: "permission_prompt",
        tree: p.dump(),
    });

    let p = phone(AppKind::TikTok, version, &["alice", "bob"]);
    p.launch(TIKTOK);
    p.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    looks.push(Look {
        expected: "profile",
        tree: p.dump(),
    });
    p.tap_text("Alice A.");
    looks.push(Look {
        expected: "switcher",
        tree: p.dump(),
    });
    p.key(KeyCode::Back);
    p.tap(&Selector::new().desc("Profile menu"));
    looks.push(Look {
        expected: "menu",
        tree: p.dump(),
    });
    p.tap_text("Settings and privacy");
    looks.push(Look {
        expected: "settings",
        tree: p.dump(),
    });
    p.tap_text("Log out");
    looks.push(Look {
        expected: "logout_confirm",
        tree: p.dump(),
    });
    looks
}

/// Where each control was found, per version: control → screens (with the
/// alternative that matched).
type Found = BTreeMap<String, BTreeSet<String>>;

/// Every alternative that matched on some screen: (control, index).
type Alternatives = BTreeSet<(String, usize)>;

/// Runs every control of `pack` on every look; checks each look is
/// recognised as the screen the walk expects.
fn run_pack(pack: &Pack, looks: &[Look], version: u32, used: &mut Alternatives) -> Found {
    let mut found = Found::new();
    for look in looks {
        assert_eq!(
            pack.recognise(&look.tree),
            Some(look.expected),
            "{} {version}: expected {} on\n{}",
            pack.app(),
            look.expected,
            describe(&look.tree)
        );
        for control in pack.controls() {
            for i in control.matching_alternatives(&look.tree) {
                used.insert((control.name().to_string(), i));
            }
            if let Some(i) = control.matching_alternative(&look.tree) {
                found
                    .entry(control.name().to_string())
                    .or_default()
                    .insert(format!("{} (#{i})", look.expected));
            }
        }
    }
    found
}

/// The sources of the facts behind one control's literals, for the report.
fn sources_of(app: Platform, pack: &Pack, control: &str) -> String {
    let catalogue = Catalogue::builtin(app);
    let prefix = format!("controls.{control}[");
    let mut out = BTreeSet::new();
    for literal in pack
        .literals()
        .into_iter()
        .filter(|l| l.at.starts_with(&prefix))
    {
        if let Some(fact) = catalogue.support(literal.kind, &literal.value, literal.how) {
            let source = catalogue.source(&fact.source).expect("checked on load");
            out.insert(format!(
                "{} '{}' ({}, seen {}: {} {})",
                fact.kind, fact.value, fact.key, fact.seen, source.project, source.file
            ));
        }
    }
    out.into_iter().collect::<Vec<_>>().join("; ")
}

/// Controls the simulator draws no screen for, per app: what the walk cannot
/// show, listed so that the report says so and the test notices a change.
fn not_drawn(app: Platform) -> BTreeSet<&'static str> {
    match app {
        // No landing (the simulated app opens on its login form), no menu
        // (Options opens the settings page), no "Not Now" prompt text.
        Platform::Instagram => ["landing_use_login", "menu_settings"].into(),
        Platform::TikTok => BTreeSet::new(),
    }
}

/// Alternatives no simulated screen of any covered version matches: the
/// screens the simulator does not draw, and the forms of real builds it does
/// not copy (a content-description-only post count, the "Not Now" button text
/// of older builds). Pinned, so that losing or gaining coverage is noticed.
fn never_matched(app: Platform) -> Vec<String> {
    let names: &[&str] = match app {
        // No landing or menu screen; other builds' title ids, switcher row id,
        // "too many" wording, lowercase hint and "Next" button.
        Platform::Instagram => &[
            "error_too_many_attempts#1",
            "landing_use_login#0",
            "landing_use_login#1",
            "menu_settings#0",
            "menu_settings#1",
            "profile_handle#2",
            "profile_handle#3",
            "profile_handle#4",
            "switcher_account#1",
            "two_factor_field#1",
            "two_factor_submit#1",
        ],
        // "too many" is another build's wording of the attempts limit; the
        // Profile tab as a child of a clickable bar item, "Skip" on a pop-up;
        // the slide captcha (the simulator draws the rotate one).
        Platform::TikTok => &[
            "error_too_many_attempts#1",
            "nav_profile#1",
            "not_now#1",
            "verify_title#1",
        ],
    };
    names.iter().map(|n| n.to_string()).collect()
}

fn ui_dumps() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/ui-dumps"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/ui-dumps is in the repository")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_control_of_every_pack_on_every_catalogued_version_and_real_dump() {
    let mut report = String::from("# Selector packs against catalogue-drawn screens\n");
    for app in Platform::ALL {
        let pack = Pack::builtin(app);
        let catalogue = Catalogue::builtin(app);
        let all: BTreeSet<String> = pack.controls().map(|c| c.name().to_string()).collect();
        let mut never_used: Alternatives = pack
            .controls()
            .flat_map(|c| (0..c.alternatives()).map(|i| (c.name().to_string(), i)))
            .collect();
        for build in catalogue.builds() {
            let mut used = Alternatives::new();
            let looks = match app {
                Platform::Instagram => instagram_walk(build.version),
                Platform::TikTok => tiktok_walk(build.version),
            };
            let found = run_pack(&pack, &looks, build.version, &mut used);
            never_used.retain(|a| !used.contains(a));
            let missing: BTreeSet<&str> = all
                .iter()
                .map(String::as_str)
                .filter(|c| !found.contains_key(*c))
                .collect();
            writeln!(report, "\n## {app} {} ({})\n", build.version, build.name).unwrap();
            for control in &all {
                let screens = match found.get(control) {
                    Some(screens) => screens.iter().cloned().collect::<Vec<_>>().join(", "),
                    None => "NOT DRAWN by the simulator".to_string(),
                };
                let alternatives: Vec<String> = used
                    .iter()
                    .filter(|(c, _)| c == control)
                    .map(|(_, i)| format!("#{i}"))
                    .collect();
                writeln!(
                    report,
                    "- {control}: {screens}; alternatives matching: {}\n  facts: {}",
                    alternatives.join(" "),
                    sources_of(app, &pack, control)
                )
                .unwrap();
            }
            assert_eq!(
                missing,
                not_drawn(app),
                "{app} {}: controls found on no simulated screen",
                build.version
            );
        }
        let never: Vec<String> = never_used.iter().map(|(c, i)| format!("{c}#{i}")).collect();
        writeln!(
            report,
            "\n## {app}: alternatives matched on no simulated screen of any version\n\n{}",
            never.join(", ")
        )
        .unwrap();
        assert_eq!(never, never_matched(app), "{app}");
        writeln!(
            report,
            "\n## {app}: real dumps of other apps (fixtures/ui-dumps)\n"
        )
        .unwrap();
        for path in ui_dumps() {
            let xml = std::fs::read_to_string(&path).unwrap();
            let tree = UiTree::parse(&xml).expect("the fixtures parse");
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert_eq!(pack.recognise(&tree), None, "{app} pack recognises {name}");
            let matched: Vec<&str> = pack
                .controls()
                .filter(|c| c.find(&tree).is_some())
                .map(|c| c.name())
                .collect();
            writeln!(
                report,
                "- {name}: not recognised; controls matching a node: {}",
                if matched.is_empty() {
                    "none".to_string()
                } else {
                    matched.join(", ")
                }
            )
            .unwrap();
        }
    }
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pack-coverage.md");
    std::fs::write(&path, &report).unwrap();
    println!("{report}\n(written to {})", path.display());
}

#[test]
fn the_two_instagram_id_families_are_both_matched() {
    let pack = Pack::builtin(Platform::Instagram);
    let counters = pack
        .controls()
        .find(|c| c.name() == "profile_followers_value")
        .unwrap();
    for (version, id) in [
        (300, "row_profile_header_textview_followers_count"),
        (410, "profile_header_familiar_followers_value"),
    ] {
        let p = phone(AppKind::Instagram, version, &["jack"]);
        p.launch(INSTAGRAM);
        p.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
        let tree = p.dump();
        let by_id = Selector::new().id(format!("{INSTAGRAM}:id/{id}"));
        let node = counters.find(&tree).expect("the followers value");
        assert_eq!(Some(node), by_id.find(&tree), "{version}");
        assert_eq!(node.text, "3.4M");
    }
}
