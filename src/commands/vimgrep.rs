//! `file:line:col:text` output (ripgrep's `--vimgrep`) for `search` and `lookup`, so
//! quickfix lists, telescope and fzf-lua can jump into the guide files.
//!
//! Paths are real: the guide's file as found on disk, absolute. The bundled guides have no
//! files, so for them `--vimgrep` asks for a folder instead of printing paths nothing can
//! open (`devguide export DIR` once, then `--dir DIR` or `guides` in the config).

use std::io::Write;
use std::path::PathBuf;

use crate::content::GuideSet;
use crate::sanitize::sanitize_line;

use super::write_context;

/// The message for a set whose guides have no files.
pub const NO_FILES: &str = "devguide: --vimgrep needs guides on disk, and the bundled guides have no files.\n\
Write them out once with `devguide export DIR`, then pass `--dir DIR` (or set `guides` in the config).";

/// The absolute path of guide `gi`'s file, when it has one.
pub fn path(set: &GuideSet, gi: usize) -> Option<PathBuf> {
    let p = set.disk_path(gi)?;
    Some(std::path::absolute(&p).unwrap_or(p))
}

/// Line `line` (1-based, front matter counted) of guide `gi`'s file, as loaded.
pub fn file_line(set: &GuideSet, gi: usize, line: u32) -> Option<&str> {
    let guide = set.guides.get(gi)?;
    let k = (line as usize).checked_sub(guide.body_line)?;
    guide.body.lines().nth(k)
}

/// 1-based byte column of `needle` in `line` (1 when it is not there), as ripgrep counts.
pub fn column(line: &str, needle: &str) -> usize {
    if needle.is_empty() {
        return 1;
    }
    line.find(needle).map_or(1, |i| i + 1)
}

/// Writes one `file:line:col:text` line, every part sanitised.
pub fn write_line(
    out: &mut dyn Write,
    path: &std::path::Path,
    line: u32,
    col: usize,
    text: &str,
) -> anyhow::Result<()> {
    let entry = format!("{}:{line}:{col}:{}", path.display(), text.trim_end());
    write_context(writeln!(out, "{}", sanitize_line(&entry)))
}
