//! Team mode through real git: two people tick and untick on two branches, merge with
//! plain `git merge` (both ways) or rebase, and devguide shows the union of both sides,
//! the latest change winning per item, with nobody's help.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Team {
    tmp: tempfile::TempDir,
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Team {
    fn new(items: usize) -> Team {
        let team = Team {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(team.repo()).expect("mkdir");
        std::fs::create_dir_all(team.guides()).expect("mkdir");
        std::fs::write(team.tmp.path().join("gitconfig"), "").expect("gitconfig");
        let mut guide = String::from("# Upgrade\n\n");
        for i in 1..=items {
            guide.push_str(&format!("- [ ] Step number {i}\n"));
        }
        std::fs::write(team.guides().join("upgrade.md"), guide).expect("guide");
        team.git(&["init", "-q", "-b", "main"]);
        team.as_person("Ana");
        team.git(&["config", "user.email", "team@example.com"]);
        team
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn guides(&self) -> PathBuf {
        self.tmp.path().join("guides")
    }

    fn isolated(&self, cmd: &mut Command) {
        cmd.current_dir(self.repo())
            .env_remove("DEVGUIDE_STATE")
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_STATE_HOME", self.tmp.path().join("xdg"))
            .env("GIT_CONFIG_GLOBAL", self.tmp.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1");
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        self.isolated(&mut cmd);
        let o = cmd.args(args).output().expect("run git");
        assert!(o.status.success(), "git {args:?}: {}", text(&o));
        o
    }

    fn as_person(&self, name: &str) {
        self.git(&["config", "user.name", name]);
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        self.isolated(&mut cmd);
        cmd.arg("checklist")
            .args(args)
            .arg("--dir")
            .arg(self.guides())
            .output()
            .expect("run devguide")
    }

    fn ok(&self, args: &[&str]) -> Output {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        o
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Item number → (ticked, ticked_by) from `show --json`.
    fn ticks(&self, migration: &str) -> Vec<(bool, Option<String>)> {
        let o = self.ok(&["show", migration, "--json"]);
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["ticked"].as_bool().expect("ticked"),
                    i["ticked_by"].as_str().map(str::to_string),
                )
            })
            .collect()
    }

    fn status_clean(&self) {
        let o = self.git(&["status", "--porcelain", "--ignored=no"]);
        assert!(
            o.stdout.is_empty(),
            "lock and temp files are ignored: {}",
            text(&o)
        );
    }

    fn migration_file(&self) -> PathBuf {
        let dir = self.repo().join(".devguide/state.json.d");
        let set = std::fs::read_dir(&dir)
            .expect("files dir")
            .next()
            .expect("a set folder")
            .expect("entry")
            .path();
        set.join("mig.json")
    }
}

fn no_corrupt_files(dir: &Path) {
    for entry in walk(dir) {
        assert!(
            !entry.to_string_lossy().contains(".corrupt-"),
            "nothing set aside: {}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

/// The scenario of the issue: `init --here`, `new`, commit; tick on two branches; merge
/// both ways and rebase; every way gives the same union.
#[test]
fn two_branches_merge_rebase_and_agree() {
    let t = Team::new(6);
    t.ok(&["init", "--here"]);
    t.ok(&["new", "mig"]);
    t.commit("start the migration");
    let index_at_start = std::fs::read(t.repo().join(".devguide/state.json")).expect("index");

    t.git(&["checkout", "-q", "-b", "a"]);
    t.as_person("Bo");
    t.ok(&["tick", "mig", "1", "5"]);
    t.ok(&["untick", "mig", "5"]);
    t.ok(&["tick", "mig", "4"]);
    t.status_clean_but_state_changed();
    t.commit("Bo: 1 and 4");

    t.git(&["checkout", "-q", "main"]);
    t.as_person("Ana");
    t.ok(&["tick", "mig", "3", "4", "6"]);
    t.ok(&["untick", "mig", "4"]);
    t.commit("Ana: 3 and 6");

    // Merge a into main, main into a, and rebase a onto main.
    t.git(&["checkout", "-q", "-b", "m1", "main"]);
    t.git(&["merge", "-q", "--no-edit", "a"]);
    let merged = t.ticks("mig");
    t.git(&["checkout", "-q", "-b", "m2", "a"]);
    t.git(&["merge", "-q", "--no-edit", "main"]);
    assert_eq!(t.ticks("mig"), merged, "both merge directions agree");
    t.git(&["checkout", "-q", "-b", "r", "a"]);
    t.git(&["rebase", "-q", "main"]);
    assert_eq!(t.ticks("mig"), merged, "a rebase agrees too");

    let done: Vec<bool> = merged.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        [done[0], done[1], done[2], done[4], done[5]],
        [true, false, true, false, true],
        "items changed on one side only: {merged:?}"
    );
    assert_eq!(merged[0].1.as_deref(), Some("Bo"));
    assert_eq!(merged[2].1.as_deref(), Some("Ana"));
    // Item 4: ticked by Bo, ticked then unticked by Ana; the latest change decides,
    // and every machine decides the same (checked above by merging both ways).

    let o = t.run(&["status", "mig"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let log = t.ok(&["log", "mig", "--json"]);
    let log: Value = serde_json::from_slice(&log.stdout).expect("json");
    let changes = log["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 8, "every change of both sides: {log}");
    let authors: std::collections::BTreeSet<&str> =
        changes.iter().filter_map(|c| c["by"].as_str()).collect();
    assert_eq!(authors.into_iter().collect::<Vec<_>>(), ["Ana", "Bo"]);
    let times: Vec<&str> = changes.iter().filter_map(|c| c["at"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Ticking after the merge appends; the personal data never went into the index.
    t.ok(&["tick", "mig", "2"]);
    assert_eq!(
        std::fs::read(t.repo().join(".devguide/state.json")).expect("index"),
        index_at_start,
        "ticks and the active migration never change the shared index"
    );
    let index = String::from_utf8_lossy(&index_at_start).into_owned();
    assert!(!index.contains("active"), "{index}");
    t.status_clean_but_state_changed();
    no_corrupt_files(&t.repo());
    let show = t.ok(&["show", "mig"]);
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(show.contains("by Bo") && show.contains("by Ana"), "{show}");
}

impl Team {
    /// `git status` shows the migration file changed, and nothing else (no lock, temp
    /// or set-aside file).
    fn status_clean_but_state_changed(&self) {
        let o = self.git(&["status", "--porcelain"]);
        let out = String::from_utf8_lossy(&o.stdout);
        for line in out.lines() {
            assert!(
                line.ends_with("/mig.json") || line.ends_with(".devguide/"),
                "only the migration file changed: {out}"
            );
        }
        assert!(!out.contains(".lock") && !out.contains(".tmp-"), "{out}");
    }
}

/// Without the attributes file git leaves conflict markers; devguide reads both sides,
/// says so, and neither sets the file aside nor shows 0 ticks.
#[test]
fn conflict_markers_are_read_as_the_union_of_both_sides() {
    let t = Team::new(5);
    t.ok(&["init", "--here"]);
    std::fs::remove_file(t.repo().join(".devguide/.gitattributes")).expect("rm attributes");
    t.ok(&["new", "mig"]);
    t.commit("start");
    t.git(&["checkout", "-q", "-b", "a"]);
    t.as_person("Bo");
    t.ok(&["tick", "mig", "1"]);
    t.commit("Bo");
    t.git(&["checkout", "-q", "main"]);
    t.as_person("Ana");
    t.ok(&["tick", "mig", "3"]);
    t.commit("Ana");
    let mut merge = Command::new("git");
    t.isolated(&mut merge);
    let o = merge
        .args(["merge", "-q", "--no-edit", "a"])
        .output()
        .expect("git");
    assert!(!o.status.success(), "a conflict without the attributes");
    let file = t.migration_file();
    let conflicted = std::fs::read(&file).expect("read");
    assert!(String::from_utf8_lossy(&conflicted).contains("<<<<<<<"));

    let o = t.run(&["status", "mig"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "mig: 2/5 done\n");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("conflict markers"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read(&file).expect("read"),
        conflicted,
        "reading changes nothing"
    );
    // The next change writes the union back without markers.
    t.ok(&["tick", "mig", "5"]);
    let clean = std::fs::read_to_string(&file).expect("read");
    assert!(
        !clean.contains("<<<<<<<") && !clean.contains("======="),
        "{clean}"
    );
    let o = t.run(&["status", "mig"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "mig: 3/5 done\n");
    assert!(o.stderr.is_empty(), "{}", text(&o));
    no_corrupt_files(&t.repo());
}

/// 1,000 events on each branch merge with plain git, with nothing left to resolve.
#[test]
fn a_thousand_events_per_branch_merge_without_help() {
    let t = Team::new(2000);
    t.ok(&["init", "--here"]);
    t.ok(&["new", "mig"]);
    t.commit("start");
    let odd: Vec<String> = (1..=2000).step_by(2).map(|n| n.to_string()).collect();
    let even: Vec<String> = (2..=2000).step_by(2).map(|n| n.to_string()).collect();
    let args = |first: &[String]| -> Vec<String> {
        let mut v = vec!["tick".to_string(), "mig".to_string()];
        v.extend(first.iter().cloned());
        v
    };
    t.git(&["checkout", "-q", "-b", "a"]);
    let a = args(&odd);
    t.ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    t.commit("odd");
    t.git(&["checkout", "-q", "main"]);
    let b = args(&even);
    t.ok(&b.iter().map(String::as_str).collect::<Vec<_>>());
    t.commit("even");
    t.git(&["merge", "-q", "--no-edit", "a"]);
    let o = t.run(&["status", "mig"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "mig: 2000/2000 done\n");
    t.status_clean();
}
