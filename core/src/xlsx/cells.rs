//! Cell values as read from a sheet, and their conversion to account fields.
//!
//! Spreadsheet producers disagree on types: SheetJS (what TikMatrix uses) writes a
//! password `123456` or a numeric username as the number 123456.0, others write
//! text. A number in a text column becomes its shortest decimal text (`123456`,
//! `1.5`); ids, flags and counts accept whole numbers or text holding one.
//!
//! Refused everywhere, with a reason naming the cell's kind: error cells (`#N/A`),
//! date/time cells (a date in a text column is nearly always Excel reformatting a
//! value), and formulas. Formulas are refused even when the file carries a cached
//! result: the cached value may be stale (SheetJS and openpyxl do not compute it),
//! and an account roster should hold values, not expressions. Reasons never quote
//! the cell's value, so a password cannot leak through them.

use calamine::DataRef;

use super::cell_text::CellText;
use crate::account::trimmed_string;
use crate::text;

/// One cell as read from a sheet, owned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// No value (missing, or empty).
    Empty,
    /// A text cell (shared, inline or formula-string).
    Text(CellText),
    /// A number cell.
    Number(f64),
    /// A TRUE/FALSE cell.
    Bool(bool),
    /// A date, time or duration cell.
    Date,
    /// An error value such as `#N/A`.
    Error(String),
    /// A cell holding a formula (its cached value is not used).
    Formula,
}

impl Cell {
    /// Converts a calamine value, taking its text out of it; `formula` says the
    /// cell holds a formula. By reference: moving the value in and out of the
    /// call cost the reader about 6 ms per 100k rows.
    pub(crate) fn from_calamine(value: &mut DataRef<'_>, formula: bool) -> Cell {
        if formula {
            return Cell::Formula;
        }
        match value {
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) => Cell::Text(std::mem::take(s).into()),
            DataRef::SharedString(s) => Cell::Text((*s).into()),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::Int(i) => Cell::Number(*i as f64),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => Cell::Date,
            DataRef::Error(e) => Cell::Error(e.to_string()),
        }
    }

    /// True for an empty cell or one holding only whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => text::is_blank(s.as_str()),
            _ => false,
        }
    }

    /// Why a cell of a kind that no column accepts (date, error, formula) is refused.
    fn refusal(&self) -> String {
        match self {
            Cell::Date => {
                "holds a date/time cell; format the column as text and type the value".into()
            }
            Cell::Error(code) => format!("holds the error value {code}"),
            _ => "holds a formula; formulas are not imported, paste the value instead".into(),
        }
    }

    /// The cell as text, trimmed: `None` when blank. Numbers become their decimal text.
    pub(crate) fn text(self) -> Result<Option<String>, String> {
        match self {
            Cell::Text(s) if text::is_blank(s.as_str()) => Ok(None),
            Cell::Text(s) => Ok(Some(trimmed_string(s.into_string()))),
            Cell::Number(f) if !self.exact() => Err(lost_digits(Some(f))),
            other => other.raw_text(),
        }
    }

    /// False for a number cell at or past 2^53, whose last digits are lost.
    fn exact(&self) -> bool {
        !matches!(self, Cell::Number(f) if f.abs() >= MAX_EXACT as f64)
    }

    /// The cell as text, untouched (for passwords, so a refusal never quotes
    /// the value): `None` when blank.
    pub(crate) fn raw_text(self) -> Result<Option<String>, String> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) if text::is_blank(s.as_str()) => Ok(None),
            Cell::Text(s) => Ok(Some(s.into_string())),
            Cell::Number(_) if !self.exact() => Err(lost_digits(None)),
            Cell::Number(f) => Ok(Some(number_text(f))),
            Cell::Bool(_) => Err("holds TRUE/FALSE where text is expected".into()),
            Cell::Date | Cell::Error(_) | Cell::Formula => Err(self.refusal()),
        }
    }

    /// The cell as a whole number from 0 to `i64::MAX` (what the store
    /// holds): `None` when blank. Text is read exactly, digit for digit; a
    /// number cell only below 2^53, where every whole number is exact.
    pub(crate) fn whole(&self) -> Result<Option<u64>, String> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) if text::is_blank(s.as_str()) => Ok(None),
            Cell::Number(f) => whole_number(*f).map(Some),
            Cell::Text(s) => {
                let t = text::trim(s.as_str());
                let digits = t.strip_suffix('.').unwrap_or(t);
                let digits = match digits.split_once('.') {
                    Some((whole, zeros)) if zeros.bytes().all(|b| b == b'0') => whole,
                    _ => digits,
                };
                let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                match (plain, digits.parse::<u64>()) {
                    (true, Ok(n)) if n <= i64::MAX as u64 => Ok(Some(n)),
                    (true, _) => Err(format!("{} is too large", crate::account::printable(t))),
                    (false, _) => match t.parse::<f64>() {
                        Ok(f) if f.is_finite() => whole_number(f).map(Some),
                        _ => Err(format!(
                            "'{}' is not a whole number",
                            crate::account::printable(t)
                        )),
                    },
                }
            }
            Cell::Bool(_) => Err("holds TRUE/FALSE where a number is expected".into()),
            Cell::Date | Cell::Error(_) | Cell::Formula => Err(self.refusal()),
        }
    }

    /// The cell as a 0/1 flag: `None` when blank. TRUE/FALSE is accepted when `allow_bool`.
    pub(crate) fn flag(&self, allow_bool: bool) -> Result<Option<bool>, String> {
        if let (Cell::Bool(b), true) = (self, allow_bool) {
            return Ok(Some(*b));
        }
        match self.whole() {
            Ok(None) => Ok(None),
            Ok(Some(0)) => Ok(Some(false)),
            Ok(Some(1)) => Ok(Some(true)),
            Ok(Some(n)) => Err(format!("{n} is not allowed; expected 0 or 1")),
            Err(_) if matches!(self, Cell::Text(_) | Cell::Number(_)) => Err(format!(
                "{} is not allowed; expected 0 or 1",
                self.describe()
            )),
            Err(reason) => Err(reason),
        }
    }

    /// A short, safe description of a non-secret value for a message.
    fn describe(&self) -> String {
        match self {
            Cell::Text(s) => format!("'{}'", crate::account::printable(text::trim(s.as_str()))),
            Cell::Number(f) => number_text(*f),
            _ => "the value".into(),
        }
    }
}

