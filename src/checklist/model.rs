//! The pure checklist model: which items a guide set has, what their ids are, and how
//! progress rolls up. No I/O here, so the reader and the CLI share one definition of an
//! item and tests need no files.

use std::collections::{BTreeMap, HashMap};

use crate::content::GuideSet;
use crate::doc::Doc;
use crate::sanitize::sanitize_line;

/// One GFM task item of the guide set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based position in the set: guides in set order, tasks in document order. It is
    /// what `checklist show` prints and `tick` accepts; it shifts when guides change, so it
    /// is never stored.
    pub number: usize,
    /// The stable identity ticks are stored under; see [`item_id`].
    pub id: String,
    pub guide: String,
    /// Index into the guide's `Doc::headings` of the nearest heading above.
    pub heading_index: Option<usize>,
    pub heading: Option<String>,
    /// Index into the guide's `Doc::tasks`.
    pub task_index: usize,
    /// Display text, sanitised.
    pub text: String,
    /// The `[x]` written in the markdown: only the default.
    pub default_checked: bool,
}

/// Lowercase, markdown punctuation and symbols dropped, whitespace collapsed: so that
/// rewording emphasis, adding a full stop or re-wrapping a line keeps an item's ticks.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if c.is_alphanumeric() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// An item's identity: guide id, normalised nearest heading, normalised text, and the
/// occurrence number when the same text appears more than once under one heading. Built
/// from content rather than position, so reordering items or inserting others keeps
/// ticks; readable, so a state file diff says which item changed.
pub fn item_id(guide: &str, heading: Option<&str>, text: &str, occurrence: usize) -> String {
    let heading = heading.map(normalize_text).unwrap_or_default();
    let text = normalize_text(text);
    if occurrence <= 1 {
        format!("{guide}#{heading}#{text}")
    } else {
        format!("{guide}#{heading}#{text}#{occurrence}")
    }
}

/// One guide's items (numbered from 1 within the guide) and its headings.
fn guide_items(guide: &str, doc: &Doc) -> (Vec<Item>, GuideHeadings) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut items = Vec::with_capacity(doc.tasks.len());
    for (task_index, task) in doc.tasks.iter().enumerate() {
        let heading = task
            .heading
            .and_then(|h| doc.headings.get(h))
            .map(|h| h.text.as_str());
        let base = item_id(guide, heading, &task.text, 1);
        let n = seen.entry(base).or_insert(0);
        *n += 1;
        items.push(Item {
            number: task_index + 1,
            id: item_id(guide, heading, &task.text, *n),
            guide: guide.to_string(),
            heading_index: task.heading,
            heading: heading.map(sanitize_line),
            task_index,
            text: sanitize_line(&task.text),
            default_checked: task.checked,
        });
    }
    let headings = GuideHeadings {
        guide: guide.to_string(),
        headings: doc
            .headings
            .iter()
            .map(|h| (sanitize_line(&h.text), h.level))
            .collect(),
    };
    (items, headings)
}

/// Done out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn is_complete(&self) -> bool {
        self.done == self.total
    }

    fn add(&mut self, done: bool) {
        self.total += 1;
        self.done += usize::from(done);
    }
}

/// Progress of one heading's section, counting the items of its subsections too, so an
/// outline entry shows the work under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionProgress {
    pub heading_index: usize,
    pub heading: String,
    pub level: u8,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideProgress {
    pub guide: String,
    pub progress: Progress,
    /// Sections holding at least one item, in document order.
    pub sections: Vec<SectionProgress>,
}

/// Progress of one migration over the whole set, by guide and by section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    pub overall: Progress,
    /// Guides holding at least one item, in set order.
    pub guides: Vec<GuideProgress>,
}

#[derive(Debug, Clone)]
struct GuideHeadings {
    guide: String,
    /// (text, level) of every heading, in document order.
    headings: Vec<(String, u8)>,
}

/// Every checklist item of a guide set, in order, with an index by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    items: Vec<Item>,
    by_id: HashMap<String, usize>,
    guides: Vec<GuideHeadings>,
    /// Where each guide's items start in `items`: a guide's items are contiguous and in
    /// task order, so the reader's per-frame lookups are one hash and an index.
    first_item: HashMap<String, usize>,
}

