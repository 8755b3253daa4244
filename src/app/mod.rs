//! The reader's state and the one function that changes it: [`App::update`].
//!
//! No terminal I/O here. The run loop in `tui/` feeds actions in and draws with `ui/`,
//! which only reads this state.

pub mod action;
pub mod areas;
pub mod checklist;
pub mod find;
pub mod finder;
pub mod findings;
pub mod history;
pub mod list;
pub mod migrations;
pub mod msg;
mod overlays;
pub mod pages;
pub mod progress;
mod rescan;
mod sidebar;
mod tasks;
pub mod text_input;
pub mod tree;
mod update;

use std::sync::Arc;

use ratatui::layout::Rect;

use crate::content::GuideSet;
use crate::doc::{self, Doc};
use crate::highlight;
use crate::keymap::Keymap;
use crate::layout::Layout;
use crate::theme::Theme;
pub use action::Action;
use areas::Areas;
pub use msg::{Effect, Msg};
pub use tasks::catalog_of;
pub use update::RELOAD_EVERY;

/// Text wider than this is hard to read; wider panes get margins instead. The
/// configuration's `wrap_width` replaces it ([`Settings::wrap_width`]).
pub const MAX_TEXT_WIDTH: u16 = 100;

/// Configured choices the reader needs beyond theme and key map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Widest text column.
    pub wrap_width: u16,
    /// How copying reaches a clipboard (the run loop acts on it).
    pub clipboard: crate::config::ClipboardMode,
    /// Syntax theme for code blocks, by name.
    pub syntax_theme: String,
    /// The configuration's `browser` command for external links (see `crate::opener`).
    pub browser: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            wrap_width: MAX_TEXT_WIDTH,
            clipboard: crate::config::ClipboardMode::Both,
            syntax_theme: highlight::DEFAULT_SYNTAX_THEME.to_string(),
            browser: None,
        }
    }
}

/// Status messages kept for the messages overlay.
pub const MESSAGES_KEPT: usize = 100;

/// Guides larger than this open from a parsed prefix while the rest parses elsewhere.
pub const PARTIAL_PARSE_OVER: usize = 512 * 1024;

/// Blocks in that prefix: several screens' worth.
const PREFIX_BLOCKS: usize = 300;

