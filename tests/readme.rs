//! Every devguide command in the README's `sh` blocks runs as written and does what a
//! reader of the README would expect. A command added to the README is run here without
//! any change to this file, so an example that stops working fails the build.
//!
//! The commands run in order in one sandbox (own folder, HOME, XDG folders and state
//! file), with stdout a pipe, so `devguide [DOC]` prints the guide instead of drawing.
//! `cargo run --release -- ARGS` is run as `devguide ARGS`. Pipes, redirections and
//! `<(…)` wrappers are cut off: only the devguide part runs.

use std::path::Path;
use std::process::{Command, Stdio};

const README: &str = include_str!("../README.md");

/// Commands expected to end with another exit code than 0.
const EXIT_CODES: &[(&str, i32)] = &[
    // Not every item is ticked yet: the gate says so.
    ("devguide checklist status auth-service", 1),
    ("devguide checklist status auth-service --verify .", 1),
];

/// Commands that rightly print nothing when there is nothing to do (as `diff` does).
const SILENT_WHEN_CLEAN: &[&str] = &["devguide fix --diff", "devguide fix"];

/// The devguide commands of the README's `sh` blocks, in order.
fn readme_commands() -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in README.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if in_sh && let Some(cmd) = devguide_part(trimmed) {
            out.push(cmd);
        }
    }
    out
}

/// The devguide command a shell line runs, if any: from `devguide` (or
/// `cargo run --release --`) to the first comment, pipe, redirection or `)`.
fn devguide_part(line: &str) -> Option<String> {
    let line = line
        .replace("cargo run --release -- ", "devguide ")
        .replace("cargo run --release", "devguide");
    let start = line
        .match_indices("devguide")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || matches!(line.as_bytes()[i - 1], b' ' | b'(' | b'$'))?;
    let rest = &line[start..];
    // `devguide` followed by a word character is a path (devguide.fish), not the command.
    if rest.len() > 8 && !rest[8..].starts_with(' ') {
        return None;
    }
    let mut end = rest.len();
    let mut quoted = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' | '|' | '>' | '<' | ')' | ';'
                if !quoted && (c != '#' || rest[..i].ends_with(' ')) =>
            {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Some(rest[..end].trim().to_string())
}

/// Shell words: spaces separate, double quotes group.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in cmd.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            _ => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// Folders and files the README's examples name.
fn sandbox(root: &Path) {
    let write = |rel: &str, text: &str| {
        let path = root.join("work").join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("docs/guides/setup.md", "# Setup\n\n- [ ] install\n");
    write("docs/intro.md", "# Intro\n\nWelcome.\n");
    write("notes/setup.md", "# Notes on setup\n\nText.\n");
    for dir in ["home", "config", "state"] {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
    }
}

#[test]
fn every_readme_command_runs_as_written() {
    let commands = readme_commands();
    // The README's main examples are all here: the parser has not lost its way.
    for want in [
        "devguide",
        "devguide --dir docs/",
        "devguide show quick-reference --width 60",
        "devguide man",
        "devguide completions bash",
        "devguide checklist init --here",
        "devguide lookup WebSocketManager",
    ] {
        assert!(
            commands.iter().any(|c| c == want),
            "{want} not found in {commands:#?}"
        );
    }
    for (cmd, _) in EXIT_CODES {
        assert!(
            commands.iter().any(|c| c == cmd),
            "{cmd} is no longer in the README"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    sandbox(tmp.path());
    let mut failures = Vec::new();
    for cmd in &commands {
        let args = words(cmd);
        let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
            .args(&args[1..])
            .current_dir(tmp.path().join("work"))
            .env("HOME", tmp.path().join("home"))
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .env("XDG_STATE_HOME", tmp.path().join("state"))
            .env("DEVGUIDE_STATE", tmp.path().join("state/state.json"))
            .env_remove("DEVGUIDE_CONFIG")
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .output()
            .expect("devguide runs");
        let want = EXIT_CODES
            .iter()
            .find(|(c, _)| c == cmd)
            .map_or(0, |(_, code)| *code);
        let code = out.status.code();
        if code != Some(want) {
            failures.push(format!(
                "`{cmd}` exited {code:?}, expected {want}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        } else if want == 0 && out.stdout.is_empty() && !SILENT_WHEN_CLEAN.contains(&cmd.as_str()) {
            failures.push(format!("`{cmd}` printed nothing"));
        }
    }
    assert!(
        failures.is_empty(),
        "README commands that do not work as written (fix the README or the program):\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_readme_tick_example_ticks_one_item_by_text() {
    let commands = readme_commands();
    let tick = commands
        .iter()
        .find(|c| c.starts_with("devguide checklist tick "))
        .expect("a tick example");
    // A number and a text fragment, as the comment promises.
    let args = words(tick);
    assert!(args.iter().any(|a| a.parse::<u32>().is_ok()), "{tick}");
    assert!(args.iter().any(|a| a.contains(' ')), "{tick}");
}

/// The README's list of action names is the program's, in the same order.
#[test]
fn the_readme_lists_every_action_name() {
    let para = README
        .split("Action names for the configuration file")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the action names paragraph");
    let listed: Vec<&str> = para.split('`').skip(1).step_by(2).collect();
    let actual: Vec<&str> = devguide::app::action::ACTIONS.iter().map(|a| a.1).collect();
    assert_eq!(listed, actual);
}

#[test]
fn command_lines_are_read_like_a_shell() {
    assert_eq!(
        devguide_part("source <(devguide completions bash)").as_deref(),
        Some("devguide completions bash")
    );
    assert_eq!(
        devguide_part("devguide man | man -l -    # read it").as_deref(),
        Some("devguide man")
    );
    assert_eq!(
        devguide_part("devguide import-guide#migration-guide    # open at a heading").as_deref(),
        Some("devguide import-guide#migration-guide")
    );
    assert_eq!(
        devguide_part("cargo run --release -- --dir docs/   # yours").as_deref(),
        Some("devguide --dir docs/")
    );
    assert_eq!(devguide_part("cargo test"), None);
    assert_eq!(
        devguide_part("devguide completions fish > ~/.config/fish/completions/devguide.fish")
            .as_deref(),
        Some("devguide completions fish")
    );
    assert_eq!(
        words(r#"devguide checklist tick a 1 "two words""#),
        ["devguide", "checklist", "tick", "a", "1", "two words"]
    );
}
