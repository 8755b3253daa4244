//! The set's folder changed shape: guides added, removed or renamed. The new set replaces
//! the old one and everything kept by guide index is carried over to the new indices.

use std::collections::{HashMap, HashSet};

use super::{App, Entry, Focus, Location};
use std::sync::Arc;

use crate::content::{GuideSet, Rescan};

/// A sidebar selection by what it shows rather than by row.
enum Selected {
    /// A folder or part, by its key in the tree.
    Node(String),
    /// A guide, by its index in the new set.
    Guide(usize),
    Heading(usize),
}

impl App {
    /// Takes the rescanned set. The open guide stays open where it moved to; a guide
    /// removed while open gives way to the first guide (as a browser tab whose file went
    /// away would show an error, the status bar says which one went).
    pub(crate) fn rescanned(&mut self, rescan: Rescan) {
        let Rescan { set, mut moved } = rescan;
        if set.guides.is_empty() {
            self.set_status(
                "every guide of the folder is gone; showing the last ones read".into(),
                true,
            );
            return;
        }
        self.rules_may_have_changed();
        moved.resize(self.set.guides.len(), None);
        let renamed = follow_renames(&self.set.guides, &set.guides, &mut moved);
        let kept: HashSet<usize> = moved.iter().flatten().copied().collect();
        let added = set.guides.len() - kept.len();
        let removed = moved.iter().filter(|m| m.is_none()).count();

        let open = self.reader.guide;
        let gone = self
            .set
            .guides
            .get(open)
            .map(|g| g.rel_path.clone())
            .filter(|_| moved.get(open).copied().flatten().is_none());
        // A parsed document is kept only when its text is the same.
        let mut docs = vec![None; set.guides.len()];
        let mut facts = vec![None; set.guides.len()];
        for (old, new) in moved.iter().enumerate() {
            if let Some(new) = *new
                && let (Some(a), Some(b)) = (self.set.guides.get(old), set.guides.get(new))
                && same_text(a, b)
            {
                docs[new] = self.docs.get(old).cloned().flatten();
                facts[new] = self.facts.get(old).cloned().flatten();
            }
        }
        self.facts = facts;
        let at = |g: usize| moved.get(g).copied().flatten();
        self.history.remap(|l| {
            at(l.guide).map(|guide| Location {
                guide,
                block: l.block,
            })
        });
        self.seen = std::mem::take(&mut self.seen)
            .into_iter()
            .filter_map(|((g, h), t)| Some(((at(g)?, h), t)))
            .collect::<HashMap<_, _>>();
        // What the sidebar had selected, to find again in the new tree.
        let selected = match self.selected_entry() {
            Some(Entry::Folder(n)) => self.tree.key(n).map(|k| Selected::Node(k.to_string())),
            Some(Entry::Guide(g)) => at(g).map(Selected::Guide),
            Some(Entry::Heading(h)) => Some(Selected::Heading(h)),
            None => None,
        };
        let mut set = set;
        if let Some(new) = at(open) {
            self.carry_open_text(&mut set, new);
        }
        self.set = Arc::new(set);
        self.docs = docs;
        // Folds are kept by name, so they outlast the guides moving about.
        self.tree.rebuild(&self.set.guides);
        // Highlights and the search index are keyed by guide index: asked for again.
        self.highlights = Default::default();
        self.submitted_highlights = (usize::MAX, Vec::new());
        self.indexes = None;
        self.index_requested = false;
        self.reindex = false;
        // Guides came and went: the catalog is built again, elsewhere.
        self.forget_catalog();

        let mut same_doc = false;
        match at(open) {
            Some(new) => {
                let same = self.docs.get(new).is_some_and(Option::is_some);
                same_doc = same || self.reader.partial;
                self.reader.guide = new;
                if !same && !self.reader.partial {
                    self.guide_changed(new);
                }
            }
            None => {
                // `show` opens a guide only when it differs from the open one.
                self.reader.guide = usize::MAX;
                self.show(0);
            }
        }
        self.sync_sidebar_to_reader();
        // A selection moved about the sidebar stays where it was; the reader's place is
        // what the sidebar shows otherwise.
        if self.focus == Focus::Sidebar {
            let entry = match selected {
                Some(Selected::Node(key)) => self.tree.node_by_key(&key).map(Entry::Folder),
                Some(Selected::Guide(g)) => Some(Entry::Guide(g)),
                Some(Selected::Heading(h)) if same_doc && at(open).is_some() => {
                    Some(Entry::Heading(h))
                }
                Some(Selected::Heading(_)) | None => None,
            };
            if let Some(row) = entry.and_then(|e| self.sidebar_row_or_folder(e)) {
                self.sidebar_selected = row;
            }
        }

        let mut parts = Vec::new();
        for (n, what) in [(renamed, "renamed"), (added, "added"), (removed, "removed")] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        if let Some(first) = parts.first_mut() {
            let noun = if first.starts_with("1 ") {
                "guide"
            } else {
                "guides"
            };
            *first = first.replacen(' ', &format!(" {noun} "), 1);
        }
        let mut text = parts.join(", ");
        if let Some(path) = gone {
            text = format!("{path} was removed; showing the first guide ({text})");
        }
        // Nothing to say when the same guides came back in another order (titles read
        // whole after a start from the files' heads).
        if !text.is_empty() {
            self.set_status(text, false);
        }
    }
}

