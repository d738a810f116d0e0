//! What a workbook may make the reader inflate and hold, whatever it claims.
//!
//! Every XML part calamine reads passes through a [`Guard`](super::guard::Guard)
//! as it is inflated, before calamine sees a byte of it, and is refused (a
//! [`Refused`] error naming the part, and the row where there is one) when:
//! - it inflates to more than its limit ([`part_limit`]): worksheets 1 GiB (a
//!   1,000,000-account export is about 500 MiB), the shared strings 128 MiB
//!   (calamine holds them all), any other part 64 MiB;
//! - a cell (`<c>`) or shared string (`<si>`) takes more than [`MAX_CELL_BYTES`]
//!   of XML: Excel holds at most 32,767 characters in a cell, and calamine
//!   builds each cell whole, ignored columns included;
//! - any other stretch of XML between two `<` (whitespace, a text node, a tag, a
//!   comment) is longer than [`MAX_RUN_BYTES`]: the XML reader buffers each whole;
//! - it declares a document type (no workbook part has one);
//! - its shared-strings table holds or claims (`uniqueCount`, which calamine
//!   reserves room for up front) more than [`MAX_SHARED_STRINGS`] strings, or
//!   claims more than its size can hold;
//! - a cell refers to a shared string that is not in the table, or by an index
//!   that is not a plain number (calamine reads `-1` as string 0).
//!
//! The worst file then costs a few chunks of inflated bytes, one cell, and the
//! shared strings (bounded by their count and their part's size).

use std::fmt;

/// Most bytes of XML one cell or shared string may take (Excel's 32,767
/// characters, each escaped as up to 6 bytes, and the cell's markup).
pub(crate) const MAX_CELL_BYTES: u64 = 256 << 10;

/// Most strings a shared-strings table may hold: four a row of the largest
/// import ([`super::DEFAULT_MAX_ROWS`]). calamine keeps each as a `String`
/// (24 bytes, and its text), so this bounds the table's memory with the part's
/// size: about 280 MiB at worst.
pub(crate) const MAX_SHARED_STRINGS: u64 = 4_000_000;

/// Most bytes of XML between two `<` outside a cell.
pub(crate) const MAX_RUN_BYTES: u64 = 256 << 10;

/// The limit on the inflated size of the part named `name`.
pub(crate) fn part_limit(name: &str) -> u64 {
    if is_shared_strings(name) {
        128 << 20
    } else if name.contains("worksheets/") {
        1 << 30
    } else {
        64 << 20
    }
}

/// True for the parts the XML checks apply to (the only parts calamine reads).
pub(crate) fn is_xml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels")
}

/// True for the shared-strings part.
pub(crate) fn is_shared_strings(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("sharedstrings.xml")
}

/// A part refused by a limit or check, with the part's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// The part, as named in the archive.
    pub(crate) part: String,
    /// What is wrong, naming the row where there is one.
    pub(crate) what: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "part {}: {}", self.part, self.what)
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for std::io::Error {
    fn from(e: Refused) -> Self {
        std::io::Error::other(e)
    }
}

/// The [`Refused`] an error carries, if it does: the error itself, or an I/O
/// error wrapping it anywhere along its chain of causes.
pub(crate) fn refused<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e Refused> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r);
        }
        let io = e.downcast_ref::<std::io::Error>().or_else(|| {
            e.downcast_ref::<std::sync::Arc<std::io::Error>>()
                .map(|a| &**a)
        });
        cause = match io.and_then(std::io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}
