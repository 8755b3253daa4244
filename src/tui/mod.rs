//! The interactive reader's run loop: terminal in, events in, actions to the app, frames
//! out. The only module that does terminal I/O.

pub mod background;
mod clipboard;
mod editor;
mod hyperlinks;
mod input;
mod terminal;

use std::sync::Arc;
use std::sync::mpsc::{self, Sender, TryRecvError};

use crossterm::event::{Event as TermEvent, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use std::time::SystemTime;

use crate::app::finder::Indexes;
use crate::app::{App, Effect};
use crate::checklist::Store;
use crate::checklist::ops;
use crate::highlight::{Done, Request, Worker};
use input::Input;

enum Event {
    Terminal(TermEvent),
    /// The whole of a guide that opened from a parsed prefix.
    Parsed(usize, Box<crate::doc::Doc>),
    /// The search index and lookup catalog, built in the background.
    Indexed(Box<Indexes>),
    Highlighted(Done),
    Signal(i32),
}

/// The exit code is 0 when the user quits, 128 + signal when a signal ends it.
/// Runs the reader until the user quits. `store` is where checklist changes are saved.
pub fn run(mut app: App, mouse: bool, mut store: Option<Store>) -> anyhow::Result<u8> {
    let (tx, rx) = mpsc::channel();
    spawn_signal_thread(tx.clone())?;
    let worker = {
        let tx = tx.clone();
        Worker::spawn(
            app.theme.clone(),
            app.settings.syntax_theme.clone(),
            move |done| tx.send(Event::Highlighted(done)).is_ok(),
        )
    };
    // Keys come from stdin when it is a terminal, else from /dev/tty; with neither there
    // is nothing to read keys from, and the screen has not been touched yet.
    let (mut terminal, _guard) = anyhow::Context::context(
        terminal::enter(mouse),
        "no terminal to read keys from (stdin is not one and /dev/tty cannot be opened); \
         pipe the output (`devguide | less`) or use `devguide show`",
    )?;
    let index_tx = tx.clone();
    let input = Input::spawn(tx, Event::Terminal)?;
    let reindex_tx = index_tx.clone();
    let mut index_tx = Some(index_tx);
    let mut last_reload_check = std::time::Instant::now();
    let hyperlinks = hyperlinks::supported();
    let mut submitted: Vec<u32> = Vec::new();
    let mut submitted_guide = usize::MAX;
    loop {
        let size = terminal.size()?;
        app.resize(Rect::new(0, 0, size.width, size.height));
        let frame = terminal.draw(|f| crate::ui::draw(f, &app))?;
        if hyperlinks {
            let regions = hyperlinks::visible(&app);
            if !regions.is_empty() {
                hyperlinks::emit(&mut std::io::stdout(), frame.buffer, &regions)?;
            }
        }
        // Lets the end-to-end tests prove that a panic restores the terminal.
        if cfg!(debug_assertions) && std::env::var_os("DEVGUIDE_TEST_PANIC").is_some() {
            panic!("panic requested by DEVGUIDE_TEST_PANIC");
        }

        // A large guide opened from a prefix: parse the whole now the first frame is up.
        if let Some((guide, body)) = app.take_pending_parse() {
            let tx = reindex_tx.clone();
            std::thread::Builder::new()
                .name("parse".into())
                .spawn(move || {
                    let _ = tx.send(Event::Parsed(guide, Box::new(crate::doc::parse(&body))));
                })?;
        }
        // Built the first time the finder opens (a reading session never pays for it),
        // after a partial guide's full parse so the index reuses it.
        if app.wants_index()
            && !app.reader.partial
            && let Some(tx) = index_tx.take()
        {
            spawn_index(tx, app.set.clone(), app.parsed_docs());
        }
        let wanted = app.wanted_highlights();
        if wanted != submitted || app.reader.guide != submitted_guide {
            worker.submit(requests(&app, &wanted));
            submitted = wanted;
            submitted_guide = app.reader.guide;
        }

        // Idle work (layout of long guides, the checklist catalog) runs a step at a time
        // between frames; only when there is none does the loop block for input.
        let first = if app.idle() {
            match rx.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Empty) => continue,
                Err(TryRecvError::Disconnected) => anyhow::bail!("input closed"),
            }
        } else {
            match rx.recv_timeout(RELOAD_EVERY) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    check_reload(&mut app, &mut last_reload_check, &reindex_tx);
                    app.note_time(std::time::Instant::now());
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("input closed"),
            }
        };
        let mut event = Some(first);
        // Handle everything already queued before drawing again.
        let mut ctx = Ctx {
            store: &mut store,
            terminal: &mut terminal,
            input: &input,
            mouse,
        };
        while let Some(e) = event {
            if let Some(code) = handle(&mut app, e, &mut ctx) {
                save_reading(&app, ctx.store);
                return Ok(code);
            }
            event = rx.try_recv().ok();
        }
        check_reload(&mut app, &mut last_reload_check, &reindex_tx);
        app.note_time(std::time::Instant::now());
    }
}

/// Remembers where the reader was and what it read, on the way out. A failure is said on
/// stderr once the screen is restored; it never keeps the reader from closing.
fn save_reading(app: &App, store: &mut Option<Store>) {
    let (Some(store), Some(op)) = (store.as_mut(), app.reading_to_save()) else {
        return;
    };
    if store.read_only().is_some() {
        return;
    }
    if let Err(e) = ops::apply(store, &app.checklists.set_key, &[op], SystemTime::now()) {
        terminal::restore();
        eprintln!("devguide: reading position not saved: {e}");
    }
}

