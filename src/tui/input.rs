//! The input thread. It polls with a short timeout rather than blocking in `read`, so it
//! can be paused while another program (the editor) owns the terminal: a thread blocked
//! in `read` would steal that program's keystrokes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

pub struct Input {
    paused: Arc<AtomicBool>,
    /// Set by the thread once it has stopped reading.
    idle: Arc<AtomicBool>,
}

impl Input {
    pub fn spawn<T: Send + 'static>(tx: Sender<T>, wrap: fn(Event) -> T) -> std::io::Result<Input> {
        let paused = Arc::new(AtomicBool::new(false));
        let idle = Arc::new(AtomicBool::new(false));
        let (p, i) = (Arc::clone(&paused), Arc::clone(&idle));
        // Late answers to start-up queries are the terminal talking, not the user.
        let mut replies = super::replies::ReplyFilter::default();
        std::thread::Builder::new()
            .name("input".into())
            .spawn(move || {
                loop {
                    if p.load(Ordering::SeqCst) {
                        i.store(true, Ordering::SeqCst);
                        std::thread::park_timeout(Duration::from_millis(20));
                        continue;
                    }
                    i.store(false, Ordering::SeqCst);
                    match event::poll(Duration::from_millis(50)) {
                        Ok(true) => match event::read() {
                            Ok(ev) if !replies.accept(&ev) => {}
                            Ok(ev) => {
                                if tx.send(wrap(ev)).is_err() {
                                    break;
                                }
                            }
                            Err(e) if interrupted(&e) => {}
                            Err(e) => {
                                crate::log::write(&format!("input: {e}"));
                                break;
                            }
                        },
                        Ok(false) => {}
                        // A signal (a resize, SIGWINCH) can interrupt the wait: that is
                        // no reason to stop reading keys.
                        Err(e) if interrupted(&e) => {}
                        Err(e) => {
                            crate::log::write(&format!("input: {e}"));
                            break;
                        }
                    }
                }
            })?;
        Ok(Input { paused, idle })
    }

    /// Stops reading and waits (briefly) until the thread has let go of the terminal.
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        let start = Instant::now();
        while !self.idle.load(Ordering::SeqCst) && start.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

fn interrupted(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Interrupted
}
