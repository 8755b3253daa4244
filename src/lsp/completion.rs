//! Completion of whole canonical import lines while an import is being typed:
//! `from netra_backend.` offers every canonical `from … import …` the guides give under
//! that module. Retired forms are never offered.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Position, Range,
    TextEdit,
};

use crate::sanitize::sanitize_line;

use super::documents::utf16_col;
use super::guides::Loaded;

/// Items for a cursor at byte `col` of `line` (0-based line number `line_no`).
pub fn items(guides: &Loaded, line: &str, line_no: u32, col: usize) -> Vec<CompletionItem> {
    let before = &line[..col.min(line.len())];
    let indent = before.len() - before.trim_start().len();
    let typed = before.trim_start();
    let Some(prefix) = module_prefix(typed) else {
        return Vec::new();
    };
    let range = Range {
        start: Position::new(line_no, utf16_col(line, indent)),
        end: Position::new(line_no, utf16_col(line, col)),
    };
    let mut out: Vec<CompletionItem> = guides
        .canonical
        .iter()
        .filter(|(module, _)| module.starts_with(prefix))
        .map(|(_, form)| {
            let label = sanitize_line(&form.import_line);
            CompletionItem {
                label: label.clone(),
                kind: Some(CompletionItemKind::MODULE),
                detail: form.reason.as_deref().map(sanitize_line),
                documentation: Some(Documentation::String(format!(
                    "canonical, from {}",
                    sanitize_line(&form.location())
                ))),
                filter_text: Some(label.clone()),
                sort_text: Some(label.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range,
                    new_text: label,
                })),
                ..CompletionItem::default()
            }
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out
}

/// The module typed so far in `from M`, `from M import N…` or `import M`, when the line
/// is nothing but the start of an import.
fn module_prefix(typed: &str) -> Option<&str> {
    let rest = typed
        .strip_prefix("from ")
        .or_else(|| typed.strip_prefix("import "))?
        .trim_start();
    let module = rest.split(' ').next().unwrap_or("");
    let ok = !module.is_empty()
        && module
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    ok.then_some(module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::guides::{Choice, Loaded};

    #[test]
    fn canonical_lines_only_after_a_module_prefix() {
        let (guides, _) = Loaded::load(Choice::Bundled);
        let line = "    from netra_backend.";
        let got = items(&guides, line, 3, line.len());
        assert!(!got.is_empty());
        let labels: Vec<&str> = got.iter().map(|i| i.label.as_str()).collect();
        assert!(
            labels.contains(
                &"from netra_backend.app.websocket_core.websocket_manager import WebSocketManager"
            ),
            "{labels:?}"
        );
        assert!(
            !labels.contains(&"from netra_backend.app.websocket_core import WebSocketManager"),
            "deprecated offered: {labels:?}"
        );
        for label in &labels {
            let form = guides
                .catalog
                .forms()
                .iter()
                .find(|f| f.import_line == *label)
                .expect("from the guides");
            assert_eq!(form.class, Some(crate::lookup::Class::Canonical));
        }
        let Some(CompletionTextEdit::Edit(edit)) = &got[0].text_edit else {
            panic!("text edit");
        };
        assert_eq!(
            edit.range.start,
            Position::new(3, 4),
            "keeps the indentation"
        );
        assert!(items(&guides, "x = netra_backend.", 0, 18).is_empty());
        assert!(items(&guides, "from zzz.", 0, 9).is_empty());
    }
}
