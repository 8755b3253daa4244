//! The on-disk cache behind `devguide search` and `devguide list`, one file per guide set
//! under `$XDG_CACHE_HOME/devguide/`.
//!
//! For each guide it keeps what loading the file gave (title, front matter, notices), its
//! outline (headings, task count) and its share of the search index ([`GuidePart`]),
//! keyed by the file's size and modification time and a hash of its text. A repeated call
//! then costs a `stat` per file: a guide whose size and time match is neither read nor
//! parsed. Times that close to when the cache was written (where a coarse file-system
//! clock could hide an edit) are not trusted: such a guide is read and its text compared
//! by hash, as is any guide that includes other files.
//!
//! Layout: a header, then the *table* (every guide's key, fields and outline, with one
//! checksum), then every guide's *part* (its own checksum and length). `list` reads only
//! the table; `search` streams the parts one guide at a time, so memory stays at one
//! guide's index however large the set.
//!
//! The file is a cache, never user state: anything wrong with it (another version, a bad
//! checksum, cut short, a symlink, too large) makes it, or the damaged part, count as
//! missing, and it is rebuilt. Writers replace it atomically (temp file in the same
//! folder, fsync, rename), so two at once leave one complete file and a reader, holding
//! the file it opened, never sees half of one.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::content::{Guide, GuideSet, LoadError, Origin};
use crate::doc;

use super::HitKind;
use super::part::{GuidePart, PartEntry, PartHeading};

const MAGIC: &[u8; 8] = b"DGSRCH\0\0";
/// Bumped whenever the layout of the file changes.
const VERSION: u32 = 3;
/// Larger files are not read (nor written): a damaged length must not exhaust memory.
const MAX_BYTES: u64 = 1 << 30;
/// A file modified less than this before the cache was written is checked by its text:
/// some file systems keep times to the second (or two), so an edit right after the cache
/// read the file could leave size and time as they were.
const RACY_NANOS: u64 = 2_000_000_000;

/// What makes a cached guide valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    /// The file's size on disk.
    size: u64,
    /// Nanoseconds since the epoch; `u64::MAX` when the time is unknown.
    mtime: u64,
    /// [`content_hash`] of the guide's text as loaded.
    hash: u64,
}

fn nanos(t: Option<std::time::SystemTime>) -> u64 {
    t.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(u64::MAX, |d| {
            d.as_nanos().min(u128::from(u64::MAX - 1)) as u64
        })
}

/// Size and time of a file, following a symlink as opening it would.
fn stat(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    Some((meta.len(), nanos(meta.modified().ok())))
}

/// A fast, non-cryptographic 64-bit hash: tells an edited guide from the cached one even
/// when its size and time did not change, and a damaged cache from a whole one.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

/// The checksum of the cache's table and parts: four independent lanes, so it runs at
/// memory speed rather than at the latency of one multiply per word.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut lanes = [K, K.rotate_left(16), K.rotate_left(32), K.rotate_left(48)];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(b.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            *lane = (*lane ^ u64::from_le_bytes(word))
                .wrapping_mul(K)
                .rotate_left(29);
        }
    }
    let tail = content_hash(blocks.remainder());
    lanes.iter().fold(tail ^ bytes.len() as u64, |h, &l| {
        (h ^ l).wrapping_mul(K).rotate_left(29)
    })
}

/// How the cache was used, for tests and `--verbose` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Guides whose part (or outline) came from the cache.
    pub reused: usize,
    /// Guides parsed again.
    pub parsed: usize,
    /// Guides taken from the cache without reading their file.
    pub unread: usize,
    pub written: bool,
}

/// The folder for cache files: `$XDG_CACHE_HOME/devguide`, else the platform's.
pub fn dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::cache_dir)?;
    Some(base.join("devguide"))
}

/// One file per set, named by a hash of the set's canonical path.
fn file_name(origin: &Origin) -> String {
    format!(
        "search-{:016x}.bin",
        content_hash(origin.identity().as_bytes())
    )
}

