//! Which simulation runs for which [`AppKind`]: the one place apps are registered.

use std::collections::HashMap;

use farmhand::error::{Error, Result};

use super::app::SimApp;
use super::apps::{Instagram, TikTok};
use super::plain::PlainApp;
use super::scenario::{AppKind, AppSpec};

/// Builds the app a scenario's [`AppSpec`] asks for.
pub type AppConstructor = fn(&AppSpec) -> Box<dyn SimApp>;

/// The constructors of the simulated apps, by kind.
#[derive(Clone)]
pub struct AppCatalog {
    constructors: HashMap<AppKind, AppConstructor>,
}

impl AppCatalog {
    /// A catalog with no app at all (tests fill it with their own).
    pub fn empty() -> Self {
        AppCatalog {
            constructors: HashMap::new(),
        }
    }

    /// Every app farmhand simulates. Simulated apps register their constructor here.
    pub fn builtin() -> Self {
        let mut catalog = AppCatalog::empty();
        catalog.register(AppKind::Plain, PlainApp::boxed);
        catalog.register(AppKind::TikTok, TikTok::boxed);
        catalog.register(AppKind::Instagram, Instagram::boxed);
        catalog
    }

    /// Registers (or replaces) the constructor for `kind`; tests use this to plug in their own app.
    pub fn register(&mut self, kind: AppKind, constructor: AppConstructor) {
        self.constructors.insert(kind, constructor);
    }

    /// Builds the app for `spec`; a kind with no simulation is a validation error.
    pub fn build(&self, spec: &AppSpec) -> Result<Box<dyn SimApp>> {
        let constructor = self.constructors.get(&spec.kind).ok_or_else(|| {
            Error::validation(
                "apps.kind",
                format!(
                    "no simulated app is registered for kind {}",
                    spec.kind.as_str()
                ),
            )
        })?;
        Ok(constructor(spec))
    }
}

impl std::fmt::Debug for AppCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.constructors.keys().map(|k| k.as_str()).collect();
        kinds.sort_unstable();
        f.debug_struct("AppCatalog").field("kinds", &kinds).finish()
    }
}
