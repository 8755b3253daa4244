//! The sidebar's tree of guides: folders of a docs tree, or the parts and chapters of an
//! mdBook, each a node that folds.
//!
//! Built once per guide set (at start and after a rescan) as a flat pre-order list, so a
//! node's descendants are the nodes right after it. What is on screen is the list of
//! visible nodes, worked out again only when a fold changes: a frame reads a slice of it
//! and costs the same for 10 guides or 10,000.
//!
//! Fold state is kept by name (a folder's path, a part's title, a chapter's file), not by
//! position, so it survives guides being added, removed or renamed. It lasts for the
//! session; nothing is written to disk.

use std::collections::{HashMap, HashSet};

use crate::content::Guide;

/// What a node of the tree stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A folder of a docs tree, by its own name (`api`, not `docs/api`).
    Folder(String),
    /// An mdBook part title (`# Getting started` in `SUMMARY.md`).
    Part(String),
    /// A guide, by its index in the set; an mdBook chapter may have sub-chapters.
    Guide(usize),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    /// How many nodes it is nested under.
    pub depth: usize,
    pub parent: Option<usize>,
    /// One past its last descendant: its descendants are `self + 1 .. end`.
    end: usize,
    /// The name fold state is kept under (empty for guides outside a book's summary,
    /// which never have children).
    key: String,
    folded: bool,
}

impl Node {
    pub fn has_children(&self, index: usize) -> bool {
        self.end > index + 1
    }
}

/// Marks a node that is not on screen in [`GuideTree::row_of`].
const HIDDEN: usize = usize::MAX;

#[derive(Debug, Clone, Default)]
pub struct GuideTree {
    nodes: Vec<Node>,
    /// For each guide of the set, its node.
    node_of_guide: Vec<usize>,
    /// Keys of the folded nodes; kept when the tree is built again.
    folded: HashSet<String>,
    /// The nodes on screen, in order: every node whose ancestors are all unfolded.
    visible: Vec<usize>,
    /// For each node, its row in `visible`, or [`HIDDEN`].
    row_of: Vec<usize>,
}

impl GuideTree {
    pub fn build(guides: &[Guide]) -> GuideTree {
        let mut tree = GuideTree::default();
        tree.rebuild(guides);
        tree
    }

