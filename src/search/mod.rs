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

/// One searchable line: 24 bytes, as a large set has more than a million of them. Its
/// guide is found from [`Index::guide_starts`].
#[derive(Debug, Clone)]
struct Entry {
    /// Byte offset of the line in `Index::folded`.
    start: u32,
    /// The line's length in bytes, and its kind in the top two bits.
    len_kind: u32,
    block: u32,
    line: u32,
    /// `u32::MAX` when not a code line.
    code_line: u32,
    /// Index into `Index::anchors`, `u32::MAX` for none.
    anchor: u32,
}

/// Bits of [`Entry::len_kind`] below the kind.
const KIND_SHIFT: u32 = 30;
const LEN_MASK: u32 = (1 << KIND_SHIFT) - 1;
const KINDS: [HitKind; 4] = [
    HitKind::Title,
    HitKind::Heading,
    HitKind::Code,
    HitKind::Body,
];

impl Entry {
    fn start(&self) -> usize {
        self.start as usize
    }

    fn end(&self) -> usize {
        self.start as usize + (self.len_kind & LEN_MASK) as usize
    }

    fn kind(&self) -> HitKind {
        KINDS[(self.len_kind >> KIND_SHIFT) as usize]
    }

    fn len_kind(len: usize, kind: HitKind) -> u32 {
        let k = KINDS.iter().position(|&x| x == kind).unwrap_or(3) as u32;
        // A line over a gigabyte is searched in its first gigabyte.
        (len.min(LEN_MASK as usize) as u32) | (k << KIND_SHIFT)
    }
}

/// A searchable snapshot of a guide set. Owns all its data, so it can be built on one
/// thread and queried on another.
///
/// The entries' text is kept once, case-folded; the text as written is the folded text
/// with the bytes in `case_at`/`case_byte` put back. Folding keeps every byte offset, and
/// prose has few capitals, so this costs a small fraction of a second copy of the text
/// (on a 57 MB set, tens of megabytes less).
#[derive(Debug, Clone, Default)]
pub struct Index {
    folded: String,
    /// Byte offsets into `folded` where the text as written differs, ascending.
    case_at: Vec<u32>,
    /// The byte as written at each offset of `case_at`.
    case_byte: Vec<u8>,
    entries: Vec<Entry>,
    /// `(first entry, guide)` for each guide with entries, ascending.
    guide_starts: Vec<(u32, u32)>,
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

    /// One guide's index, for callers that search guide by guide (the cached CLI search).
    pub fn from_part(gi: usize, part: GuidePart) -> Index {
        Index::from_parts([(gi, &part)])
    }

