//! The sidebar: the guides of the set as a tree (folders, or an mdBook's parts and
//! chapters, each folding), the open guide unfolded into its outline, with the current
//! heading marked.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::tree::NodeKind;
use crate::app::{App, Entry, Focus};
use crate::sanitize::sanitize_line;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let theme = &app.theme;
    // A rule on the right separates the sidebar from the reader (when both are shown).
    let inner = if app.areas.reader.width > 0 && area.width > 1 {
        let x = area.right() - 1;
        for y in area.top()..area.bottom() {
            buf.set_string(x, y, "\u{2502}", theme.muted);
        }
        Rect {
            width: area.width - 1,
            ..area
        }
    } else {
        area
    };
    // Only the rows on screen: a frame costs the same at 10 guides or 10,000.
    let entries = app.sidebar_window(
        app.sidebar_offset(usize::from(inner.height)),
        usize::from(inner.height),
    );
    let current = app.current_heading();
    let focused = app.focus == Focus::Sidebar;
    let offset = app.sidebar_offset(usize::from(inner.height));
    let open_guide_progress = app.checklists.progress.guide(app.reader.guide);
    let top_level = app.outline_top_level();
    for (i, entry) in entries.iter().enumerate().map(|(n, e)| (offset + n, e)) {
        let y = inner.y + (i - offset) as u16;
        let line = match *entry {
            Entry::Guide(g) => {
                let open = g == app.reader.guide;
                let node = app.tree.node_of_guide(g);
                // `▾` where something is unfolded beneath: the open guide's outline, or a
                // chapter's sub-chapters.
                let unfolded =
                    node.is_some_and(|n| app.tree.has_children(n) && !app.tree.is_folded(n));
                let marker = if open || unfolded {
                    "\u{25be} "
                } else {
                    "\u{25b8} "
                };
                let style = if open {
                    theme.sidebar_current
                } else {
                    theme.text
                };
                let mut spans = vec![indent(app, node, inner.width)];
                spans.push(Span::styled(marker, theme.muted));
                if let Some(guide) = app.set.guides.get(g) {
                    spans.extend(guide_label(guide, style, theme.muted));
                }
                Line::from(spans)
            }
            Entry::Folder(n) => {
                let marker = if app.tree.is_folded(n) {
                    "\u{25b8} "
                } else {
                    "\u{25be} "
                };
                // A folder's name ends in `/`, as in `ls -F`; a part title stands alone.
                let label = match app.tree.node(n).map(|x| &x.kind) {
                    Some(NodeKind::Folder(name)) => format!("{}/", sanitize_line(name)),
                    Some(NodeKind::Part(title)) => sanitize_line(title),
                    _ => String::new(),
                };
                Line::from(vec![
                    indent(app, Some(n), inner.width),
                    Span::styled(marker, theme.muted),
                    Span::styled(label, theme.sidebar_heading),
                ])
            }
            Entry::Heading(h) => {
                let head = &app.reader.doc.headings[h];
                let guide_indent =
                    indent(app, app.tree.node_of_guide(app.reader.guide), inner.width);
                let indent = "  ".repeat(usize::from(head.level.saturating_sub(top_level)));
                let here = current == Some(h);
                // The current section is marked `›`; sections already read `·` and muted.
                let read = app.section_read(h);
                let (mark, mark_style, style) = match (here, read) {
                    (true, _) => ("\u{203a} ", theme.sidebar_current, theme.sidebar_current),
                    (false, true) => ("\u{b7} ", theme.muted, theme.muted),
                    (false, false) => ("  ", theme.text, theme.text),
                };
                Line::from(vec![
                    guide_indent,
                    Span::raw(format!(" {indent}")),
                    Span::styled(mark, mark_style),
                    Span::styled(head.text.clone(), style),
                ])
            }
        };
        let progress = match *entry {
            Entry::Guide(g) => app.checklists.progress.guide(g).map(|p| p.progress),
            Entry::Heading(h) => open_guide_progress
                .and_then(|p| p.sections.iter().find(|s| s.heading_index == h))
                .map(|s| s.progress),
            Entry::Folder(_) => None,
        };
        let selected = focused && i == app.sidebar_selected;
        let row = Rect {
            y,
            height: 1,
            ..inner
        };
        if selected {
            buf.set_style(row, theme.selection);
        }
        let line = if selected {
            line.patch_style(theme.selection)
        } else {
            line
        };
        buf.set_line(inner.x, y, &line, inner.width);
        // Checklist progress, right-aligned: `3/5`.
        if let Some(p) = progress {
            let text = format!(" {}/{}", p.done, p.total);
            let w = text.len() as u16;
            if inner.width > w + 8 {
                let style = if p.is_complete() {
                    theme.task_done
                } else {
                    theme.muted
                };
                let style = if selected {
                    style.patch(theme.selection)
                } else {
                    style
                };
                buf.set_string(inner.right() - w, y, &text, style);
            }
        }
    }
}

/// Deepest nesting that still indents: a tree thousands of folders deep keeps its names
/// on screen.
const MAX_INDENT_LEVELS: usize = 8;

/// Two columns per level of the node's nesting in the tree (its folders, or its part and
/// parent chapters in a book), at most a third of the sidebar.
fn indent(app: &App, node: Option<usize>, width: u16) -> Span<'static> {
    let depth = node
        .and_then(|n| app.tree.node(n))
        .map_or(0, |n| n.depth)
        .min(MAX_INDENT_LEVELS);
    let columns = (depth * 2).min(usize::from(width) / 3);
    Span::raw(" ".repeat(columns))
}

/// `1.2. Title`, and a muted `(draft)` for chapters with no file yet.
fn guide_label(
    guide: &crate::content::Guide,
    style: ratatui::style::Style,
    muted: ratatui::style::Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(n) = &guide.number {
        spans.push(Span::styled(format!("{n} "), muted));
    }
    spans.push(Span::styled(guide.title.clone(), style));
    if guide.draft {
        spans.push(Span::styled(" (draft)", muted));
    }
    spans
}
