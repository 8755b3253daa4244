//! `/` search within the open guide: matches in the rendered rows, smart case (a query
//! with an upper-case letter is case-sensitive), counted and stepped with `n`/`N`.

use crossterm::event::KeyEvent;

use super::text_input::{InputResult, TextInput};
use super::{Action, App, Effect};
use crate::layout::Row;
use crate::layout::wrap::{fit_prefix, str_width};

/// One match: the cells it covers, one part per row (a match can cross a wrap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub row: usize,
    /// Columns from the row's start.
    pub start: u16,
    pub end: u16,
}

impl Match {
    /// The row where the match starts.
    pub fn row(&self) -> usize {
        self.parts.first().map_or(0, |p| p.row)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Find {
    pub input: TextInput,
    /// Still typing the query (keys go to the input, matches update as you type).
    pub editing: bool,
    pub matches: Vec<Match>,
    pub current: Option<usize>,
}

impl Find {
    pub fn query(&self) -> &str {
        &self.input.value
    }

    /// `3/12`, or `0/0` when nothing matches.
    pub fn count(&self) -> String {
        match self.current {
            Some(c) => format!("{}/{}", c + 1, self.matches.len()),
            None => format!("0/{}", self.matches.len()),
        }
    }

    /// Recomputes matches over `rows` and makes current the first at or after `from_row`.
    pub fn refresh(&mut self, rows: &[Row], from_row: usize) {
        self.matches = find_matches(rows, &self.input.value);
        self.current = self
            .matches
            .iter()
            .position(|m| m.row() >= from_row)
            .or_else(|| (!self.matches.is_empty()).then_some(0));
    }

    /// Moves to the next (or previous) match, wrapping around the guide.
    pub fn step(&mut self, forward: bool) -> Option<&Match> {
        let n = self.matches.len();
        if n == 0 {
            return None;
        }
        let c = match (self.current, forward) {
            (Some(c), true) => (c + 1) % n,
            (Some(c), false) => (c + n - 1) % n,
            (None, _) => 0,
        };
        self.current = Some(c);
        self.matches.get(c)
    }

    pub fn current_match(&self) -> Option<&Match> {
        self.current.and_then(|c| self.matches.get(c))
    }
}

/// Every occurrence of `query` in the guide as shown. Rows are joined back into logical
/// lines first (a wrapped paragraph, or one source line of code), so a match split by
/// wrapping is still found. Case-insensitive unless the query has an upper-case letter;
/// letters are folded one to one so offsets stay aligned.
pub fn find_matches(rows: &[Row], query: &str) -> Vec<Match> {
    if query.is_empty() {
        return Vec::new();
    }
    let sensitive = query.chars().any(char::is_uppercase);
    let fold = |s: &str| -> String {
        if sensitive {
            s.to_string()
        } else {
            s.chars()
                .map(|c| c.to_lowercase().next().unwrap_or(c))
                .collect()
        }
    };
    let needle = fold(query);
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let key = |r: &Row| (r.block, r.code_line.map(|c| c.line));
        let mut j = i + 1;
        while j < rows.len() && key(&rows[j]) == key(&rows[i]) {
            j += 1;
        }
        let line = LogicalLine::join(&rows[i..j], i);
        let hay = fold(&line.text);
        let mut from = 0;
        while let Some(pos) = hay[from..].find(&needle) {
            let start = from + pos;
            let end = start + needle.len();
            let (a, b) = (
                unfold(&line.text, &hay, start),
                unfold(&line.text, &hay, end),
            );
            out.push(line.match_at(a, b));
            from = end.max(start + 1);
            while !hay.is_char_boundary(from) {
                from += 1;
            }
        }
        i = j;
    }
    out
}

/// Consecutive rows of one paragraph or code line, with where each row's text sits.
struct LogicalLine {
    text: String,
    /// (byte offset in `text`, row index, column where the row's text starts, its text).
    segments: Vec<(usize, usize, u16, String)>,
}

impl LogicalLine {
    fn join(rows: &[Row], first: usize) -> LogicalLine {
        let code = rows.first().is_some_and(|r| r.code_line.is_some());
        let mut text = String::new();
        let mut segments = Vec::with_capacity(rows.len());
        for (k, row) in rows.iter().enumerate() {
            let full = row.text();
            let (skip, _) = fit_prefix(&full, usize::from(row.indent));
            let own = full[skip.len()..].to_string();
            // Wrapping dropped a space between words; code was split mid-line.
            if k > 0 && !code {
                text.push(' ');
            }
            segments.push((text.len(), first + k, row.indent, own.clone()));
            text.push_str(&own);
        }
        LogicalLine { text, segments }
    }

