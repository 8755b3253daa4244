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
    // In the sidebar `l` unfolds, as in file trees; elsewhere it selects the next link.
    (Action::Fold, &["h", "left"]),
    (Action::Unfold, &["l", "right"]),
    (Action::FoldAll, &["-"]),
    (Action::UnfoldAll, &["="]),
    (Action::Edit, &["e"]),
    (Action::StartScreen, &["s"]),
    (Action::Back, &["b", "backspace"]),
    (Action::Forward, &["f"]),
    (Action::NextTask, &["t"]),
    (Action::PrevTask, &["T"]),
    (Action::Migrations, &["m"]),
    (Action::Findings, &["F"]),
    (Action::FocusNext, &["tab"]),
    (Action::Help, &["?"]),
    (Action::Messages, &["M"]),
    (Action::Cancel, &["esc"]),
    (Action::Suspend, &["ctrl-z"]),
    (Action::Quit, &["q", "ctrl-c"]),
];

/// The places with their own key table, each rebindable under `[keys.in_<name>]`: what a
/// key does there is looked up in that table only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Help,
    Messages,
    Start,
    Migrations,
    Finder,
    /// The findings overlay (`F`): the code base's retired imports.
    Findings,
    Search,
    /// Naming a migration in the migrations panel.
    Prompt,
    /// Editing keys shared by every text field (finder, `/` prompt, migration name),
    /// tried after the field's own table and before typing.
    Text,
}

impl Mode {
    pub const ALL: [Mode; 9] = [
        Mode::Help,
        Mode::Messages,
        Mode::Start,
        Mode::Migrations,
        Mode::Finder,
        Mode::Findings,
        Mode::Search,
        Mode::Prompt,
        Mode::Text,
    ];

    /// The name of the mode's `[keys.<name>]` section. `in_` keeps the sections apart
    /// from the actions of the same name (`help`, `finder`…) in TOML.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Help => "in_help",
            Mode::Messages => "in_messages",
            Mode::Start => "in_start",
            Mode::Migrations => "in_migrations",
            Mode::Finder => "in_finder",
            Mode::Findings => "in_findings",
            Mode::Search => "in_search",
            Mode::Prompt => "in_prompt",
            Mode::Text => "in_text",
        }
    }

    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Help => "In this help",
            Mode::Messages => "In the messages list",
            Mode::Start => "On the start screen",
            Mode::Migrations => "In the migrations panel",
            Mode::Finder => "In the finder",
            Mode::Findings => "In the findings list",
            Mode::Search => "Typing a / search",
            Mode::Prompt => "Naming a migration",
            Mode::Text => "Editing typed text",
        }
    }

    /// Whether typed characters are text here, so only keys that type nothing may be
    /// bound (a bound `j` could never be typed).
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Mode::Finder | Mode::Search | Mode::Prompt | Mode::Text
        )
    }
}

/// What a key does inside an overlay or prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverlayAction {
    Down,
    Up,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Close,
    Quit,
    CopyImport,
    /// Run the scan again (findings list).
    Rescan,
    /// Open the guide section that states the selected finding's rule.
    Guide,
    New,
    Rename,
    Delete,
    Yes,
    No,
    DeleteBack,
    DeleteForward,
    Left,
    Right,
    Home,
    End,
    Clear,
}