/// What loading a guide file gave, before a book's `SUMMARY.md` or unique ids changed it:
/// enough to stand in for the file when it has not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loaded {
    id: String,
    title: String,
    title_from_front: bool,
    order: Option<i64>,
    summary: Option<String>,
    tags: Vec<String>,
    checklist: Option<bool>,
    body_line: u32,
    notices: Vec<String>,
    level: u8,
}

impl Loaded {
    fn of(g: &Guide) -> Loaded {
        Loaded {
            id: g.id.clone(),
            title: g.title.clone(),
            title_from_front: g.title_from_front,
            order: g.order,
            summary: g.summary.clone(),
            tags: g.tags.clone(),
            checklist: g.checklist,
            body_line: g.body_line as u32,
            notices: g.notices.clone(),
            level: g.level,
        }
    }

    /// The guide as loading would give it, with no text: callers that were handed it
    /// need only the fields and the cached outline and index.
    fn guide(&self, rel_path: &str, modified: Option<std::time::SystemTime>) -> Guide {
        Guide {
            id: self.id.clone(),
            rel_path: rel_path.to_string(),
            title: self.title.clone(),
            order: self.order,
            summary: self.summary.clone(),
            tags: self.tags.clone(),
            checklist: self.checklist,
            body: String::new(),
            body_line: self.body_line as usize,
            notices: self.notices.clone(),
            modified,
            level: self.level,
            part: None,
            number: None,
            draft: false,
            pending: false,
            partial: false,
            toc_position: None,
            include_problems: Vec::new(),
            included_files: Vec::new(),
            title_from_front: self.title_from_front,
        }
    }
}

/// A guide's row in the table.
#[derive(Debug, Clone)]
struct Row {
    rel_path: String,
    key: Key,
    /// Size and time alone may vouch for the guide: it includes no other file.
    stat_ok: bool,
    loaded: Loaded,
    headings: Vec<PartHeading>,
    tasks: u32,
    /// Where its part starts in the file, and its length (checksum not counted).
    part_at: u64,
    part_len: u64,
}

/// A cache file as opened: its table, and the file itself for reading parts.
struct Opened {
    written_at: u64,
    rows: Vec<Row>,
    by_path: HashMap<String, usize>,
    file: File,
}

/// Sets smaller than this are searched on one thread: starting more costs more.
const PARALLEL_FROM: usize = 64;

/// One thread's share of [`Session::for_each_part`].
struct Run<S> {
    state: S,
    stats: Stats,
    fresh: Vec<(usize, GuidePart)>,
    damaged: bool,
}

/// Fills `buf` from `offset` of `file` without moving a shared position.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// What was learnt about one guide file while the set was loaded.
#[derive(Debug, Clone)]
struct Seen {
    stat: Option<(u64, u64)>,
    /// Taken from the cache, unread.
    unread: bool,
    /// Read from disk: what loading gave, and whether it includes other files.
    loaded: Option<(Loaded, bool)>,
}

/// The cache of one guide set for the length of a command: opened before the set is
/// loaded, so unchanged guides need not be read, and written back (when anything
/// changed) once the command has what it needs.
pub struct Session {
    file: Option<PathBuf>,
    opened: Option<Opened>,
    seen: HashMap<String, Seen>,
    /// When the session began (nanoseconds since the epoch): what the file records as the
    /// time it was written.
    started: u64,
    /// Each table row's file looked up ahead, on several threads, by row.
    prefetched: Vec<Option<Option<std::fs::Metadata>>>,
    /// Parts built this time, by guide index, for writing back.
    fresh: HashMap<usize, GuidePart>,
    /// A part in the file was damaged: the file must be written again.
    damaged: bool,
}

impl Session {
    /// No cache: everything is parsed, nothing read or written.
    pub fn none() -> Session {
        Session {
            file: None,
            opened: None,
            seen: HashMap::new(),
            started: nanos(Some(std::time::SystemTime::now())),
            prefetched: Vec::new(),
            fresh: HashMap::new(),
            damaged: false,
        }
    }

