//! The state kept for checklists, in memory: per guide set, named migrations with their
//! ticks, and which migration is active. Every operation here is pure; `store` reads and
//! writes it. Unknown fields at every level are carried in `extra`, so a newer devguide's
//! additions survive a rewrite by this one.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::SystemTime;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::model::Item;

/// The version this build writes. Version 3 keeps an index in the state file and each
/// migration's changes in a log of its own that git merges line by line (see `log`);
/// version 2 had the same index with a JSON object of ticks per migration; version 1 kept
/// everything in one file, version 0 was the unversioned shape of the first builds.
pub const VERSION: u64 = 3;

/// The first version with an index and one file per migration.
pub const FIRST_INDEX: u64 = 2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    pub version: u64,
    /// Keyed by `GuideSet::identity()`, so two guide sets never mix.
    #[serde(default)]
    pub sets: BTreeMap<String, SetState>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: VERSION,
            sets: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SetState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    #[serde(default)]
    pub migrations: BTreeMap<String, Migration>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A migration. `created` and `extra` live in the state file's index; `updated`, `ticks`
/// and `file_extra` in the migration's own file, which is read only when needed: until
/// then the migration is not [loaded](Migration::is_loaded), its ticks are unknown (shown
/// empty) and every change to them is refused, so an unread file is never overwritten.
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// RFC 3339 UTC.
    #[serde(default)]
    pub created: String,
    /// RFC 3339 UTC of the last change, including unticks that leave no record.
    #[serde(default)]
    pub updated: String,
    /// Keyed by item id (see `model::item_id`).
    #[serde(default)]
    pub ticks: Ticks,
    /// Unknown fields of the migration's index entry.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
    /// Unknown fields of the migration's own file, kept apart so each goes back where it
    /// came from.
    #[serde(skip)]
    pub file_extra: BTreeMap<String, Value>,
    #[serde(skip)]
    pub(crate) loaded: bool,
    /// The events of its file (version 3), oldest line first: who changed what, when.
    #[serde(skip)]
    pub log: super::log::Log,
}

impl Default for Migration {
    fn default() -> Self {
        Migration {
            created: String::new(),
            updated: String::new(),
            ticks: Ticks::default(),
            extra: BTreeMap::new(),
            file_extra: BTreeMap::new(),
            loaded: true,
            log: Default::default(),
        }
    }
}

/// Two migrations are equal when what is known of them is: the index fields, and the
/// file's content when both were read.
impl PartialEq for Migration {
    fn eq(&self, other: &Migration) -> bool {
        self.created == other.created
            && self.extra == other.extra
            && self.loaded == other.loaded
            && (!self.loaded
                || (self.updated == other.updated
                    && self.ticks == other.ticks
                    && self.file_extra == other.file_extra))
    }
}

/// The user's decision on one item. `done: false` is kept only where it differs from the
/// markdown default (an item written `[x]` and unticked).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub done: bool,
    /// When it was made, RFC 3339 UTC.
    pub at: String,
    /// The item's text then, so an orphaned tick can still be recognised.
    #[serde(default)]
    pub text: String,
    /// Who made it, from the migration's log; empty when not known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A migration's ticks, shared behind an `Arc`. The store keeps the state it last read or
/// wrote and hands a copy back on every update; with 100,000 ticks a deep clone would
/// cost more than the whole toggle budget, so a clone copies one pointer per migration
/// and a change copies only the migration it touches (`Arc::make_mut`). Reads and
/// writes go through `Deref`/`DerefMut` to the map, so it is used like a `BTreeMap`.
#[derive(Debug, Clone, Default)]
pub struct Ticks(Arc<BTreeMap<String, Tick>>);

