//! The optional log (`--log FILE`, `DEVGUIDE_LOG`): what the reader did, and every
//! background failure that the screen would otherwise keep to itself. Off unless asked
//! for; writing it never stops the reader.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

static LOG: OnceLock<(Mutex<File>, Instant)> = OnceLock::new();

/// Opens `path` for appending (created when missing). Refuses anything but a regular file:
/// a FIFO would block the reader, a device is no place for a log.
pub fn init(path: &Path) -> Result<(), String> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(format!(
            "log file {}: not a regular file; give a path to a file",
            path.display()
        ));
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("log file {}: {e}", path.display()))?;
    let _ = LOG.set((Mutex::new(file), Instant::now()));
    write(&format!("devguide {} started", env!("CARGO_PKG_VERSION")));
    Ok(())
}

/// Whether a log is being written (so callers can skip building costly lines).
pub fn enabled() -> bool {
    LOG.get().is_some()
}

/// Appends one line, stamped with the seconds since start, defused like every other
/// string devguide prints.
pub fn write(line: &str) {
    let Some((file, start)) = LOG.get() else {
        return;
    };
    let Ok(mut file) = file.lock() else { return };
    let secs = start.elapsed().as_secs_f64();
    let _ = crate::sanitize::notice(&mut *file, &format!("{secs:10.3} {line}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_or_directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = init(dir.path()).expect_err("a directory is no log file");
        assert!(err.contains("not a regular file"), "{err}");
    }
}
