//! Orphaned ticks (stored under an id no item has any more: the item was reworded,
//! moved or removed) and the items they most likely belong to now.
//!
//! Candidates are ranked closest first: same guide and heading before same guide before
//! elsewhere, then by how alike the texts are (the Dice coefficient of their character
//! pairs, after the same normalisation item ids use, so 0.0 is nothing in common and 1.0
//! the same text).
//!
//! A tick is carried forward without asking only when it is clearly the same item
//! reworded: exactly one open candidate in the same guide is at least
//! [`CARRY_SIMILARITY`] alike, and no other candidate comes within [`CARRY_MARGIN`] of it.
//! `Fix typo in the setup step` → `Fix the typo in the setup step` qualifies;
//! `Run the tests` → `Run the linters` does not.

use std::collections::BTreeMap;

use super::model::{Catalog, Item, normalize_text};

/// How alike two texts must be for a tick to be carried forward by itself.
pub const CARRY_SIMILARITY: f64 = 0.8;
/// How far ahead of the runner-up the best candidate must be.
pub const CARRY_MARGIN: f64 = 0.15;

#[derive(Debug, Clone)]
pub struct Candidate<'c> {
    pub item: &'c Item,
    /// How alike the texts are, 0.0 to 1.0.
    pub similarity: f64,
    pub same_guide: bool,
    pub same_heading: bool,
}

/// The guide, normalised heading and normalised text an id was made of.
pub fn id_parts(id: &str) -> (&str, &str, &str) {
    let mut it = id.splitn(4, '#');
    (
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
    )
}

fn pairs(text: &str) -> BTreeMap<(char, char), usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = BTreeMap::new();
    for w in chars.windows(2) {
        *out.entry((w[0], w[1])).or_insert(0) += 1;
    }
    out
}

/// The Dice coefficient of the two texts' character pairs, after normalising both.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalize_text(a), normalize_text(b));
    if a == b {
        return 1.0;
    }
    let (pa, pb) = (pairs(&a), pairs(&b));
    let total: usize = pa.values().sum::<usize>() + pb.values().sum::<usize>();
    if total == 0 {
        return 0.0;
    }
    let common: usize = pa
        .iter()
        .map(|(k, n)| (*n).min(pb.get(k).copied().unwrap_or(0)))
        .sum();
    2.0 * common as f64 / total as f64
}

/// Items an orphan may belong to, closest first. `open` says whether an item can take a
/// tick (one already ticked cannot: re-attaching refuses to replace a tick).
pub fn candidates<'c>(
    catalog: &'c Catalog,
    orphan_id: &str,
    orphan_text: &str,
    open: impl Fn(&Item) -> bool,
) -> Vec<Candidate<'c>> {
    let (guide, heading, id_text) = id_parts(orphan_id);
    let text = if orphan_text.trim().is_empty() {
        id_text
    } else {
        orphan_text
    };
    let mut out: Vec<Candidate<'c>> = catalog
        .items()
        .iter()
        .filter(|i| open(i))
        .map(|item| {
            let same_guide = item.guide == guide;
            Candidate {
                item,
                similarity: similarity(text, &item.text),
                same_guide,
                same_heading: same_guide
                    && item
                        .heading
                        .as_deref()
                        .map(normalize_text)
                        .unwrap_or_default()
                        == heading,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.same_heading, b.same_guide)
            .cmp(&(a.same_heading, a.same_guide))
            .then(b.similarity.total_cmp(&a.similarity))
            .then(a.item.number.cmp(&b.item.number))
    });
    out
}

/// The item a tick is carried forward to without asking, if one clearly qualifies (see
/// the module notes).
pub fn carry_target<'c>(candidates: &[Candidate<'c>]) -> Option<&'c Item> {
    let mut by_text: Vec<&Candidate<'c>> = candidates.iter().collect();
    by_text.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    let best = by_text.first()?;
    let runner_up = by_text.get(1).map_or(0.0, |c| c.similarity);
    (best.same_guide
        && best.similarity >= CARRY_SIMILARITY
        && best.similarity - runner_up >= CARRY_MARGIN)
        .then_some(best.item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_texts_score_high_and_unrelated_ones_low() {
        assert_eq!(similarity("Run the tests.", "run the **tests**"), 1.0);
        assert!(
            similarity(
                "Fix typo in the setup step",
                "Fix the typo in the setup step"
            ) > 0.85
        );
        assert!(similarity("Run the tests", "Run the linters") < 0.8);
        assert!(similarity("abc", "xyz") < 0.01);
    }

    #[test]
    fn candidates_are_closest_first_and_only_a_clear_rewording_is_carried() {
        let doc = crate::doc::parse(
            "# Setup\n\n- [ ] Install the toolchain version 1.89\n- [ ] Configure the cache\n\n# Later\n\n- [ ] Clean the build folder\n",
        );
        let catalog = Catalog::build(&[("g", &doc)]);
        let orphan =
            crate::checklist::model::item_id("g", Some("Setup"), "Install the toolchain 1.89", 1);
        let c = candidates(&catalog, &orphan, "Install the toolchain 1.89", |_| true);
        assert_eq!(c[0].item.text, "Install the toolchain version 1.89");
        assert!(c[0].same_heading);
        assert!(!c.last().is_some_and(|l| l.same_heading));
        assert_eq!(
            carry_target(&c).map(|i| i.text.as_str()),
            Some("Install the toolchain version 1.89")
        );
        let vague = candidates(&catalog, "g#setup#install", "Install", |_| true);
        assert_eq!(carry_target(&vague), None, "not clearly one item");
        let closed = candidates(&catalog, &orphan, "Install the toolchain 1.89", |i| {
            !i.text.contains("1.89")
        });
        assert_eq!(carry_target(&closed), None, "a ticked item is no candidate");
    }
}
