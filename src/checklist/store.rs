//! The state on disk. Ticks are user state that must never be lost, so:
//! - every read-modify-write holds a lock on `state.json.lock` and re-reads what changed
//!   inside it, so two devguide processes both keep their ticks; the lock is waited for
//!   a bounded time ([`LOCK_WAIT`]), never forever;
//! - writes go to a temp file in the same folder, are fsynced, renamed over the file and
//!   the folder fsynced, so a crash leaves the old file or the new one, never half; the
//!   next successful write removes temp files a crash left;
//! - a corrupt or empty file is reported when read and renamed aside only by a change,
//!   never overwritten: opening a store writes nothing at all;
//! - a file from a newer devguide, or one we may not read or write, is left untouched
//!   and the session runs read-only;
//! - nothing below the state folder is followed if it is a link, no FIFO or device is
//!   opened, no file over 64 MB read (see `safe_fs`): in team mode the folder comes from
//!   a repository someone else wrote.
//!
//! Layout (version 3): `state.json` is an index: per guide set and migration, when it
//! was created and which file holds its changes, `state.json.d/<set>/<name>.json` (see
//! `naming`). That file is a log of tick events, one per line (see `log`), which a change
//! only appends to, so git merges two branches' ticks line by line. With 1,000
//! migrations × 100 ticks a start-up reads the small index and the active migration's
//! file only, and a tick rewrites one small file; the index is rewritten only when it
//! changes (a migration created, renamed or deleted). In team mode the active migration
//! and the reading record are this person's own (see `personal`) and never reach the
//! index.
//!
//! Order of writes, so that a crash at any point loses no tick: migration files first,
//! then the personal file, then the index, then removal of files the index no longer
//! names (a rename writes the new file, then the index, then removes the old file; a
//! delete drops the entry, then the file). Upgrading a version 1 file (every tick
//! inline) writes every migration file first and the new index last, so until then the
//! old file still loads as it was. Files in `state.json.d` that the index does not name
//! are left alone.
//!
//! Speed also comes from not redoing work: the store remembers what it last read or
//! wrote together with each file's identity (device, inode, size, mtime, ctime), and
//! inside the lock re-reads only files whose identity changed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, Metadata};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::format::{render, render_index};
use super::log;
use super::state::{Migration, State, StateError, Ticks, VERSION};
use super::upgrade::{Decoded, Files, decode, decode_migration};
use super::{author, naming, personal, safe_fs};

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
    /// Another devguide held the lock for longer than this one waits.
    #[error("{0}")]
    Locked(String),
}

/// How long a change waits for another devguide's lock before giving up; the wait is
/// announced after [`LOCK_NOTICE_AFTER`].
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
pub const LOCK_NOTICE_AFTER: Duration = Duration::from_secs(1);

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
    /// The state folder (the state file's folder): nothing below it is followed if a link.
    root: PathBuf,
    /// Team mode (`.devguide/state.json`): the folder came with a repository, so the
    /// folder itself must not be a link either, and personal data lives elsewhere.
    team: bool,
    /// Where this person's own data (active migration, reading) is kept in team mode.
    personal: Option<PathBuf>,
    /// Who this process's changes are recorded as; looked up on the first change.
    author: Option<String>,
    /// How long to wait for the lock, and what to call once the wait is noticeable.
    lock_wait: Duration,
    on_lock_wait: Option<fn(&str)>,
    /// Why the state could not be read, if it could not (a link, a FIFO, a damaged or
    /// unreadable file): `checklist status` then cannot tell done from not done.
    damaged: Option<String>,
    /// Folders already cleaned of a crash's temp files this session: once is enough (a
    /// set's folder may hold a thousand files, too many to list on every tick).
    cleaned: BTreeSet<PathBuf>,
}

