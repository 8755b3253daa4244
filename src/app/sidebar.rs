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

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::layout::Rect;

    use super::*;
    use crate::content::GuideSet;
    use crate::keymap::Keymap;
    use crate::theme::{ColorMode, Theme};

    /// A docs tree: a README, two folders with a same-named guide in each.
    fn docs_tree() -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |f: &str, t: &str| {
            let path = dir.path().join(f);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(path, t).expect("write");
        };
        write("README.md", "# Start\n\nSee [auth](api/auth.md).\n");
        write("api/auth.md", "# Auth\n\ntext\n");
        write("api/closures.md", "# Closures in the API\n\ntext\n");
        write("book/closures.md", "# Closures in the book\n\ntext\n");
        write("book/intro.md", "# Intro\n\ntext\n");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
        app.update(crate::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
        (app, dir)
    }

    fn key(app: &mut App, code: KeyCode) {
        app.update(crate::app::Msg::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        )));
    }

    fn keys(app: &mut App, chars: &str) {
        for c in chars.chars() {
            key(app, KeyCode::Char(c));
        }
    }

    /// The sidebar as text: `name/` for folders, the guide's path, `#` for headings.
    fn rows(app: &App) -> Vec<String> {
        app.sidebar_entries()
            .iter()
            .map(|e| match *e {
                Entry::Folder(n) => match app.tree.node(n).map(|x| &x.kind) {
                    Some(NodeKind::Folder(name)) => format!("{name}/"),
                    _ => "?".into(),
                },
                Entry::Guide(g) => app.set.guides[g].rel_path.clone(),
                Entry::Heading(h) => format!("#{}", app.reader.doc.headings[h].text),
            })
            .collect()
    }

    fn selected(app: &App) -> String {
        rows(app)[app.sidebar_selected].clone()
    }

    #[test]
    fn folders_fold_and_unfold_with_the_tree_keys() {
        let (mut app, _dir) = docs_tree();
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Focus::Sidebar);
        assert_eq!(
            rows(&app),
            [
                "README.md",
                "#Start",
                "api/",
                "api/auth.md",
                "api/closures.md",
                "book/",
                "book/closures.md",
                "book/intro.md"
            ]
        );
        assert_eq!(selected(&app), "#Start", "the reader's place");
        keys(&mut app, "j");
        assert_eq!(selected(&app), "api/");
        // h folds; the selection stays on the folder.
        keys(&mut app, "h");
        assert_eq!(
            rows(&app),
            [
                "README.md",
                "#Start",
                "api/",
                "book/",
                "book/closures.md",
                "book/intro.md"
            ]
        );
        assert_eq!(selected(&app), "api/");
        // h on a folded top-level folder has no parent to go to.
        key(&mut app, KeyCode::Left);
        assert_eq!(selected(&app), "api/");
        // l unfolds, then steps into the folder.
        keys(&mut app, "l");
        assert_eq!(rows(&app).len(), 8);
        assert_eq!(selected(&app), "api/");
        key(&mut app, KeyCode::Right);
        assert_eq!(selected(&app), "api/auth.md");
        // h on a guide goes to its folder.
        keys(&mut app, "jh");
        assert_eq!(selected(&app), "api/");
        // Enter and Space on a folder row toggle it; neither opens anything.
        key(&mut app, KeyCode::Enter);
        assert_eq!(rows(&app).len(), 6);
        key(&mut app, KeyCode::Char(' '));
        assert_eq!(rows(&app).len(), 8);
        assert_eq!(app.reader.guide, 0);
        assert_eq!(selected(&app), "api/");
        // `-` folds every folder, `=` unfolds them all; the selection keeps its row's entry.
        keys(&mut app, "-");
        assert_eq!(rows(&app), ["README.md", "#Start", "api/", "book/"]);
        assert_eq!(selected(&app), "api/");
        keys(&mut app, "=");
        assert_eq!(rows(&app).len(), 8);
        // l on a guide opens it.
        keys(&mut app, "jjl");
        assert_eq!(app.set.guides[app.reader.guide].rel_path, "api/closures.md");
        assert_eq!(selected(&app), "#Closures in the API", "the reader's place");
    }

    #[test]
    fn the_open_guide_is_revealed_and_a_fold_over_it_selects_the_folder() {
        let (mut app, _dir) = docs_tree();
        key(&mut app, KeyCode::Tab);
        keys(&mut app, "-");
        assert_eq!(rows(&app), ["README.md", "#Start", "api/", "book/"]);
        // Opening a guide in a folded folder unfolds the folder.
        keys(&mut app, "nn");
        assert_eq!(app.set.guides[app.reader.guide].rel_path, "api/closures.md");
        assert_eq!(
            rows(&app),
            [
                "README.md",
                "api/",
                "api/auth.md",
                "api/closures.md",
                "#Closures in the API",
                "book/"
            ]
        );
        assert_eq!(selected(&app), "#Closures in the API");
        // Folding the folder of the open guide hides its outline; the folder is selected.
        keys(&mut app, "h");
        assert_eq!(selected(&app), "api/closures.md");
        keys(&mut app, "h");
        assert_eq!(selected(&app), "api/");
        keys(&mut app, "h");
        assert_eq!(rows(&app), ["README.md", "api/", "book/"]);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Char('j'));
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Focus::Sidebar);
        assert_eq!(selected(&app), "api/", "the folder holding the open guide");
    }

    #[test]
    fn outside_the_sidebar_l_still_selects_links_and_h_says_where_folding_works() {
        let (mut app, _dir) = docs_tree();
        assert_eq!(app.focus, Focus::Reader);
        keys(&mut app, "l");
        assert!(app.reader.link.is_some(), "l selects the link");
        assert_eq!(app.tree.visible_len(), 7, "nothing folded");
        keys(&mut app, "h");
        let status = app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        assert!(status.contains("sidebar"), "{status}");
        assert_eq!(app.tree.visible_len(), 7);
    }

    #[test]
    fn a_flat_set_has_no_folder_rows_and_h_moves_nowhere() {
        let mut app = App::new(
            GuideSet::bundled(),
            Theme::for_mode(ColorMode::None),
            Keymap::default(),
        );
        app.update(crate::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
        key(&mut app, KeyCode::Tab);
        let before = app.sidebar_entries();
        assert!(before.iter().all(|e| !matches!(e, Entry::Folder(_))));
        let guides = before
            .iter()
            .filter(|e| matches!(e, Entry::Guide(_)))
            .count();
        assert_eq!(guides, app.set.guides.len());
        keys(&mut app, "h-");
        assert_eq!(app.sidebar_entries(), before);
        assert_eq!(app.sidebar_selected, 0);
    }

    #[test]
    fn a_rescan_keeps_folds_and_the_selected_folder() {
        let (mut app, dir) = docs_tree();
        key(&mut app, KeyCode::Tab);
        // Fold `book`, then select `api`.
        keys(&mut app, "jjjjh");
        assert_eq!(selected(&app), "book/");
        keys(&mut app, "kkk");
        assert_eq!(selected(&app), "api/");
        std::fs::write(dir.path().join("0-first.md"), "# First\n").expect("write");
        std::fs::write(dir.path().join("book/later.md"), "# Later\n").expect("write");
        let rescan = app.set.rescan().expect("walks").expect("a change");
        app.update(crate::app::Msg::Rescanned {
            result: Ok(Some(Box::new(rescan))),
            took: std::time::Duration::ZERO,
        });
        assert_eq!(
            rows(&app),
            [
                "README.md",
                "#Start",
                "0-first.md",
                "api/",
                "api/auth.md",
                "api/closures.md",
                "book/"
            ]
        );
        assert_eq!(selected(&app), "api/");
        assert_eq!(app.set.guides[app.reader.guide].rel_path, "README.md");
    }

    #[test]
    fn the_window_matches_the_whole_list_with_folders_folded() {
        let (mut app, _dir) = docs_tree();
        app.open(2, None);
        let book = app.tree.node_by_key("dir:book").expect("book");
        app.tree.set_folded(book, true);
        let all = app.sidebar_entries();
        assert_eq!(all.len(), app.sidebar_len());
        for first in 0..all.len() {
            for count in [1, 3, 100] {
                let end = all.len().min(first + count);
                assert_eq!(app.sidebar_window(first, count), all[first..end]);
            }
        }
        for (row, entry) in all.iter().enumerate() {
            assert_eq!(app.sidebar_row(*entry), Some(row), "{entry:?}");
        }
    }
}
