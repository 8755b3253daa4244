//! Whole-screen snapshots of the reader on the bundled set, drawn into a TestBackend.

use std::sync::Arc;

use devguide::app::{Action, App};
use devguide::content::GuideSet;
use devguide::highlight::{Done, Highlighter};
use devguide::keymap::Keymap;
use devguide::theme::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

fn app(mode: ColorMode) -> App {
    App::new(
        GuideSet::bundled(),
        Theme::for_mode(mode),
        Keymap::default(),
    )
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, width, height)));
    // The run loop finishes layout in idle time; do the same so the screen is settled.
    app.settle();
    terminal
        .draw(|f| devguide::ui::draw(f, app))
        .expect("draws");
    terminal
}

#[test]
fn reader_80x24() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn reader_120x40() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 120, 40).backend());
}

#[test]
fn reader_40x12() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 40, 12).backend());
}

#[test]
fn reader_1x1() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 1, 1).backend());
}

#[test]
fn quick_reference_after_next_guide_80x24() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 80, 24)));
    a.update(Action::NextGuide);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut a = app(ColorMode::None);
    a.update(Action::Help);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn sidebar_focus_on_narrow_terminal_40x12() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 40, 12)));
    a.update(Action::FocusNext);
    insta::assert_snapshot!(draw(&mut a, 40, 12).backend());
}

#[test]
fn every_size_draws_without_panic() {
    let mut a = app(ColorMode::TrueColor);
    for w in [0u16, 1, 2, 3, 5, 10, 24, 59, 60, 61, 200] {
        for h in [0u16, 1, 2, 3, 7, 50] {
            draw(&mut a, w, h);
            a.update(Action::Bottom);
            draw(&mut a, w, h);
            a.update(Action::Help);
            draw(&mut a, w, h);
            a.update(Action::Cancel);
            a.update(Action::Top);
        }
    }
}

#[test]
fn colourless_theme_marks_selection_with_reverse_video() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
    a.update(Action::NextLink);
    let t = draw(&mut a, 100, 30);
    let buf = t.backend().buffer();
    let reversed = buf
        .content()
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(
        reversed >= "quick reference".len(),
        "selected link must be reverse video"
    );
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "no colour at all"
    );
}

#[test]
fn code_is_drawn_plain_then_highlighted_when_ready() {
    let mut a = app(ColorMode::TrueColor);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 40)));
    a.update(Action::NextCode);
    let wanted = a.wanted_highlights();
    assert!(
        wanted.contains(&0),
        "the visible block is asked for: {wanted:?}"
    );
    let row_of = |t: &Terminal<TestBackend>| {
        let buf = t.backend().buffer();
        (0..40u16).find(|&y| {
            (0..100u16)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("from netra_backend")
        })
    };
    let before = draw(&mut a, 100, 40);
    let y = row_of(&before).expect("code on screen");
    let colours = |t: &Terminal<TestBackend>| {
        let buf = t.backend().buffer();
        (0..100u16)
            .map(|x| buf[(x, y)].fg)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let plain = colours(&before);
    let code = &a.reader.doc.code_blocks[0];
    let theme = a.theme.clone();
    let hl = Highlighter::load()
        .highlight("python", &code.display, &theme)
        .map(Arc::new);
    a.highlights.insert(Done {
        key: (0, 0),
        result: hl,
    });
    let after = draw(&mut a, 100, 40);
    assert!(
        colours(&after) > plain,
        "highlighting adds colours: {} vs {plain}",
        colours(&after)
    );
}

#[test]
fn checklist_guide_with_gauge_and_selection_100x30() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
    a.update(Action::NextGuide);
    a.update(Action::NextGuide);
    a.update(Action::NextTask);
    insta::assert_snapshot!(draw(&mut a, 100, 30).backend());
}

#[test]
fn migrations_panel_80x24() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 80, 24)));
    a.update(Action::Migrations);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}
