//! Terminal replies that arrive after their question stopped waiting. The start-up
//! background-colour query (OSC 11) waits 100 ms; over SSH or on a slow terminal the
//! answer can come later, and crossterm then reads it as keys: `Alt-]`, then the
//! characters of `11;rgb:…`, then `Ctrl-g` (BEL) or `Alt-\` (ST). Typed into the reader,
//! `:` would open the finder and the colour would be searched for. This filter drops such
//! a reply before it becomes a message. (A late DA1 reply, `ESC [ ? … c`, crossterm parses
//! and drops itself.)

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Longest reply body: `11;rgb:RRRR/GGGG/BBBB` plus slack.
const MAX_REPLY: usize = 64;

#[derive(Debug, Default)]
pub struct ReplyFilter {
    /// Inside an OSC reply: how many of its characters were dropped so far.
    inside: Option<usize>,
}

impl ReplyFilter {
    /// Whether `event` is input from the user (true) or part of a late reply (false).
    pub fn accept(&mut self, event: &Event) -> bool {
        let Event::Key(key) = event else {
            self.inside = None;
            return true;
        };
        match self.inside {
            None if is_osc_start(key) => {
                self.inside = Some(0);
                false
            }
            None => true,
            Some(_) if is_terminator(key) => {
                self.inside = None;
                false
            }
            Some(n) if is_reply_char(key) && n < MAX_REPLY => {
                self.inside = Some(n + 1);
                false
            }
            // Not a reply after all: pass this key on and stop dropping.
            Some(_) => {
                self.inside = None;
                true
            }
        }
    }
}

/// `ESC ]` as crossterm reports it.
fn is_osc_start(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char(']') && key.modifiers == KeyModifiers::ALT
}

/// BEL (`Ctrl-g`) or ST (`ESC \`, reported as `Alt-\`).
fn is_terminator(key: &KeyEvent) -> bool {
    (key.code == KeyCode::Char('g') && key.modifiers == KeyModifiers::CONTROL)
        || (key.code == KeyCode::Char('\\') && key.modifiers == KeyModifiers::ALT)
}

/// What a colour reply is made of: `11;rgb:`, hex digits and slashes.
fn is_reply_char(key: &KeyEvent) -> bool {
    let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
    plain
        && matches!(key.code, KeyCode::Char(c) if c.is_ascii_alphanumeric() || matches!(c, ';' | ':' | '/' | '#' | '?'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys crossterm makes of `bytes`, the way its parser splits a late reply.
    fn keys_of(bytes: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let mut chars = bytes.chars().peekable();
        while let Some(c) = chars.next() {
            let key = match c {
                '\u{1b}' => match chars.next() {
                    Some(next) => KeyEvent::new(KeyCode::Char(next), KeyModifiers::ALT),
                    None => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                },
                '\u{7}' => KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            };
            out.push(Event::Key(key));
        }
        out
    }

    #[test]
    fn a_late_background_reply_is_dropped_with_either_terminator() {
        for reply in [
            "\u{1b}]11;rgb:1e1e/1e1e/1e1e\u{7}",
            "\u{1b}]11;rgb:fdfd/f6f6/e3e3\u{1b}\\",
        ] {
            let mut f = ReplyFilter::default();
            let passed: Vec<Event> = keys_of(reply).into_iter().filter(|e| f.accept(e)).collect();
            assert!(passed.is_empty(), "{reply:?} leaked {passed:?}");
            // What the user types next is theirs again.
            for e in keys_of(":j") {
                assert!(f.accept(&e));
            }
        }
    }

    #[test]
    fn ordinary_keys_pass() {
        let mut f = ReplyFilter::default();
        for e in keys_of(":11;rgb:/q") {
            assert!(f.accept(&e), "{e:?}");
        }
        assert!(f.accept(&Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))));
    }

    #[test]
    fn a_lone_alt_bracket_gives_the_next_real_key_back() {
        let mut f = ReplyFilter::default();
        assert!(!f.accept(&Event::Key(KeyEvent::new(
            KeyCode::Char(']'),
            KeyModifiers::ALT
        ))));
        assert!(f.accept(&Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE
        ))));
    }
}
