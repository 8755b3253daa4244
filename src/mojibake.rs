//! Repairs text whose UTF-8 was once mis-decoded as Mac Roman or Windows-1252 and saved
//! again, so `🎯` arrives as `üéØ` and `✅` as `‚úÖ`.
//!
//! Each line is scanned for maximal runs of characters that exist in the legacy encoding's
//! upper half (bytes 0x80–0xFF). Every byte of a multi-byte UTF-8 sequence is in that
//! range, so a mis-decoded sequence is always such a run. A run is replaced only when
//! mapping it back to bytes gives valid UTF-8 of at least two bytes whose characters are
//! all of kinds text really contains (Latin letters, punctuation, symbols, CJK, emoji).
//! Correct text almost never passes: a lone `é` or `Ü` is one invalid byte, and runs such
//! as `—É` (Mac Roman) decode to Cyrillic or combining marks, which are refused.
//!
//! The repair is for display only: files on disk are never changed.

use std::borrow::Cow;

/// The legacy encodings a line can be repaired from, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    MacRoman,
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::MacRoman => "Mac Roman",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    fn table(self) -> &'static [char; 128] {
        match self {
            Encoding::MacRoman => &MAC_ROMAN,
            Encoding::Windows1252 => &WINDOWS_1252,
        }
    }

    /// The byte this encoding writes as `c`, when `c` is in its upper half.
    fn byte(self, c: char) -> Option<u8> {
        // Neither table holds anything above U+2265 but these four: CJK and emoji text is
        // passed over without a table search.
        let code = c as u32;
        if code < 0x80 || (code > 0x2265 && !matches!(code, 0x25ca | 0xf8ff | 0xfb01 | 0xfb02)) {
            return None;
        }
        self.table()
            .iter()
            .position(|&t| t == c)
            .map(|i| 0x80 + i as u8)
    }
}

/// What [`repair`] did to a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Lines changed, per encoding they were repaired from.
    pub lines: Vec<(Encoding, usize)>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|(_, n)| *n == 0)
    }

    pub fn total(&self) -> usize {
        self.lines.iter().map(|(_, n)| n).sum()
    }

    /// The notice shown in the status bar and by `show --verbose`.
    pub fn notice(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let n = self.total();
        let names: Vec<&str> = self
            .lines
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(e, _)| e.name())
            .collect();
        let lines = if n == 1 { "line" } else { "lines" };
        Some(format!(
            "{n} {lines} shown repaired: text was mis-decoded ({}); the file is unchanged",
            names.join(", ")
        ))
    }
}

/// `text` with every mis-decoded run repaired, and what was done. Borrowed when nothing
/// changed, which is the case for all correct text.
pub fn repair(text: &str) -> (Cow<'_, str>, Report) {
    let mut counts = [0usize; 2];
    if text.is_ascii() {
        return (Cow::Borrowed(text), Report::default());
    }
    let mut out: Option<String> = None;
    let mut done = 0;
    for (start, line) in lines_with_offsets(text) {
        if line.is_ascii() {
            continue;
        }
        if let Some((fixed, enc)) = repair_line(line) {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(&text[done..start]);
            buf.push_str(&fixed);
            done = start + line.len();
            counts[enc as usize] += 1;
        }
    }
    let report = Report {
        lines: [Encoding::MacRoman, Encoding::Windows1252]
            .into_iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect(),
    };
    match out {
        Some(mut buf) => {
            buf.push_str(&text[done..]);
            (Cow::Owned(buf), report)
        }
        None => (Cow::Borrowed(text), report),
    }
}

/// Each line without its `\n`, with its byte offset.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |l| {
        let start = offset;
        offset += l.len() + 1;
        (start, l)
    })
}

/// The repaired line and the encoding it was repaired from; `None` when the line is left
/// as it is. Mac Roman is tried first (it is what the bundled guides suffered), then
/// Windows-1252; one line is repaired from one encoding only.
pub fn repair_line(line: &str) -> Option<(String, Encoding)> {
    [Encoding::MacRoman, Encoding::Windows1252]
        .into_iter()
        .find_map(|enc| repair_line_as(line, enc).map(|l| (l, enc)))
}