impl Catalog {
    /// Builds the catalog from parsed guides, given as (guide id, document) in set order.
    pub fn build(docs: &[(&str, &Doc)]) -> Catalog {
        let mut cat = Catalog::default();
        for (guide, doc) in docs {
            cat.push_guide(guide, doc);
        }
        cat
    }

    /// Adds the next guide of the set (in set order), so a caller can parse one guide at
    /// a time and let each document go once its items are taken.
    pub fn push_guide(&mut self, guide: &str, doc: &Doc) {
        let (items, headings) = guide_items(guide, doc);
        self.first_item.insert(guide.to_string(), self.items.len());
        for mut item in items {
            item.number = self.items.len() + 1;
            self.by_id.insert(item.id.clone(), self.items.len());
            self.items.push(item);
        }
        self.guides.push(headings);
    }

    /// Replaces one guide's items after its file changed, without touching any other
    /// guide's document. A guide the catalog does not hold is left alone (the caller
    /// builds again for a set whose guides changed).
    pub fn replace_guide(&mut self, guide: &str, doc: &Doc) -> bool {
        let Some(slot) = self.guides.iter().position(|g| g.guide == guide) else {
            return false;
        };
        let (items, headings) = guide_items(guide, doc);
        let start = self.first_item.get(guide).copied().unwrap_or(0);
        let old_len = self.items[start..]
            .iter()
            .take_while(|i| i.guide == guide)
            .count();
        self.items.splice(start..start + old_len, items);
        self.guides[slot] = headings;
        self.reindex();
        true
    }

    /// Numbers and lookup tables again after items moved.
    fn reindex(&mut self) {
        self.by_id.clear();
        self.first_item.clear();
        for (i, item) in self.items.iter_mut().enumerate() {
            item.number = i + 1;
            self.by_id.insert(item.id.clone(), i);
            self.first_item.entry(item.guide.clone()).or_insert(i);
        }
        // A guide without items keeps a start, so a later replace knows where to put them.
        let mut next = 0;
        for g in &self.guides {
            match self.first_item.get(&g.guide) {
                Some(&at) => {
                    next = at
                        + self.items[at..]
                            .iter()
                            .take_while(|i| i.guide == g.guide)
                            .count();
                }
                None => {
                    self.first_item.insert(g.guide.clone(), next);
                }
            }
        }
    }

    /// Parses every guide of the set and builds the catalog. Parsing is fast (hundreds of
    /// MB/s), which is why the CLI can afford it on each run.
    pub fn from_set(set: &GuideSet) -> Catalog {
        let docs: Vec<Doc> = set
            .guides
            .iter()
            .map(|g| crate::doc::parse(&g.body))
            .collect();
        let pairs: Vec<(&str, &Doc)> = set
            .guides
            .iter()
            .zip(&docs)
            .map(|(g, d)| (g.id.as_str(), d))
            .collect();
        Catalog::build(&pairs)
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    /// The item for a `show` number (1-based).
    pub fn by_number(&self, number: usize) -> Option<&Item> {
        number.checked_sub(1).and_then(|i| self.items.get(i))
    }

    /// The item of a guide's task, for the reader, which knows the task index it drew.
    /// The reader asks for every task box it draws, each frame: a lookup, not a search.
    pub fn by_task(&self, guide: &str, task_index: usize) -> Option<&Item> {
        let first = *self.first_item.get(guide)?;
        self.items
            .get(first.checked_add(task_index)?)
            .filter(|i| i.guide == guide && i.task_index == task_index)
    }

    /// Ids among `stored` that name no item of this set: ticks to show as orphaned.
    pub fn orphans<'a>(&self, stored: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
        stored
            .into_iter()
            .filter(|id| !self.by_id.contains_key(id.as_str()))
            .collect()
    }

