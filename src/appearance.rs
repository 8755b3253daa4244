//! Which theme and colour mode to use: `--theme` over the config's `theme`, and for
//! `auto` the terminal's background (its OSC 11 reply, else `COLORFGBG`, else dark);
//! `--color` and `NO_COLOR` decide whether there is colour at all. Pure functions, so
//! every rule is tested without a terminal; the OSC 11 exchange itself is in
//! `tui::background`.

use crate::cli::ColorChoice;
use crate::config::ThemeName;
use crate::theme::{ColorMode, Theme};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Dark,
    Light,
}

/// A concrete theme: what `auto` turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Dark,
    Light,
    HighContrast(Background),
}

impl Variant {
    /// The syntax theme that suits this variant when `syntax_theme = "auto"`.
    pub fn syntax_theme(self) -> &'static str {
        match self {
            Variant::Dark => "OneHalfDark",
            Variant::Light => "OneHalfLight",
            Variant::HighContrast(Background::Dark) => "Monokai Extended Bright",
            Variant::HighContrast(Background::Light) => "GitHub",
        }
    }

    pub fn theme(self, mode: ColorMode) -> Theme {
        match (mode, self) {
            (ColorMode::None, _) => Theme::for_mode(ColorMode::None),
            (_, Variant::Dark) => Theme::for_mode(mode),
            (_, Variant::Light) => Theme::light(mode),
            (_, Variant::HighContrast(bg)) => Theme::high_contrast(mode, bg == Background::Light),
        }
    }
}

/// The colour mode: `--color never` has none, `always` has colour even under `NO_COLOR`,
/// `auto` takes what the environment says (`detected`, which honours `NO_COLOR`).
pub fn color_mode(choice: ColorChoice, detected: ColorMode, colorterm: Option<&str>) -> ColorMode {
    match choice {
        ColorChoice::Never => ColorMode::None,
        ColorChoice::Auto => detected,
        // Asked for colour where the environment offers none: the 16 colours every
        // colour terminal has, unless COLORTERM promises more.
        ColorChoice::Always if detected == ColorMode::None => {
            match ColorMode::from_env(false, colorterm, Some("xterm")) {
                ColorMode::None => ColorMode::Ansi16,
                m => m,
            }
        }
        ColorChoice::Always => detected,
    }
}

/// The theme variant: the flag wins over the config; `auto` asks `query` (the terminal)
/// first, then reads `COLORFGBG`, and falls back to dark. `query` runs only when needed.
pub fn variant(
    flag: Option<ThemeName>,
    config: ThemeName,
    colorfgbg: Option<&str>,
    query: impl FnOnce() -> Option<Background>,
) -> Variant {
    let bg = || {
        query()
            .or_else(|| colorfgbg.and_then(parse_colorfgbg))
            .unwrap_or(Background::Dark)
    };
    match flag.unwrap_or(config) {
        ThemeName::Dark => Variant::Dark,
        ThemeName::Light => Variant::Light,
        ThemeName::HighContrast => Variant::HighContrast(bg()),
        ThemeName::Auto => match bg() {
            Background::Dark => Variant::Dark,
            Background::Light => Variant::Light,
        },
    }
}

/// `COLORFGBG` is `fg;bg` (some terminals write `fg;default;bg`) in ANSI colour numbers;
/// backgrounds 7 (white) and 9–15 (bright colours) are light, 0–6 and 8 are dark.
pub fn parse_colorfgbg(value: &str) -> Option<Background> {
    let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    match bg {
        0..=6 | 8 => Some(Background::Dark),
        7 | 9..=15 => Some(Background::Light),
        _ => None,
    }
}

/// The colour in a reply to OSC 11 (`ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL or
/// `ESC \`), as 0.0–1.0 channels. Each channel has 1 to 4 hex digits.
pub fn parse_osc11_reply(reply: &[u8]) -> Option<(f64, f64, f64)> {
    let text = std::str::from_utf8(reply).ok()?;
    let start = text.find("\x1b]11;")? + 5;
    let body = &text[start..];
    let end = body.find(['\x07', '\x1b']).unwrap_or(body.len());
    let spec = &body[..end];
    let channels = spec
        .strip_prefix("rgb:")
        .or_else(|| spec.strip_prefix("rgba:"))?;
    let mut parts = channels.split('/').map(|h| {
        if h.is_empty() || h.len() > 4 {
            return None;
        }
        let v = u32::from_str_radix(h, 16).ok()?;
        let max = (1u32 << (4 * h.len() as u32)) - 1;
        Some(f64::from(v) / f64::from(max))
    });
    let (r, g, b) = (parts.next()??, parts.next()??, parts.next()??);
    Some((r, g, b))
}

