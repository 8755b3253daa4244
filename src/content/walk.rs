//! Finding the markdown files under a folder: one pass over the tree, each folder read
//! once, and a note for everything that cannot be reached, so `list --skipped` can
//! account for it.

use std::path::{Path, PathBuf};

use super::{LoadError, Skipped, is_markdown};

/// Walks `root` without recursion. Hidden folders are passed over and each real folder is
/// visited once, so symlink loops end. Folders are told apart by device and inode rather
/// than by resolving their full path: resolving costs one lookup per level, which made a
/// deep tree quadratic.
// `Key` is `Copy` on unix but a `PathBuf` elsewhere, so it is cloned.
#[allow(clippy::clone_on_copy)]
pub(super) fn walk(
    root: &Path,
    files: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), LoadError> {
    let mut seen = std::collections::HashSet::new();
    // Each folder with its identity, when known without another lookup of its path.
    let mut stack: Vec<(PathBuf, Option<Key>)> = vec![(root.to_path_buf(), None)];
    let mut first = true;
    while let Some((dir, key)) = stack.pop() {
        let key = key.or_else(|| folder_key(&dir));
        if let Some(k) = &key
            && !seen.insert(k.clone())
        {
            continue;
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
            let mut child_key = None;
            let kind = match entry.file_type() {
                Ok(t) if t.is_symlink() => std::fs::metadata(&path).map(|m| {
                    child_key = meta_key(&m);
                    m.file_type()
                }),
                Ok(t) => {
                    child_key = entry_key(&entry, key.clone());
                    Ok(t)
                }
                Err(e) => Err(e),
            };
            match kind {
                Ok(t) if t.is_dir() => {
                    if !hidden {
                        stack.push((path, child_key));
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
    sort_paths(files);
    Ok(())
}

/// Sorts paths as `Path`'s own order does (component by component), without splitting
/// each into components for every comparison: on a thousand files that was most of the
/// walk. For the paths a walk makes (no `.` parts, no doubled separators) comparing the
/// bytes with the separator counted lowest gives the same order.
fn sort_paths(files: &mut [PathBuf]) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let key = |b: &u8| if *b == b'/' { 0 } else { u16::from(*b) + 1 };
        files.sort_by(|a, b| {
            let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
            a.iter().map(key).cmp(b.iter().map(key))
        });
    }
    #[cfg(not(unix))]
    files.sort();
}

#[cfg(unix)]
type Key = (u64, u64);
#[cfg(not(unix))]
type Key = PathBuf;

#[cfg(unix)]
fn folder_key(dir: &Path) -> Option<Key> {
    std::fs::metadata(dir).ok().as_ref().and_then(meta_key)
}

#[cfg(unix)]
fn meta_key(m: &std::fs::Metadata) -> Option<Key> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

/// A real (not symlinked) sub-folder is on its parent's device, and its inode is in the
/// folder entry itself: no path lookup needed.
#[cfg(unix)]
fn entry_key(entry: &std::fs::DirEntry, parent: Option<Key>) -> Option<Key> {
    use std::os::unix::fs::DirEntryExt;
    parent.map(|(dev, _)| (dev, entry.ino()))
}

#[cfg(not(unix))]
fn folder_key(dir: &Path) -> Option<Key> {
    std::fs::canonicalize(dir).ok()
}

#[cfg(not(unix))]
fn meta_key(_: &std::fs::Metadata) -> Option<Key> {
    None
}

#[cfg(not(unix))]
fn entry_key(_: &std::fs::DirEntry, _: Option<Key>) -> Option<Key> {
    None
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn paths_sort_as_path_order_does() {
        let names = [
            "/r/a/b.md",
            "/r/a.b.md",
            "/r/a-b.md",
            "/r/a/a.md",
            "/r/A.md",
            "/r/a.md",
            "/r/ab/c.md",
            "/r/a b.md",
            "/r/é.md",
            "/r/z.md",
            "/r/a/b/c.md",
            "/r/a0.md",
        ];
        let mut ours: Vec<std::path::PathBuf> = names.iter().map(Into::into).collect();
        let mut std_order = ours.clone();
        super::sort_paths(&mut ours);
        std_order.sort();
        assert_eq!(ours, std_order);
    }

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
