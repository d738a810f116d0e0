//! farmhand: the account-management engine for Android phone farms.
//!
//! It keeps a fleet of TikTok and Instagram accounts in step with the phones they
//! run on: the roster ([`account`]), credentials with authenticator 2FA
//! ([`secret`]), storage ([`store`]), `accounts.xlsx` import/export ([`xlsx`]),
//! automation on the phones over ADB ([`device`], [`apps`], [`ops`]), and
//! profile numbers from TikTok's public web pages ([`web`]).
//! [`Workspace`] is the front door.

#![warn(missing_docs)]

pub mod account;
pub mod apps;
pub mod device;
pub mod error;
pub mod ops;
pub mod secret;
pub mod store;
mod text;
pub mod web;
pub mod workspace;
pub mod xlsx;

pub use account::{
    Account, AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Status, Timestamp,
    Username,
};
pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;
pub use workspace::Workspace;

/// A hash map with a fast hasher for large internal tables, seeded per process
/// (imported files choose the keys, so the seed must not be guessable).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The README's code blocks, compiled and run as doctests so the quick start stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
