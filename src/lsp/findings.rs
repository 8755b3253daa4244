//! What the guides say about the imports of one Python file: the deprecated and
//! problematic ones, where they are, why, and the edit that fixes them. This is the one
//! place the server asks; diagnostics, hovers and code actions all read [`Finding`]s.

use std::collections::HashMap;

use crate::lookup::python::{self, Import};
use crate::lookup::{Catalog, Class, Form};

/// One import the guides retire, in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 0-based line and byte columns of the imported name (or module, for `import M`).
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub class: Class,
    /// The import as written, as one line.
    pub written: String,
    /// The guide's reason, when it gives one.
    pub reason: Option<String>,
    /// The canonical import for the same name, when the guides give one.
    pub replacement: Option<String>,
    /// The guide's advice beside the replacement (a caveat, what new code does instead).
    pub advice: Option<String>,
    /// Where the guide says it: `guide#anchor`.
    pub location: String,
    pub guide: usize,
    pub anchor: Option<String>,
    /// The edit that makes it canonical, when the replacement is one-to-one.
    pub fix: Option<Fix>,
}

/// Replace bytes `start..end` of line `line` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The rules, indexed for a file's imports: built once per guide set.
#[derive(Debug, Default)]
pub struct Rules {
    /// `(module, name)` of a retired `from M import N`; `(M, "")` for `import M`.
    retired: HashMap<(String, String), Form>,
    /// Name → the canonical module that provides it.
    canonical: HashMap<String, (String, Form)>,
    /// First components of every module the guides name, for a quick "can this file
    /// matter" test.
    roots: Vec<String>,
}

impl Rules {
    pub fn build(catalog: &Catalog) -> Rules {
        let mut rules = Rules::default();
        for form in catalog.forms() {
            let Some(imp) = python::parse_imports(&form.import_line).into_iter().next() else {
                continue;
            };
            let module = imp.module.clone().unwrap_or_else(|| imp.name.clone());
            if let Some(root) = module.split('.').next()
                && !root.is_empty()
                && !rules.roots.iter().any(|r| r == root)
            {
                rules.roots.push(root.to_string());
            }
            match form.class {
                Some(Class::Deprecated | Class::Problematic) => {
                    let key = match &imp.module {
                        Some(m) => (m.clone(), imp.name.clone()),
                        None => (imp.name.clone(), String::new()),
                    };
                    rules.retired.entry(key).or_insert_with(|| form.clone());
                }
                Some(Class::Canonical) => {
                    if let Some(m) = &imp.module {
                        rules
                            .canonical
                            .entry(imp.name.clone())
                            .or_insert_with(|| (m.clone(), form.clone()));
                    }
                }
                None => {}
            }
        }
        // A line a guide calls both canonical and retired is not offered as canonical.
        let retired = &rules.retired;
        rules
            .canonical
            .retain(|name, (m, _)| !retired.contains_key(&(m.clone(), name.clone())));
        rules
    }

    /// The canonical module and form for `name`.
    pub fn canonical(&self, name: &str) -> Option<&(String, Form)> {
        self.canonical.get(name)
    }

    /// Every canonical `(module, form)`, for completion.
    pub fn canonical_forms(&self) -> impl Iterator<Item = &(String, Form)> {
        self.canonical.values()
    }

    /// Whether an import line is one the guides retire.
    pub fn is_retired(&self, module: &str, name: &str) -> bool {
        self.retired
            .contains_key(&(module.to_string(), name.to_string()))
    }

    /// Every retired import of `text`. Imports inside triple-quoted strings and comments
    /// are not code and are never reported.
    pub fn findings(&self, text: &str) -> Vec<Finding> {
        if self.retired.is_empty() || !self.roots.iter().any(|r| text.contains(r.as_str())) {
            return Vec::new();
        }
        let code = blank_strings(text);
        let lines: Vec<&str> = code.lines().collect();
        let imports = python::parse_imports(&code);
        let mut out = Vec::new();
        for stmt in statements(&imports) {
            let first = statement_line(&lines, stmt[0].line);
            let fix = self.statement_fix(&lines, first, stmt);
            for imp in stmt {
                if let Some(f) = self.finding(&lines, imp, fix.as_ref()) {
                    out.push(f);
                }
            }
        }
        out
    }

    fn finding(&self, lines: &[&str], imp: &Import, fix: Option<&Fix>) -> Option<Finding> {
        let key = match &imp.module {
            Some(m) => (m.clone(), imp.name.clone()),
            None => (imp.name.clone(), String::new()),
        };
        let form = self.retired.get(&key)?;
        let class = form.class?;
        let line_text = lines.get(imp.line).copied().unwrap_or("");
        let (start, end) = find_word(line_text, &imp.name).unwrap_or((0, line_text.len()));
        let canonical = self.canonical.get(&imp.name);
        let advice = canonical.and_then(|(_, f)| {
            // The guide's own caveat on the canonical line (e.g. "Backward compatibility
            // function"), then what the retired form's notes say new code should do.
            f.reason
                .clone()
                .filter(|r| !r.to_lowercase().contains("preferred"))
        });
        Some(Finding {
            line: imp.line,
            start,
            end,
            class,
            written: imp.statement(),
            reason: form.reason.clone().or_else(|| form.notes.first().cloned()),
            replacement: canonical.map(|(_, f)| f.import_line.clone()),
            advice,
            location: form.location(),
            guide: form.guide,
            anchor: form.anchor.clone(),
            fix: fix.cloned(),
        })
    }

