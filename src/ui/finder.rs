//! The finder overlay: query line, lookup card, ranked hits and a preview of the selected
//! hit in its guide.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::finder::Finder;
use crate::layout::wrap::str_width;
use crate::search::{Hit, HitKind};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, f: &Finder) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(120);
    let height = area.height.saturating_sub(2).min(30);
    if width < 12 || height < 5 {
        return;
    }
    let rect = super::centered(area, width, height);
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(" Find in all guides ")
        .title_bottom(app.keymap.footer(
            crate::keymap::Mode::Finder,
            &[
                (crate::keymap::OverlayAction::Open, "jump"),
                (crate::keymap::OverlayAction::Down, "next"),
                (crate::keymap::OverlayAction::Up, "previous"),
                (crate::keymap::OverlayAction::CopyImport, "copy canonical"),
                (crate::keymap::OverlayAction::Close, "close"),
            ],
        ));
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);

    let mut lines: Vec<Line<'_>> = vec![Line::from(vec![
        Span::styled("> ", theme.h3),
        Span::styled(format!("{}\u{2588}", f.input.value), theme.text),
        Span::styled(count(app, f), theme.muted),
    ])];
    if let Some(card) = &f.card {
        lines.extend(card_lines(app, card));
        lines.push(Line::from(Span::styled(
            "\u{2500}".repeat(usize::from(inner.width)),
            theme.muted,
        )));
    }
    let list_top = lines.len() as u16;
    let room = inner.height.saturating_sub(list_top);
    // Preview beside the list when wide, below it otherwise.
    let side = inner.width >= 90;
    let list_rows = if side { room } else { room / 2 };
    let offset = crate::app::list::first_visible(f.selected, usize::from(list_rows), |_| 1);
    let row_width = if side {
        inner.width - preview_width(inner.width)
    } else {
        inner.width
    };
    for (i, hit) in f
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(usize::from(list_rows))
    {
        lines.push(hit_line(app, hit, i == f.selected, usize::from(row_width)));
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let preview_area = if side {
        let w = preview_width(inner.width);
        Rect {
            x: inner.x + inner.width - w,
            y: inner.y + list_top,
            width: w,
            height: room,
        }
    } else {
        Rect {
            y: inner.y + list_top + list_rows,
            height: room - list_rows,
            ..inner
        }
    };
    if let Some(hit) = f.hits.get(f.selected) {
        draw_preview(frame, preview_area, app, f, hit);
    }
}

/// Beside the list, the preview takes two fifths: the hits need the room to differ.
/// A lookup card: the symbol's imports by class, canonical first, three of each at most.
pub(super) fn card_lines<'a>(app: &App, card: &'a crate::lookup::Answer) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for (name, forms) in card.groups() {
        for form in forms.iter().take(3) {
            let style = match name {
                "canonical" => theme.task_done,
                "unclassified" => theme.muted,
                _ => theme.status_error,
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {name:<12}"), style),
                Span::styled(form.import_line.clone(), theme.code_inline),
                Span::styled(format!("  {}", form.location()), theme.muted),
            ]));
        }
    }
    lines
}

fn preview_width(inner: u16) -> u16 {
    inner * 2 / 5
}

fn count(app: &App, f: &Finder) -> String {
    if !app.indexes_ready() {
        "   indexing...".into()
    } else if f.input.value.trim().is_empty() {
        "   type to search titles, headings, code and text".into()
    } else {
        format!("   {} hits", f.hits.len())
    }
}

