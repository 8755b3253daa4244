//! Hover: what the guides say about the name under the cursor, as markdown. The canonical
//! import first, then the retired forms with their reasons, then the guide's words around
//! the snippet.

use crate::lookup::{Answer, Form, python};
use crate::sanitize::sanitize_line;

use super::guides::Loaded;

/// Lines of the guide's code block shown on each side of the snippet.
const EXCERPT_RADIUS: usize = 2;

/// The symbol a hover at byte `col` of `line` asks about: the identifier under the cursor
/// when the guides know it; on the module of an import, the first name it imports that
/// they know.
pub fn symbol_at(guides: &Loaded, line: &str, col: usize) -> Option<String> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let start = line[..col.min(line.len())]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_ident(*c))
        .last()
        .map_or(col.min(line.len()), |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .find(|(_, c)| !is_ident(*c))
        .map_or(line.len(), |(i, _)| start + i);
    let word = &line[start..end];
    if !word.is_empty() && !guides.catalog.lookup(word).is_empty() {
        return Some(word.to_string());
    }
    // On the module part of `from M import X`: answer for the names imported.
    python::parse_imports(line)
        .into_iter()
        .map(|i| i.name)
        .find(|n| !guides.catalog.lookup(n).is_empty())
}

/// The markdown for `symbol`, or `None` when no guide imports it.
pub fn markdown(guides: &Loaded, symbol: &str) -> Option<String> {
    let answer = guides.catalog.lookup(symbol);
    if answer.is_empty() {
        return None;
    }
    Some(render(guides, &answer))
}

fn render(guides: &Loaded, answer: &Answer) -> String {
    let mut md = format!("**{}**", sanitize_line(&answer.symbol));
    for (name, forms) in answer.groups() {
        for f in forms {
            md.push_str(&format!(
                "\n\n{name}:\n```python\n{}\n```",
                sanitize_line(&f.import_line)
            ));
            if let Some(r) = &f.reason {
                md.push_str(&format!("\n{}", sanitize_line(r)));
            }
            md.push_str(&format!(" — `{}`", sanitize_line(&f.location())));
        }
    }
    if let Some(first) = answer
        .canonical
        .first()
        .or(answer.deprecated.first())
        .or(answer.problematic.first())
    {
        md.push_str("\n\n---\n");
        if let Some(ex) = excerpt(guides, first) {
            md.push_str(&format!("\n```python\n{ex}\n```\n"));
        }
        for n in &first.notes {
            md.push_str(&format!("\n- {}", sanitize_line(n)));
        }
    }
    md
}

/// The lines of the guide's code block around the form.
fn excerpt(guides: &Loaded, form: &Form) -> Option<String> {
    let doc = guides.docs.get(form.guide)?;
    let guide = guides.set.guides.get(form.guide)?;
    let block = doc.blocks.get(form.block)?;
    let code = doc.code_blocks.iter().find(|c| c.block == form.block)?;
    let k = (form.line as usize).checked_sub(guide.body_line + block.line as usize)?;
    let lines: Vec<&str> = code.display.lines().collect();
    let from = k.saturating_sub(EXCERPT_RADIUS);
    let to = (k + EXCERPT_RADIUS + 1).min(lines.len());
    (from < to).then(|| {
        lines[from..to]
            .iter()
            .map(|l| sanitize_line(l))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::guides::{Choice, Loaded};

    #[test]
    fn hover_names_the_canonical_import_first_then_the_retired_ones() {
        let (guides, _) = Loaded::load(Choice::Bundled);
        let line = "from netra_backend.app.websocket_core import WebSocketManager";
        let sym = symbol_at(&guides, line, line.len() - 3).expect("symbol");
        assert_eq!(sym, "WebSocketManager");
        assert_eq!(
            symbol_at(&guides, line, 8).as_deref(),
            Some("WebSocketManager")
        );
        let md = markdown(&guides, &sym).expect("known");
        let canonical = md
            .find("websocket_manager import WebSocketManager")
            .expect("canonical");
        let deprecated = md.find("deprecated:").expect("deprecated");
        assert!(canonical < deprecated, "{md}");
        assert!(md.contains("import-guide#"), "{md}");
        assert!(symbol_at(&guides, "x = 1", 2).is_none());
    }
}
