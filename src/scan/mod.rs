//! Checking code against the guides: the deprecated and problematic imports the guides
//! name, found in a code base, explained in the guides' words, and fixed where the guides
//! give a one-to-one replacement.
//!
//! The pieces, each usable alone (the command line, the reader and the language server
//! share them):
//! - [`Rules::from_guides`]: the rules a guide set states (see [`rules`]).
//! - [`scan_source`]: the findings in one file's text. Pure: no file system.
//! - [`fix_source`]: the same text with every one-to-one replacement applied.
//! - [`scan_paths`]: walks folders like ripgrep (`.gitignore`, hidden files, virtualenvs
//!   skipped), in parallel, reading only what it must: a file is tokenized only when it
//!   contains a word some finding would have to contain ([`Rules::is_candidate`]).
//!
//! What counts as a use of a retired import: `from M import S` (one line or
//! parenthesised), `import M.N [as x]`, relative imports resolved from the file's folder,
//! and the string argument of `patch(...)`, `patch.object(...)`, `patch.dict(...)`,
//! `import_module(...)`, `__import__(...)` and `monkeypatch.setattr/delattr(...)`.
//! Comments, docstrings and other strings never count.

pub mod fix;
pub mod history;
pub mod lex;
pub mod rules;
pub mod sites;
pub mod walk;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::lookup::Class;
pub use fix::{Edit, fix_source};
pub use rules::{Replacement, Rule, Rules};
pub use sites::Context;
pub use walk::{Problem, Report, ScanOptions, scan_paths};

use sites::{Site, SiteKind};

/// How a finding's code names the retired import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// `from M import S`.
    From,
    /// `import M.N`.
    Import,
    /// A string naming the path, passed to `patch(...)` or `import_module(...)`.
    StringTarget,
}

/// One use of a retired import in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub path: PathBuf,
    /// 1-based line and column (in characters) of the flagged text.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// Bytes of the flagged text: the imported name, the module of `import M`, or the
    /// string literal.
    pub range: Range<usize>,
    /// The statement (or string literal) as written, on one line.
    pub text: String,
    pub form: Form,
    /// The module as resolved (relative imports made absolute) and the name, if any.
    pub module: String,
    pub name: Option<String>,
    pub class: Class,
    /// Index into [`Rules::rules`].
    pub rule: usize,
    /// The rule's section, `guide#anchor`.
    pub rule_id: String,
    pub reason: Option<String>,
    pub replacement: Option<Replacement>,
    pub advice: Vec<String>,
    pub context: Option<Context>,
    /// Whether `fix` rewrites it.
    pub fixable: bool,
    /// The rewrite `fix` makes to its statement, when it has one.
    pub fix: Option<Fix>,
}

/// A rewrite with its position, for reports that carry fixes (SARIF, the editor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub edit: Edit,
    /// 1-based line and character column of the replaced text's start and end.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// Every finding in one Python file's text. `path` is used to resolve relative imports
/// (from the folders above the file) and is copied into the findings.
pub fn scan_source(path: &Path, text: &str, rules: &Rules) -> Vec<Finding> {
    if rules.is_empty() || !rules.is_candidate(text.as_bytes()) {
        return Vec::new();
    }
    let sites = sites::sites(text);
    let lines = LineIndex::new(text);
    let package = package_parts(path);
    let mut out = Vec::new();
    for site in &sites {
        site_findings(site, text, rules, &package, &lines, path, &mut out);
    }
    out
}

