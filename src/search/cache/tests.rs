use super::*;

fn set_of(dir: &Path, files: &[(&str, &str)]) -> GuideSet {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    GuideSet::from_dir(dir).expect("loads")
}

const A: &str = "# Alpha\n\nThe lifetime of a thing.\n\n```rust\nfn lifetime() {}\n```\n";
const B: &str = "# Beta\n\n## Setup\n\n- [ ] one\n- [x] two\n\nOther words.\n";

#[test]
fn a_second_call_reuses_every_part_and_gives_the_same_index() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let (first, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed, stats.written), (0, 2, true));
    let (second, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed), (2, 0));
    assert_eq!(first, second);
    let fresh = crate::search::Index::build(&set).query("lifetime", 10);
    let cached = crate::search::Index::from_parts(second.iter().enumerate()).query("lifetime", 10);
    assert_eq!(fresh, cached);
    assert_eq!(cached.len(), 2);
    for (i, part) in second.iter().enumerate() {
        let moved = crate::search::Index::from_part(i, part.clone()).query("lifetime", 10);
        let copied = crate::search::Index::from_parts([(i, part)]).query("lifetime", 10);
        assert_eq!(moved, copied);
    }
    assert_eq!(second[1].tasks, 2);
    assert_eq!(second[1].headings[1].anchor, "setup");
}

#[test]
fn only_a_changed_guide_is_parsed_again() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    parts_cached_in(&set, &file);
    // Same size, same second: only the text tells.
    let edited = B.replace("Other", "Fresh");
    let set = set_of(guides.path(), &[("b.md", &edited)]);
    let (parts, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed), (1, 1));
    assert!(parts[1].orig.contains("Fresh words."));
}

#[test]
fn a_damaged_or_foreign_cache_is_rebuilt() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let (want, _) = parts_cached_in(&set, &file);
    let good = std::fs::read(&file).expect("read");
    // The time of writing (bytes 12..20) differs from one write to the next.
    let whole = |bytes: &[u8]| [&bytes[..12], &bytes[20..]].concat();
    let damaged: Vec<Vec<u8>> = vec![
        good[..good.len() / 2].to_vec(),
        {
            let mut d = good.clone();
            let last = d.len() - 3;
            d[last] ^= 0xff;
            d
        },
        {
            let mut d = good.clone();
            d[8] = 99; // another version
            d
        },
        Vec::new(),
        b"not a cache at all".to_vec(),
    ];
    for bytes in damaged {
        std::fs::write(&file, &bytes).expect("write");
        let (parts, stats) = parts_cached_in(&set, &file);
        assert!(stats.parsed > 0 && stats.written);
        assert_eq!(parts, want);
        let now = std::fs::read(&file).expect("read");
        assert_eq!(whole(&now), whole(&good), "rewritten whole");
    }
}

#[test]
fn every_truncation_of_a_cache_is_read_without_panicking_and_rebuilt() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let (want, _) = parts_cached_in(&set, &file);
    let good = std::fs::read(&file).expect("read");
    for n in 0..good.len() {
        std::fs::write(&file, &good[..n]).expect("write");
        let (parts, stats) = parts_cached_in(&set, &file);
        assert_eq!(parts, want, "cut at {n}");
        assert!(stats.parsed > 0, "cut at {n}");
        assert!(stats.written, "cut at {n}");
        assert_eq!(std::fs::read(&file).expect("read").len(), good.len());
    }
}

#[test]
fn a_damaged_part_is_parsed_again_and_the_others_still_reused() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let (want, _) = parts_cached_in(&set, &file);
    let mut bytes = std::fs::read(&file).expect("read");
    // The last bytes belong to the second guide's part.
    let last = bytes.len() - 2;
    bytes[last] ^= 0x55;
    std::fs::write(&file, &bytes).expect("write");
    let (parts, stats) = parts_cached_in(&set, &file);
    assert_eq!(parts, want);
    assert_eq!((stats.reused, stats.parsed, stats.written), (1, 1, true));
    let (_, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed, stats.written), (2, 0, false));
}

