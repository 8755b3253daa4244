//! Properties of layout over generated markdown-like input: rows never exceed the width
//! and hold no control characters, and a document laid out all at once is the same as one
//! laid out (and drawn) a piece at a time while scrolling, or from any block upwards and
//! downwards, as after a resize.

use devguide::app::App;
use devguide::content::{GuideSet, Origin, guide_from_bytes};
use devguide::doc::parse;
use devguide::keymap::Keymap;
use devguide::layout::Layout;
use devguide::layout::wrap::str_width;
use devguide::theme::{ColorMode, Theme};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

/// Words, including the awkward ones: wide characters, combining marks, tabs, controls,
/// entities that decode to controls, bidi overrides and mis-decoded emoji.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{1,12}",
        1 => prop::sample::select(vec![
            "世界", "🎯", "✅", "⚠\u{fe0f}", "e\u{301}", "\t", "\u{1b}[31m", "\u{9b}2J",
            "&#27;", "&#x9b;", "\u{202e}", "\u{200b}", "‚úÖ", "\u{f8ff}üéØ", "*em*",
            "**strong**", "~~gone~~", "`code`", "[link](http://x/y)", "<b>", "\\", "&amp;",
            "ＡＢ", "x\u{7f}y", "\r",
        ])
        .prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..12).prop_map(|w| w.join(" "))
}

/// One markdown block from a small grammar.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        (1..=6usize, text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        (0..4usize, text()).prop_map(|(d, t)| format!("{}- {t}", "  ".repeat(d))),
        (0..4usize, text()).prop_map(|(d, t)| format!("{}1. {t}", "   ".repeat(d))),
        (1..6usize, text()).prop_map(|(d, t)| format!("{}{t}", "> ".repeat(d))),
        text().prop_map(|t| format!("- [ ] {t}\n- [x] {t}")),
        (
            prop::sample::select(vec!["", "python", "rust", "sh", "nope"]),
            prop::collection::vec(text(), 0..4)
        )
            .prop_map(|(lang, lines)| format!("```{lang}\n{}\n```", lines.join("\n"))),
        (text(), text(), text())
            .prop_map(|(a, b, c)| format!("| {a} | {b} |\n|---|:-:|\n| {c} | {a} |")),
        Just("---".to_string()),
        text().prop_map(|t| format!("    {t}")),
        text().prop_map(|t| format!("[^1]: {t}")),
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 0..12).prop_map(|b| b.join("\n\n"))
}