    /// One edit for a whole `from M import A, B` statement: replace `M` when every name it
    /// imports has its canonical home in the same module. Anything else (names that would
    /// have to be split across modules, `import M`) is reported without a fix.
    fn statement_fix(&self, lines: &[&str], first: usize, stmt: &[Import]) -> Option<Fix> {
        let module = stmt[0].module.as_ref()?;
        let mut target: Option<&str> = None;
        for imp in stmt {
            let (m, _) = self.canonical.get(&imp.name)?;
            match target {
                Some(t) if t != m => return None,
                _ => target = Some(m),
            }
        }
        let target = target?;
        if target == module || !stmt.iter().any(|i| self.is_retired(module, &i.name)) {
            return None;
        }
        let line = lines.get(first)?;
        let from = line.find("from")?;
        let start = from + line[from..].find(module.as_str())?;
        Some(Fix {
            line: first,
            start,
            end: start + module.len(),
            text: target.to_string(),
        })
    }
}

/// Groups the imports of one statement (same module, consecutive, lines not interrupted).
fn statements(imports: &[Import]) -> Vec<&[Import]> {
    let mut out = Vec::new();
    let mut begin = 0;
    for i in 1..=imports.len() {
        let split = i == imports.len() || {
            let (a, b) = (&imports[i - 1], &imports[i]);
            a.module.is_none() || a.module != b.module || b.line > a.line + 1
        };
        if split {
            out.push(&imports[begin..i]);
            begin = i;
        }
    }
    out
}

/// The line a statement starts on: the nearest line at or above its first name that holds
/// `from` or `import`.
fn statement_line(lines: &[&str], name_line: usize) -> usize {
    (0..=name_line.min(lines.len().saturating_sub(1)))
        .rev()
        .find(|&l| {
            let t = lines[l].trim_start();
            t.starts_with("from ") || t.starts_with("import ")
        })
        .unwrap_or(name_line)
}

/// Byte span of `word` in `line` as a whole identifier.
fn find_word(line: &str, word: &str) -> Option<(usize, usize)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut from = 0;
    while let Some(i) = line[from..].find(word) {
        let s = from + i;
        let e = s + word.len();
        let before = line[..s].chars().next_back().is_none_or(|c| !is_ident(c));
        let after = line[e..].chars().next().is_none_or(|c| !is_ident(c));
        if before && after {
            return Some((s, e));
        }
        from = e;
    }
    None
}

/// The text with the inside of every string literal (single, double, triple-quoted)
/// replaced by spaces, newlines kept, so only code is left to look at. Comments are left:
/// the import parser drops them.
pub fn blank_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let bytes = text.as_bytes();
    let mut quote: Option<(u8, bool)> = None; // (quote char, triple)
    let mut in_comment = false;
    while let Some((i, c)) = chars.next() {
        match quote {
            None => {
                if in_comment {
                    in_comment = c != '\n';
                    out.push(c);
                    continue;
                }
                if c == '#' {
                    in_comment = true;
                    out.push(c);
                } else if c == '\'' || c == '"' {
                    let q = c as u8;
                    let triple = bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q);
                    out.push(c);
                    if triple {
                        for _ in 0..2 {
                            if let Some((_, c2)) = chars.next() {
                                out.push(c2);
                            }
                        }
                    }
                    quote = Some((q, triple));
                } else {
                    out.push(c);
                }
            }
            Some((q, triple)) => {
                if c == '\\' {
                    out.push(' ');
                    if let Some((_, c2)) = chars.next() {
                        out.push(if c2 == '\n' { '\n' } else { ' ' });
                    }
                } else if c as u32 == u32::from(q)
                    && (!triple || (bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q)))
                {
                    out.push(c);
                    if triple {
                        for _ in 0..2 {
                            if let Some((_, c2)) = chars.next() {
                                out.push(c2);
                            }
                        }
                    }
                    quote = None;
                } else if c == '\n' {
                    out.push('\n');
                    if !triple {
                        quote = None; // an unterminated one-line string ends here
                    }
                } else {
                    // Same width in bytes, so columns stay where they were.
                    for _ in 0..c.len_utf8() {
                        out.push(' ');
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::GuideSet;

    fn rules() -> Rules {
        Rules::build(&Catalog::build(&GuideSet::bundled()))
    }

    const OLD: &str = "from netra_backend.app.websocket_core import WebSocketManager";

    #[test]
    fn a_deprecated_import_is_found_with_reason_replacement_and_fix() {
        let text = format!("import os\n{OLD}\n");
        let found = rules().findings(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!((f.line, f.class), (1, Class::Deprecated));
        assert_eq!(
            &text.lines().nth(1).expect("line")[f.start..f.end],
            "WebSocketManager"
        );
        assert!(
            f.reason
                .as_deref()
                .is_some_and(|r| r.contains("deprecation")),
            "{f:?}"
        );
        assert_eq!(
            f.replacement.as_deref(),
            Some("from netra_backend.app.websocket_core.websocket_manager import WebSocketManager")
        );
        assert!(f.location.starts_with("import-guide#"), "{}", f.location);
        let fix = f.fix.as_ref().expect("fix");
        let mut line = text.lines().nth(1).expect("line").to_string();
        line.replace_range(fix.start..fix.end, &fix.text);
        assert_eq!(
            line,
            "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager"
        );
    }

    #[test]
    fn strings_docstrings_and_comments_are_not_code() {
        let text = format!("\"\"\"\n{OLD}\n\"\"\"\nx = '{OLD}'\n# {OLD}\n");
        assert!(rules().findings(&text).is_empty());
        let blanked = blank_strings("a = 'é' # \"\nb");
        assert_eq!(blanked.len(), "a = 'é' # \"\nb".len());
        assert!(blanked.ends_with("# \"\nb"));
    }

    #[test]
    fn canonical_imports_are_clean() {
        let text =
            "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n";
        assert!(rules().findings(text).is_empty());
    }
}
