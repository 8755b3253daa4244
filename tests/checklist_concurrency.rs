//! Two devguide processes ticking at once must both keep their ticks: each
//! read-modify-write locks the file and re-reads it before writing.

use std::path::{Path, PathBuf};
use std::process::Command;

const PER_PROCESS: usize = 60;

fn devguide(dir: &Path, state: &Path, args: &[String]) {
    let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
        .arg("checklist")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .arg("--state")
        .arg(state)
        .env_remove("DEVGUIDE_STATE")
        .output()
        .expect("run devguide");
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each process ticks its own items one by one, toggling a scratch item of its own in
/// between: 3 × 60 = 180 writes per process, 360 in all.
fn worker(dir: PathBuf, state: PathBuf, first: usize, scratch: usize) {
    for k in 0..PER_PROCESS {
        devguide(
            &dir,
            &state,
            &["tick".into(), "m".into(), (first + k).to_string()],
        );
        devguide(
            &dir,
            &state,
            &["tick".into(), "m".into(), scratch.to_string()],
        );
        devguide(
            &dir,
            &state,
            &["untick".into(), "m".into(), scratch.to_string()],
        );
    }
}

#[test]
fn two_processes_ticking_at_once_keep_every_tick() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("guides");
    std::fs::create_dir(&dir).expect("mkdir");
    let mut md = String::from("# Work\n\n");
    for side in ["a", "b"] {
        for k in 0..PER_PROCESS {
            md.push_str(&format!("- [ ] item {side}{k:03}\n"));
        }
    }
    md.push_str("- [ ] scratch a\n- [ ] scratch b\n");
    std::fs::write(dir.join("work.md"), md).expect("write guide");
    let state = tmp.path().join("state.json");
    devguide(&dir, &state, &["new".into(), "m".into()]);

    let scratch_a = 2 * PER_PROCESS + 1;
    let handles: Vec<_> = [(1, scratch_a), (PER_PROCESS + 1, scratch_a + 1)]
        .into_iter()
        .map(|(first, scratch)| {
            let (dir, state) = (dir.clone(), state.clone());
            std::thread::spawn(move || worker(dir, state, first, scratch))
        })
        .collect();
    for h in handles {
        h.join().expect("worker");
    }

    let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
        .args(["checklist", "show", "m", "--json", "--dir"])
        .arg(&dir)
        .arg("--state")
        .arg(&state)
        .output()
        .expect("show");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 2 * PER_PROCESS + 2);
    let missing: Vec<&str> = items[..2 * PER_PROCESS]
        .iter()
        .filter(|i| i["ticked"] != true)
        .map(|i| i["text"].as_str().unwrap_or("?"))
        .collect();
    assert!(missing.is_empty(), "lost ticks: {missing:?}");
    assert_eq!(items[2 * PER_PROCESS]["ticked"], false);
    assert_eq!(items[2 * PER_PROCESS + 1]["ticked"], false);
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".corrupt-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
