//! Opening a large guide from its first part, so the reader's first screen costs the
//! same for a 64 MB file as for a 2 MB one.
//!
//! Decoding, mis-decoding repair and front matter all work line by line from the top, so
//! the file's first [`READ_AHEAD`] bytes, cut after their last line break, give the same
//! text as the start of the whole file: a multi-byte character or a repaired line is
//! never split by the cut. The whole file is then read elsewhere ([`WholeRead`]) and
//! replaces the part, as the full parse replaces a parsed prefix.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{
    Guide, GuideSet, LoadError, guide_from_bytes, include, load_disk_guide, looks_binary,
    open_guide_file, replace_keeping_place,
};

/// Files larger than this open from their first part.
pub const PARTIAL_OVER: u64 = 512 * 1024;

/// How much of a large file is read before the first screen: several thousand rows,
/// far more than the prefix parse uses.
pub const READ_AHEAD: usize = 256 * 1024;

/// What it takes to read a partly read guide in full, away from the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeRead {
    rel_path: String,
    path: PathBuf,
    root: Option<PathBuf>,
}

impl WholeRead {
    /// The whole guide, read, decoded and repaired as [`GuideSet::from_file`] does.
    pub fn read(&self) -> Result<Guide, String> {
        load_disk_guide(&self.rel_path, &self.path, self.root.as_deref())
            .map_err(|reason| format!("{}: {reason}", self.path.display()))
    }
}

impl GuideSet {
    /// [`GuideSet::from_file`] for the reader: a file over [`PARTIAL_OVER`] bytes gives a
    /// guide holding only its first part ([`Guide::partial`]).
    pub fn from_file_start(path: &Path) -> Result<GuideSet, LoadError> {
        GuideSet::from_file_with(path, first_part)
    }

    /// How to read guide `index` in full, when only its first part was read.
    pub fn whole_read(&self, index: usize) -> Option<WholeRead> {
        let guide = self.guides.get(index).filter(|g| g.partial)?;
        Some(WholeRead {
            rel_path: guide.rel_path.clone(),
            path: self.disk_path(index)?,
            root: self.root.clone(),
        })
    }

    /// Puts the whole of a partly read guide in its place; returns the notices that the
    /// first part did not already give (a bad byte further down, say). Nothing changes
    /// when the guide is no longer partial (it was read again meanwhile).
    pub fn adopt_whole(&mut self, index: usize, whole: Guide) -> Vec<String> {
        let Some(guide) = self.guides.get_mut(index).filter(|g| g.partial) else {
            return Vec::new();
        };
        let new = whole
            .notices
            .iter()
            .filter(|n| !guide.notices.contains(n))
            .cloned()
            .collect();
        replace_keeping_place(guide, whole);
        new
    }
}

