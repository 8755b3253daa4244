//! OSC 8 hyperlinks for external URLs. ratatui has no notion of them, so after each frame
//! the visible link cells are printed again, same symbols and styles, wrapped in OSC 8.
//! Terminals without support ignore the sequence; the URL is also shown as text.

use std::io::{self, Write};

use ratatui::buffer::Buffer;
use ratatui::layout::Position;

use crate::app::App;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub url: String,
}

/// URLs longer than this are shown as text but not linked: the URL is resent for every
/// wrapped row of the link, so a 100 KB URL would make each frame megabytes long.
pub const MAX_URL_BYTES: usize = 2048;

/// Whether this terminal should get hyperlinks at all.
pub fn supported() -> bool {
    !matches!(
        std::env::var("TERM").as_deref(),
        Ok("dumb" | "linux") | Err(_)
    )
}

/// The external links on screen now, clipped to the text area. None while an overlay is
/// open: the cells under it are the overlay's, and printing a link there would draw over it.
pub fn visible(app: &App) -> Vec<Region> {
    if app.overlay.is_some() {
        return Vec::new();
    }
    let text = app.areas.text;
    let mut out = Vec::new();
    for (i, index) in app.visible_rows().enumerate() {
        let Some(row) = app.reader.layout.rows.get(index) else {
            continue;
        };
        for cell in app.reader.layout.links(row) {
            let Some(link) = app.reader.doc.links.get(cell.link as usize) else {
                continue;
            };
            if !link.is_external()
                || link.url.len() > MAX_URL_BYTES
                || link.url.chars().any(char::is_control)
            {
                continue;
            }
            let x = text.x.saturating_add(cell.start);
            let end = text.x.saturating_add(cell.end).min(text.right());
            if x < end {
                out.push(Region {
                    x,
                    y: text.y + i as u16,
                    width: end - x,
                    url: link.url.clone(),
                });
            }
        }
    }
    out
}

/// Re-prints each region's cells from `buf` inside an OSC 8 hyperlink.
pub fn emit(out: &mut dyn Write, buf: &Buffer, regions: &[Region]) -> io::Result<()> {
    for r in regions {
        write!(out, "\x1b[{};{}H\x1b]8;;{}\x1b\\", r.y + 1, r.x + 1, r.url)?;
        let mut x = r.x;
        while x < r.x + r.width {
            let Some(cell) = buf.cell(Position::new(x, r.y)) else {
                break;
            };
            let styled = ratatui::text::Span::styled(cell.symbol(), cell.style());
            let text = crate::commands::ansi::line(std::slice::from_ref(&styled), true);
            // The line writer trims trailing blanks; a cell is reprinted whole, or the
            // cursor falls behind and everything after it lands one column early.
            if text.is_empty() {
                out.write_all(cell.symbol().as_bytes())?;
            } else {
                out.write_all(text.as_bytes())?;
            }
            x += 1;
        }
        write!(out, "\x1b]8;;\x1b\\\x1b[0m")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn overlong_urls_are_shown_but_not_linked() {
        let long = format!("https://example.com/{}", "a".repeat(100_000));
        let body = format!("# T\n\n[short](https://example.com/s) [long]({long})\n");
        let set = crate::content::GuideSet::from_reader(body.as_bytes()).expect("loads");
        let mut app = App::new(
            set,
            crate::theme::Theme::for_mode(crate::theme::ColorMode::None),
            crate::keymap::Keymap::default(),
        );
        app.resize(Rect::new(0, 0, 100, 30));
        let urls: Vec<String> = visible(&app).into_iter().map(|r| r.url).collect();
        assert_eq!(urls, ["https://example.com/s"]);
    }

    #[test]
    fn links_are_wrapped_in_osc8_with_their_own_text() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(2, 0, "docs", ratatui::style::Style::new());
        let mut out = Vec::new();
        let r = Region {
            x: 2,
            y: 0,
            width: 4,
            url: "https://example.com/a".into(),
        };
        emit(&mut out, &buf, &[r]).expect("writes");
        let s = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            s,
            "\x1b[1;3H\x1b]8;;https://example.com/a\x1b\\docs\x1b]8;;\x1b\\\x1b[0m"
        );
    }

    #[test]
    fn blank_cells_inside_a_link_are_reprinted() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "go to docs", ratatui::style::Style::new());
        let mut out = Vec::new();
        let r = Region {
            x: 0,
            y: 0,
            width: 10,
            url: "https://example.com/".into(),
        };
        emit(&mut out, &buf, &[r]).expect("writes");
        let s = String::from_utf8(out).expect("utf-8");
        assert!(s.contains("\x1b\\go to docs\x1b]8;;"), "{s:?}");
    }

    #[test]
    fn no_links_are_reprinted_under_an_overlay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("g.md");
        std::fs::write(
            &path,
            "# G\n\nSee [the docs](https://example.com/docs) now.\n",
        )
        .expect("write");
        let set = crate::content::GuideSet::from_file(&path).expect("loads");
        let mut app = App::new(
            set,
            crate::theme::Theme::for_mode(crate::theme::ColorMode::None),
            crate::keymap::Keymap::default(),
        );
        app.update(crate::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
        assert_eq!(visible(&app).len(), 1);
        app.update(crate::app::Action::Help);
        assert!(visible(&app).is_empty());
    }
}
