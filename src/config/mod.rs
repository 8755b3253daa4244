//! Settings: the embedded default file, then the user's file over it.
//!
//! The default file (`default.toml`) is both what `devguide config default` prints and
//! what the program parses first, so every default is written in exactly one place.
//! The user's file is parsed into a table and checked setting by setting: a bad value
//! becomes a [`Problem`] with its file and line and that setting keeps its default,
//! so a typo never stops devguide from starting.

pub mod keys;

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::keymap::Keymap;

/// The commented default configuration, parsed as the base of every configuration.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// Top-level settings, in the order of the default file.
pub const SETTINGS: &[&str] = &[
    "theme",
    "syntax_theme",
    "mouse",
    "clipboard",
    "browser",
    "guides",
    "code",
    "wrap_width",
    "keys",
];

/// The environment variable naming a configuration file.
pub const ENV_VAR: &str = "DEVGUIDE_CONFIG";

/// Narrowest and widest accepted `wrap_width`.
pub const WRAP_WIDTH_RANGE: (u16, u16) = (20, 1000);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeName {
    /// Dark or light, from the terminal's background
    Auto,
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    pub const ALL: [ThemeName; 4] = [
        ThemeName::Auto,
        ThemeName::Dark,
        ThemeName::Light,
        ThemeName::HighContrast,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ThemeName::Auto => "auto",
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::HighContrast => "high-contrast",
        }
    }

    pub fn from_name(name: &str) -> Option<ThemeName> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// How copying reaches a clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardMode {
    /// The OSC 52 escape sequence: the terminal's clipboard, also over SSH.
    Osc52,
    /// A local clipboard program (wl-copy, xclip, xsel, pbcopy).
    Native,
    Both,
    Off,
}

impl ClipboardMode {
    pub const ALL: [ClipboardMode; 4] = [
        ClipboardMode::Osc52,
        ClipboardMode::Native,
        ClipboardMode::Both,
        ClipboardMode::Off,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ClipboardMode::Osc52 => "osc52",
            ClipboardMode::Native => "native",
            ClipboardMode::Both => "both",
            ClipboardMode::Off => "off",
        }
    }

    pub fn from_name(name: &str) -> Option<ClipboardMode> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn osc52(self) -> bool {
        matches!(self, ClipboardMode::Osc52 | ClipboardMode::Both)
    }

    pub fn native(self) -> bool {
        matches!(self, ClipboardMode::Native | ClipboardMode::Both)
    }
}

/// Every setting, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub theme: ThemeName,
    /// A syntax theme name as `devguide themes` lists it; `None` follows the theme.
    pub syntax_theme: Option<String>,
    pub mouse: bool,
    pub clipboard: ClipboardMode,
    /// The command that opens external links; `None` picks the platform's opener (see
    /// `crate::opener`), `"off"` opens nothing.
    pub browser: Option<String>,
    /// Guide set folders, tried in order when no `--dir` is given.
    pub guides: Vec<PathBuf>,
    /// The code base the reader checks against the guides (the findings overlay, the
    /// live state of self-verifying items) when neither `--code` nor team mode names one.
    pub code: Option<PathBuf>,
    pub wrap_width: u16,
    pub keys: keys::Bindings,
    /// `[keys.<overlay>]`: each overlay's own table.
    pub overlay_keys: keys::OverlayBindings,
}

/// Something wrong in a configuration file. devguide still runs, with the default for
/// that setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: about the file as a whole (it could not be read, a folder is missing).
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.message),
            n => write!(f, "{}:{n}: {}", self.file, self.message),
        }
    }
}

/// A file being parsed: its name for messages and its text for line numbers.
pub struct Source<'a> {
    pub label: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// A problem at byte offset `at`.
    pub fn problem(&self, at: usize, message: String) -> Problem {
        let at = at.min(self.text.len());
        let line = self.text.as_bytes()[..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Problem {
            file: self.label.to_string(),
            line,
            message,
        }
    }
}

impl Default for Config {
    /// The embedded default file, parsed.
    fn default() -> Config {
        let mut config = Config {
            theme: ThemeName::Auto,
            syntax_theme: None,
            mouse: true,
            clipboard: ClipboardMode::Both,
            browser: None,
            guides: Vec::new(),
            code: None,
            wrap_width: 100,
            keys: crate::app::action::ACTIONS
                .iter()
                .map(|a| (a.0, Vec::new()))
                .collect(),
            overlay_keys: crate::keymap::OVERLAY_BINDINGS
                .iter()
                .map(|(m, a, ..)| (*m, *a, Vec::new()))
                .collect(),
        };
        // Tested to be free of problems; the values above are only placeholders.
        let _ = config.apply(DEFAULT_TOML, "<default config>", None);
        config
    }
}

impl Config {
    pub fn keymap(&self) -> Keymap {
        keys::keymap(&self.keys, &self.overlay_keys)
    }

