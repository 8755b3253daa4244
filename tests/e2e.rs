//! The real binary in a pseudo-terminal, read back through a terminal emulator, as a
//! person would see it. Every wait polls the screen with a deadline; nothing sleeps to
//! synchronise.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const DEADLINE: Duration = Duration::from_secs(20);

struct Session {
    /// Holds this session's own state file unless the test names one.
    _state_dir: Option<tempfile::TempDir>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, for checking escape sequences the emulator hides.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // Nothing from the machine running the tests: no configuration, and a fresh
        // state file of this session's own (a test may still name another below).
        cmd.env_remove("DEVGUIDE_CONFIG");
        cmd.env_remove("COLORFGBG");
        cmd.env("XDG_CONFIG_HOME", "/nonexistent-config-dir");
        let state_dir = tempfile::tempdir().expect("tempdir");
        cmd.env("DEVGUIDE_STATE", state_dir.path().join("state.json"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut session = Session::spawn(cmd);
        session._state_dir = Some(state_dir);
        session
    }

    /// Runs `cmd` with a fresh state file of its own, kept for the session's lifetime.
    fn spawn_isolated(mut cmd: CommandBuilder) -> Session {
        let state_dir = tempfile::tempdir().expect("tempdir");
        cmd.env("DEVGUIDE_STATE", state_dir.path().join("state.json"));
        let mut session = Session::spawn(cmd);
        session._state_dir = Some(state_dir);
        session
    }

    /// Runs `cmd` in a 100×30 pty.
    fn spawn(cmd: CommandBuilder) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let child = pty.slave.spawn_command(cmd).expect("spawns");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nonzero(30), nonzero(100), 0)));
        let feed = Arc::clone(&screen);
        let raw = Arc::new(Mutex::new(Vec::new()));
        let raw_feed = Arc::clone(&raw);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                raw_feed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend_from_slice(&buf[..n]);
                feed.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .process(&buf[..n]);
            }
        });
        Session {
            _state_dir: None,
            screen,
            raw,
            writer,
            child,
            _master: pty.master,
        }
    }

    /// Resizes the terminal, as a window manager would: the program gets SIGWINCH.
    fn resize(&self, rows: u16, cols: u16) {
        self.screen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
        self.resize_pty(rows, cols);
    }

    fn resize_pty(&self, rows: u16, cols: u16) {
        self._master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
    }

    fn pid(&self) -> String {
        self.child.process_id().expect("pid").to_string()
    }

    fn kill(&self, signal: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.pid()])
            .status()
            .expect("kill runs");
        assert!(ok.success());
    }

    fn alternate_screen(&self) -> bool {
        self.screen
            .lock()
            .map(|p| p.screen().alternate_screen())
            .unwrap_or(false)
    }

    fn raw_text(&self) -> String {
        let raw = self
            .raw
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&raw).into_owned()
    }

    fn contents(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Polls the screen until `done` holds, or fails with `what` and the screen.
    fn poll(&self, what: &str, done: impl Fn(&Session) -> bool) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.contents());
    }

    fn wait_for(&self, text: &str) {
        self.poll(&format!("{text:?}"), |s| s.contents().contains(text));
    }

    fn wait_until_gone(&self, text: &str) {
        self.poll(&format!("{text:?} to go"), |s| !s.contents().contains(text));
    }

    fn status_line(&self) -> String {
        self.contents()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    }

    fn wait_for_status(&self, text: &str) {
        self.poll(&format!("status {text:?}"), |s| {
            s.status_line().contains(text)
        });
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
    }

    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let pid = self.child.process_id().unwrap_or(0);
        let threads = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|d| {
                d.flatten()
                    .map(|t| {
                        let p = t.path();
                        let read = |f: &str| std::fs::read_to_string(p.join(f)).unwrap_or_default();
                        format!(
                            "{} {} {}",
                            read("comm").trim(),
                            read("wchan"),
                            read("stat").split(' ').nth(2).unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let _ = self.child.kill();
        panic!(
            "did not exit; threads:\n{threads}\nscreen:\n{}",
            self.contents()
        );
    }

    /// The emulator is back on the main screen with a visible cursor and no mouse capture.
    fn assert_restored(&self) {
        let start = Instant::now();
        loop {
            let (alt, hidden, mouse) = self
                .screen
                .lock()
                .map(|p| {
                    let s = p.screen();
                    (
                        s.alternate_screen(),
                        s.hide_cursor(),
                        s.mouse_protocol_mode(),
                    )
                })
                .expect("screen");
            if !alt && !hidden && mouse == vt100::MouseProtocolMode::None {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "terminal not restored: alt={alt} hidden={hidden} mouse={mouse:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn navigate_follow_a_link_go_back_and_quit() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for("WebSocket Manager Import Guide");
    s.wait_for_status("help");
    // Next guide: the quick reference.
    s.keys("n");
    s.wait_for_status("WebSocket Import Quick Reference");
    s.wait_for("Common import statements");
    // Select the first link and follow it into the import guide's migration section.
    s.keys("l");
    s.wait_for_status("import-guide.md#migration-guide");
    s.keys("\r");
    s.wait_for_status("Migration guide");
    assert!(s.status_line().contains("WebSocket Manager Import Guide"));
    // Back to where we were.
    s.keys("b");
    s.wait_for_status("WebSocket Import Quick Reference");
    // Esc closes the help overlay and never quits; q does. (Each key waits for the
    // screen: an Esc followed at once by another byte reads as Alt+key.)
    s.keys("?");
    s.wait_for("Keys");
    s.keys("\x1b");
    s.wait_until_gone("Keys");
    s.wait_for_status("WebSocket Import Quick Reference");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn a_link_outside_the_set_says_so() {
    let mut s = Session::start(&["import-guide#related-documentation"], &[]);
    s.wait_for_status("Related documentation");
    s.keys("l");
    s.wait_for_status("SSOT_IMPORT_REGISTRY.md");
    s.keys("\r");
    s.wait_for_status("not in this guide set: ../SSOT_IMPORT_REGISTRY.md");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for_status("help");
    let pid = s.child.process_id().expect("pid");
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success());
    assert_eq!(s.wait_exit(), 128 + 15);
    s.assert_restored();
}

#[test]
fn configured_keys_drive_the_reader_and_its_hints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "mouse = false\n[keys]\nquit = [\"Q\"]\nhelp = [\"f1\"]\n",
    )
    .expect("write");
    let cfg = file.to_str().expect("utf-8 path");
    let mut s = Session::start(&["import-guide", "--config", cfg], &[]);
    s.wait_for_status("F1 help");
    assert!(s.status_line().contains("Q quit"), "{}", s.status_line());
    let mouse = s
        .screen
        .lock()
        .map(|p| p.screen().mouse_protocol_mode())
        .expect("screen");
    assert_eq!(mouse, vt100::MouseProtocolMode::None, "mouse = false");
    // q no longer quits: the help overlay, on F1, still opens after it, listing Q.
    s.keys("q");
    s.keys("\x1bOP");
    s.wait_for("F1 or Esc close");
    s.keys("\x1b");
    s.wait_until_gone("F1 or Esc close");
    s.keys("Q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal_and_shows_the_message() {
    let mut s = Session::start(&["import-guide"], &[("DEVGUIDE_TEST_PANIC", "1")]);
    assert_eq!(s.wait_exit(), 101);
    s.assert_restored();
    s.wait_for("panic requested");
}

#[test]
fn a_tick_made_in_the_reader_is_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let state = state.to_str().expect("utf-8 path");
    let env = [("DEVGUIDE_STATE", state)];
    let args = ["migration-checklist", "--migration", "auth-service"];
    let mut s = Session::start(&args, &env);
    s.wait_for("0/5");
    s.keys("t");
    s.wait_for_status("help");
    s.keys("x");
    s.wait_for_status("auth-service 1/5");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);

    let mut again = Session::start(&["migration-checklist"], &env);
    again.wait_for("auth-service");
    again.wait_for("[x] Replace deprecated import paths with canonical paths");
    again.wait_for("[ ] Verify no deprecation warnings in logs");
    assert!(again.contents().contains("1/5"));
    again.keys("q");
    assert_eq!(again.wait_exit(), 0);
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("state.json")).expect("state file written"),
    )
    .expect("JSON");
    let file = index["sets"]["bundled"]["migrations"]["auth-service"]["file"]
        .as_str()
        .expect("the index names the migration's file");
    let saved = std::fs::read_to_string(dir.path().join("state.json.d").join(file))
        .expect("migration file written");
    assert!(saved.contains("replace deprecated import paths with canonical paths"));
}

