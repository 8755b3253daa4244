//! The reader pane: only the visible slice of the laid-out rows is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Position;
use ratatui::text::Line;

use crate::app::App;
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
    for (i, index) in app.visible_rows().enumerate() {
        let row = &reader.layout.rows[index];
        let y = text.y + i as u16;
        let highlight = row
            .frame
            .and_then(|f| app.highlights.get((reader.guide, f)));
        let mut spans = styled_spans(row, highlight);
        if row.frame.is_some() && row.frame == reader.code {
            for s in &mut spans {
                if s.style == theme.code_frame || s.style == theme.code_lang {
                    s.style = theme.code_frame_selected;
                }
            }
        }
        buf.set_line(text.x, y, &Line::from(spans), text.width);
        if let Some(sel) = reader.link {
            for cell in row.links.iter().filter(|c| c.link == sel.link) {
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
        if let Some((task, col)) = row.task {
            let done = reader
                .doc
                .tasks
                .get(task as usize)
                .is_some_and(|t| t.checked);
            if done {
                let x = text.x + col + 1;
                if let Some(c) = buf
                    .cell_mut(Position::new(x, y))
                    .filter(|_| x < text.right())
                {
                    c.set_symbol("x");
                }
                paint(buf, text.x, y, col..col + 3, theme.task_done, text.right());
            }
        }
    }
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