#[test]
fn garbage_in_place_of_a_cache_is_replaced() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A)]);
    let mut garbage = MAGIC.to_vec();
    garbage.extend_from_slice(&VERSION.to_le_bytes());
    // A header claiming a table far larger than the file.
    garbage.extend_from_slice(&[0xff; 64]);
    std::fs::write(&file, &garbage).expect("write");
    let (parts, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.parsed, stats.written), (1, true));
    assert_eq!(parts[0].headings[0].text, "Alpha");
}

/// The folder `guides` loaded as `search` and `list` load it, through the cache in
/// `file`: guides the cache vouches for are not read.
fn load_through(guides: &Path, file: &Path) -> (GuideSet, Vec<GuidePart>, Stats) {
    let mut session = Session::at(file.to_path_buf());
    let set = GuideSet::from_dir_with(guides, &mut |rel, path, root| {
        session.load_guide(rel, path, root, true)
    })
    .expect("loads");
    let (parts, stats) = collect(&set, session);
    (set, parts, stats)
}

/// Sets the file's modification time `secs` seconds into the past.
fn age(path: &Path, secs: u64) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    f.set_modified(t).expect("set time");
}

#[test]
fn an_unchanged_old_file_is_taken_from_the_cache_unread_and_an_edit_is_seen() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    set_of(
        guides.path(),
        &[
            (
                "a.md",
                "+++\ntitle = \"Front\"\ntags = [\"x\"]\n+++\n# Alpha\n\nThe lifetime.\n",
            ),
            ("b.md", B),
        ],
    );
    for name in ["a.md", "b.md"] {
        age(&guides.path().join(name), 60);
    }
    let load = || load_through(guides.path(), &file);
    // The first load reads both files; the times are old enough to be trusted next.
    let (first, want, stats) = load();
    assert_eq!((stats.parsed, stats.unread), (2, 0));
    let (second, parts, stats) = load();
    assert_eq!((stats.reused, stats.unread, stats.written), (2, 2, false));
    assert_eq!(parts, want);
    assert!(second.guides[0].body.is_empty(), "not read");
    for (a, b) in first.guides.iter().zip(&second.guides) {
        assert_eq!(
            (&a.id, &a.title, &a.tags, a.body_line, &a.notices, a.level),
            (&b.id, &b.title, &b.tags, b.body_line, &b.notices, b.level)
        );
    }
    assert_eq!(second.guides[0].title, "Front");
    // An edit changes the time: that guide alone is read and parsed again.
    std::fs::write(guides.path().join("b.md"), B.replace("Other", "Fresh")).expect("write");
    let (_, parts, stats) = load();
    assert_eq!((stats.reused, stats.unread, stats.parsed), (1, 1, 1));
    assert!(parts[1].orig.contains("Fresh words."));
}

#[test]
fn a_file_changed_right_before_the_cache_was_written_is_checked_by_its_text() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    set_of(guides.path(), &[("a.md", A)]);
    let load = || {
        let (_, parts, stats) = load_through(guides.path(), &file);
        (parts, stats)
    };
    load();
    // Same size, and (on a coarse clock) perhaps the same time: the text must tell.
    let path = guides.path().join("a.md");
    let before = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("time");
    std::fs::write(&path, A.replace("thing", "thong")).expect("write");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(before))
        .expect("set time");
    let (parts, stats) = load();
    assert_eq!((stats.unread, stats.parsed), (0, 1));
    assert!(parts[0].orig.contains("thong"));
}

#[cfg(unix)]
#[test]
fn a_symlink_in_place_of_the_cache_is_neither_read_nor_replaced() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let set = set_of(guides.path(), &[("a.md", A)]);
    let target = cache.path().join("elsewhere");
    std::fs::write(&target, "precious").expect("write");
    let file = cache.path().join("c.bin");
    std::os::unix::fs::symlink(&target, &file).expect("symlink");
    let (_, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.written), (0, false));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "precious");
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn writers_at_the_same_time_leave_one_whole_file() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    let _ = std::fs::remove_file(&file);
                    let (parts, _) = parts_cached_in(&set, &file);
                    assert_eq!(parts.len(), 2);
                }
            });
        }
    });
    let (_, stats) = parts_cached_in(&set, &file);
    assert_eq!(stats.reused, 2, "the survivor is complete");
}
