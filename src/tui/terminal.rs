//! Entering and leaving the full-screen terminal mode. `restore` is safe to call any
//! number of times, from any exit path: normal quit, error, panic or signal.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::quiet::Quiet;

pub type Term = Terminal<Quiet<CrosstermBackend<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Switches to raw mode and the alternate screen. Dropping the guard restores.
pub fn enter(mouse: bool) -> io::Result<(Term, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = Guard;
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, crossterm::cursor::Hide)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    let terminal = Terminal::new(Quiet::new(CrosstermBackend::new(io::stdout())))?;
    Ok((terminal, guard))
}

/// Ctrl-z: gives the terminal back to the shell, stops the process as the shell's own
/// Ctrl-z would (raw mode turns that key into a plain key press, so it is done here), and
/// on `fg` (SIGCONT) takes the terminal again. SIGSTOP, not SIGTSTP: the reader catches
/// SIGTSTP (to restore the terminal when stopped from outside) and would catch its own.
pub fn suspend(mouse: bool) -> io::Result<Term> {
    leave();
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    take_back(mouse)
}

/// Hands the terminal to someone else for a while (the shell, the editor), keeping the
/// panic hook; [`take_back`] takes it again.
pub fn leave() {
    restore();
}

/// Takes the terminal back after [`leave`]. Returns a fresh `Terminal` whose empty buffers
/// make the next frame a full redraw: the screen was someone else's meanwhile.
/// (`Terminal::clear` would ask the terminal for the cursor position, and the input thread
/// would swallow the answer.)
pub fn take_back(mouse: bool) -> io::Result<Term> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::Hide
    )?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Terminal::new(Quiet::new(CrosstermBackend::new(io::stdout())))
}

/// Puts the terminal back the way the shell expects it.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// A panic restores the terminal first, so its message lands on a usable screen.
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