    /// The cache in `file`, whatever state it is in.
    pub fn at(file: PathBuf) -> Session {
        let opened = open(&file);
        Session {
            file: Some(file),
            opened,
            ..Session::none()
        }
    }

    /// The cache for `origin` in the cache folder; none for the bundled set (which costs
    /// nothing to index), for piped text, with `use_cache` false or without a cache folder.
    pub fn for_origin(origin: &Origin, use_cache: bool) -> Session {
        match (origin, use_cache, dir()) {
            (Origin::Dir(_) | Origin::File(_), true, Some(d)) => {
                Session::at(d.join(file_name(origin)))
            }
            _ => Session::none(),
        }
    }

    /// Looks up the size and time of every file the table names, on a few threads: the
    /// one cost of a call on an unchanged set that grows with the number of guides. The
    /// times are taken before anything is read, so an edit made meanwhile still shows.
    fn prefetch(&mut self, dir: &Path) {
        let Some(o) = &self.opened else {
            return;
        };
        let rows = &o.rows;
        if rows.len() < PARALLEL_FROM {
            return;
        }
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(4));
        let per = rows.len().div_ceil(threads).max(1);
        let found: Vec<Vec<Option<std::fs::Metadata>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = rows
                .chunks(per)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|r| std::fs::metadata(dir.join(&r.rel_path)).ok())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let found: Vec<Option<Option<std::fs::Metadata>>> =
            found.into_iter().flatten().map(Some).collect();
        // A thread that failed leaves the lookups to the load.
        if found.len() == rows.len() {
            self.prefetched = found;
        }
    }

    fn row(&self, rel_path: &str) -> Option<&Row> {
        let o = self.opened.as_ref()?;
        o.rows.get(*o.by_path.get(rel_path)?)
    }

    /// Loads one guide file for [`GuideSet::from_dir_with`]: from the cache when the
    /// file's size and time vouch for it (`trust_stat`), else from disk.
    fn load_guide(
        &mut self,
        rel: &str,
        path: &Path,
        root: Option<&Path>,
        trust_stat: bool,
    ) -> Result<Guide, String> {
        let early = self
            .opened
            .as_ref()
            .and_then(|o| o.by_path.get(rel))
            .and_then(|&r| self.prefetched.get_mut(r))
            .and_then(Option::take);
        let meta = early
            .unwrap_or_else(|| std::fs::metadata(path).ok())
            .filter(|m| m.is_file());
        let stat = meta.as_ref().map(|m| (m.len(), nanos(m.modified().ok())));
        if trust_stat
            && let (Some((size, mtime)), Some(o)) = (stat, &self.opened)
            && let Some(row) = self.row(rel)
            && row.stat_ok
            && row.key.size == size
            && row.key.mtime == mtime
            && mtime.saturating_add(RACY_NANOS) < o.written_at
        {
            let guide = row
                .loaded
                .guide(rel, meta.as_ref().and_then(|m| m.modified().ok()));
            self.seen.insert(
                rel.to_string(),
                Seen {
                    stat,
                    unread: true,
                    loaded: None,
                },
            );
            return Ok(guide);
        }
        let guide = crate::content::load_disk_guide(rel, path, root)?;
        let includes = !guide.included_files.is_empty() || !guide.include_problems.is_empty();
        self.seen.insert(
            rel.to_string(),
            Seen {
                stat,
                unread: false,
                loaded: Some((Loaded::of(&guide), includes)),
            },
        );
        Ok(guide)
    }

    /// Whether guide `i`'s cached row still holds, and whether it was taken unread.
    fn valid_row(&self, set: &GuideSet, i: usize) -> Option<(usize, bool)> {
        let g = set.guides.get(i)?;
        let o = self.opened.as_ref()?;
        let r = *o.by_path.get(&g.rel_path)?;
        let row = &o.rows[r];
        let seen = self.seen.get(&g.rel_path);
        if seen.is_some_and(|s| s.unread) {
            return Some((r, true));
        }
        let (size, mtime) = match seen {
            Some(s) => s.stat?,
            None => stat(&set.disk_path(i)?)?,
        };
        let key = Key {
            size,
            mtime,
            hash: content_hash(g.body.as_bytes()),
        };
        (key == row.key).then_some((r, false))
    }

    /// Reads and checks part `r` of the file. Positional reads: threads share the file.
    fn read_part(&self, r: usize, buf: &mut Vec<u8>) -> Option<()> {
        let o = self.opened.as_ref()?;
        let row = o.rows.get(r)?;
        buf.clear();
        buf.resize(usize::try_from(row.part_len.checked_add(8)?).ok()?, 0);
        read_at(&o.file, buf, row.part_at).ok()?;
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&buf[..8]);
        buf.drain(..8);
        (checksum(buf) == u64::from_le_bytes(sum)).then_some(())
    }

    /// Calls `f` with every guide's part, from the cache where it holds, else parsed (and
    /// kept for writing back); then writes the cache back if anything changed. Large
    /// sets are split into runs of guides, one thread each, every thread with its own
    /// state from `init`: the states come back in guide order, so a caller that keeps
    /// its results in the order it saw them gets them in set order.
    pub fn for_each_part<S: Send>(
        &mut self,
        set: &GuideSet,
        init: &(dyn Fn() -> S + Sync),
        f: &(dyn Fn(&mut S, usize, GuidePart) + Sync),
    ) -> (Vec<S>, Stats) {
        let n = set.guides.len();
        let threads = if n < PARALLEL_FROM {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get().min(4))
        };
        let per = n.div_ceil(threads).max(1);
        let this = &*self;
        let work = |range: std::ops::Range<usize>| {
            let mut run = Run {
                state: init(),
                stats: Stats::default(),
                fresh: Vec::new(),
                damaged: false,
            };
            let mut buf = Vec::new();
            for i in range {
                let Some(g) = set.guides.get(i) else {
                    continue;
                };
                let valid = this.valid_row(set, i);
                let cached = valid.and_then(|(r, unread)| {
                    this.read_part(r, &mut buf)?;
                    let row = this.opened.as_ref()?.rows.get(r)?;
                    Some((decode_part(&buf, row)?, unread))
                });
                match cached {
                    Some((part, unread)) => {
                        run.stats.reused += 1;
                        run.stats.unread += usize::from(unread);
                        f(&mut run.state, i, part);
                    }
                    None => {
                        run.damaged |= valid.is_some();
                        run.stats.parsed += 1;
                        let part = this.parse(set, i, g);
                        if this.file.is_some() {
                            run.fresh.push((i, part.clone()));
                        }
                        f(&mut run.state, i, part);
                    }
                }
            }
            run
        };
        let runs: Vec<Run<S>> = if threads == 1 {
            vec![work(0..n)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = (t * per).min(n)..((t + 1) * per).min(n);
                        scope.spawn(move || work(range))
                    })
                    .collect();
                // A thread that panicked is a bug: it goes on up, not quietly lost hits.
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        let mut stats = Stats::default();
        let mut states = Vec::with_capacity(runs.len());
        for run in runs {
            stats.reused += run.stats.reused;
            stats.unread += run.stats.unread;
            stats.parsed += run.stats.parsed;
            self.damaged |= run.damaged;
            self.fresh.extend(run.fresh);
            states.push(run.state);
        }
        stats.written = self.finish(set);
        (states, stats)
    }

    /// Every guide's outline (headings, task items): from the table where it holds, so
    /// no part is read; parsed otherwise. Then writes the cache back if anything changed.
    pub fn outlines(&mut self, set: &GuideSet) -> (Vec<(Vec<PartHeading>, u32)>, Stats) {
        let mut stats = Stats::default();
        let mut out = Vec::with_capacity(set.guides.len());
        for (i, g) in set.guides.iter().enumerate() {
            let row = self
                .valid_row(set, i)
                .and_then(|(r, unread)| Some((self.opened.as_ref()?.rows.get(r)?, unread)));
            match row {
                Some((row, unread)) => {
                    stats.reused += 1;
                    stats.unread += usize::from(unread);
                    out.push((row.headings.clone(), row.tasks));
                }
                None => {
                    stats.parsed += 1;
                    let part = self.parse(set, i, g);
                    out.push((part.headings.clone(), part.tasks));
                    if self.file.is_some() {
                        self.fresh.insert(i, part);
                    }
                }
            }
        }
        stats.written = self.finish(set);
        (out, stats)
    }

    fn parse(&self, set: &GuideSet, i: usize, g: &Guide) -> GuidePart {
        if self.seen.get(&g.rel_path).is_some_and(|s| s.unread) {
            // Taken from the cache unread, yet its part is damaged: read it now.
            if let Some(path) = set.disk_path(i)
                && let Ok(fresh) =
                    crate::content::load_disk_guide(&g.rel_path, &path, set.root.as_deref())
            {
                return parse_part(&fresh);
            }
        }
        parse_part(g)
    }

    /// Writes the file again when a guide changed, came or went, a part was damaged, or
    /// a guide checked by its text has become old enough to be vouched for by its time.
    fn finish(&mut self, set: &GuideSet) -> bool {
        let Some(file) = self.file.clone() else {
            return false;
        };
        // The time the cache stands for is when this call started, before any file was
        // looked at: an edit made while it ran is later than that, so a file time close
        // enough to be that edit's is never trusted.
        let now = self.started;
        let same_rows = self.opened.as_ref().is_some_and(|o| {
            o.rows.len() == set.guides.len()
                && o.rows
                    .iter()
                    .zip(&set.guides)
                    .all(|(r, g)| r.rel_path == g.rel_path)
        });
        let ripe = set.guides.iter().any(|g| {
            self.seen.get(&g.rel_path).is_some_and(|s| {
                !s.unread
                    && s.loaded.as_ref().is_some_and(|(_, includes)| !includes)
                    && s.stat
                        .is_some_and(|(_, m)| m != u64::MAX && m.saturating_add(RACY_NANOS) < now)
            })
        });
        if self.fresh.is_empty() && !self.damaged && same_rows && !ripe {
            return false;
        }
        let Some(bytes) = self.encode(set, now) else {
            return false;
        };
        write(&file, &bytes).is_ok()
    }

    /// The whole file for `set`: parts built this time are encoded, the others copied
    /// from the old file as they are (or parsed, should one be damaged).
    fn encode(&mut self, set: &GuideSet, now: u64) -> Option<Vec<u8>> {
        let mut parts = Vec::new();
        let mut rows = Vec::with_capacity(set.guides.len());
        let mut buf = Vec::new();
        for (i, g) in set.guides.iter().enumerate() {
            let old = self.valid_row(set, i).map(|(r, _)| r);
            let at = parts.len() as u64;
            let mut copied = false;
            if !self.fresh.contains_key(&i)
                && let Some(r) = old
                && self.read_part(r, &mut buf).is_some()
            {
                parts.extend_from_slice(&checksum(&buf).to_le_bytes());
                parts.extend_from_slice(&buf);
                copied = true;
            }
            let (headings, tasks) = if copied {
                let row = &self.opened.as_ref()?.rows[old?];
                (row.headings.clone(), row.tasks)
            } else {
                let part = match self.fresh.remove(&i) {
                    Some(p) => p,
                    None => self.parse(set, i, g),
                };
                let mut body = Vec::new();
                encode_part(&part, &mut body);
                parts.extend_from_slice(&checksum(&body).to_le_bytes());
                parts.extend_from_slice(&body);
                (part.headings, part.tasks)
            };
            let part_len = parts.len() as u64 - at - 8;
            let seen = self.seen.get(&g.rel_path);
            let row_old = old.and_then(|r| self.opened.as_ref()?.rows.get(r));
            let (loaded, includes) = match seen.and_then(|s| s.loaded.clone()) {
                Some(l) => l,
                None => match row_old {
                    Some(r) => (r.loaded.clone(), !r.stat_ok),
                    // A single file's set: loaded without a hook, nothing moved it since.
                    None => (Loaded::of(g), true),
                },
            };
            let (size, mtime) = match seen.and_then(|s| s.stat) {
                Some(s) => s,
                None => set
                    .disk_path(i)
                    .and_then(|p| stat(&p))
                    .unwrap_or((u64::MAX, u64::MAX)),
            };
            let hash = match (seen.is_some_and(|s| s.unread), row_old) {
                (true, Some(r)) => r.key.hash,
                _ => content_hash(g.body.as_bytes()),
            };
            rows.push(Row {
                rel_path: g.rel_path.clone(),
                key: Key { size, mtime, hash },
                stat_ok: !includes,
                loaded,
                headings,
                tasks,
                part_at: at,
                part_len,
            });
        }
        let table = encode_table(&rows);
        let mut out = Vec::with_capacity(table.len() + parts.len() + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&now.to_le_bytes());
        out.extend_from_slice(&(table.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(&table).to_le_bytes());
        out.extend_from_slice(&table);
        out.extend_from_slice(&parts);
        Some(out)
    }
}

