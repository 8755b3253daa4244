//! Hostile input: every fixture in `tests/fixtures/hostile/` rendered through `show` and
//! through the reader at 80×24 and 1×1, plus generated cases too large or too odd to
//! commit (a 100 MB file, 10,000 files, loops, pipes, unreadable files).
//!
//! What the user sees in each case is asserted here and listed in the README.

use std::path::{Path, PathBuf};
use std::time::Instant;

use assert_cmd::Command;
use devguide::app::{Action, App, Effect};
use devguide::content::GuideSet;
use devguide::keymap::Keymap;
use devguide::layout::wrap::str_width;
use devguide::theme::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("COLORTERM")
        .env_remove("DEVGUIDE_MAX_FILE_MB")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

struct Shown {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Shown {
    let out = cmd.output().expect("runs");
    Shown {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `devguide show FILE --verbose` with the given colour and width.
fn show(name: &str, color: &str, width: u16) -> Shown {
    run(devguide().arg("show").arg(fixture(name)).args([
        "--verbose",
        "--color",
        color,
        "--width",
        &width.to_string(),
    ]))
}

/// Output holds only our own SGR sequences: every ESC starts `ESC [ digits/; m`.
fn assert_only_sgr(text: &str, label: &str) {
    for (i, _) in text.match_indices('\x1b') {
        let rest = &text[i + 1..];
        let n = rest.strip_prefix('[').map(|r| {
            r.chars()
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .count()
        });
        assert!(
            n.is_some_and(|n| rest[1 + n..].starts_with('m')),
            "{label}: foreign escape at {i}: {:?}",
            &text[i..text.len().min(i + 16)]
        );
    }
    let stripped: String = strip_sgr(text);
    assert!(
        !stripped.chars().any(|c| c.is_control() && c != '\n'),
        "{label}: control character in output"
    );
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn app_for(path: &Path) -> App {
    let set = GuideSet::from_file(path).expect("loads");
    App::new(
        set,
        Theme::for_mode(ColorMode::TrueColor),
        Keymap::default(),
    )
}

/// Draws the reader at `w`×`h`, at the top and at the end; returns both screens' text.
/// Fails on any control character in any cell.
fn screens(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, w, h)));
    let mut out = Vec::new();
    for action in [None, Some(Action::Bottom), Some(Action::Top)] {
        if let Some(a) = action {
            app.update(a);
        }
        terminal
            .draw(|f| devguide::ui::draw(f, app))
            .expect("draws");
        let buf = terminal.backend().buffer();
        for cell in buf.content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "control character in a cell: {:?}",
                cell.symbol()
            );
        }
        let text: Vec<String> = (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        out.push(text.join("\n"));
    }
    out
}

