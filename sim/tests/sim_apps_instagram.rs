//! The simulated Instagram, driven as automation drives the real one: real
//! resource ids where the real app has them, texts and descriptions elsewhere.

mod sim_apps_support;

use farmhand::apps::counts::parse_count;
use farmhand::device::Selector;
use farmhand::secret::totp;
use farmhand_sim::{AppKind, AppSpec, KeyCode};
use sim_apps_support::*;

fn ig(name: &str) -> Selector {
    Selector::new().id(format!("com.instagram.android:id/{name}"))
}

/// Fills the login form and taps "Log in".
fn log_in(phone: &Phone, login: &str, password: &str) {
    phone.tap(&ig("login_username"));
    phone.type_text(login);
    phone.tap(&ig("password"));
    phone.type_text(password);
    phone.tap(&ig("next_button"));
}

fn code_field() -> Selector {
    Selector::new().class("android.widget.EditText")
}

fn enter_code(phone: &Phone, code: &str) {
    phone.tap(&code_field());
    phone.type_text(code);
    phone.tap(
        &Selector::new()
            .class("android.widget.Button")
            .text("Continue"),
    );
}

fn dialog_headline(phone: &Phone) -> String {
    phone.find(&ig("igds_alert_dialog_headline")).text
}

/// "Save your login info?" -> "Not now" -> the (never idle) feed -> the profile tab.
fn after_login_to_profile(phone: &Phone) {
    assert!(phone.sees_text("Save your login info?"));
    phone.tap_text("Not now");
    assert!(phone.dump_fails_not_idle(), "the feed is never idle");
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
}

#[test]
fn username_and_password_log_in_and_show_the_profile() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    let login = phone.dump();
    assert_eq!(login.main_package(), Some(INSTAGRAM));
    assert_eq!(
        ig("login_username").find(&login).unwrap().text,
        "Phone number, username, or email"
    );
    assert!(ig("password").find(&login).unwrap().flags.password);
    assert!(!ig("next_button").find(&login).unwrap().flags.enabled);

    log_in(&phone, "jack", "jack-pw");
    assert_eq!(phone.logged_in(INSTAGRAM), ["jack"]);
    after_login_to_profile(&phone);
    let tree = phone.dump();
    let text = |name: &str| ig(name).find(&tree).unwrap().text.clone();
    assert_eq!(text("action_bar_title"), "jack");
    assert_eq!(text("profile_header_full_name"), "jack");
    assert_eq!(text("row_profile_header_textview_post_count"), "1,234");
    assert_eq!(text("row_profile_header_textview_followers_count"), "3.4M");
    assert_eq!(text("row_profile_header_textview_following_count"), "12");
    assert_eq!(text("row_profile_header_textview_post_title"), "posts");
    assert_eq!(
        text("row_profile_header_textview_followers_title"),
        "followers"
    );
    assert_eq!(
        text("row_profile_header_textview_following_title"),
        "following"
    );
}

#[test]
fn email_login_with_the_current_authenticator_code() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    log_in(&phone, "IVY@example.com", "ivy-pw");
    assert!(phone.sees_text("Go to your authentication app"));
    assert!(phone.sees(&Selector::new().text_contains("6-digit code")));
    assert!(phone.logged_in(INSTAGRAM).is_empty(), "not before the code");
    enter_code(&phone, &totp(IVY_SECRET, NOW).unwrap());
    assert_eq!(phone.logged_in(INSTAGRAM), ["ivy"]);
    after_login_to_profile(&phone);
    let tree = phone.dump();
    assert_eq!(ig("action_bar_title").find(&tree).unwrap().text, "ivy");
    assert_eq!(
        ig("profile_header_full_name").find(&tree).unwrap().text,
        "Ivy Green"
    );
    assert_eq!(
        ig("row_profile_header_textview_post_count")
            .find(&tree)
            .unwrap()
            .text,
        "359"
    );
    assert_eq!(
        ig("row_profile_header_textview_followers_count")
            .find(&tree)
            .unwrap()
            .text,
        "123K"
    );
    assert_eq!(
        ig("row_profile_header_textview_following_count")
            .find(&tree)
            .unwrap()
            .text,
        "7,890"
    );
}

