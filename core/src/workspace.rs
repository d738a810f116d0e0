//! [`Workspace`]: the front door to the engine.

use std::sync::Arc;

use crate::store::AccountStore;

/// A roster of accounts and devices backed by one store.
///
/// Cheap to clone (the store is shared); safe to use from many threads.
#[derive(Clone)]
pub struct Workspace {
    store: Arc<dyn AccountStore>,
}

impl Workspace {
    /// A workspace over any store.
    pub fn with_store(store: Arc<dyn AccountStore>) -> Self {
        Workspace { store }
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }
}
