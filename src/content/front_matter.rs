//! Optional `+++` TOML front matter at the top of a guide.

use serde::Deserialize;

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub order: Option<i64>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    /// `checklist = true`: the guide is a checklist, so it shows a progress gauge even
    /// before any migration exists; `false`: its task lists are only examples, never
    /// gauged. Unset: gauged once the set has a migration.
    pub checklist: Option<bool>,
}

/// The front matter (if any), the body after it, and a problem description when the front
/// matter is present but malformed (the body is still returned).
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// 1-based line number in the file where the body starts.
    pub body_line: usize,
    pub error: Option<String>,
}

pub fn split(text: &str) -> Split<'_> {
    let plain = Split {
        front: FrontMatter::default(),
        body: text,
        body_line: 1,
        error: None,
    };
    let rest = match text
        .strip_prefix("\u{feff}")
        .unwrap_or(text)
        .strip_prefix("+++")
    {
        Some(r) if r.starts_with('\n') || r.starts_with("\r\n") => r,
        _ => return plain,
    };
    let rest = rest.trim_start_matches('\r').trim_start_matches('\n');
    // The closing fence is a line holding only `+++`.
    let mut offset = 0;
    let mut close = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((toml_end, body_start)) = close else {
        return Split {
            error: Some("line 1: front matter opened with +++ is never closed".into()),
            ..plain
        };
    };
    let toml_text = &rest[..toml_end];
    let body = &rest[body_start..];
    let body_line = text[..text.len() - body.len()].matches('\n').count() + 1;
    match toml::from_str::<FrontMatter>(toml_text) {
        Ok(front) => Split {
            front,
            body,
            body_line,
            error: None,
        },
        Err(e) => {
            // Line numbers in the file: the TOML starts on line 2.
            let line = e
                .span()
                .map(|s| {
                    toml_text[..s.start.min(toml_text.len())]
                        .matches('\n')
                        .count()
                        + 2
                })
                .unwrap_or(2);
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            Split {
                body,
                body_line,
                error: Some(format!("line {line}: front matter: {msg}")),
                ..plain
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_body() {
        let s = split("+++\ntitle = \"T\"\norder = 2\ntags = [\"a\"]\n+++\n# Body\n");
        assert_eq!(s.front.title.as_deref(), Some("T"));
        assert_eq!(s.front.order, Some(2));
        assert_eq!(s.front.tags, ["a"]);
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 6);
        assert!(s.error.is_none());
    }

    #[test]
    fn no_front_matter_is_whole_body() {
        let s = split("# Hi\n+++\n");
        assert_eq!(s.body, "# Hi\n+++\n");
        assert_eq!(s.front, FrontMatter::default());
    }

    #[test]
    fn malformed_front_matter_names_line_and_keeps_body() {
        let s = split("+++\ntitle = \"ok\"\norder = nope\n+++\nbody\n");
        assert_eq!(s.body, "body\n");
        let err = s.error.expect("an error");
        assert!(err.starts_with("line 3:"), "{err}");
    }

    #[test]
    fn unclosed_front_matter_is_reported() {
        let s = split("+++\ntitle = 1\n");
        assert!(s.error.is_some());
        assert_eq!(s.body, "+++\ntitle = 1\n");
    }
}
