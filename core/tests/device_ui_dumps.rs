//! The UI parser and selectors on dumps captured from real phones
//! (`fixtures/ui-dumps` in the repository, with their sources in its README), plus huge and hostile dumps.

use std::path::PathBuf;

use farmhand::device::{Selector, UiTree};
use farmhand::ErrorKind;

/// The repository's fixtures directory. Missing fixtures fail the test
/// loudly; they are never skipped.
fn dumps_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/ui-dumps"))
}

fn read(name: &str) -> String {
    let path = dumps_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} is missing ({e})", path.display()))
}

fn parse(name: &str) -> UiTree {
    UiTree::parse(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every `<node` in the file becomes one node (counted independently of the parser).
#[test]
fn every_fixture_parses_completely() {
    let mut seen = 0;
    for entry in std::fs::read_dir(dumps_dir()).expect("fixtures directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = UiTree::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            tree.len(),
            text.matches("<node").count(),
            "{}",
            path.display()
        );
        for node in tree.nodes() {
            for child in &node.children {
                assert_eq!(tree.node(*child).parent, Some(node.id));
            }
        }
        seen += 1;
    }
    assert!(seen >= 9, "only {seen} fixtures found");
}

fn count_left_of(tree: &UiTree, label: &str) -> String {
    Selector::new()
        .text_matches(r"^[\d.,]+\s*[wWkKmMbB万]?\s*$")
        .unwrap()
        .left_of(Selector::new().text(label))
        .find(tree)
        .map(|n| n.text.trim().to_string())
        .unwrap_or_else(|| panic!("no count beside {label}"))
}

#[test]
fn douyin_profile_counts_beside_their_labels_with_obfuscated_ids() {
    let tree = parse("douyin_profile_counts_w_suffix.xml");
    assert_eq!(count_left_of(&tree, "获赞"), "0");
    assert_eq!(count_left_of(&tree, "关注"), "4982");
    assert_eq!(count_left_of(&tree, "粉丝"), "118");
    assert_eq!(tree.nodes().iter().filter(|n| n.flags.naf).count(), 2);
    let likes_tab = Selector::new().text_matches(r"^喜欢 \d+$").unwrap();
    assert_eq!(likes_tab.find(&tree).unwrap().text, "喜欢 35129");
    let grid = Selector::new().desc_contains("点赞数").find_all(&tree);
    let texts: Vec<&str> = grid.iter().map(|n| n.text.trim()).collect();
    assert_eq!(texts, vec!["964", "2424", "3.1w"]);

    let tree = parse("douyin_profile_follows_you.xml");
    assert_eq!(count_left_of(&tree, "获赞"), "17");
    assert_eq!(count_left_of(&tree, "关注"), "528");
    assert_eq!(count_left_of(&tree, "粉丝"), "12");

    let tree = parse("douyin_profile_followed_user.xml");
    assert_eq!(count_left_of(&tree, "获赞"), "0");
    assert_eq!(count_left_of(&tree, "关注"), "119");
    assert_eq!(count_left_of(&tree, "粉丝"), "8");
    let unfollow = Selector::new().text("取消关注").clickable(true);
    assert_eq!(unfollow.find(&tree).unwrap().center(), Some((610, 474)));
}

#[test]
fn douyin_following_list_tabs_and_rows() {
    let tree = parse("douyin_following_list.xml");
    let tab = |prefix: &str| {
        Selector::new()
            .text_matches(&format!("^{prefix} [\\d.]+[wW]?$"))
            .unwrap()
            .find(&tree)
            .unwrap()
            .text
            .clone()
    };
    assert_eq!(tab("关注"), "关注 4981");
    assert_eq!(tab("粉丝"), "粉丝 119.0W");
    // Every row's follow button sits right of the row's name.
    let names = Selector::new().id("eio").find_all(&tree);
    assert_eq!(names.len(), 8);
    let button = Selector::new()
        .text("关注")
        .clickable(true)
        .right_of(Selector::new().text("果儿"))
        .find(&tree)
        .unwrap();
    assert_eq!(button.bounds.unwrap().top, 499);
    let back = Selector::new().desc("返回").find(&tree).unwrap();
    assert!(back.flags.clickable);
}

#[test]
fn modern_attribute_set_entities_and_description_only_buttons() {
    let text = read("anyapp_login_welcome_all_attrs.xml");
    let tree = UiTree::parse(&text).unwrap();
    assert_eq!(tree.roots().count(), 2, "system UI and app windows");
    assert_eq!(tree.main_package(), Some("de.vorwerk.homee.homee"));
    let login = Selector::new().desc("Log In").find(&tree).unwrap();
    assert!(login.center().is_some());
    assert!(text.contains("&amp;"));
    assert!(tree
        .nodes()
        .iter()
        .any(|n| n.text.contains('&') || n.content_desc.contains('&') || n.hint.contains('&')));
    assert!(tree.nodes().iter().all(|n| !n.text.contains("&amp;")));
}

#[test]
fn raw_single_line_dump_with_zero_area_bounds() {
    let tree = parse("anyapp_gmail_raw_single_line.xml");
    let zero: Vec<_> = tree
        .nodes()
        .iter()
        .filter(|n| n.bounds.is_some_and(|b| b.is_empty()))
        .collect();
    assert_eq!(zero.len(), 1);
    assert_eq!(zero[0].center(), None);
    assert!(Selector::new().on_screen().find_all(&tree).len() < tree.len());
}

#[test]
fn legacy_launcher_dump_with_non_ascii_text() {
    let tree = parse("anyapp_pixel_launcher_api27.xml");
    assert!(Selector::new().text("56°F").exists(&tree));
    assert_eq!(tree.rotation, 0);
}

#[test]
fn rotated_dumps_with_several_packages_and_naf_nodes() {
    let tree = parse("anyapp_rotation1_korean_widgets.xml");
    assert_eq!(tree.rotation, 1);
    assert_eq!(tree.nodes().iter().filter(|n| n.flags.naf).count(), 5);
    assert!(tree.nodes().iter().any(|n| n
        .text
        .chars()
        .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))));
    assert!(Selector::new().package("com.android.chrome").exists(&tree));
    let tree = parse("anyapp_rotation1_split_screen.xml");
    assert_eq!(tree.rotation, 1);
    assert!(Selector::new()
        .package("com.arlosoft.macrodroid")
        .exists(&tree));
    assert!(Selector::new()
        .package("com.teslacoilsw.launcher")
        .exists(&tree));
}

