//! The reader pane: only the visible slice of the laid-out rows is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};

use crate::app::{Action, App};
use crate::layout::styled_spans;

pub fn draw(buf: &mut Buffer, app: &App) {
    let text = app.areas.text;
    if text.width == 0 || text.height == 0 {
        return;
    }
    let reader = &app.reader;
    let theme = &app.theme;
    if reader.layout.rows.is_empty() && reader.layout.is_complete(&reader.doc) {
        buf.set_string(text.x, text.y, "(this guide is empty)", theme.muted);
        return;
    }
    // Search matches on screen, worked out once per frame.
    let matches = reader
        .find
        .as_ref()
        .map(|f| f.on_rows(&reader.layout, app.visible_rows()))
        .unwrap_or_default();
    for (i, index) in app.visible_rows().enumerate() {
        let row = &reader.layout.rows[index];
        let y = text.y + i as u16;
        let frame = reader.layout.frame(row);
        let highlight = frame.and_then(|f| app.highlights.get((reader.guide, f)));
        let mut spans = styled_spans(&reader.layout, row, highlight);
        if frame.is_some() && frame == reader.code {
            for s in &mut spans {
                if s.style == theme.code_frame || s.style == theme.code_lang {
                    s.style = theme.code_frame_selected;
                }
            }
        }
        let state_at = check_state_column(app, index, &spans);
        buf.set_line(text.x, y, &Line::from(spans), text.width);
        if let Some(sel) = reader.link {
            for cell in reader
                .layout
                .links(row)
                .iter()
                .filter(|c| c.link == sel.link)
            {
                paint(
                    buf,
                    text.x,
                    y,
                    cell.start..cell.end,
                    theme.link_selected,
                    text.right(),
                );
            }
        }
        if let Some((task, col)) = reader.layout.task(row)
            && app.task_done(task as usize)
        {
            let x = text.x + col + 1;
            if let Some(c) = buf
                .cell_mut(Position::new(x, y))
                .filter(|_| x < text.right())
            {
                c.set_symbol("x");
            }
            paint(buf, text.x, y, col..col + 3, theme.task_done, text.right());
        }
        for (m, current) in &matches {
            let style = if *current {
                theme.search_current
            } else {
                theme.search_match
            };
            for p in m.parts.iter().filter(|p| p.row == index) {
                paint(buf, text.x, y, p.start..p.end, style, text.right());
            }
        }
        if let Some(col) = state_at {
            draw_check_state(buf, app, col, y);
        }
        // The selected checklist item: every row of it, full width.
        if reader.task.is_some() && task_of_row(app, index) == reader.task {
            paint(buf, text.x, y, 0..text.width, theme.selection, text.right());
        }
    }
    if let Some(g) = app.areas.gauge {
        draw_gauge(buf, g, app);
    }
    draw_next_guide_hint(buf, app);
}

/// Below the last line of a guide: what comes next in reading order.
fn draw_next_guide_hint(buf: &mut Buffer, app: &App) {
    let text = app.areas.text;
    let rows = &app.reader.layout.rows;
    let shown = app.visible_rows();
    if !app.reader.layout.reaches_end(&app.reader.doc) || shown.end != rows.len() {
        return;
    }
    let y = text.y + shown.len() as u16 + 1;
    if y >= text.bottom() {
        return;
    }
    let key = app
        .keymap
        .label(Action::NextGuide)
        .unwrap_or_else(|| "n".into());
    let hint = match app.set.guides.get(app.reader.guide + 1) {
        Some(next) => format!(
            "\u{2500}\u{2500} end \u{b7} next: {} ({key}) \u{2500}\u{2500}",
            next.title
        ),
        None => "\u{2500}\u{2500} end of the last guide \u{2500}\u{2500}".to_string(),
    };
    buf.set_line(
        text.x,
        y,
        &Line::from(Span::styled(hint, app.theme.muted)),
        text.width,
    );
}

