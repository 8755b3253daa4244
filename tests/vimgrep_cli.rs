//! `devguide search --vimgrep` and `lookup --vimgrep`: `file:line:col:text` that quickfix
//! lists can jump to, checked against the files themselves.

use std::path::Path;

use assert_cmd::Command;

fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("COLORTERM")
        .env_remove("DEVGUIDE_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-config-dir")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

/// A copy of the bundled guides on disk.
fn guides() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for entry in std::fs::read_dir(content).expect("content") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).expect("copy");
    }
    tmp
}

/// Splits `file:line:col:text` and checks that the file exists and that its line, from
/// the column on, starts with `at_col` (what a jump lands on).
fn check(entry: &str) -> (String, usize, usize, String) {
    let mut parts = entry.splitn(4, ':');
    let file = parts.next().expect("file").to_string();
    let line: usize = parts.next().expect("line").parse().expect("line number");
    let col: usize = parts.next().expect("col").parse().expect("column");
    let text = parts.next().expect("text").to_string();
    assert!(Path::new(&file).is_absolute(), "{entry}");
    let body = std::fs::read_to_string(&file).expect("a real file");
    let at = body.lines().nth(line - 1).expect("line in file");
    assert!(col >= 1 && col <= at.len() + 1, "{entry}");
    (file, line, col, text)
}

#[test]
fn search_vimgrep_points_into_the_guide_files() {
    let dir = guides();
    let out = devguide()
        .args([
            "search",
            "get_websocket_manager",
            "--vimgrep",
            "--limit",
            "5",
            "--dir",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!text.is_empty());
    for entry in text.lines() {
        let (file, line, col, shown) = check(entry);
        let body = std::fs::read_to_string(&file).expect("file");
        let at = body.lines().nth(line - 1).expect("line");
        assert_eq!(shown, at.trim_end(), "the text is the file's line");
        assert!(
            at[col - 1..].to_lowercase().starts_with("get_websocket"),
            "the column is on the match: {entry}"
        );
    }
}

#[test]
fn lookup_vimgrep_lists_each_form_at_the_symbol() {
    let dir = guides();
    let out = devguide()
        .args(["lookup", "WebSocketManager", "--vimgrep", "--dir"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains(":canonical: from netra_backend"),
        "{text}"
    );
    assert!(text.contains(":deprecated: "), "{text}");
    for entry in lines {
        let (file, line, col, _) = check(entry);
        let body = std::fs::read_to_string(&file).expect("file");
        let at = body.lines().nth(line - 1).expect("line");
        assert!(at[col - 1..].starts_with("WebSocketManager"), "{entry}");
    }
}

#[test]
fn vimgrep_on_the_bundled_guides_says_how_to_get_files() {
    for args in [
        ["search", "websocket", "--vimgrep"],
        ["lookup", "WebSocketManager", "--vimgrep"],
    ] {
        let out = devguide().args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert!(err.contains("devguide export DIR"), "{err}");
    }
}