    /// Progress with `done` telling whether an item is ticked.
    pub fn rollup(&self, done: impl Fn(&Item) -> bool) -> Rollup {
        let mut overall = Progress::default();
        let mut per_guide: BTreeMap<&str, (Progress, BTreeMap<usize, Progress>)> = BTreeMap::new();
        // One lookup table for the whole pass: a search per item is quadratic in the set.
        let headings: HashMap<&str, &[(String, u8)]> = self
            .guides
            .iter()
            .map(|g| (g.guide.as_str(), g.headings.as_slice()))
            .collect();
        for item in &self.items {
            let d = done(item);
            overall.add(d);
            let (gp, sections) = per_guide.entry(&item.guide).or_default();
            gp.add(d);
            // Credit the item to its heading and to every enclosing heading.
            let gh = headings.get(item.guide.as_str()).copied();
            if let (Some(h), Some(gh)) = (item.heading_index, gh) {
                let mut level = u8::MAX;
                for i in (0..=h.min(gh.len().saturating_sub(1))).rev() {
                    let l = gh[i].1;
                    if l < level {
                        sections.entry(i).or_default().add(d);
                        level = l;
                    }
                }
            }
        }
        let guides = self
            .guides
            .iter()
            .filter_map(|g| {
                let (progress, sections) = per_guide.remove(g.guide.as_str())?;
                let sections = sections
                    .into_iter()
                    .filter_map(|(i, progress)| {
                        let (heading, level) = g.headings.get(i)?.clone();
                        Some(SectionProgress {
                            heading_index: i,
                            heading,
                            level,
                            progress,
                        })
                    })
                    .collect();
                Some(GuideProgress {
                    guide: g.guide.clone(),
                    progress,
                    sections,
                })
            })
            .collect();
        Rollup { overall, guides }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse;

    fn catalog(guides: &[(&str, &str)]) -> Catalog {
        let docs: Vec<Doc> = guides.iter().map(|(_, md)| parse(md)).collect();
        let pairs: Vec<(&str, &Doc)> = guides
            .iter()
            .zip(&docs)
            .map(|((g, _), d)| (*g, d))
            .collect();
        Catalog::build(&pairs)
    }

    fn ids(c: &Catalog) -> Vec<String> {
        c.items().iter().map(|i| i.id.clone()).collect()
    }

    #[test]
    fn replacing_one_guide_matches_a_full_build() {
        let a = "# A\n\n- [ ] one\n- [ ] two\n";
        let b_old = "# B\n\n- [ ] three\n";
        let b_new = "# B\n\n- [ ] three\n- [x] four\n\n## More\n\n- [ ] five\n";
        let c = "# C\n\n- [ ] six\n";
        let mut cat = catalog(&[("a", a), ("b", b_old), ("empty", "# E\n"), ("c", c)]);
        assert!(cat.replace_guide("b", &parse(b_new)));
        let full = catalog(&[("a", a), ("b", b_new), ("empty", "# E\n"), ("c", c)]);
        assert_eq!(cat.items(), full.items());
        assert_eq!(cat.rollup(|_| false).guides, full.rollup(|_| false).guides);
        // An empty guide that gains items lands in its place, not at the end.
        assert!(cat.replace_guide("empty", &parse("# E\n\n- [ ] seven\n")));
        let numbers: Vec<(String, usize)> = cat
            .items()
            .iter()
            .map(|i| (i.guide.clone(), i.number))
            .collect();
        assert_eq!(numbers[5], ("empty".to_string(), 6));
        assert_eq!(cat.by_task("c", 0).map(|i| i.number), Some(7));
        assert_eq!(cat.get("c#c#six").map(|i| i.number), Some(7));
        assert!(!cat.replace_guide("nowhere", &parse("- [ ] x\n")));
    }

    #[test]
    fn items_are_found_by_guide_and_task_index() {
        let cat = catalog(&[("a", "- [ ] one\n- [ ] two\n"), ("b", "- [ ] three\n")]);
        assert_eq!(cat.by_task("a", 1).map(|i| i.id.as_str()), Some("a##two"));
        assert_eq!(cat.by_task("b", 0).map(|i| i.number), Some(3));
        assert!(cat.by_task("b", 1).is_none());
        assert!(cat.by_task("a", usize::MAX).is_none());
        assert!(cat.by_task("z", 0).is_none());
    }

    #[test]
    fn normalisation_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalize_text("  Run   the **Tests**.\n"), "run the tests");
        assert_eq!(normalize_text("Run the tests"), "run the tests");
        assert_eq!(normalize_text("`cargo test` — all!"), "cargo test all");
        assert_ne!(normalize_text("run tests"), normalize_text("run the tests"));
    }

    #[test]
    fn ids_are_stable_when_items_are_reordered() {
        let a = catalog(&[("g", "# Steps\n\n- [ ] One\n- [ ] Two\n- [x] Three\n")]);
        let b = catalog(&[("g", "# Steps\n\n- [x] Three\n- [ ] One\n\n\n- [ ] *Two*.\n")]);
        let mut ia = ids(&a);
        let mut ib = ids(&b);
        assert_ne!(ia, ib, "order differs");
        ia.sort();
        ib.sort();
        assert_eq!(ia, ib);
        assert_eq!(a.get("g#steps#one").map(|i| i.number), Some(1));
        assert_eq!(b.get("g#steps#one").map(|i| i.number), Some(2));
    }

    #[test]
    fn ids_depend_on_guide_heading_and_text() {
        let c = catalog(&[
            ("a", "# Steps\n\n- [ ] One\n\n# Other\n\n- [ ] One\n"),
            ("b", "- [ ] One\n"),
        ]);
        assert_eq!(ids(&c), ["a#steps#one", "a#other#one", "b##one"]);
    }

    #[test]
    fn duplicate_texts_get_occurrence_numbers() {
        let c = catalog(&[(
            "g",
            "## Build\n\n- [ ] Run tests\n- [ ] Lint\n- [ ] run TESTS\n- [ ] Run tests\n",
        )]);
        assert_eq!(
            ids(&c),
            [
                "g#build#run tests",
                "g#build#lint",
                "g#build#run tests#2",
                "g#build#run tests#3"
            ]
        );
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn orphans_are_stored_ids_without_an_item() {
        let c = catalog(&[("g", "# S\n\n- [ ] Kept\n")]);
        let stored = vec![
            "g#s#kept".to_string(),
            "g#s#removed".to_string(),
            "other##x".to_string(),
        ];
        let orphans: Vec<&str> = c.orphans(&stored).into_iter().map(String::as_str).collect();
        assert_eq!(orphans, ["g#s#removed", "other##x"]);
    }

    #[test]
    fn progress_rolls_up_by_section_guide_and_set() {
        let c = catalog(&[
            (
                "a",
                "# Top\n\n- [ ] t1\n\n## Sub\n\n- [x] s1\n- [ ] s2\n\n# Next\n\n- [ ] n1\n",
            ),
            ("b", "No headings\n\n- [x] b1\n"),
            ("c", "# Nothing to do\n"),
        ]);
        let r = c.rollup(|i| i.default_checked || i.text == "n1");
        assert_eq!(r.overall, Progress { done: 3, total: 5 });
        assert_eq!(r.guides.len(), 2, "guides without items are left out");
        let a = &r.guides[0];
        assert_eq!(a.progress, Progress { done: 2, total: 4 });
        let secs: Vec<(&str, Progress)> = a
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.progress))
            .collect();
        assert_eq!(
            secs,
            [
                ("Top", Progress { done: 1, total: 3 }),
                ("Sub", Progress { done: 1, total: 2 }),
                ("Next", Progress { done: 1, total: 1 }),
            ]
        );
        assert_eq!(r.guides[1].progress, Progress { done: 1, total: 1 });
        assert!(r.guides[1].sections.is_empty());
        assert!(r.guides[0].sections[2].progress.is_complete());
    }

    #[test]
    fn items_are_numbered_in_set_order_and_found_by_task() {
        let c = catalog(&[("a", "- [ ] x\n- [ ] y\n"), ("b", "- [ ] z\n")]);
        let numbers: Vec<(usize, &str)> = c
            .items()
            .iter()
            .map(|i| (i.number, i.text.as_str()))
            .collect();
        assert_eq!(numbers, [(1, "x"), (2, "y"), (3, "z")]);
        assert_eq!(c.by_number(3).map(|i| i.id.as_str()), Some("b##z"));
        assert_eq!(c.by_number(0), None);
        assert_eq!(c.by_task("a", 1).map(|i| i.number), Some(2));
        assert_eq!(c.by_task("b", 0).map(|i| i.number), Some(3));
        assert_eq!(c.by_task("a", 2), None);
        assert_eq!(c.by_task("b", 1), None);
        assert_eq!(c.by_task("c", 0), None);
    }

    #[test]
    fn bundled_set_has_items() {
        let c = Catalog::from_set(&GuideSet::bundled());
        assert_eq!(c.len(), 5);
        assert!(c.items().iter().all(|i| i.guide == "migration-checklist"));
    }
}