/// Where a self-verifying item's live state goes: after the text of the item's last row.
fn check_state_column(app: &App, index: usize, spans: &[Span<'_>]) -> Option<u16> {
    let task = task_of_row(app, index)?;
    let verifies = app
        .reader
        .doc
        .tasks
        .get(task as usize)
        .is_some_and(|t| t.check.is_some());
    if !verifies || task_of_row(app, index + 1) == Some(task) {
        return None;
    }
    let content: String = spans.iter().map(|s| s.content.as_ref()).collect();
    u16::try_from(crate::layout::wrap::str_width(content.trim_end())).ok()
}

/// The live state at column `col` of row `y`: `· 3 deprecated imports left in 2 files`
/// or `· verified clean at 14:02`, in the longest wording that fits the room left on the
/// row.
fn draw_check_state(buf: &mut Buffer, app: &App, col: u16, y: u16) {
    let text = app.areas.text;
    let x = text.x.saturating_add(col).saturating_add(2);
    if x >= text.right() {
        return;
    }
    let style = match app.code.clean() {
        Some(true) if app.code.error.is_none() => app.theme.task_done,
        _ => app.theme.muted,
    };
    // The longest wording that fits: in full, in short, or just the count.
    let room = usize::from(text.right() - x);
    // Without a code base there is no state, only the reason: said in full or not at all
    // (the status bar says it when the item is selected).
    let tiny = match (app.code.clean(), &app.code.error) {
        _ if app.code.base.is_none() => None,
        (Some(true), None) => Some("clean".to_string()),
        (Some(false), None) => Some(format!("{} left", app.findings().len())),
        _ => Some("\u{2026}".to_string()),
    };
    // Last, the bare count ("· 11", "· ✓"), so a narrow row shows a number, not a cut word.
    let bare = match (app.code.clean(), &app.code.error) {
        _ if app.code.base.is_none() => None,
        (Some(true), None) => Some("\u{2713}".to_string()),
        (Some(false), None) => Some(app.findings().len().to_string()),
        _ => None,
    };
    let wordings: Vec<String> = [
        Some(app.code.state_text()),
        Some(app.code.short_state_text()),
        tiny,
        bare,
    ]
    .into_iter()
    .flatten()
    .map(|s| format!("\u{b7} {s}"))
    .collect();
    let fits = wordings
        .iter()
        .find(|s| crate::layout::wrap::str_width(s) <= room);
    // Never cut: a cut count would be a wrong number. With no room at all the state is
    // left to the gauge line and the status bar.
    let Some(state) = fits.cloned() else {
        return;
    };
    buf.set_line(
        x,
        y,
        &Line::from(Span::styled(state, style)),
        text.right() - x,
    );
}

/// The task item a row belongs to: the row itself, or the nearest task row above it
/// within the same list item (continuation lines of a wrapped item).
fn task_of_row(app: &App, index: usize) -> Option<u32> {
    let layout = &app.reader.layout;
    let rows = &layout.rows;
    let row = rows.get(index)?;
    if let Some((t, _)) = layout.task(row) {
        return Some(t);
    }
    let block = row.block();
    rows[..index]
        .iter()
        .rev()
        .take_while(|r| r.block() == block)
        .find_map(|r| layout.task(r).map(|(t, _)| t))
}

/// `auth-service  ██████░░░░  3/5` above a guide with checklist items.
fn draw_gauge(buf: &mut Buffer, area: ratatui::layout::Rect, app: &App) {
    let theme = &app.theme;
    let c = &app.checklists;
    let progress = c.progress.guide(app.reader.guide).map(|g| g.progress);
    let (label, done, total) = match (&c.migration, progress) {
        (Some(m), Some(p)) => (m.clone(), p.done, p.total),
        (None, Some(p)) => {
            let select = app.keymap.label(Action::NextTask).unwrap_or_default();
            let tick = app.keymap.label(Action::ToggleTask).unwrap_or_default();
            (
                format!("no migration yet: select an item ({select}) and tick it ({tick})"),
                p.done,
                p.total,
            )
        }
        (_, None) => ("checklist".to_string(), 0, 0),
    };
    let count = format!(" {done}/{total}");
    // A guide whose items verify themselves: the scan's state in short, always in view
    // even when the item's own row has no room left for it. The bar gives way to it.
    let verifies =
        app.code.base.is_some() && app.reader.doc.tasks.iter().any(|t| t.check.is_some());
    let scan = if verifies {
        format!("  \u{b7} scan: {}", app.code.short_state_text())
    } else {
        String::new()
    };
    let label_w = crate::layout::wrap::str_width(&label) + 2;
    let bar_w = usize::from(area.width)
        .saturating_sub(label_w + count.len() + crate::layout::wrap::str_width(&scan))
        .min(30);
    let filled = (bar_w * done).checked_div(total).unwrap_or(0);
    let mut spans = vec![
        Span::styled(format!("{label}  "), theme.h3),
        Span::styled("\u{2588}".repeat(filled), theme.task_done),
        Span::styled("\u{2591}".repeat(bar_w - filled), theme.muted),
        Span::styled(count, theme.task_done),
    ];
    if !scan.is_empty() {
        spans.push(Span::styled(scan, theme.muted));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn paint(
    buf: &mut Buffer,
    x0: u16,
    y: u16,
    cols: std::ops::Range<u16>,
    style: ratatui::style::Style,
    right: u16,
) {
    for col in cols {
        let x = x0.saturating_add(col);
        if x >= right {
            break;
        }
        if let Some(c) = buf.cell_mut(Position::new(x, y)) {
            c.set_style(style);
        }
    }
}
