//! The one door into the reader: everything that changes it arrives as a [`Msg`], and
//! everything it wants done outside itself leaves as an [`Effect`].
//!
//! Background work is *requested* (`Effect::Parse`, `Effect::Index`, `Effect::Catalog`,
//! `Effect::Highlight`)
//! and its results come back as messages, so the run loop never asks the app for work and
//! a headless test can drive the whole reader by feeding messages and reading effects.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::Action;
use super::finder::{Indexes, PreviewText};
use super::findings::Scanned;
use crate::checklist::State;
use crate::checklist::ops::{Applied, Op};
use crate::content::{Guide, GuideSet, Rescan, WholeRead};
use crate::doc::Doc;
use crate::highlight;
use crate::scan::history::Record;

/// Something that happened: input, time, or the result of work the app asked for.
pub enum Msg {
    /// A key press (releases are dropped before they get here).
    Key(KeyEvent),
    /// An action without a key (tests, scripts).
    Action(Action),
    /// The mouse wheel at a cell.
    Scroll { column: u16, row: u16, down: bool },
    /// A left click at a cell.
    Click { column: u16, row: u16 },
    /// The size of the frame about to be drawn: the one size query of a frame.
    Resize(Rect),
    /// The clock moved on: sections on screen long enough become read, and the open
    /// guide's file is checked for changes now and then.
    Tick(Instant),
    /// Nothing else to do: lay out a little more, or build the checklist catalog.
    Idle,
    /// The full parse of a guide: `guide` is its place when the parse was asked for, `id`
    /// and `len` say which guide and which text it was, in case the set changed since.
    Parsed {
        guide: usize,
        id: String,
        len: usize,
        doc: Box<Doc>,
    },
    /// The whole of a guide that opened from its file's first part, read and parsed (or
    /// why it could not be read).
    ReadWhole {
        guide: usize,
        whole: Result<Box<(Guide, Doc)>, String>,
    },
    /// A guide's text, read in the background for the finder's preview.
    PreviewRead(Box<PreviewText>),
    /// The search index and lookup catalog, built in the background.
    Indexed(Box<Indexes>),
    /// The checklist catalog, built in the background for the set as it was at
    /// `generation` (an answer for an older set is dropped).
    Cataloged {
        generation: u64,
        catalog: Box<crate::checklist::Catalog>,
        /// Each guide's word count and section anchors, gathered in the same pass.
        facts: Vec<super::progress::GuideFacts>,
    },
    /// The result of an [`Effect::ReadSet`]: the set with every guide read whole (titles,
    /// notices), their texts let go ([`GuideSet::from_dir_unheld`]).
    SetRead(Result<Box<GuideSet>, String>),
    /// A background job failed; the reader carries on without its result.
    Failed { what: String, error: String },
    /// A code block's highlighting.
    Highlighted(highlight::Done),
    /// The result of an [`Effect::Save`].
    Saved(Result<Applied, String>),
    /// The result of an [`Effect::LoadMigrations`]: the state with every migration's
    /// ticks, and anything the user should be told.
    Loaded {
        state: Box<State>,
        notices: Vec<String>,
    },
    /// The editor closed (or could not start): reload the guide it had open.
    Edited(Result<(), String>),
    /// Something the run loop did and the user should hear about (a copy, a failure).
    Report { text: String, error: bool },
    /// The result of an [`Effect::Rescan`]: `Ok(None)` when the folder's files are the
    /// same as before. `took` is how long the walk took: the next waits in proportion.
    Rescanned {
        result: Result<Option<Box<Rescan>>, String>,
        took: std::time::Duration,
    },
    /// The result of an [`Effect::Scan`].
    Scanned(Box<Result<Scanned, String>>),
    /// Recorded scans of these migrations, oldest first, read from the history file.
    ScanHistory(BTreeMap<String, Vec<Record>>),
}

impl From<Action> for Msg {
    fn from(a: Action) -> Msg {
        Msg::Action(a)
    }
}

impl From<KeyEvent> for Msg {
    fn from(k: KeyEvent) -> Msg {
        Msg::Key(k)
    }
}

impl Msg {
    /// A short name for the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Key(_) => "key",
            Msg::Action(_) => "action",
            Msg::Scroll { .. } => "scroll",
            Msg::Click { .. } => "click",
            Msg::Resize(_) => "resize",
            Msg::Tick(_) => "tick",
            Msg::Idle => "idle",
            Msg::Parsed { .. } => "parsed",
            Msg::ReadWhole { .. } => "read whole",
            Msg::PreviewRead(_) => "preview read",
            Msg::Indexed(_) => "indexed",
            Msg::Cataloged { .. } => "cataloged",
            Msg::SetRead(_) => "set read",
            Msg::Failed { .. } => "failed",
            Msg::Highlighted(_) => "highlighted",
            Msg::Saved(_) => "saved",
            Msg::Loaded { .. } => "loaded",
            Msg::Edited(_) => "edited",
            Msg::Report { .. } => "report",
            Msg::Rescanned { .. } => "rescanned",
            Msg::Scanned(_) => "scanned",
            Msg::ScanHistory(_) => "scan history",
        }
    }
}

