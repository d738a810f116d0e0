//! Counts as the apps print them: `1,234`, `1 234`, `12.5K`, `12,5K`, `3.4M`,
//! `1.2B`, `166 K`, `28,3 mil`, `3.1w`, `119.0W`, `5万`, with NBSP / thin-space
//! separators and stray direction marks.
//!
//! A count without a suffix must be a whole number whose digit groups (if any)
//! are groups of three. With a suffix (`K`, `M`, `B`, `mil`, `w`, `万`...) the
//! mantissa may carry one decimal separator, `.` or `,`; the value is the
//! mantissa times the suffix, rounded down as the apps round when they abbreviate.

use crate::account::printable;
use crate::error::{Error, Result};

/// Longest text accepted as a count (longer text is certainly not one).
const MAX_COUNT_CHARS: usize = 64;
/// Longest text accepted as a count with its label.
const MAX_LABELLED_CHARS: usize = 256;

/// Suffixes and their multipliers; matched case-insensitively, longest first.
const SUFFIXES: &[(&str, u64)] = &[
    ("mln", 1_000_000),
    ("mio", 1_000_000),
    ("mil", 1_000),
    ("mrd", 1_000_000_000),
    ("mld", 1_000_000_000),
    ("tys", 1_000),
    ("mn", 1_000_000),
    ("mi", 1_000_000),
    ("bn", 1_000_000_000),
    ("k", 1_000),
    ("m", 1_000_000),
    ("b", 1_000_000_000),
    ("w", 10_000),
    ("千", 1_000),
    ("万", 10_000),
    ("萬", 10_000),
    ("亿", 100_000_000),
    ("億", 100_000_000),
];

/// Characters that apps sprinkle around numbers and that carry no meaning here:
/// direction marks and zero-width characters.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}'
    )
}

/// Characters used between digit groups besides `.` and `,`: spaces of every
/// width (NBSP, narrow NBSP, thin space...) and the apostrophe.
fn is_group_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '’')
}

/// Parses a count as an app prints it; the error names the text.
///
/// ```
/// use farmhand::apps::counts::parse_count;
/// assert_eq!(parse_count("12,5K").unwrap(), 12_500);
/// assert_eq!(parse_count("\u{200E}1 234").unwrap(), 1_234);
/// assert_eq!(parse_count("28,3 mil").unwrap(), 28_300);
/// assert_eq!(parse_count("119.0W").unwrap(), 1_190_000);
/// assert!(parse_count("many").is_err());
/// ```
pub fn parse_count(text: &str) -> Result<u64> {
    let bad = |why: &str| {
        Error::validation(
            "count",
            format!("'{}' is not a count: {why}", printable(text)),
        )
    };
    if text.chars().count() > MAX_COUNT_CHARS {
        return Err(bad("too long"));
    }
    let clean: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return Err(bad("it is blank"));
    }
    let number_end = clean
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',') || is_group_space(*c)))
        .map_or(clean.len(), |(i, _)| i);
    let (number, suffix) = clean.split_at(number_end);
    let number = number.trim_end_matches(is_group_space);
    let multiplier = match suffix.trim() {
        "" => None,
        s => Some(
            SUFFIXES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(s))
                .map(|(_, m)| *m)
                .ok_or_else(|| bad("unknown suffix"))?,
        ),
    };
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(bad("it does not start with a digit"));
    }
    let value = match multiplier {
        None => whole(number).ok_or("digit groups are not groups of three"),
        Some(m) => abbreviated(number, m).ok_or("malformed abbreviated number"),
    };
    value.map_err(&bad)?.ok_or_else(|| bad(TOO_LARGE))
}