/// Loads the guide set a `search` or `list` asks for, with its cache. With `trust_stat`,
/// guides whose file has not changed come from the cache without being read (their
/// `body` is then empty: use it only for what the cache holds).
pub fn load_set(
    dir: Option<&Path>,
    use_cache: bool,
    trust_stat: bool,
) -> Result<(GuideSet, Session), LoadError> {
    let Some(dir) = dir else {
        return Ok((GuideSet::bundled(), Session::none()));
    };
    let mut session = Session::for_origin(&Origin::Dir(dir.to_path_buf()), use_cache);
    if trust_stat {
        session.prefetch(dir);
    }
    let set = GuideSet::from_dir_with(dir, &mut |rel, path, root| {
        session.load_guide(rel, path, root, trust_stat)
    })?;
    Ok((set, session))
}

/// Every guide's part, from the cache where it is still valid. With `use_cache` false (or
/// for the bundled set, which costs nothing to index) nothing is read or written.
pub fn guide_parts(set: &GuideSet, use_cache: bool) -> (Vec<GuidePart>, Stats) {
    collect(set, Session::for_origin(&set.origin, use_cache))
}

/// [`guide_parts`] with the cache in `file`.
pub fn parts_cached_in(set: &GuideSet, file: &Path) -> (Vec<GuidePart>, Stats) {
    collect(set, Session::at(file.to_path_buf()))
}

