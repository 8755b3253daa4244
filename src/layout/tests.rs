use super::*;
use crate::doc::parse;
use crate::theme::{ColorMode, Theme};

fn layout(md: &str, width: u16) -> Layout {
    let doc = parse(md);
    let mut l = Layout::new(width);
    l.finish(&doc, &Theme::for_mode(ColorMode::None));
    l
}

fn texts(l: &Layout) -> Vec<String> {
    l.rows.iter().map(|r| l.text_of(r).to_string()).collect()
}

const SAMPLE: &str = "# Title 🎯\n\nSome *text* with `code` and a [link](other.md#x) \
and a very long word abcdefghijklmnopqrstuvwxyz.\n\n> quote\n> - item one\n>   - nested 世界\n\n\
- [ ] task one\n- [x] task two\n\n| a | b |\n|---|--:|\n| long cell text here | 2 |\n\n\
```python\nfrom x import y\n\tindented\n```\n\n---\n\n1. first\n2. second\n\ntext[^n]\n\n[^n]: note\n";

#[test]
fn no_row_is_wider_than_the_width() {
    for width in [1u16, 2, 3, 5, 8, 13, 20, 40, 80, 200] {
        let l = layout(SAMPLE, width);
        for row in &l.rows {
            let w: usize = l.spans(row).iter().map(|s| str_width(&s.content)).sum();
            assert!(
                w <= usize::from(width),
                "width {width}: {:?}",
                l.text_of(row)
            );
        }
    }
}

#[test]
fn incremental_layout_matches_all_at_once() {
    let doc = parse(SAMPLE);
    let theme = Theme::for_mode(ColorMode::TrueColor);
    let mut whole = Layout::new(30);
    whole.finish(&doc, &theme);
    let mut piecewise = Layout::new(30);
    let mut n = 1;
    while !piecewise.is_complete(&doc) {
        piecewise.extend_to_rows(&doc, &theme, n);
        n += 3;
    }
    assert_eq!(whole.rows, piecewise.rows);
    assert_eq!(whole.block_rows, piecewise.block_rows);
}

#[test]
fn headings_lists_quotes_and_tasks_look_right() {
    let t = texts(&layout(SAMPLE, 60));
    assert_eq!(t[0], "Title 🎯");
    assert!(t[1].starts_with("━━━"), "{t:?}");
    assert!(t.iter().any(|r| r == "│ • item one"), "{t:?}");
    assert!(t.iter().any(|r| r == "│   ◦ nested 世界"), "{t:?}");
    assert!(t.iter().any(|r| r == "• [ ] task one"), "{t:?}");
    assert!(t.iter().any(|r| r == "1. first"), "{t:?}");
    assert!(t.iter().any(|r| r.starts_with("[^n]: note")), "{t:?}");
}

#[test]
fn task_rows_know_where_the_box_is() {
    let l = layout("- [ ] one\n- [x] two\n", 40);
    let tasks: Vec<_> = l.rows.iter().filter_map(|r| l.task(r)).collect();
    assert_eq!(tasks, [(0, 2), (1, 2)]);
}

#[test]
fn code_blocks_are_framed_with_language_and_tabs_expanded() {
    let l = layout("```python\nfrom x import y\n\tz\n```\n", 30);
    let t = texts(&l);
    assert!(t[0].starts_with("┌─ python ─"), "{t:?}");
    assert_eq!(t[1], "│ from x import y");
    assert_eq!(t[2], "│     z");
    assert!(t[3].starts_with("└──"));
    assert!(l.rows.iter().all(|r| l.frame(r) == Some(0)));
    assert_eq!(
        l.code_line(&l.rows[2]),
        Some(CodeLine {
            line: 1,
            start: 0,
            end: 5
        })
    );
}

#[test]
fn long_code_lines_wrap_and_keep_byte_ranges() {
    let l = layout("```\nabcdefghij\n```\n", 8);
    let lines: Vec<_> = l.rows.iter().filter_map(|r| l.code_line(r)).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].start, lines[0].end), (0, 6));
    assert_eq!((lines[1].start, lines[1].end), (6, 10));
}

#[test]
fn tables_wrap_cells_instead_of_truncating() {
    let t = texts(&layout(
        "| a | b |\n|---|---|\n| one two three four | x |\n",
        14,
    ));
    let joined = t.join("\n");
    for word in ["one", "two", "three", "four"] {
        assert!(joined.contains(word), "{word} missing: {t:?}");
    }
    assert!(t.iter().any(|r| r.contains('┼')), "{t:?}");
}

#[test]
fn narrow_tables_stack_as_header_value() {
    let t = texts(&layout("| name | value |\n|---|---|\n| a | b |\n", 6));
    assert!(t.iter().any(|r| r.starts_with("name")), "{t:?}");
}

#[test]
fn links_are_located_on_their_rows() {
    let l = layout("see [the guide](quick-reference.md) now\n", 40);
    assert_eq!(
        l.links(&l.rows[0])[..],
        [LinkCell {
            start: 4,
            end: 13,
            link: 0
        }]
    );
}

#[test]
fn prefixes_give_way_to_content_when_narrow() {
    let md = format!("{} deep text\n", ">".repeat(40));
    let l = layout(&md, 10);
    for row in &l.rows {
        let w: usize = l.spans(row).iter().map(|s| str_width(&s.content)).sum();
        assert!(w <= 10);
    }
    let t = texts(&layout(&md, 10));
    assert!(t.iter().any(|r| r.contains("deep")), "{t:?}");
}

