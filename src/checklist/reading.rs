//! Where a person is in a guide set: the guide and block they left it at, where they were
//! in each guide, and which sections they have read. Kept in the state file's index, per
//! guide set, under `reading`, so it shares the checklist's atomic, locked writes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::state::State;

const KEY: &str = "reading";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reading {
    /// The guide open when the reader last quit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    /// Per guide id: the block at the top of the screen.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub places: BTreeMap<String, usize>,
    /// Per guide id: anchors of the sections read.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub read: BTreeMap<String, BTreeSet<String>>,
}

impl Reading {
    /// Adds what `other` knows: read sections accumulate; places follow `other`.
    pub fn merge(&mut self, other: &Reading) {
        if other.last.is_some() {
            self.last.clone_from(&other.last);
        }
        for (g, b) in &other.places {
            self.places.insert(g.clone(), *b);
        }
        for (g, anchors) in &other.read {
            self.read
                .entry(g.clone())
                .or_default()
                .extend(anchors.iter().cloned());
        }
    }

    pub fn is_read(&self, guide: &str, anchor: &str) -> bool {
        self.read.get(guide).is_some_and(|s| s.contains(anchor))
    }
}

impl State {
    /// The reading record of a set; `None` when the set was never opened before.
    pub fn reading(&self, set: &str) -> Option<Reading> {
        let value = self.sets.get(set)?.extra.get(KEY)?;
        serde_json::from_value(value.clone()).ok()
    }

    /// Merges `r` into the set's reading record.
    pub fn merge_reading(&mut self, set: &str, r: &Reading) {
        let s = self.sets.entry(set.to_string()).or_default();
        let mut current: Reading = s
            .extra
            .get(KEY)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        current.merge(r);
        if let Ok(v) = serde_json::to_value(&current) {
            s.extra.insert(KEY.to_string(), v);
        } else {
            s.extra
                .insert(KEY.to_string(), Value::Object(Default::default()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_round_trips_through_state_and_merges() {
        let mut state = State::default();
        assert_eq!(state.reading("bundled"), None);
        let mut r = Reading {
            last: Some("import-guide".into()),
            ..Reading::default()
        };
        r.places.insert("import-guide".into(), 12);
        r.read
            .entry("import-guide".into())
            .or_default()
            .insert("validation".into());
        state.merge_reading("bundled", &r);
        let mut more = Reading::default();
        more.read
            .entry("import-guide".into())
            .or_default()
            .insert("best-practices".into());
        state.merge_reading("bundled", &more);
        let back = state.reading("bundled").expect("stored");
        assert_eq!(back.last.as_deref(), Some("import-guide"));
        assert_eq!(back.places.get("import-guide"), Some(&12));
        assert!(
            back.is_read("import-guide", "validation")
                && back.is_read("import-guide", "best-practices")
        );
    }
}
