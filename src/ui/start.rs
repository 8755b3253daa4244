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
    let open = app
        .keymap
        .label(Action::Open)
        .unwrap_or_else(|| "Enter".into());
    let again = app
        .keymap
        .label(Action::StartScreen)
        .unwrap_or_else(|| "s".into());
    let footer = format!(" {open} read \u{b7} {again} brings this back \u{b7} Esc close ");
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(" Guides ")
        .title_bottom(footer);
    let rollup = app.checklists.rollup();
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (i, g) in app.set.guides.iter().enumerate() {
        let marker = if i == selected { "\u{25b8} " } else { "  " };
        let mut head = vec![
            Span::styled(marker, theme.sidebar_current),
            Span::styled(
                format!("{}. {}", i + 1, g.title),
                if i == selected { theme.h2 } else { theme.h4 },
            ),
            Span::styled(format!("   {} min", app.guide_minutes(i)), theme.muted),
        ];
        if let Some((read, total)) = app.guide_read_progress(i).filter(|(_, t)| *t > 0) {
            head.push(Span::styled(format!("   read {read}/{total}"), theme.muted));
        }
        if let Some(p) = rollup
            .as_ref()
            .and_then(|r| r.guides.iter().find(|x| x.guide == g.id))
        {
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
        if i == selected {
            line = line.patch_style(theme.selection);
        }
        lines.push(line);
        if let Some(summary) = &g.summary {
            // Wrapped by hand so continuation lines keep the indent.
            let room = usize::from(width.saturating_sub(8)).max(1);
            for part in wrap([(summary.as_str(), theme.text, None)], room) {
                let mut spans = vec![Span::raw("     ")];
                spans.extend(part.spans);
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::default());
    }
    // As tall as its content, when the screen allows.
    let rect = Rect {
        height: rect.height.min(lines.len() as u16 + 2),
        ..rect
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
