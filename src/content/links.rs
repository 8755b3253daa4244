//! Link targets between guides as authors write them: `x.md`, mdBook's `x.html`,
//! `dir/index.html` and `dir/` (a folder's `README.md` or `index.md`), `%20` escapes.

use std::borrow::Cow;

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
    fn bundled_guides_link_by_their_file_names_so_exports_work_elsewhere() {
        let set = crate::content::GuideSet::bundled();
        let names: Vec<String> = crate::content::bundled_files()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let mut checked = 0;
        for g in &set.guides {
            for link in crate::doc::parse(&g.body).links {
                let path = link.url.split('#').next().unwrap_or("");
                if link.is_external() || path.is_empty() || path.starts_with("../") {
                    continue;
                }
                assert!(names.contains(&path.to_string()), "{}: {}", g.id, link.url);
                checked += 1;
            }
        }
        assert!(checked >= 10, "{checked}");
    }
}
