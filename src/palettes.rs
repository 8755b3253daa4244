//! The light and high-contrast themes. Each is a handful of RGB colours, fitted to the
//! terminal like the dark theme ([`crate::theme::fit`]), and chosen so that text stays
//! readable on the background it is meant for (see the contrast tests below).

use ratatui::style::{Modifier, Style};

use crate::theme::{ColorMode, Theme, fit};

type Rgb = (u8, u8, u8);

/// The colours a theme is made of.
struct Palette {
    h1: Rgb,
    h2: Rgb,
    h3: Rgb,
    accent: Rgb,
    link: Rgb,
    ok: Rgb,
    error: Rgb,
    muted: Rgb,
    code: Rgb,
    selection_bg: Rgb,
    bar_bg: Rgb,
    bar_fg: Rgb,
    /// Text drawn on `accent` or `ok` backgrounds (search matches).
    on_accent: Rgb,
}

/// For light backgrounds: dark, saturated ink.
const LIGHT: Palette = Palette {
    h1: (30, 80, 180),
    h2: (120, 50, 160),
    h3: (0, 105, 130),
    accent: (155, 85, 0),
    link: (0, 95, 160),
    ok: (30, 115, 40),
    error: (185, 20, 50),
    muted: (95, 100, 125),
    code: (45, 50, 70),
    selection_bg: (205, 220, 250),
    bar_bg: (225, 228, 238),
    bar_fg: (45, 50, 70),
    on_accent: (255, 255, 255),
};

/// For dark backgrounds, at full strength.
const HIGH_CONTRAST_DARK: Palette = Palette {
    h1: (255, 255, 95),
    h2: (95, 255, 255),
    h3: (255, 175, 255),
    accent: (255, 215, 0),
    link: (95, 215, 255),
    ok: (95, 255, 95),
    error: (255, 95, 95),
    muted: (208, 208, 208),
    code: (255, 255, 255),
    selection_bg: (0, 0, 175),
    bar_bg: (255, 255, 255),
    bar_fg: (0, 0, 0),
    on_accent: (0, 0, 0),
};

/// For light backgrounds, at full strength.
const HIGH_CONTRAST_LIGHT: Palette = Palette {
    h1: (0, 0, 135),
    h2: (95, 0, 135),
    h3: (0, 75, 75),
    accent: (95, 0, 0),
    link: (0, 0, 215),
    ok: (0, 95, 0),
    error: (175, 0, 0),
    muted: (58, 58, 58),
    code: (0, 0, 0),
    selection_bg: (255, 255, 135),
    bar_bg: (0, 0, 0),
    bar_fg: (255, 255, 255),
    on_accent: (255, 255, 255),
};

impl Theme {
    /// For terminals with a light background.
    pub fn light(mode: ColorMode) -> Theme {
        from_palette(&LIGHT, mode)
    }

    /// Strong colours, bold structure and reverse-video selection; `light` picks the ink
    /// for a light background.
    pub fn high_contrast(mode: ColorMode, light: bool) -> Theme {
        let p = if light {
            &HIGH_CONTRAST_LIGHT
        } else {
            &HIGH_CONTRAST_DARK
        };
        let mut t = from_palette(p, mode);
        let bold = Modifier::BOLD;
        t.h1 = t.h1.add_modifier(Modifier::UNDERLINED);
        t.link = t.link.add_modifier(bold);
        t.code_text = t.code_text.add_modifier(bold);
        t.selection = Style::new().add_modifier(Modifier::REVERSED | bold);
        t.code_frame_selected = t.code_frame_selected.add_modifier(Modifier::REVERSED);
        t.sidebar_current = t.sidebar_current.add_modifier(Modifier::UNDERLINED);
        // The status bar is plain ink on its own background; errors stand out by
        // attribute, as no accent colour keeps full contrast on it.
        let bar = Style::new().fg(fit(p.bar_fg, mode)).bg(fit(p.bar_bg, mode));
        t.status = bar;
        t.status_key = bar.add_modifier(bold);
        t.status_info = bar;
        t.status_error = bar.add_modifier(bold | Modifier::UNDERLINED);
        t
    }
}

