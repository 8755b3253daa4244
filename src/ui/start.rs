//! The start screen: the guides in reading order, each with its summary, length, reading
//! progress and checklist progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::{Action, App};
use crate::layout::wrap::wrap;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, selected: usize) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(90);
    let height = area.height.saturating_sub(2);
    if width < 12 || height < 4 {
        return;
    }
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height,
    };
    let again = app
        .keymap
        .label(Action::StartScreen)
        .map(|k| format!("{k} brings this back \u{b7}"))
        .unwrap_or_default();
    let footer = app.keymap.footer(
        crate::keymap::Mode::Start,
        &[
            (crate::keymap::OverlayAction::Open, "read"),
            (crate::keymap::OverlayAction::Down, "next"),
            (crate::keymap::OverlayAction::Close, "close"),
        ],
    );
    let footer = format!("{footer}{again} ");
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(" Guides ")
        .title_bottom(footer);
    // Only the guides on screen are laid out: a frame costs the same at 10 or 10,000.
    let room = usize::from(rect.height.saturating_sub(2));
    let first = crate::app::list::first_visible(selected, room, |i| {
        guide_lines(app, i, width, false).len()
    });
    let mut lines: Vec<Line<'_>> = Vec::new();
    for i in first..app.set.guides.len() {
        if lines.len() >= room {
            break;
        }
        lines.extend(guide_lines(app, i, width, i == selected));
    }
    // As tall as its content, when the screen allows.
    let rect = Rect {
        height: rect.height.min(lines.len() as u16 + 2),
        ..rect
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// Guide `i`'s entry: its title line with length and progress, its summary, a blank line.
fn guide_lines(app: &App, i: usize, width: u16, selected: bool) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let Some(g) = app.set.guides.get(i) else {
        return Vec::new();
    };
    let marker = if selected { "\u{25b8} " } else { "  " };
    let mut head = vec![
        Span::styled(marker, theme.sidebar_current),
        Span::styled(
            format!("{}. {}", i + 1, g.title),
            if selected { theme.h2 } else { theme.h4 },
        ),
    ];
    if let Some(minutes) = app.guide_minutes(i) {
        head.push(Span::styled(format!("   {minutes} min"), theme.muted));
    }
    if let Some((read, total)) = app.guide_read_progress(i).filter(|(_, t)| *t > 0) {
        head.push(Span::styled(format!("   read {read}/{total}"), theme.muted));
    }
    if let Some(p) = app.checklists.progress.guide(i) {
        let style = if p.progress.is_complete() {
            theme.task_done
        } else {
            theme.task_open
        };
        head.push(Span::styled(
            format!("   \u{2713} {}/{}", p.progress.done, p.progress.total),
            style,
        ));
    }
    let mut line = Line::from(head);
    if selected {
        line = line.patch_style(theme.selection);
    }
    let mut lines = vec![line];
    if let Some(summary) = &g.summary {
        // Wrapped by hand so continuation lines keep the indent.
        let room = usize::from(width.saturating_sub(8)).max(1);
        for part in wrap([(summary.as_str(), theme.text, None)], room) {
            let mut spans = vec![Span::raw("     ")];
            spans.extend(
                part.spans
                    .into_iter()
                    .map(|s| Span::styled(s.content.into_owned(), s.style)),
            );
            lines.push(Line::from(spans));
        }
    }
    lines.push(Line::default());
    lines
}