fn status_of(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

// ----- every fixture, every path ---------------------------------------------------------

#[test]
fn every_fixture_renders_through_show_and_the_reader_at_80x24_and_1x1() {
    let dir = fixture("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "binary.md")
        .collect();
    names.sort();
    assert!(names.len() >= 14, "{names:?}");
    for name in &names {
        for color in ["never", "always"] {
            let s = show(name, color, 80);
            assert_eq!(s.code, Some(0), "{name}: {}", s.stderr);
            assert_only_sgr(&s.stdout, name);
            assert_only_sgr(&s.stderr, name);
            for line in strip_sgr(&s.stdout).lines() {
                assert!(str_width(line) <= 80, "{name}: line too wide");
            }
        }
        let mut app = app_for(&fixture(name));
        for (w, h) in [(80, 24), (1, 1)] {
            screens(&mut app, w, h);
        }
    }
}

// ----- escape and control sequences ------------------------------------------------------

#[test]
fn escapes_in_every_place_are_shown_as_placeholders() {
    let s = show("escapes.md", "never", 100);
    assert_eq!(s.code, Some(0));
    let out = &s.stdout;
    assert!(!out.contains('\x1b') && !out.contains('\u{9b}'));
    assert!(
        out.contains("<U+0085>") && out.contains("<U+009D>0;x<U+009C>"),
        "C1 named"
    );
    // Raw ESC in text, the heading, code, entities, link URLs, image alt, HTML, tables.
    for needle in [
        "Heading \u{241b}[31mred",
        "before \u{241b}[2J\u{241b}[H after",
        "\u{241b}]52;c;",
        "\u{241b}[31m decimal",
        "\u{241b}[32m hex",
        "echo \"\u{241b}[31mred",
        "http://example.com/\u{241b}[31m",
        "alt \u{241b}[31m text",
        "HTML block \u{241b}[31m",
        "col \u{241b}[1m",
        "quote \u{241b}[7m",
        "footnote \u{241b}[4m",
        "<U+009B>2J C1 hex",
        "<U+009B>1m C1 decimal",
    ] {
        assert!(out.contains(needle), "{needle:?} not shown in:\n{out}");
    }
    let colour = show("escapes.md", "always", 100);
    assert_only_sgr(&colour.stdout, "escapes --color always");

    // The reader: the front-matter title (with an OSC title sequence) is shown, defused.
    let mut app = app_for(&fixture("escapes.md"));
    let screen = screens(&mut app, 80, 24).remove(0);
    assert!(
        screen.contains("Escapes \u{241b}]0;pwned-title\u{2407} in the title"),
        "{screen}"
    );
    assert!(screen.contains("\u{241b}[31m"), "{screen}");
}

// ----- bidi and zero-width ---------------------------------------------------------------

#[test]
fn bidi_and_zero_width_are_named_and_copied_as_written() {
    let s = show("bidi.md", "never", 100);
    for needle in [
        "<U+202E>",
        "<U+2066>",
        "<U+2069>",
        "is<U+200B>admin",
        "<U+FEFF>",
    ] {
        assert!(s.stdout.contains(needle), "{needle} in:\n{}", s.stdout);
    }
    let mut app = app_for(&fixture("bidi.md"));
    let screen = screens(&mut app, 80, 24).remove(0);
    assert!(screen.contains("<U+202E>"), "{screen}");
    app.update(Action::NextCode);
    let status = status_of(&app);
    assert!(
        status.contains("invisible or bidirectional"),
        "selecting warns: {status}"
    );
    let effects = app.update(Action::CopyBlock);
    let Some(Effect::Copy { text, .. }) = effects.iter().find(|e| matches!(e, Effect::Copy { .. }))
    else {
        panic!("expected one copy: {effects:?}");
    };
    assert!(
        text.contains("\"user\u{202e} \u{2066}# Check if admin\u{2069} \u{2066}\""),
        "the copy keeps the original characters: {text:?}"
    );
}

// ----- long lines ------------------------------------------------------------------------

#[test]
fn a_200000_character_line_wraps_and_scrolls() {
    let s = show("long-line.md", "always", 80);
    assert_eq!(s.code, Some(0));
    let plain = strip_sgr(&s.stdout);
    assert!(plain.lines().count() > 5_000, "wrapped into many rows");
    assert!(plain.lines().all(|l| str_width(l) <= 80));
    assert!(plain.contains("The end."));

    let mut app = app_for(&fixture("long-line.md"));
    let started = Instant::now();
    screens(&mut app, 80, 24);
    for _ in 0..50 {
        app.update(Action::PageDown);
    }
    app.update(Action::Bottom);
    let screen = screens(&mut app, 80, 24);
    eprintln!(
        "long line: open, draw, 50 pages, end: {:?}",
        started.elapsed()
    );
    assert!(screen[1].contains("The end."), "{}", screen[1]);
}

#[test]
fn a_200000_character_word_is_split_by_width() {
    let s = show("long-word.md", "never", 37);
    assert!(s.stdout.lines().all(|l| str_width(l) <= 37));
    assert!(s.stdout.contains(&"a".repeat(30)));
}

// ----- deep nesting ----------------------------------------------------------------------

#[test]
fn ten_thousand_levels_of_quotes_and_lists_are_folded_with_a_marker() {
    for (name, bottom) in [
        ("deep-quotes.md", "bottom of the quotes"),
        ("deep-lists.md", "bottom of the lists"),
        ("deep-mixed.md", "mixed bottom"),
    ] {
        let s = show(name, "never", 300);
        assert_eq!(s.code, Some(0), "{name}: {}", s.stderr);
        assert!(s.stdout.contains(bottom), "{name}");
        assert!(s.stdout.contains('\u{bb}'), "{name}: the fold marker »N");
        let mut app = app_for(&fixture(name));
        screens(&mut app, 80, 24);
    }
    let s = show("deep-quotes.md", "never", 300);
    let marker = format!("\u{bb}{} ", 10_000 - devguide::doc::MAX_NESTING);
    assert!(s.stdout.contains(&marker), "{marker} in {}", s.stdout);
}

// ----- empty, front matter ---------------------------------------------------------------

#[test]
fn an_empty_file_and_front_matter_only_open_as_empty_guides() {
    let s = show("empty.md", "never", 80);
    assert_eq!((s.code, s.stdout.as_str()), (Some(0), ""));
    let s = show("front-matter-only.md", "never", 80);
    assert_eq!((s.code, s.stdout.as_str()), (Some(0), ""));
    for name in ["empty.md", "front-matter-only.md"] {
        let mut app = app_for(&fixture(name));
        let screen = screens(&mut app, 80, 24).remove(0);
        assert!(screen.contains("(this guide is empty)"), "{screen}");
    }
    let mut app = app_for(&fixture("front-matter-only.md"));
    assert!(screens(&mut app, 80, 24)[0].contains("Only front matter"));
}

#[test]
fn malformed_front_matter_names_file_and_line_and_the_body_shows() {
    let s = show("bad-front-matter.md", "never", 80);
    assert_eq!(s.code, Some(0));
    assert!(s.stdout.contains("Body still shows"), "{}", s.stdout);
    assert!(
        s.stderr.contains("bad-front-matter.md") && s.stderr.contains("line "),
        "{}",
        s.stderr
    );
    let s = show("unclosed-front-matter.md", "never", 80);
    assert!(s.stdout.contains("never closed") || s.stdout.contains("Body"));
    assert!(
        s.stderr.contains("unclosed-front-matter.md: line 1"),
        "{}",
        s.stderr
    );
    let mut app = app_for(&fixture("bad-front-matter.md"));
    let status = status_of(&app);
    assert!(status.contains("bad-front-matter.md: line"), "{status}");
    assert!(screens(&mut app, 80, 24)[0].contains("Body still shows"));
}

// ----- encodings -------------------------------------------------------------------------

#[test]
fn invalid_utf8_shows_replacement_characters_and_one_notice() {
    let s = show("invalid-utf8.md", "never", 80);
    assert!(
        s.stdout.contains("bad \u{fffd}\u{fffd} bytes"),
        "{}",
        s.stdout
    );
    assert_eq!(s.stderr.lines().count(), 1, "{}", s.stderr);
    assert!(s.stderr.contains("not valid UTF-8"));
    let app = app_for(&fixture("invalid-utf8.md"));
    assert!(status_of(&app).contains("not valid UTF-8"));
}

#[test]
fn mojibake_is_shown_repaired_with_a_notice_and_the_file_is_unchanged() {
    let path = fixture("mojibake-macroman.md");
    let before = std::fs::read(&path).expect("fixture");
    let s = show("mojibake-macroman.md", "never", 100);
    let out = &s.stdout;
    assert!(out.contains("🎯 Write every new import"), "{out}");
    assert!(out.contains("✅ SSOT Compliant"), "{out}");
    // Shown without the emoji variation selector, which terminals disagree about.
    assert!(
        out.contains("⚠ The old path goes away next release — plan"),
        "{out}"
    );
    assert!(out.contains("# ✅ canonical"), "code blocks too: {out}");
    assert!(!out.contains("‚úÖ") && !out.contains("üéØ"), "{out}");
    assert!(
        out.contains("café, Über, naïve, £5, ©2025, 日本語, 🎯 ✅."),
        "correct text untouched: {out}"
    );
    assert!(
        s.stderr.contains("9 lines shown repaired") && s.stderr.contains("Mac Roman"),
        "{}",
        s.stderr
    );
    let mut app = app_for(&path);
    assert!(status_of(&app).contains("shown repaired"));
    assert!(screens(&mut app, 80, 24)[0].contains("🎯"));
    assert_eq!(std::fs::read(&path).expect("fixture"), before);

    let s = show("mojibake-cp1252.md", "never", 100);
    assert!(
        s.stdout
            .contains("Smart “quotes” and an em dash — and an ellipsis…"),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout.contains("café and naïve mis-decoded"),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout
            .contains("Correct text on its own line: café, naïve, “quotes”, Ça va, Ærø.")
    );
    assert!(s.stderr.contains("Windows-1252"), "{}", s.stderr);
}

// ----- files in a folder -----------------------------------------------------------------

#[test]
fn binary_and_non_markdown_files_are_skipped_and_listed() {
    let s = run(devguide()
        .args(["list", "--skipped", "--dir"])
        .arg(fixture("")));
    assert_eq!(s.code, Some(0), "{}", s.stderr);
    assert!(
        s.stdout.contains("binary.md") && s.stdout.contains("binary file"),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout.contains("not-markdown.txt") && s.stdout.contains("not markdown"),
        "{}",
        s.stdout
    );
    let s = run(devguide().arg("show").arg(fixture("binary.md")));
    assert_eq!(s.code, Some(1));
    assert!(s.stderr.contains("binary file"), "{}", s.stderr);
}

#[test]
fn unreadable_files_pipes_and_symlink_loops_never_stop_the_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("good.md"), "# Good\n\nreadable\n").expect("write");
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(root, root.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink(root.join("sub"), root.join("sub/self")).expect("symlink");
    std::os::unix::fs::symlink(root.join("nowhere.md"), root.join("dangling.md")).expect("symlink");
    let fifo = root.join("pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Permission bits do not stop root; the case is still exercised when not root.
    let locked = root.join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::write(locked.join("hidden.md"), "# Hidden\n").expect("write");
    std::fs::write(root.join("secret.md"), "# Secret\n").expect("write");
    chmod(&locked, 0o000);
    chmod(&root.join("secret.md"), 0o000);

    let s = run(devguide().args(["list", "--skipped", "--dir"]).arg(root));
    chmod(&locked, 0o755);
    assert_eq!(s.code, Some(0), "{}", s.stderr);
    let out = &s.stdout;
    assert!(out.contains("good"), "{out}");
    assert!(
        out.contains("dangling.md") && out.contains("cannot be read"),
        "{out}"
    );
    assert!(
        out.contains("pipe.md") && out.contains("not a regular file"),
        "{out}"
    );
    if !is_root() {
        assert!(out.contains("locked") && out.contains("folder cannot be read"));
        assert!(out.contains("secret.md"));
    }
    // A file name with an escape sequence and no heading: its title is defused.
    std::fs::write(root.join("evil\x1b]0;x\x07.md"), "no heading\n").expect("write");
    let s = run(devguide().args(["list", "--dir"]).arg(root));
    assert!(
        s.stdout.contains("evil\u{241b}]0;x\u{2407}"),
        "{}",
        s.stdout
    );
    assert_only_sgr(&s.stdout, "list");
    let set = GuideSet::from_dir(root).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    screens(&mut app, 80, 24);
    // A single pipe named on the command line is refused, not read forever.
    let s = run(devguide().arg("show").arg(&fifo));
    assert_eq!(s.code, Some(1), "{}", s.stderr);
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn ten_thousand_files_are_listed_and_open_lazily() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..10_000 {
        let sub = dir.path().join(format!("part{:02}", i % 100));
        if i < 100 {
            std::fs::create_dir(&sub).expect("mkdir");
        }
        std::fs::write(
            sub.join(format!("guide-{i:05}.md")),
            format!("# Guide {i}\n\n## Section\n\n- [ ] task {i}\n"),
        )
        .expect("write");
    }
    let started = Instant::now();
    let s = run(devguide().arg("list").arg("--dir").arg(dir.path()));
    let listed = started.elapsed();
    assert_eq!(s.code, Some(0), "{}", s.stderr);
    assert_eq!(s.stdout.lines().count(), 10_000);
    let started = Instant::now();
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    let screen = screens(&mut app, 80, 24).remove(0);
    eprintln!(
        "10,000 files: `devguide list` {listed:?}; load and first frame in-process {:?}",
        started.elapsed()
    );
    assert!(screen.contains("Guide 0"), "{screen}");
}

#[test]
fn a_100_mb_file_is_refused_quickly_naming_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.md");
    write_big_markdown(&big, 100);
    let started = Instant::now();
    let s = run(devguide().arg("show").arg(&big));
    eprintln!("100 MB file refused by `show` in {:?}", started.elapsed());
    assert_eq!(s.code, Some(1));
    assert!(
        s.stderr.contains("100 MB is over the 64 MB limit")
            && s.stderr.contains("DEVGUIDE_MAX_FILE_MB"),
        "{}",
        s.stderr
    );
    // In a folder it is skipped and listed; the other guides still open.
    std::fs::write(dir.path().join("small.md"), "# Small\n").expect("write");
    let s = run(devguide()
        .args(["list", "--skipped", "--dir"])
        .arg(dir.path()));
    assert!(s.stdout.contains("small") && s.stdout.contains("big.md"));
    assert!(s.stdout.contains("DEVGUIDE_MAX_FILE_MB"), "{}", s.stdout);
}

/// Writes `mb` megabytes of real markdown.
fn write_big_markdown(path: &Path, mb: usize) {
    use std::io::Write;
    let mut chunk = String::new();
    while chunk.len() < 1024 * 1024 {
        chunk.push_str("## Section\n\nSome *text* with `code` and a [link](#section).\n\n");
    }
    chunk.truncate(1024 * 1024);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for _ in 0..mb {
        f.write_all(chunk.as_bytes()).expect("write");
    }
    f.flush().expect("flush");
}

// ----- odd terminals ---------------------------------------------------------------------

/// Every colour code in `text`: SGR parameters after `38;`/`48;` or the plain 30–107 codes.
fn colour_codes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for seq in text.split('\x1b').skip(1) {
        let Some(params) = seq.strip_prefix('[').and_then(|p| p.split_once('m')) else {
            continue;
        };
        let parts: Vec<&str> = params.0.split(';').collect();
        let mut i = 0;
        while i < parts.len() {
            match parts[i] {
                "38" | "48" => {
                    let n = if parts.get(i + 1) == Some(&"2") { 5 } else { 3 };
                    out.push(parts[i..(i + n).min(parts.len())].join(";"));
                    i += n;
                }
                p if p.parse::<u8>().is_ok_and(|n| (30..=107).contains(&n)) => {
                    out.push(p.to_string());
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }
    out
}

#[test]
fn show_with_colour_fits_the_terminal_named_by_term() {
    let run_with = |term: Option<&str>, colorterm: Option<&str>| {
        let mut cmd = devguide();
        cmd.args(["show", "quick-reference", "--color", "always"]);
        match term {
            Some(t) => cmd.env("TERM", t),
            None => cmd.env_remove("TERM"),
        };
        if let Some(c) = colorterm {
            cmd.env("COLORTERM", c);
        }
        let s = run(&mut cmd);
        assert_eq!(s.code, Some(0), "{}", s.stderr);
        assert!(s.stdout.contains("WebSocket Import Quick Reference"));
        colour_codes(&s.stdout)
    };
    for term in [Some("dumb"), None, Some("xterm"), Some("linux")] {
        let codes = run_with(term, None);
        assert!(!codes.is_empty(), "{term:?}: colour was asked for");
        assert!(
            codes.iter().all(|c| !c.contains(';')),
            "{term:?}: only the 16 classic colours: {codes:?}"
        );
    }
    let codes = run_with(Some("xterm-256color"), None);
    assert!(codes.iter().any(|c| c.contains(";5;")), "{codes:?}");
    assert!(!codes.iter().any(|c| c.contains(";2;")), "{codes:?}");
    let codes = run_with(Some("xterm-256color"), Some("truecolor"));
    assert!(codes.iter().any(|c| c.contains(";2;")), "{codes:?}");
}

#[test]
fn under_term_dumb_show_and_the_bare_command_print_plain_text() {
    for args in [&["show", "quick-reference"][..], &["quick-reference"][..]] {
        let s = run(devguide().args(args).env("TERM", "dumb"));
        assert_eq!(s.code, Some(0), "{}", s.stderr);
        assert!(s.stdout.starts_with("WebSocket Import Quick Reference"));
        assert!(!s.stdout.contains('\x1b'), "{args:?}");
    }
}

#[test]
fn file_names_with_escapes_are_defused_in_notices_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "bad\x1b]0;pwned\x07.md";
    std::fs::write(dir.path().join(name), b"# T\n\n\xff\n").expect("write");
    let s = run(devguide()
        .args(["show", "--verbose"])
        .arg(dir.path().join(name)));
    assert_eq!(s.code, Some(0), "{}", s.stderr);
    assert!(
        s.stderr
            .contains("bad\u{241b}]0;pwned\u{2407}.md: not valid UTF-8"),
        "{}",
        s.stderr
    );
    assert_only_sgr(&s.stderr, "notice");
    let s = run(devguide().args(["list", "--dir", "/nope/\x1b]0;pwned\x07"]));
    assert_eq!(s.code, Some(1));
    assert!(
        s.stderr.contains("\u{241b}]0;pwned\u{2407}"),
        "{}",
        s.stderr
    );
    assert_only_sgr(&s.stderr, "error");
}
