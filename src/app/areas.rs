//! Where each pane goes for a terminal size. Pure, so the app can hit-test mouse clicks
//! against the same rectangles the UI draws into.

use ratatui::layout::Rect;

/// Below this width the sidebar is hidden; `Tab` shows it full width instead.
pub const NARROW: u16 = 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub sidebar: Option<Rect>,
    pub reader: Rect,
    /// The text column inside the reader (padding and width cap applied).
    pub text: Rect,
    /// The checklist progress gauge above the text, for guides with items.
    pub gauge: Option<Rect>,
    pub status: Option<Rect>,
}

pub fn compute(size: Rect, sidebar_focused: bool, max_text_width: u16) -> Areas {
    compute_with_status(size, sidebar_focused, max_text_width, 1)
}

/// Like [`compute`], with a status bar `status_rows` tall (a long message takes two rows
/// where the screen has room for them).
pub fn compute_with_status(
    size: Rect,
    sidebar_focused: bool,
    max_text_width: u16,
    status_rows: u16,
) -> Areas {
    let rows = if size.height >= 8 {
        status_rows.max(1)
    } else {
        1
    };
    let (body, status) = if size.height >= 2 {
        let body = Rect {
            height: size.height - rows,
            ..size
        };
        let status = Rect {
            y: size.y + size.height - rows,
            height: rows,
            ..size
        };
        (body, Some(status))
    } else {
        (size, None)
    };
    let (sidebar, reader) = if size.width >= NARROW {
        let w = (size.width * 3 / 10).clamp(24, 40);
        let sidebar = Rect { width: w, ..body };
        let reader = Rect {
            x: body.x + w,
            width: body.width - w,
            ..body
        };
        (Some(sidebar), reader)
    } else if sidebar_focused {
        (Some(body), Rect { width: 0, ..body })
    } else {
        (None, body)
    };
    // One column of breathing room on each side when there is room for it.
    let pad = if reader.width >= 24 { 2 } else { 0 };
    let text_width = reader.width.saturating_sub(pad).min(max_text_width.max(1));
    let text = Rect {
        x: reader.x + pad.min(1),
        width: text_width,
        ..reader
    };
    Areas {
        sidebar,
        reader,
        text,
        gauge: None,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminal_has_sidebar_reader_and_status() {
        let a = compute(Rect::new(0, 0, 120, 40), false, 100);
        let s = a.sidebar.expect("sidebar");
        assert_eq!(s.width, 36);
        assert_eq!(a.reader.x, 36);
        assert_eq!(a.reader.height, 39);
        assert_eq!(a.status, Some(Rect::new(0, 39, 120, 1)));
        assert!(a.text.width <= 100 && a.text.x > a.reader.x);
    }

    #[test]
    fn narrow_terminal_hides_sidebar_until_focused() {
        let a = compute(Rect::new(0, 0, 40, 12), false, 100);
        assert_eq!(a.sidebar, None);
        assert_eq!(a.reader.width, 40);
        let b = compute(Rect::new(0, 0, 40, 12), true, 100);
        assert_eq!(b.sidebar.map(|r| r.width), Some(40));
    }

    #[test]
    fn tiny_sizes_do_not_underflow() {
        for (w, h) in [(0, 0), (1, 1), (1, 2), (3, 1)] {
            let a = compute(Rect::new(0, 0, w, h), false, 100);
            assert!(a.text.width <= w);
        }
    }
}
