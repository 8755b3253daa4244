//! Document + width + theme → wrapped rows, ready to draw.
//!
//! Layout is incremental: blocks are laid out in order on demand, so the first screen of a
//! 50,000-line document is ready after laying out a few dozen blocks. The rest is done in
//! idle time or when a jump needs it. A `Layout` is for one width; the caller keeps it
//! until the width changes.
//!
//! A layout may also start at a block further down ([`Layout::starting_at`]): after a
//! resize, what is on screen is laid out first and the blocks above it are filled in
//! later (in idle time, or at once when something needs them). Blocks are laid out
//! independently of each other, so the rows come out the same either way; only their
//! numbers change when rows are put in front, and the owner learns by how much from
//! [`Layout::take_shift`].

pub mod table;
pub mod text_index;
pub mod wrap;

use ratatui::style::Style;
use ratatui::text::Span;

use crate::doc::{Block, Container, Doc, Frame, Inline, Leaf, ListMarker};
use crate::highlight::Highlighted;
use crate::theme::Theme;
use wrap::{LinkCell, WrappedLine, fit_prefix, split_by_width, str_width, wrap};

/// One line of a code block: which source line and which bytes of it this row shows. The
/// code text is always the row's last span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLine {
    pub line: u32,
    pub start: u32,
    pub end: u32,
}

/// One drawn row, 24 bytes: a guide keeps one for every line it shows. Its text, styles,
/// links and task box live in the [`Layout`] (one string and a few lists for all rows,
/// not allocations per row); ask the layout for them ([`Layout::text_of`],
/// [`Layout::spans`], [`Layout::links`], [`Layout::task`], [`Layout::frame`],
/// [`Layout::code_line`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// First byte of [`Layout`]'s text; the row's text ends where its last run ends.
    text: u32,
    /// First of [`Layout`]'s style runs.
    runs: u32,
    /// The block, with the row's kind in the top two bits (see [`Kind`]).
    block: u32,
    /// A plain row: its entry in the layout's extras (links, task box), or [`NONE`].
    /// A code line: the source line, with [`PLACEHOLDER`] set when the row shows a mark
    /// instead of its bytes, or [`EMPTY_LINE`] when the line has none.
    a: u32,
    /// A code line: its first byte in the source line, or for a placeholder, its entry in
    /// the layout's placeholders.
    b: u32,
    runs_len: u16,
    /// Column where the row's own text starts, after quote bars, list markers and code
    /// frames: search joins wrapped rows from here.
    indent: u16,
}

const _: () = assert!(std::mem::size_of::<Row>() <= 24);

/// What a row is, kept in the top bits of [`Row::block`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain = 0,
    /// A code frame's top or bottom border.
    Border = 1,
    /// A line (or a wrapped piece of one) of a code block.
    Code = 2,
}

const KIND_SHIFT: u32 = 30;
const BLOCK_MASK: u32 = (1 << KIND_SHIFT) - 1;
const NONE: u32 = u32::MAX;
const PLACEHOLDER: u32 = 1 << 31;

impl Row {
    /// The block this row belongs to.
    pub fn block(&self) -> u32 {
        self.block & BLOCK_MASK
    }

    /// Column where the row's own text starts (after its decoration).
    pub fn indent(&self) -> u16 {
        self.indent
    }

    fn kind(&self) -> Kind {
        match self.block >> KIND_SHIFT {
            1 => Kind::Border,
            2 => Kind::Code,
            _ => Kind::Plain,
        }
    }

    /// A row of a code block (its frame's borders included).
    pub fn in_code(&self) -> bool {
        self.kind() != Kind::Plain
    }

    /// A code frame's top or bottom border: decoration only.
    pub fn is_frame_border(&self) -> bool {
        self.kind() == Kind::Border
    }

    /// The source line of a code row (without its bytes, which need the layout).
    pub fn code_line_number(&self) -> Option<u32> {
        (self.kind() == Kind::Code).then_some(self.a & !(PLACEHOLDER | EMPTY_LINE))
    }
}

/// What few rows have: link cells and a task box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Extra {
    /// Entries of the layout's link cells.
    links: (u32, u32),
    task: Option<(u32, u16)>,
}

/// A stretch of a row's text in one style: it ends at `end` (a byte of the layout's
/// text) and starts where the previous run of the row ended. Packed to six bytes: a
/// guide has more runs than rows, and the fields are only ever read by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(2))]
struct Run {
    end: u32,
    style: u16,
}

