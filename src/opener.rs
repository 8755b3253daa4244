//! Opening an external link in the user's browser.
//!
//! Which command opens a URL is decided by a pure function ([`choose`]) over a snapshot
//! of the environment ([`Env`]), so every rule is tested without launching anything;
//! [`open`] is the only part that starts a process.
//!
//! The rules, in order:
//! 1. `browser = "…"` in the configuration, else `$BROWSER` (its first `:`-separated
//!    entry, as man(1) and git read it): that command, with `%s` replaced by the URL or
//!    the URL appended. Naming a command is a deliberate choice, so it applies over SSH
//!    and without a display too. `browser = "off"` never opens anything.
//! 2. Over SSH (`SSH_CONNECTION` or `SSH_TTY` set) nothing is opened: the browser would
//!    start on the other machine, out of sight.
//! 3. macOS: `open`. Windows: `rundll32 url.dll,FileProtocolHandler`, which takes the URL
//!    as one argument and runs no shell. WSL: `wslview` when it is installed.
//! 4. Other Unix: `xdg-open`, only with a display (`DISPLAY` or `WAYLAND_DISPLAY`): on a
//!    console it would start a text browser that fights the reader for the terminal.
//!
//! Only `http`, `https` and `mailto` URLs are opened, and only when the sanitiser would
//! leave them unchanged. No opener is given `--` before the URL: `xdg-open` and
//! `wslview` take no options after it and would open a file named `--`; a validated URL
//! begins with its scheme, so it can never be taken for an option.

use std::process::{Command, Stdio};

/// What [`choose`] looks at, read from the process environment by [`Env::detect`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub platform: Platform,
    /// The configuration's `browser` setting, if any.
    pub configured: Option<String>,
    /// `$BROWSER`, if set and not empty.
    pub browser_var: Option<String>,
    pub ssh: bool,
    pub display: bool,
    pub wsl: bool,
    /// `wslview` is on the PATH.
    pub wslview: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Platform {
    #[default]
    Unix,
    MacOs,
    Windows,
}

/// A command line to run, the URL already in place.
pub type Argv = Vec<String>;

