//! Colours and text attributes for every part of the screen, fitted to what the terminal
//! can show: truecolor, 256 colours, the 16 ANSI colours, or none at all (`NO_COLOR`,
//! `TERM=dumb`, no `TERM`).

use ratatui::style::{Color, Modifier, Style};

use crate::doc::style as inl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    TrueColor,
    Ansi256,
    /// The 16 standard colours, for terminals whose `TERM` does not promise 256.
    Ansi16,
    /// `NO_COLOR`, `TERM=dumb` or no `TERM`: structure and selection by bold, underline
    /// and reverse only.
    None,
}

impl ColorMode {
    /// From the environment: `NO_COLOR` wins, then `COLORTERM`, then `TERM`.
    pub fn detect() -> ColorMode {
        Self::from_env(
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    /// A terminal that is unknown (`TERM` unset) or says it has no features (`dumb`) gets
    /// no colour; one that does not claim 256 colours gets the 16 every terminal has.
    pub fn from_env(no_color: bool, colorterm: Option<&str>, term: Option<&str>) -> ColorMode {
        if no_color {
            return ColorMode::None;
        }
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            return ColorMode::TrueColor;
        }
        match term.map(str::trim) {
            None | Some("" | "dumb") => ColorMode::None,
            Some(t) if t.contains("256color") || t.contains("direct") => ColorMode::Ansi256,
            Some(_) => ColorMode::Ansi16,
        }
    }
}

/// True when `TERM` says the terminal cannot move the cursor (`dumb`, as in an editor's
/// shell buffer): the reader then prints the guide instead of drawing a screen.
pub fn term_is_dumb() -> bool {
    std::env::var("TERM").is_ok_and(|t| t.trim() == "dumb")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub mode: ColorMode,
    pub text: Style,
    pub h1: Style,
    pub h2: Style,
    pub h3: Style,
    pub h4: Style,
    pub code_inline: Style,
    pub link: Style,
    pub muted: Style,
    pub quote_bar: Style,
    pub list_marker: Style,
    pub task_open: Style,
    pub task_done: Style,
    pub code_frame: Style,
    pub code_frame_selected: Style,
    pub code_lang: Style,
    pub code_text: Style,
    pub table_border: Style,
    pub table_header: Style,
    pub footnote: Style,
    pub selection: Style,
    pub link_selected: Style,
    pub sidebar_heading: Style,
    pub sidebar_current: Style,
    pub status: Style,
    pub status_key: Style,
    pub status_error: Style,
    pub status_info: Style,
    pub overlay_border: Style,
    pub search_match: Style,
    pub search_current: Style,
}

/// The dark palette, written once in RGB and fitted to the terminal.
mod palette {
    pub const BLUE: (u8, u8, u8) = (122, 162, 247);
    pub const PURPLE: (u8, u8, u8) = (187, 154, 247);
    pub const CYAN: (u8, u8, u8) = (125, 207, 255);
    pub const AMBER: (u8, u8, u8) = (224, 175, 104);
    pub const GREEN: (u8, u8, u8) = (158, 206, 106);
    pub const RED: (u8, u8, u8) = (247, 118, 142);
    pub const MUTED: (u8, u8, u8) = (120, 128, 170);
    pub const CODE_FG: (u8, u8, u8) = (192, 202, 245);
    pub const SELECT_BG: (u8, u8, u8) = (52, 64, 110);
    pub const BAR_BG: (u8, u8, u8) = (36, 40, 59);
    pub const BAR_FG: (u8, u8, u8) = (169, 177, 214);
}

impl Theme {
    pub fn for_mode(mode: ColorMode) -> Theme {
        match mode {
            ColorMode::None => Theme::colourless(),
            _ => Theme::dark(mode),
        }
    }