impl App {
    /// The whole set, read in the background after a start from the files' heads. The
    /// usual case (the same files) swaps the texts in without a visible change; guides
    /// added, removed or renamed meanwhile are taken as a rescan.
    pub(crate) fn set_read(&mut self, result: Result<Box<GuideSet>, String>) {
        self.set_read_out = false;
        self.partial_set = false;
        let set = match result {
            Ok(set) => set,
            Err(e) => {
                // Guides are read as they are opened; the rest stay untitled bodies.
                self.set_status(format!("reading the guides failed: {e}"), true);
                return;
            }
        };
        let same_files = set.guides.len() == self.set.guides.len()
            && set
                .guides
                .iter()
                .zip(&self.set.guides)
                .all(|(a, b)| a.rel_path == b.rel_path && a.draft == b.draft);
        if !same_files {
            let moved = self
                .set
                .guides
                .iter()
                .map(|old| {
                    set.guides
                        .iter()
                        .position(|g| g.rel_path == old.rel_path && g.draft == old.draft)
                })
                .collect();
            self.rescanned(Rescan { set: *set, moved });
            return;
        }
        // The new set holds no texts. Guides read whole already (the one on screen, those
        // opened since) keep their documents unless the file changed in between; the open
        // one keeps its text.
        let mut set = *set;
        let open = self.reader.guide;
        let mut changed = Vec::new();
        for (g, (old, new)) in self.set.guides.iter().zip(&set.guides).enumerate() {
            if old.pending {
                continue;
            }
            if !same_text(old, new) {
                changed.push(g);
            }
        }
        if !changed.contains(&open) {
            self.carry_open_text(&mut set, open);
        }
        let notices: Vec<String> = self
            .set
            .guides
            .iter()
            .zip(&set.guides)
            .filter(|(old, _)| old.pending)
            .flat_map(|(_, new)| new.notices.iter().cloned())
            .collect();
        self.set = Arc::new(set);
        for g in changed {
            self.guide_changed(g);
        }
        if let Some(first) = notices.first() {
            self.set_status(first.clone(), true);
        }
    }
}

impl App {
    /// The open guide's text, held now, put into `set` (about to replace the set) at
    /// `new`, where that guide's text is the same but not held: taken rather than read
    /// again or copied, unless background work shares the set.
    fn carry_open_text(&mut self, set: &mut GuideSet, new: usize) {
        let open = self.reader.guide;
        let carry = match (self.set.guides.get(open), set.guides.get(new)) {
            (Some(a), Some(b)) => !a.pending && b.pending && same_text(a, b),
            _ => false,
        };
        if !carry {
            return;
        }
        let body = match Arc::get_mut(&mut self.set) {
            Some(old) => std::mem::take(&mut old.guides[open].body),
            None => self.set.guides[open].body.clone(),
        };
        let slot = &mut set.guides[new];
        slot.body = body;
        slot.pending = false;
    }
}

/// Pairs each removed guide with an added one of the same text: a rename (or a move to
/// another folder). Marks them in `moved` and returns how many were paired.
fn follow_renames(
    old: &[crate::content::Guide],
    new: &[crate::content::Guide],
    moved: &mut [Option<usize>],
) -> usize {
    let kept: HashSet<usize> = moved.iter().flatten().copied().collect();
    let mut added: Vec<usize> = (0..new.len()).filter(|i| !kept.contains(i)).collect();
    let mut renamed = 0;
    for (o, slot) in moved.iter_mut().enumerate() {
        if slot.is_some() || old[o].draft {
            continue;
        }
        if let Some(k) = added.iter().position(|&n| same_text(&new[n], &old[o])) {
            *slot = Some(added.remove(k));
            renamed += 1;
        }
    }
    renamed
}

/// Whether two readings of a guide's file have the same text: compared when both texts
/// are held; otherwise (a text let go, or only a head read) by the file's modification
/// time, which a rename or a move keeps, and what the head gives (title, where the body
/// starts).
fn same_text(a: &crate::content::Guide, b: &crate::content::Guide) -> bool {
    if !a.pending && !b.pending {
        return a.body == b.body;
    }
    a.modified.is_some()
        && a.modified == b.modified
        && a.title == b.title
        && a.body_line == b.body_line
}