impl Env {
    pub fn detect(configured: Option<&str>) -> Env {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let platform = if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        };
        let wsl = set("WSL_DISTRO_NAME") || set("WSL_INTEROP");
        Env {
            platform,
            configured: configured.map(str::to_string),
            browser_var: std::env::var("BROWSER")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            wsl,
            wslview: wsl && on_path("wslview"),
        }
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The URL itself, when it may be opened: `http(s)://host…` or `mailto:…`, with nothing
/// the sanitiser would change (no control, bidi or zero-width characters, no spaces).
pub fn validate(url: &str) -> Result<&str, String> {
    let refuse = |why: &str| Err(format!("not opened: {why}"));
    if crate::sanitize::sanitize_line(url) != url || url.chars().any(char::is_whitespace) {
        return refuse("the link holds control characters or spaces");
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return refuse("not a URL");
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => match rest.strip_prefix("//") {
            Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(url),
            _ => refuse("no host in the link"),
        },
        "mailto" if !rest.is_empty() => Ok(url),
        "mailto" => refuse("no address in the link"),
        other => refuse(&format!(
            "{other}: links are opened only for http, https and mailto"
        )),
    }
}

/// The command that opens `url` here, or in a few words why none does (the status bar
/// has one line). `url` must have passed [`validate`].
pub fn choose(url: &str, env: &Env) -> Result<Argv, String> {
    let explicit = env
        .configured
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(cmd) = explicit {
        if matches!(cmd, "off" | "none") {
            return Err("browser = \"off\"".into());
        }
        return with_url(cmd, url).ok_or_else(|| "browser is empty".into());
    }
    if let Some(first) = env.browser_var.as_deref().and_then(|b| b.split(':').next())
        && let Some(argv) = with_url(first, url)
    {
        return Ok(argv);
    }
    if env.ssh {
        return Err("over SSH".into());
    }
    let fixed = |parts: &[&str]| {
        let mut argv: Argv = parts.iter().map(|p| p.to_string()).collect();
        argv.push(url.to_string());
        Ok(argv)
    };
    match env.platform {
        Platform::MacOs => fixed(&["open"]),
        Platform::Windows => fixed(&["rundll32", "url.dll,FileProtocolHandler"]),
        Platform::Unix if env.wsl && env.wslview => fixed(&["wslview"]),
        Platform::Unix if env.display => fixed(&["xdg-open"]),
        Platform::Unix => Err("no display".into()),
    }
}

/// `cmd` split on whitespace, with `%s` replaced by the URL or the URL appended.
fn with_url(cmd: &str, url: &str) -> Option<Argv> {
    let mut argv: Argv = cmd.split_whitespace().map(str::to_string).collect();
    if argv.is_empty() {
        return None;
    }
    let mut placed = false;
    for arg in argv.iter_mut().skip(1) {
        if arg.contains("%s") {
            *arg = arg.replace("%s", url);
            placed = true;
        }
    }
    if !placed {
        argv.push(url.to_string());
    }
    Some(argv)
}

/// The outcome, for the status bar: `Ok` when an opener was started.
pub fn open(url: &str, configured: Option<&str>) -> Result<String, String> {
    let url = validate(url)?;
    let argv = choose(url, &Env::detect(configured))
        .map_err(|why| format!("not opened ({why}): {url}"))?;
    let Some((program, args)) = argv.split_first() else {
        return Err(format!("no command to open {url}"));
    };
    // The opener must not touch the reader's terminal, and is never waited for: a
    // thread reaps it whenever it ends.
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    std::thread::spawn(move || child.wait());
    Ok(format!("opening {url} with {program}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://example.com/a?b=1&c=2";

    fn desktop() -> Env {
        Env {
            display: true,
            ..Env::default()
        }
    }

    #[test]
    fn each_platform_has_its_opener() {
        assert_eq!(
            choose(URL, &desktop()),
            Ok(vec!["xdg-open".into(), URL.into()])
        );
        let mac = Env {
            platform: Platform::MacOs,
            ..Env::default()
        };
        assert_eq!(choose(URL, &mac), Ok(vec!["open".into(), URL.into()]));
        let win = Env {
            platform: Platform::Windows,
            ..Env::default()
        };
        assert_eq!(choose(URL, &win).expect("opens")[0], "rundll32");
        let wsl = Env {
            wsl: true,
            wslview: true,
            ..Env::default()
        };
        assert_eq!(choose(URL, &wsl), Ok(vec!["wslview".into(), URL.into()]));
    }

    #[test]
    fn no_display_or_ssh_opens_nothing_and_says_why() {
        let console = Env::default();
        assert!(
            choose(URL, &console)
                .expect_err("off")
                .contains("no display")
        );
        let ssh = Env {
            ssh: true,
            ..desktop()
        };
        assert!(choose(URL, &ssh).expect_err("off").contains("over SSH"));
        // WSL without wslview and without a display: nothing to open with either.
        let wsl = Env {
            wsl: true,
            ..Env::default()
        };
        assert!(choose(URL, &wsl).is_err());
    }

    #[test]
    fn a_named_browser_wins_everywhere() {
        let ssh = Env {
            ssh: true,
            configured: Some("firefox --new-tab".into()),
            browser_var: Some("lynx".into()),
            ..Env::default()
        };
        assert_eq!(
            choose(URL, &ssh),
            Ok(vec!["firefox".into(), "--new-tab".into(), URL.into()])
        );
        let var = Env {
            browser_var: Some("w3m -o x=%s:lynx".into()),
            ..Env::default()
        };
        assert_eq!(
            choose(URL, &var),
            Ok(vec!["w3m".into(), "-o".into(), format!("x={URL}")])
        );
        let off = Env {
            configured: Some("off".into()),
            ..desktop()
        };
        assert!(choose(URL, &off).expect_err("off").contains("off"));
        let blank = Env {
            configured: Some("  ".into()),
            ..desktop()
        };
        assert_eq!(choose(URL, &blank).expect("auto")[0], "xdg-open");
    }

    #[test]
    fn only_web_and_mail_links_are_opened() {
        for ok in [URL, "http://x", "HTTPS://x.org", "mailto:a@b.c"] {
            assert_eq!(validate(ok), Ok(ok));
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ftp://x",
            "https:",
            "https:///path",
            "mailto:",
            "https://x/\u{1b}[31m",
            "https://x/\u{202e}",
            "https://x/a b",
            "-https://x",
            "relative.md",
        ] {
            assert!(validate(bad).is_err(), "{bad:?} accepted");
        }
    }
}
