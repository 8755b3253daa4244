//! File access inside devguide's state folder, which in team mode comes from a cloned
//! repository and so must be treated as hostile: a symbolic link placed there must never
//! make devguide read, create, rename or delete a file somewhere else.
//!
//! - Every path is checked component by component below the state folder with `lstat`:
//!   a link anywhere (a folder, a file, the lock) is refused with a message naming it.
//! - Files are opened with `O_NOFOLLOW`, so a link that appears after the check is still
//!   not followed at the last component; reads also use `O_NONBLOCK` and are preceded by
//!   an `lstat`, so a FIFO or a device is refused without ever being opened for reading.
//! - Reads are capped at [`MAX_STATE_FILE`] bytes.
//!
//! The checks and the use are not one atomic step; what they guard against is a
//! repository that holds links when it is cloned or pulled, not a process racing us.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Component, Path};

/// The largest state file devguide reads: far above any real checklist (10,000 events
/// are about 1.5 MB), small enough that a hostile file cannot exhaust memory.
pub const MAX_STATE_FILE: u64 = 64 * 1024 * 1024;

/// Why a path in the state folder is refused; the message names the path.
pub fn link_error(path: &Path) -> std::io::Error {
    std::io::Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; devguide does not follow links in its state folder",
            path.display()
        ),
    )
}

fn not_regular(path: &Path, meta: &Metadata) -> std::io::Error {
    let what = if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    std::io::Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{} is {what}; devguide reads only regular files in its state folder. Remove it.",
            path.display()
        ),
    )
}

fn too_big(path: &Path, len: u64) -> std::io::Error {
    std::io::Error::new(
        ErrorKind::InvalidData,
        format!(
            "{} is {len} bytes, more than the {} MB a state file may have; it was not read. \
             Move it away if it is not yours.",
            path.display(),
            MAX_STATE_FILE / (1024 * 1024)
        ),
    )
}

/// Whether an error is one of this module's refusals (a link, a non-regular file, an
/// oversize file): a problem with the state folder, not a passing I/O failure.
pub fn is_refusal(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::InvalidData)
}

/// Checks that no component of `path` below `root` is a symbolic link (components that
/// do not exist yet are fine: nothing below them can be a link). With `check_root`, the
/// root itself must not be a link either. `path` must be `root` joined with a relative
/// path; anything else is checked from its own parent only.
pub fn check_no_links(root: &Path, path: &Path, check_root: bool) -> std::io::Result<()> {
    if check_root && is_link(root)? {
        return Err(link_error(root));
    }
    let rel = path.strip_prefix(root).unwrap_or_else(|_| {
        path.file_name()
            .map(Path::new)
            .unwrap_or_else(|| Path::new(""))
    });
    let base = if path.starts_with(root) {
        root.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut current = base;
    for c in rel.components() {
        match c {
            Component::Normal(name) => current.push(name),
            // `..` or an absolute part: never produced by the store, refused if seen.
            _ => {
                return Err(std::io::Error::new(
                    ErrorKind::InvalidInput,
                    format!("{} leaves the state folder", path.display()),
                ));
            }
        }
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(link_error(&current)),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn is_link(path: &Path) -> std::io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(meta.file_type().is_symlink()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn no_follow(options: &mut OpenOptions, nonblock: bool) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NOFOLLOW | libc::O_CLOEXEC;
    if nonblock {
        flags |= libc::O_NONBLOCK;
    }
    options.custom_flags(flags);
}

#[cfg(not(unix))]
fn no_follow(_options: &mut OpenOptions, _nonblock: bool) {}

/// Maps the error of an `O_NOFOLLOW` open of a link to the message naming it.
fn open_error(path: &Path, e: std::io::Error) -> std::io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return link_error(path);
    }
    let _ = path;
    e
}

/// Opens a regular file for reading without following a link and without opening a
/// FIFO or device at all. `Ok(None)` when it does not exist.
pub fn open_read(path: &Path) -> std::io::Result<Option<(File, Metadata)>> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(link_error(path));
    }
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    if meta.len() > MAX_STATE_FILE {
        return Err(too_big(path, meta.len()));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    no_follow(&mut options, true);
    let file = match options.open(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_error(path, e)),
        Ok(f) => f,
    };
    // What was opened is what was checked: it may have been swapped in between.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok(Some((file, meta)))
}

/// Reads a whole file, at most [`MAX_STATE_FILE`] bytes, from an open file.
pub fn read_capped(path: &Path, file: &mut File, len_hint: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len_hint.min(MAX_STATE_FILE) as usize);
    file.by_ref()
        .take(MAX_STATE_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STATE_FILE {
        return Err(too_big(path, bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a file of the state folder: `Ok(None)` when missing.
pub fn read(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match open_read(path)? {
        None => Ok(None),
        Some((mut file, meta)) => read_capped(path, &mut file, meta.len()).map(Some),
    }
}

/// Opens (creating) a file for writing, never through a link, refusing anything that is
/// not a regular file. Used for the lock.
pub fn open_write(path: &Path, create: bool) -> std::io::Result<File> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            return Err(link_error(path));
        }
        if !meta.is_file() {
            return Err(not_regular(path, &meta));
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create(create).truncate(false);
    no_follow(&mut options, true);
    let file = options.open(path).map_err(|e| open_error(path, e))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok(file)
}

/// Creates a new file that must not exist yet (a temp file): `O_EXCL` never follows a
/// link, and neither does `O_NOFOLLOW`.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    no_follow(&mut options, false);
    options.open(path).map_err(|e| open_error(path, e))
}

/// Creates the folders from `root` down to `dir`, refusing links on the way.
pub fn create_dirs(root: &Path, dir: &Path, check_root: bool) -> std::io::Result<()> {
    check_no_links(root, dir, check_root)?;
    std::fs::create_dir_all(dir)?;
    // Created meanwhile as a link by someone else? Check again, now that it exists.
    check_no_links(root, dir, check_root)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_anywhere_below_the_root_are_refused_and_named() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("state");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("d")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        symlink(&outside, root.join("link")).expect("symlink");
        let err = check_no_links(&root, &root.join("link/x.json"), false).expect_err("link");
        assert!(
            err.to_string()
                .contains("state/link is a symbolic link; devguide does not follow links"),
            "{err}"
        );
        assert!(check_no_links(&root, &root.join("d/missing/x.json"), false).is_ok());
        symlink(tmp.path().join("nowhere"), root.join("d/dangling")).expect("symlink");
        assert!(check_no_links(&root, &root.join("d/dangling"), false).is_err());
        assert!(
            matches!(read(&root.join("d/dangling")), Err(e) if e.to_string().contains("symbolic link"))
        );
        assert!(open_write(&root.join("d/dangling"), true).is_err());
        assert!(
            !tmp.path().join("nowhere").exists(),
            "nothing created through the link"
        );
    }

    #[test]
    fn fifos_are_refused_without_blocking_and_big_files_are_capped() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fifo = tmp.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("cstring");
        // SAFETY: a valid NUL-terminated path and a plain mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read(&fifo).expect_err("fifo refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(open_write(&fifo, true).is_err());
        let err = read(tmp.path()).expect_err("folder refused");
        assert!(err.to_string().contains("a folder"), "{err}");

        let big = tmp.path().join("big");
        let f = File::create(&big).expect("create");
        f.set_len(MAX_STATE_FILE + 1).expect("sparse file");
        let err = read(&big).expect_err("too big");
        assert!(err.to_string().contains("64 MB"), "{err}");
        assert_eq!(read(&tmp.path().join("missing")).expect("missing"), None);
    }
}
