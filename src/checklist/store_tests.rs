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
    store.update_loading(&[("set", migration)], |s| {
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

/// Opens the file and reads every migration of the test set, to compare whole states.
fn open_all(path: &Path) -> State {
    let mut opened = Store::open(path);
    let notices = opened.store.load_set(&mut opened.state, "set");
    assert!(notices.is_empty(), "{notices:?}");
    opened.state
}

/// The file holding migration `name`'s ticks, as the index says.
fn migration_file(path: &Path, name: &str) -> PathBuf {
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read index")).expect("json");
    let file = index["sets"]["set"]["migrations"][name]["file"]
        .as_str()
        .expect("file named");
    sibling(path, ".d").join(file)
}

/// The state without what only the log knows (who made a tick; `updated`, which the
/// log derives from its events), to compare with a model that has no log.
fn without_log_fields(state: &State) -> State {
    let mut s = state.clone();
    for set in s.sets.values_mut() {
        for m in set.migrations.values_mut() {
            m.updated.clear();
            for t in m.ticks.values_mut() {
                t.by.clear();
            }
        }
    }
    s
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
    let reopened = open_all(&path);
    assert_eq!(reopened, updated.state);
    assert!(reopened.is_ticked("set", "auth-service", "g#s#a", false));
    assert_eq!(
        files_in(&dir.path().join("sub")),
        ["state.json", "state.json.d", "state.json.lock"],
        "no temp files left"
    );
    let file = migration_file(&path, "auth-service");
    assert_eq!(
        files_in(file.parent().expect("set folder")),
        ["auth-service.json"]
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
    let state = open_all(&path);
    assert!(state.is_ticked("set", "m", "x", false));
    assert!(state.is_ticked("set", "m", "y", false));
}

fn parses() -> usize {
    PARSES.with(|n| n.get())
}

fn migration_parses() -> usize {
    MIGRATION_PARSES.with(|n| n.get())
}

#[test]
fn an_unchanged_file_is_not_parsed_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut a = Store::open(&path).store;
    new_migration(&mut a, "m");
    let (start, mstart) = (parses(), migration_parses());
    for id in ["x", "y", "z"] {
        tick(&mut a, "m", id).expect("tick");
    }
    assert_eq!(a.reload(), open_all(&path));
    assert_eq!(parses(), start + 1, "only the fresh open parsed the index");
    assert_eq!(migration_parses(), mstart + 1, "and the migration");

    // Another store writes: the next update of `a` parses its file once, keeps its tick
    // and leaves the unchanged index alone.
    let mut b = Store::open(&path).store;
    tick(&mut b, "m", "from-b").expect("b ticks");
    let (start, mstart) = (parses(), migration_parses());
    let after = tick(&mut a, "m", "w").expect("a ticks");
    assert_eq!(parses(), start, "the index did not change");
    assert_eq!(migration_parses(), mstart + 1);
    assert!(after.state.is_ticked("set", "m", "from-b", false));
    tick(&mut a, "m", "v").expect("a ticks again");
    assert_eq!(
        migration_parses(),
        mstart + 1,
        "a's own write is remembered"
    );
}

#[test]
fn a_tick_rewrites_only_its_migration_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "one");
    new_migration(&mut store, "two");
    let index = std::fs::metadata(&path).expect("index").modified().ok();
    let two = std::fs::metadata(migration_file(&path, "two")).expect("two");
    tick(&mut store, "one", "x").expect("tick");
    assert_eq!(
        std::fs::metadata(&path).expect("index").modified().ok(),
        index
    );
    let two_after = std::fs::metadata(migration_file(&path, "two")).expect("two");
    assert_eq!(two.modified().ok(), two_after.modified().ok());
    let text = std::fs::read_to_string(migration_file(&path, "one")).expect("one");
    assert!(text.contains("\"item\": \"x\""), "{text}");
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
            .update_loading(&[("set", "m")], |s| {
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
    let state = open_all(&path);
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

    // The same for a migration's file.
    let file = migration_file(&path, "m");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = format!(
        "{text}{}\n",
        r#"{"at": "2024-01-01T00:00:00Z", "done": true, "item": "by-hand"}"#
    );
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&file)
        .and_then(|mut f| f.write_all(edited.as_bytes()))
        .expect("edit in place");
    let after = tick(&mut store, "m", "z").expect("tick");
    assert!(after.state.is_ticked("set", "m", "by-hand", false));
    assert!(open_all(&path).is_ticked("set", "m", "by-hand", false));
    assert!(open_all(&path).is_ticked("set", "m", "y", false));
}

#[test]
fn a_corrupt_migration_file_is_set_aside_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "m");
    store
        .update(|s| s.set_active("set", "m").map_err(StoreError::from))
        .expect("activate");
    tick(&mut store, "m", "x").expect("tick");
    let file = migration_file(&path, "m");
    std::fs::write(&file, "{\"ticks\": ").expect("break it");
    let opened = Store::open(&path);
    assert_eq!(opened.notices.len(), 1, "{:?}", opened.notices);
    let notice = &opened.notices[0];
    assert!(
        notice.contains(&file.display().to_string()) && notice.contains("moves the file aside"),
        "{notice}"
    );
    assert!(opened.store.read_only().is_none());
    assert!(
        !opened.state.is_ticked("set", "m", "x", false),
        "shown empty"
    );
    let asides = || -> Vec<String> {
        files_in(file.parent().expect("dir"))
            .into_iter()
            .filter(|n| n.starts_with("m.json.corrupt-"))
            .collect()
    };
    assert!(asides().is_empty(), "opening moves nothing");
    let mut store = opened.store;
    let ticked = tick(&mut store, "m", "y").expect("tick again");
    assert_eq!(asides().len(), 1);
    assert!(
        ticked.notices.iter().any(|n| n.contains("m.json.corrupt-")),
        "{:?}",
        ticked.notices
    );
    let state = open_all(&path);
    assert!(state.is_ticked("set", "m", "y", false));
    assert_eq!(
        files_in(file.parent().expect("dir")).len(),
        2,
        "the aside copy is left alone"
    );
}