fn repair_line_as(line: &str, enc: Encoding) -> Option<String> {
    let mut out = String::with_capacity(line.len());
    let mut changed = false;
    let mut run: Vec<u8> = Vec::new();
    let mut run_start = 0;
    for (i, c) in line.char_indices() {
        match enc.byte(c) {
            Some(b) => {
                if run.is_empty() {
                    run_start = i;
                }
                run.push(b);
            }
            None => {
                flush(line, &mut run, run_start, i, enc, &mut out, &mut changed);
                out.push(c);
            }
        }
    }
    flush(
        line,
        &mut run,
        run_start,
        line.len(),
        enc,
        &mut out,
        &mut changed,
    );
    changed.then_some(out)
}

/// Ends a run: writes its repair when it is one, else the run as it was.
fn flush(
    line: &str,
    run: &mut Vec<u8>,
    start: usize,
    end: usize,
    enc: Encoding,
    out: &mut String,
    changed: &mut bool,
) {
    if run.is_empty() {
        return;
    }
    let original = &line[start..end];
    let before = line[..start].chars().next_back();
    let after = line[end..].chars().next();
    match decode_run(run, enc).filter(|fixed| in_context(fixed, before, after)) {
        Some(fixed) => {
            out.push_str(&fixed);
            *changed = true;
        }
        None => out.push_str(original),
    }
    run.clear();
}

/// The text a run of legacy bytes really was, when that is believable.
fn decode_run(bytes: &[u8], enc: Encoding) -> Option<String> {
    if bytes.len() < 2 {
        return None;
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.chars().all(plausible).then(|| s.to_string());
    }
    // A 4-byte emoji whose lead byte (0xF0, Mac Roman's Apple logo U+F8FF) was dropped on
    // the way: `üéØ` for 🎯. Accepted only when the result is an emoji.
    if enc == Encoding::MacRoman && bytes.len() >= 3 && bytes[0] == 0x9f {
        let mut with_lead = vec![0xf0];
        with_lead.extend_from_slice(bytes);
        if let Ok(s) = std::str::from_utf8(&with_lead)
            && s.chars().next().is_some_and(is_emoji)
            && s.chars().all(plausible)
        {
            return Some(s.to_string());
        }
    }
    None
}

/// A repair to two-byte characters only (`é` from `√©`) must sit inside a word: correct
/// text such as `≈°C` is made of the same characters, but stands apart from words. Runs
/// that become symbols, CJK or emoji (three bytes or more) never occur in correct text.
fn in_context(fixed: &str, before: Option<char>, after: Option<char>) -> bool {
    fixed.chars().any(|c| c.len_utf8() >= 3)
        || before.is_some_and(|c| c.is_ascii_alphanumeric())
        || after.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1f000..=0x1faff)
}

/// Characters a repaired run may contain. Cyrillic, Greek, combining marks, IPA and the
/// like are left out on purpose: correct Latin text such as `—É` or `“Ü` in Mac Roman maps
/// to exactly those, so refusing them keeps correct text unchanged.
fn plausible(c: char) -> bool {
    matches!(c as u32,
        0xa0..=0x17f            // Latin-1 supplement and Latin Extended-A
        | 0x2000..=0x2bff       // punctuation, arrows, math, technical, boxes, dingbats
        | 0x2e00..=0x2e7f       // supplemental punctuation
        | 0x3000..=0x9fff       // CJK
        | 0xac00..=0xd7af       // Hangul
        | 0xfe00..=0xfe0f       // variation selectors (emoji presentation)
        | 0xff00..=0xffef       // full-width forms
        | 0x1f000..=0x1faff     // emoji
    ) || c == '\u{200d}' // zero-width joiner inside emoji sequences
}