fn collect(set: &GuideSet, mut session: Session) -> (Vec<GuidePart>, Stats) {
    let (runs, stats) = session.for_each_part(set, &Vec::new, &|run, _, p| run.push(p));
    (runs.into_iter().flatten().collect(), stats)
}

fn parse_part(g: &Guide) -> GuidePart {
    GuidePart::build(g, &doc::parse(&g.body))
}

// ----- reading -----------------------------------------------------------------------

/// The file's header and table; `None` for a missing or unusable file.
fn open(path: &Path) -> Option<Opened> {
    // Never through a symlink, never a FIFO or device, never a huge file.
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a symlink or a FIFO since the check above: refused, not followed.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let size = file.metadata().ok().filter(|m| m.is_file())?.len();
    let mut head = [0u8; 8 + 4 + 8 + 8 + 8];
    read_at(&file, &mut head, 0).ok()?;
    let mut r = Reader {
        bytes: &head,
        pos: 0,
    };
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    let written_at = r.u64()?;
    let table_len = r.u64()?;
    let sum = r.u64()?;
    let parts_at = (head.len() as u64).checked_add(table_len)?;
    if parts_at > size {
        return None;
    }
    let mut table = vec![0u8; usize::try_from(table_len).ok()?];
    read_at(&file, &mut table, head.len() as u64).ok()?;
    if checksum(&table) != sum {
        return None;
    }
    let rows = decode_table(&table, parts_at, size)?;
    let by_path = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.rel_path.clone(), i))
        .collect();
    Some(Opened {
        written_at,
        rows,
        by_path,
        file,
    })
}