/// Blocks laid out per idle step: small enough to keep input responsive.
const IDLE_BLOCKS: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Sidebar,
    Reader,
    /// `j`/`k` move between the open guide's checklist items; `Space`/`x` tick.
    Checklist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// The last status messages in full.
    Messages {
        scroll: usize,
    },
    Migrations(migrations::Panel),
    Finder(finder::Finder),
    /// The code base's retired imports, by file (`F`).
    Findings(findings::Panel),
    /// The guides in reading order with summaries and progress: a set's first page.
    Start {
        selected: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// A place to come back to: a guide and the block at the top of the screen (rows change
/// with the width, blocks do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub guide: usize,
    pub block: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectedLink {
    pub link: u32,
    /// Where the link starts: row and column.
    pub row: usize,
    pub col: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Guide(usize),
    Heading(usize),
    /// A folder or an mdBook part: a node of [`tree::GuideTree`] that is not a guide.
    Folder(usize),
}

pub struct Reader {
    pub guide: usize,
    pub doc: Arc<Doc>,
    pub layout: Layout,
    pub top: usize,
    /// The heading a jump landed on. Near the end of a guide the screen cannot scroll a
    /// heading to the top, so the jump target, not the top row, says where the reader is
    /// until the next scroll.
    pub pinned: Option<usize>,
    pub link: Option<SelectedLink>,
    pub code: Option<u32>,
    /// Selected checklist item (index into the doc's tasks).
    pub task: Option<u32>,
    /// `doc` is only the start of the guide; the whole is being parsed.
    pub partial: bool,
    /// `/` search in this guide.
    pub find: Option<find::Find>,
    /// The row a search or finder jump landed on: what `Y` copies.
    pub cursor: Option<usize>,
    /// Rows of text on screen: the viewport is the reader's, `top` to `top + height`.
    pub height: u16,
}

impl Reader {
    /// A guide opened at its top, nothing selected, laid out at `width`.
    fn new(guide: usize, doc: Arc<Doc>, width: u16, partial: bool) -> Reader {
        Reader {
            guide,
            doc,
            layout: Layout::new(width),
            top: 0,
            pinned: None,
            link: None,
            code: None,
            task: None,
            find: None,
            cursor: None,
            partial,
            height: 0,
        }
    }

    /// Rows on screen (at least one, so paging always moves).
    pub fn page(&self) -> usize {
        usize::from(self.height).max(1)
    }

    /// Rows on screen now.
    pub fn visible_rows(&self) -> std::ops::Range<usize> {
        let end = (self.top + usize::from(self.height)).min(self.layout.rows.len());
        self.top.min(end)..end
    }

    /// The block of the top row.
    pub fn top_block(&self) -> usize {
        self.layout
            .rows
            .get(self.top)
            .map_or(0, |r| r.block() as usize)
    }

    /// Keeps the last screen full once the end is laid out. A layout started further
    /// down (after a resize) first lays out the blocks just above it to fill the screen.
    fn clamp_top(&mut self, theme: &Theme) {
        if !self.layout.reaches_end(&self.doc) {
            return;
        }
        if self.layout.rows.len() < self.top + self.page() && self.layout.first_block() > 0 {
            self.layout.extend_up_to_rows(&self.doc, theme, self.page());
            self.follow_shift();
        }
        let max = self.layout.rows.len().saturating_sub(self.page());
        self.top = self.top.min(max);
    }

    /// Moves every row number the reader keeps by as many rows as the layout put in
    /// front of its first row (the blocks above a resized screen, filled in later), so
    /// they stay on the same text.
    fn follow_shift(&mut self) {
        let shift = self.layout.take_shift();
        if shift == 0 {
            return;
        }
        let moved = |row: usize| row.saturating_add_signed(shift);
        self.top = moved(self.top);
        self.cursor = self.cursor.map(moved);
        if let Some(link) = self.link.as_mut() {
            link.row = moved(link.row);
        }
        if let Some(find) = self.find.as_mut() {
            find.origin = moved(find.origin);
        }
    }

    /// Lays out every block above the first one laid out, so row numbers count from the
    /// top of the guide (what everything but scrolling down expects).
    fn join_layout(&mut self, theme: &Theme) {
        self.layout.join_head(&self.doc, theme);
        self.follow_shift();
    }

    /// Lays out the whole guide.
    fn finish_layout(&mut self, theme: &Theme) {
        self.layout.finish(&self.doc, theme);
        self.follow_shift();
    }

    /// The row where block `b` starts, laying out up to it (and above) if needed.
    fn block_row(&mut self, theme: &Theme, b: usize) -> Option<usize> {
        let row = self.layout.block_row(&self.doc, theme, b);
        self.follow_shift();
        row
    }

    /// The furthest the text can scroll (lays out the rest of the guide to know).
    fn max_top(&mut self, theme: &Theme) -> usize {
        self.finish_layout(theme);
        self.layout.rows.len().saturating_sub(self.page())
    }

    /// Puts `row` at the top, laying out two screens ahead.
    fn set_top(&mut self, row: usize, theme: &Theme) {
        self.pinned = None;
        self.top = row;
        let want = row + self.page() * 2;
        self.layout.extend_to_rows(&self.doc, theme, want);
        self.clamp_top(theme);
    }

    /// Percentage read: how far into the guide's text the last row on screen is, in
    /// source lines (within a block, in proportion to its rows), or `None` while only a
    /// prefix of the guide is parsed. Counted in lines rather than rows, it needs no
    /// rows but those on screen, so it is exact while the blocks above a resized screen
    /// are still being laid out, and a resize does not change it.
    pub fn percent(&self) -> Option<u16> {
        if self.partial {
            return None;
        }
        let blocks = &self.doc.blocks;
        let layout = &self.layout;
        let Some(last) = blocks.last() else {
            return Some(100);
        };
        let end = (self.top + self.page()).min(layout.rows.len());
        let Some(row) = end.checked_sub(1).and_then(|r| layout.rows.get(r)) else {
            return layout.is_complete(&self.doc).then_some(100);
        };
        let b = row.block() as usize;
        let (start, stop) = self.block_span(b);
        let within = (end - start.min(end)) as f64 / stop.saturating_sub(start).max(1) as f64;
        let line = |i: usize| {
            blocks
                .get(i)
                .map_or(u64::from(last.line) + 1, |x| u64::from(x.line))
        };
        let (from, to) = (line(b), line(b + 1));
        let done = from.saturating_sub(1) as f64 + within.min(1.0) * to.saturating_sub(from) as f64;
        let total = u64::from(last.line).max(1) as f64;
        Some(((done * 100.0 / total).round() as u16).min(100))
    }

    /// The rows of block `b` (laid out), without the next block's gap.
    fn block_span(&self, b: usize) -> (usize, usize) {
        let layout = &self.layout;
        let i = b.saturating_sub(layout.first_block());
        let start = layout.block_rows.get(i).map_or(0, |&r| r as usize);
        let mut stop = layout
            .block_rows
            .get(i + 1)
            .map_or(layout.rows.len(), |&r| r as usize);
        while stop > start
            && layout
                .rows
                .get(stop - 1)
                .is_some_and(|r| r.block() as usize != b)
        {
            stop -= 1;
        }
        (start, stop)
    }

    /// Where `row` is in the guide: its block and how far into the block (rows from its
    /// first), to find the same place at another width.
    fn place_of(&self, row: usize) -> Option<(usize, usize)> {
        let block = self.layout.rows.get(row)?.block() as usize;
        let start = block
            .checked_sub(self.layout.first_block())
            .and_then(|i| self.layout.block_rows.get(i))
            .map_or(row, |&r| r as usize);
        Some((block, row.saturating_sub(start)))
    }

    /// The row at `place` in the current layout, if that block is laid out; past the
    /// block's last row, its last row.
    fn row_at(&self, (block, within): (usize, usize)) -> Option<usize> {
        let i = block.checked_sub(self.layout.first_block())?;
        let start = *self.layout.block_rows.get(i)? as usize;
        let end = self
            .layout
            .block_rows
            .get(i + 1)
            .map_or(self.layout.rows.len(), |&r| r as usize);
        // The next block's gap row belongs to it, not to this block.
        let last = (start..end).rev().find(|&r| {
            self.layout
                .rows
                .get(r)
                .is_some_and(|x| x.block() as usize == block)
        })?;
        Some((start + within).min(last))
    }
}

pub struct App {
    /// Shared with background work (index, catalog, rescan) so handing it out copies
    /// nothing; changed only through `Arc::make_mut`.
    pub set: Arc<GuideSet>,
    docs: Vec<Option<Arc<Doc>>>,
    /// Per guide, what the start screen shows without a parsed document (word count,
    /// section anchors): counted once, in the catalog pass, and again for a changed guide.
    facts: Vec<Option<progress::GuideFacts>>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub settings: Settings,
    pub reader: Reader,
    pub focus: Focus,
    pub sidebar_selected: usize,
    /// The guides as the sidebar shows them: by folder, or by an mdBook's parts and
    /// chapters, each node folding.
    pub tree: tree::GuideTree,
    pub overlay: Option<Overlay>,
    history: history::History,
    pub status: Option<Status>,
    pub highlights: highlight::Cache,
    pub areas: Areas,
    size: Rect,
    pub checklists: checklist::Checklists,
    /// The migration the reader switches to once the pending save succeeds.
    pending_switch: Option<Option<String>>,
    /// Search index and lookup catalog, once the background build is done.
    pub indexes: Option<Arc<finder::Indexes>>,
    /// The full parse of a partially parsed guide has been handed out.
    parse_requested: bool,
    /// Keys pressed while that parse is out: each acts on the whole guide once it lands,
    /// in the order pressed, so `G` on the first frame reaches the real end.
    deferred_keys: Vec<crossterm::event::KeyEvent>,
    /// Sections read and places left, loaded from and saved to the state file.
    pub reading: crate::checklist::reading::Reading,
    /// When each visible section came on screen (guide, heading).
    seen: std::collections::HashMap<(usize, usize), std::time::Instant>,
    /// The index build has been asked for (once; again only after a reload).
    index_requested: bool,
    /// A guide changed on disk after the index was built: build it again.
    reindex: bool,
    /// The highlight batch last asked for (guide, code blocks), so it is asked once.
    submitted_highlights: (usize, Vec<u32>),
    /// When the open guide's file was last checked for changes.
    last_reload_check: Option<std::time::Instant>,
    /// A walk of the folder is out; no second one is asked for until it answers.
    rescan_out: bool,
    /// When the last folder walk was asked for, and how long to wait before the next.
    last_rescan: Option<std::time::Instant>,
    rescan_wait: std::time::Duration,
    /// An index build is out (its answer numbers guides as the set did when asked).
    index_out: bool,
    /// A checklist catalog build is out.
    catalog_out: bool,
    /// Counts changes to the set's guides; a catalog built for an older count is dropped.
    catalog_generation: u64,
    /// Some guides were read only as far as their titles (a large set at start-up):
    /// the catalog, index and folder walks wait for the whole set.
    partial_set: bool,
    /// The read of the whole set is out.
    set_read_out: bool,
    /// The last status messages, oldest first, for the messages overlay.
    pub messages: std::collections::VecDeque<Status>,
    /// The code base checked against the guides, and its latest scan.
    pub code: findings::Code,
}

impl App {
    pub fn new(mut set: GuideSet, theme: Theme, keymap: Keymap) -> App {
        // A set loaded from its files' heads: the first guide is read now, the guide to
        // open when it is opened, and the whole set in the background (`Effect::ReadSet`).
        let partial_set = !set.is_complete();
        let first_unread = set.read_body(0).err();
        let mut docs = vec![None; set.guides.len()];
        // A large first guide shows its first screen from a parsed prefix; the run loop
        // parses the whole in the background (see `take_pending_parse`).
        let large = set
            .guides
            .first()
            .is_some_and(|g| g.partial || g.body.len() > PARTIAL_PARSE_OVER);
        let doc = match set.guides.first().filter(|_| large) {
            Some(g) => Arc::new(doc::parse_prefix(&g.body, PREFIX_BLOCKS)),
            None => parse_guide(&set, &mut docs, 0),
        };
        let notices: Vec<String> = set
            .guides
            .iter()
            .flat_map(|g| g.notices.iter().cloned())
            .collect();
        let tree = tree::GuideTree::build(&set.guides);
        let mut app = App {
            set: Arc::new(set),
            docs,
            facts: Vec::new(),
            theme,
            keymap,
            settings: Settings::default(),
            reader: Reader::new(0, doc, 80, large),
            focus: Focus::Reader,
            sidebar_selected: 0,
            tree,
            overlay: None,
            history: Default::default(),
            status: None,
            highlights: highlight::Cache::default(),
            areas: Areas::default(),
            size: Rect::new(0, 0, 80, 24),
            checklists: checklist::Checklists::detached(
                String::new(),
                "checklist ticks are not saved in this session".into(),
            ),
            pending_switch: None,
            indexes: None,
            parse_requested: false,
            deferred_keys: Vec::new(),
            reading: Default::default(),
            seen: Default::default(),
            index_requested: false,
            reindex: false,
            submitted_highlights: (usize::MAX, Vec::new()),
            last_reload_check: None,
            rescan_out: false,
            last_rescan: None,
            rescan_wait: RELOAD_EVERY,
            index_out: false,
            catalog_out: false,
            catalog_generation: 0,
            partial_set,
            set_read_out: false,
            messages: Default::default(),
            code: Default::default(),
        };
        app.checklists.set_key = app.set.identity();
        if let Some(e) = first_unread {
            app.set_status(e, true);
        }
        if let Some(first) = notices.first() {
            let more = if notices.len() > 1 {
                format!(" (+{} more)", notices.len() - 1)
            } else {
                String::new()
            };
            app.set_status(format!("{first}{more}"), true);
        }
        app
    }

    // ----- geometry -------------------------------------------------------------------

    /// Whether the open guide gets a checklist gauge. Task lists alone do not make a
    /// checklist (a page may only show what one looks like): the guide must say so in its
    /// front matter (`checklist = true`), or the set must already have a migration.
    /// `checklist = false` keeps a guide's task lists ungauged either way.
    pub fn shows_gauge(&self) -> bool {
        if self.reader.doc.tasks.is_empty() {
            return false;
        }
        let declared = self
            .set
            .guides
            .get(self.reader.guide)
            .and_then(|g| g.checklist);
        declared.unwrap_or_else(|| {
            let c = &self.checklists;
            c.migration.is_some() || !c.state.migration_names(&c.set_key).is_empty()
        })
    }

    /// Sets the terminal size; re-wraps the open guide when the text width changed,
    /// keeping the same block at the top.
    pub(crate) fn resize(&mut self, size: Rect) {
        self.size = size;
        // A message too long for the status line gets up to two rows of its own above it.
        let status_rows = match &self.status {
            Some(s) if crate::layout::wrap::str_width(&s.text) + 2 > usize::from(size.width) => {
                let w = usize::from(size.width).max(1);
                1 + (crate::layout::wrap::str_width(&s.text) + 2)
                    .div_ceil(w)
                    .min(2) as u16
            }
            _ => 1,
        };
        self.areas = areas::compute_with_status(
            size,
            self.focus == Focus::Sidebar,
            self.settings.wrap_width,
            status_rows,
        );
        // A checklist is headed by a progress gauge.
        if self.shows_gauge() && self.areas.text.height >= 4 {
            let t = self.areas.text;
            self.areas.gauge = Some(Rect { height: 1, ..t });
            self.areas.text = Rect {
                y: t.y + 1,
                height: t.height - 1,
                ..t
            };
        }
        self.reader.height = self.areas.text.height;
        let width = self.areas.text.width.max(1);
        if width != self.reader.layout.width {
            self.rewrap(width);
        }
        self.reader.layout.extend_to_rows(
            &self.reader.doc,
            &self.theme,
            self.reader.top + self.height() * 2,
        );
        self.clamp_top();
    }

    /// Lays the open guide out again at `width`, keeping the same block at the top. Only
    /// what is on screen is laid out now, from that block down (and up, to fill a screen
    /// at the end); the blocks above come in idle time, so a resize costs a screen, not
    /// the guide. The old layout is freed on another thread: a large guide's rows take
    /// longer to free than a frame lasts.
    fn rewrap(&mut self, width: u16) {
        let reader = &mut self.reader;
        let block = reader.top_block();
        let pinned = reader.pinned;
        let cursor = reader.cursor.and_then(|r| reader.place_of(r));
        let link = reader.link.and_then(|l| Some((l, reader.place_of(l.row)?)));
        let origin = reader.find.as_ref().and_then(|f| reader.place_of(f.origin));
        let first = block.min(reader.doc.blocks.len().saturating_sub(1));
        let old = std::mem::replace(&mut reader.layout, Layout::starting_at(width, first));
        crate::layout::discard(old);
        self.scroll_to_block(block);
        self.reader.pinned = pinned;
        // A cursor or selected link above the screen is let go rather than laying out
        // the guide above to find it again.
        let reader = &mut self.reader;
        reader.cursor = cursor.and_then(|p| reader.row_at(p));
        reader.link = link.and_then(|(l, p)| {
            Some(SelectedLink {
                row: reader.row_at(p)?,
                ..l
            })
        });
        // Matches are counted over the whole guide: an open search lays it all out.
        self.refresh_find();
        let reader = &mut self.reader;
        if let Some(row) = origin.and_then(|p| reader.row_at(p))
            && let Some(find) = reader.find.as_mut()
        {
            find.origin = row;
        }
    }

    /// The size the reader is laid out for: the last [`Msg::Resize`].
    pub fn size(&self) -> Rect {
        self.size
    }

    pub fn height(&self) -> usize {
        self.reader.page()
    }

    /// Rows on screen now.
    pub fn visible_rows(&self) -> std::ops::Range<usize> {
        self.reader.visible_rows()
    }

    fn max_top(&mut self) -> usize {
        self.reader.max_top(&self.theme)
    }

    fn clamp_top(&mut self) {
        self.reader.clamp_top(&self.theme);
    }

    fn top_block(&self) -> usize {
        self.reader.top_block()
    }

    fn scroll_to_block(&mut self, block: usize) {
        let row = self.reader.block_row(&self.theme, block).unwrap_or(0);
        self.set_top(row);
    }

    fn scroll_to_heading(&mut self, h: usize) {
        let Some(block) = self.reader.doc.headings.get(h).map(|x| x.block) else {
            return;
        };
        self.scroll_to_block(block);
        self.reader.pinned = Some(h);
    }

    /// The block reading continues from: the pinned heading's, else the top row's.
    fn reading_block(&self) -> usize {
        self.reader
            .pinned
            .and_then(|h| self.reader.doc.headings.get(h))
            .map_or_else(|| self.top_block(), |h| h.block)
    }

    /// Where reading continues from: the pinned heading's row, else the top row.
    fn reading_row(&mut self) -> usize {
        let block = self
            .reader
            .pinned
            .and_then(|h| self.reader.doc.headings.get(h))
            .map(|h| h.block);
        block
            .and_then(|b| self.reader.block_row(&self.theme, b))
            .unwrap_or(self.reader.top)
    }

    fn set_top(&mut self, row: usize) {
        self.reader.set_top(row, &self.theme);
    }

    fn scroll_by(&mut self, delta: isize) {
        let top = self.reader.top.saturating_add_signed(delta);
        self.set_top(top);
    }

    /// Whether [`App::idle`] has work left: layout. (The checklist catalog is built in
    /// the background: one step of it would be as long as the set is large.)
    pub fn has_idle_work(&self) -> bool {
        !self.reader.layout.is_complete(&self.reader.doc)
    }

    /// Lays out a little more of the open guide; true while there is more to do.
    pub(crate) fn idle(&mut self) -> bool {
        if self.reader.layout.is_complete(&self.reader.doc) {
            return false;
        }
        self.reader
            .layout
            .extend_blocks(&self.reader.doc, &self.theme, IDLE_BLOCKS);
        self.reader.follow_shift();
        true
    }

    // ----- reading position --------------------------------------------------------------

    /// The heading the reader is in: the last one starting at or above the top row.
    /// A search match or finder hit on screen takes precedence: that is where the reader
    /// is looking.
    pub fn current_heading(&self) -> Option<usize> {
        if self.reader.pinned.is_some() {
            return self.reader.pinned;
        }
        let cursor = self
            .reader
            .cursor
            .filter(|r| self.visible_rows().contains(r));
        let block = match cursor.and_then(|r| self.reader.layout.rows.get(r)) {
            Some(row) => row.block() as usize,
            None => self.top_block(),
        };
        let headings = &self.reader.doc.headings;
        let n = headings.partition_point(|h| h.block <= block);
        n.checked_sub(1)
    }

    /// Percentage read, or `None` while the length is still being worked out.
    pub fn percent(&self) -> Option<u16> {
        self.reader.percent()
    }

    pub fn guide_title(&self) -> &str {
        self.set
            .guides
            .get(self.reader.guide)
            .map_or("", |g| g.title.as_str())
    }

    // ----- opening guides ----------------------------------------------------------------

    fn doc(&mut self, guide: usize) -> Arc<Doc> {
        self.read_if_pending(guide);
        parse_guide(&self.set, &mut self.docs, guide)
    }

    /// Reads the whole of a guide only the head of which was read at start-up, before it
    /// is shown. (Besides the reload check, the one read of a file in `app/`: the guide
    /// the user asked for, which would otherwise show empty until the set is read.)
    ///
    /// A guide whose text was let go and whose file changed since is simply the new text:
    /// what was built from the old one (its document, facts, checklist items, the search
    /// index) is built again.
    fn read_if_pending(&mut self, guide: usize) {
        let Some(before) = self
            .set
            .guides
            .get(guide)
            .filter(|g| g.pending)
            .map(|g| g.modified)
        else {
            return;
        };
        if let Err(e) = Arc::make_mut(&mut self.set).read_body(guide) {
            self.set_status(e, true);
            return;
        }
        if self
            .set
            .guides
            .get(guide)
            .is_some_and(|g| g.modified != before)
        {
            self.text_changed(guide);
            if self.indexes.is_some() {
                self.reindex = true;
            }
        }
    }

    /// Lets go of the text of a guide no longer open (a folder's guides only): it is read
    /// again from its file when opened, so browsing a large set does not gather every
    /// text read. Its parsed document stays while the reader keeps it.
    fn let_go_unless_open(&mut self, guide: usize) {
        if guide == self.reader.guide
            || !matches!(self.set.origin, crate::content::Origin::Dir(_))
            || !self
                .set
                .guides
                .get(guide)
                .is_some_and(|g| !g.pending && !g.partial)
        {
            return;
        }
        Arc::make_mut(&mut self.set).let_go(guide);
    }

    fn location(&self) -> Location {
        Location {
            guide: self.reader.guide,
            block: self.top_block(),
        }
    }

    /// Opens a guide (at a heading, when given) and records where we were.
    pub fn open(&mut self, guide: usize, anchor: Option<&str>) {
        if anchor.is_some() {
            self.finish_parse();
        }
        if guide >= self.set.guides.len() {
            return;
        }
        let here = self.location();
        self.show(guide);
        if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
            match self.reader.doc.heading_by_anchor(anchor) {
                Some(h) => self.scroll_to_heading(h),
                None => {
                    let msg = format!("no heading #{anchor} in {}", self.set.guides[guide].id);
                    self.set_status(msg, true);
                }
            }
        }
        self.history.record(here, self.location());
        self.sync_sidebar_to_reader();
    }

    /// Opens the guide named on the command line: like [`App::open`], but the start is not
    /// a place to go back to.
    pub fn start_at(&mut self, guide: usize, anchor: Option<&str>) {
        self.open(guide, anchor);
        self.history.clear_back();
    }

    /// Makes `guide` the open one, at the top, without touching history. Its folders (or
    /// part and parent chapters) unfold, so the sidebar shows where it is.
    fn show(&mut self, guide: usize) {
        if let Some(node) = self.tree.node_of_guide(guide) {
            self.tree.reveal(node);
        }
        if guide != self.reader.guide {
            let doc = self.doc(guide);
            let width = self.reader.layout.width;
            let height = self.reader.height;
            let previous = self.reader.guide;
            self.reader = Reader::new(guide, doc, width, false);
            self.reader.height = height;
            self.let_go_unless_open(previous);
        }
        self.resize(self.size);
        self.set_top(0);
        self.reader.link = None;
        self.reader.code = None;
        self.reader.task = None;
        if self.focus == Focus::Checklist && self.reader.doc.tasks.is_empty() {
            self.focus = Focus::Reader;
        }
    }

    fn go_to(&mut self, loc: Location) {
        self.show(loc.guide);
        self.scroll_to_block(loc.block);
        self.sync_sidebar_to_reader();
    }

    fn jump_within(&mut self, heading: usize) {
        let here = self.location();
        self.scroll_to_heading(heading);
        self.history.record(here, self.location());
        self.sync_sidebar_to_reader();
    }

    /// Follows a link's target: an anchor, another guide of the set, or an outside URL
    /// (opened by the run loop, which reports how that went).
    pub(crate) fn follow(&mut self, url: &str) -> Vec<Effect> {
        if doc::is_external_url(url) {
            return vec![Effect::OpenUrl(url.to_string())];
        }
        let (path, anchor) = match url.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (url, None),
        };
        if path.is_empty() {
            let anchor = anchor.unwrap_or("");
            match self.reader.doc.heading_by_anchor(anchor) {
                Some(h) => self.jump_within(h),
                None => self.set_status(format!("no heading #{anchor} in this guide"), true),
            }
            return Vec::new();
        }
        match self.set.resolve_link(self.reader.guide, path) {
            Some(g) => self.open(g, anchor),
            None => self.set_status(format!("not in this guide set: {path}"), true),
        }
        Vec::new()
    }

    // ----- selection -----------------------------------------------------------------------

    /// Selects the next (or previous) link in reading order (row, then column), laying out
    /// as far as needed. A link wrapped over two rows counts once.
    fn step_link(&mut self, forward: bool) {
        let doc = Arc::clone(&self.reader.doc);
        let current = self.reader.link;
        let current_id = current.map(|s| s.link);
        let reading = self.reading_row();
        let found = if forward {
            let (from_row, from_col) = current.map_or((reading, 0), |s| (s.row, s.col + 1));
            let mut row = from_row;
            loop {
                self.reader
                    .layout
                    .extend_to_rows(&doc, &self.theme, row + 1);
                let Some(r) = self.reader.layout.rows.get(row) else {
                    break None;
                };
                let min_col = if row == from_row { from_col } else { 0 };
                if let Some(l) = self
                    .reader
                    .layout
                    .links(r)
                    .iter()
                    .find(|l| l.start >= min_col && Some(l.link) != current_id)
                {
                    break Some(SelectedLink {
                        link: l.link,
                        row,
                        col: l.start,
                    });
                }
                row += 1;
            }
        } else {
            let layout = &self.reader.layout;
            let rows = &layout.rows;
            let (from_row, max_col) = match current {
                Some(s) => (s.row, s.col),
                None => (
                    (self.reader.top + self.height()).saturating_sub(1),
                    u16::MAX,
                ),
            };
            let mut found = None;
            for row in (0..=from_row.min(rows.len().saturating_sub(1))).rev() {
                let limit = if row == from_row { max_col } else { u16::MAX };
                let Some(l) = layout
                    .links(&rows[row])
                    .iter()
                    .rev()
                    .find(|l| l.start < limit && Some(l.link) != current_id)
                else {
                    continue;
                };
                let (mut first_row, mut first_col) = (row, l.start);
                while first_col == 0 && first_row > 0 {
                    match layout
                        .links(&rows[first_row - 1])
                        .last()
                        .filter(|p| p.link == l.link)
                    {
                        Some(p) => {
                            first_row -= 1;
                            first_col = p.start;
                        }
                        None => break,
                    }
                }
                found = Some(SelectedLink {
                    link: l.link,
                    row: first_row,
                    col: first_col,
                });
                break;
            }
            found
        };
        match found {
            Some(sel) => {
                self.reader.link = Some(sel);
                self.reveal(sel.row);
                let url = doc
                    .links
                    .get(sel.link as usize)
                    .map(|l| l.url.clone())
                    .unwrap_or_default();
                let hint = self
                    .keymap
                    .label(Action::Open)
                    .unwrap_or_else(|| "Enter".into());
                self.set_status(format!("{url}  ({hint} to open)"), false);
            }
            None => self.no_more("links", forward),
        }
    }

    fn step_code(&mut self, forward: bool) {
        let doc = Arc::clone(&self.reader.doc);
        if doc.code_blocks.is_empty() {
            self.set_status("no code blocks in this guide".into(), false);
            return;
        }
        let next = match (self.reader.code, forward) {
            (Some(c), true) => (c + 1 < doc.code_blocks.len() as u32).then_some(c + 1),
            (Some(c), false) => c.checked_sub(1),
            (None, true) => {
                let top_block = self.reading_block();
                doc.code_blocks
                    .iter()
                    .position(|c| c.block >= top_block)
                    .map(|i| i as u32)
            }
            (None, false) => {
                let top_block = self.reading_block();
                doc.code_blocks
                    .iter()
                    .rposition(|c| c.block < top_block + 1)
                    .map(|i| i as u32)
            }
        };
        match next {
            Some(c) => {
                self.reader.code = Some(c);
                let block = doc.code_blocks[c as usize].block;
                if let Some(row) = self.reader.block_row(&self.theme, block) {
                    self.reveal(row);
                }
                let code = &doc.code_blocks[c as usize];
                let lang = code.lang.as_deref().unwrap_or("text");
                let mut msg = format!("code block {} of {} ({lang})", c + 1, doc.code_blocks.len());
                // Said before a copy, too: shown names such as <U+202E> are easy to miss.
                let disguised = crate::sanitize::has_disguising_chars(&code.raw);
                if disguised {
                    msg.push_str(": warning: contains invisible or bidirectional characters");
                }
                self.set_status(msg, disguised);
            }
            None => self.no_more("code blocks", forward),
        }
    }

    /// "no more links below" and the like, when a step finds nothing.
    pub(super) fn no_more(&mut self, what: &str, forward: bool) {
        let dir = if forward { "below" } else { "above" };
        self.set_status(format!("no more {what} {dir}"), false);
    }

    /// Scrolls so `row` is on screen, with a little context above it.
    fn reveal(&mut self, row: usize) {
        let h = self.height();
        if row < self.reader.top || row >= self.reader.top + h {
            self.set_top(row.saturating_sub(2));
        }
    }

    fn step_heading(&mut self, forward: bool) {
        let doc = Arc::clone(&self.reader.doc);
        let from = self.reading_row();
        let mut target = None;
        if forward {
            for (i, h) in doc.headings.iter().enumerate() {
                if self
                    .reader
                    .block_row(&self.theme, h.block)
                    .is_some_and(|row| row > from)
                {
                    target = Some(i);
                    break;
                }
            }
        } else {
            for (i, h) in doc.headings.iter().enumerate().rev() {
                if self
                    .reader
                    .block_row(&self.theme, h.block)
                    .is_some_and(|row| row < from)
                {
                    target = Some(i);
                    break;
                }
            }
        }
        if let Some(h) = target {
            self.scroll_to_heading(h);
            self.sync_sidebar_to_reader();
        }
    }

    // ----- status ------------------------------------------------------------------------

    pub fn set_status(&mut self, text: String, error: bool) {
        let status = Status {
            text: crate::sanitize::sanitize_line(&text),
            error,
        };
        if self.messages.len() >= MESSAGES_KEPT {
            self.messages.pop_front();
        }
        self.messages.push_back(status.clone());
        self.status = Some(status);
    }

    // ----- update ------------------------------------------------------------------------

    /// Applies one action (keys arrive here through the key map).
    pub(crate) fn act(&mut self, action: Action) -> Vec<Effect> {
        // Keys reach an open overlay through its own table (`overlay_key`); an action
        // sent without a key can only close it.
        if self.overlay.is_some() {
            if matches!(action, Action::Cancel | Action::Help) {
                self.overlay = None;
            }
            return Vec::new();
        }
        // Whatever the user does next needs the whole guide (its end, its headings).
        self.finish_parse();
        if action == Action::Suspend {
            return vec![Effect::Suspend];
        }
        if action != Action::NextLink && action != Action::PrevLink {
            self.status = None;
        }
        let page = self.height();
        let sidebar = self.focus == Focus::Sidebar;
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Suspend => return vec![Effect::Suspend],
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Messages => self.open_messages(),
            Action::Cancel if self.reader.find.is_some() => {
                self.reader.find = None;
                self.reader.cursor = None;
            }
            Action::Cancel => {
                self.reader.link = None;
                self.reader.code = None;
                self.reader.task = None;
                if self.focus == Focus::Checklist {
                    self.focus = Focus::Reader;
                }
            }
            Action::FocusNext => self.cycle_focus(),
            Action::Search => self.start_find(),
            Action::Finder => self.open_finder(),
            Action::Edit => return self.edit(),
            Action::StartScreen => {
                self.overlay = Some(Overlay::Start {
                    selected: self.reader.guide,
                })
            }
            Action::NextMatch => self.step_find(true),
            Action::PrevMatch => self.step_find(false),
            Action::CopyBlock => return self.copy_block(),
            Action::CopyLine => return self.copy_line(),
            // `Space` on a folder row folds it, as `Enter` does.
            Action::ToggleTask if self.folder_selected() => self.toggle_selected_fold(),
            Action::ToggleTask => return self.toggle_selected_task(),
            Action::Fold if sidebar => self.fold_selected(),
            Action::Unfold if sidebar => self.unfold_selected(),
            Action::Fold | Action::Unfold => self.fold_hint(),
            Action::FoldAll => self.fold_all(true),
            Action::UnfoldAll => self.fold_all(false),
            Action::NextTask => self.step_task(true, true),
            Action::PrevTask => self.step_task(false, true),
            Action::Migrations => {
                self.overlay = Some(Overlay::Migrations(migrations::Panel::browse()));
                return vec![self.load_migrations()];
            }
            Action::Findings => return self.open_findings(),
            Action::ScrollDown if self.focus == Focus::Checklist => self.step_task(true, false),
            Action::ScrollUp if self.focus == Focus::Checklist => self.step_task(false, false),
            Action::Open if self.focus == Focus::Checklist => return self.toggle_selected_task(),
            Action::ScrollDown if sidebar => self.move_sidebar(1),
            Action::ScrollUp if sidebar => self.move_sidebar(-1),
            Action::HalfPageDown | Action::PageDown if sidebar => {
                self.move_sidebar(page as isize / 2)
            }
            Action::HalfPageUp | Action::PageUp if sidebar => {
                self.move_sidebar(-(page as isize) / 2)
            }
            Action::Top if sidebar => self.sidebar_selected = 0,
            Action::Bottom if sidebar => self.move_sidebar(isize::MAX / 2),
            Action::Open if sidebar => self.open_sidebar_entry(),
            Action::ScrollDown => self.scroll_by(1),
            Action::ScrollUp => self.scroll_by(-1),
            Action::HalfPageDown => self.scroll_by((page / 2).max(1) as isize),
            Action::HalfPageUp => self.scroll_by(-((page / 2).max(1) as isize)),
            Action::PageDown => self.scroll_by(page.saturating_sub(1).max(1) as isize),
            Action::PageUp => self.scroll_by(-(page.saturating_sub(1).max(1) as isize)),
            Action::Top => self.set_top(0),
            Action::Bottom => {
                let max = self.max_top();
                self.set_top(max);
            }
            Action::NextHeading => self.step_heading(true),
            Action::PrevHeading => self.step_heading(false),
            Action::NextCode => self.step_code(true),
            Action::PrevCode => self.step_code(false),
            Action::NextLink => self.step_link(true),
            Action::PrevLink => self.step_link(false),
            Action::Open => match self.reader.link {
                Some(sel) => {
                    let url = self
                        .reader
                        .doc
                        .links
                        .get(sel.link as usize)
                        .map(|l| l.url.clone());
                    if let Some(url) = url {
                        return self.follow(&url);
                    }
                }
                None => {
                    let key = self
                        .keymap
                        .label(Action::NextLink)
                        .unwrap_or_else(|| "l".into());
                    self.set_status(
                        format!("no link selected: press {key} to select one"),
                        false,
                    );
                }
            },
            Action::NextGuide => self.step_guide(1),
            Action::PrevGuide => self.step_guide(-1),
            Action::Back => match self.history.back(self.location()) {
                Some(loc) => self.go_to(loc),
                None => self.set_status("nothing to go back to".into(), false),
            },
            Action::Forward => match self.history.forward(self.location()) {
                Some(loc) => self.go_to(loc),
                None => self.set_status("nothing to go forward to".into(), false),
            },
        }
        if !sidebar
            && matches!(
                action,
                Action::ScrollDown
                    | Action::ScrollUp
                    | Action::HalfPageDown
                    | Action::HalfPageUp
                    | Action::PageDown
                    | Action::PageUp
                    | Action::Top
                    | Action::Bottom
            )
        {
            self.sync_sidebar_to_reader();
        }
        Vec::new()
    }

    /// `e`: the open guide in the editor, at the line the reader is looking at.
    fn edit(&mut self) -> Vec<Effect> {
        let Some(path) = self.set.disk_path(self.reader.guide) else {
            self.set_status(
                "the bundled guides are built into devguide and read-only: \
                 `devguide export DIR` writes editable copies, then `devguide --dir DIR`"
                    .into(),
                false,
            );
            return Vec::new();
        };
        vec![Effect::Edit {
            path,
            line: self.source_line(),
        }]
    }

    /// The file line shown at the cursor (when on screen) or at the top of the screen.
    pub fn source_line(&self) -> usize {
        let rows = &self.reader.layout.rows;
        let at = self
            .reader
            .cursor
            .filter(|r| self.visible_rows().contains(r))
            .unwrap_or(self.reader.top);
        let Some(row) = rows.get(at) else { return 1 };
        let block_line = self
            .reader
            .doc
            .blocks
            .get(row.block() as usize)
            .map_or(1, |b| b.line as usize);
        let within = row.code_line_number().map_or(0, |c| c as usize + 1);
        let body_line = self
            .set
            .guides
            .get(self.reader.guide)
            .map_or(1, |g| g.body_line);
        body_line + block_line - 1 + within
    }

    /// The open guide still to be parsed in full, once: its index and text.
    fn take_pending_parse(&mut self) -> Option<(usize, String)> {
        if !self.reader.partial || self.parse_requested {
            return None;
        }
        self.parse_requested = true;
        let g = self.reader.guide;
        self.set.guides.get(g).map(|x| (g, x.body.clone()))
    }

    /// True while the open guide's full parse is out and has not come back: keys wait.
    pub(super) fn awaiting_parse(&self) -> bool {
        self.reader.partial && self.parse_requested
    }

    /// Holds a key until the whole guide is parsed (see [`App::full_doc_ready`]).
    pub(super) fn defer_key(&mut self, key: &crossterm::event::KeyEvent) {
        self.deferred_keys.push(*key);
    }

    /// Where the guide a full parse was made for is now: guides may have joined or left
    /// the set (a rescan, the whole set read in) while the parse ran. A parse of a text
    /// the guide no longer has is dropped, and asked for again if the reader waits on it.
    pub(crate) fn parsed_guide(&mut self, asked_at: usize, id: &str, len: usize) -> Option<usize> {
        let at = match self.set.guides.get(asked_at) {
            Some(g) if g.id == id => Some(asked_at),
            _ => self.set.guides.iter().position(|g| g.id == id),
        };
        let current = at.filter(|&i| self.set.guides.get(i).is_some_and(|g| g.body.len() == len));
        if current.is_none() && self.reader.partial {
            self.parse_requested = false;
        }
        current
    }

    /// The whole of a guide that was opened from a prefix: it takes the prefix's place,
    /// keeping the position and selections (block indices are the same). Keys pressed
    /// meanwhile are handled now, against the whole; their effects are returned.
    pub(crate) fn full_doc_ready(&mut self, guide: usize, doc: Doc) -> Vec<Effect> {
        let doc = Arc::new(doc);
        if let Some(slot) = self.docs.get_mut(guide) {
            *slot = Some(Arc::clone(&doc));
        }
        if guide == self.reader.guide && self.reader.partial {
            let block = self.top_block();
            let pinned = self.reader.pinned;
            let width = self.reader.layout.width;
            self.reader.doc = doc;
            self.reader.partial = false;
            self.reader.layout = Layout::new(width);
            self.scroll_to_block(block);
            self.reader.pinned = pinned;
            self.refresh_find();
        }
        self.replay_deferred_keys()
    }

    /// The full parse of the open guide failed (its thread died): keep reading the prefix
    /// rather than hold keys forever, and say the rest is missing.
    pub(crate) fn full_parse_failed(&mut self, guide: usize) -> Vec<Effect> {
        let failed = guide == self.reader.guide && self.reader.partial;
        if failed {
            self.reader.partial = false;
        }
        let effects = self.replay_deferred_keys();
        if failed {
            self.set_status(
                "only the start of this guide could be read; reopen it to try again".into(),
                true,
            );
        }
        effects
    }

    fn replay_deferred_keys(&mut self) -> Vec<Effect> {
        let keys = std::mem::take(&mut self.deferred_keys);
        let mut effects = Vec::new();
        for key in &keys {
            effects.extend(self.handle_key(key));
        }
        effects
    }

    /// The whole of a guide that opened from its file's first part: it takes the part's
    /// place in the set, then its document replaces the prefix's as a full parse does.
    /// Keys held meanwhile are handled now; their effects are returned.
    pub(crate) fn whole_guide_ready(
        &mut self,
        guide: usize,
        whole: Result<Box<(crate::content::Guide, Doc)>, String>,
    ) -> Vec<Effect> {
        match whole {
            Ok(read) => {
                let (whole, doc) = *read;
                // The set may have changed while the file was read (a rescan of a
                // folder): the guide is found again by its id, and a guide that is
                // gone takes nothing.
                let found = match self.set.guides.get(guide) {
                    Some(g) if g.id == whole.id => Some(guide),
                    _ => self.set.guides.iter().position(|g| g.id == whole.id),
                };
                let Some(guide) = found else {
                    return self.full_parse_failed(guide);
                };
                let notices = Arc::make_mut(&mut self.set).adopt_whole(guide, whole);
                if let Some(first) = notices.first() {
                    self.set_status(first.clone(), true);
                }
                self.full_doc_ready(guide, doc)
            }
            Err(error) => {
                let effects = self.full_parse_failed(guide);
                self.set_status(
                    format!("{error}; only the start of this guide is shown"),
                    true,
                );
                effects
            }
        }
    }

    /// Parses the open guide in full now (for tests and benches, which have no run loop).
    pub(crate) fn finish_parse(&mut self) {
        let g = self.reader.guide;
        if self.reader.partial
            && !self.parse_requested
            && let Some(read) = self.set.whole_read(g)
        {
            self.parse_requested = true;
            let whole = read.read().map(|guide| {
                let doc = doc::parse(&guide.body);
                Box::new((guide, doc))
            });
            let _ = self.whole_guide_ready(g, whole);
            return;
        }
        if let Some((g, body)) = self.take_pending_parse() {
            // No run loop to hand effects to: tests and benches press no keys meanwhile.
            let _ = self.full_doc_ready(g, doc::parse(&body));
        }
    }

    /// A guide changed on disk: parse it again and keep the reading position and the
    /// checklist ticks (item ids do not depend on position).
    pub(crate) fn guide_changed(&mut self, guide: usize) {
        self.text_changed(guide);
        if guide == self.reader.guide {
            let block = self.top_block();
            let doc = self.doc(guide);
            let width = self.reader.layout.width;
            self.reader.doc = doc;
            self.reader.layout = Layout::new(width);
            self.reader.find = None;
            self.reader.cursor = None;
            self.reader.link = None;
            self.reader.code = None;
            self.reader.task = None;
            let last = self.reader.doc.blocks.len().saturating_sub(1);
            self.scroll_to_block(block.min(last));
            self.resize(self.size);
        }
        let name = self
            .set
            .guides
            .get(guide)
            .map_or(String::new(), |g| g.rel_path.clone());
        self.set_status(format!("reloaded {name}"), false);
    }

    /// What was built from a guide's text is built again from the text the set holds now
    /// (read for it, and let go again when the guide is not open). Only this guide's items
    /// and facts change: the others are not parsed again.
    fn text_changed(&mut self, guide: usize) {
        if let Some(slot) = self.docs.get_mut(guide) {
            *slot = None;
        }
        self.highlights.forget_guide(guide);
        let held = !self.set.guides.get(guide).is_some_and(|g| g.pending);
        if !held && let Err(e) = Arc::make_mut(&mut self.set).read_body(guide) {
            self.set_status(e, true);
        }
        if let Some(slot) = self.facts.get_mut(guide) {
            let doc = parse_guide(&self.set, &mut self.docs, guide);
            *slot = self
                .set
                .guides
                .get(guide)
                .map(|g| progress::GuideFacts::of(&g.body, &doc));
        }
        let id = self.set.guides.get(guide).map(|g| g.id.clone());
        match (self.checklists.catalog.is_some(), id) {
            (true, Some(id)) => {
                let doc = parse_guide(&self.set, &mut self.docs, guide);
                if let Some(cat) = self.checklists.catalog.as_mut() {
                    cat.replace_guide(&id, &doc);
                }
                self.checklists.progress_stale = true;
            }
            _ => self.forget_catalog(),
        }
        self.rules_may_have_changed();
        if !held {
            self.let_go_unless_open(guide);
        }
    }

    fn step_guide(&mut self, delta: isize) {
        let n = self.set.guides.len();
        let next = self
            .reader
            .guide
            .checked_add_signed(delta)
            .filter(|&g| g < n);
        match next {
            Some(g) => self.open(g, None),
            None => {
                let edge = if delta > 0 { "last" } else { "first" };
                self.set_status(format!("this is the {edge} guide"), false);
            }
        }
    }

    // ----- mouse -------------------------------------------------------------------------

    pub(crate) fn scroll_at(&mut self, column: u16, row: u16, down: bool) {
        self.finish_parse();
        // Over an overlay the wheel moves the overlay's list or text, as its keys do.
        if self.overlay.is_some() {
            self.overlay_wheel(down);
            return;
        }
        let over_sidebar = self.areas.sidebar.is_some_and(|s| contains(s, column, row));
        let delta = if down { 3 } else { -3 };
        if over_sidebar {
            self.move_sidebar(delta);
        } else {
            self.scroll_by(delta);
            self.sync_sidebar_to_reader();
        }
    }

    pub(crate) fn click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        self.finish_parse();
        if self.overlay.is_some() {
            return Vec::new();
        }
        if let Some(s) = self.areas.sidebar.filter(|s| contains(*s, column, row)) {
            let index = self.sidebar_offset(usize::from(s.height)) + usize::from(row - s.y);
            if index < self.sidebar_len() {
                self.sidebar_selected = index;
                self.open_sidebar_entry();
            }
            return Vec::new();
        }
        let t = self.areas.text;
        if !contains(t, column, row) {
            return Vec::new();
        }
        let r = self.reader.top + usize::from(row - t.y);
        let col = column - t.x;
        // A click on a checklist item's first row ticks it.
        if let Some((task, _)) = self
            .reader
            .layout
            .rows
            .get(r)
            .and_then(|x| self.reader.layout.task(x))
        {
            self.reader.task = Some(task);
            return self.toggle_selected_task();
        }
        let hit = self.reader.layout.rows.get(r).and_then(|rr| {
            self.reader
                .layout
                .links(rr)
                .iter()
                .find(|l| l.start <= col && col < l.end)
        });
        if let Some(&crate::layout::wrap::LinkCell { link, start, .. }) = hit {
            self.reader.link = Some(SelectedLink {
                link,
                row: r,
                col: start,
            });
            if let Some(url) = self
                .reader
                .doc
                .links
                .get(link as usize)
                .map(|l| l.url.clone())
            {
                return self.follow(&url);
            }
        }
        Vec::new()
    }

    /// Code blocks on screen or near it, whose highlighting is wanted now.
    pub fn wanted_highlights(&self) -> Vec<u32> {
        let rows = &self.reader.layout.rows;
        let margin = self.height();
        let start = self.reader.top.saturating_sub(margin);
        let end = (self.reader.top + self.height() + margin).min(rows.len());
        let mut out: Vec<u32> = Vec::new();
        for row in rows.get(start..end).unwrap_or(&[]) {
            if let Some(f) = self.reader.layout.frame(row)
                && out.last() != Some(&f)
                && !self.highlights.has((self.reader.guide, f))
            {
                out.push(f);
            }
        }
        out
    }
}

fn contains(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

fn parse_guide(set: &GuideSet, docs: &mut [Option<Arc<Doc>>], guide: usize) -> Arc<Doc> {
    if let Some(Some(d)) = docs.get(guide) {
        return Arc::clone(d);
    }
    let doc = Arc::new(
        set.guides
            .get(guide)
            .map(|g| doc::parse(&g.body))
            .unwrap_or_default(),
    );
    if let Some(slot) = docs.get_mut(guide) {
        *slot = Some(Arc::clone(&doc));
    }
    doc
}

#[cfg(test)]
mod tests;
