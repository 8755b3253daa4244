//! The state on disk. Ticks are user state that must never be lost, so:
//! - every read-modify-write holds a lock on `state.json.lock` and re-reads what changed
//!   inside it, so two devguide processes both keep their ticks;
//! - writes go to a temp file in the same folder, are fsynced, renamed over the file and
//!   the folder fsynced, so a crash leaves the old file or the new one, never half;
//! - a corrupt or empty file is renamed aside, never overwritten;
//! - a file from a newer devguide, or one we may not read or write, is left untouched
//!   and the session runs read-only.
//!
//! Layout (version 2): `state.json` is an index: per guide set the active migration and,
//! per migration, when it was created and which file holds its ticks. Each migration's
//! `updated` time and ticks are in `state.json.d/<set>/<name>.json` (see `naming`). With
//! 1,000 migrations × 100 ticks a start-up reads the small index and the active
//! migration's file only, and a tick rewrites one small file; the index is rewritten only
//! when it changes (a migration created, renamed, deleted or made active).
//!
//! Order of writes, so that a crash at any point loses no tick: migration files first,
//! then the index, then removal of files the index no longer names (a rename writes the
//! new file, then the index, then removes the old file; a delete drops the entry, then
//! the file). Upgrading a version 1 file (every tick inline) writes every migration file
//! first and the new index last, so until then the old file still loads as it was. Files
//! in `state.json.d` that the index does not name are left alone.
//!
//! Speed also comes from not redoing work: the store remembers what it last read or
//! wrote together with each file's identity (device, inode, size, mtime, ctime), and
//! inside the lock re-reads only files whose identity changed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::format::{render, render_index, render_migration};
use super::naming;
use super::state::{Migration, State, StateError, VERSION};
use super::upgrade::{Decoded, Files, MigrationDoc, decode, decode_migration};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing was written; the message says why.
    #[error("{0}")]
    ReadOnly(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    State(#[from] StateError),
}

/// How many migration files stay open (see [`Pin`]); a session that read every migration
/// must not run out of file handles.
const MAX_PINS: usize = 32;

/// The state files of one session.
pub struct Store {
    path: PathBuf,
    read_only: Option<String>,
    /// The index as this process last read or wrote it, while the file is still that one.
    cache: Option<Cache>,
    /// Which file holds each migration's ticks, as of the index last read or written.
    layout: Files,
    /// Migration files read or written, by path relative to the `.d` folder.
    files: BTreeMap<String, FileCache>,
    /// Migrations whose ticks this session has read: every state `update` returns has
    /// them loaded (and fresh), so the reader's view never loses them.
    wanted: BTreeSet<(String, String)>,
    /// Counts uses of migration files, to keep the most recently used ones pinned.
    clock: u64,
}

/// A clone starts without the caches: it re-reads the files on its first update, which
/// is always correct, and the caches are not worth sharing.
impl Clone for Store {
    fn clone(&self) -> Store {
        Store {
            read_only: self.read_only.clone(),
            ..Store::new(self.path.clone())
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .field("cached", &self.cache.as_ref().map(|c| c.pin.stamp))
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

/// The identity and version of a file's content: an atomic save renames a new file
/// into place, so another process's write always changes the inode; an edit in place
/// (a text editor, `git checkout`) changes size, mtime or ctime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

#[cfg(unix)]
fn stamp(meta: &Metadata) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    Some(Stamp {
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.size(),
        mtime: (meta.mtime(), meta.mtime_nsec()),
        ctime: (meta.ctime(), meta.ctime_nsec()),
    })
}

/// Elsewhere there is no inode to go by: always re-read.
#[cfg(not(unix))]
fn stamp(_meta: &Metadata) -> Option<Stamp> {
    None
}

/// The current stamp of the file at `path`, if it exists and has one.
fn stamp_of(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().as_ref().and_then(stamp)
}

/// A file we read or wrote, kept open. While it is open its inode cannot be freed, so
/// no other file can get the same inode number and pass for it.
#[derive(Debug)]
struct Pin {
    _file: File,
    stamp: Stamp,
}

#[derive(Debug)]
struct Cache {
    pin: Pin,
    /// The index as read: version 2 migrations unloaded; a version 1 file's in full.
    state: State,
    /// The file's bytes, to skip a write that would change nothing.
    bytes: Vec<u8>,
    /// Read from a version 0 or 1 file: the next write upgrades it.
    single: bool,
}

/// A migration file as last read or written.
#[derive(Debug)]
struct FileCache {
    stamp: Option<Stamp>,
    /// Open for the [`MAX_PINS`] most recently used files.
    pin: Option<File>,
    used: u64,
    /// When it was read or written: see [`Store::trusted`].
    seen: SystemTime,
    /// The migration name it was rendered with (the file names it).
    name: String,
    /// Its content (`updated`, `ticks`, `file_extra`).
    migration: Migration,
    bytes: Vec<u8>,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread parsed a state file, for tests of the cache.
    static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many times this thread parsed a migration file.
    static MIGRATION_PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// What [`Store::open`] found.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    /// The index, with each set's active migration loaded.
    pub state: State,
    /// Things to tell the user (a file set aside, read-only mode).
    pub notices: Vec<String>,
}

/// The result of a successful [`Store::update`].
#[derive(Debug)]
pub struct Updated<R> {
    /// The state as written: the files' latest content plus this change. Every migration
    /// this store has loaded so far is loaded in it.
    pub state: State,
    pub value: R,
    pub notices: Vec<String>,
}

enum Loaded {
    Missing,
    /// The index, the bytes it was read from and, where possible, the file pinned.
    Ok(Decoded, Vec<u8>, Option<Pin>),
    Newer(u64, Option<(State, Files)>),
    Corrupt(String),
    Unreadable(std::io::Error),
}

/// A file's bytes, the file kept open, and its stamp when read.
type Pinned = (Vec<u8>, File, Option<Stamp>);

fn read_pinned(path: &Path) -> std::io::Result<Option<Pinned>> {
    let mut file = match File::open(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(f) => f,
    };
    // The stamp is taken from the open file before reading, so it can only be older
    // than the bytes: at worst a later check re-reads needlessly, never wrongly skips.
    let meta = file.metadata().ok();
    let mut bytes = Vec::with_capacity(meta.as_ref().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(Some((bytes, file, meta.as_ref().and_then(stamp))))
}

fn load(path: &Path) -> Loaded {
    let (bytes, file, stamp) = match read_pinned(path) {
        Ok(None) => return Loaded::Missing,
        Err(e) => return Loaded::Unreadable(e),
        Ok(Some(read)) => read,
    };
    #[cfg(test)]
    PARSES.with(|n| n.set(n.get() + 1));
    match decode(&bytes) {
        Decoded::Newer { version, index } => Loaded::Newer(version, index),
        Decoded::Corrupt(why) => Loaded::Corrupt(why),
        ok => {
            let pin = stamp.map(|stamp| Pin { _file: file, stamp });
            Loaded::Ok(ok, bytes, pin)
        }
    }
}

enum FileRead {
    Missing,
    Ok(MigrationDoc, Vec<u8>, File, Option<Stamp>),
    Same(File, Option<Stamp>),
    Corrupt(String),
    Unreadable(std::io::Error),
}

/// Reads a migration file; `Same` when its bytes are `known`, to skip parsing them.
fn read_migration(path: &Path, known: Option<&[u8]>) -> FileRead {
    match read_pinned(path) {
        Ok(None) => FileRead::Missing,
        Err(e) => FileRead::Unreadable(e),
        Ok(Some((bytes, file, stamp))) => {
            if known == Some(bytes.as_slice()) {
                return FileRead::Same(file, stamp);
            }
            #[cfg(test)]
            MIGRATION_PARSES.with(|n| n.set(n.get() + 1));
            match decode_migration(&bytes) {
                Ok(doc) => FileRead::Ok(doc, bytes, file, stamp),
                Err(why) => FileRead::Corrupt(why),
            }
        }
    }
}

/// Puts a migration file's content into a migration of the index.
fn fill_from(m: &mut Migration, content: &Migration) {
    m.updated = content.updated.clone();
    m.ticks = content.ticks.clone();
    m.file_extra = content.file_extra.clone();
    m.loaded = true;
}

fn index_only(state: &State) -> State {
    let mut s = state.clone();
    for set in s.sets.values_mut() {
        for m in set.migrations.values_mut() {
            *m = Migration {
                created: std::mem::take(&mut m.created),
                extra: std::mem::take(&mut m.extra),
                loaded: false,
                ..Migration::default()
            };
        }
    }
    s
}

/// Whether two states have the same index: what `state.json` holds.
fn same_index(a: &State, b: &State) -> bool {
    a.version == b.version
        && a.extra == b.extra
        && a.sets.len() == b.sets.len()
        && a.sets.iter().zip(&b.sets).all(|((ka, sa), (kb, sb))| {
            ka == kb
                && sa.active == sb.active
                && sa.extra == sb.extra
                && sa.migrations.len() == sb.migrations.len()
                && sa
                    .migrations
                    .iter()
                    .zip(&sb.migrations)
                    .all(|((na, ma), (nb, mb))| {
                        na == nb && ma.created == mb.created && ma.extra == mb.extra
                    })
        })
}

impl Store {
    fn new(path: PathBuf) -> Store {
        Store {
            path,
            read_only: None,
            cache: None,
            layout: Files::new(),
            files: BTreeMap::new(),
            wanted: BTreeSet::new(),
            clock: 0,
        }
    }

    /// Opens the state file at `path` and reads each set's active migration. Never
    /// fails: problems become notices, and the session runs read-only when writing would
    /// be unsafe or impossible.
    pub fn open(path: impl Into<PathBuf>) -> Opened {
        let mut store = Store::new(path.into());
        let mut notices = Vec::new();
        let mut state = match load(&store.path) {
            Loaded::Missing => State::default(),
            Loaded::Ok(decoded, bytes, pin) => store.remember_index(decoded, bytes, pin),
            Loaded::Newer(version, index) => {
                store.read_only = Some(store.newer_message(version));
                match index {
                    Some((state, files)) => {
                        store.layout = files;
                        state
                    }
                    None => State::default(),
                }
            }
            Loaded::Unreadable(e) => {
                store.read_only = Some(store.unreadable_message(&store.path, &e));
                State::default()
            }
            Loaded::Corrupt(reason) => match store.update(|_| Ok::<(), StoreError>(())) {
                // `update` re-reads under the lock and sets the file aside.
                Ok(u) => {
                    notices.extend(u.notices);
                    u.state
                }
                Err(e) => {
                    store.read_only = Some(format!(
                        "{}: {reason}, and it cannot be moved aside ({e}); checklist ticks are \
                         read-only this session",
                        store.path.display()
                    ));
                    State::default()
                }
            },
        };
        let actives: Vec<(String, String)> = state
            .sets
            .iter()
            .filter_map(|(set, s)| Some((set.clone(), s.active.clone()?)))
            .collect();
        for (set, name) in actives {
            notices.extend(store.load_migration(&mut state, &set, &name));
        }
        if store.read_only.is_none()
            && let Err(why) = store.probe_writable()
        {
            store.read_only = Some(why);
        }
        notices.extend(store.read_only.clone());
        Opened {
            store,
            state,
            notices,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why this session cannot change the file, if it cannot.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// The lock file beside the state file.
    pub fn lock_path(&self) -> PathBuf {
        sibling(&self.path, ".lock")
    }

    /// The folder of the migration files beside the state file.
    pub fn files_dir(&self) -> PathBuf {
        sibling(&self.path, ".d")
    }

    /// Reads the ticks of migration `name` into `state` unless they are there already;
    /// later updates keep them loaded. Returns notices (a corrupt file set aside).
    pub fn load_migration(&mut self, state: &mut State, set: &str, name: &str) -> Vec<String> {
        let mut notices = Vec::new();
        if let Err(e) = self.fill(state, set, name, false, &mut notices) {
            notices.push(e.to_string());
        }
        notices
    }

    /// [`Store::load_migration`] for every migration of a set (for progress of them all).
    pub fn load_set(&mut self, state: &mut State, set: &str) -> Vec<String> {
        let mut notices = Vec::new();
        for name in state.unloaded(set) {
            notices.extend(self.load_migration(state, set, &name));
        }
        notices
    }

    /// Reads the files again (for a reader that wants other processes' ticks); cheap when
    /// nobody changed them since this store last read or wrote them.
    pub fn reload(&mut self) -> State {
        let mut state = if let Some(state) = self.cached_index() {
            state.clone()
        } else {
            match load(&self.path) {
                Loaded::Ok(decoded, bytes, pin) => self.remember_index(decoded, bytes, pin),
                Loaded::Newer(_, Some((s, files))) => {
                    self.layout = files;
                    s
                }
                _ => State::default(),
            }
        };
        for (set, name) in self.wanted.clone() {
            self.load_migration(&mut state, &set, &name);
        }
        state
    }

    /// The remembered index, if the file on disk is still the one it came from.
    fn cached_index(&self) -> Option<&State> {
        let cache = self.cache.as_ref()?;
        (stamp_of(&self.path) == Some(cache.pin.stamp)).then_some(&cache.state)
    }

    /// Remembers an index just read and returns its state.
    fn remember_index(&mut self, decoded: Decoded, bytes: Vec<u8>, pin: Option<Pin>) -> State {
        let (state, files, single) = match decoded {
            Decoded::Index { state, files } => (state, files, false),
            Decoded::Single { state } => (state, Files::new(), true),
            Decoded::Newer { .. } | Decoded::Corrupt(_) => (State::default(), Files::new(), false),
        };
        self.layout = files;
        self.cache = pin.map(|pin| Cache {
            pin,
            state: state.clone(),
            bytes,
            single,
        });
        state
    }

    /// Whether a cached migration file can be taken as what is on disk without reading
    /// it. Its stamp must match. That is proof while the file is pinned; an unpinned
    /// file's inode may have been reused by a newer file of the same size, which could
    /// match only if that file's mtime equals the cached one, so the stamp is trusted
    /// only when the cached mtime was already 2 s old when it was read (as git treats a
    /// "racily clean" index entry).
    fn trusted(fc: &FileCache, now: Option<Stamp>) -> bool {
        if fc.stamp.is_none() || now != fc.stamp {
            return false;
        }
        if fc.pin.is_some() {
            return true;
        }
        let mtime = fc.stamp.map_or(0, |s| s.mtime.0);
        let seen = fc
            .seen
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs() as i64;
        mtime + 2 < seen
    }

    /// Marks a migration file as just used; pins it and unpins the least recently used
    /// beyond [`MAX_PINS`].
    fn touch(&mut self, rel: &str, file: File) {
        self.clock += 1;
        let clock = self.clock;
        if let Some(fc) = self.files.get_mut(rel) {
            fc.used = clock;
            fc.pin = Some(file);
        }
        let pinned: Vec<(u64, String)> = self
            .files
            .iter()
            .filter(|(_, f)| f.pin.is_some())
            .map(|(k, f)| (f.used, k.clone()))
            .collect();
        if pinned.len() > MAX_PINS
            && let Some((_, oldest)) = pinned.iter().min()
            && let Some(fc) = self.files.get_mut(oldest)
        {
            fc.pin = None;
        }
    }

    /// Loads migration `name` of `set` into `state` from its file (or the cache of it).
    /// `locked`: the caller holds the lock (needed to set a corrupt file aside).
    fn fill(
        &mut self,
        state: &mut State,
        set: &str,
        name: &str,
        locked: bool,
        notices: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        let Some(m) = state
            .sets
            .get_mut(set)
            .and_then(|s| s.migrations.get_mut(name))
        else {
            return Ok(());
        };
        if m.loaded {
            return Ok(());
        }
        let key = (set.to_string(), name.to_string());
        let Some(rel) = self.layout.get(&key).cloned() else {
            // Listed without a file: it has no ticks yet.
            m.loaded = true;
            self.wanted.insert(key);
            return Ok(());
        };
        let full = self.files_dir().join(&rel);
        let cached = self.files.get(&rel);
        if let Some(fc) = cached
            && Self::trusted(fc, stamp_of(&full))
        {
            fill_from(m, &fc.migration);
            self.wanted.insert(key);
            self.clock += 1;
            if let Some(fc) = self.files.get_mut(&rel) {
                fc.used = self.clock;
            }
            return Ok(());
        }
        let now = SystemTime::now();
        match read_migration(&full, cached.map(|c| c.bytes.as_slice())) {
            FileRead::Missing => {
                // No file (yet): no ticks. Its file is written on the next change.
                self.files.remove(&rel);
                m.loaded = true;
            }
            FileRead::Same(file, stamp) => {
                if let Some(fc) = self.files.get_mut(&rel) {
                    fill_from(m, &fc.migration);
                    fc.stamp = stamp;
                    fc.seen = now;
                }
                self.touch(&rel, file);
            }
            FileRead::Ok(doc, bytes, file, stamp) => {
                m.updated = doc.updated;
                m.ticks = doc.ticks;
                m.file_extra = doc.extra;
                m.loaded = true;
                self.files.insert(
                    rel.clone(),
                    FileCache {
                        stamp,
                        pin: None,
                        used: 0,
                        seen: now,
                        name: name.to_string(),
                        migration: m.clone(),
                        bytes,
                    },
                );
                self.touch(&rel, file);
            }
            FileRead::Unreadable(e) => {
                let why = self.unreadable_message(&full, &e);
                self.read_only = Some(why.clone());
                return Err(StoreError::ReadOnly(why));
            }
            FileRead::Corrupt(reason) => {
                if self.read_only.is_some() {
                    notices.push(format!(
                        "{}: {reason}; migration {name:?} is shown without ticks",
                        full.display()
                    ));
                    return Ok(());
                }
                let _lock = if locked {
                    None
                } else {
                    let lock = self.lock().map_err(|e| self.write_failed(&full, e))?;
                    // Under the lock it may have been repaired or replaced meanwhile.
                    if !matches!(read_migration(&full, None), FileRead::Corrupt(_)) {
                        drop(lock);
                        return self.fill(state, set, name, false, notices);
                    }
                    Some(lock)
                };
                let aside = set_aside(&full).map_err(|e| self.write_failed(&full, e))?;
                notices.push(format!(
                    "{}: {reason}; it was moved to {} and migration {name:?} starts without ticks",
                    full.display(),
                    aside.display()
                ));
                self.files.remove(&rel);
                m.loaded = true;
            }
        }
        self.wanted.insert(key);
        Ok(())
    }

    /// Read-modify-write: locks, re-reads what changed, applies `change` and writes what
    /// it changed, atomically. When `change` fails nothing is written.
    ///
    /// `change` sees the index with every migration this store has loaded, and each
    /// set's active one, loaded; a change to the ticks of any other migration fails with
    /// [`StateError::NotLoaded`] (load it first with [`Store::load_migration`]).
    pub fn update<R, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&mut State) -> Result<R, E>,
    ) -> Result<Updated<R>, E> {
        self.update_loading(&[], change)
    }

    /// [`Store::update`], first loading the migrations in `load` (set, name).
    pub fn update_loading<R, E: From<StoreError>>(
        &mut self,
        load: &[(&str, &str)],
        change: impl FnOnce(&mut State) -> Result<R, E>,
    ) -> Result<Updated<R>, E> {
        if let Some(why) = &self.read_only {
            return Err(StoreError::ReadOnly(why.clone()).into());
        }
        let _lock = self
            .lock()
            .map_err(|e| self.write_failed(&self.path.clone(), e))?;
        let mut notices = Vec::new();
        let (mut state, on_disk, single) = self.read_index_locked(&mut notices)?;
        let before = self.layout.clone();
        if !single {
            let mut want: BTreeSet<(String, String)> = std::mem::take(&mut self.wanted);
            for (set, s) in &state.sets {
                if let Some(a) = &s.active {
                    want.insert((set.clone(), a.clone()));
                }
            }
            want.extend(load.iter().map(|(s, n)| (s.to_string(), n.to_string())));
            for (set, name) in &want {
                self.fill(&mut state, set, name, true, &mut notices)?;
            }
        }
        let value = change(&mut state)?;
        state.version = VERSION;
        self.save(&state, &before, on_disk, single)?;
        self.wanted = state
            .sets
            .iter()
            .flat_map(|(set, s)| {
                s.migrations
                    .iter()
                    .filter(|(_, m)| m.loaded)
                    .map(move |(name, _)| (set.clone(), name.clone()))
            })
            .collect();
        Ok(Updated {
            state,
            value,
            notices,
        })
    }

    /// Inside the lock: the index as on disk (re-read unless provably the one this store
    /// last read or wrote), the bytes on disk when known, and whether it is a version 0
    /// or 1 file.
    fn read_index_locked(
        &mut self,
        notices: &mut Vec<String>,
    ) -> Result<(State, Option<Vec<u8>>, bool), StoreError> {
        if let Some(c) = &self.cache
            && stamp_of(&self.path) == Some(c.pin.stamp)
        {
            return Ok((c.state.clone(), Some(c.bytes.clone()), c.single));
        }
        self.cache = None;
        match load(&self.path) {
            Loaded::Missing => {
                self.layout = Files::new();
                Ok((State::default(), None, false))
            }
            Loaded::Ok(decoded, bytes, pin) => {
                let single = matches!(decoded, Decoded::Single { .. });
                let state = self.remember_index(decoded, bytes.clone(), pin);
                Ok((state, Some(bytes), single))
            }
            Loaded::Newer(version, _) => {
                let why = self.newer_message(version);
                self.read_only = Some(why.clone());
                Err(StoreError::ReadOnly(why))
            }
            Loaded::Unreadable(e) => {
                let why = self.unreadable_message(&self.path, &e);
                self.read_only = Some(why.clone());
                Err(StoreError::ReadOnly(why))
            }
            Loaded::Corrupt(reason) => {
                let path = self.path.clone();
                let aside = set_aside(&path).map_err(|e| self.write_failed(&path, e))?;
                notices.push(format!(
                    "{}: {reason}; it was moved to {} and checklist state starts empty",
                    path.display(),
                    aside.display()
                ));
                self.layout = Files::new();
                Ok((State::default(), None, false))
            }
        }
    }

    /// Writes `state`: changed migration files, then the index if it changed, then
    /// removes the files of migrations no longer listed (see the module notes).
    fn save(
        &mut self,
        state: &State,
        before: &Files,
        on_disk: Option<Vec<u8>>,
        single: bool,
    ) -> Result<(), StoreError> {
        let dir = self.files_dir();
        // Every listed migration keeps its file; new and renamed ones get a new one.
        let mut after = Files::new();
        let mut taken: HashSet<String> = HashSet::new();
        let mut new = Vec::new();
        for (set, s) in &state.sets {
            for name in s.migrations.keys() {
                let key = (set.clone(), name.clone());
                match before.get(&key) {
                    Some(f) if !single => {
                        taken.insert(f.to_lowercase());
                        after.insert(key, f.clone());
                    }
                    _ => new.push(key),
                }
            }
        }
        for key in new {
            let file = (1..)
                .map(|n| naming::candidate(&key.0, &key.1, n))
                .find(|c| !taken.contains(&c.to_lowercase()) && !dir.join(c).exists())
                .unwrap_or_default();
            taken.insert(file.to_lowercase());
            after.insert(key, file);
        }
        for (set, s) in &state.sets {
            for (name, m) in &s.migrations {
                if !m.loaded {
                    continue;
                }
                let Some(rel) = after.get(&(set.clone(), name.clone())) else {
                    continue;
                };
                let unchanged = self.files.get(rel).is_some_and(|fc| {
                    fc.name == *name
                        && fc.migration.ticks == m.ticks
                        && fc.migration.updated == m.updated
                        && fc.migration.file_extra == m.file_extra
                });
                if unchanged {
                    continue;
                }
                let full = dir.join(rel);
                let text = render_migration(name, m).map_err(|e| StoreError::Io {
                    path: full.clone(),
                    source: std::io::Error::other(e),
                })?;
                // Until the write succeeds the file's content is not known for certain.
                self.files.remove(rel);
                let written = ensure_dir(&full)
                    .and_then(|()| write_atomic_pinned(&full, text.as_bytes()))
                    .map_err(|e| self.write_failed(&full, e))?;
                let (file, stamp) = match written {
                    Some((file, stamp)) => (Some(file), Some(stamp)),
                    None => (None, None),
                };
                self.files.insert(
                    rel.clone(),
                    FileCache {
                        stamp,
                        pin: None,
                        used: 0,
                        seen: SystemTime::now(),
                        name: name.clone(),
                        migration: m.clone(),
                        bytes: text.into_bytes(),
                    },
                );
                if let Some(file) = file {
                    self.touch(rel, file);
                }
            }
        }
        // A tick leaves the index as it was: then it is neither rendered nor written.
        let unchanged = !single
            && after == *before
            && on_disk.is_some()
            && self
                .cache
                .as_ref()
                .is_some_and(|c| same_index(&c.state, state));
        if unchanged {
            self.layout = after;
            return Ok(());
        }
        let text = render_index(state, &after);
        if on_disk.as_deref() != Some(text.as_bytes()) {
            self.cache = None;
            let path = self.path.clone();
            let pin = write_atomic_pinned(&path, text.as_bytes())
                .map_err(|e| self.write_failed(&path, e))?;
            self.cache = pin.map(|(file, stamp)| Cache {
                pin: Pin { _file: file, stamp },
                state: index_only(state),
                bytes: text.into_bytes(),
                single: false,
            });
        } else if let Some(c) = &mut self.cache {
            c.state = index_only(state);
        }
        let kept: HashSet<&String> = after.values().collect();
        let mut removed = false;
        for rel in before.values().filter(|f| !kept.contains(f)) {
            self.files.remove(rel);
            let full = dir.join(rel);
            match std::fs::remove_file(&full) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(self.write_failed(&full, e)),
            }
            if removed {
                sync_dir(&full);
            }
        }
        self.layout = after;
        Ok(())
    }

    /// Creates a new state file holding an empty state; fails if one exists.
    pub fn create_new(path: &Path) -> Result<(), StoreError> {
        if let Some(dir) = parent(path) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.into(),
                source,
            })?;
        }
        let mut store = Store::new(path.to_path_buf());
        let _lock = store.lock().map_err(|e| store.write_failed(path, e))?;
        if path.exists() {
            return Err(StoreError::Io {
                path: path.into(),
                source: ErrorKind::AlreadyExists.into(),
            });
        }
        let text = render(&serde_json::to_value(State::default()).unwrap_or_default());
        write_atomic(path, text.as_bytes()).map_err(|e| store.write_failed(path, e))
    }

    fn lock(&self) -> std::io::Result<File> {
        if let Some(dir) = parent(&self.path) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.lock_path())?;
        file.lock()?;
        Ok(file)
    }

    /// Opens the file and its lock for writing without changing either, so a session
    /// that cannot write says so at the start rather than at the first tick.
    fn probe_writable(&self) -> Result<(), String> {
        let denied = |path: &Path, e: std::io::Error| {
            format!(
                "{}: cannot be written ({e}); checklist ticks are read-only this session",
                path.display()
            )
        };
        if self.path.exists() {
            OpenOptions::new()
                .write(true)
                .open(&self.path)
                .map_err(|e| denied(&self.path, e))?;
        }
        let dir_exists = parent(&self.path).is_none_or(Path::exists);
        if dir_exists {
            let lock = self.lock_path();
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock)
                .map_err(|e| denied(&lock, e))?;
        }
        Ok(())
    }

    /// Permission problems turn the session read-only; other errors are reported as is.
    fn write_failed(&mut self, path: &Path, e: std::io::Error) -> StoreError {
        if matches!(
            e.kind(),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
        ) {
            let why = format!(
                "{}: cannot be written ({e}); checklist ticks are read-only this session",
                path.display()
            );
            self.read_only = Some(why.clone());
            StoreError::ReadOnly(why)
        } else {
            StoreError::Io {
                path: path.to_path_buf(),
                source: e,
            }
        }
    }

    fn newer_message(&self, version: u64) -> String {
        format!(
            "{}: written by a newer devguide (state version {version}, this one knows {VERSION}); \
             opened read-only so it stays intact. Update devguide to change ticks.",
            self.path.display()
        )
    }

    fn unreadable_message(&self, path: &Path, e: &std::io::Error) -> String {
        format!(
            "{}: cannot be read ({e}); checklist ticks are read-only this session",
            path.display()
        )
    }
}