/// How much one unit of the last digit shown is worth: 1 for a count shown in
/// full (`1,234`), the rounding step for an abbreviated one (`1.2M` → 100,000,
/// `12K` → 1,000, `3.1w` → 1,000). Errors as [`parse_count`] does.
///
/// ```
/// use farmhand::apps::counts::count_step;
/// assert_eq!(count_step("1,234").unwrap(), 1);
/// assert_eq!(count_step("1.2M").unwrap(), 100_000);
/// assert_eq!(count_step("28,3 mil").unwrap(), 100);
/// assert_eq!(count_step("166 K").unwrap(), 1_000);
/// ```
pub fn count_step(text: &str) -> Result<u64> {
    parse_count(text)?;
    let clean: String = text
        .chars()
        .filter(|c| !is_invisible(*c) && !is_group_space(*c))
        .collect();
    let clean = clean.trim();
    let number_end = clean
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',')))
        .unwrap_or(clean.len());
    let (number, suffix) = clean.split_at(number_end);
    let Some((_, multiplier)) = SUFFIXES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(suffix.trim()))
    else {
        return Ok(1);
    };
    let marks = number.matches(['.', ',']).count();
    let has_both = number.contains('.') && number.contains(',');
    let decimals = match number.rfind(['.', ',']) {
        Some(i) if marks == 1 || has_both => number.len() - i - 1,
        _ => 0,
    };
    let divisor = 10u64.checked_pow(u32::try_from(decimals).unwrap_or(u32::MAX));
    Ok(divisor.map_or(1, |d| (multiplier / d).max(1)))
}

/// True when a count the app shows as `shown` with this `step` (see
/// [`count_step`]) can be `exact`: the app truncates or rounds, so `1.2M`
/// agrees with every number from 1,150,000 up to 1,299,999. A count shown in
/// full (step 1) agrees only with itself.
pub fn agrees(shown: u64, step: u64, exact: u64) -> bool {
    if step <= 1 {
        return shown == exact;
    }
    exact.saturating_add(step / 2) >= shown && exact < shown.saturating_add(step)
}

/// Why a well-formed count is refused: its value does not fit.
const TOO_LARGE: &str = "too large to hold (the most is 18446744073709551615)";

/// A whole number with optional grouping: `1234`, `1,234`, `1.234.567`, `1 234`;
/// `Some(None)` when well formed but too large for a `u64`.
fn whole(number: &str) -> Option<Option<u64>> {
    let groups: Vec<&str> = number
        .split(|c: char| matches!(c, '.' | ',') || is_group_space(c))
        .collect();
    if groups.len() > 1 {
        let separators: Vec<char> = number
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .map(|c| if is_group_space(c) { ' ' } else { c })
            .collect();
        let one_kind = separators.windows(2).all(|w| w[0] == w[1]);
        let shaped = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !one_kind || !shaped {
            return None;
        }
    }
    digits_value(&groups.concat())
}

/// The mantissa of an abbreviated count times its suffix: `12.5`, `12,5`,
/// `1 234,5`; `Some(None)` when well formed but too large for a `u64`.
fn abbreviated(number: &str, multiplier: u64) -> Option<Option<u64>> {
    let compact: String = number.chars().filter(|c| !is_group_space(*c)).collect();
    let marks = compact.chars().filter(|c| matches!(c, '.' | ',')).count();
    let has_both = compact.contains('.') && compact.contains(',');
    // The last separator is the decimal point when it is the only one, or when
    // both kinds are present ("1,234.5K"); a repeated single kind is grouping.
    let decimal_at = if marks == 1 || has_both {
        compact.rfind(['.', ','])
    } else {
        None
    };
    let (int_part, frac_part) = match decimal_at {
        Some(i) => (&compact[..i], &compact[i + 1..]),
        None => (compact.as_str(), ""),
    };
    if decimal_at.is_some() && frac_part.is_empty() {
        return None;
    }
    let int_value = if int_part.contains(['.', ',']) {
        whole(int_part)?
    } else {
        digits_value(int_part)?
    };
    let Some(int_value) = int_value else {
        return Some(None);
    };
    let frac_digits = u32::try_from(frac_part.len()).ok().filter(|n| *n <= 18)?;
    let frac_value = if frac_part.is_empty() {
        0
    } else {
        digits_value(frac_part)??
    };
    // Exact in u128 when it fits: the mantissa's digits over 10^frac_digits,
    // times the suffix, rounded down; anything past u64 is refused, never wrapped.
    let scale = 10u128.pow(frac_digits);
    let total = u128::from(int_value)
        .checked_mul(scale)
        .and_then(|t| t.checked_add(u128::from(frac_value)))
        .and_then(|t| t.checked_mul(u128::from(multiplier)))
        .map(|t| t / scale);
    Some(total.and_then(|t| u64::try_from(t).ok()))
}