#[test]
fn codes_one_step_either_side_are_accepted() {
    for at in [NOW - 30, NOW + 30] {
        let phone = Phone::fresh();
        phone.launch(INSTAGRAM);
        log_in(&phone, "ivy", "ivy-pw");
        enter_code(&phone, &totp(IVY_SECRET, at).unwrap());
        assert_eq!(phone.logged_in(INSTAGRAM), ["ivy"], "code of {at}");
    }
}

#[test]
fn wrong_and_expired_codes_are_refused_then_a_fresh_one_passes() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    log_in(&phone, "ivy", "ivy-pw");
    let current = totp(IVY_SECRET, NOW).unwrap();
    let wrong = format!("{:06}", (current.parse::<u32>().unwrap() + 1) % 1_000_000);
    let expired = totp(IVY_SECRET, NOW - 90).unwrap();
    assert_ne!(expired, current);
    for bad in [
        wrong.as_str(),
        expired.as_str(),
        "12345",
        "abcdef",
        "1234567",
    ] {
        enter_code(&phone, bad);
        assert!(
            phone.sees_text("Please check the security code and try again."),
            "{bad} refused"
        );
        assert!(phone.logged_in(INSTAGRAM).is_empty());
    }
    // The phone's clock moves on: the code of the new time passes, the old one not.
    phone.set_clock(NOW + 300);
    enter_code(&phone, &current);
    assert!(phone.logged_in(INSTAGRAM).is_empty());
    enter_code(&phone, &totp(IVY_SECRET, NOW + 300).unwrap());
    assert_eq!(phone.logged_in(INSTAGRAM), ["ivy"]);
}

#[test]
fn back_from_the_code_screen_abandons_the_login() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    log_in(&phone, "ivy", "ivy-pw");
    phone.key(KeyCode::Back);
    assert!(phone.sees(&ig("login_username")));
    assert!(phone.logged_in(INSTAGRAM).is_empty());
}

#[test]
fn wrong_password_unknown_user_and_too_many_attempts_dialogs() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    log_in(&phone, "jack", "nope");
    assert_eq!(dialog_headline(&phone), "Incorrect password");
    phone.tap_text("Try again");
    assert!(!phone.sees(&ig("igds_alert_dialog_headline")));

    let fresh = Phone::fresh();
    fresh.launch(INSTAGRAM);
    log_in(&fresh, "ghost", "boo");
    assert_eq!(dialog_headline(&fresh), "Can't find account");
    assert!(fresh.logged_in(INSTAGRAM).is_empty());

    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    for attempt in 0..5 {
        log_in(&phone, "kim", &format!("bad{attempt}"));
        assert_eq!(dialog_headline(&phone), "Incorrect password");
        phone.tap(&ig("igds_alert_dialog_primary_button"));
        phone.force_stop(INSTAGRAM);
        phone.launch(INSTAGRAM);
    }
    log_in(&phone, "kim", "kim-pw");
    assert_eq!(
        dialog_headline(&phone),
        "Please wait a few minutes before you try again."
    );
    assert!(phone.logged_in(INSTAGRAM).is_empty());
}

#[test]
fn switcher_lists_accounts_switches_and_adds_one() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["jack", "ivy", "kim"])]);
    phone.launch(INSTAGRAM);
    assert!(phone.dump_fails_not_idle(), "logged in: starts on the feed");
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    assert_eq!(phone.find(&ig("action_bar_title")).text, "jack");
    phone.tap(&ig("action_bar_title_chevron"));
    let tree = phone.dump();
    let rows: Vec<String> = ig("row_user_textview")
        .find_all(&tree)
        .iter()
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(rows, ["jack", "ivy", "kim"]);
    let checked = Selector::new()
        .class("android.widget.RadioButton")
        .checked(true)
        .find_all(&tree);
    assert_eq!(checked.len(), 1);

    phone.tap(&ig("row_user_textview").text("kim"));
    let tree = phone.dump();
    assert_eq!(ig("action_bar_title").find(&tree).unwrap().text, "kim");
    assert_eq!(
        ig("row_profile_header_textview_followers_count")
            .find(&tree)
            .unwrap()
            .text,
        "1.2B"
    );

    phone.tap(&ig("action_bar_title_chevron"));
    phone.key(KeyCode::Back);
    assert!(
        !phone.sees(&ig("row_user_textview")),
        "back closes the sheet"
    );
    phone.tap(&ig("action_bar_title"));
    phone.tap_text("Add account");
    assert!(phone.sees(&ig("login_username")));
    phone.key(KeyCode::Back);
    assert_eq!(
        phone.find(&ig("action_bar_title")).text,
        "kim",
        "adding cancelled"
    );
}

