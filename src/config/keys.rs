//! The `[keys]` table: action name → list of keys. Each entry is checked on its own, so
//! one typo costs only that action its new keys; conflicts are resolved in favour of the
//! bindings that were there before this file.

use std::collections::HashSet;

use toml::de::{DeTable, DeValue};

use super::{Problem, Source};
use crate::app::action::{ACTIONS, Action};
use crate::keymap::{Key, Keymap, Mode, OverlayAction};

/// Bindings per action, in [`ACTIONS`] order.
pub type Bindings = Vec<(Action, Vec<Key>)>;

/// Each overlay's bindings, in [`crate::keymap::OVERLAY_BINDINGS`] order.
pub type OverlayBindings = Vec<(Mode, OverlayAction, Vec<Key>)>;

/// Applies a `[keys.<mode>]` table: each entry replaces that action's keys in that mode
/// only. Where typing is text (finder, `/` prompt) a key that types a character is
/// refused, as it could never be typed again.
pub fn apply_overlay(
    mode: Mode,
    table: &DeTable<'_>,
    bindings: &mut OverlayBindings,
    src: &Source<'_>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (name, value) in table {
        let action = OverlayAction::from_name(name.get_ref());
        let Some(slot) = bindings
            .iter_mut()
            .find(|(m, a, _)| *m == mode && Some(*a) == action)
        else {
            let valid: Vec<&str> = bindings
                .iter()
                .filter(|(m, ..)| *m == mode)
                .map(|(_, a, _)| a.name())
                .collect();
            problems.push(src.problem(
                name.span().start,
                format!(
                    "unknown action `{}` in [keys.{}]; valid actions: {}",
                    name.get_ref(),
                    mode.name(),
                    valid.join(", ")
                ),
            ));
            continue;
        };
        match parse_keys(value.get_ref(), value.span().start, src) {
            Ok(keys) => {
                let mut accepted = Vec::new();
                for (key, at) in keys {
                    let types = matches!(key.code, crossterm::event::KeyCode::Char(_))
                        && !key.mods.contains(crossterm::event::KeyModifiers::CONTROL)
                        && !key.mods.contains(crossterm::event::KeyModifiers::ALT);
                    if mode.takes_text() && types {
                        problems.push(src.problem(
                            at,
                            format!(
                                "`{}` types text in [keys.{}]; bind a key that types nothing \
                                 (ctrl-, alt-, arrows, enter, esc)",
                                key.label(),
                                mode.name()
                            ),
                        ));
                    } else if !accepted.contains(&key) {
                        accepted.push(key);
                    }
                }
                slot.2 = accepted;
            }
            Err(p) => problems.push(p),
        }
    }
    problems
}

/// Where each key of an entry was written, to point a conflict at its line.
struct Entry {
    action: Action,
    keys: Vec<(Key, usize)>,
}

