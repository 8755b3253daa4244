//! Workspace diagnostics, for clients that ask for them (`workspace/diagnostic`): the walk
//! of `devguide scan` over the workspace root (`.gitignore` respected; hidden folders,
//! virtualenvs and `__pycache__` skipped; only candidate files tokenized), then each file
//! with findings turned into diagnostics. Open documents are read from the editor, not
//! from disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::scan::{ScanOptions, scan_paths};

use super::diagnostics;
use super::documents::Documents;
use super::guides::Loaded;
use super::uri;

pub fn report(root: &Path, guides: &Loaded, docs: &Documents) -> Value {
    let walked = scan_paths(
        &[root.to_path_buf()],
        &guides.rules,
        &ScanOptions::default(),
    );
    let mut files: BTreeSet<PathBuf> = walked.findings.into_iter().map(|f| f.path).collect();
    // Open documents may hold findings their saved files do not.
    files.extend(
        docs.uris()
            .filter_map(uri::to_path)
            .filter(|p| p.starts_with(root)),
    );
    let mut items = Vec::new();
    for path in files {
        let Some(file_uri) = uri::from_path(&path, None) else {
            continue;
        };
        let (text, version) = match docs.get(&file_uri) {
            Some(d) => (d.text.clone(), Some(d.version)),
            None => match std::fs::read(&path) {
                Ok(b) => (String::from_utf8_lossy(&b).into_owned(), None),
                Err(_) => continue,
            },
        };
        let found = diagnostics::for_text(&path, &text, guides);
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