#[test]
fn add_account_then_log_in_keeps_the_others() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["jack"])]);
    phone.launch(INSTAGRAM);
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    phone.tap(&ig("action_bar_title_chevron"));
    phone.tap_text("Add account");
    log_in(&phone, "kim", "kim-pw");
    after_login_to_profile(&phone);
    assert_eq!(phone.find(&ig("action_bar_title")).text, "kim");
    assert_eq!(phone.logged_in(INSTAGRAM), ["jack", "kim"]);
}

#[test]
fn logout_from_settings() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["jack", "kim"])]);
    phone.launch(INSTAGRAM);
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    phone.tap(&Selector::new().desc("Options"));
    assert_eq!(
        phone.find(&ig("action_bar_title")).text,
        "Settings and activity"
    );
    phone.tap_text("Log out");
    assert_eq!(dialog_headline(&phone), "Log out of your account?");
    phone.tap(&ig("igds_alert_dialog_primary_button"));
    assert_eq!(phone.logged_in(INSTAGRAM), ["kim"]);
    assert!(
        phone.dump_fails_not_idle(),
        "another account remains: the feed"
    );
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    assert_eq!(phone.find(&ig("action_bar_title")).text, "kim");

    phone.tap(&Selector::new().desc("Options"));
    phone.tap_text("Log out");
    phone.tap(&ig("igds_alert_dialog_primary_button"));
    assert!(phone.logged_in(INSTAGRAM).is_empty());
    assert!(phone.sees(&ig("login_username")));
}

#[test]
fn a_foreign_language_changes_labels_but_not_ids() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["jack"])]);
    phone.set_language("pt");
    phone.launch(INSTAGRAM);
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    let tree = phone.dump();
    let text = |name: &str| ig(name).find(&tree).unwrap().text.clone();
    assert_eq!(
        text("row_profile_header_textview_post_title"),
        "publicações"
    );
    assert_eq!(
        text("row_profile_header_textview_following_title"),
        "seguindo"
    );
    assert_eq!(
        text("row_profile_header_textview_followers_count"),
        "3,4 mi"
    );
    assert_eq!(text("row_profile_header_textview_post_count"), "1.234");
    assert!(!texts(&tree)
        .iter()
        .any(|t| t == "followers" || t == "Edit profile"));

    let phone = Phone::fresh();
    phone.set_language("es");
    phone.launch(INSTAGRAM);
    assert_eq!(
        phone.find(&ig("login_username")).text,
        "Teléfono, usuario o correo electrónico"
    );
}

#[test]
fn counters_parse_back_with_the_automation_parser() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["ivy"])]);
    phone.launch(INSTAGRAM);
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    let tree = phone.dump();
    let count = |name: &str| parse_count(&ig(name).find(&tree).unwrap().text).unwrap();
    assert_eq!(count("row_profile_header_textview_post_count"), 359);
    assert_eq!(
        count("row_profile_header_textview_followers_count"),
        123_000
    );
    assert_eq!(count("row_profile_header_textview_following_count"), 7_890);
}

#[test]
fn a_clone_keeps_the_real_ids_under_its_own_package() {
    let clone = "com.instagram.android.clone2";
    let spec = AppSpec {
        package: Some(clone.into()),
        ..app(AppKind::Instagram, &["kim"])
    };
    let phone = Phone::new(vec![app(AppKind::Instagram, &[]), spec]);
    phone.launch(clone);
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    let tree = phone.dump();
    assert_eq!(tree.main_package(), Some(clone));
    assert_eq!(ig("action_bar_title").find(&tree).unwrap().text, "kim");
    assert!(phone.logged_in(INSTAGRAM).is_empty());
}

