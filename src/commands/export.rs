//! `devguide export DIR`: the bundled guides as files, to edit or to start a team's own
//! guide set from (`devguide --dir DIR`). The bytes written are exactly the embedded ones.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::content;

/// Writes every bundled file under `dir`. Refuses, before writing anything, when a file
/// would be overwritten and `force` is not set.
pub fn run(dir: &Path, force: bool, out: &mut dyn Write) -> anyhow::Result<u8> {
    let files = content::bundled_files();
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|p| p.exists())
            .map(|p| format!("  {}", p.display()))
            .collect();
        if !existing.is_empty() {
            anyhow::bail!(
                "not overwriting existing files (pass --force to replace them):\n{}",
                existing.join("\n")
            );
        }
    }
    for (name, bytes) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        super::write_context(writeln!(out, "{}", path.display()))?;
    }
    Ok(0)
}