/// Every row's text, styles, link cells and task boxes: a few buffers for all rows.
#[derive(Debug, Default, Clone)]
struct Store {
    /// Every row's text, one after the other (rows stored once and shared, see
    /// [`SharedRows`], make text ranges not in row order).
    text: String,
    runs: Vec<Run>,
    /// Every style used, once; runs refer to them by index.
    styles: Vec<Style>,
    shared: SharedRows,
    /// Link cells and task boxes of the few rows that have them.
    extras: Vec<Extra>,
    link_cells: Vec<LinkCell>,
    /// The code block of every block laid out as one: (block, code block), by block.
    frames: Vec<(u32, u32)>,
    /// Code rows that show a mark instead of their source bytes.
    placeholders: Vec<CodeLine>,
}

/// Rows drawn alike many times over, stored once: a code frame's top and bottom borders
/// are a hundred box-drawing characters (three bytes each) at every code block, most of
/// a guide's laid-out text in code-heavy guides. Keyed by text and style runs (lengths
/// and styles); the value is the first such row's text and runs.
type SharedRows = std::collections::HashMap<(String, Vec<(u32, u16)>), (u32, u32)>;

/// What a row is made of besides its decoration.
struct RowParts<'a> {
    spans: &'a [Span<'static>],
    block: u32,
    links: Vec<LinkCell>,
    frame: Option<u32>,
    code_line: Option<CodeLine>,
    task: Option<(u32, u16)>,
    indent: u16,
}

/// The index of `style` in `styles`, added if new.
fn style_id(styles: &mut Vec<Style>, style: Style) -> u16 {
    // A guide uses a few dozen styles at most: a scan is cheaper than hashing.
    if let Some(i) = styles.iter().rposition(|s| *s == style) {
        return i as u16;
    }
    styles.push(style);
    (styles.len() - 1).min(usize::from(u16::MAX)) as u16
}

/// The source line of a code row has no bytes on it (an empty line).
const EMPTY_LINE: u32 = 1 << 30;

impl Store {
    /// The text and runs just stored, or those of an earlier row drawn the same way (the
    /// new copy is then dropped).
    fn share(&mut self, text: u32, runs: (u32, u32)) -> (u32, u32) {
        let (Some(r), Some(end)) = (
            self.runs.get(runs.0 as usize..runs.1 as usize),
            self.runs
                .get(runs.0 as usize..runs.1 as usize)
                .and_then(|r| r.last()),
        ) else {
            return (text, runs.0);
        };
        let Some(s) = self.text.get(text as usize..end.end as usize) else {
            return (text, runs.0);
        };
        let key = (
            s.to_string(),
            r.iter().map(|run| (run.end - text, run.style)).collect(),
        );
        match self.shared.get(&key) {
            Some(&earlier) => {
                self.text.truncate(text as usize);
                self.runs.truncate(runs.0 as usize);
                earlier
            }
            None => {
                self.shared.insert(key, (text, runs.0));
                (text, runs.0)
            }
        }
    }

