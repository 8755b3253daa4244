//! pulldown-cmark events → [`Doc`], iteratively, with one stack of open containers.

use std::collections::HashMap;

use pulldown_cmark::{
    BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use super::anchor::{AnchorSet, slug};
use super::pieces;
use super::{
    Align, Block, CodeBlock, Container, Doc, Frame, Heading, Inline, Leaf, Link, ListMarker, Table,
    TaskItem, expand_tabs, html, style,
};
use crate::sanitize::{sanitize, sanitize_line};

/// Nesting kept as real frames; anything deeper is folded into one marker so a hostile
/// document of 10,000 nested quotes costs no more than one of 64.
pub const MAX_NESTING: usize = 64;

const TAB_STOP: usize = 4;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// Parses markdown (front matter already removed) into a document.
pub fn parse(markdown: &str) -> Doc {
    parse_blocks(markdown, usize::MAX).0
}

/// How much text a prefix parse reads at first; four times more on each retry.
const PREFIX_SLICE: usize = 64 * 1024;

/// A prefix parse is kept only if it stopped at least this far before the cut: every
/// block it holds then ended on its own, not because the text did.
const PREFIX_MARGIN: usize = 4 * 1024;

/// The first `max_blocks` blocks of a document (at least), stopping only between
/// top-level blocks: enough for a first screen of a large guide while the whole is
/// parsed elsewhere. Blocks and their indices are those of the full parse.
///
/// Only a slice of the text from the top is handed to the parser (whose first pass reads
/// all it is given), so the cost does not grow with the guide. Inline details that depend
/// on text further down (a link's reference definition, a footnote) show as written
/// until the whole parse replaces the prefix.
pub fn parse_prefix(markdown: &str, max_blocks: usize) -> Doc {
    let mut len = PREFIX_SLICE;
    loop {
        if len >= markdown.len() {
            return parse_blocks(markdown, max_blocks).0;
        }
        let mut cut = len;
        while !markdown.is_char_boundary(cut) {
            cut -= 1;
        }
        let (doc, stopped_at) = parse_blocks(&markdown[..cut], max_blocks);
        if stopped_at.is_some_and(|at| at + PREFIX_MARGIN <= cut) {
            return doc;
        }
        len = len.saturating_mul(4);
    }
}

/// [`parse`] with one parser over the whole text, however large: what the piece-by-piece
/// parse is measured against.
#[doc(hidden)]
pub fn parse_with_one_parser(markdown: &str) -> Doc {
    parse_whole(markdown, usize::MAX).0
}

/// Documents larger than this are parsed piece by piece: the parser's tree of a whole
/// document is several times its size, held at once on top of the document being built.
const PIECES_OVER: usize = 2 * pieces::PIECE_BYTES;

/// The document, and where parsing stopped when `max_blocks` was reached first.
fn parse_blocks(markdown: &str, max_blocks: usize) -> (Doc, Option<usize>) {
    if max_blocks == usize::MAX
        && markdown.len() > PIECES_OVER
        && let Some(doc) = parse_in_pieces(markdown, pieces::PIECE_BYTES)
    {
        return (doc, None);
    }
    parse_whole(markdown, max_blocks)
}

/// [`parse_blocks`] with one parser over the whole text.
fn parse_whole(markdown: &str, max_blocks: usize) -> (Doc, Option<usize>) {
    let mut b = Builder::new(markdown);
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        b.offset = range.start;
        b.event(event);
        if b.doc.blocks.len() >= max_blocks && b.open.is_empty() && b.target.is_none() {
            b.flush_paragraph();
            return (b.finish(), Some(range.end));
        }
    }
    b.flush_paragraph();
    (b.finish(), None)
}

/// [`parse`] one piece at a time (see [`pieces`]); `None` when the document may read
/// differently in pieces than whole, to be parsed whole instead.
fn parse_in_pieces(markdown: &str, piece_bytes: usize) -> Option<Doc> {
    if pieces::may_define_footnotes(markdown) {
        return None;
    }
    let starts = pieces::starts(markdown, piece_bytes);
    if starts.len() < 2 {
        return None;
    }
    let ends: Vec<usize> = starts[1..]
        .iter()
        .copied()
        .chain([markdown.len()])
        .collect();
    // References resolved from the definitions read so far, which is all it takes unless
    // a reference comes before its definition's piece.
    match pieced(markdown, &ends, Resolve::Earlier(HashMap::new())) {
        Ok(doc) => return Some(doc),
        Err(Retry::Whole) => return None,
        Err(Retry::AllDefinitions) => {}
    }
    // Every reference definition, gathered into one parser so the first one of a label
    // wins as in the whole document; each piece's own must read the same there (a label
    // defined again differently further down would not).
    let found = definitions(markdown, &starts, &ends)?;
    let all = found
        .iter()
        .map(|(source, ..)| *source)
        .collect::<Vec<_>>()
        .join("\n\n");
    let gathered = Parser::new_ext(&all, options());
    let defs = gathered.reference_definitions();
    if !found.iter().all(|(_, label, dest, title)| {
        defs.get(label)
            .is_some_and(|g| *g.dest == **dest && g.title.as_deref() == title.as_deref())
    }) {
        return None;
    }
    pieced(markdown, &ends, Resolve::All(defs)).ok()
}

/// Where a reference a piece does not define itself finds its target.
enum Resolve<'d, 'g> {
    /// The definitions of the pieces before, by lower-cased label (first wins); only
    /// ASCII labels, whose matching is plain ASCII case folding.
    Earlier(HashMap<String, (String, String)>),
    /// Every definition of the document, gathered in one parser.
    All(&'d pulldown_cmark::RefDefs<'g>),
}

/// Why a piece-by-piece parse was given up.
enum Retry {
    /// A reference before its definition's piece, or a label only Unicode case folding
    /// matches: gather every definition first.
    AllDefinitions,
    /// The pieces would read differently from the whole: parse it whole.
    Whole,
}

