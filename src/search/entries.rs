//! What the finder searches: one entry per guide title, heading, code line, body
//! sentence and table row.
//!
//! Body text is split per *sentence* of a paragraph (or list item, quote line), not per
//! source line: the parser joins soft-wrapped lines, and a sentence is what a reader
//! recognises in a result list. A sentence's line is the line where its paragraph
//! starts, which is where the reader scrolls to. Code is indexed line by line, with its
//! exact line, since code lines are what people search for.

use crate::content::Guide;
use crate::doc::{Doc, Leaf};
use crate::sanitize::sanitize_line;

use super::HitKind;

/// One searchable line before it is packed into the index.
pub(super) struct RawEntry {
    pub kind: HitKind,
    pub text: String,
    pub block: usize,
    pub code_line: Option<u32>,
    /// 1-based line of the guide's file.
    pub line: u32,
    /// Index into the doc's headings of the nearest heading at or above the entry.
    pub heading: Option<usize>,
}

/// Every entry of one guide, in reading order.
pub(super) fn guide_entries(guide: &Guide, doc: &Doc, out: &mut Vec<RawEntry>) {
    let file_line = |body_line: u32| (guide.body_line as u32).saturating_add(body_line.max(1) - 1);
    let title = sanitize_line(&guide.title);
    // A title that is also the first heading is listed once, as the title.
    let title_heading = doc
        .headings
        .iter()
        .position(|h| h.level == 1 && h.text.trim() == title.trim());
    let title_block = title_heading.map_or(0, |h| doc.headings[h].block);
    let title_line = doc.blocks.get(title_block).map_or(1, |b| b.line);
    if !title.trim().is_empty() {
        out.push(RawEntry {
            kind: HitKind::Title,
            text: title.trim().to_string(),
            block: title_block,
            code_line: None,
            line: file_line(title_line),
            heading: title_heading,
        });
    }
    let mut heading: Option<usize> = None;
    let mut next_heading = 0;
    for (b, block) in doc.blocks.iter().enumerate() {
        while next_heading < doc.headings.len() && doc.headings[next_heading].block <= b {
            heading = Some(next_heading);
            next_heading += 1;
        }
        let mut push = |kind, text: &str, code_line: Option<u32>, line: u32| {
            let text = sanitize_line(text);
            let text = text.trim();
            if !text.is_empty() {
                out.push(RawEntry {
                    kind,
                    text: text.to_string(),
                    block: b,
                    code_line,
                    line: file_line(line),
                    heading,
                });
            }
        };
        match &block.leaf {
            Leaf::Heading { index, .. } => {
                if title_heading != Some(*index as usize)
                    && let Some(h) = doc.headings.get(*index as usize)
                {
                    push(HitKind::Heading, &h.text, None, block.line);
                }
            }
            Leaf::Paragraph(inlines) => {
                let text = doc.joined(inlines);
                for sentence in sentences(&text) {
                    push(HitKind::Body, sentence, None, block.line);
                }
            }
            Leaf::Code(i) => {
                if let Some(code) = doc.code_blocks.get(*i as usize) {
                    for (k, l) in code.display.lines().enumerate() {
                        let k = k as u32;
                        push(HitKind::Code, l, Some(k), block.line + 1 + k);
                    }
                }
            }
            Leaf::Table(table) => {
                for row in &table.rows {
                    let cells: Vec<String> = row.iter().map(|c| doc.joined(c)).collect();
                    push(HitKind::Body, &cells.join(" | "), None, block.line);
                }
            }
            Leaf::Html(_) | Leaf::Rule => {}
        }
    }
}

/// Splits a paragraph into sentences: after `.`, `!` or `?` followed by a space, and at
/// hard line breaks. Good enough for prose; a stray split in `e.g. this` costs nothing.
pub(super) fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            cuts.push((i, i + 1));
        } else if matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1) == Some(&b' ') {
            cuts.push((i + 1, i + 2));
        }
    }
    let mut start = 0;
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    for (end, next) in cuts {
        pieces.push(&text[start..end]);
        start = next;
    }
    pieces.push(&text[start..]);
    pieces.into_iter().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_stops_and_breaks() {
        let got: Vec<&str> = sentences("One. Two! Three?\nFour e.g.x").collect();
        assert_eq!(got, ["One.", "Two!", "Three?", "Four e.g.x"]);
    }
}