/// Mac Roman bytes 0x80..=0xFF, as Unicode (0xF0 is U+F8FF, the Apple logo).
#[rustfmt::skip]
const MAC_ROMAN: [char; 128] = [
    '\u{00c4}', '\u{00c5}', '\u{00c7}', '\u{00c9}', '\u{00d1}', '\u{00d6}', '\u{00dc}', '\u{00e1}',
    '\u{00e0}', '\u{00e2}', '\u{00e4}', '\u{00e3}', '\u{00e5}', '\u{00e7}', '\u{00e9}', '\u{00e8}',
    '\u{00ea}', '\u{00eb}', '\u{00ed}', '\u{00ec}', '\u{00ee}', '\u{00ef}', '\u{00f1}', '\u{00f3}',
    '\u{00f2}', '\u{00f4}', '\u{00f6}', '\u{00f5}', '\u{00fa}', '\u{00f9}', '\u{00fb}', '\u{00fc}',
    '\u{2020}', '\u{00b0}', '\u{00a2}', '\u{00a3}', '\u{00a7}', '\u{2022}', '\u{00b6}', '\u{00df}',
    '\u{00ae}', '\u{00a9}', '\u{2122}', '\u{00b4}', '\u{00a8}', '\u{2260}', '\u{00c6}', '\u{00d8}',
    '\u{221e}', '\u{00b1}', '\u{2264}', '\u{2265}', '\u{00a5}', '\u{00b5}', '\u{2202}', '\u{2211}',
    '\u{220f}', '\u{03c0}', '\u{222b}', '\u{00aa}', '\u{00ba}', '\u{03a9}', '\u{00e6}', '\u{00f8}',
    '\u{00bf}', '\u{00a1}', '\u{00ac}', '\u{221a}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00ab}',
    '\u{00bb}', '\u{2026}', '\u{00a0}', '\u{00c0}', '\u{00c3}', '\u{00d5}', '\u{0152}', '\u{0153}',
    '\u{2013}', '\u{2014}', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\u{00f7}', '\u{25ca}',
    '\u{00ff}', '\u{0178}', '\u{2044}', '\u{20ac}', '\u{2039}', '\u{203a}', '\u{fb01}', '\u{fb02}',
    '\u{2021}', '\u{00b7}', '\u{201a}', '\u{201e}', '\u{2030}', '\u{00c2}', '\u{00ca}', '\u{00c1}',
    '\u{00cb}', '\u{00c8}', '\u{00cd}', '\u{00ce}', '\u{00cf}', '\u{00cc}', '\u{00d3}', '\u{00d4}',
    '\u{f8ff}', '\u{00d2}', '\u{00da}', '\u{00db}', '\u{00d9}', '\u{0131}', '\u{02c6}', '\u{02dc}',
    '\u{00af}', '\u{02d8}', '\u{02d9}', '\u{02da}', '\u{00b8}', '\u{02dd}', '\u{02db}', '\u{02c7}',
];

/// Windows-1252 bytes 0x80..=0xFF; the five undefined bytes decode to C1 controls, as
/// browsers do.
#[rustfmt::skip]
const WINDOWS_1252: [char; 128] = [
    '\u{20ac}', '\u{0081}', '\u{201a}', '\u{0192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02c6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008d}', '\u{017d}', '\u{008f}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02dc}', '\u{2122}', '\u{0161}', '\u{203a}', '\u{0153}', '\u{009d}', '\u{017e}', '\u{0178}',
    '\u{00a0}', '\u{00a1}', '\u{00a2}', '\u{00a3}', '\u{00a4}', '\u{00a5}', '\u{00a6}', '\u{00a7}',
    '\u{00a8}', '\u{00a9}', '\u{00aa}', '\u{00ab}', '\u{00ac}', '\u{00ad}', '\u{00ae}', '\u{00af}',
    '\u{00b0}', '\u{00b1}', '\u{00b2}', '\u{00b3}', '\u{00b4}', '\u{00b5}', '\u{00b6}', '\u{00b7}',
    '\u{00b8}', '\u{00b9}', '\u{00ba}', '\u{00bb}', '\u{00bc}', '\u{00bd}', '\u{00be}', '\u{00bf}',
    '\u{00c0}', '\u{00c1}', '\u{00c2}', '\u{00c3}', '\u{00c4}', '\u{00c5}', '\u{00c6}', '\u{00c7}',
    '\u{00c8}', '\u{00c9}', '\u{00ca}', '\u{00cb}', '\u{00cc}', '\u{00cd}', '\u{00ce}', '\u{00cf}',
    '\u{00d0}', '\u{00d1}', '\u{00d2}', '\u{00d3}', '\u{00d4}', '\u{00d5}', '\u{00d6}', '\u{00d7}',
    '\u{00d8}', '\u{00d9}', '\u{00da}', '\u{00db}', '\u{00dc}', '\u{00dd}', '\u{00de}', '\u{00df}',
    '\u{00e0}', '\u{00e1}', '\u{00e2}', '\u{00e3}', '\u{00e4}', '\u{00e5}', '\u{00e6}', '\u{00e7}',
    '\u{00e8}', '\u{00e9}', '\u{00ea}', '\u{00eb}', '\u{00ec}', '\u{00ed}', '\u{00ee}', '\u{00ef}',
    '\u{00f0}', '\u{00f1}', '\u{00f2}', '\u{00f3}', '\u{00f4}', '\u{00f5}', '\u{00f6}', '\u{00f7}',
    '\u{00f8}', '\u{00f9}', '\u{00fa}', '\u{00fb}', '\u{00fc}', '\u{00fd}', '\u{00fe}', '\u{00ff}',
];

