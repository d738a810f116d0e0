#![doc = include_str!("pwd_rule.md")]

use serde::{Deserialize, Serialize};

use super::Secret;

/// Shortest key: 16 base32 characters, 80 bits.
const SHORT_KEY_CHARS: usize = 16;
/// The 128-bit key length.
const MID_KEY_CHARS: usize = 26;
/// From here on every whole-byte length is a key: 160 bits and more.
const LONG_KEY_CHARS: usize = 32;

/// How [`read_pwd`] read a `pwd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PwdReading {
    /// The whole text is the password.
    Password,
    /// Read as password + 2FA key.
    Split,
    /// The whole text is the password, but its tail after the last colon looks
    /// like a 2FA key with a typo: worth telling the user.
    SuspectKey,
}

/// A `pwd` read by the rule: the password, the 2FA key if one was split off,
/// and how it was read. `Debug` redacts both secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPwd {
    /// The password (the whole text unless a key was split off).
    pub password: Secret,
    /// The 2FA key, canonical (upper case, no spaces), when the tail was one.
    pub totp_key: Option<Secret>,
    /// Which of the three readings applied.
    pub reading: PwdReading,
}

/// Reads a `pwd` as TikMatrix and IgMatrix write it, by the rule of this module.
pub fn read_pwd(pwd: &str) -> ReadPwd {
    let whole = |reading| ReadPwd {
        password: Secret::new(pwd),
        totp_key: None,
        reading,
    };
    let Some((password, tail)) = pwd.rsplit_once(':') else {
        return whole(PwdReading::Password);
    };
    if password.is_empty() {
        return whole(PwdReading::Password);
    }
    if let Some(key) = key_form(tail) {
        return ReadPwd {
            password: Secret::new(password),
            totp_key: Some(Secret::new(key)),
            reading: PwdReading::Split,
        };
    }
    if looks_like_a_mistyped_key(tail) {
        return whole(PwdReading::SuspectKey);
    }
    whole(PwdReading::Password)
}

/// Joins a password and a 2FA key into the `pwd` form: `password:KEY`, or the
/// password alone. [`read_pwd`] of the result gives them back whenever the key
/// is canonical and the password is not empty. Panics on a locked secret
/// (see [`super::Secret::expose`]).
pub fn join_pwd(password: Option<&Secret>, totp_key: Option<&Secret>) -> Option<Secret> {
    match (password, totp_key) {
        (Some(p), Some(k)) => Some(Secret::new(format!("{}:{}", p.expose(), k.expose()))),
        (None, Some(k)) => Some(Secret::new(format!(":{}", k.expose()))),
        (Some(p), None) => Some(p.clone()),
        (None, None) => None,
    }
}

/// The canonical key (upper case, no spaces) when `tail` has a key's shape.
fn key_form(tail: &str) -> Option<String> {
    if !spaced_in_fours(tail) || mixed_case(tail) {
        return None;
    }
    let key: String = tail
        .chars()
        .filter(|&c| c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let base32 = key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    (base32 && key_length(key.len())).then_some(key)
}

/// True for 16, 26, and whole-byte lengths from 32 on.
fn key_length(chars: usize) -> bool {
    chars == SHORT_KEY_CHARS
        || chars == MID_KEY_CHARS
        || (chars >= LONG_KEY_CHARS && !matches!(chars % 8, 1 | 3 | 6))
}

/// No spaces at all, or groups of four separated by single spaces (the last
/// group may be shorter).
fn spaced_in_fours(tail: &str) -> bool {
    if !tail.contains(' ') {
        return !tail.is_empty();
    }
    let groups: Vec<&str> = tail.split(' ').collect();
    let (last, full) = groups.split_last().expect("split yields at least one part");
    full.iter().all(|g| g.len() == 4) && (1..=4).contains(&last.len())
}

/// True when the text holds both upper- and lower-case ASCII letters.
fn mixed_case(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_uppercase()) && text.bytes().any(|b| b.is_ascii_lowercase())
}

