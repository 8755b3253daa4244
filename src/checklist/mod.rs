//! Checklists: which task items a migration has ticked, and where that is kept.
//!
//! - [`model`]: pure; item ids, the catalog of a guide set's items, progress roll-ups,
//!   orphan detection.
//! - [`state`]: the in-memory state and every operation on it (tick, migrations, active).
//! - [`store`]: the files: open, load a migration's ticks, and `update` = lock + re-read
//!   what changed + change + atomic writes.
//! - [`log`]: a migration's file, one tick event per line, merged by git line by line.
//! - [`safe_fs`]: reading and writing in a state folder that may hold hostile links.
//! - [`orphans`]: where an orphaned tick probably belongs now.
//! - [`location`]: which file (flag, env, team file, user default) and the default
//!   migration name.
//!
//! A reader session: `Store::open(location.path)` reads the index and each set's active
//! migration (`Store::load_migration`/`load_set` read others), `Catalog::from_set(&set)`,
//! draw with `state.is_ticked(..)` and `catalog.rollup(..)`, and on a toggle
//! `ops::apply` (→ `store.update_loading`), keeping the returned state (it includes other
//! processes' ticks).

mod author;
mod format;
pub mod location;
pub mod log;
pub mod model;
mod naming;
pub mod ops;
pub mod orphans;
mod personal;
pub mod reading;
pub mod safe_fs;
pub mod state;
pub mod store;
mod upgrade;

pub use location::{Location, Source, default_migration_name};
pub use model::{Catalog, Item, Progress, Rollup};
pub use state::{Migration, MigrationSummary, SetState, State, StateError, Tick};
pub use store::{Opened, Store, StoreError, Updated};
