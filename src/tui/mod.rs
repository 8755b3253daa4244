//! The interactive reader's run loop: terminal in, events in, actions to the app, frames
//! out. The only module that does terminal I/O.

pub mod background;
mod clipboard;
mod clock;
pub mod debug;
mod editor;
pub mod heap;
mod hyperlinks;
mod input;
mod quiet;
mod replies;
mod terminal;

use std::sync::mpsc::{self, Sender, TryRecvError};
use std::time::{Instant, SystemTime};

use crossterm::event::{Event as TermEvent, KeyEventKind, MouseButton, MouseEventKind};

use crate::app::finder::Indexes;
use crate::app::{App, Effect, Msg, RELOAD_EVERY};
use crate::checklist::Store;
use crate::checklist::ops;
use crate::highlight::Worker;
use input::Input;

enum Event {
    Terminal(TermEvent),
    /// Work done elsewhere, ready for the app.
    App(Msg),
    Signal(i32),
}

/// The exit code is 0 when the user quits, 128 + signal when a signal ends it.
/// Runs the reader until the user quits. `store` is where checklist changes are saved.
///
/// The loop: read an event → [`App::update`] → run the effects it returns → draw. The app
/// is never asked for work and its fields are never written from here.
pub fn run(mut app: App, mouse: bool, mut store: Option<Store>) -> anyhow::Result<u8> {
    let (tx, rx) = mpsc::channel();
    spawn_signal_thread(tx.clone())?;
    // crossterm drops every colour when NO_COLOR is set; `--color always` (a theme with
    // colours under NO_COLOR) asks for them back.
    if app.theme.mode != crate::theme::ColorMode::None {
        crossterm::style::force_color_output(true);
    }
    let worker = {
        let tx = tx.clone();
        Worker::spawn(
            app.theme.clone(),
            app.settings.syntax_theme.clone(),
            move |done| tx.send(Event::App(Msg::Highlighted(done))).is_ok(),
        )
    };
    // Keys come from stdin when it is a terminal, else from /dev/tty; with neither there
    // is nothing to read keys from, and the screen has not been touched yet.
    let (mut terminal, _guard) = anyhow::Context::context(
        terminal::enter(mouse),
        "no terminal to read keys from (stdin is not one and /dev/tty cannot be opened); \
         pipe the output (`devguide | less`) or use `devguide show`",
    )?;
    let work_tx = tx.clone();
    let input = Input::spawn(tx, Event::Terminal)?;
    let hyperlinks = hyperlinks::supported();
    let mut idle = false;
    let mut ctx = Ctx {
        store: &mut store,
        terminal: &mut terminal,
        input: &input,
        mouse,
        worker: &worker,
        tx: &work_tx,
    };
    loop {
        // One size per frame: the app is laid out for exactly the area being drawn, so a
        // resize between two size queries cannot leave them disagreeing.
        let mut effects = Vec::new();
        let drew = ctx.terminal.backend().drew();
        let frame = ctx.terminal.draw(|f| {
            effects = app.update(Msg::Resize(f.area()));
            crate::ui::draw(f, &app);
        })?;
        // An unchanged frame wrote nothing, and the links on screen are already linked.
        if hyperlinks && drew.get() {
            let regions = hyperlinks::visible(&app);
            if !regions.is_empty() {
                hyperlinks::emit(&mut std::io::stdout(), frame.buffer, &regions)?;
            }
        }
        // Lets the end-to-end tests prove that a panic restores the terminal.
        if cfg!(debug_assertions) && std::env::var_os("DEVGUIDE_TEST_PANIC").is_some() {
            panic!("panic requested by DEVGUIDE_TEST_PANIC");
        }
        if let Some(code) = run_effects(&mut app, effects, &mut ctx, &mut idle) {
            save_reading(&app, ctx.store);
            return Ok(code);
        }

        // Idle work (layout of long guides, the checklist catalog) runs a step at a time
        // between frames; only when there is none does the loop block for input.
        let first = if idle {
            match rx.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Empty) => Event::App(Msg::Idle),
                Err(TryRecvError::Disconnected) => anyhow::bail!("input closed"),
            }
        } else {
            match rx.recv_timeout(RELOAD_EVERY) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => Event::App(Msg::Tick(Instant::now())),
                Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("input closed"),
            }
        };
        let mut event = Some(first);
        // Handle everything already queued before drawing again.
        while let Some(e) = event {
            if let Some(code) = handle(&mut app, e, &mut ctx, &mut idle) {
                save_reading(&app, ctx.store);
                return Ok(code);
            }
            event = rx.try_recv().ok();
        }
        let effects = app.update(Msg::Tick(Instant::now()));
        if let Some(code) = run_effects(&mut app, effects, &mut ctx, &mut idle) {
            save_reading(&app, ctx.store);
            return Ok(code);
        }
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
        let msg = format!("reading position not saved: {e}");
        crate::log::write(&msg);
        let _ = crate::sanitize::notice(&mut std::io::stderr(), &msg);
    }
}

