//! Matching one query term against one line of text, and ranking the result.
//!
//! Hand-written rather than a fuzzy-matcher crate: the index already narrows the
//! candidates to lines that contain the term (one `memmem` pass over the whole set) or
//! that hold all of its characters (a 64-bit mask), so the scorer only sees a few
//! thousand lines per keystroke and a linear-time matcher is enough. It also lets the
//! tiers below, which the finder's ranking is defined by, be explicit instead of
//! emerging from a crate's bonus constants.

use std::ops::Range;

/// How well a term matched, best last so tiers compare with `>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The term's characters appear in order, close together.
    Fuzzy = 1,
    /// The term appears inside a word.
    Substring = 2,
    /// The term starts a word (after a space, punctuation, `_` or a camel-case hump).
    Prefix = 3,
    /// The term is a whole word or identifier.
    Word = 4,
    /// The term is the whole line.
    Whole = 5,
}

/// One term's match in one line: tier, a 0..=999 quality within the tier, and the
/// matched byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    pub tier: Tier,
    pub quality: u32,
    pub ranges: Vec<Range<usize>>,
}

/// Lowercases `s` without changing any character's byte length, so byte offsets found in
/// the folded text are valid in the original. The rare characters whose lowercase form
/// has another length are kept as they are.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // Runs of ASCII are copied and lowered in bulk; other characters one by one.
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        let start = out.len();
        out.push_str(run);
        if let Some(copy) = out.get_mut(start..) {
            copy.make_ascii_lowercase();
        }
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
                _ => out.push(c),
            }
        }
        rest = chars.as_str();
    }
    out
}

/// Smart case: a query with an uppercase letter matches case-sensitively.
pub fn is_case_sensitive(query: &str) -> bool {
    query.chars().any(char::is_uppercase)
}

/// A cheap "could this line contain these characters" filter: one bit per letter, digit
/// and `_`, a few shared bits for other ASCII punctuation, one for anything non-ASCII.
pub fn char_mask(folded: &str) -> u64 {
    let mut mask = 0u64;
    for &b in folded.as_bytes() {
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            b'_' => 36,
            b' ' | b'\t' | b'\n' => continue,
            0x80.. => 63,
            _ => 37 + b % 26,
        };
        mask |= 1 << bit;
    }
    mask
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    is_alnum(b) || b == b'_'
}

/// True when a word starts at byte `i` of `orig` (the original-case text).
fn word_start(orig: &[u8], i: usize) -> bool {
    if i == 0 || i >= orig.len() {
        return i == 0;
    }
    let (p, c) = (orig[i - 1], orig[i]);
    !is_alnum(p) || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
}

/// Matches `term` against one line. `hay` is the line in the case being matched (folded
/// for a lowercase query), `orig` the same line as written (for camel-case humps).
pub fn match_term(hay: &str, orig: &str, term: &str) -> Option<TermMatch> {
    if term.is_empty() {
        return None;
    }
    let trimmed = hay.trim();
    if trimmed == term {
        let start = hay.len() - hay.trim_start().len();
        return Some(TermMatch {
            tier: Tier::Whole,
            quality: 999,
            ranges: std::iter::once(start..start + term.len()).collect(),
        });
    }
    let ob = orig.as_bytes();
    let mut best: Option<(Tier, usize)> = None;
    for (i, _) in hay.match_indices(term) {
        let tier = tier_at(ob, i, term.len());
        if best.is_none_or(|(t, _)| tier > t) {
            best = Some((tier, i));
        }
        if tier == Tier::Word {
            break;
        }
    }
    if let Some((tier, i)) = best {
        return Some(TermMatch {
            tier,
            quality: exact_quality(i, hay.len(), term.len()),
            ranges: std::iter::once(i..i + term.len()).collect(),
        });
    }
    fuzzy(hay, orig, term)
}

/// The tier of an occurrence of a `len`-byte term at byte `i` of the line `orig`
/// (not the whole-line tier, which the caller checks).
pub fn tier_at(orig: &[u8], i: usize, len: usize) -> Tier {
    let end = i + len;
    if (i == 0 || !is_ident(orig[i - 1])) && (end >= orig.len() || !is_ident(orig[end])) {
        Tier::Word
    } else if word_start(orig, i) {
        Tier::Prefix
    } else {
        Tier::Substring
    }
}

/// Quality of an exact occurrence: earlier, and in a shorter line, is better.
pub fn exact_quality(i: usize, line_len: usize, term_len: usize) -> u32 {
    let penalty = i / 2 + line_len.saturating_sub(term_len) / 8;
    999u32.saturating_sub(penalty.min(999) as u32)
}