fn decode_table(bytes: &[u8], parts_at: u64, size: u64) -> Option<Vec<Row>> {
    let mut r = Reader { bytes, pos: 0 };
    let n = r.len()?;
    let mut rows = Vec::with_capacity(n);
    let mut at = parts_at;
    for _ in 0..n {
        let rel_path = r.string()?;
        let key = Key {
            size: r.u64()?,
            mtime: r.u64()?,
            hash: r.u64()?,
        };
        let stat_ok = r.flag()?;
        let loaded = Loaded {
            id: r.string()?,
            title: r.string()?,
            title_from_front: r.flag()?,
            order: if r.flag()? {
                Some(r.u64()? as i64)
            } else {
                None
            },
            summary: r.opt_string()?,
            tags: r.strings()?,
            checklist: match r.u8()? {
                0 => None,
                1 => Some(false),
                2 => Some(true),
                _ => return None,
            },
            body_line: r.u32()?,
            notices: r.strings()?,
            level: r.u8()?,
        };
        let count = r.len()?;
        let mut headings = Vec::with_capacity(count);
        for _ in 0..count {
            headings.push(PartHeading {
                level: r.u8()?,
                text: r.string()?,
                anchor: r.string()?,
            });
        }
        let tasks = r.u32()?;
        let part_len = r.u64()?;
        let part_at = at;
        at = at.checked_add(8)?.checked_add(part_len)?;
        if at > size {
            return None;
        }
        rows.push(Row {
            rel_path,
            key,
            stat_ok,
            loaded,
            headings,
            tasks,
            part_at,
            part_len,
        });
    }
    (r.pos == bytes.len()).then_some(rows)
}

