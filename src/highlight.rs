//! syntect in one place: loading, highlighting a block into styled byte ranges, and a
//! background worker that keeps only the newest request so scrolling never waits.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use ratatui::style::{Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::FontStyle;
use syntect::parsing::SyntaxSet;

use crate::theme::Theme;

/// Only this many bytes of a line are highlighted; the rest of a longer line is shown
/// plain. syntect's cost grows with line length, and a 200,000-character line would stall
/// the highlighter for no gain.
pub const MAX_HIGHLIGHT_LINE: usize = 4096;

/// One block's highlight: for each line, styled byte ranges into that line.
pub type Highlighted = Vec<Vec<(Style, Range<usize>)>>;

/// Identifies a code block across the whole set: (guide index, code block index).
pub type BlockKey = (usize, u32);

pub struct Highlighter {
    syntaxes: SyntaxSet,
    theme: syntect::highlighting::Theme,
    /// For 16-colour terminals: scopes mapped straight to ANSI colours (see [`ansi_theme`]).
    ansi: syntect::highlighting::Theme,
}

/// The syntax theme used when none is configured.
pub const DEFAULT_SYNTAX_THEME: &str = "OneHalfDark";

/// Every syntax theme name, as `devguide themes` lists it and `syntax_theme` accepts it.
pub fn syntax_theme_names() -> Vec<&'static str> {
    two_face::theme::EmbeddedLazyThemeSet::theme_names()
        .iter()
        .map(|t| t.as_name())
        .collect()
}

/// The canonical spelling of a syntax theme name, matched without regard to case.
pub fn find_syntax_theme(name: &str) -> Option<&'static str> {
    syntax_theme_names()
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(name.trim()))
}

impl Highlighter {
    pub fn load() -> Highlighter {
        Highlighter::with_theme(DEFAULT_SYNTAX_THEME)
    }

    /// With a syntax theme by name; an unknown name (already reported by the config
    /// check) falls back to the default.
    pub fn with_theme(name: &str) -> Highlighter {
        let themes = two_face::theme::extra();
        let wanted = find_syntax_theme(name).unwrap_or(DEFAULT_SYNTAX_THEME);
        let theme = two_face::theme::EmbeddedLazyThemeSet::theme_names()
            .iter()
            .find(|t| t.as_name() == wanted)
            .map_or_else(
                || themes.get(two_face::theme::EmbeddedThemeName::OneHalfDark),
                |t| themes.get(*t),
            )
            .clone();
        Highlighter {
            syntaxes: two_face::syntax::extra_newlines(),
            theme,
            ansi: ansi_theme(),
        }
    }

    pub fn knows(&self, lang: &str) -> bool {
        self.find(lang).is_some()
    }

    fn find(&self, lang: &str) -> Option<&syntect::parsing::SyntaxReference> {
        let token = match lang.to_ascii_lowercase().as_str() {
            "py" | "python3" => "python".to_string(),
            "shell" | "console" | "zsh" => "bash".to_string(),
            "yml" => "yaml".to_string(),
            "patch" => "diff".to_string(),
            other => other.to_string(),
        };
        self.syntaxes.find_syntax_by_token(&token)
    }

    /// Highlights `code` (already sanitised). `None` for an unknown language or a colourless
    /// theme: the block is then drawn plain.
    pub fn highlight(&self, lang: &str, code: &str, theme: &Theme) -> Option<Highlighted> {
        theme.rgb(0, 0, 0)?;
        let syntax = self.find(lang)?;
        // With 16 colours an RGB theme's tokens all round to one or two colours: name the
        // colour per scope instead, as bat's `ansi` theme does.
        let ansi = theme.mode == crate::theme::ColorMode::Ansi16;
        let mut h = HighlightLines::new(syntax, if ansi { &self.ansi } else { &self.theme });
        let mut out = Vec::new();
        for full in code.lines() {
            let mut cut = full.len().min(MAX_HIGHLIGHT_LINE);
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            let line = &full[..cut];
            // syntect wants the newline for correct state across lines.
            let with_nl = format!("{line}\n");
            let Ok(regions) = h.highlight_line(&with_nl, &self.syntaxes) else {
                out.push(Vec::new());
                continue;
            };
            let mut ranges = Vec::with_capacity(regions.len());
            let mut pos = 0;
            for (st, text) in regions {
                let end = (pos + text.len()).min(line.len());
                if pos < end {
                    let style = if ansi {
                        convert_ansi(st)
                    } else {
                        convert(st, theme)
                    };
                    ranges.push((style, pos..end));
                }
                pos += text.len();
            }
            out.push(ranges);
        }
        Some(out)
    }
}

/// Alpha 0 marks "ANSI colour number `r`", alpha 1 "the terminal's own colour", the
/// encoding bat's `ansi` theme uses.
const ANSI_ALPHA: u8 = 0;
const DEFAULT_ALPHA: u8 = 1;

