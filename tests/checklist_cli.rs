//! The `devguide checklist` subcommands through the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(env.work()).expect("mkdir");
        env
    }

    fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    fn state(&self) -> PathBuf {
        self.tmp.path().join("state.json")
    }

    /// The binary isolated from the real user state: own cwd, HOME and XDG_STATE_HOME.
    fn bare(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devguide"));
        cmd.current_dir(self.work())
            .env_remove("DEVGUIDE_STATE")
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_STATE_HOME", self.tmp.path().join("xdg"))
            .arg("checklist");
        cmd
    }

    /// `devguide checklist ARGS --state <tmp>/state.json`.
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.bare();
        cmd.args(args).arg("--state").arg(self.state());
        Output::of(cmd)
    }

    fn guides(&self, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.tmp.path().join("guides");
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write guide");
        }
        dir
    }

    fn run_dir(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = self.bare();
        cmd.args(args)
            .arg("--state")
            .arg(self.state())
            .arg("--dir")
            .arg(dir);
        Output::of(cmd)
    }
}

struct Output {
    code: i32,
    out: String,
    err: String,
}

impl Output {
    fn of(mut cmd: Command) -> Output {
        let o = cmd.output().expect("run devguide");
        Output {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn ok(self) -> Output {
        assert_eq!(self.code, 0, "stdout:\n{}\nstderr:\n{}", self.out, self.err);
        self
    }

    fn code(self, code: i32) -> Output {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.out, self.err
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.out).expect("JSON output")
    }
}

#[test]
fn list_shows_migrations_with_progress_and_the_active_one() {
    let e = Env::new();
    let o = e.run(&["list"]).ok();
    assert!(o.out.is_empty());
    assert!(o.err.contains("no migrations yet"), "{}", o.err);
    e.run(&["new", "auth-service"]).ok();
    e.run(&["new", "tests/unit"]).ok();
    e.run(&["tick", "auth-service", "1", "2"]).ok();
    let o = e.run(&["list"]).ok();
    let lines: Vec<&str> = o.out.lines().collect();
    assert_eq!(lines.len(), 2, "{}", o.out);
    assert!(
        lines[0].starts_with("* auth-service") && lines[0].contains("2/5 done"),
        "{}",
        o.out
    );
    assert!(lines[0].contains("last change 20"), "{}", o.out);
    assert!(
        lines[1].starts_with("  tests/unit") && lines[1].contains("0/5 done"),
        "{}",
        o.out
    );

    let v = e.run(&["list", "--json"]).ok().json();
    assert_eq!(v["format"], 1);
    assert_eq!(v["active"], "auth-service");
    assert_eq!(v["migrations"][0]["name"], "auth-service");
    assert_eq!(v["migrations"][0]["done"], 2);
    assert_eq!(v["migrations"][0]["total"], 5);
    assert_eq!(v["migrations"][0]["active"], true);
    assert_eq!(v["migrations"][1]["active"], false);
    assert!(
        v["migrations"][1]["last_change"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let mut cmd = e.bare();
    cmd.args(["list", "--json", "--migration", "tests/unit", "--state"])
        .arg(e.state());
    assert_eq!(
        Output::of(cmd).ok().json()["active"],
        "tests/unit",
        "--migration picks the active one"
    );
}

#[test]
fn new_refuses_an_existing_or_bad_name() {
    let e = Env::new();
    e.run(&["new", "PR-1234"]).ok();
    let o = e.run(&["new", "PR-1234"]).code(1);
    assert!(o.err.contains("already exists"), "{}", o.err);
    let o = e.run(&["new", " "]).code(1);
    assert!(o.err.contains("not a usable migration name"), "{}", o.err);
}

#[test]
fn rename_keeps_ticks_and_names_what_exists() {
    let e = Env::new();
    e.run(&["new", "a"]).ok();
    e.run(&["new", "b"]).ok();
    e.run(&["tick", "a", "3"]).ok();
    e.run(&["rename", "a", "c"]).ok();
    let o = e.run(&["status", "c"]).code(1);
    assert_eq!(o.out, "c: 1/5 done\n");
    let o = e.run(&["rename", "a", "d"]).code(1);
    assert!(
        o.err.contains("no migration named \"a\"") && o.err.contains("existing: b, c"),
        "{}",
        o.err
    );
    let o = e.run(&["rename", "c", "b"]).code(1);
    assert!(o.err.contains("already exists"), "{}", o.err);
    assert_eq!(
        e.run(&["list", "--json"]).ok().json()["active"],
        "c",
        "the active migration follows"
    );
}

#[test]
fn rm_needs_yes_without_a_terminal() {
    let e = Env::new();
    e.run(&["new", "gone"]).ok();
    let o = e.run(&["rm", "gone"]).code(1);
    assert!(o.err.contains("--yes"), "{}", o.err);
    e.run(&["status", "gone"]).code(1);
    assert!(e.run(&["list"]).ok().out.contains("gone"), "still there");
    let o = e.run(&["rm", "gone", "--yes"]).ok();
    assert!(o.out.contains("deleted migration gone"), "{}", o.out);
    assert!(e.run(&["list"]).ok().out.is_empty());
    let o = e.run(&["rm", "gone", "--yes"]).code(1);
    assert!(o.err.contains("no migration named"), "{}", o.err);
}

#[test]
fn show_numbers_every_item_with_its_state() {
    let e = Env::new();
    e.run(&["new", "m"]).ok();
    e.run(&["tick", "m", "2"]).ok();
    let o = e.run(&["show", "m"]).ok();
    assert!(o.out.starts_with("m: 1/5 done\n"), "{}", o.out);
    assert!(o.out.contains("migration-checklist > Steps"), "{}", o.out);
    assert!(
        o.out
            .contains("1. [ ] Replace deprecated import paths with canonical paths\n"),
        "{}",
        o.out
    );
    assert!(
        o.out
            .contains("2. [x] Verify no deprecation warnings in logs  (ticked 20"),
        "{}",
        o.out
    );

    let v = e.run(&["show", "m", "--json"]).ok().json();
    assert_eq!(v["format"], 1);
    assert_eq!(v["migration"], "m");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["number"], 1);
    assert_eq!(items[0]["guide"], "migration-checklist");
    assert_eq!(items[0]["heading"], "Steps");
    assert_eq!(items[0]["ticked"], false);
    assert_eq!(items[0]["ticked_at"], Value::Null);
    assert_eq!(items[1]["ticked"], true);
    let at = items[1]["ticked_at"].as_str().expect("time");
    assert!(humantime::parse_rfc3339(at).is_ok(), "{at}");
    assert_eq!(
        items[1]["id"],
        "migration-checklist#steps#verify no deprecation warnings in logs"
    );
    assert_eq!(v["orphaned"], serde_json::json!([]));

    let o = e.run(&["show", "nope"]).code(1);
    assert!(o.err.contains("existing: m"), "{}", o.err);
}

#[test]
fn tick_and_untick_by_number_or_fragment() {
    let e = Env::new();
    e.run(&["new", "m"]).ok();
    let o = e.run(&["tick", "m", "1", "WEBSOCKET functionality"]).ok();
    assert!(
        o.out.contains("ticked 1. Replace") && o.out.contains("ticked 3. Test that WebSocket"),
        "{}",
        o.out
    );
    assert!(o.out.ends_with("m: 2/5 done\n"), "{}", o.out);
    let o = e.run(&["tick", "m", "1"]).ok();
    assert!(o.out.contains("ticked (already) 1."), "{}", o.out);
    e.run(&["untick", "m", "replace deprecated"]).ok();
    assert_eq!(e.run(&["status", "m"]).code(1).out, "m: 1/5 done\n");

    let o = e.run(&["tick", "m", "verify"]).code(2);
    assert!(o.err.contains("matches 2 items"), "{}", o.err);
    assert!(
        o.err.contains("2. Verify no deprecation") && o.err.contains("5. Run relevant tests"),
        "{}",
        o.err
    );
    let o = e.run(&["tick", "m", "no such thing"]).code(1);
    assert!(o.err.contains("no item matches"), "{}", o.err);
    let o = e.run(&["tick", "m", "9"]).code(1);
    assert!(o.err.contains("numbered 1 to 5"), "{}", o.err);
    let o = e.run(&["tick", "m", "2", "0"]).code(1);
    assert!(o.err.contains("nothing was changed"), "{}", o.err);
    assert_eq!(
        e.run(&["status", "m"]).code(1).out,
        "m: 1/5 done\n",
        "a bad ITEM changes nothing"
    );

    let o = e.run(&["tick", "other", "1"]).code(1);
    assert!(
        o.err.contains("no migration named \"other\"; existing: m"),
        "{}",
        o.err
    );
    let o = e.run(&["untick", "other", "1"]).code(1);
    assert!(o.err.contains("existing: m"), "{}", o.err);
    assert!(
        !e.run(&["list"]).ok().out.contains("other"),
        "tick never creates a migration"
    );
}

#[test]
fn status_exits_zero_only_when_all_done() {
    let e = Env::new();
    e.run(&["new", "m"]).ok();
    assert_eq!(e.run(&["status", "m"]).code(1).out, "m: 0/5 done\n");
    e.run(&["tick", "m", "1", "2", "3", "4", "5"]).ok();
    assert_eq!(e.run(&["status", "m"]).ok().out, "m: 5/5 done\n");
    let o = e.run(&["status", "x"]).code(2);
    assert!(o.err.contains("no migration named"), "{}", o.err);
}

#[test]
fn ticks_survive_reordering_and_orphans_are_shown() {
    let e = Env::new();
    let dir = e.guides(&[(
        "a.md",
        "# Deploy\n\n- [ ] Build image\n- [ ] Push image\n- [x] Tag release\n",
    )]);
    e.run_dir(&dir, &["new", "m"]).ok();
    e.run_dir(&dir, &["tick", "m", "push"]).ok();
    e.run_dir(&dir, &["untick", "m", "tag"]).ok();
    e.guides(&[(
        "a.md",
        "# Deploy\n\n- [x] Tag release\n- [ ] Push **image**.\n- [ ] Build the image\n",
    )]);
    let v = e.run_dir(&dir, &["show", "m", "--json"]).ok().json();
    let items = v["items"].as_array().expect("items");
    let state: Vec<(&str, bool)> = items
        .iter()
        .map(|i| {
            (
                i["text"].as_str().unwrap_or(""),
                i["ticked"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        state,
        [
            ("Tag release", false),
            ("Push image.", true),
            ("Build the image", false)
        ]
    );
    assert_eq!(v["orphaned"], serde_json::json!([]));

    // Rewording a ticked item orphans its tick; it stays, with its old text.
    e.guides(&[(
        "a.md",
        "# Deploy\n\n- [x] Tag release\n- [ ] Publish image\n",
    )]);
    let v = e.run_dir(&dir, &["show", "m", "--json"]).ok().json();
    let orphaned = v["orphaned"].as_array().expect("orphaned");
    assert_eq!(orphaned.len(), 1, "{v}");
    assert_eq!(
        orphaned[0]["text"], "Push image",
        "the text when it was ticked"
    );
    assert_eq!(orphaned[0]["ticked"], true);
    assert!(orphaned[0]["ticked_at"].as_str().is_some());
    let o = e.run_dir(&dir, &["show", "m"]).ok();
    assert!(
        o.out.contains("Orphaned") && o.out.contains("[x] Push image  (ticked 20"),
        "{}",
        o.out
    );
}

#[test]
fn duplicate_items_are_told_apart_by_number() {
    let e = Env::new();
    let dir = e.guides(&[
        (
            "a.md",
            "# One\n\n- [ ] Run tests\n\n# Two\n\n- [ ] Run tests\n- [ ] Run tests\n",
        ),
        ("b.md", "- [ ] Run tests again\n"),
    ]);
    e.run_dir(&dir, &["new", "m"]).ok();
    let o = e.run_dir(&dir, &["tick", "m", "run tests"]).code(2);
    assert!(o.err.contains("matches 4 items"), "{}", o.err);
    assert!(
        o.err.contains("  2. Run tests (a)\n  3. Run tests (a)\n"),
        "{}",
        o.err
    );
    e.run_dir(&dir, &["tick", "m", "3", "run tests again"]).ok();
    let v = e.run_dir(&dir, &["show", "m", "--json"]).ok().json();
    let ids: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        [
            "a#one#run tests",
            "a#two#run tests",
            "a#two#run tests#2",
            "b##run tests again"
        ]
    );
    let ticked: Vec<bool> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["ticked"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(ticked, [false, false, true, true]);
}

#[test]
fn guide_sets_never_mix() {
    let e = Env::new();
    let dir = e.guides(&[("a.md", "- [ ] x\n")]);
    e.run(&["new", "m"]).ok();
    let o = e.run_dir(&dir, &["status", "m"]).code(2);
    assert!(o.err.contains("no migration named \"m\""), "{}", o.err);
    e.run_dir(&dir, &["new", "m"]).ok();
    e.run_dir(&dir, &["tick", "m", "1"]).ok();
    assert_eq!(e.run(&["status", "m"]).code(1).out, "m: 0/5 done\n");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(e.state()).expect("read")).expect("json");
    assert_eq!(v["sets"].as_object().map(|s| s.len()), Some(2));
}

#[test]
fn init_here_creates_the_team_file_which_is_then_used() {
    let e = Env::new();
    let o = Output::of({
        let mut c = e.bare();
        c.arg("init");
        c
    })
    .code(2);
    assert!(o.err.contains("--here"), "{}", o.err);
    let init = || {
        let mut c = e.bare();
        c.args(["init", "--here"]);
        Output::of(c)
    };
    let o = init().ok();
    assert!(o.out.contains(".devguide/state.json"), "{}", o.out);
    let team = e.work().join(".devguide/state.json");
    let created = std::fs::read_to_string(&team).expect("team file");
    assert!(created.contains("\"version\": 3"), "{created}");
    let ignore = std::fs::read_to_string(e.work().join(".devguide/.gitignore")).expect("ignore");
    assert_eq!(
        ignore, "*.lock\n*.tmp-*\n*.corrupt-*\n",
        "migration files are shared, not ignored"
    );
    let attributes =
        std::fs::read_to_string(e.work().join(".devguide/.gitattributes")).expect("attributes");
    assert_eq!(attributes, "state.json.d/** merge=union\n");
    let o = init().code(1);
    assert!(o.err.contains("already exists"), "{}", o.err);
    assert_eq!(
        std::fs::read_to_string(&team).expect("read"),
        created,
        "left untouched"
    );

    // From a subfolder, with no flag or env, the team file is used.
    let sub = e.work().join("src/deep");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let mut c = e.bare();
    c.current_dir(&sub).args(["new", "team-work"]);
    Output::of(c).ok();
    assert!(
        std::fs::read_to_string(&team)
            .expect("read")
            .contains("team-work")
    );
    assert!(!e.tmp.path().join("xdg/devguide/state.json").exists());
    let files: Vec<_> = std::fs::read_dir(e.work().join(".devguide/state.json.d"))
        .expect("migration files beside the team file")
        .collect();
    assert_eq!(files.len(), 1, "one folder for the set");

    // DEVGUIDE_STATE beats the team file; --state beats DEVGUIDE_STATE.
    let env_file = e.tmp.path().join("env.json");
    let mut c = e.bare();
    c.current_dir(&sub)
        .env("DEVGUIDE_STATE", &env_file)
        .args(["new", "from-env"]);
    Output::of(c).ok();
    assert!(
        std::fs::read_to_string(&env_file)
            .expect("env file")
            .contains("from-env")
    );
    let mut c = e.bare();
    c.current_dir(&sub)
        .env("DEVGUIDE_STATE", &env_file)
        .args(["new", "from-flag", "--state"])
        .arg(e.state());
    Output::of(c).ok();
    assert!(
        std::fs::read_to_string(e.state())
            .expect("flag file")
            .contains("from-flag")
    );
    assert!(
        !std::fs::read_to_string(&env_file)
            .expect("env file")
            .contains("from-flag")
    );
}

#[test]
fn the_user_default_is_under_xdg_state_home() {
    let e = Env::new();
    let mut c = e.bare();
    c.args(["new", "mine"]);
    Output::of(c).ok();
    let path = e.tmp.path().join("xdg/devguide/state.json");
    assert!(
        std::fs::read_to_string(path)
            .expect("user state")
            .contains("mine")
    );
}

#[test]
fn a_corrupt_state_file_is_set_aside_and_named() {
    let e = Env::new();
    std::fs::write(e.state(), "{ broken").expect("write");
    let o = e.run(&["new", "m"]).ok();
    assert!(o.err.contains("state.json.corrupt-"), "{}", o.err);
    let aside: Vec<PathBuf> = std::fs::read_dir(e.tmp.path())
        .expect("read dir")
        .map(|d| d.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&aside[0]).expect("read"),
        "{ broken"
    );
    assert!(o.err.contains(&aside[0].display().to_string()), "{}", o.err);
    e.run(&["status", "m"]).code(1);
}

#[test]
fn a_newer_state_file_is_read_only() {
    let e = Env::new();
    let newer = r#"{"version": 9, "sets": {"bundled": {"migrations": {"m": {"ticks": {}}}}}}"#;
    std::fs::write(e.state(), newer).expect("write");
    let o = e.run(&["status", "m"]).code(1);
    assert_eq!(o.out, "m: 0/5 done\n", "still readable");
    assert!(o.err.contains("newer devguide"), "{}", o.err);
    let o = e.run(&["tick", "m", "1"]).code(1);
    assert!(o.err.contains("read-only"), "{}", o.err);
    assert_eq!(std::fs::read_to_string(e.state()).expect("read"), newer);
}

#[test]
fn orphans_are_listed_with_candidates_and_reattached_or_discarded() {
    let e = Env::new();
    let dir = e.guides(&[(
        "a.md",
        "# Setup\n\n- [ ] Install the toolchain version 1.89\n- [ ] Configure the cache\n- [ ] Remove the old config\n- [ ] Clean the build folder\n",
    )]);
    e.run_dir(&dir, &["new", "m"]).ok();
    e.run_dir(&dir, &["tick", "m", "1", "2", "3"]).ok();
    // The guide is edited: one item reworded, one rewritten, one removed.
    e.guides(&[(
        "a.md",
        "# Setup\n\n- [ ] Install the toolchain version 1.89 first\n- [ ] Set up caching for builds\n- [ ] Clean the build folder\n",
    )]);
    let o = e.run_dir(&dir, &["orphans", "m"]).ok();
    assert!(
        o.out.starts_with("1. [x] Configure the cache")
            && o.out.contains("Install the toolchain version 1.89 first")
            && o.out.contains("reattach --auto carries it here"),
        "{}",
        o.out
    );
    let v = e.run_dir(&dir, &["orphans", "m", "--json"]).ok().json();
    let orphans = v["orphans"].as_array().expect("orphans");
    assert_eq!(orphans.len(), 3);
    let carried: Vec<&Value> = orphans
        .iter()
        .filter(|o| !o["carry_forward_to"].is_null())
        .collect();
    assert_eq!(carried.len(), 1, "only the clear rewording: {v}");
    assert_eq!(carried[0]["carry_forward_to"], 1);

    let o = e.run_dir(&dir, &["reattach", "m", "--auto"]).ok();
    assert!(o.out.contains("re-attached to 1."), "{}", o.out);
    assert_eq!(
        e.run_dir(&dir, &["status", "m"]).code(1).out,
        "m: 1/3 done\n"
    );
    // By hand: orphan 1 is now "Configure the cache", onto item 2 by text.
    let o = e.run_dir(&dir, &["reattach", "m", "1", "caching"]).ok();
    assert!(o.out.contains("re-attached to 2."), "{}", o.out);
    let o = e.run_dir(&dir, &["discard", "m", "1"]).ok();
    assert!(o.out.contains("Remove the old config"), "{}", o.out);
    let o = e.run_dir(&dir, &["orphans", "m"]).ok();
    assert!(o.out.contains("no orphaned ticks"), "{}", o.err);
    assert_eq!(
        e.run_dir(&dir, &["status", "m"]).code(1).out,
        "m: 2/3 done\n"
    );
    let o = e.run_dir(&dir, &["discard", "m", "9"]).code(1);
    assert!(o.err.contains("no orphaned tick"), "{}", o.err);
    e.run_dir(&dir, &["reattach", "m"]).code(2);
}