    /// The cells of bytes `a..b` of the joined text, row by row.
    fn match_at(&self, a: usize, b: usize) -> Match {
        let mut parts = Vec::new();
        for (offset, row, indent, own) in &self.segments {
            let (s, e) = (a.max(*offset), b.min(offset + own.len()));
            if s >= e && !(a == b && s == e) {
                continue;
            }
            let col = |byte: usize| {
                indent + u16::try_from(str_width(&own[..byte - offset])).unwrap_or(u16::MAX)
            };
            if own.is_char_boundary(s - offset) && own.is_char_boundary(e - offset) {
                parts.push(Part {
                    row: *row,
                    start: col(s),
                    end: col(e),
                });
            }
        }
        Match { parts }
    }
}

/// The byte in `text` matching byte `at` of its folded copy `hay` (same number of chars).
fn unfold(text: &str, hay: &str, at: usize) -> usize {
    let chars = hay[..at].chars().count();
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

// ----- the reader's use of search and copy -----------------------------------------------

impl App {
    pub(super) fn start_find(&mut self) {
        let doc = std::sync::Arc::clone(&self.reader.doc);
        self.reader.layout.finish(&doc, &self.theme);
        let input = self.reader.find.take().map(|f| f.input).unwrap_or_default();
        self.reader.find = Some(Find {
            input,
            editing: true,
            ..Find::default()
        });
        self.refresh_find();
    }

    /// A key while typing the query: matches follow every keystroke.
    pub(super) fn find_key(&mut self, key: &KeyEvent) -> Vec<Effect> {
        let Some(find) = self.reader.find.as_mut() else {
            return Vec::new();
        };
        match find.input.key(key) {
            InputResult::Editing => self.refresh_find(),
            InputResult::Submit => {
                find.editing = false;
                if find.input.value.is_empty() {
                    self.reader.find = None;
                }
            }
            InputResult::Cancel => {
                self.reader.find = None;
                self.reader.cursor = None;
            }
        }
        Vec::new()
    }

    /// Re-runs the search over the current rows and shows the first match from here on.
    pub(super) fn refresh_find(&mut self) {
        let from = self.reader.top;
        let Some(find) = self.reader.find.as_mut() else {
            return;
        };
        find.refresh(&self.reader.layout.rows, from);
        if let Some(row) = find.current_match().map(Match::row) {
            self.reader.cursor = Some(row);
            self.reveal(row);
        }
    }

    pub(super) fn step_find(&mut self, forward: bool) {
        let Some(row) = self
            .reader
            .find
            .as_mut()
            .and_then(|f| f.step(forward))
            .map(Match::row)
        else {
            return;
        };
        self.reader.cursor = Some(row);
        self.reveal(row);
    }

    /// `y`: the selected code block exactly as written; with a link selected instead, its
    /// URL.
    pub(super) fn copy_block(&mut self) -> Vec<Effect> {
        if self.reader.code.is_none()
            && let Some(url) = self
                .reader
                .link
                .and_then(|l| self.reader.doc.links.get(l.link as usize))
                .map(|l| l.url.clone())
        {
            return vec![Effect::Copy {
                text: url,
                what: "link".into(),
            }];
        }
        let Some(code) = self
            .reader
            .code
            .and_then(|c| self.reader.doc.code_blocks.get(c as usize))
        else {
            let key = self
                .keymap
                .label(Action::NextCode)
                .unwrap_or_else(|| "}".into());
            self.set_status(
                format!("no code block selected: press {key} to select one"),
                false,
            );
            return Vec::new();
        };
        let lines = code.raw.lines().count();
        let what = format!(
            "code block ({lines} line{})",
            if lines == 1 { "" } else { "s" }
        );
        vec![Effect::Copy {
            text: code.raw.clone(),
            what,
        }]
    }

    /// `Y`: the line a search or jump landed on; for code, the source line as written.
    pub(super) fn copy_line(&mut self) -> Vec<Effect> {
        let Some(row) = self
            .reader
            .cursor
            .and_then(|r| self.reader.layout.rows.get(r))
        else {
            let key = self
                .keymap
                .label(Action::Search)
                .unwrap_or_else(|| "/".into());
            self.set_status(
                format!("no line at the cursor: search with {key} first"),
                false,
            );
            return Vec::new();
        };
        let code_line = match (row.frame, row.code_line) {
            (Some(f), Some(cl)) => self
                .reader
                .doc
                .code_blocks
                .get(f as usize)
                .and_then(|c| c.raw.lines().nth(cl.line as usize))
                .map(str::to_string),
            _ => None,
        };
        let text = code_line.unwrap_or_else(|| row.text().trim().to_string());
        vec![Effect::Copy {
            text,
            what: "line".into(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse;
    use crate::layout::Layout;
    use crate::theme::{ColorMode, Theme};

    fn rows(md: &str) -> Vec<Row> {
        let doc = parse(md);
        let mut l = Layout::new(60);
        l.finish(&doc, &Theme::for_mode(ColorMode::None));
        l.rows
    }

    #[test]
    fn smart_case() {
        let r = rows("Import import IMPORT\n");
        assert_eq!(find_matches(&r, "import").len(), 3);
        assert_eq!(find_matches(&r, "Import").len(), 1);
    }

    #[test]
    fn columns_account_for_wide_characters() {
        let r = rows("🎯 goal\n");
        let m = find_matches(&r, "goal");
        assert_eq!(
            m[0].parts,
            [Part {
                row: 0,
                start: 3,
                end: 7
            }]
        );
        let r = rows("Ünïcode ünïcode\n");
        assert_eq!(find_matches(&r, "ünï").len(), 2);
    }

    #[test]
    fn matches_split_by_wrapping_are_found() {
        let doc = parse(
            "```python\nfrom a.b import get_websocket_manager\n```\n\nsee the quick reference here\n",
        );
        let mut l = Layout::new(20);
        l.finish(&doc, &Theme::for_mode(ColorMode::None));
        let code = find_matches(&l.rows, "get_websocket_manager");
        assert_eq!(code.len(), 1);
        assert!(code[0].parts.len() >= 2, "{:?}", code[0]);
        let text = find_matches(&l.rows, "quick reference");
        assert_eq!(
            text.len(),
            1,
            "{:?}",
            l.rows.iter().map(Row::text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn stepping_wraps_and_counts() {
        let r = rows("a x\n\nb x\n\nc x\n");
        let mut f = Find {
            input: TextInput::new("x"),
            ..Find::default()
        };
        f.refresh(&r, 1);
        assert_eq!(f.count(), "2/3");
        assert_eq!(f.step(true).map(Match::row), Some(4));
        assert_eq!(f.step(true).map(Match::row), Some(0));
        assert_eq!(f.step(false).map(Match::row), Some(4));
        f.input = TextInput::new("zzz");
        f.refresh(&r, 0);
        assert_eq!(f.count(), "0/0");
        assert_eq!(f.step(true), None);
    }
}