    /// Builds the tree for a new set of guides, keeping what was folded.
    pub fn rebuild(&mut self, guides: &[Guide]) {
        let (nodes, node_of_guide) = build_nodes(guides);
        self.nodes = nodes;
        self.node_of_guide = node_of_guide;
        // Nothing folded (as at start): nothing to look up.
        if !self.folded.is_empty() {
            // Names no longer in the tree are forgotten, so the set cannot grow without end.
            let present: HashSet<&str> = self
                .nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| n.has_children(*i))
                .map(|(_, n)| n.key.as_str())
                .collect();
            self.folded.retain(|k| present.contains(k.as_str()));
            for (i, node) in self.nodes.iter_mut().enumerate() {
                node.folded = node.end > i + 1 && self.folded.contains(&node.key);
            }
        }
        self.refresh();
    }

    pub fn node(&self, index: usize) -> Option<&Node> {
        self.nodes.get(index)
    }

    pub fn node_of_guide(&self, guide: usize) -> Option<usize> {
        self.node_of_guide.get(guide).copied()
    }

    /// Rows on screen (before the open guide's outline is added).
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The node shown at `row`.
    pub fn visible_node(&self, row: usize) -> Option<usize> {
        self.visible.get(row).copied()
    }

    /// The row `node` is shown at, when it is on screen.
    pub fn row_of(&self, node: usize) -> Option<usize> {
        self.row_of.get(node).copied().filter(|&r| r != HIDDEN)
    }

    pub fn has_children(&self, node: usize) -> bool {
        self.nodes.get(node).is_some_and(|n| n.has_children(node))
    }

    pub fn is_folded(&self, node: usize) -> bool {
        self.nodes.get(node).is_some_and(|n| n.folded)
    }

    /// True when no node has children: a flat set, drawn as a plain list.
    pub fn is_flat(&self) -> bool {
        self.nodes
            .iter()
            .enumerate()
            .all(|(i, n)| !n.has_children(i))
    }

    /// Folds or unfolds a node with children; true when that changed anything.
    pub fn set_folded(&mut self, node: usize, folded: bool) -> bool {
        if !self.has_children(node) || self.nodes[node].folded == folded {
            return false;
        }
        self.mark(node, folded);
        self.refresh();
        true
    }

    /// Folds (or unfolds) every node with children.
    pub fn set_all_folded(&mut self, folded: bool) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].has_children(i) {
                self.mark(i, folded);
            }
        }
        self.refresh();
    }

    /// Unfolds every ancestor of `node`, so it is on screen; true when one was folded.
    pub fn reveal(&mut self, node: usize) -> bool {
        let mut changed = false;
        let mut at = self.nodes.get(node).and_then(|n| n.parent);
        while let Some(p) = at {
            if self.nodes[p].folded {
                self.mark(p, false);
                changed = true;
            }
            at = self.nodes[p].parent;
        }
        if changed {
            self.refresh();
        }
        changed
    }

    /// `node` when it is on screen, else its closest ancestor that is.
    pub fn nearest_visible(&self, node: usize) -> Option<usize> {
        let mut at = Some(node);
        while let Some(n) = at {
            if self.row_of(n).is_some() {
                return Some(n);
            }
            at = self.nodes.get(n).and_then(|x| x.parent);
        }
        None
    }

    /// The node whose fold state is kept under `key` (after a rebuild, to find it again).
    pub fn node_by_key(&self, key: &str) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        self.nodes.iter().position(|n| n.key == key)
    }

    pub fn key(&self, node: usize) -> Option<&str> {
        self.nodes.get(node).map(|n| n.key.as_str())
    }

    fn mark(&mut self, node: usize, folded: bool) {
        let n = &mut self.nodes[node];
        n.folded = folded;
        if folded {
            self.folded.insert(n.key.clone());
        } else {
            self.folded.remove(&n.key);
        }
    }

    /// Works out the visible rows again: one pass, skipping folded subtrees whole.
    fn refresh(&mut self) {
        self.visible.clear();
        self.row_of.clear();
        self.row_of.resize(self.nodes.len(), HIDDEN);
        let mut i = 0;
        while i < self.nodes.len() {
            self.row_of[i] = self.visible.len();
            self.visible.push(i);
            i = if self.nodes[i].folded {
                self.nodes[i].end
            } else {
                i + 1
            };
        }
    }
}

/// A node while the tree is put together, before it is laid out in pre-order.
struct Draft {
    kind: NodeKind,
    key: String,
}

/// The nodes so far and who holds whom.
#[derive(Default)]
struct Builder {
    drafts: Vec<Draft>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// Folders and parts by key, each made once.
    groups: HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, parent: Option<usize>, kind: NodeKind, key: String) -> usize {
        let id = self.drafts.len();
        self.drafts.push(Draft { kind, key });
        self.children.push(Vec::new());
        match parent {
            Some(p) => self.children[p].push(id),
            None => self.roots.push(id),
        }
        id
    }

    /// The folder or part under `key`, made under `parent` the first time it is asked for.
    fn group(
        &mut self,
        parent: Option<usize>,
        key: String,
        kind: impl FnOnce() -> NodeKind,
    ) -> usize {
        if let Some(&id) = self.groups.get(&key) {
            return id;
        }
        let id = self.add(parent, kind(), key.clone());
        self.groups.insert(key, id);
        id
    }

    /// The nodes in pre-order with their depths and extents, without recursion: a
    /// hostile tree may be thousands of folders deep. Returns the node of each draft too.
    fn finish(self) -> (Vec<Node>, Vec<usize>) {
        let Builder {
            drafts,
            children,
            roots,
            ..
        } = self;
        let mut node_of_draft = vec![0usize; drafts.len()];
        let mut items: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
        let mut nodes: Vec<Node> = Vec::with_capacity(items.len());
        // (draft, parent node, depth); `None` closes the node on top of `open`.
        let mut stack: Vec<Option<(usize, Option<usize>, usize)>> =
            roots.iter().rev().map(|&r| Some((r, None, 0))).collect();
        let mut open: Vec<usize> = Vec::new();
        while let Some(item) = stack.pop() {
            let Some((draft, parent, depth)) = item else {
                if let Some(n) = open.pop() {
                    nodes[n].end = nodes.len();
                }
                continue;
            };
            let Some(Draft { kind, key }) = items.get_mut(draft).and_then(Option::take) else {
                continue;
            };
            let index = nodes.len();
            nodes.push(Node {
                kind,
                depth,
                parent,
                end: index + 1,
                key,
                folded: false,
            });
            node_of_draft[draft] = index;
            open.push(index);
            stack.push(None);
            for &child in children[draft].iter().rev() {
                stack.push(Some((child, Some(index), depth + 1)));
            }
        }
        (nodes, node_of_draft)
    }
}