#[test]
fn rename_moves_the_file_and_delete_removes_it_leaving_unknown_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "auth");
    tick(&mut store, "auth", "x").expect("tick");
    let old = migration_file(&path, "auth");
    let unknown = old.with_file_name("notes.txt");
    std::fs::write(&unknown, "mine").expect("write");
    store
        .update_loading(&[("set", "auth")], |s| {
            s.rename_migration("set", "auth", "tests/unit", at(20))
                .map_err(StoreError::from)
        })
        .expect("rename");
    assert!(!old.exists(), "old file removed");
    let new = migration_file(&path, "tests/unit");
    assert!(new.exists());
    assert!(open_all(&path).is_ticked("set", "tests/unit", "x", false));
    // Deleting works without reading the migration's ticks first.
    let mut fresh = Store::open(&path).store;
    fresh
        .update(|s| {
            s.delete_migration("set", "tests/unit")
                .map(drop)
                .map_err(StoreError::from)
        })
        .expect("delete");
    assert!(!new.exists());
    assert_eq!(std::fs::read_to_string(&unknown).expect("kept"), "mine");
    assert!(open_all(&path).migrations("set").is_empty());
}

#[test]
fn changing_ticks_that_were_not_read_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "m");
    tick(&mut store, "m", "x").expect("tick");
    let mut fresh = Store::open(&path).store;
    let err = fresh
        .update(|s| {
            s.set_tick("set", "m", &item("y", false), true, at(30))
                .map_err(StoreError::from)
        })
        .expect_err("not loaded");
    assert!(matches!(err, StoreError::State(StateError::NotLoaded(_))));
    assert!(
        open_all(&path).is_ticked("set", "m", "x", false),
        "nothing lost"
    );
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
    new_migration(&mut store, "tests/unit");
    for id in ["g#s#b", "g#s#a", "g#t#c"] {
        tick(&mut store, "tests/unit", id).expect("tick");
    }
    let file = migration_file(&path, "tests/unit");
    assert!(file.ends_with("tests%2Funit.json"), "{}", file.display());
    let text = std::fs::read_to_string(&file).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one event per tick: {text}");
    assert_eq!(
        lines[0],
        r#"{"devguide": "checklist", "migration": "tests/unit", "version": 3}"#
    );
    let by = store.author.clone().expect("author known after a change");
    assert_eq!(
        lines[2],
        format!(
            r#"{{"at": "2023-11-14T22:13:30Z", "by": {}, "done": true, "item": "g#s#a", "seq": 2, "text": "Text of g#s#a"}}"#,
            serde_json::Value::from(by.as_str())
        )
    );
    assert!(lines[3].contains("\"item\": \"g#t#c\""));
    let index = std::fs::read_to_string(&path).expect("read");
    assert!(
        !index.contains("\"done\""),
        "no ticks in the index: {index}"
    );
    assert!(index.ends_with("  \"version\": 3\n}\n"), "{index}");
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
    assert!(text.contains("\"version\": 3"), "{text}");
    let m = std::fs::read_to_string(migration_file(&path, "m")).expect("read");
    assert!(
        m.contains(
            r#"{"at": "2024-03-01T10:00:00Z", "done": true, "item": "old", "seq": 1, "text": ""}"#
        ),
        "{m}"
    );
}

