//! The help and messages overlays: rows laid out by [`crate::app::pages`] (so scrolling
//! and drawing agree on the size), drawn here with the footers from the live key map.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::pages::{Kind, Page};
use crate::app::{Action, App};
use crate::keymap::{Mode, OverlayAction};

pub fn draw_help(frame: &mut Frame<'_>, app: &App, scroll: usize) {
    draw(frame, app, &app.help_page(), Mode::Help, " Keys ", scroll);
}

pub fn draw_messages(frame: &mut Frame<'_>, app: &App, scroll: usize) {
    draw(
        frame,
        app,
        &app.messages_page(),
        Mode::Messages,
        " Messages ",
        scroll,
    );
}

/// The closing (and, when there is more, scrolling) hint, from the live key map: the key
/// that opened the overlay, or its own close key.
fn footer(app: &App, mode: Mode, scrolls: bool) -> String {
    let km = &app.keymap;
    let mut parts = Vec::new();
    if scrolls {
        for (a, word) in [
            (OverlayAction::Down, "down"),
            (OverlayAction::Up, "up"),
            (OverlayAction::PageDown, "page"),
        ] {
            if let Some(k) = km.overlay_label(mode, a) {
                parts.push(format!("{k} {word}"));
            }
        }
    }
    let toggle = match mode {
        Mode::Help => km.label(Action::Help),
        _ => km.label(Action::Messages),
    };
    let close: Vec<String> = toggle
        .into_iter()
        .chain(km.overlay_label(mode, OverlayAction::Close))
        .collect();
    if !close.is_empty() {
        parts.push(format!("{} close", close.join(" or ")));
    }
    format!(" {} ", parts.join(" \u{b7} "))
}

fn draw(frame: &mut Frame<'_>, app: &App, page: &Page, mode: Mode, title: &str, scroll: usize) {
    let rect = page.rect.intersection(frame.area());
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let theme = &app.theme;
    let height = usize::from(rect.height - 2);
    let scroll = scroll.min(page.max_scroll());
    let key_width = usize::from(page.key_width);
    let lines: Vec<Line<'_>> = page
        .rows
        .iter()
        .skip(scroll)
        .take(height)
        .map(|r| {
            let style = match r.kind {
                Kind::Heading => theme.h3,
                Kind::Text => theme.text,
                Kind::Muted => theme.muted,
                Kind::Error => theme.status_error,
            };
            let mut spans = Vec::new();
            if key_width > 0 && r.kind != Kind::Heading && r.kind != Kind::Muted {
                let pad = key_width.saturating_sub(crate::layout::wrap::str_width(&r.keys));
                spans.push(Span::styled(
                    format!("{}{}", r.keys, " ".repeat(pad)),
                    theme.code_inline,
                ));
            }
            spans.push(Span::styled(r.text.as_str(), style));
            Line::from(spans)
        })
        .collect();
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(title)
        .title_bottom(footer(app, mode, page.max_scroll() > 0));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