/// The document parsed piece by piece, the pieces ending at `ends`.
fn pieced(markdown: &str, ends: &[usize], mut resolve: Resolve<'_, '_>) -> Result<Doc, Retry> {
    // Where the last line that could close a metadata block starts, per fence character:
    // looked for only when a piece holds a line that could open one.
    let mut closings: [Option<Option<usize>>; 2] = [None, None];
    let mut b = Builder::new(markdown);
    let mut expanded_total = 0;
    // Labels a piece referred to that no definition read so far matched.
    let mut missed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut unicode = false;
    let mut start = 0;
    for &end in ends {
        let piece = &markdown[start..end];
        let last = end == markdown.len();
        // Where the blank line before the next piece starts, relative to this piece.
        let blank = piece[..piece.len().saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |at| at + 1);
        let callback = |link: BrokenLink<'_>| {
            let found = match &resolve {
                Resolve::All(defs) => defs.get(&link.reference).map(|d| {
                    (
                        d.dest.to_string(),
                        d.title.as_deref().unwrap_or("").to_string(),
                    )
                }),
                Resolve::Earlier(_) if !link.reference.is_ascii() => {
                    unicode = true;
                    None
                }
                Resolve::Earlier(defs) => {
                    let key = link.reference.to_ascii_lowercase();
                    let found = defs.get(&key).cloned();
                    if found.is_none() && !missed.contains(&key) {
                        missed.insert(key);
                    }
                    found
                }
            };
            found.map(|(dest, title)| (CowStr::from(dest), CowStr::from(title)))
        };
        let parser = Parser::new_with_broken_link_callback(piece, options(), Some(callback));
        let local: Vec<(String, String, String)> = match resolve {
            Resolve::All(_) => Vec::new(),
            Resolve::Earlier(_) => parser
                .reference_definitions()
                .iter()
                .map(|(label, d)| {
                    let title = d.title.as_deref().unwrap_or("").to_string();
                    (label.to_string(), d.dest.to_string(), title)
                })
                .collect(),
        };
        let mut depth = 0usize;
        let mut expanded = 0;
        // A top-level fenced code or HTML block, held back until it is known to have
        // ended before the cut.
        let mut held: Vec<(Event<'_>, std::ops::Range<usize>)> = Vec::new();
        let mut holding = false;
        for (event, range) in parser.into_offset_iter() {
            if let Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    ..
                },
            ) = &event
                && is_reference(*link_type)
            {
                expanded += dest_url.len() + title.len();
            }
            // A `---` or `+++` line that did not open a metadata block for want of a
            // closing line in this piece would open one if the whole has one further down.
            if let Event::Rule | Event::Start(Tag::Paragraph) = event
                && let Some(c) = pieces::may_open_at(&piece[range.start..])
                && closings[usize::from(c == b'+')]
                    .get_or_insert_with(|| last_closing(markdown, c))
                    .is_some_and(|at| at >= end)
            {
                return Err(Retry::Whole);
            }
            if !holding {
                for (e, r) in held.drain(..) {
                    b.offset = start + r.start;
                    b.event(e);
                }
                holding = !last
                    && depth == 0
                    && matches!(
                        event,
                        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_)) | Tag::HtmlBlock)
                    );
            }
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            if holding {
                held.push((event, range));
                holding = depth > 0;
                continue;
            }
            b.offset = start + range.start;
            b.event(event);
        }
        // This piece's definitions join those read before; one that a piece before
        // defined otherwise reads differently here than in the whole.
        if let Resolve::Earlier(defs) = &mut resolve {
            for (label, dest, title) in local {
                if !label.is_ascii() {
                    return Err(Retry::AllDefinitions);
                }
                match defs.entry(label.to_ascii_lowercase()) {
                    std::collections::hash_map::Entry::Occupied(e) => {
                        if *e.get() != (dest, title) {
                            return Err(Retry::Whole);
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((dest, title));
                    }
                }
            }
        }
        if unicode {
            return Err(Retry::AllDefinitions);
        }
        // pulldown-cmark stops expanding references past a budget set by the length of
        // its text: a piece must stay within both its own and the whole's.
        if expanded >= piece.len().max(100_000) {
            return Err(Retry::Whole);
        }
        expanded_total += expanded;
        match held.first() {
            // Still open at the cut: it runs on into the next piece; read it with that.
            Some((_, r)) if r.end > blank => start += r.start,
            _ => {
                for (e, r) in held.drain(..) {
                    b.offset = start + r.start;
                    b.event(e);
                }
                start = end;
            }
        }
    }
    if expanded_total >= markdown.len().max(100_000) {
        return Err(Retry::Whole);
    }
    // A reference read before the piece that defines it.
    if let Resolve::Earlier(defs) = &resolve
        && missed.iter().any(|label| defs.contains_key(label))
    {
        return Err(Retry::AllDefinitions);
    }
    b.flush_paragraph();
    Ok(b.finish())
}

/// Where the last line that could close a metadata block starts.
fn last_closing(markdown: &str, c: u8) -> Option<usize> {
    markdown
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .filter(|(_, line)| pieces::is_closing(line.trim_end_matches('\n'), c))
        .map(|(at, _)| at)
        .last()
}

/// Links whose target comes from a reference definition.
fn is_reference(t: LinkType) -> bool {
    matches!(
        t,
        LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
    )
}

/// Every link reference definition of the pieces, in order: its written text, label,
/// target and title.
type Definition<'a> = (&'a str, String, String, Option<String>);

fn definitions<'a>(
    markdown: &'a str,
    starts: &[usize],
    ends: &[usize],
) -> Option<Vec<Definition<'a>>> {
    let mut out = Vec::new();
    for (&s, &e) in starts.iter().zip(ends) {
        let piece = &markdown[s..e];
        // Every definition has its label's `]:` on one line.
        if !piece.contains("]:") {
            continue;
        }
        let parser = Parser::new_ext(piece, options());
        let mut found: Vec<_> = parser
            .reference_definitions()
            .iter()
            .map(|(label, d)| {
                let title = d.title.as_deref().map(str::to_string);
                (d.span.clone(), label.to_string(), d.dest.to_string(), title)
            })
            .collect();
        found.sort_by_key(|(span, ..)| span.start);
        for (span, label, dest, title) in found {
            out.push((piece.get(span)?, label, dest, title));
        }
    }
    Some(out)
}

/// The 1-based line of byte offsets, counted on from the last one asked about: blocks
/// come in the order they are written, so the whole document is counted about once, and no
/// table of line starts (8 bytes a line) is built.
#[derive(Default)]
struct LineCounter<'a> {
    source: &'a str,
    /// The last offset asked about, and the number of line breaks before it.
    at: usize,
    breaks: usize,
}

impl LineCounter<'_> {
    fn line_of(&mut self, offset: usize) -> u32 {
        let offset = offset.min(self.source.len());
        let bytes = self.source.as_bytes();
        if offset < self.at {
            // Back a little (a piece read again from a block that ran past its cut).
            self.breaks -= memchr::memchr_iter(b'\n', &bytes[offset..self.at]).count();
        } else {
            self.breaks += memchr::memchr_iter(b'\n', &bytes[self.at..offset]).count();
        }
        self.at = offset;
        u32::try_from(self.breaks + 1).unwrap_or(u32::MAX)
    }
}

