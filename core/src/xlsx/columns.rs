//! The `accounts.xlsx` columns: their names, order, cell types, and the header row.
//!
//! Header names are matched trimmed and case-insensitively, in any order. Unknown
//! columns are reported and ignored; a known column named twice is an error,
//! because the importer could not tell which of the two cells to believe.

use crate::account::Platform;

/// One column of `accounts.xlsx`, in export order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// `id`: the store-assigned id (number).
    Id,
    /// `email` (text).
    Email,
    /// `pwd`: password, possibly with a `:SECRET` 2FA key (text), read by
    /// [`crate::secret::pwd`]'s rule; exports write `password:SECRET`.
    Pwd,
    /// `username`: the only required column (text).
    Username,
    /// `packagename`: clone-app package (text).
    PackageName,
    /// `device`: serial of the bound phone (text).
    Device,
    /// `device_index`: the device's friendly number; alone (no `device`), it
    /// binds the account to the registered phone with that number.
    DeviceIndex,
    /// `logined`: 1 logged in, 0 not (number).
    Logined,
    /// `status`: 0 enabled, 1 disabled (number).
    Status,
    /// `tags`: comma-separated labels (text).
    Tags,
    /// `nickname` (text, TikTok only).
    Nickname,
    /// `country` (text, TikTok only).
    Country,
    /// `followers` (number, TikTok only).
    Followers,
    /// `following` (number, TikTok only).
    Following,
    /// `hearts` (number, TikTok only).
    Hearts,
    /// `videos` (number, TikTok only).
    Videos,
    /// `friends` (number, TikTok only).
    Friends,
    /// `2fa` (also `totp`): the 2FA key, when a sheet has a column of its own
    /// for it (text). Imported only: exports write the key into `pwd`, the
    /// one place TikMatrix and IgMatrix read it.
    TwoFactor,
}

/// How many columns there are.
pub(crate) const COLUMN_COUNT: usize = 18;

impl Column {
    /// Every column: the TikTok export layout in order, then the import-only `2fa`.
    pub const ALL: [Column; COLUMN_COUNT] = [
        Column::Id,
        Column::Email,
        Column::Pwd,
        Column::Username,
        Column::PackageName,
        Column::Device,
        Column::DeviceIndex,
        Column::Logined,
        Column::Status,
        Column::Tags,
        Column::Nickname,
        Column::Country,
        Column::Followers,
        Column::Following,
        Column::Hearts,
        Column::Videos,
        Column::Friends,
        Column::TwoFactor,
    ];

    /// The columns a workspace of this platform exports and imports, in order:
    /// TikTok all of them, Instagram up to `tags`.
    pub fn for_platform(platform: Platform) -> &'static [Column] {
        match platform {
            Platform::TikTok => &Column::ALL[..=Column::Friends.index()],
            Platform::Instagram => &Column::ALL[..=Column::Tags.index()],
        }
    }

    /// The header name as written in the sheet.
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Email => "email",
            Column::Pwd => "pwd",
            Column::Username => "username",
            Column::PackageName => "packagename",
            Column::Device => "device",
            Column::DeviceIndex => "device_index",
            Column::Logined => "logined",
            Column::Status => "status",
            Column::Tags => "tags",
            Column::Nickname => "nickname",
            Column::Country => "country",
            Column::Followers => "followers",
            Column::Following => "following",
            Column::Hearts => "hearts",
            Column::Videos => "videos",
            Column::Friends => "friends",
            Column::TwoFactor => "2fa",
        }
    }

    /// Position in [`Column::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The column with this header name (trimmed, any case), if it is one of
    /// ours; `totp` is another name of `2fa`.
    pub fn from_header(name: &str) -> Option<Column> {
        let wanted = name.trim();
        if wanted.eq_ignore_ascii_case("totp") {
            return Some(Column::TwoFactor);
        }
        Column::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(wanted))
    }

    /// True for the profile-stat columns that only TikTok imports.
    pub fn is_stat(self) -> bool {
        (Column::Nickname..=Column::Friends).contains(&self)
    }
}

/// Where each known column sits in a sheet, as read from its header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderMap {
    /// Sheet column (0-based) of each known column, indexed by [`Column::index`].
    positions: [Option<u32>; COLUMN_COUNT],
    /// Headers that name no known column, as written, with their sheet column.
    pub(crate) unknown: Vec<(u32, String)>,
}

