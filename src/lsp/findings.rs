//! What the guides say about the imports of one Python file, in the shape the server
//! needs: the scan engine's findings ([`crate::scan::scan_source`]) with the edit
//! `devguide fix` would make for each ([`crate::scan::fix_source`]). Diagnostics, code
//! actions and workspace reports all read [`Finding`]s from here, so the editor shows the
//! same rules in the same words as `devguide scan`.

use std::ops::Range;
use std::path::Path;

use crate::lookup::{Catalog, Class, Form, python};
use crate::scan::{self, Edit, Rules};

/// One import the guides retire, in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Bytes of the flagged text: the imported name, the module of `import M`, or the
    /// string literal of a `patch("…")`.
    pub range: Range<usize>,
    pub class: Class,
    /// The import as written, on one line.
    pub written: String,
    pub reason: Option<String>,
    /// The canonical import line, when the guides give one.
    pub replacement: Option<String>,
    /// `TYPE_CHECKING`, `try/except ImportError`.
    pub context: Option<&'static str>,
    /// Where the guide says it: `guide#anchor`.
    pub location: String,
    /// The edit of `devguide fix`, when the replacement is one-to-one.
    pub fix: Option<Edit>,
    /// The lines `devguide scan` prints under the finding (`why:`, `use:`, `also:`,
    /// `see:`), so the editor says it in the same words.
    pub explanation: Vec<String>,
}

impl Finding {
    /// The guide id and anchor of [`Finding::location`].
    pub fn guide_and_anchor(&self) -> (&str, Option<&str>) {
        match self.location.split_once('#') {
            Some((g, a)) => (g, Some(a)),
            None => (&self.location, None),
        }
    }
}

/// Every retired import of `text`; `path` (when the document is a file) resolves relative
/// imports from its package, as `devguide scan` does.
pub fn findings(rules: &Rules, path: &Path, text: &str) -> Vec<Finding> {
    let found = scan::scan_source(path, text, rules);
    if found.is_empty() {
        return Vec::new();
    }
    let edits = if found.iter().any(|f| f.fixable) {
        scan::fix_source(path, text, rules).map_or_else(Vec::new, |(_, e)| e)
    } else {
        Vec::new()
    };
    found
        .into_iter()
        .map(|f| {
            // The statement's edit rewrites its module, which comes before its names.
            let fix = f
                .fixable
                .then(|| {
                    edits
                        .iter()
                        .rev()
                        .find(|e| e.range.start <= f.range.start)
                        .cloned()
                })
                .flatten();
            let explanation = scan::explain::explanation(&f);
            Finding {
                explanation,
                range: f.range,
                class: f.class,
                written: f.text,
                reason: f.reason,
                replacement: f.replacement.map(|r| r.import_line),
                context: f.context.map(|c| c.label()),
                location: f.rule_id,
                fix,
            }
        })
        .collect()
}

/// The canonical import lines a completion may offer: canonical `from M import N` forms
/// of the guides that no rule retires, one per line.
pub fn canonical_imports(catalog: &Catalog, rules: &Rules) -> Vec<(String, Form)> {
    let mut out: Vec<(String, Form)> = Vec::new();
    for form in catalog.forms() {
        if form.class != Some(Class::Canonical) {
            continue;
        }
        let Some(imp) = python::parse_imports(&form.import_line).into_iter().next() else {
            continue;
        };
        let Some(module) = imp.module else { continue };
        if module.starts_with('.')
            || rules.match_from(&module, &imp.name).is_some()
            || rules.match_module(&module).is_some()
        {
            continue;
        }
        if !out.iter().any(|(_, f)| f.import_line == form.import_line) {
            out.push((module, form.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::GuideSet;

    fn rules() -> Rules {
        Rules::from_guides(&GuideSet::bundled())
    }

    const OLD: &str = "from netra_backend.app.websocket_core import WebSocketManager";
    const NEW: &str =
        "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager";

    #[test]
    fn a_deprecated_import_is_found_with_reason_replacement_and_the_fix_edit() {
        let text = format!("import os\n{OLD}\n");
        let found = findings(&rules(), Path::new("a.py"), &text);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.class, Class::Deprecated);
        assert_eq!(&text[f.range.clone()], "WebSocketManager");
        assert!(f.reason.is_some(), "{f:?}");
        assert_eq!(f.replacement.as_deref(), Some(NEW));
        assert!(f.location.starts_with("import-guide#"), "{}", f.location);
        let fix = f.fix.as_ref().expect("fix");
        let fixed = scan::fix::apply(&text, std::slice::from_ref(fix));
        assert_eq!(fixed, format!("import os\n{NEW}\n"));
    }

    #[test]
    fn strings_docstrings_and_comments_are_not_code() {
        let text = format!("\"\"\"\n{OLD}\n\"\"\"\nx = '{OLD}'\n# {OLD}\n");
        assert!(findings(&rules(), Path::new("a.py"), &text).is_empty());
        assert!(findings(&rules(), Path::new("a.py"), &format!("{NEW}\n")).is_empty());
    }

    #[test]
    fn completions_offer_canonical_lines_only() {
        let set = GuideSet::bundled();
        let rules = Rules::from_guides(&set);
        let lines: Vec<String> = canonical_imports(&crate::lookup::Catalog::build(&set), &rules)
            .into_iter()
            .map(|(_, f)| f.import_line)
            .collect();
        assert!(lines.iter().any(|l| l == NEW), "{lines:?}");
        assert!(!lines.iter().any(|l| l == OLD), "{lines:?}");
    }
}