enum Open {
    Quote,
    List { next: Option<u64>, depth: u8 },
    Item { frame_index: usize },
    Footnote,
}

/// Where inline text is going right now.
enum Target {
    Paragraph { implicit: bool },
    Heading { level: u8, id: Option<String> },
    Code { lang: Option<String>, text: String },
    Html(String),
    Table(Box<Table>),
    Metadata,
}

#[derive(Default)]
struct Builder<'a> {
    doc: Doc,
    anchors: AnchorSet,
    open: Vec<Open>,
    /// The frames every new block is wrapped in; at most MAX_NESTING + 1 long.
    frames: Vec<Frame>,
    /// Containers opened beyond MAX_NESTING.
    folded: usize,
    /// `frames` (and the folded marker) as the last block got them, until they change.
    frames_shared: Option<std::sync::Arc<[Frame]>>,
    /// Code languages seen so far, each held once.
    languages: Vec<std::sync::Arc<str>>,
    target: Option<Target>,
    inlines: Vec<Inline>,
    style: u8,
    link: Option<u32>,
    /// Text of the task item being read, for the checklist model.
    task_text: Option<(u32, String)>,
    cell: Vec<Inline>,
    row: Vec<Vec<Inline>>,
    last_was_implicit: bool,
    /// Styles in force before each open HTML tag that changed the style (`<kbd>`, `<b>`).
    html_styles: Vec<u8>,
    /// Captions of custom elements (`<Listing caption=…>`) shown when they close.
    captions: Vec<(String, String)>,
    /// Open `<style>`, `<script>` and `<template>` elements: a browser shows none of
    /// their content, so neither does the page.
    html_hidden: u16,
    /// Byte offset of the event being handled, and where the open block began.
    offset: usize,
    block_start: Option<usize>,
    lines: LineCounter<'a>,
}

impl<'a> Builder<'a> {
    fn new(markdown: &'a str) -> Self {
        Builder {
            lines: LineCounter {
                source: markdown,
                ..LineCounter::default()
            },
            ..Builder::default()
        }
    }

