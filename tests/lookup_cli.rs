//! `devguide lookup` as a user runs it: answers, JSON, no-match exits.

use assert_cmd::Command;

fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("COLORTERM")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

const CANONICAL: &str =
    "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager";

#[test]
fn lookup_prints_canonical_first_then_deprecated_with_reason() {
    let out = devguide()
        .args(["lookup", "WebSocketManager"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# canonical");
    assert_eq!(lines[1], CANONICAL);
    let dep = text.find("# deprecated").expect("deprecated group");
    let after = &text[dep..];
    assert!(after.contains("from netra_backend.app.websocket_core import WebSocketManager\n"));
    assert!(after.contains("where: import-guide#deprecated-patterns:"));
    assert!(after.contains("deprecation warnings"));
    assert!(!text.contains('\u{1b}'), "no escape sequences in a pipe");
}

#[test]
fn lookup_json_groups_forms() {
    let out = devguide()
        .args(["lookup", "UnifiedWebSocketManager", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["format"], 1);
    assert_eq!(v["found"], true);
    assert_eq!(
        v["problematic"][0]["import_line"],
        "from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager"
    );
    assert_eq!(v["problematic"][0]["anchor"], "problematic-patterns");
    assert_eq!(v["canonical"][0]["class"], "canonical");
}

#[test]
fn lookup_without_a_match_exits_1_with_near_matches() {
    let out = devguide()
        .args(["lookup", "WebSocketManagr"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("near matches: WebSocketManager"), "{err}");
    let out = devguide()
        .args(["lookup", "Nothing", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["found"], false);
}

#[test]
fn lookup_usage_errors_exit_2() {
    let out = devguide().args(["lookup"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = devguide().args(["lookup", " "]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lookup_reads_another_guide_set() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lookup");
    let out = devguide()
        .args(["lookup", "Client", "--dir", dir])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.starts_with("# canonical\nfrom acme.storage.client import Client\n"),
        "{text}"
    );
    assert!(
        text.contains("# unclassified\nuse acme_storage::Client;\n"),
        "{text}"
    );
}

#[test]
fn lookup_falls_back_to_any_case_and_suggests_the_replacement() {
    let out = devguide()
        .args(["lookup", "get_WebSocket_manager"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("no exact match"), "{err}");
    assert!(
        text.contains("    caveat: Backward compatibility function; new code: Direct instantiation with user context: websocket_manager = WebSocketManager(user_context=user_context)"),
        "{text}"
    );
    assert!(
        text.contains("    use: from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager"),
        "{text}"
    );
    let out = devguide()
        .args(["lookup", "WebSocketManager", "--json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ignored_case"], false);
    assert_eq!(
        v["replacement"]["module"],
        "netra_backend.app.websocket_core.websocket_manager"
    );
}
