//! `devguide export DIR`: the bundled guides as files, to edit or to start a team's own
//! guide set from (`devguide --dir DIR`). The bytes written are exactly the embedded ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::content;

/// Writes every bundled file under `dir`. Refuses, before writing anything, when a file
/// would be overwritten and `force` is not set.
pub fn run(dir: &Path, force: bool, out: &mut dyn Write) -> anyhow::Result<u8> {
    let files = content::bundled_files();
    // A link already in DIR (dangling or not) would make the write land elsewhere: refuse
    // before writing anything, with or without --force. DIR itself may be a link.
    let links: Vec<String> = files
        .iter()
        .filter_map(|(name, _)| link_on_the_way(dir, Path::new(name)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|p| format!("  {}", p.display()))
        .collect();
    if !links.is_empty() {
        anyhow::bail!(
            "not writing through symbolic links in {} (remove them, or export to another folder):\n{}",
            dir.display(),
            links.join("\n")
        );
    }
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
        write_no_follow(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        super::write_context(writeln!(out, "{}", path.display()))?;
    }
    Ok(0)
}

/// The first link among `dir/rel`'s components below `dir`, if any.
fn link_on_the_way(dir: &Path, rel: &Path) -> Option<PathBuf> {
    let mut current = dir.to_path_buf();
    for c in rel.components() {
        current.push(c);
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => return Some(current),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// Replaces or creates a file without following a link at its name (one may have
/// appeared since the check).
fn write_no_follow(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)?.write_all(bytes)
}