    fn dark(mode: ColorMode) -> Theme {
        use palette::*;
        let c = |rgb: (u8, u8, u8)| fit(rgb, mode);
        let fg = |rgb| Style::new().fg(c(rgb));
        let bold = Modifier::BOLD;
        Theme {
            mode,
            text: Style::new(),
            h1: fg(BLUE).add_modifier(bold),
            h2: fg(PURPLE).add_modifier(bold),
            h3: fg(CYAN).add_modifier(bold),
            h4: Style::new().add_modifier(bold),
            code_inline: fg(AMBER),
            link: fg(CYAN).add_modifier(Modifier::UNDERLINED),
            muted: fg(MUTED),
            quote_bar: fg(PURPLE),
            list_marker: fg(AMBER),
            task_open: fg(AMBER).add_modifier(bold),
            task_done: fg(GREEN).add_modifier(bold),
            code_frame: fg(MUTED),
            code_frame_selected: fg(AMBER).add_modifier(bold),
            code_lang: fg(AMBER).add_modifier(bold),
            code_text: fg(CODE_FG),
            table_border: fg(MUTED),
            table_header: Style::new().add_modifier(bold),
            footnote: fg(PURPLE),
            selection: Style::new().bg(c(SELECT_BG)).add_modifier(bold),
            link_selected: Style::new().add_modifier(Modifier::REVERSED),
            sidebar_heading: fg(MUTED).add_modifier(bold),
            sidebar_current: fg(BLUE).add_modifier(bold),
            status: Style::new().fg(c(BAR_FG)).bg(c(BAR_BG)),
            status_key: Style::new().fg(c(BLUE)).bg(c(BAR_BG)).add_modifier(bold),
            status_error: Style::new().fg(c(RED)).bg(c(BAR_BG)).add_modifier(bold),
            status_info: Style::new().fg(c(GREEN)).bg(c(BAR_BG)),
            overlay_border: fg(BLUE),
            search_match: Style::new().fg(c(BAR_BG)).bg(c(AMBER)),
            search_current: Style::new().fg(c(BAR_BG)).bg(c(GREEN)).add_modifier(bold),
        }
    }

    /// No colour at all: every distinction is made with attributes, and selection is
    /// always reverse video so it never depends on colour.
    fn colourless() -> Theme {
        let m = |m: Modifier| Style::new().add_modifier(m);
        let bold = Modifier::BOLD;
        Theme {
            mode: ColorMode::None,
            text: Style::new(),
            h1: m(bold | Modifier::UNDERLINED),
            h2: m(bold | Modifier::UNDERLINED),
            h3: m(bold),
            h4: m(bold),
            code_inline: m(bold),
            link: m(Modifier::UNDERLINED),
            muted: m(Modifier::DIM),
            quote_bar: m(Modifier::DIM),
            list_marker: m(bold),
            task_open: m(bold),
            task_done: m(bold),
            code_frame: m(Modifier::DIM),
            code_frame_selected: m(bold | Modifier::REVERSED),
            code_lang: m(bold),
            code_text: Style::new(),
            table_border: m(Modifier::DIM),
            table_header: m(bold),
            footnote: m(Modifier::ITALIC),
            selection: m(Modifier::REVERSED),
            link_selected: m(Modifier::REVERSED),
            sidebar_heading: m(bold),
            sidebar_current: m(bold | Modifier::UNDERLINED),
            status: m(Modifier::REVERSED),
            status_key: m(Modifier::REVERSED | bold),
            status_error: m(Modifier::REVERSED | bold),
            status_info: m(Modifier::REVERSED),
            overlay_border: Style::new(),
            search_match: m(Modifier::UNDERLINED | bold),
            search_current: m(Modifier::REVERSED | bold),
        }
    }

    /// The style of an inline run with the given [`inl`] flags.
    pub fn inline(&self, flags: u8) -> Style {
        let mut s = self.text;
        if flags & inl::CODE != 0 {
            s = s.patch(self.code_inline);
        }
        if flags & inl::LINK != 0 {
            s = s.patch(self.link);
        }
        if flags & (inl::LINK_TARGET | inl::MUTED) != 0 {
            s = s.patch(self.muted);
        }
        if flags & inl::FOOTNOTE_REF != 0 {
            s = s.patch(self.footnote);
        }
        if flags & inl::EMPH != 0 {
            s = s.add_modifier(Modifier::ITALIC);
        }
        if flags & inl::STRONG != 0 {
            s = s.add_modifier(Modifier::BOLD);
        }
        if flags & inl::STRIKE != 0 {
            s = s.add_modifier(Modifier::CROSSED_OUT);
        }
        s
    }

    pub fn heading(&self, level: u8) -> Style {
        match level {
            1 => self.h1,
            2 => self.h2,
            3 => self.h3,
            _ => self.h4,
        }
    }

