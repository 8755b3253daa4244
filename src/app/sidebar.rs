//! The sidebar's rows and what its keys do: the guide tree (folders, or an mdBook's parts
//! and chapters) with the open guide's outline unfolded beneath it, a selection, and
//! folding as in the file trees of helix, lazygit or yazi.

use super::tree::NodeKind;
use super::{Action, App, Entry, Focus, list};

impl App {
    /// The open guide's outline as the sidebar lists it: three levels deep, not counting
    /// a lone H1, which is the guide's title.
    fn outline(&self) -> Vec<usize> {
        let top = self.outline_top_level();
        self.reader
            .doc
            .headings
            .iter()
            .enumerate()
            .filter(|(_, h)| h.level >= top && h.level < top + 3)
            .map(|(i, _)| i)
            .collect()
    }

    /// The shallowest heading level shown in the outline.
    pub fn outline_top_level(&self) -> u8 {
        let h1s = self
            .reader
            .doc
            .headings
            .iter()
            .filter(|h| h.level == 1)
            .count();
        let has_deeper = self.reader.doc.headings.iter().any(|h| h.level > 1);
        if h1s == 1 && has_deeper { 2 } else { 1 }
    }

    /// The tree row of the open guide, when no folded node hides it.
    fn open_row(&self) -> Option<usize> {
        self.tree
            .node_of_guide(self.reader.guide)
            .and_then(|n| self.tree.row_of(n))
    }

    /// How many rows the sidebar has.
    pub fn sidebar_len(&self) -> usize {
        let outline = if self.open_row().is_some() {
            self.outline().len()
        } else {
            0
        };
        self.tree.visible_len() + outline
    }

    /// The sidebar's rows: the tree as folded, with the outline of the open guide
    /// unfolded beneath it.
    pub fn sidebar_entries(&self) -> Vec<Entry> {
        self.sidebar_window(0, usize::MAX)
    }

    /// `count` sidebar rows from row `first`, without listing the rest: the open guide's
    /// outline sits right after it, so every row is found by arithmetic.
    pub fn sidebar_window(&self, first: usize, count: usize) -> Vec<Entry> {
        let outline = self.outline();
        let open = self.open_row();
        let shown = if open.is_some() { outline.len() } else { 0 };
        let len = self.tree.visible_len() + shown;
        (first..len.min(first.saturating_add(count)))
            .filter_map(|row| match open {
                Some(o) if row > o && row <= o + shown => {
                    outline.get(row - o - 1).map(|&h| Entry::Heading(h))
                }
                Some(o) if row > o + shown => self.node_entry(row - shown),
                _ => self.node_entry(row),
            })
            .collect()
    }

    /// The entry of the tree's visible row `row`.
    fn node_entry(&self, row: usize) -> Option<Entry> {
        let node = self.tree.visible_node(row)?;
        Some(match self.tree.node(node)?.kind {
            NodeKind::Guide(g) => Entry::Guide(g),
            NodeKind::Folder(_) | NodeKind::Part(_) => Entry::Folder(node),
        })
    }

    /// The tree node an entry stands for (a heading: the open guide's).
    fn entry_node(&self, entry: Entry) -> Option<usize> {
        match entry {
            Entry::Guide(g) => self.tree.node_of_guide(g),
            Entry::Heading(_) => self.tree.node_of_guide(self.reader.guide),
            Entry::Folder(n) => Some(n),
        }
    }

    /// The row `entry` is shown at, when it is on screen.
    fn sidebar_row(&self, entry: Entry) -> Option<usize> {
        let open = self.open_row();
        if let Entry::Heading(h) = entry {
            let o = open?;
            return self
                .outline()
                .iter()
                .position(|&x| x == h)
                .map(|i| o + 1 + i);
        }
        let row = self.tree.row_of(self.entry_node(entry)?)?;
        match open {
            Some(o) if row > o => Some(row + self.outline().len()),
            _ => Some(row),
        }
    }

    /// The row of `node`, or of its closest ancestor on screen.
    fn nearest_row(&self, node: usize) -> Option<usize> {
        let shown = self.tree.nearest_visible(node)?;
        match self.tree.node(shown)?.kind {
            NodeKind::Guide(g) => self.sidebar_row(Entry::Guide(g)),
            _ => self.sidebar_row(Entry::Folder(shown)),
        }
    }

    /// The row of `entry`, or of the folded folder that hides it.
    pub(super) fn sidebar_row_or_folder(&self, entry: Entry) -> Option<usize> {
        self.sidebar_row(entry)
            .or_else(|| self.nearest_row(self.entry_node(entry)?))
    }

    pub(super) fn selected_entry(&self) -> Option<Entry> {
        self.sidebar_window(self.sidebar_selected, 1)
            .first()
            .copied()
    }