#[test]
fn the_password_never_reaches_the_screen() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    phone.tap(&ig("login_username"));
    phone.type_text("ivy");
    phone.key(KeyCode::Enter);
    phone.type_text("ivy-pw");
    let tree = phone.dump();
    assert!(ig("password").find(&tree).unwrap().flags.focused);
    assert!(!texts(&tree).iter().any(|t| t.contains("ivy-pw")));
    phone.key(KeyCode::Enter);
    assert!(phone.sees_text("Go to your authentication app"));
    assert!(!texts(&phone.dump()).iter().any(|t| t.contains("ivy-pw")));
}

#[test]
fn profile_links_open_the_own_profile_or_someone_elses() {
    let phone = Phone::new(vec![app(AppKind::Instagram, &["jack"])]);
    phone.launch(INSTAGRAM);
    assert!(phone.dump_fails_not_idle());
    assert!(phone.open_uri("instagram://user?username=jack"));
    assert!(phone.sees(&ig("action_bar_title_chevron")));
    assert_eq!(phone.find(&ig("action_bar_title")).text, "jack");

    assert!(phone.open_uri("https://www.instagram.com/ivy/"));
    let tree = phone.dump();
    assert_eq!(ig("action_bar_title").find(&tree).unwrap().text, "ivy");
    assert!(!ig("action_bar_title_chevron").exists(&tree));
    assert!(ig("profile_header_follow_button").exists(&tree));
    assert_eq!(
        ig("row_profile_header_textview_post_count")
            .find(&tree)
            .unwrap()
            .text,
        "359"
    );
    phone.key(KeyCode::Back);
    assert_eq!(phone.find(&ig("action_bar_title")).text, "jack");

    assert!(phone.open_uri("instagram.com/_u/ghost"));
    assert!(phone.sees_text("Sorry, this page isn't available."));
    phone.tap(&ig("action_bar_button_back"));
    assert!(!phone.open_uri("instagram://user?id=1"));
    assert!(!phone.open_uri("https://www.instagram.com/"));
}

#[test]
fn a_challenged_account_meets_a_checkpoint_nobody_passes() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    log_in(&phone, "lena", "lena-pw");
    assert!(phone.sees_text("Confirm it's you"));
    phone.tap(
        &Selector::new()
            .class("android.widget.Button")
            .text("Continue"),
    );
    assert!(phone.sees_text("Confirm it's you"), "still checking");
    assert!(phone.logged_in(INSTAGRAM).is_empty());
    phone.key(KeyCode::Back);
    assert!(phone.sees(&ig("login_username")));
    assert!(phone.logged_in(INSTAGRAM).is_empty());
}

#[test]
fn stray_taps_keys_and_hostile_text_change_nothing_they_should_not() {
    let phone = Phone::fresh();
    phone.launch(INSTAGRAM);
    let before = phone.dump();
    for (x, y) in [(-1, -1), (0, 0), (9999, 9999), (540, 2000), (1079, 2399)] {
        phone.tap_at(x, y);
    }
    phone.type_text("nobody focused");
    phone.key(KeyCode::Del);
    phone.key(KeyCode::Other(999));
    assert_eq!(phone.dump(), before);

    phone.tap(&ig("login_username"));
    phone.type_text("<node text=\"&amp;\"/> ' ; rm -rf / $(reboot)");
    let tree = phone.dump();
    assert_eq!(
        ig("login_username").find(&tree).unwrap().text,
        "<node text=\"&amp;\"/> ' ; rm -rf / $(reboot)"
    );
    phone.tap(&ig("password"));
    phone.type_text("x");
    phone.tap(&ig("next_button"));
    assert_eq!(dialog_headline(&phone), "Can't find account");
    // The dialog is modal: taps outside it do nothing, typing goes nowhere.
    phone.tap_at(540, 300);
    phone.type_text("more");
    assert_eq!(dialog_headline(&phone), "Can't find account");
    phone.key(KeyCode::Back);
    assert!(!phone.sees(&ig("igds_alert_dialog_headline")));
    assert_eq!(phone.find(&ig("password")).text, "\u{2022}");
}
