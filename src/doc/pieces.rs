//! Where a large document can be cut into pieces that parse on their own exactly as they
//! do inside the whole, so the parser never holds the tree of the whole document.
//!
//! A cut goes before a line that starts an ATX heading in the first column after a blank
//! line. Such a line closes every paragraph, list, quote, table and footnote around it,
//! so what comes before it cannot change how it and the rest are read, with three
//! exceptions handled elsewhere or here:
//! - a fenced code block or an HTML block still open at the top level runs on across
//!   blank lines: the parser sees that (the block reaches the end of its piece) and the
//!   piece is parsed again with the next one;
//! - link reference definitions and footnotes apply to the whole document: the caller
//!   resolves references across pieces, and a document that may define footnotes is not
//!   cut at all;
//! - pulldown-cmark reads a `---` or `+++` line followed by text as the start of a
//!   metadata block when a closing line comes anywhere later: a piece holding such a
//!   line without its closing line, when one comes later, makes the caller parse whole.

/// Pieces are at least this long (except the last): small enough that the parser's tree
/// of one is a fraction of the document, large enough that starting a parser per piece
/// costs nothing measurable.
pub const PIECE_BYTES: usize = 256 * 1024;

/// The offsets where the pieces of `text` start, the first being 0; each piece at least
/// `min_bytes` long but the last. Only lines starting with `#` are looked at, found with
/// one search over the text rather than line by line.
pub fn starts(text: &str, min_bytes: usize) -> Vec<usize> {
    let mut out = vec![0];
    for hash in memchr::memmem::find_iter(text.as_bytes(), b"\n#") {
        let at = hash + 1;
        if at - out.last().copied().unwrap_or(0) < min_bytes {
            continue;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        let prev_start = memchr::memrchr(b'\n', &text.as_bytes()[..hash]).map_or(0, |n| n + 1);
        if is_blank(&text[prev_start..hash]) && is_atx_heading(&text[at..line_end]) {
            out.push(at);
        }
    }
    out
}

/// True when `text` may hold a footnote definition: a `[^label]:` always sits on one
/// line.
pub fn may_define_footnotes(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), b"[^").any(|at| {
        let rest = &text[at..];
        let line = rest.find('\n').map_or(rest, |n| &rest[..n]);
        line.contains("]:")
    })
}

/// The fence character when `text` starts with a line that opens a metadata block if a
/// closing line follows somewhere: three fence characters and white space, then a line
/// that is neither blank nor a closing line.
pub fn may_open_at(text: &str) -> Option<u8> {
    // Asked of every paragraph: the common answer first, without looking for the line end.
    if !(text.starts_with("---") || text.starts_with("+++")) {
        return None;
    }
    let mut lines = text.split('\n');
    let first = lines
        .next()?
        .trim_end_matches(|ch: char| ch.is_ascii_whitespace());
    let c = match first {
        "---" => b'-',
        "+++" => b'+',
        _ => return None,
    };
    let next = lines.next()?;
    (!is_blank(next) && !is_closing(next, c)).then_some(c)
}

/// A line that closes a metadata block, exactly as pulldown-cmark reads one (never
/// more): three fence characters (or three dots for `-`) in the first column, then only
/// spaces.
pub fn is_closing(line: &str, c: u8) -> bool {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let bytes = line.as_bytes();
    let run = |ch: u8| bytes.iter().take_while(|&&b| b == ch).count();
    let fenced = run(c) == 3 || (c == b'-' && run(b'.') == 3);
    fenced && bytes[3..].iter().all(|&b| b == b' ')
}

/// Only spaces and tabs: a line that is blank in every reading.
fn is_blank(line: &str) -> bool {
    let line = line.strip_suffix('\r').unwrap_or(line);
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// `#` to `######` in the first column, then a space, a tab or the end of the line.
fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            line.as_bytes().get(hashes),
            None | Some(b' ' | b'\t' | b'\r')
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(i: usize) -> String {
        format!(
            "# Part {i}\n\n{}\n",
            "Some words here.\n".repeat(PIECE_BYTES / 16)
        )
    }

    #[test]
    fn cuts_go_before_headings_after_blank_lines() {
        let text: String = (0..3).map(section).collect();
        let cuts = starts(&text, PIECE_BYTES);
        assert_eq!(cuts.len(), 3);
        for &c in &cuts[1..] {
            assert!(text[c..].starts_with("# Part"), "{}", &text[c..c + 10]);
        }
    }

    #[test]
    fn metadata_openers_are_noticed() {
        assert_eq!(may_open_at("---\ntitle: x\n"), Some(b'-'));
        assert_eq!(may_open_at("+++  \nx = 1\n"), Some(b'+'));
        assert_eq!(may_open_at("---\n\ntext\n"), None);
        assert_eq!(may_open_at("---\n...\n"), None);
        assert_eq!(may_open_at("----\ntext\n"), None);
    }

    #[test]
    fn closing_lines_are_read_exactly() {
        assert!(is_closing("---", b'-') && is_closing("...  ", b'-') && is_closing("+++\r", b'+'));
        assert!(
            !is_closing("----", b'-') && !is_closing(" ---", b'-') && !is_closing("---x", b'-')
        );
        assert!(is_atx_heading("## x") && is_atx_heading("#") && !is_atx_heading("#x"));
        assert!(!is_atx_heading("####### x") && !is_atx_heading(" # x"));
    }

    #[test]
    fn footnote_definitions_are_noticed() {
        assert!(may_define_footnotes("text\n> [^1]: note\n"));
        assert!(!may_define_footnotes("a [^1] reference\n\n[x]: /url\n"));
    }
}
