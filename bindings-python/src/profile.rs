//! Profile fields (`nickname`, `country`, `followers`, `following`, `hearts`,
//! `videos`, `friends`) as `Workspace.add` and `Workspace.update` take them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

use farmhand::ProfileStats;

use crate::errors::Error;

/// The profile fields, in the order messages list them.
pub const FIELDS: [&str; 7] = [
    "nickname",
    "country",
    "followers",
    "following",
    "hearts",
    "videos",
    "friends",
];

/// Profile fields given by a caller: each `Some` is the new value (`Some(None)`
/// clears the field), each `None` leaves the field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    nickname: Option<Option<String>>,
    country: Option<Option<String>>,
    followers: Option<Option<u64>>,
    following: Option<Option<u64>>,
    hearts: Option<Option<u64>>,
    videos: Option<Option<u64>>,
    friends: Option<Option<u64>>,
}

impl ProfileChanges {
    /// Records `field = value`; `Ok(false)` when `field` is not a profile field.
    /// A text must be a `str`, a count an `int` (not a `bool`) from 0 to 2^63-1;
    /// `None` clears either.
    pub fn set(&mut self, field: &str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        let slot = match field {
            "nickname" => {
                self.nickname = Some(text(field, value)?);
                return Ok(true);
            }
            "country" => {
                self.country = Some(text(field, value)?);
                return Ok(true);
            }
            "followers" => &mut self.followers,
            "following" => &mut self.following,
            "hearts" => &mut self.hearts,
            "videos" => &mut self.videos,
            "friends" => &mut self.friends,
            _ => return Ok(false),
        };
        *slot = Some(count(field, value)?);
        Ok(true)
    }

    /// True when no profile field was given.
    pub fn is_empty(&self) -> bool {
        *self == ProfileChanges::default()
    }

    /// `stats` with the given fields replaced.
    pub fn apply(&self, stats: ProfileStats) -> ProfileStats {
        fn pick<T: Clone>(given: &Option<Option<T>>, old: Option<T>) -> Option<T> {
            given.clone().unwrap_or(old)
        }
        ProfileStats {
            nickname: pick(&self.nickname, stats.nickname),
            country: pick(&self.country, stats.country),
            followers: pick(&self.followers, stats.followers),
            following: pick(&self.following, stats.following),
            hearts: pick(&self.hearts, stats.hearts),
            videos: pick(&self.videos, stats.videos),
            friends: pick(&self.friends, stats.friends),
            synced_at: stats.synced_at,
        }
    }
}

fn text(field: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if value.is_none() {
        return Ok(None);
    }
    if !value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "argument '{field}' must be a str or None, not {}",
            type_name(value)
        )));
    }
    value.extract().map(Some)
}

fn count(field: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    if value.is_none() {
        return Ok(None);
    }
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "argument '{field}' must be an int or None, not {}",
            type_name(value)
        )));
    }
    match value.extract::<u64>() {
        Ok(n) if n <= i64::MAX as u64 => Ok(Some(n)),
        _ => Err(Error(farmhand::Error::validation(
            field,
            format!("must be a whole number from 0 to {}", i64::MAX),
        ))
        .into()),
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".into(), |n| n.to_string())
}
