//! mdBook's directives in a chapter's text: `{{#include}}`, `{{#rustdoc_include}}`,
//! `{{#playground}}` and `{{#title}}`, expanded before the markdown is parsed, as mdBook
//! does. Included files are read only from inside the book's root folder: a path that
//! climbs out of it, or a symlink that points out of it, becomes a visible notice instead.

use std::path::{Path, PathBuf};

/// Includes inside included files are followed this many levels deep.
const MAX_DEPTH: usize = 4;
/// A chapter never grows past this by including (the same large file included many times
/// would otherwise multiply).
const MAX_EXPANDED_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, in the including chapter, of the directive.
    pub line: usize,
    /// The directive without its braces, e.g. `include ../x.rs:main`.
    pub directive: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    pub problems: Vec<Problem>,
    /// From `{{#title …}}`.
    pub title: Option<String>,
    /// Every file read, canonical: a chapter included into others is reached through them.
    pub files: Vec<PathBuf>,
}

/// Quick test so chapters without directives are not copied.
pub fn has_directives(text: &str) -> bool {
    text.contains("{{#")
}

/// Expands the directives in `text`, written in the file `file`, reading included files
/// only from under `root` (a canonical path).
pub fn expand(text: &str, file: &Path, root: &Path) -> Expanded {
    let mut out = Expanded::default();
    let base = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut budget = MAX_EXPANDED_BYTES;
    out.text = expand_in(text, &base, root, 0, &mut out, None, &mut budget);
    out
}

/// `top_line` is the line of the directive in the chapter when expanding an included
/// file, so every problem points at the chapter the reader has open.
fn expand_in(
    text: &str,
    base: &Path,
    root: &Path,
    depth: usize,
    out: &mut Expanded,
    top_line: Option<usize>,
    budget: &mut usize,
) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0usize;
    while let Some(at) = rest.find("{{#") {
        let line = top_line.unwrap_or_else(|| text[..consumed + at].matches('\n').count() + 1);
        // `\{{#include x}}` is mdBook's way to show a directive as text.
        if rest[..at].ends_with('\\') {
            result.push_str(&rest[..at - 1]);
            result.push_str("{{#");
            consumed += at + 3;
            rest = &rest[at + 3..];
            continue;
        }
        let after = &rest[at + 3..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let Some(close) = after[..line_end].find("}}") else {
            result.push_str(&rest[..at + 3]);
            consumed += at + 3;
            rest = after;
            continue;
        };
        let inner = after[..close].trim();
        let directive = format!("{{{{#{inner}}}}}");
        result.push_str(&rest[..at]);
        let (name, args) = inner
            .split_once(char::is_whitespace)
            .map_or((inner, ""), |(n, a)| (n, a.trim()));
        match name {
            // Without a file named, mdBook leaves the text alone (it is usually prose
            // about the directive); so does this.
            "include" | "rustdoc_include" | "playground" if args.is_empty() => {
                result.push_str(&directive)
            }
            "include" | "rustdoc_include" | "playground" => {
                let replacement = include(name, args, base, root, depth, out, line, budget);
                match replacement {
                    Ok(text) => result.push_str(&text),
                    Err(message) => {
                        // Named without its braces: no `{{#` ever reaches the page.
                        result.push_str(&format!("[not included: {inner}: {message}]"));
                        out.problems.push(Problem {
                            line,
                            directive: crate::sanitize::sanitize_line(inner),
                            message,
                        });
                    }
                }
            }
            "title" => {
                if out.title.is_none() && !args.is_empty() {
                    out.title = Some(crate::sanitize::sanitize_line(args));
                }
            }
            // Unknown directives are left as written, as mdBook leaves them (they are
            // usually examples inside code, like `{{#toc}}` in a template).
            _ => result.push_str(&directive),
        }
        consumed += at + 3 + close + 2;
        rest = &after[close + 2..];
    }
    result.push_str(rest);
    result
}

