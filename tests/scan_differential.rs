//! The scanner against CPython's own parser over a large real tree (the interpreter's
//! standard library, or the folder in `DEVGUIDE_DIFF_TREE`): every import statement and
//! every string-target call must be found where `ast` finds it, and nowhere else. Zero
//! false hits (text in comments, docstrings and strings) and zero misses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use devguide::scan::sites::{SiteKind, sites};

const SCRIPT: &str = "tests/fixtures/scan/ast_sites.py";
const SKIP_DIRS: &[&str] = &[
    "__pycache__",
    "site-packages",
    "node_modules",
    "__pypackages__",
];

fn tree() -> Option<PathBuf> {
    if let Some(t) = std::env::var_os("DEVGUIDE_DIFF_TREE") {
        return Some(PathBuf::from(t));
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .ok()?;
    let p = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(p.trim()))
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() && !SKIP_DIRS.contains(&name.as_str()) {
            python_files(&e.path(), out);
        } else if t.is_file() && name.ends_with(".py") {
            out.push(e.path());
        }
    }
}

/// Line (1-based) and byte column of `at`, counting `\n` as CPython does.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, at - start)
}

fn ours(root: &Path, path: &Path, text: &str, out: &mut BTreeSet<String>) {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    for site in sites(text) {
        match &site.kind {
            SiteKind::Import { names } => {
                for n in names {
                    let (l, c) = position(text, n.span.start);
                    out.insert(format!(
                        "{rel}\timport\t{l}\t{c}\t{}\t{}",
                        n.name,
                        n.alias.as_deref().unwrap_or("")
                    ));
                }
            }
            SiteKind::From {
                level,
                module,
                names,
                ..
            } => {
                for n in names {
                    let (l, c) = position(text, n.span.start);
                    out.insert(format!(
                        "{rel}\tfrom\t{l}\t{c}\t{}{module}\t{}\t{}",
                        ".".repeat(*level),
                        n.name,
                        n.alias.as_deref().unwrap_or("")
                    ));
                }
            }
            SiteKind::Target { value, .. } => {
                let (l, c) = position(text, site.span.start);
                out.insert(format!("{rel}\ttarget\t{l}\t{c}\t{value}"));
            }
        }
    }
}

#[test]
fn every_import_cpython_sees_and_nothing_else() {
    let Some(root) = tree().filter(|t| t.is_dir()) else {
        eprintln!("skipped: python3 (or DEVGUIDE_DIFF_TREE) is needed for the differential test");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCRIPT);
    let out = Command::new("python3")
        .arg(&script)
        .arg(&root)
        .output()
        .expect("python3 runs the reference script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = String::from_utf8(out.stdout).expect("UTF-8 output");
    let mut skipped = BTreeSet::new();
    let mut theirs = BTreeSet::new();
    for line in reference.lines().filter(|l| !l.is_empty()) {
        match line.strip_suffix("\tskip") {
            Some(path) => {
                skipped.insert(path.to_string());
            }
            None => {
                theirs.insert(line.to_string());
            }
        }
    }
    let mut files = Vec::new();
    python_files(&root, &mut files);
    let mut mine = BTreeSet::new();
    let mut checked = 0;
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        if skipped.contains(&rel) {
            continue;
        }
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        if bytes.contains(&0) {
            continue;
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        checked += 1;
        ours(&root, f, &text, &mut mine);
    }
    assert!(
        checked > 500,
        "only {checked} files checked in {}",
        root.display()
    );
    assert!(theirs.len() > 5000, "only {} sites from ast", theirs.len());
    let false_hits: Vec<&String> = mine.difference(&theirs).take(20).collect();
    let misses: Vec<&String> = theirs.difference(&mine).take(20).collect();
    assert!(
        false_hits.is_empty() && misses.is_empty(),
        "{} files, {} sites\nfalse hits (first 20): {false_hits:#?}\nmisses (first 20): {misses:#?}",
        checked,
        theirs.len()
    );
}
