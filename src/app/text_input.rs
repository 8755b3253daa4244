//! A one-line text field for names typed in overlays.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keymap::{Keymap, Mode, OverlayAction};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub value: String,
    /// Cursor position in chars.
    pub cursor: usize,
}

pub enum InputResult {
    Editing,
    Submit,
    Cancel,
}

impl TextInput {
    pub fn new(value: &str) -> TextInput {
        TextInput {
            value: value.to_string(),
            cursor: value.chars().count(),
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// A key press in a field whose own table is `field` (`[keys.in_finder]`,
    /// `[keys.in_search]`, `[keys.in_prompt]`): its `open` submits and `close` cancels;
    /// then the editing keys of `[keys.in_text]`; any other plain character is typed.
    pub fn key(&mut self, key: &KeyEvent, keymap: &Keymap, field: Mode) -> InputResult {
        match keymap.overlay_action(field, key) {
            Some(OverlayAction::Open) => return InputResult::Submit,
            Some(OverlayAction::Close) => return InputResult::Cancel,
            _ => {}
        }
        let len = self.value.chars().count();
        match keymap.overlay_action(Mode::Text, key) {
            Some(OverlayAction::Clear) => {
                self.value.clear();
                self.cursor = 0;
            }
            Some(OverlayAction::DeleteBack) if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            Some(OverlayAction::DeleteForward) if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            Some(OverlayAction::Left) => self.cursor = self.cursor.saturating_sub(1),
            Some(OverlayAction::Right) => self.cursor = (self.cursor + 1).min(len),
            Some(OverlayAction::Home) => self.cursor = 0,
            Some(OverlayAction::End) => self.cursor = len,
            Some(_) => {}
            None => {
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                if let KeyCode::Char(c) = key.code
                    && !ctrl
                    && !c.is_control()
                {
                    let at = self.byte_at(self.cursor);
                    self.value.insert(at, c);
                    self.cursor += 1;
                }
            }
        }
        InputResult::Editing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_submitting() {
        let km = Keymap::default();
        let mut t = TextInput::new("mai");
        let press = |t: &mut TextInput, code| t.key(&k(code), &km, Mode::Prompt);
        press(&mut t, KeyCode::Char('n'));
        assert_eq!(t.value, "main");
        press(&mut t, KeyCode::Left);
        press(&mut t, KeyCode::Backspace);
        assert_eq!(t.value, "man");
        press(&mut t, KeyCode::Home);
        press(&mut t, KeyCode::Char('é'));
        assert_eq!(t.value, "éman");
        press(&mut t, KeyCode::Delete);
        assert_eq!(t.value, "éan");
        press(&mut t, KeyCode::End);
        press(&mut t, KeyCode::Char('!'));
        assert_eq!(t.value, "éan!");
        t.key(
            &KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            &km,
            Mode::Prompt,
        );
        assert_eq!((t.value.as_str(), t.cursor), ("", 0));
        assert!(matches!(press(&mut t, KeyCode::Enter), InputResult::Submit));
        assert!(matches!(press(&mut t, KeyCode::Esc), InputResult::Cancel));
    }

    #[test]
    fn editing_keys_follow_the_text_table() {
        let mut table = crate::keymap::default_overlay_bindings();
        for (m, a, keys) in &mut table {
            if *m == Mode::Text && *a == OverlayAction::DeleteBack {
                *keys = vec![crate::keymap::Key::parse("ctrl-h").expect("parses")];
            }
        }
        let mut km = Keymap::default();
        km.set_overlays(&table);
        let mut t = TextInput::new("abc");
        t.key(&k(KeyCode::Backspace), &km, Mode::Finder);
        assert_eq!(t.value, "abc", "Backspace is no longer bound");
        t.key(
            &KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL),
            &km,
            Mode::Finder,
        );
        assert_eq!(t.value, "ab", "Ctrl-h deletes now");
    }
}