/// A part as stored: the text of its entries as written and folded, then each entry's
/// length and fields (the offsets follow from the lengths: entries are back to back, each
/// followed by `\n`).
fn decode_part(bytes: &[u8], row: &Row) -> Option<GuidePart> {
    let mut r = Reader { bytes, pos: 0 };
    let orig = r.string()?;
    // Stored rather than folded again: reading it costs a copy, folding a pass over
    // every character.
    let folded = r.string()?;
    if folded.len() != orig.len() {
        return None;
    }
    let n = r.len()?;
    let mut entries = Vec::with_capacity(n);
    let mut masks = Vec::with_capacity(n);
    let mut start = 0u32;
    for _ in 0..n {
        let len = r.var()?;
        let end = start.checked_add(len)?;
        let e = PartEntry {
            start,
            end,
            kind: kind_from(r.u8()?)?,
            block: r.var()?,
            line: r.var()?,
            code_line: r.var()?.wrapping_sub(1),
            heading: r.var()?.wrapping_sub(1),
        };
        // Offsets must land inside the text, on character boundaries, before a newline.
        let (s, t) = (start as usize, end as usize);
        if orig.get(s..t).is_none()
            || folded.get(s..t).is_none()
            || orig.as_bytes().get(t) != Some(&b'\n')
        {
            return None;
        }
        if e.heading != u32::MAX && e.heading as usize >= row.headings.len() {
            return None;
        }
        entries.push(e);
        masks.push(r.u64()?);
        start = end.checked_add(1)?;
    }
    if r.pos != bytes.len() || start as usize != orig.len() {
        return None;
    }
    Some(GuidePart {
        orig,
        folded,
        entries,
        masks,
        headings: row.headings.clone(),
        tasks: row.tasks,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn u32(&mut self) -> Option<u32> {
        let mut w = [0u8; 4];
        w.copy_from_slice(self.take(4)?);
        Some(u32::from_le_bytes(w))
    }

    fn u64(&mut self) -> Option<u64> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Some(u64::from_le_bytes(w))
    }

    /// A LEB128 number: the small ones (lines, blocks, lengths) take a byte or two.
    fn var(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            v |= u32::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                // A fifth byte may carry only the top four bits.
                return (shift < 28 || b < 0x10).then_some(v);
            }
        }
        None
    }

    /// A count, bounded by what is left so a damaged one cannot ask for huge allocations.
    fn len(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= self.bytes.len() - self.pos).then_some(n)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        Some(if self.flag()? {
            Some(self.string()?)
        } else {
            None
        })
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.string()).collect()
    }
}

