//! The on-disk cache behind `devguide search` and `devguide list`: each guide's
//! [`GuidePart`], keyed by its path, size, modification time and a hash of its text, in
//! one file per guide set under `$XDG_CACHE_HOME/devguide/`.
//!
//! A repeated call then costs reading the set (which it does anyway) and this file; only
//! guides whose key changed are parsed again. The file is a cache, never user state:
//! anything wrong with it (another version, a bad checksum, cut short, a symlink, too
//! large) makes it count as missing, and it is rebuilt. Writers replace it atomically
//! (temp file in the same folder, fsync, rename), so two at once leave one complete file
//! and a reader never sees half of one.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::content::{Guide, GuideSet, Origin};
use crate::doc;

use super::HitKind;
use super::part::{GuidePart, PartEntry, PartHeading};

const MAGIC: &[u8; 8] = b"DGSRCH\0\0";
/// Bumped whenever the layout of the file or of a part changes.
const VERSION: u32 = 2;
/// Larger files are not read (nor written): a damaged length must not exhaust memory.
const MAX_BYTES: u64 = 1 << 30;

/// What makes a cached part valid for a guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    size: u64,
    /// Nanoseconds since the epoch; `u64::MAX` when the time is unknown.
    mtime: u64,
    hash: u64,
}

impl Key {
    fn of(guide: &Guide) -> Key {
        let mtime = guide
            .modified
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(u64::MAX, |d| {
                d.as_nanos().min(u128::from(u64::MAX - 1)) as u64
            });
        Key {
            size: guide.body.len() as u64,
            mtime,
            hash: content_hash(guide.body.as_bytes()),
        }
    }
}

/// A fast, non-cryptographic 64-bit hash: tells an edited guide from the cached one even
/// when its size and time did not change.
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

/// How the cache was used, for tests and `--verbose` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub reused: usize,
    pub parsed: usize,
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

/// Every guide's part, from the cache where it is still valid. With `use_cache` false (or
/// for the bundled set, which costs nothing to index) nothing is read or written.
pub fn guide_parts(set: &GuideSet, use_cache: bool) -> (Vec<GuidePart>, Stats) {
    let file = match (&set.origin, use_cache, dir()) {
        (Origin::Dir(_) | Origin::File(_), true, Some(d)) => Some(d.join(file_name(set))),
        _ => None,
    };
    let Some(file) = file else {
        let parts = set.guides.iter().map(parse_part).collect::<Vec<_>>();
        let parsed = parts.len();
        return (
            parts,
            Stats {
                parsed,
                ..Stats::default()
            },
        );
    };
    parts_cached_in(set, &file)
}

/// [`guide_parts`] with the cache in `file`.
pub fn parts_cached_in(set: &GuideSet, file: &Path) -> (Vec<GuidePart>, Stats) {
    let mut cached = read(file).unwrap_or_default();
    let mut stats = Stats::default();
    let mut keys = Vec::with_capacity(set.guides.len());
    let parts: Vec<GuidePart> = set
        .guides
        .iter()
        .map(|g| {
            let key = Key::of(g);
            keys.push(key);
            match cached.remove(&g.rel_path) {
                Some((k, part)) if k == key => {
                    stats.reused += 1;
                    part
                }
                _ => {
                    stats.parsed += 1;
                    parse_part(g)
                }
            }
        })
        .collect();
    // Guides that left the set are dropped from the file too.
    if stats.parsed > 0 || !cached.is_empty() {
        stats.written = write(file, set, &keys, &parts).is_ok();
    }
    (parts, stats)
}

fn parse_part(g: &Guide) -> GuidePart {
    GuidePart::build(g, &doc::parse(&g.body))
}

/// One file per set, named by a hash of the set's canonical path.
fn file_name(set: &GuideSet) -> String {
    format!(
        "search-{:016x}.bin",
        content_hash(set.identity().as_bytes())
    )
}

// ----- reading -----------------------------------------------------------------------

type Cached = HashMap<String, (Key, GuidePart)>;

/// The cached parts by guide path; `None` for a missing or unusable file.
fn read(path: &Path) -> Option<Cached> {
    // Never through a symlink, never a FIFO or device, never a huge file.
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    decode(&bytes)
}