    /// The document, its storage trimmed to what it holds: it lives as long as the guide
    /// is open, so growth slack would be held all that time.
    fn finish(mut self) -> Doc {
        let doc = &mut self.doc;
        doc.inline_text.shrink_to_fit();
        doc.blocks.shrink_to_fit();
        doc.headings.shrink_to_fit();
        doc.links.shrink_to_fit();
        doc.code_blocks.shrink_to_fit();
        doc.tasks.shrink_to_fit();
        self.doc
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.push_inline(&t, style::CODE),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push_inline(&t, style::CODE),
            Event::Html(t) => match &mut self.target {
                Some(Target::Html(buf)) => buf.push_str(&t),
                _ => self.inline_html(&t),
            },
            Event::InlineHtml(t) if super::task_check::is_marker(&t) => self.task_check(&t),
            Event::InlineHtml(t) => self.inline_html(&t),
            Event::FootnoteReference(label) => {
                self.push_inline(&format!("[^{label}]"), style::FOOTNOTE_REF)
            }
            Event::SoftBreak => self.push_inline(" ", 0),
            Event::HardBreak => self.push_inline("\n", 0),
            Event::Rule => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                self.push_block(Leaf::Rule, true);
            }
            Event::TaskListMarker(checked) => self.task_marker(checked),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                self.target = Some(Target::Paragraph { implicit: false });
            }
            Tag::Heading { level, id, .. } => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                self.target = Some(Target::Heading {
                    level: heading_level(level),
                    id: id.map(|s| sanitize_line(&s)),
                });
            }
            Tag::BlockQuote(_) => {
                self.flush_paragraph();
                self.open.push(Open::Quote);
                self.push_frame(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|l| !l.is_empty())
                        .map(sanitize_line),
                    CodeBlockKind::Indented => None,
                };
                self.target = Some(Target::Code {
                    lang,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                self.target = Some(Target::Html(String::new()));
            }
            Tag::List(start) => {
                self.flush_paragraph();
                let depth = self
                    .open
                    .iter()
                    .filter(|o| matches!(o, Open::List { .. }))
                    .count()
                    .min(u8::MAX as usize) as u8;
                self.open.push(Open::List { next: start, depth });
            }
            Tag::Item => {
                self.flush_paragraph();
                let marker = match self.open.iter_mut().rev().find_map(|o| match o {
                    Open::List { next, depth } => Some((next, *depth)),
                    _ => None,
                }) {
                    Some((Some(n), _)) => {
                        let m = ListMarker::Ordered(*n);
                        *n = n.saturating_add(1);
                        m
                    }
                    Some((None, depth)) => ListMarker::Bullet { depth },
                    None => ListMarker::Bullet { depth: 0 },
                };
                let frame_index = self.frames.len();
                self.open.push(Open::Item { frame_index });
                self.push_frame(Container::Item { marker, task: None });
            }
            Tag::FootnoteDefinition(label) => {
                self.flush_paragraph();
                self.open.push(Open::Footnote);
                self.push_frame(Container::Footnote {
                    label: sanitize_line(&label),
                });
            }
            Tag::Table(aligns) => {
                self.flush_paragraph();
                self.block_start = Some(self.offset);
                let aligns = aligns
                    .iter()
                    .map(|a| match a {
                        pulldown_cmark::Alignment::Center => Align::Center,
                        pulldown_cmark::Alignment::Right => Align::Right,
                        _ => Align::Left,
                    })
                    .collect();
                self.target = Some(Target::Table(Box::new(Table {
                    aligns,
                    rows: Vec::new(),
                })));
            }
            Tag::TableHead | Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.cell.clear(),
            Tag::Emphasis => self.style |= style::EMPH,
            Tag::Strong => self.style |= style::STRONG,
            Tag::Strikethrough => self.style |= style::STRIKE,
            Tag::Link {
                dest_url, title, ..
            } => {
                self.link = Some(self.add_link(&dest_url, &title));
                self.style |= style::LINK;
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.link = Some(self.add_link(&dest_url, &title));
                self.push_inline("[image: ", style::MUTED);
                self.style |= style::MUTED;
            }
            Tag::MetadataBlock(_) => self.target = Some(Target::Metadata),
            // Definition lists, super/subscript are not enabled; treat any other tag as
            // plain inline content.
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.flush_paragraph(),
            TagEnd::Heading(_) => {
                if let Some(Target::Heading { level, id }) = self.target.take() {
                    let inlines = std::mem::take(&mut self.inlines).into_boxed_slice();
                    let text = self.doc.joined(&inlines).replace('\n', " ");
                    let base = id.unwrap_or_else(|| slug(&text));
                    let anchor = self.anchors.unique(base);
                    let index = self.doc.headings.len() as u32;
                    let block = self.doc.blocks.len();
                    self.doc.headings.push(Heading {
                        level,
                        text,
                        anchor,
                        block,
                    });
                    self.push_block(
                        Leaf::Heading {
                            level,
                            index,
                            inlines,
                        },
                        true,
                    );
                }
            }
            TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.flush_paragraph();
                self.open.pop();
                self.pop_frame();
            }
            TagEnd::CodeBlock => {
                if let Some(Target::Code { lang, text }) = self.target.take() {
                    let raw = if lang.as_deref().is_some_and(is_rust) {
                        hide_rustdoc_lines(text)
                    } else {
                        text
                    };
                    let raw: std::sync::Arc<str> = raw.into();
                    // Most code is drawn as written: then both are one shared text.
                    let display = match sanitize(&raw) {
                        std::borrow::Cow::Borrowed(_) if !raw.contains('\t') => raw.clone(),
                        shown => expand_tabs(&shown, TAB_STOP).into(),
                    };
                    let index = self.doc.code_blocks.len() as u32;
                    let block = self.doc.blocks.len();
                    let lang = lang.map(|l| self.language(l));
                    self.doc.code_blocks.push(CodeBlock {
                        block,
                        lang,
                        raw,
                        display,
                    });
                    self.push_block(Leaf::Code(index), true);
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(Target::Html(text)) = self.target.take() {
                    self.html_block(&text);
                }
            }
            TagEnd::List(_) => {
                self.flush_paragraph();
                self.open.pop();
            }
            TagEnd::Item => {
                self.flush_paragraph();
                self.open.pop();
                self.pop_frame();
                if let Some((index, text)) = self.task_text.take()
                    && let Some(task) = self.doc.tasks.get_mut(index as usize)
                {
                    task.text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                }
            }
            TagEnd::Table => {
                if let Some(Target::Table(table)) = self.target.take() {
                    self.push_block(Leaf::Table(table), true);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let row = std::mem::take(&mut self.row);
                if let Some(Target::Table(table)) = &mut self.target {
                    table.rows.push(row);
                }
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inlines);
                self.row.push(cell);
            }
            TagEnd::Emphasis => self.style &= !style::EMPH,
            TagEnd::Strong => self.style &= !style::STRONG,
            TagEnd::Strikethrough => self.style &= !style::STRIKE,
            TagEnd::Link => {
                self.style &= !style::LINK;
                self.show_external_target();
                self.link = None;
            }
            TagEnd::Image => {
                self.style &= !style::MUTED;
                self.push_inline("]", style::MUTED);
                self.show_external_target();
                self.link = None;
            }
            TagEnd::MetadataBlock(_) => self.target = None,
            _ => {}
        }
    }

    /// External targets are printed after the link text (unless the text already is the
    /// URL), so they can be read and selected in any terminal.
    fn show_external_target(&mut self) {
        let Some(id) = self.link else { return };
        let Some(link) = self.doc.links.get(id as usize) else {
            return;
        };
        if !link.is_external() {
            return;
        }
        let url = link.url.clone();
        let text_is_url = self
            .inlines
            .iter()
            .rev()
            .take_while(|i| i.link() == Some(id))
            .map(|i| self.doc.text(i))
            .any(|t| t == url || url.ends_with(t) && t.len() > 8);
        if !text_is_url {
            let saved = self.style;
            self.style = 0;
            self.push_inline(&format!(" <{url}>"), style::LINK_TARGET);
            self.style = saved;
        }
    }

    fn add_link(&mut self, url: &str, title: &str) -> u32 {
        self.doc.links.push(Link {
            url: sanitize_line(url),
            title: sanitize_line(title),
        });
        (self.doc.links.len() - 1) as u32
    }

    fn task_marker(&mut self, checked: bool) {
        let Some(frame_index) = self.open.iter().rev().find_map(|o| match o {
            Open::Item { frame_index } => Some(*frame_index),
            _ => None,
        }) else {
            return;
        };
        let index = self.doc.tasks.len() as u32;
        let heading = self.doc.headings.len().checked_sub(1);
        self.doc.tasks.push(TaskItem {
            checked,
            text: String::new(),
            heading,
            block: self.doc.blocks.len(),
            check: None,
        });
        if let Some(Frame {
            container: Container::Item { task, .. },
            ..
        }) = self.frames.get_mut(frame_index)
        {
            *task = Some(index);
            self.frames_shared = None;
        }
        self.task_text = Some((index, String::new()));
    }

    /// A `<!-- devguide: … -->` marker: recorded on the task item it ends, never shown.
    fn task_check(&mut self, html: &str) {
        if let Some((index, _)) = &self.task_text
            && let Some(task) = self.doc.tasks.get_mut(*index as usize)
        {
            task.check = super::task_check::parse(html);
        }
    }

    fn text(&mut self, t: &str) {
        match &mut self.target {
            Some(Target::Code { text, .. }) => text.push_str(t),
            Some(Target::Html(buf)) => buf.push_str(t),
            Some(Target::Metadata) => {}
            // Text between an inline `<script>` and its end.
            _ if self.html_hidden > 0 => {}
            _ => self.push_inline(t, 0),
        }
    }

    /// Inline HTML: the tags become what they mean, never text. The raw HTML still goes
    /// into a task item's text, so markers written as comments on a task stay readable.
    fn inline_html(&mut self, raw: &str) {
        if let Some((_, text)) = &mut self.task_text {
            text.push_str(raw);
        }
        for token in html::tokens(raw) {
            self.html_token(&token, false);
        }
    }

    /// A block of HTML: its text as a paragraph, broken into lines where the HTML starts
    /// a new block; nothing at all when it holds only tags and comments.
    fn html_block(&mut self, raw: &str) {
        self.flush_paragraph();
        // An unclosed `<style>` hides no more than its own block.
        self.html_hidden = 0;
        self.target = Some(Target::Paragraph { implicit: false });
        for token in html::tokens(raw) {
            self.html_token(&token, true);
        }
        while let Some(last) = self.inlines.last() {
            let trimmed = self.doc.text(last).trim_end_matches([' ', '\n']).len();
            self.truncate_last(trimmed);
            if self.inlines.last().is_some_and(|l| l.start == l.end) {
                self.inlines.pop();
            } else {
                break;
            }
        }
        self.style = self.html_styles.first().copied().unwrap_or(self.style);
        self.html_styles.clear();
        self.flush_paragraph();
    }

    fn html_token(&mut self, token: &html::Token<'_>, block: bool) {
        match token {
            html::Token::Text(_) if self.html_hidden > 0 => {}
            html::Token::Text(t) => {
                let decoded = html::decode_entities(t);
                if block {
                    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
                    if collapsed.is_empty() {
                        return;
                    }
                    let at_line_start = self
                        .inlines
                        .last()
                        .is_none_or(|l| self.doc.text(l).ends_with('\n'));
                    let lead = decoded.starts_with(char::is_whitespace) && !at_line_start;
                    let trail = decoded.ends_with(char::is_whitespace);
                    let text = format!(
                        "{}{collapsed}{}",
                        if lead { " " } else { "" },
                        if trail { " " } else { "" }
                    );
                    self.push_display(&text, 0);
                } else {
                    self.push_display(&decoded, 0);
                }
            }
            html::Token::Comment(_) => {}
            html::Token::Open {
                name, self_closing, ..
            } => {
                match name.as_str() {
                    "style" | "script" | "template" => {
                        if !*self_closing {
                            self.html_hidden = self.html_hidden.saturating_add(1);
                        }
                    }
                    _ if self.html_hidden > 0 => {}
                    "br" => self.push_display("\n", 0),
                    "img" => {
                        let alt = token.attr("alt").unwrap_or("").trim();
                        let text = if alt.is_empty() {
                            "[image]".to_string()
                        } else {
                            format!("[image: {alt}]")
                        };
                        self.push_display(&text, style::MUTED);
                    }
                    "kbd" => self.open_html_style(style::KBD),
                    "summary" | "b" | "strong" => {
                        self.html_line_break(block && name == "summary");
                        self.open_html_style(style::STRONG);
                    }
                    "em" | "i" => self.open_html_style(style::EMPH),
                    "code" | "tt" => self.open_html_style(style::CODE),
                    "del" | "s" => self.open_html_style(style::STRIKE),
                    "hr" => {
                        self.html_line_break(block);
                        self.push_display("───", style::MUTED);
                        self.html_line_break(block);
                    }
                    n if html::is_inline(n) => {}
                    _ => {
                        self.html_line_break(block);
                        // `<Listing file-name=… caption=…>` and other custom elements:
                        // the file name before the content, the caption after it.
                        if let Some(file) = token.attr("file-name").filter(|f| !f.is_empty()) {
                            self.push_display(&format!("Filename: {file}"), style::MUTED);
                            self.html_line_break(true);
                        }
                        // A title heads the content; a caption follows it, as under a
                        // figure or a listing.
                        if let Some(title) = token.attr("title").filter(|t| !t.trim().is_empty())
                            && token.attr("caption").is_none()
                        {
                            self.push_display(title, style::STRONG);
                            self.html_line_break(true);
                        }
                        let caption = token.attr("caption");
                        let caption = match (token.attr("number"), caption) {
                            (Some(n), Some(c)) => Some(format!("Listing {n}: {c}")),
                            (Some(n), None) => Some(format!("Listing {n}")),
                            (None, Some(c)) => Some(c.to_string()),
                            (None, None) => None,
                        };
                        if let Some(c) = caption.filter(|c| !c.trim().is_empty()) {
                            if *self_closing {
                                self.push_display(&c, style::EMPH | style::MUTED);
                                self.html_line_break(true);
                            } else if self.captions.len() < MAX_NESTING {
                                self.captions.push((name.clone(), c));
                            }
                        }
                    }
                }
            }
            html::Token::Close { name } => match name.as_str() {
                "style" | "script" | "template" => {
                    self.html_hidden = self.html_hidden.saturating_sub(1);
                }
                _ if self.html_hidden > 0 => {}
                "kbd" | "b" | "strong" | "em" | "i" | "code" | "tt" | "del" | "s" | "summary" => {
                    if let Some(saved) = self.html_styles.pop() {
                        self.style = saved;
                    }
                    if name == "summary" {
                        self.html_line_break(block);
                    }
                }
                n if html::is_inline(n) => {}
                _ => {
                    if let Some(at) = self.captions.iter().rposition(|(n, _)| n == name) {
                        let (_, caption) = self.captions.remove(at);
                        self.html_line_break(true);
                        self.push_display(&caption, style::EMPH | style::MUTED);
                    }
                    self.html_line_break(block);
                }
            },
        }
    }

    fn open_html_style(&mut self, add: u8) {
        if self.html_styles.len() < MAX_NESTING {
            self.html_styles.push(self.style);
            self.style |= add;
        }
    }

    /// A line break in block HTML, unless the line is already empty.
    fn html_line_break(&mut self, block: bool) {
        if block
            && let Some(last) = self.inlines.last()
            && let text = self.doc.text(last)
            && !text.is_empty()
            && !text.ends_with('\n')
        {
            let trimmed = text.trim_end_matches(' ').len();
            self.truncate_last(trimmed);
            self.push_display("\n", 0);
        }
    }

    fn push_inline(&mut self, t: &str, extra: u8) {
        if let Some((_, text)) = &mut self.task_text
            && extra & (style::LINK_TARGET | style::FOOTNOTE_REF) == 0
            && !matches!(self.target, Some(Target::Metadata))
        {
            text.push_str(t);
        }
        self.push_display(t, extra);
    }

    /// Text shown on the page only (a task item's text is not changed).
    fn push_display(&mut self, t: &str, extra: u8) {
        match self.target {
            None => {
                self.block_start = Some(self.offset);
                self.target = Some(Target::Paragraph { implicit: true });
            }
            Some(Target::Metadata) => return,
            _ => {}
        }
        let clean = sanitize(t);
        // Tabs inside text have no column to expand against: four spaces.
        let clean: std::borrow::Cow<'_, str> = if clean.contains('\t') {
            clean.replace('\t', "    ").into()
        } else {
            clean
        };
        let style = self.style | extra;
        let start = self.doc.inline_text.len();
        self.doc.inline_text.push_str(&clean);
        let end = offset(self.doc.inline_text.len());
        // Runs of one style and link merge: the text is already in place after it.
        if let Some(last) = self.inlines.last_mut()
            && last.style == style
            && last.link() == self.link
            && last.end == offset(start)
        {
            last.end = end;
            return;
        }
        self.inlines
            .push(Inline::new(offset(start), end, style, self.link));
    }

    /// Shortens the last run to `len` bytes; its text is the tail of the document's text,
    /// which gives the bytes back.
    fn truncate_last(&mut self, len: usize) {
        let Some(last) = self.inlines.last_mut() else {
            return;
        };
        let new_end = (last.start as usize + len).min(last.end as usize);
        if last.end as usize == self.doc.inline_text.len()
            && self.doc.inline_text.is_char_boundary(new_end)
        {
            self.doc.inline_text.truncate(new_end);
        }
        last.end = offset(new_end);
    }

    /// The shared name of a code block's language.
    fn language(&mut self, name: String) -> std::sync::Arc<str> {
        if let Some(known) = self.languages.iter().find(|l| ***l == *name) {
            return known.clone();
        }
        let shared: std::sync::Arc<str> = name.into();
        self.languages.push(shared.clone());
        shared
    }

    /// Closes the paragraph being read, if any, into a block.
    fn flush_paragraph(&mut self) {
        // An inline `<script>` left open hides no more than its paragraph.
        self.html_hidden = 0;
        if let Some(Target::Paragraph { implicit }) = self.target {
            self.target = None;
            let inlines = std::mem::take(&mut self.inlines);
            if !inlines.is_empty() {
                self.push_block(Leaf::Paragraph(inlines.into_boxed_slice()), !implicit);
            }
        }
    }

    fn push_block(&mut self, leaf: Leaf, explicit: bool) {
        let implicit = !explicit;
        // Items of a tight list follow each other without blank lines.
        let continues_tight_list = implicit && self.last_was_implicit;
        let gap_before = !(self.doc.blocks.is_empty() || continues_tight_list);
        self.last_was_implicit = implicit;
        let frames = self.shared_frames();
        let start = self.block_start.take().unwrap_or(self.offset);
        let line = self.lines.line_of(start);
        self.doc.blocks.push(Block {
            frames,
            leaf,
            gap_before,
            line,
        });
        if self.frames.iter().any(|f| f.first) {
            for f in &mut self.frames {
                f.first = false;
            }
            self.frames_shared = None;
        }
    }

    /// The frames of a new block: those of the block before when nothing changed since.
    fn shared_frames(&mut self) -> std::sync::Arc<[Frame]> {
        if let Some(shared) = &self.frames_shared {
            return shared.clone();
        }
        let mut frames = self.frames.clone();
        if self.folded > 0 {
            frames.push(Frame {
                container: Container::Folded {
                    levels: self.folded,
                },
                first: true,
            });
        }
        let shared: std::sync::Arc<[Frame]> = frames.into();
        self.frames_shared = Some(shared.clone());
        shared
    }

    fn push_frame(&mut self, container: Container) {
        self.frames_shared = None;
        if self.frames.len() < MAX_NESTING {
            self.frames.push(Frame {
                container,
                first: true,
            });
        } else {
            self.folded += 1;
        }
    }

    fn pop_frame(&mut self) {
        self.frames_shared = None;
        if self.folded > 0 {
            self.folded -= 1;
        } else {
            self.frames.pop();
        }
    }
}

