//! Guide sets: the bundled one embedded in the binary, a folder of markdown (`--dir`), or
//! a single markdown file. Loading reads text and front matter only; documents are parsed
//! later, when first opened.

mod front_matter;
pub mod include;
pub mod links;
mod order;
mod start;
pub mod summary;
mod walk;

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

pub use front_matter::FrontMatter;
pub use start::{PARTIAL_OVER, READ_AHEAD, WholeRead};

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content");

/// Files larger than this are refused rather than frozen on; `DEVGUIDE_MAX_FILE_MB` raises it.
pub const DEFAULT_MAX_FILE_MB: u64 = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    Dir(PathBuf),
    File(PathBuf),
    /// Markdown piped in (`devguide -`, `devguide show -`).
    Stdin,
}

/// Loads one guide file: `(path relative to the set, path, folder includes may read from)`.
pub type LoadGuide<'a> = dyn FnMut(&str, &Path, Option<&Path>) -> Result<Guide, String> + 'a;

/// Loads a list of guide files `(rel_path, path)` under a root: one result each, in order.
type LoadAll<'a> =
    dyn FnMut(&[(String, PathBuf)], Option<&Path>) -> Vec<Result<Guide, String>> + 'a;

/// Below this many files one thread loads them all: threads cost more than they save.
const PARALLEL_FROM: usize = 64;

/// `load` over `jobs` on a few threads, each taking a contiguous share, results in order.
fn load_in_parallel(
    jobs: &[(String, PathBuf)],
    root: Option<&Path>,
    load: fn(&str, &Path, Option<&Path>) -> Result<Guide, String>,
) -> Vec<Result<Guide, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 4);
    if threads == 1 || jobs.len() < PARALLEL_FROM {
        return jobs
            .iter()
            .map(|(rel, path)| load(rel, path, root))
            .collect();
    }
    let share = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(share)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(rel, path)| load(rel, path, root))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(jobs.chunks(share))
            .flat_map(|(h, chunk)| {
                // A loader that panicked: its files are reported, the others still load.
                h.join().unwrap_or_else(|_| {
                    chunk
                        .iter()
                        .map(|_| Err("could not be read (the loader failed)".to_string()))
                        .collect()
                })
            })
            .collect()
    })
}

