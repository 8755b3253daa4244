//! A cloned repository can put symbolic links in `.devguide/`. Whatever devguide
//! command runs (reading ones, writing ones, completion, the reader quitting), nothing
//! outside the repository may be created, changed, renamed or deleted.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const DEADLINE: Duration = Duration::from_secs(20);

struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    /// A team repository with migration `mig`, item 1 ticked, and a folder `outside`.
    fn new() -> Repo {
        let r = Repo {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(r.repo()).expect("mkdir");
        std::fs::create_dir_all(r.outside()).expect("mkdir");
        std::fs::write(r.outside().join("precious.txt"), "keep me\n").expect("write");
        r.ok(&["init", "--here"]);
        r.ok(&["new", "mig"]);
        r.ok(&["tick", "mig", "1"]);
        r
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }

    fn env(&self, cmd: &mut Command) {
        cmd.current_dir(self.repo())
            .env_remove("DEVGUIDE_STATE")
            .env_remove("COMPLETE")
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_STATE_HOME", self.tmp.path().join("xdg"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        self.env(&mut cmd);
        cmd.arg("checklist").args(args).output().expect("run")
    }

    fn ok(&self, args: &[&str]) {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    fn complete(&self) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        self.env(&mut cmd);
        cmd.env("COMPLETE", "fish")
            .args(["--", "devguide", "checklist", "status", "m"])
            .output()
            .expect("run")
    }

    /// The set folder's path relative to `.devguide`.
    fn set_dir(&self) -> String {
        let d = self.repo().join(".devguide/state.json.d");
        let name = std::fs::read_dir(&d)
            .expect("read")
            .next()
            .expect("set folder")
            .expect("entry")
            .file_name();
        format!("state.json.d/{}", name.to_string_lossy())
    }
}

/// Everything under `dir`: path → (kind, content, inode, mtime).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (String, Vec<u8>, u64, i64, i64)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).expect("lstat");
            let (kind, bytes) = if meta.file_type().is_symlink() {
                (
                    "link".to_string(),
                    std::fs::read_link(&p)
                        .expect("readlink")
                        .into_os_string()
                        .into_encoded_bytes(),
                )
            } else if meta.is_dir() {
                todo.push(p.clone());
                ("dir".to_string(), Vec::new())
            } else {
                ("file".to_string(), std::fs::read(&p).expect("read"))
            };
            out.insert(
                p,
                (kind, bytes, meta.ino(), meta.mtime(), meta.mtime_nsec()),
            );
        }
    }
    out
}

/// Runs the reader in a PTY, waits for its first screen, moves, quits.
fn reader_quits(r: &Repo) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_devguide"));
    cmd.cwd(r.repo());
    cmd.env_remove("DEVGUIDE_STATE");
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", r.tmp.path().join("home"));
    cmd.env("XDG_STATE_HOME", r.tmp.path().join("xdg"));
    cmd.env("XDG_CONFIG_HOME", r.tmp.path().join("config"));
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(nonzero(24), nonzero(80), 0)));
    let feed = Arc::clone(&screen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut p) = feed.lock() {
                p.process(&buf[..n]);
            }
        }
    });
    let start = Instant::now();
    let drawn = || {
        screen
            .lock()
            .map(|p| p.screen().contents().trim().len() > 20)
            .unwrap_or(false)
    };
    while !drawn() {
        assert!(start.elapsed() < DEADLINE, "the reader never drew");
        std::thread::sleep(Duration::from_millis(10));
    }
    writer.write_all(b"jjj").expect("keys");
    writer.write_all(b"q").expect("quit");
    writer.flush().expect("flush");
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "the reader did not quit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every command, reading and writing; returns their stderr, for messages.
fn every_command(r: &Repo) -> String {
    let mut err = String::new();
    let mut note = |o: Output| err.push_str(&String::from_utf8_lossy(&o.stderr));
    for args in [
        &["list"][..],
        &["show", "mig"],
        &["status", "mig"],
        &["log", "mig"],
        &["tick", "mig", "2"],
        &["untick", "mig", "1"],
        &["new", "other"],
        &["rename", "mig", "renamed"],
        &["rm", "mig", "--yes"],
        &["init", "--here"],
    ] {
        note(r.run(args));
    }
    note(r.complete());
    reader_quits(r);
    err
}