/// The tree in pre-order, and each guide's node.
///
/// A guide named in an mdBook's `SUMMARY.md` sits under its part (numbered chapters only:
/// prefix and suffix chapters stand alone, as mdBook draws them) and under the chapter
/// one level up. Any other guide sits under its folders. Children keep reading order, and
/// a folder comes where its first guide does, so a front-matter `order` that pulls one
/// guide of a folder forward brings its folder along.
fn build_nodes(guides: &[Guide]) -> (Vec<Node>, Vec<usize>) {
    let mut b = Builder::default();
    let mut draft_of_guide = Vec::with_capacity(guides.len());
    // Chapters of the current part that may still get sub-chapters: (level, draft).
    let mut chapters: Vec<(u8, usize)> = Vec::new();
    let mut chapters_part: Option<Option<String>> = None;
    // The folder of the last guide placed by folder, and its folders' drafts, outermost
    // first.
    let mut last_folder = "";
    let mut chain: Vec<usize> = Vec::new();
    for (g, guide) in guides.iter().enumerate() {
        let parent = if guide.toc_position.is_some() {
            let part = guide.part.clone().filter(|_| guide.number.is_some());
            if chapters_part.as_ref() != Some(&part) {
                chapters.clear();
                chapters_part = Some(part.clone());
            }
            let container =
                part.map(|title| b.group(None, format!("part:{title}"), || NodeKind::Part(title)));
            while chapters.last().is_some_and(|(l, _)| *l >= guide.level) {
                chapters.pop();
            }
            chapters.last().map(|(_, id)| *id).or(container)
        } else {
            let folder = guide.folder();
            // The folders this guide shares with the one before are already known: only
            // the rest is looked up, so a tree 1,500 folders deep with a guide on each
            // level costs a pass over each path rather than a key per level per guide.
            let (shared, start) = shared_folders(last_folder, folder);
            chain.truncate(shared);
            let mut end = start;
            for name in folder
                .get(start..)
                .unwrap_or("")
                .split('/')
                .filter(|n| !n.is_empty())
            {
                end += name.len();
                let key = format!("dir:{}", &folder[..end]);
                end += 1;
                let parent = chain.last().copied();
                chain.push(b.group(parent, key, || NodeKind::Folder(name.to_string())));
            }
            last_folder = folder;
            chain.last().copied()
        };
        // Only a chapter can have children, so only a chapter needs a name to fold by.
        let key = match guide.toc_position {
            None => String::new(),
            Some(_) if guide.draft => format!("draft:{}", guide.title),
            Some(_) => format!("guide:{}", guide.rel_path),
        };
        let id = b.add(parent, NodeKind::Guide(g), key);
        if guide.toc_position.is_some() {
            chapters.push((guide.level, id));
        }
        draft_of_guide.push(id);
    }
    let (nodes, node_of_draft) = b.finish();
    let node_of_guide = draft_of_guide.iter().map(|&d| node_of_draft[d]).collect();
    (nodes, node_of_guide)
}

