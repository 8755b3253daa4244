//! `show` lays out and prints a large guide in pieces on several threads: the bytes must
//! be exactly those of printing it in one go, at every width, with and without colour.
//!
//! Uses the CommonMark corpus in `../shared/corpus/`; without it the tests say they
//! skipped (with `DEVGUIDE_REQUIRE_CORPUS=1` a missing corpus is a failure).

use std::path::PathBuf;

use devguide::appearance::Variant;
use devguide::commands::show::{Options, Split, print_blocks};
use devguide::doc::{Doc, parse};
use devguide::theme::ColorMode;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("commonmark-spec-0.31.2.txt").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("DEVGUIDE_REQUIRE_CORPUS").is_none(),
        "DEVGUIDE_REQUIRE_CORPUS is set but {} is missing",
        dir.display()
    );
    eprintln!("skipped: no corpus at {}", dir.display());
    None
}

fn options(width: u16, color: bool, whole_code: bool) -> Options {
    Options {
        width,
        color,
        quiet: true,
        whole_code,
        variant: Variant::Dark,
        syntax_theme: devguide::highlight::DEFAULT_SYNTAX_THEME.to_string(),
        leave_allocated: false,
    }
}

fn print(doc: &Doc, blocks: std::ops::Range<usize>, opts: &Options, split: Split) -> Vec<u8> {
    let mode = if opts.color {
        ColorMode::TrueColor
    } else {
        ColorMode::None
    };
    let theme = opts.variant.theme(mode);
    let mut out = Vec::new();
    print_blocks(doc, blocks, &theme, opts, split, &mut out).expect("printing to memory");
    out
}

/// Many small pieces, on threads and on the calling thread, and the split `show` uses.
const SPLITS: [Split; 3] = [
    Split {
        threads: 3,
        min_blocks: 8,
    },
    Split {
        threads: 1,
        min_blocks: 8,
    },
    Split {
        threads: 2,
        min_blocks: 512,
    },
];

#[test]
fn the_spec_prints_the_same_bytes_in_pieces_as_whole() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(dir.join("commonmark-spec-0.31.2.txt")).expect("spec");
    let doc = parse(&text);
    assert!(
        doc.blocks.len() > 2 * 512,
        "the spec is cut into several pieces"
    );
    for width in [1, 20, 80, 120, 300] {
        for (color, whole_code) in [(false, true), (true, false)] {
            let opts = options(width, color, whole_code);
            let whole = print(&doc, 0..doc.blocks.len(), &opts, Split::SEQUENTIAL);
            assert!(
                whole.len() > text.len() / 2,
                "the spec printed at width {width}"
            );
            for split in SPLITS {
                let pieces = print(&doc, 0..doc.blocks.len(), &opts, split);
                assert!(
                    pieces == whole,
                    "width {width}, colour {color}, {split:?}: output differs from one piece"
                );
            }
        }
    }
}

#[test]
fn a_section_prints_the_same_bytes_in_pieces_as_whole() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(dir.join("commonmark-spec-0.31.2.txt")).expect("spec");
    let doc = parse(&text);
    let h = doc
        .heading_by_anchor("links")
        .expect("the spec has a Links section");
    let blocks = doc.section_blocks(h);
    let opts = options(80, false, true);
    let whole = print(&doc, blocks.clone(), &opts, Split::SEQUENTIAL);
    assert!(!whole.is_empty());
    for split in SPLITS {
        assert!(print(&doc, blocks.clone(), &opts, split) == whole);
    }
}

/// Every example repeated, so that pieces hold only it: blocks that lay out to no rows
/// at all at the start of a guide must not leave a blank line where the whole has none.
#[test]
fn every_example_repeated_prints_the_same_bytes_in_pieces_as_whole() {
    let Some(dir) = corpus() else { return };
    let json = std::fs::read_to_string(dir.join("commonmark-0.31.2-examples.json"))
        .expect("readable corpus");
    let examples: Vec<serde_json::Value> = serde_json::from_str(&json).expect("valid json");
    let split = Split {
        threads: 2,
        min_blocks: 1,
    };
    for (i, example) in examples.iter().enumerate() {
        let Some(markdown) = example["markdown"].as_str() else {
            continue;
        };
        let text = format!("{}\n\nend\n", format!("{markdown}\n\n").repeat(24));
        let doc = parse(&text);
        for width in [5, 80] {
            let opts = options(width, false, true);
            let whole = print(&doc, 0..doc.blocks.len(), &opts, Split::SEQUENTIAL);
            assert!(
                print(&doc, 0..doc.blocks.len(), &opts, split) == whole,
                "example {i} at width {width}: output differs from one piece"
            );
        }
    }
}

/// Blocks that lay out to no rows (a table without cells) fill the first pieces: the gap
/// above the first block with rows is not drawn when printed whole, nor in pieces.
#[test]
fn pieces_after_blocks_without_rows_add_no_gap() {
    let text = format!("{}first\n\nsecond\n", "| a |\n|---|\n\n".repeat(40));
    let mut doc = parse(&text);
    for block in &mut doc.blocks {
        if let devguide::doc::Leaf::Table(t) = &mut block.leaf {
            t.rows.clear();
        }
    }
    let opts = options(80, false, true);
    let whole = print(&doc, 0..doc.blocks.len(), &opts, Split::SEQUENTIAL);
    assert_eq!(String::from_utf8_lossy(&whole), "first\n\nsecond\n");
    for split in SPLITS {
        assert!(
            print(&doc, 0..doc.blocks.len(), &opts, split) == whole,
            "{split:?}"
        );
    }
}
