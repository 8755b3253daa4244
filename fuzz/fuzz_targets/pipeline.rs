//! The whole pipeline on arbitrary bytes: file bytes → guide (decoding, mojibake repair,
//! front matter) → document → layout at a width taken from the input → the reader drawn
//! into a buffer, at the top and scrolled to the end. Asserts that nothing panics and no
//! control character reaches a cell or a laid-out row.

#![no_main]

use devguide::app::{Action, App};
use devguide::content::{GuideSet, Origin, guide_from_bytes};
use devguide::keymap::Keymap;
use devguide::layout::Layout;
use devguide::layout::wrap::str_width;
use devguide::theme::{ColorMode, Theme};
use libfuzzer_sys::fuzz_target;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

fuzz_target!(|data: &[u8]| {
    let width = u16::from(data.first().copied().unwrap_or(80)) % 160 + 1;
    let height = u16::from(data.get(1).copied().unwrap_or(24)) % 50 + 1;
    let guide = guide_from_bytes("fuzz.md", data);
    let doc = devguide::doc::parse(&guide.body);

    // The `show` path: every row fits the width and holds no control character.
    let theme = Theme::for_mode(ColorMode::TrueColor);
    let mut layout = Layout::new(width);
    layout.finish(&doc, &theme);
    for row in &layout.rows {
        let text = layout.text_of(row);
        assert!(str_width(text) <= usize::from(width), "row too wide: {text:?}");
        assert!(!text.chars().any(char::is_control), "control in row: {text:?}");
    }

    // The reader: drawn into a buffer as the terminal would get it.
    let set = GuideSet {
        origin: Origin::File("fuzz.md".into()),
        guides: vec![guide],
        skipped: Vec::new(),
        summary: None,
        root: None,
    };
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    app.resize(Rect::new(0, 0, width, height));
    for action in [None, Some(Action::Bottom), Some(Action::NextCode), Some(Action::NextLink)] {
        if let Some(a) = action {
            app.update(a);
        }
        if terminal.draw(|f| devguide::ui::draw(f, &app)).is_err() {
            return;
        }
        for cell in terminal.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "control character in a cell: {:?}",
                cell.symbol()
            );
        }
    }
});