#[cfg(test)]
mod tests {
    use super::*;

    fn mac_roman(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b < 0x80 {
                    b as char
                } else {
                    MAC_ROMAN[usize::from(b - 0x80)]
                }
            })
            .collect()
    }

    fn windows_1252(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b < 0x80 {
                    b as char
                } else {
                    WINDOWS_1252[usize::from(b - 0x80)]
                }
            })
            .collect()
    }

    #[test]
    fn the_seed_emoji_are_repaired() {
        assert_eq!(mac_roman("🎯"), "\u{f8ff}üéØ");
        assert_eq!(mac_roman("✅"), "‚úÖ");
        let (fixed, report) =
            repair("## \u{f8ff}üéØ **Preferred**\n- ‚úÖ ok\n- ‚ö†Ô∏è warn\nplain\n");
        assert_eq!(
            fixed,
            "## 🎯 **Preferred**\n- ✅ ok\n- ⚠\u{fe0f} warn\nplain\n"
        );
        assert_eq!(report.lines, [(Encoding::MacRoman, 3)]);
        let notice = report.notice().expect("a notice");
        assert!(notice.starts_with("3 lines shown repaired") && notice.contains("Mac Roman"));
    }

    #[test]
    fn an_emoji_without_its_apple_logo_is_repaired() {
        assert_eq!(repair("üéØ target").0, "🎯 target");
    }

    #[test]
    fn round_trips_of_real_text_are_repaired() {
        for s in [
            "✅ done — “quoted” → next…",
            "café naïve Über Ça va £5 x©2025",
            "日本語のテキスト",
            "emoji 🎯📋🚨 and ⚠\u{fe0f}",
        ] {
            assert_eq!(repair(&mac_roman(s)).0, s, "Mac Roman {s}");
            assert_eq!(repair(&windows_1252(s)).0, s, "Windows-1252 {s}");
        }
        let (_, report) = repair(&windows_1252("“smart” quotes"));
        assert_eq!(report.lines, [(Encoding::Windows1252, 1)]);
    }

    #[test]
    fn correct_text_is_never_changed() {
        for s in [
            "Über",
            "café",
            "Ça va",
            "naïve",
            "£5",
            "©2025",
            "日本語",
            "🎯 ✅ ⚠️ 📋",
            "Ærø Øl Åsa",
            "SÃO PAULO",
            "AÇÃO INFORMAÇÕES",
            "word—Élan",
            "“Über” „Über“",
            "«Ça»",
            "¿Qué? ¡Sí!",
            "Straße",
            "≈°C",
            "naïve—é",
            "µs ±5% ≤ ≥ ≠",
            "™®©",
            "Ελληνικά",
            "Русский текст",
            "עברית",
            "العربية",
            "한국어",
            "e\u{301}",
            "ÀÉÎÕÜ àéîõü",
            "Œuvre œuvre",
            "Ÿ ÿ",
            "–—‘’“”•…",
            "† ‡ ° ¢ § ¶ ß",
        ] {
            let (out, report) = repair(s);
            assert_eq!(out, s, "changed correct text {s:?}");
            assert!(report.is_empty(), "{s:?}");
            assert!(matches!(out, Cow::Borrowed(_)));
        }
    }

    #[test]
    fn lone_characters_are_never_runs() {
        assert_eq!(repair("√ alone").0, "√ alone");
        assert_eq!(repair("Ã alone").0, "Ã alone");
    }

    #[test]
    fn only_changed_lines_count() {
        let text = "ok\n‚úÖ one\ncafé\n‚úÖ two\n";
        let (out, report) = repair(text);
        assert_eq!(out, "ok\n✅ one\ncafé\n✅ two\n");
        assert_eq!(report.total(), 2);
    }

    #[test]
    fn tables_are_complete_and_distinct() {
        for (enc, table) in [
            (Encoding::MacRoman, &MAC_ROMAN),
            (Encoding::Windows1252, &WINDOWS_1252),
        ] {
            let set: std::collections::HashSet<_> = table.iter().collect();
            assert_eq!(set.len(), 128);
            for (i, &c) in table.iter().enumerate() {
                assert_eq!(enc.byte(c), Some(0x80 + i as u8), "{c:?}");
            }
        }
        assert_eq!(MAC_ROMAN[0xf0 - 0x80], '\u{f8ff}');
    }
}
