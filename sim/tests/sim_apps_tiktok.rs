//! The simulated TikTok, driven as automation drives the real one: dump the
//! screen, find controls by text / description / layout, tap their centres,
//! type, press keys.

mod sim_apps_support;

use farmhand::apps::counts::parse_count;
use farmhand::device::Selector;
use farmhand_sim::{AppKind, AppSpec, KeyCode};
use sim_apps_support::*;

fn edit_field(hint: &str) -> Selector {
    Selector::new().class("android.widget.EditText").text(hint)
}

fn password_field() -> Selector {
    Selector::new()
        .class("android.widget.EditText")
        .password(true)
}

fn log_in_button() -> Selector {
    Selector::new()
        .class("android.widget.Button")
        .text("Log in")
}

/// From the launched, logged-out app to a submitted "Email / Username" form.
fn log_in(phone: &Phone, login: &str, password: &str) {
    if phone.sees_text("Log in to TikTok") {
        phone.tap_text("Use phone / email / username");
    }
    phone.tap_text("Email / Username");
    phone.tap(&edit_field("Email or username"));
    phone.type_text(login);
    phone.tap(&password_field());
    phone.type_text(password);
    phone.tap(&log_in_button());
}

/// The value shown above a counter label (`Following`, `Followers`, `Likes`).
fn counter(phone: &Phone, label: &str) -> String {
    let value = Selector::new()
        .class("android.widget.TextView")
        .above(Selector::new().text(label));
    phone.find(&value).text
}

fn open_profile(phone: &Phone) {
    assert!(phone.dump_fails_not_idle(), "the feed is never idle");
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
}

#[test]
fn email_and_password_log_in_and_show_the_profile() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    let landing = phone.dump();
    assert!(Selector::new().text("Log in to TikTok").exists(&landing));
    assert_eq!(landing.main_package(), Some(TIKTOK));

    log_in(&phone, "Alice@Example.com", "alice-pw");
    assert_eq!(phone.logged_in(TIKTOK), ["alice"]);
    open_profile(&phone);
    assert!(phone.sees_text("@alice"));
    assert!(phone.sees_text("Alice A."));
    assert_eq!(counter(&phone, "Following"), "1,234");
    assert_eq!(counter(&phone, "Followers"), "12.5K");
    assert_eq!(counter(&phone, "Likes"), "3.4M");
}

#[test]
fn username_and_password_log_in() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    log_in(&phone, "@BOB", "bob-pw");
    assert_eq!(phone.logged_in(TIKTOK), ["bob"]);
    open_profile(&phone);
    assert!(phone.sees_text("@bob"));
    assert_eq!(counter(&phone, "Following"), "7");
    assert_eq!(counter(&phone, "Followers"), "999");
    assert_eq!(counter(&phone, "Likes"), "1.2B");
}

#[test]
fn the_password_field_is_masked_and_never_shows_the_password() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    phone.tap_text("Use phone / email / username");
    phone.tap_text("Email / Username");
    assert!(!phone.find(&log_in_button()).flags.enabled, "empty form");
    phone.tap(&edit_field("Email or username"));
    phone.type_text("alice");
    phone.tap(&password_field());
    phone.type_text("alice-pw");
    let tree = phone.dump();
    let field = password_field().find(&tree).unwrap();
    assert_eq!(field.text, "\u{2022}".repeat(8));
    assert!(field.flags.focused);
    assert!(!texts(&tree).iter().any(|t| t.contains("alice-pw")));
    assert!(log_in_button().find(&tree).unwrap().flags.enabled);
}

#[test]
fn wrong_password_and_unknown_user_are_told_apart() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    log_in(&phone, "alice", "wrong");
    assert!(phone.sees_text("Incorrect account or password"));
    assert!(phone.logged_in(TIKTOK).is_empty());

    phone.key(KeyCode::Back);
    assert!(phone.sees_text("Log in to TikTok"));
    log_in(&phone, "nobody", "whatever");
    assert!(phone.sees_text("Account doesn't exist"));
    assert!(!phone.sees_text("Incorrect account or password"));
    assert!(phone.logged_in(TIKTOK).is_empty());
}