/// The folders holding `path`, outermost first, absolute: a relative import resolves
/// against a suffix of them.
fn package_parts(path: &Path) -> Vec<String> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.parent()
        .map(|p| {
            p.components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(s) => s.to_str().map(str::to_string),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Resolves `from <level dots><module> import name` against the file's folders: the
/// longest absolute module it could be that some rule names.
fn resolve_relative(
    package: &[String],
    level: usize,
    module: &str,
    name: &str,
    rules: &Rules,
) -> Option<(String, usize)> {
    let up = level.checked_sub(1)?;
    let base = package.get(..package.len().checked_sub(up)?)?;
    for start in 0..base.len() {
        let mut full = base[start..].join(".");
        if !module.is_empty() {
            full.push('.');
            full.push_str(module);
        }
        if let Some(rule) = rules.match_from(&full, name) {
            return Some((full, rule));
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn site_findings(
    site: &Site,
    text: &str,
    rules: &Rules,
    package: &[String],
    lines: &LineIndex,
    path: &Path,
    out: &mut Vec<Finding>,
) {
    let written = one_line(&text[site.span.clone()]);
    let mut push = |range: Range<usize>,
                    form: Form,
                    module: String,
                    name: Option<String>,
                    rule: usize,
                    edit: Option<Fix>| {
        let Some(r) = rules.get(rule) else { return };
        let (line, column) = lines.position(text, range.start);
        let (end_line, end_column) = lines.position(text, range.end);
        // A module rule met through another name: that name's own canonical home, if any.
        let same_name = r.name == name;
        let replacement = if same_name {
            r.replacement.clone()
        } else {
            name.as_deref().and_then(|n| {
                let m = rules.canonical_for(n)?;
                Some(Replacement {
                    module: m.to_string(),
                    import_line: format!("from {m} import {n}"),
                    caveat: None,
                })
            })
        };
        out.push(Finding {
            path: path.to_path_buf(),
            line,
            column,
            end_line,
            end_column,
            range,
            text: written.clone(),
            form,
            // Folder names and identifiers come from the code base: shown, so defused.
            module: crate::sanitize::sanitize_line(&module),
            name: name.as_deref().map(crate::sanitize::sanitize_line),
            class: r.class,
            rule,
            rule_id: r.id.clone(),
            reason: r.reason.clone(),
            replacement,
            advice: if same_name {
                r.advice.clone()
            } else {
                Vec::new()
            },
            context: site.context,
            fixable: edit.is_some(),
            fix: edit,
        });
    };
    match &site.kind {
        SiteKind::From {
            level,
            module,
            names,
            ..
        } => {
            let plan = fix::plan_from(site, rules, package).map(|edit| {
                let (line, column) = lines.position(text, edit.range.start);
                let (end_line, end_column) = lines.position(text, edit.range.end);
                Fix {
                    edit,
                    line,
                    column,
                    end_line,
                    end_column,
                }
            });
            for n in names {
                let found = if *level == 0 {
                    rules
                        .match_from(module, &n.name)
                        .map(|r| (module.clone(), r))
                } else {
                    resolve_relative(package, *level, module, &n.name, rules)
                };
                if let Some((m, rule)) = found {
                    push(
                        n.span.clone(),
                        Form::From,
                        m,
                        Some(n.name.clone()),
                        rule,
                        plan.clone(),
                    );
                }
            }
        }
        SiteKind::Import { names } => {
            for n in names {
                if let Some(rule) = rules.match_path(&n.name) {
                    push(
                        n.span.clone(),
                        Form::Import,
                        n.name.clone(),
                        None,
                        rule,
                        None,
                    );
                }
            }
        }
        SiteKind::Target { value, .. } => {
            if let Some(rule) = rules.match_path(value) {
                push(
                    site.span.clone(),
                    Form::StringTarget,
                    value.clone(),
                    None,
                    rule,
                    None,
                );
            }
        }
    }
}

/// Whitespace runs (newlines included) collapsed to one space, comments dropped.
fn one_line(s: &str) -> String {
    let no_comments: Vec<&str> = s
        .lines()
        .map(|l| match l.find('#') {
            Some(i) if !l[..i].contains(['"', '\'']) => &l[..i],
            _ => l,
        })
        .collect();
    let joined = no_comments.join(" ");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let out = words.join(" ").replace("( ", "(").replace(" )", ")");
    crate::sanitize::sanitize_line(&out)
}

/// Byte offset → 1-based line and character column.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    pub fn position(&self, text: &str, at: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        let start = self.starts[line];
        let col = text
            .get(start..at.min(text.len()))
            .map_or(0, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

#[cfg(test)]
mod tests;
