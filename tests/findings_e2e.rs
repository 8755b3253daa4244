//! The findings of a code base in the real reader, in a pseudo-terminal read back through
//! a terminal emulator: the overlay, the live state of the self-verifying checklist item,
//! and `Enter` handing the finding's line to the editor. Every wait polls the screen with
//! a deadline; nothing sleeps to synchronise.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const DEADLINE: Duration = Duration::from_secs(20);
const ROWS: u16 = 32;
const COLS: u16 = 120;
const SCREEN_ROWS: std::num::NonZeroU16 = std::num::NonZeroU16::new(ROWS).expect("rows");
const SCREEN_COLS: std::num::NonZeroU16 = std::num::NonZeroU16::new(COLS).expect("cols");

struct Session {
    _state_dir: tempfile::TempDir,
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    /// The reader with `args`, no configuration and a state file of its own.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DEVGUIDE_CONFIG");
        cmd.env_remove("COLORFGBG");
        cmd.env_remove("VISUAL");
        cmd.env_remove("EDITOR");
        cmd.env("XDG_CONFIG_HOME", "/nonexistent-config-dir");
        let state_dir = tempfile::tempdir().expect("tempdir");
        cmd.env("DEVGUIDE_STATE", state_dir.path().join("state.json"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let child = pty.slave.spawn_command(cmd).expect("spawns");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(SCREEN_ROWS, SCREEN_COLS, 0)));
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .process(&buf[..n]);
            }
        });
        Session {
            _state_dir: state_dir,
            screen,
            writer,
            child,
            _master: pty.master,
        }
    }

    fn contents(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Polls until `done` holds, or fails with `what` and the screen.
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
        let _ = self.child.kill();
        panic!("did not exit; screen:\n{}", self.contents());
    }
}

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
