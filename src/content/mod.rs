//! Guide sets: the bundled one embedded in the binary, a folder of markdown (`--dir`), or
//! a single markdown file. Loading reads text and front matter only; documents are parsed
//! later, when first opened.

mod front_matter;

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

pub use front_matter::FrontMatter;

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content");

/// Files larger than this are refused rather than frozen on; `DEVGUIDE_MAX_FILE_MB` raises it.
pub const DEFAULT_MAX_FILE_MB: u64 = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    Dir(PathBuf),
    File(PathBuf),
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
    /// skipped and listed; the readable ones still open.
    pub fn from_dir(dir: &Path) -> Result<GuideSet, LoadError> {
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
        walk(dir, &mut files, &mut skipped)?;
        let mut guides = Vec::new();
        for path in files {
            let rel = rel_string(dir, &path);
            match read_guide_file(&path) {
                Ok(bytes) => {
                    let mut guide = guide_from_bytes(&rel, &bytes);
                    guide.modified = modified(&path);
                    guides.push(guide);
                }
                Err(reason) => skipped.push(Skipped { path, reason }),
            }
        }
        if guides.is_empty() {
            return Err(LoadError::Empty {
                path: dir.to_path_buf(),
                skipped,
            });
        }
        Ok(GuideSet::from_guides(
            Origin::Dir(dir.to_path_buf()),
            guides,
            skipped,
        ))
    }

    /// A set of one markdown file, for `devguide notes/setup.md`.
    pub fn from_file(path: &Path) -> Result<GuideSet, LoadError> {
        let bytes = read_guide_file(path).map_err(|reason| LoadError::NotGuide {
            path: path.to_path_buf(),
            reason,
        })?;
        let name = path
            .file_name()
            .map_or_else(|| "guide.md".into(), |n| n.to_string_lossy().into_owned());
        let mut guide = guide_from_bytes(&name, &bytes);
        guide.modified = modified(path);
        Ok(GuideSet::from_guides(
            Origin::File(path.to_path_buf()),
            vec![guide],
            Vec::new(),
        ))
    }

    fn from_guides(origin: Origin, mut guides: Vec<Guide>, skipped: Vec<Skipped>) -> GuideSet {
        // Reading order: front-matter `order` first, then file name.
        guides.sort_by(|a, b| {
            (a.order.unwrap_or(i64::MAX), &a.rel_path)
                .cmp(&(b.order.unwrap_or(i64::MAX), &b.rel_path))
        });
        make_ids_unique(&mut guides);
        GuideSet {
            origin,
            guides,
            skipped,
        }
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

    /// Resolves a relative link written in guide `from` (`../x.md`, `quick-reference.md`)
    /// to a guide of this set.
    pub fn resolve_link(&self, from: usize, target: &str) -> Option<usize> {
        let base = self
            .guides
            .get(from)
            .map(|g| g.rel_path.as_str())
            .unwrap_or("");
        let dir = base.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = if dir.is_empty() {
            target.to_string()
        } else {
            format!("{dir}/{target}")
        };
        let normal = normalize(&joined);
        self.guides
            .iter()
            .position(|g| Some(&g.rel_path) == normal.as_ref())
            .or_else(|| self.find(target))
    }

    /// A stable identity for keeping per-set state apart.
    pub fn identity(&self) -> String {
        match &self.origin {
            Origin::Bundled => "bundled".to_string(),
            Origin::Dir(p) | Origin::File(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned(),
        }
    }

    /// Reads guide `index` again when its file changed since it was loaded; `Ok(true)`
    /// when it did. A file that vanished keeps the text already shown.
    pub fn reload(&mut self, index: usize) -> Result<bool, String> {
        let Some(path) = self.disk_path(index) else {
            return Ok(false);
        };
        let Some(guide) = self.guides.get_mut(index) else {
            return Ok(false);
        };
        let now = modified(&path);
        if now.is_none() || now == guide.modified {
            return Ok(false);
        }
        // Remember the new time first, so a file that cannot be read is reported once.
        guide.modified = now;
        let bytes = read_guide_file(&path).map_err(|r| format!("{}: {r}", path.display()))?;
        let mut fresh = guide_from_bytes(&guide.rel_path, &bytes);
        fresh.id = guide.id.clone();
        fresh.modified = now;
        *guide = fresh;
        Ok(true)
    }

    /// Where a guide lives on disk, when it does.
    pub fn disk_path(&self, index: usize) -> Option<PathBuf> {
        let guide = self.guides.get(index)?;
        match &self.origin {
            Origin::Bundled => None,
            Origin::Dir(d) => Some(d.join(&guide.rel_path)),
            Origin::File(f) => Some(f.clone()),
        }
    }
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

/// Walks `root` without recursion; hidden folders are passed over and each real folder is
/// visited once, so symlink loops end.
fn walk(
    root: &Path,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), LoadError> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    let mut first = true;
    while let Some(dir) = stack.pop() {
        if let Ok(real) = std::fs::canonicalize(&dir)
            && !seen.insert(real)
        {
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(source) if first => return Err(LoadError::Unreadable { path: dir, source }),
            Err(e) => {
                skipped.push(Skipped {
                    path: dir,
                    reason: format!("folder cannot be read: {e}"),
                });
                continue;
            }
        };
        first = false;
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    if !hidden {
                        stack.push(path);
                    }
                }
                Ok(m) if is_markdown(&path) && !m.is_file() => skipped.push(Skipped {
                    path,
                    reason: "not a regular file (a pipe or device would block the reader)".into(),
                }),
                Ok(_) if is_markdown(&path) => files.push(path),
                // Listed so `list --skipped` accounts for every file in the folder.
                Ok(_) if !hidden => skipped.push(Skipped {
                    path,
                    reason: "not markdown (guides are .md, .markdown, .mdown, .mkd)".into(),
                }),
                Ok(_) => {}
                Err(e) if is_markdown(&path) => skipped.push(Skipped {
                    path,
                    reason: format!("cannot be read: {e}"),
                }),
                Err(_) => {}
            }
        }
    }
    files.sort();
    Ok(())
}

