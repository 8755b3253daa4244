//! Styled spans → text for stdout: ANSI SGR sequences when colour is on, plain otherwise.
//! Text has been sanitised upstream, so the only escapes written are our own.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

pub fn line(spans: &[Span<'_>], color: bool) -> String {
    let mut out = String::new();
    line_into(&mut out, spans, color);
    out
}

/// [`line`] appended to `out`, so a caller printing many lines reuses one buffer.
pub fn line_into(out: &mut String, spans: &[Span<'_>], color: bool) {
    Painter::default().line_into(out, spans, color);
}

/// Turns spans into text, remembering each style's escape sequence: a guide uses a few
/// dozen styles over tens of thousands of lines.
#[derive(Default)]
pub struct Painter {
    /// Each style met so far with its SGR parameters (empty for a plain style).
    sgrs: Vec<(Style, String)>,
}

impl Painter {
    /// [`line_into`], with the escape sequences of styles seen before reused.
    pub fn line_into(&mut self, out: &mut String, spans: &[Span<'_>], color: bool) {
        let from = out.len();
        for s in spans {
            let sgr = if color { self.sgr(s.style) } else { "" };
            if sgr.is_empty() {
                out.push_str(&s.content);
            } else {
                out.push_str("\x1b[");
                out.push_str(sgr);
                out.push('m');
                out.push_str(&s.content);
                out.push_str("\x1b[0m");
            }
        }
        let trimmed = from + out[from..].trim_end_matches(' ').len();
        out.truncate(trimmed);
    }

    fn sgr(&mut self, style: Style) -> &str {
        // A scan from the most recent: few styles, and runs of one style are common.
        let i = match self.sgrs.iter().rposition(|(s, _)| *s == style) {
            Some(i) => i,
            None => {
                self.sgrs.push((style, sgr(style)));
                self.sgrs.len() - 1
            }
        };
        self.sgrs.get(i).map_or("", |(_, code)| code.as_str())
    }
}

fn sgr(style: Style) -> String {
    let mut codes: Vec<String> = Vec::new();
    let m = style.add_modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            codes.push(code.into());
        }
    }
    if let Some(c) = style.fg.and_then(|c| color(c, 38)) {
        codes.push(c);
    }
    if let Some(c) = style.bg.and_then(|c| color(c, 48)) {
        codes.push(c);
    }
    codes.join(";")
}

fn color(c: Color, base: u8) -> Option<String> {
    match c {
        Color::Rgb(r, g, b) => Some(format!("{base};2;{r};{g};{b}")),
        Color::Indexed(i) => Some(format!("{base};5;{i}")),
        // The 16 named colours use the classic codes every colour terminal knows:
        // 30–37 / 90–97 for the foreground, 40–47 / 100–107 for the background.
        named => ansi16_index(named).map(|i| {
            let bright = if i >= 8 { 60 } else { 0 };
            format!("{}", u16::from(base) - 8 + bright + u16::from(i % 8))
        }),
    }
}

fn ansi16_index(c: Color) -> Option<u8> {
    Some(match c {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_colours_use_the_classic_codes() {
        assert_eq!(color(Color::Red, 38).as_deref(), Some("31"));
        assert_eq!(color(Color::Gray, 38).as_deref(), Some("37"));
        assert_eq!(color(Color::DarkGray, 38).as_deref(), Some("90"));
        assert_eq!(color(Color::White, 48).as_deref(), Some("107"));
        assert_eq!(color(Color::Black, 48).as_deref(), Some("40"));
        assert_eq!(color(Color::Reset, 38), None);
    }

    #[test]
    fn plain_output_has_no_escapes() {
        let spans = [
            Span::styled("hi", Style::new().fg(Color::Rgb(1, 2, 3))),
            Span::raw("   "),
        ];
        assert_eq!(line(&spans, false), "hi");
    }

    #[test]
    fn colour_output_wraps_styled_text() {
        let spans = [Span::styled(
            "hi",
            Style::new()
                .fg(Color::Indexed(33))
                .add_modifier(Modifier::BOLD),
        )];
        assert_eq!(line(&spans, true), "\x1b[1;38;5;33mhi\x1b[0m");
    }
}
