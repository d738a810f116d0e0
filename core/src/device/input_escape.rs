//! Turning text into a shell command that `input text` types exactly.
//!
//! Android's `input text` types printable ASCII only, turns every `%s` into a
//! space, and runs behind the phone's `sh -c`. So spaces become `%s`, each chunk
//! is single-quoted (shell metacharacters stay literal), and a literal `%s` in the
//! text is split across two `input text` calls so that it is never read as a
//! space. Text `input text` cannot type (non-ASCII, control characters) is refused.

use crate::error::{Error, Result};

/// The shell command that types `text` with `input text`; `None` for empty text.
///
/// Non-ASCII or control characters are a `Validation` error naming the character
/// and its position (the text itself may be a secret and is never quoted).
pub fn input_text_command(text: &str) -> Result<Option<String>> {
    if let Some((position, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || c.is_ascii_control())
    {
        let what = if c.is_ascii() {
            format!("control character U+{:04X}", c as u32)
        } else {
            format!("non-ASCII character U+{:04X}", c as u32)
        };
        return Err(Error::validation(
            "input text",
            format!(
                "`input text` cannot type the {what} at position {position}; \
                 it types printable ASCII only (use key events for Enter/Tab)"
            ),
        ));
    }
    if text.is_empty() {
        return Ok(None);
    }
    let chunks = split_percent_s(text);
    let commands: Vec<String> = chunks
        .iter()
        .map(|chunk| format!("input text {}", quote(&chunk.replace(' ', "%s"))))
        .collect();
    Ok(Some(commands.join(" && ")))
}

/// Splits between `%` and `s` wherever they meet, so no chunk contains `%s`.
fn split_percent_s(text: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i - 1] == b'%' && bytes[i] == b's' {
            chunks.push(&text[start..i]);
            start = i;
        }
    }
    chunks.push(&text[start..]);
    chunks
}

/// Single-quotes a word for `sh`: everything literal, `'` written as `'\''`.
pub fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> String {
        input_text_command(text).unwrap().unwrap()
    }

    #[test]
    fn spaces_become_percent_s_inside_quotes() {
        assert_eq!(cmd("hello world"), "input text 'hello%sworld'");
    }

    #[test]
    fn shell_metacharacters_stay_literal() {
        assert_eq!(
            cmd(r#"a;b|c&d$(e)`f`"g"\h*?<>"#),
            r#"input text 'a;b|c&d$(e)`f`"g"\h*?<>'"#
        );
        assert_eq!(cmd("it's"), r"input text 'it'\''s'");
    }

    #[test]
    fn literal_percent_s_is_split_so_it_is_not_a_space() {
        assert_eq!(cmd("100%sure"), "input text '100%' && input text 'sure'");
        assert_eq!(
            cmd("%s%s"),
            "input text '%' && input text 's%' && input text 's'"
        );
        assert_eq!(cmd("50% off"), "input text '50%%soff'");
    }

    #[test]
    fn empty_text_types_nothing() {
        assert_eq!(input_text_command("").unwrap(), None);
    }

    #[test]
    fn non_ascii_and_control_characters_are_refused_without_echoing_the_text() {
        let err = input_text_command("secret🎉").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Validation);
        let message = err.to_string();
        assert!(
            message.contains("non-ASCII character U+1F389 at position 6"),
            "{message}"
        );
        assert!(!message.contains("secret"), "{message}");
        let err = input_text_command("é").unwrap_err().to_string();
        assert!(err.contains("U+00E9"), "{err}");
        let err = input_text_command("a\nb").unwrap_err().to_string();
        assert!(
            err.contains("control character U+000A at position 1"),
            "{err}"
        );
    }
}
