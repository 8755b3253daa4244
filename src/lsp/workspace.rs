//! Workspace diagnostics, for clients that ask for them (`workspace/diagnostic`): every
//! Python file under the root, walked as ripgrep walks (`.gitignore` respected, hidden
//! folders skipped), open documents read from the editor rather than from disk.

use std::path::Path;

use serde_json::Value;

use super::diagnostics;
use super::documents::Documents;
use super::guides::Loaded;
use super::uri;

/// Files larger than this are not Python anyone edits by hand; skipped.
const MAX_FILE: u64 = 4 * 1024 * 1024;

pub fn report(root: &Path, guides: &Loaded, docs: &Documents) -> Value {
    let mut items = Vec::new();
    let walker = ignore::WalkBuilder::new(root).follow_links(false).build();
    for entry in walker.flatten() {
        let path = entry.path();
        let is_py = path.extension().is_some_and(|e| e == "py" || e == "pyi");
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if !is_py || !is_file {
            continue;
        }
        let Some(file_uri) = uri::from_path(path, None) else {
            continue;
        };
        let (text, version) = match docs.get(&file_uri) {
            Some(d) => (d.text.clone(), Some(d.version)),
            None => {
                if entry.metadata().map_or(true, |m| m.len() > MAX_FILE) {
                    continue;
                }
                match std::fs::read(path) {
                    Ok(b) => (String::from_utf8_lossy(&b).into_owned(), None),
                    Err(_) => continue,
                }
            }
        };
        let found = diagnostics::for_text(path, &text, guides);
        if found.is_empty() {
            continue;
        }
        items.push(serde_json::json!({
            "kind": "full",
            "uri": file_uri,
            "version": version,
            "items": found,
        }));
    }
    serde_json::json!({ "items": items })
}