impl OverlayAction {
    pub const ALL: [OverlayAction; 26] = [
        OverlayAction::Down,
        OverlayAction::Up,
        OverlayAction::HalfPageDown,
        OverlayAction::HalfPageUp,
        OverlayAction::PageDown,
        OverlayAction::PageUp,
        OverlayAction::Top,
        OverlayAction::Bottom,
        OverlayAction::Open,
        OverlayAction::Close,
        OverlayAction::Quit,
        OverlayAction::CopyImport,
        OverlayAction::Rescan,
        OverlayAction::Guide,
        OverlayAction::New,
        OverlayAction::Rename,
        OverlayAction::Delete,
        OverlayAction::Yes,
        OverlayAction::No,
        OverlayAction::DeleteBack,
        OverlayAction::DeleteForward,
        OverlayAction::Left,
        OverlayAction::Right,
        OverlayAction::Home,
        OverlayAction::End,
        OverlayAction::Clear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OverlayAction::Down => "down",
            OverlayAction::Up => "up",
            OverlayAction::HalfPageDown => "half_page_down",
            OverlayAction::HalfPageUp => "half_page_up",
            OverlayAction::PageDown => "page_down",
            OverlayAction::PageUp => "page_up",
            OverlayAction::Top => "top",
            OverlayAction::Bottom => "bottom",
            OverlayAction::Open => "open",
            OverlayAction::Close => "close",
            OverlayAction::Quit => "quit",
            OverlayAction::CopyImport => "copy_import",
            OverlayAction::Rescan => "rescan",
            OverlayAction::Guide => "guide",
            OverlayAction::New => "new",
            OverlayAction::Rename => "rename",
            OverlayAction::Delete => "delete",
            OverlayAction::Yes => "yes",
            OverlayAction::No => "no",
            OverlayAction::DeleteBack => "delete_back",
            OverlayAction::DeleteForward => "delete_forward",
            OverlayAction::Left => "left",
            OverlayAction::Right => "right",
            OverlayAction::Home => "home",
            OverlayAction::End => "end",
            OverlayAction::Clear => "clear",
        }
    }

    pub fn from_name(name: &str) -> Option<OverlayAction> {
        OverlayAction::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Rows a movement covers in a list or text `page` rows tall; `None` for the rest.
    pub fn movement(self, page: usize) -> Option<isize> {
        let page = page.max(1) as isize;
        match self {
            OverlayAction::Down => Some(1),
            OverlayAction::Up => Some(-1),
            OverlayAction::HalfPageDown => Some((page / 2).max(1)),
            OverlayAction::HalfPageUp => Some(-(page / 2).max(1)),
            OverlayAction::PageDown => Some((page - 1).max(1)),
            OverlayAction::PageUp => Some(-(page - 1).max(1)),
            OverlayAction::Top => Some(isize::MIN / 2),
            OverlayAction::Bottom => Some(isize::MAX / 2),
            _ => None,
        }
    }
}

