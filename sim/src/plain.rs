//! A plain app: installed, launchable, one blank screen with its name.
//!
//! Stands for the apps of a phone that automation does not drive (Settings,
//! Chrome...), so `pm list packages`, `am start` and the launcher see them.

use super::app::{AppContext, KeyCode, SimApp};
use super::scenario::AppSpec;
use super::ui::{Rect, ScreenNode};

/// A launchable app with a single screen showing its label.
#[derive(Debug, Clone)]
pub struct PlainApp {
    package: String,
    label: String,
}

impl PlainApp {
    /// A plain app installed as `spec.package()`; its label is the last part of the package.
    pub fn new(spec: &AppSpec) -> Self {
        let package = spec.package().to_string();
        let label = package.rsplit('.').next().unwrap_or(&package);
        let mut chars = label.chars();
        let label = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => package.clone(),
        };
        PlainApp { package, label }
    }

    /// Boxed, as the [`AppCatalog`](super::AppCatalog) wants constructors.
    pub fn boxed(spec: &AppSpec) -> Box<dyn SimApp> {
        Box::new(PlainApp::new(spec))
    }
}

impl SimApp for PlainApp {
    fn package(&self) -> &str {
        &self.package
    }

    fn label(&self) -> &str {
        &self.label
    }

    fn activity(&self) -> String {
        ".MainActivity".into()
    }

    fn launch(&mut self, _ctx: &AppContext<'_>, _cold: bool) {}

    fn stop(&mut self, _ctx: &AppContext<'_>) {}

    fn render(&self, _ctx: &AppContext<'_>) -> ScreenNode {
        ScreenNode::new("android.widget.FrameLayout", &self.package)
            .bounds(Rect::screen())
            .child(
                ScreenNode::new("android.widget.TextView", &self.package)
                    .id(format!("{}:id/title", self.package))
                    .text(&self.label)
                    .bounds(Rect::new(0, 100, 1080, 250)),
            )
    }

    fn tap(&mut self, _ctx: &AppContext<'_>, _x: i32, _y: i32) {}

    fn input_text(&mut self, _ctx: &AppContext<'_>, _text: &str) {}

    fn key(&mut self, _ctx: &AppContext<'_>, _key: KeyCode) -> bool {
        false
    }

    fn logged_in(&self) -> Vec<String> {
        Vec::new()
    }
}
