//! A laid-out guide as searchable text, built once per layout: every logical line (a
//! wrapped paragraph joined back together, or one source line of code) in one string, a
//! case-folded copy of it, and maps from byte offsets back to rows and columns.
//!
//! Searching is then a substring scan of one string per keystroke; turning a hit into the
//! cells it covers is done only for the hits that are drawn or stepped to.

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

/// One logical line: where it sits in both strings and which segments it has.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    /// Byte offset in `text`.
    start: u32,
    /// Byte offset in `folded`.
    folded: u32,
    /// First segment of the line; the next line's is one past its last.
    seg: u32,
    /// Folding kept every character's byte length, so offsets in `folded` and `text`
    /// differ by a constant within the line.
    aligned: bool,
}

/// One row's part of a logical line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Byte offset in `text`.
    start: u32,
    len: u32,
    row: u32,
    /// Column where the row's own text starts.
    indent: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextIndex {
    /// Which layout (and how much of it) this was built from; see [`TextIndex::is_for`].
    source: (u64, usize),
    /// The lines as shown, separated by `\n` (which no row contains).
    text: String,
    /// `text` with every letter lower-cased one character for one character.
    folded: String,
    lines: Vec<Line>,
    segments: Vec<Segment>,
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

impl TextIndex {
    /// Indexes the rows laid out so far.
    pub fn build(layout: &Layout) -> TextIndex {
        let rows = &layout.rows;
        let mut index = TextIndex {
            source: (layout.id(), rows.len()),
            text: String::new(),
            folded: String::new(),
            lines: Vec::new(),
            segments: Vec::with_capacity(rows.len()),
        };
        let mut i = 0;
        while i < rows.len() {
            // A code frame's borders are decoration, not text to find.
            if super::is_frame_border(rows[i].frame, rows[i].code_line) {
                i += 1;
                continue;
            }
            let key = |r: &Row| (r.block, r.code_line.map(|c| c.line));
            let mut j = i + 1;
            while j < rows.len() && key(&rows[j]) == key(&rows[i]) {
                j += 1;
            }
            index.push_line(layout, &rows[i..j], i);
            i = j;
        }
        // Grown by doubling: give back the slack, which can be half of what is held.
        index.text.shrink_to_fit();
        index.folded.shrink_to_fit();
        index.lines.shrink_to_fit();
        index
    }

    /// True when this index was built from all of the rows a layout has now.
    pub fn is_for(&self, layout_id: u64, rows: usize) -> bool {
        self.source == (layout_id, rows)
    }

    fn push_line(&mut self, layout: &Layout, rows: &[Row], first: usize) {
        if !self.lines.is_empty() {
            self.text.push('\n');
            self.folded.push('\n');
        }
        let code = rows.first().is_some_and(|r| r.code_line.is_some());
        let start = self.text.len();
        let folded = self.folded.len();
        self.lines.push(Line {
            start: start as u32,
            folded: folded as u32,
            seg: self.segments.len() as u32,
            aligned: true,
        });
        for (k, row) in rows.iter().enumerate() {
            let row_text = layout.text_of(row);
            let (skip, _) = fit_prefix(row_text, usize::from(row.indent));
            let own = &row_text[skip.len()..];
            // Wrapping dropped a space between words; code was split mid-line.
            if k > 0 && !code {
                self.text.push(' ');
            }
            self.segments.push(Segment {
                start: self.text.len() as u32,
                len: own.len() as u32,
                row: (first + k) as u32,
                indent: row.indent,
            });
            self.text.push_str(own);
        }
        let line = &self.text[start..];
        if line.is_ascii() {
            self.folded.push_str(line);
            if let Some(copy) = self.folded.get_mut(folded..) {
                copy.make_ascii_lowercase();
            }
        } else {
            self.folded.extend(line.chars().map(fold_char));
            if self.folded.len() - folded != line.len()
                && let Some(l) = self.lines.last_mut()
            {
                l.aligned = false;
            }
        }
    }

    /// The string a query is matched against: as shown (case-sensitive) or folded.
    pub fn haystack(&self, sensitive: bool) -> &str {
        if sensitive { &self.text } else { &self.folded }
    }

    /// Start of every occurrence of `needle` in the haystack, overlapping ones included.
    pub fn occurrences(&self, needle: &str, sensitive: bool) -> Vec<u32> {
        let hay = self.haystack(sensitive).as_bytes();
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

    /// The line holding haystack byte `at`.
    fn line_of(&self, at: u32, sensitive: bool) -> usize {
        let n = self.lines.partition_point(|l| {
            if sensitive {
                l.start <= at
            } else {
                l.folded <= at
            }
        });
        n.saturating_sub(1)
    }

    /// Haystack byte `at` as a byte of `text`.
    fn to_text(&self, at: u32, sensitive: bool) -> usize {
        if sensitive {
            return at as usize;
        }
        let l = &self.lines[self.line_of(at, false)];
        let within = (at - l.folded) as usize;
        if l.aligned {
            return l.start as usize + within;
        }
        // Count characters in the folded line, then walk as many in the original.
        let folded = &self.folded[l.folded as usize..];
        let chars = folded.get(..within).map_or(0, |s| s.chars().count());
        let text = &self.text[l.start as usize..];
        l.start as usize
            + text
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| i)
    }

    /// The row showing haystack byte `at`.
    pub fn row_of(&self, at: u32, sensitive: bool) -> usize {
        let at = self.to_text(at, sensitive) as u32;
        let n = self.segments.partition_point(|s| s.start <= at);
        self.segments
            .get(n.saturating_sub(1))
            .map_or(0, |s| s.row as usize)
    }

    /// The cells of haystack bytes `range`, row by row (a match can cross a wrap).
    pub fn cells(&self, range: Range<u32>, sensitive: bool) -> Vec<Cells> {
        let line = self.line_of(range.start, sensitive);
        let (a, b) = (
            self.to_text(range.start, sensitive),
            self.to_text(range.end, sensitive),
        );
        let segs_end = self
            .lines
            .get(line + 1)
            .map_or(self.segments.len(), |l| l.seg as usize);
        let first = self.lines.get(line).map_or(0, |l| l.seg as usize);
        let mut out = Vec::new();
        for seg in self.segments.get(first..segs_end).unwrap_or(&[]) {
            let (start, end) = (seg.start as usize, (seg.start + seg.len) as usize);
            let (s, e) = (a.max(start), b.min(end));
            if s >= e && !(a == b && s == e) {
                continue;
            }
            let own = &self.text[start..end];
            let col = |byte: usize| {
                seg.indent
                    + own
                        .get(..byte - start)
                        .map_or(0, |p| u16::try_from(str_width(p)).unwrap_or(u16::MAX))
            };
            if own.is_char_boundary(s - start) && own.is_char_boundary(e - start) {
                out.push(Cells {
                    row: seg.row as usize,
                    start: col(s),
                    end: col(e),
                });
            }
        }
        out
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.folded.capacity()
            + self.lines.capacity() * std::mem::size_of::<Line>()
            + self.segments.capacity() * std::mem::size_of::<Segment>()
    }
}
