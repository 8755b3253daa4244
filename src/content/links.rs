//! Link targets between guides as authors write them: `x.md`, mdBook's `x.html`,
//! `dir/index.html` and `dir/` (a folder's `README.md` or `index.md`), `%20` escapes. And
//! the reverse, for export: links rewritten to the file names guides are written under.

use std::borrow::Cow;

use pulldown_cmark::{Event, Parser, Tag};

/// The relative paths (already normalised) a link target may mean, most literal first.
pub fn candidates(normal: &str) -> Vec<String> {
    let mut out = vec![normal.to_string()];
    let (dir, name) = normal
        .rsplit_once('/')
        .map_or(("", normal), |(d, n)| (d, n));
    let join = |n: &str| {
        if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        }
    };
    if let Some(stem) = name
        .strip_suffix(".html")
        .or_else(|| name.strip_suffix(".htm"))
    {
        if stem == "index" {
            out.push(join("README.md"));
            out.push(join("index.md"));
        }
        out.push(join(&format!("{stem}.md")));
        out.push(join(&format!("{stem}.markdown")));
    } else if !name.contains('.') {
        // `dir` or `dir/`: the folder's front page; `name` alone: a file without extension.
        let folder = |n: &str| {
            if normal.is_empty() {
                n.to_string()
            } else {
                format!("{normal}/{n}")
            }
        };
        out.push(folder("README.md"));
        out.push(folder("index.md"));
        out.push(join(&format!("{name}.md")));
    }
    out
}

/// `x.html` → `x.md`, for looking a bare name up by file name.
pub fn strip_html(target: &str) -> String {
    match target
        .strip_suffix(".html")
        .or_else(|| target.strip_suffix(".htm"))
    {
        Some(stem) => format!("{stem}.md"),
        None => target.to_string(),
    }
}

/// `%20` and friends decoded; invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Rewrites the links of `markdown` (written in guide `from` of `set`) that lead to
/// another guide so they name that guide's exported file, `exported(index)`, relative to
/// where `from` is exported. Anchors are kept; other links are left byte for byte.
pub fn rewrite_for_export(
    markdown: &str,
    set: &super::GuideSet,
    from: usize,
    exported: &dyn Fn(usize) -> String,
) -> String {
    let here = exported(from);
    let here_dir = here.rsplit_once('/').map_or("", |(d, _)| d);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut plan = |dest: &str, range: std::ops::Range<usize>| {
        if dest.is_empty() || dest.starts_with('#') || crate::doc::is_external_url(dest) {
            return;
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (dest, None),
        };
        let Some(target) = set.resolve_link(from, path) else {
            return;
        };
        let mut new = relative(here_dir, &exported(target));
        if let Some(a) = anchor {
            new.push('#');
            new.push_str(a);
        }
        if new != dest
            && let Some(at) = markdown[range.clone()].rfind(dest)
        {
            let start = range.start + at;
            edits.push((start..start + dest.len(), new));
        }
    };
    let parser = Parser::new_ext(markdown, crate::doc::parse_options());
    let defs: Vec<(String, std::ops::Range<usize>)> = parser
        .reference_definitions()
        .iter()
        .map(|(_, d)| (d.dest.to_string(), d.span.clone()))
        .collect();
    for (event, range) in parser.into_offset_iter() {
        if let Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url,
            ..
        }) = event
        {
            plan(&dest_url, range);
        }
    }
    for (dest, span) in defs {
        plan(&dest, span);
    }
    edits.sort_by_key(|(r, _)| r.start);
    edits.dedup_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (range, new) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&markdown[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&markdown[at..]);
    out
}

/// `to` (a path from the export root) as seen from folder `from_dir`.
fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = std::iter::repeat_n("..", from.len() - common);
    ups.chain(to_parts[common..].iter().copied())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_names_and_folders_map_to_markdown() {
        assert_eq!(
            candidates("ch/appendix-03.html"),
            [
                "ch/appendix-03.html",
                "ch/appendix-03.md",
                "ch/appendix-03.markdown"
            ]
        );
        assert!(candidates("index.html").contains(&"README.md".to_string()));
        assert!(candidates("cli").contains(&"cli/README.md".to_string()));
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
    }

    #[test]
    fn export_names_replace_ids_and_anchors_stay() {
        let set = crate::content::GuideSet::bundled();
        let body = &set.guides[1].body;
        let names: Vec<String> = crate::content::bundled_files()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let exported = |i: usize| {
            let rel = &set.guides[i].rel_path;
            names
                .iter()
                .find(|n| *n == rel)
                .cloned()
                .unwrap_or_default()
        };
        let out = rewrite_for_export(body, &set, 1, &exported);
        assert!(
            out.contains("](01-import-guide.md#migration-guide)"),
            "{out}"
        );
        assert!(!out.contains("](import-guide.md"));
        assert_eq!(relative("a/b", "a/c/x.md"), "../c/x.md");
        assert_eq!(relative("", "x.md"), "x.md");
    }
}
