//! Word wrapping of styled text to a width in terminal cells.
//!
//! Widths are measured per grapheme with unicode-width, the same way ratatui draws, so
//! emoji and CJK stay aligned. ASCII text takes a fast path: one byte, one cell.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `start..end` of a wrapped line belong to link `link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkCell {
    pub start: u16,
    pub end: u16,
    pub link: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrappedLine {
    pub spans: Vec<Span<'static>>,
    pub links: Vec<LinkCell>,
    pub width: usize,
}

/// Display width of `s` in cells.
pub fn str_width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.graphemes(true).map(UnicodeWidthStr::width).sum()
    }
}

/// The longest prefix of `s` that fits in `max` cells, and its width.
pub fn fit_prefix(s: &str, max: usize) -> (&str, usize) {
    if s.is_ascii() {
        let n = s.len().min(max);
        return (&s[..n], n);
    }
    let mut w = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let gw = g.width();
        if w + gw > max {
            break;
        }
        w += gw;
        end = i + g.len();
    }
    (&s[..end], w)
}

/// Wraps styled pieces to `width` cells (at least 1). Breaks at spaces; a word longer than
/// the width is split by grapheme; `\n` forces a break.
pub fn wrap<'a>(
    pieces: impl IntoIterator<Item = (&'a str, Style, Option<u32>)>,
    width: usize,
) -> Vec<WrappedLine> {
    let mut w = Wrapper::new(width.max(1));
    for (text, style, link) in pieces {
        w.push(text, style, link);
    }
    w.finish()
}

struct Wrapper {
    width: usize,
    lines: Vec<WrappedLine>,
    cur: WrappedLine,
    /// The word being read, and where each of its styled parts ends in it: one buffer
    /// reused for every word, not a string allocated per word.
    word: String,
    word_parts: Vec<(usize, Style, Option<u32>)>,
    word_width: usize,
    space: Option<(Style, Option<u32>)>,
    last_link: Option<u32>,
}

impl Wrapper {
    fn new(width: usize) -> Wrapper {
        Wrapper {
            width,
            lines: Vec::new(),
            cur: WrappedLine::default(),
            word: String::new(),
            word_parts: Vec::new(),
            word_width: 0,
            space: None,
            last_link: None,
        }
    }

    fn push(&mut self, text: &str, style: Style, link: Option<u32>) {
        // Scanned by byte: newlines and spaces are ASCII, and no byte of a multi-byte
        // character is, so every change of class falls on a character boundary.
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&first) = bytes.get(at) {
            let kind = class(first);
            let len = bytes
                .get(at..)
                .unwrap_or(&[])
                .iter()
                .position(|&b| class(b) != kind)
                .unwrap_or(bytes.len() - at);
            let seg = text.get(at..at + len).unwrap_or("");
            at += len;
            match kind {
                Class::Newline => {
                    for _ in seg.chars() {
                        self.flush_word();
                        self.space = None;
                        self.end_line();
                    }
                }
                Class::Space => {
                    self.flush_word();
                    self.space = Some((style, link));
                }
                Class::Word => {
                    self.word_width += str_width(seg);
                    self.word.push_str(seg);
                    let end = self.word.len();
                    match self.word_parts.last_mut() {
                        Some(last) if last.1 == style && last.2 == link => last.0 = end,
                        _ => self.word_parts.push((end, style, link)),
                    }
                }
            }
        }
    }

    fn flush_word(&mut self) {
        if self.word_parts.is_empty() {
            return;
        }
        let space = usize::from(self.space.is_some() && self.cur.width > 0);
        // Taken while the line is appended to, and put back emptied, keeping its room.
        let mut word = std::mem::take(&mut self.word);
        let mut parts = std::mem::take(&mut self.word_parts);
        let word_width = std::mem::take(&mut self.word_width);
        let pieces = parts.iter().scan(0, |start, &(end, s, l)| {
            let text = word.get(*start..end).unwrap_or("");
            *start = end;
            Some((text, s, l))
        });
        if self.cur.width + space + word_width <= self.width {
            self.put_space(space);
            for (t, s, l) in pieces {
                self.append(t, str_width(t), s, l);
            }
        } else if word_width <= self.width {
            self.end_line();
            for (t, s, l) in pieces {
                self.append(t, str_width(t), s, l);
            }
        } else {
            // Too long for any line: fill the current line, then split by grapheme.
            if space == 1 && self.cur.width + 1 < self.width {
                self.put_space(1);
            } else if self.cur.width > 0 {
                self.end_line();
            }
            for (t, s, l) in pieces {
                self.append_broken(t, s, l);
            }
        }
        word.clear();
        parts.clear();
        self.word = word;
        self.word_parts = parts;
        self.space = None;
    }

    fn put_space(&mut self, n: usize) {
        if n > 0
            && let Some((s, l)) = self.space
        {
            self.append(" ", 1, s, l);
        }
    }

    fn append_broken(&mut self, text: &str, style: Style, link: Option<u32>) {
        let mut chunk = String::new();
        let mut chunk_w = 0;
        let mut graphemes: Box<dyn Iterator<Item = &str>> = if text.is_ascii() {
            Box::new((0..text.len()).map(move |i| &text[i..i + 1]))
        } else {
            Box::new(text.graphemes(true))
        };
        for g in &mut graphemes {
            let mut gw = g.width();
            let mut g = g;
            if gw > self.width {
                // A wide character in a one-cell column cannot be drawn; mark its place.
                g = "\u{2026}";
                gw = 1;
            }
            if self.cur.width + chunk_w + gw > self.width {
                if !chunk.is_empty() {
                    self.append(&chunk, chunk_w, style, link);
                    chunk.clear();
                    chunk_w = 0;
                }
                self.end_line();
            }
            chunk.push_str(g);
            chunk_w += gw;
        }
        if !chunk.is_empty() {
            self.append(&chunk, chunk_w, style, link);
        }
    }

    fn append(&mut self, text: &str, width: usize, style: Style, link: Option<u32>) {
        let start = self.cur.width;
        self.cur.width += width;
        // Merge into the previous span only when style and link both match, so a link's
        // cells never swallow neighbouring text.
        match self.cur.spans.last_mut() {
            Some(last) if last.style == style && self.last_link == link => {
                last.content.to_mut().push_str(text);
            }
            _ => {
                // Room for the rest of the line at once (a cell is a byte in ASCII text):
                // the span grows word by word without being moved each time.
                let room = self.width.saturating_sub(start).min(256);
                let mut content = String::with_capacity(room.max(text.len()));
                content.push_str(text);
                self.cur.spans.push(Span::styled(content, style));
            }
        }
        self.last_link = link;
        if let Some(link) = link {
            let (s, e) = (clamp16(start), clamp16(self.cur.width));
            match self.cur.links.last_mut() {
                Some(l) if l.link == link && l.end == s => l.end = e,
                _ => self.cur.links.push(LinkCell {
                    start: s,
                    end: e,
                    link,
                }),
            }
        }
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.cur);
        self.lines.push(line);
        self.last_link = None;
    }

    fn finish(mut self) -> Vec<WrappedLine> {
        self.flush_word();
        if self.cur.width > 0 || self.lines.is_empty() {
            self.end_line();
        }
        self.lines
    }
}

