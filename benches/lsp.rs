//! Language server budgets, measured from the client side over the real process's stdio:
//!
//! - `start_to_initialize`: spawning `devguide lsp` until the `initialize` answer arrives
//!   (budget 20 ms);
//! - `diagnostics_after_change/2000_lines`: an incremental `didChange` to a 2,000-line
//!   Python file until its `publishDiagnostics` arrives, debounce included (budget 10 ms);
//! - `hover`: a hover request on an import until its answer (budget 5 ms);
//! - peak memory of the server with the bundled guides and that file open, read from
//!   `/proc/PID/status` (`VmHWM`) and printed at the end (budget 30 MB).
//!
//! `cargo bench --bench lsp`; criterion prints the medians.

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_client::Client;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_devguide");
const OLD: &str = "from netra_backend.app.websocket_core import WebSocketManager";
const NEW: &str = "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager";

/// A 2,000-line module: imports (some retired) at the top, then functions whose strings
/// and comments mention the guides' modules, so the scan reads the whole file.
fn python_file(lines: usize) -> String {
    let mut out = String::new();
    for i in 0..10 {
        out.push_str(if i % 2 == 0 { OLD } else { NEW });
        out.push('\n');
    }
    let mut n = 10;
    let mut f = 0;
    while n < lines {
        out.push_str(&format!("def handler_{f}(ctx, payload):\n"));
        out.push_str("    \"\"\"Handles one event; see netra_backend.app.websocket_core.\"\"\"\n");
        out.push_str("    manager = WebSocketManager(user_context=ctx)  # netra_backend\n");
        out.push_str(&format!("    value = payload.get('key_{f}', {f})\n"));
        out.push_str("    return manager.send(value)\n");
        out.push('\n');
        n += 6;
        f += 1;
    }
    out
}

fn started(dir: &std::path::Path) -> Client {
    let mut c = Client::spawn(BIN, &[], &[], dir);
    let init = c.initialize(dir, json!({}));
    assert!(init["result"].is_object(), "{init}");
    c
}

fn stop(mut c: Client) {
    c.call("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let _ = c.wait_exit();
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut group = c.benchmark_group("lsp");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(6));

    group.bench_function("start_to_initialize", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let c = started(dir);
                total += t.elapsed();
                stop(c);
            }
            total
        })
    });

    let text = python_file(2_000);
    assert!(text.lines().count() >= 2_000);
    let uri = format!("file://{}/big.py", dir.display());
    let mut client = started(dir);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    let first = client.diagnostics(&uri);
    assert_eq!(first.len(), 5, "five retired imports in the file");
    let mut version = 1;
    let edit_line = 1_000u32;
    group.sample_size(100);
    group.bench_function("diagnostics_after_change/2000_lines", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                version += 1;
                // Insert a character, then delete it: the text alternates, every change
                // is a real one and the file never grows.
                let change = if version % 2 == 0 {
                    json!({"range": {"start": {"line": edit_line, "character": 4},
                                      "end": {"line": edit_line, "character": 4}}, "text": "x"})
                } else {
                    json!({"range": {"start": {"line": edit_line, "character": 4},
                                      "end": {"line": edit_line, "character": 5}}, "text": ""})
                };
                let t = Instant::now();
                client.notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": version},
                           "contentChanges": [change]}),
                );
                let msg = client.wait_for("diagnostics", |v| {
                    v["method"] == "textDocument/publishDiagnostics"
                        && v["params"]["version"] == version
                });
                total += t.elapsed();
                assert_eq!(
                    msg["params"]["diagnostics"].as_array().map(Vec::len),
                    Some(5)
                );
            }
            total
        })
    });

    group.bench_function("hover", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let r = client.call(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri},
                           "position": {"line": 0, "character": 50}}),
                );
                total += t.elapsed();
                assert!(r["result"]["contents"]["value"].is_string());
            }
            total
        })
    });
    group.finish();

    let status =
        std::fs::read_to_string(format!("/proc/{}/status", client.child.id())).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: unknown");
    println!("lsp peak memory (bundled guides, 2,000-line file open): {hwm}");
    stop(client);
}

criterion_group!(benches, bench);
criterion_main!(benches);
