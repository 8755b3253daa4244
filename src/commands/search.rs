//! `devguide search QUERY`: the finder's ranked results as `guide#anchor:line: text`, one
//! per line, for scripts and editors. Exits 1 when nothing matches, as grep does.

use std::io::Write;
use std::ops::Range;

use serde::Serialize;

use crate::content::GuideSet;
use crate::sanitize::sanitize_line;
use crate::search::cache::Session;
use crate::search::{Hit, HitKind, Index};

use super::write_context;

#[derive(Serialize)]
struct HitOut<'a> {
    guide: &'a str,
    path: &'a str,
    kind: HitKind,
    anchor: Option<&'a str>,
    line: u32,
    code_line: Option<u32>,
    text: String,
    score: u32,
    ranges: &'a [Range<usize>],
}

/// `guide#anchor:line` (or `guide:line` above the first heading).
fn place(set: &GuideSet, hit: &Hit) -> String {
    let id = set.guides.get(hit.guide).map_or("", |g| g.id.as_str());
    match &hit.anchor {
        Some(a) => format!("{id}#{a}:{}", hit.line),
        None => format!("{id}:{}", hit.line),
    }
}

/// How `search` prints and where it reads from.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub json: bool,
    /// `file:line:col:text` lines for editors' quickfix lists.
    pub vimgrep: bool,
    /// Most results to print.
    pub limit: usize,
}

/// The best `limit` hits over the whole set, as one index of the set would rank them,
/// with one guide's index in memory at a time. A hit's score depends on its own line only
/// and fuzzy hits always rank below exact ones, so each guide's own best `limit` (its
/// fuzzy pass included when it has too few exact hits) hold the set's best `limit`; a
/// stable sort by score then keeps guide order and, within a guide, the index's order.
fn ranked(set: &GuideSet, session: &mut Session, query: &str, limit: usize) -> Vec<Hit> {
    fn keep_best(hits: &mut Vec<Hit>, limit: usize) {
        hits.sort_by_key(|h| std::cmp::Reverse(h.score));
        hits.truncate(limit);
    }
    // Guides unchanged since the last call come from the cache, unparsed; runs of guides
    // are ranked on threads of their own and come back in guide order.
    let (runs, _) = session.for_each_part(set, &Vec::new, &|hits: &mut Vec<Hit>, gi, part| {
        hits.extend(Index::from_part(gi, part).query(query, limit));
        if hits.len() >= limit.saturating_mul(4).max(1024) {
            keep_best(hits, limit);
        }
    });
    let mut hits: Vec<Hit> = runs.into_iter().flatten().collect();
    keep_best(&mut hits, limit);
    hits
}

/// Exit codes: 0 found, 1 nothing matched, 2 usage (an empty query).
pub fn run(
    set: &GuideSet,
    session: &mut Session,
    query: &str,
    opts: Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let Options {
        json,
        vimgrep,
        limit,
    } = opts;
    if query.trim().is_empty() {
        write_context(writeln!(err, "devguide: search needs a query"))?;
        return Ok(2);
    }
    if vimgrep && set.origin == crate::content::Origin::Bundled {
        write_context(writeln!(err, "{}", super::vimgrep::NO_FILES))?;
        return Ok(2);
    }
    let hits = ranked(set, session, query, limit);
    if json {
        let list: Vec<HitOut<'_>> = hits
            .iter()
            .map(|h| {
                let guide = set.guides.get(h.guide);
                HitOut {
                    guide: guide.map_or("", |g| g.id.as_str()),
                    path: guide.map_or("", |g| g.rel_path.as_str()),
                    kind: h.kind,
                    anchor: h.anchor.as_deref(),
                    line: h.line,
                    code_line: h.code_line,
                    // Already sanitised when indexed, so the ranges still fit.
                    text: sanitize_line(&h.text),
                    score: h.score,
                    ranges: &h.ranges,
                }
            })
            .collect();
        let value = serde_json::json!({ "format": 1, "query": query, "hits": list });
        write_context(writeln!(out, "{}", serde_json::to_string_pretty(&value)?))?;
    } else if vimgrep {
        for h in &hits {
            write_vimgrep(set, h, out)?;
        }
    } else {
        for h in &hits {
            let line = format!("{}: {}", place(set, h), h.text);
            write_context(writeln!(out, "{}", sanitize_line(&line)))?;
        }
    }
    Ok(if hits.is_empty() { 1 } else { 0 })
}

/// `file:line:col:text`: the column of the first matched range, in the file's own line.
fn write_vimgrep(set: &GuideSet, h: &Hit, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(path) = super::vimgrep::path(set, h.guide) else {
        return Ok(());
    };
    let line = super::vimgrep::file_line(set, h.guide, h.line).unwrap_or(&h.text);
    let needle = h
        .ranges
        .first()
        .and_then(|r| h.text.get(r.clone()))
        .unwrap_or("");
    let col = super::vimgrep::column(line, needle);
    super::vimgrep::write_line(out, &path, h.line, col, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_guide_by_guide_on_threads_matches_one_index_of_the_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        // More guides than run on one thread, with ties across guides and fuzzy-only hits.
        for i in 0..150 {
            let text = format!(
                "# Guide {i}\n\nThe lifetime of value {i}.\n\n## Life time\n\nlifetimes and \
                 a life in time {}\n\n```rust\nfn lifetime_{i}() {{}}\n```\n",
                i % 7
            );
            std::fs::write(dir.path().join(format!("g{i:03}.md")), text).expect("write");
        }
        let set = GuideSet::from_dir(dir.path()).expect("loads");
        let whole = Index::build(&set);
        for query in ["lifetime", "life time", "lftm", "value 1", "Guide", "zzz"] {
            for limit in [1, 7, 50, 1000] {
                let ours = ranked(&set, &mut Session::none(), query, limit);
                assert_eq!(ours, whole.query(query, limit), "{query} {limit}");
            }
        }
    }
}
