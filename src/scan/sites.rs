//! The places in a Python file that name a module: import statements and the string
//! arguments of calls that take a dotted path (`patch("a.b.C")`, `import_module("a.b")`).
//!
//! Built on [`super::lex`], so text inside comments, docstrings and other strings is never
//! a site. `import` is a hard keyword and appears only in import statements, which is
//! what makes finding them from tokens exact.

use std::ops::Range;

use super::lex::{Tok, tokenize};

/// One imported name of an import statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedName {
    /// The name after `import` (`X` in `from m import X`; `a.b` in `import a.b`), with
    /// any whitespace inside a dotted name removed.
    pub name: String,
    /// Bytes of the name as written.
    pub span: Range<usize>,
    pub alias: Option<String>,
}

/// Where a statement sits, when that matters to the reader of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// Under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`): only type checkers see it.
    TypeChecking,
    /// In a `try` whose handler catches `ImportError`/`ModuleNotFoundError`, or in that
    /// handler: an optional or fallback import.
    TryImport,
}

impl Context {
    pub fn label(self) -> &'static str {
        match self {
            Context::TypeChecking => "TYPE_CHECKING",
            Context::TryImport => "try/except ImportError",
        }
    }
}

/// What kind of site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteKind {
    /// `from M import a, b as c` (`level` leading dots; `module` is what follows them,
    /// possibly empty).
    From {
        level: usize,
        module: String,
        module_span: Range<usize>,
        names: Vec<ImportedName>,
    },
    /// `import a.b as c, d`.
    Import { names: Vec<ImportedName> },
    /// A string naming a dotted path, as the first argument of `callee`.
    Target { callee: String, value: String },
}

/// One site, with the bytes of the whole statement (or the string literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub kind: SiteKind,
    pub span: Range<usize>,
    pub context: Option<Context>,
}

/// Calls whose first argument, when it is a plain string, names a module path: matched on
/// the last one or two parts of the callee (`mock.patch`, `patch.object`, `importlib.import_module`).
pub fn is_target_callee(parts: &[&str]) -> bool {
    let last = parts.last().copied().unwrap_or("");
    let before = parts.len().checked_sub(2).map(|i| parts[i]);
    matches!(last, "patch" | "import_module" | "__import__")
        || (before == Some("patch") && matches!(last, "object" | "dict" | "multiple"))
        || (before == Some("monkeypatch") && matches!(last, "setattr" | "delattr"))
}

/// A string that could be a dotted module path: identifiers joined by dots.
pub fn is_dotted_path(s: &str) -> bool {
    if s.is_ascii() {
        // The usual case, without decoding characters.
        return !s.is_empty()
            && s.split('.').all(|p| {
                let p = p.as_bytes();
                p.first()
                    .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
                    && p.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
            });
    }
    !s.is_empty()
        && s.split('.').all(|p| {
            let mut c = p.chars();
            c.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && c.all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// Every site in `src`, in source order.
pub fn sites(src: &str) -> Vec<Site> {
    let toks = tokenize(src);
    let lines = logical_lines(&toks, src);
    let mut out = Vec::new();
    let text = |t: &Tok| &src[t.start()..t.end()];
    let is_name = |t: &Tok, w: &str| matches!(t, Tok::Name { .. }) && text(t) == w;
    let is_op = |t: &Tok, b: u8| matches!(t, Tok::Op { byte, .. } if *byte == b);
    for (k, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Name { .. } if text(tok) == "import" => {
                if let Some(site) = import_site(src, &toks, k, &is_name, &is_op) {
                    out.push(site);
                }
            }
            Tok::Str {
                start,
                end,
                body_start,
                body_end,
                flags,
            } if !flags.bytes && !flags.formatted => {
                let value = &src[*body_start..*body_end];
                if !is_dotted_path(value) || k < 2 || !is_op(&toks[k - 1], b'(') {
                    continue;
                }
                // A lone string argument: not concatenated, not part of an expression.
                match toks.get(k + 1) {
                    Some(t) if is_op(t, b',') || is_op(t, b')') => {}
                    _ => continue,
                }
                let parts = callee_parts(src, &toks, k - 1);
                if parts.is_empty() || !is_target_callee(&parts) {
                    continue;
                }
                out.push(Site {
                    kind: SiteKind::Target {
                        callee: parts.join("."),
                        value: value.to_string(),
                    },
                    span: *start..*end,
                    context: None,
                });
            }
            _ => {}
        }
    }
    for site in &mut out {
        if !matches!(site.kind, SiteKind::Target { .. }) {
            site.context = context_of(src, &toks, &lines, site.span.start);
        }
    }
    out
}

/// The dotted callee before the `(` at `paren`: `mock.patch` → `["mock", "patch"]`.
fn callee_parts<'s>(src: &'s str, toks: &[Tok], paren: usize) -> Vec<&'s str> {
    let mut parts = Vec::new();
    let mut j = paren;
    while j > 0 {
        let Tok::Name { start, end } = toks[j - 1] else {
            break;
        };
        parts.push(&src[start..end]);
        if j >= 2 && matches!(toks[j - 2], Tok::Op { byte: b'.', .. }) {
            j -= 2;
        } else {
            break;
        }
    }
    parts.reverse();
    parts
}