    /// Applies a configuration file's text over this configuration. `dir` is the file's
    /// folder, against which relative guide folders are resolved.
    pub fn apply(&mut self, text: &str, label: &str, dir: Option<&Path>) -> Vec<Problem> {
        let src = Source { label, text };
        let (table, errors) = DeTable::parse_recoverable(text);
        let mut problems: Vec<Problem> = errors
            .iter()
            .map(|e| {
                let at = e.span().map_or(0, |s| s.start);
                src.problem(at, format!("not valid TOML: {}", e.message().trim()))
            })
            .collect();
        for (name, value) in table.get_ref() {
            let at = value.span().start;
            let v = value.get_ref();
            let result = match name.get_ref().as_ref() {
                "theme" => choice(v, &ThemeName::ALL.map(ThemeName::name))
                    .map(|s| self.theme = ThemeName::from_name(s).unwrap_or(self.theme)),
                "syntax_theme" => syntax_theme(v).map(|t| self.syntax_theme = t),
                "mouse" => boolean(v).map(|b| self.mouse = b),
                "clipboard" => choice(v, &ClipboardMode::ALL.map(ClipboardMode::name)).map(|s| {
                    self.clipboard = ClipboardMode::from_name(s).unwrap_or(self.clipboard)
                }),
                "browser" => match v.as_str() {
                    Some(b) => {
                        self.browser = Some(b.trim()).filter(|b| !b.is_empty()).map(str::to_string);
                        Ok(())
                    }
                    None => Err(format!(
                        "expected a command such as \"firefox\" (\"\" for the platform's opener, \"off\" for none), found {}",
                        v.type_str()
                    )),
                },
                "guides" => folders(v, dir).map(|g| self.guides = g),
                "code" => code_folder(v, dir).map(|c| self.code = c),
                "wrap_width" => wrap_width(v).map(|w| self.wrap_width = w),
                "keys" => match v {
                    DeValue::Table(t) => {
                        problems.extend(keys::apply(
                            t,
                            &mut self.keys,
                            &mut self.overlay_keys,
                            &src,
                        ));
                        Ok(())
                    }
                    other => Err(format!(
                        "[keys] must be a table of action = [keys], found {}",
                        other.type_str()
                    )),
                },
                other => {
                    problems.push(src.problem(
                        name.span().start,
                        format!(
                            "unknown setting `{other}`; valid settings: {}",
                            SETTINGS.join(", ")
                        ),
                    ));
                    continue;
                }
            };
            if let Err(msg) = result {
                problems.push(src.problem(at, format!("{}: {msg}", name.get_ref())));
            }
        }
        problems.sort_by_key(|p| p.line);
        problems
    }
}

fn choice<'v>(v: &'v DeValue<'_>, valid: &[&str]) -> Result<&'v str, String> {
    let quoted = || {
        valid
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v.as_str() {
        Some(s) if valid.contains(&s) => Ok(s),
        Some(s) => Err(format!("\"{s}\" is not one of {}", quoted())),
        None => Err(format!(
            "expected one of {}, found {}",
            quoted(),
            v.type_str()
        )),
    }
}

fn boolean(v: &DeValue<'_>) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("expected true or false, found {}", describe(v)))
}

fn syntax_theme(v: &DeValue<'_>) -> Result<Option<String>, String> {
    let Some(name) = v.as_str() else {
        return Err(format!(
            "expected \"auto\" or a theme name, found {}",
            v.type_str()
        ));
    };
    if name == "auto" {
        return Ok(None);
    }
    match crate::highlight::find_syntax_theme(name) {
        Some(canonical) => Ok(Some(canonical.to_string())),
        None => Err(format!(
            "no syntax theme \"{name}\"; valid: \"auto\", {}",
            crate::highlight::syntax_theme_names()
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn wrap_width(v: &DeValue<'_>) -> Result<u16, String> {
    let (lo, hi) = WRAP_WIDTH_RANGE;
    let n = match v {
        DeValue::Integer(i) => {
            i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).map_err(|e| e.to_string())
        }
        other => Err(format!("found {}", describe(other))),
    };
    match n {
        Ok(n) if (i64::from(lo)..=i64::from(hi)).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!(
            "{n} is out of range; expected a number from {lo} to {hi}"
        )),
        Err(e) => Err(format!("expected a number from {lo} to {hi}, {e}")),
    }
}

fn folders(v: &DeValue<'_>, dir: Option<&Path>) -> Result<Vec<PathBuf>, String> {
    let items: Vec<&DeValue<'_>> = match v {
        DeValue::String(_) => vec![v],
        DeValue::Array(a) => a.iter().map(|s| s.get_ref()).collect(),
        other => {
            return Err(format!(
                "expected a list of folders such as [\"~/docs/guides\"], found {}",
                other.type_str()
            ));
        }
    };
    items
        .into_iter()
        .map(|item| {
            item.as_str()
                .map(|s| resolve_folder(s, dir, dirs::home_dir().as_deref()))
                .ok_or_else(|| {
                    format!("expected a folder name in quotes, found {}", describe(item))
                })
        })
        .collect()
}

/// `code = "…"`: one folder, resolved as guide folders are; `""` names none.
fn code_folder(v: &DeValue<'_>, dir: Option<&Path>) -> Result<Option<PathBuf>, String> {
    match v.as_str() {
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => Ok(Some(resolve_folder(
            s.trim(),
            dir,
            dirs::home_dir().as_deref(),
        ))),
        None => Err(format!(
            "expected a folder in quotes such as \"~/src/backend\" (\"\" for none), found {}",
            describe(v)
        )),
    }
}

/// `~/x` is under the home folder; a relative path is relative to the config file's folder.
pub fn resolve_folder(s: &str, dir: Option<&Path>, home: Option<&Path>) -> PathBuf {
    if let (Some(rest), Some(home)) = (s.strip_prefix("~/"), home) {
        return home.join(rest);
    }
    if s == "~"
        && let Some(home) = home
    {
        return home.to_path_buf();
    }
    let p = PathBuf::from(s);
    match dir {
        Some(d) if p.is_relative() => d.join(p),
        _ => p,
    }
}

fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => other.type_str().to_string(),
    }
}

