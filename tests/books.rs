//! Documentation folders as their authors wrote them: an mdBook (the sample book in
//! `tests/fixtures/book`, and mdBook's own guide from `../shared/corpus`), stdin, and
//! `devguide check`, all through the binary.

use std::path::{Path, PathBuf};

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

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book")
}

/// A copy of the sample book in a temporary folder, to add hostile files to.
fn book_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture(), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn mdbook_guide() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/mdbook-guide");
    if dir.join("src/SUMMARY.md").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("DEVGUIDE_REQUIRE_CORPUS").is_none(),
        "DEVGUIDE_REQUIRE_CORPUS is set but {} is missing",
        dir.display()
    );
    eprintln!("skipped: no mdBook guide at {}", dir.display());
    None
}

#[test]
fn a_book_lists_in_summary_order_with_its_titles_parts_and_drafts() {
    let src = fixture().join("src");
    let r = run(devguide().args(["list", "--json", "--dir"]).arg(&src));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let guides = v["guides"].as_array().expect("guides");
    let rows: Vec<(String, String, u64, bool)> = guides
        .iter()
        .map(|g| {
            (
                g["title"].as_str().unwrap_or("").to_string(),
                g["number"].as_str().unwrap_or("").to_string(),
                g["level"].as_u64().unwrap_or(99),
                g["draft"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let expect = [
        ("Foreword", "", 0, false),
        ("Introduction", "", 0, false),
        ("Getting Started", "1.", 0, false),
        ("Installation", "1.1.", 1, false),
        ("Hello, World!", "1.2.", 1, false),
        ("Cargo workspaces", "1.3.", 1, true),
        ("A guessing game", "2.", 0, false),
        ("Appendix", "3.", 0, false),
        ("A - Keywords", "3.1.", 1, false),
        ("Thanks", "", 0, false),
    ];
    let expect: Vec<(String, String, u64, bool)> = expect
        .iter()
        .map(|(t, n, l, d)| (t.to_string(), n.to_string(), *l, *d))
        .collect();
    assert_eq!(rows, expect);
    assert_eq!(guides[3]["part"], "Getting started");
    assert!(
        !guides.iter().any(|g| g["path"] == "SUMMARY.md"),
        "SUMMARY.md is the table of contents, not a guide"
    );
    // The whole book folder (book.toml beside src/) reads the same.
    let r = run(devguide().args(["list", "--dir"]).arg(fixture()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .lines()
            .next()
            .is_some_and(|l| l.contains("Foreword")),
        "{}",
        r.stdout
    );
}

#[test]
fn chapters_show_with_includes_inlined_and_no_tag_or_directive() {
    let src = fixture().join("src");
    let mut page = String::new();
    let list = run(devguide().args(["list", "--json", "--dir"]).arg(&src));
    let v: serde_json::Value = serde_json::from_str(&list.stdout).expect("json");
    for g in v["guides"].as_array().expect("guides") {
        let id = g["id"].as_str().expect("id");
        let r = run(devguide()
            .args(["show", id, "--width", "70", "--dir"])
            .arg(&src));
        assert_eq!(r.code, 0, "{id}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{id}: a clean book has nothing to say");
        page.push_str(&r.stdout);
    }
    for banned in [
        "{{#",
        "<kbd",
        "<span",
        "<img",
        "<details",
        "<summary",
        "<Listing",
        "</",
        "<!--",
        "&nbsp;",
        "&mdash;",
        "ANCHOR",
        "# #![allow",
        "hidden = 1",
    ] {
        assert!(!page.contains(banned), "{banned:?} on the page:\n{page}");
    }
    for shown in [
        "io::stdin().read_line(&mut guess)",
        "Listing 2-1: Code that gets a guess from the user",
        "Filename: src/main.rs",
        "[image: Ferris with a question",
        "Why <wait>?",
        "Press Ctrl+C",
        "a minute — or",
        "println!(\"Hello, world!\");",
        "This chapter is a draft",
    ] {
        assert!(page.contains(shown), "{shown:?} missing:\n{page}");
    }
}

#[test]
fn includes_never_leave_the_book() {
    let book = book_copy();
    let src = book.path().join("src");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.rs"), "const SECRET: u8 = 1;\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.rs"), src.join("link.rs"))
        .expect("symlink");
    let escape = format!(
        "## Escapes\n\n```rust\n{{{{#include ../../{}}}}}\n```\n\n```rust\n{{{{#include link.rs}}}}\n```\n\n```rust\n{{{{#include missing.rs}}}}\n```\n",
        outside
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            + "/secret.rs"
    );
    std::fs::write(src.join("thanks.md"), escape).expect("write");
    let r = run(devguide()
        .args(["show", "thanks", "--width", "100", "--dir"])
        .arg(&src));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("SECRET"), "{}", r.stdout);
    assert!(!r.stdout.contains("{{#"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("[not included:").count(),
        3,
        "{}",
        r.stdout
    );
    // One line per problem on stderr, none with --quiet.
    assert_eq!(r.stderr.lines().count(), 3, "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .all(|l| l.starts_with("devguide: thanks.md:")),
        "{}",
        r.stderr
    );
    let quiet = run(devguide()
        .args(["show", "thanks", "--quiet", "--dir"])
        .arg(&src));
    assert_eq!(quiet.stderr, "");
    let check = run(devguide().args(["check", "--dir"]).arg(&src));
    assert_eq!(check.code, 1);
    assert_eq!(
        check.stdout.matches("include not resolved").count(),
        3,
        "{}",
        check.stdout
    );
}

#[test]
fn check_passes_a_clean_book_and_the_bundled_guides() {
    let r = run(devguide()
        .args(["check", "--dir"])
        .arg(fixture().join("src")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("0 problems in "), "{}", r.stdout);
    let r = run(devguide().arg("check"));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "0 problems in 3 guides\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_finds_a_broken_link_and_a_missing_anchor() {
    let book = book_copy();
    let src = book.path().join("src");
    std::fs::write(
        src.join("appendix-00.md"),
        "# Appendix\n\nSee [keywords](appendix-01-keywords.html#keywords-used-tomorrow)\nand [the end](apendix-99.html).\n",
    )
    .expect("write");
    let r = run(devguide().args(["check", "--dir"]).arg(&src));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("appendix-00.md:3: appendix-01-keywords.html#keywords-used-tomorrow: no heading #keywords-used-tomorrow in appendix-01-keywords.md (did you mean #keywords-used-today?)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("appendix-00.md:4: apendix-99.html: no such guide in this set"),
        "{}",
        r.stdout
    );
    let r = run(devguide().args(["check", "--json", "--dir"]).arg(&src));
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let problems = v["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0]["file"], "appendix-00.md");
    assert_eq!(problems[0]["suggestion"], "#keywords-used-today");
    // A folder that is not there is an error, not a finding.
    let r = run(devguide().args(["check", "--dir", "/nonexistent/book"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/book"), "{}", r.stderr);
}

#[test]
fn markdown_from_stdin() {
    let md = "# Piped\n\nFrom a <kbd>pipe</kbd>.\n";
    for args in [&["show", "-"][..], &["-"][..], &[][..]] {
        let r = run(devguide().args(args).write_stdin(md));
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.starts_with("Piped\n"), "{args:?}: {}", r.stdout);
        assert!(r.stdout.contains("From a pipe."), "{args:?}: {}", r.stdout);
    }
    let r = run(devguide().args(["show", "-"]).write_stdin(vec![0u8, 1, 2]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("binary"), "{}", r.stderr);
}

#[test]
fn piped_show_never_breaks_a_code_line_unless_a_width_is_given() {
    let long = format!("let x = \"{}\";", "y".repeat(150));
    let md = format!("# Code\n\n{}\n\n```rust\n{long}\n```\n", "word ".repeat(40));
    let r = run(devguide().args(["show", "-"]).write_stdin(md.clone()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&long), "{}", r.stdout);
    assert!(
        r.stdout.lines().filter(|l| l.contains("word")).count() > 1,
        "text still wraps"
    );
    let r = run(devguide()
        .args(["show", "-", "--width", "60"])
        .write_stdin(md));
    assert!(!r.stdout.contains(&long));
    assert!(
        r.stdout.lines().all(|l| l.chars().count() <= 60),
        "{}",
        r.stdout
    );
}

#[test]
fn list_shows_folders_and_skips_what_it_cannot_reach() {
    let dir = tempfile::tempdir().expect("tempdir");
    for folder in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
        std::fs::write(dir.path().join(folder).join("closures.md"), "## Closures\n")
            .expect("write");
    }
    std::fs::write(dir.path().join("README.md"), "Intro\n=====\n").expect("write");
    let r = run(devguide().args(["list", "--dir"]).arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(lines[0].contains("Intro"));
    assert!(lines[1].contains("Closures  in a/"), "{}", r.stdout);
    assert!(lines[2].contains("Closures  in b/"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_deep_tree_lists_and_names_what_is_out_of_reach() {
    // Deeper than PATH_MAX (4096 bytes): the walk reads what the OS lets it and lists the
    // rest under --skipped instead of dropping it without a word. The tree is built one
    // folder at a time relative to the last (`mkdirat`), which has no length limit.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("top.md"), "# Top\n").expect("write");
    deep_tree(
        dir.path(),
        100,
        &[(10, "mid.md", "# Mid\n"), (99, "deep.md", "# Deep\n")],
    );
    let r = run(devguide()
        .args(["list", "--skipped", "--dir"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Top") && r.stdout.contains("Mid"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Deep"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("skipped ") && l.contains("cannot be read")),
        "{}",
        r.stdout
    );
}

#[test]
fn the_mdbook_guide_reads_in_its_own_order() {
    let Some(book) = mdbook_guide() else { return };
    let src = book.join("src");
    let r = run(devguide().args(["list", "--json", "--dir"]).arg(&src));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let titles: Vec<&str> = v["guides"]
        .as_array()
        .expect("guides")
        .iter()
        .filter_map(|g| g["title"].as_str())
        .collect();
    assert_eq!(
        titles[..5],
        [
            "Introduction",
            "Installation",
            "Reading books",
            "Creating a book",
            "Command-line tool"
        ]
    );
    assert!(titles.contains(&"Draft chapter"));
    // Every chapter in the summary shows without a tag or an unescaped directive: the
    // one page that documents the directives shows them as its author escaped them.
    for g in v["guides"].as_array().expect("guides") {
        let id = g["id"].as_str().expect("id");
        let r = run(devguide()
            .args(["show", id, "--quiet", "--width", "100", "--dir"])
            .arg(&src));
        assert_eq!(r.code, 0, "{id}: {}", r.stderr);
        // Ids carry their folder where names repeat (`for_developers/preprocessors`).
        let name = id.rsplit('/').next().unwrap_or(id);
        if !matches!(name, "mdbook" | "index-hbs" | "preprocessors") {
            assert!(!r.stdout.contains("{{#"), "{id}:\n{}", r.stdout);
        }
    }
    // `watch` and `serve` include a shared fragment.
    let r = run(devguide().args(["show", "watch", "--dir"]).arg(&src));
    assert!(r.stdout.contains("--watcher"), "{}", r.stdout);
}

/// `depth` nested folders of 60-character names under `root`, with files at some levels.
#[cfg(unix)]
fn deep_tree(root: &Path, depth: usize, files: &[(usize, &str, &str)]) {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |s: &[u8]| CString::new(s).expect("no NUL");
    let name = c("d".repeat(60).as_bytes());
    // SAFETY: plain POSIX calls on descriptors this function owns, with NUL-terminated
    // names; every result is checked.
    unsafe {
        let mut fd = libc::open(
            c(root.as_os_str().as_bytes()).as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY,
        );
        assert!(fd >= 0);
        for level in 0..depth {
            assert_eq!(libc::mkdirat(fd, name.as_ptr(), 0o755), 0);
            let next = libc::openat(fd, name.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
            assert!(next >= 0);
            libc::close(fd);
            fd = next;
            for (_, file, text) in files.iter().filter(|(l, _, _)| *l == level) {
                let f = libc::openat(
                    fd,
                    c(file.as_bytes()).as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT,
                    0o644,
                );
                assert!(f >= 0);
                assert_eq!(
                    libc::write(f, text.as_ptr().cast(), text.len()),
                    text.len() as isize
                );
                libc::close(f);
            }
        }
        libc::close(fd);
    }
}

#[test]
fn a_pipe_never_written_to_does_not_hang_a_bare_devguide() {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("devguide"))
        .env("XDG_CONFIG_HOME", "/nonexistent-config-dir")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json")
        .env_remove("DEVGUIDE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    // Held open, never written: the reader must give up on it and show the guide set.
    let _writer = child.stdin.take();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("devguide waited for a silent pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success());
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("reads");
    assert!(out.starts_with("WebSocket Manager Import Guide\n"), "{out}");
}
