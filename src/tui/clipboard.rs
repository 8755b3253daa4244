//! Copying: OSC 52 to the terminal (works over SSH, and in tmux with `set-clipboard on`)
//! and, when one is present, the local clipboard tool. OSC 52 is write-only, so nothing
//! can confirm it arrived: messages say "sent to terminal clipboard", never "copied".

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::config::ClipboardMode;

/// The escape sequence that asks the terminal to put `text` on its clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Copies `text` every way `mode` allows and says truthfully what was done.
pub fn copy(out: &mut dyn Write, text: &str, what: &str, mode: ClipboardMode) -> String {
    if mode == ClipboardMode::Off {
        return "not copied: copying is off (clipboard = \"off\" in the config)".to_string();
    }
    let mut done = Vec::new();
    if mode.osc52()
        && out
            .write_all(osc52(text).as_bytes())
            .and_then(|()| out.flush())
            .is_ok()
    {
        done.push("sent to terminal clipboard".to_string());
    }
    if mode.native()
        && let Some(tool) = native_tool()
        && run_tool(&tool, text)
    {
        done.push(format!("copied with {}", tool[0]));
    }
    let mut msg = match done.is_empty() {
        true if mode == ClipboardMode::Native => {
            format!("could not copy {what}: no clipboard program (wl-copy, xclip, xsel, pbcopy)")
        }
        true => format!("could not copy {what}: no clipboard available"),
        false => format!("{what}: {}", done.join(" and ")),
    };
    if crate::sanitize::has_disguising_chars(text) {
        msg.push_str(" (warning: it contains invisible or bidirectional characters)");
    }
    msg
}

/// The clipboard program for this session, if any: Wayland, X11, then macOS.
pub(crate) fn native_tool() -> Option<Vec<&'static str>> {
    let has = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if env("WAYLAND_DISPLAY") && has("wl-copy") {
        Some(vec!["wl-copy"])
    } else if env("DISPLAY") && has("xclip") {
        Some(vec!["xclip", "-selection", "clipboard"])
    } else if env("DISPLAY") && has("xsel") {
        Some(vec!["xsel", "--clipboard", "--input"])
    } else if cfg!(target_os = "macos") && has("pbcopy") {
        Some(vec!["pbcopy"])
    } else {
        None
    }
}

/// Pipes `text` into the tool; gives up after a second rather than hang the reader.
fn run_tool(tool: &[&str], text: &str) -> bool {
    let Some((program, args)) = tool.split_first() else {
        return false;
    };
    let Ok(mut child) = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let wrote = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        match child.try_wait() {
            Ok(Some(status)) => return wrote && status.success(),
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return false,
        }
    }
    let _ = child.kill();
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64_of_exactly_the_text() {
        assert_eq!(osc52("hi\n"), "\x1b]52;c;aGkK\x07");
    }

    #[test]
    fn copy_writes_osc52_and_reports_it() {
        let mut out = Vec::new();
        let msg = copy(&mut out, "x = 1", "line", ClipboardMode::Osc52);
        assert_eq!(out, osc52("x = 1").into_bytes());
        assert!(msg.contains("sent to terminal clipboard"), "{msg}");
    }

    #[test]
    fn clipboard_modes_are_obeyed() {
        let mut out = Vec::new();
        let msg = copy(&mut out, "x", "line", ClipboardMode::Off);
        assert!(out.is_empty());
        assert!(msg.contains("copying is off"), "{msg}");
        let msg = copy(&mut out, "x", "line", ClipboardMode::Native);
        assert!(out.is_empty(), "native mode sends no OSC 52");
        assert!(!msg.contains("terminal clipboard"), "{msg}");
    }

    #[test]
    fn disguising_characters_are_warned_about() {
        let mut out = Vec::new();
        let msg = copy(&mut out, "a\u{202e}b", "line", ClipboardMode::Osc52);
        assert!(msg.contains("warning"), "{msg}");
    }
}
