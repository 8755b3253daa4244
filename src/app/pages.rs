//! The two text overlays, help and messages: their rows and their box, worked out here
//! (not in `ui/`) so scrolling knows exactly how far it can go at this size.
//!
//! Help is as wide as its longest entry, never a fixed width; on a narrow screen a
//! description wraps under itself instead of being cut.

use ratatui::layout::Rect;

use super::action::ACTIONS;
use super::{App, Status};
use crate::keymap::{Keymap, Mode, OVERLAY_BINDINGS};
use crate::layout::wrap::{str_width, wrap};

/// What a row is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Heading,
    Text,
    Muted,
    Error,
}

/// One drawn row: a key column (help) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRow {
    pub keys: String,
    pub text: String,
    pub kind: Kind,
}

/// A text overlay laid out for a screen: its box, the width of its key column, every row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub rect: Rect,
    pub key_width: u16,
    pub rows: Vec<PageRow>,
}

impl Page {
    /// Rows of text inside the border.
    pub fn inner_height(&self) -> usize {
        usize::from(self.rect.height.saturating_sub(2))
    }

    /// The furthest the text can scroll.
    pub fn max_scroll(&self) -> usize {
        self.rows.len().saturating_sub(self.inner_height())
    }
}

/// Key column entries of the help: (heading, [(keys, description)]) per section.
fn help_sections(km: &Keymap) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut group = None;
    for (action, _, g, desc) in ACTIONS {
        if group != Some(*g) {
            out.push((g.title().to_string(), Vec::new()));
            group = Some(*g);
        }
        let keys = km.labels(*action);
        if let (false, Some(last)) = (keys.is_empty(), out.last_mut()) {
            last.1.push((keys, (*desc).to_string()));
        }
    }
    for mode in Mode::ALL {
        let entries: Vec<(String, String)> = OVERLAY_BINDINGS
            .iter()
            .filter(|(m, ..)| *m == mode)
            .filter_map(|(_, action, desc, _)| {
                let keys = km.overlay_labels(mode, *action);
                (!keys.is_empty()).then(|| (keys, (*desc).to_string()))
            })
            .collect();
        out.push((mode.title().to_string(), entries));
    }
    out
}

const MOUSE_NOTE: &str = "Mouse: wheel scrolls, click opens a link or sidebar entry.";

/// The help overlay for a screen of `area`, from the live key map.
pub fn help(km: &Keymap, area: Rect) -> Page {
    let sections = help_sections(km);
    let entries = sections.iter().flat_map(|(_, e)| e.iter());
    let key_width = entries
        .clone()
        .map(|(k, _)| str_width(k))
        .max()
        .unwrap_or(0)
        .min(24)
        + 4;
    let desc_width = entries.map(|(_, d)| str_width(d)).max().unwrap_or(0);
    let widest = (key_width + desc_width).max(str_width(MOUSE_NOTE)).max(
        sections
            .iter()
            .map(|(h, _)| str_width(h))
            .max()
            .unwrap_or(0),
    );
    let width = (widest + 2).min(usize::from(area.width)) as u16;
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let key_width = key_width.min(inner / 2);
    let text_room = inner.saturating_sub(key_width).max(1);
    let mut rows = Vec::new();
    for (i, (heading, entries)) in sections.iter().enumerate() {
        if i > 0 {
            rows.push(blank());
        }
        rows.push(PageRow {
            keys: String::new(),
            text: heading.clone(),
            kind: Kind::Heading,
        });
        for (keys, desc) in entries {
            for (n, part) in wrap_plain(desc, text_room).into_iter().enumerate() {
                rows.push(PageRow {
                    keys: if n == 0 {
                        format!("  {keys}")
                    } else {
                        String::new()
                    },
                    text: part,
                    kind: Kind::Text,
                });
            }
        }
    }
    rows.push(blank());
    for part in wrap_plain(MOUSE_NOTE, inner) {
        rows.push(PageRow {
            keys: String::new(),
            text: part,
            kind: Kind::Muted,
        });
    }
    boxed(area, width, key_width as u16, rows)
}

/// The messages overlay: the last status messages, oldest first, each in full.
pub fn messages<'a>(messages: impl Iterator<Item = &'a Status>, area: Rect) -> Page {
    let width = area.width.min(100);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut rows = Vec::new();
    for m in messages {
        let kind = if m.error { Kind::Error } else { Kind::Text };
        for part in wrap_plain(&m.text, inner) {
            rows.push(PageRow {
                keys: String::new(),
                text: part,
                kind,
            });
        }
    }
    if rows.is_empty() {
        rows.push(PageRow {
            keys: String::new(),
            text: "No messages yet.".into(),
            kind: Kind::Muted,
        });
    }
    boxed(area, width, 0, rows)
}

fn blank() -> PageRow {
    PageRow {
        keys: String::new(),
        text: String::new(),
        kind: Kind::Text,
    }
}

fn boxed(area: Rect, width: u16, key_width: u16, rows: Vec<PageRow>) -> Page {
    let height = (rows.len() + 2).min(usize::from(area.height)) as u16;
    Page {
        rect: centered(area, width, height),
        key_width,
        rows,
    }
}

/// A `width` × `height` box in the middle of `area` (clipped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn wrap_plain(text: &str, width: usize) -> Vec<String> {
    let style = ratatui::style::Style::new();
    let parts: Vec<String> = wrap([(text, style, None)], width)
        .into_iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    if parts.is_empty() {
        vec![String::new()]
    } else {
        parts
    }
}

impl App {
    /// The help overlay at the current size.
    pub fn help_page(&self) -> Page {
        help(&self.keymap, self.size)
    }

    /// The messages overlay at the current size.
    pub fn messages_page(&self) -> Page {
        messages(self.messages.iter(), self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_as_wide_as_its_content_and_never_cuts_a_description() {
        let km = Keymap::default();
        let wide = help(&km, Rect::new(0, 0, 200, 50));
        assert!(
            wide.rect.width > 62,
            "sized to content, not 62: {}",
            wide.rect.width
        );
        assert!(wide.rect.width < 200, "not the whole screen");
        let narrow = help(&km, Rect::new(0, 0, 40, 20));
        let room = usize::from(narrow.rect.width - 2 - narrow.key_width);
        assert!(
            narrow
                .rows
                .iter()
                .all(|r| str_width(&r.text) <= room || r.kind != Kind::Text)
        );
        let all: String = narrow.rows.iter().map(|r| r.text.clone() + " ").collect();
        let all = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all.contains("find anything in every guide; symbols get a lookup card"),
            "wrapped, not cut: {all}"
        );
        assert!(narrow.max_scroll() > 0);
    }
}
