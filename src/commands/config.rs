//! `devguide config path|default|check` and `devguide themes`.

use std::io::Write;

use crate::cli::ConfigCommand;
use crate::config::{self, DEFAULT_TOML, Loaded, Origin, ThemeName};

pub fn run(cmd: &ConfigCommand, loaded: &Loaded, out: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        ConfigCommand::Path { .. } => match &loaded.path {
            Some((path, _)) => {
                super::write_context(writeln!(out, "{}", path.display()))?;
                Ok(0)
            }
            None => anyhow::bail!(
                "no configuration folder is known here; pass --config FILE or set {}",
                config::ENV_VAR
            ),
        },
        ConfigCommand::Default => {
            super::write_context(out.write_all(DEFAULT_TOML.as_bytes()))?;
            Ok(0)
        }
        ConfigCommand::Check { .. } => check(loaded, out),
    }
}

/// Every problem, one per line as `file:line: message`; exit 1 when there is any.
fn check(loaded: &Loaded, out: &mut dyn Write) -> anyhow::Result<u8> {
    let w = |out: &mut dyn Write, s: String| super::write_context(writeln!(out, "{s}"));
    for p in &loaded.problems {
        w(out, crate::sanitize::sanitize_line(&p.to_string()))?;
    }
    let where_ = match &loaded.path {
        Some((p, origin)) => {
            let how = match origin {
                Origin::Flag => " (from --config)",
                Origin::Env => " (from DEVGUIDE_CONFIG)",
                Origin::UserFile if !p.exists() => " (not present: the defaults apply)",
                Origin::UserFile => "",
            };
            format!("{}{how}", p.display())
        }
        None => "no configuration file".into(),
    };
    if loaded.problems.is_empty() {
        w(out, format!("{where_}: ok"))?;
        Ok(0)
    } else {
        let n = loaded.problems.len();
        let s = if n == 1 { "" } else { "s" };
        w(
            out,
            format!("{where_}: {n} problem{s}; those settings keep their defaults"),
        )?;
        Ok(1)
    }
}

/// The colour themes (`theme`, `--theme`) and syntax themes (`syntax_theme`), with the
/// configured ones marked.
pub fn themes(loaded: &Loaded, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mark = |yes: bool| if yes { "*" } else { " " };
    let mut text = String::from("Themes (theme = \"…\" or --theme):\n");
    for t in ThemeName::ALL {
        let what = match t {
            ThemeName::Auto => "dark or light, from the terminal's background",
            ThemeName::Dark => "for dark backgrounds",
            ThemeName::Light => "for light backgrounds",
            ThemeName::HighContrast => "strong colours and bold text",
        };
        let current = loaded.config.theme == t;
        text.push_str(&format!("{} {:<14} {what}\n", mark(current), t.name()));
    }
    text.push_str("\nSyntax themes for code (syntax_theme = \"…\"):\n");
    let configured = loaded.config.syntax_theme.as_deref();
    text.push_str(&format!(
        "{} auto           follows the theme\n",
        mark(configured.is_none())
    ));
    for name in crate::highlight::syntax_theme_names() {
        text.push_str(&format!("{} {name}\n", mark(configured == Some(name))));
    }
    super::write_context(out.write_all(text.as_bytes()))?;
    Ok(0)
}
