//! farmhand-sim: simulated phones, a test bed that real ADB clients reach
//! exactly as they reach phones on the network, and a feature for users who
//! want to try scripts before they touch real ones.
//!
//! The layers, bottom up:
//! - [`ui`]: the view tree ([`ScreenNode`]) apps render into and its
//!   uiautomator XML form (1080x2400 screen);
//! - [`SimApp`]: the trait a simulated app implements (render a screen, react
//!   to taps, text, keys, launch and stop), with the [`AppContext`] it is given
//!   (the scenario's platform accounts, the phone's clock for TOTP, the UI
//!   language); apps are registered by kind in [`AppCatalog::builtin`];
//! - [`SimPhone`]: one phone's state (installed apps, screen, files, clock,
//!   faults) and its [`shell`] (the command language of `adb shell`);
//! - [`protocol`], `transport`, `services`, `sync`: the device side of the ADB
//!   protocol over TCP;
//! - [`SimFleet`]: phones listening on 127.0.0.1 ports, built from a
//!   [`Scenario`] (accounts, phones, apps, who is logged in where, latencies,
//!   [`Faults`]);
//! - [`AdbServer`]: the real `adb` server on a private port, to reach them as
//!   real phones are reached; [`LocalDriver`]: the same phones in process;
//! - [`ProfilePages`]: TikTok's public profile pages for the same accounts,
//!   on a local HTTP port, with faults ([`web`]);
//! - [`serve()`]: phones registered with a running adb server until stopped
//!   (the `sim-phones` example: `cargo run -p farmhand-sim
//!   --example sim-phones -- --phones 3`).
//!
//! ```no_run
//! use farmhand_sim::{AdbServer, Scenario, SimFleet};
//! let fleet = SimFleet::start(&Scenario::with_phones(3))?;
//! let adb = AdbServer::start()?;
//! for serial in fleet.serials() {
//!     adb.connect(&serial)?;
//! }
//! let out = adb.run(&["-s", &fleet.serials()[0], "shell", "getprop ro.product.model"])?;
//! assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Pixel 7");
//! # Ok::<(), farmhand::Error>(())
//! ```

#![warn(missing_docs)]

pub mod adb_server;
pub mod app;
pub mod apps;
pub mod catalog;
pub mod faults;
pub mod fleet;
mod link;
pub mod local;
pub mod phone;
pub mod plain;
pub mod protocol;
pub mod scenario;
pub mod serve;
pub mod services;
pub mod shell;
mod sync;
mod transport;
pub mod ui;
pub mod web;

pub use adb_server::AdbServer;
pub use app::{AppContext, KeyCode, SimApp};
pub use catalog::{AppCatalog, AppConstructor};
pub use faults::Faults;
pub use fleet::SimFleet;
pub use local::{LocalDevice, LocalDriver};
pub use phone::{Clock, SimPhone, IDLE_STATE_ERROR, LAUNCHER_PACKAGE};
pub use plain::PlainApp;
pub use scenario::{AppKind, AppSpec, Latency, PhoneSpec, PlatformAccount, Scenario};
pub use serve::{serve, ServeOptions, Serving};
pub use shell::Outcome;
pub use ui::{hierarchy_xml, Rect, ScreenNode, SCREEN_HEIGHT, SCREEN_WIDTH};
pub use web::{PageFault, PageProfile, ProfilePages};