/// Work the app asks the run loop to do. Results come back as [`Msg`]s.
#[derive(Debug, Clone)]
pub enum Effect {
    Quit,
    /// Give the terminal back to the shell until `fg` (Ctrl-z).
    Suspend,
    /// Write these checklist changes for this guide set; answer with [`Msg::Saved`].
    Save {
        set_key: String,
        ops: Vec<Op>,
    },
    /// Read the ticks of every migration of the set into `state` (for the migrations
    /// panel, which shows the progress of each); answer with [`Msg::Loaded`].
    LoadMigrations {
        set_key: String,
        state: Box<State>,
    },
    /// Put text on the clipboard; `what` names it in the status message.
    Copy {
        text: String,
        what: String,
    },
    /// Hand the terminal to the editor for this file, at this line; answer with
    /// [`Msg::Edited`].
    Edit {
        path: std::path::PathBuf,
        line: usize,
    },
    /// Open an external link with the configured browser or the platform's opener; the
    /// run loop reports how that went.
    OpenUrl(String),
    /// Parse a guide in full elsewhere; answer with [`Msg::Parsed`].
    Parse {
        guide: usize,
        id: String,
        body: String,
    },
    /// Read a guide opened from its first part in full and parse it elsewhere; answer
    /// with [`Msg::ReadWhole`].
    ReadWhole {
        guide: usize,
        read: WholeRead,
    },
    /// Read a guide's text elsewhere for the finder's preview; answer with
    /// [`Msg::PreviewRead`].
    ReadPreview {
        guide: usize,
        set: Arc<GuideSet>,
    },
    /// Build the search index and lookup catalog elsewhere, reusing the documents already
    /// parsed; answer with [`Msg::Indexed`] (or [`Msg::Failed`]).
    Index {
        set: Arc<GuideSet>,
        parsed: Vec<Option<Arc<Doc>>>,
    },
    /// Build the checklist catalog elsewhere, reusing the documents already parsed;
    /// answer with [`Msg::Cataloged`] carrying the same `generation`.
    Catalog {
        set: Arc<GuideSet>,
        parsed: Vec<Option<Arc<Doc>>>,
        generation: u64,
    },
    /// Read every guide of the folder whole (the set was loaded from the files' heads),
    /// keeping none of their texts; answer with [`Msg::SetRead`].
    ReadSet(std::path::PathBuf),
    /// Walk the set's folder again for guides added, removed or renamed; answer with
    /// [`Msg::Rescanned`].
    Rescan(Arc<GuideSet>),
    /// Highlight these code blocks (replacing any batch still waiting); each answer is a
    /// [`Msg::Highlighted`].
    Highlight(Vec<highlight::Request>),
    /// Scan the code base at `root` against the set's guides elsewhere; answer with
    /// [`Msg::Scanned`].
    Scan {
        root: std::path::PathBuf,
        set: Arc<GuideSet>,
    },
    /// Append a scan's summary to a migration's history (`scans.json` beside the state
    /// file); answer with [`Msg::ScanHistory`], or a [`Msg::Report`] of what went wrong.
    RecordScan {
        set_key: String,
        migration: String,
        record: Record,
    },
    /// There is idle work left: send [`Msg::Idle`] when no other message is waiting.
    Idle,
}

impl Effect {
    /// A short description for the log.
    pub fn describe(&self) -> String {
        match self {
            Effect::Quit => "quit".into(),
            Effect::Suspend => "suspend".into(),
            Effect::Save { ops, .. } => format!("save {} change(s)", ops.len()),
            Effect::LoadMigrations { .. } => "load migrations".into(),
            Effect::Copy { what, .. } => format!("copy {what}"),
            Effect::Edit { path, line } => format!("edit {} at line {line}", path.display()),
            Effect::OpenUrl(url) => format!("open {url}"),
            Effect::Parse { guide, body, .. } => {
                format!("parse guide {guide} ({} bytes)", body.len())
            }
            Effect::ReadWhole { guide, .. } => format!("read and parse guide {guide}"),
            Effect::ReadPreview { guide, .. } => format!("read guide {guide} for the preview"),
            Effect::Index { set, .. } => format!("index {} guide(s)", set.guides.len()),
            Effect::Catalog { set, .. } => format!("catalog {} guide(s)", set.guides.len()),
            Effect::ReadSet(dir) => format!("read the guides of {}", dir.display()),
            Effect::Rescan(_) => "rescan the folder".into(),
            Effect::Highlight(r) => format!("highlight {} block(s)", r.len()),
            Effect::Scan { root, .. } => format!("scan {}", root.display()),
            Effect::RecordScan { migration, .. } => format!("record a scan in {migration}"),
            Effect::Idle => "idle".into(),
        }
    }
}