/// A version 1 file with many migrations, ticks and unknown fields.
fn v1_file(path: &Path) -> State {
    let mut state = State {
        version: 1,
        ..State::default()
    };
    for (n, name) in [
        "auth-service",
        "tests/unit",
        "PR-1234",
        "Default",
        "default",
    ]
    .iter()
    .enumerate()
    {
        state
            .create_migration("set", name, at(n as u64))
            .expect("create");
        for k in 0..=n {
            state
                .set_tick(
                    "set",
                    name,
                    &item(&format!("g#s#{k}"), false),
                    true,
                    at(k as u64),
                )
                .expect("tick");
        }
    }
    state
        .create_migration("other set", "auth-service", at(9))
        .expect("create");
    state.set_active("set", "tests/unit").expect("active");
    state.extra.insert("top".into(), serde_json::json!([1]));
    if let Some(m) = state
        .sets
        .get_mut("set")
        .and_then(|s| s.migrations.get_mut("PR-1234"))
    {
        m.extra.insert("owner".into(), serde_json::json!("ana"));
    }
    let value = serde_json::to_value(&state).expect("value");
    std::fs::write(path, crate::checklist::format::render(&value)).expect("write v1");
    state
}

#[test]
fn a_version_1_file_becomes_an_index_and_migration_files_with_the_same_ticks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let v1 = v1_file(&path);
    let v1_text = std::fs::read_to_string(&path).expect("read");
    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    let mut expected = opened.state.clone();
    expected.version = VERSION;
    let mut v1_as_current = v1.clone();
    v1_as_current.version = VERSION;
    assert_eq!(expected, v1_as_current, "read as it was");
    let mut store = opened.store;
    // A change that alters nothing still writes the new layout.
    store.update(|_| Ok::<(), StoreError>(())).expect("upgrade");
    let index = std::fs::read_to_string(&path).expect("read");
    assert_ne!(index, v1_text);
    assert!(
        index.contains("\"version\": 3") && !index.contains("\"done\""),
        "{index}"
    );
    let mut reopened = Store::open(&path);
    reopened.store.load_set(&mut reopened.state, "set");
    reopened.store.load_set(&mut reopened.state, "other set");
    assert_eq!(
        without_log_fields(&reopened.state),
        without_log_fields(&v1_as_current),
        "ticks and fields identical"
    );
    // `Default` and `default` differ only in case: two different files.
    let a = migration_file(&path, "Default");
    let b = migration_file(&path, "default");
    assert_ne!(
        a.to_string_lossy().to_lowercase(),
        b.to_string_lossy().to_lowercase()
    );
}

#[test]
fn a_crash_during_the_upgrade_leaves_the_version_1_file_loadable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let v1 = v1_file(&path);
    let v1_text = std::fs::read(&path).expect("read");
    let mut store = Store::open(&path).store;
    store.update(|_| Ok::<(), StoreError>(())).expect("upgrade");
    // As if the process died after writing the migration files, before the index.
    std::fs::write(&path, &v1_text).expect("put v1 back");
    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    let mut v1_as_read = v1.clone();
    v1_as_read.version = 1;
    assert_eq!(opened.state, v1_as_read, "the old file still loads in full");
    // The next write upgrades again; the files of the first attempt are left alone.
    let mut store = opened.store;
    tick(&mut store, "tests/unit", "after").expect("tick");
    let state = open_all(&path);
    assert!(state.is_ticked("set", "tests/unit", "g#s#1", false));
    assert!(state.is_ticked("set", "tests/unit", "after", false));
    assert!(state.is_ticked("set", "PR-1234", "g#s#2", false));
}

