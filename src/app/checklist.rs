//! The reader's view of checklist state: the active migration, the catalog of items, and
//! what each task box should show. Changes are described as [`Op`]s for the run loop to
//! save; this module does no I/O.

use crate::checklist::model::{GuideProgress, Progress};
use crate::checklist::ops::Op;
use crate::checklist::{Catalog, Item, Rollup, State, Tick};

pub struct Checklists {
    /// Which guide set the ticks belong to (`GuideSet::identity`).
    pub set_key: String,
    pub state: State,
    /// Built once every guide is parsed (in idle time after the first frame).
    pub catalog: Option<Catalog>,
    /// The migration whose ticks are shown and changed.
    pub migration: Option<String>,
    /// Why nothing can be saved, when that is so.
    pub read_only: Option<String>,
    /// Suggested name for a first migration: the git branch, else `default`.
    pub default_name: String,
    /// Progress over the set, worked out when ticks or items change, never per frame.
    pub progress: ProgressCache,
    /// Ticks, items or the migration changed since `progress` was worked out.
    pub progress_stale: bool,
}

/// The roll-up of the active migration, with each guide's entry found by guide index.
#[derive(Debug, Default)]
pub struct ProgressCache {
    pub rollup: Option<Rollup>,
    /// Guide index in the set → index into `rollup.guides`.
    by_guide: Vec<Option<usize>>,
}

impl ProgressCache {
    /// `guide_ids` are the set's guide ids in set order.
    pub fn build(c: &Checklists, guide_ids: &[&str]) -> ProgressCache {
        let Some(rollup) = c.rollup() else {
            return ProgressCache::default();
        };
        let position: std::collections::HashMap<&str, usize> = rollup
            .guides
            .iter()
            .enumerate()
            .map(|(i, g)| (g.guide.as_str(), i))
            .collect();
        let by_guide = guide_ids
            .iter()
            .map(|id| position.get(id).copied())
            .collect();
        ProgressCache {
            rollup: Some(rollup),
            by_guide,
        }
    }

    /// Progress of guide `g` (by index in the set), when it has items.
    pub fn guide(&self, g: usize) -> Option<&GuideProgress> {
        let i = (*self.by_guide.get(g)?)?;
        self.rollup.as_ref()?.guides.get(i)
    }

    pub fn overall(&self) -> Option<Progress> {
        self.rollup.as_ref().map(|r| r.overall)
    }
}

impl Checklists {
    /// Picks the migration: the one asked for, else the last active one, else the only one.
    pub fn new(
        set_key: String,
        state: State,
        asked: Option<String>,
        read_only: Option<String>,
        default_name: String,
    ) -> Checklists {
        let migration = asked
            .or_else(|| state.active_migration(&set_key).map(str::to_string))
            .or_else(|| {
                let names = state.migration_names(&set_key);
                (names.len() == 1).then(|| names[0].clone())
            });
        Checklists {
            set_key,
            state,
            catalog: None,
            migration,
            read_only,
            default_name,
            progress: ProgressCache::default(),
            progress_stale: true,
        }
    }

    /// An empty, unsaved view: for a reader without a state file.
    pub fn detached(set_key: String, why: String) -> Checklists {
        Checklists::new(set_key, State::default(), None, Some(why), "default".into())
    }

    pub fn item(&self, guide: &str, task: usize) -> Option<&Item> {
        self.catalog.as_ref()?.by_task(guide, task)
    }

    pub fn migration_exists(&self) -> bool {
        self.migration
            .as_deref()
            .is_some_and(|m| self.state.migration(&self.set_key, m).is_some())
    }

    fn item_done(&self, item: &Item) -> bool {
        match &self.migration {
            Some(m) => self
                .state
                .is_ticked(&self.set_key, m, &item.id, item.default_checked),
            None => item.default_checked,
        }
    }

    /// Whether a task box shows ticked: the user's tick in the active migration, else the
    /// `[x]` written in the markdown.
    pub fn is_done(&self, guide: &str, task: usize, markdown_default: bool) -> bool {
        self.item(guide, task)
            .map_or(markdown_default, |i| self.item_done(i))
    }

    pub fn rollup(&self) -> Option<Rollup> {
        self.catalog
            .as_ref()
            .map(|c| c.rollup(|i| self.item_done(i)))
    }

    pub fn overall(&self) -> Option<Progress> {
        self.rollup().map(|r| r.overall)
    }

    /// Ticks of the active migration whose item is gone (text edited or removed).
    pub fn orphans(&self) -> Vec<(String, Tick)> {
        let (Some(cat), Some(m)) = (&self.catalog, &self.migration) else {
            return Vec::new();
        };
        let Some(mig) = self.state.migration(&self.set_key, m) else {
            return Vec::new();
        };
        cat.orphans(mig.ticks.keys())
            .into_iter()
            .filter_map(|id| {
                mig.ticks
                    .get(id)
                    .filter(|t| t.done)
                    .map(|t| (id.clone(), t.clone()))
            })
            .collect()
    }

    /// The ops that flip `item` in the active migration, creating and activating it when
    /// needed. `None` when there is no migration to tick in.
    pub fn toggle_ops(&self, item: &Item) -> Option<Vec<Op>> {
        let m = self.migration.clone()?;
        let mut ops = Vec::new();
        if !self.migration_exists() {
            ops.push(Op::Create { name: m.clone() });
        }
        if self.state.active_migration(&self.set_key) != Some(m.as_str()) {
            ops.push(Op::Activate { name: m.clone() });
        }
        ops.push(Op::SetTick {
            migration: m,
            item: item.clone(),
            done: !self.item_done(item),
        });
        Some(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::GuideSet;
    use std::time::SystemTime;

    fn view(state: State, asked: Option<&str>) -> Checklists {
        let mut c = Checklists::new(
            "bundled".into(),
            state,
            asked.map(str::to_string),
            None,
            "main".into(),
        );
        c.catalog = Some(Catalog::from_set(&GuideSet::bundled()));
        c
    }

    #[test]
    fn the_only_migration_becomes_active() {
        let mut state = State::default();
        state
            .create_migration("bundled", "auth", SystemTime::now())
            .expect("created");
        assert_eq!(view(state, None).migration.as_deref(), Some("auth"));
        assert_eq!(view(State::default(), None).migration, None);
    }

    #[test]
    fn toggling_in_a_new_migration_creates_and_activates_it() {
        let c = view(State::default(), Some("auth"));
        let item = c.catalog.as_ref().expect("catalog").items()[0].clone();
        let ops = c.toggle_ops(&item).expect("ops");
        assert_eq!(ops.len(), 3);
        assert!(matches!(&ops[0], Op::Create { name } if name == "auth"));
        assert!(matches!(&ops[2], Op::SetTick { done: true, .. }));
    }

    #[test]
    fn ticks_decide_what_boxes_show() {
        let mut state = State::default();
        state
            .create_migration("bundled", "auth", SystemTime::now())
            .expect("created");
        let cat = Catalog::from_set(&GuideSet::bundled());
        let item = cat.items()[1].clone();
        state
            .set_tick("bundled", "auth", &item, true, SystemTime::now())
            .expect("ticked");
        let c = view(state, Some("auth"));
        assert!(c.is_done(&item.guide, item.task_index, false));
        assert!(!c.is_done(&item.guide, cat.items()[0].task_index, false));
        assert_eq!(c.overall().map(|p| (p.done, p.total)), Some((1, 5)));
    }
}
