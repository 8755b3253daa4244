//! Budget from the checklist issue, with 1,000 migrations × 100 ticked items in the
//! state (version 2 layout: `state.json` index + one file per migration):
//!
//! - toggling an item (`ops::apply` of one `SetTick`: lock, re-read what changed,
//!   change, atomic write of the migration's file): under 10 ms
//! - loading at start-up (`Store::open`: the index and the active migration): under 20 ms
//! - what `checklist status` does with a migration whose log holds 10,000 events (open,
//!   read and fold the log, roll up): part of the 20 ms end-to-end budget, which
//!   `benches/measure_status.sh` measures on the real binary
//!
//! Also measured, to know what the disk alone costs: writing and fsyncing a file the
//! size of all migrations together, and one the size of a single migration.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use devguide::checklist::ops::{self, Op};
use devguide::checklist::{Item, State, Store, StoreError};

const SET: &str = "dir:/home/dev/src/platform/docs/guides";
const MIGRATIONS: usize = 1_000;
const ITEMS: usize = 100;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_000_000 + secs)
}

fn migration_name(m: usize) -> String {
    format!("service-{m:04}/upgrade-postgres-16")
}

/// Items as a guide set would have them: guide, heading and text make the id.
fn items() -> Vec<Item> {
    let guides = ["database-upgrade", "release-checklist", "security-review"];
    let headings = ["Before you start", "Migrate", "Verify", "Clean up"];
    (0..ITEMS)
        .map(|i| {
            let guide = guides[i % guides.len()];
            let heading = headings[(i / 3) % headings.len()];
            let text = format!("Run the `{guide}` step {i}: check replicas and lag on staging");
            Item {
                number: i + 1,
                id: devguide::checklist::model::item_id(guide, Some(heading), &text, 1),
                guide: guide.to_string(),
                heading_index: Some(0),
                heading: Some(heading.to_string()),
                task_index: i,
                text,
                default_checked: false,
            }
        })
        .collect()
}

/// Writes the state file once through the public API.
fn build(path: &Path, items: &[Item]) {
    let mut state = State::default();
    for m in 0..MIGRATIONS {
        let name = migration_name(m);
        state
            .create_migration(SET, &name, at(m as u64))
            .expect("create");
        for (i, item) in items.iter().enumerate() {
            state
                .set_tick(SET, &name, item, true, at((m * ITEMS + i) as u64))
                .expect("tick");
        }
    }
    state
        .set_active(SET, &migration_name(MIGRATIONS / 2))
        .expect("set active");
    let mut store = Store::open(path).store;
    store.set_author("bench");
    store
        .update(|s| {
            *s = state;
            Ok::<(), StoreError>(())
        })
        .expect("write state");
}

/// Write + fsync of `len` bytes to a new file, the floor under any atomic save.
fn write_fsync(dir: &Path, len: usize) {
    let path = dir.join(format!("fsync-probe-{len}"));
    // A new file each time: truncating the last one would be timed too.
    let _ = std::fs::remove_file(&path);
    let mut f = std::fs::File::create(&path).expect("create probe");
    f.write_all(&vec![b'x'; len]).expect("write probe");
    f.sync_all().expect("fsync probe");
}

/// Bytes of every file under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                bytes_under(&p)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

fn benches(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("state.json");
    let items = items();
    build(&path, &items);
    let index = std::fs::metadata(&path).expect("state file").len();
    let size = bytes_under(&tmp.path().join("state.json.d"));
    eprintln!(
        "state: {MIGRATIONS} migrations × {ITEMS} items; index {index} bytes, migration files \
         {size} bytes ({:.1} MB, {} each) in {}",
        size as f64 / 1e6,
        size / MIGRATIONS as u64,
        path.display()
    );
    let name = migration_name(MIGRATIONS / 2);

    c.bench_function("checklist/open_1000x100", |b| {
        b.iter(|| {
            let opened = Store::open(&path);
            let m = opened.state.migration(SET, &name).expect("active");
            assert!(m.is_loaded() && m.ticks.len() == ITEMS);
            black_box(opened)
        })
    });

    let opened = Store::open(&path);
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    let mut store = opened.store;
    store.set_author("bench");
    let item = &items[ITEMS / 2];
    let mut done = false;
    let mut n = 0u64;
    c.bench_function("checklist/toggle_1000x100", |b| {
        b.iter(|| {
            n += 1;
            let op = Op::SetTick {
                migration: name.clone(),
                item: item.clone(),
                done,
            };
            let applied = ops::apply(&mut store, SET, &[op], at(1_000_000 + n)).expect("toggle");
            done = !done;
            black_box(applied.state.is_ticked(SET, &name, &item.id, false))
        })
    });

    // A migration with 10,000 logged events: 100 rounds of ticking and unticking.
    let long = tmp.path().join("long").join("state.json");
    let mut store = Store::open(&long).store;
    store.set_author("bench");
    store
        .update(|s| {
            s.create_migration(SET, "long", at(0))
                .map_err(StoreError::from)
        })
        .expect("create");
    for round in 0..100u64 {
        let ops: Vec<Op> = items
            .iter()
            .map(|item| Op::SetTick {
                migration: "long".into(),
                item: item.clone(),
                done: round % 2 == 0,
            })
            .collect();
        ops::apply(&mut store, SET, &ops, at(round)).expect("round");
    }
    c.bench_function("checklist/status_10000_events", |b| {
        b.iter(|| {
            let mut opened = Store::open(&long);
            let notices = opened.store.load_migration(&mut opened.state, SET, "long");
            assert!(notices.is_empty(), "{notices:?}");
            let m = opened.state.migration(SET, "long").expect("long");
            assert_eq!(m.log.len(), 10_000);
            let done = items
                .iter()
                .filter(|i| opened.state.is_ticked(SET, "long", &i.id, false))
                .count();
            black_box(done)
        })
    });

    let small = size as usize / MIGRATIONS;
    c.bench_function("disk/write_fsync_whole_state", |b| {
        b.iter(|| write_fsync(tmp.path(), size as usize))
    });
    c.bench_function("disk/write_fsync_one_migration", |b| {
        b.iter(|| write_fsync(tmp.path(), small))
    });
}

criterion_group! {
    name = checklist;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(8));
    targets = benches
}
criterion_main!(checklist);
