//! `file:` URIs and paths, both ways, with percent-encoding.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path of a `file:` URI; `None` for other schemes or a non-local host.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` (empty host) or `file://localhost/p`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    Some(PathBuf::from(decode(path)?))
}

/// A `file:` URI for an absolute path, with an optional fragment.
pub fn from_path(path: &Path, fragment: Option<&str>) -> Option<Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut s = String::from("file://");
    for b in abs.to_str()?.bytes() {
        push_encoded(&mut s, b, b"/-_.~");
    }
    if let Some(f) = fragment {
        s.push('#');
        for b in f.bytes() {
            push_encoded(&mut s, b, b"-_.~");
        }
    }
    s.parse().ok()
}

/// A URI of our own for a place in a guide with no file (the bundled guides):
/// `devguide:import-guide#deprecated-patterns`.
pub fn guide_uri(location: &str) -> Option<Uri> {
    let mut s = String::from("devguide:");
    let (id, anchor) = location.split_once('#').unwrap_or((location, ""));
    for b in id.bytes() {
        push_encoded(&mut s, b, b"-_.~");
    }
    if !anchor.is_empty() {
        s.push('#');
        for b in anchor.bytes() {
            push_encoded(&mut s, b, b"-_.~");
        }
    }
    s.parse().ok()
}

fn push_encoded(s: &mut String, b: u8, keep: &[u8]) {
    if b.is_ascii_alphanumeric() || keep.contains(&b) {
        s.push(b as char);
    } else {
        s.push_str(&format!("%{b:02X}"));
    }
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_uris() {
        let p = Path::new("/tmp/a dir/é#1.py");
        let uri = from_path(p, None).expect("uri");
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A9%231.py");
        assert_eq!(to_path(&uri).as_deref(), Some(p));
        let with_anchor =
            from_path(Path::new("/g/import.md"), Some("deprecated-patterns")).expect("uri");
        assert_eq!(
            with_anchor.as_str(),
            "file:///g/import.md#deprecated-patterns"
        );
        assert_eq!(
            to_path(&with_anchor).as_deref(),
            Some(Path::new("/g/import.md"))
        );
        let other: Uri = "untitled:Untitled-1".parse().expect("uri");
        assert_eq!(to_path(&other), None);
        assert_eq!(
            guide_uri("import-guide#deprecated-patterns").map(|u| u.as_str().to_string()),
            Some("devguide:import-guide#deprecated-patterns".to_string())
        );
    }
}
