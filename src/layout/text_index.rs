//! A laid-out guide as searchable text, built once per layout: every logical line (a
//! wrapped paragraph joined back together, or one source line of code) case-folded into
//! one string, with where each line starts and its first row.
//!
//! Searching is then a substring scan of one string per keystroke. Only the folded copy
//! is kept: the text as shown is the layout's own, so turning a hit into the cells it
//! covers, and checking a case-sensitive hit, reads the rows of its line again. That is
//! done only for the hits that are drawn, stepped to or checked, never for the whole.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use super::wrap::{fit_prefix, str_width};
use super::{Layout, Row};

/// The cells one match covers on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cells {
    pub row: usize,
    /// Columns from the row's start.
    pub start: u16,
    pub end: u16,
}

/// One logical line: where it starts in the folded text and its first row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    /// Byte offset in `folded`.
    start: u32,
    /// First row, with [`UNALIGNED`] set when folding changed the byte length of some
    /// character of the line (offsets in the folded line and the shown one then differ).
    row: u32,
}

const UNALIGNED: u32 = 1 << 31;

impl Line {
    fn row(&self) -> usize {
        (self.row & !UNALIGNED) as usize
    }

    fn aligned(&self) -> bool {
        self.row & UNALIGNED == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextIndex {
    /// Which layout (and how much of it) this was built from; see [`TextIndex::is_for`].
    source: (u64, usize),
    /// The lines with every letter lower-cased one character for one character,
    /// separated by `\n` (which no row contains).
    folded: String,
    /// One bit per byte of `folded`: set on the bytes of every character that folding
    /// changed (an ASCII capital, say). With it a case-sensitive hit is checked without
    /// going back to the rows, unless a changed character is not ASCII.
    changed: Vec<u64>,
    lines: Vec<Line>,
}

/// Layouts are told apart by a number handed out at creation.
static NEXT_LAYOUT_ID: AtomicU64 = AtomicU64::new(1);

pub(super) fn next_layout_id() -> u64 {
    NEXT_LAYOUT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Lower case, one character for one character, so a match's characters line up with the
/// original's.
pub fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// A query folded as the index folds text.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(fold_char).collect()
}

/// Rows of one logical line share their block and source line.
fn line_key(r: &Row) -> (u32, Option<u32>) {
    (r.block(), r.code_line_number())
}

/// A row's own text: what follows its decoration.
fn own_text<'a>(layout: &'a Layout, row: &Row) -> &'a str {
    let text = layout.text_of(row);
    let (skip, _) = fit_prefix(text, usize::from(row.indent()));
    &text[skip.len()..]
}

/// One row's part of a logical line.
struct Segment<'a> {
    row: usize,
    /// Byte offset within the line as shown.
    start: usize,
    own: &'a str,
    indent: u16,
}

impl TextIndex {
    /// Indexes the rows laid out so far.
    pub fn build(layout: &Layout) -> TextIndex {
        let rows = &layout.rows;
        // Sized first, so the text is not grown by doubling (a copy of the whole, and
        // slack, at the peak): a row's text less its decoration's columns is at least
        // its own text, as a character takes no fewer bytes than cells (only the rare
        // letter whose lower case is longer can make it grow).
        let (mut bytes, mut lines) = (0usize, 0usize);
        let mut prev = None;
        for row in rows {
            if row.is_frame_border() {
                prev = None;
                continue;
            }
            let key = line_key(row);
            lines += usize::from(prev != Some(key));
            prev = Some(key);
            bytes += layout
                .text_of(row)
                .len()
                .saturating_sub(usize::from(row.indent()))
                + 1;
        }
        let mut index = TextIndex {
            source: (layout.id(), rows.len()),
            folded: String::with_capacity(bytes),
            changed: Vec::with_capacity(bytes / 64 + 1),
            lines: Vec::with_capacity(lines),
        };
        let mut prev = None;
        let mut code = false;
        for (i, row) in rows.iter().enumerate() {
            // A code frame's borders are decoration, not text to find.
            if row.is_frame_border() {
                prev = None;
                continue;
            }
            let key = line_key(row);
            if prev == Some(key) {
                // Wrapping dropped a space between words; code was split mid-line.
                if !code {
                    index.folded.push(' ');
                }
            } else {
                if !index.lines.is_empty() {
                    index.folded.push('\n');
                }
                index.lines.push(Line {
                    start: index.folded.len() as u32,
                    row: i as u32,
                });
                code = key.1.is_some();
            }
            prev = Some(key);
            let own = own_text(layout, row);
            if !index.push_folded(own)
                && let Some(l) = index.lines.last_mut()
            {
                l.row |= UNALIGNED;
            }
        }
        // The estimate is above the need: give back the rest.
        index.folded.shrink_to_fit();
        index.changed.resize(index.folded.len() / 64 + 1, 0);
        index.changed.shrink_to_fit();
        index
    }