    /// Stores a row: the decoration's spans, then its own.
    fn push(&mut self, rows: &mut Vec<Row>, prefix: &[Span<'static>], parts: RowParts<'_>) {
        let text_start = self.text.len() as u32;
        let runs_start = self.runs.len();
        for span in prefix.iter().chain(parts.spans) {
            if span.content.is_empty() {
                continue;
            }
            self.text.push_str(&span.content);
            let style = style_id(&mut self.styles, span.style);
            self.runs.push(Run {
                end: self.text.len() as u32,
                style,
            });
        }
        // A row of more styled pieces than a count holds (thousands of zero-width
        // characters, each styled apart) keeps its text; its tail takes one style.
        let most = runs_start + usize::from(u16::MAX);
        if self.runs.len() > most {
            let end = self.text.len() as u32;
            self.runs.truncate(most);
            if let Some(last) = self.runs.last_mut() {
                last.end = end;
            }
        }
        let runs_len = (self.runs.len() - runs_start) as u16;
        let block = parts.block.min(BLOCK_MASK);
        let (mut text, mut runs) = (text_start, runs_start as u32);
        let (kind, a, b) = match (parts.frame, parts.code_line) {
            (Some(frame), code_line) => {
                if self.frames.last().is_none_or(|&(b, _)| b != block) {
                    self.frames.push((block, frame));
                }
                match code_line {
                    None => {
                        (text, runs) = self.share(text_start, (runs, runs + u32::from(runs_len)));
                        (Kind::Border, NONE, 0)
                    }
                    Some(cl) => {
                        // The code text is the row's last span (absent when empty).
                        let shown = parts.spans.last().map_or(0, |s| s.content.len());
                        let len = cl.end.saturating_sub(cl.start) as usize;
                        let line = cl.line.min(EMPTY_LINE - 1);
                        if len == shown && len == 0 {
                            (Kind::Code, line | EMPTY_LINE, cl.start)
                        } else if len == shown {
                            (Kind::Code, line, cl.start)
                        } else {
                            self.placeholders.push(cl);
                            (
                                Kind::Code,
                                line | PLACEHOLDER,
                                (self.placeholders.len() - 1) as u32,
                            )
                        }
                    }
                }
            }
            (None, _) if parts.links.is_empty() && parts.task.is_none() => (Kind::Plain, NONE, 0),
            (None, _) => {
                let start = self.link_cells.len() as u32;
                self.link_cells.extend(parts.links);
                self.extras.push(Extra {
                    links: (start, self.link_cells.len() as u32),
                    task: parts.task,
                });
                (Kind::Plain, (self.extras.len() - 1) as u32, 0)
            }
        };
        rows.push(Row {
            text,
            runs,
            block: block | ((kind as u32) << KIND_SHIFT),
            a,
            b,
            runs_len,
            indent: parts.indent,
        });
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.runs.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.link_cells.shrink_to_fit();
        self.frames.shrink_to_fit();
        self.placeholders.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.text.capacity()
            + self.runs.capacity() * size_of::<Run>()
            + self.styles.capacity() * size_of::<Style>()
            + self.extras.capacity() * size_of::<Extra>()
            + self.link_cells.capacity() * size_of::<LinkCell>()
            + self.frames.capacity() * 8
            + self.placeholders.capacity() * size_of::<CodeLine>()
            + self
                .shared
                .keys()
                .map(|(s, r)| s.capacity() + r.capacity() * 8 + 64)
                .sum::<usize>()
    }
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub width: u16,
    /// The rows of blocks `first_block..`, in order: row 0 is the first row of
    /// `first_block` (or the gap above it).
    pub rows: Vec<Row>,
    /// The first row of each laid-out block, from `first_block` on.
    pub block_rows: Vec<u32>,
    /// The first block laid out: 0 unless this layout started further down.
    first_block: usize,
    /// Blocks from 0 up to `first_block`, being laid out in idle time; put in front of
    /// the rows once it reaches `first_block`.
    head: Option<Box<Layout>>,
    /// Row 0 is the gap above `first_block`, drawn on the assumption that some block
    /// above has rows. Joined to blocks above that turn out to have none, it goes.
    leading_gap: bool,
    /// How far row numbers moved (rows put in front) since [`Layout::take_shift`].
    shift: isize,
    /// Tells this layout from any other, so what is derived from its rows (the search
    /// index) knows when to be rebuilt.
    id: u64,
    store: Store,
}

impl Layout {
    pub fn new(width: u16) -> Layout {
        Layout {
            width: width.max(1),
            rows: Vec::new(),
            block_rows: Vec::new(),
            first_block: 0,
            head: None,
            leading_gap: false,
            shift: 0,
            id: text_index::next_layout_id(),
            store: Store::default(),
        }
    }

    /// This layout's identity (see [`text_index::TextIndex::is_for`]).
    pub fn id(&self) -> u64 {
        self.id
    }

    fn runs_of(&self, row: &Row) -> &[Run] {
        let start = row.runs as usize;
        self.store
            .runs
            .get(start..start + usize::from(row.runs_len))
            .unwrap_or(&[])
    }

    /// Where a row's text ends in the layout's text.
    fn text_end(&self, row: &Row) -> u32 {
        self.runs_of(row).last().map_or(row.text, |r| r.end)
    }

    /// A row's text without styles.
    pub fn text_of(&self, row: &Row) -> &str {
        self.store
            .text
            .get(row.text as usize..self.text_end(row) as usize)
            .unwrap_or("")
    }

    /// The text of row `i` (empty past the end).
    pub fn row_text(&self, i: usize) -> &str {
        self.rows.get(i).map_or("", |r| self.text_of(r))
    }

    /// How many styled spans [`Layout::spans`] gives for `row`.
    pub fn span_count(&self, row: &Row) -> usize {
        usize::from(row.runs_len)
    }

    /// A row as styled spans borrowing the layout's text.
    pub fn spans(&self, row: &Row) -> Vec<Span<'_>> {
        let mut start = row.text as usize;
        self.runs_of(row)
            .iter()
            .map(|r| {
                let end = r.end as usize;
                let text = self.store.text.get(start..end).unwrap_or("");
                start = end;
                let style = self.store.styles.get(usize::from(r.style)).copied();
                Span::styled(text, style.unwrap_or_default())
            })
            .collect()
    }