    /// Appends guide `gi`'s part (guides in order), so a caller can build the index one
    /// parsed guide at a time; [`Index::finish`] when done.
    pub fn push_part(&mut self, gi: usize, part: &GuidePart) {
        let base = self.folded.len();
        // Offsets are 32-bit: past 4 GiB of text (far beyond any set that fits in
        // memory) guides are left out of the index.
        let (Ok(base32), Ok(first), Ok(gi32)) = (
            u32::try_from(base),
            u32::try_from(self.entries.len()),
            u32::try_from(gi),
        ) else {
            return;
        };
        if u32::try_from(base + part.folded.len()).is_err() {
            return;
        }
        let first_anchor = self.anchors.len();
        let written = part.orig.as_bytes();
        for (k, (&w, &f)) in written.iter().zip(part.folded.as_bytes()).enumerate() {
            if w != f {
                self.case_at.push(base32 + k as u32);
                self.case_byte.push(w);
            }
        }
        self.folded.push_str(&part.folded);
        self.anchors
            .extend(part.headings.iter().map(|h| h.anchor.clone()));
        self.masks.extend_from_slice(&part.masks);
        if !part.entries.is_empty() {
            self.guide_starts.push((first, gi32));
        }
        self.entries.extend(part.entries.iter().map(|e| Entry {
            start: base32 + e.start,
            len_kind: Entry::len_kind(e.end.saturating_sub(e.start) as usize, e.kind),
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

    /// The guide entry `i` belongs to.
    fn guide_of(&self, i: usize) -> usize {
        let k = self
            .guide_starts
            .partition_point(|&(first, _)| first as usize <= i);
        k.checked_sub(1)
            .and_then(|k| self.guide_starts.get(k))
            .map_or(0, |&(_, g)| g as usize)
    }

    /// Gives back the room the growing buffers reserved: on a large set, up to half of
    /// the index would be spare capacity kept for as long as the index lives.
    pub fn finish(&mut self) {
        self.folded.shrink_to_fit();
        self.case_at.shrink_to_fit();
        self.case_byte.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.guide_starts.shrink_to_fit();
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
        // The folded text is scanned either way; a case-sensitive occurrence is then
        // checked against the text as written.
        let folded_primary = score::fold(primary);
        // (score, entry); ranges are worked out for the winners only.
        let mut scored: Vec<(u32, u32)> = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut exact = 0;
        let single = terms.len() == 1;
        let hay_bytes = self.folded.as_bytes();
        // Occurrences come in order, so the capitals near each are found by walking
        // forward, and one small buffer holds the bytes around it as written.
        let mut cursor = 0;
        let mut window: Vec<u8> = Vec::new();
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
                    score::exact_quality(at, e.end() - e.start(), primary.len())
                };
                Some(rank(tier, e.kind(), quality))
            } else {
                self.score_entry(i, case_sensitive, &terms).map(|(s, _)| s)
            };
            if let Some(s) = score {
                if s / TIER_UNIT > Tier::Fuzzy as u32 {
                    exact += 1;
                }
                scored.push((s, i as u32));
            }
        };
        for pos in memchr::memmem::find_iter(hay_bytes, folded_primary.as_bytes()) {
            while entry < self.entries.len() && self.entries[entry].end() <= pos {
                entry += 1;
            }
            let Some(e) = self.entries.get(entry) else {
                break;
            };
            let at = pos - e.start();
            let len = primary.len();
            let i = self.written_around(e, pos, len, &mut cursor, &mut window);
            if case_sensitive && window.get(i..i + len) != Some(primary.as_bytes()) {
                continue;
            }
            let tier = if at == 0 && len == e.end() - e.start() {
                Tier::Whole
            } else {
                score::tier_at(&window, i, len)
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
                    && let Some((s, _)) = self.score_entry(i, case_sensitive, &terms)
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
                    .score_entry(i, case_sensitive, &terms)
                    .map(|(_, r)| r)
                    .unwrap_or_default();
                self.hit(i, score, ranges)
            })
            .collect()
    }

    /// The bytes as written from just before an occurrence at `pos` (`len` bytes) to
    /// just after it, within entry `e`, into `window`; returns where the occurrence
    /// starts in it. Enough for the tier (the bytes either side) and a case-sensitive
    /// check. `cursor` walks `case_at` forward: call in ascending `pos`.
    fn written_around(
        &self,
        e: &Entry,
        pos: usize,
        len: usize,
        cursor: &mut usize,
        window: &mut Vec<u8>,
    ) -> usize {
        let from = if pos > e.start() { pos - 1 } else { pos };
        let to = (pos + len + 1).min(e.end()).max(from);
        window.clear();
        window.extend_from_slice(self.folded.as_bytes().get(from..to).unwrap_or_default());
        while self
            .case_at
            .get(*cursor)
            .is_some_and(|&c| (c as usize) < from)
        {
            *cursor += 1;
        }
        let mut k = *cursor;
        while let Some(&c) = self.case_at.get(k).filter(|&&c| (c as usize) < to) {
            if let (Some(slot), Some(&b)) =
                (window.get_mut(c as usize - from), self.case_byte.get(k))
            {
                *slot = b;
            }
            k += 1;
        }
        pos - from
    }

    /// Entry `e`'s text as written: borrowed from the folded text when it has no
    /// capitals, else rebuilt.
    fn written(&self, e: &Entry) -> std::borrow::Cow<'_, str> {
        let text = self.folded.get(e.start()..e.end()).unwrap_or_default();
        let lo = self.case_at.partition_point(|&c| (c as usize) < e.start());
        let hi = self.case_at.partition_point(|&c| (c as usize) < e.end());
        if lo == hi {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for (&c, &b) in self.case_at[lo..hi].iter().zip(&self.case_byte[lo..hi]) {
            if let Some(slot) = bytes.get_mut(c as usize - e.start()) {
                *slot = b;
            }
        }
        // Always valid (the bytes are the text as written); lossy only to never panic.
        match String::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Owned(s),
            Err(e) => std::borrow::Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    }

    fn score_entry(
        &self,
        i: usize,
        case_sensitive: bool,
        terms: &[String],
    ) -> Option<(u32, Vec<Range<usize>>)> {
        let e = &self.entries[i];
        let written = self.written(e);
        let orig: &str = &written;
        let line = if case_sensitive {
            orig
        } else {
            self.folded.get(e.start()..e.end()).unwrap_or_default()
        };
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
        let score = rank(tier, e.kind(), quality);
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
            guide: self.guide_of(i),
            kind: e.kind(),
            text: self.written(e).into_owned(),
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
    preview_of(&guide.body, guide.body_line, hit, radius)
}

/// [`preview`] from a guide's text and the file line it starts at.
pub fn preview_of(body: &str, first_line: usize, hit: &Hit, radius: usize) -> Vec<(u32, String)> {
    let body_line = (hit.line as usize).saturating_sub(first_line);
    let first = body_line.saturating_sub(radius);
    body.lines()
        .enumerate()
        .skip(first)
        .take(radius * 2 + 1)
        .map(|(i, l)| {
            (
                (i + first_line) as u32,
                crate::sanitize::sanitize_line(&crate::doc::expand_tabs(l, 4)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