/// Syntax scopes → the 16 ANSI colours: comments dim, strings green, keywords magenta,
/// functions blue, types yellow, constants cyan, everything else the terminal's own text
/// colour. The terminal's palette decides the exact shades, so it suits dark and light.
fn ansi_theme() -> syntect::highlighting::Theme {
    use std::str::FromStr;
    use syntect::highlighting::{
        Color, ScopeSelectors, StyleModifier, Theme as SynTheme, ThemeItem, ThemeSettings,
    };
    let colour = |n: u8, a: u8| Color {
        r: n,
        g: 0,
        b: 0,
        a,
    };
    #[rustfmt::skip]
    let table: &[(&str, u8)] = &[
        ("comment, punctuation.definition.comment", 8),
        ("string, punctuation.definition.string", 2),
        ("constant, support.constant", 6),
        ("keyword, storage.modifier, keyword.control.import", 5),
        ("storage.type, entity.name.type, entity.name.class, support.type, support.class, entity.other.inherited-class", 3),
        ("entity.name.function, support.function, meta.function-call variable.function, variable.function", 4),
        ("entity.name.tag, markup.heading", 4),
        ("entity.other.attribute-name, variable.parameter", 1),
        ("markup.inserted", 2),
        ("markup.deleted, invalid", 1),
    ];
    let scopes = table
        .iter()
        .filter_map(|(sel, n)| {
            Some(ThemeItem {
                scope: ScopeSelectors::from_str(sel).ok()?,
                style: StyleModifier {
                    foreground: Some(colour(*n, ANSI_ALPHA)),
                    background: None,
                    font_style: None,
                },
            })
        })
        .collect();
    SynTheme {
        name: Some("ansi".into()),
        author: None,
        settings: ThemeSettings {
            foreground: Some(colour(0, DEFAULT_ALPHA)),
            ..ThemeSettings::default()
        },
        scopes,
    }
}

/// A style from [`ansi_theme`]: the named ANSI colour, written with the classic codes.
fn convert_ansi(st: syntect::highlighting::Style) -> Style {
    use ratatui::style::Color;
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    let fg = st.foreground;
    match NAMED.get(usize::from(fg.r)) {
        Some(c) if fg.a == ANSI_ALPHA => Style::new().fg(*c),
        _ => Style::new(),
    }
}

fn convert(st: syntect::highlighting::Style, theme: &Theme) -> Style {
    let mut s = Style::new();
    if let Some(c) = theme.rgb(st.foreground.r, st.foreground.g, st.foreground.b) {
        s = s.fg(c);
    }
    if st.font_style.contains(FontStyle::BOLD) {
        s = s.add_modifier(Modifier::BOLD);
    }
    if st.font_style.contains(FontStyle::ITALIC) {
        s = s.add_modifier(Modifier::ITALIC);
    }
    s
}

#[derive(Debug, Clone)]
pub struct Request {
    pub key: BlockKey,
    pub lang: String,
    pub code: Arc<str>,
}

pub struct Done {
    pub key: BlockKey,
    /// `None` when the language is unknown: don't ask again.
    pub result: Option<Arc<Highlighted>>,
}

/// Highlights in a background thread. Each `submit` replaces whatever batch was still
/// waiting, so only what is on screen now gets highlighted.
pub struct Worker {
    tx: Sender<Vec<Request>>,
}

impl Worker {
    pub fn spawn(
        theme: Theme,
        syntax_theme: String,
        notify: impl Fn(Done) -> bool + Send + 'static,
    ) -> Worker {
        let (tx, rx) = mpsc::channel::<Vec<Request>>();
        // Without a thread, requests go nowhere and code simply stays plain.
        let _ = std::thread::Builder::new()
            .name("highlight".into())
            .spawn(move || worker_loop(rx, theme, &syntax_theme, notify));
        Worker { tx }
    }

    /// Hands over a batch; false when the worker thread is gone (it died or never
    /// started), so the caller can say so.
    pub fn submit(&self, batch: Vec<Request>) -> bool {
        self.tx.send(batch).is_ok()
    }
}

fn worker_loop(
    rx: Receiver<Vec<Request>>,
    theme: Theme,
    syntax_theme: &str,
    notify: impl Fn(Done) -> bool,
) {
    let Ok(mut batch) = rx.recv() else { return };
    let highlighter = Highlighter::with_theme(syntax_theme);
    loop {
        // Skip to the newest batch.
        while let Ok(newer) = rx.try_recv() {
            batch = newer;
        }
        let mut pending: std::collections::VecDeque<Request> = batch.into();
        while let Some(req) = pending.pop_front() {
            let result = highlighter
                .highlight(&req.lang, &req.code, &theme)
                .map(Arc::new);
            if !notify(Done {
                key: req.key,
                result,
            }) {
                return;
            }
            if let Ok(newer) = rx.try_recv() {
                pending = newer.into();
                while let Ok(newest) = rx.try_recv() {
                    pending = newest.into();
                }
            }
        }
        match rx.recv() {
            Ok(next) => batch = next,
            Err(_) => return,
        }
    }
}