    fn extra(&self, row: &Row) -> Option<&Extra> {
        if row.kind() != Kind::Plain || row.a == NONE {
            return None;
        }
        self.store.extras.get(row.a as usize)
    }

    /// Link cells, in columns from the row's start.
    pub fn links(&self, row: &Row) -> &[LinkCell] {
        self.extra(row)
            .and_then(|e| {
                self.store
                    .link_cells
                    .get(e.links.0 as usize..e.links.1 as usize)
            })
            .unwrap_or(&[])
    }

    /// A task item's box on this row: task index and the column of its `[`.
    pub fn task(&self, row: &Row) -> Option<(u32, u16)> {
        self.extra(row).and_then(|e| e.task)
    }

    /// For every row of a code block's frame: the code block's index.
    pub fn frame(&self, row: &Row) -> Option<u32> {
        if !row.in_code() {
            return None;
        }
        let block = row.block();
        let frames = &self.store.frames;
        let i = frames.partition_point(|&(b, _)| b < block);
        frames.get(i).filter(|&&(b, _)| b == block).map(|&(_, f)| f)
    }

    /// One line of a code block: which source line and which bytes of it this row shows.
    pub fn code_line(&self, row: &Row) -> Option<CodeLine> {
        if row.kind() != Kind::Code {
            return None;
        }
        if row.a & PLACEHOLDER != 0 {
            return self.store.placeholders.get(row.b as usize).copied();
        }
        let line = row.a & !(PLACEHOLDER | EMPTY_LINE);
        let len = if row.a & EMPTY_LINE != 0 {
            0
        } else {
            // The code text is the row's last run.
            let runs = self.runs_of(row);
            let before = match runs.len() {
                0 => row.text,
                1 => row.text,
                n => runs[n - 2].end,
            };
            runs.last().map_or(0, |r| r.end - before)
        };
        Some(CodeLine {
            line,
            start: row.b,
            end: row.b + len,
        })
    }

