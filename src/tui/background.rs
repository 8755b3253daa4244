//! Asks the terminal for its background colour (OSC 11), so `theme = "auto"` can pick
//! dark or light. Done once, before the reader takes the screen, in raw mode so the reply
//! is not echoed. A DA1 query is sent after it: every terminal answers DA1, so a terminal
//! that ignores OSC 11 ends the wait at once instead of costing the whole timeout.

use std::time::Duration;

use crate::appearance::{Background, background_of, parse_osc11_reply};

/// How long to wait for the terminal's answer.
pub const TIMEOUT: Duration = Duration::from_millis(100);

/// The terminal's background, or `None` when it cannot be asked (not a terminal,
/// `TERM=dumb`) or did not answer in time. Never blocks longer than `timeout`.
pub fn query(timeout: Duration) -> Option<Background> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return None;
    }
    if std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return None;
    }
    exchange(timeout)
        .as_deref()
        .and_then(parse_osc11_reply)
        .map(background_of)
}

#[cfg(unix)]
fn exchange(timeout: Duration) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::time::Instant;

    use crossterm::terminal::{disable_raw_mode, enable_raw_mode, is_raw_mode_enabled};

    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let was_raw = is_raw_mode_enabled().unwrap_or(false);
    if !was_raw {
        enable_raw_mode().ok()?;
    }
    let mut reply = Vec::new();
    if tty
        .write_all(b"\x1b]11;?\x07\x1b[c")
        .and_then(|()| tty.flush())
        .is_ok()
    {
        let deadline = Instant::now() + timeout;
        while !has_da1_reply(&reply) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let mut pfd = libc::pollfd {
                fd: tty.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX);
            // SAFETY: one valid pollfd for a file descriptor we own, for the call only.
            let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
            if ready <= 0 {
                break;
            }
            let mut chunk = [0u8; 256];
            match tty.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => reply.extend_from_slice(&chunk[..n]),
            }
        }
    }
    if !was_raw {
        let _ = disable_raw_mode();
    }
    Some(reply)
}

#[cfg(not(unix))]
fn exchange(_timeout: Duration) -> Option<Vec<u8>> {
    None
}

/// True once the reply holds a complete DA1 answer (`ESC [ ? … c`).
fn has_da1_reply(reply: &[u8]) -> bool {
    reply
        .windows(3)
        .position(|w| w == b"\x1b[?")
        .is_some_and(|at| reply[at + 3..].contains(&b'c'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn da1_reply_ends_the_wait() {
        assert!(!has_da1_reply(b"\x1b]11;rgb:0/0/0\x07"));
        assert!(!has_da1_reply(b"\x1b[?62;2"));
        assert!(has_da1_reply(b"\x1b]11;rgb:0/0/0\x07\x1b[?62;22c"));
    }

    #[test]
    fn no_terminal_means_no_query() {
        // Under `cargo test` stdin is not a terminal: this must return at once.
        let start = std::time::Instant::now();
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            assert_eq!(query(Duration::from_secs(5)), None);
            assert!(start.elapsed() < Duration::from_secs(1));
        }
    }
}
