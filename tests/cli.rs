//! The binary's non-interactive commands, run as a user would from a shell.

use assert_cmd::Command;

fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    // The search and list cache goes to a scratch folder, not the user's.
    cmd.env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join(format!("devguide-test-cache-{}", std::process::id())),
    );
    cmd.env_remove("NO_COLOR")
        .env_remove("COLORTERM")
        .env_remove("DEVGUIDE_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-config-dir")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn list_shows_bundled_guides_in_order() {
    let out = stdout_of(devguide().arg("list"));
    let ids: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        ["import-guide", "quick-reference", "migration-checklist"]
    );
    assert!(out.contains("[5 task items]"));
}

#[test]
fn list_json_carries_headings_and_tasks() {
    let out = stdout_of(devguide().args(["list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid json");
    assert_eq!(v["format"], 1);
    let guides = v["guides"].as_array().expect("guides");
    assert_eq!(guides.len(), 3);
    assert_eq!(guides[2]["id"], "migration-checklist");
    assert_eq!(guides[2]["task_items"], 5);
    let anchors: Vec<&str> = guides[0]["headings"]
        .as_array()
        .expect("headings")
        .iter()
        .filter_map(|h| h["anchor"].as_str())
        .collect();
    assert!(anchors.contains(&"migration-guide"), "{anchors:?}");
}

#[test]
fn show_renders_plain_text_when_piped() {
    let out = stdout_of(devguide().args(["show", "quick-reference", "--width", "100"]));
    assert!(out.starts_with("WebSocket Import Quick Reference\n"));
    assert!(out.contains(
        "from netra_backend.app.websocket_core.protocols import WebSocketManagerProtocol"
    ));
    assert!(!out.contains('\x1b'), "no escapes when piped");
    assert!(out.lines().all(|l| unicode_width(l) <= 100));
}

#[test]
fn show_color_always_emits_ansi() {
    let out = stdout_of(devguide().args(["show", "quick-reference", "--color", "always"]));
    assert!(out.contains("\x1b["), "colour was asked for");
}

#[test]
fn show_anchor_prints_only_that_section() {
    let out =
        stdout_of(devguide().args(["show", "import-guide#deprecated-patterns", "--width", "120"]));
    assert!(out.starts_with("Deprecated patterns"), "{out}");
    assert!(out.contains("from netra_backend.app.websocket_core import WebSocketManager"));
    assert!(
        !out.contains("Problematic patterns"),
        "stops at the next section"
    );
}

#[test]
fn show_checklist_has_task_boxes() {
    let out = stdout_of(devguide().args(["show", "migration-checklist", "--width", "80"]));
    assert!(
        out.contains("• [ ] Replace deprecated import paths with canonical paths"),
        "{out}"
    );
}

#[test]
fn show_accepts_file_names_and_paths() {
    stdout_of(devguide().args(["show", "02-quick-reference.md"]));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("notes.md");
    std::fs::write(&file, "# My notes\n\nhello\n").expect("write");
    let out = stdout_of(devguide().arg("show").arg(&file));
    assert!(out.contains("My notes") && out.contains("hello"));
}

#[test]
fn unknown_doc_exits_1_naming_the_guides() {
    let out = devguide().args(["show", "nope"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no guide 'nope'")
            && err.contains("import-guide, quick-reference, migration-checklist"),
        "{err}"
    );
}

#[test]
fn unknown_anchor_exits_1_naming_the_headings() {
    let out = devguide()
        .args(["show", "quick-reference#nope"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no heading '#nope'") && err.contains("#type-checking"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = devguide().args(["show"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = devguide().args(["--bogus"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_and_version_read_well() {
    let help = stdout_of(devguide().arg("--help"));
    for word in ["--dir", "--no-mouse", "list", "show", "Examples:"] {
        assert!(help.contains(word), "{word} missing from --help");
    }
    let version = stdout_of(devguide().arg("--version"));
    assert!(version.starts_with("devguide "));
}

#[test]
fn bare_devguide_into_a_pipe_prints_the_first_guide() {
    let out = stdout_of(&mut devguide());
    assert!(out.starts_with("WebSocket Manager Import Guide\n"), "{out}");
    let out = stdout_of(devguide().arg("quick-reference#type-checking"));
    assert!(out.starts_with("Type checking"), "{out}");
}

#[test]
fn missing_dir_is_a_clear_error() {
    let out = devguide()
        .args(["list", "--dir", "/definitely/not/here"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/definitely/not/here") && err.contains("no such folder"),
        "{err}"
    );
}

#[test]
fn dir_without_markdown_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.txt"), "x").expect("write");
    let out = devguide()
        .arg("list")
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no markdown files"));
}

#[test]
fn dir_with_bad_files_still_opens_the_good_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(
        dir.path().join("01-intro.md"),
        "# Intro\n\nSee [setup](sub/setup.md).\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("sub/setup.md"),
        b"# Setup\n\nbad \xff byte\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("blob.md"), b"\x00\x01\x02").expect("write");
    let out = stdout_of(
        devguide()
            .args(["list", "--skipped"])
            .arg("--dir")
            .arg(dir.path()),
    );
    assert!(out.contains("intro") && out.contains("setup"), "{out}");
    assert!(out.contains("blob.md") && out.contains("binary"), "{out}");
    let out = devguide()
        .args(["show", "setup", "--verbose"])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("bad \u{fffd} byte"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}

#[test]
fn escape_sequences_never_reach_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("evil.md"),
        "# T\u{1b}]0;pwned\u{7}\n\ntext \u{1b}[2J &#27;[31m &#x9b;1m\n\n```sh\necho \u{1b}[31mred\n```\n\n[x](http://a/\u{1b}[1m)\n",
    )
    .expect("write");
    let out = devguide()
        .args(["show", "evil", "--color", "never"])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(
        text.contains('\u{241b}'),
        "ESC shown as a visible placeholder"
    );
    let out = devguide()
        .args(["show", "evil", "--color", "always"])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    // Only our own SGR sequences: ESC is always followed by `[` and digits/semicolons then `m`.
    for (i, _) in text.match_indices('\x1b') {
        let rest = &text[i + 1..];
        let sgr = rest.strip_prefix('[').map(|r| {
            r.chars()
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .count()
        });
        assert!(
            sgr.is_some_and(|n| rest[1 + n..].starts_with('m')),
            "foreign escape at {i}: {:?}",
            &text[i..text.len().min(i + 12)]
        );
    }
}

fn unicode_width(s: &str) -> usize {
    devguide::layout::wrap::str_width(s)
}

/// `devguide man | man -l -` reads as a manual: formatted without warnings, with the
/// sections a user looks for. Where `man` is not installed, the roff itself is checked.
#[test]
fn man_page_formats_cleanly() {
    let roff = stdout_of(devguide().arg("man"));
    for section in ["KEYS", "FILES", "ENVIRONMENT", "EXIT STATUS", "SEE ALSO"] {
        assert!(
            roff.contains(&format!(".SH \"{section}\""))
                || roff.contains(&format!(".SH {section}\n")),
            "{section} missing"
        );
    }
    let Ok(man) = std::process::Command::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("man is not installed: checked the roff only");
        return;
    };
    let mut man = man;
    {
        use std::io::Write;
        let mut stdin = man.stdin.take().expect("stdin");
        stdin.write_all(roff.as_bytes()).expect("write roff");
    }
    let out = man.wait_with_output().expect("man runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man failed: {warnings}");
    assert!(warnings.trim().is_empty(), "warnings: {warnings}");
    for want in [
        "EXIT STATUS",
        "toggle_task",
        "DEVGUIDE_STATE",
        "devguide-checklist(1)",
    ] {
        assert!(
            text.contains(want),
            "{want} missing from the formatted page"
        );
    }
}

/// `man --dir OUT` writes every page the main page refers to.
#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    let said = stdout_of(devguide().arg("man").arg("--dir").arg(&out));
    assert!(said.starts_with("wrote "), "{said}");
    let main = std::fs::read_to_string(out.join("devguide.1")).expect("devguide.1");
    let mut referred = 0;
    for line in main.lines() {
        if let Some(name) = line
            .strip_prefix("\\fBdevguide")
            .and_then(|l| l.strip_suffix("\\fR(1)"))
            .or_else(|| {
                line.strip_prefix("\\fBdevguide")
                    .and_then(|l| l.strip_suffix("\\fR(1),"))
            })
        {
            let file = format!("devguide{}.1", name.replace("\\-", "-"));
            assert!(
                out.join(&file).is_file(),
                "{file} referred to but not written"
            );
            referred += 1;
        }
    }
    assert!(referred >= 10, "only {referred} pages referred to");
    assert!(out.join("devguide-checklist-tick.1").is_file());
    // A file where the folder should be is refused with a clear message.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let r = devguide()
        .arg("man")
        .arg("--dir")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("is not a folder"));
}

#[test]
fn version_names_the_build() {
    let version = stdout_of(devguide().arg("--version"));
    let rest = version
        .trim_end()
        .strip_prefix(&format!("devguide {}", env!("CARGO_PKG_VERSION")))
        .expect("package version");
    // Built from this checkout: the commit and its date follow.
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
        && std::process::Command::new("git")
            .arg("--version")
            .output()
            .is_ok()
    {
        assert!(rest.starts_with(" (") && rest.ends_with(')'), "{version}");
    }
}
