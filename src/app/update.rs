//! [`App::update`]: the only way into the reader's state from outside `app/`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::msg::{Effect, Msg};
use super::{App, Overlay};
use crate::content::Origin;
use crate::highlight::Request;

/// How often the open guide's file is checked for changes (`--dir` and file sets).
pub const RELOAD_EVERY: Duration = Duration::from_millis(500);

impl App {
    /// Applies one message and says what the run loop should do next. Every change to the
    /// reader goes through here: keys, mouse, size, time and background results.
    pub fn update(&mut self, msg: impl Into<Msg>) -> Vec<Effect> {
        let mut effects = match msg.into() {
            Msg::Key(key) => self.handle_key(&key),
            Msg::Action(action) => self.act(action),
            Msg::Scroll { column, row, down } => {
                self.scroll_at(column, row, down);
                Vec::new()
            }
            Msg::Click { column, row } => self.click(column, row),
            Msg::Resize(size) => {
                self.resize(size);
                Vec::new()
            }
            Msg::Tick(now) => self.tick(now),
            Msg::Idle => {
                self.idle();
                Vec::new()
            }
            // Keys held while the whole was parsed are handled now; their effects follow.
            Msg::Parsed { guide, doc } => self.full_doc_ready(guide, *doc),
            Msg::ReadWhole { guide, whole } => self.whole_guide_ready(guide, whole),
            Msg::Indexed(indexes) => {
                self.index_out = false;
                self.set_indexes(*indexes);
                Vec::new()
            }
            Msg::Failed { what, error } => {
                if what == "index" {
                    self.index_out = false;
                }
                // A failed full parse must release the keys held for it.
                let effects = if what == "parse" {
                    self.full_parse_failed(self.reader.guide)
                } else {
                    Vec::new()
                };
                self.set_status(format!("{what} failed: {error}"), true);
                effects
            }
            Msg::Highlighted(done) => {
                self.highlights.insert(done);
                Vec::new()
            }
            Msg::Saved(result) => {
                self.saved(result);
                Vec::new()
            }
            Msg::Loaded { state, notices } => {
                self.loaded(*state, notices);
                Vec::new()
            }
            Msg::Edited(result) => {
                match result {
                    Ok(()) => self.reload_open_guide(),
                    Err(e) => self.set_status(e, true),
                }
                Vec::new()
            }
            Msg::Report { text, error } => {
                self.set_status(text, error);
                Vec::new()
            }
            Msg::Rescanned { result, took } => {
                self.rescan_out = false;
                // A large tree walked twice a second would keep a core busy while the
                // reader sits idle: the next walk waits twenty times as long as this one
                // took (never less than the usual check), so walking costs at most about
                // a twentieth of a core.
                self.rescan_wait = (took * 20).max(RELOAD_EVERY);
                match result {
                    // Work out elsewhere answers by the old guide numbers: the next
                    // tick walks the folder again once it is back.
                    Ok(Some(_))
                        if self.index_out || self.parse_requested && self.reader.partial => {}
                    Ok(Some(rescan)) => self.rescanned(*rescan),
                    Ok(None) => {}
                    Err(e) => self.set_status(format!("rescan failed: {e}"), true),
                }
                Vec::new()
            }
        };
        self.follow_up(&mut effects);
        effects
    }

    /// The background work the state now calls for, asked for once each.
    fn follow_up(&mut self, effects: &mut Vec<Effect>) {
        // A large guide opened from a prefix: parse the whole elsewhere.
        if self.reader.partial && !self.parse_requested {
            self.parse_requested = true;
            let guide = self.reader.guide;
            if let Some(read) = self.set.whole_read(guide) {
                // Only the file's first part was read: read the rest there too.
                effects.push(Effect::ReadWhole { guide, read });
            } else if let Some(g) = self.set.guides.get(guide) {
                effects.push(Effect::Parse {
                    guide,
                    body: g.body.clone(),
                });
            }
        }
        // Built the first time the finder opens (a reading session never pays for it), and
        // again when a guide changed on disk; after a partial guide's full parse so the
        // index reuses it.
        let first = self.indexes.is_none()
            && !self.index_requested
            && matches!(self.overlay, Some(Overlay::Finder(_)));
        if (first || self.reindex) && !self.reader.partial {
            self.index_requested = true;
            self.reindex = false;
            self.index_out = true;
            effects.push(Effect::Index {
                set: self.set.clone(),
                parsed: self.docs.clone(),
            });
        }
        let wanted = self.wanted_highlights();
        let key = (self.reader.guide, wanted);
        if key != self.submitted_highlights {
            let requests = self.requests(&key.1);
            self.submitted_highlights = key;
            effects.push(Effect::Highlight(requests));
        }
        self.refresh_progress();
        if self.has_idle_work() {
            effects.push(Effect::Idle);
        }
    }

    fn requests(&self, blocks: &[u32]) -> Vec<Request> {
        blocks
            .iter()
            .filter_map(|&b| {
                let code = self.reader.doc.code_blocks.get(b as usize)?;
                Some(Request {
                    key: (self.reader.guide, b),
                    lang: code.lang.clone().unwrap_or_default(),
                    code: Arc::clone(&code.display),
                })
            })
            .filter(|r| !r.lang.is_empty())
            .collect()
    }

    /// Time passes: reading progress, and a look at the open guide's file now and then.
    /// A folder set is also walked again, elsewhere (a large tree takes a while), one walk
    /// at a time.
    fn tick(&mut self, now: Instant) -> Vec<Effect> {
        self.note_time(now);
        let due = self
            .last_reload_check
            .is_none_or(|t| now.saturating_duration_since(t) >= RELOAD_EVERY);
        if !due {
            return Vec::new();
        }
        self.last_reload_check = Some(now);
        self.reload_open_guide();
        let rescan_due = self
            .last_rescan
            .is_none_or(|t| now.saturating_duration_since(t) >= self.rescan_wait);
        if matches!(self.set.origin, Origin::Dir(_)) && !self.rescan_out && rescan_due {
            self.rescan_out = true;
            self.last_rescan = Some(now);
            return vec![Effect::Rescan(self.set.clone())];
        }
        Vec::new()
    }

    /// Reloads the open guide when its file changed on disk, then re-indexes the set.
    /// (The one look at the file system in `app/`: a modification time, and the file
    /// itself when that changed.)
    fn reload_open_guide(&mut self) {
        let guide = self.reader.guide;
        match self.set.reload(guide) {
            Ok(true) => {
                self.guide_changed(guide);
                if self.indexes.is_some() {
                    self.reindex = true;
                }
            }
            Ok(false) => {}
            Err(e) => self.set_status(e, true),
        }
    }

    /// Drives the reader to rest without a run loop: the full parse and every idle step
    /// done here and now. For tests and benches.
    pub fn settle(&mut self) {
        self.finish_parse();
        while self.has_idle_work() {
            self.idle();
        }
        self.refresh_progress();
    }
}
