//! `devguide search` as scripts and editors run it.

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
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

#[test]
fn search_prints_guide_anchor_line_text() {
    let out = devguide()
        .args(["search", "deprecated", "--limit", "3"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    // The heading ranks first; its line is the heading's line in the file.
    assert_eq!(
        lines[0],
        "import-guide#deprecated-patterns:38: Deprecated patterns"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn search_code_lines_point_at_their_file_line() {
    let out = devguide()
        .args(["search", "get_websocket_manager", "--limit", "50"])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains(
        "import-guide#preferred-pattern-canonical:28: from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager\n"
    ), "{text}");
}

#[test]
fn search_json_carries_format_and_ranges() {
    let out = devguide()
        .args(["search", "WebSocketManagerProtocol", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["format"], 1);
    let hit = &v["hits"][0];
    assert_eq!(hit["guide"], "quick-reference");
    assert_eq!(hit["kind"], "code");
    let text = hit["text"].as_str().expect("text");
    let start = hit["ranges"][0]["start"].as_u64().expect("start") as usize;
    let end = hit["ranges"][0]["end"].as_u64().expect("end") as usize;
    assert_eq!(&text[start..end], "WebSocketManagerProtocol");
}

#[test]
fn search_without_a_match_exits_1_like_grep() {
    let out = devguide()
        .args(["search", "qqqzzzxxx"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let out = devguide()
        .args(["search", "qqqzzzxxx", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
}

#[test]
fn search_usage_errors_exit_2() {
    assert_eq!(
        devguide()
            .args(["search"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        devguide()
            .args(["search", ""])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        devguide()
            .args(["search", "x", "--limit", "many"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(2)
    );
}

/// `devguide ARGS --dir DIR` with its cache under `cache`: exit code, stdout, stderr.
fn run_cached(cache: &std::path::Path, dir: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = devguide()
        .env("XDG_CACHE_HOME", cache)
        .args(args)
        .args(["--dir", dir])
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn repeated_searches_read_a_cache_that_follows_edits_and_no_cache_bypasses_it() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        guides.path().join("a.md"),
        "# Alpha\n\nThe lifetime of a value.\n",
    )
    .expect("write");
    std::fs::write(guides.path().join("b.md"), "# Beta\n\nNothing here.\n").expect("write");
    let d = guides.path().to_str().expect("utf-8");
    let run = |args: &[&str]| {
        let (code, out, _) = run_cached(cache.path(), d, args);
        (code, out)
    };
    let cache_files = || {
        std::fs::read_dir(cache.path().join("devguide"))
            .map(|d| d.flatten().count())
            .unwrap_or(0)
    };
    let uncached = run(&["search", "lifetime", "--no-cache"]);
    assert_eq!(cache_files(), 0, "--no-cache writes nothing");
    let first = run(&["search", "lifetime"]);
    assert_eq!(cache_files(), 1);
    let second = run(&["search", "lifetime"]);
    assert_eq!(first, uncached);
    assert_eq!(second, uncached);
    assert_eq!(first.0, Some(0));
    assert!(
        first.1.contains("a#alpha:3: The lifetime of a value."),
        "{}",
        first.1
    );
    let list = run(&["list"]);
    assert_eq!(list, run(&["list", "--no-cache"]));
    // An edit is seen at once.
    std::fs::write(guides.path().join("b.md"), "# Beta\n\nA lifetime too.\n").expect("write");
    let edited = run(&["search", "lifetime"]);
    assert!(
        edited.1.contains("b#beta:3: A lifetime too."),
        "{}",
        edited.1
    );
    // A damaged cache is replaced, not trusted.
    for entry in std::fs::read_dir(cache.path().join("devguide"))
        .expect("ls")
        .flatten()
    {
        std::fs::write(entry.path(), b"garbage").expect("write");
    }
    assert_eq!(run(&["search", "lifetime"]), edited);
}

/// Sets a file's modification time a minute into the past, as for files not touched lately.
fn age(path: &std::path::Path) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .expect("set time");
}

#[test]
fn a_book_with_front_matter_includes_and_bad_bytes_reads_the_same_from_the_cache() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = guides.path();
    std::fs::create_dir_all(root.join("sub")).expect("mkdir");
    let files: &[(&str, &[u8])] = &[
        ("SUMMARY.md", b"# Summary\n\n- [Intro](intro.md)\n- [Deep](sub/deep.md)\n- [Later](later.md)\n"),
        ("intro.md", b"+++\ntitle = \"Front title\"\ntags = [\"a\", \"b\"]\n+++\n# Intro\n\nThe lifetime of a value.\n\n- [ ] a task\n"),
        ("sub/deep.md", b"# Deep\n\n{{#include ../snippet.txt}}\n"),
        ("snippet.txt", b"An included lifetime line.\n"),
        ("later.md", b"# Later \xff bytes\n\nLifetimes again.\n"),
        ("sub/intro.md", b"# Same name\n\nlifetime in a sub folder\n"),
    ];
    for (name, bytes) in files {
        let path = root.join(name);
        std::fs::write(&path, bytes).expect("write");
        age(&path);
    }
    let d = root.to_str().expect("utf-8");
    let run = |args: &[&str]| run_cached(cache.path(), d, args);
    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--json", "--skipped"],
        &["search", "lifetime"],
        &["search", "lifetime", "--json"],
        &["search", "lifetime", "--vimgrep"],
        &["search", "lftm"],
    ];
    // The first call fills the cache, the next ones take the guides from it unread.
    for _ in 0..3 {
        for args in commands {
            let plain = run(&[args, &["--no-cache"][..]].concat());
            assert_eq!(run(args), plain, "{args:?}");
            assert_eq!(plain.0, Some(0), "{args:?}: {plain:?}");
        }
    }
    let (_, list, notices) = run(&["list"]);
    assert!(list.contains("Front title"), "{list}");
    assert!(notices.contains("later.md"), "{notices}");
    let (_, hits, _) = run(&["search", "included"]);
    assert!(hits.contains("An included lifetime line."), "{hits}");
    // An edit to an included file reaches the guide that includes it, times untouched.
    std::fs::write(root.join("snippet.txt"), b"An included change.\n").expect("write");
    age(&root.join("snippet.txt"));
    let (_, hits, _) = run(&["search", "included"]);
    assert!(hits.contains("An included change."), "{hits}");
}