/// Where the configuration file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--config FILE`
    Flag,
    /// `DEVGUIDE_CONFIG`
    Env,
    /// The per-user default location.
    UserFile,
}

/// A loaded configuration with what was wrong in it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub problems: Vec<Problem>,
    /// The file read (or looked for), and how it was chosen.
    pub path: Option<(PathBuf, Origin)>,
}

/// The per-user configuration file: `$XDG_CONFIG_HOME/devguide/config.toml` when that is
/// set (on any platform, as many terminal users expect), else the platform's config folder.
pub fn default_path(xdg_config_home: Option<&OsStr>) -> Option<PathBuf> {
    let base = xdg_config_home
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)?;
    Some(base.join("devguide").join("config.toml"))
}

/// The file to read: flag > environment > the per-user file.
pub fn locate(
    flag: Option<&Path>,
    env: Option<&OsStr>,
    xdg_config_home: Option<&OsStr>,
) -> Option<(PathBuf, Origin)> {
    if let Some(f) = flag {
        return Some((f.to_path_buf(), Origin::Flag));
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return Some((PathBuf::from(e), Origin::Env));
    }
    default_path(xdg_config_home).map(|p| (p, Origin::UserFile))
}

/// Loads the configuration named by `--config`, `DEVGUIDE_CONFIG` or the per-user file.
pub fn load(flag: Option<&Path>) -> Loaded {
    let env: Option<OsString> = std::env::var_os(ENV_VAR);
    let xdg: Option<OsString> = std::env::var_os("XDG_CONFIG_HOME");
    load_from(locate(flag, env.as_deref(), xdg.as_deref()))
}

/// Reads and applies the located file. A missing per-user file is normal; a missing file
/// that was asked for by flag or environment is a problem.
pub fn load_from(path: Option<(PathBuf, Origin)>) -> Loaded {
    let mut config = Config::default();
    let mut problems = Vec::new();
    if let Some((p, origin)) = &path {
        let label = p.display().to_string();
        match read_config_file(p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => problems = config.apply(&text, &label, p.parent()),
                Err(_) => problems.push(Problem {
                    file: label,
                    line: 0,
                    message: "not UTF-8 text; using the default settings".into(),
                }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && *origin == Origin::UserFile => {}
            Err(e) => problems.push(Problem {
                file: label,
                line: 0,
                message: format!(
                    "cannot read ({e}); using the default settings{}",
                    match origin {
                        Origin::Flag => " (named by --config)",
                        Origin::Env => " (named by DEVGUIDE_CONFIG)",
                        Origin::UserFile => "",
                    }
                ),
            }),
        }
    }
    Loaded {
        config,
        problems,
        path,
    }
}

/// A configuration file is small: anything larger is refused, and so is anything that
/// is not a regular file (a FIFO would block startup, `/dev/zero` would never end).
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

fn read_config_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "not a regular file; point --config at a TOML file",
        ));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(
            "larger than 1 MB; not a configuration file",
        ));
    }
    let bytes = crate::content::read_capped_bytes(path, MAX_CONFIG_BYTES)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(
            "larger than 1 MB; not a configuration file",
        ));
    }
    Ok(bytes)
}

/// One line for a status bar or stderr: the first problem and how many more there are.
pub fn summary(problems: &[Problem]) -> Option<String> {
    let first = problems.first()?;
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (+{} more)", n - 1),
    };
    Some(format!(
        "config: {first}{more}; `devguide config check` lists them"
    ))
}

#[cfg(test)]
mod tests;