#[test]
fn slash_search_and_n_move_through_matches() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for_status("help");
    s.keys("/");
    s.wait_for_status("/");
    s.keys("deprecat");
    // The frame that shows the whole query also shows its count.
    s.wait_for_status("/deprecat");
    s.wait_for_status("1/");
    let total: String = s
        .status_line()
        .split("1/")
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        total.parse::<u32>().is_ok_and(|n| n > 3),
        "count in {:?}",
        s.status_line()
    );
    s.keys("\r");
    s.wait_for_status("Import Guide");
    s.keys("n");
    s.wait_for_status(&format!("2/{total}"));
    s.keys("n");
    s.wait_for_status(&format!("3/{total}"));
    s.keys("N");
    s.wait_for_status(&format!("2/{total}"));
    s.keys("\x1b");
    s.wait_until_gone(&format!("/{total}"));
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn y_sends_the_selected_block_to_the_terminal_clipboard() {
    let mut s = Session::start(&["quick-reference#type-checking"], &[]);
    s.wait_for_status("help");
    s.keys("}");
    s.wait_for_status("code block");
    s.keys("y");
    s.wait_for_status("sent to terminal clipboard");
    let code = "# For type hints and protocol checking\nfrom netra_backend.app.websocket_core.protocols import WebSocketManagerProtocol\n";
    let expected = devguide_osc52(code);
    let raw = s
        .raw
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains(&expected),
        "OSC 52 with exactly the block's code not found"
    );
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// OSC 52 as the program must write it: base64 of exactly the text.
fn devguide_osc52(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

#[test]
fn external_links_are_emitted_as_osc8_hyperlinks() {
    let mut s = Session::start(&["import-guide#related-documentation"], &[]);
    s.wait_for("Issue #996");
    let url = "https://github.com/netra-systems/netra-apex/issues/996";
    let open = format!("\x1b]8;;{url}\x1b\\");
    let start = Instant::now();
    loop {
        let raw = s
            .raw
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if String::from_utf8_lossy(&raw).contains(&open) {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "no OSC 8 hyperlink for {url}");
        std::thread::sleep(Duration::from_millis(10));
    }
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn ctrl_p_then_enter_lands_on_the_right_line() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for_status("help");
    s.keys("\x10"); // Ctrl-p
    s.wait_for("Find in all guides");
    s.keys("WebSocketManagerProtocol");
    s.wait_for("hits");
    s.wait_for("canonical");
    s.keys("\r");
    s.wait_until_gone("Find in all guides");
    // The type-checking import is on screen and the status bar names its section.
    s.wait_for("from netra_backend.app.websocket_core.protocols import");
    s.wait_for_status("Type checking");
    s.keys("b");
    s.wait_for_status("WebSocket Manager Import Guide");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// Bumps a file's modification time so a change is seen even within one clock tick.
fn touch_later(path: &std::path::Path) {
    let later = std::time::SystemTime::now() + Duration::from_secs(3);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(later))
        .expect("touch");
}

#[test]
fn a_guide_edited_on_disk_reloads_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("notes.md");
    std::fs::write(&file, "# Notes\n\nfirst version\n\n- [ ] a step\n").expect("write");
    let d = dir.path().to_str().expect("utf-8");
    let mut s = Session::start(&["notes", "--dir", d], &[]);
    s.wait_for("first version");
    std::fs::write(&file, "# Notes\n\nsecond version\n\n- [ ] a step\n").expect("write");
    touch_later(&file);
    s.wait_for("second version");
    s.wait_for_status("reloaded notes.md");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_guide_added_to_the_folder_appears_in_the_sidebar() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("alpha.md"), "# Alpha\n\nfirst guide\n").expect("write");
    std::fs::write(dir.path().join("beta.md"), "# Beta\n\nsecond guide\n").expect("write");
    let d = dir.path().to_str().expect("utf-8");
    let mut s = Session::start(&["alpha", "--dir", d], &[]);
    s.wait_for("first guide");
    s.wait_for("Beta");
    assert!(!s.contents().contains("Gamma Newcomer"));
    std::fs::write(dir.path().join("gamma.md"), "# Gamma Newcomer\n\nthird\n").expect("write");
    s.wait_for("Gamma Newcomer");
    s.wait_for_status("1 guide added");
    assert!(
        s.contents().contains("first guide"),
        "the open guide stays open"
    );
    std::fs::remove_file(dir.path().join("beta.md")).expect("remove");
    s.wait_for_status("1 guide removed");
    s.wait_until_gone("Beta");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// The sidebar groups a docs tree by folder; `h` on a folder row folds it away and `l`
