//! Walking a code base like ripgrep does (the `ignore` crate: `.gitignore`, `.ignore`,
//! hidden files, in parallel), reading only Python files and tokenizing only those that
//! mention a rule's words. Problems with single files are collected, never fatal.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use serde::Serialize;

use super::{Finding, Rules, scan_source};

/// Folders never worth scanning: bytecode caches and installed packages (virtualenvs are
/// recognised by their `pyvenv.cfg` instead, whatever their name).
const SKIPPED_DIRS: &[&str] = &[
    "__pycache__",
    "site-packages",
    "node_modules",
    "__pypackages__",
];

/// A file the scan could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

/// How to walk.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
    /// Files larger than this are reported and skipped.
    pub max_file_size: u64,
    /// Respect `.gitignore`, `.ignore` and hidden files (off: scan everything).
    pub respect_ignores: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threads: 0,
            max_file_size: 16 * 1024 * 1024,
            respect_ignores: true,
        }
    }
}

/// What a walk found: findings sorted by file and position.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// Python files read.
    pub files: usize,
    /// Files that mentioned a rule's words and were tokenized.
    pub candidates: usize,
}

impl Report {
    /// How many distinct files hold findings.
    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&Path> = self.findings.iter().map(|f| f.path.as_path()).collect();
        paths.dedup();
        paths.len()
    }
}

#[derive(Default)]
struct Partial {
    /// One entry per file with findings, each in source order: sorting whole files, not
    /// single findings, keeps the final sort to a few thousand small moves.
    findings: Vec<Vec<Finding>>,
    problems: Vec<Problem>,
    files: usize,
    candidates: usize,
}

/// Scans every Python file under `paths` (files named directly are scanned whatever their
/// extension). Missing paths become problems.
pub fn scan_paths(paths: &[PathBuf], rules: &Rules, opts: &ScanOptions) -> Report {
    let total = Mutex::new(Partial::default());
    let mut roots = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => roots.push(p.clone()),
            Ok(m) if m.is_file() => {
                let mut part = Partial::default();
                visit_file(p, rules, opts, &mut part, &mut Vec::new());
                merge(&total, part);
            }
            Ok(_) => merge(
                &total,
                problem(p, "not a regular file or folder; skipped".into()),
            ),
            Err(e) => merge(&total, problem(p, format!("cannot read: {e}"))),
        }
    }
    if let Some((first, rest)) = roots.split_first() {
        let mut types = ignore::types::TypesBuilder::new();
        types.add_defaults();
        types.select("py");
        let mut builder = WalkBuilder::new(first);
        for r in rest {
            builder.add(r);
        }
        builder
            .standard_filters(opts.respect_ignores)
            .follow_links(false)
            .threads(opts.threads)
            .filter_entry(|e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !is_dir
                    || e.depth() == 0
                    || !(e
                        .file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n))
                        || e.path().join("pyvenv.cfg").exists())
            });
        if let Ok(types) = types.build() {
            builder.types(types);
        }
        let mut visitors = Visitors {
            total: &total,
            rules,
            opts,
        };
        builder.build_parallel().visit(&mut visitors);
    }
    let mut t = total.into_inner().unwrap_or_else(|e| e.into_inner());
    // A path appears in one group only (a file is read once), so the order is total and
    // an unstable sort is enough.
    t.findings
        .sort_unstable_by(|a, b| match (a.first(), b.first()) {
            (Some(a), Some(b)) => path_order(&a.path, &b.path),
            _ => a.len().cmp(&b.len()),
        });
    t.problems.sort_by(|a, b| path_order(&a.path, &b.path));
    Report {
        findings: t.findings.into_iter().flatten().collect(),
        problems: t.problems,
        files: t.files,
        candidates: t.candidates,
    }
}

/// The order of [`Path`]'s own `Ord` (component by component) for the normalised paths a
/// walk produces, without splitting them into components: at the first byte that differs,
/// a separator sorts before anything else, as the end of a shorter component does.
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Paths of one walk share long prefixes: skip them a word at a time.
    let mut same = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        if x != y {
            break;
        }
        same += 8;
    }
    let (a, b) = (&a[same..], &b[same..]);
    let rank = |c: u8| {
        if std::path::is_separator(char::from(c)) {
            0
        } else {
            u16::from(c) + 1
        }
    };
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => rank(a[i]).cmp(&rank(b[i])),
        None => a.len().cmp(&b.len()),
    }
}

fn problem(p: &Path, message: String) -> Partial {
    Partial {
        problems: vec![Problem {
            path: p.to_path_buf(),
            message,
        }],
        ..Partial::default()
    }
}

fn merge(total: &Mutex<Partial>, part: Partial) {
    let mut t = total.lock().unwrap_or_else(|e| e.into_inner());
    t.findings
        .extend(part.findings.into_iter().filter(|f| !f.is_empty()));
    t.problems.extend(part.problems);
    t.files += part.files;
    t.candidates += part.candidates;
}

