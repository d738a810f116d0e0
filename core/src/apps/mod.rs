//! How TikTok and Instagram are driven on a phone.
//!
//! [`counts`] reads the numbers the apps print.

pub mod counts;

#[cfg(test)]
pub(crate) mod fixtures {
    //! Where the shared real-phone fixtures live for tests.

    use std::path::PathBuf;

    /// The `shared/fixtures/ui-dumps` folder: beside the repository (CI) or
    /// beside one of its parent folders (a worktree). Panics loudly if missing.
    pub(crate) fn ui_dumps_dir() -> PathBuf {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        manifest
            .ancestors()
            .map(|dir| dir.join("shared/fixtures/ui-dumps"))
            .find(|dir| dir.is_dir())
            .unwrap_or_else(|| {
                panic!(
                    "shared/fixtures/ui-dumps not found beside any parent of {}",
                    manifest.display()
                )
            })
    }
}
