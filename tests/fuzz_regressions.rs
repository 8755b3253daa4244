//! Inputs the fuzz target (`fuzz/`) once crashed on, kept in `tests/fixtures/fuzz/` and
//! run through the same checks at every width the target can pick.

use devguide::content::guide_from_bytes;
use devguide::doc::parse;
use devguide::layout::Layout;
use devguide::layout::wrap::str_width;
use devguide::theme::{ColorMode, Theme};

#[test]
fn every_fuzz_crash_renders_at_every_width() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
        let bytes = std::fs::read(entry.path()).expect("readable");
        let guide = guide_from_bytes("crash.md", &bytes);
        let doc = parse(&guide.body);
        let theme = Theme::for_mode(ColorMode::TrueColor);
        for width in 1..=160u16 {
            let mut layout = Layout::new(width);
            layout.finish(&doc, &theme);
            for row in &layout.rows {
                let text = layout.text_of(row);
                assert!(
                    str_width(text) <= usize::from(width),
                    "{:?} at {width}: {text:?}",
                    entry.path()
                );
                assert!(!text.chars().any(char::is_control), "{text:?}");
            }
        }
        seen += 1;
    }
    assert!(seen > 0, "no fuzz regressions found in {}", dir.display());
}
