//! The server's log: `--log FILE`, appended to, one line per event. stdout carries the
//! protocol, so nothing else may be printed there; without `--log` lines go to stderr,
//! which editors keep in their own LSP log.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// Opens (creates or appends to) the log file. A file that cannot be opened is an error
/// for the caller to report before serving.
pub fn open(path: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("{}: cannot open the log file", path.display()))?;
    if let Ok(mut slot) = FILE.lock() {
        *slot = Some(file);
    }
    Ok(())
}

/// Writes one line, sanitised, with the time since the epoch in seconds.
pub fn line(msg: &str) {
    let when = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + d).to_string())
        .unwrap_or_default();
    let text = format!(
        "{when} {}\n",
        crate::sanitize::sanitize(msg).replace('\n', " | ")
    );
    // A poisoned lock only means another thread panicked while writing: keep logging.
    let mut slot = FILE.lock().unwrap_or_else(|e| e.into_inner());
    match slot.as_mut() {
        Some(f) => {
            let _ = f.write_all(text.as_bytes());
            let _ = f.flush();
        }
        None => {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

/// Panics are logged (with where they happened) instead of printed over the protocol;
/// the request that panicked is answered with an error by the caller.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        line(&format!("panic: {payload}{place}"));
    }));
}