fn max_file_bytes() -> u64 {
    std::env::var("DEVGUIDE_MAX_FILE_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_FILE_MB)
        .saturating_mul(1024 * 1024)
}

fn read_guide_file(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
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
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (contains NUL bytes)".into());
    }
    Ok(bytes)
}

/// A guide from a file's bytes: decoded (bad UTF-8 becomes U+FFFD), mis-decoded lines
/// repaired for display, front matter split off. Pure, so the fuzz target runs the same
/// loading code as the reader.
pub fn guide_from_bytes(rel_path: &str, bytes: &[u8]) -> Guide {
    let mut notices = Vec::new();
    let mut text = match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(s) => s.to_string(),
        std::borrow::Cow::Owned(s) => {
            notices.push(format!(
                "{rel_path}: not valid UTF-8; bad bytes are shown as \u{fffd}"
            ));
            s
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
    let body = split.body.to_string();
    let stem = file_stem(rel_path);
    let title = split
        .front
        .title
        .clone()
        .map(|t| crate::sanitize::sanitize_line(&t))
        .or_else(|| first_h1(&body))
        // File names may hold control characters too.
        .unwrap_or_else(|| crate::sanitize::sanitize_line(stem));
    Guide {
        id: doc_id(stem),
        rel_path: rel_path.to_string(),
        title,
        order: split.front.order,
        summary: split
            .front
            .summary
            .map(|s| crate::sanitize::sanitize_line(&s)),
        tags: split.front.tags,
        checklist: split.front.checklist,
        body_line: split.body_line,
        body,
        notices,
        modified: None,
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

/// The first ATX `# ` heading outside code fences: a cheap scan, no full parse.
fn first_h1(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
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
        } else if let Some(rest) = t.strip_prefix("# ") {
            let title = rest.trim().trim_end_matches('#').trim();
            if !title.is_empty() {
                return Some(crate::sanitize::sanitize_line(title));
            }
        }
    }
    None
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
    fn first_h1_skips_code_fences() {
        assert_eq!(
            first_h1("```\n# not\n```\n# Real\n").as_deref(),
            Some("Real")
        );
        assert_eq!(first_h1("## only h2\n"), None);
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
}