/// Dark or light by perceived luminance (ITU-R BT.709 weights).
pub fn background_of((r, g, b): (f64, f64, f64)) -> Background {
    if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 {
        Background::Dark
    } else {
        Background::Light
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> Option<Background> {
        panic!("the terminal must not be asked")
    }

    #[test]
    fn colorfgbg_decides_dark_or_light() {
        assert_eq!(parse_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(parse_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(parse_colorfgbg("0;7"), Some(Background::Light));
        assert_eq!(parse_colorfgbg("7;8"), Some(Background::Dark));
        assert_eq!(parse_colorfgbg("12;default;0"), Some(Background::Dark));
        assert_eq!(parse_colorfgbg("0;default"), None);
        assert_eq!(parse_colorfgbg(""), None);
        assert_eq!(parse_colorfgbg("0;99"), None);
    }

    #[test]
    fn osc11_replies_parse_with_either_terminator_and_any_digit_count() {
        let black = parse_osc11_reply(b"\x1b]11;rgb:0000/0000/0000\x07");
        assert_eq!(black, Some((0.0, 0.0, 0.0)));
        let white = parse_osc11_reply(b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\");
        assert_eq!(white, Some((1.0, 1.0, 1.0)));
        let short = parse_osc11_reply(b"\x1b]11;rgb:f/8/0\x07").expect("parses");
        assert!((short.1 - 8.0 / 15.0).abs() < 1e-9);
        // A DA1 reply after it, as the query asks for both.
        let with_da1 = parse_osc11_reply(b"\x1b]11;rgb:fdfd/f6f6/e3e3\x07\x1b[?62;22c");
        assert_eq!(with_da1.map(background_of), Some(Background::Light));
        assert_eq!(parse_osc11_reply(b"\x1b[?62;22c"), None);
        assert_eq!(parse_osc11_reply(b"\x1b]11;rgb:zz/00/00\x07"), None);
        assert_eq!(parse_osc11_reply(b"\x1b]11;rgb:00/00\x07"), None);
        assert_eq!(parse_osc11_reply(b"\x1b]11;#000000\x07"), None);
    }

    #[test]
    fn luminance_splits_dark_from_light() {
        assert_eq!(background_of((0.0, 0.0, 0.0)), Background::Dark);
        assert_eq!(background_of((0.16, 0.17, 0.2)), Background::Dark);
        assert_eq!(background_of((0.99, 0.96, 0.89)), Background::Light);
        // Pure blue is dark even though one channel is full.
        assert_eq!(background_of((0.0, 0.0, 1.0)), Background::Dark);
    }

    #[test]
    fn theme_flag_beats_config_and_skips_detection() {
        let v = variant(Some(ThemeName::Light), ThemeName::Dark, Some("15;0"), never);
        assert_eq!(v, Variant::Light);
        let v = variant(None, ThemeName::Dark, Some("0;15"), never);
        assert_eq!(v, Variant::Dark);
    }

    #[test]
    fn auto_asks_the_terminal_first_then_colorfgbg_then_defaults_to_dark() {
        let v = variant(None, ThemeName::Auto, Some("15;0"), || {
            Some(Background::Light)
        });
        assert_eq!(v, Variant::Light);
        let v = variant(None, ThemeName::Auto, Some("0;15"), || None);
        assert_eq!(v, Variant::Light);
        let v = variant(None, ThemeName::Auto, Some("15;0"), || None);
        assert_eq!(v, Variant::Dark);
        let v = variant(None, ThemeName::Auto, None, || None);
        assert_eq!(v, Variant::Dark);
        let v = variant(
            Some(ThemeName::HighContrast),
            ThemeName::Auto,
            Some("0;15"),
            || None,
        );
        assert_eq!(v, Variant::HighContrast(Background::Light));
    }

    #[test]
    fn no_color_and_color_never_are_colourless_whatever_the_theme() {
        let detected_under_no_color =
            ColorMode::from_env(true, Some("truecolor"), Some("xterm-256color"));
        let auto = color_mode(
            ColorChoice::Auto,
            detected_under_no_color,
            Some("truecolor"),
        );
        assert_eq!(auto, ColorMode::None);
        let never = color_mode(ColorChoice::Never, ColorMode::TrueColor, Some("truecolor"));
        assert_eq!(never, ColorMode::None);
        for v in [
            Variant::Dark,
            Variant::Light,
            Variant::HighContrast(Background::Dark),
        ] {
            let t = v.theme(ColorMode::None);
            assert_eq!(t.h1.fg, None);
            assert_eq!(t.status.bg, None);
        }
        // --color always brings colour back despite NO_COLOR.
        let always = color_mode(
            ColorChoice::Always,
            detected_under_no_color,
            Some("truecolor"),
        );
        assert_eq!(always, ColorMode::TrueColor);
        assert_eq!(
            color_mode(ColorChoice::Auto, ColorMode::Ansi256, None),
            ColorMode::Ansi256
        );
    }

    #[test]
    fn variants_pick_matching_syntax_themes_that_exist() {
        for v in [
            Variant::Dark,
            Variant::Light,
            Variant::HighContrast(Background::Dark),
            Variant::HighContrast(Background::Light),
        ] {
            assert!(
                crate::highlight::find_syntax_theme(v.syntax_theme()).is_some(),
                "{v:?}"
            );
        }
        assert_ne!(
            Variant::Light.theme(ColorMode::TrueColor),
            Variant::Dark.theme(ColorMode::TrueColor)
        );
    }
}
