//! Reading order: front matter `order`, else the mdBook's `SUMMARY.md`, else each folder
//! as a file browser shows it (its `README.md` / `index.md` first, then its files by
//! name, then its sub-folders), so guides of one folder stay together in the sidebar.

use std::path::{Path, PathBuf};

use super::summary::Entry;
use super::{Guide, doc_id, normalize};

/// Where a folder's mdBook is: its `SUMMARY.md` (relative to the set's folder), the
/// folder chapters are relative to, and the book's root (what includes may read).
pub(super) struct Book {
    pub summary: String,
    /// `""` or `src/`: prefix of chapter paths relative to the set.
    pub base: String,
    pub root: PathBuf,
}

/// An mdBook is a `SUMMARY.md` in the folder or in its `src/` (or in the `src` a
/// `book.toml` beside it names). Its root is the folder holding `book.toml` when there is
/// one (listings usually live beside `src/`), else the folder itself.
pub(super) fn find_book(dir: &Path, files: &[PathBuf]) -> Option<Book> {
    let has = |rel: &str| files.iter().any(|f| f == &dir.join(rel));
    let configured_src = book_src(&dir.join("book.toml"));
    let mut bases: Vec<String> = Vec::new();
    if let Some(src) = configured_src {
        bases.push(format!("{}/", src.trim_matches('/')));
    }
    bases.push(String::new());
    bases.push("src/".into());
    let base = bases.into_iter().find(|b| has(&format!("{b}SUMMARY.md")))?;
    let canonical = std::fs::canonicalize(dir).ok()?;
    let root = if base.is_empty()
        && !dir.join("book.toml").is_file()
        && let Some(parent) = canonical.parent()
        && parent.join("book.toml").is_file()
    {
        parent.to_path_buf()
    } else {
        canonical
    };
    Some(Book {
        summary: format!("{base}SUMMARY.md"),
        base,
        root,
    })
}

/// `[book] src = "…"` from a `book.toml`, read with a size cap.
fn book_src(path: &Path) -> Option<String> {
    let bytes = super::read_capped_bytes(path, 1024 * 1024).ok()?;
    let value: toml::Table = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
    value
        .get("book")?
        .get("src")?
        .as_str()
        .filter(|s| !s.contains(".."))
        .map(str::to_string)
}

/// Gives guides named in the summary their place, title and nesting; chapters without a
/// file become draft guides, shown as such.
pub(super) fn apply_summary(guides: &mut Vec<Guide>, entries: &[Entry], base: &str) {
    let mut by_path: std::collections::HashMap<String, usize> = guides
        .iter()
        .enumerate()
        .map(|(i, g)| (g.rel_path.clone(), i))
        .collect();
    for (position, entry) in entries.iter().enumerate() {
        let rel = entry.path.as_deref().and_then(|p| {
            let p = p.split('#').next().unwrap_or(p);
            let p = super::links::percent_decode(p);
            normalize(&format!("{base}{p}"))
        });
        let found = rel.as_ref().and_then(|r| by_path.remove(r));
        let guide = match found {
            Some(i) => &mut guides[i],
            None => {
                let mut draft = super::guide_from_bytes("", b"");
                draft.rel_path = String::new();
                draft.id = doc_id(&crate::doc::anchor::slug(&entry.title));
                draft.draft = true;
                let note = match &entry.path {
                    Some(p) => format!(
                        "*This chapter has no file yet: `SUMMARY.md` names `{p}`, which does not exist.*\n"
                    ),
                    None => "*This chapter is a draft: it has no file yet.*\n".to_string(),
                };
                draft.body = note;
                draft.title = entry.title.clone();
                guides.push(draft);
                let last = guides.len() - 1;
                &mut guides[last]
            }
        };
        if !guide.title_from_front && !entry.title.is_empty() {
            guide.title = entry.title.clone();
        }
        guide.level = entry.level;
        guide.part = entry.part.clone();
        guide.number = entry.number.clone();
        guide.toc_position = Some(position);
    }
}

/// Sorts guides into reading order (a stable sort: ties keep their order).
pub(super) fn sort(guides: &mut [Guide]) {
    guides.sort_by_cached_key(|g| {
        (
            g.order.unwrap_or(i64::MAX),
            g.toc_position.unwrap_or(usize::MAX),
            folder_key(&g.rel_path),
        )
    });
}

/// Per path component: `(rank, name)` where a folder's README/index ranks 0, its other
/// files 1 and its sub-folders 2.
fn folder_key(rel: &str) -> Vec<(u8, String)> {
    let parts: Vec<&str> = rel.split('/').collect();
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i < last {
                (2, p.to_string())
            } else {
                let stem = p
                    .rsplit_once('.')
                    .map_or(*p, |(s, _)| s)
                    .to_ascii_lowercase();
                let rank = if stem == "readme" || stem == "index" {
                    0
                } else {
                    1
                };
                (rank, p.to_string())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_keep_together_with_readme_first() {
        let mut paths = vec![
            "b/z.md",
            "a.md",
            "b/README.md",
            "b/c/x.md",
            "b/a.md",
            "README.md",
            "c.md",
        ];
        paths.sort_by_key(|p| folder_key(p));
        assert_eq!(
            paths,
            [
                "README.md",
                "a.md",
                "c.md",
                "b/README.md",
                "b/a.md",
                "b/z.md",
                "b/c/x.md"
            ]
        );
    }
}