/// What carrying out effects needs besides the app.
struct Ctx<'a> {
    store: &'a mut Option<Store>,
    terminal: &'a mut terminal::Term,
    input: &'a Input,
    mouse: bool,
    worker: &'a Worker,
    /// Where background work sends its results.
    tx: &'a Sender<Event>,
}

fn handle(app: &mut App, event: Event, ctx: &mut Ctx<'_>, idle: &mut bool) -> Option<u8> {
    let msg = match event {
        Event::Signal(sig) if sig == signal_hook::consts::SIGTSTP => {
            // Stopped from outside (`kill -TSTP`): give the terminal back first.
            crate::log::write("stopped by SIGTSTP");
            suspend(app, ctx);
            return None;
        }
        Event::Signal(sig) => {
            crate::log::write(&format!("ended by signal {sig}"));
            return Some(128u8.saturating_add(sig as u8));
        }
        Event::App(msg) => msg,
        Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
        Event::Terminal(TermEvent::Mouse(m)) => match m.kind {
            MouseEventKind::ScrollDown => Msg::Scroll {
                column: m.column,
                row: m.row,
                down: true,
            },
            MouseEventKind::ScrollUp => Msg::Scroll {
                column: m.column,
                row: m.row,
                down: false,
            },
            MouseEventKind::Down(MouseButton::Left) => Msg::Click {
                column: m.column,
                row: m.row,
            },
            _ => return None,
        },
        // Resize and everything else: the next frame picks up the new size.
        Event::Terminal(_) => return None,
    };
    if crate::log::enabled() && !matches!(msg, Msg::Idle | Msg::Tick(_) | Msg::Highlighted(_)) {
        crate::log::write(&format!("msg {}", msg.kind()));
    }
    let effects = app.update(msg);
    run_effects(app, effects, ctx, idle)
}

/// Ctrl-z, or a SIGTSTP from outside: the shell gets the terminal until `fg`.
fn suspend(app: &mut App, ctx: &mut Ctx<'_>) {
    ctx.input.pause();
    let result = terminal::suspend(ctx.mouse);
    ctx.input.resume();
    match result {
        Ok(fresh) => *ctx.terminal = fresh,
        Err(e) => report(app, ctx, format!("could not suspend: {e}"), true),
    }
}

/// Tells the user (and the log) about something the loop did.
fn report(app: &mut App, ctx: &mut Ctx<'_>, text: String, error: bool) {
    if error {
        crate::log::write(&text);
    }
    let effects = app.update(Msg::Report { text, error });
    let mut idle = false;
    let _ = run_effects(app, effects, ctx, &mut idle);
}

