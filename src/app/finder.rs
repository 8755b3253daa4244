//! The finder (`Ctrl-p`, `:`): the whole guide set searched as you type, ranked, with a
//! preview of the selected hit and, for a symbol, a lookup card with the canonical import
//! on top. `Enter` jumps to the exact line and records history.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::text_input::{InputResult, TextInput};
use super::{App, Effect, Overlay};
use crate::doc::Doc;
use crate::keymap::{Mode, OverlayAction};
use crate::lookup::{self, Answer};
use crate::search::{self, Hit, HitKind};

/// Results kept per query: more than any screen shows.
const LIMIT: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finder {
    pub input: TextInput,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// The lookup card, when the query names a symbol the guides import.
    pub card: Option<Answer>,
    /// The text of the selected hit's guide, read for the preview when the set does not
    /// hold it (a large folder holds the open guide's text only).
    pub preview: Option<PreviewText>,
    /// The guide whose text is being read for the preview, elsewhere: asked once.
    pub preview_asked: Option<usize>,
}

/// A guide's text, for the finder's preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewText {
    pub guide: usize,
    pub body: String,
    /// The file line the text starts at.
    pub body_line: usize,
}

impl Finder {
    /// The preview of the selected hit: `(file line, text)` lines around it, from the
    /// set's text of its guide or the one read for the preview.
    pub fn preview_lines(
        &self,
        set: &crate::content::GuideSet,
        radius: usize,
    ) -> Vec<(u32, String)> {
        let Some(hit) = self.hits.get(self.selected) else {
            return Vec::new();
        };
        match (&self.preview, set.guides.get(hit.guide)) {
            (Some(p), _) if p.guide == hit.guide => {
                search::preview_of(&p.body, p.body_line, hit, radius)
            }
            (_, Some(g)) => search::preview(g, hit, radius),
            (_, None) => Vec::new(),
        }
    }
}

/// Reads guide `guide` of `set` for the finder's preview (on a background thread).
pub fn read_preview(set: &crate::content::GuideSet, guide: usize) -> PreviewText {
    match set.whole(guide) {
        Ok(whole) => PreviewText {
            guide,
            body_line: whole.body_line,
            body: whole.into_owned().body,
        },
        Err(_) => PreviewText {
            guide,
            ..PreviewText::default()
        },
    }
}

/// The search index and lookup catalog, built off the UI thread.
pub struct Indexes {
    pub search: search::Index,
    pub lookup: lookup::Catalog,
}

impl Indexes {
    pub fn build(set: &crate::content::GuideSet) -> Indexes {
        Indexes::build_with(set, &[])
    }

    /// Builds from the documents the reader already parsed (`parsed[g]`), parsing only the
    /// rest, one guide at a time and each once for both indexes: a document is let go as
    /// soon as its entries and imports are taken, and a guide whose text the set does not
    /// hold is read from its file and let go the same way, so a 10,000-guide set never
    /// holds more than one extra guide and the index is the one copy of its text.
    pub fn build_with(set: &crate::content::GuideSet, parsed: &[Option<Arc<Doc>>]) -> Indexes {
        let mut index = search::Index::default();
        let mut forms = Vec::new();
        for g in 0..set.guides.len() {
            let guide = set.whole_or_held(g);
            let guide = guide.as_ref();
            let fresh;
            let doc = match parsed.get(g) {
                Some(Some(d)) => d.as_ref(),
                _ => {
                    fresh = crate::doc::parse(&guide.body);
                    &fresh
                }
            };
            index.push_part(g, &search::part::GuidePart::build(guide, doc));
            lookup::guide_forms(g, guide, doc, &mut forms);
        }
        index.finish();
        Indexes {
            search: index,
            lookup: lookup::Catalog::from_forms(forms),
        }
    }
}

