use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::checklist::model::Item;

fn item(id: &str, default: bool) -> Item {
    Item {
        number: 1,
        id: id.into(),
        guide: "g".into(),
        heading_index: None,
        heading: None,
        task_index: 0,
        text: format!("Text of {id}"),
        default_checked: default,
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn tick(store: &mut Store, migration: &str, id: &str) -> Result<Updated<bool>, StoreError> {
    store.update(|s| {
        s.set_tick("set", migration, &item(id, false), true, at(10))
            .map_err(StoreError::from)
    })
}

fn new_migration(store: &mut Store, name: &str) {
    store
        .update(|s| {
            s.create_migration("set", name, at(0))
                .map_err(StoreError::from)
        })
        .expect("create migration");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Running as root, permission bits do not stop reads; the permission tests then skip.
fn permissions_are_enforced(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").expect("write probe");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let enforced = std::fs::read(&probe).is_err();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::remove_file(&probe).expect("remove probe");
    enforced
}

#[test]
fn a_missing_file_opens_empty_and_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/state.json");
    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    assert_eq!(opened.state, State::default());
    assert!(!path.exists(), "opening writes nothing");
    let mut store = opened.store;
    new_migration(&mut store, "auth-service");
    let updated = tick(&mut store, "auth-service", "g#s#a").expect("tick");
    assert!(updated.value);
    let reopened = Store::open(&path);
    assert_eq!(reopened.state, updated.state);
    assert!(
        reopened
            .state
            .is_ticked("set", "auth-service", "g#s#a", false)
    );
    assert_eq!(
        files_in(&dir.path().join("sub")),
        ["state.json", "state.json.lock"],
        "no temp files left"
    );
}

#[test]
fn two_stores_keep_each_others_ticks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut a = Store::open(&path).store;
    new_migration(&mut a, "m");
    let mut b = Store::open(&path).store;
    tick(&mut a, "m", "x").expect("a ticks");
    let after_b = tick(&mut b, "m", "y").expect("b ticks");
    assert!(
        after_b.state.is_ticked("set", "m", "x", false),
        "b re-read the file before writing"
    );
    let state = Store::open(&path).state;
    assert!(state.is_ticked("set", "m", "x", false));
    assert!(state.is_ticked("set", "m", "y", false));
}

fn parses() -> usize {
    PARSES.with(|n| n.get())
}

#[test]
fn an_unchanged_file_is_not_parsed_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut a = Store::open(&path).store;
    new_migration(&mut a, "m");
    let start = parses();
    for id in ["x", "y", "z"] {
        tick(&mut a, "m", id).expect("tick");
    }
    assert_eq!(a.reload(), Store::open(&path).state);
    assert_eq!(parses(), start + 1, "only the fresh open parsed the file");

    // Another store writes: the next update of `a` parses once and keeps its tick.
    let mut b = Store::open(&path).store;
    tick(&mut b, "m", "from-b").expect("b ticks");
    let start = parses();
    let after = tick(&mut a, "m", "w").expect("a ticks");
    assert_eq!(parses(), start + 1);
    assert!(after.state.is_ticked("set", "m", "from-b", false));
    tick(&mut a, "m", "v").expect("a ticks again");
    assert_eq!(parses(), start + 1, "a's own write is remembered");
}

#[test]
fn writes_by_another_store_between_ours_are_merged() {
    // Same-sized rewrites in quick succession: the pattern where a recycled inode with
    // an equal size and mtime could pass for the file we wrote, were it not kept open.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut a = Store::open(&path).store;
    new_migration(&mut a, "m");
    let mut b = Store::open(&path).store;
    let toggle = |store: &mut Store, id: &str, done: bool| {
        store
            .update(|s| {
                s.set_tick("set", "m", &item(id, false), done, at(10))
                    .map_err(StoreError::from)
            })
            .expect("toggle")
    };
    for k in 0..40 {
        toggle(&mut a, &format!("a{k:02}"), true);
        toggle(&mut b, "scratch", true);
        toggle(&mut b, "scratch", false);
        toggle(&mut b, &format!("b{k:02}"), true);
        toggle(&mut a, "scratch", true);
        toggle(&mut a, "scratch", false);
    }
    let state = Store::open(&path).state;
    for k in 0..40 {
        assert!(
            state.is_ticked("set", "m", &format!("a{k:02}"), false),
            "a{k}"
        );
        assert!(
            state.is_ticked("set", "m", &format!("b{k:02}"), false),
            "b{k}"
        );
    }
    assert!(!state.is_ticked("set", "m", "scratch", false));
}

