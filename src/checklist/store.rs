//! The state file on disk. Ticks are user state that must never be lost, so:
//! - every read-modify-write holds a lock on `state.json.lock` and re-reads the file
//!   inside it, so two devguide processes both keep their ticks;
//! - writes go to a temp file in the same folder, are fsynced, renamed over the file and
//!   the folder fsynced, so a crash leaves the old file or the new one, never half;
//! - a corrupt or empty file is renamed aside, never overwritten;
//! - a file from a newer devguide, or one we may not read or write, is left untouched
//!   and the session runs read-only.
//!
//! Speed with a large file (1,000 migrations × 100 ticks, about 24 MB) comes from not
//! redoing work: the store remembers the state it last read or wrote together with the
//! file's identity (device, inode, size, mtime, ctime), and inside the lock re-reads
//! only when that identity changed; and it re-renders only the migrations that changed.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::format::{RenderCache, render, render_state};
use super::state::{State, StateError, VERSION};
use super::upgrade::{Decoded, decode};

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

/// The state file of one session.
pub struct Store {
    path: PathBuf,
    read_only: Option<String>,
    /// What this process last read from or wrote to the file, while the file is still
    /// that one.
    cache: Option<Cache>,
    rendered: RenderCache,
}

/// A clone starts without the caches: it re-reads the file on its first update, which
/// is always correct, and the caches are not worth sharing.
impl Clone for Store {
    fn clone(&self) -> Store {
        Store {
            path: self.path.clone(),
            read_only: self.read_only.clone(),
            cache: None,
            rendered: RenderCache::default(),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .field("cached", &self.cache.as_ref().map(|c| c.pin.stamp))
            .finish_non_exhaustive()
    }
}

/// The identity and version of the file's content: an atomic save renames a new file
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
    state: State,
    /// The file's bytes, to skip a write that would change nothing.
    bytes: Vec<u8>,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread parsed a state file, for tests of the cache.
    static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// What [`Store::open`] found.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    pub state: State,
    /// Things to tell the user (a file set aside, read-only mode).
    pub notices: Vec<String>,
}

/// The result of a successful [`Store::update`].
#[derive(Debug)]
pub struct Updated<R> {
    /// The state as written: the file's latest content plus this change.
    pub state: State,
    pub value: R,
    pub notices: Vec<String>,
}

enum Loaded {
    Missing,
    /// The state, the bytes it was read from and, where possible, the file pinned.
    Ok(State, Vec<u8>, Option<Pin>),
    Newer(u64, Option<State>),
    Corrupt(String),
    Unreadable(std::io::Error),
}

fn load(path: &Path) -> Loaded {
    let mut file = match File::open(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Unreadable(e),
        Ok(f) => f,
    };
    // The stamp is taken from the open file before reading, so it can only be older
    // than the bytes: at worst a later check re-reads needlessly, never wrongly skips.
    let meta = file.metadata().ok();
    let mut bytes = Vec::with_capacity(meta.as_ref().map_or(0, |m| m.len() as usize));
    if let Err(e) = file.read_to_end(&mut bytes) {
        return Loaded::Unreadable(e);
    }
    #[cfg(test)]
    PARSES.with(|n| n.set(n.get() + 1));
    match decode(&bytes) {
        Decoded::Ok { state } => {
            let pin = meta
                .as_ref()
                .and_then(stamp)
                .map(|stamp| Pin { _file: file, stamp });
            Loaded::Ok(state, bytes, pin)
        }
        Decoded::Newer { version, state } => Loaded::Newer(version, state),
        Decoded::Corrupt(why) => Loaded::Corrupt(why),
    }
}

