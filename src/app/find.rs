//! `/` search within the open guide: matches in the rendered rows, smart case (a query
//! with an upper-case letter is case-sensitive), counted and stepped with `n`/`N`.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::text_input::{InputResult, TextInput};
use super::{Action, App, Effect};
use crate::layout::Layout;
use crate::layout::text_index::{TextIndex, fold};

/// One match: the cells it covers, one part per row (a match can cross a wrap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub parts: Vec<Part>,
}

pub use crate::layout::text_index::Cells as Part;

impl Match {
    /// The row where the match starts.
    pub fn row(&self) -> usize {
        self.parts.first().map_or(0, |p| p.row)
    }
}

/// The last query's hits, kept so a longer query only re-checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Hits {
    /// The query as typed.
    query: String,
    /// The query folded: what is looked for in the index's folded text.
    needle: String,
    sensitive: bool,
    /// Every occurrence (haystack bytes), overlapping ones included: a longer query's
    /// occurrences are among these.
    all: Vec<u32>,
    /// The ones shown and counted: left to right, none overlapping the one before.
    shown: Vec<u32>,
}

/// `/` state. The open guide's rows are indexed once ([`TextIndex`]); each keystroke scans
/// that index (or, when the query grew, re-checks the previous hits), and only the hits
/// drawn or stepped to are turned into cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Find {
    pub input: TextInput,
    /// Still typing the query (keys go to the input, matches update as you type).
    pub editing: bool,
    pub current: Option<usize>,
    /// The top row when the search began: where the view goes back to while nothing
    /// matches, and on `Esc`.
    pub origin: usize,
    index: Option<Arc<TextIndex>>,
    hits: Hits,
}

impl Find {
    pub fn query(&self) -> &str {
        &self.input.value
    }

    /// How many matches.
    pub fn len(&self) -> usize {
        self.hits.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hits.shown.is_empty()
    }

    /// `3/12`, or `0/0` when nothing matches.
    pub fn count(&self) -> String {
        match self.current {
            Some(c) => format!("{}/{}", c + 1, self.len()),
            None => format!("0/{}", self.len()),
        }
    }

    /// Recomputes matches over the layout's rows and makes current the first at or after
    /// `from_row`. The index is rebuilt only when the rows changed.
    pub fn refresh(&mut self, layout: &Layout, from_row: usize) {
        let fresh = self
            .index
            .as_ref()
            .is_some_and(|i| i.is_for(layout.id(), layout.rows.len()));
        if !fresh {
            // Let go of the old index first: a large guide's index is a few times the
            // size of its text, and two at once would set the peak.
            self.index = None;
            self.index = Some(Arc::new(TextIndex::build(layout)));
            self.hits = Hits::default();
        }
        self.search(layout);
        let Some(index) = self.index.as_deref() else {
            return;
        };
        let shown = &self.hits.shown;
        let first = shown.partition_point(|&h| index.row_of(layout, h) < from_row);
        self.current = if first < shown.len() {
            Some(first)
        } else {
            (!shown.is_empty()).then_some(0)
        };
    }

    /// Matches the query against the index: from the previous hits when the query only
    /// grew, else by scanning the whole.
    fn search(&mut self, layout: &Layout) {
        let Some(index) = self.index.as_deref() else {
            return;
        };
        let query = &self.input.value;
        // Smart case: an upper-case letter makes the search case-sensitive. The index
        // keeps only folded text: a case-sensitive query is looked for folded, and the
        // hits are then checked against the text as shown.
        let sensitive = query.chars().any(char::is_uppercase);
        let needle = fold(query);
        let prev = &self.hits;
        let grew = if sensitive {
            query.starts_with(&prev.query)
        } else {
            needle.starts_with(&prev.needle)
        };
        let all = if needle.is_empty() {
            Vec::new()
        } else if prev.sensitive == sensitive && !prev.needle.is_empty() && grew {
            let hay = index.haystack().as_bytes();
            let refined: Vec<u32> = prev
                .all
                .iter()
                .copied()
                .filter(|&h| {
                    hay.get(h as usize..)
                        .is_some_and(|rest| rest.starts_with(needle.as_bytes()))
                })
                .collect();
            if sensitive {
                index.exact(layout, &refined, query)
            } else {
                refined
            }
        } else if sensitive {
            index.exact_occurrences(layout, query)
        } else {
            index.occurrences(&needle)
        };
        let len = needle.len() as u32;
        let mut shown = Vec::with_capacity(all.len());
        let mut free_from = 0;
        for &h in &all {
            if h >= free_from {
                shown.push(h);
                free_from = h + len.max(1);
            }
        }
        self.hits = Hits {
            query: query.clone(),
            needle,
            sensitive,
            all,
            shown,
        };
    }