/// A byte offset in a document's text as stored in an [`Inline`]. Guides are refused far
/// below 4 GB, so the clamp never bites.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn is_rust(lang: &str) -> bool {
    matches!(lang, "rust" | "rs")
}

/// rustdoc's hidden lines: in Rust code, a line that is `#` or starts with `# ` is part of
/// the example but not shown; `##` at the start shows a literal `#`.
fn hide_rustdoc_lines(code: String) -> String {
    if !code.lines().any(|l| {
        let t = l.trim_start();
        t == "#" || t.starts_with("# ") || t.starts_with("##")
    }) {
        return code;
    }
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let t = line.trim_start();
        let bare = t.trim_end_matches(['\n', '\r']);
        if bare == "#" || t.starts_with("# ") {
            continue;
        }
        if t.starts_with("##") {
            let indent = line.len() - t.len();
            out.push_str(&line[..indent]);
            out.push_str(&t[1..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &Doc, inlines: &[Inline]) -> String {
        doc.joined(inlines)
    }

    #[test]
    fn headings_get_anchors_and_blocks() {
        let doc = parse("# Title\n\ntext\n\n## Migration Guide\n\n## Migration Guide\n");
        let anchors: Vec<_> = doc.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["title", "migration-guide", "migration-guide-1"]);
        assert_eq!(doc.headings[1].block, 2);
        assert_eq!(doc.heading_by_anchor("#Migration-Guide"), Some(1));
    }

    #[test]
    fn heading_attribute_sets_anchor() {
        let doc = parse("## Setup {#custom-id}\n");
        assert_eq!(doc.headings[0].anchor, "custom-id");
        assert_eq!(doc.headings[0].text, "Setup");
    }

    #[test]
    fn code_block_keeps_raw_and_sanitised_text() {
        let doc = parse("```python\nprint('\u{1b}[2J')\n\tx\n```\n");
        let code = &doc.code_blocks[0];
        assert_eq!(code.lang.as_deref(), Some("python"));
        assert!(code.raw.contains('\u{1b}'));
        assert!(!code.display.contains('\u{1b}'));
        assert!(code.display.contains("    x"));
    }

    #[test]
    fn entities_that_decode_to_controls_are_sanitised() {
        let doc = parse("a &#27;[31m b &#x9b; c\n\n[x](http://e/&#27;]0;t)\n");
        for block in &doc.blocks {
            if let Leaf::Paragraph(inl) = &block.leaf {
                assert!(!texts(&doc, inl).chars().any(|c| c.is_control()), "{inl:?}");
            }
        }
        assert!(!doc.links[0].url.chars().any(|c| c.is_control()));
    }

    #[test]
    fn tight_list_items_have_no_gap_and_tasks_are_found() {
        let doc = parse("## Steps\n\n- [ ] one\n- [x] two **bold**\n\nafter\n");
        assert_eq!(doc.tasks.len(), 2);
        assert!(!doc.tasks[0].checked);
        assert!(doc.tasks[1].checked);
        assert_eq!(doc.tasks[1].text, "two bold");
        assert_eq!(doc.tasks[0].heading, Some(0));
        let gaps: Vec<_> = doc.blocks.iter().map(|b| b.gap_before).collect();
        assert_eq!(gaps, [false, true, false, true]);
        match &doc.blocks[1].frames[0].container {
            Container::Item { task: Some(0), .. } => {}
            other => panic!("expected task frame, got {other:?}"),
        }
    }

    #[test]
    fn nested_lists_and_quotes_become_frames() {
        let doc = parse("> - a\n>   - b\n");
        let last = doc.blocks.last().expect("a block");
        assert_eq!(last.frames.len(), 3);
        assert_eq!(last.frames[0].container, Container::Quote);
    }

    #[test]
    fn deep_nesting_is_folded_not_recursed() {
        let md = format!("{} deep\n", ">".repeat(10_000));
        let doc = parse(&md);
        let block = doc.blocks.last().expect("a block");
        assert!(block.frames.len() <= MAX_NESTING + 1);
        assert!(matches!(
            block.frames.last().map(|f| &f.container),
            Some(Container::Folded { .. })
        ));
    }

    #[test]
    fn tables_collect_rows_and_alignment() {
        let doc = parse("| a | b |\n|:-|-:|\n| 1 | 2 |\n");
        let Leaf::Table(t) = &doc.blocks[0].leaf else {
            panic!("not a table")
        };
        assert_eq!(t.aligns[..], [Align::Left, Align::Right]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(texts(&doc, &t.rows[1][1]), "2");
    }

    #[test]
    fn external_link_target_is_shown_after_text() {
        let doc = parse("[Issue](https://example.com/1) and <https://example.com/2>\n");
        let Leaf::Paragraph(inl) = &doc.blocks[0].leaf else {
            panic!()
        };
        let text = texts(&doc, inl);
        assert!(text.contains("Issue <https://example.com/1>"), "{text}");
        assert_eq!(text.matches("example.com/2").count(), 1, "{text}");
    }

    #[test]
    fn blocks_know_their_source_lines() {
        let doc = parse("# T\n\npara\ngraph\n\n```py\nx\n```\n\n- a\n- b\n");
        let lines: Vec<u32> = doc.blocks.iter().map(|b| b.line).collect();
        assert_eq!(lines, [1, 3, 6, 10, 11]);
    }

    #[test]
    fn a_prefix_is_the_start_of_the_whole() {
        let md: String = (0..200)
            .map(|i| format!("## H{i}\n\n> quote {i}\n> - item\n\ntext {i}\n\n"))
            .collect();
        let whole = parse(&md);
        let prefix = parse_prefix(&md, 50);
        assert!(prefix.blocks.len() >= 50 && prefix.blocks.len() < whole.blocks.len());
        assert_eq!(prefix.blocks[..], whole.blocks[..prefix.blocks.len()]);
        assert_eq!(prefix.headings[..], whole.headings[..prefix.headings.len()]);
    }

    #[test]
    fn a_prefix_of_a_large_guide_matches_the_whole_even_when_a_block_crosses_the_cut() {
        // A code block and a list far longer than the first slice, then ordinary text.
        let mut md = String::from("# Top\n\n```text\n");
        md.push_str(&"code line\n".repeat(10_000));
        md.push_str("```\n\n");
        md.push_str(&"- item\n\n  more of the item\n".repeat(4_000));
        md.push('\n');
        for i in 0..20_000 {
            md.push_str(&format!("Paragraph {i}.\n\n"));
        }
        let whole = parse(&md);
        let prefix = parse_prefix(&md, 300);
        let n = prefix.blocks.len();
        assert!(n >= 300 && n < whole.blocks.len());
        assert_eq!(prefix.blocks[..], whole.blocks[..n]);
        assert_eq!(
            prefix.code_blocks[..],
            whole.code_blocks[..prefix.code_blocks.len()]
        );
        assert_eq!(prefix.code_blocks[0].raw.lines().count(), 10_000);
    }

    #[test]
    fn a_document_holds_its_text_once_and_shares_what_repeats() {
        let md = "> one\n>\n> two\n>\n> three\n\n```sh\na\n```\n\n```sh\nb\n```\n";
        let doc = parse(md);
        // All inline text lives in one buffer, without growth slack.
        assert_eq!(doc.inline_text, "onetwothree");
        assert_eq!(doc.inline_text.capacity(), doc.inline_text.len());
        assert_eq!(doc.blocks.capacity(), doc.blocks.len());
        // The first block of the quote is marked first; the others share one frame list.
        let frames: Vec<_> = doc.blocks[..3].iter().map(|b| &b.frames).collect();
        assert!(frames[0][0].first && !frames[1][0].first);
        assert!(std::sync::Arc::ptr_eq(frames[1], frames[2]));
        let langs: Vec<_> = doc
            .code_blocks
            .iter()
            .filter_map(|c| c.lang.as_ref())
            .collect();
        assert!(langs.len() == 2 && std::sync::Arc::ptr_eq(langs[0], langs[1]));
    }

    #[test]
    fn runs_are_trimmed_in_place() {
        let doc = parse("<div>\nfirst  \n<p>second</p>\n</div>\n\nafter\n");
        let texts: Vec<String> = doc
            .blocks
            .iter()
            .filter_map(|b| match &b.leaf {
                Leaf::Paragraph(inl) => Some(doc.joined(inl)),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["first\nsecond", "after"]);
        assert_eq!(doc.inline_text, "first\nsecondafter");
    }

    /// The corpus and bundled guides, each parsed in pieces (cut as often as it can be)
    /// and whole: the documents must be the same.
    #[test]
    fn a_document_parsed_in_pieces_is_the_whole_parse() {
        let spec = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/commonmark-spec-0.31.2.txt"
        ))
        .ok();
        let mut texts: Vec<(String, String)> = crate::content::bundled_files()
            .into_iter()
            .filter(|(name, _)| name.ends_with(".md"))
            .map(|(name, bytes)| (name, String::from_utf8_lossy(bytes).into_owned()))
            .collect();
        if let Some(spec) = spec {
            texts.push(("spec x3".into(), spec.repeat(3)));
            texts.push(("spec".into(), spec));
        }
        let mut cut = 0;
        for (name, md) in &texts {
            let whole = parse_whole(md, usize::MAX).0;
            if let Some(pieces) = parse_in_pieces(md, 1) {
                cut += 1;
                assert!(pieces == whole, "{name} reads differently in pieces");
            }
        }
        assert!(cut * 2 >= texts.len(), "only {cut} of {} cut", texts.len());
    }

    #[test]
    fn references_and_open_blocks_cross_the_cuts() {
        let md = "# A\n\nsee [later] and [x][first]\n\n[first]: /one\n\n\
                  # B\n\n```\ncode\n\n# not a heading\n```\n\n<!--\n\n# hidden\n\n-->\n\n\
                  # C\n\n[first]: /one\n[later]: /three \"T\"\n";
        let pieces = parse_in_pieces(md, 1).expect("cut");
        let whole = parse_whole(md, usize::MAX).0;
        assert_eq!(pieces, whole);
        let urls: Vec<&str> = whole.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["/three", "/one"]);
        assert_eq!(whole.headings.len(), 3);
        // Labels matched only by Unicode case folding, and a reference above its
        // definition's piece: every definition is gathered first.
        let md = "# A\n\n[STRASSE] and [Later]\n\n# B\n\n[Straße]: /u\n[later]: /l\n";
        let whole = parse_whole(md, usize::MAX).0;
        assert_eq!(parse_in_pieces(md, 1).as_ref(), Some(&whole));
        assert_eq!(whole.links.len(), 2, "{:?}", whole.links);
        // A label defined again differently further down: read whole.
        let md = "# A\n\n[x]\n\n[x]: /one\n\n# B\n\n[x]: /two\n\n[x]\n";
        assert_eq!(parse_in_pieces(md, 1), None);
        // Footnotes resolve only within one parse: read whole.
        assert_eq!(parse_in_pieces("# A\n\nx[^1]\n\n# B\n\n[^1]: n\n", 1), None);
    }

    #[test]
    fn front_matter_block_is_not_shown() {
        let doc = parse("+++\ntitle = \"x\"\n+++\n\nbody\n");
        assert_eq!(doc.blocks.len(), 1);
    }

    #[test]
    fn footnotes_are_frames_and_refs() {
        let doc = parse("text[^1]\n\n[^1]: note\n");
        let Leaf::Paragraph(inl) = &doc.blocks[0].leaf else {
            panic!()
        };
        assert!(texts(&doc, inl).contains("[^1]"));
        assert!(matches!(
            doc.blocks[1].frames[0].container,
            Container::Footnote { .. }
        ));
    }
}