    /// Bytes held by the rows, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Row>()
            + self.store.heap_bytes()
            + self.block_rows.capacity() * 4
            + self.head.as_ref().map_or(0, |h| h.heap_bytes())
    }

    /// Gives back what growing by doubling left unused, once every block is laid out.
    fn settle(&mut self, doc: &Doc) {
        if self.is_complete(doc) {
            self.rows.shrink_to_fit();
            self.block_rows.shrink_to_fit();
            self.store.shrink_to_fit();
        }
    }

    /// A layout whose rows start at block `first`: the blocks above it are laid out
    /// later ([`Layout::extend_blocks`] in idle time, or whatever needs them).
    pub fn starting_at(width: u16, first: usize) -> Layout {
        Layout {
            first_block: first,
            ..Layout::new(width)
        }
    }

    /// The first block laid out (row 0 belongs to it).
    pub fn first_block(&self) -> usize {
        self.first_block
    }

    /// How far row numbers moved since the last call: rows put in front of row 0 (blocks
    /// above the first one laid out) move every row down by this many. Whoever keeps row
    /// numbers (the top of the screen, a cursor) adds it.
    pub fn take_shift(&mut self) -> isize {
        std::mem::take(&mut self.shift)
    }

    /// Every block is laid out.
    pub fn is_complete(&self, doc: &Doc) -> bool {
        self.first_block == 0 && self.reaches_end(doc)
    }

    /// The last block is laid out (the blocks above the first may not be).
    pub fn reaches_end(&self, doc: &Doc) -> bool {
        self.first_block + self.block_rows.len() >= doc.blocks.len()
    }

    /// Lays out blocks until at least `rows` rows exist or the document ends.
    pub fn extend_to_rows(&mut self, doc: &Doc, theme: &Theme, rows: usize) {
        while self.rows.len() < rows && !self.reaches_end(doc) {
            self.layout_next(doc, theme);
        }
    }

    /// Lays out at most `n` more blocks: the blocks above the first, if any (joined in
    /// front once all are done), then the rest.
    pub fn extend_blocks(&mut self, doc: &Doc, theme: &Theme, n: usize) {
        let mut left = n;
        if self.first_block > 0 {
            let (width, target) = (self.width, self.first_block);
            let head = self
                .head
                .get_or_insert_with(|| Box::new(Layout::new(width)));
            while left > 0 && head.block_rows.len() < target {
                head.layout_next(doc, theme);
                left -= 1;
            }
            if head.block_rows.len() < target && !head.reaches_end(doc) {
                return;
            }
            self.join_head(doc, theme);
        }
        for _ in 0..left {
            if self.reaches_end(doc) {
                break;
            }
            self.layout_next(doc, theme);
        }
    }

    /// Lays out every block up to and including `block`.
    pub fn extend_to_block(&mut self, doc: &Doc, theme: &Theme, block: usize) {
        if block < self.first_block {
            self.join_head(doc, theme);
        }
        while self.first_block + self.block_rows.len() <= block && !self.reaches_end(doc) {
            self.layout_next(doc, theme);
        }
    }

    pub fn finish(&mut self, doc: &Doc, theme: &Theme) {
        self.join_head(doc, theme);
        while !self.reaches_end(doc) {
            self.layout_next(doc, theme);
        }
    }

    /// The row where block `b` starts, laying out up to it if needed.
    pub fn block_row(&mut self, doc: &Doc, theme: &Theme, b: usize) -> Option<usize> {
        self.extend_to_block(doc, theme, b);
        let i = b.checked_sub(self.first_block)?;
        self.block_rows.get(i).map(|&r| r as usize)
    }

    /// Lays out the blocks above the first one, so the layout starts at block 0.
    pub fn join_head(&mut self, doc: &Doc, theme: &Theme) {
        if self.first_block == 0 {
            return;
        }
        let mut head = self
            .head
            .take()
            .map_or_else(|| Layout::new(self.width), |h| *h);
        while head.block_rows.len() < self.first_block && !head.reaches_end(doc) {
            head.layout_next(doc, theme);
        }
        self.put_in_front(head);
        self.settle(doc);
    }

    /// Lays out blocks above the first one, nearest first, until at least `rows` rows
    /// exist or block 0 is reached: a screen at the end of a guide is filled from the
    /// end, without the blocks far above it.
    pub fn extend_up_to_rows(&mut self, doc: &Doc, theme: &Theme, rows: usize) {
        // A few blocks at a time, more each round: each round copies the rows laid out
        // so far, which stay few (about a screen).
        let mut batch = 4;
        while self.rows.len() < rows && self.first_block > 0 {
            let from = self.first_block.saturating_sub(batch);
            let mut front = Layout::starting_at(self.width, from);
            while front.first_block + front.block_rows.len() < self.first_block {
                front.layout_next(doc, theme);
            }
            // A head being laid out from block 0 still fits in front of the new first
            // block unless it already went past it.
            let head = self.head.take().filter(|h| h.block_rows.len() <= from);
            self.put_in_front(front);
            self.head = head;
            batch *= 2;
        }
        self.settle(doc);
    }

    /// Joins `front` (the blocks from its first up to this layout's first) in front of
    /// these rows; this layout then starts where `front` does.
    fn put_in_front(&mut self, front: Layout) {
        let tail = std::mem::replace(self, front);
        // The gap above the old first block was drawn for rows above it; there are none
        // if everything from block 0 up to it came out empty.
        let drop_gap = tail.leading_gap && self.rows.is_empty() && self.first_block == 0;
        if self.rows.is_empty() && !drop_gap {
            self.leading_gap = tail.leading_gap;
        }
        let skip = usize::from(drop_gap);
        let base = self.rows.len();
        let into = &mut self.store;
        let from = tail.store;
        let text_base = into.text.len() as u32;
        let runs_base = into.runs.len() as u32;
        let extras_base = into.extras.len() as u32;
        let links_base = into.link_cells.len() as u32;
        let placeholders_base = into.placeholders.len() as u32;
        let styles: Vec<u16> = from
            .styles
            .iter()
            .map(|s| style_id(&mut into.styles, *s))
            .collect();
        into.text.push_str(&from.text);
        into.runs.extend(from.runs.iter().map(|r| Run {
            end: r.end + text_base,
            style: styles.get(usize::from(r.style)).copied().unwrap_or(0),
        }));
        into.link_cells.extend_from_slice(&from.link_cells);
        into.extras.extend(from.extras.iter().map(|e| Extra {
            links: (e.links.0 + links_base, e.links.1 + links_base),
            task: e.task,
        }));
        into.placeholders.extend_from_slice(&from.placeholders);
        // Blocks of the front come before the tail's: the list stays in block order.
        for f in from.frames {
            if into.frames.last() != Some(&f) {
                into.frames.push(f);
            }
        }
        // Only the front's shared rows are kept for sharing: the tail's stay as they are.
        self.rows.reserve(tail.rows.len().saturating_sub(skip));
        for mut row in tail.rows.into_iter().skip(skip) {
            row.text += text_base;
            row.runs += runs_base;
            match row.kind() {
                Kind::Plain if row.a != NONE => row.a += extras_base,
                Kind::Code if row.a & PLACEHOLDER != 0 => row.b += placeholders_base,
                _ => {}
            }
            self.rows.push(row);
        }
        self.block_rows.extend(
            tail.block_rows
                .iter()
                .map(|&r| (r as usize + base).saturating_sub(skip) as u32),
        );
        self.shift = tail.shift + base as isize - skip as isize;
        // Rows before the search index's rows changed: it must be rebuilt.
        self.id = text_index::next_layout_id();
    }

    fn layout_next(&mut self, doc: &Doc, theme: &Theme) {
        let index = self.first_block + self.block_rows.len();
        let Some(block) = doc.blocks.get(index) else {
            return;
        };
        let width = usize::from(self.width);
        let rows = &mut self.rows;
        let store = &mut self.store;
        // Blocks above the first are assumed to have rows (see `leading_gap`).
        let rows_above = !rows.is_empty() || self.first_block > 0;
        if block.gap_before && rows_above {
            self.leading_gap |= rows.is_empty();
            let gap = prefix(&block.frames, Part::Gap, width, theme);
            store.push(
                rows,
                &gap.spans,
                RowParts {
                    spans: &[],
                    block: index as u32,
                    links: Vec::new(),
                    frame: None,
                    code_line: None,
                    task: None,
                    indent: 0,
                },
            );
        }
        self.block_rows.push(rows.len() as u32);
        render_block(doc, index, block, width, theme, rows, store);
        if index + 1 == doc.blocks.len() {
            self.settle(doc);
        }
    }
}

