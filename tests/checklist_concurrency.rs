//! Two devguide processes ticking at once must both keep their ticks: each
//! read-modify-write locks the state and re-reads what changed before writing. Both in
//! one migration (the same file rewritten by both) and in two (one file each, one index).

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
fn worker(dir: PathBuf, state: PathBuf, m: String, first: usize, scratch: usize) {
    for k in 0..PER_PROCESS {
        devguide(
            &dir,
            &state,
            &["tick".into(), m.clone(), (first + k).to_string()],
        );
        devguide(
            &dir,
            &state,
            &["tick".into(), m.clone(), scratch.to_string()],
        );
        devguide(
            &dir,
            &state,
            &["untick".into(), m.clone(), scratch.to_string()],
        );
    }
}

#[test]
fn two_processes_ticking_in_the_same_migration_keep_every_tick() {
    run_two(["m", "m"]);
}

#[test]
fn two_processes_ticking_in_two_migrations_keep_every_tick() {
    run_two(["m", "n"]);
}

fn run_two(migrations: [&str; 2]) {
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
    devguide(&dir, &state, &["new".into(), "n".into()]);

    let scratch_a = 2 * PER_PROCESS + 1;
    let handles: Vec<_> = [(1, scratch_a), (PER_PROCESS + 1, scratch_a + 1)]
        .into_iter()
        .zip(migrations)
        .map(|((first, scratch), m)| {
            let (dir, state, m) = (dir.clone(), state.clone(), m.to_string());
            std::thread::spawn(move || worker(dir, state, m, first, scratch))
        })
        .collect();
    for h in handles {
        h.join().expect("worker");
    }

    let show = |m: &str| -> Vec<serde_json::Value> {
        let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
            .args(["checklist", "show", m, "--json", "--dir"])
            .arg(&dir)
            .arg("--state")
            .arg(&state)
            .output()
            .expect("show");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["items"].as_array().cloned().unwrap_or_default()
    };
    let mut missing: Vec<String> = Vec::new();
    for (side, m) in migrations.iter().enumerate() {
        let items = show(m);
        assert_eq!(items.len(), 2 * PER_PROCESS + 2);
        let own = &items[side * PER_PROCESS..(side + 1) * PER_PROCESS];
        missing.extend(
            own.iter()
                .filter(|i| i["ticked"] != true)
                .map(|i| i["text"].as_str().unwrap_or("?").to_string()),
        );
        assert_eq!(items[2 * PER_PROCESS]["ticked"], false);
        assert_eq!(items[2 * PER_PROCESS + 1]["ticked"], false);
    }
    assert!(missing.is_empty(), "lost ticks: {missing:?}");
    let mut names: Vec<String> = Vec::new();
    let mut dirs = vec![tmp.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            }
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    let leftovers: Vec<&String> = names
        .iter()
        .filter(|n| n.contains(".tmp-") || n.contains(".corrupt-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A devguide killed (SIGKILL) at any moment of a save leaves the old state or the new
/// one, never a damaged file: every tick whose command finished is kept, nothing is set
/// aside, and the temp file a kill may leave is cleaned by the next save.
#[test]
fn a_process_killed_mid_save_loses_no_finished_tick() {
    const ROUNDS: usize = 40;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("guides");
    std::fs::create_dir(&dir).expect("mkdir");
    let mut md = String::from("# Work\n\n");
    for k in 0..ROUNDS {
        md.push_str(&format!("- [ ] item {k:03}\n"));
    }
    std::fs::write(dir.join("work.md"), md).expect("write guide");
    let state = tmp.path().join("state.json");
    devguide(&dir, &state, &["new".into(), "m".into()]);
    let mut finished = Vec::new();
    for k in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_devguide"))
            .args(["checklist", "tick", "m", &(k + 1).to_string(), "--dir"])
            .arg(&dir)
            .arg("--state")
            .arg(&state)
            .env_remove("DEVGUIDE_STATE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // The kill lands at a different point of the process each round (start-up,
        // reading, writing, after), from 0 to about 20 ms in.
        std::thread::sleep(std::time::Duration::from_micros((k as u64 * 523) % 20_000));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if status.success() {
            finished.push(k);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
            .args(["checklist", "status", "m", "--dir"])
            .arg(&dir)
            .arg("--state")
            .arg(&state)
            .env_remove("DEVGUIDE_STATE")
            .output()
            .expect("status");
        assert!(
            matches!(out.status.code(), Some(0 | 1)) && out.stderr.is_empty(),
            "round {k}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // One more save cleans what the kills left.
    devguide(&dir, &state, &["tick".into(), "m".into(), "1".into()]);
    let out = Command::new(env!("CARGO_BIN_EXE_devguide"))
        .args(["checklist", "show", "m", "--json", "--dir"])
        .arg(&dir)
        .arg("--state")
        .arg(&state)
        .output()
        .expect("show");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for k in &finished {
        assert_eq!(
            v["items"][*k]["ticked"], true,
            "item {k} finished and was lost"
        );
    }
    let mut names = Vec::new();
    let mut dirs = vec![tmp.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            }
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".tmp-") || n.contains(".corrupt-")),
        "{names:?}"
    );
}
