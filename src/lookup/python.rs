//! Python import statements in a code block, one [`Import`] per imported name, so any
//! name can be answered with a single-line import ready to paste.
//!
//! Handles `from a.b import X`, `from a.b import X as Y`, `from a.b import X, Y`,
//! parenthesised lists over several lines with comments, backslash continuations, and
//! `import a.b [as c], d`. Anything else (including code that merely mentions `import`)
//! is not an import.

/// One imported name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The module after `from`; `None` for `import a.b`.
    pub module: Option<String>,
    /// The imported name (`X`), or the dotted module for `import a.b`.
    pub name: String,
    pub alias: Option<String>,
    /// The comment on the line where the name is written, without `#`.
    pub comment: Option<String>,
    /// 0-based line of the code block where the name is written.
    pub line: usize,
}

impl Import {
    /// The single-line statement importing just this name.
    pub fn statement(&self) -> String {
        let alias = self
            .alias
            .as_ref()
            .map_or(String::new(), |a| format!(" as {a}"));
        match &self.module {
            Some(m) => format!("from {m} import {}{alias}", self.name),
            None => format!("import {}{alias}", self.name),
        }
    }

    /// Names under which a lookup finds this import: the name, its alias, and for
    /// `import a.b` also the last component (`b`).
    pub fn binds(&self) -> Vec<&str> {
        let mut out = vec![self.name.as_str()];
        if self.module.is_none()
            && let Some((_, last)) = self.name.rsplit_once('.')
        {
            out.push(last);
        }
        if let Some(a) = &self.alias {
            out.push(a);
        }
        out
    }
}

/// Splits a line into code and comment at the first `#` (import lines hold no strings).
pub fn split_comment(line: &str) -> (&str, Option<&str>) {
    match line.split_once('#') {
        Some((code, comment)) => {
            let c = comment.trim();
            (code, (!c.is_empty()).then_some(c))
        }
        None => (line, None),
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn is_module(s: &str) -> bool {
    let s = s.trim_start_matches('.');
    s.is_empty() || s.split('.').all(is_identifier)
}

/// `X` or `X as Y` → (X, Y), when `valid(X)` and Y is an identifier.
fn with_alias(item: &str, valid: fn(&str) -> bool) -> Option<(String, Option<String>)> {
    let mut parts = item.split_whitespace();
    let name = parts.next()?;
    let alias = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => None,
        (Some("as"), Some(a), None) if is_identifier(a) => Some(a.to_string()),
        _ => return None,
    };
    valid(name).then(|| (name.to_string(), alias))
}

/// A name after `from M import`: an identifier, or `*`.
fn name_and_alias(item: &str) -> Option<(String, Option<String>)> {
    with_alias(item, |n| is_identifier(n) || n == "*")
}

/// Every import in a code block, in order.
pub fn parse_imports(code: &str) -> Vec<Import> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (stmt, comment) = split_comment(lines[i]);
        let stmt = stmt.trim();
        if let Some(rest) = stmt.strip_prefix("from ")
            && let Some((module, names)) = rest.split_once(" import ")
            && is_module(module.trim())
        {
            i = from_import(&lines, i, module.trim(), names.trim(), comment, &mut out);
            continue;
        }
        if let Some(rest) = stmt.strip_prefix("import ") {
            let mut found = Vec::new();
            for item in rest.split(',') {
                let Some((name, alias)) = dotted_and_alias(item) else {
                    found.clear();
                    break;
                };
                found.push(Import {
                    module: None,
                    name,
                    alias,
                    comment: comment.map(str::to_string),
                    line: i,
                });
            }
            out.extend(found);
        }
        i += 1;
    }
    out
}

/// A module after `import`: dotted, absolute.
fn dotted_and_alias(item: &str) -> Option<(String, Option<String>)> {
    with_alias(item, |n| !n.starts_with('.') && is_module(n))
}

/// Parses the names of a `from M import …` that starts on line `first`; returns the line
/// after the statement. A statement that does not parse yields nothing.
fn from_import(
    lines: &[&str],
    first: usize,
    module: &str,
    names: &str,
    comment: Option<&str>,
    out: &mut Vec<Import>,
) -> usize {
    let parenthesised = names.starts_with('(');
    let mut text = names.trim_start_matches('(').to_string();
    let mut comment = comment;
    let mut line = first;
    let mut found = Vec::new();
    let mut ok = true;
    loop {
        let closed = parenthesised && text.contains(')');
        let continued = !parenthesised && text.trim_end().ends_with('\\');
        let part = text
            .split(')')
            .next()
            .unwrap_or("")
            .trim_end()
            .trim_end_matches('\\');
        for item in part.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name_and_alias(item) {
                Some((name, alias)) => found.push(Import {
                    module: Some(module.to_string()),
                    name,
                    alias,
                    comment: comment.map(str::to_string),
                    line,
                }),
                None => ok = false,
            }
        }
        let more = (parenthesised && !closed) || continued;
        if !more || line + 1 >= lines.len() {
            ok &= !parenthesised || closed;
            break;
        }
        line += 1;
        let (code, c) = split_comment(lines[line]);
        text = code.trim().to_string();
        comment = c;
    }
    if ok {
        out.extend(found);
    }
    line + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(code: &str) -> Vec<String> {
        parse_imports(code).iter().map(Import::statement).collect()
    }

    #[test]
    fn single_line_forms() {
        assert_eq!(statements("from a.b import X"), ["from a.b import X"]);
        assert_eq!(
            statements("from a.b import X as Y, Z  # note"),
            ["from a.b import X as Y", "from a.b import Z"]
        );
        assert_eq!(
            statements("import a.b, c as d"),
            ["import a.b", "import c as d"]
        );
        assert_eq!(statements("from . import x"), ["from . import x"]);
    }

    #[test]
    fn parenthesised_list_over_several_lines_keeps_each_names_line_and_comment() {
        let code = "# intro\nfrom a.b import (\n    X,\n    Y,  # Old name\n    Z as W\n)\nx = 1\n";
        let got = parse_imports(code);
        let summary: Vec<(String, usize, Option<&str>)> = got
            .iter()
            .map(|i| (i.statement(), i.line, i.comment.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("from a.b import X".to_string(), 2, None),
                ("from a.b import Y".to_string(), 3, Some("Old name")),
                ("from a.b import Z as W".to_string(), 4, None),
            ]
        );
        assert_eq!(
            statements("from a import (X, Y)\nfrom a import (P,\n Q)"),
            [
                "from a import X",
                "from a import Y",
                "from a import P",
                "from a import Q"
            ]
        );
    }

    #[test]
    fn backslash_continuation() {
        assert_eq!(
            statements("from a import X, \\\n    Y"),
            ["from a import X", "from a import Y"]
        );
    }

    #[test]
    fn non_imports_are_ignored() {
        assert!(statements("x = 1\nprint('from a import b')\nimport a.b;").is_empty());
        assert!(statements("from a import (X,\n").is_empty());
        assert!(statements("from a import X Y").is_empty());
    }

    #[test]
    fn binds_include_alias_and_last_component() {
        let i = &parse_imports("import a.b as c")[0];
        assert_eq!(i.binds(), ["a.b", "b", "c"]);
    }
}
