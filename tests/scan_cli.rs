//! `devguide scan` and `devguide fix` run as a user would, on the fixture code base
//! (tests/fixtures/scan/code) that holds every form the guides' rules must catch and the
//! look-alikes they must not.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const CODE: &str = "tests/fixtures/scan/code";

fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("DEVGUIDE_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-config-dir")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(devguide().args(args));
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    serde_json::from_str(&out).expect("valid json")
}

/// (file name, line, class, form, context) of each finding.
fn summary(v: &Value) -> Vec<(String, u64, String, String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().expect("path");
            (
                Path::new(path)
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                f["line"].as_u64().expect("line"),
                f["class"].as_str().expect("class").to_string(),
                f["form"].as_str().expect("form").to_string(),
                f["context"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

fn s(a: &str, l: u64, c: &str, f: &str, x: &str) -> (String, u64, String, String, String) {
    (a.into(), l, c.into(), f.into(), x.into())
}

#[test]
fn scan_finds_every_form_and_no_look_alike() {
    let v = json(&["scan", CODE, "--format", "json"]);
    assert_eq!(v["format"], 1);
    assert_eq!(
        summary(&v),
        [
            s("guarded.py", 4, "deprecated", "from", "TYPE_CHECKING"),
            s(
                "guarded.py",
                7,
                "problematic",
                "from",
                "try/except ImportError"
            ),
            s("one_line.py", 2, "deprecated", "from", ""),
            s("one_line.py", 3, "deprecated", "from", ""),
            s("one_line.py", 4, "problematic", "import", ""),
            s("parenthesised.py", 2, "deprecated", "from", ""),
            s("parenthesised.py", 3, "deprecated", "from", ""),
            s("parenthesised.py", 6, "problematic", "from", ""),
            s("relative.py", 1, "deprecated", "from", ""),
            s("test_patching.py", 6, "deprecated", "string_target", ""),
            s("test_patching.py", 13, "problematic", "string_target", ""),
        ]
    );
    let f = &v["findings"][3];
    assert_eq!(f["rule"], "import-guide#application-code");
    assert_eq!(f["reason"], "Legacy factory pattern");
    assert_eq!(
        f["replacement"]["import_line"],
        "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager"
    );
    assert_eq!(
        f["replacement"]["caveat"],
        "Backward compatibility function"
    );
    assert!(
        f["advice"][0]
            .as_str()
            .is_some_and(|a| a.contains("WebSocketManager(user_context=user_context)")),
        "{f}"
    );
    assert_eq!(
        v["findings"][8]["module"],
        "netra_backend.app.websocket_core"
    );
    assert_eq!(
        v["summary"]["per_rule"]["import-guide#problematic-patterns"],
        4
    );
}

#[test]
fn exit_codes_follow_ruff() {
    let (code, out, _) = run(devguide().args([
        "scan",
        &format!("{CODE}/netra_backend/app/services/clean.py"),
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("no deprecated or problematic imports"),
        "{out}"
    );
    let (code, out, _) = run(devguide().args(["scan", CODE]));
    assert_eq!(code, 1);
    assert!(
        out.contains("7 deprecated and 4 problematic imports left in 5 files"),
        "{out}"
    );
    let (code, _, err) = run(devguide().args(["scan", "no/such/folder"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/folder: no such file or folder"),
        "{err}"
    );
    let (code, _, _) = run(devguide().args(["scan", "--format", "yaml"]));
    assert_eq!(code, 2);
}

#[test]
fn human_output_groups_by_file_with_colour_per_class() {
    let (_, out, _) = run(devguide().args(["scan", CODE, "--color", "always"]));
    assert!(out.contains("\x1b[33mdeprecated\x1b[0m"), "{out}");
    assert!(out.contains("\x1b[1;31mproblematic\x1b[0m"), "{out}");
    let (_, plain, _) = run(devguide().args(["scan", CODE]));
    assert!(!plain.contains('\x1b'));
    let headers: Vec<&str> = plain.lines().filter(|l| l.ends_with(".py")).collect();
    assert_eq!(headers.len(), 5, "{plain}");
    assert!(plain.contains("see: import-guide#deprecated-patterns"));
}

#[test]
fn sarif_has_the_required_fields_of_2_1_0() {
    let v = json(&["scan", CODE, "--format", "sarif"]);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "devguide");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    assert!(ids.contains(&"import-guide#deprecated-patterns"), "{ids:?}");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 11);
    let mut fixes = 0;
    for r in results {
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids[index], id);
        assert!(matches!(r["level"].as_str(), Some("warning" | "error")));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with("tests/fixtures/scan/code/") && uri.ends_with(".py"),
            "{uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(
            loc["region"]["startColumn"]
                .as_u64()
                .is_some_and(|c| c >= 1)
        );
        if let Some(list) = r["fixes"].as_array() {
            for f in list {
                let change = &f["artifactChanges"][0];
                assert!(change["artifactLocation"]["uri"].is_string());
                let rep = &change["replacements"][0];
                assert!(rep["deletedRegion"]["startLine"].as_u64().is_some());
                assert!(
                    rep["insertedContent"]["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("websocket_manager"))
                );
                fixes += 1;
            }
        }
    }
    assert_eq!(fixes, 7);
}

#[test]
fn github_annotations() {
    let (code, out, _) = run(devguide().args(["scan", CODE, "--format", "github"]));
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("::warning file=") || l.starts_with("::error file="))
    );
    assert!(
        lines.iter().any(|l| l.starts_with("::error file=tests/fixtures/scan/code/netra_backend/app/services/guarded.py,line=7,col=66,")),
        "{out}"
    );
}

fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("code");
    copy_dir(Path::new(CODE), &root);
    (dir, root)
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).expect("read file")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fix_round_trip_diff_apply_compile_rescan_idempotent() {
    let (_dir, root) = fixture_copy();
    // CRLF line endings stay CRLF.
    let crlf = root.join("netra_backend/app/services/crlf.py");
    std::fs::write(
        &crlf,
        "import os\r\nfrom netra_backend.app.websocket_core import WebSocketManager  # keep\r\nx = os\r\n",
    )
    .expect("write");
    let before = snapshot(&root);
    let (code, diff, _) = run(devguide().args(["fix", "--diff"]).arg(&root));
    assert_eq!(code, 1);
    assert_eq!(snapshot(&root), before, "--diff writes nothing");
    assert!(
        diff.contains("-from ..websocket_core import WebSocketManager"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+from netra_backend.app.websocket_core.websocket_manager import WebSocketManager"
        ),
        "{diff}"
    );
    assert!(!diff.contains("look_alikes.py"));
    let (code, _, err) = run(devguide().arg("fix").arg(&root));
    assert_eq!(code, 1, "factory and patch() strings remain: {err}");
    assert!(err.contains("fixed 8 imports in 5 files; 4 left"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&crlf).expect("read"),
        "import os\r\nfrom netra_backend.app.websocket_core.websocket_manager import WebSocketManager  # keep\r\nx = os\r\n"
    );
    let after = snapshot(&root);
    let compiled = std::process::Command::new("python3")
        .args(["-m", "compileall", "-q"])
        .arg(&root)
        .output();
    if let Ok(c) = compiled {
        assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stdout));
    }
    let v = json(&[
        "scan",
        root.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let left = v["findings"].as_array().expect("findings");
    assert_eq!(left.len(), 4);
    assert!(left.iter().all(|f| f["fixable"] == false));
    let (code, _, err) = run(devguide().arg("fix").arg(&root));
    assert_eq!(code, 1);
    assert!(err.contains("fixed 0 imports in 0 files"), "{err}");
    let again: Vec<(PathBuf, Vec<u8>)> = snapshot(&root)
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("__pycache__"))
        .collect();
    let after: Vec<(PathBuf, Vec<u8>)> = after;
    assert_eq!(again, after, "a second fix changes nothing");
}