fn clamp16(v: usize) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Newline,
    Space,
    Word,
}

fn class(b: u8) -> Class {
    match b {
        b'\n' => Class::Newline,
        b' ' | b'\t' => Class::Space,
        _ => Class::Word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str, width: usize) -> Vec<String> {
        wrap([(text, Style::new(), None)], width)
            .into_iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(plain("the quick brown fox", 10), ["the quick", "brown fox"]);
    }

    #[test]
    fn long_words_are_split() {
        assert_eq!(plain("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn hard_breaks_force_lines() {
        assert_eq!(plain("a\nb", 10), ["a", "b"]);
    }

    #[test]
    fn emoji_and_cjk_count_two_cells() {
        assert_eq!(plain("🎯🎯🎯", 4), ["🎯🎯", "🎯"]);
        assert_eq!(plain("世界 你好", 5), ["世界", "你好"]);
        assert_eq!(str_width("⚠️ ok"), 5);
    }

    #[test]
    fn never_wider_than_width_even_at_one() {
        for width in 1..6 {
            for line in wrap([("🎯 ab 世界 x", Style::new(), None)], width) {
                assert!(line.width <= width, "{width}: {line:?}");
                let measured: usize = line.spans.iter().map(|s| str_width(&s.content)).sum();
                assert_eq!(measured, line.width);
            }
        }
    }

    #[test]
    fn styles_across_a_word_do_not_break_it() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let lines = wrap(
            [
                ("xx ", Style::new(), None),
                ("SSOT", bold, None),
                (":", Style::new(), None),
            ],
            6,
        );
        let texts: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(texts, ["xx", "SSOT:"]);
    }

    #[test]
    fn link_cells_cover_the_link_text() {
        let lines = wrap(
            [
                ("see ", Style::new(), None),
                ("the guide", Style::new(), Some(3)),
            ],
            40,
        );
        assert_eq!(
            lines[0].links,
            [LinkCell {
                start: 4,
                end: 13,
                link: 3
            }]
        );
    }

    #[test]
    fn fit_prefix_respects_wide_chars() {
        assert_eq!(fit_prefix("ab世界", 3), ("ab", 2));
        assert_eq!(fit_prefix("abc", 2), ("ab", 2));
    }
}

/// Splits one line of code into pieces of at most `width` cells, as byte ranges. An empty
/// line gives one empty range.
pub fn split_by_width(line: &str, width: usize) -> Vec<std::ops::Range<usize>> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut w = 0;
    if line.is_ascii() {
        while start + width < line.len() {
            out.push(start..start + width);
            start += width;
        }
        out.push(start..line.len());
        return out;
    }
    for (i, g) in line.grapheme_indices(true) {
        let gw = g.width();
        if w + gw > width && i > start {
            out.push(start..i);
            start = i;
            w = 0;
        }
        w += gw;
    }
    out.push(start..line.len());
    out
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // a list holding one range is what is meant
    fn code_lines_split_by_cells() {
        assert_eq!(split_by_width("abcdefg", 3), [0..3, 3..6, 6..7]);
        assert_eq!(split_by_width("", 3), vec![0..0]);
        assert_eq!(split_by_width("界界界", 4), [0..6, 6..9]);
    }
}
