//! `devguide check`: a link checker for a guide set, offline. Links to guides or headings
//! that do not exist, includes that cannot be read, duplicate heading ids, checklist items
//! that share an id, and (in an mdBook) chapters the reading order never reaches.
//!
//! Links that climb out of the set's folder point at files the set does not hold (the rest
//! of a repository): they are left to tools that see the whole tree. In a folder on disk,
//! a link to an existing file that is not a guide (an image, a source file) is fine.

use std::io::Write;

use serde::Serialize;

use crate::content::{GuideSet, Origin};
use crate::doc::{self, Doc, Leaf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The guide's path in the set.
    pub file: String,
    /// 1-based line in the file (0 when the problem is about the whole file).
    pub line: usize,
    /// The link, include or item the problem is about.
    pub link: String,
    pub message: String,
    pub suggestion: Option<String>,
}

/// Every problem of the set, guide by guide, in reading order.
pub fn problems(set: &GuideSet) -> Vec<Problem> {
    let docs: Vec<Doc> = set.guides.iter().map(|g| doc::parse(&g.body)).collect();
    let mut out = Vec::new();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); set.guides.len()];
    for (i, (guide, d)) in set.guides.iter().zip(&docs).enumerate() {
        if guide.draft {
            continue;
        }
        let offset = guide.body_line.saturating_sub(1);
        let lines = link_lines(d, &guide.body);
        for (li, link) in d.links.iter().enumerate() {
            if link.is_external() || link.url.is_empty() {
                continue;
            }
            let line = lines.get(li).copied().unwrap_or(0) + offset;
            let problem = |message: String, suggestion: Option<String>| Problem {
                file: guide.rel_path.clone(),
                line,
                link: link.url.clone(),
                message,
                suggestion,
            };
            let (path, anchor) = match link.url.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (link.url.as_str(), None),
            };
            let target = if path.is_empty() {
                Some(i)
            } else {
                match set.resolve_link(i, path) {
                    Some(t) => Some(t),
                    None => {
                        if !leaves_set(set, i, path) && !exists_on_disk(set, i, path) {
                            out.push(problem(
                                "no such guide in this set".into(),
                                closest(
                                    path,
                                    set.guides
                                        .iter()
                                        .filter(|g| !g.draft)
                                        .map(|g| g.rel_path.as_str()),
                                )
                                .map(|s| relative_to(&guide.rel_path, &s)),
                            ));
                        }
                        None
                    }
                }
            };
            let Some(t) = target else { continue };
            edges[i].push(t);
            if set.guides[t].draft && t != i {
                out.push(problem(
                    "links to a draft chapter that has no file yet".into(),
                    None,
                ));
                continue;
            }
            if let Some(a) = anchor.filter(|a| !a.is_empty())
                && docs[t].heading_by_anchor(a).is_none()
            {
                let anchors = docs[t].headings.iter().map(|h| h.anchor.as_str());
                out.push(problem(
                    format!("no heading #{a} in {}", set.guides[t].rel_path),
                    closest(a, anchors).map(|s| format!("#{s}")),
                ));
            }
        }
        for p in &guide.include_problems {
            out.push(Problem {
                file: guide.rel_path.clone(),
                line: p.line + offset,
                link: p.directive.clone(),
                message: format!("include not resolved: {}", p.message),
                suggestion: None,
            });
        }
        duplicate_ids(guide, d, offset, &mut out);
        duplicate_items(guide, d, offset, &mut out);
    }
    if set.summary.is_some() {
        unreachable(set, &edges, &mut out);
    }
    out
}

/// The source line of each link (by its index): the line, from its block's first line
/// on, where its target is written.
fn link_lines(d: &Doc, body: &str) -> Vec<usize> {
    let source: Vec<&str> = body.lines().collect();
    let mut lines = vec![0usize; d.links.len()];
    for block in &d.blocks {
        let mut from = block.line as usize;
        let mut visit = |inl: &[doc::Inline]| {
            for i in inl {
                let Some(l) = i.link() else { continue };
                let Some(slot) = lines.get_mut(l as usize) else {
                    continue;
                };
                if *slot != 0 {
                    continue;
                }
                let url = d.links.get(l as usize).map_or("", |k| k.url.as_str());
                let found = source
                    .iter()
                    .enumerate()
                    .skip(from.saturating_sub(1))
                    .take(200)
                    .find(|(_, text)| !url.is_empty() && text.contains(url))
                    .map(|(n, _)| n + 1);
                *slot = found.unwrap_or(block.line as usize);
                from = (*slot).max(from);
            }
        };
        match &block.leaf {
            Leaf::Paragraph(inl) | Leaf::Heading { inlines: inl, .. } => visit(inl),
            Leaf::Table(t) => t.rows.iter().flatten().for_each(|c| visit(c)),
            _ => {}
        }
    }
    lines
}