/// The guide at `path`, or only its first part when the file is large and the part
/// stands for the start of the whole (see the module comment).
fn first_part(rel: &str, path: &Path, root: Option<&Path>) -> Result<Guide, String> {
    let (file, meta, _) = open_guide_file(path)?;
    if meta.len() <= PARTIAL_OVER {
        return load_disk_guide(rel, path, root);
    }
    let mut bytes = Vec::with_capacity(READ_AHEAD);
    file.take(READ_AHEAD as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if looks_binary(&bytes) {
        return Err("binary file (contains NUL bytes)".into());
    }
    match cut_after_last_line(&bytes) {
        Some(part) => match guide_from_part(rel, part) {
            Some(mut guide) => {
                guide.modified = meta.modified().ok();
                Ok(guide)
            }
            None => load_disk_guide(rel, path, root),
        },
        // One line longer than the read-ahead: nowhere safe to cut.
        None => load_disk_guide(rel, path, root),
    }
}

/// The bytes up to and including the last line break, if there is one.
fn cut_after_last_line(bytes: &[u8]) -> Option<&[u8]> {
    memchr::memrchr(b'\n', bytes).map(|at| &bytes[..=at])
}

/// A partial guide from the file's first `part`, or `None` when the part cannot stand
/// for the start of the whole: front matter still open at the cut (its title and
/// settings are not known yet), or mdBook directives (expanding them changes the text).
/// Either way the whole file is read at once, as before.
fn guide_from_part(rel: &str, part: &[u8]) -> Option<Guide> {
    let mut guide = guide_from_bytes(rel, part);
    // Only `+++` front matter is split off here (`---` is the parser's metadata block):
    // still open at the cut, the body starts at line 1.
    let text = part.strip_prefix("\u{feff}".as_bytes()).unwrap_or(part);
    let open_front = text.starts_with(b"+++") && guide.body_line == 1;
    if open_front || include::has_directives(&guide.body) {
        return None;
    }
    guide.partial = true;
    Some(guide)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("writes");
        path
    }

    /// Markdown of `n` bytes or a little more: headed paragraphs.
    fn big(n: usize) -> String {
        let mut s = String::from("# Big\n\n");
        let mut i = 0;
        while s.len() < n {
            s.push_str(&format!("## Part {i}\n\nSome text for part {i}, café.\n\n"));
            i += 1;
        }
        s
    }

    #[test]
    fn a_small_file_is_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "s.md", b"# Small\n\ntext\n");
        let set = GuideSet::from_file_start(&path).expect("loads");
        assert!(!set.guides[0].partial);
        assert_eq!(set.guides[0].body, "# Small\n\ntext\n");
        assert!(set.whole_read(0).is_none());
    }

    #[test]
    fn a_large_file_opens_from_its_first_lines_and_reads_whole_later() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = big(PARTIAL_OVER as usize + 10_000);
        let path = write(dir.path(), "big.md", text.as_bytes());
        let mut set = GuideSet::from_file_start(&path).expect("loads");
        let part = &set.guides[0];
        assert!(part.partial);
        assert!(part.body.len() <= READ_AHEAD);
        assert!(part.body.ends_with('\n'), "cut at a line end");
        assert!(
            text.starts_with(&part.body),
            "the part is the start of the file"
        );
        assert_eq!(part.title, "Big");
        let whole = set.whole_read(0).expect("partial").read().expect("reads");
        assert!(!whole.partial);
        assert_eq!(whole.body, text);
        assert!(set.adopt_whole(0, whole).is_empty());
        assert_eq!(set.guides[0].body, text);
        assert!(set.whole_read(0).is_none(), "read once");
    }

    #[test]
    fn yaml_metadata_at_the_top_is_left_to_the_parser_and_still_reads_in_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = format!("---\ntitle: Spec\n---\n\n{}", big(PARTIAL_OVER as usize));
        let path = write(dir.path(), "y.md", text.as_bytes());
        let set = GuideSet::from_file_start(&path).expect("loads");
        assert!(set.guides[0].partial);
        assert!(text.starts_with(&set.guides[0].body));
    }

    #[test]
    fn a_character_and_a_repaired_line_cut_by_the_read_ahead_are_kept_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Mis-decoded emoji (`🎯` saved as Mac Roman) on a line that straddles the
        // read-ahead, and a multi-byte character cut in the middle of its bytes.
        let mut text = "x".repeat(READ_AHEAD - 10);
        text.push_str("\nhit üéØ and é\n");
        text.push_str(&big(PARTIAL_OVER as usize));
        let straddles = READ_AHEAD - 8..READ_AHEAD;
        assert!(straddles.contains(&text.find("üéØ").expect("there")));
        let path = write(dir.path(), "m.md", text.as_bytes());
        let mut set = GuideSet::from_file_start(&path).expect("loads");
        let part = set.guides[0].body.clone();
        assert!(set.guides[0].partial);
        assert!(!part.contains('\u{fffd}'), "no character broken by the cut");
        assert!(!part.contains("hit"), "the cut line waits for the whole");
        let whole = set.whole_read(0).expect("partial").read().expect("reads");
        assert!(whole.body.contains("hit 🎯 and é"), "repaired in the whole");
        assert!(whole.body.starts_with(&part));
        let notices = set.adopt_whole(0, whole);
        assert!(
            notices.iter().any(|n| n.contains("repaired")),
            "the repair further down is told: {notices:?}"
        );
    }

    #[test]
    fn open_front_matter_or_includes_at_the_cut_read_the_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut fm = String::from("+++\ntitle = \"T\"\n");
        fm.push_str(&"# not a title\n".repeat(READ_AHEAD / 14 + 10));
        fm.push_str("+++\n");
        fm.push_str(&big(PARTIAL_OVER as usize));
        let path = write(dir.path(), "fm.md", fm.as_bytes());
        let set = GuideSet::from_file_start(&path).expect("loads");
        assert!(!set.guides[0].partial);
        assert_eq!(set.guides[0].title, "T");

        let mut inc = String::from("{{#include other.md}}\n");
        inc.push_str(&big(PARTIAL_OVER as usize));
        write(dir.path(), "other.md", b"included\n");
        let path = write(dir.path(), "inc.md", inc.as_bytes());
        let set = GuideSet::from_file_start(&path).expect("loads");
        assert!(!set.guides[0].partial);
        assert!(set.guides[0].body.starts_with("included"));
    }

    /// Blocks of several kinds, each opened by a heading so no list or quote runs from
    /// one into the next; no reference links or footnotes (their definitions may lie
    /// past the cut, which the prefix parse documents as shown-as-written).
    fn snippet() -> impl Strategy<Value = String> {
        let body = prop_oneof![
            "[a-zA-Z ,.é界]{1,200}".prop_map(|t| format!("{t}\n\n")),
            "[a-z ]{1,40}".prop_map(|t| format!("- {t}\n- {t} again\n\n  more {t}\n\n")),
            "[a-z ]{1,40}".prop_map(|t| format!("> {t}\n> üéØ {t}\n\n")),
            "[a-z =;]{1,60}".prop_map(|t| format!("```rust\n{t}\n\n{t}\n```\n\n")),
            "[a-z ]{1,30}".prop_map(|t| format!("| a | b |\n|---|---|\n| {t} | *{t}* |\n\n")),
        ];
        ("[a-z]{1,12}", body).prop_map(|(h, b)| format!("## {h}\n\n{b}"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// What the first screen is drawn from (the file's first part, parsed from its
        /// top) matches the whole file's parse block for block, but for the last block
        /// the cut may have shortened.
        #[test]
        fn the_first_part_parses_as_the_start_of_the_whole(
            parts in proptest::collection::vec(snippet(), 20..80),
            cut_at in 0.0f64..1.0,
        ) {
            let text = format!("# Title\n\n{}", parts.concat());
            let bytes = text.as_bytes();
            let limit = ((bytes.len() as f64) * cut_at) as usize;
            let Some(part) = cut_after_last_line(&bytes[..limit]) else {
                return Ok(());
            };
            let Some(first) = guide_from_part("g.md", part) else {
                return Ok(());
            };
            let whole = guide_from_bytes("g.md", bytes);
            prop_assert!(whole.body.starts_with(&first.body), "the part is a prefix");
            let prefix = crate::doc::parse_prefix(&first.body, 40);
            let full = crate::doc::parse(&whole.body);
            let settled = prefix.blocks.len().saturating_sub(1);
            prop_assert_eq!(&prefix.blocks[..settled], &full.blocks[..settled]);
        }
    }

    #[test]
    fn a_binary_or_oversize_file_is_refused_before_its_part_is_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bin = vec![0u8; 16];
        bin.extend(big(PARTIAL_OVER as usize).into_bytes());
        let path = write(dir.path(), "b.md", &bin);
        let err = GuideSet::from_file_start(&path).expect_err("refused");
        assert!(err.to_string().contains("binary"), "{err}");
    }
}