/// What carrying out effects needs besides the app.
struct Ctx<'a> {
    store: &'a mut Option<Store>,
    terminal: &'a mut terminal::Term,
    input: &'a Input,
    mouse: bool,
}

/// How often the open guide's file is checked for changes (`--dir` and file sets).
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Reloads the open guide when its file changed on disk, then re-indexes the set.
fn check_reload(app: &mut App, last: &mut std::time::Instant, index_tx: &Sender<Event>) {
    if last.elapsed() < RELOAD_EVERY {
        return;
    }
    *last = std::time::Instant::now();
    let guide = app.reader.guide;
    match app.set.reload(guide) {
        Ok(true) => {
            app.guide_changed(guide);
            if app.indexes_ready() {
                spawn_index(index_tx.clone(), app.set.clone(), app.parsed_docs());
            }
        }
        Ok(false) => {}
        Err(e) => app.set_status(e, true),
    }
}

fn spawn_index(
    tx: Sender<Event>,
    set: crate::content::GuideSet,
    parsed: Vec<Option<Arc<crate::doc::Doc>>>,
) {
    // Without the thread the finder just says it is indexing; nothing else depends on it.
    let _ = std::thread::Builder::new()
        .name("index".into())
        .spawn(move || {
            let _ = tx.send(Event::Indexed(Box::new(Indexes::build_with(&set, &parsed))));
        });
}

fn handle(app: &mut App, event: Event, ctx: &mut Ctx<'_>) -> Option<u8> {
    match event {
        Event::Signal(sig) => return Some(128u8.saturating_add(sig as u8)),
        Event::Highlighted(done) => app.highlights.insert(done),
        Event::Indexed(indexes) => app.set_indexes(*indexes),
        Event::Parsed(guide, doc) => app.full_doc_ready(guide, *doc),
        Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            let effects = app.handle_key(&key);
            return run_effects(app, effects, ctx);
        }
        Event::Terminal(TermEvent::Mouse(m)) => match m.kind {
            MouseEventKind::ScrollDown => app.scroll_at(m.column, m.row, true),
            MouseEventKind::ScrollUp => app.scroll_at(m.column, m.row, false),
            MouseEventKind::Down(MouseButton::Left) => {
                let effects = app.click(m.column, m.row);
                return run_effects(app, effects, ctx);
            }
            _ => {}
        },
        // Resize and everything else: the next frame picks up the new size.
        Event::Terminal(_) => {}
    }
    None
}

/// Carries out what the app asked for; `Some(code)` ends the loop.
fn run_effects(app: &mut App, effects: Vec<Effect>, ctx: &mut Ctx<'_>) -> Option<u8> {
    for effect in effects {
        match effect {
            Effect::Quit => return Some(0),
            Effect::Suspend => match terminal::suspend(ctx.mouse) {
                Ok(fresh) => *ctx.terminal = fresh,
                Err(e) => app.set_status(format!("could not suspend: {e}"), true),
            },
            Effect::Edit { path, line } => {
                ctx.input.pause();
                terminal::leave();
                let result = editor::run(&editor::command(), &path, line);
                match terminal::take_back(ctx.mouse) {
                    Ok(fresh) => *ctx.terminal = fresh,
                    Err(e) => {
                        app.set_status(format!("could not take the terminal back: {e}"), true)
                    }
                }
                ctx.input.resume();
                match result {
                    Ok(()) => {
                        if let Ok(true) = app.set.reload(app.reader.guide) {
                            app.guide_changed(app.reader.guide);
                        }
                    }
                    Err(e) => app.set_status(e, true),
                }
            }
            Effect::Copy { text, what } => {
                let msg =
                    clipboard::copy(&mut std::io::stdout(), &text, &what, app.settings.clipboard);
                app.set_status(msg, false);
            }
            Effect::OpenUrl(url) => {
                match crate::opener::open(&url, app.settings.browser.as_deref()) {
                    Ok(msg) => app.set_status(msg, false),
                    Err(msg) => app.set_status(msg, true),
                }
            }
            Effect::LoadMigrations => {
                if let Some(store) = ctx.store.as_mut() {
                    let c = &mut app.checklists;
                    let notices = store.load_set(&mut c.state, &c.set_key);
                    app.loaded(notices);
                }
            }
            Effect::Save(ops) => {
                let result = match ctx.store.as_mut() {
                    Some(store) => {
                        ops::apply(store, &app.checklists.set_key, &ops, SystemTime::now())
                            .map_err(|e| e.to_string())
                    }
                    None => Err("no checklist state file in this session".to_string()),
                };
                app.saved(result);
            }
        }
    }
    None
}

fn requests(app: &App, blocks: &[u32]) -> Vec<Request> {
    blocks
        .iter()
        .filter_map(|&b| {
            let code = app.reader.doc.code_blocks.get(b as usize)?;
            Some(Request {
                key: (app.reader.guide, b),
                lang: code.lang.clone().unwrap_or_default(),
                code: Arc::from(code.display.as_str()),
            })
        })
        .filter(|r| !r.lang.is_empty())
        .collect()
}

/// SIGTERM, SIGHUP and SIGINT end the loop normally, so the terminal is restored.
fn spawn_signal_thread(tx: Sender<Event>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = tx.send(Event::Signal(sig));
            }
        })?;
    Ok(())
}
