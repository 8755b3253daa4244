//! `devguide lsp` driven over stdio by a client of our own: the real binary, the real
//! protocol, every wait bounded by a deadline.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};

use lsp_client::{Client, apply_edits};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_devguide");
const OLD: &str = "from netra_backend.app.websocket_core import WebSocketManager";
const NEW: &str = "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager";

/// A workspace with a copy of the bundled guides as its guide folder.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let guides = tmp.path().join("guides");
    std::fs::create_dir_all(&guides).expect("mkdir");
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for entry in std::fs::read_dir(content).expect("content") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), guides.join(entry.file_name())).expect("copy");
    }
    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    (tmp, guides, ws)
}

fn open(c: &mut Client, uri: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

#[test]
fn a_client_session_from_initialize_to_exit() {
    let (tmp, guides, ws) = workspace();
    let log = tmp.path().join("lsp.log");
    let mut c = Client::spawn(
        BIN,
        &["--log", log.to_str().expect("utf-8")],
        &[("DEVGUIDE_LSP_TEST_PANIC", "1")],
        &ws,
    );

    // initialize: incremental sync, UTF-16 positions, the features offered.
    let init = c.initialize(&ws, json!({"dir": guides}));
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2, "{init}");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);
    assert!(caps["completionProvider"].is_object());
    assert!(caps["codeActionProvider"].is_object());
    assert_eq!(init["result"]["serverInfo"]["name"], "devguide");

    // didOpen: the deprecated import is a warning in the guide's words.
    let uri = format!("file://{}/app.py", ws.display());
    let mut text = format!("import os\n{OLD}\n");
    open(&mut c, &uri, &text);
    let diags = c.diagnostics(&uri);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 2, "deprecated is a warning");
    assert_eq!(d["source"], "devguide");
    assert_eq!(d["range"]["start"], pos(1, 45));
    assert_eq!(d["range"]["end"], pos(1, 61));
    let code = d["code"].as_str().expect("code");
    assert!(code.starts_with("import-guide#"), "{code}");
    let href = d["codeDescription"]["href"].as_str().expect("href");
    assert!(
        href.starts_with("file://") && href.contains("01-import-guide.md#"),
        "{href}"
    );
    let message = d["message"].as_str().expect("message");
    assert!(
        message.contains("Still works but generates deprecation warnings"),
        "{message}"
    );
    assert!(message.contains(NEW), "the replacement is named: {message}");

    // didChange, full text: the canonical import is clean.
    text = format!("import os\n{NEW}\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    assert!(c.diagnostics(&uri).is_empty());

    // didChange, incremental, with UTF-16 positions: a line with an astral character
    // first, then the module made deprecated again by deleting `.websocket_manager`.
    let changes = json!([
        {"range": {"start": pos(0, 0), "end": pos(0, 0)}, "text": "x = '😀'  # é\n"},
        {"range": {"start": pos(2, 37), "end": pos(2, 55)}, "text": ""},
    ]);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": changes}),
    );
    text = format!("x = '😀'  # é\nimport os\n{OLD}\n");
    let diags = c.diagnostics(&uri);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["range"]["start"], pos(2, 45));

    // Hover on the name: the canonical import comes first.
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(2, 50)}),
    );
    let md = hover["result"]["contents"]["value"]
        .as_str()
        .expect("markdown");
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");
    let canonical_at = md.find(NEW).expect("canonical in hover");
    let deprecated_at = md.find("deprecated").expect("deprecated in hover");
    assert!(canonical_at < deprecated_at, "{md}");

    // Code action: the fix rewrites the line to the canonical import.
    let actions = c.call(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": pos(2, 45), "end": pos(2, 45)},
            "context": {"diagnostics": diags},
        }),
    );
    let list = actions["result"].as_array().expect("actions");
    let fix = list
        .iter()
        .find(|a| a["title"] == "Use the canonical import")
        .expect("fix action");
    assert_eq!(fix["kind"], "quickfix");
    let edits = fix["edit"]["changes"][&uri].as_array().expect("edits");
    assert_eq!(
        apply_edits(&text, edits),
        format!("x = '😀'  # é\nimport os\n{NEW}\n")
    );
    let open_guide = list
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Open the guide at import-guide#"))
        })
        .expect("open action");
    assert_eq!(open_guide["command"]["command"], "devguide.openGuide");
    let shown = c.call(
        "workspace/executeCommand",
        json!({"command": "devguide.openGuide", "arguments": open_guide["command"]["arguments"]}),
    );
    let section = shown["result"]["markdown"].as_str().expect("section");
    assert!(section.contains(OLD), "{section}");

    // Completion after `from netra_backend.`: canonical lines only.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [
            {"range": {"start": pos(3, 0), "end": pos(3, 0)}, "text": "from netra_backend."}
        ]}),
    );
    let items = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos(3, 19)}),
    );
    let labels: Vec<&str> = items["result"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&NEW), "{labels:?}");
    assert!(!labels.contains(&OLD), "{labels:?}");
    // The buffer is back to one finding after the partial line is published.
    let _ = c.diagnostics(&uri);

    // A guide change: new words in the guide, new words in the editor.
    let guide = guides.join("01-import-guide.md");
    let body = std::fs::read_to_string(&guide).expect("guide");
    let edited = body.replace(
        "Still works but generates deprecation warnings",
        "Retired in the new guide",
    );
    assert_ne!(body, edited);
    std::fs::write(&guide, edited).expect("write guide");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}", guide.display()), "type": 2}]}),
    );
    let diags = c.diagnostics(&uri);
    let message = diags[0]["message"].as_str().expect("message");
    assert!(message.contains("Retired in the new guide"), "{message}");

    // Malformed input gets errors, and the server keeps serving.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let err = c.wait_for("parse error", |v| v["error"]["code"] == -32700);
    assert_eq!(err["id"], Value::Null);
    c.send(&json!({"jsonrpc": "2.0", "id": 99, "method": 7}));
    let err = c.response(99);
    assert_eq!(err["error"]["code"], -32600);
    let err = c.call("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(err["error"]["code"], -32602);
    let err = c.call("no/such/method", json!({}));
    assert_eq!(err["error"]["code"], -32601);

    // A panic in one request is an error answer and a log line, not a crash.
    let err = c.call("devguide/panic", json!({}));
    assert_eq!(err["error"]["code"], -32603);
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(2, 50)}),
    );
    assert!(hover["result"]["contents"]["value"].is_string(), "{hover}");
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.contains("panic"), "{logged}");

    // shutdown, then exit: exit code 0.
    let down = c.call("shutdown", Value::Null);
    assert_eq!(down["result"], Value::Null);
    assert!(down.get("error").is_none());
    let after = c.call("textDocument/hover", json!({}));
    assert_eq!(
        after["error"]["code"], -32600,
        "requests after shutdown are refused"
    );
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_code_1_and_requests_before_initialize_are_refused() {
    let (_tmp, _guides, ws) = workspace();
    let mut c = Client::spawn(BIN, &[], &[], &ws);
    let early = c.call("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    c.initialize(&ws, json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

#[test]
fn problematic_imports_are_errors_and_strings_are_not_code() {
    let (tmp, _guides, ws) = workspace();
    // A guide set of its own: the rules come from its markdown only.
    let own = tmp.path().join("own");
    std::fs::create_dir_all(&own).expect("mkdir");
    std::fs::write(
        own.join("engine.md"),
        "# Engine imports\n\n```python\n# PROBLEMATIC: Circular import at startup\n\
         from acme.core import Engine\n# CANONICAL\nfrom acme.engine import Engine\n```\n",
    )
    .expect("write");
    let mut c = Client::spawn(BIN, &[], &[], &ws);
    c.initialize(&ws, json!({"dir": own}));
    let uri = format!("file://{}/b.py", ws.display());
    let text = "\"\"\"from acme.core import Engine\"\"\"\n# from acme.core import Engine\n\
                s = 'from acme.core import Engine'\nfrom acme.core import Engine\n";
    open(&mut c, &uri, text);
    let diags = c.diagnostics(&uri);
    assert_eq!(diags.len(), 1, "only the code line: {diags:#?}");
    assert_eq!(diags[0]["severity"], 1, "problematic is an error");
    assert_eq!(diags[0]["range"]["start"]["line"], 3);
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Circular import at startup")),
        "{diags:#?}"
    );
    c.call("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));
}

#[test]
fn the_guides_are_polled_when_the_client_does_not_report_changes() {
    let (_tmp, guides, ws) = workspace();
    let mut c = Client::spawn(BIN, &["--dir", guides.to_str().expect("utf-8")], &[], &ws);
    c.initialize(&ws, json!({}));
    let uri = format!("file://{}/c.py", ws.display());
    open(&mut c, &uri, &format!("{OLD}\n"));
    assert_eq!(c.diagnostics(&uri).len(), 1);
    let guide = guides.join("01-import-guide.md");
    let body = std::fs::read_to_string(&guide).expect("guide");
    std::fs::write(
        &guide,
        body.replace(
            "Still works but generates deprecation warnings",
            "Polled words",
        ),
    )
    .expect("write");
    let diags = c.diagnostics(&uri);
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Polled words")),
        "{diags:#?}"
    );
}

#[test]
fn clients_that_pull_get_document_and_workspace_diagnostics_and_no_pushes() {
    let (_tmp, _guides, ws) = workspace();
    std::fs::create_dir_all(ws.join("pkg")).expect("mkdir");
    std::fs::write(ws.join("pkg/on_disk.py"), format!("{OLD}\n")).expect("write");
    std::fs::write(ws.join("pkg/clean.py"), format!("{NEW}\n")).expect("write");
    // Walked as `devguide scan` walks: virtualenvs are not the team's code.
    std::fs::create_dir_all(ws.join("venv/lib")).expect("mkdir");
    std::fs::write(ws.join("venv/pyvenv.cfg"), "home = /usr/bin\n").expect("write");
    std::fs::write(ws.join("venv/lib/vendored.py"), format!("{OLD}\n")).expect("write");
    let mut c = Client::spawn(BIN, &[], &[], &ws);
    let init = c.call(
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", ws.display()),
            "capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": false}}},
        }),
    );
    assert_eq!(
        init["result"]["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"], true,
        "{init}"
    );
    c.notify("initialized", json!({}));
    let uri = format!("file://{}/open.py", ws.display());
    open(&mut c, &uri, &format!("import os\n{OLD}\n"));
    let doc = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(doc["result"]["kind"], "full");
    assert_eq!(
        doc["result"]["items"].as_array().map(Vec::len),
        Some(1),
        "{doc}"
    );
    let all = c.call("workspace/diagnostic", json!({"previousResultIds": []}));
    let files: Vec<&str> = all["result"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["uri"].as_str())
        .collect();
    // The open (unsaved) document and the file on disk with a finding; not the clean one.
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("/ws/open.py")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("pkg/on_disk.py")),
        "{files:?}"
    );
    c.call("shutdown", Value::Null);
    assert!(
        !c.backlog
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "a pulling client gets no pushes: {:#?}",
        c.backlog
    );
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));
}

