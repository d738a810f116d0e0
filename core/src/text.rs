//! Character checks of user-supplied text with a fast path for plain ASCII.
//!
//! An import runs these on every cell of 100k-row sheets. Each helper gives
//! exactly the answer of the `str`/`char` method it replaces; it only skips the
//! Unicode-aware walk when the bytes alone decide (a value starting and ending
//! in a visible ASCII character has nothing to trim; a value of printable ASCII
//! holds no control character and no whitespace but the space).

/// `value.trim()`.
pub(crate) fn trim(value: &str) -> &str {
    match value.as_bytes() {
        // A UTF-8 byte below 0x80 is a whole character; these are visible ASCII.
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        [only] if only.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// `value.trim().is_empty()`.
pub(crate) fn is_blank(value: &str) -> bool {
    trim(value).is_empty()
}

/// `value.chars().count()` when it is more than `max`, else `None`.
pub(crate) fn chars_over(value: &str, max: usize) -> Option<usize> {
    // A character is at least one byte: a short value cannot be over.
    if value.len() <= max {
        return None;
    }
    Some(value.chars().count()).filter(|&n| n > max)
}

/// The first character of `value` that `rejects`, a test that accepts every
/// visible ASCII character (and the space when `space_ok`).
fn find_unusual(value: &str, space_ok: bool, rejects: impl Fn(char) -> bool) -> Option<char> {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_graphic() || (space_ok && b == b' '));
    if plain {
        return None;
    }
    value.chars().find(|&c| rejects(c))
}

/// The first control character of `value` that `allowed` does not hold.
pub(crate) fn find_control(value: &str, allowed: &str) -> Option<char> {
    find_unusual(value, true, |c| c.is_control() && !allowed.contains(c))
}

/// The first control or whitespace character of `value` (a space included).
pub(crate) fn find_control_or_space(value: &str) -> Option<char> {
    find_unusual(value, false, |c| c.is_control() || c.is_whitespace())
}

/// `value` cut to at most `max` characters, with `…` when something was cut.
pub(crate) fn cut(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values that take every branch: plain ASCII, ASCII and Unicode whitespace
    /// at either end, C0 and C1 controls, DEL, multi-byte letters.
    const SAMPLES: &[&str] = &[
        "",
        " ",
        "a",
        "\t",
        "alice",
        " alice",
        "alice ",
        "\u{a0}alice",
        "alice\u{3000}",
        "al ice",
        "al\tice",
        "al\u{7f}ice",
        "al\u{85}ice",
        "al\u{2028}ice",
        "ünïcødé",
        "é",
        "ä ",
        "\u{feff}bom",
        "a\r\nb",
        "#!~",
    ];

    #[test]
    fn trimming_matches_std() {
        for s in SAMPLES {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn character_searches_match_std() {
        for s in SAMPLES {
            assert_eq!(
                find_control(s, ""),
                s.chars().find(|c| c.is_control()),
                "{s:?}"
            );
            assert_eq!(
                find_control(s, "\r\n"),
                s.chars()
                    .find(|&c| c.is_control() && c != '\r' && c != '\n'),
                "{s:?}"
            );
            assert_eq!(
                find_control_or_space(s),
                s.chars().find(|c| c.is_control() || c.is_whitespace()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn counting_matches_std() {
        for s in SAMPLES {
            for max in 0..12 {
                let n = s.chars().count();
                assert_eq!(chars_over(s, max), (n > max).then_some(n), "{s:?} {max}");
            }
        }
    }

    #[test]
    fn cut_keeps_short_text_and_marks_a_cut_on_a_char_boundary() {
        assert_eq!(super::cut("abc", 3), "abc");
        assert_eq!(super::cut("äöüß", 2), "äö…");
        assert_eq!(super::cut("", 0), "");
    }
}
