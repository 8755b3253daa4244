//! The large document the benches grow: the CommonMark spec from the shared corpus,
//! which sits beside the checkout (or beside the folder of worktrees).

use std::path::PathBuf;

/// The spec `times` over (×10: 98k lines, 2 MB; ×40: 392k lines, 8 MB); `None` without
/// the corpus.
pub fn spec_text(times: usize) -> Option<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = ["..", "../.."]
        .iter()
        .map(|up| {
            root.join(up)
                .join("shared/corpus/commonmark-spec-0.31.2.txt")
        })
        .find_map(|p| std::fs::read_to_string(p).ok())?;
    Some(text.repeat(times))
}