#[test]
fn an_edit_in_place_is_noticed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "m");
    tick(&mut store, "m", "x").expect("tick");
    // Rewritten in place, as an editor or `git checkout` might: same inode.
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replace("\"migrations\": {", "\"migrations\": {\n\"hand\": {},");
    assert_ne!(text, edited);
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .and_then(|mut f| f.write_all(edited.as_bytes()))
        .expect("edit in place");
    let after = tick(&mut store, "m", "y").expect("tick");
    assert!(
        after.state.migration("set", "hand").is_some(),
        "the edit was read"
    );
    assert!(after.state.is_ticked("set", "m", "x", false));
    assert!(Store::open(&path).state.migration("set", "hand").is_some());
}

#[test]
fn a_failed_change_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    let err = tick(&mut store, "nope", "x").expect_err("unknown migration");
    assert!(matches!(
        err,
        StoreError::State(StateError::UnknownMigration { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn ticks_are_written_one_per_line_with_sorted_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "m");
    for id in ["g#s#b", "g#s#a", "g#t#c"] {
        tick(&mut store, "m", id).expect("tick");
    }
    let text = std::fs::read_to_string(&path).expect("read");
    let tick_lines: Vec<&str> = text.lines().filter(|l| l.contains("\"done\"")).collect();
    assert_eq!(tick_lines.len(), 3, "{text}");
    assert_eq!(
        tick_lines[0].trim(),
        r#""g#s#a": {"at": "2023-11-14T22:13:30Z", "done": true, "text": "Text of g#s#a"},"#
    );
    assert!(tick_lines[2].trim().starts_with("\"g#t#c\""));
    assert!(text.starts_with("{\n  \"sets\": {\n"), "{text}");
    assert!(text.ends_with("  \"version\": 1\n}\n"), "{text}");
}

#[test]
fn unversioned_files_are_upgraded_on_the_next_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let v0 =
        r#"{"sets": {"set": {"migrations": {"m": {"ticks": {"old": "2024-03-01T10:00:00Z"}}}}}}"#;
    std::fs::write(&path, v0).expect("write");
    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    assert!(opened.state.is_ticked("set", "m", "old", false));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        v0,
        "reading does not rewrite"
    );
    let mut store = opened.store;
    tick(&mut store, "m", "new").expect("tick");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\"version\": 1"), "{text}");
    assert!(
        text.contains(r#""old": {"at": "2024-03-01T10:00:00Z", "done": true, "text": ""}"#),
        "{text}"
    );
}

fn assert_set_aside(original: &[u8], expect_reason: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    std::fs::write(&path, original).expect("write");
    let opened = Store::open(&path);
    assert!(opened.store.read_only().is_none());
    assert_eq!(opened.state, State::default(), "starts fresh");
    let asides: Vec<String> = files_in(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("state.json.corrupt-"))
        .collect();
    assert_eq!(asides.len(), 1, "{:?}", files_in(dir.path()));
    let aside = dir.path().join(&asides[0]);
    assert_eq!(
        std::fs::read(&aside).expect("read aside"),
        original,
        "original bytes kept"
    );
    assert_eq!(opened.notices.len(), 1, "{:?}", opened.notices);
    let notice = &opened.notices[0];
    assert!(notice.contains(&aside.display().to_string()), "{notice}");
    assert!(notice.contains(expect_reason), "{notice}");
    let fresh = Store::open(&path);
    assert!(
        fresh.notices.is_empty(),
        "the fresh file is valid: {:?}",
        fresh.notices
    );
}

#[test]
fn a_corrupt_file_is_set_aside_never_overwritten() {
    assert_set_aside(b"{\"version\": 1, \"sets\": {", "not valid JSON");
}