impl Origin {
    /// A stable identity for keeping per-set state apart, known before the set is read.
    pub fn identity(&self) -> String {
        match self {
            Origin::Bundled => "bundled".to_string(),
            Origin::Stdin => "stdin".to_string(),
            Origin::Dir(p) | Origin::File(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Guide {
    pub id: String,
    /// Path relative to the set's root, with `/` separators.
    pub rel_path: String,
    pub title: String,
    pub order: Option<i64>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    /// Front matter `checklist`: whether the guide's task lists are a checklist.
    pub checklist: Option<bool>,
    /// The markdown after any front matter.
    pub body: String,
    /// Line of the file where `body` starts (for editors).
    pub body_line: usize,
    /// Things the reader should be told about this file (bad front matter, bad UTF-8).
    pub notices: Vec<String>,
    /// When the file was last modified, for noticing edits (files on disk only).
    pub modified: Option<std::time::SystemTime>,
    /// Nesting for the sidebar: the chapter's level in an mdBook's `SUMMARY.md`, else how
    /// many folders deep the file is.
    pub level: u8,
    /// The mdBook part title the chapter is under.
    pub part: Option<String>,
    /// The chapter number from `SUMMARY.md` (`1.2.`), for numbered chapters.
    pub number: Option<String>,
    /// A chapter named in `SUMMARY.md` that has no file yet.
    pub draft: bool,
    /// Position in `SUMMARY.md`, when the set is an mdBook that names this file.
    pub toc_position: Option<usize>,
    /// Includes that could not be resolved, for `check` and the notices.
    pub include_problems: Vec<include::Problem>,
    /// Files this guide includes (canonical paths).
    pub included_files: Vec<PathBuf>,
    /// The title was set in front matter, so nothing else overrides it.
    pub title_from_front: bool,
    /// The guide's text is not held: only the head of the file was read (for the title
    /// and front matter, see [`GuideSet::from_dir_heads`]), or the text was let go
    /// ([`GuideSet::let_go`]). `body` is empty until [`GuideSet::read_body`];
    /// [`GuideSet::whole`] reads it for a pass over the set.
    pub pending: bool,
    /// `body` holds only the file's first part, cut at a line end: a large guide opened
    /// in the reader (see [`GuideSet::from_file_start`]). The whole comes from
    /// [`GuideSet::whole_read`].
    pub partial: bool,
}

impl Guide {
    /// The folder of the guide within the set (`""` at the top), with `/` separators.
    pub fn folder(&self) -> &str {
        self.rel_path.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// A file that could not become a guide, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct GuideSet {
    pub origin: Origin,
    pub guides: Vec<Guide>,
    pub skipped: Vec<Skipped>,
    /// Where the set's `SUMMARY.md` is (relative path), when the set is an mdBook.
    pub summary: Option<String>,
    /// The folder includes may read from (canonical), for sets on disk.
    pub root: Option<PathBuf>,
}

/// What [`GuideSet::rescan`] found when the files of a folder changed.
#[derive(Debug)]
pub struct Rescan {
    pub set: GuideSet,
    /// For each guide of the old set, its index in the new one (`None`: removed).
    pub moved: Vec<Option<usize>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: no such folder. Check the path given to --dir.")]
    MissingDir { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: no markdown files (*.md, *.markdown) in this folder or below it")]
    Empty {
        path: PathBuf,
        skipped: Vec<Skipped>,
    },
    #[error("{path}: not a markdown file: {reason}")]
    NotGuide { path: PathBuf, reason: String },
}

impl GuideSet {
    /// The guides shipped inside the binary.
    pub fn bundled() -> GuideSet {
        let mut raw: Vec<(String, Vec<u8>)> = Vec::new();
        collect_bundled(&BUNDLED, &mut raw);
        let guides = raw
            .into_iter()
            .filter(|(p, _)| is_markdown(Path::new(p)))
            .map(|(p, bytes)| guide_from_bytes(&p, &bytes))
            .collect();
        GuideSet::from_guides(Origin::Bundled, guides, Vec::new())
    }

    /// Every markdown file under `dir`, recursively. Unreadable or binary files are
    /// skipped and listed; the readable ones still open. A folder holding an mdBook
    /// (`SUMMARY.md` here or in `src/`) is read in the book's order, with its titles,
    /// nesting and includes.
    pub fn from_dir(dir: &Path) -> Result<GuideSet, LoadError> {
        GuideSet::from_dir_with(dir, &mut load_disk_guide)
    }

    /// As [`GuideSet::from_dir`], for a reader about to draw its first screen: a guide
    /// larger than [`HEAD_BYTES`] is read only as far as its title needs (front matter,
    /// first heading) and left [`Guide::pending`]; the guide to show is then read with
    /// [`GuideSet::read_body`] and the rest with a full [`GuideSet::from_dir`] in the
    /// background. A guide whose head leaves its title in doubt (no heading yet, front
    /// matter still open, include directives) is read whole, so titles match a full read.
    pub fn from_dir_heads(dir: &Path) -> Result<GuideSet, LoadError> {
        // Opening thousands of files is most of a large set's start: spread over threads.
        GuideSet::from_dir_loading(dir, &mut |jobs, root| {
            load_in_parallel(jobs, root, load_disk_head)
        })
    }

    /// As [`GuideSet::from_dir`] (every file read whole, so titles, notices and includes
    /// are those of a full read), keeping no guide's text: each is let go as soon as it is
    /// read ([`Guide::pending`]), and read again when needed ([`GuideSet::whole`],
    /// [`GuideSet::read_body`]). What the reader holds of a large folder while it reads.
    pub fn from_dir_unheld(dir: &Path) -> Result<GuideSet, LoadError> {
        GuideSet::from_dir_with(dir, &mut |rel, path, root| {
            let mut guide = load_disk_guide(rel, path, root)?;
            let_go_of_text(&mut guide);
            Ok(guide)
        })
    }

    /// [`GuideSet::from_dir`] with each guide file loaded by `load(rel_path, path, root)`,
    /// so a caller holding what an earlier load produced can hand that back instead of
    /// reading the file again. Walking, book order and ids are worked out as usual.
    pub fn from_dir_with(dir: &Path, load: &mut LoadGuide<'_>) -> Result<GuideSet, LoadError> {
        GuideSet::from_dir_loading(dir, &mut |jobs, root| {
            jobs.iter()
                .map(|(rel, path)| load(rel, path, root))
                .collect()
        })
    }

    /// [`GuideSet::from_dir`] with the guide files loaded by `load_all(files, root)`, one
    /// result per `(rel_path, path)` given, in order.
    fn from_dir_loading(dir: &Path, load_all: &mut LoadAll<'_>) -> Result<GuideSet, LoadError> {
        let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::MissingDir {
                path: dir.to_path_buf(),
            },
            _ => LoadError::Unreadable {
                path: dir.to_path_buf(),
                source: e,
            },
        })?;
        if !meta.is_dir() {
            return Err(LoadError::MissingDir {
                path: dir.to_path_buf(),
            });
        }
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        walk::walk(dir, &mut files, &mut skipped)?;
        let book = order::find_book(dir, &files);
        let root = book
            .as_ref()
            .map(|b| b.root.clone())
            .or_else(|| std::fs::canonicalize(dir).ok());
        let mut guides = Vec::new();
        let mut toc = None;
        let mut jobs = Vec::with_capacity(files.len());
        for path in files {
            let rel = rel_string(dir, &path);
            if book.as_ref().is_some_and(|b| b.summary == rel) {
                // The table of contents orders the others; it is not a chapter itself.
                match read_guide_file(&path) {
                    Ok((bytes, _)) => toc = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    Err(reason) => skipped.push(Skipped { path, reason }),
                }
                continue;
            }
            jobs.push((rel, path));
        }
        let loaded = load_all(&jobs, root.as_deref());
        for ((_, path), result) in jobs.into_iter().zip(loaded) {
            match result {
                Ok(guide) => guides.push(guide),
                Err(reason) => skipped.push(Skipped { path, reason }),
            }
        }
        let summary = match (&book, toc) {
            (Some(b), Some(text)) => {
                order::apply_summary(&mut guides, &summary::parse(&text), &b.base);
                Some(b.summary.clone())
            }
            _ => None,
        };
        if guides.is_empty() {
            return Err(LoadError::Empty {
                path: dir.to_path_buf(),
                skipped,
            });
        }
        let mut set = GuideSet::from_guides(Origin::Dir(dir.to_path_buf()), guides, skipped);
        set.summary = summary;
        set.root = root;
        Ok(set)
    }

    /// A set of one markdown file, for `devguide notes/setup.md`. Includes are read from
    /// the file's own folder.
    pub fn from_file(path: &Path) -> Result<GuideSet, LoadError> {
        GuideSet::from_file_with(path, load_disk_guide)
    }

    /// A set of one markdown file whose guide `load` reads (all of it, or its first part).
    fn from_file_with(
        path: &Path,
        load: impl FnOnce(&str, &Path, Option<&Path>) -> Result<Guide, String>,
    ) -> Result<GuideSet, LoadError> {
        let name = path
            .file_name()
            .map_or_else(|| "guide.md".into(), |n| n.to_string_lossy().into_owned());
        let root = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .and_then(|p| std::fs::canonicalize(p).ok());
        let guide = load(&name, path, root.as_deref()).map_err(|reason| LoadError::NotGuide {
            path: path.to_path_buf(),
            reason,
        })?;
        let mut set =
            GuideSet::from_guides(Origin::File(path.to_path_buf()), vec![guide], Vec::new());
        set.root = root;
        Ok(set)
    }

    /// A set of one guide read from `input` (standard input), at most the file size cap.
    /// Includes are not followed: piped text has no folder of its own.
    pub fn from_reader(input: impl std::io::Read) -> Result<GuideSet, LoadError> {
        use std::io::Read;
        let limit = max_file_bytes();
        let mut bytes = Vec::new();
        input
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|source| LoadError::Unreadable {
                path: PathBuf::from("-"),
                source,
            })?;
        if bytes.len() as u64 > limit {
            return Err(LoadError::NotGuide {
                path: PathBuf::from("-"),
                reason: format!(
                    "standard input is over the {} MB limit; set DEVGUIDE_MAX_FILE_MB to raise it",
                    limit / (1024 * 1024)
                ),
            });
        }
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Err(LoadError::NotGuide {
                path: PathBuf::from("-"),
                reason: "binary input (contains NUL bytes)".into(),
            });
        }
        let guide = guide_from_bytes("stdin.md", &bytes);
        Ok(GuideSet::from_guides(
            Origin::Stdin,
            vec![guide],
            Vec::new(),
        ))
    }

    fn from_guides(origin: Origin, mut guides: Vec<Guide>, skipped: Vec<Skipped>) -> GuideSet {
        order::sort(&mut guides);
        make_ids_unique(&mut guides);
        GuideSet {
            origin,
            guides,
            skipped,
            summary: None,
            root: None,
        }
    }

    /// Walks the folder again; when guides were added, removed or renamed, the new set and
    /// where each old guide went. `Ok(None)` when the same files are there (edits to a
    /// file are [`GuideSet::reload`]'s job) or for sets that are not a folder.
    pub fn rescan(&self) -> Result<Option<Rescan>, LoadError> {
        let Origin::Dir(dir) = &self.origin else {
            return Ok(None);
        };
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        walk::walk(dir, &mut files, &mut skipped)?;
        let now: std::collections::BTreeSet<String> =
            files.iter().map(|p| rel_string(dir, p)).collect();
        let before: std::collections::BTreeSet<String> = self
            .guides
            .iter()
            .filter(|g| !g.draft)
            .map(|g| g.rel_path.clone())
            .chain(self.summary.clone())
            .chain(
                self.skipped
                    .iter()
                    .filter(|s| is_markdown(&s.path))
                    .map(|s| rel_string(dir, &s.path)),
            )
            .collect();
        if now == before {
            return Ok(None);
        }
        // Read as at start-up, from the files' heads, and no text kept (small files are
        // read whole for their heads): texts are read when needed, so a guide added to a
        // large folder does not cost a read, or the memory, of every other one.
        let mut set = GuideSet::from_dir_heads(dir)?;
        for g in 0..set.guides.len() {
            set.let_go(g);
        }
        let moved = self
            .guides
            .iter()
            .map(|old| {
                set.guides.iter().position(|g| {
                    if old.draft {
                        g.draft && g.title == old.title
                    } else {
                        g.rel_path == old.rel_path
                    }
                })
            })
            .collect();
        Ok(Some(Rescan { set, moved }))
    }

    /// Finds a guide by id, file name or relative path (`quick-reference`,
    /// `quick-reference.md`, `02-quick-reference.md`, `sub/x.md`).
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim_start_matches("./");
        let stem = name
            .strip_suffix(".md")
            .or_else(|| name.strip_suffix(".markdown"))
            .unwrap_or(name);
        let stem_id = doc_id(stem.rsplit('/').next().unwrap_or(stem));
        self.guides
            .iter()
            .position(|g| g.id == name || g.rel_path == name || g.id == stem)
            .or_else(|| {
                let mut hits =
                    self.guides.iter().enumerate().filter(|(_, g)| {
                        g.id == stem_id || doc_id(file_stem(&g.rel_path)) == stem_id
                    });
                match (hits.next(), hits.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .or_else(|| {
                let lower = stem_id.to_lowercase();
                self.guides
                    .iter()
                    .position(|g| g.id.to_lowercase() == lower)
            })
    }

    /// Resolves a relative link written in guide `from` (`../x.md`, `quick-reference.md`,
    /// or mdBook's `x.html`, `dir/index.html`, `dir/`) to a guide of this set.
    pub fn resolve_link(&self, from: usize, target: &str) -> Option<usize> {
        let base = self
            .guides
            .get(from)
            .map(|g| g.rel_path.as_str())
            .unwrap_or("");
        let dir = base.rsplit_once('/').map_or("", |(d, _)| d);
        let target = links::percent_decode(target);
        let joined = if dir.is_empty() {
            target.to_string()
        } else {
            format!("{dir}/{target}")
        };
        let normal = normalize(&joined)?;
        for candidate in links::candidates(&normal) {
            if let Some(i) = self
                .guides
                .iter()
                .position(|g| !g.draft && g.rel_path == candidate)
            {
                return Some(i);
            }
        }
        // A bare name may still be a guide's id or file name (`quick-reference`), but
        // never a path that climbed out of the set.
        if target.contains("..") {
            return None;
        }
        let name = links::strip_html(&target);
        self.find(&name)
    }

    /// A stable identity for keeping per-set state apart.
    pub fn identity(&self) -> String {
        self.origin.identity()
    }

    /// Whether guide `index`'s file was modified since it was loaded: a look at its
    /// modification time only, so a caller sharing the set copies it only when needed.
    pub fn changed_on_disk(&self, index: usize) -> bool {
        let Some(path) = self.disk_path(index) else {
            return false;
        };
        let now = modified(&path);
        now.is_some()
            && self
                .guides
                .get(index)
                .is_some_and(|g| !g.pending && g.modified != now)
    }

    /// Whether every guide's text is read (no guide [`Guide::pending`]).
    pub fn is_complete(&self) -> bool {
        self.guides.iter().all(|g| !g.pending)
    }

    /// Reads the whole of guide `index` when only its head was read. Tried once: a file
    /// that cannot be read is reported and the guide stays empty.
    pub fn read_body(&mut self, index: usize) -> Result<(), String> {
        let Some(path) = self.disk_path(index) else {
            return Ok(());
        };
        let root = self.root.clone();
        let Some(guide) = self.guides.get_mut(index).filter(|g| g.pending) else {
            return Ok(());
        };
        guide.pending = false;
        let fresh = load_disk_guide(&guide.rel_path, &path, root.as_deref())
            .map_err(|r| format!("{}: {r}", path.display()))?;
        replace_keeping_place(guide, fresh);
        Ok(())
    }

    /// Guide `index` with its whole text: the guide as held, or, when only its head is
    /// held ([`Guide::pending`]), read from its file now, in its place in the set (id,
    /// nesting, a book's title). Background work goes through every guide this way, one at
    /// a time, so a large set is never held whole.
    pub fn whole(&self, index: usize) -> Result<std::borrow::Cow<'_, Guide>, String> {
        let guide = self
            .guides
            .get(index)
            .ok_or_else(|| format!("no guide {index}"))?;
        if !guide.pending {
            return Ok(std::borrow::Cow::Borrowed(guide));
        }
        let Some(path) = self.disk_path(index) else {
            return Ok(std::borrow::Cow::Borrowed(guide));
        };
        let mut fresh = load_disk_guide(&guide.rel_path, &path, self.root.as_deref())
            .map_err(|r| format!("{}: {r}", path.display()))?;
        keep_place(guide, &mut fresh);
        Ok(std::borrow::Cow::Owned(fresh))
    }

    /// [`GuideSet::whole`], or the guide as held (an empty text) when its file cannot be
    /// read: what a pass over the whole set builds from.
    pub fn whole_or_held(&self, index: usize) -> std::borrow::Cow<'_, Guide> {
        match self.whole(index) {
            Ok(g) => g,
            Err(_) => std::borrow::Cow::Borrowed(&self.guides[index]),
        }
    }

    /// Lets go of guide `index`'s text, keeping its head (title, place, notices): it is
    /// read again from its file when needed. Only guides of a folder are let go (the
    /// others could not be read again), and never one read only in part. True when the
    /// text was let go.
    pub fn let_go(&mut self, index: usize) -> bool {
        if !matches!(self.origin, Origin::Dir(_)) || self.disk_path(index).is_none() {
            return false;
        }
        match self.guides.get_mut(index) {
            Some(g) if !g.pending && !g.partial => {
                let_go_of_text(g);
                true
            }
            _ => false,
        }
    }

    /// Reads guide `index` again when its file changed since it was loaded; `Ok(true)`
    /// when it did. A file that vanished keeps the text already shown. What the book's
    /// `SUMMARY.md` gave the guide (title, place, nesting) is kept.
    pub fn reload(&mut self, index: usize) -> Result<bool, String> {
        let Some(path) = self.disk_path(index) else {
            return Ok(false);
        };
        let root = self.root.clone();
        let Some(guide) = self.guides.get_mut(index).filter(|g| !g.pending) else {
            return Ok(false);
        };
        let now = modified(&path);
        if now.is_none() || now == guide.modified {
            return Ok(false);
        }
        // Remember the new time first, so a file that cannot be read is reported once.
        guide.modified = now;
        let fresh = load_disk_guide(&guide.rel_path, &path, root.as_deref())
            .map_err(|r| format!("{}: {r}", path.display()))?;
        replace_keeping_place(guide, fresh);
        Ok(true)
    }

    /// Where a guide lives on disk, when it does.
    pub fn disk_path(&self, index: usize) -> Option<PathBuf> {
        let guide = self.guides.get(index).filter(|g| !g.draft)?;
        match &self.origin {
            Origin::Bundled | Origin::Stdin => None,
            Origin::Dir(d) => Some(d.join(&guide.rel_path)),
            Origin::File(f) => Some(f.clone()),
        }
    }
}

/// Puts `fresh` (the same file read again) in `guide`'s place, keeping what the set gave
/// it rather than the file: id, place and nesting, and a book's title.
fn replace_keeping_place(guide: &mut Guide, mut fresh: Guide) {
    keep_place(guide, &mut fresh);
    *guide = fresh;
}

/// Gives `fresh` (the file of `guide` read again) what the set gave `guide`.
fn keep_place(guide: &Guide, fresh: &mut Guide) {
    fresh.id = guide.id.clone();
    if guide.toc_position.is_some() {
        fresh.title = guide.title.clone();
    }
    fresh.level = guide.level;
    fresh.part = guide.part.clone();
    fresh.number = guide.number.clone();
    fresh.toc_position = guide.toc_position;
}

/// Drops a guide's text (its memory too), leaving it to be read again.
fn let_go_of_text(guide: &mut Guide) {
    guide.body = String::new();
    guide.pending = true;
}

/// Every file of the bundled set, by its path inside `content/`, with its exact bytes.
pub fn bundled_files() -> Vec<(String, &'static [u8])> {
    fn walk(dir: &Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
        for file in dir.files() {
            out.push((
                file.path().to_string_lossy().replace('\\', "/"),
                file.contents(),
            ));
        }
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&BUNDLED, &mut out);
    out.sort();
    out
}

fn collect_bundled(dir: &Dir<'static>, out: &mut Vec<(String, Vec<u8>)>) {
    for file in dir.files() {
        out.push((
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        ));
    }
    for sub in dir.dirs() {
        collect_bundled(sub, out);
    }
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown" | "mdown" | "mkd")
    )
}

pub(crate) fn max_file_bytes() -> u64 {
    std::env::var("DEVGUIDE_MAX_FILE_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_FILE_MB)
        .saturating_mul(1024 * 1024)
}

/// A guide file's bytes and modification time. The file is opened first and checked
/// through its handle (one path lookup, and nothing can be swapped in between); a folder,
/// pipe or device is refused before any byte is read.
fn read_guide_file(path: &Path) -> Result<(Vec<u8>, Option<std::time::SystemTime>), String> {
    read_guide_bytes(path, None).map(|(bytes, modified, _)| (bytes, modified))
}

/// How much of a guide start-up decodes for its title, when the guide is not the one on
/// screen: front matter and a first heading sit well inside it.
pub const HEAD_BYTES: usize = 4096;

/// How much of every file the binary test looks at (and so how much a head read reads).
const SNIFF_BYTES: usize = 8192;

/// As [`read_guide_file`], reading at most `head` bytes when given; also says whether
/// the bytes are the whole file.
fn read_guide_bytes(
    path: &Path,
    head: Option<usize>,
) -> Result<(Vec<u8>, Option<std::time::SystemTime>, bool), String> {
    use std::io::Read;
    let (file, meta, limit) = open_guide_file(path)?;
    let take = head.map_or(limit.saturating_add(1), |h| (h as u64).min(limit));
    let mut bytes = Vec::with_capacity(meta.len().min(take) as usize);
    file.take(take)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err("grew over the size limit while being read".into());
    }
    if looks_binary(&bytes) {
        return Err("binary file (contains NUL bytes)".into());
    }
    let whole = head.is_none() || bytes.len() as u64 >= meta.len();
    Ok((bytes, meta.modified().ok(), whole))
}

/// A NUL among the first bytes: a binary file, not markdown.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0)
}

