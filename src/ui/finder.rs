//! The finder overlay: query line, lookup card, ranked hits and a preview of the selected
//! hit in its guide.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::finder::Finder;
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
        .title_bottom(" Enter jump \u{b7} \u{2191}\u{2193} select \u{b7} Ctrl-y copy canonical \u{b7} Esc close ");
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);

    let mut lines: Vec<Line<'_>> = vec![Line::from(vec![
        Span::styled("> ", theme.h3),
        Span::styled(format!("{}\u{2588}", f.input.value), theme.text),
        Span::styled(count(app, f), theme.muted),
    ])];
    if let Some(card) = &f.card {
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
    let offset = f
        .selected
        .saturating_sub(usize::from(list_rows.saturating_sub(1)));
    for (i, hit) in f
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(usize::from(list_rows))
    {
        lines.push(hit_line(app, hit, i == f.selected));
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let preview_area = if side {
        let w = inner.width / 2;
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
        draw_preview(frame, preview_area, app, hit);
    }
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

fn hit_line<'a>(app: &'a App, hit: &'a Hit, selected: bool) -> Line<'a> {
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
    let mut spans = vec![Span::styled(format!(" {kind} "), theme.muted)];
    // The matched ranges stand out.
    let mut pos = 0;
    for r in &hit.ranges {
        if r.start < pos
            || r.end > hit.text.len()
            || !hit.text.is_char_boundary(r.start)
            || !hit.text.is_char_boundary(r.end)
        {
            continue;
        }
        spans.push(Span::raw(&hit.text[pos..r.start]));
        spans.push(Span::styled(&hit.text[r.start..r.end], theme.search_match));
        pos = r.end;
    }
    spans.push(Span::raw(&hit.text[pos..]));
    spans.push(Span::styled(format!("  {guide}"), theme.muted));
    let line = Line::from(spans);
    if selected {
        line.patch_style(theme.selection)
    } else {
        line.patch_style(Style::new())
    }
}

fn draw_preview(frame: &mut Frame<'_>, area: Rect, app: &App, hit: &Hit) {
    let Some(guide) = app.set.guides.get(hit.guide) else {
        return;
    };
    let theme = &app.theme;
    let radius = usize::from(area.height.saturating_sub(2) / 2);
    let lines: Vec<Line<'_>> = crate::search::preview(guide, hit, radius)
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
