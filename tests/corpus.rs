//! Robustness over the CommonMark corpus in `../shared/corpus/`: every example, and the
//! spec itself, lays out at every width without a panic, wider rows, or control characters.
//!
//! The corpus is not copied into the project. Without it this test says it skipped; with
//! `DEVGUIDE_REQUIRE_CORPUS=1` (set by `.ci/run`) a missing corpus is a failure.

use std::path::PathBuf;

use devguide::doc::parse;
use devguide::layout::Layout;
use devguide::layout::wrap::str_width;
use devguide::theme::{ColorMode, Theme};

const WIDTHS: [u16; 5] = [1, 2, 20, 80, 300];

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("commonmark-0.31.2-examples.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("DEVGUIDE_REQUIRE_CORPUS").is_none(),
        "DEVGUIDE_REQUIRE_CORPUS is set but {} is missing",
        dir.display()
    );
    eprintln!(
        "skipped: no corpus at {} (set DEVGUIDE_REQUIRE_CORPUS=1 to make this a failure)",
        dir.display()
    );
    None
}

fn check(markdown: &str, label: &str) -> usize {
    let doc = parse(markdown);
    let mut rows = 0;
    for mode in [ColorMode::None, ColorMode::TrueColor] {
        let theme = Theme::for_mode(mode);
        for width in WIDTHS {
            let mut layout = Layout::new(width);
            layout.finish(&doc, &theme);
            for row in &layout.rows {
                let text = layout.text_of(row);
                assert!(
                    str_width(text) <= usize::from(width),
                    "{label} at width {width}: row too wide: {text:?}"
                );
                assert!(
                    !text.chars().any(char::is_control),
                    "{label} at width {width}: control character in {text:?}"
                );
            }
            rows += layout.rows.len();
        }
    }
    rows
}

#[test]
fn every_commonmark_example_renders_at_every_width() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(dir.join("commonmark-0.31.2-examples.json"))
        .expect("readable corpus");
    let examples: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid corpus json");
    assert!(
        examples.len() > 600,
        "expected the full example set, got {}",
        examples.len()
    );
    for ex in &examples {
        let md = ex["markdown"].as_str().expect("markdown field");
        let label = format!("example {}", ex["example"]);
        check(md, &label);
    }
}

#[test]
fn the_spec_document_renders_at_every_width() {
    let Some(dir) = corpus() else { return };
    let spec =
        std::fs::read_to_string(dir.join("commonmark-spec-0.31.2.txt")).expect("readable spec");
    let rows = check(&spec, "spec");
    assert!(rows > 10_000, "a real document produces many rows: {rows}");
}

#[test]
fn mojibake_repair_changes_no_commonmark_example_and_no_bundled_guide() {
    use devguide::mojibake::repair;
    let guides = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut checked = 0;
    for entry in std::fs::read_dir(&guides).expect("content/").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("utf-8 guide");
        let (out, report) = repair(&text);
        assert!(report.is_empty(), "{:?}: {:?}", entry.path(), report);
        assert_eq!(out, text);
        checked += 1;
    }
    assert!(checked >= 3);
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(dir.join("commonmark-0.31.2-examples.json"))
        .expect("readable corpus");
    let examples: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid corpus json");
    for ex in &examples {
        let md = ex["markdown"].as_str().expect("markdown field");
        let (out, report) = repair(md);
        assert!(report.is_empty(), "example {}: {report:?}", ex["example"]);
        assert_eq!(out, md);
    }
    let spec =
        std::fs::read_to_string(dir.join("commonmark-spec-0.31.2.txt")).expect("readable spec");
    assert!(repair(&spec).1.is_empty(), "the spec document is unchanged");
}