#[test]
fn an_empty_file_is_set_aside() {
    assert_set_aside(b"", "empty");
}

#[test]
fn a_second_corrupt_file_gets_its_own_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    std::fs::write(&path, "one").expect("write");
    Store::open(&path);
    std::fs::write(&path, "two").expect("write");
    Store::open(&path);
    let mut contents: Vec<String> = files_in(dir.path())
        .into_iter()
        .filter(|n| n.contains(".corrupt-"))
        .map(|n| std::fs::read_to_string(dir.path().join(n)).expect("read"))
        .collect();
    contents.sort();
    assert_eq!(contents, ["one", "two"]);
}

#[test]
fn a_newer_version_opens_read_only_and_stays_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let newer = r#"{"version": 2, "sets": {"set": {"migrations": {"m": {"ticks": {"a": {"done": true, "at": "2024-01-01T00:00:00Z"}}}}}}, "future": true}"#;
    std::fs::write(&path, newer).expect("write");
    let opened = Store::open(&path);
    let why = opened.store.read_only().expect("read-only").to_string();
    assert!(
        why.contains("newer devguide") && why.contains("version 2"),
        "{why}"
    );
    assert_eq!(opened.notices, [why]);
    assert!(
        opened.state.is_ticked("set", "m", "a", false),
        "still shown"
    );
    let mut store = opened.store;
    assert!(matches!(
        tick(&mut store, "m", "b"),
        Err(StoreError::ReadOnly(_))
    ));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), newer);
    assert_eq!(files_in(dir.path()), ["state.json"], "not even a lock file");
}

#[test]
fn unknown_fields_survive_a_rewrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let with_extras = r#"{
  "version": 1,
  "top": {"a": [1, 2]},
  "sets": {"set": {
    "colour": "blue",
    "migrations": {"m": {
      "created": "2024-01-01T00:00:00Z",
      "owner": "ana",
      "ticks": {"x": {"done": true, "at": "2024-01-01T00:00:00Z", "text": "X", "note": "by hand"}}
    }}
  }}
}"#;
    std::fs::write(&path, with_extras).expect("write");
    let mut store = Store::open(&path).store;
    tick(&mut store, "m", "y").expect("tick");
    let text = std::fs::read_to_string(&path).expect("read");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let m = &v["sets"]["set"]["migrations"]["m"];
    assert_eq!(v["top"], serde_json::json!({"a": [1, 2]}), "top level");
    assert_eq!(v["sets"]["set"]["colour"], "blue", "per set");
    assert_eq!(m["owner"], "ana", "per migration");
    assert_eq!(m["ticks"]["x"]["note"], "by hand", "per tick");
    assert_eq!(m["ticks"]["y"]["done"], true);
    // Unticking and re-ticking an item keeps its record's extra fields too.
    store
        .update(|s| {
            s.set_tick("set", "m", &item("x", true), false, at(20))
                .map_err(StoreError::from)
        })
        .expect("untick x");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(
        v["sets"]["set"]["migrations"]["m"]["ticks"]["x"]["note"],
        "by hand"
    );
}

#[test]
fn an_unreadable_file_means_read_only_and_nothing_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    if !permissions_are_enforced(dir.path()) {
        eprintln!("skipped: permission bits are not enforced (running as root)");
        return;
    }
    let path = dir.path().join("state.json");
    std::fs::write(&path, r#"{"version": 1}"#).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let opened = Store::open(&path);
    let why = opened.store.read_only().expect("read-only").to_string();
    assert!(why.contains("cannot be read"), "{why}");
    let mut store = opened.store;
    assert!(
        store
            .update(|s| s
                .create_migration("set", "m", at(0))
                .map_err(StoreError::from))
            .is_err()
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        r#"{"version": 1}"#
    );
    assert_eq!(files_in(dir.path()), ["state.json"]);
}

