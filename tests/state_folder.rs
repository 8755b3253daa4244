//! A damaged or hostile state folder: reading commands leave every byte as it was; a
//! held lock, a FIFO and an oversize file give a clear message and an exit code, never
//! a hang.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(r.repo()).expect("mkdir");
        for args in [
            &["init", "--here"][..],
            &["new", "mig"],
            &["tick", "mig", "1"],
        ] {
            let o = r.run(args);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        }
        r
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn devguide(&self) -> PathBuf {
        self.repo().join(".devguide")
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.current_dir(self.repo())
            .env_remove("DEVGUIDE_STATE")
            .env_remove("COMPLETE")
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_STATE_HOME", self.tmp.path().join("xdg"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a checklist command, failing the test if it does not finish in time.
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command();
        cmd.arg("checklist").args(args);
        finish(cmd, Duration::from_secs(20))
    }

    fn migration_file(&self) -> PathBuf {
        let d = self.devguide().join("state.json.d");
        let set = std::fs::read_dir(&d)
            .expect("read")
            .next()
            .expect("set")
            .expect("entry")
            .path();
        set.join("mig.json")
    }
}

fn finish(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(o) => o.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("devguide did not finish within {limit:?}");
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).expect("lstat");
            if meta.is_dir() {
                todo.push(p.clone());
                out.insert(p, b"<dir>".to_vec());
            } else if meta.is_file() {
                out.insert(p.clone(), std::fs::read(&p).expect("read"));
            } else {
                out.insert(p, b"<other>".to_vec());
            }
        }
    }
    out
}

fn read_only_commands(r: &Repo) -> Vec<Output> {
    let mut outs: Vec<Output> = [
        &["list"][..],
        &["list", "--json"],
        &["show", "mig"],
        &["show", "mig", "--json"],
        &["status", "mig"],
        &["log", "mig"],
        &["log", "mig", "--json"],
    ]
    .iter()
    .map(|a| r.run(a))
    .collect();
    let mut complete = r.command();
    complete
        .env("COMPLETE", "fish")
        .args(["--", "devguide", "checklist", "status", "m"]);
    outs.push(finish(complete, Duration::from_secs(20)));
    outs
}

