//! Tables: columns sized to their content, shrunk fairly when the pane is narrow, cells
//! wrapped (never truncated to nothing). Too narrow for columns at all, each row is shown
//! as `Header: value` lines instead.

use ratatui::style::Style;
use ratatui::text::Span;

use super::inline_pieces;
use super::wrap::{LinkCell, WrappedLine, str_width, wrap};
use crate::doc::{Align, Inline, Table};
use crate::theme::Theme;

const SEP: &str = " \u{2502} ";
const SEP_WIDTH: usize = 3;

pub fn render(table: &Table, width: usize, theme: &Theme) -> Vec<WrappedLine> {
    let ncols = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    if ncols == 0 {
        return Vec::new();
    }
    let overhead = SEP_WIDTH * (ncols - 1);
    if width < overhead + 3 * ncols {
        return stacked(table, width, theme);
    }
    let natural: Vec<usize> = (0..ncols)
        .map(|c| {
            table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell_width(cell))
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let widths = fit_columns(&natural, width - overhead);
    let mut out = Vec::new();
    for (ri, row) in table.rows.iter().enumerate() {
        let base = if ri == 0 {
            theme.table_header
        } else {
            theme.text
        };
        let cells: Vec<Vec<WrappedLine>> = (0..ncols)
            .map(|c| match row.get(c) {
                Some(cell) => wrap(inline_pieces(cell, base, theme), widths[c]),
                None => vec![WrappedLine::default()],
            })
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..height {
            let mut line = WrappedLine::default();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    push(&mut line, SEP.to_string(), SEP_WIDTH, theme.table_border);
                }
                let part = cell.get(i).cloned().unwrap_or_default();
                let pad = widths[c].saturating_sub(part.width);
                let align = table.aligns.get(c).copied().unwrap_or(Align::Left);
                let (left, right) = match align {
                    Align::Left => (0, pad),
                    Align::Right => (pad, 0),
                    Align::Center => (pad / 2, pad - pad / 2),
                };
                push(&mut line, " ".repeat(left), left, theme.text);
                let offset = line.width as u16;
                line.links.extend(part.links.iter().map(|l| LinkCell {
                    start: l.start + offset,
                    end: l.end + offset,
                    link: l.link,
                }));
                line.width += part.width;
                line.spans.extend(part.spans);
                if c + 1 < ncols {
                    push(&mut line, " ".repeat(right), right, theme.text);
                }
            }
            out.push(line);
        }
        if ri == 0 && table.rows.len() > 1 {
            let mut rule = WrappedLine::default();
            for (c, w) in widths.iter().enumerate() {
                if c > 0 {
                    push(
                        &mut rule,
                        "\u{2500}\u{253c}\u{2500}".to_string(),
                        SEP_WIDTH,
                        theme.table_border,
                    );
                }
                push(&mut rule, "\u{2500}".repeat(*w), *w, theme.table_border);
            }
            out.push(rule);
        }
    }
    out
}

fn push(line: &mut WrappedLine, text: String, width: usize, style: Style) {
    if width > 0 {
        line.spans.push(Span::styled(text, style));
        line.width += width;
    }
}

fn cell_width(cell: &[Inline]) -> usize {
    let text: String = cell.iter().map(|i| i.text.as_str()).collect();
    text.split('\n').map(str_width).max().unwrap_or(0)
}

/// Column widths that fit `avail`: columns narrower than a fair share keep their natural
/// width; the rest share what is left.
pub fn fit_columns(natural: &[usize], avail: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= avail {
        return natural.to_vec();
    }
    let mut widths = vec![0; natural.len()];
    let mut open: Vec<usize> = (0..natural.len()).collect();
    let mut left = avail;
    loop {
        let share = left / open.len().max(1);
        let (fits, rest): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&c| natural[c] <= share);
        if fits.is_empty() {
            let extra = left - share * rest.len();
            for (i, c) in rest.iter().enumerate() {
                widths[*c] = (share + usize::from(i < extra)).max(1);
            }
            return widths;
        }
        for c in fits {
            widths[c] = natural[c];
            left -= natural[c];
        }
        open = rest;
        if open.is_empty() {
            return widths;
        }
    }
}

fn stacked(table: &Table, width: usize, theme: &Theme) -> Vec<WrappedLine> {
    let header: Vec<String> = table
        .rows
        .first()
        .map(|r| {
            r.iter()
                .map(|c| c.iter().map(|i| i.text.as_str()).collect())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for (ri, row) in table.rows.iter().enumerate().skip(1) {
        if ri > 1 {
            out.push(WrappedLine::default());
        }
        for (c, cell) in row.iter().enumerate() {
            let label = format!("{}: ", header.get(c).map_or("", String::as_str));
            let mut pieces = vec![(label.as_str(), theme.table_header, None)];
            pieces.extend(inline_pieces(cell, theme.text, theme));
            out.extend(wrap(pieces, width));
        }
    }
    if out.is_empty() {
        for h in &header {
            out.extend(wrap([(h.as_str(), theme.table_header, None)], width));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_natural_width_when_they_fit() {
        assert_eq!(fit_columns(&[3, 4], 20), [3, 4]);
    }

    #[test]
    fn wide_columns_share_what_is_left() {
        let w = fit_columns(&[5, 100, 100], 45);
        assert_eq!(w[0], 5);
        assert_eq!(w.iter().sum::<usize>(), 45);
        assert!(w[1] >= 19 && w[2] >= 19);
    }
}
