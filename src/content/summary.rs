//! mdBook's `SUMMARY.md`: the reading order, titles and nesting of a book.
//!
//! The format: an optional `# Summary` title, prefix chapters (plain links), then parts
//! (`# Part title`) holding numbered chapters as nested list items, separators (`---`),
//! and suffix chapters (plain links again). `- [Title]()` is a draft with no file yet.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// One chapter of the table of contents, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    /// The file, relative to the folder of `SUMMARY.md`; `None` for a draft.
    pub path: Option<String>,
    /// Nesting: 0 for top-level chapters, 1 for their sub-chapters, and so on.
    pub level: u8,
    /// `1.2.` for numbered chapters; `None` for prefix and suffix chapters.
    pub number: Option<String>,
    /// The part title the chapter is under, if the book has parts.
    pub part: Option<String>,
}

/// Deepest nesting kept; deeper items count as this level (a hostile summary cannot make
/// the numbering or the sidebar unbounded).
const MAX_LEVEL: usize = 16;

pub fn parse(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut part: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut seen_link = false;
    let mut list_depth = 0usize;
    let mut counters: Vec<u32> = Vec::new();
    // The link being read: its destination and the text so far.
    let mut link: Option<(String, String)> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                if let Some(h) = heading.take() {
                    // The first heading before any chapter is the summary's own title.
                    if seen_link || !h.trim().eq_ignore_ascii_case("summary") {
                        part = Some(crate::sanitize::sanitize_line(h.trim()));
                    }
                }
            }
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
                if counters.len() < list_depth {
                    counters.resize(list_depth, 0);
                }
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                // Numbering goes on across parts, as in mdBook: the top counter stays.
                counters.truncate(list_depth.max(1));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, title)) = link.take() else {
                    continue;
                };
                seen_link = true;
                let level = list_depth.saturating_sub(1).min(MAX_LEVEL);
                let number = (list_depth > 0).then(|| {
                    let depth = level + 1;
                    if counters.len() < depth {
                        counters.resize(depth, 0);
                    }
                    counters.truncate(depth);
                    if let Some(last) = counters.last_mut() {
                        *last += 1;
                    }
                    counters.iter().map(|n| format!("{n}.")).collect::<String>()
                });
                let path = dest.trim();
                entries.push(Entry {
                    title: crate::sanitize::sanitize_line(title.trim()),
                    path: (!path.is_empty()).then(|| path.to_string()),
                    level: level as u8,
                    number,
                    part: part.clone(),
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = &mut link {
                    title.push_str(&t);
                } else if let Some(h) = &mut heading {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = "# Summary\n\n[Intro](README.md)\n\n# Getting started\n\n\
- [Install](ch01.md)\n    - [On Linux](ch01-01.md)\n    - [Later]()\n- [Guessing `game`](ch02.md)\n\n\
# Appendix\n\n- [Keywords](appendix-01.md)\n\n---\n\n[Thanks](thanks.md)\n";

    #[test]
    fn order_titles_nesting_parts_and_drafts() {
        let e = parse(BOOK);
        let rows: Vec<_> = e
            .iter()
            .map(|e| {
                (
                    e.title.as_str(),
                    e.path.as_deref(),
                    e.level,
                    e.number.as_deref(),
                    e.part.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Intro", Some("README.md"), 0, None, None),
                (
                    "Install",
                    Some("ch01.md"),
                    0,
                    Some("1."),
                    Some("Getting started")
                ),
                (
                    "On Linux",
                    Some("ch01-01.md"),
                    1,
                    Some("1.1."),
                    Some("Getting started")
                ),
                ("Later", None, 1, Some("1.2."), Some("Getting started")),
                (
                    "Guessing game",
                    Some("ch02.md"),
                    0,
                    Some("2."),
                    Some("Getting started")
                ),
                (
                    "Keywords",
                    Some("appendix-01.md"),
                    0,
                    Some("3."),
                    Some("Appendix")
                ),
                ("Thanks", Some("thanks.md"), 0, None, Some("Appendix")),
            ]
        );
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let md: String = (0..200)
            .map(|i| format!("{}- [x{i}](x{i}.md)\n", "  ".repeat(i)))
            .collect();
        let e = parse(&md);
        assert!(e.iter().all(|e| usize::from(e.level) <= MAX_LEVEL));
        assert!(!e.is_empty());
    }
}
