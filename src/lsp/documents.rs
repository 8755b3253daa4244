//! The open documents, as the client last sent them. LSP positions count UTF-16 code
//! units (the default `positionEncoding`); the text is kept as a Rust string, so every
//! position is converted at the edge, here and nowhere else.

use std::collections::HashMap;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
    pub language: String,
}

impl Document {
    /// Whether the scan rules apply: Python by language id or by file name.
    pub fn is_python(&self, uri: &Uri) -> bool {
        self.language == "python" || uri.as_str().ends_with(".py") || uri.as_str().ends_with(".pyi")
    }
}

#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32, language: String) {
        self.open.insert(
            uri,
            Document {
                text,
                version,
                language,
            },
        );
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn uris(&self) -> impl Iterator<Item = &Uri> {
        self.open.keys()
    }

    /// Applies the client's changes in order. A change for a document that is not open, or
    /// a range outside the text, is an error the caller reports; the text is left as it was
    /// before the bad change (earlier changes of the same notification stay applied, as the
    /// client sent them in order).
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<(), String> {
        let doc = self
            .open
            .get_mut(uri)
            .ok_or_else(|| format!("change to a document that is not open: {}", uri.as_str()))?;
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let start = offset(&doc.text, range.start)
                        .ok_or_else(|| format!("change starts outside the text: {range:?}"))?;
                    let end = offset(&doc.text, range.end)
                        .ok_or_else(|| format!("change ends outside the text: {range:?}"))?;
                    if end < start {
                        return Err(format!("change range is reversed: {range:?}"));
                    }
                    doc.text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = version;
        Ok(())
    }
}

/// Byte offset of an LSP position. A character past the end of its line means the end of
/// the line (the spec says so); a line past the end means the end of the text only when it
/// is the line just after the last one. A position inside a surrogate pair is rounded down
/// to the character's start.
pub fn offset(text: &str, pos: Position) -> Option<usize> {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return None,
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        let next = units + c.len_utf16() as u32;
        if next > pos.character {
            return Some(line_start + i);
        }
        units = next;
    }
    Some(line_end)
}

/// UTF-16 column of byte `col` in `line` (clamped to the line).
pub fn utf16_col(line: &str, col: usize) -> u32 {
    let col = col.min(line.len());
    line.char_indices()
        .take_while(|(i, _)| *i < col)
        .map(|(_, c)| c.len_utf16() as u32)
        .sum()
}

/// The LSP position of byte `at` of `text` (clamped to the text).
pub fn position(text: &str, at: usize) -> Position {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    Position::new(line as u32, utf16_col(&text[line_start..], at - line_start))
}

/// The LSP range of bytes `r` of `text`.
pub fn range(text: &str, r: std::ops::Range<usize>) -> Range {
    Range {
        start: position(text, r.start),
        end: position(text, r.end),
    }
}

/// The line a position is on and the byte column in it.
pub fn line_at(text: &str, pos: Position) -> Option<(&str, usize)> {
    let line = text.split('\n').nth(pos.line as usize)?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let start = offset(line, Position::new(0, pos.character))?;
    Some((line, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> Uri {
        "file:///t/a.py".parse().expect("uri")
    }

    fn edit(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn positions_count_utf16_units_not_bytes_or_chars() {
        // "é" is 2 bytes / 1 unit; "😀" is 4 bytes / 2 units.
        let text = "aé😀b\nx";
        assert_eq!(offset(text, Position::new(0, 0)), Some(0));
        assert_eq!(offset(text, Position::new(0, 2)), Some(3));
        assert_eq!(offset(text, Position::new(0, 4)), Some(7));
        assert_eq!(offset(text, Position::new(0, 3)), Some(3), "inside a pair");
        assert_eq!(
            offset(text, Position::new(0, 99)),
            Some(8),
            "clamped to line end"
        );
        assert_eq!(offset(text, Position::new(1, 1)), Some(10));
        assert_eq!(offset(text, Position::new(2, 0)), None);
        assert_eq!(utf16_col("aé😀b", 7), 4);
        assert_eq!(position(text, 7), Position::new(0, 4));
        assert_eq!(position(text, 10), Position::new(1, 1));
        assert_eq!(position(text, 99), Position::new(1, 1), "clamped");
    }

    #[test]
    fn incremental_changes_apply_in_order_and_bad_ranges_are_refused() {
        let mut docs = Documents::default();
        docs.open(uri(), "héllo\nwörld\n".into(), 1, "python".into());
        docs.change(
            &uri(),
            2,
            vec![edit(0, 1, 0, 2, "e"), edit(1, 0, 1, 5, "😀 there")],
        )
        .expect("applies");
        let d = docs.get(&uri()).expect("open");
        assert_eq!(d.text, "hello\n😀 there\n");
        assert_eq!(d.version, 2);
        docs.change(&uri(), 3, vec![edit(1, 2, 1, 3, "")])
            .expect("applies");
        assert_eq!(docs.get(&uri()).expect("open").text, "hello\n😀there\n");
        assert!(docs.change(&uri(), 4, vec![edit(9, 0, 9, 1, "x")]).is_err());
        let other: Uri = "file:///t/b.py".parse().expect("uri");
        assert!(docs.change(&other, 1, vec![]).is_err());
    }

    #[test]
    fn full_change_replaces_the_text() {
        let mut docs = Documents::default();
        docs.open(uri(), "a".into(), 1, "python".into());
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "b\n".into(),
        };
        docs.change(&uri(), 2, vec![full]).expect("applies");
        assert_eq!(docs.get(&uri()).expect("open").text, "b\n");
    }
}
