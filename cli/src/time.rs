//! Timestamps as people read them: ISO 8601 in UTC to the second, like
//! `2026-12-07T05:03:08Z`. JSON output keeps the engine's Unix milliseconds.

use farmhand::Timestamp;

const SECONDS_PER_DAY: i64 = 86_400;

/// `at` as `YYYY-MM-DDTHH:MM:SSZ` (UTC; milliseconds are dropped, never rounded up).
pub fn iso8601(at: Timestamp) -> String {
    let seconds = at.unix_seconds();
    let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01, as (year, month, day)
/// (Howard Hinnant's `civil_from_days`, exact for every `i64` day count a
/// `Timestamp` can hold).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> String {
        iso8601(Timestamp(seconds * 1000))
    }

    #[test]
    fn known_instants_print_as_date_tells_them() {
        // Each expected value is `date -u -d @SECONDS +%Y-%m-%dT%H:%M:%SZ`.
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_619_788), "2026-12-07T05:03:08Z");
        assert_eq!(at(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(at(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(at(-2_203_891_200), "1900-03-01T00:00:00Z");
        assert_eq!(at(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn milliseconds_are_dropped_and_negative_ones_round_down() {
        assert_eq!(
            iso8601(Timestamp(1_796_619_788_999)),
            "2026-12-07T05:03:08Z"
        );
        assert_eq!(iso8601(Timestamp(-1)), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn the_extremes_of_a_timestamp_print_without_overflow() {
        assert!(iso8601(Timestamp(i64::MAX)).ends_with('Z'));
        assert!(iso8601(Timestamp(i64::MIN)).ends_with('Z'));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
    }
}