    /// Match `i` as cells.
    pub fn get(&self, layout: &Layout, i: usize) -> Option<Match> {
        let index = self.index.as_deref()?;
        let &h = self.hits.shown.get(i)?;
        let end = h + self.hits.needle.len() as u32;
        Some(Match {
            parts: index.cells(layout, h..end),
        })
    }

    /// The matches touching `rows`, each with whether it is the current one: what a frame
    /// draws. Costs the number of matches on screen, not in the guide.
    pub fn on_rows(&self, layout: &Layout, rows: std::ops::Range<usize>) -> Vec<(Match, bool)> {
        let Some(index) = self.index.as_deref() else {
            return Vec::new();
        };
        let shown = &self.hits.shown;
        let last_byte = (self.hits.needle.len() as u32).saturating_sub(1);
        let first = shown.partition_point(|&h| index.row_of(layout, h + last_byte) < rows.start);
        let mut out = Vec::new();
        for (i, &h) in shown.iter().enumerate().skip(first) {
            if index.row_of(layout, h) >= rows.end {
                break;
            }
            if let Some(m) = self.get(layout, i) {
                out.push((m, Some(i) == self.current));
            }
        }
        out
    }

    /// Moves to the next (or previous) match, wrapping around the guide.
    pub fn step(&mut self, layout: &Layout, forward: bool) -> Option<Match> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let c = match (self.current, forward) {
            (Some(c), true) => (c + 1) % n,
            (Some(c), false) => (c + n - 1) % n,
            (None, _) => 0,
        };
        self.current = Some(c);
        self.get(layout, c)
    }

    pub fn current_match(&self, layout: &Layout) -> Option<Match> {
        self.current.and_then(|c| self.get(layout, c))
    }
}

/// Every occurrence of `query` in the laid-out guide (tests and benches; the reader keeps a
/// [`Find`], which indexes once).
pub fn find_matches(layout: &Layout, query: &str) -> Vec<Match> {
    let mut f = Find {
        input: TextInput::new(query),
        ..Find::default()
    };
    f.refresh(layout, 0);
    (0..f.len()).filter_map(|i| f.get(layout, i)).collect()
}

// ----- the reader's use of search and copy -----------------------------------------------

impl App {
    pub(super) fn start_find(&mut self) {
        self.reader.finish_layout(&self.theme);
        let input = self.reader.find.take().map(|f| f.input).unwrap_or_default();
        self.reader.find = Some(Find {
            input,
            editing: true,
            origin: self.reader.top,
            ..Find::default()
        });
        self.refresh_find();
    }

    /// A key while typing the query: matches follow every keystroke.
    pub(super) fn find_key(&mut self, key: &KeyEvent) -> Vec<Effect> {
        let Some(find) = self.reader.find.as_mut() else {
            return Vec::new();
        };
        // The prompt's own keys (`[keys.in_search]`), then editing, then typing.
        let result = find
            .input
            .key(key, &self.keymap, crate::keymap::Mode::Search);
        match result {
            InputResult::Editing => self.refresh_find(),
            InputResult::Submit => {
                find.editing = false;
                if find.input.value.is_empty() {
                    self.reader.find = None;
                } else if find.is_empty() {
                    let msg = format!("no match for {}", find.input.value);
                    self.set_status(msg, false);
                }
            }
            InputResult::Cancel => {
                let origin = find.origin;
                self.reader.find = None;
                self.reader.cursor = None;
                self.set_top(origin);
            }
        }
        Vec::new()
    }

    /// Re-runs the search over the current rows and shows the first match from here on.
    pub(super) fn refresh_find(&mut self) {
        if self.reader.find.is_none() {
            return;
        }
        // Matches are counted over the whole guide.
        self.reader.finish_layout(&self.theme);
        let from = self.reader.top;
        let Some(find) = self.reader.find.as_mut() else {
            return;
        };
        find.refresh(&self.reader.layout, from);
        match find.current_match(&self.reader.layout).map(|m| m.row()) {
            Some(row) => {
                self.reader.cursor = Some(row);
                self.reveal(row);
            }
            // Nothing matches (yet): the view goes back to where the search began, so a
            // prefix that matched further down does not leave the reader there.
            None if find.editing => {
                let origin = find.origin;
                self.reader.cursor = None;
                self.set_top(origin);
            }
            None => {}
        }
    }