/// Makes one visitor per walking thread.
struct Visitors<'a> {
    total: &'a Mutex<Partial>,
    rules: &'a Rules,
    opts: &'a ScanOptions,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Visitors<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            total: self.total,
            rules: self.rules,
            opts: self.opts,
            part: Partial::default(),
            buf: Vec::new(),
        })
    }
}

/// A walking thread's visitor: collects on its own, hands over when the walk drops it.
struct Visitor<'a> {
    total: &'a Mutex<Partial>,
    rules: &'a Rules,
    opts: &'a ScanOptions,
    part: Partial,
    /// The file being read: one buffer per thread, grown to the largest file seen.
    buf: Vec<u8>,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) => {
                // The type comes from the directory listing: FIFOs and devices are never
                // opened (opening a FIFO would wait for a writer).
                if e.file_type().is_some_and(|t| t.is_file()) {
                    visit_file(
                        e.path(),
                        self.rules,
                        self.opts,
                        &mut self.part,
                        &mut self.buf,
                    );
                }
            }
            Err(err) => self.part.problems.push(Problem {
                path: error_path(&err),
                message: crate::sanitize::sanitize_line(&err.to_string()),
            }),
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        merge(self.total, std::mem::take(&mut self.part));
    }
}

fn error_path(err: &ignore::Error) -> PathBuf {
    match err {
        ignore::Error::WithPath { path, .. } => path.clone(),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => PathBuf::new(),
    }
}

/// Reads one file and scans it when it is a candidate. Only regular files of a sane size
/// are read; binary files (a NUL byte) are skipped quietly, as ripgrep does.
fn visit_file(
    path: &Path,
    rules: &Rules,
    opts: &ScanOptions,
    part: &mut Partial,
    buf: &mut Vec<u8>,
) {
    if let Err(message) = read_file(path, opts.max_file_size, buf) {
        part.problems.push(Problem {
            path: path.to_path_buf(),
            message,
        });
        return;
    }
    let bytes = buf.as_slice();
    part.files += 1;
    if !rules.is_candidate(bytes) {
        return;
    }
    if memchr::memchr(0, bytes).is_some() {
        return;
    }
    part.candidates += 1;
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let found = scan_source(path, text, rules);
            if !found.is_empty() {
                part.findings.push(found);
            }
        }
        Err(e) => part.problems.push(Problem {
            path: path.to_path_buf(),
            message: format!(
                "not valid UTF-8 (byte {}); re-save it as UTF-8 to have it checked",
                e.valid_up_to()
            ),
        }),
    }
}

/// Reads `path` into `buf` (replacing what it held). The size comes from the open file
/// (`fstat`: no second walk of the path), so an oversize file is refused before any byte
/// of it is read, and reading stops once that many bytes are in: a file that grows while
/// it is read is checked as it was when opened.
fn read_file(path: &Path, max: u64, buf: &mut Vec<u8>) -> Result<(), String> {
    buf.clear();
    let cannot = |e: std::io::Error| format!("cannot read: {e}");
    let mut file = open_nonblocking(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err("not a regular file; skipped".into());
    }
    let len = meta.len();
    if len > max {
        return Err(format!("larger than {max} bytes; skipped"));
    }
    if len == 0 {
        // Some file systems report 0 for files that have content: read to the end,
        // within the limit.
        (&mut file).take(max + 1).read_to_end(buf).map_err(cannot)?;
    } else {
        // One `read` for the whole file in the usual case.
        let len = usize::try_from(len).map_err(|_| format!("larger than {max} bytes; skipped"))?;
        buf.resize(len, 0);
        let mut filled = 0;
        while filled < len {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cannot(e)),
            }
        }
        // The file shrank since it was opened: what is left is what it holds.
        buf.truncate(filled);
    }
    if buf.len() as u64 > max {
        return Err(format!("larger than {max} bytes; skipped"));
    }
    Ok(())
}

/// Opens for reading without waiting: a file swapped for a FIFO after the folder was
/// listed would otherwise block the open until a writer came. The type is checked on
/// the open file right after.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_order_is_the_order_of_components() {
        let paths = [
            "a/b.py",
            "a-b/c.py",
            "a/b/c.py",
            "a.b/c.py",
            "ab/c.py",
            "a/bb.py",
            "/r/tree/c10/x.py",
            "/r/tree/c1/x.py",
            "/r/tree/c1/netra_backend/app/services/relative.py",
            "/r/tree/c1/netra_backend/app/services_old/a.py",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(path_order(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn a_file_is_read_whole_and_an_oversize_one_refused_unread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.py");
        std::fs::write(&path, "import os\n").expect("write");
        let mut buf = b"left over".to_vec();
        assert_eq!(read_file(&path, 100, &mut buf), Ok(()));
        assert_eq!(buf, b"import os\n");
        let refused = read_file(&path, 4, &mut buf);
        assert_eq!(refused, Err("larger than 4 bytes; skipped".to_string()));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pipe.py");
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let mut buf = Vec::new();
        assert_eq!(
            read_file(&path, 100, &mut buf),
            Err("not a regular file; skipped".to_string())
        );
    }
}
