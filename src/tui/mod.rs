//! The interactive reader's run loop: terminal in, events in, actions to the app, frames
//! out. The only module that does terminal I/O.

mod terminal;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use crossterm::event::{Event as TermEvent, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use crate::app::{App, Effect};
use crate::highlight::{Done, Request, Worker};

enum Event {
    Terminal(TermEvent),
    Highlighted(Done),
    Signal(i32),
}

/// Runs the reader until the user quits (exit code 0) or a signal ends it (128 + signal).
pub fn run(mut app: App, mouse: bool) -> anyhow::Result<u8> {
    let (tx, rx) = mpsc::channel();
    spawn_signal_thread(tx.clone())?;
    let worker = {
        let tx = tx.clone();
        Worker::spawn(app.theme.clone(), move |done| {
            tx.send(Event::Highlighted(done)).is_ok()
        })
    };
    let (mut terminal, _guard) = terminal::enter(mouse)?;
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

        let first = next_event(&rx, &mut app)?;
        let mut event = Some(first);
        // Handle everything already queued before drawing again.
        while let Some(e) = event {
            if let Some(code) = handle(&mut app, e) {
                return Ok(code);
            }
            event = rx.try_recv().ok();
        }
    }
}

/// Waits for the next event, doing layout work while nothing is waiting.
fn next_event(rx: &Receiver<Event>, app: &mut App) -> anyhow::Result<Event> {
    loop {
        match rx.try_recv() {
            Ok(e) => return Ok(e),
            Err(TryRecvError::Disconnected) => anyhow::bail!("input closed"),
            Err(TryRecvError::Empty) => {
                if !app.idle() {
                    return Ok(rx.recv()?);
                }
            }
        }
    }
}

fn handle(app: &mut App, event: Event) -> Option<u8> {
    match event {
        Event::Signal(sig) => return Some(128u8.saturating_add(sig as u8)),
        Event::Highlighted(done) => app.highlights.insert(done),
        Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            if let Some(action) = app.keymap.action(&key)
                && app.update(action).contains(&Effect::Quit)
            {
                return Some(0);
            }
        }
        Event::Terminal(TermEvent::Mouse(m)) => match m.kind {
            MouseEventKind::ScrollDown => app.scroll_at(m.column, m.row, true),
            MouseEventKind::ScrollUp => app.scroll_at(m.column, m.row, false),
            MouseEventKind::Down(MouseButton::Left) => app.click(m.column, m.row),
            _ => {}
        },
        // Resize and everything else: the next frame picks up the new size.
        Event::Terminal(_) => {}
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