impl HeaderMap {
    /// Maps a header row given as (0-based sheet column, header text) pairs.
    ///
    /// Blank header cells are ignored. Errors name the duplicate or missing column.
    pub(crate) fn from_cells(cells: &[(u32, String)]) -> Result<HeaderMap, String> {
        let mut positions = [None; COLUMN_COUNT];
        let mut unknown = Vec::new();
        for (col, text) in cells {
            if text.trim().is_empty() {
                continue;
            }
            match Column::from_header(text) {
                Some(column) => {
                    if let Some(first) = positions[column.index()] {
                        return Err(format!(
                            "the header names column '{}' twice (columns {} and {}); \
                             remove or rename one of them",
                            column.name(),
                            column_letters(first),
                            column_letters(*col)
                        ));
                    }
                    positions[column.index()] = Some(*col);
                }
                None => unknown.push((*col, text.trim().to_string())),
            }
        }
        if positions[Column::Username.index()].is_none() {
            return Err(
                "the header row has no 'username' column (the one required column)".to_string(),
            );
        }
        Ok(HeaderMap { positions, unknown })
    }

    /// A map for the legacy text layout, where these columns are present in this order.
    pub(crate) fn with_columns(columns: &[Column]) -> HeaderMap {
        let mut positions = [None; COLUMN_COUNT];
        for (at, column) in columns.iter().enumerate() {
            positions[column.index()] = Some(at as u32);
        }
        HeaderMap {
            positions,
            unknown: Vec::new(),
        }
    }

    /// The known columns the sheet has, in sheet order.
    pub(crate) fn present(&self) -> Vec<Column> {
        let mut present: Vec<(u32, Column)> = Column::ALL
            .into_iter()
            .filter_map(|c| self.positions[c.index()].map(|at| (at, c)))
            .collect();
        present.sort();
        present.into_iter().map(|(_, c)| c).collect()
    }

    /// True when the sheet has this column.
    pub(crate) fn has(&self, column: Column) -> bool {
        self.positions[column.index()].is_some()
    }

    /// The known column at this sheet column, if any.
    pub(crate) fn column_at(&self, sheet_col: u32) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| self.positions[c.index()] == Some(sheet_col))
    }

    /// A lookup table from sheet column to known column, for fast row reading.
    pub(crate) fn lookup(&self) -> Vec<Option<Column>> {
        let width = self
            .positions
            .iter()
            .flatten()
            .max()
            .map_or(0, |&m| m as usize + 1);
        (0..width as u32).map(|c| self.column_at(c)).collect()
    }
}

/// Spreadsheet letters of a 0-based column: 0 → `A`, 26 → `AA`.
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<(u32, String)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32, n.to_string()))
            .collect()
    }

    #[test]
    fn headers_match_trimmed_in_any_case_and_order() {
        let map =
            HeaderMap::from_cells(&header(&[" Status", "USERNAME ", "notes", "Pwd"])).unwrap();
        assert!(map.has(Column::Username) && map.has(Column::Status) && map.has(Column::Pwd));
        assert!(!map.has(Column::Email));
        assert_eq!(map.column_at(1), Some(Column::Username));
        assert_eq!(map.unknown, vec![(2, "notes".to_string())]);
        assert_eq!(
            map.lookup(),
            vec![
                Some(Column::Status),
                Some(Column::Username),
                None,
                Some(Column::Pwd)
            ]
        );
    }

    #[test]
    fn a_header_without_username_is_refused() {
        let err = HeaderMap::from_cells(&header(&["id", "email", "pwd"])).unwrap_err();
        assert!(err.contains("'username'"), "{err}");
    }

    #[test]
    fn a_known_column_named_twice_is_refused_with_both_letters() {
        let err = HeaderMap::from_cells(&header(&["username", "email", "x", "Email"])).unwrap_err();
        assert!(err.contains("'email' twice (columns B and D)"), "{err}");
    }

    #[test]
    fn platform_layouts() {
        let names: Vec<_> = Column::for_platform(Platform::Instagram)
            .iter()
            .map(|c| c.name())
            .collect();
        assert_eq!(
            names,
            [
                "id",
                "email",
                "pwd",
                "username",
                "packagename",
                "device",
                "device_index",
                "logined",
                "status",
                "tags"
            ]
        );
        assert_eq!(Column::for_platform(Platform::TikTok).len(), 17);
        let tiktok = Column::for_platform(Platform::TikTok);
        assert_eq!(tiktok.last().unwrap().name(), "friends");
        assert!(!tiktok.contains(&Column::TwoFactor));
        assert!(Column::Nickname.is_stat() && !Column::Tags.is_stat());
        assert!(Column::Friends.is_stat() && !Column::TwoFactor.is_stat());
    }

    #[test]
    fn a_two_factor_column_is_recognised_by_either_name() {
        for name in ["2fa", " 2FA ", "totp", "TOTP"] {
            assert_eq!(Column::from_header(name), Some(Column::TwoFactor), "{name}");
        }
        let err = HeaderMap::from_cells(&header(&["username", "2fa", "totp"])).unwrap_err();
        assert!(err.contains("'2fa' twice"), "{err}");
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16383), "XFD");
    }
}
