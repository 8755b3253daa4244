//! Keys ⇄ actions, in one table. Key translation is pure so it is tested without a
//! terminal; the help overlay and the status hints are generated from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::action::Action;

/// The default bindings. Letters are case-sensitive: `G` is shift-g.
#[rustfmt::skip]
pub const DEFAULT_BINDINGS: &[(Action, &[&str])] = &[
    (Action::ScrollDown, &["j", "down"]),
    (Action::ScrollUp, &["k", "up"]),
    (Action::HalfPageDown, &["ctrl-d"]),
    (Action::HalfPageUp, &["ctrl-u"]),
    // Space ticks the selected checklist item when there is one, else pages down: the
    // first action that applies where the user is wins (see `Keymap::actions`).
    (Action::ToggleTask, &["x", "space"]),
    (Action::PageDown, &["pagedown", "space"]),
    (Action::PageUp, &["pageup"]),
    (Action::Top, &["g", "home"]),
    (Action::Bottom, &["G", "end"]),
    (Action::NextHeading, &["]"]),
    (Action::PrevHeading, &["["]),
    (Action::NextCode, &["}"]),
    (Action::PrevCode, &["{"]),
    (Action::NextLink, &["l"]),
    (Action::PrevLink, &["L"]),
    (Action::Open, &["enter"]),
    (Action::Finder, &["ctrl-p", ":"]),
    (Action::Search, &["/"]),
    // While a search has matches, n/N step through them; otherwise n is the next guide.
    (Action::NextMatch, &["n"]),
    (Action::PrevMatch, &["N"]),
    (Action::CopyBlock, &["y"]),
    (Action::CopyLine, &["Y"]),
    (Action::NextGuide, &["n"]),
    (Action::PrevGuide, &["p"]),
    (Action::Edit, &["e"]),
    (Action::StartScreen, &["s"]),
    (Action::Back, &["b", "backspace"]),
    (Action::Forward, &["f"]),
    (Action::NextTask, &["t"]),
    (Action::PrevTask, &["T"]),
    (Action::Migrations, &["m"]),
    (Action::FocusNext, &["tab"]),
    (Action::Help, &["?"]),
    (Action::Cancel, &["esc"]),
    (Action::Suspend, &["ctrl-z"]),
    (Action::Quit, &["q", "ctrl-c"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Parses `j`, `G`, `ctrl-d`, `alt-x`, `pagedown`, `space`, `enter`, `f5`…
    pub fn parse(spec: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key `{spec}`")),
                }
            }
        };
        Ok(Key::normalize(code, mods))
    }

    /// Shift is part of a character (`G`), not a separate modifier; drop it for chars.
    fn normalize(code: KeyCode, mods: KeyModifiers) -> Key {
        match code {
            KeyCode::Char(c) => {
                let c = if mods.contains(KeyModifiers::SHIFT) {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                Key {
                    code: KeyCode::Char(c),
                    mods: mods - KeyModifiers::SHIFT,
                }
            }
            _ => Key { code, mods },
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::normalize(ev.code, ev.modifiers)
    }

    /// How the key is written in help and hints.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "\u{2191}".into(),
            KeyCode::Down => "\u{2193}".into(),
            KeyCode::Left => "\u{2190}".into(),
            KeyCode::Right => "\u{2192}".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Insert => "Ins".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        out.push_str(&base);
        out
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = DEFAULT_BINDINGS
            .iter()
            .flat_map(|(action, keys)| {
                keys.iter()
                    .filter_map(move |k| Key::parse(k).ok().map(|k| (k, *action)))
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// A key map from a bindings table (the config file's `[keys]`). Bindings are ordered
    /// so that a context action ([`Action::is_contextual`]) is tried before the other
    /// action sharing its key, whatever order the table lists them in.
    pub fn from_bindings(table: &[(Action, Vec<Key>)]) -> Keymap {
        let mut bindings: Vec<(Key, Action)> = table
            .iter()
            .flat_map(|(action, keys)| keys.iter().map(move |k| (*k, *action)))
            .collect();
        bindings.sort_by_key(|(_, a)| !a.is_contextual());
        Keymap { bindings }
    }

    /// Every (key, action) pair, in the order presses are resolved.
    pub fn bindings(&self) -> &[(Key, Action)] {
        &self.bindings
    }

    /// The action for a key press; releases and repeats of other kinds are ignored.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.actions(ev).first().copied()
    }

    /// Every action bound to a key press, in table order; releases are ignored. The app
    /// runs the first one that applies where the user is.
    pub fn actions(&self, ev: &KeyEvent) -> Vec<Action> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, a)| *a)
            .collect()
    }

    pub fn keys_for(&self, action: Action) -> impl Iterator<Item = &Key> {
        self.bindings
            .iter()
            .filter(move |(_, a)| *a == action)
            .map(|(k, _)| k)
    }

    /// The first key bound to `action`, for status-bar hints.
    pub fn label(&self, action: Action) -> Option<String> {
        self.keys_for(action).next().map(Key::label)
    }

    /// All labels for `action`, joined for the help overlay.
    pub fn labels(&self, action: Action) -> String {
        self.keys_for(action)
            .map(Key::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_keys_translate() {
        let km = Keymap::default();
        assert_eq!(
            km.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::ScrollDown)
        );
        assert_eq!(
            km.action(&press(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::ScrollDown)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfPageDown)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.actions(&press(KeyCode::Char(' '), KeyModifiers::NONE)),
            [Action::ToggleTask, Action::PageDown]
        );
        assert_eq!(
            km.action(&press(KeyCode::Backspace, KeyModifiers::NONE)),
            Some(Action::Back)
        );
        assert_eq!(
            km.action(&press(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Cancel)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::ToggleTask)
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action(&press(KeyCode::Char('z'), KeyModifiers::CONTROL)),
            Some(Action::Suspend)
        );
    }

    #[test]
    fn escape_never_quits() {
        let km = Keymap::default();
        assert_ne!(
            km.action(&press(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn every_default_binding_parses() {
        for (_, keys) in DEFAULT_BINDINGS {
            for k in *keys {
                assert!(Key::parse(k).is_ok(), "{k}");
            }
        }
        assert!(Key::parse("ctrl-").is_err());
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(
            Key::parse("ctrl-d").map(|k| k.label()),
            Ok("Ctrl-d".to_string())
        );
        assert_eq!(
            Key::parse("space").map(|k| k.label()),
            Ok("Space".to_string())
        );
        assert_eq!(Keymap::default().labels(Action::Quit), "q, Ctrl-c");
    }

    #[test]
    fn the_readme_documents_every_default_key() {
        let readme = include_str!("../README.md");
        let table = readme.split("### Keys").nth(1).expect("a Keys section");
        for (action, keys) in DEFAULT_BINDINGS {
            for k in *keys {
                let label = Key::parse(k).map(|k| k.label()).expect("parses");
                assert!(
                    table.contains(&format!("`{label}`")),
                    "README's key table lacks `{label}` ({action:?})"
                );
            }
        }
    }
}