#[test]
fn a_burst_of_edits_is_analysed_once_it_settles() {
    let (_tmp, _guides, ws) = workspace();
    let mut c = Client::spawn(BIN, &[], &[], &ws);
    c.initialize(&ws, json!({}));
    let uri = format!("file://{}/burst.py", ws.display());
    open(&mut c, &uri, &format!("{OLD}\n"));
    assert_eq!(c.diagnostics(&uri).len(), 1);
    // Fifty keystrokes in one write, as a fast typist's editor sends them.
    const EDITS: i64 = 50;
    let mut burst = Vec::new();
    for k in 0..EDITS {
        let body = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 2 + k},
                "contentChanges": [{"range": {"start": pos(1, 0), "end": pos(1, 0)}, "text": "x"}],
            },
        })
        .to_string();
        burst.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    c.send_raw(&burst);
    let last = c.wait_for("diagnostics of the last edit", |v| {
        v["method"] == "textDocument/publishDiagnostics"
            && v["params"]["version"] == json!(1 + EDITS)
    });
    assert_eq!(
        last["params"]["diagnostics"].as_array().map(Vec::len),
        Some(1)
    );
    let published = c
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count()
        + 1;
    assert!(
        published < (EDITS / 2) as usize,
        "{published} analyses for {EDITS} edits in one burst"
    );
}

#[test]
fn capabilities_the_types_cannot_read_still_get_a_server() {
    let (_tmp, _guides, ws) = workspace();
    let mut c = Client::spawn(BIN, &[], &[], &ws);
    let init = c.call(
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", ws.display()),
            "capabilities": {"textDocument": 5},
        }),
    );
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    c.notify("initialized", json!({}));
    let uri = format!("file://{}/d.py", ws.display());
    open(&mut c, &uri, &format!("{OLD}\n"));
    assert_eq!(c.diagnostics(&uri).len(), 1);
    let bad = c.call("initialize", json!({}));
    assert_eq!(
        bad["error"]["code"], -32600,
        "a second initialize is refused"
    );
}
