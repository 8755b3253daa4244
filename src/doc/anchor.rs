//! GitHub-style heading anchors, so links written for GitHub work here too.

use std::collections::HashMap;

/// The anchor GitHub gives a heading with this text: lowercased, punctuation and symbols
/// (emoji included) removed, spaces turned into hyphens.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// Hands out unique anchors within one document: the second `Setup` becomes `setup-1`.
#[derive(Default)]
pub struct AnchorSet {
    seen: HashMap<String, usize>,
}

impl AnchorSet {
    pub fn unique(&mut self, base: String) -> String {
        let Some(&count) = self.seen.get(&base) else {
            self.seen.insert(base.clone(), 0);
            return base;
        };
        let mut n = count;
        let candidate = loop {
            n += 1;
            let candidate = format!("{base}-{n}");
            if !self.seen.contains_key(&candidate) {
                break candidate;
            }
        };
        self.seen.insert(base, n);
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_matches_github() {
        assert_eq!(slug("Migration Guide"), "migration-guide");
        assert_eq!(
            slug("Preferred pattern (canonical)"),
            "preferred-pattern-canonical"
        );
        assert_eq!(slug("🎯 Goal"), "-goal");
        assert_eq!(slug("C++ & Rust_2"), "c--rust_2");
        assert_eq!(slug("Über Straße"), "über-straße");
    }

    #[test]
    fn duplicates_get_numbered() {
        let mut set = AnchorSet::default();
        assert_eq!(set.unique("a".into()), "a");
        assert_eq!(set.unique("a".into()), "a-1");
        assert_eq!(set.unique("a".into()), "a-2");
        assert_eq!(set.unique("a-1".into()), "a-1-1");
    }
}