fn import_site(
    src: &str,
    toks: &[Tok],
    k: usize,
    is_name: &dyn Fn(&Tok, &str) -> bool,
    is_op: &dyn Fn(&Tok, u8) -> bool,
) -> Option<Site> {
    // Walk back over a dotted (possibly relative) module to a `from`.
    let mut j = k;
    while j > 0 {
        let t = &toks[j - 1];
        if is_name(t, "from") {
            break;
        }
        if matches!(t, Tok::Name { .. }) || is_op(t, b'.') {
            j -= 1;
        } else {
            break;
        }
    }
    let is_from = j > 0 && j < k && is_name(&toks[j - 1], "from");
    let end_of_stmt = |t: &Tok| matches!(t, Tok::Newline { .. }) || is_op(t, b';');
    if is_from {
        let module_toks = &toks[j..k];
        let level = module_toks.iter().take_while(|t| is_op(t, b'.')).count();
        let module = joined(src, &module_toks[level..]);
        let module_span = module_toks[0].start()..module_toks[module_toks.len() - 1].end();
        let mut i = k + 1;
        let parenthesised = toks.get(i).is_some_and(|t| is_op(t, b'('));
        if parenthesised {
            i += 1;
        }
        let mut names = Vec::new();
        let mut last_end = toks[k].end();
        if toks.get(i).is_some_and(|t| is_op(t, b'*')) {
            let t = &toks[i];
            names.push(ImportedName {
                name: "*".into(),
                span: t.start()..t.end(),
                alias: None,
            });
            last_end = t.end();
        } else {
            while let Some(t) = toks.get(i) {
                if parenthesised && is_op(t, b')') {
                    last_end = t.end();
                    break;
                }
                if !parenthesised && end_of_stmt(t) {
                    break;
                }
                if is_op(t, b',') {
                    i += 1;
                    continue;
                }
                let Tok::Name { start, end } = *t else {
                    return None;
                };
                let mut alias = None;
                last_end = end;
                if toks.get(i + 1).is_some_and(|t| is_name(t, "as"))
                    && let Some(&Tok::Name { start: a, end: b }) = toks.get(i + 2)
                {
                    alias = Some(src[a..b].to_string());
                    last_end = b;
                    i += 2;
                }
                names.push(ImportedName {
                    name: src[start..end].to_string(),
                    span: start..end,
                    alias,
                });
                i += 1;
            }
        }
        let stmt_start = toks[j - 1].start();
        return Some(Site {
            kind: SiteKind::From {
                level,
                module,
                module_span,
                names,
            },
            span: stmt_start..last_end,
            context: None,
        });
    }
    // `import a.b as c, d`
    let mut i = k + 1;
    let mut names = Vec::new();
    let mut last_end = toks[k].end();
    while let Some(t) = toks.get(i) {
        if end_of_stmt(t) {
            break;
        }
        if is_op(t, b',') {
            i += 1;
            continue;
        }
        let Tok::Name { start, .. } = *t else {
            return None;
        };
        let mut name = String::new();
        let mut end = start;
        while let Some(t) = toks.get(i) {
            match *t {
                Tok::Name { start: s, end: e } if name.is_empty() || name.ends_with('.') => {
                    name.push_str(&src[s..e]);
                    end = e;
                }
                Tok::Op { byte: b'.', pos } if !name.is_empty() && !name.ends_with('.') => {
                    name.push('.');
                    end = pos + 1;
                }
                _ => break,
            }
            i += 1;
        }
        let mut alias = None;
        if toks.get(i).is_some_and(|t| is_name(t, "as"))
            && let Some(&Tok::Name { start: a, end: b }) = toks.get(i + 1)
        {
            alias = Some(src[a..b].to_string());
            end = b;
            i += 2;
        }
        last_end = end;
        names.push(ImportedName {
            name,
            span: start..end,
            alias,
        });
    }
    Some(Site {
        kind: SiteKind::Import { names },
        span: toks[k].start()..last_end,
        context: None,
    })
}

