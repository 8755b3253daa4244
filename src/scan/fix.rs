//! One-to-one replacements: a name imported from a retired module that a canonical module
//! of the guides also provides. Only the module of a `from … import …` statement is
//! rewritten, and only when every name of the statement moves to the same canonical
//! module, so formatting, aliases, comments and line endings stay as written. Everything
//! else (a factory with no canonical counterpart, `import M` statements, `patch()` strings)
//! is left to the reader of the findings.

use std::cell::OnceCell;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::sites::{ImportedName, Site, SiteKind};
use super::{Package, Rules, absolute, resolve_name};

/// One replacement of `range` (bytes of the original text) by `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// The edit that fixes a `from` statement, when it has one.
pub(crate) fn plan_from(
    site: &Site,
    rules: &Rules,
    package: &OnceCell<Package>,
    path: &Path,
) -> Option<Edit> {
    let SiteKind::From {
        level,
        module,
        module_span,
        names,
    } = &site.kind
    else {
        return None;
    };
    let (full, starts) = absolute(*level, module, || package.get_or_init(|| Package::of(path)))?;
    let found: Vec<Option<(usize, usize)>> = names
        .iter()
        .map(|n| resolve_name(&full, starts, &n.name, rules))
        .collect();
    plan_resolved(module_span, names, &full, &found, rules)
}

/// The edit for a `from` statement whose names were resolved (see
/// [`super::resolve_name`]): every name must be retired and move to one canonical module.
pub(crate) fn plan_resolved(
    module_span: &Range<usize>,
    names: &[ImportedName],
    full: &str,
    found: &[Option<(usize, usize)>],
    rules: &Rules,
) -> Option<Edit> {
    let mut target: Option<&str> = None;
    for (n, found) in names.iter().zip(found) {
        let (start, _) = (*found)?;
        let resolved = full.get(start..)?;
        let canonical = rules.canonical_for(&n.name)?;
        if canonical == resolved || target.is_some_and(|t| t != canonical) {
            return None;
        }
        target = Some(canonical);
    }
    Some(Edit {
        range: module_span.clone(),
        text: target?.to_string(),
    })
}

/// `text` with every one-to-one replacement applied, and the edits made; `None` when
/// there is nothing to fix. `path` resolves relative imports, as in [`super::scan_source`].
pub fn fix_source(path: &Path, text: &str, rules: &Rules) -> Option<(String, Vec<Edit>)> {
    if rules.is_empty() || !rules.is_candidate(text.as_bytes()) {
        return None;
    }
    let package = OnceCell::new();
    let edits: Vec<Edit> = super::sites::sites(text)
        .iter()
        .filter_map(|s| plan_from(s, rules, &package, path))
        .collect();
    if edits.is_empty() {
        return None;
    }
    Some((apply(text, &edits), edits))
}

/// Applies non-overlapping edits given in source order.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        if e.range.start < at || e.range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}