#[test]
fn repeated_failures_lead_to_too_many_attempts_even_with_the_right_password() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    for _ in 0..5 {
        log_in(&phone, "alice", "wrong");
        assert!(phone.sees_text("Incorrect account or password"));
        phone.key(KeyCode::Back);
    }
    log_in(&phone, "alice", "alice-pw");
    assert!(phone.sees_text("Maximum number of attempts reached. Try again later."));
    assert!(phone.logged_in(TIKTOK).is_empty());
    phone.key(KeyCode::Back);
    log_in(&phone, "bob", "bob-pw");
    assert_eq!(
        phone.logged_in(TIKTOK),
        ["bob"],
        "other accounts are not blocked"
    );
}

#[test]
fn a_rate_limited_account_is_refused_at_once_and_the_limit_is_an_option() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    log_in(&phone, "dave", "dave-pw");
    assert!(phone.sees_text("Maximum number of attempts reached. Try again later."));

    let mut spec = AppSpec::new(AppKind::TikTok);
    spec.options.insert("login_attempts".into(), "1".into());
    let strict = Phone::new(vec![spec]);
    strict.launch(TIKTOK);
    log_in(&strict, "alice", "wrong");
    assert!(strict.sees_text("Incorrect account or password"));
    strict.key(KeyCode::Back);
    log_in(&strict, "alice", "alice-pw");
    assert!(strict.sees_text("Maximum number of attempts reached. Try again later."));
}

#[test]
fn the_verification_screen_cannot_be_passed() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    log_in(&phone, "carol", "carol-pw");
    assert!(phone.sees_text("Verify to continue:"));
    assert!(phone.sees_text("Drag the slider to fit the puzzle"));
    let slider = phone.find(&Selector::new().class("android.widget.SeekBar"));
    let b = slider.bounds.unwrap();
    phone
        .sim
        .swipe((b.left + 10, b.center().1), (b.right - 10, b.center().1));
    phone.tap_text("Refresh");
    phone.tap(&log_in_button());
    assert!(phone.sees_text("Verify to continue:"), "still verifying");
    assert!(phone.logged_in(TIKTOK).is_empty());
    phone.tap(&Selector::new().desc("Close"));
    assert!(!phone.sees_text("Verify to continue:"));
    assert!(phone.sees(&log_in_button()));
    assert!(phone.logged_in(TIKTOK).is_empty());
}

#[test]
fn keys_edit_and_submit_the_form() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    phone.tap_text("Use phone / email / username");
    phone.tap_text("Email / Username");
    phone.tap(&edit_field("Email or username"));
    phone.type_text("bobx");
    phone.key(KeyCode::Del);
    phone.key(KeyCode::Enter);
    phone.type_text("bob-pw");
    phone.key(KeyCode::Enter);
    assert_eq!(phone.logged_in(TIKTOK), ["bob"]);
}

#[test]
fn switcher_lists_every_account_and_switches() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice", "bob"])]);
    phone.launch(TIKTOK);
    open_profile(&phone);
    assert!(phone.sees_text("@alice"));
    // The nickname at the top opens the switcher.
    phone.tap(
        &Selector::new()
            .text("Alice A.")
            .above(Selector::new().text("@alice")),
    );
    assert!(phone.sees_text("Switch account"));
    let tree = phone.dump();
    let rows = Selector::new()
        .text_matches("^(alice|bob)$")
        .unwrap()
        .find_all(&tree);
    assert_eq!(rows.len(), 2);
    assert!(phone.sees(&Selector::new().desc("Selected")));
    assert!(phone.sees_text("Add account"));

    phone.tap_text("bob");
    assert!(phone.sees_text("@bob"));
    assert_eq!(counter(&phone, "Likes"), "1.2B");
    assert_eq!(phone.logged_in(TIKTOK), ["alice", "bob"]);
}

#[test]
fn add_account_logs_a_second_account_in() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.launch(TIKTOK);
    open_profile(&phone);
    phone.tap(&Selector::new().text("Alice A."));
    phone.tap_text("Add account");
    assert!(phone.sees_text("Log in to TikTok"));
    log_in(&phone, "bob", "bob-pw");
    assert_eq!(phone.logged_in(TIKTOK), ["alice", "bob"]);
    open_profile(&phone);
    assert!(phone.sees_text("@bob"));
}