fn assert_set_aside(original: &[u8], expect_reason: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    std::fs::write(&path, original).expect("write");
    let opened = Store::open(&path);
    assert!(opened.store.read_only().is_none());
    assert_eq!(opened.state, State::default(), "shown empty");
    assert_eq!(opened.notices.len(), 1, "{:?}", opened.notices);
    assert!(opened.notices[0].contains("the next change moves it aside"));
    assert_eq!(
        files_in(dir.path()),
        ["state.json"],
        "opening moves nothing"
    );
    assert_eq!(std::fs::read(&path).expect("read"), original);
    let mut store = opened.store;
    let opened = store
        .update(|_| Ok::<(), StoreError>(()))
        .expect("a change sets it aside");
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
    let write = || {
        let mut store = Store::open(&path).store;
        store.update(|_| Ok::<(), StoreError>(())).expect("update");
    };
    std::fs::write(&path, "one").expect("write");
    write();
    std::fs::write(&path, "two").expect("write");
    write();
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
    let newer = r#"{"version": 4, "sets": {"set": {"active": "m", "migrations": {"m": {"file": "m.json"}}}}, "future": true}"#;
    std::fs::create_dir_all(dir.path().join("state.json.d")).expect("mkdir");
    std::fs::write(
        dir.path().join("state.json.d/m.json"),
        r#"{"ticks": {"a": {"done": true, "at": "2024-01-01T00:00:00Z"}}}"#,
    )
    .expect("write");
    std::fs::write(&path, newer).expect("write");
    let opened = Store::open(&path);
    let why = opened.store.read_only().expect("read-only").to_string();
    assert!(
        why.contains("newer devguide") && why.contains("version 4"),
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
    assert_eq!(
        files_in(dir.path()),
        ["state.json", "state.json.d"],
        "not even a lock file"
    );
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
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
    };
    let v = read(&path);
    let file = migration_file(&path, "m");
    let events = |p: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p)
            .expect("read")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    };
    assert_eq!(v["top"], serde_json::json!({"a": [1, 2]}), "top level");
    assert_eq!(v["sets"]["set"]["colour"], "blue", "per set");
    assert_eq!(
        v["sets"]["set"]["migrations"]["m"]["owner"], "ana",
        "per migration"
    );
    let lines = events(&file);
    let x = lines
        .iter()
        .find(|e| e["item"] == "x")
        .expect("x carried over");
    assert_eq!(x["note"], "by hand", "per tick");
    assert!(lines.iter().any(|e| e["item"] == "y" && e["done"] == true));
    // Unknown fields of a migration file's header stay in it.
    let text = std::fs::read_to_string(&file).expect("read");
    let with_extra = text.replacen('{', "{\"reviewed\": \"yes\", ", 1);
    std::fs::write(&file, with_extra).expect("write");
    tick(&mut store, "m", "z").expect("tick");
    assert_eq!(events(&file)[0]["reviewed"], "yes");
    assert!(read(&path).get("reviewed").is_none());
    // Unticking an item keeps its record's extra fields in the event.
    store
        .update_loading(&[("set", "m")], |s| {
            s.set_tick("set", "m", &item("x", true), false, at(20))
                .map_err(StoreError::from)
        })
        .expect("untick x");
    let last = events(&file).pop().expect("an event");
    assert_eq!((&last["item"], &last["done"]), (&"x".into(), &false.into()));
    assert_eq!(last["note"], "by hand");
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
                let mut reopened = Store::open(&path);
                prop_assert!(reopened.notices.is_empty(), "{:?}", reopened.notices);
                let notices = reopened.store.load_set(&mut reopened.state, "set");
                prop_assert!(notices.is_empty(), "{:?}", notices);
                prop_assert_eq!(&without_log_fields(&reopened.state), &without_log_fields(&model));
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
            // Each file a log whose events add up to the ticks; one file per migration,
            // nothing left over.
            let files_dir = dir.path().join("state.json.d");
            let mut lines = 0;
            let mut files = 0;
            for set_dir in std::fs::read_dir(&files_dir).into_iter().flatten().flatten() {
                for f in std::fs::read_dir(set_dir.path()).expect("set dir").flatten() {
                    let text = std::fs::read_to_string(f.path()).expect("read");
                    let parsed = crate::checklist::log::parse(text.as_bytes());
                    prop_assert!(parsed.bad_lines.is_empty(), "{text}");
                    lines += crate::checklist::log::fold(&parsed.events).len();
                    files += 1;
                }
            }
            let records: usize = model.sets.values().flat_map(|s| s.migrations.values()).map(|m| m.ticks.len()).sum();
            prop_assert_eq!(lines, records, "the logs add up to the ticks");
            let migrations = model.set_state("set").map_or(0, |s| s.migrations.len());
            prop_assert_eq!(files, migrations, "one file per migration");
        }
    }
}