/// A way to damage a state folder, with its name.
type Damage = (&'static str, fn(&Repo));

#[test]
fn reading_commands_over_a_damaged_folder_change_no_byte() {
    let damage: [Damage; 4] = [
        ("a corrupt index", |r| {
            std::fs::write(r.devguide().join("state.json"), "{ broken").expect("write");
        }),
        ("a corrupt migration file", |r| {
            std::fs::write(r.migration_file(), "garbage\n").expect("write");
        }),
        ("conflict markers", |r| {
            let text = std::fs::read_to_string(r.migration_file()).expect("read");
            std::fs::write(
                r.migration_file(),
                format!("<<<<<<< HEAD\n{text}=======\n>>>>>>> other\n"),
            )
            .expect("write");
        }),
        ("a newer version", |r| {
            let p = r.devguide().join("state.json");
            let text = std::fs::read_to_string(&p).expect("read");
            std::fs::write(&p, text.replace("\"version\": 3", "\"version\": 99")).expect("write");
        }),
    ];
    for (what, break_it) in damage {
        let r = Repo::new();
        // No lock file yet: reading must not create one either.
        let _ = std::fs::remove_file(r.devguide().join("state.json.lock"));
        break_it(&r);
        let before = snapshot(&r.devguide());
        let outs = read_only_commands(&r);
        assert_eq!(
            snapshot(&r.devguide()),
            before,
            "{what}: reading changed the state folder"
        );
        let status = &outs[4];
        let code = status.status.code();
        match what {
            "a corrupt index" | "a corrupt migration file" => {
                assert_eq!(code, Some(2), "{what}: {}", stderr(status));
                assert!(stderr(status).contains("moves"), "{}", stderr(status));
            }
            "conflict markers" => {
                assert_eq!(code, Some(1), "{what}: {}", stderr(status));
                assert_eq!(stdout(status), "mig: 1/5 done\n");
            }
            _ => {
                assert_eq!(code, Some(1), "{what}: {}", stderr(status));
                assert!(stderr(status).contains("newer devguide"));
            }
        }
    }
}

#[test]
fn a_held_lock_is_waited_for_briefly_then_fails_with_a_message() {
    let r = Repo::new();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(r.devguide().join("state.json.lock"))
        .expect("open lock");
    lock.lock().expect("hold the lock");
    let start = Instant::now();
    let o = r.run(&["tick", "mig", "2"]);
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("waiting for the lock on")
            && err.contains(".devguide/state.json held by another devguide"),
        "{err}"
    );
    assert!(
        err.contains("is held by another devguide") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(took < Duration::from_secs(15), "bounded: {took:?}");
    // Reading needs no lock, and the item stayed unticked.
    let o = r.run(&["status", "mig"]);
    assert_eq!(stdout(&o), "mig: 1/5 done\n");
    drop(lock);
    let o = r.run(&["tick", "mig", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg("--")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
}

#[test]
fn a_fifo_in_place_of_a_state_file_is_refused_without_hanging() {
    for which in ["index", "migration", "lock"] {
        let r = Repo::new();
        let path = match which {
            "index" => r.devguide().join("state.json"),
            "migration" => r.migration_file(),
            _ => r.devguide().join("state.json.lock"),
        };
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let o = r.run(&["status", "mig"]);
        if which == "lock" {
            assert_eq!(o.status.code(), Some(1), "reading needs no lock");
        } else {
            assert_eq!(o.status.code(), Some(2), "{which}: {}", stderr(&o));
            assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
        }
        let o = r.run(&["tick", "mig", "2"]);
        assert_eq!(o.status.code(), Some(1), "{which}: {}", stderr(&o));
        assert!(
            std::fs::symlink_metadata(&path)
                .expect("still there")
                .file_type()
                .is_fifo(),
            "left as it was"
        );
    }
}

use std::os::unix::fs::FileTypeExt;

#[test]
fn an_oversize_state_file_is_refused() {
    let r = Repo::new();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(r.migration_file())
        .expect("open");
    f.set_len(65 * 1024 * 1024).expect("grow (sparse)");
    let o = r.run(&["status", "mig"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("64 MB"), "{}", stderr(&o));
    let o = r.run(&["tick", "mig", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::metadata(r.migration_file()).expect("meta").len(),
        65 * 1024 * 1024,
        "left as it was"
    );
}

#[test]
fn temp_files_left_by_a_crash_are_cleaned_by_the_next_write() {
    let r = Repo::new();
    let stale = [
        r.devguide().join("state.json.tmp-999999-0"),
        r.migration_file().with_file_name("mig.json.tmp-999999-3"),
    ];
    for p in &stale {
        std::fs::write(p, "half a write").expect("write");
    }
    let keep = r.devguide().join("notes.tmp-by-hand");
    std::fs::write(&keep, "mine").expect("write");
    let o = r.run(&["status", "mig"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stale.iter().all(|p| p.exists()), "reading removes nothing");
    let o = r.run(&["tick", "mig", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for p in &stale {
        assert!(!p.exists(), "{} was cleaned", p.display());
    }
    assert!(keep.exists(), "only our own temp names");
}

#[test]
fn status_exit_codes_tell_done_open_and_broken_apart() {
    let r = Repo::new();
    assert_eq!(r.run(&["status", "mig"]).status.code(), Some(1));
    let o = r.run(&["tick", "mig", "2", "3", "4", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(r.run(&["status", "mig"]).status.code(), Some(0));
    assert_eq!(r.run(&["status", "nope"]).status.code(), Some(2));
    let mut help = r.command();
    help.args(["checklist", "status", "--help"]);
    let o = finish(help, Duration::from_secs(20));
    let text = stdout(&o);
    assert!(
        text.contains("0") && text.contains("1 items still open") && text.contains("2 error"),
        "{text}"
    );
}