    pub(super) fn step_find(&mut self, forward: bool) {
        if let Some(f) = self.reader.find.as_ref().filter(|f| f.is_empty()) {
            let msg = format!("no match for {}", f.input.value);
            self.set_status(msg, false);
            return;
        }
        let Some(row) = self
            .reader
            .find
            .as_mut()
            .and_then(|f| f.step(&self.reader.layout, forward))
            .map(|m| m.row())
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
            text: code.raw.to_string(),
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
        let layout = &self.reader.layout;
        let code_line = match (layout.frame(row), row.code_line_number()) {
            (Some(f), Some(line)) => self
                .reader
                .doc
                .code_blocks
                .get(f as usize)
                .and_then(|c| c.raw.lines().nth(line as usize))
                .map(str::to_string),
            _ => None,
        };
        let text = code_line.unwrap_or_else(|| self.reader.layout.text_of(row).trim().to_string());
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
    use crate::theme::{ColorMode, Theme};

    fn laid_out(md: &str, width: u16) -> Layout {
        let doc = parse(md);
        let mut l = Layout::new(width);
        l.finish(&doc, &Theme::for_mode(ColorMode::None));
        l
    }

    fn rows(md: &str) -> Layout {
        laid_out(md, 60)
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
    fn letters_whose_lower_case_is_shorter_keep_columns_aligned() {
        // 'İ' (2 bytes) folds to 'i' (1 byte): later offsets in the line shift.
        let r = rows("İİİ needle\n\nplain needle\n");
        let m = find_matches(&r, "needle");
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0].parts,
            [Part {
                row: 0,
                start: 4,
                end: 10
            }]
        );
        assert_eq!(m[1].parts[0].start, 6);
    }

    #[test]
    fn matches_split_by_wrapping_are_found() {
        let l = laid_out(
            "```python\nfrom a.b import get_websocket_manager\n```\n\nsee the quick reference here\n",
            20,
        );
        let code = find_matches(&l, "get_websocket_manager");
        assert_eq!(code.len(), 1);
        assert!(code[0].parts.len() >= 2, "{:?}", code[0]);
        let text = find_matches(&l, "quick reference");
        assert_eq!(
            text.len(),
            1,
            "{:?}",
            l.rows.iter().map(|r| l.text_of(r)).collect::<Vec<_>>()
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
        assert_eq!(f.step(&r, true).map(|m| m.row()), Some(4));
        assert_eq!(f.step(&r, true).map(|m| m.row()), Some(0));
        assert_eq!(f.step(&r, false).map(|m| m.row()), Some(4));
        f.input = TextInput::new("zzz");
        f.refresh(&r, 0);
        assert_eq!(f.count(), "0/0");
        assert_eq!(f.step(&r, true), None);
    }

    #[test]
    fn a_growing_query_refines_the_previous_hits_to_what_a_fresh_scan_finds() {
        let r = rows("ababa abab aXa\n\nabc abd ab\n");
        let mut f = Find::default();
        for q in ["a", "ab", "aba", "abab", "ababa", "ababab"] {
            f.input = TextInput::new(q);
            f.refresh(&r, 0);
            let fresh = find_matches(&r, q);
            let refined: Vec<Match> = (0..f.len()).filter_map(|i| f.get(&r, i)).collect();
            assert_eq!(refined, fresh, "query {q:?}");
        }
        assert_eq!(find_matches(&r, "aba").len(), 2, "non-overlapping");
        // Shrinking, or switching to case-sensitive, scans again.
        f.input = TextInput::new("aX");
        f.refresh(&r, 0);
        assert_eq!(f.len(), 1);
        f.input = TextInput::new("a");
        f.refresh(&r, 0);
        assert_eq!(f.len(), find_matches(&r, "a").len());
    }

    #[test]
    fn the_index_is_rebuilt_only_for_new_rows() {
        let r = rows("one two\n");
        let mut f = Find {
            input: TextInput::new("two"),
            ..Find::default()
        };
        f.refresh(&r, 0);
        let before = f.index.clone();
        f.input = TextInput::new("one");
        f.refresh(&r, 0);
        assert!(Arc::ptr_eq(
            before.as_ref().expect("index"),
            f.index.as_ref().expect("index")
        ));
        let other = rows("one two\n");
        f.refresh(&other, 0);
        assert!(!Arc::ptr_eq(
            before.as_ref().expect("index"),
            f.index.as_ref().expect("index")
        ));
    }

    #[test]
    fn only_matches_on_the_given_rows_are_returned() {
        let md: String = (0..200).map(|i| format!("line {i} needle\n\n")).collect();
        let r = rows(&md);
        let mut f = Find {
            input: TextInput::new("needle"),
            ..Find::default()
        };
        f.refresh(&r, 0);
        assert_eq!(f.len(), 200);
        let shown = f.on_rows(&r, 10..20);
        assert_eq!(shown.len(), 5, "every other row is a gap");
        assert!(shown.iter().all(|(m, _)| (10..20).contains(&m.row())));
        assert_eq!(shown.iter().filter(|(_, current)| *current).count(), 0);
        assert_eq!(f.on_rows(&r, 0..2).iter().filter(|(_, c)| *c).count(), 1);
    }
}
