//! Faults a simulated phone can be made to suffer, as real phones do.

use serde::{Deserialize, Serialize};

/// The faults of one phone (all off by default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// UI language other than `en` (e.g. `de`): apps render their texts in it,
    /// so automation that matches English texts only fails as it would on such a phone.
    #[serde(default)]
    pub language: Option<String>,
}