/// Applies a `[keys]` table over `bindings`, reporting unknown actions, keys that do not
/// parse and conflicts.
pub fn apply(
    table: &DeTable<'_>,
    bindings: &mut Bindings,
    overlays: &mut OverlayBindings,
    src: &Source<'_>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for (name, value) in table {
        // `[keys.finder]` and the like: an overlay's own table.
        if let (DeValue::Table(t), Some(mode)) = (value.get_ref(), Mode::from_name(name.get_ref()))
        {
            problems.extend(apply_overlay(mode, t, overlays, src));
            continue;
        }
        let Some(action) = Action::from_name(name.get_ref()) else {
            let valid: Vec<&str> = ACTIONS.iter().map(|a| a.1).collect();
            problems.push(src.problem(
                name.span().start,
                format!(
                    "unknown action `{}` in [keys]; valid actions: {}",
                    name.get_ref(),
                    valid.join(", ")
                ),
            ));
            continue;
        };
        match parse_keys(value.get_ref(), value.span().start, src) {
            Ok(keys) => entries.push(Entry { action, keys }),
            Err(p) => problems.push(p),
        }
    }
    // The bindings this file does not touch stay; the file's entries replace theirs.
    let replaced: HashSet<Action> = entries.iter().map(|e| e.action).collect();
    let mut kept: Vec<(Key, Action)> = bindings
        .iter()
        .filter(|(a, _)| !replaced.contains(a))
        .flat_map(|(a, keys)| keys.iter().map(move |k| (*k, *a)))
        .collect();
    let mut fresh: Vec<(Action, Vec<Key>)> = Vec::new();
    for entry in &entries {
        let mut accepted = Vec::new();
        for (key, at) in &entry.keys {
            match clash(&kept, *key, entry.action) {
                None if accepted.contains(key) => {}
                None => {
                    kept.push((*key, entry.action));
                    accepted.push(*key);
                }
                Some(other) => problems.push(src.problem(
                    *at,
                    format!(
                        "key `{}` is bound to both `{}` and `{}`; it stays with `{}`. Only \
                         toggle_task, next_match, prev_match, fold and unfold may share a \
                         key with one other action; rebind or unbind (`{} = []`) one of them",
                        key.label(),
                        other.name(),
                        entry.action.name(),
                        other.name(),
                        other.name(),
                    ),
                )),
            }
        }
        fresh.push((entry.action, accepted));
    }
    for (action, keys) in fresh {
        if let Some(slot) = bindings.iter_mut().find(|(a, _)| *a == action) {
            slot.1 = keys;
        }
    }
    problems
}

/// The action `key` can no longer take `action` because of, if any. A key may carry at
/// most one contextual action and at most one other action; the same action twice is
/// harmless.
fn clash(bound: &[(Key, Action)], key: Key, action: Action) -> Option<Action> {
    bound
        .iter()
        .filter(|(k, a)| *k == key && *a != action)
        .map(|(_, a)| *a)
        .find(|a| a.is_contextual() == action.is_contextual())
}

/// Every (key, kept action, clashing action) under the rule of [`clash`].
pub fn conflicts(bindings: &Bindings) -> Vec<(Key, Action, Action)> {
    let mut seen: Vec<(Key, Action)> = Vec::new();
    let mut out = Vec::new();
    for (action, keys) in bindings {
        for key in keys {
            if let Some(other) = clash(&seen, *key, *action) {
                out.push((*key, other, *action));
            }
            seen.push((*key, *action));
        }
    }
    out
}

fn parse_keys(
    value: &DeValue<'_>,
    at: usize,
    src: &Source<'_>,
) -> Result<Vec<(Key, usize)>, Problem> {
    let items: Vec<(&DeValue<'_>, usize)> = match value {
        DeValue::String(_) => vec![(value, at)],
        DeValue::Array(arr) => arr.iter().map(|v| (v.get_ref(), v.span().start)).collect(),
        other => {
            return Err(src.problem(
                at,
                format!(
                    "expected a list of keys such as [\"q\", \"ctrl-c\"], found {}",
                    other.type_str()
                ),
            ));
        }
    };
    let mut keys = Vec::new();
    for (item, at) in items {
        let Some(text) = item.as_str() else {
            return Err(src.problem(
                at,
                format!("expected a key in quotes, found {}", item.type_str()),
            ));
        };
        match Key::parse(text) {
            Ok(k) => keys.push((k, at)),
            Err(_) => {
                return Err(src.problem(
                    at,
                    format!(
                        "`{text}` is not a key; write a character (\"q\", \"G\", \"/\") or one of \
                         enter, esc, tab, backtab, backspace, space, up, down, left, right, \
                         home, end, pageup, pagedown, delete, insert, f1-f12, with optional \
                         ctrl- and alt- prefixes"
                    ),
                ));
            }
        }
    }
    Ok(keys)
}

/// The key map for a set of bindings.
pub fn keymap(bindings: &Bindings, overlays: &OverlayBindings) -> Keymap {
    let mut km = Keymap::from_bindings(bindings);
    km.set_overlays(overlays);
    km
}
