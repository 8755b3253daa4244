//! One guide's share of the search index, and its outline: what `search` and `list` need
//! from a guide, in a form that can be cached on disk and put together without parsing.

use crate::content::Guide;
use crate::doc::Doc;

use super::{HitKind, entries, score};

/// One searchable line, with offsets into its part's strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartEntry {
    pub start: u32,
    pub end: u32,
    pub kind: HitKind,
    pub block: u32,
    pub line: u32,
    /// `u32::MAX` when not a code line.
    pub code_line: u32,
    /// Index into the part's headings, `u32::MAX` for none.
    pub heading: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartHeading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A guide's entries (texts as written and folded, each followed by `\n`, so no match
/// spans two), their character masks, its headings and its number of task items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuidePart {
    pub orig: String,
    pub folded: String,
    pub entries: Vec<PartEntry>,
    pub masks: Vec<u64>,
    pub headings: Vec<PartHeading>,
    pub tasks: u32,
}

impl GuidePart {
    pub fn build(guide: &Guide, doc: &Doc) -> GuidePart {
        let mut raw = Vec::new();
        entries::guide_entries(guide, doc, &mut raw);
        let mut part = GuidePart {
            headings: doc
                .headings
                .iter()
                .map(|h| PartHeading {
                    level: h.level,
                    text: h.text.clone(),
                    anchor: h.anchor.clone(),
                })
                .collect(),
            tasks: doc.tasks.len() as u32,
            ..GuidePart::default()
        };
        for e in raw {
            let folded = score::fold(&e.text);
            let start = part.orig.len() as u32;
            part.orig.push_str(&e.text);
            part.folded.push_str(&folded);
            let end = part.orig.len() as u32;
            part.orig.push('\n');
            part.folded.push('\n');
            part.masks.push(score::char_mask(&folded));
            part.entries.push(PartEntry {
                start,
                end,
                kind: e.kind,
                block: e.block as u32,
                line: e.line,
                code_line: e.code_line.unwrap_or(u32::MAX),
                heading: e.heading.map_or(u32::MAX, |h| h as u32),
            });
        }
        part
    }
}
