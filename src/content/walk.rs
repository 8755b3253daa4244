//! Finding the markdown files under a folder: one pass over the tree, each folder read
//! once, and a note for everything that cannot be reached, so `list --skipped` can
//! account for it.

use std::path::{Path, PathBuf};

use super::{LoadError, Skipped, is_markdown};

/// Walks `root` without recursion. Hidden folders are passed over and each real folder is
/// visited once, so symlink loops end. Folders are told apart by device and inode rather
/// than by resolving their full path: resolving costs one lookup per level, which made a
/// deep tree quadratic.
pub(super) fn walk(
    root: &Path,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), LoadError> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    let mut first = true;
    while let Some(dir) = stack.pop() {
        match folder_key(&dir) {
            Some(key) if !seen.insert(key) => continue,
            _ => {}
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(source) if first => return Err(LoadError::Unreadable { path: dir, source }),
            Err(e) => {
                skipped.push(Skipped {
                    path: dir,
                    reason: format!("folder cannot be read: {e}"),
                });
                continue;
            }
        };
        first = false;
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    skipped.push(Skipped {
                        path: dir.clone(),
                        reason: format!("an entry of this folder cannot be read: {e}"),
                    });
                    continue;
                }
            };
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            // The entry's own type needs no path lookup; only symlinks are followed.
            let kind = match entry.file_type() {
                Ok(t) if t.is_symlink() => std::fs::metadata(&path).map(|m| m.file_type()),
                other => other,
            };
            match kind {
                Ok(t) if t.is_dir() => {
                    if !hidden {
                        stack.push(path);
                    }
                }
                Ok(t) if is_markdown(&path) && !t.is_file() => skipped.push(Skipped {
                    path,
                    reason: "not a regular file (a pipe or device would block the reader)".into(),
                }),
                Ok(_) if is_markdown(&path) => files.push(path),
                // Listed so `list --skipped` accounts for every file in the folder.
                Ok(_) if !hidden => skipped.push(Skipped {
                    path,
                    reason: "not markdown (guides are .md, .markdown, .mdown, .mkd)".into(),
                }),
                Ok(_) => {}
                Err(e) if !hidden => skipped.push(Skipped {
                    path,
                    reason: format!("cannot be read: {e}"),
                }),
                Err(_) => {}
            }
        }
    }
    files.sort();
    Ok(())
}

#[cfg(unix)]
fn folder_key(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn folder_key(dir: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(dir).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_trees_are_walked_and_loops_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut deep = dir.path().to_path_buf();
        for _ in 0..200 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).expect("mkdir");
        std::fs::write(deep.join("bottom.md"), "# Bottom\n").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/loop")).expect("symlink");
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        walk(dir.path(), &mut files, &mut skipped).expect("walks");
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].ends_with("bottom.md"));
    }
}