/// The typo heuristic of the rule: letters and digits of one case, with a
/// digit and a letter, about a key's length.
fn looks_like_a_mistyped_key(tail: &str) -> bool {
    let compact: Vec<u8> = tail.bytes().filter(|&b| b != b' ').collect();
    let near_length = matches!(compact.len(), 15..=17 | 25..=27) || compact.len() >= 31;
    near_length
        && compact.iter().all(u8::is_ascii_alphanumeric)
        && compact.iter().any(u8::is_ascii_digit)
        && compact.iter().any(u8::is_ascii_alphabetic)
        && !mixed_case(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the table in the module docs: (pwd, password, key, reading).
    fn table() -> Vec<(String, String, Option<String>, PwdReading)> {
        let unquote = |cell: &str| cell.trim().trim_matches('`').to_string();
        include_str!("pwd_rule.md")
            .lines()
            .filter(|line| line.starts_with("| `"))
            .map(|line| {
                let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
                assert_eq!(cells.len(), 4, "{line}");
                let key = Some(unquote(cells[2])).filter(|k| !k.is_empty());
                let reading = match cells[3].trim() {
                    "password" => PwdReading::Password,
                    "split" => PwdReading::Split,
                    "suspect" => PwdReading::SuspectKey,
                    other => panic!("unknown reading {other:?} in {line}"),
                };
                (unquote(cells[0]), unquote(cells[1]), key, reading)
            })
            .collect()
    }

    #[test]
    fn every_row_of_the_documented_table_reads_as_documented() {
        let rows = table();
        assert!(rows.len() >= 40, "the table has {} rows", rows.len());
        for (pwd, password, key, reading) in rows {
            let read = read_pwd(&pwd);
            assert_eq!(read.password.expose(), password, "{pwd:?}");
            assert_eq!(
                read.totp_key.as_ref().map(|k| k.expose().to_string()),
                key,
                "{pwd:?}"
            );
            assert_eq!(read.reading, reading, "{pwd:?}");
        }
    }

    #[test]
    fn the_table_holds_both_ordinary_passwords_with_colons_and_every_key_form() {
        let rows = table();
        let count = |r: PwdReading| rows.iter().filter(|row| row.3 == r).count();
        assert!(count(PwdReading::Split) >= 10);
        assert!(count(PwdReading::SuspectKey) >= 5);
        let plain_with_colon = rows
            .iter()
            .filter(|row| row.3 == PwdReading::Password && row.0.contains(':'))
            .count();
        assert!(plain_with_colon >= 15, "{plain_with_colon}");
    }

    #[test]
    fn every_split_key_is_a_valid_authenticator_key() {
        for (pwd, _, key, _) in table() {
            if let Some(key) = key {
                super::super::TotpSecret::parse(&key)
                    .unwrap_or_else(|e| panic!("{pwd:?} split off an unusable key: {e}"));
            }
        }
    }

    #[test]
    fn joining_gives_back_what_reading_split() {
        for (pwd, _, key, reading) in table() {
            if reading != PwdReading::Split {
                continue;
            }
            let read = read_pwd(&pwd);
            let joined = join_pwd(Some(&read.password), read.totp_key.as_ref()).unwrap();
            assert_eq!(
                read_pwd(joined.expose())
                    .totp_key
                    .map(|k| k.expose().to_string()),
                key
            );
        }
        assert_eq!(join_pwd(None, None), None);
        assert_eq!(
            join_pwd(Some(&Secret::new("pw")), None).unwrap().expose(),
            "pw"
        );
    }

    #[test]
    fn huge_and_hostile_input_reads_without_panicking() {
        let huge = format!("pw:{}", "A".repeat(1_000_000));
        assert_eq!(read_pwd(&huge).reading, PwdReading::Split);
        for odd in [
            "",
            ":",
            "::",
            " : ",
            "\u{feff}:",
            "pw:\u{0}",
            "pw:ＪＢＳＷ",
            "pw:    ",
        ] {
            assert_ne!(read_pwd(odd).reading, PwdReading::Split, "{odd:?}");
            assert_eq!(read_pwd(odd).password.expose(), odd);
        }
    }

    #[test]
    fn debug_of_a_reading_hides_both_secrets() {
        let shown = format!("{:?}", read_pwd("hunter2:JBSWY3DPEHPK3PXP"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("JBSW"),
            "{shown}"
        );
    }
}