/// Creates the folder of a migration file if needed, making the new folders durable.
fn ensure_dir(file: &Path) -> std::io::Result<()> {
    let Some(dir) = parent(file) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    // The set's folder in `.d`, and `.d` in the state file's folder.
    sync_dir(dir);
    if let Some(d) = parent(dir) {
        sync_dir(d);
    }
    Ok(())
}

fn parent(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "state.json".into());
    name.push(suffix);
    path.with_file_name(name)
}

/// Renames a file to `<name>.corrupt-<UTC timestamp>` (with `-N` if taken) and returns
/// the new path.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp: String = humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let base = sibling(path, &format!(".corrupt-{stamp}"));
    let mut target = base.clone();
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = sibling(&base, &format!("-{n}"));
    }
    std::fs::rename(path, &target)?;
    sync_dir(path);
    Ok(target)
}

/// Temp file in the same folder → write → fsync → rename → fsync the folder.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_pinned(path, bytes).map(drop)
}

/// [`write_atomic`], keeping the new file open and returning its stamp as renamed into
/// place (a rename may change its ctime), so the next update can tell it is unchanged.
fn write_atomic_pinned(path: &Path, bytes: &[u8]) -> std::io::Result<Option<(File, Stamp)>> {
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = sibling(path, &format!(".tmp-{}-{attempt}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            // Keep the mode of a shared file (group-writable in a team checkout).
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(path);
    let stamp = file.metadata().ok().as_ref().and_then(stamp);
    Ok(stamp.map(|stamp| (file, stamp)))
}

/// Makes a rename durable. Best effort: not every platform can open a folder.
fn sync_dir(path: &Path) {
    let dir = parent(path).unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
