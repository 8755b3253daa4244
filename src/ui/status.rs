//! The status bar: where you are on the left, messages in the middle, key hints (from the
//! live keymap) on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{Action, App, Focus};
use crate::layout::wrap::str_width;

/// The mode word beside them says where focus is, so there is no focus hint.
const HINTS: &[(Action, &str)] = &[(Action::Help, "help"), (Action::Quit, "quit")];

/// The word for where keys go now: the overlay, the search prompt, or the focused pane.
pub fn mode(app: &App) -> &'static str {
    use crate::app::Overlay;
    match &app.overlay {
        Some(Overlay::Help { .. }) => return "HELP",
        Some(Overlay::Finder(_)) => return "FIND",
        Some(Overlay::Findings(_)) => return "FINDINGS",
        Some(Overlay::Migrations(_)) => return "MIGRATIONS",
        Some(Overlay::Start { .. }) => return "GUIDES",
        Some(Overlay::Messages { .. }) => return "MESSAGES",
        None => {}
    }
    if app.reader.find.as_ref().is_some_and(|f| f.editing) {
        return "SEARCH";
    }
    match app.focus {
        Focus::Sidebar => "SIDEBAR",
        Focus::Reader => "READER",
        Focus::Checklist => "CHECKLIST",
    }
}

pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    buf.set_style(area, theme.status);
    // A long message: wrapped over the rows above the last, which keeps the usual line.
    let message_rows = area.height.saturating_sub(1);
    let long = app.status.as_ref().filter(|_| message_rows > 0);
    if let Some(s) = long {
        let style = if s.error {
            theme.status_error
        } else {
            theme.status_info
        };
        let rows = Rect {
            height: message_rows,
            ..area
        };
        let text = format!(" {} ", s.text);
        let mut parts = crate::layout::wrap::wrap(
            [(text.as_str(), style, None)],
            usize::from(area.width).max(1),
        );
        if parts.len() > usize::from(message_rows) {
            parts.truncate(usize::from(message_rows));
            if let Some(last) = parts.last_mut() {
                let more = app
                    .keymap
                    .label(Action::Messages)
                    .map(|k| format!(" ... ({k}: in full)"))
                    .unwrap_or_default();
                last.spans.push(Span::styled(more, theme.status_key));
            }
        }
        for (i, part) in parts.iter().enumerate() {
            buf.set_line(
                rows.x,
                rows.y + i as u16,
                &Line::from(part.spans.clone()),
                rows.width,
            );
        }
    }
    let area = Rect {
        y: area.y + message_rows,
        height: 1,
        ..area
    };
    let shown_status = if long.is_some() {
        None
    } else {
        app.status.as_ref()
    };
    let percent = match app.percent() {
        Some(p) => format!("{p:>3}%"),
        None => " ..%".to_string(),
    };
    let mut right: Vec<Span<'_>> = Vec::new();
    if let Some(m) = app.migration_summary() {
        right.push(Span::styled(format!(" \u{2713} {m} "), theme.status_info));
    }
    right.push(Span::styled(format!(" {} ", mode(app)), theme.status_key));
    right.push(Span::styled(format!(" {percent} "), theme.status));
    let mut hints: Vec<Span<'_>> = Vec::new();
    for (action, word) in HINTS {
        if let Some(key) = app.keymap.label(*action) {
            hints.push(Span::styled(format!(" {key}"), theme.status_key));
            hints.push(Span::styled(format!(" {word} "), theme.status));
        }
    }
    if let Some(find) = &app.reader.find {
        let count = if find.query().is_empty() {
            String::new()
        } else {
            find.count()
        };
        right.insert(0, Span::styled(format!(" {count} "), theme.status_key));
    }
    let editing = app.reader.find.as_ref().filter(|f| f.editing);
    let left: Vec<Span<'_>> = match (shown_status, editing) {
        (_, Some(find)) => vec![
            Span::styled(" /", theme.status_key),
            Span::styled(format!("{}\u{2588}", find.query()), theme.status),
        ],
        (status, None) => match status {
            Some(s) => vec![Span::styled(
                format!(" {} ", s.text),
                if s.error {
                    theme.status_error
                } else {
                    theme.status_info
                },
            )],
            None => {
                let mut v = vec![Span::styled(
                    format!(" {}", app.guide_title()),
                    theme.status_key,
                )];
                if let Some(h) = app.current_heading() {
                    let text = &app.reader.doc.headings[h].text;
                    if *text != app.guide_title() {
                        v.push(Span::styled(format!(" \u{203a} {text}"), theme.status));
                    }
                }
                v
            }
        },
    };
    // The location and messages give way to the mode and hints when space is short.
    let width = usize::from(area.width);
    right.extend(hints);
    let right_width: usize = right.iter().map(|s| str_width(&s.content)).sum();
    let show_right = right_width + 10 <= width;
    let left_room = if show_right {
        width - right_width
    } else {
        width
    };
    buf.set_line(area.x, area.y, &Line::from(left), left_room as u16);
    if show_right {
        let x = area.x + (width - right_width) as u16;
        buf.set_line(x, area.y, &Line::from(right), right_width as u16);
    }
}