/// True for a path that climbs out of the set's folder (or, for the bundled set, any
/// relative path out of it).
fn leaves_set(set: &GuideSet, from: usize, path: &str) -> bool {
    let base = set.guides[from].folder();
    let mut depth = base.split('/').filter(|s| !s.is_empty()).count() as i64;
    for part in path.split('/') {
        match part {
            ".." => depth -= 1,
            "" | "." => {}
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    path.starts_with('/')
}

fn exists_on_disk(set: &GuideSet, from: usize, path: &str) -> bool {
    let Origin::Dir(dir) = &set.origin else {
        return false;
    };
    let path = crate::content::links::percent_decode(path);
    dir.join(set.guides[from].folder())
        .join(path.as_ref())
        .exists()
}

/// `target` (a path in the set) as a link written in `from`.
fn relative_to(from: &str, target: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to: Vec<&str> = target.split('/').collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    std::iter::repeat_n("..", from_dir.len() - common)
        .chain(to[common..].iter().copied())
        .collect::<Vec<_>>()
        .join("/")
}

/// Headings given the same explicit id (`{#id}`): a link can reach only the first.
fn duplicate_ids(guide: &crate::content::Guide, d: &Doc, offset: usize, out: &mut Vec<Problem>) {
    let source: Vec<&str> = guide.body.lines().collect();
    let mut explicit: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for h in &d.headings {
        let line = d.blocks.get(h.block).map_or(0, |b| b.line as usize);
        let text = source.get(line.saturating_sub(1)).copied().unwrap_or("");
        let Some(at) = text.rfind("{#") else { continue };
        let id = text[at + 2..]
            .split(|c: char| c == '}' || c.is_whitespace())
            .next()
            .unwrap_or("");
        if id.is_empty() {
            continue;
        }
        if let Some(&first) = explicit.get(id) {
            out.push(Problem {
                file: guide.rel_path.clone(),
                line: line + offset,
                link: format!("#{id}"),
                message: format!("duplicate heading id (first on line {})", first + offset),
                suggestion: Some(format!("#{}", h.anchor)),
            });
        } else {
            explicit.insert(id, line);
        }
    }
}

/// Checklist items with the same text under the same heading share an id but for their
/// order: moving one moves the other's tick.
fn duplicate_items(guide: &crate::content::Guide, d: &Doc, offset: usize, out: &mut Vec<Problem>) {
    use crate::checklist::model::normalize_text;
    let mut seen: std::collections::HashMap<(Option<usize>, String), usize> =
        std::collections::HashMap::new();
    for t in &d.tasks {
        let line = d.blocks.get(t.block).map_or(0, |b| b.line as usize) + offset;
        let key = (t.heading, normalize_text(&t.text));
        if let Some(&first) = seen.get(&key) {
            out.push(Problem {
                file: guide.rel_path.clone(),
                line,
                link: t.text.clone(),
                message: format!(
                    "checklist item has the same id as the one on line {first} (same text under the same heading)"
                ),
                suggestion: Some("reword one of them".into()),
            });
        } else {
            seen.insert(key, line);
        }
    }
}

/// Chapters of a book that neither `SUMMARY.md` nor any reachable chapter links to (or
/// includes: a file written to be included is read through its includer).
fn unreachable(set: &GuideSet, edges: &[Vec<usize>], out: &mut Vec<Problem>) {
    let included: std::collections::HashSet<&std::path::Path> = set
        .guides
        .iter()
        .flat_map(|g| g.included_files.iter().map(|p| p.as_path()))
        .collect();
    let mut reached = vec![false; set.guides.len()];
    let mut stack: Vec<usize> = set
        .guides
        .iter()
        .enumerate()
        .filter(|(_, g)| g.toc_position.is_some())
        .map(|(i, _)| i)
        .collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut reached[i], true) {
            continue;
        }
        stack.extend(edges[i].iter().copied().filter(|&t| !reached[t]));
    }
    for (i, g) in set.guides.iter().enumerate() {
        if reached[i] || g.draft {
            continue;
        }
        let real = set.disk_path(i).and_then(|p| std::fs::canonicalize(p).ok());
        if real.is_some_and(|p| included.contains(p.as_path())) {
            continue;
        }
        out.push(Problem {
            file: g.rel_path.clone(),
            line: 0,
            link: String::new(),
            message: "unreachable from the reading order: not in SUMMARY.md and no chapter \
                      links to it; add it to SUMMARY.md or link to it"
                .into(),
            suggestion: None,
        });
    }
}