#[cfg(test)]
mod html_tests {
    use super::*;

    fn page(doc: &Doc) -> String {
        doc.blocks
            .iter()
            .filter_map(|b| match &b.leaf {
                Leaf::Paragraph(inl) | Leaf::Heading { inlines: inl, .. } => Some(doc.joined(inl)),
                Leaf::Table(t) => Some(t.rows.iter().flatten().map(|c| doc.joined(c)).collect()),
                Leaf::Html(h) => Some(h.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn no_tag_reaches_the_page() {
        let md = "<span class=\"caption\">Filename: src/main.rs</span>\n\n\
Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup> H<sub>2</sub>O<br>next <!-- hidden -->line\n\n\
<details>\n<summary>More &amp; more</summary>\n\nBody text.\n\n</details>\n\n\
<div align=\"center\"><img src=\"a.png\" alt=\"Ferris\"> <custom-el>kept</custom-el></div>\n\n\
| a | b |\n|---|---|\n| <img src=x alt=\"cell pic\"> | y |\n\n\
<Listing number=\"4-1\" file-name=\"src/main.rs\" caption=\"Strings\">\n\n```rust\nfn main() {}\n```\n\n</Listing>\n";
        let doc = parse(md);
        let text = page(&doc);
        for tag in [
            "<span", "<kbd", "</", "<sup", "<br", "<!--", "<details", "<img", "<Listing", "&amp;",
        ] {
            assert!(!text.contains(tag), "{tag} in {text}");
        }
        for kept in [
            "Filename: src/main.rs",
            "Press Ctrl+C, x2 H2O\nnext line",
            "More & more",
            "Body text.",
            "[image: Ferris]\nkept",
            "[image: cell pic]",
            "Listing 4-1: Strings",
        ] {
            assert!(text.contains(kept), "{kept:?} missing from {text:?}");
        }
        let kbd = doc.blocks[1].leaf.clone();
        let Leaf::Paragraph(inl) = kbd else { panic!() };
        assert!(
            inl.iter()
                .any(|i| doc.text(i) == "Ctrl" && i.style == style::KBD),
            "{inl:?}"
        );
    }

    #[test]
    fn task_items_keep_their_comment_text() {
        let doc = parse("- [ ] run the scan <!-- devguide: scan -->\n");
        // The marker is read into the item's check, and kept out of its text so the
        // item's id (and the ticks attached to it) stay the same.
        assert_eq!(
            doc.tasks[0].check,
            Some(super::super::task_check::TaskCheck::Scan)
        );
        assert_eq!(doc.tasks[0].text.trim(), "run the scan");
        assert!(!page(&doc).contains("<!--"));
    }

    #[test]
    fn style_and_script_content_is_never_shown() {
        let doc = parse(
            "<style>\n.version { position: absolute; }\n</style>\n\nVersion: 1\n\n\
             <script>alert(1)</script>\n\nText <template>hidden</template>shown.\n",
        );
        let text = page(&doc);
        assert!(!text.contains("position"), "{text}");
        assert!(!text.contains("alert"), "{text}");
        assert!(!text.contains("hidden"), "{text}");
        assert!(
            text.contains("Version: 1") && text.contains("Text shown."),
            "{text}"
        );
    }

    #[test]
    fn code_drawn_as_written_is_held_once() {
        let doc = parse("```\nplain code\n```\n\n```\n\tindented\n```\n");
        let (plain, tabbed) = (&doc.code_blocks[0], &doc.code_blocks[1]);
        assert!(std::sync::Arc::ptr_eq(&plain.raw, &plain.display));
        assert!(!std::sync::Arc::ptr_eq(&tabbed.raw, &tabbed.display));
        assert_eq!(&*tabbed.display, "    indented\n");
    }

    #[test]
    fn rustdoc_hidden_lines_are_hidden_in_rust_only() {
        let doc = parse(
            "```rust\n# fn main() {\n    let x = 1;\n#\n## not hidden\n# }\n```\n\n```sh\n# comment\n```\n",
        );
        assert_eq!(
            &*doc.code_blocks[0].display,
            "    let x = 1;\n# not hidden\n"
        );
        assert_eq!(&*doc.code_blocks[1].display, "# comment\n");
    }

    #[test]
    fn hostile_html_does_not_panic_or_leak_controls() {
        let md = format!(
            "{}\n\n<a title=\"\u{1b}[2J\">&#27;]0;x</a>\n\n<{}\n",
            "<div>".repeat(10_000),
            "b ".repeat(5000)
        );
        let doc = parse(&md);
        assert!(!page(&doc).chars().any(|c| c.is_control() && c != '\n'));
    }
}