impl Ticks {
    /// Whether both share the same records: then they are equal without a comparison,
    /// which is how the store tells that a migration's text need not be rendered again.
    pub fn ptr_eq(&self, other: &Ticks) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Ticks {
    type Target = BTreeMap<String, Tick>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Ticks {
    fn deref_mut(&mut self) -> &mut Self::Target {
        Arc::make_mut(&mut self.0)
    }
}

impl PartialEq for Ticks {
    fn eq(&self, other: &Ticks) -> bool {
        self.ptr_eq(other) || *self.0 == *other.0
    }
}

impl From<BTreeMap<String, Tick>> for Ticks {
    fn from(map: BTreeMap<String, Tick>) -> Ticks {
        Ticks(Arc::new(map))
    }
}

impl FromIterator<(String, Tick)> for Ticks {
    fn from_iter<I: IntoIterator<Item = (String, Tick)>>(iter: I) -> Ticks {
        Ticks::from(iter.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl<'a> IntoIterator for &'a Ticks {
    type Item = (&'a String, &'a Tick);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Tick>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Ticks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Ticks {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ticks, D::Error> {
        BTreeMap::deserialize(d).map(Ticks::from)
    }
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Hand-written `Deserialize` for the four record types: known fields are read directly
/// and any other key goes to `extra`. `#[serde(flatten)]` would do the same but buffers
/// every record (and so the whole file) into an intermediate tree first, which made
/// loading a large state file several times slower.
macro_rules! record_deserialize {
    ($ty:ident, $what:literal, |$map:ident, $key:ident, $extra:ident| { $($field:ident : $fty:ty = $name:literal),* $(,)? } => $build:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$ty, A::Error> {
                        $(let mut $field: Option<$fty> = None;)*
                        let mut $extra: BTreeMap<String, Value> = BTreeMap::new();
                        while let Some(Key($key)) = $map.next_key::<Key<'de>>()? {
                            match $key.as_ref() {
                                $($name => $field = Some($map.next_value()?),)*
                                _ => {
                                    let value: Value = $map.next_value()?;
                                    $extra.insert($key.into_owned(), value);
                                }
                            }
                        }
                        $build
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

pub(crate) use record_deserialize;

record_deserialize!(Tick, "a tick record", |map, key, extra| {
    done: bool = "done",
    at: String = "at",
    text: String = "text",
    by: String = "by",
} => Ok(Tick {
    done: done.ok_or_else(|| de::Error::missing_field("done"))?,
    at: at.ok_or_else(|| de::Error::missing_field("at"))?,
    text: text.unwrap_or_default(),
    by: by.unwrap_or_default(),
    extra,
}));

record_deserialize!(Migration, "a migration", |map, key, extra| {
    created: String = "created",
    updated: String = "updated",
    ticks: Ticks = "ticks",
} => Ok(Migration {
    created: created.unwrap_or_default(),
    updated: updated.unwrap_or_default(),
    ticks: ticks.unwrap_or_default(),
    extra,
    file_extra: BTreeMap::new(),
    loaded: true,
    log: Default::default(),
}));

record_deserialize!(SetState, "a guide set's checklist state", |map, key, extra| {
    active: Option<String> = "active",
    migrations: BTreeMap<String, Migration> = "migrations",
} => Ok(SetState {
    active: active.flatten(),
    migrations: migrations.unwrap_or_default(),
    extra,
}));

record_deserialize!(State, "a checklist state", |map, key, extra| {
    version: u64 = "version",
    sets: BTreeMap<String, SetState> = "sets",
} => Ok(State {
    version: version.ok_or_else(|| de::Error::missing_field("version"))?,
    sets: sets.unwrap_or_default(),
    extra,
}));

impl Tick {
    pub fn at_time(&self) -> Option<SystemTime> {
        humantime::parse_rfc3339_weak(&self.at).ok()
    }
}

impl Migration {
    /// Whether its ticks were read (or it is new); see [`Migration`].
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// The latest of its creation, last change and tick times.
    pub fn last_change(&self) -> Option<SystemTime> {
        std::iter::once(&self.created)
            .chain(std::iter::once(&self.updated))
            .chain(self.ticks.values().map(|t| &t.at))
            .filter_map(|s| humantime::parse_rfc3339_weak(s).ok())
            .max()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("no migration named {name:?}; {}", existing_list(.existing))]
    UnknownMigration { name: String, existing: Vec<String> },
    #[error("a migration named {0:?} already exists")]
    MigrationExists(String),
    #[error("{0:?} is not a usable migration name: {1}")]
    BadName(String, &'static str),
    #[error("no tick stored under {0:?}")]
    NoSuchTick(String),
    #[error("{target:?} is already ticked; discard one of the two ticks instead")]
    TargetTicked { target: String },
    /// A change to a migration whose file was not read: refused so that its ticks on
    /// disk are never replaced by an empty set. The store loads what a change needs.
    #[error("the ticks of migration {0:?} were not read yet; nothing was changed")]
    NotLoaded(String),
}

fn existing_list(existing: &[String]) -> String {
    if existing.is_empty() {
        "there are no migrations yet (create one with `devguide checklist new NAME`)".to_string()
    } else {
        format!("existing: {}", existing.join(", "))
    }
}

/// A migration as listed: name, whether active, last change.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationSummary {
    pub name: String,
    pub active: bool,
    pub created: Option<SystemTime>,
    pub last_change: Option<SystemTime>,
}

/// RFC 3339 UTC, to the second. A clock outside what the format can hold (before 1970,
/// after 9999) is clamped to its ends instead of panicking: a broken clock must not
/// cost a tick.
pub fn timestamp(t: SystemTime) -> String {
    // 9999-12-31T23:59:59Z.
    const LAST: u64 = 253_402_300_799;
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().min(LAST));
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}

/// Names are free-form (`auth-service`, `tests/unit`, `PR-1234`) but must be printable.
pub fn check_name(name: &str) -> Result<(), StateError> {
    let bad = |why| Err(StateError::BadName(name.to_string(), why));
    if name.trim().is_empty() {
        return bad("it is empty");
    }
    if name.trim() != name {
        return bad("it starts or ends with spaces");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    if name.chars().count() > 200 {
        return bad("it is longer than 200 characters");
    }
    Ok(())
}

impl State {
    pub fn set_state(&self, set: &str) -> Option<&SetState> {
        self.sets.get(set)
    }

    pub fn migration(&self, set: &str, name: &str) -> Option<&Migration> {
        self.sets.get(set)?.migrations.get(name)
    }

    /// Migration names of a set, sorted.
    pub fn migration_names(&self, set: &str) -> Vec<String> {
        self.sets
            .get(set)
            .map(|s| s.migrations.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The migration, loaded or not: for changes that leave its ticks alone.
    fn entry_mut(&mut self, set: &str, name: &str) -> Result<&mut Migration, StateError> {
        let existing = self.migration_names(set);
        self.sets
            .get_mut(set)
            .and_then(|s| s.migrations.get_mut(name))
            .ok_or(StateError::UnknownMigration {
                name: name.to_string(),
                existing,
            })
    }

    /// The migration, for a change to its ticks: only when they were read.
    fn migration_mut(&mut self, set: &str, name: &str) -> Result<&mut Migration, StateError> {
        let m = self.entry_mut(set, name)?;
        if !m.loaded {
            return Err(StateError::NotLoaded(name.to_string()));
        }
        Ok(m)
    }

    /// Names of a set's migrations whose ticks were not read yet.
    pub fn unloaded(&self, set: &str) -> Vec<String> {
        self.sets
            .get(set)
            .map(|s| {
                s.migrations
                    .iter()
                    .filter(|(_, m)| !m.loaded)
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Migrations of a set with their last change, sorted by name.
    pub fn migrations(&self, set: &str) -> Vec<MigrationSummary> {
        let Some(s) = self.sets.get(set) else {
            return Vec::new();
        };
        s.migrations
            .iter()
            .map(|(name, m)| MigrationSummary {
                name: name.clone(),
                active: s.active.as_deref() == Some(name),
                created: humantime::parse_rfc3339_weak(&m.created).ok(),
                last_change: m.last_change(),
            })
            .collect()
    }

    /// The stored decision on an item, if any.
    pub fn tick(&self, set: &str, migration: &str, item_id: &str) -> Option<&Tick> {
        self.migration(set, migration)?.ticks.get(item_id)
    }

    /// Whether an item is done in a migration: the user's tick, else the markdown default.
    pub fn is_ticked(&self, set: &str, migration: &str, item_id: &str, default: bool) -> bool {
        self.tick(set, migration, item_id)
            .map_or(default, |t| t.done)
    }

    /// Ticks (`done`) or unticks an item. Returns whether anything changed; re-ticking
    /// keeps the original tick time.
    pub fn set_tick(
        &mut self,
        set: &str,
        migration: &str,
        item: &Item,
        done: bool,
        now: SystemTime,
    ) -> Result<bool, StateError> {
        let m = self.migration_mut(set, migration)?;
        let current = m.ticks.get(&item.id).map(|t| t.done);
        if current.unwrap_or(item.default_checked) == done && (current.is_some() || !done) {
            return Ok(false);
        }
        if !done && !item.default_checked {
            m.ticks.remove(&item.id);
        } else {
            let extra = m
                .ticks
                .remove(&item.id)
                .map(|t| t.extra)
                .unwrap_or_default();
            m.ticks.insert(
                item.id.clone(),
                Tick {
                    done,
                    at: timestamp(now),
                    text: item.text.clone(),
                    by: String::new(),
                    extra,
                },
            );
        }
        m.updated = timestamp(now);
        Ok(true)
    }

    pub fn create_migration(
        &mut self,
        set: &str,
        name: &str,
        now: SystemTime,
    ) -> Result<(), StateError> {
        check_name(name)?;
        let s = self.sets.entry(set.to_string()).or_default();
        if s.migrations.contains_key(name) {
            return Err(StateError::MigrationExists(name.to_string()));
        }
        let at = timestamp(now);
        s.migrations.insert(
            name.to_string(),
            Migration {
                created: at.clone(),
                updated: at,
                ..Migration::default()
            },
        );
        Ok(())
    }

    /// Renames a migration, keeping its ticks; the active migration follows.
    pub fn rename_migration(
        &mut self,
        set: &str,
        old: &str,
        new: &str,
        now: SystemTime,
    ) -> Result<(), StateError> {
        check_name(new)?;
        self.migration_mut(set, old)?;
        let Some(s) = self.sets.get_mut(set) else {
            return Err(StateError::UnknownMigration {
                name: old.to_string(),
                existing: Vec::new(),
            });
        };
        if old == new {
            return Ok(());
        }
        if s.migrations.contains_key(new) {
            return Err(StateError::MigrationExists(new.to_string()));
        }
        if let Some(mut m) = s.migrations.remove(old) {
            m.updated = timestamp(now);
            s.migrations.insert(new.to_string(), m);
        }
        if s.active.as_deref() == Some(old) {
            s.active = Some(new.to_string());
        }
        Ok(())
    }

    /// Deletes a migration and returns it; if it was active, none is.
    pub fn delete_migration(&mut self, set: &str, name: &str) -> Result<Migration, StateError> {
        self.entry_mut(set, name)?;
        let Some(s) = self.sets.get_mut(set) else {
            return Err(StateError::UnknownMigration {
                name: name.to_string(),
                existing: Vec::new(),
            });
        };
        if s.active.as_deref() == Some(name) {
            s.active = None;
        }
        s.migrations
            .remove(name)
            .ok_or(StateError::UnknownMigration {
                name: name.to_string(),
                existing: Vec::new(),
            })
    }

    /// The active migration of a set, when it still exists.
    pub fn active_migration(&self, set: &str) -> Option<&str> {
        let s = self.sets.get(set)?;
        s.active
            .as_deref()
            .filter(|a| s.migrations.contains_key(*a))
    }

    pub fn set_active(&mut self, set: &str, name: &str) -> Result<(), StateError> {
        self.entry_mut(set, name)?;
        if let Some(s) = self.sets.get_mut(set) {
            s.active = Some(name.to_string());
        }
        Ok(())
    }

    /// Moves an orphaned tick onto an item, keeping when it was made. Refuses when the
    /// item already has a tick of its own, so neither is lost.
    pub fn reattach(
        &mut self,
        set: &str,
        migration: &str,
        orphan_id: &str,
        target: &Item,
        now: SystemTime,
    ) -> Result<(), StateError> {
        let m = self.migration_mut(set, migration)?;
        if !m.ticks.contains_key(orphan_id) {
            return Err(StateError::NoSuchTick(orphan_id.to_string()));
        }
        if orphan_id == target.id {
            return Ok(());
        }
        if m.ticks.get(&target.id).is_some_and(|t| t.done) {
            return Err(StateError::TargetTicked {
                target: target.text.clone(),
            });
        }
        if let Some(mut tick) = m.ticks.remove(orphan_id) {
            tick.text = target.text.clone();
            m.ticks.insert(target.id.clone(), tick);
        }
        m.updated = timestamp(now);
        Ok(())
    }

    /// Drops a stored tick on the user's word (for orphans the user no longer wants).
    pub fn discard(
        &mut self,
        set: &str,
        migration: &str,
        tick_id: &str,
        now: SystemTime,
    ) -> Result<Tick, StateError> {
        let m = self.migration_mut(set, migration)?;
        let tick = m
            .ticks
            .remove(tick_id)
            .ok_or_else(|| StateError::NoSuchTick(tick_id.to_string()))?;
        m.updated = timestamp(now);
        Ok(tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn item(id: &str, default: bool) -> Item {
        Item {
            number: 1,
            id: id.into(),
            guide: "g".into(),
            heading_index: None,
            heading: None,
            task_index: 0,
            text: format!("text of {id}"),
            default_checked: default,
        }
    }

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn ticks_override_the_markdown_default() {
        let mut s = State::default();
        s.create_migration("set", "m", t(0)).expect("create");
        let open = item("a", false);
        let done = item("b", true);
        assert!(!s.is_ticked("set", "m", "a", false));
        assert!(s.is_ticked("set", "m", "b", true));
        assert!(s.set_tick("set", "m", &open, true, t(5)).expect("tick"));
        assert!(
            !s.set_tick("set", "m", &open, true, t(9)).expect("again"),
            "re-tick is a no-op"
        );
        assert_eq!(
            s.tick("set", "m", "a").map(|t| t.at.as_str()),
            Some("2023-11-14T22:13:25Z")
        );
        assert!(
            s.set_tick("set", "m", &done, false, t(6))
                .expect("untick default")
        );
        assert!(!s.is_ticked("set", "m", "b", true));
        assert!(s.set_tick("set", "m", &open, false, t(7)).expect("untick"));
        assert!(
            s.tick("set", "m", "a").is_none(),
            "an untick back to the default leaves no record"
        );
        assert_eq!(
            s.migration("set", "m").map(|m| m.updated.as_str()),
            Some("2023-11-14T22:13:27Z")
        );
        assert_eq!(
            s.migration("set", "m").and_then(Migration::last_change),
            Some(t(7))
        );
        assert!(
            s.set_tick("other", "m", &open, true, t(1)).is_err(),
            "sets never mix"
        );
    }

    #[test]
    fn a_clock_out_of_range_is_clamped_not_a_panic() {
        let before = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(timestamp(before), "1970-01-01T00:00:00Z");
        let after = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(timestamp(after), "9999-12-31T23:59:59Z");
        let mut s = State::default();
        s.create_migration("set", "m", before).expect("create");
        assert!(
            s.set_tick("set", "m", &item("a", false), true, after)
                .expect("tick")
        );
    }

    #[test]
    fn migrations_are_created_renamed_and_deleted() {
        let mut s = State::default();
        s.create_migration("set", "auth", t(0)).expect("create");
        assert_eq!(
            s.create_migration("set", "auth", t(0)),
            Err(StateError::MigrationExists("auth".into()))
        );
        assert!(s.create_migration("set", " ", t(0)).is_err());
        s.set_active("set", "auth").expect("activate");
        s.set_tick("set", "auth", &item("a", false), true, t(1))
            .expect("tick");
        s.rename_migration("set", "auth", "tests/unit", t(2))
            .expect("rename");
        assert_eq!(s.active_migration("set"), Some("tests/unit"));
        assert!(s.is_ticked("set", "tests/unit", "a", false));
        let err = s.set_active("set", "auth").expect_err("gone");
        assert!(err.to_string().contains("tests/unit"), "{err}");
        s.delete_migration("set", "tests/unit").expect("delete");
        assert_eq!(s.active_migration("set"), None);
        assert!(s.migrations("set").is_empty());
    }

    #[test]
    fn orphans_can_be_reattached_or_discarded() {
        let mut s = State::default();
        s.create_migration("set", "m", t(0)).expect("create");
        s.set_tick("set", "m", &item("old", false), true, t(1))
            .expect("tick");
        s.set_tick("set", "m", &item("other", false), true, t(2))
            .expect("tick");
        let new = item("new", false);
        s.reattach("set", "m", "old", &new, t(3)).expect("reattach");
        let tick = s.tick("set", "m", "new").expect("moved");
        assert_eq!(tick.at_time(), Some(t(1)), "keeps when it was ticked");
        assert_eq!(tick.text, "text of new");
        assert!(s.tick("set", "m", "old").is_none());
        assert!(matches!(
            s.reattach("set", "m", "other", &new, t(4)),
            Err(StateError::TargetTicked { .. })
        ));
        assert!(
            s.tick("set", "m", "other").is_some(),
            "a refused reattach loses nothing"
        );
        s.discard("set", "m", "other", t(5)).expect("discard");
        assert!(s.tick("set", "m", "other").is_none());
        assert_eq!(
            s.discard("set", "m", "other", t(5)),
            Err(StateError::NoSuchTick("other".into()))
        );
    }
}
