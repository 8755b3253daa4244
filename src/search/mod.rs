//! The finder's index: every guide title, heading, code line and body sentence of a
//! guide set, ranked against a query as it is typed.
//!
//! Built once (on a background thread in the reader: [`Index`] is `Send`), then queried
//! per keystroke. All entry texts live in two big strings, as written and case-folded,
//! with identical byte offsets; a query scans the folded string once with `memmem`
//! (the cheap part: 6 MB in well under a millisecond) and scores only the lines that
//! hold the query. Fuzzy matching, which cannot use `memmem`, runs only when the exact
//! tiers did not fill the requested number of results, and only on lines whose
//! character mask holds all of the query's characters.
//!
//! Ranking, best first:
//! 1. match tier ([`score::Tier`]): whole line, whole word, word prefix, substring, fuzzy;
//! 2. kind: guide titles and headings, then code lines, then body text;
//! 3. quality within the tier (earlier in a shorter line; fuzzy: fewer, smaller gaps);
//! 4. ties: guide order, then position in the guide.

pub mod cache;
mod entries;
pub mod part;
pub mod score;

use std::ops::Range;

use serde::Serialize;

use crate::content::{Guide, GuideSet};
use crate::doc::{self, Doc};

use part::GuidePart;
use score::{TermMatch, Tier};

/// What kind of line a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    Title,
    Heading,
    Code,
    Body,
}

impl HitKind {
    /// Rank weight: titles and headings above code lines above body text.
    fn weight(self) -> u32 {
        match self {
            HitKind::Title | HitKind::Heading => 3,
            HitKind::Code => 2,
            HitKind::Body => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Title => "title",
            HitKind::Heading => "heading",
            HitKind::Code => "code",
            HitKind::Body => "body",
        }
    }
}

/// One result of [`Index::query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Index into [`GuideSet::guides`].
    pub guide: usize,
    pub kind: HitKind,
    /// The matched line, sanitised and trimmed: safe to print or draw.
    pub text: String,
    /// Index into the guide's [`Doc::blocks`]: where the reader jumps.
    pub block: usize,
    /// For code hits, the line within the code block (0-based).
    pub code_line: Option<u32>,
    /// 1-based line of the guide's file (front matter included), for editors and the CLI.
    pub line: u32,
    /// Anchor of the nearest heading at or above the hit.
    pub anchor: Option<String>,
    /// Higher is better; only meaningful relative to other hits of the same query.
    pub score: u32,
    /// Matched byte ranges in `text`, sorted and disjoint, for highlighting.
    pub ranges: Vec<Range<usize>>,
}

#[derive(Debug, Clone)]
struct Entry {
    start: usize,
    end: usize,
    guide: u32,
    kind: HitKind,
    block: u32,
    line: u32,
    /// `u32::MAX` when not a code line.
    code_line: u32,
    /// Index into `Index::anchors`, `u32::MAX` for none.
    anchor: u32,
}

/// A searchable snapshot of a guide set. Owns all its data, so it can be built on one
/// thread and queried on another.
#[derive(Debug, Clone, Default)]
pub struct Index {
    orig: String,
    folded: String,
    entries: Vec<Entry>,
    masks: Vec<u64>,
    anchors: Vec<String>,
}

impl Index {
    /// Parses every guide of the set and indexes it. On the bundled set this takes well
    /// under a millisecond; on a 6 MB set, tens of milliseconds: run it off the UI thread.
    pub fn build(set: &GuideSet) -> Index {
        let parts: Vec<GuidePart> = set
            .guides
            .iter()
            .map(|g| GuidePart::build(g, &doc::parse(&g.body)))
            .collect();
        Index::from_parts(parts.iter().enumerate())
    }