/// brings it back, as in a file tree.
#[test]
fn a_folder_in_the_sidebar_folds_and_unfolds() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "# Overview\n\nthe start\n").expect("write");
    std::fs::create_dir(dir.path().join("runbooks")).expect("mkdir");
    for name in ["restart", "failover"] {
        std::fs::write(
            dir.path().join(format!("runbooks/{name}.md")),
            format!("# Runbook {name}\n\nsteps\n"),
        )
        .expect("write");
    }
    let d = dir.path().to_str().expect("utf-8");
    // A guide named on the command line opens without the start screen.
    let mut s = Session::start(&["README", "--dir", d], &[]);
    s.wait_for("the start");
    s.wait_for("runbooks/");
    s.wait_for("Runbook restart");
    // Focus the sidebar, go to the folder row (below the guide and its one heading).
    s.keys("\t");
    s.wait_for_status("SIDEBAR");
    s.keys("j");
    s.keys("h");
    s.wait_for("\u{25b8} runbooks/");
    s.wait_until_gone("Runbook restart");
    s.keys("l");
    s.wait_for("Runbook restart");
    s.wait_for("\u{25be} runbooks/");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn e_hands_the_guide_to_the_editor_and_shows_its_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let guides = dir.path().join("guides");
    std::fs::create_dir(&guides).expect("mkdir");
    let file = guides.join("notes.md");
    std::fs::write(&file, "# Notes\n\noriginal text\n").expect("write");
    let log = dir.path().join("editor-args");
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nprintf '\\nadded by the editor\\n' >> \"$3\"\n",
            log.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let g = guides.to_str().expect("utf-8");
    let e = editor.to_str().expect("utf-8");
    let mut s = Session::start(&["notes", "--dir", g], &[("VISUAL", e)]);
    s.wait_for("original text");
    s.keys("e");
    s.wait_for("added by the editor");
    let args = std::fs::read_to_string(&log).expect("the editor ran");
    // `--` ends the editor's options: a guide named like one stays a file.
    assert_eq!(args.trim(), format!("+1 -- {}", file.display()));
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn a_first_visit_shows_the_start_screen_and_a_second_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let env = [("DEVGUIDE_STATE", state.to_str().expect("utf-8"))];
    let mut s = Session::start(&[], &env);
    s.wait_for("Guides");
    s.wait_for("1. WebSocket Manager Import Guide");
    s.wait_for("min");
    s.keys("j");
    s.wait_for("\u{25b8} 2. WebSocket Import Quick Reference");
    s.keys("\r");
    s.wait_until_gone("1. WebSocket Manager Import Guide");
    s.wait_for_status("WebSocket Import Quick Reference");
    s.keys("]");
    s.wait_for_status("Common import statements");
    s.keys("]");
    s.wait_for_status("Type checking");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);

    let mut again = Session::start(&[], &env);
    again.wait_for_status("Type checking");
    assert!(
        !again
            .contents()
            .contains("1. WebSocket Manager Import Guide"),
        "no start screen the second time"
    );
    again.keys("s");
    again.wait_for("1. WebSocket Manager Import Guide");
    again.keys("\x1b");
    again.wait_until_gone("1. WebSocket Manager Import Guide");
    again.keys("q");
    assert_eq!(again.wait_exit(), 0);
}