fn check_rows(layout: &Layout, width: u16) -> Result<(), TestCaseError> {
    for row in &layout.rows {
        let text = layout.text_of(row);
        prop_assert!(
            str_width(text) <= usize::from(width),
            "row wider than {}: {:?}",
            width,
            text
        );
        prop_assert!(!text.chars().any(char::is_control), "control in {:?}", text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rows_fit_the_width_and_hold_no_control_characters(
        md in document(),
        width in 1u16..=200,
    ) {
        let guide = guide_from_bytes("p.md", md.as_bytes());
        let doc = parse(&guide.body);
        for mode in [ColorMode::None, ColorMode::TrueColor] {
            let mut layout = Layout::new(width);
            layout.finish(&doc, &Theme::for_mode(mode));
            check_rows(&layout, width)?;
        }
    }

    #[test]
    fn layout_at_once_equals_layout_while_scrolling(
        md in document(),
        width in 1u16..=200,
        step in 1usize..40,
    ) {
        let doc = parse(&md);
        let theme = Theme::for_mode(ColorMode::TrueColor);
        let mut whole = Layout::new(width);
        whole.finish(&doc, &theme);
        let mut pieces = Layout::new(width);
        let mut want = 0;
        while !pieces.is_complete(&doc) {
            want += step;
            pieces.extend_to_rows(&doc, &theme, want);
        }
        prop_assert_eq!(&whole.rows, &pieces.rows);
        prop_assert_eq!(&whole.block_rows, &pieces.block_rows);
    }

    /// A layout started at any block (as a resize starts one at the block on screen),
    /// filled upwards to a screen and then completed in idle steps, ends up row for row
    /// and style for style the layout done from the top; the rows it had before moved by
    /// exactly the shift it reported.
    #[test]
    fn layout_from_any_block_equals_layout_from_the_top(
        md in document(),
        width in 1u16..=200,
        anchor_pick in 0usize..64,
        screen in 1usize..40,
        step in 1usize..8,
    ) {
        let doc = parse(&md);
        let theme = Theme::for_mode(ColorMode::TrueColor);
        let mut whole = Layout::new(width);
        whole.finish(&doc, &theme);
        let anchor = anchor_pick % doc.blocks.len().max(1);
        let mut l = Layout::starting_at(width, anchor);
        l.extend_to_rows(&doc, &theme, screen);
        l.extend_up_to_rows(&doc, &theme, screen);
        let _ = l.take_shift();
        let early: Vec<String> = l.rows.iter().map(|r| l.text_of(r).to_string()).collect();
        let mut shift = 0;
        while !l.is_complete(&doc) {
            l.extend_blocks(&doc, &theme, step);
            shift += l.take_shift();
        }
        // Rows drawn alike may share their stored text, so rows are compared by what
        // they show and where they sit, not by where their text is kept.
        prop_assert_eq!(whole.rows.len(), l.rows.len());
        for (a, b) in whole.rows.iter().zip(&l.rows) {
            prop_assert_eq!(whole.text_of(a), l.text_of(b));
            prop_assert_eq!(
                (
                    a.block(),
                    whole.links(a),
                    whole.frame(a),
                    whole.code_line(a),
                    whole.task(a),
                    a.indent()
                ),
                (
                    b.block(),
                    l.links(b),
                    l.frame(b),
                    l.code_line(b),
                    l.task(b),
                    b.indent()
                )
            );
        }
        prop_assert_eq!(&whole.block_rows, &l.block_rows);
        for (a, b) in whole.rows.iter().zip(&l.rows) {
            prop_assert_eq!(whole.spans(a), l.spans(b));
        }
        // A negative shift: a gap row above the first block went, there being no rows
        // above it after all.
        let moved = l.rows.iter().skip(shift.max(0) as usize).map(|r| l.text_of(r));
        for (before, after) in early.iter().skip((-shift).max(0) as usize).zip(moved) {
            prop_assert_eq!(before.as_str(), after);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The reader scrolled a screen at a time shows exactly what one screen tall enough
    /// for the whole document shows.
    #[test]
    fn screens_scrolled_one_by_one_stitch_into_the_whole_document(
        md in document(),
        width in 1u16..=140,
        height in 4u16..30,
    ) {
        let new_app = || {
            let guide = guide_from_bytes("p.md", md.as_bytes());
            let set = GuideSet {
                origin: Origin::File("p.md".into()),
                guides: vec![guide],
                skipped: Vec::new(),
                summary: None,
                root: None,
            };
            App::new(set, Theme::for_mode(ColorMode::None), Keymap::default())
        };
        let mut app = new_app();
        app.update(devguide::app::Msg::Resize(Rect::new(0, 0, width, height)));
        app.settle();
        let total = app.reader.layout.rows.len();

        // All at once: a terminal taller than the document.
        let tall = u16::try_from(total + 4).unwrap_or(u16::MAX);
        let mut all = new_app();
        all.update(devguide::app::Msg::Resize(Rect::new(0, 0, width, tall)));
        let expected = screen_rows(&all, width, tall);
        prop_assert_eq!(expected.len(), total);

        let mut stitched = Vec::new();
        let mut top = 0;
        while stitched.len() < total {
            app.reader.top = top;
            app.update(devguide::app::Msg::Resize(Rect::new(0, 0, width, height)));
            if app.reader.top != top {
                // Clamped at the end: the last screen overlaps the previous one.
                let overlap = top - app.reader.top;
                stitched.truncate(stitched.len() - overlap.min(stitched.len()));
            }
            let rows = screen_rows(&app, width, height);
            if rows.is_empty() {
                break;
            }
            top = app.reader.top + rows.len();
            stitched.extend(rows);
        }
        prop_assert_eq!(expected, stitched);
    }
}

/// The reader's rows as drawn on a fresh terminal (TestBackend keeps cells a wide
/// character hid on an earlier frame, which a real terminal would overwrite).
fn screen_rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| devguide::ui::draw(f, app))
        .expect("draws");
    let buf = terminal.backend().buffer();
    let area = app.areas.text;
    app.visible_rows()
        .enumerate()
        .map(|(i, _)| {
            let y = area.y + i as u16;
            let line: String = (area.x..area.right())
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            line.trim_end().to_string()
        })
        .collect()
}
