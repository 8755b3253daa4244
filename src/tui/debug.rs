//! `--debug`: what devguide found out about where it runs, printed before anything else so
//! a bug report can carry it. Every line goes out through the sanitiser like any other.

use crate::appearance;
use crate::cli::Common;
use crate::config::Loaded;
use crate::theme::ColorMode;

/// One `name: value` line per fact.
pub fn report(cli: &Common, log: Option<&std::path::Path>, loaded: &Loaded) -> Vec<String> {
    let var = |name: &str| match std::env::var(name) {
        Ok(v) => format!("{v:?}"),
        Err(_) => "(unset)".to_string(),
    };
    let detected = ColorMode::detect();
    let colorterm = std::env::var("COLORTERM").ok();
    let mode = appearance::color_mode(cli.color, detected, colorterm.as_deref());
    let background = if mode == ColorMode::None {
        "not asked (no colour)".to_string()
    } else {
        match super::background::query(super::background::TIMEOUT) {
            Some(b) => format!("{b:?}"),
            None => format!(
                "no answer within {} ms (not a terminal, or it does not answer OSC 11)",
                super::background::TIMEOUT.as_millis()
            ),
        }
    };
    let clipboard = super::clipboard::native_tool()
        .map_or("none found (OSC 52 only)".to_string(), |t| t.join(" "));
    let config = match &loaded.path {
        Some((p, origin)) => format!("{} ({origin:?}, {})", p.display(), exists(p)),
        None => "no per-user configuration folder".to_string(),
    };
    let state = match crate::checklist::location::resolve_current(cli.state.as_deref()) {
        Ok(l) => format!("{} ({:?}, {})", l.path.display(), l.source, exists(&l.path)),
        Err(e) => format!("none: {e:#}"),
    };
    let log = log.map_or("off".to_string(), |p| p.display().to_string());
    vec![
        format!("version: {}", env!("CARGO_PKG_VERSION")),
        format!("TERM: {}", var("TERM")),
        format!("COLORTERM: {}", var("COLORTERM")),
        format!("NO_COLOR: {}", var("NO_COLOR")),
        format!("COLORFGBG: {}", var("COLORFGBG")),
        format!(
            "colour: --color {:?}, detected {detected:?}, used {mode:?}",
            cli.color
        ),
        format!("background (OSC 11): {background}"),
        format!("hyperlinks (OSC 8): {}", super::hyperlinks::supported()),
        format!("clipboard tool: {clipboard}"),
        format!("config: {config}"),
        format!("config problems: {}", loaded.problems.len()),
        format!("state: {state}"),
        format!("log: {log}"),
    ]
}

fn exists(p: &std::path::Path) -> &'static str {
    if p.exists() {
        "exists"
    } else {
        "not there yet"
    }
}
