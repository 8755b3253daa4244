//! What the reader asks the store to do. The app only describes a change (an [`Op`]); the
//! run loop applies it to the file with [`apply`], all ops of one batch under one lock.

use std::time::SystemTime;

use super::model::Item;
use super::state::State;
use super::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Create {
        name: String,
    },
    Activate {
        name: String,
    },
    Rename {
        old: String,
        new: String,
    },
    Delete {
        name: String,
    },
    SetTick {
        migration: String,
        item: Item,
        done: bool,
    },
    Reattach {
        migration: String,
        orphan: String,
        target: Item,
    },
    Discard {
        migration: String,
        tick: String,
    },
    /// Where the reader was and what it read (merged, never replacing other sessions').
    Reading(super::reading::Reading),
}

/// The state after a successful batch, and anything the user should be told.
pub struct Applied {
    pub state: State,
    pub notices: Vec<String>,
}

/// Applies a batch atomically: either every op is written, or none is.
pub fn apply(
    store: &mut Store,
    set: &str,
    ops: &[Op],
    now: SystemTime,
) -> Result<Applied, StoreError> {
    // The migrations whose ticks the batch reads or changes are loaded first.
    let load: Vec<(&str, &str)> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Create { .. } | Op::Activate { .. } | Op::Delete { .. } | Op::Reading(_) => None,
            Op::Rename { old, .. } => Some(old.as_str()),
            Op::SetTick { migration, .. }
            | Op::Reattach { migration, .. }
            | Op::Discard { migration, .. } => Some(migration.as_str()),
        })
        .map(|m| (set, m))
        .collect();
    let updated = store.update_loading(&load, |state: &mut State| -> Result<(), StoreError> {
        for op in ops {
            match op {
                Op::Create { name } => state.create_migration(set, name, now)?,
                Op::Activate { name } => state.set_active(set, name)?,
                Op::Rename { old, new } => state.rename_migration(set, old, new, now)?,
                Op::Delete { name } => {
                    state.delete_migration(set, name)?;
                }
                Op::SetTick {
                    migration,
                    item,
                    done,
                } => {
                    state.set_tick(set, migration, item, *done, now)?;
                }
                Op::Reattach {
                    migration,
                    orphan,
                    target,
                } => state.reattach(set, migration, orphan, target, now)?,
                Op::Discard { migration, tick } => {
                    state.discard(set, migration, tick, now)?;
                }
                Op::Reading(r) => state.merge_reading(set, r),
            }
        }
        Ok(())
    })?;
    Ok(Applied {
        state: updated.state,
        notices: updated.notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Catalog;
    use crate::content::GuideSet;

    #[test]
    fn a_batch_creates_activates_and_ticks_in_one_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let mut store = Store::open(&path).store;
        let catalog = Catalog::from_set(&GuideSet::bundled());
        let item = catalog.items()[0].clone();
        let ops = [
            Op::Create {
                name: "auth-service".into(),
            },
            Op::Activate {
                name: "auth-service".into(),
            },
            Op::SetTick {
                migration: "auth-service".into(),
                item: item.clone(),
                done: true,
            },
        ];
        let applied = apply(&mut store, "bundled", &ops, SystemTime::now()).expect("saved");
        assert!(
            applied
                .state
                .is_ticked("bundled", "auth-service", &item.id, false)
        );
        assert_eq!(
            applied.state.active_migration("bundled"),
            Some("auth-service")
        );
        let reread = Store::open(&path).state;
        assert!(reread.is_ticked("bundled", "auth-service", &item.id, false));
    }

    #[test]
    fn a_failing_op_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let mut store = Store::open(&path).store;
        let catalog = Catalog::from_set(&GuideSet::bundled());
        let item = catalog.items()[0].clone();
        let ops = [
            Op::Create { name: "a".into() },
            Op::SetTick {
                migration: "missing".into(),
                item,
                done: true,
            },
        ];
        assert!(apply(&mut store, "bundled", &ops, SystemTime::now()).is_err());
        assert!(
            Store::open(&path)
                .state
                .migration_names("bundled")
                .is_empty()
        );
    }
}