/// The text of `toks` without what lies between them (`a . b` is `a.b`): one slice of the
/// source in the usual case where nothing does.
fn joined(src: &str, toks: &[Tok]) -> String {
    let contiguous = toks.windows(2).all(|w| w[0].end() == w[1].start());
    match (toks.first(), toks.last()) {
        (Some(first), Some(last)) if contiguous => src[first.start()..last.end()].to_string(),
        _ => toks.iter().map(|t| &src[t.start()..t.end()]).collect(),
    }
}

/// A logical line: its token range and the column of its first token.
struct Line {
    first: usize,
    last: usize,
    indent: usize,
}

fn logical_lines(toks: &[Tok], src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    // The tokens `first..=last` as a line, indented by its first token's column.
    let line = |first: usize, last: usize| {
        let start = toks[first].start();
        let line_start = bytes[..start]
            .iter()
            .rposition(|&b| b == b'\n' || b == b'\r')
            .map_or(0, |p| p + 1);
        Line {
            first,
            last,
            indent: start - line_start,
        }
    };
    let mut lines = Vec::new();
    let mut first = 0;
    for (k, t) in toks.iter().enumerate() {
        if matches!(t, Tok::Newline { .. }) {
            if k > first {
                lines.push(line(first, k - 1));
            }
            first = k + 1;
        }
    }
    if first < toks.len() {
        lines.push(line(first, toks.len() - 1));
    }
    lines
}

/// The context of the statement starting at byte `at`: its enclosing block headers,
/// nearest first, and a header on its own line (`if TYPE_CHECKING: import x`).
fn context_of(src: &str, toks: &[Tok], lines: &[Line], at: usize) -> Option<Context> {
    let li = lines.partition_point(|l| toks[l.last].end() <= at);
    let line = lines.get(li)?;
    let text = |k: usize| &src[toks[k].start()..toks[k].end()];
    // A one-line compound statement: the header's words precede the import.
    let before: Vec<&str> = (line.first..line.last + 1)
        .take_while(|&k| toks[k].start() < at)
        .map(text)
        .collect();
    if let Some(c) = header_context(&before, src, toks, lines, li) {
        return Some(c);
    }
    let mut indent = line.indent;
    if indent == 0 {
        // A top-level statement has no enclosing block.
        return None;
    }
    for hi in (0..li).rev() {
        let h = &lines[hi];
        if h.indent >= indent {
            continue;
        }
        indent = h.indent;
        let words: Vec<&str> = (h.first..h.last + 1).map(text).collect();
        if let Some(c) = header_context(&words, src, toks, lines, hi) {
            return Some(c);
        }
        if indent == 0 {
            break;
        }
    }
    None
}