#[test]
fn in_team_mode_personal_data_stays_out_of_the_shared_files() {
    use crate::checklist::ops::{self, Op};
    use crate::checklist::reading::Reading;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(".devguide/state.json");
    Store::create_new(&path).expect("init");
    let personal = dir.path().join("xdg/devguide/repos/repo.json");
    let open = || {
        let mut opened = Store::open(&path);
        opened.store.set_personal_file(Some(personal.clone()));
        opened.store.set_author("Ana");
        opened
    };
    let mut store = open().store;
    let ops = [
        Op::Create { name: "m".into() },
        Op::Activate { name: "m".into() },
        Op::SetTick {
            migration: "m".into(),
            item: item("a", false),
            done: true,
        },
    ];
    ops::apply(&mut store, "set", &ops, at(1)).expect("apply");
    let shared = |p: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut todo = vec![p.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).expect("read").flatten() {
                if e.path().is_dir() {
                    todo.push(e.path());
                } else if !e.file_name().to_string_lossy().ends_with(".lock") {
                    out.insert(e.path(), std::fs::read(e.path()).expect("read"));
                }
            }
        }
        out
    };
    let team = dir.path().join(".devguide");
    let before = shared(&team);
    let index = String::from_utf8_lossy(&before[&path]).into_owned();
    assert!(!index.contains("active"), "{index}");
    let mut reading = Reading {
        last: Some("guide".into()),
        ..Reading::default()
    };
    reading.places.insert("guide".into(), 7);
    ops::apply(&mut store, "set", &[Op::Reading(reading)], at(2)).expect("reading");
    assert_eq!(shared(&team), before, "reading changed no shared file");
    let mine = std::fs::read_to_string(&personal).expect("personal file");
    assert!(
        mine.contains("\"active\": \"m\"") && mine.contains("\"guide\""),
        "{mine}"
    );
    // The personal file is set after opening here; a change reads it again.
    let mut store = open().store;
    let u = store.update(|_| Ok::<(), StoreError>(())).expect("update");
    assert_eq!(u.state.active_migration("set"), Some("m"));
    assert_eq!(
        u.state
            .reading("set")
            .and_then(|r| r.places.get("guide").copied()),
        Some(7)
    );
    let tick = u.state.tick("set", "m", "a").expect("ticked");
    assert_eq!(tick.by, "Ana", "who ticked is recorded");
    assert_eq!(shared(&team), before, "still no shared change");
}

#[test]
fn a_clock_out_of_range_still_saves_and_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let mut store = Store::open(&path).store;
    new_migration(&mut store, "m");
    let future = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
    let past = UNIX_EPOCH - Duration::from_secs(1_000);
    for (id, when) in [("late", future), ("early", past)] {
        store
            .update_loading(&[("set", "m")], |s| {
                s.set_tick("set", "m", &item(id, false), true, when)
                    .map_err(StoreError::from)
            })
            .expect("tick");
    }
    let state = open_all(&path);
    assert!(state.is_ticked("set", "m", "late", false));
    assert!(state.is_ticked("set", "m", "early", false));
}

#[test]
fn a_version_2_migration_file_becomes_a_log_on_the_next_write_losing_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    std::fs::create_dir_all(dir.path().join("state.json.d/ab")).expect("mkdir");
    std::fs::write(
        &path,
        r#"{"version": 2, "sets": {"set": {"active": "m", "migrations": {"m": {"created": "2024-01-01T00:00:00Z", "file": "ab/m.json"}}}}}"#,
    )
    .expect("write index");
    let v2 = r#"{
  "migration": "m",
  "note": "kept",
  "ticks": {
    "old": {"at": "2024-02-01T00:00:00Z", "done": true, "text": "Old item"},
    "undone": {"at": "2024-02-02T00:00:00Z", "done": false, "text": "Default done"}
  },
  "updated": "2024-02-02T00:00:00Z"
}
"#;
    let file = dir.path().join("state.json.d/ab/m.json");
    std::fs::write(&file, v2).expect("write v2");
    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    assert!(opened.state.is_ticked("set", "m", "old", false));
    assert!(!opened.state.is_ticked("set", "m", "undone", true));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        v2,
        "read only"
    );
    let mut store = opened.store;
    store.set_author("Ana");
    tick(&mut store, "m", "new").expect("tick");
    let text = std::fs::read_to_string(&file).expect("read");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines[0]["devguide"], "checklist");
    assert_eq!(lines[0]["note"], "kept", "unknown fields of the file stay");
    let old = lines
        .iter()
        .find(|l| l["item"] == "old")
        .expect("old carried");
    assert_eq!(old["at"], "2024-02-01T00:00:00Z", "its time kept");
    assert!(old.get("by").is_none(), "author unknown, not made up");
    let new = lines.iter().find(|l| l["item"] == "new").expect("new");
    assert_eq!(new["by"], "Ana");
    let state = open_all(&path);
    assert!(state.is_ticked("set", "m", "old", false));
    assert!(!state.is_ticked("set", "m", "undone", true));
    assert!(state.is_ticked("set", "m", "new", false));
    let index = std::fs::read_to_string(&path).expect("read");
    assert!(index.contains("\"version\": 3"), "{index}");
}