impl Store {
    /// Opens the state file at `path`. Never fails: problems become notices, and the
    /// session runs read-only when writing would be unsafe or impossible.
    pub fn open(path: impl Into<PathBuf>) -> Opened {
        let mut store = Store {
            path: path.into(),
            read_only: None,
            cache: None,
            rendered: RenderCache::default(),
        };
        let mut notices = Vec::new();
        let state = match load(&store.path) {
            Loaded::Missing => State::default(),
            Loaded::Ok(state, bytes, pin) => {
                store.remember(pin, &state, bytes);
                state
            }
            Loaded::Newer(version, state) => {
                store.read_only = Some(store.newer_message(version));
                state.unwrap_or_default()
            }
            Loaded::Unreadable(e) => {
                store.read_only = Some(store.unreadable_message(&e));
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

    /// Reads the file again (for a reader that wants other processes' ticks); cheap when
    /// nobody changed it since this store last read or wrote it.
    pub fn reload(&self) -> State {
        if let Some(state) = self.cached() {
            return state.clone();
        }
        match load(&self.path) {
            Loaded::Ok(s, _, _) | Loaded::Newer(_, Some(s)) => s,
            _ => State::default(),
        }
    }

    /// The remembered state, if the file on disk is still the one it came from.
    fn cached(&self) -> Option<&State> {
        let cache = self.cache.as_ref()?;
        (stamp_of(&self.path) == Some(cache.pin.stamp)).then_some(&cache.state)
    }

    fn remember(&mut self, pin: Option<Pin>, state: &State, bytes: Vec<u8>) {
        self.cache = pin.map(|pin| Cache {
            pin,
            state: state.clone(),
            bytes,
        });
    }

    /// Read-modify-write: locks, re-reads the file, applies `change` and, if the content
    /// changed, writes it atomically. When `change` fails nothing is written.
    pub fn update<R, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&mut State) -> Result<R, E>,
    ) -> Result<Updated<R>, E> {
        if let Some(why) = &self.read_only {
            return Err(StoreError::ReadOnly(why.clone()).into());
        }
        let _lock = self.lock().map_err(|e| self.write_failed(e))?;
        let mut notices = Vec::new();
        // Inside the lock, the file is re-read unless it is provably the one this store
        // last read or wrote (see `Stamp`); either way `state` is the file's content.
        let (mut state, before) = if let Some(s) = self.cached().cloned() {
            (s, None)
        } else {
            self.cache = None;
            match load(&self.path) {
                Loaded::Missing => (State::default(), None),
                Loaded::Ok(s, bytes, pin) => match pin {
                    Some(pin) => {
                        self.remember(Some(pin), &s, bytes);
                        (s, None)
                    }
                    None => (s, Some(bytes)),
                },
                Loaded::Newer(version, _) => {
                    let why = self.newer_message(version);
                    self.read_only = Some(why.clone());
                    return Err(StoreError::ReadOnly(why).into());
                }
                Loaded::Unreadable(e) => {
                    let why = self.unreadable_message(&e);
                    self.read_only = Some(why.clone());
                    return Err(StoreError::ReadOnly(why).into());
                }
                Loaded::Corrupt(reason) => {
                    let aside = set_aside(&self.path).map_err(|e| self.write_failed(e))?;
                    notices.push(format!(
                        "{}: {reason}; it was moved to {} and checklist state starts empty",
                        self.path.display(),
                        aside.display()
                    ));
                    (State::default(), None)
                }
            }
        };
        let value = change(&mut state)?;
        state.version = VERSION;
        let text = render_state(&state, &mut self.rendered).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        let on_disk = match &self.cache {
            Some(c) => Some(c.bytes.as_slice()),
            None => before.as_deref(),
        };
        if on_disk != Some(text.as_bytes()) {
            // Until the write succeeds the file's content is not known for certain.
            self.cache = None;
            let pin = write_atomic_pinned(&self.path, text.as_bytes())
                .map_err(|e| self.write_failed(e))?;
            self.remember(pin, &state, text.into_bytes());
        }
        Ok(Updated {
            state,
            value,
            notices,
        })
    }

    /// Creates a new state file holding an empty state; fails if one exists.
    pub fn create_new(path: &Path) -> Result<(), StoreError> {
        if let Some(dir) = parent(path) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.into(),
                source,
            })?;
        }
        let mut store = Store {
            path: path.to_path_buf(),
            read_only: None,
            cache: None,
            rendered: RenderCache::default(),
        };
        let _lock = store.lock().map_err(|e| store.write_failed(e))?;
        if path.exists() {
            return Err(StoreError::Io {
                path: path.into(),
                source: ErrorKind::AlreadyExists.into(),
            });
        }
        let text = render(&serde_json::to_value(State::default()).unwrap_or_default());
        write_atomic(path, text.as_bytes()).map_err(|e| store.write_failed(e))
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
    fn write_failed(&mut self, e: std::io::Error) -> StoreError {
        if matches!(
            e.kind(),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
        ) {
            let why = format!(
                "{}: cannot be written ({e}); checklist ticks are read-only this session",
                self.path.display()
            );
            self.read_only = Some(why.clone());
            StoreError::ReadOnly(why)
        } else {
            StoreError::Io {
                path: self.path.clone(),
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

    fn unreadable_message(&self, e: &std::io::Error) -> String {
        format!(
            "{}: cannot be read ({e}); checklist ticks are read-only this session",
            self.path.display()
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
fn write_atomic_pinned(path: &Path, bytes: &[u8]) -> std::io::Result<Option<Pin>> {
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
    Ok(stamp.map(|stamp| Pin { _file: file, stamp }))
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
