//! End to end with a real editor: neovim's built-in LSP client opens a Python file with a
//! deprecated import, shows the guide's reason, hovers, and applies the code action.
//!
//! neovim is installed by `.ci/install-neovim` when missing; where it cannot be (no
//! apt-get, not root, no network) the test says so and skips.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_devguide");
const OLD: &str = "from netra_backend.app.websocket_core import WebSocketManager";
const NEW: &str = "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager";

fn neovim() -> bool {
    let has = || {
        Command::new("nvim")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has() {
        return true;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/install-neovim");
    let _ = Command::new(script).status();
    has()
}

#[test]
fn neovim_shows_the_guides_reason_and_the_code_action_fixes_the_import() {
    if !neovim() {
        eprintln!(
            "SKIPPED neovim end-to-end test: nvim is not installed and .ci/install-neovim \
             could not install it here"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("app.py");
    std::fs::write(&file, format!("import os\n{OLD}\n")).expect("write");
    let out = tmp.path().join("seen.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/editor/nvim_lsp.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE"])
        .arg(&file)
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .current_dir(tmp.path())
        .env("DEVGUIDE_BIN", BIN)
        .env("DEVGUIDE_OUT", &out)
        .env_remove("DEVGUIDE_CONFIG")
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("XDG_STATE_HOME", tmp.path().join("state"))
        .env("XDG_DATA_HOME", tmp.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nvim");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("neovim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seen = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(status.success(), "nvim failed: {status}\n{seen}");
    assert!(!seen.contains("error:"), "{seen}");
    assert!(
        seen.contains("diagnostic: 1:45: severity 2: deprecated import")
            && seen.contains("Still works but generates deprecation warnings"),
        "the guide's reason is shown:\n{seen}"
    );
    assert!(seen.contains("hover: **WebSocketManager**"), "{seen}");
    assert!(seen.contains("action: Use the canonical import"), "{seen}");
    assert!(seen.contains(&format!("line: {NEW}")), "{seen}");
    assert!(seen.contains("clean after fix: true"), "{seen}");
}