    /// Indexes documents already parsed (the reader keeps its own): `(guide index, guide,
    /// its parsed body)`, in guide order.
    pub fn from_docs<'a>(docs: impl IntoIterator<Item = (usize, &'a Guide, &'a Doc)>) -> Index {
        let parts: Vec<(usize, GuidePart)> = docs
            .into_iter()
            .map(|(i, g, d)| (i, GuidePart::build(g, d)))
            .collect();
        Index::from_parts(parts.iter().map(|(i, p)| (*i, p)))
    }

    /// Puts guides' parts together: `(guide index, its part)`, in guide order. Copies
    /// only; nothing is parsed or folded again.
    pub fn from_parts<'a>(parts: impl IntoIterator<Item = (usize, &'a GuidePart)>) -> Index {
        let mut index = Index::default();
        for (gi, part) in parts {
            index.push_part(gi, part);
        }
        index.finish();
        index
    }

    /// Appends guide `gi`'s part (guides in order), so a caller can build the index one
    /// parsed guide at a time; [`Index::finish`] when done.
    pub fn push_part(&mut self, gi: usize, part: &GuidePart) {
        let base = self.orig.len();
        let first_anchor = self.anchors.len();
        self.orig.push_str(&part.orig);
        self.folded.push_str(&part.folded);
        self.anchors
            .extend(part.headings.iter().map(|h| h.anchor.clone()));
        self.masks.extend_from_slice(&part.masks);
        self.entries.extend(part.entries.iter().map(|e| Entry {
            start: base + e.start as usize,
            end: base + e.end as usize,
            guide: gi as u32,
            kind: e.kind,
            block: e.block,
            line: e.line,
            code_line: e.code_line,
            anchor: if e.heading == u32::MAX {
                u32::MAX
            } else {
                first_anchor as u32 + e.heading
            },
        }));
    }

    /// Gives back the room the growing buffers reserved: on a large set, up to half of
    /// the index would be spare capacity kept for as long as the index lives.
    pub fn finish(&mut self) {
        self.orig.shrink_to_fit();
        self.folded.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.masks.shrink_to_fit();
        self.anchors.shrink_to_fit();
    }

    /// Number of searchable lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `query`, best first. Whitespace separates terms that
    /// must all match; a query with an uppercase letter is case-sensitive.
    pub fn query(&self, query: &str, limit: usize) -> Vec<Hit> {
        let case_sensitive = score::is_case_sensitive(query);
        let terms: Vec<String> = query
            .split_whitespace()
            .map(|t| {
                if case_sensitive {
                    t.to_string()
                } else {
                    score::fold(t)
                }
            })
            .collect();
        let Some(primary) = terms.iter().max_by_key(|t| t.len()) else {
            return Vec::new();
        };
        if limit == 0 {
            return Vec::new();
        }
        let hay = if case_sensitive {
            &self.orig
        } else {
            &self.folded
        };
        // (score, entry); ranges are worked out for the winners only.
        let mut scored: Vec<(u32, u32)> = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut exact = 0;
        let single = terms.len() == 1;
        let hay_bytes = hay.as_bytes();
        let orig_bytes = self.orig.as_bytes();
        // The entry being looked at and its best occurrence so far (tier, offset in line).
        let mut current: Option<(usize, Tier, usize)> = None;
        let mut entry = 0;
        let mut finish = |current: Option<(usize, Tier, usize)>, scored: &mut Vec<(u32, u32)>| {
            let Some((i, tier, at)) = current else {
                return;
            };
            seen[i] = true;
            let e = &self.entries[i];
            let score = if single {
                let quality = if tier == Tier::Whole {
                    999
                } else {
                    score::exact_quality(at, e.end - e.start, primary.len())
                };
                Some(rank(tier, e.kind, quality))
            } else {
                self.score_entry(i, hay, &terms).map(|(s, _)| s)
            };
            if let Some(s) = score {
                if s / TIER_UNIT > Tier::Fuzzy as u32 {
                    exact += 1;
                }
                scored.push((s, i as u32));
            }
        };
        for pos in memchr::memmem::find_iter(hay_bytes, primary.as_bytes()) {
            while entry < self.entries.len() && self.entries[entry].end <= pos {
                entry += 1;
            }
            let Some(e) = self.entries.get(entry) else {
                break;
            };
            let at = pos - e.start;
            let tier = if at == 0 && primary.len() == e.end - e.start {
                Tier::Whole
            } else {
                score::tier_at(&orig_bytes[e.start..e.end], at, primary.len())
            };
            match current {
                Some((i, best, _)) if i == entry => {
                    if tier > best {
                        current = Some((i, tier, at));
                    }
                }
                _ => {
                    finish(current.take(), &mut scored);
                    current = Some((entry, tier, at));
                }
            }
        }
        finish(current.take(), &mut scored);
        if exact < limit {
            let qmask = score::char_mask(&score::fold(&terms.concat()));
            for (i, &mask) in self.masks.iter().enumerate() {
                if mask & qmask == qmask
                    && !seen[i]
                    && let Some((s, _)) = self.score_entry(i, hay, &terms)
                {
                    scored.push((s, i as u32));
                }
            }
        }
        let order = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, order);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(order);
        scored
            .into_iter()
            .map(|(score, i)| {
                let i = i as usize;
                let ranges = self
                    .score_entry(i, hay, &terms)
                    .map(|(_, r)| r)
                    .unwrap_or_default();
                self.hit(i, score, ranges)
            })
            .collect()
    }

    fn score_entry(
        &self,
        i: usize,
        hay: &str,
        terms: &[String],
    ) -> Option<(u32, Vec<Range<usize>>)> {
        let e = &self.entries[i];
        let line = &hay[e.start..e.end];
        let orig = &self.orig[e.start..e.end];
        let mut tier = Tier::Whole;
        let mut quality = 0;
        let mut ranges = Vec::new();
        for t in terms {
            let TermMatch {
                tier: t_tier,
                quality: q,
                ranges: r,
            } = score::match_term(line, orig, t)?;
            tier = tier.min(t_tier);
            quality += q;
            ranges.extend(r);
        }
        let quality = quality / terms.len().max(1) as u32;
        let score = rank(tier, e.kind, quality);
        let ranges = if terms.len() > 1 {
            score::merge_ranges(ranges)
        } else {
            ranges
        };
        Some((score, ranges))
    }

    fn hit(&self, i: usize, score: u32, ranges: Vec<Range<usize>>) -> Hit {
        let e = &self.entries[i];
        Hit {
            guide: e.guide as usize,
            kind: e.kind,
            text: self.orig[e.start..e.end].to_string(),
            block: e.block as usize,
            code_line: (e.code_line != u32::MAX).then_some(e.code_line),
            line: e.line,
            anchor: self.anchors.get(e.anchor as usize).cloned(),
            score,
            ranges,
        }
    }
}

const TIER_UNIT: u32 = 10_000;
const KIND_UNIT: u32 = 1_000;

/// Tier first, then kind, then quality within the tier.
fn rank(tier: Tier, kind: HitKind, quality: u32) -> u32 {
    tier as u32 * TIER_UNIT + kind.weight() * KIND_UNIT + quality.min(999)
}

/// The lines of a guide's file around a hit, for a preview pane: `(file line, text)`,
/// sanitised, `radius` lines either side.
pub fn preview(guide: &Guide, hit: &Hit, radius: usize) -> Vec<(u32, String)> {
    let body_line = (hit.line as usize).saturating_sub(guide.body_line);
    let first = body_line.saturating_sub(radius);
    guide
        .body
        .lines()
        .enumerate()
        .skip(first)
        .take(radius * 2 + 1)
        .map(|(i, l)| {
            (
                (i + guide.body_line) as u32,
                crate::sanitize::sanitize_line(&crate::doc::expand_tabs(l, 4)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