#[test]
fn logout_through_settings_leaves_the_other_accounts() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice", "bob"])]);
    phone.launch(TIKTOK);
    open_profile(&phone);
    phone.tap(&Selector::new().desc("Profile menu"));
    phone.tap_text("Settings and privacy");
    phone.tap_text("Log out");
    assert!(phone.sees_text("Are you sure you want to log out?"));
    phone.tap(
        &Selector::new()
            .class("android.widget.Button")
            .text("Log out"),
    );
    assert_eq!(phone.logged_in(TIKTOK), ["bob"]);
    open_profile(&phone);
    assert!(phone.sees_text("@bob"));

    phone.tap(&Selector::new().desc("Profile menu"));
    phone.tap_text("Settings and privacy");
    phone.tap_text("Log out");
    phone.tap(
        &Selector::new()
            .class("android.widget.Button")
            .text("Log out"),
    );
    assert!(phone.logged_in(TIKTOK).is_empty());
    assert!(phone.sees_text("Log in to TikTok"));
}

#[test]
fn cancelling_logout_keeps_the_session() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.launch(TIKTOK);
    open_profile(&phone);
    phone.tap(&Selector::new().desc("Profile menu"));
    phone.tap_text("Settings and privacy");
    phone.tap_text("Log out");
    phone.tap_text("Cancel");
    assert_eq!(phone.logged_in(TIKTOK), ["alice"]);
    phone.key(KeyCode::Back);
    assert!(phone.sees_text("@alice"));
}

#[test]
fn the_feed_never_goes_idle_and_back_leaves_the_app() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.launch(TIKTOK);
    assert!(phone.dump_fails_not_idle());
    phone.swipe((540, 1800), (540, 400));
    assert!(phone.dump_fails_not_idle());
    open_profile(&phone);
    phone.key(KeyCode::Back);
    assert!(
        phone.dump_fails_not_idle(),
        "back from the profile is the feed"
    );
    phone.key(KeyCode::Back);
    assert_ne!(phone.foreground(), TIKTOK);
    assert!(phone.try_dump().is_ok(), "the launcher is idle");
}

#[test]
fn sessions_survive_force_stop_and_a_cold_start_resets_the_screen() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    phone.tap_text("Use phone / email / username");
    phone.tap_text("Email / Username");
    phone.tap(&edit_field("Email or username"));
    phone.type_text("alice");
    phone.force_stop(TIKTOK);
    phone.launch(TIKTOK);
    assert!(phone.sees_text("Log in to TikTok"), "typed text is gone");
    log_in(&phone, "alice", "alice-pw");
    phone.force_stop(TIKTOK);
    phone.launch(TIKTOK);
    assert!(phone.dump_fails_not_idle(), "logged in: starts on the feed");
    assert_eq!(phone.logged_in(TIKTOK), ["alice"]);
}

#[test]
fn a_version_change_renames_every_id_but_not_the_texts() {
    let ids_and_texts = |version: u32| {
        let spec = AppSpec {
            version,
            ..app(AppKind::TikTok, &["alice"])
        };
        let phone = Phone::new(vec![spec]);
        phone.launch(TIKTOK);
        open_profile(&phone);
        let tree = phone.dump();
        let id = |text: &str| {
            Selector::new()
                .text(text)
                .find(&tree)
                .unwrap()
                .resource_id
                .clone()
        };
        let ids = vec![id("@alice"), id("Followers"), id("12.5K"), id("Profile")];
        (ids, texts(&tree))
    };
    let (v1_ids, v1_texts) = ids_and_texts(1);
    let (v2_ids, v2_texts) = ids_and_texts(2);
    assert_eq!(v1_texts, v2_texts);
    for (a, b) in v1_ids.iter().zip(&v2_ids) {
        assert!(a.starts_with("com.zhiliaoapp.musically:id/"), "{a}");
        assert_ne!(a, b);
    }
    assert_eq!(ids_and_texts(1).0, v1_ids, "one version, same ids");
}

#[test]
fn a_clone_package_draws_under_its_own_package() {
    let clone = "com.zhiliaoapp.musically.clone1";
    let spec = AppSpec {
        package: Some(clone.into()),
        ..app(AppKind::TikTok, &["bob"])
    };
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"]), spec]);
    phone.launch(clone);
    open_profile(&phone);
    let tree = phone.dump();
    assert_eq!(tree.main_package(), Some(clone));
    assert!(Selector::new().text("@bob").exists(&tree));
    assert_eq!(phone.logged_in(TIKTOK), ["alice"]);
    assert_eq!(phone.logged_in(clone), ["bob"]);
}