/// Highlight results by block, and which blocks were already asked for.
#[derive(Default)]
pub struct Cache {
    done: HashMap<BlockKey, Option<Arc<Highlighted>>>,
}

impl Cache {
    pub fn get(&self, key: BlockKey) -> Option<&Highlighted> {
        self.done.get(&key).and_then(|o| o.as_deref())
    }

    pub fn has(&self, key: BlockKey) -> bool {
        self.done.contains_key(&key)
    }

    pub fn insert(&mut self, done: Done) {
        self.done.insert(done.key, done.result);
    }

    /// Forgets one guide's blocks (after it changed on disk).
    pub fn forget_guide(&mut self, guide: usize) {
        self.done.retain(|k, _| k.0 != guide);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::ColorMode;

    #[test]
    fn python_gets_more_than_one_style() {
        let h = Highlighter::load();
        let theme = Theme::for_mode(ColorMode::TrueColor);
        let out = h
            .highlight("python", "from a.b import C  # comment\n", &theme)
            .expect("python is known");
        let styles: std::collections::HashSet<_> = out[0].iter().map(|(s, _)| *s).collect();
        assert!(styles.len() > 1, "{out:?}");
        let covered: usize = out[0].iter().map(|(_, r)| r.len()).sum();
        assert_eq!(covered, "from a.b import C  # comment".len());
    }

    #[test]
    fn sixteen_colours_give_each_kind_of_token_its_own_ansi_colour() {
        let h = Highlighter::load();
        let theme = Theme::for_mode(ColorMode::Ansi16);
        let code = "from a.b import get_c  # note\ndef f(x):\n    return \"s\" + 42\n";
        let out = h
            .highlight("python", code, &theme)
            .expect("python is known");
        let colours: std::collections::HashSet<_> =
            out.iter().flatten().filter_map(|(s, _)| s.fg).collect();
        assert!(colours.len() >= 4, "distinct colours: {colours:?}");
        // Only the 16 named colours, written with the classic codes.
        assert!(
            colours.iter().all(|c| !matches!(
                c,
                ratatui::style::Color::Rgb(..) | ratatui::style::Color::Indexed(_)
            )),
            "{colours:?}"
        );
        let colour_of = |line: usize, text: &str| {
            let l = code.lines().nth(line).expect("line");
            let at = l.find(text).expect("text");
            out[line]
                .iter()
                .find(|(_, r)| r.contains(&at))
                .and_then(|(s, _)| s.fg)
        };
        assert_ne!(
            colour_of(0, "# note"),
            colour_of(2, "\"s\""),
            "comment vs string"
        );
        assert_ne!(
            colour_of(1, "def"),
            colour_of(2, "\"s\""),
            "keyword vs string"
        );
    }

    #[test]
    fn required_languages_are_known() {
        let h = Highlighter::load();
        for lang in [
            "python", "py", "rust", "bash", "sh", "toml", "json", "yaml", "diff",
        ] {
            assert!(h.knows(lang), "{lang}");
        }
        assert!(!h.knows("no-such-language"));
    }

    #[test]
    fn syntax_themes_are_found_by_any_case_and_change_colours() {
        assert_eq!(find_syntax_theme("nord"), Some("Nord"));
        assert_eq!(
            find_syntax_theme("solarized (light)"),
            Some("Solarized (light)")
        );
        assert_eq!(find_syntax_theme("no-such-theme"), None);
        assert!(syntax_theme_names().contains(&DEFAULT_SYNTAX_THEME));
        let theme = Theme::for_mode(ColorMode::TrueColor);
        let code = "def f(x):\n    return 'a'\n";
        let dark = Highlighter::with_theme("OneHalfDark").highlight("python", code, &theme);
        let light = Highlighter::with_theme("OneHalfLight").highlight("python", code, &theme);
        assert!(dark.is_some());
        assert_ne!(dark, light);
    }

    #[test]
    fn colourless_theme_skips_highlighting() {
        let h = Highlighter::load();
        assert!(
            h.highlight("python", "x = 1\n", &Theme::for_mode(ColorMode::None))
                .is_none()
        );
    }

    #[test]
    fn overlong_lines_are_highlighted_up_to_the_cap_then_plain() {
        let h = Highlighter::load();
        let long = format!("x = '{}'\ny = 2\n", "é".repeat(MAX_HIGHLIGHT_LINE));
        let out = h
            .highlight("python", &long, &Theme::for_mode(ColorMode::Ansi256))
            .expect("known");
        assert!(!out[0].is_empty(), "the start of the line is highlighted");
        let end = out[0].iter().map(|(_, r)| r.end).max().unwrap_or(0);
        assert!(end <= MAX_HIGHLIGHT_LINE, "the rest is plain: {end}");
        assert!(long.is_char_boundary(end));
        assert!(!out[1].is_empty());
    }
}
