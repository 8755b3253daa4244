//! The pure document model: what a guide *is*, independent of any terminal or width.
//!
//! Blocks are stored flat. Nesting (quotes, list items, footnotes) is kept as a list of
//! container frames on each leaf block, so deep nesting never means deep recursion.

pub mod anchor;
pub mod html;
mod parse;
mod pieces;
pub mod task_check;

pub use parse::{
    MAX_NESTING, options as parse_options, parse, parse_prefix, parse_with_one_parser,
};

/// Inline style flags, combined bitwise.
pub mod style {
    pub const EMPH: u8 = 1;
    pub const STRONG: u8 = 1 << 1;
    pub const STRIKE: u8 = 1 << 2;
    pub const CODE: u8 = 1 << 3;
    pub const LINK: u8 = 1 << 4;
    /// A link's target, shown after its text.
    pub const LINK_TARGET: u8 = 1 << 5;
    pub const FOOTNOTE_REF: u8 = 1 << 6;
    /// Raw HTML and image alt text: shown, but muted.
    pub const MUTED: u8 = 1 << 7;
    /// A key (`<kbd>`): drawn as bold code, so it stands out as something to press
    /// without a style bit of its own.
    pub const KBD: u8 = CODE | STRONG;
}

/// A run of text with one style. Its text is a range of [`Doc::inline_text`], read with
/// [`Doc::text`]: one allocation for all the text of a guide rather than one per run.
/// Text never holds control characters other than `\n` (a hard break).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inline {
    /// Byte range in [`Doc::inline_text`].
    pub start: u32,
    pub end: u32,
    pub style: u8,
    /// One more than the index into [`Doc::links`]: four bytes, not eight, for a field
    /// every run has. Read with [`Inline::link`].
    link: Option<std::num::NonZeroU32>,
}

impl Inline {
    pub(crate) fn new(start: u32, end: u32, style: u8, link: Option<u32>) -> Inline {
        Inline {
            start,
            end,
            style,
            link: link.and_then(|l| std::num::NonZeroU32::new(l.checked_add(1)?)),
        }
    }

    /// Index into [`Doc::links`] of the link this run is part of.
    pub fn link(&self) -> Option<u32> {
        self.link.map(|l| l.get() - 1)
    }

    /// This run's text in `arena` (a document's [`Doc::inline_text`]); empty if the range
    /// does not fit, so a run of another document can never panic.
    pub fn text_in<'a>(&self, arena: &'a str) -> &'a str {
        arena
            .get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListMarker {
    Bullet { depth: u8 },
    Ordered(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    Quote,
    Item {
        marker: ListMarker,
        /// Index into [`Doc::tasks`] for a task item.
        task: Option<u32>,
    },
    Footnote {
        label: String,
    },
    /// Nesting deeper than [`MAX_NESTING`] is folded into one visible marker.
    Folded {
        levels: usize,
    },
}

/// One level of nesting around a leaf block; `first` is true on the first block inside it,
/// which is where a list marker is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub container: Container,
    pub first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub aligns: Box<[Align]>,
    /// The first row is the header.
    pub rows: Vec<Vec<Vec<Inline>>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    Heading {
        level: u8,
        index: u32,
        inlines: Box<[Inline]>,
    },
    Paragraph(Box<[Inline]>),
    /// Index into [`Doc::code_blocks`].
    Code(u32),
    Html(Box<str>),
    Rule,
    /// Boxed: tables are rare, and every other block would otherwise be as large.
    Table(Box<Table>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Shared by the blocks of one container after its first (whose frames differ only
    /// in `first`), so a long list or quote holds its frames a couple of times, not once
    /// per block.
    pub frames: std::sync::Arc<[Frame]>,
    pub leaf: Leaf,
    /// 1-based line of the markdown (after front matter) where the block starts. For a
    /// fenced code block this is the fence line, so code line `i` is at `line + 1 + i`.
    pub line: u32,
    /// A blank line goes before this block (false inside tight lists).
    pub gap_before: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
    pub block: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Sanitised target as written.
    pub url: String,
    pub title: String,
}

impl Link {
    /// True for targets outside the guide set (a URL with a scheme).
    pub fn is_external(&self) -> bool {
        is_external_url(&self.url)
    }
}

pub fn is_external_url(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme.len() > 1 // `C:` is a Windows drive, not a scheme
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub block: usize,
    /// One shared text per language name in a document.
    pub lang: Option<std::sync::Arc<str>>,
    /// The code exactly as written: what a copy puts on the clipboard.
    pub raw: std::sync::Arc<str>,
    /// Sanitised, tabs expanded: what is drawn and highlighted. The same allocation as
    /// `raw` when that changes nothing (most code), so a code-heavy guide is not held
    /// twice.
    pub display: std::sync::Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    /// The `[x]` written in the markdown: only a default.
    pub checked: bool,
    pub text: String,
    /// Index into [`Doc::headings`] of the nearest heading above.
    pub heading: Option<usize>,
    pub block: usize,
    /// The built-in check the item names (`<!-- devguide: scan -->`), if any.
    pub check: Option<task_check::TaskCheck>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    /// The text of every [`Inline`] of the document, one after the other.
    pub inline_text: String,
    pub blocks: Vec<Block>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub code_blocks: Vec<CodeBlock>,
    pub tasks: Vec<TaskItem>,
}

impl Doc {
    /// The text of one run of this document.
    pub fn text(&self, inline: &Inline) -> &str {
        inline.text_in(&self.inline_text)
    }

    /// The text of consecutive runs, joined.
    pub fn joined(&self, inlines: &[Inline]) -> String {
        inlines.iter().map(|i| self.text(i)).collect()
    }

    pub fn heading_by_anchor(&self, anchor: &str) -> Option<usize> {
        let wanted = anchor.trim_start_matches('#');
        self.headings
            .iter()
            .position(|h| h.anchor == wanted)
            .or_else(|| {
                // Accept a hand-typed anchor in any case, or the heading's own slug.
                let lower = wanted.to_lowercase();
                self.headings
                    .iter()
                    .position(|h| h.anchor == lower || anchor::slug(&h.text) == lower)
            })
    }

    /// The range of blocks that make up the section under heading `h`: up to the next
    /// heading of the same or a higher level.
    pub fn section_blocks(&self, h: usize) -> std::ops::Range<usize> {
        let head = &self.headings[h];
        let end = self.headings[h + 1..]
            .iter()
            .find(|n| n.level <= head.level)
            .map_or(self.blocks.len(), |n| n.block);
        head.block..end
    }
}

/// Expands tabs to the next multiple of `stop` columns, counting from the line start.
pub fn expand_tabs(s: &str, stop: usize) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut col = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = stop - col % stop;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(expand_tabs("a\tb", 4), "a   b");
        assert_eq!(expand_tabs("\tx\n\ty", 4), "    x\n    y");
        assert_eq!(expand_tabs("界\tx", 4), "界  x");
    }

    #[test]
    fn external_urls_have_a_scheme() {
        assert!(is_external_url("https://example.com"));
        assert!(is_external_url("mailto:a@b.c"));
        assert!(!is_external_url("quick-reference.md#x"));
        assert!(!is_external_url("#anchor"));
        assert!(!is_external_url("C:/docs/a.md"));
    }
}
