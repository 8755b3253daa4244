//! Makes untrusted text safe to put on a terminal.
//!
//! pulldown-cmark decodes entities such as `&#27;` into real control characters, so this
//! runs on the *parsed* text, code, URLs and titles, never on the raw file. Every control
//! character becomes a visible placeholder instead of being dropped, so a reader can see
//! that the document contains something odd.

use std::borrow::Cow;

/// What to show for one character, or `None` when it is safe as it is.
fn placeholder(c: char) -> Option<Cow<'static, str>> {
    match c {
        '\n' | '\t' => None,
        // The emoji variation selector: terminals disagree on whether it widens the
        // character before it (⚠️ is one cell in tmux, two in unicode-width), which shifts
        // everything after it. Dropping it from what is shown keeps columns aligned.
        '\u{fe0f}' => Some(Cow::Borrowed("")),
        // C0 controls map onto the Unicode "control pictures" block: ESC becomes ␛.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).map(|p| Cow::Owned(p.to_string())),
        '\u{7f}' => Some(Cow::Borrowed("\u{2421}")),
        // C1 controls (0x9b is a one-byte CSI) have no pictures of their own: name them,
        // so they are not mistaken for the U+FFFD of invalid UTF-8.
        '\u{80}'..='\u{9f}' => Some(Cow::Owned(format!("<U+{:04X}>", c as u32))),
        // Bidirectional overrides and invisible characters can disguise code; name them.
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200b}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2060}'
        | '\u{feff}' => Some(Cow::Owned(format!("<U+{:04X}>", c as u32))),
        _ => None,
    }
}

/// True when `s` holds nothing that [`sanitize`] would change.
pub fn is_clean(s: &str) -> bool {
    // Almost all text is printable ASCII: a byte scan settles it without decoding.
    let ascii_clean = |b: u8| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t';
    // In blocks of 32 bytes without an early exit inside one, which the compiler turns
    // into vector instructions: this runs over every byte of a guide.
    let mut blocks = s.as_bytes().chunks_exact(32);
    let ascii = blocks
        .by_ref()
        .all(|block| block.iter().fold(true, |ok, &b| ok & ascii_clean(b)))
        && blocks.remainder().iter().all(|&b| ascii_clean(b));
    if ascii {
        return true;
    }
    s.chars().all(|c| placeholder(c).is_none())
}

/// `s` with every control character (except newline and tab) made visible.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match placeholder(c) {
            Some(p) => out.push_str(&p),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`], but also turns newlines and tabs into spaces: for one-line fields
/// such as titles, URLs and status messages.
pub fn sanitize_line(s: &str) -> String {
    line(s).into_owned()
}

/// [`sanitize_line`] without a copy when `s` is printable ASCII, which it leaves as it is:
/// the common case on paths that print thousands of lines (scan findings).
pub fn line(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(sanitize(&s.replace(['\n', '\t', '\r'], " ")).into_owned())
}

/// Writes `devguide: MESSAGE` and a newline to `out` (stderr, a log), defused: the one
/// way devguide's own notices reach a stream. Configuration values, paths and error texts
/// inside the message can hold escape sequences (OSC 52 would write the clipboard, OSC 0
/// the window title); here they become visible placeholders.
pub fn notice(out: &mut dyn std::io::Write, message: &str) -> std::io::Result<()> {
    let clean = sanitize(message);
    writeln!(out, "devguide: {clean}")
}

/// True when `s` holds characters that can make text look different from what it is.
pub fn has_disguising_chars(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'
            | '\u{200e}' | '\u{200f}' | '\u{2060}' | '\u{feff}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_borrowed_line_form_agrees_with_the_full_sanitiser() {
        let ascii: String = (0x20u8..0x7f).map(char::from).collect();
        assert!(matches!(line(&ascii), Cow::Borrowed(_)));
        assert_eq!(sanitize(&ascii), ascii.as_str());
        for s in [
            "a\tb\nc",
            "x\u{1b}]52;c;AAAA\u{7}y",
            "caf\u{e9}",
            "\u{202e}gnp.exe",
        ] {
            assert_eq!(line(s), sanitize_line(s));
            assert!(matches!(line(s), Cow::Owned(_)), "{s:?}");
            assert!(!line(s).contains(['\u{1b}', '\n', '\t']), "{s:?}");
        }
    }

    #[test]
    fn a_control_character_anywhere_in_long_text_is_found() {
        let clean = "a".repeat(70);
        assert!(is_clean(&clean));
        for at in 0..70 {
            for bad in ['\u{1b}', '\u{7f}', '\u{9b}'] {
                let mut s = clean.clone();
                s.replace_range(at..at + 1, &bad.to_string());
                assert!(!is_clean(&s), "{bad:?} at {at}");
            }
        }
    }

    #[test]
    fn escape_becomes_visible_placeholder() {
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\u{241b}[31mb");
    }

    #[test]
    fn c1_csi_and_del_are_replaced() {
        let out = sanitize("x\u{9b}2Jy\u{7f}");
        assert_eq!(out, "x<U+009B>2Jy\u{2421}");
    }

    #[test]
    fn newline_and_tab_survive_but_not_in_line_mode() {
        assert_eq!(sanitize("a\tb\nc"), "a\tb\nc");
        assert_eq!(sanitize_line("a\tb\nc\r"), "a b c ");
    }

    #[test]
    fn bidi_override_is_named() {
        assert_eq!(sanitize("ab\u{202e}cd"), "ab<U+202E>cd");
        assert!(has_disguising_chars("\u{200b}"));
        assert!(!has_disguising_chars("plain"));
    }

    #[test]
    fn emoji_variation_selector_is_dropped_from_display() {
        assert_eq!(sanitize("\u{26a0}\u{fe0f} careful"), "\u{26a0} careful");
    }

    #[test]
    fn notices_defuse_osc_sequences() {
        let mut out = Vec::new();
        notice(
            &mut out,
            "config: bad value \u{1b}]52;c;aGk=\u{7} and \u{1b}]0;pwned\u{7}",
        )
        .expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.starts_with("devguide: config: bad value \u{241b}]52;"));
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("héllo 🎯 世界"), Cow::Borrowed(_)));
    }
}