#[test]
fn highlight_styles_apply_to_code_text_only() {
    use ratatui::style::Color;
    let l = layout("```python\nab cd\n```\n", 20);
    let row = &l.rows[1];
    let red = Style::new().fg(Color::Red);
    let hl: crate::highlight::Highlighted = vec![vec![(red, 0..2), (Style::new(), 2..5)]];
    let spans = styled_spans(&l, row, Some(&hl));
    assert_eq!(spans[0].content, "│ ");
    assert_eq!(spans[1].content, "ab");
    assert_eq!(spans[1].style.fg, Some(Color::Red));
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    assert_eq!(text, "│ ab cd");
}

/// A layout started at `anchor`, grown to `rows` rows, its blocks above filled in by
/// idle steps of `step` blocks: the rows a full layout has, and the shift it reported
/// moves row 0 onto the anchor's row.
fn from_anchor(md: &str, width: u16, anchor: usize, rows: usize, step: usize) -> (Layout, isize) {
    let doc = parse(md);
    let theme = Theme::for_mode(ColorMode::TrueColor);
    let mut l = Layout::starting_at(width, anchor);
    l.extend_to_rows(&doc, &theme, rows);
    l.extend_up_to_rows(&doc, &theme, rows);
    let mut shift = l.take_shift();
    while !l.is_complete(&doc) {
        l.extend_blocks(&doc, &theme, step);
        shift += l.take_shift();
    }
    (l, shift)
}

#[test]
fn a_layout_started_at_any_block_ends_up_as_the_whole() {
    let doc = parse(SAMPLE);
    let theme = Theme::for_mode(ColorMode::TrueColor);
    for width in [1u16, 7, 30, 80] {
        let mut whole = Layout::new(width);
        whole.finish(&doc, &theme);
        for anchor in 0..doc.blocks.len() {
            for (rows, step) in [(1, 1), (5, 3), (40, 400)] {
                let (l, shift) = from_anchor(SAMPLE, width, anchor, rows, step);
                assert_eq!(whole.rows, l.rows, "width {width}, anchor {anchor}");
                assert_eq!(
                    whole.block_rows, l.block_rows,
                    "width {width}, anchor {anchor}"
                );
                assert_eq!(whole.text_of(&whole.rows[0]), l.text_of(&l.rows[0]));
                // Row numbers kept before the blocks above were joined land on the same
                // text after adding the shift.
                let anchor_row = whole.block_rows[anchor] as isize;
                let gap = isize::from(anchor > 0 && doc.blocks[anchor].gap_before);
                assert_eq!(shift, anchor_row - gap, "width {width}, anchor {anchor}");
            }
        }
    }
}

#[test]
fn styles_and_text_survive_the_join() {
    let doc = parse(SAMPLE);
    let theme = Theme::for_mode(ColorMode::TrueColor);
    let mut whole = Layout::new(24);
    whole.finish(&doc, &theme);
    let mut l = Layout::starting_at(24, doc.blocks.len() - 2);
    l.finish(&doc, &theme);
    for (a, b) in whole.rows.iter().zip(&l.rows) {
        assert_eq!(whole.spans(a), l.spans(b));
    }
    assert_eq!(whole.rows.len(), l.rows.len());
}

#[test]
fn filling_a_screen_upwards_lays_out_only_the_blocks_near_the_end() {
    let md = "para\n\n".repeat(500);
    let doc = parse(&md);
    let theme = Theme::for_mode(ColorMode::None);
    let last = doc.blocks.len() - 1;
    let mut l = Layout::starting_at(40, last);
    l.extend_to_rows(&doc, &theme, 30);
    assert!(l.reaches_end(&doc) && !l.is_complete(&doc));
    l.extend_up_to_rows(&doc, &theme, 30);
    assert!(l.rows.len() >= 30, "{}", l.rows.len());
    assert!(l.first_block() > last - 100, "{}", l.first_block());
    let shift = l.take_shift();
    assert_eq!(
        shift as usize,
        l.rows.len() - 2,
        "the old first rows moved to the end"
    );
    assert_eq!(l.row_text(l.rows.len() - 1), "para");
}

#[test]
fn a_row_is_small_and_keeps_its_code_bytes_links_and_task() {
    assert!(std::mem::size_of::<Row>() <= 24);
    // An empty line, and a wide letter in a one-cell column (shown as a mark).
    let l = layout("```\na\n\n漢x\n```\n", 1);
    let lines: Vec<_> = l
        .rows
        .iter()
        .filter_map(|r| l.code_line(r))
        .map(|c| (c.line, c.start, c.end))
        .collect();
    assert_eq!(lines, [(0, 0, 1), (1, 0, 0), (2, 0, 3), (2, 3, 4)]);
    let numbers: Vec<_> = l.rows.iter().filter_map(Row::code_line_number).collect();
    assert_eq!(numbers, [0, 1, 2, 2]);
    assert_eq!(texts(&l)[2], "\u{2026}");
    assert!(l.rows.iter().all(|r| l.frame(r) == Some(0)));
    let l = layout("- [ ] see [a](x) and [b](y)\n\n```\nz\n```\n", 40);
    assert_eq!(l.task(&l.rows[0]), Some((0, 2)));
    assert_eq!(l.links(&l.rows[0]).len(), 2);
    let code: Vec<_> = l.rows.iter().filter(|r| r.in_code()).collect();
    assert!(
        code.iter()
            .all(|r| l.frame(r) == Some(0) && l.links(r).is_empty())
    );
    assert_eq!(code.iter().filter(|r| r.is_frame_border()).count(), 2);
    assert!(
        l.rows
            .iter()
            .filter(|r| !r.in_code())
            .all(|r| l.frame(r).is_none())
    );
}