/// The value of a non-empty run of ASCII digits: `None` on anything else,
/// `Some(None)` when too large for a `u64`.
fn digits_value(digits: &str) -> Option<Option<u64>> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().ok())
}

/// A count with the label printed beside it, as in `喜欢 35129`, `粉丝 119.0W`,
/// `359Posts` or `1,234 followers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledCount {
    /// The label text, trimmed (`Posts`, `粉丝`).
    pub label: String,
    /// The count's value.
    pub value: u64,
}

/// Splits text made of a count and a label (either order) and parses the count.
///
/// The count is the longest leading part that parses, followed by a label; or
/// else the longest trailing part that parses, preceded by a label. Text that is
/// only a count gives an empty label. The error names the text.
pub fn parse_labelled(text: &str) -> Result<LabelledCount> {
    if text.chars().count() > MAX_LABELLED_CHARS {
        return Err(Error::validation(
            "count",
            format!("'{}' is too long to be a labelled count", printable(text)),
        ));
    }
    if let Ok(value) = parse_count(text) {
        return Ok(LabelledCount {
            label: String::new(),
            value,
        });
    }
    let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
    let count_first = cuts.iter().rev().find_map(|&i| {
        let (head, tail) = text.split_at(i);
        let label = tail.trim();
        let starts_label = label.starts_with(|c: char| !c.is_ascii_digit());
        // The label starts a word: "12 Kommentare" is 12, not 12K + "ommentare".
        let at_word = head.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace())
            || tail.starts_with(char::is_whitespace);
        match parse_count(head) {
            Ok(value) if starts_label && at_word => Some(LabelledCount {
                label: label.to_string(),
                value,
            }),
            _ => None,
        }
    });
    let label_first = || {
        cuts.iter().find_map(|&i| {
            let (head, tail) = text.split_at(i);
            let label = head.trim();
            let ends_label = label.ends_with(|c: char| !c.is_ascii_digit());
            match parse_count(tail) {
                Ok(value) if ends_label && !label.is_empty() => Some(LabelledCount {
                    label: label.to_string(),
                    value,
                }),
                _ => None,
            }
        })
    };
    count_first.or_else(label_first).ok_or_else(|| {
        Error::validation(
            "count",
            format!("'{}' holds no count beside a label", printable(text)),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_follow_the_digits_shown() {
        for (text, step) in [
            ("0", 1),
            ("1,234", 1),
            ("1.234.567", 1),
            ("12.5K", 100),
            ("12K", 1_000),
            ("3.4M", 100_000),
            ("1.2B", 100_000_000),
            ("12,5K", 100),
            ("166 K", 1_000),
            ("\u{200E}1.2M", 100_000),
            ("28,3 mil", 100),
            ("3.1w", 1_000),
            ("119.0W", 1_000),
            ("3万", 10_000),
        ] {
            assert_eq!(count_step(text).unwrap(), step, "{text}");
        }
        assert!(count_step("many").is_err());
        assert!(count_step("").is_err());
    }

    #[test]
    fn a_rounded_count_agrees_with_the_exact_numbers_it_can_stand_for() {
        let (shown, step) = (1_200_000, 100_000);
        assert!(agrees(shown, step, 1_234_567), "truncated");
        assert!(agrees(shown, step, 1_150_000), "rounded up");
        assert!(agrees(shown, step, 1_299_999));
        assert!(!agrees(shown, step, 1_300_000));
        assert!(!agrees(shown, step, 1_149_999));
        assert!(!agrees(shown, step, 2_000_000));
        assert!(agrees(1_234, 1, 1_234));
        assert!(!agrees(1_234, 1, 1_235));
        assert!(agrees(u64::MAX, 1_000, u64::MAX - 1));
    }

    use super::*;
    use crate::error::ErrorKind;

    fn ok(text: &str) -> u64 {
        parse_count(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn plain_and_grouped_whole_numbers() {
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("7"), 7);
        assert_eq!(ok("4982"), 4982);
        assert_eq!(ok("1,234"), 1234);
        assert_eq!(ok("1,234,567"), 1_234_567);
        assert_eq!(ok("1.234.567"), 1_234_567);
        assert_eq!(ok("1 234"), 1234);
        assert_eq!(ok("1'234'567"), 1_234_567);
        assert_eq!(ok("18446744073709551615"), u64::MAX);
    }

    #[test]
    fn unicode_spaces_and_marks() {
        assert_eq!(ok("1\u{00A0}234"), 1234);
        assert_eq!(ok("1\u{202F}234\u{202F}567"), 1_234_567);
        assert_eq!(ok("1\u{2009}234"), 1234);
        assert_eq!(ok("\u{200E}1,234"), 1234);
        assert_eq!(ok("\u{200F}12.5K\u{200E}"), 12_500);
        assert_eq!(ok("\u{FEFF}\u{200B}42"), 42);
        assert_eq!(ok("  964 "), 964);
        assert_eq!(ok("166\u{00A0}K"), 166_000);
    }

    #[test]
    fn abbreviations_in_many_locales() {
        assert_eq!(ok("12.5K"), 12_500);
        assert_eq!(ok("12,5K"), 12_500);
        assert_eq!(ok("12.5k"), 12_500);
        assert_eq!(ok("166 K"), 166_000);
        assert_eq!(ok("10K"), 10_000);
        assert_eq!(ok("3.4M"), 3_400_000);
        assert_eq!(ok("3,4 M"), 3_400_000);
        assert_eq!(ok("1.2B"), 1_200_000_000);
        assert_eq!(ok("28,3 mil"), 28_300);
        assert_eq!(ok("28,3mil"), 28_300);
        assert_eq!(ok("1,2 mi"), 1_200_000);
        assert_eq!(ok("3,4 mln"), 3_400_000);
        assert_eq!(ok("2 Mio"), 2_000_000);
        assert_eq!(ok("1.5Bn"), 1_500_000_000);
        assert_eq!(ok("3.1w"), 31_000);
        assert_eq!(ok("119.0W"), 1_190_000);
        assert_eq!(ok("5万"), 50_000);
        assert_eq!(ok("1.5 万"), 15_000);
        assert_eq!(ok("1.2億"), 120_000_000);
        assert_eq!(ok("2亿"), 200_000_000);
        assert_eq!(ok("1,234.5K"), 1_234_500);
        assert_eq!(ok("1.234,5K"), 1_234_500);
    }

    #[test]
    fn abbreviated_values_round_down() {
        assert_eq!(ok("1.2345K"), 1234);
        assert_eq!(ok("0.5K"), 500);
        assert_eq!(ok("9.99M"), 9_990_000);
    }

    #[test]
    fn bad_text_is_an_error_naming_it() {
        for text in [
            "",
            "   ",
            "\u{200E}",
            "many",
            "K",
            "12.5",
            "1,23",
            "12,34,567",
            "1,234.567",
            "1.234,567",
            "12.5X",
            "12.5 KK",
            "-5",
            "+5",
            "5.",
            "5.K",
            ".5K",
            "1 2",
            "１２３",
            "18446744073709551616",
            "99999999999999999999B",
            "12 followers",
        ] {
            let err = parse_count(text).expect_err(text);
            assert_eq!(err.kind(), ErrorKind::Validation, "{text:?}");
            let message = err.to_string();
            assert!(message.contains("count"), "{message}");
            assert!(
                message.contains(&printable(text)),
                "{message} should name {text:?}"
            );
        }
    }

    #[test]
    fn huge_and_hostile_text_is_refused_quickly() {
        let huge = "9".repeat(100_000);
        assert!(parse_count(&huge).is_err());
        assert!(parse_labelled(&huge).is_err());
        let message = parse_count(&huge).unwrap_err().to_string();
        assert!(message.len() < 200, "message must stay short: {message}");
        assert!(parse_count("1\u{0}2").is_err());
        assert!(parse_count("1\n234").is_ok(), "a line break is a space");
    }

    /// Values past a u64 are refused as too large, never wrapped or misnamed.
    #[test]
    fn values_it_cannot_hold_are_refused() {
        for text in [
            "6241815115701522205.575725255829103812B",
            "18446744073709551616",
            "18,446,744,073,709,551,616",
            "18446744073709551.616K",
            "99999999999999999999999K",
        ] {
            let message = parse_count(text).unwrap_err().to_string();
            assert!(message.contains("too large to hold"), "{text}: {message}");
        }
        assert_eq!(ok("18446744073709551615"), u64::MAX);
        assert_eq!(ok("18446744073709551.615K"), u64::MAX);
        assert_eq!(ok("18446744073.709551615B"), u64::MAX);
    }

    #[test]
    fn labelled_counts_either_order() {
        let lc = |label: &str, value| LabelledCount {
            label: label.to_string(),
            value,
        };
        assert_eq!(parse_labelled("喜欢 35129").unwrap(), lc("喜欢", 35129));
        assert_eq!(
            parse_labelled("粉丝 119.0W").unwrap(),
            lc("粉丝", 1_190_000)
        );
        assert_eq!(parse_labelled("关注 4981").unwrap(), lc("关注", 4981));
        assert_eq!(parse_labelled("359Posts").unwrap(), lc("Posts", 359));
        assert_eq!(
            parse_labelled("12.5K Followers").unwrap(),
            lc("Followers", 12_500)
        );
        assert_eq!(
            parse_labelled("1 234 followers").unwrap(),
            lc("followers", 1234)
        );
        assert_eq!(
            parse_labelled("28,3 mil seguidores").unwrap(),
            lc("seguidores", 28_300)
        );
        assert_eq!(parse_labelled("1,234").unwrap(), lc("", 1234));
        assert!(parse_labelled("Followers").is_err());
        assert!(parse_labelled("").is_err());
        assert!(parse_labelled("Follow back").is_err());
        assert_eq!(
            parse_labelled("12 Kommentare").unwrap(),
            lc("Kommentare", 12)
        );
    }

    /// Every count printed in the real Douyin dumps of the shared fixtures.
    #[test]
    fn counts_from_real_dumps() {
        let dir = crate::apps::fixtures::ui_dumps_dir();
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .unwrap_or_else(|e| panic!("fixture {name} missing from {}: {e}", dir.display()))
        };
        let texts = |xml: &str| -> Vec<String> {
            xml.split("text=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next().map(str::to_string))
                .collect()
        };
        let expect = [
            (
                "douyin_profile_counts_w_suffix.xml",
                vec![
                    ("0", 0),
                    ("118", 118),
                    ("2424 ", 2424),
                    ("3.1w ", 31_000),
                    ("4982", 4982),
                    ("964 ", 964),
                ],
                vec![("喜欢 35129", "喜欢", 35129), ("作品 0", "作品", 0)],
            ),
            (
                "douyin_profile_followed_user.xml",
                vec![
                    ("13.0w ", 130_000),
                    ("5.3w ", 53_000),
                    ("1012 ", 1012),
                    ("119", 119),
                ],
                vec![("喜欢 86", "喜欢", 86), ("动态 0", "动态", 0)],
            ),
            (
                "douyin_following_list.xml",
                vec![],
                vec![
                    ("关注 4981", "关注", 4981),
                    ("粉丝 119.0W", "粉丝", 1_190_000),
                ],
            ),
            (
                "douyin_profile_follows_you.xml",
                vec![("17", 17), ("528", 528), ("12", 12), ("0 ", 0), ("5 ", 5)],
                vec![("喜欢 326", "喜欢", 326), ("作品 2", "作品", 2)],
            ),
        ];
        for (file, counts, labelled) in expect {
            let found = texts(&read(file));
            for (text, value) in counts {
                assert!(found.iter().any(|t| t == text), "{file}: no text {text:?}");
                assert_eq!(ok(text), value, "{file}: {text:?}");
            }
            for (text, label, value) in labelled {
                assert!(found.iter().any(|t| t == text), "{file}: no text {text:?}");
                let got = parse_labelled(text).unwrap();
                assert_eq!((got.label.as_str(), got.value), (label, value), "{file}");
            }
        }
    }
}
