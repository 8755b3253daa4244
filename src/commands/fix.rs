//! `devguide fix`: applies the guides' one-to-one replacements. `--diff` prints a unified
//! diff and writes nothing. Each file is read again just before its rewrite and written
//! atomically. Exit codes: 0 nothing left to report, 1 findings remain
//! (without a one-to-one replacement; with `--diff`, also the ones it would fix),
//! 2 error.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::content::GuideSet;
use crate::sanitize::sanitize_line;
use crate::scan::fix::{Edit, apply};
use crate::scan::{Rules, ScanOptions, fix_source, scan_paths};

use super::scan::{missing, roots};
use super::write_context;
use crate::scan::explain::explanation;

/// Lines of context around each change in the diff.
const CONTEXT: usize = 3;

pub fn run(
    set: &GuideSet,
    paths: &[PathBuf],
    diff: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let paths = roots(paths);
    if missing(&paths, err)? {
        return Ok(2);
    }
    let rules = Rules::from_guides(set);
    let report = scan_paths(&paths, &rules, &ScanOptions::default());
    super::scan::print_problems(&report, err)?;
    let mut files: Vec<&Path> = report
        .findings
        .iter()
        .filter(|f| f.fixable)
        .map(|f| f.path.as_path())
        .collect();
    files.dedup();
    let mut fixed_files = 0;
    let mut failed = false;
    for path in files {
        // Read again: the edit is made on exactly the bytes that get replaced.
        let text = match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            _ => {
                write_context(writeln!(
                    err,
                    "devguide: {}: cannot read it again as UTF-8; left as it is",
                    sanitize_line(&path.display().to_string())
                ))?;
                failed = true;
                continue;
            }
        };
        let Some((fixed, edits)) = fix_source(path, &text, &rules) else {
            continue;
        };
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if diff {
            write_diff(path, &text, &edits, out)?;
        } else if is_link {
            // Renaming over a link would replace it with a copy: fix the file it points to.
            write_context(writeln!(
                err,
                "devguide: {}: a symbolic link; fix the file it points to instead",
                sanitize_line(&path.display().to_string())
            ))?;
            failed = true;
            continue;
        } else if let Err(e) = write_atomic(path, fixed.as_bytes()) {
            write_context(writeln!(
                err,
                "devguide: {}: cannot write: {e}; left as it is",
                sanitize_line(&path.display().to_string())
            ))?;
            failed = true;
            continue;
        }
        fixed_files += 1;
    }
    let remaining: Vec<_> = report.findings.iter().filter(|f| !f.fixable).collect();
    if !diff {
        for f in &remaining {
            write_context(writeln!(
                err,
                "{}:{}:{}: {} {} (not fixed)",
                sanitize_line(&f.path.display().to_string()),
                f.line,
                f.column,
                f.class.as_str(),
                sanitize_line(&f.text)
            ))?;
            for l in explanation(f) {
                write_context(writeln!(err, "    {l}"))?;
            }
        }
        let fixed = report.findings.len() - remaining.len();
        write_context(writeln!(
            err,
            "fixed {fixed} import{} in {fixed_files} file{}; {} left without a one-to-one replacement",
            if fixed == 1 { "" } else { "s" },
            if fixed_files == 1 { "" } else { "s" },
            remaining.len()
        ))?;
    }
    Ok(if failed {
        2
    } else if remaining.is_empty() && (!diff || fixed_files == 0) {
        0
    } else {
        1
    })
}

/// A unified diff of `text` with `edits` applied, hunks of whole lines with context.
pub fn write_diff(
    path: &Path,
    text: &str,
    edits: &[Edit],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .filter(|&s| s < text.len() || s == 0)
        .collect();
    let line_of = |at: usize| starts.partition_point(|&s| s <= at).saturating_sub(1);
    let line_text = |l: usize| {
        let end = starts.get(l + 1).copied().unwrap_or(text.len());
        &text[starts[l]..end]
    };
    // Changed line groups: (first old line, last old line, edits in it).
    let mut groups: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in edits {
        let (a, b) = (
            line_of(e.range.start),
            line_of(e.range.end.max(e.range.start)),
        );
        match groups.last_mut() {
            Some(g) if a <= g.1 => {
                g.1 = g.1.max(b);
                g.2.push(e);
            }
            _ => groups.push((a, b, vec![e])),
        }
    }
    let name = sanitize_line(&path.display().to_string());
    let name = name.strip_prefix("./").unwrap_or(&name);
    write_context(writeln!(out, "--- a/{name}\n+++ b/{name}"))?;
    let last_line = starts.len().saturating_sub(1);
    let mut i = 0;
    while i < groups.len() {
        // Merge groups whose context would touch.
        let mut j = i;
        while j + 1 < groups.len() && groups[j + 1].0 <= groups[j].1 + 2 * CONTEXT + 1 {
            j += 1;
        }
        let from = groups[i].0.saturating_sub(CONTEXT);
        let to = (groups[j].1 + CONTEXT).min(last_line);
        let mut old_lines = Vec::new();
        let mut new_lines = Vec::new();
        let mut body = Vec::new();
        let mut l = from;
        for g in &groups[i..=j] {
            while l < g.0 {
                body.push(format!(" {}", shown(line_text(l))));
                l += 1;
            }
            let start = starts[g.0];
            let end = starts.get(g.1 + 1).copied().unwrap_or(text.len());
            let old = &text[start..end];
            let shifted: Vec<Edit> =
                g.2.iter()
                    .map(|e| Edit {
                        range: e.range.start - start..e.range.end - start,
                        text: e.text.clone(),
                    })
                    .collect();
            let new = apply(old, &shifted);
            for o in old.split_inclusive('\n') {
                body.push(format!("-{}", shown(o)));
                old_lines.push(());
            }
            for n in new.split_inclusive('\n') {
                body.push(format!("+{}", shown(n)));
                new_lines.push(());
            }
            l = g.1 + 1;
        }
        while l <= to {
            body.push(format!(" {}", shown(line_text(l))));
            l += 1;
        }
        let context = body.iter().filter(|b| b.starts_with(' ')).count();
        write_context(writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            from + 1,
            old_lines.len() + context,
            from + 1,
            new_lines.len() + context
        ))?;
        for b in body {
            write_context(writeln!(out, "{b}"))?;
        }
        i = j + 1;
    }
    Ok(())
}

/// A line of code for the diff: without its line ending, control characters made visible.
fn shown(line: &str) -> String {
    crate::sanitize::sanitize(line.trim_end_matches(['\n', '\r'])).into_owned()
}

/// Temp file in the same folder → write → fsync → rename → fsync the folder, keeping the
/// file's permissions, so a crash leaves either the old file or the new one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.devguide-{}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