fn decode(bytes: &[u8]) -> Option<Cached> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    let sum = r.u64()?;
    let body = &bytes[r.pos..];
    if content_hash(body) != sum {
        return None;
    }
    let mut r = Reader {
        bytes: body,
        pos: 0,
    };
    let n = r.len()?;
    let mut out = HashMap::with_capacity(n);
    for _ in 0..n {
        let path = r.string()?;
        let key = Key {
            size: r.u64()?,
            mtime: r.u64()?,
            hash: r.u64()?,
        };
        out.insert(path, (key, r.part()?));
    }
    (r.pos == body.len()).then_some(out)
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

    /// A count, bounded by what is left so a damaged one cannot ask for huge allocations.
    fn len(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= self.bytes.len() - self.pos).then_some(n)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn part(&mut self) -> Option<GuidePart> {
        let orig = self.string()?;
        // Folding keeps every character's length, so it is recomputed rather than stored:
        // half the file to read.
        let folded = super::score::fold(&orig);
        let n = self.len()?;
        let mut entries = Vec::with_capacity(n);
        let mut masks = Vec::with_capacity(n);
        for _ in 0..n {
            let e = PartEntry {
                start: self.u32()?,
                end: self.u32()?,
                kind: kind_from(self.u8()?)?,
                block: self.u32()?,
                line: self.u32()?,
                code_line: self.u32()?,
                heading: self.u32()?,
            };
            // Offsets must land inside the text, on character boundaries.
            let (s, t) = (e.start as usize, e.end as usize);
            if s > t || orig.get(s..t).is_none() {
                return None;
            }
            entries.push(e);
            masks.push(self.u64()?);
        }
        let n = self.len()?;
        let mut headings = Vec::with_capacity(n);
        for _ in 0..n {
            headings.push(PartHeading {
                level: self.u8()?,
                text: self.string()?,
                anchor: self.string()?,
            });
        }
        let tasks = self.u32()?;
        if entries
            .iter()
            .any(|e| e.heading != u32::MAX && e.heading as usize >= headings.len())
        {
            return None;
        }
        Some(GuidePart {
            orig,
            folded,
            entries,
            masks,
            headings,
            tasks,
        })
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

fn encode(set: &GuideSet, keys: &[Key], parts: &[GuidePart]) -> Vec<u8> {
    let mut body = Vec::new();
    let put_u32 = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&v.to_le_bytes());
    let put_u64 = |b: &mut Vec<u8>, v: u64| b.extend_from_slice(&v.to_le_bytes());
    let put_str = |b: &mut Vec<u8>, s: &str| {
        b.extend_from_slice(&(s.len() as u32).to_le_bytes());
        b.extend_from_slice(s.as_bytes());
    };
    put_u32(&mut body, set.guides.len() as u32);
    for ((g, key), part) in set.guides.iter().zip(keys).zip(parts) {
        put_str(&mut body, &g.rel_path);
        put_u64(&mut body, key.size);
        put_u64(&mut body, key.mtime);
        put_u64(&mut body, key.hash);
        put_str(&mut body, &part.orig);
        put_u32(&mut body, part.entries.len() as u32);
        for (e, mask) in part.entries.iter().zip(&part.masks) {
            put_u32(&mut body, e.start);
            put_u32(&mut body, e.end);
            body.push(kind_code(e.kind));
            put_u32(&mut body, e.block);
            put_u32(&mut body, e.line);
            put_u32(&mut body, e.code_line);
            put_u32(&mut body, e.heading);
            put_u64(&mut body, *mask);
        }
        put_u32(&mut body, part.headings.len() as u32);
        for h in &part.headings {
            body.push(h.level);
            put_str(&mut body, &h.text);
            put_str(&mut body, &h.anchor);
        }
        put_u32(&mut body, part.tasks);
    }
    let mut out = Vec::with_capacity(body.len() + 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&content_hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Replaces the cache file atomically. A file that is not a regular file (a symlink
/// someone put there) is left alone.
fn write(path: &Path, set: &GuideSet, keys: &[Key], parts: &[GuidePart]) -> std::io::Result<()> {
    let bytes = encode(set, keys, parts);
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
        f.write_all(&bytes)?;
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