#[test]
fn a_second_guide_set_brings_its_own_rules() {
    let (code, out, _) = run(devguide().args([
        "scan",
        "tests/fixtures/scan/code2",
        "--dir",
        "tests/fixtures/scan/guides2",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    let names: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or(""),
                f["class"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Client", "deprecated"),
            ("open_bucket", "deprecated"),
            ("FakeClient", "problematic")
        ]
    );
    assert_eq!(
        v["findings"][0]["reason"],
        "The flat module is going away in 3.0"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(Path::new("tests/fixtures/scan/code2"), dir.path());
    let (_, diff, _) = run(devguide()
        .args(["fix", "--diff", "--dir", "tests/fixtures/scan/guides2"])
        .arg(dir.path()));
    assert!(
        diff.contains("+from shop.storage.client import Client, open_bucket as ob"),
        "{diff}"
    );
}

#[test]
fn the_walk_skips_ignored_hidden_binary_and_virtualenv_files_and_reports_bad_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = b"from netra_backend.app.websocket_core import WebSocketManager\n";
    let root = dir.path();
    for p in [
        "app/main.py",
        "app/ignored.py",
        ".hidden/x.py",
        "env/lib/x.py",
        "app/__pycache__/x.py",
        "lib/site-packages/x.py",
    ] {
        std::fs::create_dir_all(root.join(p).parent().expect("parent")).expect("mkdir");
        std::fs::write(root.join(p), line).expect("write");
    }
    std::fs::write(root.join("env/pyvenv.cfg"), "home = /usr\n").expect("write");
    std::fs::write(root.join(".ignore"), "ignored.py\n").expect("write");
    let mut binary = line.to_vec();
    binary.push(0);
    std::fs::write(root.join("app/binary.py"), binary).expect("write");
    let mut latin = b"# caf\xe9\n".to_vec();
    latin.extend_from_slice(line);
    std::fs::write(root.join("app/latin.py"), latin).expect("write");
    let (code, out, err) = run(devguide().args(["scan", "--format", "json"]).arg(root));
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("app/main.py"));
    assert!(err.contains("latin.py: not valid UTF-8"), "{err}");
}

#[test]
fn a_self_verifying_item_gates_checklist_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let with_state = |args: &[&str]| {
        let mut cmd = devguide();
        cmd.env("DEVGUIDE_STATE", &state).args(args);
        run(&mut cmd)
    };
    let (code, _, err) = with_state(&["checklist", "new", "ws"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = with_state(&["checklist", "status", "ws", "--verify", CODE]);
    assert_eq!(code, 1);
    assert!(
        out.contains("[!!] Replace deprecated import paths with canonical paths (scan: 7 deprecated and 4 problematic imports left in 5 files)"),
        "{out}"
    );
    assert!(out.contains("ws: 0/5 done"), "{out}");
    let (_keep, root) = fixture_copy();
    let clean = root.join("netra_backend/app/services/clean.py");
    let clean = clean.to_str().expect("utf-8 path");
    let (code, out, _) = with_state(&["checklist", "status", "ws", "--verify", clean]);
    assert_eq!(code, 1, "other items are not ticked yet");
    assert!(
        out.contains(
            "[ok] Replace deprecated import paths with canonical paths (scan: verified clean at "
        ),
        "{out}"
    );
    assert!(out.contains("ws: 1/5 done"), "{out}");
    let (code, _, err) = with_state(&["checklist", "tick", "ws", "2", "3", "4", "5"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = with_state(&["checklist", "status", "ws", "--verify", clean]);
    assert_eq!(code, 0, "{out}");
    // Without --verify the item is an ordinary, unticked one.
    let (code, out, _) = with_state(&["checklist", "status", "ws"]);
    assert_eq!(code, 1);
    assert!(out.contains("ws: 4/5 done"), "{out}");
    let (code, _, _) = with_state(&["checklist", "status", "ws", "--verify", "no/such/dir"]);
    assert_eq!(code, 2);
}

#[test]
fn scan_with_a_migration_records_its_summary_for_checklist_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let with_state = |args: &[&str]| {
        let mut cmd = devguide();
        cmd.env("DEVGUIDE_STATE", &state).args(args);
        run(&mut cmd)
    };
    let (code, _, err) = with_state(&["scan", CODE, "--migration", "ws"]);
    assert_eq!(code, 2, "unknown migration");
    assert!(err.contains("devguide checklist new ws"), "{err}");
    assert_eq!(with_state(&["checklist", "new", "ws"]).0, 0);
    let (code, _, err) = with_state(&["scan", CODE, "--migration", "ws"]);
    assert_eq!(code, 1, "{err}");
    let clean = format!("{CODE}/netra_backend/app/services/clean.py");
    assert_eq!(with_state(&["scan", &clean, "--migration", "ws"]).0, 0);
    let history = std::fs::read_to_string(dir.path().join("scans.json")).expect("history");
    let v: Value = serde_json::from_str(&history).expect("json");
    assert_eq!(v["version"], 1);
    let (_, out, _) = with_state(&["checklist", "show", "ws"]);
    assert!(
        out.contains("scan: 0 deprecated and 0 problematic imports left (scan at "),
        "{out}"
    );
    assert!(out.contains("; 11 at "), "{out}");
}