fn from_palette(p: &Palette, mode: ColorMode) -> Theme {
    let c = |rgb: Rgb| fit(rgb, mode);
    let fg = |rgb| Style::new().fg(c(rgb));
    let bold = Modifier::BOLD;
    Theme {
        mode,
        text: Style::new(),
        h1: fg(p.h1).add_modifier(bold),
        h2: fg(p.h2).add_modifier(bold),
        h3: fg(p.h3).add_modifier(bold),
        h4: Style::new().add_modifier(bold),
        code_inline: fg(p.accent),
        link: fg(p.link).add_modifier(Modifier::UNDERLINED),
        muted: fg(p.muted),
        quote_bar: fg(p.h2),
        list_marker: fg(p.accent),
        task_open: fg(p.accent).add_modifier(bold),
        task_done: fg(p.ok).add_modifier(bold),
        code_frame: fg(p.muted),
        code_frame_selected: fg(p.accent).add_modifier(bold),
        code_lang: fg(p.accent).add_modifier(bold),
        code_text: fg(p.code),
        table_border: fg(p.muted),
        table_header: Style::new().add_modifier(bold),
        footnote: fg(p.h2),
        selection: Style::new().bg(c(p.selection_bg)).add_modifier(bold),
        link_selected: Style::new().add_modifier(Modifier::REVERSED),
        sidebar_heading: fg(p.muted).add_modifier(bold),
        sidebar_current: fg(p.h1).add_modifier(bold),
        status: Style::new().fg(c(p.bar_fg)).bg(c(p.bar_bg)),
        status_key: Style::new().fg(c(p.h1)).bg(c(p.bar_bg)).add_modifier(bold),
        status_error: Style::new()
            .fg(c(p.error))
            .bg(c(p.bar_bg))
            .add_modifier(bold),
        status_info: Style::new().fg(c(p.ok)).bg(c(p.bar_bg)),
        overlay_border: fg(p.h1),
        search_match: Style::new().fg(c(p.on_accent)).bg(c(p.accent)),
        search_current: Style::new()
            .fg(c(p.on_accent))
            .bg(c(p.ok))
            .add_modifier(bold),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::Color;

    use super::*;

    /// The RGB a terminal shows for a colour (xterm's 256-colour palette).
    fn rgb_of(c: Color) -> Rgb {
        match c {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(i @ 16..=231) => {
                let i = i - 16;
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                (level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            Color::Indexed(i @ 232..=255) => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
            other => panic!("unexpected colour {other:?}"),
        }
    }

    /// WCAG relative luminance and contrast ratio.
    fn luminance((r, g, b): Rgb) -> f64 {
        let ch = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
    }

    fn contrast(a: Rgb, b: Rgb) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Every foreground colour against the background it is drawn on: the style's own
    /// background, else the terminal's.
    fn check(theme: &Theme, terminal_bg: Rgb, minimum: f64) {
        let styles = [
            theme.h1,
            theme.h2,
            theme.h3,
            theme.code_inline,
            theme.link,
            theme.muted,
            theme.task_open,
            theme.task_done,
            theme.code_lang,
            theme.code_text,
            theme.status,
            theme.status_key,
            theme.status_error,
            theme.status_info,
            theme.search_match,
            theme.search_current,
        ];
        for s in styles {
            let Some(fg) = s.fg else { continue };
            let bg = s.bg.map_or(terminal_bg, rgb_of);
            let ratio = contrast(rgb_of(fg), bg);
            assert!(
                ratio >= minimum,
                "{s:?} has contrast {ratio:.2} on {bg:?} ({:?})",
                theme.mode
            );
        }
    }

    #[test]
    fn light_theme_is_readable_on_white_in_truecolor_and_256() {
        for mode in [ColorMode::TrueColor, ColorMode::Ansi256] {
            check(&Theme::light(mode), (255, 255, 255), 4.0);
        }
    }

    #[test]
    fn high_contrast_themes_are_readable_in_truecolor_and_256() {
        for mode in [ColorMode::TrueColor, ColorMode::Ansi256] {
            check(&Theme::high_contrast(mode, false), (0, 0, 0), 7.0);
            check(&Theme::high_contrast(mode, true), (255, 255, 255), 7.0);
        }
    }

    #[test]
    fn dark_theme_is_readable_on_black_in_truecolor_and_256() {
        for mode in [ColorMode::TrueColor, ColorMode::Ansi256] {
            check(&Theme::for_mode(mode), (0, 0, 0), 4.0);
        }
    }

    #[test]
    fn high_contrast_selection_never_depends_on_colour() {
        let t = Theme::high_contrast(ColorMode::TrueColor, false);
        assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.selection.bg, None);
    }

    #[test]
    fn modes_use_matching_colour_kinds() {
        assert!(matches!(
            Theme::light(ColorMode::TrueColor).h1.fg,
            Some(Color::Rgb(..))
        ));
        assert!(matches!(
            Theme::light(ColorMode::Ansi256).h1.fg,
            Some(Color::Indexed(_))
        ));
    }
}