/// A guide file opened for reading, its metadata and the size limit, once the handle
/// shows a regular file within the limit.
fn open_guide_file(path: &Path) -> Result<(std::fs::File, std::fs::Metadata, u64), String> {
    let file = open_nonblocking(path).map_err(|e| format!("cannot be read: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?;
    if meta.is_dir() {
        return Err("is a folder (use --dir for a folder of guides)".into());
    }
    if !meta.is_file() {
        // Reading a FIFO or a device would block forever or never end.
        return Err("not a regular file".into());
    }
    let limit = max_file_bytes();
    if meta.len() > limit {
        return Err(format!(
            "{} MB is over the {} MB limit; set DEVGUIDE_MAX_FILE_MB to raise it",
            meta.len() / (1024 * 1024),
            limit / (1024 * 1024)
        ));
    }
    Ok((file, meta, limit))
}

/// Opens for reading without blocking on a FIFO (its type is checked after opening).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads at most `limit + 1` bytes of a regular file, so a file that grows (or a device
/// that never ends) cannot exhaust memory; anything else is refused unread.
pub fn read_capped_bytes(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = open_nonblocking(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A guide read from disk: its bytes, then mdBook directives expanded from `root`.
pub fn load_disk_guide(rel: &str, path: &Path, root: Option<&Path>) -> Result<Guide, String> {
    let (bytes, modified) = read_guide_file(path)?;
    guide_from_disk_bytes(rel, path, root, bytes, modified)
}

/// A guide's title, front matter and place from the head of its file, its text left
/// [`Guide::pending`]; the whole file when it is small or its head leaves the title in
/// doubt.
fn load_disk_head(rel: &str, path: &Path, root: Option<&Path>) -> Result<Guide, String> {
    let (bytes, modified, whole) = read_guide_bytes(path, Some(SNIFF_BYTES))?;
    if whole && bytes.len() <= HEAD_BYTES {
        return guide_from_disk_bytes(rel, path, root, bytes, modified);
    }
    // A short head first (most titles are on the first lines), a longer one when that
    // leaves the title in doubt, the whole file when both do.
    let Some(mut guide) = [HEAD_BYTES / 4, HEAD_BYTES]
        .into_iter()
        .find_map(|size| titled_head(rel, &bytes, size))
    else {
        return load_disk_guide(rel, path, root);
    };
    guide.body = String::new();
    // Said once the whole is read; a head's notices may be cut short.
    guide.notices.clear();
    guide.modified = modified;
    guide.pending = true;
    Ok(guide)
}

/// The guide decoded from the first `size` bytes of `bytes` (cut at a line end, so no
/// character or line is split), when that settles its title and front matter as a full
/// read would.
fn titled_head(rel: &str, bytes: &[u8], size: usize) -> Option<Guide> {
    let cut = bytes[..size.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n')?;
    let raw = &bytes[..=cut];
    let guide = guide_from_bytes(rel, raw);
    let raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
    let front_open = raw.starts_with(b"+++") && guide.body_line == 1;
    let titled = guide.title_from_front || first_heading(&guide.body).is_some();
    (!front_open && titled && !include::has_directives(&guide.body)).then_some(guide)
}

/// A guide from the bytes of its file on disk, with includes expanded from `root`.
fn guide_from_disk_bytes(
    rel: &str,
    path: &Path,
    root: Option<&Path>,
    bytes: Vec<u8>,
    modified: Option<std::time::SystemTime>,
) -> Result<Guide, String> {
    let mut guide = guide_from_vec(rel, bytes);
    guide.modified = modified;
    if include::has_directives(&guide.body) {
        match root {
            Some(root) => {
                let expanded = include::expand(&guide.body, path, root);
                for p in &expanded.problems {
                    guide.notices.push(format!(
                        "{rel}:{}: {}: {}",
                        p.line + guide.body_line - 1,
                        p.directive,
                        p.message
                    ));
                }
                if let Some(t) = expanded.title
                    && !guide.title_from_front
                {
                    guide.title = t;
                }
                guide.body = expanded.text;
                guide.include_problems = expanded.problems;
                guide.included_files = expanded.files;
            }
            None => guide
                .notices
                .push(format!("{rel}: includes are not read for this file")),
        }
    }
    Ok(guide)
}

/// A guide from a file's bytes: decoded (bad UTF-8 becomes U+FFFD), mis-decoded lines
/// repaired for display, front matter split off. Pure, so the fuzz target runs the same
/// loading code as the reader.
pub fn guide_from_bytes(rel_path: &str, bytes: &[u8]) -> Guide {
    guide_from_vec(rel_path, bytes.to_vec())
}

/// [`guide_from_bytes`] taking the bytes, so valid UTF-8 becomes the text without a copy
/// (a large guide is otherwise held twice while it loads).
fn guide_from_vec(rel_path: &str, bytes: Vec<u8>) -> Guide {
    let mut notices = Vec::new();
    let mut text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            notices.push(format!(
                "{rel_path}: not valid UTF-8; bad bytes are shown as \u{fffd}"
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let (repaired, report) = crate::mojibake::repair(&text);
    if let std::borrow::Cow::Owned(fixed) = repaired {
        text = fixed;
    }
    if let Some(n) = report.notice() {
        notices.push(format!("{rel_path}: {n}"));
    }
    let split = front_matter::split(&text);
    if let Some(e) = &split.error {
        notices.push(format!("{rel_path}: {e}"));
    }
    let body_start = text.len() - split.body.len();
    let front = split.front;
    let body_line = split.body_line;
    // The body is the text's tail: keep the text's buffer rather than copy it.
    text.replace_range(..body_start, "");
    let body = text;
    let stem = file_stem(rel_path);
    let title_from_front = front.title.is_some();
    let title = front
        .title
        .clone()
        .map(|t| crate::sanitize::sanitize_line(&t))
        .or_else(|| first_heading(&body))
        // File names may hold control characters too.
        .unwrap_or_else(|| crate::sanitize::sanitize_line(stem));
    Guide {
        id: doc_id(stem),
        rel_path: rel_path.to_string(),
        title,
        order: front.order,
        summary: front.summary.map(|s| crate::sanitize::sanitize_line(&s)),
        tags: front.tags,
        checklist: front.checklist,
        body_line,
        body,
        notices,
        modified: None,
        level: rel_path.matches('/').count().min(usize::from(u8::MAX)) as u8,
        part: None,
        number: None,
        draft: false,
        toc_position: None,
        include_problems: Vec::new(),
        included_files: Vec::new(),
        title_from_front,
        pending: false,
        partial: false,
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn file_stem(rel_path: &str) -> &str {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The file stem with a leading `NN-` ordering prefix removed.
pub fn doc_id(stem: &str) -> String {
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    match stem[digits..].strip_prefix('-') {
        Some(rest) if digits > 0 && !rest.is_empty() => rest.to_string(),
        _ => stem.to_string(),
    }
}

/// The first heading of any level outside code fences (ATX `#`…`######`, or setext
/// `===` / `---` underlines): a cheap scan, no full parse. Chapters that start at `##`
/// are still titled by their heading, not their file name.
fn first_heading(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    let mut previous: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") {
            fence = Some("```");
        } else if t.starts_with("~~~") {
            fence = Some("~~~");
        } else if indent < 4 && t.starts_with('#') {
            let hashes = t.bytes().take_while(|&b| b == b'#').count();
            let rest = &t[hashes..];
            if hashes <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
                let title = rest.trim().trim_end_matches('#').trim();
                let title = strip_heading_attrs(title);
                if !title.is_empty() {
                    return Some(crate::sanitize::sanitize_line(&plain_heading(title)));
                }
            }
        } else if indent < 4
            && !t.is_empty()
            && (t.trim_end().bytes().all(|b| b == b'=')
                || (t.trim_end().bytes().all(|b| b == b'-') && t.trim_end().len() >= 2))
            && let Some(p) = previous.map(str::trim).filter(|p| !p.is_empty())
        {
            return Some(crate::sanitize::sanitize_line(&plain_heading(p)));
        }
        previous = (!t.is_empty()).then_some(line);
        if t.is_empty() {
            previous = None;
        }
    }
    None
}

/// `Title {#id .class}` → `Title`.
fn strip_heading_attrs(title: &str) -> &str {
    match title.rfind(" {") {
        Some(i) if title.ends_with('}') => title[..i].trim_end(),
        _ => title,
    }
}

/// A heading's text without its inline markup: `` `code` ``, `**bold**`, links, HTML.
fn plain_heading(text: &str) -> String {
    if !text.contains(['`', '*', '_', '[', '<', '&', '\\']) {
        return text.to_string();
    }
    let doc = crate::doc::parse(text);
    let words: String = doc
        .blocks
        .first()
        .map(|b| match &b.leaf {
            crate::doc::Leaf::Paragraph(inl) | crate::doc::Leaf::Heading { inlines: inl, .. } => {
                inl.iter()
                    .filter(|i| i.style & crate::doc::style::LINK_TARGET == 0)
                    .map(|i| doc.text(i))
                    .collect()
            }
            _ => String::new(),
        })
        .unwrap_or_default();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        text.to_string()
    } else {
        words
    }
}

fn make_ids_unique(guides: &mut [Guide]) {
    let mut seen = std::collections::HashSet::new();
    for g in guides.iter_mut() {
        if !seen.insert(g.id.clone()) {
            // Two files with one id in different folders: fall back to the path.
            g.id = g
                .rel_path
                .rsplit_once('.')
                .map_or(g.rel_path.clone(), |(s, _)| s.to_string());
            seen.insert(g.id.clone());
        }
    }
}

fn rel_string(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lexically resolves `.` and `..`; `None` when the path climbs out of the set.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => {}
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_drop_ordering_prefix() {
        assert_eq!(doc_id("01-import-guide"), "import-guide");
        assert_eq!(doc_id("2024"), "2024");
        assert_eq!(doc_id("10-"), "10-");
        assert_eq!(doc_id("readme"), "readme");
    }

    #[test]
    fn bundled_set_is_ordered_and_titled() {
        let set = GuideSet::bundled();
        let ids: Vec<_> = set.guides.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(
            ids,
            ["import-guide", "quick-reference", "migration-checklist"]
        );
        for g in &set.guides {
            assert!(g.notices.is_empty(), "{}: {:?}", g.id, g.notices);
            assert!(!g.body.starts_with("+++"));
        }
    }

    #[test]
    fn bundled_guides_have_no_mojibake() {
        for g in GuideSet::bundled().guides {
            for bad in ["üé", "‚úÖ", "‚ö†", "Ô∏è"] {
                assert!(!g.body.contains(bad), "{} contains {bad}", g.id);
            }
        }
    }

    #[test]
    fn find_accepts_id_file_name_and_prefixed_name() {
        let set = GuideSet::bundled();
        assert_eq!(set.find("quick-reference"), Some(1));
        assert_eq!(set.find("quick-reference.md"), Some(1));
        assert_eq!(set.find("02-quick-reference.md"), Some(1));
        assert_eq!(set.find("Quick-Reference"), Some(1));
        assert_eq!(set.find("nope"), None);
    }

    #[test]
    fn links_resolve_relative_to_the_guide() {
        let set = GuideSet::bundled();
        assert_eq!(set.resolve_link(0, "quick-reference.md"), Some(1));
        assert_eq!(set.resolve_link(1, "./import-guide.md"), Some(0));
        assert_eq!(set.resolve_link(0, "../SSOT_IMPORT_REGISTRY.md"), None);
    }

    #[test]
    fn first_heading_of_any_level_skips_code_fences() {
        assert_eq!(
            first_heading("```\n# not\n```\n# Real\n").as_deref(),
            Some("Real")
        );
        assert_eq!(
            first_heading("## Installing `rustup` {#install}\n").as_deref(),
            Some("Installing rustup")
        );
        assert_eq!(first_heading("Setext\n===\n").as_deref(), Some("Setext"));
        assert_eq!(first_heading("#hashtag\n    # code\n"), None);
    }

    #[test]
    fn dir_set_skips_binary_and_reports_bad_utf8() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("b.md"), b"# Bee\n\xff\xfe text\n").expect("write");
        std::fs::write(dir.path().join("a.md"), "+++\norder = 1\n+++\n# Ay\n").expect("write");
        std::fs::write(dir.path().join("bin.md"), b"\0\0\0").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let ids: Vec<_> = set.guides.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(set.guides[1].notices.len(), 1);
        let reasons: Vec<_> = set.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(set.skipped.len(), 2, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("binary")));
        assert!(reasons.iter().any(|r| r.contains("not markdown")));
    }

    #[test]
    fn mis_decoded_lines_are_repaired_for_display_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("m.md");
        let bytes = "# T\n\n- ‚ùå no\n- ‚úÖ yes\n".as_bytes();
        std::fs::write(&file, bytes).expect("write");
        let set = GuideSet::from_file(&file).expect("loads");
        let g = &set.guides[0];
        assert!(g.body.contains("- ❌ no\n- ✅ yes"), "{}", g.body);
        assert_eq!(g.notices.len(), 1, "{:?}", g.notices);
        assert!(
            g.notices[0].contains("2 lines shown repaired"),
            "{:?}",
            g.notices
        );
        assert_eq!(std::fs::read(&file).expect("read"), bytes, "file untouched");
    }

    /// Titles read from a file's head are those a full read gives, for every way a
    /// guide gets its title; only large guides are left unread, and reading one whole
    /// gives the guide a full read gives.
    #[test]
    fn titles_from_the_head_match_a_full_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let filler: String = (0..700).map(|i| format!("Filler line {i}.\n")).collect();
        let big = |top: &str| format!("{top}{filler}");
        let files = [
            (
                "front.md",
                big("+++\ntitle = \"From front\"\norder = 2\n+++\n\n# Heading\n\n"),
            ),
            ("atx.md", big("Intro line.\n\n### Third level first\n\n")),
            ("setext.md", big("Setext title\n------------\n\n")),
            ("fenced.md", big("```\n# not a title\n```\n\n## Real\n\n")),
            ("stem-only.md", big("No heading at all.\n\n")),
            ("late.md", format!("{filler}# Late heading\n")),
            (
                "second-head.md",
                big(&format!(
                    "{}\n\n# Past the short head\n\n",
                    "word ".repeat(300)
                )),
            ),
            (
                "open-front.md",
                format!("+++\nsummary = \"{}\"\n+++\n# T\n", "x".repeat(9000)),
            ),
            ("small.md", "# Small\n\nShort.\n".to_string()),
            ("sub/nested.md", big("## Nested\n\n")),
        ];
        // Copies in eight folders: enough files that heads are read on several threads,
        // which must give the same guides in the same order.
        let copies = (0..8).map(|k| format!("copies/{k}/"));
        for prefix in std::iter::once(String::new()).chain(copies) {
            for (name, text) in &files {
                let path = dir.path().join(format!("{prefix}{name}"));
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, text).expect("write");
            }
        }
        let full = GuideSet::from_dir(dir.path()).expect("loads");
        let mut heads = GuideSet::from_dir_heads(dir.path()).expect("loads");
        assert!(full.guides.len() > PARALLEL_FROM, "{}", full.guides.len());
        let summary = |set: &GuideSet| -> Vec<(String, String, String, Option<i64>, u8)> {
            set.guides
                .iter()
                .map(|g| {
                    (
                        g.rel_path.clone(),
                        g.id.clone(),
                        g.title.clone(),
                        g.order,
                        g.level,
                    )
                })
                .collect()
        };
        assert_eq!(summary(&heads), summary(&full));
        let titles: Vec<&str> = full.guides.iter().map(|g| g.title.as_str()).collect();
        for t in [
            "From front",
            "Third level first",
            "Setext title",
            "Real",
            "stem-only",
            "Late heading",
            "Past the short head",
            "Small",
            "Nested",
        ] {
            assert!(titles.contains(&t), "{t} in {titles:?}");
        }
        let mut pending: Vec<&str> = heads
            .guides
            .iter()
            .filter(|g| g.pending && !g.rel_path.starts_with("copies/"))
            .map(|g| g.rel_path.as_str())
            .collect();
        pending.sort_unstable();
        // Large guides whose head settles the title stay unread; the rest are read whole
        // (no heading in the head, front matter still open, or small).
        assert_eq!(
            pending,
            [
                "atx.md",
                "fenced.md",
                "front.md",
                "second-head.md",
                "setext.md",
                "sub/nested.md"
            ]
        );
        assert!(!heads.is_complete());
        assert!(
            heads
                .guides
                .iter()
                .filter(|g| g.pending)
                .all(|g| g.body.is_empty())
        );

        for g in 0..heads.guides.len() {
            heads.read_body(g).expect("reads");
        }
        assert!(heads.is_complete());
        for (a, b) in heads.guides.iter().zip(&full.guides) {
            assert_eq!(
                (&a.id, &a.title, &a.body, a.body_line),
                (&b.id, &b.title, &b.body, b.body_line)
            );
        }
    }

    #[test]
    fn a_changed_file_reloads_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.md");
        std::fs::write(&file, "# One\n").expect("write");
        let mut set = GuideSet::from_dir(dir.path()).expect("loads");
        assert_eq!(set.reload(0), Ok(false));
        std::fs::write(&file, "# Two\n\nmore\n").expect("write");
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(later))
            .expect("touch");
        assert_eq!(set.reload(0), Ok(true));
        assert_eq!(set.guides[0].title, "Two");
        assert_eq!(set.reload(0), Ok(false));
        assert_eq!(
            GuideSet::bundled().reload(0),
            Ok(false),
            "the bundle never changes"
        );
    }

    #[test]
    fn missing_and_empty_dirs_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            GuideSet::from_dir(&dir.path().join("no")),
            Err(LoadError::MissingDir { .. })
        ));
        assert!(matches!(
            GuideSet::from_dir(dir.path()),
            Err(LoadError::Empty { .. })
        ));
    }

    #[test]
    fn rescan_sees_guides_added_removed_and_renamed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), "# A\n").expect("write");
        std::fs::write(dir.path().join("b.md"), "# B\n").expect("write");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        assert!(set.rescan().expect("walks").is_none(), "nothing changed");
        std::fs::rename(dir.path().join("b.md"), dir.path().join("c.md")).expect("rename");
        std::fs::write(dir.path().join("0.md"), "# Zero\n").expect("write");
        let r = set.rescan().expect("walks").expect("a change");
        let paths: Vec<&str> = r.set.guides.iter().map(|g| g.rel_path.as_str()).collect();
        assert_eq!(paths, ["0.md", "a.md", "c.md"]);
        assert_eq!(r.moved, [Some(1), None]);
        assert!(r.set.rescan().expect("walks").is_none());
        assert!(GuideSet::bundled().rescan().expect("bundled").is_none());
    }

    #[test]
    fn mdbook_links_resolve_to_markdown_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("cli")).expect("mkdir");
        for f in ["README.md", "ch01.md", "cli/README.md", "cli/init.md"] {
            std::fs::write(dir.path().join(f), format!("# {f}\n")).expect("write");
        }
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let at = |p: &str| set.guides.iter().position(|g| g.rel_path == p);
        let init = at("cli/init.md").expect("init");
        assert_eq!(set.resolve_link(init, "../ch01.html"), at("ch01.md"));
        assert_eq!(set.resolve_link(init, "index.html"), at("cli/README.md"));
        assert_eq!(set.resolve_link(init, "../index.html"), at("README.md"));
        assert_eq!(
            set.resolve_link(at("README.md").expect("readme"), "cli/"),
            at("cli/README.md")
        );
        assert_eq!(set.resolve_link(init, "../../outside.html"), None);
        // Folders keep together, each folder's README first.
        let order: Vec<&str> = set.guides.iter().map(|g| g.rel_path.as_str()).collect();
        assert_eq!(
            order,
            ["README.md", "ch01.md", "cli/README.md", "cli/init.md"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_before_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe.md");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        std::fs::write(dir.path().join("ok.md"), "# Ok\n").expect("write");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        assert_eq!(set.guides.len(), 1);
        assert!(set.skipped.iter().any(|s| s.path == fifo));
        assert!(matches!(
            GuideSet::from_file(Path::new("/dev/zero")),
            Err(LoadError::NotGuide { .. })
        ));
        assert!(read_capped_bytes(&fifo, 10).is_err());
    }
}
