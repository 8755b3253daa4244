//! The help overlay, generated from the keymap so it always shows the keys really bound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::action::{ACTIONS, Action};

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut out = Vec::new();
    let mut group = None;
    for (action, _, g, desc) in ACTIONS {
        if group != Some(*g) {
            if group.is_some() {
                out.push(Line::default());
            }
            out.push(Line::from(Span::styled(g.title(), theme.h3)));
            group = Some(*g);
        }
        let keys = app.keymap.labels(*action);
        if keys.is_empty() {
            continue;
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<16}"), theme.code_inline),
            Span::raw(*desc),
        ]));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        "Mouse: wheel scrolls, click opens a link or sidebar entry.",
        theme.muted,
    )));
    out
}

/// The closing hint, from the live key map like everything else here.
fn footer(app: &App, scrolls: bool) -> String {
    let km = &app.keymap;
    let label = |a: Action| km.label(a);
    let close: Vec<String> = [label(Action::Help), label(Action::Cancel)]
        .into_iter()
        .flatten()
        .collect();
    let mut parts = Vec::new();
    if scrolls && let (Some(down), Some(up)) = (label(Action::ScrollDown), label(Action::ScrollUp))
    {
        parts.push(format!("{down}/{up} scroll"));
    }
    if !close.is_empty() {
        parts.push(format!("{} closes", close.join(" or ")));
    }
    format!(" {} ", parts.join(" \u{b7} "))
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, scroll: u16) {
    let lines = lines(app);
    let width = area.width.min(64);
    let height = area.height.min(lines.len() as u16 + 2);
    if width < 3 || height < 3 {
        return;
    }
    let rect = super::centered(area, width, height);
    let max_scroll = (lines.len() as u16 + 2).saturating_sub(height);
    let footer = footer(app, max_scroll > 0);
    let block = Block::bordered()
        .border_style(app.theme.overlay_border)
        .title(" Keys ")
        .title_bottom(footer);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        rect,
    );
}
