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
    findings: Vec<Finding>,
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
                visit_file(p, Some(m.len()), rules, opts, &mut part);
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
    t.findings
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    t.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Report {
        findings: t.findings,
        problems: t.problems,
        files: t.files,
        candidates: t.candidates,
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
    t.findings.extend(part.findings);
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
        })
    }
}

/// A walking thread's visitor: collects on its own, hands over when the walk drops it.
struct Visitor<'a> {
    total: &'a Mutex<Partial>,
    rules: &'a Rules,
    opts: &'a ScanOptions,
    part: Partial,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file()) {
                    let len = e.metadata().ok().map(|m| m.len());
                    visit_file(e.path(), len, self.rules, self.opts, &mut self.part);
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
/// are opened; binary files (a NUL byte) are skipped quietly, as ripgrep does.
fn visit_file(
    path: &Path,
    len: Option<u64>,
    rules: &Rules,
    opts: &ScanOptions,
    part: &mut Partial,
) {
    if let Some(n) = len
        && n > opts.max_file_size
    {
        part.problems.push(Problem {
            path: path.to_path_buf(),
            message: format!("larger than {} bytes; skipped", opts.max_file_size),
        });
        return;
    }
    let mut bytes = Vec::with_capacity(len.unwrap_or(0) as usize + 1);
    let read =
        File::open(path).and_then(|f| f.take(opts.max_file_size + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        part.problems.push(Problem {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        });
        return;
    }
    part.files += 1;
    if !rules.is_candidate(&bytes) {
        return;
    }
    if memchr::memchr(0, &bytes).is_some() {
        return;
    }
    part.candidates += 1;
    match std::str::from_utf8(&bytes) {
        Ok(text) => part.findings.extend(scan_source(path, text, rules)),
        Err(e) => part.problems.push(Problem {
            path: path.to_path_buf(),
            message: format!(
                "not valid UTF-8 (byte {}); re-save it as UTF-8 to have it checked",
                e.valid_up_to()
            ),
        }),
    }
}
