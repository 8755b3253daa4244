//! Checklist items in the reader: key dispatch in context, selecting items, ticking them,
//! the migrations panel, and applying what the store reports back.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::checklist::Checklists;
use super::migrations::{Outcome, Panel};
use super::progress::GuideFacts;
use super::{Action, App, Effect, Focus, Overlay};
use crate::checklist::Catalog;
use crate::checklist::ops::Applied;
use crate::doc::Doc;

impl App {
    /// Replaces the (detached) checklist view with one backed by a state file.
    pub fn attach_checklists(&mut self, checklists: Checklists, notices: Vec<String>) {
        self.checklists = checklists;
        self.refresh_progress();
        // A small set's items are known before the first frame, so ticks show at once;
        // a large one's are gathered in idle time.
        let bytes: usize = self.set.guides.iter().map(|g| g.body.len()).sum();
        if bytes < 1 << 20 && !self.partial_set {
            self.build_catalog();
        }
        // Whether the guide is gauged depends on the migrations there are.
        self.resize(self.size);
        if let Some(first) = notices.first() {
            self.set_status(first.clone(), true);
        } else if let Some(why) = &self.checklists.read_only {
            let msg = format!("checklists are read-only: {why}");
            self.set_status(msg, true);
        }
    }

    /// Builds the catalog of every guide's items here and now, when there is none; true
    /// when it did work. Small sets (before the first frame) and the few keys that need
    /// an item's identity at once use this; otherwise the catalog comes from
    /// [`Effect::Catalog`] in the background.
    pub(super) fn build_catalog(&mut self) -> bool {
        if self.checklists.catalog.is_some() {
            return false;
        }
        let (catalog, facts) = catalog_of(&self.set, &self.docs);
        self.checklists.catalog = Some(catalog);
        self.facts = facts.into_iter().map(Some).collect();
        // Anything built elsewhere for this set is no newer than this.
        self.catalog_generation += 1;
        self.catalog_out = false;
        self.checklists.progress_stale = true;
        self.refresh_progress();
        true
    }

    /// The background catalog build the state calls for: once per set, after a partial
    /// guide's full parse (so it is reused, not parsed again elsewhere).
    pub(super) fn wanted_catalog(&mut self) -> Option<Effect> {
        if self.checklists.catalog.is_some()
            || self.catalog_out
            || self.reader.partial
            || self.partial_set
        {
            return None;
        }
        self.catalog_out = true;
        Some(Effect::Catalog {
            set: Arc::clone(&self.set),
            parsed: self.docs.clone(),
            generation: self.catalog_generation,
        })
    }

    /// A catalog built elsewhere: kept when it was built for the set as it is now.
    pub(super) fn cataloged(&mut self, generation: u64, catalog: Catalog, facts: Vec<GuideFacts>) {
        if generation != self.catalog_generation || self.checklists.catalog.is_some() {
            return;
        }
        self.catalog_out = false;
        self.checklists.catalog = Some(catalog);
        self.facts = facts.into_iter().map(Some).collect();
        self.checklists.progress_stale = true;
        self.refresh_progress();
    }

    /// The set's guides changed shape (or a build failed): any catalog out is for the
    /// old set; ask again.
    pub(super) fn forget_catalog(&mut self) {
        self.checklists.catalog = None;
        self.checklists.progress_stale = true;
        self.catalog_generation += 1;
        self.catalog_out = false;
    }

    /// A key press: to the open panel, or through the key map to the first action that
    /// applies here (Space ticks a selected item, else pages down).
    pub(crate) fn handle_key(&mut self, key: &KeyEvent) -> Vec<Effect> {
        if self.awaiting_parse() {
            self.defer_key(key);
            return Vec::new();
        }
        self.finish_parse();
        if let Some(effects) = self.overlay_key(key) {
            return effects;
        }
        if self.reader.find.as_ref().is_some_and(|f| f.editing) {
            return self.find_key(key);
        }
        let actions = self.keymap.actions(key);
        let chosen = actions
            .iter()
            .copied()
            .find(|a| self.applies(*a))
            .or_else(|| actions.first().copied());
        chosen.map_or_else(Vec::new, |a| self.act(a))
    }

    fn applies(&self, action: Action) -> bool {
        // The key map's conflict rules rely on this: only contextual actions step aside.
        if !action.is_contextual() {
            return true;
        }
        match action {
            Action::ToggleTask => {
                self.overlay.is_none()
                    && (self.reader.task.is_some()
                        || self.focus == Focus::Checklist
                        || self.folder_selected())
            }
            // The sidebar's tree keys; elsewhere `l` selects links.
            Action::Fold | Action::Unfold => {
                self.overlay.is_none()
                    && self.focus == Focus::Sidebar
                    && self.areas.sidebar.is_some()
            }
            // While a search is active, even one that found nothing: `n` after `0/0`
            // says so rather than moving to the next guide.
            Action::NextMatch | Action::PrevMatch => self.reader.find.is_some(),
            _ => true,
        }
    }

