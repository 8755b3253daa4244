//! Reading progress: which sections have been read (on screen for a moment), where each
//! guide was left, the start screen shown on a set's first visit, and resuming.

use std::time::{Duration, Instant};

use super::{App, Overlay};
use crate::checklist::ops::Op;
use crate::checklist::reading::Reading;

/// How long a section must stay on screen to count as read.
pub const READ_AFTER: Duration = Duration::from_secs(2);

/// Reading speed for the start screen's "minutes" estimate.
const WORDS_PER_MINUTE: usize = 200;

impl App {
    /// Opens where the reader left this set, or the start screen on a first visit.
    pub fn resume_or_welcome(&mut self, reading: Option<Reading>) {
        match reading {
            None => self.overlay = Some(Overlay::Start { selected: 0 }),
            Some(r) => {
                let guide = r
                    .last
                    .as_deref()
                    .and_then(|id| self.set.guides.iter().position(|g| g.id == id));
                if let Some(g) = guide {
                    self.open(g, None);
                    if let Some(&block) = r.places.get(&self.set.guides[g].id) {
                        let last = self.reader.doc.blocks.len().saturating_sub(1);
                        let block = block.min(last);
                        self.scroll_to_block(block);
                        // Near the end the screen stops short of the block: name its
                        // section, as the jump that got there did.
                        if self.top_block() < block {
                            self.reader.pinned = self
                                .reader
                                .doc
                                .headings
                                .iter()
                                .rposition(|h| h.block <= block);
                        }
                    }
                    self.history.clear_back();
                }
                self.reading = r;
            }
        }
    }

    /// Called with the time now and then: sections on screen long enough become read.
    pub(crate) fn note_time(&mut self, now: Instant) {
        // Behind an overlay (start screen, help, finder) nothing is being read.
        if self.overlay.is_some() {
            self.seen.clear();
            return;
        }
        let Some(guide_id) = self.set.guides.get(self.reader.guide).map(|g| g.id.clone()) else {
            return;
        };
        let mut visible: Vec<usize> = self.current_heading().into_iter().collect();
        for row in self.visible_rows() {
            let block = self.reader.layout.rows[row].block() as usize;
            if let Some(h) = self
                .reader
                .doc
                .headings
                .iter()
                .position(|h| h.block == block)
            {
                visible.push(h);
            }
        }
        self.seen
            .retain(|(g, h), _| *g == self.reader.guide && visible.contains(h));
        for h in visible {
            let since = *self.seen.entry((self.reader.guide, h)).or_insert(now);
            if now.duration_since(since) >= READ_AFTER
                && let Some(anchor) = self.reader.doc.headings.get(h).map(|x| x.anchor.clone())
            {
                self.reading
                    .read
                    .entry(guide_id.clone())
                    .or_default()
                    .insert(anchor);
            }
        }
    }

    /// Whether heading `h` of the open guide has been read.
    pub fn section_read(&self, h: usize) -> bool {
        let (Some(g), Some(head)) = (
            self.set.guides.get(self.reader.guide),
            self.reader.doc.headings.get(h),
        ) else {
            return false;
        };
        self.reading.is_read(&g.id, &head.anchor)
    }

    /// What to save on the way out: this guide and place, and everything read.
    pub fn reading_to_save(&self) -> Option<Op> {
        let guide = self.set.guides.get(self.reader.guide)?;
        let mut r = self.reading.clone();
        r.last = Some(guide.id.clone());
        r.places.insert(guide.id.clone(), self.reading_block());
        Some(Op::Reading(r))
    }

    /// `(read sections, sections)` of a guide, for the start screen; `None` until the
    /// guide has been parsed or the catalog pass has gathered its facts.
    pub fn guide_read_progress(&self, g: usize) -> Option<(usize, usize)> {
        let id = &self.set.guides.get(g)?.id;
        let is_read = |anchor: &str| self.reading.is_read(id, anchor);
        if let Some(Some(doc)) = self.docs.get(g) {
            let read = doc.headings.iter().filter(|h| is_read(&h.anchor)).count();
            return Some((read, doc.headings.len()));
        }
        let facts = self.facts.get(g)?.as_ref()?;
        let read = facts.anchors.iter().filter(|a| is_read(a)).count();
        Some((read, facts.anchors.len()))
    }

    /// Minutes to read a guide at an ordinary pace (at least 1). The count is kept per
    /// guide; until it is known (the first moments of a large set) a guide on screen is
    /// counted as it is drawn.
    /// `None` for a guide not read yet (the first moments after a start from the files'
    /// heads).
    pub fn guide_minutes(&self, g: usize) -> Option<usize> {
        let words = match self.facts.get(g) {
            Some(Some(f)) => f.words as usize,
            _ => {
                let guide = self.set.guides.get(g).filter(|x| !x.pending)?;
                count_words(&guide.body)
            }
        };
        Some(words.div_ceil(WORDS_PER_MINUTE).max(1))
    }
}

/// What the start screen shows of a guide without holding its parsed document: its
/// length in words and its section anchors (for `read n/m`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuideFacts {
    pub words: u32,
    pub anchors: Box<[String]>,
}

impl GuideFacts {
    pub fn of(body: &str, doc: &crate::doc::Doc) -> GuideFacts {
        GuideFacts {
            words: u32::try_from(count_words(body)).unwrap_or(u32::MAX),
            anchors: doc.headings.iter().map(|h| h.anchor.clone()).collect(),
        }
    }
}

fn count_words(body: &str) -> usize {
    body.split_whitespace().count()
}