    /// First sidebar row shown, so the selection stays on screen (the one list rule).
    pub fn sidebar_offset(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        list::first_visible(self.sidebar_selected, height, |_| 1)
    }

    pub(super) fn move_sidebar(&mut self, delta: isize) {
        self.sidebar_selected = list::step(self.sidebar_selected, delta, self.sidebar_len());
    }

    /// Selects what the reader shows: the current section, else the open guide, else the
    /// folded folder it is in.
    pub(super) fn sync_sidebar_to_reader(&mut self) {
        let open = Entry::Guide(self.reader.guide);
        self.sidebar_selected = self
            .current_heading()
            .and_then(|h| self.sidebar_row(Entry::Heading(h)))
            .or_else(|| self.sidebar_row(open))
            .or_else(|| self.nearest_row(self.entry_node(open)?))
            .unwrap_or(0);
    }

    /// `Enter` on a sidebar row: a guide or heading opens, a folder folds or unfolds.
    pub(super) fn open_sidebar_entry(&mut self) {
        let entry = self.selected_entry();
        match entry {
            Some(Entry::Guide(g)) => self.open(g, None),
            Some(Entry::Heading(h)) => self.jump_within(h),
            Some(Entry::Folder(_)) => {
                self.toggle_selected_fold();
                return;
            }
            None => return,
        }
        // On a narrow terminal the sidebar took the whole screen: show what was opened.
        if self.areas.reader.width == 0 {
            self.focus = Focus::Reader;
            self.resize(self.size);
        }
    }

    /// Whether the selected sidebar row is a folder or part (which `Space` folds).
    pub(super) fn folder_selected(&self) -> bool {
        self.focus == Focus::Sidebar && matches!(self.selected_entry(), Some(Entry::Folder(_)))
    }

    /// Folds the selected node when it is unfolded, else unfolds it.
    pub(super) fn toggle_selected_fold(&mut self) {
        if let Some(node) = self.selected_entry().and_then(|e| self.entry_node(e)) {
            let folded = self.tree.is_folded(node);
            self.tree.set_folded(node, !folded);
        }
    }

    /// `h` / `←`: folds the selected node; on one already folded (or with nothing to
    /// fold), goes to its parent. On a heading, goes to the heading above it in the
    /// outline, then to the guide.
    pub(super) fn fold_selected(&mut self) {
        let Some(entry) = self.selected_entry() else {
            return;
        };
        if let Entry::Heading(h) = entry {
            let outline = self.outline();
            let level = self.reader.doc.headings.get(h).map_or(0, |x| x.level);
            let parent = outline
                .iter()
                .take_while(|&&x| x != h)
                .filter(|&&x| {
                    self.reader
                        .doc
                        .headings
                        .get(x)
                        .is_some_and(|p| p.level < level)
                })
                .last()
                .map(|&x| Entry::Heading(x))
                .unwrap_or(Entry::Guide(self.reader.guide));
            if let Some(row) = self.sidebar_row(parent) {
                self.sidebar_selected = row;
            }
            return;
        }
        let Some(node) = self.entry_node(entry) else {
            return;
        };
        if self.tree.set_folded(node, true) {
            return;
        }
        let parent = self.tree.node(node).and_then(|n| n.parent);
        if let Some(row) = parent.and_then(|p| self.nearest_row(p)) {
            self.sidebar_selected = row;
        }
    }

    /// `l` / `→`: unfolds the selected node; on a folder already unfolded, goes to its
    /// first entry; on a guide or heading, opens it.
    pub(super) fn unfold_selected(&mut self) {
        let Some(entry) = self.selected_entry() else {
            return;
        };
        let node = self.entry_node(entry);
        if !matches!(entry, Entry::Heading(_))
            && let Some(node) = node
            && self.tree.set_folded(node, false)
        {
            return;
        }
        match entry {
            Entry::Folder(_) => self.move_sidebar(1),
            Entry::Guide(_) | Entry::Heading(_) => self.open_sidebar_entry(),
        }
    }

    /// Folds or unfolds every node; the selection stays on its entry, or on the folder
    /// that now holds it.
    pub(super) fn fold_all(&mut self, folded: bool) {
        let before = self.selected_entry();
        self.tree.set_all_folded(folded);
        let row = before.and_then(|e| self.sidebar_row_or_folder(e));
        match row {
            Some(r) => self.sidebar_selected = r,
            None => self.sync_sidebar_to_reader(),
        }
        if self.tree.is_flat() {
            self.set_status(
                "nothing to fold: this guide set has no folders".into(),
                false,
            );
        }
    }

    /// Folding keys pressed outside the sidebar: say where they work.
    pub(super) fn fold_hint(&mut self) {
        let key = self
            .keymap
            .label(Action::FocusNext)
            .unwrap_or_else(|| "Tab".into());
        self.set_status(
            format!("folding works in the sidebar: {key} moves the focus there"),
            false,
        );
    }
}