/// The leading folders two `/`-separated folder paths have in common: how many, and
/// where the rest of `b` starts. One pass over the bytes: splitting both paths for every
/// guide was most of the cost of a deep tree.
fn shared_folders(a: &str, b: &str) -> (usize, usize) {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let same = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    let whole = |s: &[u8]| s.get(same).is_none_or(|&c| c == b'/');
    let end = if same > 0 && whole(x) && whole(y) {
        same
    } else {
        // Back to the last whole folder name both share (`/` is never inside a character).
        match x[..same].iter().rposition(|&c| c == b'/') {
            Some(slash) => slash,
            None => return (0, 0),
        }
    };
    let count = x[..end].iter().filter(|&&c| c == b'/').count() + 1;
    (count, end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{GuideSet, guide_from_bytes};

    fn guides(paths: &[&str]) -> Vec<Guide> {
        paths
            .iter()
            .map(|p| guide_from_bytes(p, format!("# {p}\n").as_bytes()))
            .collect()
    }

    /// Each visible row as `depth:label`, folders ending in `/`.
    fn rows(tree: &GuideTree, guides: &[Guide]) -> Vec<String> {
        (0..tree.visible_len())
            .filter_map(|r| tree.visible_node(r))
            .map(|n| {
                let node = tree.node(n).expect("node");
                let label = match &node.kind {
                    NodeKind::Folder(name) => format!("{name}/"),
                    NodeKind::Part(title) => format!("[{title}]"),
                    NodeKind::Guide(g) => guides[*g].title.clone(),
                };
                format!("{}:{label}", node.depth)
            })
            .collect()
    }

    #[test]
    fn a_flat_set_is_a_plain_list() {
        let g = guides(&["a.md", "b.md", "c.md"]);
        let tree = GuideTree::build(&g);
        assert!(tree.is_flat());
        assert_eq!(rows(&tree, &g), ["0:a.md", "0:b.md", "0:c.md"]);
        assert_eq!(tree.node_of_guide(2), Some(2));
    }

    #[test]
    fn a_docs_tree_groups_guides_under_their_folders() {
        let g = guides(&[
            "README.md",
            "api/README.md",
            "api/auth/closures.md",
            "book/closures.md",
            "book/intro.md",
        ]);
        let mut tree = GuideTree::build(&g);
        assert!(!tree.is_flat());
        assert_eq!(
            rows(&tree, &g),
            [
                "0:README.md",
                "0:api/",
                "1:api/README.md",
                "1:auth/",
                "2:api/auth/closures.md",
                "0:book/",
                "1:book/closures.md",
                "1:book/intro.md",
            ]
        );
        // Folding `api` hides everything under it, `auth` included.
        let api = tree.visible_node(1).expect("api");
        assert!(tree.set_folded(api, true));
        assert!(!tree.set_folded(api, true), "already folded");
        assert_eq!(
            rows(&tree, &g),
            [
                "0:README.md",
                "0:api/",
                "0:book/",
                "1:book/closures.md",
                "1:book/intro.md"
            ]
        );
        let deep = tree.node_of_guide(2).expect("node");
        assert_eq!(tree.row_of(deep), None);
        assert_eq!(tree.nearest_visible(deep), Some(api));
        // Revealing a guide unfolds its folders.
        assert!(tree.reveal(deep));
        assert_eq!(tree.row_of(deep), Some(4));
        tree.set_all_folded(true);
        assert_eq!(rows(&tree, &g), ["0:README.md", "0:api/", "0:book/"]);
        tree.set_all_folded(false);
        assert_eq!(tree.visible_len(), 8);
    }

    #[test]
    fn fold_state_survives_a_rebuild_by_name() {
        let g = guides(&["a/x.md", "b/y.md"]);
        let mut tree = GuideTree::build(&g);
        let b = tree.node_by_key("dir:b").expect("b");
        tree.set_folded(b, true);
        // A guide added in front moves every node; `b` stays folded.
        let g = guides(&["0.md", "a/x.md", "b/y.md", "b/z.md"]);
        tree.rebuild(&g);
        assert_eq!(rows(&tree, &g), ["0:0.md", "0:a/", "1:a/x.md", "0:b/"]);
        // A folder that went away is forgotten.
        let g = guides(&["0.md"]);
        tree.rebuild(&g);
        assert!(tree.folded.is_empty());
    }

    #[test]
    fn a_guide_pulled_forward_brings_its_folder_along() {
        let mut g = guides(&["b/first.md", "a/x.md", "b/later.md"]);
        g[0].order = Some(1);
        let tree = GuideTree::build(&g);
        assert_eq!(
            rows(&tree, &g),
            ["0:b/", "1:b/first.md", "1:b/later.md", "0:a/", "1:a/x.md"]
        );
    }

    #[test]
    fn a_book_nests_parts_and_chapters() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |f: &str, t: &str| std::fs::write(dir.path().join(f), t).expect("write");
        write(
            "SUMMARY.md",
            "# Summary\n\n[Intro](intro.md)\n\n# Basics\n\n- [Install](install.md)\n    \
             - [On Linux](linux.md)\n        - [Debian](debian.md)\n    - [Later]()\n\
             - [Usage](usage.md)\n\n# Reference\n\n- [Keys](keys.md)\n\n---\n\n\
             [Thanks](thanks.md)\n",
        );
        for f in [
            "intro.md",
            "install.md",
            "linux.md",
            "debian.md",
            "usage.md",
            "keys.md",
            "thanks.md",
        ] {
            write(f, "text\n");
        }
        std::fs::create_dir(dir.path().join("extra")).expect("mkdir");
        write("extra/notes.md", "# Notes\n");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let mut tree = GuideTree::build(&set.guides);
        assert_eq!(
            rows(&tree, &set.guides),
            [
                "0:Intro",
                "0:[Basics]",
                "1:Install",
                "2:On Linux",
                "3:Debian",
                "2:Later",
                "1:Usage",
                "0:[Reference]",
                "1:Keys",
                "0:Thanks",
                "0:extra/",
                "1:Notes",
            ]
        );
        // A chapter with sub-chapters folds; it is still a guide of its own.
        let install = tree.visible_node(2).expect("install");
        assert!(matches!(
            tree.node(install).map(|n| &n.kind),
            Some(NodeKind::Guide(_))
        ));
        assert!(tree.set_folded(install, true));
        assert_eq!(
            rows(&tree, &set.guides)[1..4],
            ["0:[Basics]", "1:Install", "1:Usage"]
        );
        let basics = tree.visible_node(1).expect("part");
        assert!(tree.set_folded(basics, true));
        assert_eq!(tree.visible_len(), 7);
    }

    #[test]
    fn shared_folders_stop_at_whole_names() {
        assert_eq!(shared_folders("", "a"), (0, 0));
        assert_eq!(shared_folders("a", ""), (0, 0));
        assert_eq!(shared_folders("a/b", "a/b"), (2, 4));
        assert_eq!(shared_folders("a/b", "a/b/c"), (2, 4));
        assert_eq!(shared_folders("a/b/c", "a/b"), (2, 4));
        assert_eq!(shared_folders("a/b", "a/bc"), (1, 2));
        assert_eq!(shared_folders("ab", "abc"), (0, 0));
        // Names that share the first byte of a character only.
        assert_eq!(shared_folders("x/\u{e9}", "x/\u{e8}"), (1, 2));
        assert_eq!(shared_folders("\u{e9}", "\u{e8}"), (0, 0));
    }

    #[test]
    fn a_guide_on_every_level_of_a_deep_tree_sits_in_its_own_folder() {
        let mut path = String::new();
        let mut paths = Vec::new();
        for i in 0..1500 {
            path.push_str(&format!("level{i:04}/"));
            paths.push(format!("{path}x.md"));
        }
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let g = guides(&refs);
        let tree = GuideTree::build(&g);
        assert_eq!(tree.visible_len(), 3000);
        for (i, _) in g.iter().enumerate() {
            let node = tree
                .node(tree.node_of_guide(i).expect("node"))
                .expect("node");
            assert_eq!(node.depth, i + 1);
            let folder = tree.node(node.parent.expect("a folder")).expect("folder");
            assert_eq!(folder.kind, NodeKind::Folder(format!("level{i:04}")));
        }
    }

    #[test]
    fn thousands_of_nested_folders_build_without_recursion() {
        let deep = (0..3000)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>()
            .join("/");
        let g = guides(&[&format!("{deep}/x.md")]);
        let mut tree = GuideTree::build(&g);
        assert_eq!(tree.visible_len(), 3001);
        let x = tree.node_of_guide(0).expect("node");
        assert_eq!(tree.node(x).map(|n| n.depth), Some(3000));
        tree.set_all_folded(true);
        assert_eq!(tree.visible_len(), 1);
        assert!(tree.reveal(x));
        assert_eq!(tree.row_of(x), Some(3000));
    }
}
