//! Tables: columns sized to their content, shrunk fairly when the pane is narrow, cells
//! wrapped at word boundaries. A column is never made narrower than its longest word:
//! when the columns cannot all keep their words whole, each row is shown as
//! `Header: value` lines instead (a word wider than the whole pane is the only thing
//! ever split).

use ratatui::style::Style;
use ratatui::text::Span;

use super::inline_pieces;
use super::wrap::{LinkCell, WrappedLine, str_width, wrap};
use crate::doc::{Align, Inline, Table};
use crate::theme::Theme;

const SEP: &str = " \u{2502} ";
const SEP_WIDTH: usize = 3;

/// `text` is the document's [`crate::doc::Doc::inline_text`], where the cells' text lives.
pub fn render(text: &str, table: &Table, width: usize, theme: &Theme) -> Vec<WrappedLine> {
    let ncols = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    if ncols == 0 {
        return Vec::new();
    }
    let overhead = SEP_WIDTH * (ncols - 1);
    if width < overhead + ncols {
        return stacked(text, table, width, theme);
    }
    let column = |measure: fn(&str, &[Inline]) -> usize| -> Vec<usize> {
        (0..ncols)
            .map(|c| {
                table
                    .rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|cell| measure(text, cell))
                    .max()
                    .unwrap_or(0)
                    .max(1)
            })
            .collect()
    };
    let natural = column(cell_width);
    let words = column(longest_word);
    let Some(widths) = fit_columns(&natural, &words, width - overhead) else {
        return stacked(text, table, width, theme);
    };
    let mut out = Vec::new();
    for (ri, row) in table.rows.iter().enumerate() {
        let base = if ri == 0 {
            theme.table_header
        } else {
            theme.text
        };
        let cells: Vec<Vec<WrappedLine>> = (0..ncols)
            .map(|c| match row.get(c) {
                Some(cell) => wrap(inline_pieces(text, cell, base, theme), widths[c]),
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

fn cell_width(text: &str, cell: &[Inline]) -> usize {
    let text: String = cell.iter().map(|i| i.text_in(text)).collect();
    text.split('\n').map(str_width).max().unwrap_or(0)
}

/// The widest word of a cell: the narrowest the column can be without splitting it.
fn longest_word(text: &str, cell: &[Inline]) -> usize {
    let text: String = cell.iter().map(|i| i.text_in(text)).collect();
    text.split_whitespace().map(str_width).max().unwrap_or(0)
}

/// Column widths that fit `avail`, or `None` when the columns cannot all keep their
/// longest word (`words`) whole. Columns are filled evenly up to one level: a column
/// narrower than the level keeps its natural width, one whose longest word is wider
/// keeps that word, and the rest get the level (the cells left over go one each to the
/// first of them).
pub fn fit_columns(natural: &[usize], words: &[usize], avail: usize) -> Option<Vec<usize>> {
    if natural.iter().sum::<usize>() <= avail {
        return Some(natural.to_vec());
    }
    let floor: Vec<usize> = natural
        .iter()
        .zip(words)
        .map(|(n, w)| (*w).min(*n).max(1))
        .collect();
    if floor.iter().sum::<usize>() > avail {
        return None;
    }
    let at = |level: usize| -> Vec<usize> {
        natural
            .iter()
            .zip(&floor)
            .map(|(n, f)| level.clamp(*f, (*n).max(*f)))
            .collect()
    };
    // The highest level that fits; the sum grows with the level, so bisect.
    let (mut lo, mut hi) = (0, natural.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if at(mid).iter().sum::<usize>() <= avail {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut widths = at(lo);
    let mut extra = avail - widths.iter().sum::<usize>();
    for (w, n) in widths.iter_mut().zip(natural) {
        if extra == 0 {
            break;
        }
        if *w == lo && *w < *n {
            *w += 1;
            extra -= 1;
        }
    }
    Some(widths)
}

fn stacked(text: &str, table: &Table, width: usize, theme: &Theme) -> Vec<WrappedLine> {
    let header: Vec<String> = table
        .rows
        .first()
        .map(|r| {
            r.iter()
                .map(|c| c.iter().map(|i| i.text_in(text)).collect())
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
            pieces.extend(inline_pieces(text, cell, theme.text, theme));
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
    use crate::doc::{Leaf, parse};
    use crate::theme::ColorMode;

    #[test]
    fn columns_keep_natural_width_when_they_fit() {
        assert_eq!(fit_columns(&[3, 4], &[3, 4], 20), Some(vec![3, 4]));
    }

    #[test]
    fn wide_columns_share_what_is_left() {
        let w = fit_columns(&[5, 100, 100], &[5, 8, 8], 45).expect("fits");
        assert_eq!(w[0], 5);
        assert_eq!(w.iter().sum::<usize>(), 45);
        assert!(w[1] >= 19 && w[2] >= 19, "{w:?}");
    }

    #[test]
    fn a_column_keeps_its_longest_word() {
        let w = fit_columns(&[40, 40], &[30, 5], 50).expect("fits");
        assert_eq!(w, [30, 20]);
        assert_eq!(fit_columns(&[40, 40], &[30, 30], 50), None);
    }

    fn rows(md: &str, width: usize) -> Vec<String> {
        let doc = parse(md);
        let table = doc
            .blocks
            .iter()
            .find_map(|b| match &b.leaf {
                Leaf::Table(t) => Some(t.clone()),
                _ => None,
            })
            .expect("a table");
        render(
            &doc.inline_text,
            &table,
            width,
            &Theme::for_mode(ColorMode::None),
        )
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
    }

    /// Every word of the table, whole, on some row.
    fn assert_words_whole(md: &str, rows: &[String]) {
        let cells: Vec<&str> = rows
            .iter()
            .flat_map(|r| r.split(['\u{2502}', ' ', ':']))
            .filter(|w| !w.is_empty())
            .collect();
        for word in md
            .lines()
            .filter(|l| !l.starts_with("|-"))
            .flat_map(|l| l.split(['|', ' ', '`']))
            .filter(|w| !w.is_empty())
        {
            assert!(cells.contains(&word), "{word} split: {rows:#?}");
        }
    }

    const FOUR: &str = "| Operator | Overloadable? | Trait | Notes |\n|---|---|---|---|\n\
| `+` | yes | Add | also for strings, which allocate a new buffer |\n\
| `&&` | no | none | short-circuits, so it cannot be a method |\n";

    /// A 4-column table at 56 columns wraps at spaces and splits no word (an even share
    /// of 47 cells would have cut `Overloadable?` to 11).
    #[test]
    fn four_columns_at_56_wrap_at_word_boundaries() {
        let rows = rows(FOUR, 56);
        assert!(rows.iter().all(|r| str_width(r) <= 56), "{rows:#?}");
        assert!(
            rows.iter().any(|r| r.contains('\u{253c}')),
            "not stacked: {rows:#?}"
        );
        assert_words_whole(FOUR, &rows);
        assert!(rows[0].contains("Overloadable?"), "{rows:#?}");
    }

    /// Too narrow to keep every word whole in columns: rows stack as `Header: value`.
    #[test]
    fn too_narrow_for_whole_words_stacks() {
        let rows = rows(FOUR, 30);
        assert!(rows.iter().all(|r| str_width(r) <= 30), "{rows:#?}");
        assert!(
            rows.iter().any(|r| r.starts_with("Overloadable?: yes")),
            "{rows:#?}"
        );
        assert!(!rows.iter().any(|r| r.contains('\u{253c}')), "{rows:#?}");
        assert_words_whole(FOUR, &rows);
    }
}