/// The candidate closest to `wanted` by edit distance, if it is close enough to help.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let wanted_name = wanted.rsplit('/').next().unwrap_or(wanted).to_lowercase();
    let wanted_name = crate::content::links::strip_html(&wanted_name);
    candidates
        .map(|c| {
            let name = c.rsplit('/').next().unwrap_or(c).to_lowercase();
            (distance(&wanted_name, &name), c)
        })
        .filter(|(d, _)| *d <= wanted_name.chars().count().max(3) / 2 + 1)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance over characters, with inputs cut at 256 characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(256).collect();
    let b: Vec<char> = b.chars().take(256).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Prints the problems, one per line (`file:line: link: message (did you mean …?)`) or as
/// JSON. Exit 0 when there are none, 1 when there are.
pub fn run(set: &GuideSet, json: bool, out: &mut dyn Write) -> anyhow::Result<u8> {
    let found = problems(set);
    if json {
        let value = serde_json::json!({ "format": 1, "problems": found });
        super::write_context(writeln!(out, "{}", serde_json::to_string_pretty(&value)?))?;
    } else {
        for p in &found {
            let mut line = format!("{}:{}: ", p.file, p.line);
            if !p.link.is_empty() {
                line.push_str(&p.link);
                line.push_str(": ");
            }
            line.push_str(&p.message);
            if let Some(s) = &p.suggestion {
                line.push_str(&format!(" (did you mean {s}?)"));
            }
            super::write_context(writeln!(out, "{}", crate::sanitize::sanitize_line(&line)))?;
        }
        // A summary either way, so a clean run is told from one that checked nothing.
        let summary = format!(
            "{} problem{} in {} guide{}",
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            set.guides.len(),
            if set.guides.len() == 1 { "" } else { "s" }
        );
        super::write_context(writeln!(out, "{summary}"))?;
    }
    Ok(u8::from(!found.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_guides_are_clean() {
        let found = problems(&GuideSet::bundled());
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn broken_links_anchors_ids_and_items_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("a.md"),
            "# A\n\n## Setup {#setup}\n\n## Again {#setup}\n\n[b](b.md#instal) [gone](gone.md) [ok](b.md#install) [img](pic.png) [out](../x.md)\n\n- [ ] Run tests\n- [ ] run tests.\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("b.md"),
            "# B\n\n## Install\n\n[top](#nowhere)\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("pic.png"), "png").expect("write");
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let found = problems(&set);
        let brief: Vec<(String, usize, String)> = found
            .iter()
            .map(|p| (p.file.clone(), p.line, p.link.clone()))
            .collect();
        assert_eq!(
            brief,
            [
                ("a.md".into(), 7, "b.md#instal".into()),
                ("a.md".into(), 7, "gone.md".into()),
                ("a.md".into(), 5, "#setup".into()),
                ("a.md".into(), 10, "run tests.".into()),
                ("b.md".into(), 5, "#nowhere".into()),
            ],
            "{found:#?}"
        );
        assert_eq!(found[0].suggestion.as_deref(), Some("#install"));
        let mut out = Vec::new();
        assert_eq!(run(&set, false, &mut out).expect("runs"), 1);
        let text = String::from_utf8(out).expect("utf8");
        assert!(
            text.contains(
                "a.md:7: b.md#instal: no heading #instal in b.md (did you mean #install?)"
            ),
            "{text}"
        );
    }

    #[test]
    fn distance_is_levenshtein() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }
}
