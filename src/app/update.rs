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
        let msg = msg.into();
        if self.reader.layout.first_block() > 0 && self.needs_rows_above(&msg) {
            self.reader.join_layout(&self.theme);
        }
        let mut effects = match msg {
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
            Msg::Parsed {
                guide,
                id,
                len,
                doc,
            } => match self.parsed_guide(guide, &id, len) {
                Some(guide) => self.full_doc_ready(guide, *doc),
                None => Vec::new(),
            },
            Msg::ReadWhole { guide, whole } => self.whole_guide_ready(guide, whole),
            Msg::PreviewRead(text) => {
                self.preview_read(*text);
                Vec::new()
            }
            Msg::Indexed(indexes) => {
                self.index_out = false;
                self.set_indexes(*indexes);
                Vec::new()
            }
            Msg::Cataloged {
                generation,
                catalog,
                facts,
            } => {
                self.cataloged(generation, *catalog, facts);
                Vec::new()
            }
            Msg::SetRead(result) => {
                self.set_read(result);
                Vec::new()
            }
            Msg::Failed { what, error } => {
                if what == "index" {
                    self.index_out = false;
                }
                if what == "scan" {
                    self.code.running = false;
                    self.code.error = Some(crate::sanitize::sanitize_line(&error));
                }
                // Without the whole set, guides are read as they are opened and the
                // rest is built from what there is.
                if what == "read set" {
                    self.set_read_out = false;
                    self.partial_set = false;
                }
                // A failed catalog build is not asked for again (it would fail again);
                // the keys that need an item build it here instead.
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
            Msg::Saved(result) => self.saved(result),
            Msg::Loaded { state, notices } => {
                self.loaded(*state, notices);
                Vec::new()
            }
            Msg::Edited(result) => {
                match result {
                    Ok(()) => self.reload_open_guide(),
                    Err(e) => self.set_status(e, true),
                }
                // Back from fixing a finding: the list shows what is left.
                match self.overlay {
                    Some(Overlay::Findings(_)) => self.scan().into_iter().collect(),
                    _ => Vec::new(),
                }
            }
            Msg::Report { text, error } => {
                self.set_status(text, error);
                Vec::new()
            }
            Msg::Scanned(result) => {
                self.scanned(*result);
                Vec::new()
            }
            Msg::ScanHistory(history) => {
                self.scan_history(history);
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

    /// Whether `msg` may need rows above the first one laid out (after a resize, the
    /// blocks above the screen come in idle time). Everything but scrolling down does, or
    /// might (a jump, a search, the end of the guide), so the rest of the layout is done
    /// before it, as `G` on a guide still being laid out waits for it; scrolling down
    /// only needs rows further on.
    fn needs_rows_above(&self, msg: &Msg) -> bool {
        use super::{Action, Focus};
        let down = |a: &Action| {
            matches!(
                a,
                Action::ScrollDown | Action::HalfPageDown | Action::PageDown
            )
        };
        let reading = self.overlay.is_none()
            && self.focus == Focus::Reader
            && !self.reader.find.as_ref().is_some_and(|f| f.editing)
            && !self.awaiting_parse();
        match msg {
            Msg::Resize(_)
            | Msg::Idle
            | Msg::Tick(_)
            | Msg::Highlighted(_)
            | Msg::Report { .. }
            | Msg::Saved(_) => false,
            Msg::Key(key) => {
                let actions = self.keymap.actions(key);
                !(reading && !actions.is_empty() && actions.iter().all(down))
            }
            Msg::Action(a) => !(reading && down(a)),
            Msg::Scroll {
                column, row, down, ..
            } => {
                let over_sidebar = self
                    .areas
                    .sidebar
                    .is_some_and(|s| super::contains(s, *column, *row));
                !(*down && self.overlay.is_none() && !over_sidebar)
            }
            _ => true,
        }
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
                    id: g.id.clone(),
                    body: g.body.clone(),
                });
            }
        }
        // Built the first time the finder opens (a reading session never pays for it), and
        // again when a guide changed on disk; after a partial guide's full parse so the
        // index reuses it.
        // The findings overlay shows the lookup card of the selected finding's symbol.
        let first = self.indexes.is_none()
            && !self.index_requested
            && matches!(
                self.overlay,
                Some(Overlay::Finder(_) | Overlay::Findings(_))
            );
        if (first || self.reindex) && !self.reader.partial && !self.partial_set {
            self.index_requested = true;
            self.reindex = false;
            self.index_out = true;
            effects.push(Effect::Index {
                set: Arc::clone(&self.set),
                parsed: self.docs.clone(),
            });
        }
        if let Some(read) = self.preview_read_wanted() {
            effects.push(read);
        }
        // A guide with a self-verifying item shows its live state: the first scan of the
        // code base starts when one opens.
        if !self.reader.partial
            && !self.partial_set
            && let Some(scan) = self.scan_for_open_guide()
        {
            effects.push(scan);
        }
        // A set read from its files' heads: the whole is read elsewhere, once.
        if self.partial_set
            && !self.set_read_out
            && let Origin::Dir(dir) = &self.set.origin
        {
            self.set_read_out = true;
            effects.push(Effect::ReadSet(dir.clone()));
        }
        effects.extend(self.wanted_catalog());
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
                    lang: code.lang.as_deref().unwrap_or_default().to_string(),
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
        // The read of the whole set is itself a fresh walk: none besides it.
        if matches!(self.set.origin, Origin::Dir(_))
            && !self.rescan_out
            && !self.partial_set
            && rescan_due
        {
            self.rescan_out = true;
            self.last_rescan = Some(now);
            return vec![Effect::Rescan(Arc::clone(&self.set))];
        }
        Vec::new()
    }

    /// Reloads the open guide when its file changed on disk, then re-indexes the set.
    /// (The one look at the file system in `app/`: a modification time, and the file
    /// itself when that changed.)
    fn reload_open_guide(&mut self) {
        let guide = self.reader.guide;
        // Checked before copying: background work may hold the set, and a copy of a
        // large set on every tick would cost more than the look at the file.
        if !self.set.changed_on_disk(guide) {
            return;
        }
        match Arc::make_mut(&mut self.set).reload(guide) {
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
        self.build_catalog();
        self.refresh_progress();
    }
}