/// A clone starts without the caches: it re-reads the files on its first update, which
/// is always correct, and the caches are not worth sharing.
impl Clone for Store {
    fn clone(&self) -> Store {
        Store {
            read_only: self.read_only.clone(),
            author: self.author.clone(),
            lock_wait: self.lock_wait,
            on_lock_wait: self.on_lock_wait,
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

/// The current stamp of the file at `path`, if it exists and has one (a link has none).
fn stamp_of(path: &Path) -> Option<Stamp> {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .as_ref()
        .and_then(stamp)
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
    /// Its content (`updated`, `ticks`, `file_extra`, `log`).
    migration: Migration,
    bytes: Vec<u8>,
    /// A version 3 log without conflict markers: a change appends to these bytes.
    /// Otherwise (version 2, markers) the next change rewrites it as a clean log.
    appendable: bool,
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

/// Reads a file of the state folder: no link followed on the way (`root` and below), no
/// FIFO or device opened, no more than the size cap read.
fn read_pinned(root: &Path, team: bool, path: &Path) -> std::io::Result<Option<Pinned>> {
    safe_fs::check_no_links(root, path, team)?;
    let Some((mut file, meta)) = safe_fs::open_read(path)? else {
        return Ok(None);
    };
    // The stamp is taken from the open file before reading, so it can only be older
    // than the bytes: at worst a later check re-reads needlessly, never wrongly skips.
    let bytes = safe_fs::read_capped(path, &mut file, meta.len())?;
    Ok(Some((bytes, file, stamp(&meta))))
}

fn load(root: &Path, team: bool, path: &Path) -> Loaded {
    let (bytes, file, stamp) = match read_pinned(root, team, path) {
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

/// A migration file's content, of either version.
struct MigrationContent {
    updated: String,
    ticks: Ticks,
    log: log::Log,
    extra: BTreeMap<String, serde_json::Value>,
    appendable: bool,
    /// Written by a newer devguide (its log version).
    newer: Option<u64>,
    /// Things to tell the user: conflict markers read through, lines skipped.
    notes: Vec<String>,
}

/// Decodes a migration file: a version 3 log, or a version 2 JSON object of ticks.
fn decode_content(path: &Path, bytes: &[u8]) -> Result<MigrationContent, String> {
    if !log::is_log(bytes)
        && let Ok(doc) = decode_migration(bytes)
    {
        return Ok(MigrationContent {
            updated: doc.updated,
            ticks: doc.ticks,
            log: log::Log::default(),
            extra: doc.extra,
            appendable: false,
            newer: None,
            notes: Vec::new(),
        });
    }
    let parsed = log::parse(bytes);
    if parsed.events.is_empty() && parsed.version == 0 && !parsed.bad_lines.is_empty() {
        let (line, why) = &parsed.bad_lines[0];
        return Err(format!("line {line}: {why}; not a migration file"));
    }
    let mut notes = Vec::new();
    if parsed.conflict_markers {
        notes.push(format!(
            "{}: holds git conflict markers; the ticks of both sides were read (latest change              per item wins). The next change here rewrites it without them; to share that,              commit it, and add `.devguide/.gitattributes` (`devguide checklist init --here`)              so git merges these files by itself.",
            path.display()
        ));
    }
    for (line, why) in &parsed.bad_lines {
        notes.push(format!(
            "{}:{line}: {why}; the line is skipped. Fix or delete that line.",
            path.display()
        ));
    }
    let ticks = log::fold(&parsed.events);
    let updated = parsed
        .events
        .iter()
        .map(|e| e.at.as_str())
        .max()
        .unwrap_or_default()
        .to_string();
    Ok(MigrationContent {
        updated,
        ticks,
        appendable: !parsed.conflict_markers && bytes.last().is_none_or(|b| *b == b'\n'),
        log: std::sync::Arc::new(parsed.events),
        extra: parsed.header_extra,
        newer: (parsed.version > log::LOG_VERSION).then_some(parsed.version),
        notes,
    })
}

enum FileRead {
    Missing,
    Ok(Box<MigrationContent>, Vec<u8>, File, Option<Stamp>),
    Same(File, Option<Stamp>),
    Corrupt(String),
    Unreadable(std::io::Error),
}

/// Reads a migration file; `Same` when its bytes are `known`, to skip parsing them.
fn read_migration(root: &Path, team: bool, path: &Path, known: Option<&[u8]>) -> FileRead {
    match read_pinned(root, team, path) {
        Ok(None) => FileRead::Missing,
        Err(e) => FileRead::Unreadable(e),
        Ok(Some((bytes, file, stamp))) => {
            if known == Some(bytes.as_slice()) {
                return FileRead::Same(file, stamp);
            }
            #[cfg(test)]
            MIGRATION_PARSES.with(|n| n.set(n.get() + 1));
            match decode_content(path, &bytes) {
                Ok(doc) => FileRead::Ok(Box::new(doc), bytes, file, stamp),
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
    m.log = content.log.clone();
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
        let root = parent(&path).unwrap_or(Path::new(".")).to_path_buf();
        let team = personal::is_team_file(&path);
        Store {
            personal: if team {
                personal::path_for(&path)
            } else {
                None
            },
            path,
            read_only: None,
            cache: None,
            layout: Files::new(),
            files: BTreeMap::new(),
            wanted: BTreeSet::new(),
            clock: 0,
            root,
            team,
            author: None,
            lock_wait: LOCK_WAIT,
            on_lock_wait: None,
            damaged: None,
            cleaned: BTreeSet::new(),
        }
    }

    /// Keeps personal data (active migration, reading) in `file` instead of the state
    /// file, as team mode does; `None` keeps it in the state file.
    pub fn set_personal_file(&mut self, file: Option<PathBuf>) {
        self.personal = file;
    }

    /// Records changes as made by `name` instead of looking it up in git.
    pub fn set_author(&mut self, name: impl Into<String>) {
        self.author = Some(name.into());
    }

    /// How long a change waits for another devguide's lock, and a function told once the
    /// wait passes a second (the command line prints it; the reader shows it).
    pub fn set_lock_wait(&mut self, wait: Duration, notice: Option<fn(&str)>) {
        self.lock_wait = wait;
        self.on_lock_wait = notice;
    }

    /// Why the state could not be read, if it could not.
    pub fn damaged(&self) -> Option<&str> {
        self.damaged.as_deref()
    }

    /// Opens the state file at `path` and reads each set's active migration. Never
    /// fails: problems become notices, and the session runs read-only when writing would
    /// be unsafe or impossible.
    pub fn open(path: impl Into<PathBuf>) -> Opened {
        let mut store = Store::new(path.into());
        let mut notices = Vec::new();
        let mut state = match load(&store.root, store.team, &store.path) {
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
                let why = store.unreadable_message(&store.path, &e);
                store.damaged = Some(why.clone());
                store.read_only = Some(why);
                State::default()
            }
            // Opening writes nothing: the first change sets the file aside (under the
            // lock, after reading it again).
            Loaded::Corrupt(reason) => {
                let why = format!(
                    "{}: {reason}; it is shown as empty, and the next change moves it aside \
                     (restore it from git or a backup first if it matters)",
                    store.path.display()
                );
                store.damaged = Some(why.clone());
                notices.push(why);
                State::default()
            }
        };
        notices.extend(store.overlay_personal(&mut state));
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
            match load(&self.root, self.team, &self.path) {
                Loaded::Ok(decoded, bytes, pin) => self.remember_index(decoded, bytes, pin),
                Loaded::Newer(_, Some((s, files))) => {
                    self.layout = files;
                    s
                }
                _ => State::default(),
            }
        };
        self.overlay_personal(&mut state);
        for (set, name) in self.wanted.clone() {
            self.load_migration(&mut state, &set, &name);
        }
        state
    }

    /// In team mode, puts this person's own data (from their file) over the index:
    /// each set's active migration and reading record. Reads only; returns notices.
    fn overlay_personal(&mut self, state: &mut State) -> Vec<String> {
        let Some(file) = &self.personal else {
            return Vec::new();
        };
        match personal::read(file) {
            Ok(p) => {
                p.apply(state);
                Vec::new()
            }
            Err(e) => vec![e],
        }
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
        let known = cached.map(|c| c.bytes.as_slice());
        match read_migration(&self.root, self.team, &full, known) {
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
                notices.extend(doc.notes);
                if let Some(version) = doc.newer
                    && self.read_only.is_none()
                {
                    self.read_only = Some(format!(
                        "{}: written by a newer devguide (log version {version}, this one knows \
                         {}); opened read-only so it stays intact. Update devguide to change \
                         ticks.",
                        full.display(),
                        log::LOG_VERSION
                    ));
                }
                m.updated = doc.updated;
                m.ticks = doc.ticks;
                m.file_extra = doc.extra;
                m.log = doc.log;
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
                        appendable: doc.appendable,
                    },
                );
                self.touch(&rel, file);
            }
            FileRead::Unreadable(e) => {
                let why = self.unreadable_message(&full, &e);
                self.damaged = Some(why.clone());
                self.read_only = Some(why.clone());
                return Err(StoreError::ReadOnly(why));
            }
            FileRead::Corrupt(reason) => {
                // Only a change (under the lock) sets a file aside; reading writes nothing.
                if self.read_only.is_some() || !locked {
                    let why = format!(
                        "{}: {reason}; migration {name:?} is shown without ticks, and the next \
                         change to it moves the file aside (restore it from git first if it \
                         matters)",
                        full.display()
                    );
                    self.damaged = Some(why.clone());
                    notices.push(why);
                    return Ok(());
                }
                let aside = set_aside(&self.root, self.team, &full)
                    .map_err(|e| self.write_failed(&full, e))?;
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
        let _lock = self.lock()?;
        let mut notices = Vec::new();
        let (mut state, on_disk, single) = self.read_index_locked(&mut notices)?;
        notices.extend(self.overlay_personal(&mut state));
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
        // A version 0/1 file's ticks as read, to record them as events of unknown author
        // (cheap: ticks are shared, not copied).
        let upgrading = single.then(|| state.clone());
        let value = change(&mut state)?;
        state.version = VERSION;
        self.save(&mut state, &before, on_disk, upgrading.as_ref())?;
        self.damaged = None;
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
        match load(&self.root, self.team, &self.path) {
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
                let aside = set_aside(&self.root, self.team, &path)
                    .map_err(|e| self.write_failed(&path, e))?;
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

    /// Writes `state`: changed migration files (appending their new events), then the
    /// index if it changed, then this person's own file in team mode, then removes the
    /// files of migrations no longer listed (see the module notes) and temp files a crash
    /// left behind.
    fn save(
        &mut self,
        state: &mut State,
        before: &Files,
        on_disk: Option<Vec<u8>>,
        upgrading: Option<&State>,
    ) -> Result<(), StoreError> {
        let single = upgrading.is_some();
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
                .find(|c| {
                    !taken.contains(&c.to_lowercase())
                        && std::fs::symlink_metadata(dir.join(c)).is_err()
                })
                .unwrap_or_default();
            taken.insert(file.to_lowercase());
            after.insert(key, file);
        }
        let mut written_dirs: BTreeSet<PathBuf> = BTreeSet::new();
        let mut author: Option<String> = None;
        for (set, s) in state.sets.iter_mut() {
            for (name, m) in s.migrations.iter_mut() {
                if !m.loaded {
                    continue;
                }
                let Some(rel) = after.get(&(set.clone(), name.clone())) else {
                    continue;
                };
                let fc = self.files.get(rel);
                let unchanged = fc.is_some_and(|fc| {
                    fc.name == *name
                        && fc.migration.ticks == m.ticks
                        && fc.migration.file_extra == m.file_extra
                });
                if unchanged {
                    continue;
                }
                let by = match &author {
                    Some(a) => a.clone(),
                    None => {
                        let a = match &self.author {
                            Some(a) => a.clone(),
                            None => author::current(&self.root),
                        };
                        self.author = Some(a.clone());
                        author = Some(a.clone());
                        a
                    }
                };
                let removed_at = if m.updated.is_empty() {
                    super::state::timestamp(SystemTime::now())
                } else {
                    m.updated.clone()
                };
                let fc = self.files.get(rel);
                let (mut bytes, mut events, base) = match fc {
                    // The usual case: append the change to the file as it is.
                    Some(fc) if fc.appendable && fc.name == *name => (
                        fc.bytes.clone(),
                        fc.migration.log.to_vec(),
                        fc.migration.ticks.clone(),
                    ),
                    // A new or renamed file, a version 2 file, or one with conflict
                    // markers: written whole, as a clean log holding every event known.
                    _ => {
                        let mut events = m.log.to_vec();
                        let mut base = log::fold(&events);
                        // Ticks of an older version become events of unknown author:
                        // version 2 (the file's), version 0/1 (the single file's).
                        let old = match fc {
                            Some(fc) if fc.migration.log.is_empty() => {
                                Some(fc.migration.ticks.clone())
                            }
                            Some(_) => None,
                            None => upgrading
                                .and_then(|u| u.migration(set, name))
                                .map(|old| old.ticks.clone()),
                        };
                        if let Some(old) = old.filter(|t| !t.is_empty()) {
                            let seq = log::next_seq(&events);
                            events.extend(log::diff(&base, &old, "", &removed_at, seq, false));
                            base = old;
                        }
                        let text = log::render(name, &m.file_extra, &events);
                        (text.into_bytes(), events, base)
                    }
                };
                let added = log::diff(
                    &base,
                    &m.ticks,
                    &by,
                    &removed_at,
                    log::next_seq(&events),
                    true,
                );
                for e in &added {
                    bytes.extend_from_slice(log::line(e).as_bytes());
                    bytes.push(b'\n');
                    if e.done.is_some()
                        && let Some(t) = m.ticks.get_mut(&e.item)
                    {
                        t.by.clone_from(&e.by);
                        t.at.clone_from(&e.at);
                    }
                }
                events.extend(added);
                // As a later read derives it, so what is returned equals what is read.
                m.updated = events
                    .iter()
                    .map(|e| e.at.as_str())
                    .max()
                    .unwrap_or_default()
                    .to_string();
                m.log = std::sync::Arc::new(events);
                let full = dir.join(rel);
                // Until the write succeeds the file's content is not known for certain.
                self.files.remove(rel);
                let written = self
                    .ensure_dir(&full)
                    .and_then(|()| write_atomic_pinned(&self.root, self.team, &full, &bytes))
                    .map_err(|e| self.write_failed(&full, e))?;
                if let Some(d) = parent(&full) {
                    written_dirs.insert(d.to_path_buf());
                }
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
                        bytes,
                        appendable: true,
                    },
                );
                if let Some(file) = file {
                    self.touch(rel, file);
                }
            }
        }
        if let Some(file) = self.personal.clone() {
            personal::write(&file, state).map_err(|e| self.write_failed(&file, e))?;
        }
        let team_view;
        let shared: &State = if self.personal.is_some() {
            team_view = personal::without_personal(state);
            &team_view
        } else {
            state
        };
        // A tick leaves the index as it was: then it is neither rendered nor written.
        let unchanged = !single
            && after == *before
            && on_disk.is_some()
            && self
                .cache
                .as_ref()
                .is_some_and(|c| same_index(&c.state, shared));
        if unchanged {
            self.layout = after;
            self.clean_temps(&written_dirs);
            return Ok(());
        }
        let text = render_index(shared, &after);
        if on_disk.as_deref() != Some(text.as_bytes()) {
            self.cache = None;
            let path = self.path.clone();
            let pin = write_atomic_pinned(&self.root, self.team, &path, text.as_bytes())
                .map_err(|e| self.write_failed(&path, e))?;
            self.cache = pin.map(|(file, stamp)| Cache {
                pin: Pin { _file: file, stamp },
                state: index_only(shared),
                bytes: text.into_bytes(),
                single: false,
            });
        } else if let Some(c) = &mut self.cache {
            c.state = index_only(shared);
        }
        let kept: HashSet<&String> = after.values().collect();
        for rel in before.values().filter(|f| !kept.contains(f)) {
            self.files.remove(rel);
            let full = dir.join(rel);
            let removed = safe_fs::check_no_links(&self.root, &full, self.team)
                .and_then(|()| std::fs::remove_file(&full));
            match removed {
                Ok(()) => sync_dir(&full),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(self.write_failed(&full, e)),
            }
        }
        self.layout = after;
        self.clean_temps(&written_dirs);
        Ok(())
    }

    /// Removes temp files a crashed write left in the state folder and in `dirs`. Runs
    /// under the lock, so no other devguide is writing one at the moment. Best effort.
    fn clean_temps(&mut self, dirs: &BTreeSet<PathBuf>) {
        let folders: Vec<PathBuf> = std::iter::once(&self.root)
            .chain(dirs.iter())
            .filter(|d| !self.cleaned.contains(*d))
            .cloned()
            .collect();
        for dir in &folders {
            self.cleaned.insert(dir.clone());
            if safe_fs::check_no_links(&self.root, dir, self.team).is_err() {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                // The state file's folder may be shared with other files (`--state
                // ~/notes/ticks.json`): there, only the state file's own temp files.
                let ours = dir != &self.root
                    || name
                        .to_str()
                        .zip(self.path.file_name().and_then(|n| n.to_str()))
                        .is_some_and(|(n, state)| n.starts_with(&format!("{state}.tmp-")));
                let is_temp = ours && name.to_str().is_some_and(is_temp_name);
                let is_file = entry
                    .file_type()
                    .is_ok_and(|t| t.is_file() || t.is_symlink());
                if is_temp && is_file {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }

    /// Creates the folder of a migration file if needed, refusing links on the way and
    /// making the new folders durable.
    fn ensure_dir(&self, file: &Path) -> std::io::Result<()> {
        let Some(dir) = parent(file) else {
            return Ok(());
        };
        safe_fs::check_no_links(&self.root, dir, self.team)?;
        if dir.is_dir() {
            return Ok(());
        }
        safe_fs::create_dirs(&self.root, dir, self.team)?;
        // The set's folder in `.d`, and `.d` in the state file's folder.
        sync_dir(dir);
        if let Some(d) = parent(dir) {
            sync_dir(d);
        }
        Ok(())
    }

    /// Creates a new state file holding an empty state; fails if one exists.
    pub fn create_new(path: &Path) -> Result<(), StoreError> {
        let mut store = Store::new(path.to_path_buf());
        let io = |path: &Path, source| StoreError::Io {
            path: path.into(),
            source,
        };
        if let Some(dir) = parent(path) {
            safe_fs::check_no_links(dir, dir, store.team).map_err(|e| io(dir, e))?;
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        let _lock = store.lock()?;
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(io(path, ErrorKind::AlreadyExists.into()));
        }
        let text = render(&serde_json::to_value(State::default()).unwrap_or_default());
        write_atomic_pinned(&store.root, store.team, path, text.as_bytes())
            .map(drop)
            .map_err(|e| store.write_failed(path, e))
    }

    /// Takes the lock beside the state file: a regular file, never through a link.
    /// Waits at most `lock_wait` for another devguide to finish, saying so after a
    /// second; then fails with a message naming the file.
    fn lock(&mut self) -> Result<File, StoreError> {
        let lock_path = self.lock_path();
        let file = safe_fs::check_no_links(&self.root, &lock_path, self.team)
            .and_then(|()| {
                safe_fs::create_dirs(&self.root, &self.root, self.team)?;
                safe_fs::open_write(&lock_path, true)
            })
            .map_err(|e| self.write_failed(&lock_path, e))?;
        let start = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(self.write_failed(&lock_path, e));
                }
            }
            let waited = start.elapsed();
            if waited >= self.lock_wait {
                return Err(StoreError::Locked(format!(
                    "the lock on {} is held by another devguide ({}); waited {} s, nothing \
                     was changed. Try again when it is done.",
                    self.path.display(),
                    lock_path.display(),
                    waited.as_secs()
                )));
            }
            if !told && waited >= LOCK_NOTICE_AFTER {
                told = true;
                if let Some(notice) = self.on_lock_wait {
                    notice(&format!(
                        "waiting for the lock on {} held by another devguide…",
                        self.path.display()
                    ));
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Checks that the file and its lock could be written, creating and changing
    /// nothing, so a session that cannot write says so at the start rather than at the
    /// first tick.
    fn probe_writable(&self) -> Result<(), String> {
        let denied = |path: &Path, e: std::io::Error| {
            format!(
                "{}: cannot be written ({e}); checklist ticks are read-only this session",
                path.display()
            )
        };
        let lock = self.lock_path();
        for path in [&self.path, &lock] {
            safe_fs::check_no_links(&self.root, path, self.team).map_err(|e| denied(path, e))?;
            if std::fs::symlink_metadata(path).is_ok() {
                safe_fs::open_write(path, false).map_err(|e| denied(path, e))?;
            }
        }
        // A file not there yet is created in its folder: that must be writable.
        if std::fs::symlink_metadata(&lock).is_err() {
            let dir = self
                .root
                .ancestors()
                .find(|d| d.exists())
                .unwrap_or(Path::new("."));
            if !writable_dir(dir) {
                return Err(denied(
                    dir,
                    std::io::Error::from(ErrorKind::PermissionDenied),
                ));
            }
        }
        Ok(())
    }

    /// Permission problems and refusals (a link, a FIFO) turn the session read-only;
    /// other errors are reported as is.
    fn write_failed(&mut self, path: &Path, e: std::io::Error) -> StoreError {
        if safe_fs::is_refusal(&e) {
            let why = format!("{e}; checklist ticks are read-only this session");
            self.read_only = Some(why.clone());
            return StoreError::ReadOnly(why);
        }
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
        if safe_fs::is_refusal(e) {
            return format!("{e}; checklist ticks are read-only this session");
        }
        format!(
            "{}: cannot be read ({e}); checklist ticks are read-only this session",
            path.display()
        )
    }
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

/// Whether this process may create files in `dir`.
#[cfg(unix)]
fn writable_dir(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn writable_dir(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// Whether a file name is one of our temp files: `<name>.tmp-<pid>-<n>`.
fn is_temp_name(name: &str) -> bool {
    name.rsplit_once(".tmp-").is_some_and(|(stem, tail)| {
        !stem.is_empty()
            && tail
                .split_once('-')
                .is_some_and(|(a, b)| is_digits(a) && is_digits(b))
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Renames a file to `<name>.corrupt-<UTC timestamp>` (with `-N` if taken) and returns
/// the new path. Neither name may be a link.
fn set_aside(root: &Path, team: bool, path: &Path) -> std::io::Result<PathBuf> {
    safe_fs::check_no_links(root, path, team)?;
    let stamp: String = super::state::timestamp(SystemTime::now())
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let base = sibling(path, &format!(".corrupt-{stamp}"));
    let mut target = base.clone();
    let mut n = 1;
    while std::fs::symlink_metadata(&target).is_ok() {
        n += 1;
        target = sibling(&base, &format!("-{n}"));
    }
    std::fs::rename(path, &target)?;
    sync_dir(path);
    Ok(target)
}

/// Temp file in the same folder → write → fsync → rename → fsync the folder, without
/// following a link anywhere from `root` down (see `safe_fs`).
pub(crate) fn write_atomic(
    root: &Path,
    check_root: bool,
    path: &Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    write_atomic_pinned(root, check_root, path, bytes).map(drop)
}

/// [`write_atomic`], keeping the new file open and returning its stamp as renamed into
/// place (a rename may change its ctime), so the next update can tell it is unchanged.
fn write_atomic_pinned(
    root: &Path,
    check_root: bool,
    path: &Path,
    bytes: &[u8],
) -> std::io::Result<Option<(File, Stamp)>> {
    safe_fs::check_no_links(root, path, check_root)?;
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = sibling(path, &format!(".tmp-{}-{attempt}", std::process::id()));
        match safe_fs::create_new(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && meta.is_file()
        {
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