/// The term's characters in order: the first end found scanning forward, then the
/// tightest window ending there (fzf's "v1" approach: linear, good enough to rank).
/// Matches spread too far apart are not matches at all: a long sentence holds almost
/// any short sequence of letters.
fn fuzzy(hay: &str, orig: &str, term: &str) -> Option<TermMatch> {
    let term_chars: Vec<char> = term.chars().collect();
    let max_window = term.len() * 3 + 8;
    let mut from = 0;
    for _attempt in 0..4 {
        let mut pos = from;
        for &c in &term_chars {
            let off = hay.get(pos..)?.find(c)?;
            pos += off + c.len_utf8();
        }
        let end = pos;
        let mut start = end;
        for &c in term_chars.iter().rev() {
            start = hay.get(..start)?.rfind(c)?;
        }
        if end - start <= max_window {
            return Some(score_window(hay, orig, &term_chars, start, end));
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

fn score_window(hay: &str, orig: &str, term: &[char], start: usize, end: usize) -> TermMatch {
    let ob = orig.as_bytes();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut pos = start;
    let mut starts = 0u32;
    for &c in term {
        let Some(off) = hay[pos..end].find(c) else {
            break;
        };
        let at = pos + off;
        let next = at + c.len_utf8();
        if word_start(ob, at) {
            starts += 1;
        }
        match ranges.last_mut() {
            Some(r) if r.end == at => r.end = next,
            _ => ranges.push(at..next),
        }
        pos = next;
    }
    let gaps = (end - start).saturating_sub(term.iter().map(|c| c.len_utf8()).sum());
    let pieces = ranges.len() as u32;
    let quality = (600 + starts * 40)
        .saturating_sub(gaps as u32 * 12 + pieces * 20 + (start as u32 / 4))
        .min(999);
    TermMatch {
        tier: Tier::Fuzzy,
        quality,
        ranges,
    }
}

/// Joins overlapping or touching ranges, sorted.
pub fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(hay: &str, term: &str) -> Option<TermMatch> {
        match_term(&fold(hay), hay, term)
    }

    #[test]
    fn tiers_order_whole_word_prefix_substring_fuzzy() {
        assert_eq!(
            m("websocket", "websocket").map(|t| t.tier),
            Some(Tier::Whole)
        );
        assert_eq!(
            m("use get_websocket_manager here", "get_websocket_manager").map(|t| t.tier),
            Some(Tier::Word)
        );
        assert_eq!(
            m("import WebSocketManager", "manager").map(|t| t.tier),
            Some(Tier::Prefix)
        );
        assert_eq!(
            m("get_websocket_manager", "websocket").map(|t| t.tier),
            Some(Tier::Prefix)
        );
        assert_eq!(m("sockets", "ocket").map(|t| t.tier), Some(Tier::Substring));
        assert_eq!(
            m("WebSocketManager", "wsm").map(|t| t.tier),
            Some(Tier::Fuzzy)
        );
        assert_eq!(m("abc", "abd"), None);
    }

    #[test]
    fn a_better_occurrence_later_in_the_line_wins() {
        let t = m("sockets and socket", "socket").expect("matches");
        assert_eq!(t.tier, Tier::Word);
        assert_eq!(t.ranges, vec![12..18]);
    }

    #[test]
    fn fuzzy_ranges_cover_the_matched_characters() {
        let t = m("WebSocketManager", "wsm").expect("matches");
        assert_eq!(t.ranges, vec![0..1, 3..4, 9..10]);
        let near = m("get_websocket_manager", "gwm").expect("matches");
        assert!(near.quality > 0);
    }

    #[test]
    fn far_apart_letters_are_not_a_fuzzy_match() {
        let long = "we said that one could be a lot simpler than x when managed";
        assert_eq!(m(long, "wsm"), None);
    }

    #[test]
    fn folding_keeps_byte_offsets() {
        for s in ["Straße ÄÖÜ", "İstanbul", "ΣΑΣ", "ﬁ"] {
            assert_eq!(fold(s).len(), s.len(), "{s}");
        }
        assert_eq!(fold("ÄB"), "äb");
    }

    #[test]
    fn masks_reject_missing_characters() {
        let line = char_mask("websocket_manager");
        let q = char_mask("wsm");
        assert_eq!(line & q, q);
        let z = char_mask("z");
        assert_ne!(line & z, z);
    }

    #[test]
    fn ranges_merge() {
        assert_eq!(merge_ranges(vec![4..6, 0..2, 1..3, 6..7]), vec![0..3, 4..7]);
    }
}
