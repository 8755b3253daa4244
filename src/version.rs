//! The version `--version` prints: the package version, plus the commit and its date when
//! the binary was built from a git checkout (`build.rs` finds them; a build from a
//! published package has no `.git` and prints the package version alone).

/// `0.1.0 (ba0a1a7 2026-11-25)` from git, `0.1.0` otherwise.
pub const VERSION: &str = env!("DEVGUIDE_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_starts_with_the_package_version() {
        let rest = super::VERSION
            .strip_prefix(env!("CARGO_PKG_VERSION"))
            .expect("package version first");
        // Either nothing, or ` (<hash> <YYYY-MM-DD>)`.
        if !rest.is_empty() {
            let inner = rest
                .strip_prefix(" (")
                .and_then(|r| r.strip_suffix(')'))
                .expect("parenthesised build info");
            let (hash, date) = inner.split_once(' ').expect("hash and date");
            assert!(hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()));
            assert_eq!(date.len(), 10, "{date}");
            assert_eq!(date.as_bytes()[4], b'-');
        }
    }
}