    /// Fits an RGB colour (from syntect) to this terminal.
    pub fn rgb(&self, r: u8, g: u8, b: u8) -> Option<Color> {
        match self.mode {
            ColorMode::None => None,
            mode => Some(fit((r, g, b), mode)),
        }
    }
}

pub fn fit((r, g, b): (u8, u8, u8), mode: ColorMode) -> Color {
    match mode {
        ColorMode::TrueColor => Color::Rgb(r, g, b),
        ColorMode::Ansi16 => rgb_to_ansi16(r, g, b),
        _ => Color::Indexed(rgb_to_ansi256(r, g, b)),
    }
}

/// The nearest of the 16 ANSI colours (xterm's default palette), as the named colours
/// that are written with the classic `30–37`/`90–97` codes.
pub fn rgb_to_ansi16(r: u8, g: u8, b: u8) -> Color {
    const ANSI: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
    ANSI.iter()
        .min_by_key(|(_, (cr, cg, cb))| d(*cr, r) + d(*cg, g) + d(*cb, b))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// The nearest colour of the xterm 256-colour palette (6×6×6 cube or grey ramp).
pub fn rgb_to_ansi256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| -> usize {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let dist = |(a, b2, c): (u8, u8, u8)| {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(a, r) + d(b2, g) + d(c, b)
    };
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_index = (avg.saturating_sub(8) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_index;
    if dist((grey, grey, grey)) < dist(cube) {
        232 + grey_index
    } else {
        16 + (36 * ri + 6 * gi + bi) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_follows_environment() {
        let xterm = Some("xterm-256color");
        assert_eq!(
            ColorMode::from_env(true, Some("truecolor"), xterm),
            ColorMode::None
        );
        assert_eq!(
            ColorMode::from_env(false, Some("truecolor"), xterm),
            ColorMode::TrueColor
        );
        assert_eq!(
            ColorMode::from_env(false, Some("24bit"), None),
            ColorMode::TrueColor
        );
        assert_eq!(ColorMode::from_env(false, None, xterm), ColorMode::Ansi256);
        assert_eq!(
            ColorMode::from_env(false, None, Some("tmux-256color")),
            ColorMode::Ansi256
        );
        assert_eq!(
            ColorMode::from_env(false, None, Some("xterm")),
            ColorMode::Ansi16
        );
        assert_eq!(
            ColorMode::from_env(false, None, Some("linux")),
            ColorMode::Ansi16
        );
        assert_eq!(
            ColorMode::from_env(false, None, Some("dumb")),
            ColorMode::None
        );
        assert_eq!(ColorMode::from_env(false, None, None), ColorMode::None);
    }

    #[test]
    fn ansi256_mapping_hits_cube_and_greys() {
        assert_eq!(rgb_to_ansi256(0, 0, 0), 16);
        assert_eq!(rgb_to_ansi256(255, 255, 255), 231);
        assert_eq!(rgb_to_ansi256(255, 0, 0), 196);
        assert_eq!(rgb_to_ansi256(128, 128, 128), 244);
    }

    #[test]
    fn ansi16_mapping_keeps_the_palette_readable() {
        assert_eq!(rgb_to_ansi16(0, 0, 0), Color::Black);
        assert_eq!(rgb_to_ansi16(255, 255, 255), Color::White);
        assert_eq!(rgb_to_ansi16(200, 10, 10), Color::Red);
        // The dark palette: headings blue, muted text grey, the status bar light on dark.
        assert_eq!(rgb_to_ansi16(122, 162, 247), Color::LightBlue);
        assert_eq!(rgb_to_ansi16(120, 128, 170), Color::DarkGray);
        assert_eq!(rgb_to_ansi16(36, 40, 59), Color::Black);
        assert_eq!(rgb_to_ansi16(169, 177, 214), Color::Gray);
        let t = Theme::for_mode(ColorMode::Ansi16);
        for s in [t.h1, t.link, t.status, t.selection, t.code_text] {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Indexed(_) | Color::Rgb(..)), "{c:?}");
            }
        }
    }

    #[test]
    fn colourless_theme_uses_no_colour_anywhere() {
        let t = Theme::for_mode(ColorMode::None);
        let all = [
            t.h1,
            t.link,
            t.selection,
            t.status,
            t.code_frame_selected,
            t.inline(0xff),
        ];
        for s in all {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.rgb(1, 2, 3), None);
    }

    #[test]
    fn colour_modes_use_matching_colour_kinds() {
        assert!(matches!(
            Theme::for_mode(ColorMode::TrueColor).h1.fg,
            Some(Color::Rgb(..))
        ));
        assert!(matches!(
            Theme::for_mode(ColorMode::Ansi256).h1.fg,
            Some(Color::Indexed(_))
        ));
    }
}