#[test]
fn a_foreign_language_changes_every_label() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.set_language("es");
    phone.launch(TIKTOK);
    open_profile(&phone);
    let tree = phone.dump();
    let shown = texts(&tree);
    for english in ["Following", "Followers", "Likes", "Profile", "Edit profile"] {
        assert!(
            !shown.iter().any(|t| t == english),
            "{english} in {shown:?}"
        );
    }
    assert!(shown.iter().any(|t| t == "Seguidores"));
    assert!(shown.iter().any(|t| t == "12,5 K"));

    let phone = Phone::fresh();
    phone.set_language("pt-BR");
    phone.launch(TIKTOK);
    let shown = texts(&phone.dump());
    assert!(!shown.iter().any(|t| t == "Use phone / email / username"));
    assert!(shown
        .iter()
        .any(|t| t == "Usar telefone/e-mail/nome de usuário"));
}

#[test]
fn counters_parse_back_with_the_automation_parser() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.launch(TIKTOK);
    open_profile(&phone);
    assert_eq!(parse_count(&counter(&phone, "Following")).unwrap(), 1_234);
    assert_eq!(parse_count(&counter(&phone, "Followers")).unwrap(), 12_500);
    assert_eq!(parse_count(&counter(&phone, "Likes")).unwrap(), 3_400_000);
}

#[test]
fn taps_outside_controls_and_stray_input_change_nothing() {
    let phone = Phone::fresh();
    phone.launch(TIKTOK);
    let before = phone.dump();
    for (x, y) in [(-5, -5), (0, 0), (5000, 5000), (540, 1500), (1079, 2399)] {
        phone.tap_at(x, y);
    }
    phone.type_text("stray text");
    phone.key(KeyCode::Del);
    phone.key(KeyCode::Other(999));
    assert_eq!(phone.dump(), before);
    phone.tap_text("Use phone / email / username");
    phone.tap_text("Email / Username");
    phone.tap(&edit_field("Email or username"));
    let chunk = "x".repeat(1_000);
    for _ in 0..100 {
        phone.type_text(&chunk);
    }
    assert_eq!(
        phone
            .find(
                &Selector::new()
                    .class("android.widget.EditText")
                    .password(false)
            )
            .text
            .len(),
        100_000
    );
    phone.tap(&password_field());
    phone.type_text("<&\"'>");
    phone.tap(&log_in_button());
    assert!(phone.sees_text("Account doesn't exist"));
}

#[test]
fn profile_links_open_the_own_profile_or_someone_elses() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &["alice"])]);
    phone.launch(TIKTOK);
    assert!(phone.dump_fails_not_idle());
    assert!(phone.open_uri("https://www.tiktok.com/@Alice?lang=en"));
    assert!(phone.sees(
        &Selector::new()
            .class("android.widget.Button")
            .text("Edit profile")
    ));
    assert!(phone.sees_text("@alice"));

    assert!(phone.open_uri("https://www.tiktok.com/@bob"));
    let tree = phone.dump();
    assert!(Selector::new().text("@bob").exists(&tree));
    assert!(Selector::new().text("Follow").exists(&tree));
    assert!(!Selector::new().text("Edit profile").exists(&tree));
    assert_eq!(counter(&phone, "Likes"), "1.2B");
    phone.key(KeyCode::Back);
    assert!(phone.sees_text("@alice"), "back returns to the own profile");

    assert!(phone.open_uri("tiktok.com/@ghost"));
    assert!(phone.sees_text("Couldn't find this account"));
    phone.tap(&Selector::new().desc("Back"));
    assert!(phone.sees_text("@alice"));
    assert!(!phone.open_uri("https://www.tiktok.com/"));
    assert!(!phone.open_uri("https://example.com/@alice"));
}

#[test]
fn handles_written_loosely_in_the_scenario_show_as_the_platform_spells_them() {
    let phone = Phone::new(vec![app(AppKind::TikTok, &[" @ALICE ", "Bob"])]);
    phone.launch(TIKTOK);
    assert_eq!(phone.logged_in(TIKTOK), ["alice", "bob"]);
    open_profile(&phone);
    assert!(phone.sees_text("@alice"));
}