    /// A key in the migrations panel: its own table, then what it asks for.
    pub(super) fn migrations_key(&mut self, mut panel: Panel, key: &KeyEvent) -> Vec<Effect> {
        self.build_catalog();
        let page = self.height();
        let outcome = panel.key(key, &self.keymap, &self.checklists, page);
        match outcome {
            Outcome::Stay => {
                self.overlay = Some(Overlay::Migrations(panel));
                Vec::new()
            }
            Outcome::Close => Vec::new(),
            Outcome::Save {
                ops,
                switch_to,
                close,
            } => {
                if !close {
                    self.overlay = Some(Overlay::Migrations(panel));
                }
                self.pending_switch = switch_to;
                self.note_verifying_tick(&ops);
                vec![self.save(ops)]
            }
        }
    }

    /// Tab: sidebar → reader → checklist (when the guide has items) → sidebar.
    pub(super) fn cycle_focus(&mut self) {
        let has_tasks = !self.reader.doc.tasks.is_empty();
        self.focus = match self.focus {
            Focus::Sidebar => Focus::Reader,
            Focus::Reader if has_tasks => Focus::Checklist,
            Focus::Reader | Focus::Checklist => Focus::Sidebar,
        };
        match self.focus {
            Focus::Sidebar => self.sync_sidebar_to_reader(),
            Focus::Checklist if self.reader.task.is_none() => self.step_task(true, false),
            _ => {}
        }
        self.resize(self.size);
    }

    fn guide_id(&self) -> String {
        self.set
            .guides
            .get(self.reader.guide)
            .map(|g| g.id.clone())
            .unwrap_or_default()
    }

    /// Whether task `t` of the open guide shows ticked.
    pub fn task_done(&self, t: usize) -> bool {
        let default = self.reader.doc.tasks.get(t).is_some_and(|x| x.checked);
        let Some(guide) = self.set.guides.get(self.reader.guide) else {
            return default;
        };
        self.checklists.is_done(&guide.id, t, default)
    }

    /// Selects the next (or previous) item; with `open_only`, only unticked ones (`t`/`T`).
    pub(super) fn step_task(&mut self, forward: bool, open_only: bool) {
        let doc = Arc::clone(&self.reader.doc);
        if doc.tasks.is_empty() {
            self.set_status("no checklist items in this guide".into(), false);
            return;
        }
        self.build_catalog();
        let n = doc.tasks.len();
        let top_block = self
            .reader
            .layout
            .rows
            .get(self.reader.top)
            .map_or(0, |r| r.block() as usize);
        let wanted = |app: &App, t: usize| !open_only || !app.task_done(t);
        let next = if forward {
            let from = match self.reader.task {
                Some(t) => t as usize + 1,
                None => doc
                    .tasks
                    .iter()
                    .position(|x| x.block >= top_block)
                    .unwrap_or(n),
            };
            (from..n).find(|&t| wanted(self, t))
        } else {
            let to = match self.reader.task {
                Some(t) => t as usize,
                None => n,
            };
            (0..to).rev().find(|&t| wanted(self, t))
        };
        match next {
            Some(t) => {
                self.reader.task = Some(t as u32);
                if let Some(row) = self.reader.block_row(&self.theme, doc.tasks[t].block) {
                    self.reveal(row);
                }
                // The row shows the live state in short; the status bar says it in full.
                if doc.tasks[t].check.is_some() {
                    let state = self.code.state_text();
                    self.set_status(format!("scan: {state}"), false);
                }
            }
            None => self.no_more(if open_only { "open items" } else { "items" }, forward),
        }
    }

    /// Ticks or unticks the selected item in the active migration. Without a migration,
    /// asks for one first (named after the git branch by default).
    pub(super) fn toggle_selected_task(&mut self) -> Vec<Effect> {
        let Some(t) = self.reader.task else {
            let key = self
                .keymap
                .label(Action::NextTask)
                .unwrap_or_else(|| "t".into());
            self.set_status(
                format!("no item selected: press {key} for the next open item"),
                false,
            );
            return Vec::new();
        };
        self.build_catalog();
        let Some(item) = self.checklists.item(&self.guide_id(), t as usize).cloned() else {
            self.set_status("this item is not in the checklist catalog".into(), true);
            return Vec::new();
        };
        if let Some(why) = &self.checklists.read_only {
            let msg = format!("not saved: {why}");
            self.set_status(msg, true);
            return Vec::new();
        }
        match self.checklists.toggle_ops(&item) {
            Some(ops) => {
                self.pending_switch = None;
                self.note_verifying_tick(&ops);
                vec![self.save(ops)]
            }
            None if self
                .checklists
                .state
                .migration_names(&self.checklists.set_key)
                .is_empty() =>
            {
                let name = self.checklists.default_name.clone();
                self.overlay = Some(Overlay::Migrations(Panel::create_then_tick(&name, item)));
                Vec::new()
            }
            None => {
                self.overlay = Some(Overlay::Migrations(Panel::browse()));
                self.set_status(
                    "choose the migration to tick in, then press the key again".into(),
                    false,
                );
                vec![self.load_migrations()]
            }
        }
    }

