//! Checklist items that verify themselves: a task item may name one of devguide's
//! built-in checks in an HTML comment, which other markdown renderers hide:
//!
//! ```markdown
//! - [ ] Replace deprecated import paths with canonical paths <!-- devguide: scan -->
//! ```
//!
//! Only built-in checks can be named; a guide can never make devguide run a command.

use serde::Serialize;

/// A built-in check an item can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskCheck {
    /// `devguide scan` over the code base: clean when no deprecated or problematic import
    /// is left.
    Scan,
}

impl TaskCheck {
    pub fn name(self) -> &'static str {
        match self {
            TaskCheck::Scan => "scan",
        }
    }
}

/// The check an inline HTML fragment names: `<!-- devguide: scan -->` (spacing free,
/// name case-insensitive). Any other comment or tag names none.
pub fn parse(html: &str) -> Option<TaskCheck> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let name = inner.strip_prefix("devguide:")?.trim();
    match name.to_ascii_lowercase().as_str() {
        "scan" => Some(TaskCheck::Scan),
        _ => None,
    }
}

/// Whether an inline HTML fragment is a devguide marker at all (a known check or not):
/// such comments are instructions to devguide, never text of the item.
pub fn is_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .is_some_and(|r| r.trim_start().starts_with("devguide:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(parse("<!-- devguide: scan -->"), Some(TaskCheck::Scan));
        assert_eq!(parse("<!--devguide:SCAN-->"), Some(TaskCheck::Scan));
        assert_eq!(parse("<!-- devguide: rm -rf / -->"), None);
        assert_eq!(parse("<!-- scan -->"), None);
        assert_eq!(parse("<b>"), None);
        assert!(is_marker("<!-- devguide: later -->"));
        assert!(!is_marker("<!-- a note -->"));
    }

    #[test]
    fn a_task_item_carries_its_check_and_keeps_its_text() {
        let doc = crate::doc::parse(
            "- [ ] Replace paths <!-- devguide: scan -->\n- [ ] Run tests <!-- note -->\n",
        );
        assert_eq!(doc.tasks[0].check, Some(TaskCheck::Scan));
        assert_eq!(doc.tasks[0].text, "Replace paths");
        assert_eq!(doc.tasks[1].check, None);
    }
}
