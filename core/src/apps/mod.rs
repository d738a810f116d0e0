//! How TikTok and Instagram are driven on a phone.
//!
//! - [`catalogue`] holds the public facts about the apps' screens, per version,
//!   each with its source: what the packs and the simulator are written from;
//! - [`counts`] reads the numbers the apps print (`12.5K`, `1,234`, `3.1w`);
//! - [`pack`] holds the selector packs: each app's screens and controls as data;
//!   [`check`] reads a dumped screen through one (`Pack::check`);
//! - [`AppDriver`] walks an app's screens on a [`Device`](crate::device::Device):
//!   launch, who is logged in, log in (with 2FA), switch account, log out, read
//!   the profile; [`TikTok`] and [`Instagram`] make one for their app.

pub mod catalogue;
pub mod check;
pub mod counts;
pub mod driver;
pub mod instagram;
pub mod pack;
pub(crate) mod screen;
pub mod tiktok;

pub use catalogue::Catalogue;
pub use check::{FoundControl, ScreenCheck};
pub use driver::{AppDriver, LoginResult, Profile, Rejection};
pub use instagram::Instagram;
pub use pack::{Pack, Packs};
pub use tiktok::TikTok;

#[cfg(test)]
pub(crate) mod fixtures {
    //! Where the real-phone fixtures live for tests.

    use std::path::PathBuf;

    /// The repository's `fixtures/ui-dumps` folder (real dumps with their sources).
    pub(crate) fn ui_dumps_dir() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/ui-dumps"))
    }
}