/// Frees a layout on a thread kept for that: freeing a large guide's rows takes longer
/// than a frame lasts, and a resize replaces them. Small layouts are freed here.
pub fn discard(layout: Layout) {
    use std::sync::OnceLock;
    use std::sync::mpsc::{Sender, channel};
    static BIN: OnceLock<Option<Sender<Layout>>> = OnceLock::new();
    if layout.rows.len() < 10_000 {
        return;
    }
    let bin = BIN.get_or_init(|| {
        let (tx, rx) = channel::<Layout>();
        std::thread::Builder::new()
            .name("discard".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    // Without the thread (it could not be started), freed here after all.
    if let Some(tx) = bin {
        let _ = tx.send(layout);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    First,
    Rest,
    Gap,
}

struct Prefix {
    spans: Vec<Span<'static>>,
    width: usize,
    task: Option<(u32, u16)>,
}

/// The most of the width decoration may take: content always keeps some room.
fn max_prefix(width: usize) -> usize {
    width.saturating_sub(width.min(8))
}

fn prefix(frames: &[Frame], part: Part, width: usize, theme: &Theme) -> Prefix {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut w = 0;
    let mut task = None;
    let frames = match part {
        Part::Gap => &frames[..frames.iter().position(|f| f.first).unwrap_or(frames.len())],
        _ => frames,
    };
    for frame in frames {
        let first = part == Part::First && frame.first;
        match &frame.container {
            Container::Quote => {
                spans.push(Span::styled("\u{2502} ", theme.quote_bar));
                w += 2;
            }
            Container::Item { marker, task: t } => {
                let m: std::borrow::Cow<'static, str> = match marker {
                    ListMarker::Bullet { depth } => {
                        ["\u{2022} ", "\u{25e6} ", "\u{25aa} "][usize::from(*depth) % 3].into()
                    }
                    ListMarker::Ordered(n) => format!("{n}. ").into(),
                };
                let mw = str_width(&m);
                let boxed = t.is_some() && frame.first && part != Part::Gap;
                if first {
                    spans.push(Span::styled(m, theme.list_marker));
                    w += mw;
                    if let Some(t) = t {
                        task = Some((*t, w as u16));
                        spans.push(Span::styled("[ ] ", theme.task_open));
                        w += 4;
                    }
                } else {
                    let n = mw + if boxed { 4 } else { 0 };
                    spans.push(Span::raw(" ".repeat(n)));
                    w += n;
                }
            }
            Container::Footnote { label } => {
                if first {
                    let m = format!("[^{label}]: ");
                    w += str_width(&m);
                    spans.push(Span::styled(m, theme.footnote));
                } else {
                    spans.push(Span::raw("    "));
                    w += 4;
                }
            }
            Container::Folded { levels } => {
                let m = format!("\u{bb}{levels} ");
                w += str_width(&m);
                spans.push(Span::styled(m, theme.muted));
            }
        }
    }
    let max = max_prefix(width);
    if w > max {
        let (cut, cut_w) = truncate_spans(spans, max);
        spans = cut;
        w = cut_w;
        task = task.filter(|(_, col)| usize::from(*col) + 3 <= w);
    }
    Prefix {
        spans,
        width: w,
        task,
    }
}

fn truncate_spans(spans: Vec<Span<'static>>, max: usize) -> (Vec<Span<'static>>, usize) {
    let mut out = Vec::new();
    let mut w = 0;
    for s in spans {
        let (part, pw) = fit_prefix(&s.content, max - w);
        if pw == 0 {
            break;
        }
        out.push(Span::styled(part.to_string(), s.style));
        w += pw;
    }
    (out, w)
}

/// Style and link of each inline run, on top of `base`.
pub(crate) fn inline_pieces<'a>(
    text: &'a str,
    inlines: &'a [Inline],
    base: Style,
    theme: &Theme,
) -> impl Iterator<Item = (&'a str, Style, Option<u32>)> + 'a {
    let styles: Vec<Style> = inlines
        .iter()
        .map(|i| base.patch(theme.inline(i.style)))
        .collect();
    inlines
        .iter()
        .zip(styles)
        .map(|(i, s)| (i.text_in(text), s, i.link()))
}

/// A laid-out piece of a block before its prefix is added.
struct Content {
    line: WrappedLine,
    frame: Option<u32>,
    code_line: Option<CodeLine>,
    /// Decoration at the start of the content itself (a code frame's bar).
    indent: u16,
}

impl From<WrappedLine> for Content {
    fn from(line: WrappedLine) -> Content {
        Content {
            line,
            frame: None,
            code_line: None,
            indent: 0,
        }
    }
}

fn render_block(
    doc: &Doc,
    index: usize,
    block: &Block,
    width: usize,
    theme: &Theme,
    rows: &mut Vec<Row>,
    out: &mut Store,
) {
    let first = prefix(&block.frames, Part::First, width, theme);
    let rest = prefix(&block.frames, Part::Rest, width, theme);
    let content_width = width.saturating_sub(first.width.max(rest.width)).max(1);
    let content = leaf_content(doc, &block.leaf, content_width, theme);
    for (i, c) in content.into_iter().enumerate() {
        let p = if i == 0 { &first } else { &rest };
        let shift = p.width as u16;
        let links = c
            .line
            .links
            .iter()
            .map(|l| LinkCell {
                start: l.start + shift,
                end: l.end + shift,
                link: l.link,
            })
            .collect();
        out.push(
            rows,
            &p.spans,
            RowParts {
                spans: &c.line.spans,
                block: index as u32,
                links,
                frame: c.frame,
                code_line: c.code_line,
                task: if i == 0 { first.task } else { None },
                indent: shift + c.indent,
            },
        );
    }
}

fn leaf_content(doc: &Doc, leaf: &Leaf, width: usize, theme: &Theme) -> Vec<Content> {
    match leaf {
        Leaf::Paragraph(inlines) => wrap(
            inline_pieces(&doc.inline_text, inlines, theme.text, theme),
            width,
        )
        .into_iter()
        .map(Content::from)
        .collect(),
        Leaf::Heading { level, inlines, .. } => heading(doc, *level, inlines, width, theme),
        Leaf::Code(i) => code(doc, *i, width, theme),
        Leaf::Html(text) => wrap([(&**text, theme.muted, None)], width)
            .into_iter()
            .map(Content::from)
            .collect(),
        Leaf::Rule => vec![single("\u{2500}".repeat(width), width, theme.muted)],
        Leaf::Table(t) => table::render(&doc.inline_text, t, width, theme)
            .into_iter()
            .map(Content::from)
            .collect(),
    }
}

fn single(text: String, width: usize, style: Style) -> Content {
    Content::from(WrappedLine {
        spans: vec![Span::styled(text, style)],
        links: Vec::new(),
        width,
    })
}

fn heading(doc: &Doc, level: u8, inlines: &[Inline], width: usize, theme: &Theme) -> Vec<Content> {
    let style = theme.heading(level);
    if level <= 2 {
        let lines = wrap(
            inline_pieces(&doc.inline_text, inlines, style, theme),
            width,
        );
        let text_width = lines
            .iter()
            .map(|l| l.width)
            .max()
            .unwrap_or(0)
            .clamp(1, width);
        let rule = if level == 1 { "\u{2501}" } else { "\u{2500}" };
        let mut out: Vec<Content> = lines.into_iter().map(Content::from).collect();
        out.push(single(rule.repeat(text_width), text_width, style));
        out
    } else {
        let marks = format!("{} ", "#".repeat(usize::from(level)));
        let mut pieces = vec![(marks.as_str(), theme.muted, None)];
        pieces.extend(inline_pieces(&doc.inline_text, inlines, style, theme));
        wrap(pieces, width).into_iter().map(Content::from).collect()
    }
}

fn code(doc: &Doc, index: u32, width: usize, theme: &Theme) -> Vec<Content> {
    let Some(block) = doc.code_blocks.get(index as usize) else {
        return Vec::new();
    };
    let framed = width >= 6;
    let inner = if framed { width - 2 } else { width };
    let mut out = Vec::new();
    let frame = Some(index);
    if framed {
        let mut top = WrappedLine::default();
        top.spans
            .push(Span::styled("\u{250c}\u{2500}", theme.code_frame));
        top.width = 2;
        if let Some(lang) = &block.lang {
            let (label, lw) = fit_prefix(lang, width.saturating_sub(5));
            top.spans
                .push(Span::styled(format!(" {label} "), theme.code_lang));
            top.width += lw + 2;
        }
        let fill = width.saturating_sub(top.width);
        top.spans
            .push(Span::styled("\u{2500}".repeat(fill), theme.code_frame));
        top.width += fill;
        out.push(Content {
            line: top,
            frame,
            code_line: None,
            indent: 0,
        });
    }
    let body = block.display.strip_suffix('\n').unwrap_or(&block.display);
    for (ln, line) in body.split('\n').enumerate() {
        for (piece, r) in split_by_width(line, inner).into_iter().enumerate() {
            let mut l = WrappedLine::default();
            if framed {
                // A dashed bar marks the continuation of a wrapped code line.
                let bar = if piece == 0 { "\u{2502} " } else { "\u{250a} " };
                l.spans.push(Span::styled(bar, theme.code_frame));
            }
            let mut text = &line[r.clone()];
            let mut text_width = str_width(text);
            if text_width > inner {
                // A wide character in a one-cell column cannot be drawn; mark its place.
                text = "\u{2026}";
                text_width = 1;
            }
            l.width = text_width + if framed { 2 } else { 0 };
            l.spans
                .push(Span::styled(text.to_string(), theme.code_text));
            let code_line = Some(CodeLine {
                line: ln as u32,
                start: r.start as u32,
                end: r.end as u32,
            });
            out.push(Content {
                line: l,
                frame,
                code_line,
                indent: if framed { 2 } else { 0 },
            });
        }
    }
    if framed {
        let bottom = format!("\u{2514}{}", "\u{2500}".repeat(width - 1));
        out.push(Content {
            line: WrappedLine {
                spans: vec![Span::styled(bottom, theme.code_frame)],
                links: Vec::new(),
                width,
            },
            frame,
            code_line: None,
            indent: 0,
        });
    }
    out
}

/// The row's spans with syntax colours applied to its code text, when a highlight for
/// its block is ready.
pub fn styled_spans<'a>(
    layout: &'a Layout,
    row: &Row,
    highlight: Option<&Highlighted>,
) -> Vec<Span<'a>> {
    let spans = layout.spans(row);
    let (Some(cl), Some(hl)) = (layout.code_line(row), highlight) else {
        return spans;
    };
    let Some((last, head)) = spans.split_last() else {
        return Vec::new();
    };
    let text: &'a str = match &last.content {
        std::borrow::Cow::Borrowed(s) => s,
        std::borrow::Cow::Owned(_) => return spans,
    };
    let (start, end) = (cl.start as usize, cl.end as usize);
    if end.saturating_sub(start) != text.len() {
        // The row shows a placeholder instead of its source bytes: nothing to colour.
        return spans;
    }
    let base = last.style;
    let mut out: Vec<Span<'a>> = head.to_vec();
    let mut pos = start;
    if let Some(ranges) = hl.get(cl.line as usize) {
        for (style, r) in ranges {
            let (a, b) = (r.start.max(pos), r.end.min(end));
            if a >= b {
                continue;
            }
            if a > pos {
                out.push(Span::styled(
                    text.get(pos - start..a - start).unwrap_or(""),
                    base,
                ));
            }
            if let Some(piece) = text.get(a - start..b - start) {
                out.push(Span::styled(piece, base.patch(*style)));
            }
            pos = b;
        }
    }
    if pos < end {
        out.push(Span::styled(text.get(pos - start..).unwrap_or(""), base));
    }
    out
}

#[cfg(test)]
mod tests;