/// A 5 MB dump (real nodes repeated) parses whole; cut anywhere, it is refused.
#[test]
fn five_megabyte_dump_parses_and_its_truncations_are_refused() {
    let text = read("douyin_profile_counts_w_suffix.xml");
    let body_start = text.find("<node").unwrap();
    let body_end = text.rfind("</hierarchy>").unwrap();
    let body = &text[body_start..body_end];
    let copies = 5 * 1024 * 1024 / body.len() + 1;
    let mut huge = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">",
    );
    for _ in 0..copies {
        huge.push_str(body);
    }
    huge.push_str("</hierarchy>");
    assert!(huge.len() >= 5 * 1024 * 1024);
    let tree = UiTree::parse(&huge).unwrap();
    assert_eq!(tree.len(), copies * body.matches("<node").count());
    assert_eq!(tree.roots().count(), copies);
    assert_eq!(Selector::new().text("粉丝").find_all(&tree).len(), copies);
    for cut in [huge.len() / 3, huge.len() - 13, huge.len() - 1] {
        let cut = (0..=cut).rev().find(|i| huge.is_char_boundary(*i)).unwrap();
        let err = UiTree::parse(&huge[..cut]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "cut at {cut}");
        assert!(err.to_string().contains("truncated"), "cut at {cut}: {err}");
    }
}

/// Nesting far deeper than any real screen neither overflows the stack nor is lost.
#[test]
fn deeply_nested_dump_parses_without_recursion() {
    let depth = 50_000;
    let mut xml = String::from("<hierarchy>");
    for i in 0..depth {
        xml.push_str(&format!("<node text=\"{i}\" bounds=\"[0,0][10,10]\">"));
    }
    xml.push_str(&"</node>".repeat(depth));
    xml.push_str("</hierarchy>");
    let tree = UiTree::parse(&xml).unwrap();
    assert_eq!(tree.len(), depth);
    let deepest = Selector::new()
        .text((depth - 1).to_string())
        .find(&tree)
        .unwrap();
    assert_eq!(deepest.depth as usize, depth - 1);
    assert!(Selector::new()
        .text("0")
        .containing(Selector::new().text((depth - 1).to_string()))
        .exists(&tree));
}

#[test]
fn garbage_and_binary_input_are_clear_errors() {
    for bad in [
        "\u{0}\u{1}\u{2}<<<>>>",
        "<hierarchy><node text=\"a\"></hierarchy>",
        "<hierarchy><node text=\"unterminated></node></hierarchy>",
        "<hierarchy><node a=\"1\" a=\"2\" <x></hierarchy>",
        "<<hierarchy>",
    ] {
        let err = UiTree::parse(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{bad:?}: {err}");
        assert!(err.to_string().contains("uiautomator dump"), "{err}");
    }
}
