//! Simulated phones (cargo feature `sim`): a test bed that real ADB clients reach
//! exactly as they reach phones on the network, and a feature for users who
//! want to try scripts before they touch real phones.
//!
//! The layers, bottom up:
//! - [`ui`]: the view tree ([`ScreenNode`]) apps render into and its
//!   uiautomator XML form (1080x2400 screen);
//! - [`SimApp`]: the trait a simulated app implements (render a screen, react
//!   to taps, text, keys, launch and stop), with the [`AppContext`] it is given
//!   (the scenario's platform accounts, the phone's clock for TOTP, the UI
//!   language); apps are registered by kind in [`AppCatalog::builtin`];
//! - [`SimPhone`]: one phone's state (installed apps, screen, files, clock);
//! - [`Scenario`]: the simulated world (accounts, phones, apps, who is logged
//!   in where, latencies, faults), from JSON or built in code.

pub mod app;
pub mod apps;
pub mod catalog;
pub mod faults;
pub mod phone;
pub mod plain;
pub mod scenario;
pub mod ui;

pub use app::{AppContext, KeyCode, SimApp};
pub use catalog::{AppCatalog, AppConstructor};
pub use faults::Faults;
pub use phone::{Clock, SimPhone, IDLE_STATE_ERROR, LAUNCHER_PACKAGE};
pub use plain::PlainApp;
pub use scenario::{AppKind, AppSpec, Latency, PhoneSpec, PlatformAccount, Scenario};
pub use ui::{hierarchy_xml, Rect, ScreenNode, SCREEN_HEIGHT, SCREEN_WIDTH};