/// Ticks one item in the reader, then ends it with `signal`: the terminal is restored, the
/// exit code is 128 + the signal, and the state file is whole and holds the tick.
fn signal_keeps_state(signal: &str, number: u32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let state_str = state.to_str().expect("utf-8 path");
    let env = [("DEVGUIDE_STATE", state_str)];
    let mut s = Session::start(
        &["migration-checklist", "--migration", "auth-service"],
        &env,
    );
    s.wait_for("0/5");
    s.keys("t");
    s.wait_for_status("help");
    s.keys("x");
    s.wait_for_status("auth-service 1/5");
    s.kill(signal);
    assert_eq!(s.wait_exit(), 128 + number, "{signal}");
    s.assert_restored();
    // The index names the migration; its own file (state.json.d/…) holds the tick.
    let saved = std::fs::read_to_string(&state).expect("state file written");
    let parsed: serde_json::Value = serde_json::from_str(&saved).expect("state file parses");
    let file = parsed["sets"]["bundled"]["migrations"]["auth-service"]["file"]
        .as_str()
        .expect("the index names the migration's file");
    let ticks_path = dir.path().join("state.json.d").join(file);
    let ticks = std::fs::read_to_string(&ticks_path).expect("migration file written");
    for line in ticks.lines() {
        // A log: one JSON object per line.
        let _: serde_json::Value = serde_json::from_str(line).expect("migration file parses");
    }
    assert!(
        ticks.contains("replace deprecated import paths with canonical paths"),
        "{ticks}"
    );
    // No temporary or half-written file anywhere in the state folder.
    let mut leftovers = Vec::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                stack.push(e.path());
            } else if !name.ends_with(".json") && !name.ends_with(".lock") {
                leftovers.push(name);
            }
        }
    }
    assert!(leftovers.is_empty(), "no partial files: {leftovers:?}");
}

#[test]
fn sighup_restores_the_terminal_and_keeps_the_state_file() {
    signal_keeps_state("HUP", 1);
}