#[test]
fn an_unwritable_folder_means_read_only_and_nothing_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    if !permissions_are_enforced(dir.path()) {
        eprintln!("skipped: permission bits are not enforced (running as root)");
        return;
    }
    let sub = dir.path().join("locked");
    std::fs::create_dir(&sub).expect("mkdir");
    let path = sub.join("state.json");
    std::fs::write(&path, r#"{"version": 1}"#).expect("write");
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let opened = Store::open(&path);
    let ro = opened.store.read_only().map(str::to_string);
    let mut store = opened.store;
    let result = store.update(|s| {
        s.create_migration("set", "m", at(0))
            .map_err(StoreError::from)
    });
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(ro.is_some_and(|w| w.contains("cannot be written")));
    assert!(matches!(result, Err(StoreError::ReadOnly(_))));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        r#"{"version": 1}"#
    );
    assert_eq!(files_in(&sub), ["state.json"]);
}

#[test]
fn create_new_refuses_an_existing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".devguide/state.json");
    Store::create_new(&path).expect("create");
    assert_eq!(Store::open(&path).state, State::default());
    std::fs::write(&path, "precious").expect("write");
    assert!(Store::create_new(&path).is_err());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "precious");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        New(usize),
        Rename(usize, usize),
        Rm(usize),
        Activate(usize),
        Tick(usize, usize),
        Untick(usize, usize),
    }

    const NAMES: [&str; 4] = ["auth-service", "tests/unit", "PR-1234", "default"];
    const ITEMS: [(&str, bool); 4] = [
        ("g#a#one", false),
        ("g#a#two", true),
        ("g#b#one", false),
        ("h##x", false),
    ];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..4usize).prop_map(Op::New),
            (0..4usize, 0..4usize).prop_map(|(a, b)| Op::Rename(a, b)),
            (0..4usize).prop_map(Op::Rm),
            (0..4usize).prop_map(Op::Activate),
            (0..4usize, 0..4usize).prop_map(|(m, i)| Op::Tick(m, i)),
            (0..4usize, 0..4usize).prop_map(|(m, i)| Op::Untick(m, i)),
        ]
    }

    fn apply(s: &mut State, op: &Op, now: SystemTime) -> Result<(), StateError> {
        let it = |i: usize| item(ITEMS[i].0, ITEMS[i].1);
        match *op {
            Op::New(m) => s.create_migration("set", NAMES[m], now),
            Op::Rename(a, b) => s.rename_migration("set", NAMES[a], NAMES[b], now),
            Op::Rm(m) => s.delete_migration("set", NAMES[m]).map(|_| ()),
            Op::Activate(m) => s.set_active("set", NAMES[m]),
            Op::Tick(m, i) => s.set_tick("set", NAMES[m], &it(i), true, now).map(|_| ()),
            Op::Untick(m, i) => s.set_tick("set", NAMES[m], &it(i), false, now).map(|_| ()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn any_sequence_keeps_the_file_loadable_and_consistent(ops in prop::collection::vec(op(), 1..24)) {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("state.json");
            let mut store = Store::open(&path).store;
            let mut model = State::default();
            for (n, op) in ops.iter().enumerate() {
                let now = at(n as u64);
                let expected = apply(&mut model, op, now);
                let got = store.update(|s| apply(s, op, now).map_err(StoreError::from));
                match (&expected, &got) {
                    (Ok(()), Ok(_)) => {}
                    (Err(e), Err(StoreError::State(g))) => prop_assert_eq!(e, g),
                    _ => prop_assert!(false, "{op:?}: model {expected:?}, store {got:?}"),
                }
                let reopened = Store::open(&path);
                prop_assert!(reopened.notices.is_empty(), "{:?}", reopened.notices);
                prop_assert_eq!(&reopened.state, &model);
                let set = reopened.state.set_state("set");
                if let Some(active) = set.and_then(|s| s.active.as_deref()) {
                    prop_assert!(set.is_some_and(|s| s.migrations.contains_key(active)));
                }
                for m in set.map(|s| s.migrations.values().collect::<Vec<_>>()).unwrap_or_default() {
                    for t in m.ticks.values() {
                        prop_assert!(t.at_time().is_some());
                    }
                    prop_assert!(m.last_change().is_some());
                }
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines = text.lines().filter(|l| l.contains("\"done\"")).count();
            let records: usize = model.sets.values().flat_map(|s| s.migrations.values()).map(|m| m.ticks.len()).sum();
            prop_assert_eq!(lines, records, "one line per tick");
        }
    }
}