/// Moves `.devguide/<rel>` outside and puts a link to it in its place (or, `dangling`,
/// a link to a path outside that does not exist).
fn plant(r: &Repo, rel: &str, dangling: bool) -> PathBuf {
    let real = r.repo().join(".devguide").join(rel);
    let target = r.outside().join(format!(
        "{}{}",
        rel.replace('/', "_"),
        if dangling { "-missing" } else { "" }
    ));
    if dangling {
        if real.is_dir() {
            std::fs::remove_dir_all(&real).expect("rm dir");
        } else {
            let _ = std::fs::remove_file(&real);
        }
    } else {
        std::fs::rename(&real, &target).expect("move outside");
    }
    symlink(&target, &real).expect("symlink");
    target
}

fn check(rel_of: impl Fn(&Repo) -> String, dangling: bool) {
    let r = Repo::new();
    let rel = rel_of(&r);
    let target = plant(&r, &rel, dangling);
    let before = snapshot(&r.outside());
    let err = every_command(&r);
    assert_eq!(
        snapshot(&r.outside()),
        before,
        "{rel} (dangling: {dangling}): something outside changed; stderr:\n{err}"
    );
    if dangling {
        assert!(
            std::fs::symlink_metadata(&target).is_err(),
            "{rel}: created through a dangling link"
        );
    }
    assert!(
        err.contains("is a symbolic link; devguide does not follow links in its state folder"),
        "{rel}: the link is named: {err}"
    );
    let o = r.run(&["tick", "mig", "3"]);
    assert_eq!(o.status.code(), Some(1), "{rel}: a refused change fails");
}

const PLACES: &[&str] = &["state.json", "state.json.d", "state.json.lock"];

#[test]
fn links_at_the_index_the_files_folder_and_the_lock_are_never_followed() {
    for rel in PLACES {
        for dangling in [false, true] {
            check(|_| rel.to_string(), dangling);
        }
    }
}

#[test]
fn links_at_the_set_folder_and_the_migration_file_are_never_followed() {
    for dangling in [false, true] {
        check(|r| r.set_dir(), dangling);
        check(|r| format!("{}/mig.json", r.set_dir()), dangling);
    }
}

#[test]
fn a_linked_state_folder_is_never_followed() {
    for dangling in [false, true] {
        let r = Repo::new();
        let real = r.repo().join(".devguide");
        let target = r.outside().join("devguide-folder");
        std::fs::rename(&real, &target).expect("move");
        symlink(&target, &real).expect("symlink");
        if dangling {
            std::fs::remove_dir_all(&target).expect("rm");
        }
        let before = snapshot(&r.outside());
        let err = every_command(&r);
        assert_eq!(snapshot(&r.outside()), before, "{err}");
        if !dangling {
            assert!(err.contains("is a symbolic link"), "{err}");
        }
    }
}

#[test]
fn links_at_the_git_files_are_not_written_through() {
    let r = Repo::new();
    for name in [".gitignore", ".gitattributes"] {
        let real = r.repo().join(".devguide").join(name);
        std::fs::remove_file(&real).expect("rm");
        symlink(r.outside().join("precious.txt"), &real).expect("symlink");
    }
    let o = r.run(&["init", "--here"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is a symbolic link"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(r.outside().join("precious.txt")).expect("read"),
        "keep me\n"
    );
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// `export DIR` never writes through a link already in DIR, with or without `--force`.
#[test]
fn export_refuses_links_in_its_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("export");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let export = |force: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.env_remove("DEVGUIDE_STATE")
            .env("HOME", tmp.path().join("home"))
            .env("XDG_STATE_HOME", tmp.path().join("xdg"))
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .arg("export")
            .arg(&dir);
        if force {
            cmd.arg("--force");
        }
        cmd.output().expect("run")
    };
    let o = export(false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = std::fs::read_dir(&dir)
        .expect("read")
        .flatten()
        .find(|e| e.path().is_file())
        .expect("a file")
        .path();
    for dangling in [false, true] {
        std::fs::remove_file(&first).expect("rm");
        let target = outside.join(if dangling { "missing" } else { "file" });
        if !dangling {
            std::fs::write(&target, "keep me").expect("write");
        }
        symlink(&target, &first).expect("symlink");
        let before = snapshot(&outside);
        for force in [false, true] {
            let o = export(force);
            assert_eq!(o.status.code(), Some(1), "force {force}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("symbolic link") && err.contains(&first.display().to_string()),
                "{err}"
            );
        }
        assert_eq!(snapshot(&outside), before);
        assert!(
            dangling != target.exists(),
            "nothing created through the link"
        );
    }
}
