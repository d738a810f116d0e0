//! Counters as the apps print them: `1,234`, `12.5K`, `3.4M`, `1.2B` in English;
//! `12,5 K` in Spanish and `12,5 mil` in Portuguese, as localised apps do.

use super::Language;

/// How an app shortens large numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountStyle {
    /// TikTok keeps one decimal at every magnitude (`123.4K`).
    TikTok,
    /// Instagram drops the decimal from 100 units up (`123K`, `12.3K`).
    Instagram,
}

/// Formats `n` as the app shows it. Decimals are truncated, never rounded up, so
/// `12,599` shows as `12.5K`; a trailing `.0` is dropped (`100K`, `3M`).
pub(crate) fn abbreviate(n: u64, style: CountStyle, language: Language) -> String {
    if n < 10_000 {
        return group_thousands(n, language);
    }
    let (unit, suffixes) = if n >= 1_000_000_000 {
        (1_000_000_000, ["B", " B", " bi"])
    } else if n >= 1_000_000 {
        (1_000_000, ["M", " M", " mi"])
    } else {
        (1_000, ["K", " K", " mil"])
    };
    let whole = n / unit;
    let tenth = (n % unit) * 10 / unit;
    let decimals = tenth != 0 && (style == CountStyle::TikTok || whole < 100);
    let (separator, suffix) = match language {
        Language::En => ('.', suffixes[0]),
        Language::Es => (',', suffixes[1]),
        Language::Pt => (',', suffixes[2]),
    };
    if decimals {
        format!("{whole}{separator}{tenth}{suffix}")
    } else {
        format!("{whole}{suffix}")
    }
}

/// `1234` as `1,234` (English) or `1.234` (Spanish, Portuguese).
fn group_thousands(n: u64, language: Language) -> String {
    let separator = match language {
        Language::En => ',',
        Language::Es | Language::Pt => '.',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en_tt(n: u64) -> String {
        abbreviate(n, CountStyle::TikTok, Language::En)
    }

    fn en_ig(n: u64) -> String {
        abbreviate(n, CountStyle::Instagram, Language::En)
    }

    #[test]
    fn small_numbers_are_grouped_in_full() {
        assert_eq!(en_tt(0), "0");
        assert_eq!(en_tt(999), "999");
        assert_eq!(en_tt(1_234), "1,234");
        assert_eq!(en_ig(9_999), "9,999");
        assert_eq!(abbreviate(1_234, CountStyle::TikTok, Language::Pt), "1.234");
    }

    #[test]
    fn large_numbers_are_truncated_to_one_decimal() {
        assert_eq!(en_tt(10_000), "10K");
        assert_eq!(en_tt(12_599), "12.5K");
        assert_eq!(en_tt(123_456), "123.4K");
        assert_eq!(en_ig(123_456), "123K");
        assert_eq!(en_ig(12_345), "12.3K");
        assert_eq!(en_tt(3_400_000), "3.4M");
        assert_eq!(en_tt(3_000_000), "3M");
        assert_eq!(en_ig(1_234_567_890), "1.2B");
        assert_eq!(en_tt(u64::MAX), "18446744073.7B");
    }

    #[test]
    fn localised_numbers_use_decimal_commas_and_local_suffixes() {
        assert_eq!(
            abbreviate(12_500, CountStyle::TikTok, Language::Es),
            "12,5 K"
        );
        assert_eq!(
            abbreviate(28_300, CountStyle::Instagram, Language::Pt),
            "28,3 mil"
        );
        assert_eq!(
            abbreviate(3_400_000, CountStyle::Instagram, Language::Pt),
            "3,4 mi"
        );
    }
}