/// One hit in `width` columns: its kind, the part of its text around the match (so seven
/// hits on one long import line still read differently), and where it is, always shown.
fn hit_line<'a>(app: &'a App, hit: &'a Hit, selected: bool, width: usize) -> Line<'a> {
    let theme = &app.theme;
    let kind = match hit.kind {
        HitKind::Title => "guide",
        HitKind::Heading => "head ",
        HitKind::Code => "code ",
        HitKind::Body => "text ",
    };
    // The folder too, so same-named guides in different folders are told apart.
    let guide = app
        .set
        .guides
        .get(hit.guide)
        .map_or(String::new(), |g| match g.folder() {
            "" => g.id.clone(),
            folder if !g.id.contains('/') => format!("{folder}/{}", g.id),
            _ => g.id.clone(),
        });
    let location = format!("  {guide}:{}", hit.line);
    let kind = format!(" {kind} ");
    let room = width.saturating_sub(str_width(&kind) + str_width(&location) + 1);
    let (start, end) = window(&hit.text, &hit.ranges, room);
    let mut spans = vec![Span::styled(kind, theme.muted)];
    if start > 0 {
        spans.push(Span::styled("\u{2026}", theme.muted));
    }
    // The matched ranges stand out.
    let mut pos = start;
    for r in &hit.ranges {
        let (a, b) = (r.start.max(start), r.end.min(end));
        if a < pos || a >= b || !hit.text.is_char_boundary(a) || !hit.text.is_char_boundary(b) {
            continue;
        }
        spans.push(Span::raw(&hit.text[pos..a]));
        spans.push(Span::styled(&hit.text[a..b], theme.search_match));
        pos = b;
    }
    spans.push(Span::raw(&hit.text[pos..end]));
    if end < hit.text.len() {
        spans.push(Span::styled("\u{2026}", theme.muted));
    }
    let used: usize = spans.iter().map(|s| str_width(&s.content)).sum();
    let pad = width.saturating_sub(used + str_width(&location));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(location, theme.muted));
    let line = Line::from(spans);
    if selected {
        line.patch_style(theme.selection)
    } else {
        line.patch_style(Style::new())
    }
}

/// The byte range of `text` to show in `room` columns (one more each side goes to an
/// ellipsis when cut): all of it when it fits, else a window holding the whole first
/// match, a little context before it and as much after it as fits. A window that reaches
/// the end of the line is filled from before instead, so the row is always full.
fn window(text: &str, ranges: &[std::ops::Range<usize>], room: usize) -> (usize, usize) {
    if str_width(text) <= room {
        return (0, text.len());
    }
    let room = room.saturating_sub(2).max(1);
    let width_of = |c: char| str_width(c.encode_utf8(&mut [0; 4]));
    let (first, match_end) = ranges
        .first()
        .map_or((0, 0), |r| (r.start.min(text.len()), r.end.min(text.len())));
    let match_width = text.get(first..match_end).map_or(0, str_width);
    // Context before the match: a quarter of the room, less if the match needs it.
    let context = (room / 4).min(room.saturating_sub(match_width));
    let mut start = first;
    let mut before = 0;
    for (i, c) in text[..first].char_indices().rev() {
        if before + width_of(c) > context {
            break;
        }
        before += width_of(c);
        start = i;
    }
    let mut end = start;
    let mut used = 0;
    for (i, c) in text[start..].char_indices() {
        if used + width_of(c) > room {
            break;
        }
        used += width_of(c);
        end = start + i + c.len_utf8();
    }
    if end == text.len() {
        for (i, c) in text[..start].char_indices().rev() {
            if used + width_of(c) > room {
                break;
            }
            used += width_of(c);
            start = i;
        }
    }
    (start, end)
}

fn draw_preview(frame: &mut Frame<'_>, area: Rect, app: &App, f: &Finder, hit: &Hit) {
    let Some(guide) = app.set.guides.get(hit.guide) else {
        return;
    };
    let theme = &app.theme;
    let radius = usize::from(area.height.saturating_sub(2) / 2);
    let lines: Vec<Line<'_>> = f
        .preview_lines(&app.set, radius)
        .into_iter()
        .map(|(n, text)| {
            let style = if n == hit.line {
                theme.search_current
            } else {
                theme.text
            };
            Line::from(vec![
                Span::styled(format!("{n:>4} "), theme.muted),
                Span::styled(text, style),
            ])
        })
        .collect();
    let title = format!(
        " {}{} ",
        guide.id,
        hit.anchor
            .as_ref()
            .map(|a| format!("#{a}"))
            .unwrap_or_default()
    );
    let block = Block::bordered().border_style(theme.muted).title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_shows_the_part_around_its_match() {
        let text =
            "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager";
        let at = text.find("get_websocket_manager").expect("in text");
        let matched = at..at + 21;
        let (a, b) = window(text, std::slice::from_ref(&matched), 40);
        let shown = &text[a..b];
        assert!(shown.contains("get_websocket_manager"), "{shown}");
        assert!(a > 0, "the start is cut: {shown}");
        // A match near the end shows the end of the line, the window full.
        let tail = text.find("import get_").expect("in text") + 7;
        let (a, b) = window(text, std::slice::from_ref(&(tail..tail + 21)), 40);
        assert_eq!(b, text.len());
        assert!(text[a..b].ends_with("import get_websocket_manager"));
        assert_eq!(str_width(&text[a..b]), 38);
        // Short text is shown whole.
        let first = 0..1;
        assert_eq!(window("abc", std::slice::from_ref(&first), 40), (0, 3));
    }
}