/// 2^53: every whole number below it is exact in a spreadsheet number (an
/// f64); from it on, neighbours share one value, so digits may be lost.
const MAX_EXACT: u64 = 1 << 53;

/// Why a number cell at or past 2^53 is refused where digits matter; the
/// number is quoted when given.
fn lost_digits(f: Option<f64>) -> String {
    let number = match f {
        Some(f) => format!("the number {},", number_text(f)),
        None => "a number".to_string(),
    };
    format!(
        "holds {number} too large to be exact (past 2^53): the spreadsheet has already \
         lost its last digits; format the column as text and type the value again"
    )
}

fn whole_number(f: f64) -> Result<u64, String> {
    if f < 0.0 {
        return Err(format!(
            "{} is negative; expected a whole number ≥ 0",
            number_text(f)
        ));
    }
    if f.fract() != 0.0 || !f.is_finite() {
        return Err(format!("{} is not a whole number", number_text(f)));
    }
    if f >= MAX_EXACT as f64 {
        return Err(lost_digits(Some(f)));
    }
    Ok(f as u64)
}

/// The decimal text of a sheet number: integral values without a fraction
/// (`123456.0` → `123456`), others in their shortest round-trip form.
pub(crate) fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_text_columns_become_their_decimal_text() {
        assert_eq!(
            Cell::Number(123456.0).text().unwrap().as_deref(),
            Some("123456")
        );
        assert_eq!(Cell::Number(-0.0).text().unwrap().as_deref(), Some("0"));
        assert_eq!(Cell::Number(1.5).text().unwrap().as_deref(), Some("1.5"));
        assert_eq!(Cell::Number(0.1).text().unwrap().as_deref(), Some("0.1"));
        assert_eq!(
            Cell::Number(9007199254740991.0).text().unwrap().as_deref(),
            Some("9007199254740991")
        );
    }

    /// 2^53 + 1 cannot be a number cell: it reads as 2^53. From 2^53 on, a
    /// number where text or a whole number is expected is refused.
    #[test]
    fn numbers_past_2_pow_53_already_lost_digits() {
        for f in [9007199254740992.0, 9007199254740993.0, 1e20, -1e20] {
            let error = Cell::Number(f).text().unwrap_err();
            assert!(
                error.contains("already lost its last digits"),
                "{f}: {error}"
            );
            let secret = Cell::Number(f).raw_text().unwrap_err();
            assert!(
                secret.contains("already lost") && !secret.contains("000"),
                "{secret}"
            );
        }
        let error = Cell::Number(9007199254740993.0).whole().unwrap_err();
        assert!(
            error.contains("9007199254740992, too large to be exact"),
            "{error}"
        );
    }

    #[test]
    fn text_is_trimmed_but_passwords_are_not() {
        assert_eq!(
            Cell::Text("  a@b.c ".into()).text().unwrap().as_deref(),
            Some("a@b.c")
        );
        assert_eq!(
            Cell::Text(" pw ".into()).raw_text().unwrap().as_deref(),
            Some(" pw ")
        );
        assert_eq!(Cell::Text("   ".into()).raw_text().unwrap(), None);
        assert_eq!(Cell::Empty.text().unwrap(), None);
    }

    #[test]
    fn refused_kinds_say_what_they_are() {
        assert!(Cell::Date.text().unwrap_err().contains("date"));
        assert!(Cell::Error("#N/A".into())
            .whole()
            .unwrap_err()
            .contains("#N/A"));
        assert!(Cell::Formula.flag(true).unwrap_err().contains("formula"));
        assert!(Cell::Bool(true).text().unwrap_err().contains("TRUE/FALSE"));
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(Cell::Number(42.0).whole().unwrap(), Some(42));
        assert_eq!(Cell::Text(" 1200 ".into()).whole().unwrap(), Some(1200));
        assert_eq!(Cell::Text("1200.0".into()).whole().unwrap(), Some(1200));
        // Text is exact digit for digit, up to what the store holds.
        for (text, n) in [
            ("9007199254740993", 9007199254740993),
            ("9007199254740993.00", 9007199254740993),
            ("9223372036854775807", i64::MAX as u64),
        ] {
            assert_eq!(Cell::Text(text.into()).whole().unwrap(), Some(n), "{text}");
        }
        assert!(Cell::Text("9223372036854775808".into())
            .whole()
            .unwrap_err()
            .contains("too large"));
        assert!(Cell::Number(-3.0).whole().unwrap_err().contains("negative"));
        assert!(Cell::Number(2.5)
            .whole()
            .unwrap_err()
            .contains("not a whole number"));
        assert!(Cell::Text("1.2K".into())
            .whole()
            .unwrap_err()
            .contains("'1.2K'"));
        assert!(Cell::Number(1e300)
            .whole()
            .unwrap_err()
            .contains("too large"));
        assert!(Cell::Text("NaN".into()).whole().is_err());
    }

    #[test]
    fn flags_are_zero_or_one() {
        assert_eq!(Cell::Number(1.0).flag(false).unwrap(), Some(true));
        assert_eq!(Cell::Text("0".into()).flag(false).unwrap(), Some(false));
        assert_eq!(Cell::Bool(true).flag(true).unwrap(), Some(true));
        assert!(Cell::Bool(true).flag(false).is_err());
        assert!(Cell::Number(2.0)
            .flag(false)
            .unwrap_err()
            .contains("2 is not allowed"));
        assert!(Cell::Text("yes".into())
            .flag(false)
            .unwrap_err()
            .contains("'yes' is not allowed"));
        assert!(Cell::Number(0.5)
            .flag(false)
            .unwrap_err()
            .contains("0.5 is not allowed"));
    }
}