/// Every overlay's table: (mode, action, what it does there, default keys). Help and
/// footers are generated from these with the live keys; a `[keys.<mode>]` entry replaces
/// an action's keys in that mode only.
#[rustfmt::skip]
pub const OVERLAY_BINDINGS: &[(Mode, OverlayAction, &str, &[&str])] = &[
    (Mode::Help, OverlayAction::Down, "scroll down", &["j", "down"]),
    (Mode::Help, OverlayAction::Up, "scroll up", &["k", "up"]),
    (Mode::Help, OverlayAction::HalfPageDown, "half a page down", &["ctrl-d"]),
    (Mode::Help, OverlayAction::HalfPageUp, "half a page up", &["ctrl-u"]),
    (Mode::Help, OverlayAction::PageDown, "page down", &["pagedown", "space"]),
    (Mode::Help, OverlayAction::PageUp, "page up", &["pageup"]),
    (Mode::Help, OverlayAction::Top, "top", &["g", "home"]),
    (Mode::Help, OverlayAction::Bottom, "end", &["G", "end"]),
    // The key that opens help (`?`) or the messages (`M`) closes them as well.
    (Mode::Help, OverlayAction::Close, "close", &["esc", "q"]),
    (Mode::Messages, OverlayAction::Down, "scroll down", &["j", "down"]),
    (Mode::Messages, OverlayAction::Up, "scroll up", &["k", "up"]),
    (Mode::Messages, OverlayAction::HalfPageDown, "half a page down", &["ctrl-d"]),
    (Mode::Messages, OverlayAction::HalfPageUp, "half a page up", &["ctrl-u"]),
    (Mode::Messages, OverlayAction::PageDown, "page down", &["pagedown", "space"]),
    (Mode::Messages, OverlayAction::PageUp, "page up", &["pageup"]),
    (Mode::Messages, OverlayAction::Top, "oldest", &["g", "home"]),
    (Mode::Messages, OverlayAction::Bottom, "newest", &["G", "end"]),
    (Mode::Messages, OverlayAction::Close, "close", &["esc", "q"]),
    (Mode::Start, OverlayAction::Down, "next guide", &["j", "down"]),
    (Mode::Start, OverlayAction::Up, "previous guide", &["k", "up"]),
    (Mode::Start, OverlayAction::HalfPageDown, "half a page down", &["ctrl-d"]),
    (Mode::Start, OverlayAction::HalfPageUp, "half a page up", &["ctrl-u"]),
    (Mode::Start, OverlayAction::PageDown, "page down", &["pagedown"]),
    (Mode::Start, OverlayAction::PageUp, "page up", &["pageup"]),
    (Mode::Start, OverlayAction::Top, "first guide", &["g", "home"]),
    (Mode::Start, OverlayAction::Bottom, "last guide", &["G", "end"]),
    (Mode::Start, OverlayAction::Open, "read", &["enter", "space"]),
    (Mode::Start, OverlayAction::Close, "close", &["esc", "s"]),
    (Mode::Start, OverlayAction::Quit, "quit devguide", &["q"]),
    (Mode::Migrations, OverlayAction::Down, "next", &["j", "down"]),
    (Mode::Migrations, OverlayAction::Up, "previous", &["k", "up"]),
    (Mode::Migrations, OverlayAction::PageDown, "page down", &["pagedown", "ctrl-d"]),
    (Mode::Migrations, OverlayAction::PageUp, "page up", &["pageup", "ctrl-u"]),
    (Mode::Migrations, OverlayAction::Top, "first", &["g", "home"]),
    (Mode::Migrations, OverlayAction::Bottom, "last", &["G", "end"]),
    (Mode::Migrations, OverlayAction::Open, "switch to / re-attach", &["enter", "space"]),
    (Mode::Migrations, OverlayAction::New, "new", &["n"]),
    (Mode::Migrations, OverlayAction::Rename, "rename", &["r"]),
    (Mode::Migrations, OverlayAction::Delete, "delete / discard", &["d"]),
    (Mode::Migrations, OverlayAction::Close, "close", &["esc", "m", "q"]),
    // Asked only when confirming; listed last so `n` and `Esc` mean new and close
    // everywhere else (the first action in this order wins a shared key).
    (Mode::Migrations, OverlayAction::Yes, "confirm", &["y"]),
    (Mode::Migrations, OverlayAction::No, "keep", &["n", "esc"]),
    (Mode::Finder, OverlayAction::Down, "next hit", &["down", "tab", "ctrl-n"]),
    (Mode::Finder, OverlayAction::Up, "previous hit", &["up", "backtab", "ctrl-p"]),
    (Mode::Finder, OverlayAction::PageDown, "page down", &["pagedown"]),
    (Mode::Finder, OverlayAction::PageUp, "page up", &["pageup"]),
    (Mode::Finder, OverlayAction::Open, "go to the hit", &["enter"]),
    (Mode::Finder, OverlayAction::CopyImport, "copy the canonical import", &["ctrl-y"]),
    (Mode::Finder, OverlayAction::Close, "close", &["esc", "ctrl-c"]),
    (Mode::Findings, OverlayAction::Down, "next finding", &["j", "down"]),
    (Mode::Findings, OverlayAction::Up, "previous finding", &["k", "up"]),
    (Mode::Findings, OverlayAction::HalfPageDown, "half a page down", &["ctrl-d"]),
    (Mode::Findings, OverlayAction::HalfPageUp, "half a page up", &["ctrl-u"]),
    (Mode::Findings, OverlayAction::PageDown, "page down", &["pagedown", "space"]),
    (Mode::Findings, OverlayAction::PageUp, "page up", &["pageup"]),
    (Mode::Findings, OverlayAction::Top, "first finding", &["g", "home"]),
    (Mode::Findings, OverlayAction::Bottom, "last finding", &["G", "end"]),
    (Mode::Findings, OverlayAction::Open, "open $EDITOR at the finding's line", &["enter"]),
    (Mode::Findings, OverlayAction::Guide, "read the guide section that states the rule", &["s"]),
    (Mode::Findings, OverlayAction::CopyImport, "copy the replacement import", &["y"]),
    (Mode::Findings, OverlayAction::Rescan, "scan the code base again", &["r"]),
    (Mode::Findings, OverlayAction::Close, "close", &["esc", "q", "F"]),
    (Mode::Search, OverlayAction::Open, "keep the search (n / N step)", &["enter"]),
    (Mode::Search, OverlayAction::Close, "cancel, back to where you were", &["esc", "ctrl-c"]),
    (Mode::Prompt, OverlayAction::Open, "save the name", &["enter"]),
    (Mode::Prompt, OverlayAction::Close, "cancel", &["esc", "ctrl-c"]),
    (Mode::Text, OverlayAction::DeleteBack, "delete before the cursor", &["backspace"]),
    (Mode::Text, OverlayAction::DeleteForward, "delete under the cursor", &["delete"]),
    (Mode::Text, OverlayAction::Left, "cursor left", &["left"]),
    (Mode::Text, OverlayAction::Right, "cursor right", &["right"]),
    (Mode::Text, OverlayAction::Home, "cursor to the start", &["home"]),
    (Mode::Text, OverlayAction::End, "cursor to the end", &["end"]),
    (Mode::Text, OverlayAction::Clear, "clear the text", &["ctrl-u"]),
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
    /// Every overlay's own bindings, in [`OVERLAY_BINDINGS`] order.
    overlays: Vec<(Mode, Key, OverlayAction)>,
}