/// A query that could be a symbol: one identifier-like word.
fn looks_like_symbol(q: &str) -> bool {
    let q = q.trim();
    q.len() >= 3
        && q.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

impl App {
    pub(super) fn open_finder(&mut self) {
        self.overlay = Some(Overlay::Finder(Finder::default()));
    }

    /// Hands the finished indexes to the app (from the background build).
    pub(crate) fn set_indexes(&mut self, indexes: Indexes) {
        self.indexes = Some(Arc::new(indexes));
        if let Some(Overlay::Finder(f)) = &self.overlay {
            let mut f = f.clone();
            self.run_query(&mut f);
            self.overlay = Some(Overlay::Finder(f));
        }
    }

    /// The read the preview needs: the selected hit's guide when the set does not hold
    /// its text and it is neither read nor being read (once per guide: moving between
    /// hits of one guide reads nothing). The file is read elsewhere, never on a key.
    pub(super) fn preview_read_wanted(&mut self) -> Option<Effect> {
        let Some(Overlay::Finder(f)) = &mut self.overlay else {
            return None;
        };
        let g = f.hits.get(f.selected)?.guide;
        let wanted = self.set.guides.get(g).is_some_and(|guide| guide.pending)
            && f.preview.as_ref().is_none_or(|p| p.guide != g)
            && f.preview_asked != Some(g);
        if !wanted {
            return None;
        }
        f.preview_asked = Some(g);
        Some(Effect::ReadPreview {
            guide: g,
            set: Arc::clone(&self.set),
        })
    }

    /// A guide's text read for the finder's preview. A file that cannot be read gives an
    /// empty text: no preview, and no second try while the finder is open.
    pub(super) fn preview_read(&mut self, text: PreviewText) {
        if let Some(Overlay::Finder(f)) = &mut self.overlay {
            if f.preview_asked == Some(text.guide) {
                f.preview_asked = None;
            }
            f.preview = Some(text);
        }
    }

    /// The documents parsed so far, to share with the index build.
    pub fn parsed_docs(&self) -> Vec<Option<Arc<Doc>>> {
        self.docs.clone()
    }

    /// The finder is open and has nothing to search yet: time to build the index.
    pub fn wants_index(&self) -> bool {
        self.indexes.is_none() && matches!(self.overlay, Some(Overlay::Finder(_)))
    }

    pub fn indexes_ready(&self) -> bool {
        self.indexes.is_some()
    }

    fn run_query(&self, f: &mut Finder) {
        let Some(ix) = &self.indexes else { return };
        let q = f.input.value.trim();
        f.hits = if q.is_empty() {
            Vec::new()
        } else {
            ix.search.query(q, LIMIT)
        };
        f.card = looks_like_symbol(q)
            .then(|| ix.lookup.lookup(q))
            .filter(|a| !a.is_empty());
        f.selected = 0;
    }

    /// A key while the finder is open: its own table (`[keys.finder]`) first, then
    /// typing.
    pub(super) fn finder_key(&mut self, mut f: Finder, key: &KeyEvent) -> Vec<Effect> {
        let page = self.height().saturating_sub(4).max(1);
        match self.keymap.overlay_action(Mode::Finder, key) {
            Some(OverlayAction::Close) => return Vec::new(),
            Some(OverlayAction::Open) => return self.finder_submit(f),
            Some(OverlayAction::CopyImport) => {
                let line = f
                    .card
                    .as_ref()
                    .and_then(|a| a.canonical.first())
                    .map(|c| c.import_line.clone());
                self.overlay = Some(Overlay::Finder(f));
                return match line {
                    Some(text) => vec![Effect::Copy {
                        text,
                        what: "canonical import".into(),
                    }],
                    None => {
                        self.set_status("no lookup card to copy from".into(), false);
                        Vec::new()
                    }
                };
            }
            Some(a) => {
                if let Some(delta) = a.movement(page) {
                    f.selected = super::list::step(f.selected, delta, f.hits.len());
                }
            }
            None => match f.input.key(key, &self.keymap, Mode::Finder) {
                InputResult::Editing => self.run_query(&mut f),
                InputResult::Cancel => return Vec::new(),
                InputResult::Submit => return self.finder_submit(f),
            },
        }
        self.overlay = Some(Overlay::Finder(f));
        Vec::new()
    }

    fn finder_submit(&mut self, f: Finder) -> Vec<Effect> {
        if let Some(hit) = f.hits.get(f.selected).cloned() {
            self.jump_to_hit(&hit);
        } else if !self.indexes_ready() {
            self.overlay = Some(Overlay::Finder(f));
            self.set_status("still indexing the guides...".into(), false);
        }
        Vec::new()
    }

    /// Opens the hit's guide at its exact row (code hits: the code line itself) and puts
    /// the cursor there, so `Y` copies it.
    pub(crate) fn jump_to_hit(&mut self, hit: &Hit) {
        let here = self.location();
        self.show(hit.guide);
        if hit.kind != HitKind::Title {
            let doc = Arc::clone(&self.reader.doc);
            if let Some(start) = self.reader.block_row(&self.theme, hit.block) {
                self.reader
                    .layout
                    .extend_to_block(&doc, &self.theme, hit.block + 1);
                let row = match hit.code_line {
                    Some(n) => self.reader.layout.rows[start..]
                        .iter()
                        .take_while(|r| r.block() as usize == hit.block)
                        .position(|r| r.code_line_number() == Some(n))
                        .map_or(start, |i| start + i),
                    None => start,
                };
                // A third of the way down the screen: the hit with some context above.
                self.set_top(row.saturating_sub(self.height() / 3));
                self.reader.cursor = Some(row);
            }
        }
        self.history.record(here, self.location());
        self.sync_sidebar_to_reader();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built one guide at a time, reusing what the reader parsed, the indexes answer as
    /// those built from the whole set at once do.
    #[test]
    fn built_guide_by_guide_the_indexes_match_a_whole_set_build() {
        let set = crate::content::GuideSet::bundled();
        let mut parsed: Vec<Option<Arc<Doc>>> = vec![None; set.guides.len()];
        parsed[1] = Some(Arc::new(crate::doc::parse(&set.guides[1].body)));
        let ix = Indexes::build_with(&set, &parsed);
        let whole = search::Index::build(&set);
        assert_eq!(ix.search.len(), whole.len());
        for q in ["import", "websocket", "get_user", "a", "Depends"] {
            assert_eq!(ix.search.query(q, 50), whole.query(q, 50), "query {q}");
        }
        assert_eq!(ix.lookup.forms(), lookup::Catalog::build(&set).forms());
        assert!(!ix.lookup.forms().is_empty());
    }

    #[test]
    fn symbols_are_single_identifier_words() {
        assert!(looks_like_symbol("WebSocketManager"));
        assert!(looks_like_symbol("get_websocket_manager"));
        assert!(!looks_like_symbol("user context"));
        assert!(!looks_like_symbol("ab"));
    }
}
