//! Code actions: "Use the canonical import" (the edit the findings carry) and "Open the
//! guide at …" (a command the server runs: the client opens the guide's file at the
//! heading when it can show documents, else the section arrives as a message).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::sanitize::sanitize_line;

use super::diagnostics;
use super::documents;
use super::findings::{self, Finding};
use super::guides::Loaded;

/// The command behind "Open the guide at …"; its one argument is `guide#anchor`.
pub const OPEN_GUIDE: &str = "devguide.openGuide";
pub const FIX_TITLE: &str = "Use the canonical import";

/// At most this many lines of a section go into a message.
const SECTION_LINES: usize = 60;

/// The actions for the findings of `text` on the lines `range` touches; `path` resolves
/// relative imports.
pub fn actions(
    uri: &Uri,
    path: &std::path::Path,
    text: &str,
    range: Range,
    guides: &Loaded,
) -> Vec<CodeActionOrCommand> {
    let first = range.start.line;
    let last = range.end.line;
    let findings: Vec<Finding> = findings::findings(&guides.rules, path, text)
        .into_iter()
        .filter(|f| {
            let r = documents::range(text, f.range.clone());
            r.end.line >= first && r.start.line <= last
        })
        .collect();
    let mut out = Vec::new();
    let mut fixed = Vec::new();
    for f in &findings {
        let Some(fix) = &f.fix else { continue };
        // Names of one statement share one edit: offer it once.
        if fixed.contains(fix) {
            continue;
        }
        fixed.push(fix.clone());
        let diag: Diagnostic = diagnostics::diagnostic(text, f, guides);
        let edit = TextEdit {
            range: documents::range(text, fix.range.clone()),
            new_text: fix.text.clone(),
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: FIX_TITLE.into(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    let mut opened: Vec<&str> = Vec::new();
    for f in &findings {
        if opened.contains(&f.location.as_str()) {
            continue;
        }
        opened.push(&f.location);
        let location = sanitize_line(&f.location);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Open the guide at {location}"),
            kind: Some(CodeActionKind::EMPTY),
            command: Some(Command {
                title: format!("Open the guide at {location}"),
                command: OPEN_GUIDE.into(),
                arguments: Some(vec![serde_json::Value::String(f.location.clone())]),
            }),
            ..CodeAction::default()
        }));
    }
    out
}

/// A guide section by `guide#anchor`: the guide's index, the 0-based line of its heading in
/// the guide's file, and the section's markdown (sanitised, cut to a readable length).
pub fn section(guides: &Loaded, location: &str) -> Option<(usize, u32, String)> {
    let (id, anchor) = location.split_once('#').unwrap_or((location, ""));
    let gi = guides.set.find(id)?;
    let guide = guides.set.guides.get(gi)?;
    let doc = guides.docs.get(gi)?;
    let body: Vec<&str> = guide.body.lines().collect();
    let (from, to) = match doc.heading_by_anchor(anchor).filter(|_| !anchor.is_empty()) {
        Some(h) => {
            let blocks = doc.section_blocks(h);
            let start = doc.blocks.get(blocks.start).map_or(1, |b| b.line as usize);
            let end = doc
                .blocks
                .get(blocks.end)
                .map_or(body.len() + 1, |b| b.line as usize);
            (start.saturating_sub(1), end.saturating_sub(1))
        }
        None => (0, body.len()),
    };
    let to = to.min(body.len()).min(from + SECTION_LINES);
    let text = body
        .get(from..to)
        .unwrap_or(&[])
        .iter()
        .map(|l| sanitize_line(l))
        .collect::<Vec<_>>()
        .join("\n");
    // `body_line` is 1-based; LSP lines are 0-based.
    Some((gi, (guide.body_line + from).saturating_sub(1) as u32, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::guides::Choice;
    use lsp_types::Position;

    #[test]
    fn fix_and_open_actions_for_a_deprecated_import() {
        let (guides, _) = Loaded::load(Choice::Bundled);
        let uri: Uri = "file:///w/a.py".parse().expect("uri");
        let text = "from netra_backend.app.websocket_core import WebSocketManager\n";
        let got = actions(
            &uri,
            std::path::Path::new("/w/a.py"),
            text,
            Range::new(Position::new(0, 0), Position::new(0, 0)),
            &guides,
        );
        let titles: Vec<String> = got
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.clone(),
                CodeActionOrCommand::Command(c) => c.title.clone(),
            })
            .collect();
        assert_eq!(titles[0], FIX_TITLE);
        assert!(
            titles[1].starts_with("Open the guide at import-guide#"),
            "{titles:?}"
        );
        let (_, _, md) = section(&guides, "import-guide#deprecated-patterns").expect("section");
        assert!(md.starts_with('#'), "{md}");
        assert!(
            md.contains("websocket_core import WebSocketManager"),
            "{md}"
        );
    }
}