/// The overlay bindings as shipped, one entry per (mode, action).
pub fn default_overlay_bindings() -> Vec<(Mode, OverlayAction, Vec<Key>)> {
    OVERLAY_BINDINGS
        .iter()
        .map(|(mode, action, _, keys)| {
            let keys = keys.iter().filter_map(|k| Key::parse(k).ok()).collect();
            (*mode, *action, keys)
        })
        .collect()
}

impl Default for Keymap {
    fn default() -> Keymap {
        let table: Vec<(Action, Vec<Key>)> = DEFAULT_BINDINGS
            .iter()
            .map(|(action, keys)| {
                (
                    *action,
                    keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
                )
            })
            .collect();
        Keymap::from_bindings(&table)
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
        let mut km = Keymap {
            bindings,
            overlays: Vec::new(),
        };
        km.set_overlays(&default_overlay_bindings());
        km
    }

    /// Replaces the overlays' tables (the config file's `[keys.<mode>]` sections).
    pub fn set_overlays(&mut self, table: &[(Mode, OverlayAction, Vec<Key>)]) {
        self.overlays = table
            .iter()
            .flat_map(|(m, a, keys)| keys.iter().map(move |k| (*m, *k, *a)))
            .collect();
    }

    /// What a key press does in `mode`; releases are ignored.
    pub fn overlay_action(&self, mode: Mode, ev: &KeyEvent) -> Option<OverlayAction> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let key = Key::from_event(ev);
        self.overlays
            .iter()
            .find(|(m, k, _)| *m == mode && *k == key)
            .map(|(_, _, a)| *a)
    }

    /// The first key bound to `action` in `mode`, for footers.
    pub fn overlay_label(&self, mode: Mode, action: OverlayAction) -> Option<String> {
        self.overlays
            .iter()
            .find(|(m, _, a)| *m == mode && *a == action)
            .map(|(_, k, _)| k.label())
    }

    /// All keys bound to `action` in `mode`, joined for the help overlay.
    pub fn overlay_labels(&self, mode: Mode, action: OverlayAction) -> String {
        self.overlays
            .iter()
            .filter(|(m, _, a)| *m == mode && *a == action)
            .map(|(_, k, _)| k.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `Enter read · Esc close`: a footer for `mode` from its live keys, in this order.
    pub fn footer(&self, mode: Mode, parts: &[(OverlayAction, &str)]) -> String {
        let shown: Vec<String> = parts
            .iter()
            .filter_map(|(a, word)| self.overlay_label(mode, *a).map(|k| format!("{k} {word}")))
            .collect();
        if shown.is_empty() {
            String::new()
        } else {
            format!(" {} ", shown.join(" \u{b7} "))
        }
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
    fn every_overlay_binding_parses_and_text_modes_bind_no_typing_keys() {
        for (mode, action, desc, keys) in OVERLAY_BINDINGS {
            assert!(!desc.is_empty());
            assert_eq!(OverlayAction::from_name(action.name()), Some(*action));
            assert_eq!(Mode::from_name(mode.name()), Some(*mode));
            for k in *keys {
                let key = Key::parse(k).expect("parses");
                if mode.takes_text() {
                    let types = matches!(key.code, KeyCode::Char(_))
                        && !key.mods.contains(KeyModifiers::CONTROL);
                    assert!(!types, "{k} in {} would swallow typing", mode.name());
                }
            }
        }
    }

    #[test]
    fn overlay_keys_resolve_in_their_own_mode_only() {
        let mut km = Keymap::default();
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(km.overlay_action(Mode::Help, &j), Some(OverlayAction::Down));
        assert_eq!(
            km.overlay_action(Mode::Finder, &j),
            None,
            "j is typed in the finder"
        );
        let mut table = default_overlay_bindings();
        for (m, a, keys) in &mut table {
            if *m == Mode::Help && *a == OverlayAction::Down {
                *keys = vec![Key::parse("ctrl-j").expect("parses")];
            }
        }
        km.set_overlays(&table);
        assert_eq!(km.overlay_action(Mode::Help, &j), None);
        assert_eq!(km.overlay_labels(Mode::Help, OverlayAction::Down), "Ctrl-j");
        assert_eq!(
            km.overlay_action(Mode::Start, &j),
            Some(OverlayAction::Down)
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
