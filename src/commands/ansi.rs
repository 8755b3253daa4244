//! Styled spans → text for stdout: ANSI SGR sequences when colour is on, plain otherwise.
//! Text has been sanitised upstream, so the only escapes written are our own.

use std::fmt::Write as _;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

pub fn line(spans: &[Span<'_>], color: bool) -> String {
    let mut out = String::new();
    for s in spans {
        let sgr = if color { sgr(s.style) } else { String::new() };
        if sgr.is_empty() {
            out.push_str(&s.content);
        } else {
            let _ = write!(out, "\x1b[{sgr}m{}\x1b[0m", s.content);
        }
    }
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    out
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
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
