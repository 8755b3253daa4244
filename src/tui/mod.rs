//! The interactive reader's run loop: terminal in, events in, actions to the app, frames
//! out. The only module that does terminal I/O.

mod clipboard;
mod terminal;

use std::sync::Arc;
use std::sync::mpsc::{self, Sender, TryRecvError};

use crossterm::event::{Event as TermEvent, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use std::time::SystemTime;

use crate::app::{App, Effect};
use crate::checklist::Store;
use crate::checklist::ops;
use crate::highlight::{Done, Request, Worker};

enum Event {
    Terminal(TermEvent),
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
        Worker::spawn(app.theme.clone(), move |done| {
            tx.send(Event::Highlighted(done)).is_ok()
        })
    };
    // Keys come from stdin when it is a terminal, else from /dev/tty; with neither there
    // is nothing to read keys from, and the screen has not been touched yet.
    let (mut terminal, _guard) = anyhow::Context::context(
        terminal::enter(mouse),
        "no terminal to read keys from (stdin is not one and /dev/tty cannot be opened); \
         pipe the output (`devguide | less`) or use `devguide show`",
    )?;
    spawn_input_thread(tx)?;
    let mut submitted: Vec<u32> = Vec::new();
    let mut submitted_guide = usize::MAX;
    loop {
        let size = terminal.size()?;
        app.resize(Rect::new(0, 0, size.width, size.height));
        terminal.draw(|f| crate::ui::draw(f, &app))?;
        // Lets the end-to-end tests prove that a panic restores the terminal.
        if cfg!(debug_assertions) && std::env::var_os("DEVGUIDE_TEST_PANIC").is_some() {
            panic!("panic requested by DEVGUIDE_TEST_PANIC");
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
            rx.recv()?
        };
        let mut event = Some(first);
        // Handle everything already queued before drawing again.
        while let Some(e) = event {
            if let Some(code) = handle(&mut app, e, &mut store, &mut terminal, mouse) {
                return Ok(code);
            }
            event = rx.try_recv().ok();
        }
    }
}

fn handle(
    app: &mut App,
    event: Event,
    store: &mut Option<Store>,
    terminal: &mut terminal::Term,
    mouse: bool,
) -> Option<u8> {
    match event {
        Event::Signal(sig) => return Some(128u8.saturating_add(sig as u8)),
        Event::Highlighted(done) => app.highlights.insert(done),
        Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            let effects = app.handle_key(&key);
            return run_effects(app, effects, store, terminal, mouse);
        }
        Event::Terminal(TermEvent::Mouse(m)) => match m.kind {
            MouseEventKind::ScrollDown => app.scroll_at(m.column, m.row, true),
            MouseEventKind::ScrollUp => app.scroll_at(m.column, m.row, false),
            MouseEventKind::Down(MouseButton::Left) => {
                let effects = app.click(m.column, m.row);
                return run_effects(app, effects, store, terminal, mouse);
            }
            _ => {}
        },
        // Resize and everything else: the next frame picks up the new size.
        Event::Terminal(_) => {}
    }
    None
}

/// Carries out what the app asked for; `Some(code)` ends the loop.
fn run_effects(
    app: &mut App,
    effects: Vec<Effect>,
    store: &mut Option<Store>,
    terminal: &mut terminal::Term,
    mouse: bool,
) -> Option<u8> {
    for effect in effects {
        match effect {
            Effect::Quit => return Some(0),
            Effect::Suspend => {
                match terminal::suspend(mouse) {
                    // The fresh terminal knows nothing of the old screen: the next frame
                    // is drawn whole.
                    Ok(fresh) => *terminal = fresh,
                    Err(e) => app.set_status(format!("could not suspend: {e}"), true),
                }
            }
            Effect::Copy { text, what } => {
                let msg = clipboard::copy(&mut std::io::stdout(), &text, &what);
                app.set_status(msg, false);
            }
            Effect::Save(ops) => {
                let result = match store.as_mut() {
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

fn spawn_input_thread(tx: Sender<Event>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(ev) = crossterm::event::read() {
                if tx.send(Event::Terminal(ev)).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
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