    /// Appends `s` folded; false when folding changed some character's byte length.
    fn push_folded(&mut self, s: &str) -> bool {
        let at = self.folded.len();
        if s.is_ascii() {
            self.folded.push_str(s);
            if let Some(copy) = self.folded.get_mut(at..) {
                copy.make_ascii_lowercase();
            }
            for (i, b) in s.bytes().enumerate() {
                if b.is_ascii_uppercase() {
                    self.mark(at + i);
                }
            }
            return true;
        }
        let mut aligned = true;
        for c in s.chars() {
            let f = fold_char(c);
            aligned &= f.len_utf8() == c.len_utf8();
            let from = self.folded.len();
            self.folded.push(f);
            if f != c {
                for i in from..self.folded.len() {
                    self.mark(i);
                }
            }
        }
        aligned
    }

    /// Notes that folding changed the character at folded byte `i`.
    fn mark(&mut self, i: usize) {
        let word = i / 64;
        if self.changed.len() <= word {
            self.changed.resize(word + 1, 0);
        }
        self.changed[word] |= 1 << (i % 64);
    }

    fn is_changed(&self, i: usize) -> bool {
        self.changed
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Whether the text as shown reads `needle` at folded byte `at` of an aligned line,
    /// from the folded text and the changed bits alone; `None` when that cannot tell (a
    /// changed character that is not ASCII).
    fn reads_at(&self, at: usize, needle: &[u8]) -> Option<bool> {
        let hay = self.folded.as_bytes().get(at..at + needle.len())?;
        for (k, (&f, &n)) in hay.iter().zip(needle).enumerate() {
            let changed = self.is_changed(at + k);
            let shown = match (f.is_ascii(), changed) {
                (true, true) => f.to_ascii_uppercase(),
                (_, false) => f,
                (false, true) => return None,
            };
            if shown != n {
                return Some(false);
            }
        }
        Some(true)
    }

    /// True when this index was built from all of the rows a layout has now.
    pub fn is_for(&self, layout_id: u64, rows: usize) -> bool {
        self.source == (layout_id, rows)
    }

    /// True when this index was built from `layout` (whose rows may have grown since:
    /// rows are only ever added after those indexed, which stay as they were).
    fn from(&self, layout: &Layout) -> bool {
        self.source.0 == layout.id() && self.source.1 <= layout.rows.len()
    }

    /// The string a query, folded, is matched against.
    pub fn haystack(&self) -> &str {
        &self.folded
    }

    /// Start of every occurrence of `needle` (folded) in the haystack, overlapping ones
    /// included.
    pub fn occurrences(&self, needle: &str) -> Vec<u32> {
        let hay = self.folded.as_bytes();
        if needle.is_empty() {
            return Vec::new();
        }
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = hay.get(from..).and_then(|h| finder.find(h)) {
            out.push((from + pos) as u32);
            from += pos + 1;
        }
        out
    }

    /// Every occurrence where the text as shown reads `query` exactly (a query with
    /// capitals), overlapping ones included.
    pub fn exact_occurrences(&self, layout: &Layout, query: &str) -> Vec<u32> {
        let needle = fold(query);
        // An ASCII capital in the query can only match a byte folding changed: those are
        // few, and found from the changed bits without scanning the text.
        let capital = query.bytes().position(|b| b.is_ascii_uppercase());
        let Some(k) = capital.filter(|&k| needle.len() == query.len() && query[..k].is_ascii())
        else {
            return self.exact(layout, &self.occurrences(&needle), query);
        };
        let want = needle.as_bytes()[k];
        let hay = self.folded.as_bytes();
        let mut candidates = Vec::new();
        for (w, &word) in self.changed.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let p = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if hay.get(p) != Some(&want) || p < k {
                    continue;
                }
                if hay
                    .get(p - k..)
                    .is_some_and(|rest| rest.starts_with(needle.as_bytes()))
                {
                    candidates.push((p - k) as u32);
                }
            }
        }
        self.exact(layout, &candidates, query)
    }

    /// The line holding haystack byte `at`.
    fn line_of(&self, at: u32) -> usize {
        self.lines
            .partition_point(|l| l.start <= at)
            .saturating_sub(1)
    }

    /// The rows of line `line`, each with its own text and where it starts in the line.
    fn segments<'a>(&self, layout: &'a Layout, line: usize) -> Vec<Segment<'a>> {
        let mut out = Vec::new();
        let (Some(l), true) = (self.lines.get(line), self.from(layout)) else {
            return out;
        };
        let first = l.row();
        let Some(head) = layout.rows.get(first) else {
            return out;
        };
        let key = line_key(head);
        let code = key.1.is_some();
        let mut start = 0;
        for (k, row) in layout.rows[first..].iter().enumerate() {
            if row.is_frame_border() || line_key(row) != key {
                break;
            }
            if k > 0 && !code {
                start += 1;
            }
            let own = own_text(layout, row);
            out.push(Segment {
                row: first + k,
                start,
                own,
                indent: row.indent(),
            });
            start += own.len();
        }
        out
    }

    /// Byte `within` of the folded line `line` as a byte of the line as shown.
    fn to_shown(&self, line: usize, within: usize, segments: &[Segment<'_>]) -> usize {
        if self.lines.get(line).is_none_or(Line::aligned) {
            return within;
        }
        // Count characters in the folded line, then walk as many in the shown one.
        let start = self.lines.get(line).map_or(0, |l| l.start as usize);
        let chars = self
            .folded
            .get(start..start + within)
            .map_or(0, |s| s.chars().count());
        let shown = join(segments);
        shown
            .char_indices()
            .nth(chars)
            .map_or(shown.len(), |(i, _)| i)
    }

    /// The row showing haystack byte `at`.
    pub fn row_of(&self, layout: &Layout, at: u32) -> usize {
        let line = self.line_of(at);
        let segments = self.segments(layout, line);
        let within = (at - self.lines.get(line).map_or(0, |l| l.start)) as usize;
        let at = self.to_shown(line, within, &segments);
        let n = segments.partition_point(|s| s.start <= at);
        segments.get(n.saturating_sub(1)).map_or(0, |s| s.row)
    }

    /// The hits (haystack bytes, in order) where the text as shown reads `needle`
    /// exactly: a case-sensitive search finds its hits among the folded ones.
    pub fn exact(&self, layout: &Layout, hits: &[u32], needle: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut shown = String::new();
        let mut current: Option<(usize, Vec<Segment<'_>>)> = None;
        // A needle whose folding keeps its length lines up byte for byte with the folded
        // text of an aligned line.
        let same_len = fold(needle).len() == needle.len();
        // Hits come in order: the line of each is found by walking, not searching.
        let mut line = 0;
        for &h in hits {
            while self.lines.get(line + 1).is_some_and(|l| l.start <= h) {
                line += 1;
            }
            let aligned = self.lines.get(line).is_some_and(Line::aligned);
            if same_len && aligned {
                match self.reads_at(h as usize, needle.as_bytes()) {
                    Some(true) => {
                        out.push(h);
                        continue;
                    }
                    Some(false) => continue,
                    None => {}
                }
            }
            if current.as_ref().is_none_or(|(l, _)| *l != line) {
                let segments = self.segments(layout, line);
                shown = join(&segments);
                current = Some((line, segments));
            }
            let Some((_, segments)) = current.as_ref() else {
                continue;
            };
            let within = (h - self.lines.get(line).map_or(0, |l| l.start)) as usize;
            let at = self.to_shown(line, within, segments);
            if shown.get(at..).is_some_and(|rest| rest.starts_with(needle)) {
                out.push(h);
            }
        }
        out
    }

    /// The cells of haystack bytes `range`, row by row (a match can cross a wrap).
    pub fn cells(&self, layout: &Layout, range: Range<u32>) -> Vec<Cells> {
        let line = self.line_of(range.start);
        let line_start = self.lines.get(line).map_or(0, |l| l.start);
        let segments = self.segments(layout, line);
        let (a, b) = (
            self.to_shown(line, (range.start - line_start) as usize, &segments),
            self.to_shown(
                line,
                range.end.saturating_sub(line_start) as usize,
                &segments,
            ),
        );
        let mut out = Vec::new();
        for seg in &segments {
            let (start, end) = (seg.start, seg.start + seg.own.len());
            let (s, e) = (a.max(start), b.min(end));
            if s >= e && !(a == b && s == e) {
                continue;
            }
            let col = |byte: usize| {
                seg.indent
                    + seg
                        .own
                        .get(..byte - start)
                        .map_or(0, |p| u16::try_from(str_width(p)).unwrap_or(u16::MAX))
            };
            if seg.own.is_char_boundary(s - start) && seg.own.is_char_boundary(e - start) {
                out.push(Cells {
                    row: seg.row,
                    start: col(s),
                    end: col(e),
                });
            }
        }
        out
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.folded.capacity()
            + self.changed.capacity() * 8
            + self.lines.capacity() * std::mem::size_of::<Line>()
    }
}

/// A logical line as shown: its rows' own text, joined as the index joined them.
fn join(segments: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        while out.len() < s.start {
            out.push(' ');
        }
        out.push_str(s.own);
    }
    out
}
