//! How a guide says what kind of import a snippet line is. The rules are the guide
//! authors' interface and are documented in the README ("Quick lookup and search").

use serde::Serialize;

/// What the guide says about an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Canonical,
    Deprecated,
    Problematic,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Canonical => "canonical",
            Class::Deprecated => "deprecated",
            Class::Problematic => "problematic",
        }
    }
}

/// Which rule classified a line, so authors can see why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// A marker comment above the line in its block.
    Marker,
    /// The words of an enclosing heading.
    Heading,
    /// The words of the paragraph introducing the block or its section.
    Paragraph,
}

/// A marker comment: `# CANONICAL`, `# NEW`, `# DEPRECATED`, `# OLD`, `# PROBLEMATIC`
/// (also after `//`), in capitals, optionally followed by `:` or `(...)` and the reason.
/// Returns the class and the reason text, if any.
pub fn marker(line: &str) -> Option<(Class, Option<String>)> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix('#')
        .or_else(|| t.strip_prefix("//"))?
        .trim_start();
    let word_len = rest
        .find(|c: char| !c.is_ascii_uppercase())
        .unwrap_or(rest.len());
    let (word, after) = rest.split_at(word_len);
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let class = match word {
        "CANONICAL" | "NEW" => Class::Canonical,
        "DEPRECATED" | "OLD" => Class::Deprecated,
        "PROBLEMATIC" => Class::Problematic,
        _ => return None,
    };
    let mut reason = after.trim().trim_start_matches(':').trim();
    if let Some(inner) = reason.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        reason = inner.trim();
    }
    Some((class, (!reason.is_empty()).then(|| reason.to_string())))
}

/// The class named by a heading's or paragraph's words, when exactly one class is named:
/// preferred/prefer/canonical, deprecated/deprecation/legacy, problematic/avoid. Text naming
/// two classes ("From deprecated to canonical") decides nothing.
pub fn words_class(text: &str) -> Option<Class> {
    let mut found: Option<Class> = None;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let class = match word.to_lowercase().as_str() {
            "preferred" | "prefer" | "canonical" => Class::Canonical,
            "deprecated" | "deprecation" | "legacy" => Class::Deprecated,
            "problematic" | "avoid" => Class::Problematic,
            _ => continue,
        };
        match found {
            Some(f) if f != class => return None,
            _ => found = Some(class),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_with_reasons() {
        assert_eq!(
            marker("# CANONICAL: Preferred for all new code"),
            Some((Class::Canonical, Some("Preferred for all new code".into())))
        );
        assert_eq!(
            marker("# OLD (Legacy factory pattern)"),
            Some((Class::Deprecated, Some("Legacy factory pattern".into())))
        );
        assert_eq!(marker("  // PROBLEMATIC"), Some((Class::Problematic, None)));
        assert_eq!(marker("# NEW"), Some((Class::Canonical, None)));
    }

    #[test]
    fn ordinary_comments_are_not_markers() {
        assert_eq!(marker("# New code goes here"), None);
        assert_eq!(marker("# WARNING: noisy"), None);
        assert_eq!(marker("# OLDER"), None);
        assert_eq!(marker("# NEW_THING"), None);
        assert_eq!(marker("x = 1  # NEW"), None);
    }

    #[test]
    fn heading_words() {
        assert_eq!(
            words_class("Preferred pattern (canonical)"),
            Some(Class::Canonical)
        );
        assert_eq!(words_class("Deprecated patterns"), Some(Class::Deprecated));
        assert_eq!(words_class("Legacy API"), Some(Class::Deprecated));
        assert_eq!(words_class("Imports to avoid"), Some(Class::Problematic));
        assert_eq!(words_class("From deprecated to canonical"), None);
        assert_eq!(words_class("Migration guide"), None);
    }
}