    /// What the run loop reports after trying to save: the file's state on success
    /// (with other processes' ticks), or why nothing was saved.
    pub(crate) fn saved(&mut self, result: Result<Applied, String>) -> Vec<Effect> {
        let record_in = self.code.record_on_save.take();
        match result {
            Ok(applied) => {
                self.checklists.state = applied.state;
                // Switch first: the roll-up is of the active migration, and a first tick
                // that also created the migration must count in it.
                if let Some(switch) = self.pending_switch.take() {
                    self.checklists.migration = switch;
                }
                self.checklists.progress_stale = true;
                self.refresh_progress();
                // The first migration brings the gauge.
                self.resize(self.size);
                match applied.notices.first() {
                    Some(n) => self.set_status(n.clone(), true),
                    None => {
                        let summary = self.migration_summary().unwrap_or_else(|| "saved".into());
                        self.set_status(format!("saved: {summary}"), false);
                    }
                }
                match record_in {
                    Some(m) if applied.notices.is_empty() => self.ticked_with_scan(m),
                    _ => Vec::new(),
                }
            }
            Err(e) => {
                self.pending_switch = None;
                self.set_status(format!("not saved: {e}"), true);
                Vec::new()
            }
        }
    }

    /// What the run loop reports after reading the other migrations' ticks: anything the
    /// user should be told (a corrupt file set aside).
    pub(crate) fn loaded(&mut self, state: crate::checklist::State, notices: Vec<String>) {
        self.checklists.state = state;
        self.checklists.progress_stale = true;
        self.refresh_progress();
        if let Some(n) = notices.into_iter().next() {
            self.set_status(n, true);
        }
    }

    /// Works the progress roll-up out again when ticks or items changed.
    pub(super) fn refresh_progress(&mut self) {
        if !self.checklists.progress_stale {
            return;
        }
        self.checklists.progress_stale = false;
        let ids: Vec<&str> = self.set.guides.iter().map(|g| g.id.as_str()).collect();
        self.checklists.progress = super::checklist::ProgressCache::build(&self.checklists, &ids);
    }

    /// Asks the run loop to write checklist changes for this set.
    pub(super) fn save(&self, ops: Vec<crate::checklist::ops::Op>) -> Effect {
        Effect::Save {
            set_key: self.checklists.set_key.clone(),
            ops,
        }
    }

    /// Asks the run loop to read every migration's ticks of this set.
    pub(super) fn load_migrations(&self) -> Effect {
        Effect::LoadMigrations {
            set_key: self.checklists.set_key.clone(),
            state: Box::new(self.checklists.state.clone()),
        }
    }

    /// `auth-service 3/5`, for the status bar.
    pub fn migration_summary(&self) -> Option<String> {
        let m = self.checklists.migration.as_deref()?;
        let p = self.checklists.progress.overall()?;
        Some(format!("{m} {}/{}", p.done, p.total))
    }
}

/// Every checklist item of `set`, and each guide's [`GuideFacts`], one guide at a time:
/// documents already parsed (`parsed[g]`) are reused, the others parsed and let go as
/// soon as their items are taken, and a guide whose text the set does not hold is read
/// from its file and let go the same way, so a 10,000-guide set never holds more than one
/// extra guide.
pub fn catalog_of(
    set: &crate::content::GuideSet,
    parsed: &[Option<Arc<Doc>>],
) -> (Catalog, Vec<GuideFacts>) {
    let mut catalog = Catalog::default();
    let mut facts = Vec::with_capacity(set.guides.len());
    for g in 0..set.guides.len() {
        let guide = set.whole_or_held(g);
        let fresh;
        let doc = match parsed.get(g) {
            Some(Some(doc)) => doc.as_ref(),
            _ => {
                fresh = crate::doc::parse(&guide.body);
                &fresh
            }
        };
        catalog.push_guide(&guide.id, doc);
        facts.push(GuideFacts::of(&guide.body, doc));
    }
    (catalog, facts)
}