/// The context a block header gives its body: `if TYPE_CHECKING:`, `try:` with an
/// ImportError handler, or the handler itself.
fn header_context(
    words: &[&str],
    src: &str,
    toks: &[Tok],
    lines: &[Line],
    li: usize,
) -> Option<Context> {
    match words.first().copied() {
        Some("if") if words.contains(&"TYPE_CHECKING") => Some(Context::TypeChecking),
        Some("except") if catches_import_error(words) => Some(Context::TryImport),
        Some("try") => {
            let indent = lines[li].indent;
            for l in &lines[li + 1..] {
                if l.indent > indent {
                    continue;
                }
                if l.indent < indent {
                    break;
                }
                let head: Vec<&str> = (l.first..l.last + 1)
                    .map(|k| &src[toks[k].start()..toks[k].end()])
                    .collect();
                match head.first().copied() {
                    Some("except") if catches_import_error(&head) => {
                        return Some(Context::TryImport);
                    }
                    Some("except" | "else" | "finally") => {}
                    _ => break,
                }
            }
            None
        }
        _ => None,
    }
}

fn catches_import_error(words: &[&str]) -> bool {
    words
        .iter()
        .take_while(|w| **w != ":")
        .any(|w| matches!(*w, "ImportError" | "ModuleNotFoundError"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(src: &str) -> Vec<String> {
        sites(src)
            .iter()
            .map(|s| match &s.kind {
                SiteKind::From {
                    level,
                    module,
                    names,
                    ..
                } => {
                    let n: Vec<String> = names
                        .iter()
                        .map(|n| match &n.alias {
                            Some(a) => format!("{} as {a}", n.name),
                            None => n.name.clone(),
                        })
                        .collect();
                    format!("from {}{module} {}", ".".repeat(*level), n.join(","))
                }
                SiteKind::Import { names } => {
                    let n: Vec<String> = names
                        .iter()
                        .map(|n| match &n.alias {
                            Some(a) => format!("{} as {a}", n.name),
                            None => n.name.clone(),
                        })
                        .collect();
                    format!("import {}", n.join(","))
                }
                SiteKind::Target { callee, value } => format!("{callee}({value})"),
            })
            .collect()
    }

    #[test]
    fn every_import_form() {
        let src = "import a.b as c, d\nfrom x.y import (P,\n  Q as R,  # note\n)\nfrom .. import z\nfrom ..m import *\nif x: import e\nimport f; from g import h\n";
        assert_eq!(
            summary(src),
            [
                "import a.b as c,d",
                "from x.y P,Q as R",
                "from .. z",
                "from ..m *",
                "import e",
                "import f",
                "from g h"
            ]
        );
    }

    #[test]
    fn look_alikes_are_not_sites() {
        let src = "# from a import b\n'''\nimport c\n'''\ns = \"from d import e\"\nraise X from y\nyield_from = 1\nf(\"a.b\")\npatch(\"a.\" \"b\")\npatch(f\"a.b\")\n";
        assert!(summary(src).is_empty(), "{:?}", summary(src));
    }

    #[test]
    fn string_targets() {
        let src = "@mock.patch(\"a.b.C\")\ndef t(): importlib.import_module('a.b', None)\nmonkeypatch.setattr(\"a.b.f\", g)\n";
        assert_eq!(
            summary(src),
            [
                "mock.patch(a.b.C)",
                "importlib.import_module(a.b)",
                "monkeypatch.setattr(a.b.f)"
            ]
        );
    }

    #[test]
    fn contexts() {
        let src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import B\ntry:\n    import c\nexcept ImportError:\n    import d\nelse:\n    pass\ntry:\n    import e\nexcept ValueError:\n    pass\nif TYPE_CHECKING: import f\n";
        let got: Vec<Option<Context>> = sites(src).iter().map(|s| s.context).collect();
        assert_eq!(
            got,
            [
                None,
                Some(Context::TypeChecking),
                Some(Context::TryImport),
                Some(Context::TryImport),
                None,
                Some(Context::TypeChecking)
            ]
        );
    }
}