#[allow(clippy::too_many_arguments)]
fn include(
    kind: &str,
    args: &str,
    base: &Path,
    root: &Path,
    depth: usize,
    out: &mut Expanded,
    line: usize,
    budget: &mut usize,
) -> Result<String, String> {
    if depth >= MAX_DEPTH {
        return Err(format!("includes nested more than {MAX_DEPTH} levels deep"));
    }
    let mut words = args.split_whitespace();
    let spec = words.next().ok_or("no file named")?;
    let (path, selector) = match spec.split_once(':') {
        Some((p, s)) => (p, Some(s)),
        None => (spec, None),
    };
    let file = resolve(base, path, root)?;
    let text = read_capped(&file)?;
    if !out.files.contains(&file) {
        out.files.push(file.clone());
    }
    let selected = select(&text, selector)?;
    if selected.len() > *budget {
        return Err("the chapter would grow too large".into());
    }
    *budget -= selected.len();
    let inner_base = file.parent().unwrap_or(root).to_path_buf();
    let expanded = if has_directives(&selected) {
        expand_in(
            &selected,
            &inner_base,
            root,
            depth + 1,
            out,
            Some(line),
            budget,
        )
    } else {
        selected
    };
    if kind == "playground" {
        let attrs: Vec<&str> = words.collect();
        let info = std::iter::once("rust")
            .chain(attrs)
            .collect::<Vec<_>>()
            .join(",");
        let body = expanded.trim_end_matches('\n');
        return Ok(format!("```{info}\n{body}\n```"));
    }
    Ok(expanded)
}

/// The file `path` names relative to `base`, if it is inside `root`.
fn resolve(base: &Path, path: &str, root: &Path) -> Result<PathBuf, String> {
    let joined = base.join(path);
    let real = match std::fs::canonicalize(&joined) {
        Ok(p) => p,
        Err(_) => {
            // Say "outside" rather than "missing" for a path that climbs out: the reader
            // learns the real reason and nothing about files out there.
            let lexical = lexical_inside(&joined, root);
            return Err(if lexical {
                "no such file".into()
            } else {
                "outside the book's folder; not read".into()
            });
        }
    };
    if !real.starts_with(root) {
        return Err("outside the book's folder (or a symlink out of it); not read".into());
    }
    Ok(real)
}

fn lexical_inside(path: &Path, root: &Path) -> bool {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut parts: Vec<std::path::Component<'_>> = Vec::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            c => parts.push(c),
        }
    }
    let normal: PathBuf = parts.iter().collect();
    normal.starts_with(root)
}

fn read_capped(file: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > super::max_file_bytes() {
        return Err("over the file size limit (DEVGUIDE_MAX_FILE_MB)".into());
    }
    let bytes = super::read_capped_bytes(file, super::max_file_bytes())
        .map_err(|e| format!("cannot be read: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The lines a selector picks: `N` (one line), `N:` / `:M` / `N:M` (a range, 1-based and
/// inclusive), or an anchor name. Lines holding `ANCHOR:` / `ANCHOR_END:` are dropped.
fn select(text: &str, selector: Option<&str>) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let keep = |ls: &[&str]| -> String {
        let mut s: String = ls
            .iter()
            .filter(|l| anchor_mark(l).is_none())
            .flat_map(|l| [*l, "\n"])
            .collect();
        if s.ends_with('\n') {
            s.pop();
        }
        s
    };
    let Some(sel) = selector.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(keep(&lines));
    };
    let number = |s: &str| -> Result<Option<usize>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<usize>()
            .map(Some)
            .map_err(|_| format!("'{s}' is not a line number"))
    };
    let range = |start: usize, end: usize| {
        let start = start.saturating_sub(1).min(lines.len());
        let end = end.min(lines.len()).max(start);
        keep(&lines[start..end])
    };
    if let Some((a, b)) = sel.split_once(':') {
        let start = number(a)?.unwrap_or(1);
        let end = number(b)?.unwrap_or(usize::MAX);
        return Ok(range(start, end));
    }
    if sel.bytes().all(|b| b.is_ascii_digit()) {
        let n = number(sel)?.unwrap_or(1);
        return Ok(range(n, n));
    }
    let start = lines
        .iter()
        .position(|l| anchor_mark(l) == Some((false, sel)))
        .ok_or_else(|| format!("no anchor '{sel}' in the file"))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| anchor_mark(l) == Some((true, sel)))
        .map_or(lines.len(), |i| start + 1 + i);
    Ok(keep(&lines[start + 1..end]))
}

