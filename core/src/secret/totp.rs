//! Authenticator codes (RFC 6238 TOTP: SHA-1, 6 digits, 30-second steps).
//!
//! Keys are base32 as authenticator apps show them. Lower case, spaces and
//! missing `=` padding are accepted; keys as short as 16 characters (80 bits,
//! e.g. `JBSWY3DPEHPK3PXP`) work, because that is what authenticator apps accept
//! even though RFC 4226 recommends 128 bits.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Builder, Totp};

use crate::error::{Error, Result};

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Fewest base32 characters accepted as a key (80 bits).
pub const MIN_KEY_CHARS: usize = 16;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A decoded authenticator key. `Debug` prints a redaction.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret {
    totp: Totp,
}

impl TotpSecret {
    /// Parses a base32 key: whitespace is dropped, case ignored, `=` padding optional.
    ///
    /// Errors (naming the field `totp secret`, never echoing the key): characters
    /// outside base32, fewer than [`MIN_KEY_CHARS`] characters, or a length that
    /// no whole number of bytes encodes to (1, 3 or 6 characters past a multiple of 8).
    pub fn parse(text: &str) -> Result<TotpSecret> {
        let bytes =
            decode_base32(text).map_err(|reason| Error::validation("totp secret", reason))?;
        Ok(TotpSecret {
            totp: Builder::new()
                .with_algorithm(Algorithm::SHA1)
                .with_digits(DIGITS)
                .with_skew(0)
                .with_step_duration(STEP_SECONDS)
                .with_secret(bytes)
                .build_noncompliant(),
        })
    }

    /// The 6-digit code for the step containing `unix_secs`.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp.generate(unix_secs).to_string()
    }

    /// The code valid now.
    pub fn code_now(&self) -> String {
        self.code_at(now())
    }

    /// Seconds (1..=30) until the code for `unix_secs` stops being valid.
    pub fn seconds_left_at(&self, unix_secs: u64) -> u64 {
        STEP_SECONDS - unix_secs % STEP_SECONDS
    }

    /// Seconds (1..=30) until the current code stops being valid.
    pub fn seconds_left(&self) -> u64 {
        self.seconds_left_at(now())
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// The code for the base32 key `secret` at `unix_secs`; a shortcut for
/// [`TotpSecret::parse`] then [`TotpSecret::code_at`].
pub fn totp(secret: &str, unix_secs: u64) -> Result<String> {
    Ok(TotpSecret::parse(secret)?.code_at(unix_secs))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Decodes RFC 4648 base32 leniently as to form (case, whitespace, padding) and
/// strictly as to content. Error texts never include the input.
fn decode_base32(text: &str) -> std::result::Result<Vec<u8>, String> {
    let cleaned: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let data_len = cleaned
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(0, |i| i + 1);
    let (data, padding) = cleaned.split_at(data_len);
    if padding.len() > 6 {
        return Err("has too much '=' padding to be base32".into());
    }
    let mut bits: u64 = 0;
    let mut nbits = 0u32;
    let mut out = Vec::with_capacity(data.len() * 5 / 8);
    for (position, &c) in data.iter().enumerate() {
        let value = ALPHABET
            .iter()
            .position(|&a| a == c)
            .ok_or_else(|| format!("character {} is not base32 (A-Z, 2-7)", position + 1))?;
        bits = (bits << 5) | value as u64;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    if data.len() < MIN_KEY_CHARS {
        return Err(format!(
            "has {} base32 characters; at least {MIN_KEY_CHARS} (80 bits) are needed",
            data.len()
        ));
    }
    if matches!(data.len() % 8, 1 | 3 | 6) {
        return Err(format!(
            "has {} base32 characters, a length no whole number of bytes encodes to",
            data.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the key is the ASCII string "12345678901234567890".
    const RFC_KEY_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    /// (time, 8-digit code as printed in the RFC).
    const RFC_VECTORS: [(u64, &str); 6] = [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    #[test]
    fn rfc_key_decodes_to_the_ascii_string() {
        assert_eq!(
            decode_base32(RFC_KEY_BASE32).unwrap(),
            b"12345678901234567890"
        );
    }

    #[test]
    fn rfc6238_sha1_vectors_truncated_to_six_digits() {
        let key = TotpSecret::parse(RFC_KEY_BASE32).unwrap();
        for (time, eight) in RFC_VECTORS {
            // Both truncations take the same 31-bit value modulo 10^digits, so
            // the 6-digit code is the last six digits of the RFC's 8-digit one.
            assert_eq!(key.code_at(time), eight[2..], "at {time}");
        }
    }

    #[test]
    fn eighty_bit_key_works() {
        assert_eq!(totp("JBSWY3DPEHPK3PXP", 1_700_000_000).unwrap(), "324550");
    }

    #[test]
    fn lower_case_spaces_and_padding_are_accepted() {
        let reference = totp("JBSWY3DPEHPK3PXP", 1_700_000_000).unwrap();
        for form in [
            "jbswy3dpehpk3pxp",
            "jbsw y3dp ehpk 3pxp",
            " JBSW Y3DP\tEHPK 3PXP ",
            "JBSWY3DPEHPK3PXP======",
        ] {
            assert_eq!(totp(form, 1_700_000_000).unwrap(), reference, "{form:?}");
        }
    }

    #[test]
    fn codes_keep_leading_zeros() {
        let key = TotpSecret::parse(RFC_KEY_BASE32).unwrap();
        assert_eq!(key.code_at(1234567890), "005924");
    }

    #[test]
    fn code_changes_only_at_step_boundaries() {
        let key = TotpSecret::parse("JBSWY3DPEHPK3PXP").unwrap();
        let step_start = 1_700_000_010;
        assert_eq!(key.code_at(step_start), key.code_at(step_start + 29));
        assert_ne!(key.code_at(step_start), key.code_at(step_start + 30));
    }

    #[test]
    fn seconds_left_counts_down_within_a_step() {
        let key = TotpSecret::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(key.seconds_left_at(1_700_000_010), 30);
        assert_eq!(key.seconds_left_at(1_700_000_011), 29);
        assert_eq!(key.seconds_left_at(1_700_000_039), 1);
        assert!((1..=30).contains(&key.seconds_left()));
    }

    #[test]
    fn code_now_is_the_code_at_the_current_time() {
        let key = TotpSecret::parse("JBSWY3DPEHPK3PXP").unwrap();
        // Retry if a step boundary passes between the two readings.
        let matched = (0..3).any(|_| {
            let before = now();
            let code = key.code_now();
            before / STEP_SECONDS == now() / STEP_SECONDS && code == key.code_at(before)
        });
        assert!(matched);
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        for (bad, why) in [
            ("", "at least 16"),
            ("JBSWY3DPEHPK3PX", "at least 16"),
            ("JBSWY3DPEHPK3PX1", "not base32"),
            ("JBSWY3DPEHPK3PX!", "not base32"),
            ("JBSWY3DPEHPK3PXPA", "whole number of bytes"),
            ("JBSWY3DPEHPK3PXP=======", "padding"),
        ] {
            let err = TotpSecret::parse(bad).unwrap_err();
            let text = err.to_string();
            assert_eq!(err.kind(), crate::ErrorKind::Validation, "{bad:?}");
            assert!(text.contains("totp secret"), "{text}");
            assert!(text.contains(why), "{bad:?}: {text}");
            if !bad.is_empty() {
                assert!(!text.contains(bad), "{text}");
            }
        }
    }

    #[test]
    fn debug_redacts_the_key() {
        let key = TotpSecret::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(format!("{key:?}"), "TotpSecret(***)");
    }
}