fn kind_code(k: HitKind) -> u8 {
    match k {
        HitKind::Title => 0,
        HitKind::Heading => 1,
        HitKind::Code => 2,
        HitKind::Body => 3,
    }
}

fn kind_from(b: u8) -> Option<HitKind> {
    Some(match b {
        0 => HitKind::Title,
        1 => HitKind::Heading,
        2 => HitKind::Code,
        3 => HitKind::Body,
        _ => return None,
    })
}

// ----- writing -----------------------------------------------------------------------

fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    put_u32(b, s.len() as u32);
    b.extend_from_slice(s.as_bytes());
}

fn put_var(b: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        b.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

fn encode_table(rows: &[Row]) -> Vec<u8> {
    let mut b = Vec::new();
    put_u32(&mut b, rows.len() as u32);
    for row in rows {
        put_str(&mut b, &row.rel_path);
        put_u64(&mut b, row.key.size);
        put_u64(&mut b, row.key.mtime);
        put_u64(&mut b, row.key.hash);
        b.push(u8::from(row.stat_ok));
        let l = &row.loaded;
        put_str(&mut b, &l.id);
        put_str(&mut b, &l.title);
        b.push(u8::from(l.title_from_front));
        b.push(u8::from(l.order.is_some()));
        if let Some(o) = l.order {
            put_u64(&mut b, o as u64);
        }
        b.push(u8::from(l.summary.is_some()));
        if let Some(s) = &l.summary {
            put_str(&mut b, s);
        }
        put_u32(&mut b, l.tags.len() as u32);
        for t in &l.tags {
            put_str(&mut b, t);
        }
        b.push(match l.checklist {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        put_u32(&mut b, l.body_line);
        put_u32(&mut b, l.notices.len() as u32);
        for n in &l.notices {
            put_str(&mut b, n);
        }
        b.push(l.level);
        put_u32(&mut b, row.headings.len() as u32);
        for h in &row.headings {
            b.push(h.level);
            put_str(&mut b, &h.text);
            put_str(&mut b, &h.anchor);
        }
        put_u32(&mut b, row.tasks);
        put_u64(&mut b, row.part_len);
    }
    b
}

fn encode_part(part: &GuidePart, b: &mut Vec<u8>) {
    put_str(b, &part.orig);
    put_str(b, &part.folded);
    put_u32(b, part.entries.len() as u32);
    for (e, mask) in part.entries.iter().zip(&part.masks) {
        put_var(b, e.end - e.start);
        b.push(kind_code(e.kind));
        put_var(b, e.block);
        put_var(b, e.line);
        put_var(b, e.code_line.wrapping_add(1));
        put_var(b, e.heading.wrapping_add(1));
        put_u64(b, *mask);
    }
}

/// Replaces the cache file atomically. A file that is not a regular file (a symlink
/// someone put there) is left alone.
fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(std::io::Error::other("cache would be too large"));
    }
    let Some(dir) = path.parent() else {
        return Err(std::io::Error::other("no cache folder"));
    };
    std::fs::create_dir_all(dir)?;
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(std::io::Error::other("cache path is not a regular file"));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    // create_new: never through a symlink, never someone else's file.
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
