//! `devguide list`: the guides of a set, as text or JSON.

use std::io::Write;

use serde::Serialize;

use crate::content::GuideSet;
use crate::search::cache::Session;

#[derive(Serialize)]
struct GuideInfo<'a> {
    id: &'a str,
    title: &'a str,
    path: &'a str,
    /// The folder within the set (`""` at the top), to tell same-named guides apart.
    folder: &'a str,
    /// Nesting: chapter level in a book, else folder depth.
    level: u8,
    /// The book part the chapter is in, and its number in the book.
    part: Option<&'a str>,
    number: Option<&'a str>,
    /// A chapter named in `SUMMARY.md` with no file yet.
    draft: bool,
    summary: Option<&'a str>,
    tags: &'a [String],
    headings: Vec<HeadingInfo<'a>>,
    task_items: usize,
}

#[derive(Serialize)]
struct HeadingInfo<'a> {
    level: u8,
    text: &'a str,
    anchor: &'a str,
}

#[derive(Serialize)]
struct SkippedInfo {
    path: String,
    reason: String,
}

pub fn run(
    set: &GuideSet,
    session: &mut Session,
    json: bool,
    skipped: bool,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    // Outlines of guides unchanged since the last call come from the cache, unparsed.
    let (outlines, _) = session.outlines(set);
    let infos: Vec<GuideInfo<'_>> = set
        .guides
        .iter()
        .zip(&outlines)
        .map(|(g, (headings, tasks))| GuideInfo {
            id: &g.id,
            title: &g.title,
            path: &g.rel_path,
            folder: g.folder(),
            level: g.level,
            part: g.part.as_deref(),
            number: g.number.as_deref(),
            draft: g.draft,
            summary: g.summary.as_deref(),
            tags: &g.tags,
            headings: headings
                .iter()
                .map(|h| HeadingInfo {
                    level: h.level,
                    text: &h.text,
                    anchor: &h.anchor,
                })
                .collect(),
            task_items: *tasks as usize,
        })
        .collect();
    let skipped_list: Vec<SkippedInfo> = set
        .skipped
        .iter()
        .map(|s| SkippedInfo {
            path: s.path.display().to_string(),
            reason: s.reason.clone(),
        })
        .collect();
    if json {
        let mut value = serde_json::json!({ "format": 1, "guides": infos });
        if skipped {
            value["skipped"] = serde_json::to_value(&skipped_list)?;
        }
        super::write_context(writeln!(out, "{}", serde_json::to_string_pretty(&value)?))?;
        return Ok(0);
    }
    let id_width = infos
        .iter()
        .map(|g| g.id.chars().count())
        .max()
        .unwrap_or(0);
    for g in &infos {
        let tasks = if g.task_items > 0 {
            format!("  [{} task items]", g.task_items)
        } else {
            String::new()
        };
        // Same-named files in different folders are told apart by their folder.
        let folder = if g.folder.is_empty() {
            String::new()
        } else {
            format!("  in {}/", g.folder)
        };
        let number = g.number.map_or(String::new(), |n| format!("{n} "));
        let detail = if g.draft {
            "draft, no file yet".to_string()
        } else {
            format!("{} headings", g.headings.len())
        };
        let line = format!(
            "{:<id_width$}  {number}{}{folder}  ({detail}){tasks}",
            g.id, g.title,
        );
        super::write_context(writeln!(out, "{}", crate::sanitize::sanitize_line(&line)))?;
    }
    if skipped {
        for s in &skipped_list {
            let line = format!("skipped {}: {}", s.path, s.reason);
            super::write_context(writeln!(out, "{}", crate::sanitize::sanitize_line(&line)))?;
        }
    }
    Ok(0)
}