#[test]
fn sigint_restores_the_terminal_and_keeps_the_state_file() {
    signal_keeps_state("INT", 2);
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_the_state_file() {
    signal_keeps_state("TERM", 15);
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_redraws() {
    let mut cmd = CommandBuilder::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("PS1", "shell$ ");
    cmd.env_remove("NO_COLOR");
    let mut s = Session::spawn_isolated(cmd);
    s.wait_for("shell$ ");
    s.keys(&format!(
        "{} import-guide\r",
        env!("CARGO_BIN_EXE_devguide")
    ));
    s.wait_for_status("help");
    assert!(s.alternate_screen());
    s.keys("\x1a");
    // Back at the shell: main screen, cursor shown, the job stopped.
    s.assert_restored();
    s.wait_for("Stopped");
    s.keys("echo still-here\r");
    s.wait_for("still-here");
    s.keys("fg\r");
    // Redrawn in full: the sidebar, the reader and the status bar are all back.
    s.wait_for_status("help");
    s.wait_for("WebSocket Manager Import Guide");
    s.wait_for("Preferred pattern");
    assert!(s.alternate_screen());
    s.keys("q");
    s.assert_restored();
    s.keys("exit\r");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_storm_of_resizes_never_panics_and_ends_with_a_correct_layout() {
    let mut s = Session::start(&[], &[]);
    s.wait_for_status("help");
    let mut seed: u32 = 12345;
    let mut next = |max: u16| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        1 + (seed >> 16) as u16 % max
    };
    for i in 0..200 {
        let (rows, cols) = match i % 4 {
            0 => (1, 1),
            1 => (100, 300),
            _ => (next(100), next(300)),
        };
        // Only the program's terminal: the emulator reading the screen stays at one size
        // (vt100 itself cannot shrink to 1×1); the final size is set on both.
        s.resize_pty(rows, cols);
    }
    s.resize(24, 80);
    // The status row may still hold "? help" from a frame drawn at an earlier size: wait
    // for the redraw at the final size itself.
    s.poll("the redraw at 24x80", |s| {
        s.contents()
            .lines()
            .next()
            .is_some_and(|l| l.contains("WebSocket Manager Import"))
            && s.status_line().contains("? help")
    });
    assert!(
        s.child.try_wait().expect("status").is_none(),
        "still running"
    );
    let screen = s.contents();
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines
            .first()
            .is_some_and(|l| l.contains("WebSocket Manager Import")),
        "sidebar and title on the first row:\n{screen}"
    );
    assert!(lines.iter().all(|l| l.chars().count() <= 80));
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn odd_terminals_get_a_readable_reader() {
    for term in [Some("dumb"), None, Some("xterm"), Some("xterm-256color")] {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.arg("import-guide");
        match term {
            Some(t) => cmd.env("TERM", t),
            None => cmd.env_remove("TERM"),
        }
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("COLORTERM");
        let mut s = Session::spawn_isolated(cmd);
        if term == Some("dumb") {
            // A terminal that cannot move the cursor gets the guide printed, plain.
            assert_eq!(s.wait_exit(), 0);
            s.wait_for("Related documentation");
            let raw = s.raw_text();
            assert!(raw.contains("Preferred pattern"));
            assert!(
                !raw.contains('\x1b'),
                "no escape sequences at all under TERM=dumb"
            );
            continue;
        }
        s.wait_for_status("help");
        s.wait_for("Preferred pattern");
        let raw = s.raw_text();
        match term {
            None => assert!(
                !raw.contains("\x1b[38;") && !raw.contains("\x1b[48;"),
                "{term:?}: no colours beyond the terminal's"
            ),
            Some("xterm") => {
                // crossterm writes even the 16 named colours as `38;5;N`: N stays below 16,
                // so the terminal's own palette is used.
                assert!(!raw.contains(";2;"), "xterm: no truecolor");
                for (i, _) in raw.match_indices("8;5;") {
                    let n: String = raw[i + 4..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    assert!(n.parse::<u8>().is_ok_and(|n| n < 16), "xterm: colour {n}");
                }
            }
            _ => assert!(raw.contains("\x1b[38;5;"), "256 colours used"),
        }
        s.keys("q");
        assert_eq!(s.wait_exit(), 0, "{term:?}");
        s.assert_restored();
    }
}

#[test]
fn stdin_from_dev_null_still_reads_keys_from_the_terminal() {
    let mut cmd = CommandBuilder::new("sh");
    cmd.args([
        "-c",
        &format!(
            "exec {} import-guide < /dev/null",
            env!("CARGO_BIN_EXE_devguide")
        ),
    ]);
    cmd.env("TERM", "xterm-256color");
    let mut s = Session::spawn_isolated(cmd);
    s.wait_for_status("help");
    s.keys("n");
    s.wait_for_status("WebSocket Import Quick Reference");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_the_screen_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.md");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(100 * 1024 * 1024).expect("sparse 100 MB");
    let big = big.to_str().expect("utf-8 path");
    let mut s = Session::start(&[big], &[]);
    assert_eq!(s.wait_exit(), 1);
    s.wait_for("over the 64 MB limit");
    s.wait_for("DEVGUIDE_MAX_FILE_MB");
    assert!(
        !s.raw_text().contains("\x1b[?1049h"),
        "the alternate screen was never entered"
    );
    s.assert_restored();
}

#[test]
fn a_guide_full_of_escape_sequences_sends_none_of_them_to_the_terminal() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile/escapes.md"
    );
    let mut s = Session::start(&[file], &[]);
    s.wait_for("Raw CSI in text: before \u{241b}[2J");
    s.keys("G");
    s.wait_for("Footnote ref");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    let raw = s.raw_text();
    // The only OSCs are the reader's own: its background-colour query (OSC 11) and OSC 8
    // hyperlinks around URLs with no control characters. Nothing from the document can
    // set the title or write the clipboard.
    for (i, _) in raw.match_indices("\x1b]") {
        let rest = &raw[i + 2..];
        if rest.starts_with("11;?") {
            continue;
        }
        assert!(
            rest.starts_with("8;;"),
            "foreign OSC: {:?}",
            &rest[..rest.len().min(20)]
        );
        let url = &rest[3..rest.find('\x1b').unwrap_or(rest.len())];
        assert!(
            !url.chars().any(char::is_control),
            "control character in a hyperlink: {url:?}"
        );
    }
    assert!(!raw.contains('\u{9b}'), "no 8-bit CSI");
    assert!(!raw.contains("pwned") || raw.contains("\u{241b}]0;pwned"));
    // Cursor moves and screen clears are ratatui's own; the document's `ESC[2J`,
    // `ESC[10;10H` and `ESC[5m` never appear.
    for foreign in ["\x1b[10;10H", "\x1b[5m", "\x1b[7m", "\x1b[31mred"] {
        assert!(!raw.contains(foreign), "{foreign:?} reached the terminal");
    }
    s.assert_restored();
}

#[test]
fn with_no_terminal_for_keys_it_says_so_without_touching_the_screen() {
    // A new session has no controlling terminal: /dev/tty cannot be opened, and stdin is
    // /dev/null, but stdout is still the pty.
    let mut cmd = CommandBuilder::new("setsid");
    cmd.args([
        "-w",
        "sh",
        "-c",
        &format!(
            "exec {} import-guide < /dev/null",
            env!("CARGO_BIN_EXE_devguide")
        ),
    ]);
    cmd.env("TERM", "xterm-256color");
    let mut s = Session::spawn_isolated(cmd);
    assert_eq!(s.wait_exit(), 1);
    s.wait_for("no terminal to read keys from");
    assert!(
        !s.raw_text().contains("\x1b[?1049h"),
        "never entered the screen"
    );
    s.assert_restored();
}

/// A terminal dimension for vt100, which has no zero-sized screens.
fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

#[test]
fn sigquit_restores_the_terminal_and_keeps_the_state_file() {
    signal_keeps_state("QUIT", 3);
}

#[test]
fn sigusr1_restores_the_terminal_and_keeps_the_state_file() {
    signal_keeps_state("USR1", 10);
}

#[test]
fn a_sigtstp_from_outside_gives_the_terminal_back_and_sigcont_redraws() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for_status("help");
    assert!(s.alternate_screen());
    s.kill("TSTP");
    s.assert_restored();
    s.kill("CONT");
    s.poll("the alternate screen again", Session::alternate_screen);
    s.wait_for_status("help");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

/// Enter on an external link runs the configured browser with the URL; over SSH with no
/// browser named, nothing is opened, the status bar says why, and `y` copies the URL.
#[test]
fn enter_opens_an_external_link_and_y_copies_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let guides = dir.path().join("guides");
    std::fs::create_dir(&guides).expect("mkdir");
    std::fs::write(
        guides.join("links.md"),
        "# Links\n\nSee [the docs](https://example.com/docs) now.\n",
    )
    .expect("write");
    let log = dir.path().join("opened");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", log.display()),
    )
    .expect("write");
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("browser = \"{} --new-tab\"\n", browser.display()),
    )
    .expect("write");
    let g = guides.to_str().expect("utf-8");
    let c = config.to_str().expect("utf-8");
    let mut s = Session::start(&["links", "--dir", g], &[("DEVGUIDE_CONFIG", c)]);
    s.wait_for("the docs");
    s.keys("l");
    s.keys("\r");
    s.wait_for_status("opening https://example.com/docs");
    let start = Instant::now();
    let opened = loop {
        match std::fs::read_to_string(&log) {
            Ok(text) if text.ends_with('\n') => break text,
            _ if start.elapsed() > DEADLINE => panic!("the browser never ran"),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    assert_eq!(opened, "--new-tab\nhttps://example.com/docs\n");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);

    let mut s = Session::start(
        &["links", "--dir", g],
        &[
            ("SSH_CONNECTION", "10.0.0.1 1 10.0.0.2 22"),
            ("BROWSER", ""),
        ],
    );
    s.wait_for("the docs");
    s.keys("l");
    s.keys("\r");
    s.wait_for_status("not opened (over SSH)");
    s.keys("y");
    s.wait_for_status("link");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn a_late_background_colour_reply_is_not_read_as_keys() {
    let mut s = Session::start(&["import-guide"], &[]);
    s.wait_for_status("help");
    // What a slow terminal sends after the 100 ms window: `:` in it would open the finder.
    s.keys("\x1b]11;rgb:1e1e/1e1e/1e1e\x07");
    s.keys("?");
    s.wait_for("Keys");
    let screen = s.contents();
    assert!(!screen.contains("Find in all guides"), "{screen}");
    assert!(!screen.contains("rgb:"), "{screen}");
    s.keys("q");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn color_always_draws_colour_even_with_no_color_set() {
    let mut s = Session::start(&["import-guide", "--color", "always"], &[("NO_COLOR", "1")]);
    s.wait_for_status("help");
    s.wait_for("WebSocket Manager Import Guide");
    let raw = s.raw_text();
    assert!(
        raw.contains("\x1b[38;5;") || raw.contains("\x1b[38;2;"),
        "no foreground colour written"
    );
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn the_log_records_what_the_reader_did() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("devguide.log");
    let log_str = log.to_str().expect("utf-8");
    let mut s = Session::start(&["import-guide"], &[("DEVGUIDE_LOG", log_str)]);
    s.wait_for_status("help");
    s.keys(":");
    s.wait_for("Find in all guides");
    s.keys("\x1b");
    s.wait_until_gone("Find in all guides");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    let text = std::fs::read_to_string(&log).expect("log written");
    assert!(text.contains("msg key"), "{text}");
    assert!(text.contains("effect index"), "{text}");
    assert!(text.contains("effect quit"), "{text}");
}

#[test]
fn the_config_notice_on_stderr_defuses_escape_sequences_in_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    // An OSC 52 (clipboard write) in a value, written with TOML escapes.
    std::fs::write(&file, "theme = \"\\u001b]52;c;aGk=\\u0007x\"\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_devguide"))
        .args(["list", "--config", file.to_str().expect("utf-8")])
        .env("DEVGUIDE_STATE", dir.path().join("state.json"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("devguide: config:"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("\u{241b}]52;"),
        "shown as a placeholder: {stderr}"
    );
}

/// A folder holding `big.md`: 2 MB of sections between "The first paragraph." and "The
/// very last line of the guide.", well past what the first frame parses.
fn big_guide_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = big_body(
        "# Big guide\n\nThe first paragraph.\n\n",
        2 * 1024 * 1024,
        |i| {
            format!(
                "## Section {i}\n\nSome text for section {i}, long enough to wrap a little.\n\n"
            )
        },
        "The very last line of the guide.\n",
    );
    std::fs::write(dir.path().join("big.md"), &body).expect("write");
    dir
}

/// `head`, then `section(0)`, `section(1)`… until at least `size` bytes, then `tail`.
fn big_body(head: &str, size: usize, section: impl Fn(usize) -> String, tail: &str) -> String {
    let mut body = String::from(head);
    let mut i = 0;
    while body.len() < size {
        body.push_str(&section(i));
        i += 1;
    }
    body.push_str(tail);
    body
}

#[test]
fn g_on_the_first_frame_of_a_2_mb_guide_lands_on_its_last_line() {
    let dir = big_guide_folder();
    let d = dir.path().to_str().expect("utf-8");
    let mut s = Session::start(&["big", "--dir", d], &[]);
    // The first frame comes from a prefix; the rest is still being parsed.
    s.wait_for("The first paragraph.");
    s.keys("G");
    s.wait_for("The very last line of the guide.");
    s.wait_for_status("100%");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_resize_at_the_end_of_a_2_mb_guide_keeps_the_end_on_screen_and_every_key_works() {
    let dir = big_guide_folder();
    let d = dir.path().to_str().expect("utf-8");
    let mut s = Session::start(&["big", "--dir", d], &[]);
    s.wait_for("The first paragraph.");
    s.keys("G");
    s.wait_for("The very last line of the guide.");
    s.wait_for_status("100%");
    // Wider: the screen is laid out again from the block on top, filled upwards from the
    // end; the rest of the guide follows in idle time.
    s.resize(24, 120);
    s.poll("the end at the new width", |s| {
        s.contents().contains("The very last line of the guide.")
            && s.status_line().contains("100%")
            && s.contents().lines().all(|l| l.chars().count() <= 120)
    });
    // Up a line and back to the top: rows above the screen are all there.
    s.keys("k");
    s.keys("g");
    s.wait_for("The first paragraph.");
    s.keys("G");
    s.wait_for("The very last line of the guide.");
    s.wait_for_status("100%");
}

/// A folder of guides larger than the head read at start-up: the sidebar shows their
/// titles at once, another guide opens with its text, and once the whole set is read in
/// the background the finder finds words that lie past every guide's head.
#[test]
fn a_folder_opened_from_the_heads_of_its_files_reads_the_rest_behind_the_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let filler: String = (0..300)
        .map(|i| format!("Filler sentence number {i}.\n\n"))
        .collect();
    for (file, title, tail) in [
        ("a.md", "Alpha Chapter", "The alpha ends here."),
        ("b.md", "Bravo Chapter", "A zanzibarian word far down."),
        ("c.md", "Charlie Chapter", "The charlie ends here."),
    ] {
        let text = format!("# {title}\n\n{filler}{tail}\n");
        std::fs::write(dir.path().join(file), text).expect("write");
    }
    let d = dir.path().to_str().expect("utf-8");
    let mut s = Session::start(&["a", "--dir", d], &[]);
    s.wait_for("Alpha Chapter");
    s.wait_for("Bravo Chapter");
    s.wait_for("Charlie Chapter");
    s.keys(":");
    s.wait_for("Find in all guides");
    s.keys("zanzibarian");
    s.wait_for("1 hits");
    s.keys("\r");
    s.wait_until_gone("Find in all guides");
    // The reader is in the second guide, at the line that was past its head.
    s.wait_for("A zanzibarian word far down.");
    s.wait_for("Filler sentence number 299.");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_large_file_named_by_path_shows_its_first_screen_and_g_reaches_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Far past what is read before the first screen, with a mis-decoded emoji only at
    // the end: the whole brings it, repaired.
    let body = big_body(
        "# Big file\n\nThe opening paragraph.\n\n",
        3 * 1024 * 1024,
        |i| format!("## Part {i}\n\nText of part {i}, to wrap a little.\n\n"),
        "Target \u{fc}\u{e9}\u{d8} reached at the very end.\n",
    );
    let path = dir.path().join("big.md");
    std::fs::write(&path, &body).expect("write");
    let p = path.to_str().expect("utf-8");
    let mut s = Session::start(&[p], &[]);
    s.wait_for("The opening paragraph.");
    s.keys("G");
    s.wait_for("Target \u{1f3af} reached at the very end.");
    s.wait_for_status("100%");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// The findings of a code base in the reader: the overlay, the live state of the
/// self-verifying checklist item, and `Enter` handing the finding's line to the editor.
mod findings {
    use super::*;
    use std::path::{Path, PathBuf};

    /// The scan fixture: a code base with every form of retired import.
    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/code")
    }

    /// A fake editor that writes its arguments, one per line, to `log`.
    fn fake_editor(dir: &Path, log: &Path) -> PathBuf {
        let script = dir.join("editor.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{}'\n",
                log.display()
            ),
        )
        .expect("write");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        script
    }

    #[test]
    fn the_overlay_lists_the_findings_and_the_item_shows_its_live_state() {
        let code = fixture();
        let code = code.to_str().expect("utf-8");
        let mut s = Session::start(&["--code", code, "migration-checklist"], &[]);
        s.resize(32, 120);
        // The scan starts by itself: the item says what it found, beside its text.
        s.wait_for("Replace deprecated import paths with canonical paths  \u{b7} 11 imports left");
        s.wait_for("\u{b7} scan: 11 imports");
        s.keys("F");
        s.wait_for("7 deprecated and 4 problematic imports left in 5 files");
        s.wait_for("netra_backend/app/services/one_line.py");
        s.wait_for("deprecated  from netra_backend.app.websocket_core import WebSocketManager");
        // What the guide says about the selected one, with the replacement.
        s.wait_for(
            "use   from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
        );
        s.wait_for("see   import-guide#deprecated-patterns");
        s.keys("\x1b");
        s.wait_until_gone("Findings in");
        // Selecting the item says its state in full on the status line.
        s.keys("t");
        s.wait_for("scan: 7 deprecated and 4 problematic imports left in 5 files");
        s.keys("q");
        assert_eq!(s.wait_exit(), 0);
    }

    #[test]
    fn enter_on_a_finding_calls_the_editor_with_plus_line_then_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("editor-args");
        let editor = fake_editor(dir.path(), &log);
        let code = fixture();
        let mut s = Session::start(
            &[
                "--code",
                code.to_str().expect("utf-8"),
                "migration-checklist",
            ],
            &[("VISUAL", editor.to_str().expect("utf-8"))],
        );
        s.resize(32, 120);
        // Keys typed before the first frame could meet the terminal-colour query.
        s.wait_for("Replace deprecated import paths");
        s.keys("F");
        s.wait_for("netra_backend/app/services/guarded.py");
        s.wait_for("\u{25b8}     4:50  deprecated");
        s.keys("\r");
        s.poll("the editor to run", |_| {
            std::fs::read_to_string(&log).is_ok_and(|t| t.lines().count() == 3)
        });
        let args = std::fs::read_to_string(&log).expect("the editor ran");
        let file = code.join("netra_backend/app/services/guarded.py");
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            ["+4", "--", file.to_str().expect("utf-8")]
        );
        // The terminal comes back to the overlay, which scans again.
        s.wait_for("Findings in");
        s.wait_for("scanned at");
        s.keys("q");
        s.wait_until_gone("Findings in");
        s.keys("q");
        assert_eq!(s.wait_exit(), 0);
    }

    #[test]
    fn without_a_code_base_the_overlay_says_how_to_name_one() {
        let mut s = Session::start(&["migration-checklist"], &[]);
        s.wait_for("Replace deprecated import paths");
        s.keys("F");
        s.wait_for("no code base to check: start with --code PATH");
        s.keys("F");
        s.wait_until_gone("Findings");
        s.keys("q");
        assert_eq!(s.wait_exit(), 0);
    }
}