/// Carries out what the app asked for; `Some(code)` ends the loop. `idle` becomes whether
/// the app has idle work left.
fn run_effects(
    app: &mut App,
    effects: Vec<Effect>,
    ctx: &mut Ctx<'_>,
    idle: &mut bool,
) -> Option<u8> {
    *idle = false;
    for effect in effects {
        if crate::log::enabled() && !matches!(effect, Effect::Idle | Effect::Highlight(_)) {
            crate::log::write(&format!("effect {}", effect.describe()));
        }
        match effect {
            Effect::Quit => return Some(0),
            Effect::Idle => *idle = true,
            Effect::Suspend => suspend(app, ctx),
            Effect::Edit { path, line } => {
                ctx.input.pause();
                terminal::leave();
                let result = editor::run(&editor::command(), &path, line);
                let back = terminal::take_back(ctx.mouse);
                ctx.input.resume();
                match back {
                    Ok(fresh) => *ctx.terminal = fresh,
                    Err(e) => report(
                        app,
                        ctx,
                        format!("could not take the terminal back: {e}"),
                        true,
                    ),
                }
                if let Err(e) = &result {
                    crate::log::write(e);
                }
                let more = app.update(Msg::Edited(result));
                if let Some(code) = run_effects(app, more, ctx, idle) {
                    return Some(code);
                }
            }
            Effect::Copy { text, what } => {
                let msg =
                    clipboard::copy(&mut std::io::stdout(), &text, &what, app.settings.clipboard);
                report(app, ctx, msg, false);
            }
            Effect::OpenUrl(url) => {
                match crate::opener::open(&url, app.settings.browser.as_deref()) {
                    Ok(msg) => report(app, ctx, msg, false),
                    Err(msg) => report(app, ctx, msg, true),
                }
            }
            Effect::LoadMigrations { set_key, mut state } => {
                if let Some(store) = ctx.store.as_mut() {
                    let notices = store.load_set(&mut state, &set_key);
                    let names = state.migration_names(&set_key);
                    let history = scan_history(store.path(), &set_key, &names);
                    ctx.send(Msg::Loaded { state, notices });
                    ctx.send(Msg::ScanHistory(history));
                }
            }
            Effect::Scan { root, set } => background(ctx.tx, "scan", move || {
                Msg::Scanned(Box::new(scan_code(&root, &set)))
            }),
            Effect::RecordScan {
                set_key,
                migration,
                record,
            } => {
                let Some(state) = ctx.store.as_ref().map(|s| s.path().to_path_buf()) else {
                    report(
                        app,
                        ctx,
                        "scan not recorded: no checklist state file in this session".into(),
                        true,
                    );
                    continue;
                };
                // Off the screen's thread: another devguide may hold the history's lock.
                background(ctx.tx, "record scan", move || {
                    let path = crate::scan::history::path_for(&state);
                    match crate::scan::history::append(&path, &set_key, &migration, record) {
                        Ok(()) => Msg::ScanHistory(scan_history(&state, &set_key, &[migration])),
                        Err(e) => Msg::Report {
                            text: format!("scan not recorded: {e}"),
                            error: true,
                        },
                    }
                });
            }
            Effect::Save { set_key, ops } => {
                let result = match ctx.store.as_mut() {
                    Some(store) => ops::apply(store, &set_key, &ops, SystemTime::now())
                        .map_err(|e| e.to_string()),
                    None => Err("no checklist state file in this session".to_string()),
                };
                if let Err(e) = &result {
                    crate::log::write(&format!("save failed: {e}"));
                }
                ctx.send(Msg::Saved(result));
            }
            Effect::Parse { guide, id, body } => background(ctx.tx, "parse", move || Msg::Parsed {
                guide,
                id,
                len: body.len(),
                doc: Box::new(crate::doc::parse(&body)),
            }),
            // Named "parse" too: a failure releases the keys held for the whole.
            Effect::ReadWhole { guide, read } => {
                background(ctx.tx, "parse", move || Msg::ReadWhole {
                    guide,
                    whole: read.read().map(|whole| {
                        let doc = crate::doc::parse(&whole.body);
                        Box::new((whole, doc))
                    }),
                })
            }
            Effect::ReadPreview { guide, set } => background(ctx.tx, "preview", move || {
                Msg::PreviewRead(Box::new(crate::app::finder::read_preview(&set, guide)))
            }),
            Effect::Index { set, parsed } => background(ctx.tx, "index", move || {
                Msg::Indexed(Box::new(Indexes::build_with(&set, &parsed)))
            }),
            Effect::Catalog {
                set,
                parsed,
                generation,
            } => background(ctx.tx, "catalog", move || {
                let (catalog, facts) = crate::app::catalog_of(&set, &parsed);
                Msg::Cataloged {
                    generation,
                    catalog: Box::new(catalog),
                    facts,
                }
            }),
            Effect::ReadSet(dir) => background(ctx.tx, "read set", move || {
                Msg::SetRead(
                    crate::content::GuideSet::from_dir_unheld(&dir)
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                )
            }),
            Effect::Rescan(set) => background(ctx.tx, "rescan", move || {
                let start = std::time::Instant::now();
                let result = set
                    .rescan()
                    .map(|r| r.map(Box::new))
                    .map_err(|e| e.to_string());
                Msg::Rescanned {
                    result,
                    took: start.elapsed(),
                }
            }),
            Effect::Highlight(requests) => {
                if !ctx.worker.submit(requests) {
                    crate::log::write("the highlight thread has stopped; code stays plain");
                }
            }
        }
    }
    None
}

