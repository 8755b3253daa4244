//! `/` search over the compact index (folded text only, rows read back from the layout)
//! finds exactly what a plain model finds: every logical line joined back from its rows
//! as shown, searched as a whole, each hit turned into cells by measuring the row's text.
//! Run over a document of wide, accented and case-changing letters at several widths, and
//! over the CommonMark spec when the shared corpus is there.

use std::path::PathBuf;

use devguide::app::find::{Part, find_matches};
use devguide::doc::parse;
use devguide::layout::text_index::fold_char;
use devguide::layout::wrap::{fit_prefix, str_width};
use devguide::layout::{Layout, Row};
use devguide::theme::{ColorMode, Theme};

/// One row's part of a logical line in the model: (row, start byte in the line, own text,
/// indent).
type Seg = (usize, usize, String, u16);

/// The logical lines as shown: code frame borders left out, wrapped rows joined with a
/// space, pieces of a wrapped code line joined with nothing.
fn model_lines(l: &Layout) -> Vec<(String, Vec<Seg>)> {
    let key = |r: &Row| (r.block(), r.code_line_number());
    let mut lines: Vec<(String, Vec<Seg>)> = Vec::new();
    let mut prev = None;
    for (i, row) in l.rows.iter().enumerate() {
        if row.is_frame_border() {
            prev = None;
            continue;
        }
        let text = l.text_of(row);
        let (skip, _) = fit_prefix(text, usize::from(row.indent()));
        let own = text[skip.len()..].to_string();
        if prev == Some(key(row)) {
            let (line, segs) = lines.last_mut().expect("a line");
            if row.code_line_number().is_none() {
                line.push(' ');
            }
            segs.push((i, line.len(), own.clone(), row.indent()));
            line.push_str(&own);
        } else {
            lines.push((own.clone(), vec![(i, 0, own, row.indent())]));
        }
        prev = Some(key(row));
    }
    lines
}

/// Every match of `query` as the model finds it: smart case, left to right, none
/// overlapping the one before, within one logical line.
fn model_matches(l: &Layout, query: &str) -> Vec<Vec<Part>> {
    let sensitive = query.chars().any(char::is_uppercase);
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .map(|c| if sensitive { c } else { fold_char(c) })
            .collect()
    };
    let needle = fold(query);
    let mut out = Vec::new();
    for (line, segs) in model_lines(l) {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let hay: Vec<char> = fold(&line);
        let byte = |k: usize| chars.get(k).map_or(line.len(), |&(b, _)| b);
        let mut k = 0;
        while !needle.is_empty() && k + needle.len() <= hay.len() {
            if hay[k..k + needle.len()] != needle[..] {
                k += 1;
                continue;
            }
            let (a, b) = (byte(k), byte(k + needle.len()));
            let mut parts = Vec::new();
            for (row, start, own, indent) in &segs {
                let end = start + own.len();
                let (s, e) = (a.max(*start), b.min(end));
                if s >= e {
                    continue;
                }
                let col = |x: usize| indent + str_width(&own[..x - start]) as u16;
                parts.push(Part {
                    row: *row,
                    start: col(s),
                    end: col(e),
                });
            }
            out.push(parts);
            k += needle.len();
        }
    }
    out
}

fn check(markdown: &str, widths: &[u16], queries: &[&str]) -> usize {
    let doc = parse(markdown);
    let theme = Theme::for_mode(ColorMode::None);
    let mut checked = 0;
    for &width in widths {
        let mut l = Layout::new(width);
        l.finish(&doc, &theme);
        for q in queries {
            let got: Vec<Vec<Part>> = find_matches(&l, q).into_iter().map(|m| m.parts).collect();
            let want = model_matches(&l, q);
            assert_eq!(got, want, "query {q:?} at width {width}");
            checked += got.len();
        }
    }
    checked
}

const MIXED: &str = "# Ünïcode ÜNÏCODE

İstanbul İSTANBUL istanbul: the dotted capital folds to a shorter letter, so the
folded line and the shown one differ in bytes after it. ΣΊΣΥΦΟΣ σίσυφος Straße STRASSE.

> A quoted paragraph long enough to wrap over several rows, with Ünïcode words in it and
> a 🎯 target and 漢字 wide letters between the words İİ ünïcode.

- [ ] a task item whose text wraps: Ünïcode ünïcode ÜNÏCODE, with a [link](#x) in it
- plain item

```rust
let ünïcode = \"İstanbul\"; // a comment long enough to wrap at narrow widths: ÜNÏCODE
```

| cell | Ünïcode |
|------|---------|
| İİİ  | istanbul wide 漢字 |
";

const QUERIES: &[&str] = &[
    "ünïcode",
    "Ünïcode",
    "ÜNÏCODE",
    "istanbul",
    "İstanbul",
    "σ",
    "Σ",
    "wrap over",
    "e, w",
    "漢字",
    "🎯 target",
    "is",
    "a",
    "İ",
    "straße",
    "nïc",
];

#[test]
fn compact_index_finds_what_the_model_finds_in_mixed_scripts() {
    let n = check(MIXED, &[10, 24, 40, 80, 200], QUERIES);
    assert!(n > 100, "{n} matches checked");
}

#[test]
fn a_match_across_a_wrap_covers_cells_on_both_rows() {
    let md = "alpha beta gamma delta epsilon zeta eta theta iota kappa Lambda mu\n";
    let doc = parse(md);
    let mut l = Layout::new(20);
    l.finish(&doc, &Theme::for_mode(ColorMode::None));
    for q in ["kappa lambda", "kappa Lambda", "zeta eta theta"] {
        let m = find_matches(&l, q);
        assert_eq!(m.len(), 1, "{q}");
        assert!(m[0].parts.len() >= 2, "{q}: {:?}", m[0]);
        let rows: Vec<usize> = m[0].parts.iter().map(|p| p.row).collect();
        assert!(rows.windows(2).all(|w| w[1] == w[0] + 1), "{rows:?}");
    }
    // Case-sensitive: the wrong case finds nothing.
    assert!(find_matches(&l, "kappa LAMBDA").is_empty());
}

#[test]
fn compact_index_finds_what_the_model_finds_in_the_spec() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/commonmark-spec-0.31.2.txt");
    let Ok(spec) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var_os("DEVGUIDE_REQUIRE_CORPUS").is_none(),
            "DEVGUIDE_REQUIRE_CORPUS is set but {} is missing",
            path.display()
        );
        eprintln!("skipped: no corpus at {}", path.display());
        return;
    };
    let n = check(
        &spec,
        &[33, 120],
        &["matching", "Link", "U+00", "→", "emphasis", "<a href"],
    );
    assert!(n > 500, "{n} matches checked");
}
