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

pub mod explain;
pub mod fix;
pub mod history;
pub mod lex;
pub mod rules;
pub mod sites;
pub mod walk;

use std::borrow::Cow;
use std::cell::OnceCell;
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
    // Built when the first finding needs a position.
    let lines = OnceCell::new();
    // Only a relative import needs the file's folders.
    let package = OnceCell::new();
    let file = File {
        path,
        text,
        rules,
        package: &package,
        lines: &lines,
    };
    let mut out = Vec::new();
    for site in &sites {
        file.site_findings(site, &mut out);
    }
    out
}

/// The folders holding a file, for resolving its relative imports: their names joined
/// with dots (`r.netra_backend.app.services`) and where each name starts.
pub(crate) struct Package {
    dotted: String,
    starts: Vec<usize>,
}

impl Package {
    /// The folders holding `path`, outermost first, absolute: a relative import resolves
    /// against a suffix of them.
    pub(crate) fn of(path: &Path) -> Package {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut p = Package {
            dotted: String::new(),
            starts: Vec::new(),
        };
        let Some(parent) = abs.parent() else { return p };
        for c in parent.components() {
            if let std::path::Component::Normal(name) = c
                && let Some(name) = name.to_str()
            {
                if !p.dotted.is_empty() {
                    p.dotted.push('.');
                }
                p.starts.push(p.dotted.len());
                p.dotted.push_str(name);
            }
        }
        p
    }
}

/// The absolute module of `from <level dots><module> import …`, written out for the
/// longest package the file's folders can form, with the offsets where the shorter ones
/// start (a relative import does not say where the package root is). `None` when the
/// dots climb above the outermost folder.
pub(crate) fn absolute<'a>(
    level: usize,
    module: &'a str,
    package: impl FnOnce() -> &'a Package,
) -> Option<(Cow<'a, str>, &'a [usize])> {
    if level == 0 {
        return Some((Cow::Borrowed(module), &[0]));
    }
    let package = package();
    let base = package.starts.len().checked_sub(level - 1)?;
    if base == 0 {
        return None;
    }
    let end = match package.starts.get(base) {
        // Up to the dot before the first folder left out.
        Some(&next) => next - 1,
        None => package.dotted.len(),
    };
    let mut full = String::with_capacity(end + 1 + module.len());
    full.push_str(&package.dotted[..end]);
    if !module.is_empty() {
        full.push('.');
        full.push_str(module);
    }
    Some((Cow::Owned(full), &package.starts[..base]))
}

/// The first (longest) reading of an absolute module that some rule matches with `name`:
/// where that reading starts in `full`, and the rule.
pub(crate) fn resolve_name(
    full: &str,
    starts: &[usize],
    name: &str,
    rules: &Rules,
) -> Option<(usize, usize)> {
    starts.iter().find_map(|&s| {
        let module = full.get(s..)?;
        rules.match_from(module, name).map(|r| (s, r))
    })
}

/// What every site of one file shares.
struct File<'a> {
    path: &'a Path,
    text: &'a str,
    rules: &'a Rules,
    package: &'a OnceCell<Package>,
    lines: &'a OnceCell<LineIndex>,
}

impl File<'_> {
    fn site_findings(&self, site: &Site, out: &mut Vec<Finding>) {
        let text = self.text;
        let rules = self.rules;
        let lines = || self.lines.get_or_init(|| LineIndex::new(text));
        // Built once per statement, and only when it has a finding.
        let mut written: Option<String> = None;
        let mut push = |range: Range<usize>,
                        form: Form,
                        module: &str,
                        name: Option<&str>,
                        rule: usize,
                        edit: Option<Fix>| {
            let Some(r) = rules.get(rule) else { return };
            let (line, column) = lines().position(text, range.start);
            let (end_line, end_column) = lines().position(text, range.end);
            // A module rule met through another name: that name's own canonical home, if any.
            let same_name = r.name.as_deref() == name;
            let replacement = if same_name {
                r.replacement.clone()
            } else {
                name.and_then(|n| {
                    let m = rules.canonical_for(n)?;
                    Some(Replacement {
                        module: m.to_string(),
                        import_line: format!("from {m} import {n}"),
                        caveat: None,
                    })
                })
            };
            let written = written
                .get_or_insert_with(|| one_line(&text[site.span.clone()]))
                .clone();
            out.push(Finding {
                path: self.path.to_path_buf(),
                line,
                column,
                end_line,
                end_column,
                range,
                text: written,
                form,
                // Folder names and identifiers come from the code base: shown, so defused.
                module: clean(module).into_owned(),
                name: name.map(|n| clean(n).into_owned()),
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
                module_span,
                names,
            } => {
                let Some((full, starts)) = absolute(*level, module, || {
                    self.package.get_or_init(|| Package::of(self.path))
                }) else {
                    return;
                };
                let found: Vec<Option<(usize, usize)>> = names
                    .iter()
                    .map(|n| resolve_name(&full, starts, &n.name, rules))
                    .collect();
                if found.iter().all(Option::is_none) {
                    return;
                }
                let plan =
                    fix::plan_resolved(module_span, names, &full, &found, rules).map(|edit| {
                        let (line, column) = lines().position(text, edit.range.start);
                        let (end_line, end_column) = lines().position(text, edit.range.end);
                        Fix {
                            edit,
                            line,
                            column,
                            end_line,
                            end_column,
                        }
                    });
                for (n, found) in names.iter().zip(&found) {
                    if let Some((start, rule)) = *found {
                        push(
                            n.span.clone(),
                            Form::From,
                            &full[start..],
                            Some(&n.name),
                            rule,
                            plan.clone(),
                        );
                    }
                }
            }
            SiteKind::Import { names } => {
                for n in names {
                    if let Some(rule) = rules.match_path(&n.name) {
                        push(n.span.clone(), Form::Import, &n.name, None, rule, None);
                    }
                }
            }
            SiteKind::Target { value, .. } => {
                if let Some(rule) = rules.match_path(value) {
                    push(
                        site.span.clone(),
                        Form::StringTarget,
                        value,
                        None,
                        rule,
                        None,
                    );
                }
            }
        }
    }
}

/// `s` ready to show on one line: the one sanitiser's line form, borrowed when clean.
pub use crate::sanitize::line as clean;

/// Whitespace runs (newlines included) collapsed to one space, comments dropped.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for l in s.lines() {
        let code = match l.find('#') {
            Some(i) if !l[..i].contains(['"', '\'']) => &l[..i],
            _ => l,
        };
        for word in code.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    if out.contains("( ") || out.contains(" )") {
        out = out.replace("( ", "(").replace(" )", ")");
    }
    match clean(&out) {
        Cow::Borrowed(_) => out,
        Cow::Owned(defused) => defused,
    }
}

/// Byte offset → 1-based line and character column.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
        let mut starts = Vec::with_capacity(newlines.clone().count() + 1);
        starts.push(0);
        starts.extend(newlines.map(|i| i + 1));
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