/// Scans the code base at `root` against the set's rules (on a background thread).
fn scan_code(
    root: &std::path::Path,
    set: &crate::content::GuideSet,
) -> Result<crate::app::findings::Scanned, String> {
    use crate::scan::{Rules, ScanOptions, scan_paths};
    if let Err(e) = std::fs::metadata(root) {
        return Err(format!("{}: {e}", root.display()));
    }
    let rules = Rules::from_guides(set);
    let report = scan_paths(&[root.to_path_buf()], &rules, &ScanOptions::default());
    let now = SystemTime::now();
    Ok(crate::app::findings::Scanned {
        report,
        clock: clock::local_hhmm(now),
        at: humantime::format_rfc3339_seconds(now).to_string(),
    })
}

/// The recorded scans of these migrations from the history beside the state file. A
/// history that cannot be read is logged and shows as none: the panel still opens.
fn scan_history(
    state: &std::path::Path,
    set_key: &str,
    migrations: &[String],
) -> std::collections::BTreeMap<String, Vec<crate::scan::history::Record>> {
    let path = crate::scan::history::path_for(state);
    let mut out = std::collections::BTreeMap::new();
    for m in migrations {
        match crate::scan::history::read(&path, set_key, m) {
            Ok(records) => {
                out.insert(m.clone(), records);
            }
            Err(e) => {
                crate::log::write(&format!("scan history: {e}"));
                break;
            }
        }
    }
    out
}

impl Ctx<'_> {
    /// Queues a message for the app, handled before the next frame.
    fn send(&self, msg: Msg) {
        let _ = self.tx.send(Event::App(msg));
    }
}

/// Runs `job` on its own thread and sends its message back; a thread that cannot start or
/// that panics becomes a [`Msg::Failed`] (and a log line) instead of silence.
fn background(tx: &Sender<Event>, what: &'static str, job: impl FnOnce() -> Msg + Send + 'static) {
    let result_tx = tx.clone();
    let spawned = std::thread::Builder::new()
        .name(what.into())
        .spawn(move || {
            let msg = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                Ok(msg) => msg,
                Err(_) => {
                    crate::log::write(&format!("{what} thread panicked"));
                    Msg::Failed {
                        what: what.into(),
                        error: "the background job stopped".into(),
                    }
                }
            };
            let _ = result_tx.send(Event::App(msg));
        });
    if let Err(e) = spawned {
        crate::log::write(&format!("{what}: could not start a thread: {e}"));
        let _ = tx.send(Event::App(Msg::Failed {
            what: what.into(),
            error: e.to_string(),
        }));
    }
}

/// Signals that end the process by default (SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1,
/// SIGUSR2) end the loop normally, so the terminal is restored; SIGTSTP from outside
/// suspends as Ctrl-z does, giving the terminal back before the process stops.
pub const HANDLED_SIGNALS: &[i32] = &[
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
    signal_hook::consts::SIGUSR1,
    signal_hook::consts::SIGUSR2,
    signal_hook::consts::SIGTSTP,
];

fn spawn_signal_thread(tx: Sender<Event>) -> anyhow::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new(HANDLED_SIGNALS)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if tx.send(Event::Signal(sig)).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}