/// `(is_end, name)` for a line holding `ANCHOR: name` or `ANCHOR_END: name`.
fn anchor_mark(line: &str) -> Option<(bool, &str)> {
    let (is_end, rest) = if let Some(i) = line.find("ANCHOR_END:") {
        (true, &line[i + "ANCHOR_END:".len()..])
    } else if let Some(i) = line.find("ANCHOR:") {
        (false, &line[i + "ANCHOR:".len()..])
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (len > 0).then(|| (is_end, &rest[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(root.join("src")).expect("mkdir");
        std::fs::create_dir_all(root.join("listings")).expect("mkdir");
        std::fs::write(
            root.join("listings/main.rs"),
            "use std::io;\n// ANCHOR: here\nfn main() {\n    println!(\"hi\");\n}\n// ANCHOR_END: here\n",
        )
        .expect("write");
        (dir, root)
    }

    #[test]
    fn anchors_ranges_and_lines() {
        let (_d, root) = book();
        let ch = root.join("src/ch.md");
        let e = expand(
            "a\n{{#rustdoc_include ../listings/main.rs:here}}\n{{#include ../listings/main.rs:1}}\n{{#include ../listings/main.rs:3:4}}\n",
            &ch,
            &root,
        );
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        assert_eq!(
            e.text,
            "a\nfn main() {\n    println!(\"hi\");\n}\nuse std::io;\nfn main() {\n    println!(\"hi\");\n"
        );
        assert!(!e.text.contains("ANCHOR"));
    }

    #[test]
    fn escapes_symlinks_and_missing_files_become_notices() {
        let (_d, root) = book();
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.txt"), "SECRET").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("src/link.txt"))
            .expect("symlink");
        let ch = root.join("src/ch.md");
        let text = format!(
            "{{{{#include ../../{}}}}}\n{{{{#include link.txt}}}}\n{{{{#include nope.rs}}}}\n{{{{#include ../listings/main.rs:nothere}}}}\n",
            outside
                .path()
                .join("secret.txt")
                .strip_prefix("/")
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
        let e = expand(&text, &ch, &root);
        assert!(!e.text.contains("SECRET"), "{}", e.text);
        assert!(!e.text.contains("{{#"), "{}", e.text);
        let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
        #[cfg(unix)]
        assert_eq!(lines, [1, 2, 3, 4], "{:?}", e.problems);
        assert!(e.problems[0].message.contains("outside"));
        assert!(
            e.problems
                .iter()
                .any(|p| p.message.contains("no such file"))
        );
        assert!(e.problems.iter().any(|p| p.message.contains("no anchor")));
    }

    #[test]
    fn escaped_title_playground_and_unknown_directives() {
        let (_d, root) = book();
        let ch = root.join("src/ch.md");
        let e = expand(
            "{{#title Real Title}}\n\\{{#include x}}\n{{#playground ../listings/main.rs editable}}\n{{#toc}}\n",
            &ch,
            &root,
        );
        assert_eq!(e.title.as_deref(), Some("Real Title"));
        assert!(
            e.text
                .starts_with("\n{{#include x}}\n```rust,editable\nuse std::io;"),
            "{}",
            e.text
        );
        assert!(e.text.contains("{{#toc}}"));
        assert!(e.problems.is_empty());
    }

    #[test]
    fn self_inclusion_stops() {
        let (_d, root) = book();
        let ch = root.join("src/ch.md");
        std::fs::write(&ch, "x {{#include ch.md}}\n").expect("write");
        let e = expand("{{#include ch.md}}", &ch, &root);
        assert!(e.problems.iter().any(|p| p.message.contains("nested")));
    }
}
